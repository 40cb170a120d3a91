//! Warm in-process latency, median and p99, for the queries of the other benchmarks, plus
//! export throughput; printed as Markdown rows for BENCHMARKS.md. criterion gives means and
//! confidence intervals; tails need every sample, so this keeps them.
//!
//!     cargo bench --bench latency
//!     PQSEARCH_BENCH_INDEX=/tmp/scale-1m/index cargo bench --bench latency

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use pqsearch::export;
use pqsearch::search::{self, SearchRequest, Sort};

const RUNS: usize = 300;

/// Median and 99th percentile of `RUNS` timings of `f`, after a few warm-up runs.
fn time(mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..10 {
        f();
    }
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    (samples[RUNS / 2], samples[RUNS * 99 / 100])
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn main() {
    // `cargo bench` passes --bench; anything else (a filter) is ignored here.
    let (_tmp, mut engine) = common::search_index();
    // $PQSEARCH_BENCH_THREADS: threads a search uses (default: as pqsearch does).
    if let Some(n) = std::env::var("PQSEARCH_BENCH_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        engine = pqsearch::engine::Engine::with_search_threads(engine.index().clone(), n).unwrap();
        println!("search threads: {n}");
    }
    let index = engine.index();
    let searcher = engine.searcher();
    println!("index: {} questions\n", searcher.num_docs());
    println!(
        "| query | hits | top-10 + snippets median ms | p99 ms | count only median ms | p99 ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    // $PQSEARCH_BENCH_QUERIES: a file of queries, one a line, as the peer runners read them.
    let queries: Vec<(String, String)> = match std::env::var_os("PQSEARCH_BENCH_QUERIES") {
        Some(path) => std::fs::read_to_string(path)
            .expect("PQSEARCH_BENCH_QUERIES is readable")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|q| (String::new(), q.to_string()))
            .collect(),
        None => common::QUERIES
            .iter()
            .map(|(l, q)| (l.to_string(), q.to_string()))
            .collect(),
    };
    let (mut sum_top, mut sum_count, mut sum_hits) = (0.0, 0.0, 0);
    for (label, query) in &queries {
        let query = query.as_str();
        let request = SearchRequest::new(query);
        let total = search::search_in(index, &searcher, &request).unwrap().total;
        let (med, p99) = time(|| {
            black_box(search::search_in(index, &searcher, &request).unwrap());
        });
        let prepared = engine.prepare(&searcher, &request).unwrap();
        let (cmed, cp99) = time(|| {
            black_box(prepared.top(&searcher, Sort::Relevance, 0, 0).unwrap());
        });
        println!(
            "| {label} `{query}` | {total} | {} | {} | {} | {} |",
            ms(med),
            ms(p99),
            ms(cmed),
            ms(cp99)
        );
        sum_top += med.as_secs_f64() * 1e3;
        sum_count += cmed.as_secs_f64() * 1e3;
        sum_hits += total;
    }
    println!("| TOTAL | {sum_hits} | {sum_top:.2} | | {sum_count:.2} | |");
    let mut newest = SearchRequest::new("hospital");
    newest.sort = Sort::Newest;
    let (med, p99) = time(|| {
        black_box(search::search_in(index, &searcher, &newest).unwrap());
    });
    println!(
        "| date-sorted `hospital --sort newest` | | {} | {} | | |",
        ms(med),
        ms(p99)
    );

    let id = common::some_id(&engine);
    let (med, p99) = time(|| {
        black_box(index.get(&searcher, &id).unwrap());
    });
    println!(
        "\nshow one record: median {} ms, p99 {} ms",
        ms(med),
        ms(p99)
    );

    let opts = common::csv_options();
    for query in ["\"mental health\"", "*"] {
        let request = SearchRequest::new(query);
        let started = Instant::now();
        let report = export::export(
            &engine,
            std::slice::from_ref(&request),
            std::io::sink(),
            &opts,
            &export::NoProgress,
        )
        .unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "export `{query}` to CSV: {} rows in {:.3} s = {:.0} rows/s",
            report.rows(),
            secs,
            report.rows() as f64 / secs
        );
    }
}
