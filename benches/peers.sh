#!/usr/bin/env bash
# Side by side with the engines analysts would otherwise use, on the same texts and the
# same queries: ripgrep, SQLite FTS5, Xapian, PostgreSQL, tantivy-py and Lucene (the
# runners in ../shared/tools/peers, installed by its setup.sh), then pqsearch.
#
#   benches/peers.sh [N=50000] [RUNS=5]
#
# The texts are N synthetic questions in the page layout (seed 42, recombined from the
# real corpus), one .txt file each, which every engine reads as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000}; RUNS=${2:-5}
WORK=${WORK:-/tmp/pqpeers}
PEERS=../shared/tools/peers
QUERIES=$PEERS/queries.txt
cargo build --release --quiet
cargo bench --no-run --quiet --bench latency 2>/dev/null
PQ=$PWD/target/release/pqsearch
LATENCY=$(ls -t target/release/deps/latency-* | grep -v '\.d$' | head -1)
mkdir -p "$WORK"
[ -d "$WORK/docs" ] || "$PQ" generate --from ../shared/corpus/api --from ../shared/corpus/pages \
  -n "$N" --layout pages --out "$WORK/docs" --seed 42

bash "$PEERS/run_all.sh" "$WORK/docs" "$QUERIES" "$WORK/peers" "$RUNS" stem | tee "$WORK/peers.txt"

echo "=== pqsearch"
rm -rf "$WORK/index"
/usr/bin/time -v "$PQ" ingest "$WORK/docs" --index "$WORK/index" 2> "$WORK/pq-ingest.txt" || true
grep -E "^Ingested|Elapsed \(wall|Maximum resident" "$WORK/pq-ingest.txt"
echo "index size: $(du -sm "$WORK/index" | cut -f1) MB"
PQSEARCH_BENCH_INDEX=$WORK/index PQSEARCH_BENCH_QUERIES=$QUERIES "$LATENCY" | tee "$WORK/pq-latency.txt"

echo "=== one process per query (warm page cache)"
bash "$PEERS/cold_cli.sh" "$WORK/docs" "$WORK/peers" 10 | tee "$WORK/cold.txt"
hyperfine -N -i --warmup 3 --runs 30 --export-markdown "$WORK/pq-cli.md" \
  "$PQ --index $WORK/index search '\"online safety bill\"'" \
  "$PQ --index $WORK/index search 'child AND abuse'" >/dev/null
cat "$WORK/pq-cli.md"
