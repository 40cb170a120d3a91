//! Files → index: walking the paths, parsing in parallel, merging each question with what
//! the index already holds, and committing safely.
//!
//! The shape: worker threads parse files (the CPU-heavy part) and hand results back in file
//! order, so that ingests are deterministic; one thread owns the single `IndexWriter`,
//! merges, and commits every `commit_every` records. A commit is atomic: a run that is
//! killed loses only what it had not committed, and the next run redoes that work.
//!
//! Beside the index lives a manifest (`pqsearch-files.json`: path → size and modification
//! time) of the files whose records are committed. It is written after the commit it
//! describes, so it can only lag behind the index; a file it does not list, or lists with
//! another size or time, is parsed again. Parsing again is always safe, because merging a
//! question with itself changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use crate::index::{CommitInfo, IndexError, PqIndex};
use crate::parse::{self, ParseError};
use crate::record::Question;

/// The manifest's file name inside the index directory.
const MANIFEST: &str = "pqsearch-files.json";

/// What to ingest and where.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub paths: Vec<PathBuf>,
    pub index_dir: PathBuf,
    /// Commit after this many written records, so long runs keep their progress.
    pub commit_every: usize,
    /// The writer's memory budget in bytes (tantivy flushes segments when it is reached).
    pub memory_budget: usize,
    /// Parser threads.
    pub threads: usize,
}

impl IngestOptions {
    pub fn new(paths: Vec<PathBuf>, index_dir: PathBuf) -> IngestOptions {
        IngestOptions {
            paths,
            index_dir,
            commit_every: 50_000,
            memory_budget: 200 << 20,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A file that could not be ingested, and why.
#[derive(Debug)]
pub struct Rejected {
    pub path: PathBuf,
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
    pub records_added: usize,
    pub records_updated: usize,
    /// Questions the index already held exactly as read.
    pub duplicates_skipped: usize,
    pub rejected: Vec<Rejected>,
    /// Records in the index after the last commit.
    pub records_in_index: u64,
    pub elapsed: Duration,
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
    let (files, walk_errors) = walk(&roots);
    report
        .rejected
        .extend(walk_errors.into_iter().map(|e| Rejected {
            reason: e.error.to_string(),
            path: e.path,
        }));

    let index = PqIndex::open_or_create(&opts.index_dir)?;
    let mut writer: IndexWriter<TantivyDocument> = index
        .index
        .writer(opts.memory_budget.max(15 << 20))
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => {
                IndexError::Busy(opts.index_dir.display().to_string())
            }
            other => index.tantivy_error(other),
        })?;
    let fresh = index.commit_info()?.is_none();
    let mut manifest = Manifest::load(&opts.index_dir);

    // Only files that changed since their last committed ingest are parsed.
    let mut todo = Vec::new();
    for path in files {
        match FileStamp::of(&path) {
            Ok(stamp) if manifest.get(&path) == Some(&stamp) => report.files_unchanged += 1,
            Ok(stamp) => todo.push((path, stamp)),
            Err(e) => report.rejected.push(Rejected {
                path,
                reason: e.to_string(),
            }),
        }
    }
    progress.start(todo.len(), todo.iter().map(|(_, s)| s.size).sum());

    let reader = index.reader()?;
    let mut merger = Merger::new(&index, reader.searcher());
    let mut done_since_commit: Vec<(PathBuf, FileStamp)> = Vec::new();
    let mut first_error = None;

    parse_in_order(&todo, opts.threads, |i, result| {
        let (path, stamp) = &todo[i];
        match result {
            Ok(questions) => {
                report.files_read += 1;
                report.bytes_read += stamp.size;
                report.records_read += questions.len();
                progress.file_done(stamp.size, questions.len());
                for q in questions {
                    match merger.integrate(&mut writer, q) {
                        Ok(Outcome::Added) => report.records_added += 1,
                        Ok(Outcome::Updated) => report.records_updated += 1,
                        Ok(Outcome::Duplicate) => report.duplicates_skipped += 1,
                        Err(e) => {
                            first_error = Some(e);
                            return false;
                        }
                    }
                }
                done_since_commit.push((path.clone(), *stamp));
            }
            Err(err) => {
                progress.file_done(stamp.size, 0);
                report.rejected.push(Rejected {
                    path: path.clone(),
                    reason: reason_of(&err),
                });
            }
        }
        if merger.writes >= opts.commit_every {
            let committed = commit(&index, &mut writer, &reader, &mut merger).and_then(|_| {
                manifest.record(done_since_commit.drain(..));
                manifest.save(&opts.index_dir)
            });
            if let Err(e) = committed {
                first_error = Some(e);
                return false;
            }
        }
        true
    });
    if let Some(e) = first_error {
        // Dropping the writer discards everything after the last commit.
        let _ = writer.rollback();
        return Err(e.into());
    }

    if merger.writes > 0 || fresh {
        report.records_in_index = commit(&index, &mut writer, &reader, &mut merger)?;
    } else {
        report.records_in_index = reader.searcher().num_docs();
    }
    manifest.record(done_since_commit.drain(..));
    manifest.save(&opts.index_dir)?;
    report.rejected.sort_by(|a, b| a.path.cmp(&b.path));
    report.elapsed = started.elapsed();
    Ok(report)
}

fn reason_of(err: &ParseError) -> String {
    match err {
        ParseError::Invalid { line, reason, .. } => format!("line {line}: {reason}"),
        ParseError::Io { error, .. } => error.to_string(),
    }
}

/// Commits with the payload, makes the reader see the commit, and starts a new batch.
/// Returns the number of records now in the index.
fn commit(
    index: &PqIndex,
    writer: &mut IndexWriter<TantivyDocument>,
    reader: &tantivy::IndexReader,
    merger: &mut Merger,
) -> Result<u64, IndexError> {
    let payload = serde_json::to_string(&CommitInfo::now()).expect("payload serialises");
    let mut prepared = writer
        .prepare_commit()
        .map_err(|e| index.tantivy_error(e))?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(|e| index.tantivy_error(e))?;
    reader.reload().map_err(|e| index.tantivy_error(e))?;
    let searcher = reader.searcher();
    let n = searcher.num_docs();
    merger.new_batch(searcher);
    Ok(n)
}

/// Parses files on `threads` workers and calls `handle` with each result in file order.
/// `handle` returns false to stop early.
///
/// Workers never run more than a fixed number of files ahead of the one being handled, so
/// a slow file cannot make parsed results pile up in memory behind it.
fn parse_in_order<F>(files: &[(PathBuf, FileStamp)], threads: usize, mut handle: F)
where
    F: FnMut(usize, Result<Vec<Question>, ParseError>) -> bool,
{
    let threads = threads.max(1);
    let ahead = threads * 64;
    let next = AtomicUsize::new(0);
    // The file being handled: workers wait while they are `ahead` files past it.
    let handled = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, handled, stop) = (&next, &handled, &stop);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= files.len() {
                    break;
                }
                while i >= handled.load(Ordering::Acquire) + ahead && !stop.load(Ordering::Relaxed)
                {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let result = parse::parse_file(&files[i].0);
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut expected = 0;
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&expected) {
                if !handle(expected, result) {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
                expected += 1;
                handled.store(expected, Ordering::Release);
            }
        }
    })
}

