#!/usr/bin/env bash
# Benchmarks (not tests; see docs/benchmarks.md), release builds, on loopback:
#   ./scripts/bench.sh            all of them
#   ./scripts/bench.sh shop       Booth's buyer side beside nginx (downloads, page latency,
#                                 memory under 1,000 downloads, webhook fulfilment)
#   ./scripts/bench.sh mailing    one update mailing to N buyers through SMTP
#   ./scripts/bench.sh finding    the seller's searches over 100,000 purchases and messages
#   ./scripts/bench.sh bucket     Booth's CPU and memory for 1,000 concurrent 100 MiB
#                                 downloads, from the data dir and from a bucket
#   ./scripts/bench.sh licensing  license validations per second; stamping a 300-page PDF
# BENCH_SECS=N per shop measurement (default 10); BENCH_BUYERS, BENCH_SINK, BENCH_BREAKDOWN
# for the mailing (see its source).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# The reference server and the load generator, from Debian.
if ! command -v nginx >/dev/null 2>&1 || ! command -v wrk >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -q nginx wrk >/dev/null
fi

echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPU(s), $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory:  $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:  $(uname -sr); $(rustc --version); $(nginx -v 2>&1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo

which="${1:-all}"
if [ "$which" = all ] || [ "$which" = shop ]; then
  cargo bench -p booth-cli --bench shop
fi
if [ "$which" = all ] || [ "$which" = bucket ]; then
  cargo bench -p booth-cli --bench bucket
fi
if [ "$which" = all ] || [ "$which" = mailing ]; then
  cargo bench -p booth-testkit --bench mailing
fi
if [ "$which" = all ] || [ "$which" = finding ]; then
  cargo bench -p booth-core --bench finding
fi
if [ "$which" = all ] || [ "$which" = licensing ]; then
  cargo bench -p booth-core --bench licensing
fi
