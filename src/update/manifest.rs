//! The manifest (`pqsearch-files.json` beside the index): the files whose records are
//! committed, each with the size and modification time it had when read.
//!
//! It is written after the commit it describes, so it can only lag behind the index; a file
//! it does not list, or lists with another size or time, is parsed again. Parsing again is
//! always safe, because merging a question with itself changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::index::IndexError;

/// The manifest's file name inside the index directory.
pub const MANIFEST: &str = "pqsearch-files.json";

/// A file's size and modification time: enough to tell that it has not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: u128,
}

impl FileStamp {
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
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
pub struct Manifest {
    files: BTreeMap<String, FileStamp>,
}

impl Manifest {
    /// The manifest, or an empty one when it is missing or unreadable (which only means
    /// that files are parsed again).
    pub fn load(dir: &Path) -> Manifest {
        std::fs::read(dir.join(MANIFEST))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn key(path: &Path) -> String {
        path.display().to_string()
    }

    pub fn get(&self, path: &Path) -> Option<&FileStamp> {
        self.files.get(&Manifest::key(path))
    }

    pub fn record(&mut self, done: impl Iterator<Item = (PathBuf, FileStamp)>) {
        for (path, stamp) in done {
            self.files.insert(Manifest::key(&path), stamp);
        }
    }

    /// Writes the manifest atomically (a temporary file renamed over the old one).
    pub fn save(&self, dir: &Path) -> Result<(), IndexError> {
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
