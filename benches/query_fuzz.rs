//! The query fuzz with bounded length: thousands of random queries, biased towards the
//! costliest forms the language allows (the commonest words, short wildcards, long phrases
//! of common words, wide NEARs, many ORs), each run as `pqsearch search` runs it (parse,
//! expand, count, top 10 with snippets). Prints the slowest queries and the worst time.
//!
//! The tests never time anything; they check the bounds themselves (query length, words,
//! expansions). This measures what those bounds cost at worst.
//!
//!     cargo bench --bench query_fuzz                       # the real corpus (49,565)
//!     PQSEARCH_BENCH_INDEX=/tmp/pqscale/1000000/index PQSEARCH_FUZZ_N=300 cargo bench --bench query_fuzz

mod common;

use std::time::{Duration, Instant};

use pqsearch::query::{MAX_NEAR_WORDS, MAX_WORDS};
use pqsearch::search::{self, SearchRequest};
use pqsearch::words::Stem;

/// A small deterministic generator (xorshift64*), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[self.below(items.len())]
    }
}

/// Builds random queries of at most `MAX_WORDS` words.
struct Gen<'a> {
    rng: Rng,
    common: &'a [String],
    any: &'a [String],
    words: usize,
}

impl Gen<'_> {
    fn word(&mut self) -> String {
        self.words += 1;
        if self.rng.below(3) == 0 {
            self.rng.pick(self.any).to_string()
        } else {
            self.rng.pick(self.common).to_string()
        }
    }

    fn leaf(&mut self) -> String {
        match self.rng.below(10) {
            0 | 1 => {
                let mut w = self.word();
                while w.chars().count() < 3 {
                    w = self.rng.pick(self.common).to_string();
                }
                let cut = w.char_indices().nth(3).map_or(w.len(), |(i, _)| i);
                format!("{}*", &w[..cut])
            }
            2 | 3 => {
                let n = 2 + self.rng.below(6);
                let words: Vec<String> = (0..n).map(|_| self.word()).collect();
                format!("\"{}\"", words.join(" "))
            }
            4 => {
                let n = 2 + self.rng.below(3);
                let words: Vec<String> = (0..n).map(|_| self.word()).collect();
                format!("\"{}\"~{}", words.join(" "), self.rng.below(51))
            }
            5 => {
                let n = 2 + self.rng.below(MAX_NEAR_WORDS - 1);
                let words: Vec<String> = (0..n).map(|_| self.word()).collect();
                format!("NEAR({}, {})", words.join(" "), self.rng.below(51))
            }
            6 => {
                let prefix =
                    ["heading", "question", "answer", "dept", "by", "member"][self.rng.below(6)];
                format!("{prefix}:{}", self.word())
            }
            _ => self.word(),
        }
    }

    fn expr(&mut self, depth: usize) -> String {
        if depth == 0 || self.words + 8 > MAX_WORDS || self.rng.below(3) == 0 {
            return self.leaf();
        }
        let n = 2 + self.rng.below(6);
        let op = [" ", " OR ", " AND "][self.rng.below(3)];
        let mut parts = Vec::new();
        for i in 0..n {
            if self.words + 8 > MAX_WORDS {
                break;
            }
            let part = self.expr(depth - 1);
            if i > 0 && op != " OR " && self.rng.below(5) == 0 {
                parts.push(format!("-{part}"));
            } else {
                parts.push(part);
            }
        }
        format!("({})", parts.join(op))
    }

    fn query(&mut self) -> String {
        self.words = 0;
        self.expr(3)
    }
}

