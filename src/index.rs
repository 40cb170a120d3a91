//! An index on disk (or in memory, for tests): creating it, checking that it was written by
//! a compatible version, reading what its last commit recorded, and reading stored records.
//!
//! Every commit carries a small JSON payload ([`CommitInfo`]) with the schema version and
//! the time of the ingest. An index whose payload is missing or names another schema version
//! is refused with an error that tells the user to re-ingest, rather than searched with
//! fields that may mean something else.
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
        "{dir} was built by an incompatible version of pqsearch ({found}; this version reads schema {SCHEMA_VERSION}): \
         delete it and ingest again (`rm -r {dir} && pqsearch ingest PATH... --index {dir}`)"
    )]
    Incompatible { dir: String, found: String },
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
    #[error("index error in {dir}")]
    Tantivy {
        dir: String,
        #[source]
        error: tantivy::TantivyError,
    },
    #[error("{dir}")]
    Io {
        dir: String,
        #[source]
        error: std::io::Error,
    },
}

/// What each commit records about the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    pub schema_version: u32,
    /// When the ingest that made this commit ran, `YYYY-MM-DDTHH:MM:SSZ`.
    pub ingested_at: String,
}

impl CommitInfo {
    pub fn now() -> CommitInfo {
        CommitInfo {
            schema_version: SCHEMA_VERSION,
            ingested_at: utc_timestamp(std::time::SystemTime::now()),
        }
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
    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> Result<PqIndex, IndexError> {
        let name = dir.display().to_string();
        if !dir.join("meta.json").exists() {
            return Err(IndexError::Missing(name));
        }
        let index = Index::open_in_dir(dir).map_err(|error| IndexError::Tantivy {
            dir: name.clone(),
            error,
        })?;
        let opened = PqIndex::checked(index, Some(dir))?;
        match opened.commit_info()? {
            Some(info) if info.schema_version == SCHEMA_VERSION => Ok(opened),
            Some(info) => Err(IndexError::Incompatible {
                dir: name,
                found: format!("schema {}", info.schema_version),
            }),
            None => Err(IndexError::Incompatible {
                dir: name,
                found: "no pqsearch commit record".into(),
            }),
        }
    }

    /// Opens the index in `dir`, creating the directory and an empty index when there is
    /// none. A new index is not committed here; the first commit records it.
    pub fn open_or_create(dir: &Path) -> Result<PqIndex, IndexError> {
        let name = dir.display().to_string();
        let io = |error| IndexError::Io {
            dir: name.clone(),
            error,
        };
        if dir.join("meta.json").exists() {
            return PqIndex::open(dir);
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
        let index = Index::create_in_dir(dir, schema)
            .map_err(|error| IndexError::Tantivy { dir: name, error })?;
        PqIndex::checked(index, Some(dir))
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

    pub fn tantivy_error(&self, error: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            dir: self.name(),
            error,
        }
    }

    pub fn io_error(&self, error: std::io::Error) -> IndexError {
        IndexError::Io {
            dir: self.name(),
            error,
        }
    }

    /// What the last commit recorded, if there was a pqsearch commit.
    pub fn commit_info(&self) -> Result<Option<CommitInfo>, IndexError> {
        let metas = self.index.load_metas().map_err(|e| self.tantivy_error(e))?;
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
            .map_err(|e| self.tantivy_error(e))
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
            .map_err(|e| self.tantivy_error(e))?;
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
        let stored: TantivyDocument = searcher.doc(doc).map_err(|e| self.tantivy_error(e))?;
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
