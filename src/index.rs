//! An index on disk (or in memory, for tests): creating it, checking that it was written by
//! a compatible version, reading what its last commit recorded, and reading stored records.
//!
//! Every commit carries a small JSON payload ([`CommitInfo`]) with the schema version, the
//! time of the ingest, the number of records, and whether the index's first build has
//! finished. So an index is always in one of a few states ([`PqIndex::open`] tells them
//! apart): missing; unfinished (its first ingest was killed or failed: readers refuse it,
//! the next ingest finishes it); ready; built by another version (refused with the cure,
//! `ingest --rebuild`); or damaged (meta.json gone or unreadable). An index is never
//! searched with fields that may mean something else, and never reported empty when its
//! build simply stopped.
//!
//! Readers go through [`crate::engine::Engine`] and writers through
//! [`crate::update::Updater`]; both hold a [`PqIndex`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::date::utc_timestamp;
use crate::record::Question;
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// What went wrong opening or reading an index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {0} (build one with `pqsearch ingest PATH... --index {0}`)")]
    Missing(String),
    #[error(
        "the index at {dir} is unfinished: its first ingest stopped after {records} record(s) \
         were committed; run the same `pqsearch ingest PATH... --index {dir}` again to finish it"
    )]
    Unfinished { dir: String, records: u64 },
    #[error(
        "{dir} was built by an incompatible version of pqsearch ({found}; this version reads schema {SCHEMA_VERSION}): \
         rebuild it from its sources with `pqsearch ingest --rebuild --index {dir}`"
    )]
    Incompatible { dir: String, found: String },
    #[error(
        "the index at {dir} is damaged ({what}): `pqsearch check --index {dir}` tells more, and \
         `pqsearch ingest --rebuild --index {dir}` builds it again from its sources"
    )]
    Damaged { dir: String, what: String },
    #[error("{0} is not a pqsearch index (and not empty, so it was not made into one)")]
    NotAnIndex(String),
    #[error("another `pqsearch ingest` is writing to {0}; wait for it to finish (searches keep working meanwhile)")]
    Busy(String),
    #[error("a stored record is damaged: document {doc:?}")]
    BadRecord {
        doc: DocAddress,
        #[source]
        error: Option<serde_json::Error>,
    },
    #[error("index error in {dir}{}", disk_note(dir))]
    Tantivy {
        dir: String,
        #[source]
        error: tantivy::TantivyError,
    },
    #[error("{dir}{}", disk_note(dir))]
    Io {
        dir: String,
        #[source]
        error: std::io::Error,
    },
    #[error("cannot read the index at {0}: permission denied (its files belong to another user, or are not readable by this one)")]
    NoPermission(String),
}

/// When an index write fails, the cause tantivy reports is often only "a writer thread
/// was killed"; the likeliest reason is a full disk, so say how much room is left.
fn disk_note(dir: &str) -> String {
    match free_bytes(Path::new(dir)) {
        Some(free) if free < 64 << 20 => format!(
            " (the disk holding it has only {} KB free: a full disk stops ingest; \
             the index stays as it was at its last commit)",
            free >> 10
        ),
        _ => String::new(),
    }
}

/// Bytes free for this user on the file system holding `path` (or its nearest ancestor).
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let existing = path.ancestors().find(|p| p.exists())?;
    let c = std::ffi::CString::new(existing.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `stat` a valid out-pointer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    (rc == 0).then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// What each commit records about the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub schema_version: u32,
    /// When the ingest that made this commit ran, `YYYY-MM-DDTHH:MM:SSZ`.
    pub ingested_at: String,
    /// Whether the index's first build had finished: false on the commits a first ingest
    /// makes on the way.
    #[serde(default = "yes")]
    pub complete: bool,
    /// Records in the index after this commit (`pqsearch check` compares).
    #[serde(default)]
    pub records: Option<u64>,
}

fn yes() -> bool {
    true
}

impl CommitInfo {
    pub fn now(complete: bool, records: u64) -> CommitInfo {
        CommitInfo {
            schema_version: SCHEMA_VERSION,
            ingested_at: utc_timestamp(std::time::SystemTime::now()),
            complete,
            records: Some(records),
        }
    }
}

/// Whether an index can be searched, or what stands in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// Its first build finished.
    Complete,
    /// Its first build has not finished: readers refuse it, the next ingest finishes it.
    Unfinished,
}

