#!/usr/bin/env python3
"""Known-item ranking evaluation: pqsearch, SQLite FTS5 and Lucene on the same queries.

Driven by benches/known_item.sh, which builds pqsearch, ingests ../shared/corpus/api and
exports every record's text; this script does the rest in a work folder WORK:

  known_item.py queries WORK [--n 1000] [--seed 12] [--part answer|question]
                                                       records.jsonl -> docs/, queries.tsv
  known_item.py pqsearch WORK PQSEARCH_BINARY INDEX [--word '"{}"' --name NAME]
                                                       -> run-pqsearch.tsv (run-NAME.tsv)
  known_item.py fts5 WORK                              -> run-fts5.tsv (index rebuilt when docs change)
  known_item.py lucene WORK                            -> run-lucene.tsv (index rebuilt when docs change)
  known_item.py score WORK [ENGINE ...]                the table; per-query results in results.tsv

A query is 2-4 rare words of one whole answer; the known item is that answer's record, or
any record with the identical answer (grouped questions share one). The score is MRR@10.
The rules are in cmd_queries and the constants above it. The same corpus, seed and engine
builds give the same figures on every run (ties are broken by id, see top_ten).
"""
import argparse, collections, csv, hashlib, json, os, random, re, shutil, sqlite3, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.normpath(os.environ.get("PEERS", os.path.join(HERE, "..", "..", "shared", "tools", "peers")))
PEERS_HOME = os.environ.get("PEERS_HOME", os.path.expanduser("~/.cache/pq-peers"))
sys.path.insert(0, PEERS)

csv.field_size_limit(1 << 30)

# ------------------------------------------------------------------ query selection rule
MIN_LEN = 4          # shorter words are mostly function words, abbreviations, or fragments
MAX_DF = 500         # "rare": in at most ~1 % of the 49,565 records
WORDS = (2, 3, 4)    # words per query, chosen uniformly
MIN_CANDIDATES = 4   # an answer needs at least this many distinct rare words to be sampled
# A character that some engine's tokenizer keeps inside a word (Lucene's UAX#29 tokenizer
# joins "gov.uk", "o'neill", "a_b" and "note:this"; pqsearch and FTS5 split them). A word
# touching one of these, with a letter or digit beyond it, may be a different token in
# different engines, so it is never chosen.
JOINERS = set(".:'’‘_")
WORD_RE = re.compile(r"\w+")


def words(text):
    """Lower-case alphanumeric runs, split like tantivy's SimpleTokenizer (which splits on
    every character that is not alphanumeric, '_' included)."""
    out = []
    for m in WORD_RE.finditer(text.lower()):
        out.extend(w for w in m.group().split("_") if w)
    return out


def clean_words(text):
    """The words of text that every engine tokenizes alike: ASCII letters only, at least
    MIN_LEN long, and not glued to another word by a joiner character. Words of web and
    e-mail addresses and paths ("searchresults", "assets") are left out too: nobody
    remembers an answer by them."""
    out = []
    n = len(text)
    for m in WORD_RE.finditer(text):
        w = m.group()
        if len(w) < MIN_LEN or not w.isascii() or not w.isalpha():
            continue
        s, e = m.start(), m.end()
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < n and not text[e].isspace():
            e += 1
        if any(c in text[s:e] for c in "/@") or "www." in text[s:e].lower():
            continue
        s, e = m.start(), m.end()
        if s >= 2 and text[s - 1] in JOINERS and text[s - 2].isalnum():
            continue
        if e + 1 < n and text[e] in JOINERS and text[e + 1].isalnum():
            continue
        out.append(w.lower())
    return out


def normal(text):
    return " ".join(text.split())


def read_records(work):
    """Every record, in id order (an export of '*' comes in index order, which depends on
    how ingest's threads interleaved)."""
    with open(os.path.join(work, "records.jsonl"), encoding="utf-8") as f:
        return sorted((json.loads(l) for l in f if l.strip()), key=lambda r: r["id"])


