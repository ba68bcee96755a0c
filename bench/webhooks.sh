#!/usr/bin/env bash
# Webhook benchmark (see bench/webhooks.py): what five endpoints cost a publish, and how fast
# the outbox drains to a local receiver. Writes bench/results/webhooks.json.
# Needs python3 and node. BENCH_SKIP_BUILD=1 uses target/release/warta as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  cargo build --release --bin warta
fi
mkdir -p bench/results
timeout 1800 python3 bench/webhooks.py | tee bench/results/webhooks.json
