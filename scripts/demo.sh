#!/usr/bin/env bash
# Opens Booth's window on the demo shop: a sample e-book, simulated payments, mail to a local
# outbox folder. With no display (a server, an SSH session) it runs the same shop headless.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export BOOTH_DATA_DIR="${BOOTH_DATA_DIR:-./demo-data}"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here, so the shop runs headless; open http://127.0.0.1:8080 to see it."
  exec cargo run -q -p booth-cli -- --data-dir "$BOOTH_DATA_DIR" serve --demo "$@"
fi
npm --prefix ui run --silent build
exec cargo run -q -p booth-desktop -- --demo "$@"
