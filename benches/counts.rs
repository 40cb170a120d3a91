//! Warm in-process latency, median and p99, of facets, trends, answer performance and
//! coverage over every question (`*`) and over a text query; printed as Markdown rows for
//! BENCHMARKS.md.
//!
//!     cargo bench --bench counts
//!     PQSEARCH_BENCH_INDEX=/tmp/pqscale/1000000/index cargo bench --bench counts

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use pqsearch::date::Bucket;
use pqsearch::facets::{Facet, FacetRequest, TrendRequest};
use pqsearch::search::SearchRequest;
use pqsearch::stats::{StatsBy, StatsRequest};

/// Runs per figure: enough for a p99 at 1M without hogging a shared machine.
fn runs() -> usize {
    std::env::var("PQSEARCH_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50)
}

/// Median and 99th percentile (nearest rank) of timings of `f`, after warm-up runs.
fn time(mut f: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..3 {
        f();
    }
    let n = runs();
    let mut samples: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    (samples[n / 2], samples[(n * 99).div_ceil(100) - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn main() {
    let (_tmp, engine) = common::search_index();
    println!(
        "index: {} questions, {} runs a row\n",
        engine.searcher().num_docs(),
        runs()
    );
    println!("| what | matches | median ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    let row = |what: &str, matches: u64, (med, p99): (Duration, Duration)| {
        println!("| {what} | {matches} | {} | {} |", ms(med), ms(p99));
    };
    for query in ["*", "hospital"] {
        let facets = |by: &[Facet]| FacetRequest {
            search: SearchRequest::new(query),
            by: by.to_vec(),
            top: None,
            merge_renames: false,
        };
        for by in [
            vec![Facet::Department],
            vec![Facet::Month],
            vec![Facet::AskedBy],
            vec![Facet::Party],
            vec![
                Facet::Department,
                Facet::Status,
                Facet::House,
                Facet::Year,
                Facet::Month,
            ],
        ] {
            let request = facets(&by);
            let total = engine.facets(&request).unwrap().total;
            let names: Vec<&str> = by.iter().map(|f| f.name()).collect();
            row(
                &format!("facets `{query}` --by {}", names.join(",")),
                total,
                time(|| {
                    black_box(engine.facets(&request).unwrap());
                }),
            );
        }
        for split in [None, Some(Facet::Department)] {
            let request = TrendRequest {
                search: SearchRequest::new(query),
                bucket: Bucket::Month,
                split,
                merge_renames: false,
            };
            let total = engine.trend(&request).unwrap().total;
            let what = match split {
                None => format!("trend `{query}` --by month"),
                Some(_) => format!("trend `{query}` --by month --split department"),
            };
            row(
                &what,
                total,
                time(|| {
                    black_box(engine.trend(&request).unwrap());
                }),
            );
        }
        for by in [
            None,
            Some(StatsBy::Department),
            Some(StatsBy::Month),
            Some(StatsBy::AnsweredBy),
        ] {
            let request = StatsRequest {
                search: SearchRequest::new(query),
                by,
                merge_renames: false,
            };
            let total = engine.stats(&request).unwrap().all.questions;
            let what = match by {
                None => format!("stats `{query}`"),
                Some(b) => format!("stats `{query}` --by {}", b.name()),
            };
            row(
                &what,
                total,
                time(|| {
                    black_box(engine.stats(&request).unwrap());
                }),
            );
        }
    }
    let total = engine.coverage().unwrap().questions;
    row(
        "info (coverage)",
        total,
        time(|| {
            black_box(engine.coverage().unwrap());
        }),
    );
    let started = Instant::now();
    let total = engine.count(&SearchRequest::new("*")).unwrap() as u64;
    row(
        "(for scale: count `*`, one run)",
        total,
        (started.elapsed(), started.elapsed()),
    );
}