fn main() {
    let (_tmp, engine) = common::search_index();
    let index = engine.index();
    let searcher = engine.searcher();
    let docs = searcher.num_docs();
    // The vocabulary: the question field's words, the commonest first.
    let field = index.fields.question;
    let mut vocab: Vec<(u64, String)> = Vec::new();
    for reader in searcher.segment_readers() {
        let inverted = reader.inverted_index(field).unwrap();
        let mut terms = inverted.terms().stream().unwrap();
        while terms.advance() {
            let word = String::from_utf8_lossy(terms.key()).into_owned();
            vocab.push((u64::from(terms.value().doc_freq), word));
        }
    }
    vocab.sort_by(|a, b| a.1.cmp(&b.1));
    vocab.dedup_by(|a, b| {
        if a.1 == b.1 {
            b.0 += a.0;
            true
        } else {
            false
        }
    });
    vocab.sort_by_key(|v| std::cmp::Reverse(v.0));
    let common: Vec<String> = vocab
        .iter()
        .take(200)
        .map(|(_, w)| w.clone())
        .filter(|w| w.chars().count() >= 3 || w.chars().all(char::is_alphabetic))
        .collect();
    let any: Vec<String> = vocab
        .iter()
        .filter(|(df, w)| *df >= 5 && w.chars().all(char::is_alphabetic))
        .map(|(_, w)| w.clone())
        .collect();
    let n: usize = std::env::var("PQSEARCH_FUZZ_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);

    // The hand-made worst cases first, then the random ones.
    let the64 = vec!["the"; MAX_WORDS].join(" ");
    let common64 = common[..MAX_WORDS.min(common.len())].join(" ");
    let or64 = common[..MAX_WORDS.min(common.len())].join(" OR ");
    let phrase64 = format!("\"{}\"", vec!["the"; MAX_WORDS].join(" "));
    let near8 = format!("NEAR({}, 50)", common[..8].join(" "));
    let mut queries: Vec<String> = vec![
        the64,
        common64,
        or64,
        phrase64,
        near8,
        "con*".into(),
        "pro* OR com* OR con* OR dep*".into(),
        "\"the sec* of sta*\"".into(),
        "\"Secretary of State\"".into(),
        "*".into(),
        "the".into(),
    ];
    let mut gen = Gen {
        rng: Rng(0x9E37_79B9_7F4A_7C15),
        common: &common,
        any: &any,
        words: 0,
    };
    queries.extend((0..n).map(|_| gen.query()));

    println!(
        "index: {docs} questions; {} queries ({} hand-made), at most {MAX_WORDS} words",
        queries.len(),
        queries.len() - n
    );
    let mut times: Vec<(Duration, String, String)> = Vec::new();
    let (mut refused, mut ran) = (0, 0);
    for q in &queries {
        for stem in [Stem::Light, Stem::Full] {
            let mut request = SearchRequest::new(q.clone());
            request.stem = stem;
            let started = Instant::now();
            let outcome = search::search_in(index, &searcher, &request);
            let took = started.elapsed();
            let what = match outcome {
                Ok(r) => {
                    ran += 1;
                    format!("{} matches", r.total)
                }
                Err(e) => {
                    refused += 1;
                    format!("refused: {}", pqsearch::error_chain(&e))
                }
            };
            times.push((took, format!("{q} [--stem {}]", stem.as_str()), what));
        }
    }
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, _, what) in &times {
        if let Some(r) = what.strip_prefix("refused: ") {
            // The kind of refusal, without the query's own words.
            let message = r.rsplit("column ").next().unwrap_or(r);
            let message = message.split_once(": ").map_or(message, |(_, m)| m);
            let kind: String = message
                .split('"')
                .filter(|p| p.len() > 12)
                .take(1)
                .collect::<String>()
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .take(60)
                .collect();
            *reasons.entry(kind).or_default() += 1;
        }
    }
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut all: Vec<f64> = times.iter().map(|t| ms(t.0)).collect();
    all.sort_by(f64::total_cmp);
    println!(
        "{ran} ran, {refused} refused; median {:.2} ms, p99 {:.2} ms, worst {:.1} ms\n",
        all[all.len() / 2],
        all[all.len() * 99 / 100],
        all[all.len() - 1]
    );
    for (kind, n) in &reasons {
        println!("refused {n}: …{kind}…");
    }
    println!();
    println!("| ms | query | outcome |\n|---:|---|---|");
    for (took, q, what) in times.iter().take(15) {
        let shown: String = q.chars().take(110).collect();
        let more = if q.chars().count() > 110 { "…" } else { "" };
        println!("| {:.1} | `{shown}{more}` | {what} |", ms(*took));
    }
}
