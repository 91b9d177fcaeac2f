#!/usr/bin/env bash
# The memory of all of Booth's processes (the app, its WebKit web and network processes)
# with the window open, and 30 s after the window is closed with the shop kept selling
# (issue 16's goals: at most 300 MiB PSS open, 60 MiB RSS in the background). A benchmark,
# not a test: it prints figures for docs/benchmarks.md.
#   ./scripts/bench-window-memory.sh             the release build (fat LTO: ~11 min cold)
#   BOOTH_APP=target/debug/booth-desktop ./scripts/bench-window-memory.sh
# Under Xvfb, with a private session bus; the window is driven through tauri-driver (the
# close is the window's own `close_window` command, as the close button's answer sends).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
if [ -z "${BOOTH_APP:-}" ]; then
  npm --prefix ui run --silent build
  cargo build --release --bin booth-desktop
  BOOTH_APP=$target/release/booth-desktop
fi
app=$(realpath "$BOOTH_APP")
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

display=:$((200 + RANDOM % 50))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | head -2)
bus_addr=$(echo "$bus" | head -1)
pids+=("$(echo "$bus" | tail -1)")
port=$((20000 + RANDOM % 20000))
export DISPLAY=$display DBUS_SESSION_BUS_ADDRESS=$bus_addr TAURI_WEBVIEW_AUTOMATION=true
export BOOTH_DATA_DIR=$tmp/shop
tauri-driver --port "$port" --native-port $((port + 1)) >"$tmp/driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -s "localhost:$port/status" >/dev/null && break; sleep 0.2; done

wd() { curl -s -X "$1" "localhost:$port$2" -H 'content-type: application/json' ${3:+-d "$3"}; }
session=$(wd POST /session "{\"capabilities\":{\"alwaysMatch\":{\"tauri:options\":{\"application\":\"$app\"}}}}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["value"]["sessionId"])')
app_pid=$(pgrep -n -f "^$app" || pgrep -n booth-desktop)

# Every process of the app: itself and its descendants (WebKit's helpers are its children).
tree() {
  local all=("$1") kids
  kids=$(pgrep -P "$1" || true)
  for k in $kids; do all+=($(tree "$k")); done
  echo "${all[@]}"
}
measure() {
  local label=$1 rss=0 pss=0 n=0 names=()
  for p in $(tree "$app_pid"); do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    rss=$((rss + $(awk '/^Rss:/ {print $2}' "/proc/$p/smaps_rollup")))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")))
    names+=("$(cat "/proc/$p/comm")"); n=$((n + 1))
  done
  printf '%-32s %4d MiB RSS  %4d MiB PSS  %d processes\n' "$label" $((rss / 1024)) $((pss / 1024)) "$n"
  # Each process: its RSS, PSS, and how much of it is its own (anonymous) memory.
  for p in $(tree "$app_pid"); do
    [ -r "/proc/$p/smaps_rollup" ] || continue
    awk -v name="$(cat "/proc/$p/comm")" '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Anonymous:/ {a=$2}
      END { printf "  %-30s %4d MiB RSS  %4d MiB PSS  %4d MiB anonymous\n", name, r/1024, p/1024, a/1024 }' \
      "/proc/$p/smaps_rollup"
  done
}

# The window is up once the dashboard has drawn; then it settles.
for _ in $(seq 100); do
  wd POST "/session/$session/execute/sync" '{"script":"return !!document.querySelector(\"[data-testid=server-status]\")","args":[]}' | grep -q true && break
  sleep 0.3
done
sleep 10
measure "window open"
wd POST "/session/$session/execute/async" '{"script":"const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke(\"close_window\", {keepSelling: true}); setTimeout(done, 100);","args":[]}' >/dev/null || true
sleep 30
measure "30 s after closing the window"
kill -TERM "$app_pid"