def doc_text(r):
    """What the peers index: heading, question and answer, the texts pqsearch searches."""
    return "\n\n".join(t for t in (r.get("heading") or "", r.get("question") or "", r.get("answer") or "") if t) + "\n"


def is_whole_answer(r):
    a = r.get("answer") or ""
    return r.get("status") == "answered" and a.strip() != "" and not a.rstrip().endswith("...")


def cmd_queries(a):
    t0 = time.perf_counter()
    recs = read_records(a.work)
    ids = [r["id"] for r in recs]
    bad = [i for i in ids if not re.fullmatch(r"\d{4}-\d{2}-\d{2}/[0-9A-Za-z]+", i)]
    if bad:
        sys.exit(f"records without a <date>/<uin> id, which the peers' file names need: {bad[:5]}")
    write_docs(a.work, recs)

    # Document frequency of each word over whole records (heading, question, answer).
    df = collections.Counter()
    for r in recs:
        df.update(set(words(doc_text(r))))

    # Records with an identical answer (whitespace collapsed) form one group: a query made
    # from that answer matches all of them equally well, so any of them is the known item.
    # With --part question the words come from questions instead (to check that tuning for
    # answer words does not cost queries remembered from the question).
    groups = collections.defaultdict(list)
    for r in recs:
        if a.part == "answer" and is_whole_answer(r):
            groups[normal(r["answer"])].append(r["id"])
        elif a.part == "question" and (r.get("question") or "").strip():
            groups[normal(r["question"])].append(r["id"])

    eligible = []  # (first id, group ids, candidate words in order of first appearance)
    for ans, gids in groups.items():
        gids = sorted(gids)
        seen, cands = set(), []
        for w in clean_words(ans):
            if w in seen:
                continue
            seen.add(w)
            # len(gids) < df: the word is also in some record outside the group, so it is
            # a real word somebody else used, not a typo, a glued word or a reference number
            # that makes the query trivially unique.
            if len(gids) < df[w] <= MAX_DF:
                cands.append(w)
        if len(cands) >= MIN_CANDIDATES:
            eligible.append((gids[0], gids, cands))
    eligible.sort()
    rng = random.Random(a.seed)
    chosen = rng.sample(eligible, min(a.n, len(eligible)))
    chosen.sort()
    out, seenq = [], set()
    for first, gids, cands in chosen:
        k = rng.choice(WORDS)
        pick = set(rng.sample(cands, min(k, len(cands))))
        q = " ".join(w for w in cands if w in pick)  # in the answer's order
        if q in seenq:
            continue
        seenq.add(q)
        out.append((f"q{len(out) + 1:04d}", q, gids))
    # How many records hold every word of a query as it is (no stemming): a measure of how
    # hard the query is that does not depend on any engine, to split the results by.
    qwords = {w for _, q, _ in out for w in q.split()}
    post = collections.defaultdict(set)
    for r in recs:
        for w in qwords.intersection(words(doc_text(r))):
            post[w].add(r["id"])
    with open(os.path.join(a.work, "queries.tsv"), "w", encoding="utf-8") as f:
        f.write("qid\tquery\tknown_ids\tverbatim_matches\n")
        for qid, q, gids in out:
            n = len(set.intersection(*(post[w] for w in q.split())))
            f.write(f"{qid}\t{q}\t{' '.join(gids)}\t{n}\n")
    with open(os.path.join(a.work, "queries.txt"), "w", encoding="utf-8") as f:
        for _, q, _ in out:
            f.write(q + "\n")
    multi = sum(1 for _, _, g in out if len(g) > 1)
    print(f"queries: {len(out)} from {len(eligible)} eligible {a.part}s "
          f"({len(groups)} distinct whole {a.part}s in {len(recs)} records); "
          f"{multi} known items are groups of identical answers; seed {a.seed}; "
          f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)


