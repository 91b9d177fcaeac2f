#!/usr/bin/env bash
# Runs every check and test: the UI's checks and unit tests, formatting, clippy, and the
# whole workspace's tests (real SQLite, a real SMTP server, real HTTP on loopback, headless
# Chromium, and the desktop window itself under Xvfb through tauri-driver). Each step's
# time is printed, so a slow CI run says where its time went.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step() {
  local name=$1
  shift
  local t0=$SECONDS
  echo "==> $name"
  "$@"
  echo "==> $name: $((SECONDS - t0)) s"
  timings+=("$(printf '%5d s  %s' $((SECONDS - t0)) "$name")")
}
timings=()
summary() {
  echo
  echo "Step times:"
  printf '%s\n' "${timings[@]}"
  echo "Total: $((SECONDS - started)) s"
}
# Also when a step fails, so a red run says how far it got and how long each step took.
trap summary EXIT

step "install what is missing" ./scripts/install-deps.sh
# The window's UI: first the build the desktop binary embeds (it must exist before cargo
# compiles the app); its type and accessibility checks and unit tests run beside the Rust
# build below, whose last minutes (linking, the biggest crates) leave a core idle: cold,
# the two steps in a row were 60 s of a 623 s run.
step "ui: build" npm --prefix ui run --silent build
step "cargo fmt" cargo fmt --all -- --check
ui_checks() {
  npm --prefix ui run --silent check && npm --prefix ui run --silent test
}
ui_log=$(mktemp)
ui_checks >"$ui_log" 2>&1 &
ui_pid=$!
ui_started=$SECONDS
# Clippy and the tests' build are one build. clippy-driver is a whole rustc: as the
# workspace's compiler wrapper (all `cargo clippy` is, in check mode) it lints every
# workspace target while compiling it for the tests, so the ~700 dependencies are compiled
# once rather than checked for clippy and then built for the tests (cold, the two were
# 542 s + 554 s; docs/benchmarks.md, CI). CLIPPY_ARGS is how cargo-clippy passes
# clippy-driver its `-- -D warnings`. The targets are `cargo clippy --all-targets`' but
# the unit-test builds of the targets that have no unit tests (`test = false`), which
# --all-targets would build anyway: the tests and the benches, in one cargo (two, one after
# the other, left a core idle at the end of the first).
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# --no-default-features: without jemalloc, the allocator the binaries ship with; its C
# build is ~79 s of CPU, nothing the tests check depends on it, and the benchmarks (which
# do) build with it. Every cargo command below takes the same flags, or it would rebuild.
scope=(--workspace --no-default-features)
step "cargo clippy + test build" cargo test "${scope[@]}" --no-run --tests --bench '*'
ui_done() {
  local rc=0
  wait "$ui_pid" || rc=$?
  cat "$ui_log"
  echo "(started with the Rust build, $((SECONDS - ui_started)) s ago)"
  return $rc
}
step "ui: svelte-check + vitest" ui_done
# The tests start python3 ~200 times (the SMTP server of every test that mails, the DKIM,
# license and backup checks). Where python3 is pyenv's shim, as on CI's machine, each start
# first ran the shim's bash: 0.17 s of CPU beside the SMTP server's own 0.2. The interpreter
# the shim would pick, called directly.
python_dir=$(dirname "$(python3 -c 'import sys; print(sys.executable)')")
export PATH="$python_dir:$PATH"
# Every test, six at a time across all the test binaries (.config/nextest.toml), then the
# doc tests, which nextest doesn't run.
step "cargo nextest" cargo nextest run "${scope[@]}"
step "doc tests" cargo test "${scope[@]}" --doc -q