/// Whether a folder without meta.json still holds an index's data. (tantivy's hidden
/// files alone are what a build killed before its first file leaves: that is no index yet.)
fn looks_like_index(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name == crate::update::manifest::MANIFEST
            || [".idx", ".store", ".term", ".pos", ".fast", ".fieldnorm"]
                .iter()
                .any(|ext| name.ends_with(ext))
    })
}

/// A tantivy error, said plainly where the cause is known: a permission problem, or bytes
/// that do not decode (damage), as opposed to a failed write (a full disk, say).
fn open_error(dir: &str, error: tantivy::TantivyError) -> IndexError {
    classify(dir, error, false)
}

/// Like [`open_error`], for reads of an index that opened: there, bytes that do not
/// decode surface as I/O errors of any kind (tantivy reports a garbled term dictionary as
/// "Unsupported dictionary type", kind `Other`), and all of them mean damage.
fn read_error(dir: &str, error: tantivy::TantivyError) -> IndexError {
    classify(dir, error, true)
}

fn classify(dir: &str, error: tantivy::TantivyError, reading: bool) -> IndexError {
    use std::io::ErrorKind as K;
    use tantivy::directory::error::OpenReadError;
    use tantivy::TantivyError as T;
    let denied = |e: &std::io::Error| e.kind() == K::PermissionDenied;
    let garbled = |e: &std::io::Error| {
        reading && e.kind() != K::PermissionDenied
            || matches!(e.kind(), K::InvalidData | K::UnexpectedEof)
    };
    let damaged = |what: String| IndexError::Damaged {
        dir: dir.to_string(),
        what: short(&what),
    };
    match &error {
        T::OpenReadError(OpenReadError::IoError { io_error, .. }) if denied(io_error) => {
            IndexError::NoPermission(dir.to_string())
        }
        T::IoError(e) if denied(e) => IndexError::NoPermission(dir.to_string()),
        T::OpenReadError(OpenReadError::FileDoesNotExist(path)) => {
            damaged(format!("{} is missing", path.display()))
        }
        T::OpenReadError(OpenReadError::IoError { io_error, filepath }) if garbled(io_error) => {
            damaged(format!("{} cannot be read: {io_error}", filepath.display()))
        }
        T::IoError(e) if garbled(e) => damaged(e.to_string()),
        T::DataCorruption(_) | T::DeserializeError(_) => damaged(error.to_string()),
        _ => IndexError::Tantivy {
            dir: dir.to_string(),
            error,
        },
    }
}

/// A cause short enough to read: tantivy quotes a whole damaged meta.json in its message.
fn short(text: &str) -> String {
    let text = text.split(" Content:").next().unwrap_or(text);
    if text.chars().count() <= 200 {
        text.to_string()
    } else {
        text.chars().take(200).collect::<String>() + "…"
    }
}

/// An open pqsearch index. Clones share the same index.
#[derive(Clone)]
pub struct PqIndex {
    pub index: Index,
    pub fields: Fields,
    /// Where it lives; `None` for an index in memory.
    pub dir: Option<PathBuf>,
}

impl PqIndex {
    /// Opens an existing, finished index for reading.
    pub fn open(dir: &Path) -> Result<PqIndex, IndexError> {
        let (index, build) = PqIndex::open_any(dir)?;
        match build {
            Build::Complete => Ok(index),
            Build::Unfinished => Err(IndexError::Unfinished {
                dir: index.name(),
                records: index.committed_records(),
            }),
        }
    }

    /// Opens an existing index, finished or not, and says which.
    pub fn open_any(dir: &Path) -> Result<(PqIndex, Build), IndexError> {
        let name = dir.display().to_string();
        if !dir.join("meta.json").exists() {
            return Err(if looks_like_index(dir) {
                IndexError::Damaged {
                    dir: name,
                    what: "its meta.json is missing".into(),
                }
            } else {
                IndexError::Missing(name)
            });
        }
        let index = Index::open_in_dir(dir).map_err(|error| open_error(&name, error))?;
        let segments = index
            .searchable_segment_metas()
            .map_err(|error| open_error(&name, error))?;
        let opened = PqIndex::checked(index, Some(dir))?;
        match opened.commit_info()? {
            Some(info) if info.schema_version != SCHEMA_VERSION => Err(IndexError::Incompatible {
                dir: name,
                found: format!("schema {}", info.schema_version),
            }),
            Some(info) if info.complete => Ok((opened, Build::Complete)),
            Some(_) => Ok((opened, Build::Unfinished)),
            // tantivy writes meta.json when the index is created, before pqsearch's first
            // commit: an empty index without a payload is a build that never committed.
            None if segments.is_empty() => Ok((opened, Build::Unfinished)),
            None => Err(IndexError::Incompatible {
                dir: name,
                found: "no pqsearch commit record".into(),
            }),
        }
    }

