//! criterion benchmarks of each stage on the real corpus in ../shared/corpus:
//! parsing (MB/s), ingest into a fresh index, search (several query shapes, filters, date
//! order, count only), show, and export (rows/s).
//!
//!     cargo bench --bench pqsearch
//!     PQSEARCH_BENCH_INDEX=/tmp/scale-1m/index cargo bench --bench pqsearch -- search

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pqsearch::export;
use pqsearch::ingest::{self, IngestOptions, NoProgress};
use pqsearch::search::{self, Filters, SearchRequest, Sort};

fn read_all(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    pqsearch::walk::walk(&[dir.to_path_buf()])
        .files
        .into_iter()
        .map(|f| (f.display().to_string(), std::fs::read(&f).unwrap()))
        .collect()
}

fn bench_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (label, dir) in [("pages", "pages"), ("api json", "api")] {
        let files = read_all(&common::corpus().join(dir));
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.sample_size(10);
        group.bench_function(label, |b| {
            b.iter(|| {
                for (name, data) in &files {
                    black_box(pqsearch::parse::parse_bytes(data, name).unwrap());
                }
            })
        });
    }
    group.finish();
}

fn bench_ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    let pages = common::corpus().join("pages");
    let bytes: u64 = read_all(&pages).iter().map(|(_, b)| b.len() as u64).sum();
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("pages into a fresh index", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |tmp| {
                let opts = IngestOptions::new(vec![pages.clone()], tmp.path().join("ix"));
                black_box(ingest::ingest(&opts, &NoProgress).unwrap());
            },
        )
    });
    group.finish();
}

fn bench_search(c: &mut Criterion) {
    let (_tmp, engine) = common::search_index();
    let index = engine.index();
    let searcher = engine.searcher();
    let mut group = c.benchmark_group("search");
    for (label, query) in common::QUERIES {
        let request = SearchRequest::new(query);
        group.bench_function(format!("top10+snippets {label}"), |b| {
            b.iter(|| black_box(search::search_in(index, &searcher, &request).unwrap()))
        });
    }
    for (label, query) in common::QUERIES {
        let prepared = engine
            .prepare(&searcher, &SearchRequest::new(query))
            .unwrap();
        group.bench_function(format!("count only {label}"), |b| {
            b.iter(|| black_box(prepared.top(&searcher, Sort::Relevance, 0, 0).unwrap().0))
        });
    }
    let mut filtered = SearchRequest::new("hospital");
    filtered.filters = Filters {
        departments: vec!["DHSC".into()],
        from: Some("2025-01-01".parse().unwrap()),
        ..Filters::default()
    };
    group.bench_function("top10+snippets filtered (department, from)", |b| {
        b.iter(|| black_box(search::search_in(index, &searcher, &filtered).unwrap()))
    });
    let mut newest = SearchRequest::new("hospital");
    newest.sort = Sort::Newest;
    group.bench_function("top10+snippets date-sorted (newest)", |b| {
        b.iter(|| black_box(search::search_in(index, &searcher, &newest).unwrap()))
    });
    let id = common::some_id(&engine);
    group.bench_function("show one record", |b| {
        b.iter(|| black_box(index.get(&searcher, &id).unwrap()))
    });
    group.finish();

    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    let request = SearchRequest::new("\"mental health\"");
    let rows = search::search_in(index, &searcher, &request).unwrap().total;
    group.throughput(Throughput::Elements(rows as u64));
    let opts = common::csv_options();
    group.bench_function("csv \"mental health\"", |b| {
        b.iter(|| {
            export::export(
                &engine,
                std::slice::from_ref(&request),
                std::io::sink(),
                &opts,
                &export::NoProgress,
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse, bench_ingest, bench_search);
criterion_main!(benches);
