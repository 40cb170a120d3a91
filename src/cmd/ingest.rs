//! `pqsearch ingest`: files → index, with a progress bar and a summary on stderr.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use pqsearch::ingest::{self, IngestError, IngestOptions, IngestReport, Progress, RebuildError};

use super::term;
use super::Exit;
use crate::cli::{IngestArgs, DEFAULT_CORPUS};

pub fn run(args: IngestArgs, index_dir: PathBuf) -> anyhow::Result<ExitCode> {
    crate::note_index(&index_dir);
    let paths = if args.paths.is_empty() && !args.rebuild {
        vec![PathBuf::from(DEFAULT_CORPUS)]
    } else {
        args.paths
    };
    let mut opts = IngestOptions::new(paths, index_dir);
    opts.updater.commit_every = args.commit_every.max(1);
    opts.updater.memory_budget = args.memory_mb << 20;
    if let Some(t) = args.threads {
        opts.threads = t.max(1);
    }
    let result = {
        let bar = Bar::new();
        if args.rebuild {
            ingest::rebuild(&opts, &bar)
        } else {
            ingest::ingest(&opts, &bar)
        }
    };
    // A rebuild that rejected files still says which, before the error.
    if let Err(IngestError::Rebuild(RebuildError::Rejected { report, .. })) = &result {
        term::stderr(format_args!("{}", summary(report, &opts)));
    }
    let report = result?;
    if args.rebuild {
        term::stderr(format_args!(
            "Rebuilt {} from its sources. ",
            opts.index_dir.display()
        ));
    }
    term::stderr(format_args!("{}", summary(&report, &opts)));
    Ok(if report.rejected.is_empty() {
        Exit::Found
    } else {
        Exit::Error
    }
    .into())
}

/// Runs an ingest, drawing a progress bar when stderr is a terminal.
pub fn run_with_progress(opts: &IngestOptions) -> anyhow::Result<IngestReport> {
    let bar = Bar::new();
    Ok(ingest::ingest(opts, &bar)?)
}

/// A one-paragraph account of what an ingest did, with each rejected file and its reason.
pub fn summary(r: &IngestReport, opts: &IngestOptions) -> String {
    let mut s = String::new();
    let secs = r.elapsed.as_secs_f64();
    let items = match r.items_rejected() {
        0 => String::new(),
        n => format!(", {n} rejected within files"),
    };
    let u = &r.update;
    let members = if r.members_read > 0 || u.members_in_table > 0 || u.renamed > 0 {
        format!(
            " {} member(s) read: {} new or changed, {} unchanged; names looked up anew for {} stored record(s);",
            r.members_read, u.members_changed, u.members_unchanged, u.renamed
        )
    } else {
        String::new()
    };
    let table = match u.members_in_table {
        0 => String::new(),
        n => format!(" and {n} member(s)"),
    };
    let _ = writeln!(
        s,
        "Ingested into {}: {} file(s) read ({:.1} MB), {} unchanged and skipped, {} rejected; \
         {} question(s) read: {} added, {} updated, {} duplicate(s) skipped{items};{members} \
         the index holds {} record(s){table}. {:.2} s ({:.1} MB/s).",
        opts.index_dir.display(),
        r.files_read,
        r.bytes_read as f64 / 1e6,
        r.files_unchanged,
        r.files_rejected(),
        r.records_read,
        u.added,
        u.updated,
        u.duplicates,
        u.records_in_index,
        secs,
        r.bytes_read as f64 / 1e6 / secs.max(1e-9),
    );
    for rej in &r.rejected {
        let _ = writeln!(s, "rejected: {}: {}", rej.path.display(), rej.reason);
    }
    for skipped in &r.skipped {
        let _ = writeln!(s, "skipped: {skipped}");
    }
    s
}

/// The progress bar: files, questions and MB/s, drawn only when stderr is a terminal.
struct Bar {
    bar: term::Bar,
    files: AtomicUsize,
    files_done: AtomicUsize,
    records: AtomicUsize,
}

impl Bar {
    fn new() -> Bar {
        Bar {
            bar: term::Bar::new(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
            ),
            files: AtomicUsize::new(0),
            files_done: AtomicUsize::new(0),
            records: AtomicUsize::new(0),
        }
    }
}

impl Progress for Bar {
    fn start(&self, files: usize, bytes: u64) {
        self.files.store(files, Ordering::Relaxed);
        if let Some(bar) = self.bar.get() {
            bar.set_length(bytes);
        }
    }

    fn file_done(&self, bytes: u64, records: usize) {
        let done = self.files_done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.records.fetch_add(records, Ordering::Relaxed) + records;
        if let Some(bar) = self.bar.get() {
            bar.inc(bytes);
            let files = self.files.load(Ordering::Relaxed);
            bar.set_message(format!("{done}/{files} files, {total} questions"));
        }
    }
}
