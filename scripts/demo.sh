#!/usr/bin/env bash
# Runs the demo shop: sample e-book, simulated payments, mail to a local outbox folder.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
exec cargo run -q -p booth-cli -- --data-dir "${BOOTH_DATA_DIR:-./demo-data}" serve --demo "$@"
