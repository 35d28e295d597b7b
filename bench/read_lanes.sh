#!/usr/bin/env bash
# Reads inline on the loop (a source tree given as BEFORE) against reads in the reader lanes
# (this checkout's src): GET one customer and a list page with wrk, SQLite, 1 worker,
# alternating; req/s, p99, and the server's CPU per request (user + system, /proc).
# Usage: bench/read_lanes.sh BEFORE_SRC [seconds] [rounds]
#   (BEFORE_SRC: `git archive <commit> src | tar -x -C DIR` gives DIR/src; needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1
secs=${2:-8}
rounds=${3:-2}
dir=$(mktemp -d)
export CUSTREG_DATABASE_URL="sqlite:///$dir/bench.db" CUSTREG_ADMIN_TOKEN=bench CUSTREG_LOG_LEVEL=warning \
  CUSTREG_SERVE_WORKER=false CUSTREG_ACCESS_LOG=false CUSTREG_RATE_LIMIT_PER_SECOND=0
.venv/bin/custreg demo --company bench >/dev/null 2>&1
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{print ($14 + $15) * 1000 / t}' "/proc/$1/stat"; }
for label in $(for _ in $(seq "$rounds"); do echo inline lanes; done); do
  src=$PWD/src; [ "$label" = inline ] && src=$before
  PYTHONPATH=$src CUSTREG_PORT=8766 .venv/bin/python -m custreg.cli serve >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 600); do curl -sf http://127.0.0.1:8766/health >/dev/null && break; sleep 0.2; done
  for path in customers/7 'customers?$top=25'; do
    c0=$(cpu $pid)
    out=$(wrk -t2 -c32 -d"${secs}s" --latency -H "Authorization: Bearer bench" "http://127.0.0.1:8766/v1/companies/bench/$path")
    c1=$(cpu $pid)
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "$label: GET /$path  $rps req/s, p99 $p99, server CPU $(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / n}') ms/request, load $(cut -d' ' -f1 /proc/loadavg)"
  done
  kill $pid; wait $pid 2>/dev/null || true
done
rm -rf "$dir"
