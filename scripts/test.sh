#!/usr/bin/env bash
# Runs every check and test: the UI's checks and unit tests, formatting, clippy, and the
# whole workspace's tests (real SQLite, a real SMTP server, real HTTP on loopback, headless
# Chromium, and the desktop window itself under Xvfb through tauri-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# The window's UI: type and accessibility checks, unit tests, then the build the desktop
# binary embeds (it must exist before cargo compiles the app).
npm --prefix ui run --silent check
npm --prefix ui run --silent test
npm --prefix ui run --silent build
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace --no-fail-fast
