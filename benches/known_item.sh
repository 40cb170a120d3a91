#!/usr/bin/env bash
# Known-item ranking evaluation (issue 12): queries of 2-4 rare words from one answer in
# ../shared/corpus/api, run by pqsearch, SQLite FTS5 and Lucene; prints MRR@10, recall at
# 1 and 10 and the share of queries with no result for each engine.
#
#   benches/known_item.sh [N=1000] [SEED=12] [ENGINES="pqsearch fts5 lucene"]
#   PART=question benches/known_item.sh    # words from questions instead of answers
#
# N queries (fewer if two draws give the same query), drawn with SEED. Intermediate files
# go to $WORK (default /tmp/pq-known-item): records.jsonl (every record's text, exported
# by pqsearch), docs/ (one .txt a record for the peers), queries.tsv, run-ENGINE.tsv (top
# ten ids a query) and results.tsv (per query: matches, rank of the known item, top three
# ids for each engine). pqsearch's index is rebuilt every run (a few seconds); the peers'
# indexes only when the records' text changed. Needs ../shared/tools/peers/setup.sh (the
# venv and the Lucene jar; FTS5 is Python's sqlite3).
#
# To try a ranking idea against the same queries without changing pqsearch, rerun one
# engine under another name and score it beside the others, e.g. exact words only:
#   benches/known_item.py pqsearch $WORK target/release/pqsearch $WORK/index --word '"{}"' --name exact
#   benches/known_item.py score $WORK pqsearch exact fts5 lucene
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}; SEED=${2:-12}; ENGINES=${3:-"pqsearch fts5 lucene"}
WORK=${WORK:-/tmp/pq-known-item}
CORPUS=${CORPUS:-../shared/corpus/api}
export PEERS_HOME=${PEERS_HOME:-$HOME/.cache/pq-peers}
PY=$PEERS_HOME/venv/bin/python
[ -x "$PY" ] || PY=python3
if [[ " $ENGINES " == *" lucene "* ]] && [ ! -f "${LUCENE_JAR:-$PEERS_HOME/lib/lucene-9.9.1-extracted.jar}" ]; then
  echo "no Lucene jar in $PEERS_HOME/lib: run ../shared/tools/peers/setup.sh first" >&2; exit 2
fi
mkdir -p "$WORK"
start=$(date +%s)

nice cargo build --release --quiet
PQ=$PWD/target/release/pqsearch
rm -rf "$WORK/index"
nice "$PQ" ingest "$CORPUS" --index "$WORK/index" >&2
"$PQ" --index "$WORK/index" export '*' --columns id,heading,question,answer,status --format jsonl \
  --out "$WORK/records.jsonl"

nice "$PY" benches/known_item.py queries "$WORK" --n "$N" --seed "$SEED" --part "${PART:-answer}"
for e in $ENGINES; do
  case $e in
    pqsearch) nice "$PY" benches/known_item.py pqsearch "$WORK" "$PQ" "$WORK/index" ;;
    fts5|lucene) nice "$PY" benches/known_item.py "$e" "$WORK" ;;
    *) echo "unknown engine $e" >&2; exit 2 ;;
  esac
done
"$PY" benches/known_item.py score "$WORK" $ENGINES
echo "whole run: $(( $(date +%s) - start )) s"
