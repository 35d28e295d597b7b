#!/usr/bin/env bash
# Compares CUSTREG_DB_EXECUTION=inline and =thread: GET one customer with wrk, SQLite.
# Usage: bench/concurrency_model.sh [seconds]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
dir=$(mktemp -d)
export CUSTREG_DATABASE_URL="sqlite:///$dir/bench.db" CUSTREG_ADMIN_TOKEN=bench CUSTREG_LOG_LEVEL=warning
.venv/bin/custreg demo --company bench >/dev/null 2>&1
for mode in inline thread; do
  CUSTREG_DB_EXECUTION=$mode CUSTREG_PORT=8765 .venv/bin/custreg serve >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:8765/health >/dev/null && break; sleep 0.2; done
  rps=$(wrk -t2 -c32 -d"${secs}s" -H "Authorization: Bearer bench" \
        http://127.0.0.1:8765/v1/companies/bench/customers/7 | awk '/Requests\/sec/ {print $2}')
  echo "$mode: GET /customers/7  $rps req/s (wrk -t2 -c32 -d${secs}s, 1 worker)"
  kill $pid; wait $pid 2>/dev/null || true
done
rm -rf "$dir"
