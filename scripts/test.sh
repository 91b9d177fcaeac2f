#!/usr/bin/env bash
# Runs every check and test: formatting, clippy, and the whole workspace's tests (real
# SQLite, a real SMTP server, real HTTP on loopback, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace --no-fail-fast