def write_docs(work, recs):
    """One .txt file a record, named <date>/<uin>.txt so that a peer's id is pqsearch's
    id. Only files whose text changed are written (a stamp holds the hash of them all, and
    tells the peers when to rebuild their indexes)."""
    h = hashlib.sha256()
    for r in recs:
        h.update(r["id"].encode() + b"\0" + doc_text(r).encode() + b"\0")
    stamp = h.hexdigest()
    docs = os.path.join(work, "docs")
    sp = os.path.join(work, "docs.stamp")
    if os.path.exists(sp) and open(sp).read() == stamp and os.path.isdir(docs):
        return
    keep = set()
    for r in recs:
        p = os.path.join(docs, r["id"] + ".txt")
        keep.add(p)
        text = doc_text(r)
        try:
            with open(p, encoding="utf-8") as f:
                if f.read() == text:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    for root, _, files in os.walk(docs):
        for fn in files:
            if os.path.join(root, fn) not in keep:
                os.remove(os.path.join(root, fn))
    with open(sp, "w") as f:
        f.write(stamp)


def read_queries(work, verbatim=False):
    """(qid, query, known ids) for each query, and the verbatim match count if asked."""
    with open(os.path.join(work, "queries.tsv"), encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [(qid, q, gids.split()) + ((int(n),) if verbatim else ()) for qid, q, gids, n in rows]


TIE = 1e-5  # relative: scores closer than this are a tie


def top_ten(scored):
    """The ids of the best ten of (id, score) pairs; tied scores in id order.
    Engines break ties by their internal document order, which for pqsearch depends on how
    ingest's threads interleaved, and pqsearch's scores of identical texts can differ in the
    last bit from one ingest to the next; without this a rerun could move a known item."""
    s = sorted(scored, key=lambda p: -p[1])
    out, i = [], 0
    while i < len(s) and len(out) < 10:
        j = i
        while j < len(s) and s[i][1] - s[j][1] <= TIE * abs(s[i][1]):
            j += 1
        out.extend(sorted(rid for rid, _ in s[i:j]))
        i = j
    return out[:10]


def write_run(work, engine, results):
    """results: {qid: (total, [ids...])}"""
    with open(os.path.join(work, f"run-{engine}.tsv"), "w", encoding="utf-8") as f:
        for qid in sorted(results):
            total, top = results[qid]
            f.write(f"{qid}\t{total}\t{' '.join(top[:10])}\n")


def peer_index_fresh(work, name):
    """True when the peer's index was built from the current docs/."""
    sp = os.path.join(work, name + ".stamp")
    return os.path.exists(sp) and open(sp).read() == open(os.path.join(work, "docs.stamp")).read()


def mark_built(work, name):
    shutil.copyfile(os.path.join(work, "docs.stamp"), os.path.join(work, name + ".stamp"))


# ------------------------------------------------------------------ engines
def cmd_pqsearch(a):
    """One `pqsearch export --queries` process: every match of every query with its score
    (the relevance order `search` shows), of which the best ten are kept.

    --word rewrites each word of a query to try a variant without changing pqsearch, e.g.
    '"{}"' (exact words, no stemming) or 'answer:{}' (the answer only); --name saves the
    run under another engine name for `score`."""
    qs = read_queries(a.work)
    rewrite = lambda q: " ".join(a.word.format(w) for w in q.split())
    by_text = {rewrite(q): qid for qid, q, _ in qs}
    scored = {qid: [] for qid, _, _ in qs}
    qfile = os.path.join(a.work, f"queries-{a.name}.txt")
    with open(qfile, "w", encoding="utf-8") as f:
        f.writelines(rewrite(q) + "\n" for _, q, _ in qs)
    t0 = time.perf_counter()
    p = subprocess.Popen([a.binary, "--index", a.index, "export", "--queries", qfile,
                          "--columns", "query,id,score", "--format", "csv"],
                         stdout=subprocess.PIPE, text=True, encoding="utf-8")
    rd = csv.reader(p.stdout)
    next(rd)
    for q, rid, score in rd:
        scored[by_text[q]].append((rid, float(score)))
    if p.wait() not in (0, 1):
        sys.exit(f"pqsearch export failed with status {p.returncode}")
    res = {qid: (len(s), top_ten(s)) for qid, s in scored.items()}
    write_run(a.work, a.name, res)
    print(f"{a.name}: {len(qs)} queries in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def cmd_fts5(a):
    """FTS5 through the peer runner: its `build` makes the index, and the queries use its
    own rendering and ranking (bm25(), which ORDER BY rank sorts on), keeping the best ten."""
    import peer_fts5, peerlib
    db = os.path.join(a.work, "fts5.sqlite")
    if not peer_index_fresh(a.work, "fts5"):
        run_py(["peer_fts5.py", "build", os.path.join(a.work, "docs"), db, "--analyzer", "stem"])
        mark_built(a.work, "fts5")
    con = sqlite3.connect(db)
    res = {}
    t0 = time.perf_counter()
    for qid, q, _ in read_queries(a.work):
        native = peer_fts5.render(peerlib.parse_query(q, "and"))
        # bm25() is negative, lower is better: negate it to score like the others.
        scored = [(i, -s) for i, s in con.execute("SELECT id, bm25(docs) FROM docs WHERE docs MATCH ?", (native,))]
        res[qid] = (len(scored), top_ten(scored))
    write_run(a.work, "fts5", res)
    print(f"fts5: {len(res)} queries in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def cmd_lucene(a):
    """Lucene through the peer runner: its `build` (one thread, so documents keep file order
    and ties break the same way every time) and its query rendering; LuceneTopTen.java
    runs every query in one JVM with the runner's analyzer and parser settings."""
    import peer_lucene, peerlib
    idx = os.path.join(a.work, "lucene.idx")
    if not peer_index_fresh(a.work, "lucene"):
        run_py(["peer_lucene.py", "build", os.path.join(a.work, "docs"), idx, "--analyzer", "stem", "--threads", "1"])
        mark_built(a.work, "lucene")
    peer_lucene.ensure_compiled()
    cls = os.path.join(a.work, "java")
    os.makedirs(cls, exist_ok=True)
    cp = peer_lucene.JAR + os.pathsep + peer_lucene.CLS
    src = os.path.join(HERE, "known_item", "LuceneTopTen.java")
    subprocess.run(["javac", "-cp", cp, "-d", cls, src], check=True)
    tsv = os.path.join(a.work, "lucene-queries.tsv")
    with open(tsv, "w", encoding="utf-8") as f:
        for qid, q, _ in read_queries(a.work):
            f.write(f"{qid}\t{peer_lucene.render(peerlib.parse_query(q, 'and'))}\n")
    out = os.path.join(a.work, "lucene-out.tsv")
    t0 = time.perf_counter()
    subprocess.run(["java", "-Xmx2g", "-cp", cp + os.pathsep + cls, "LuceneTopTen", idx, tsv, out], check=True)
    res = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            qid, total, hits = line.rstrip("\n").split("\t")
            h = hits.split()
            res[qid] = (int(total), top_ten([(h[k], float(h[k + 1])) for k in range(0, len(h), 2)]))
    write_run(a.work, "lucene", res)
    print(f"lucene: {len(res)} queries in {time.perf_counter() - t0:.1f} s (JVM start included)", file=sys.stderr)


def run_py(args):
    py = os.path.join(PEERS_HOME, "venv", "bin", "python")
    if not os.path.exists(py):
        py = sys.executable
    subprocess.run([py, os.path.join(PEERS, args[0])] + args[1:], check=True, stdout=sys.stderr)


# ------------------------------------------------------------------ scoring
def read_run(work, engine):
    res = {}
    with open(os.path.join(work, f"run-{engine}.tsv"), encoding="utf-8") as f:
        for line in f:
            qid, total, ids = line.rstrip("\n").split("\t")
            res[qid] = (int(total), ids.split())
    return res


def first_rank(top, known):
    for i, rid in enumerate(top[:10], 1):
        if rid in known:
            return i
    return None


def cmd_score(a):
    qs = read_queries(a.work, verbatim=True)
    engines = a.engines or ["pqsearch", "fts5", "lucene"]
    runs = {e: read_run(a.work, e) for e in engines}
    rows = [(qid, q, gids, n, {e: runs[e].get(qid, (0, [])) for e in engines}) for qid, q, gids, n in qs]

    def table(title, subset):
        """MRR@10 with a 95 % interval (normal approximation), recall at 1 and 10, empty
        results, and per query how often the engine ranks the known item above (+) or
        below (-) the first engine named, which is what a tuning change should be read by."""
        base = engines[0]
        print(f"\n{title} ({len(subset)} queries)")
        print(f"| engine | MRR@10 | R@1 | R@10 | no results | +/- against {base} |")
        print("|---|---:|---:|---:|---:|---:|")
        for e in engines:
            rrs, r1, r10, empty, better, worse = [], 0, 0, 0, 0, 0
            for _, _, gids, _, res in subset:
                total, top = res[e]
                k = first_rank(top, set(gids)) or 11
                kb = first_rank(res[base][1], set(gids)) or 11
                rrs.append(1 / k if k <= 10 else 0.0)
                r1 += k == 1
                r10 += k <= 10
                empty += total == 0
                better += k < kb
                worse += k > kb
            n = len(subset) or 1
            mrr = sum(rrs) / n
            half = 1.96 * statistics.pstdev(rrs) / n ** 0.5 if len(rrs) > 1 else 0.0
            print(f"| {e} | {mrr:.3f} ± {half:.3f} | {r1 / n:.3f} | {r10 / n:.3f} | {100 * empty / n:.1f} % "
                  f"| {'' if e == base else f'+{better} -{worse}'} |")

    table("All queries", rows)
    # Where ranking matters even without stemming: other records hold all the words too.
    table("Queries whose words are all, verbatim, in some other record", [r for r in rows if r[3] > len(r[2])])
    table("Queries whose words are all, verbatim, in more than ten records", [r for r in rows if r[3] > 10])
    counts = [r[3] for r in rows]
    print(f"\nrecords holding every word of a query verbatim: 1 (or only the known item's group) "
          f"{sum(r[3] <= len(r[2]) for r in rows)}, 2-10 {sum(len(r[2]) < c <= 10 for r, c in zip(rows, counts))}, "
          f"11-100 {sum(10 < c <= 100 for c in counts)}, over 100 {sum(c > 100 for c in counts)}")

    with open(os.path.join(a.work, "results.tsv"), "w", encoding="utf-8") as f:
        f.write("qid\tquery\tknown_ids\tverbatim_matches\t"
                + "\t".join(f"{e}_total\t{e}_rank\t{e}_top3" for e in engines) + "\n")
        for qid, q, gids, n, res in rows:
            cells = []
            for e in engines:
                total, top = res[e]
                k = first_rank(top, set(gids))
                cells += [str(total), str(k or "-"), " ".join(top[:3])]
            f.write(f"{qid}\t{q}\t{' '.join(gids)}\t{n}\t" + "\t".join(cells) + "\n")
    print(f"per-query results: {os.path.join(a.work, 'results.tsv')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("queries")
    p.add_argument("work")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--part", choices=["answer", "question"], default="answer",
                   help="draw the words from answers (default) or from questions")
    p = sub.add_parser("pqsearch")
    p.add_argument("work")
    p.add_argument("binary")
    p.add_argument("index")
    p.add_argument("--word", default="{}", help="rewrite each query word, {} standing for it")
    p.add_argument("--name", default="pqsearch", help="engine name of the run (default pqsearch)")
    for name in ("fts5", "lucene"):
        sub.add_parser(name).add_argument("work")
    p = sub.add_parser("score")
    p.add_argument("work")
    p.add_argument("engines", nargs="*")
    a = ap.parse_args()
    {"queries": cmd_queries, "pqsearch": cmd_pqsearch, "fts5": cmd_fts5,
     "lucene": cmd_lucene, "score": cmd_score}[a.cmd](a)


if __name__ == "__main__":
    main()
