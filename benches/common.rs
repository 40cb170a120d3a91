//! Shared by the benchmarks: where the real corpus is, and indexes built from it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use pqsearch::engine::Engine;
use pqsearch::export::{Column, ExportFormat, ExportOptions};
use pqsearch::ingest::{self, IngestOptions, NoProgress};
use pqsearch::search::SearchRequest;

/// The shared corpus of real questions beside the repository.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The index to search: $PQSEARCH_BENCH_INDEX when set (for the scale runs), otherwise a
/// fresh index of the real API corpus (49,565 questions) in a temporary directory.
pub fn search_index() -> (Option<tempfile::TempDir>, Engine) {
    if let Some(dir) = std::env::var_os("PQSEARCH_BENCH_INDEX") {
        return (
            None,
            Engine::open(Path::new(&dir)).expect("PQSEARCH_BENCH_INDEX opens"),
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ix");
    let opts = IngestOptions::new(vec![corpus().join("api")], dir.clone());
    ingest::ingest(&opts, &NoProgress).expect("ingest of the real corpus");
    (Some(tmp), Engine::open(&dir).unwrap())
}

/// The queries every search benchmark runs: (label, query, department filter, sort).
pub const QUERIES: [(&str, &str); 6] = [
    ("term", "hospital"),
    ("phrase", "\"mental health\""),
    ("boolean", "(flood OR flooding) defences -Scotland"),
    ("and3", "NHS waiting lists"),
    ("rare phrase", "\"Online Safety Act\""),
    ("common", "government"),
];

/// The id of the best match for "hospital": a record for the `show` benchmarks.
pub fn some_id(engine: &Engine) -> String {
    engine.search(&SearchRequest::new("hospital")).unwrap().hits[0]
        .record
        .id
        .clone()
}

/// CSV with the default columns, as `pqsearch export` writes it.
pub fn csv_options() -> ExportOptions {
    ExportOptions {
        format: ExportFormat::Csv,
        columns: Column::defaults(false),
        bom: false,
        excel_safe: false,
    }
}
