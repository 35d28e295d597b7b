#!/usr/bin/env bash
# Compares CUSTREG_DB_EXECUTION=auto (reads inline) and =thread (reads in the threadpool):
# GET one customer with wrk, SQLite, the two modes alternating.
# Usage: bench/concurrency_model.sh [seconds] [rounds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-1}
dir=$(mktemp -d)
export CUSTREG_DATABASE_URL="sqlite:///$dir/bench.db" CUSTREG_ADMIN_TOKEN=bench CUSTREG_LOG_LEVEL=warning
.venv/bin/custreg demo --company bench >/dev/null 2>&1
for mode in $(for _ in $(seq "$rounds"); do echo auto thread; done); do
  CUSTREG_DB_EXECUTION=$mode CUSTREG_PORT=8765 .venv/bin/custreg serve >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:8765/health >/dev/null && break; sleep 0.2; done
  out=$(wrk -t2 -c32 -d"${secs}s" --latency -H "Authorization: Bearer bench" \
        http://127.0.0.1:8765/v1/companies/bench/customers/7)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$mode: GET /customers/7  $rps req/s, p99 $p99 (wrk -t2 -c32 -d${secs}s, 1 worker)"
  kill $pid; wait $pid 2>/dev/null || true
done
rm -rf "$dir"