/// What ingesting one question did to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Added,
    Updated,
    Duplicate,
}

/// Merges incoming questions with the stored ones and writes the results.
///
/// The searcher sees the last commit; `pending` overlays what this batch has written
/// since (`None` for a deleted id), so that two versions of one question within a batch
/// merge too.
struct Merger<'a> {
    index: &'a PqIndex,
    searcher: Searcher,
    pending: HashMap<String, Option<Question>>,
    pending_keys: HashMap<String, Vec<String>>,
    /// Documents written since the last commit.
    writes: usize,
}

impl<'a> Merger<'a> {
    fn new(index: &'a PqIndex, searcher: Searcher) -> Merger<'a> {
        Merger {
            index,
            searcher,
            pending: HashMap::new(),
            pending_keys: HashMap::new(),
            writes: 0,
        }
    }

    fn new_batch(&mut self, searcher: Searcher) {
        self.searcher = searcher;
        self.pending.clear();
        self.pending_keys.clear();
        self.writes = 0;
    }

    /// The current version of a record.
    fn current(&self, id: &str) -> Result<Option<Question>, IndexError> {
        match self.pending.get(id) {
            Some(version) => Ok(version.clone()),
            None => self.index.get(&self.searcher, id),
        }
    }

    /// Other records with the same date and question text.
    fn same_text(&self, q: &Question) -> Result<Vec<Question>, IndexError> {
        let key = q.match_key();
        // Committed records with the key, unless this batch has replaced or deleted them,
        // then the batch's own records with the key (by id, in a stable order).
        let mut found: BTreeMap<String, Question> = BTreeMap::new();
        for r in self
            .index
            .find(&self.searcher, self.index.fields.match_key, &key, 1000)?
        {
            if !self.pending.contains_key(&r.id) {
                found.insert(r.id.clone(), r);
            }
        }
        for id in self.pending_keys.get(&key).into_iter().flatten() {
            if let Some(Some(r)) = self.pending.get(id) {
                found.insert(id.clone(), r.clone());
            }
        }
        Ok(found
            .into_values()
            .filter(|r| r.id != q.id && r.same_text(q))
            .collect())
    }

    fn integrate(
        &mut self,
        writer: &mut IndexWriter<TantivyDocument>,
        q: Question,
    ) -> Result<Outcome, IndexError> {
        let existing = self.current(&q.id)?;
        let others = self.same_text(&q)?;
        let (with_uin, pages): (Vec<Question>, Vec<Question>) =
            others.into_iter().partition(|r| r.uin.is_some());

        if q.uin.is_some() {
            // An API record: absorb the pages of its text, take names from look-alikes.
            let mut merged = match existing.clone() {
                Some(e) => e.merge(q),
                None => q,
            };
            let mut replaced = Vec::new();
            for page in pages {
                replaced.push(page.id.clone());
                merged = page.merge(merged);
            }
            for twin in &with_uin {
                merged.fill_from(twin);
            }
            return self.put(writer, existing.as_ref(), merged, &replaced);
        }

        // A page (no UIN).
        match with_uin.len() {
            0 => {
                let merged = match existing.clone() {
                    Some(e) => e.merge(q),
                    None => q,
                };
                self.put(writer, existing.as_ref(), merged, &[])
            }
            1 => {
                let target = with_uin.into_iter().next().unwrap();
                let replaced: Vec<String> = existing.iter().map(|e| e.id.clone()).collect();
                let merged = target.clone().merge(q);
                self.put(writer, Some(&target), merged, &replaced)
            }
            _ => {
                // Several questions share this text: the page fills each, and only gaps.
                let mut outcome = Outcome::Duplicate;
                let mut replaced: Vec<String> = existing.iter().map(|e| e.id.clone()).collect();
                for target in with_uin {
                    let mut filled = target.clone();
                    filled.fill_from(&q);
                    if self.put(writer, Some(&target), filled, &replaced)? != Outcome::Duplicate {
                        outcome = Outcome::Updated;
                    }
                    replaced.clear();
                }
                Ok(outcome)
            }
        }
    }

    /// Writes `q` in place of `before` (same id) and of the `replaced` ids.
    fn put(
        &mut self,
        writer: &mut IndexWriter<TantivyDocument>,
        before: Option<&Question>,
        q: Question,
        replaced: &[String],
    ) -> Result<Outcome, IndexError> {
        let same_id = before.filter(|b| b.id == q.id);
        if replaced.is_empty() && same_id.is_some_and(|b| b.same_content(&q)) {
            return Ok(Outcome::Duplicate);
        }
        let id_field = self.index.fields.id;
        for id in replaced.iter().filter(|id| **id != q.id) {
            writer.delete_term(Term::from_field_text(id_field, id));
            self.pending.insert(id.clone(), None);
        }
        writer.delete_term(Term::from_field_text(id_field, &q.id));
        let key = q.match_key();
        writer
            .add_document(self.index.fields.document(&q, &key))
            .map_err(|e| self.index.tantivy_error(e))?;
        self.writes += 1;
        self.pending_keys.entry(key).or_default().push(q.id.clone());
        // Absorbing another record (a page into its API record) updates it, too.
        let outcome = if before.is_some() || !replaced.is_empty() {
            Outcome::Updated
        } else {
            Outcome::Added
        };
        self.pending.insert(q.id.clone(), Some(q));
        Ok(outcome)
    }
}

/// A file's size and modification time: enough to tell that it has not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FileStamp {
    size: u64,
    mtime_ns: u128,
}

