#!/usr/bin/env bash
# Runs the update-mailing benchmark (release build): one mailing to N buyers through a local
# SMTP sink, timed, with peak memory. Not a test; see docs/benchmarks.md.
#   BENCH_BUYERS=N (default 10000)  BENCH_SINK=files  BENCH_BREAKDOWN=1
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPU(s), $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:  $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:  $(uname -sr); $(rustc --version)"
echo

cargo bench -p booth-testkit --bench mailing
