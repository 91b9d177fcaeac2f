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

step "install what is missing" ./scripts/install-deps.sh
# The window's UI: type and accessibility checks, unit tests, then the build the desktop
# binary embeds (it must exist before cargo compiles the app).
step "ui: svelte-check" npm --prefix ui run --silent check
step "ui: vitest" npm --prefix ui run --silent test
step "ui: build" npm --prefix ui run --silent build
step "cargo fmt" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --workspace --all-targets -q -- -D warnings
step "cargo test" cargo test --workspace --no-fail-fast

echo
echo "Step times:"
printf '%s\n' "${timings[@]}"
echo "Total: $((SECONDS - started)) s"