impl FileStamp {
    fn of(path: &Path) -> std::io::Result<FileStamp> {
        let meta = std::fs::metadata(path)?;
        let mtime_ns = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(FileStamp {
            size: meta.len(),
            mtime_ns,
        })
    }
}

/// Files whose records are committed, keyed by absolute path (as walked from absolute roots).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    files: BTreeMap<String, FileStamp>,
}

impl Manifest {
    /// The manifest, or an empty one when it is missing or unreadable (which only means
    /// that files are parsed again).
    fn load(dir: &Path) -> Manifest {
        std::fs::read(dir.join(MANIFEST))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn key(path: &Path) -> String {
        path.display().to_string()
    }

    fn get(&self, path: &Path) -> Option<&FileStamp> {
        self.files.get(&Manifest::key(path))
    }

    fn record(&mut self, done: impl Iterator<Item = (PathBuf, FileStamp)>) {
        for (path, stamp) in done {
            self.files.insert(Manifest::key(&path), stamp);
        }
    }

    /// Writes the manifest atomically (a temporary file renamed over the old one).
    fn save(&self, dir: &Path) -> Result<(), IndexError> {
        let io = |error| IndexError::Io {
            dir: dir.display().to_string(),
            error,
        };
        let tmp = dir.join(format!("{MANIFEST}.tmp"));
        let json = serde_json::to_vec(self).expect("manifest serialises");
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, dir.join(MANIFEST)).map_err(io)
    }
}

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{}: {error}", path.display())]
pub struct WalkError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// Every input file under `paths`, in a stable (sorted) order per named path.
///
/// A named file is always taken. Inside directories, walked recursively, hidden entries
/// (names starting with `.`) and Markdown notes (`*.md`) are skipped: they are never
/// questions, and a corpus folder may well carry a README.
pub fn walk(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut files, &mut errors),
            Ok(_) => files.push(path.clone()),
            Err(error) => errors.push(WalkError {
                path: path.clone(),
                error,
            }),
        }
    }
    (files, errors)
}

fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<WalkError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(WalkError {
                path: dir.to_path_buf(),
                error,
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            !name.starts_with('.') && !name.ends_with(".md")
        })
        .collect();
    children.sort();
    for child in children {
        match std::fs::metadata(&child) {
            Ok(meta) if meta.is_dir() => walk_dir(&child, files, errors),
            Ok(_) => files.push(child),
            Err(error) => errors.push(WalkError { path: child, error }),
        }
    }
}
