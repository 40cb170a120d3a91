//! Files → index: the file source of the write path.
//!
//! The files under the given paths are walked ([`crate::walk`]), those the manifest lists
//! as unchanged are skipped, the rest are parsed on worker threads ([`parallel`]) and their
//! questions and members handed, in file order, to the one [`Updater`], which merges and
//! commits. A file that cannot be parsed is reported and counted, and never stops the
//! others; a bad question within a file is reported with its position, and the file's other
//! records are ingested. A file with a rejected question is entered in the manifest as
//! partial: a source of the index, which the next ingest reads again and reports again until
//! it is fixed.
//!
//! [`rebuild`] builds a fresh index from the files an index's manifest lists, beside the
//! old one, and swaps it in atomically: the cure for a damaged index or a new schema.

mod parallel;
mod rebuild;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::index::IndexError;
use crate::parse::{self, ParseError};
use crate::update::manifest::FileStamp;
use crate::update::{UpdateReport, Updater, UpdaterOptions};
use crate::walk::{self, Skipped};

pub use rebuild::{rebuild, RebuildError};

pub use parallel::parse_in_order;

/// What to ingest and where.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub paths: Vec<PathBuf>,
    pub index_dir: PathBuf,
    pub updater: UpdaterOptions,
    /// Parser threads.
    pub threads: usize,
}

impl IngestOptions {
    pub fn new(paths: Vec<PathBuf>, index_dir: PathBuf) -> IngestOptions {
        IngestOptions {
            paths,
            index_dir,
            updater: UpdaterOptions::default(),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A file, or one record within a file, that could not be ingested, and why.
#[derive(Debug)]
pub struct Rejected {
    pub path: PathBuf,
    /// The record's 1-based position within the file, when only it was rejected (the
    /// file's other records were ingested).
    pub item: Option<usize>,
    pub reason: String,
}

/// What an ingest did.
#[derive(Debug, Default)]
pub struct IngestReport {
    /// Files parsed (the others were unchanged since the last ingest or rejected).
    pub files_read: usize,
    pub files_unchanged: usize,
    pub bytes_read: u64,
    /// Questions read from the files.
    pub records_read: usize,
    /// Members read from Members API files.
    pub members_read: usize,
    /// What the questions did to the index.
    pub update: UpdateReport,
    pub rejected: Vec<Rejected>,
    /// Folders not walked (link loops, folders seen twice, indexes).
    pub skipped: Vec<Skipped>,
    pub elapsed: Duration,
}

impl IngestReport {
    /// Whole files rejected.
    pub fn files_rejected(&self) -> usize {
        self.rejected.iter().filter(|r| r.item.is_none()).count()
    }

    /// Records rejected within files whose other records were ingested.
    pub fn items_rejected(&self) -> usize {
        self.rejected.iter().filter(|r| r.item.is_some()).count()
    }
}

/// Hooks through which an ingest reports progress; the binary draws them.
pub trait Progress: Sync {
    /// The files to parse (unchanged files already excluded) and their total size.
    fn start(&self, _files: usize, _bytes: u64) {}
    /// One file is done (parsed and merged, or rejected).
    fn file_done(&self, _bytes: u64, _records: usize) {}
}

/// Reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Why an ingest stopped. Bad input files are not errors: they are counted in
/// [`IngestReport::rejected`].
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Rebuild(#[from] RebuildError),
}

/// Ingests every file under `opts.paths` into the index at `opts.index_dir`.
pub fn ingest(opts: &IngestOptions, progress: &dyn Progress) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let mut report = IngestReport::default();
    // Absolute paths (without resolving links, which costs syscalls per file) make the
    // manifest's keys and the records' sources independent of the working directory.
    let roots: Vec<PathBuf> = opts
        .paths
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let found = walk::walk(&roots);
    // The index itself may sit inside a folder being ingested; that is no news.
    let own = std::fs::canonicalize(&opts.index_dir).ok();
    report.skipped = found
        .skipped
        .into_iter()
        .filter(|s| own.is_none() || std::fs::canonicalize(&s.path).ok() != own)
        .collect();
    report
        .rejected
        .extend(found.errors.into_iter().map(|e| Rejected {
            reason: e.error.to_string(),
            path: e.path,
            item: None,
        }));

    let mut updater = Updater::open(&opts.index_dir, opts.updater)?;
    // Only files that changed since their last committed ingest are parsed.
    let mut todo = Vec::new();
    for path in found.files {
        match FileStamp::of(&path) {
            Ok(stamp) if updater.unchanged(&path, &stamp) => report.files_unchanged += 1,
            Ok(stamp) => todo.push((path, stamp)),
            Err(e) => report.rejected.push(Rejected {
                path,
                item: None,
                reason: e.to_string(),
            }),
        }
    }
    // Members files first, when they can be told by their first bytes: questions put after
    // them get their names as they are written, while members put after questions mean
    // rewriting every record that names them. (Only the cost depends on this order.)
    todo.sort_by_key(|(path, _)| !parse::members::sniff(path));
    progress.start(todo.len(), todo.iter().map(|(_, s)| s.size).sum());

    let paths: Vec<&PathBuf> = todo.iter().map(|(p, _)| p).collect();
    // On an error, the updater is dropped uncommitted: the index stays at its last commit.
    parse_in_order(&paths, opts.threads, |i, result| {
        let (path, stamp) = &todo[i];
        match result {
            Ok(parsed) => {
                report.files_read += 1;
                report.bytes_read += stamp.size;
                report.records_read += parsed.questions.len();
                report.members_read += parsed.members.len();
                progress.file_done(stamp.size, parsed.questions.len());
                for m in parsed.members {
                    updater.put_member(m)?;
                }
                for q in parsed.questions {
                    updater.put(q)?;
                }
                if parsed.rejected.is_empty() {
                    updater.file_done(path.clone(), *stamp);
                } else {
                    updater.file_partly_done(path.clone(), *stamp);
                }
                report
                    .rejected
                    .extend(parsed.rejected.into_iter().map(|item| Rejected {
                        path: path.clone(),
                        item: Some(item.item),
                        reason: item.to_string(),
                    }));
            }
            Err(err) => {
                progress.file_done(stamp.size, 0);
                report.rejected.push(Rejected {
                    path: path.clone(),
                    item: None,
                    reason: reason_of(&err),
                });
            }
        }
        Ok::<(), IndexError>(())
    })?;
    report.update = updater.finish()?;
    report
        .rejected
        .sort_by(|a, b| (&a.path, a.item).cmp(&(&b.path, b.item)));
    report.elapsed = started.elapsed();
    Ok(report)
}

fn reason_of(err: &ParseError) -> String {
    match err {
        ParseError::Invalid { line, reason, .. } => format!("line {line}: {reason}"),
        ParseError::Io { error, .. } => error.to_string(),
    }
}