    /// Opens the index in `dir` for writing, creating the directory and an empty index when
    /// there is none, and says whether its first build has finished. A new index is not
    /// committed here; the first commit records it.
    pub fn open_or_create(dir: &Path) -> Result<(PqIndex, Build), IndexError> {
        let name = dir.display().to_string();
        let io = |error| IndexError::Io {
            dir: name.clone(),
            error,
        };
        match PqIndex::open_any(dir) {
            Err(IndexError::Missing(_)) => {}
            other => return other,
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let foreign = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
        if foreign {
            return Err(IndexError::NotAnIndex(name));
        }
        let (schema, _) = schema::build();
        let index = Index::create_in_dir(dir, schema).map_err(|error| open_error(&name, error))?;
        Ok((PqIndex::checked(index, Some(dir))?, Build::Unfinished))
    }

    /// A new, empty index in memory: for tests, which then need no directory.
    pub fn in_ram() -> PqIndex {
        let (schema, _) = schema::build();
        PqIndex::checked(Index::create_in_ram(schema), None)
            .expect("the schema just built has every field")
    }

    fn checked(index: Index, dir: Option<&Path>) -> Result<PqIndex, IndexError> {
        schema::register_tokenizers(&index);
        let fields =
            Fields::from_schema(&index.schema()).map_err(|e| IndexError::Incompatible {
                dir: dir.map_or("(in memory)".into(), |d| d.display().to_string()),
                found: format!("a different schema: {e}"),
            })?;
        Ok(PqIndex {
            index,
            fields,
            dir: dir.map(Path::to_path_buf),
        })
    }

    /// The directory for messages.
    pub fn name(&self) -> String {
        self.dir
            .as_deref()
            .map_or("(in memory)".into(), |d| d.display().to_string())
    }

    /// A tantivy error met while writing (a full disk, say, or damage).
    pub fn tantivy_error(&self, error: tantivy::TantivyError) -> IndexError {
        open_error(&self.name(), error)
    }

    /// A tantivy error met while reading an index that opened: damage, said as such.
    pub fn read_error(&self, error: tantivy::TantivyError) -> IndexError {
        read_error(&self.name(), error)
    }

    pub fn io_error(&self, error: std::io::Error) -> IndexError {
        IndexError::Io {
            dir: self.name(),
            error,
        }
    }

    /// Records in the index as of its last commit.
    pub fn committed_records(&self) -> u64 {
        self.reader()
            .map(|r| r.searcher().num_docs())
            .unwrap_or_default()
    }

    /// What the last commit recorded, if there was a pqsearch commit.
    pub fn commit_info(&self) -> Result<Option<CommitInfo>, IndexError> {
        let metas = self.index.load_metas().map_err(|e| self.read_error(e))?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()))
    }

    /// A reader that sees the last commit; call `reload` to see later ones.
    pub fn reader(&self) -> Result<IndexReader, IndexError> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| self.read_error(e))
    }

    /// Every stored record whose exact `field` holds `value`, up to `limit`.
    pub fn find(
        &self,
        searcher: &Searcher,
        field: Field,
        value: &str,
        limit: usize,
    ) -> Result<Vec<Question>, IndexError> {
        let query = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        let hits = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(|e| self.read_error(e))?;
        hits.into_iter()
            .map(|(_, addr)| self.record(searcher, addr))
            .collect()
    }

    /// The stored record with this id, if any.
    pub fn get(&self, searcher: &Searcher, id: &str) -> Result<Option<Question>, IndexError> {
        Ok(self
            .find(searcher, self.fields.id, id, 1)?
            .into_iter()
            .next())
    }

    /// Reads the stored record of one document.
    pub fn record(&self, searcher: &Searcher, doc: DocAddress) -> Result<Question, IndexError> {
        // The store is compressed and checksummed per block: a record that cannot be read
        // means damaged bytes, not a passing I/O hiccup.
        let stored: TantivyDocument = searcher.doc(doc).map_err(|e| IndexError::Damaged {
            dir: self.name(),
            what: short(&format!("a stored record cannot be read: {e}")),
        })?;
        let json = stored
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or(IndexError::BadRecord { doc, error: None })?;
        serde_json::from_str(json).map_err(|e| IndexError::BadRecord {
            doc,
            error: Some(e),
        })
    }
}
