#!/usr/bin/env bash
# Load run of `pqsearch serve` on loopback: a 50k-question index (the real corpus's API
# files and members), 32 concurrent clients with wrk over a rotation of results pages
# (benches/serve_load.lua), then the same with each page's trend chart, then one client
# alone (the cost of a page without queueing), over the rotation and over each page.
#
#   benches/serve_load.sh                  default WORK=/tmp/serve-load, 30 s per run
#   DURATION=10s PAGE_DURATION=2s CONNECTIONS=32 benches/serve_load.sh
#
# Needs ../shared/corpus beside the repository, wrk and curl (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/serve-load}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
PAGE_DURATION=${PAGE_DURATION:-5s}
PORT=${PORT:-18090}
LUA=$PWD/benches/serve_load.lua

cargo build --release --quiet
PQ=$PWD/target/release/pqsearch
mkdir -p "$WORK"
if [ ! -d "$WORK/ix" ]; then
  "$PQ" ingest ../shared/corpus/api ../shared/corpus/members --index "$WORK/ix"
fi

"$PQ" serve --index "$WORK/ix" --addr "127.0.0.1:$PORT" 2> "$WORK/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q "serving" "$WORK/serve.log" 2>/dev/null && break
  sleep 0.1
done
url=http://127.0.0.1:$PORT

echo "== machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src templates static || echo " (with uncommitted changes)"): $($PQ info --index "$WORK/ix" 2>/dev/null | grep -m1 "^questions")"
# Each page once, with its size, and warm the caches.
grep -o '"/[^"]*"' "$LUA" | tr -d '"' | while read -r path; do
  curl -s -o /dev/null -w "%{http_code} %{size_download} B  $path\n" "$url$path"
done

# The server's CPU time (user + system, in clock ticks) so far.
ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
HZ=$(getconf CLK_TCK)
# wrk, then the server's CPU time per reply during it.
load() {
  local before out replies
  before=$(ticks)
  out=$(wrk "$@" --latency -s "$LUA" "$url")
  echo "$out"
  replies=$(echo "$out" | awk '/^replies:/ { print $2 + 0 }')
  awk -v t=$(( $(ticks) - before )) -v hz="$HZ" -v n="$replies" \
    'BEGIN { printf "server CPU: %.1f s, %.2f ms per reply\n", t / hz, 1000 * t / hz / n }'
}

echo "== $CONNECTIONS clients, results pages"
load -t2 -c"$CONNECTIONS" -d"$DURATION"
echo "== $CONNECTIONS clients, each page and its trend chart"
SERVE_LOAD_TREND=1 load -t2 -c"$CONNECTIONS" -d"$DURATION"
echo "== 1 client, results pages"
load -t1 -c1 -d"$DURATION"
echo "== 1 client, each page alone ($PAGE_DURATION): mean, p50, p99, requests/s"
grep -o '"/[^"]*"' "$LUA" | tr -d '"' | while read -r path; do
  wrk -t1 -c1 -d"$PAGE_DURATION" --latency "$url$path" | awk -v path="$path" '
    /^    Latency/ { mean = $2 } /^     50%/ { p50 = $2 } /^     99%/ { p99 = $2 }
    /^Requests\/sec/ { rps = $2 }
    END { printf "%-80s %8s %8s %8s %8s\n", path, mean, p50, p99, rps }'
done
if grep -q "internal error\|panic" "$WORK/serve.log"; then
  echo "the server logged errors:" >&2
  cat "$WORK/serve.log" >&2
  exit 1
fi
