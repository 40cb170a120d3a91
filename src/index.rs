//! Opening an index directory: creating it, checking that it was written by a compatible
//! version, and reading what its last commit recorded.
//!
//! Every commit carries a small JSON payload ([`CommitInfo`]) with the schema version and
//! the time of the ingest. An index whose payload is missing or names another schema version
//! is refused with an error that tells the user to re-ingest, rather than searched with
//! fields that may mean something else.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::record::{Date, Question};
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
    #[error("a stored record is damaged: {0}")]
    BadRecord(String),
    // The causes are part of the message rather than `source`s, so that a message
    // printed with its chain does not repeat them.
    #[error("index error in {dir}: {error}")]
    Tantivy {
        dir: String,
        error: tantivy::TantivyError,
    },
    #[error("{dir}: {error}")]
    Io { dir: String, error: std::io::Error },
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
            ingested_at: utc_timestamp(SystemTime::now()),
        }
    }
}

/// An open pqsearch index.
pub struct PqIndex {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
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
        let opened = PqIndex::checked(index, dir)?;
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
    /// none. A new index is not committed here; the ingest's first commit records it.
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
        PqIndex::checked(index, dir)
    }

    fn checked(index: Index, dir: &Path) -> Result<PqIndex, IndexError> {
        schema::register_tokenizers(&index);
        let fields =
            Fields::from_schema(&index.schema()).map_err(|e| IndexError::Incompatible {
                dir: dir.display().to_string(),
                found: format!("a different schema: {e}"),
            })?;
        Ok(PqIndex {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    pub fn tantivy_error(&self, error: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            dir: self.dir.display().to_string(),
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

    /// The stored record with this id, if any.
    pub fn get(&self, searcher: &Searcher, id: &str) -> Result<Option<Question>, IndexError> {
        let found = self.find(searcher, self.fields.id, id, 1)?;
        Ok(found.into_iter().next())
    }

    /// Every stored record whose exact `field` holds `value`, up to `limit`.
    pub fn find(
        &self,
        searcher: &Searcher,
        field: tantivy::schema::Field,
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

    /// Reads the stored record of one document.
    pub fn record(
        &self,
        searcher: &Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<Question, IndexError> {
        let doc: TantivyDocument = searcher.doc(addr).map_err(|e| self.tantivy_error(e))?;
        let json = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or_else(|| IndexError::BadRecord(format!("document {addr:?} has no record")))?;
        serde_json::from_str(json).map_err(|e| IndexError::BadRecord(format!("{addr:?}: {e}")))
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a moment in time.
pub fn utc_timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let date = Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc() {
        let t = UNIX_EPOCH + Duration::from_secs(1_693_958_400 + 3_661);
        assert_eq!(utc_timestamp(t), "2023-09-06T01:01:01Z");
    }
}
