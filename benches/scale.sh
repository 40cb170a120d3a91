#!/usr/bin/env bash
# Scaling run: generate N synthetic questions (API JSON, seed 42) from the real corpus,
# ingest them, and measure ingest time, peak memory, index size, warm query latency
# (median and p99), export rows/s, one-process-per-query wall time, and the counting
# commands (facets, trend, stats, info; benches/counts.rs).
#
#   benches/scale.sh [N...]            default: 10000 100000 1000000
#   WORK=/tmp/pqscale benches/scale.sh 100000
#
# Needs ../shared/corpus beside the repository, GNU time (/usr/bin/time) and, for the
# per-process timing, hyperfine (both Debian packages). Writes WORK/N/{src,index,*.txt}.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/pqscale}
SIZES=${*:-10000 100000 1000000}
cargo build --release --quiet
cargo bench --no-run --quiet --bench latency --bench counts 2>/dev/null
PQ=$PWD/target/release/pqsearch
LATENCY=$(ls -t target/release/deps/latency-* | grep -v '\.d$' | head -1)
COUNTS=$(ls -t target/release/deps/counts-* | grep -v '\.d$' | head -1)

for n in $SIZES; do
  dir=$WORK/$n
  rm -rf "$dir" && mkdir -p "$dir"
  echo "== $n questions"
  "$PQ" generate --from ../shared/corpus/api --from ../shared/corpus/pages -n "$n" \
    --layout api --out "$dir/src" --seed 42 2>&1 | tee "$dir/generate.txt"
  sync
  /usr/bin/time -v "$PQ" ingest "$dir/src" --index "$dir/index" 2> "$dir/ingest.txt" || true
  grep -E "^Ingested|Elapsed \(wall|Maximum resident" "$dir/ingest.txt"
  echo "index size: $(du -sm "$dir/index" | cut -f1) MB, source: $(du -sm "$dir/src" | cut -f1) MB"
  PQSEARCH_BENCH_INDEX=$dir/index "$LATENCY" | tee "$dir/latency.txt"
  PQSEARCH_BENCH_RUNS=20 PQSEARCH_BENCH_INDEX=$dir/index "$COUNTS" | tee "$dir/counts.txt"
  if command -v hyperfine >/dev/null; then
    hyperfine -N -i --warmup 3 --runs 30 --export-markdown "$dir/cli.md" \
      "$PQ --index $dir/index search hospital" \
      "$PQ --index $dir/index search '\"mental health\"' --department DHSC" >/dev/null
    cat "$dir/cli.md"
  fi
done
