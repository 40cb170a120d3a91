//! Rebuilding an index from its sources: a fresh index is built beside the old one from the
//! files the old one's manifest lists (and any paths given), then exchanged with it in one
//! atomic rename. Until that moment the old index is untouched and searchable, and a
//! rebuild that fails or is killed leaves it exactly as it was.
//!
//! The old index's writer lock is held throughout, so no ingest can write to it and have
//! its work thrown away by the swap.

use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};

use super::{ingest, IngestError, IngestOptions, IngestReport, Progress};
use crate::index::IndexError;
use crate::update::manifest::Manifest;

/// Why a rebuild was refused; the old index is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error("no index at {0} to rebuild")]
    Missing(String),
    #[error(
        "cannot rebuild {dir}: its list of source files is missing or empty; \
         give the paths to build it from (`pqsearch ingest --rebuild PATH... --index {dir}`)"
    )]
    NoSources { dir: String },
    #[error(
        "cannot rebuild {dir}: {} source file(s) it was built from are gone (the first: {}); \
         their records would be lost, so the index is left as it was",
        missing.len(), missing[0].display()
    )]
    MissingSources { dir: String, missing: Vec<PathBuf> },
    #[error(
        "cannot rebuild {dir}: {rejected} file(s) were rejected (listed above); \
         the index is left as it was"
    )]
    Rejected {
        dir: String,
        rejected: usize,
        report: Box<IngestReport>,
    },
    #[error("rebuilding {dir}")]
    Io {
        dir: String,
        #[source]
        error: std::io::Error,
    },
}

/// Rebuilds the index at `opts.index_dir` from the files its manifest lists plus
/// `opts.paths`, and swaps the new index in.
pub fn rebuild(opts: &IngestOptions, progress: &dyn Progress) -> Result<IngestReport, IngestError> {
    let dir = &opts.index_dir;
    let name = dir.display().to_string();
    let io = |error| RebuildError::Io {
        dir: name.clone(),
        error,
    };
    if !dir.is_dir() {
        return Err(RebuildError::Missing(name).into());
    }
    let _lock = MmapDirectory::open(dir)
        .map_err(|e| io(std::io::Error::other(e.to_string())))?
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|_| IndexError::Busy(name.clone()))?;

    let mut sources: Vec<PathBuf> = Manifest::load(dir).paths();
    let missing: Vec<PathBuf> = sources.iter().filter(|p| !p.exists()).cloned().collect();
    if !missing.is_empty() {
        return Err(RebuildError::MissingSources { dir: name, missing }.into());
    }
    sources.extend(opts.paths.iter().cloned());
    if sources.is_empty() {
        return Err(RebuildError::NoSources { dir: name }.into());
    }

    let fresh = sibling(dir, "pqsearch-rebuild");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(io)?;
    }
    let built = ingest(
        &IngestOptions {
            paths: sources,
            index_dir: fresh.clone(),
            ..opts.clone()
        },
        progress,
    );
    // Records rejected within a file were not in the old index either; a whole file
    // rejected would lose its records.
    let report = match built {
        Ok(report) if report.files_rejected() == 0 => report,
        other => {
            let _ = std::fs::remove_dir_all(&fresh);
            let report = other?;
            return Err(RebuildError::Rejected {
                dir: name,
                rejected: report.files_rejected(),
                report: Box::new(report),
            }
            .into());
        }
    };
    keep_own_files(dir, &fresh).map_err(io)?;
    exchange(dir, &fresh).map_err(io)?;
    // `fresh` now holds the old index.
    std::fs::remove_dir_all(&fresh).map_err(io)?;
    Ok(report)
}

/// A hidden directory beside `dir`, on the same file system so that it can be renamed.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or("index".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.{what}"))
}

/// Copies the old folder's own hidden files (such as a `.gitkeep`) into the new one; the
/// index's files are tantivy's and pqsearch's own and are rebuilt.
fn keep_own_files(old: &Path, new: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(old)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        let ours = text.starts_with(".tantivy") || text == ".managed.json";
        if text.starts_with('.') && !ours && entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), new.join(&name))?;
        }
    }
    Ok(())
}

/// Swaps two directories in one step (Linux's `renameat2(RENAME_EXCHANGE)`), so that
/// `dir` always names a whole index; elsewhere, two renames.
fn exchange(dir: &Path, fresh: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| {
            std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other)
        };
        let (a, b) = (c(dir)?, c(fresh)?);
        // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them as given.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
            return Err(err);
        }
    }
    let old = sibling(dir, "pqsearch-old");
    std::fs::rename(dir, &old)?;
    std::fs::rename(fresh, dir)?;
    std::fs::rename(&old, fresh)
}
