//! The manifest (`pqsearch-files.json` beside the index): the files whose records are
//! committed, each with the size and modification time it had when read.
//!
//! It is written after the commit it describes, so it can only lag behind the index; a file
//! it does not list, or lists with another size or time, is parsed again. Parsing again is
//! always safe, because merging a question with itself changes nothing.
//!
//! A file of which some records were rejected (and the rest committed) is listed as
//! `partial`: it is a source of the index (a rebuild reads it) but never unchanged, so every
//! ingest reads it again and reports its rejected records until the file is fixed.

use std::collections::{BTreeMap, BTreeSet};
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
    /// Keys of the files whose committed records are not all of their records.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    partial: BTreeSet<String>,
}

impl Manifest {
    /// The manifest, or an empty one when it is missing or unreadable (which only means
    /// that files are parsed again).
    pub fn load(dir: &Path) -> Manifest {
        Manifest::read(dir).ok().flatten().unwrap_or_default()
    }

    /// The manifest; `None` when there is none, an error when it cannot be read.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, String> {
        match std::fs::read(dir.join(MANIFEST)) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| e.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The key of a path: the path itself when it is UTF-8 (every real key is absolute, so
    /// starts with `/`), otherwise `x:` and the hex of its bytes, so that two names that
    /// differ only in bytes that are not UTF-8 never share a key.
    fn key(path: &Path) -> String {
        use std::os::unix::ffi::OsStrExt;
        match path.to_str() {
            Some(text) if !text.starts_with("x:") => text.to_string(),
            _ => {
                let hex: String = path
                    .as_os_str()
                    .as_bytes()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!("x:{hex}")
            }
        }
    }

    /// The path a key stands for.
    fn path(key: &str) -> PathBuf {
        use std::os::unix::ffi::OsStringExt;
        match key.strip_prefix("x:") {
            Some(hex) => {
                let bytes: Vec<u8> = (0..hex.len() / 2)
                    .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                    .collect();
                PathBuf::from(std::ffi::OsString::from_vec(bytes))
            }
            None => PathBuf::from(key),
        }
    }

    /// Every file listed.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files.keys().map(|k| Manifest::path(k)).collect()
    }

    /// The stamp of a file whose records are all committed (never a partial file's).
    pub fn get(&self, path: &Path) -> Option<&FileStamp> {
        let key = Manifest::key(path);
        if self.partial.contains(&key) {
            return None;
        }
        self.files.get(&key)
    }

    pub fn record(&mut self, done: impl Iterator<Item = (PathBuf, FileStamp)>) {
        for (path, stamp) in done {
            let key = Manifest::key(&path);
            self.partial.remove(&key);
            self.files.insert(key, stamp);
        }
    }

    /// Lists files of which only some records are committed (the others were rejected).
    pub fn record_partial(&mut self, done: impl Iterator<Item = (PathBuf, FileStamp)>) {
        for (path, stamp) in done {
            let key = Manifest::key(&path);
            self.partial.insert(key.clone());
            self.files.insert(key, stamp);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn names_that_are_not_utf8_keep_their_own_keys() {
        let a = PathBuf::from(std::ffi::OsStr::from_bytes(b"/c/page\xff.txt"));
        let b = PathBuf::from(std::ffi::OsStr::from_bytes(b"/c/page\xfe.txt"));
        let plain = PathBuf::from("/c/page.txt");
        let odd = PathBuf::from("x:/not/absolute");
        let mut m = Manifest::default();
        let stamp = |size| FileStamp { size, mtime_ns: 1 };
        m.record(
            [
                (a.clone(), stamp(1)),
                (b.clone(), stamp(2)),
                (plain.clone(), stamp(3)),
                (odd.clone(), stamp(4)),
            ]
            .into_iter(),
        );
        assert_eq!(m.get(&a), Some(&stamp(1)));
        assert_eq!(m.get(&b), Some(&stamp(2)));
        assert_eq!(m.get(&plain), Some(&stamp(3)));
        assert_eq!(m.get(&odd), Some(&stamp(4)));
        let dir = tempfile::tempdir().unwrap();
        m.save(dir.path()).unwrap();
        let again = Manifest::load(dir.path());
        let mut paths = again.paths();
        paths.sort();
        let mut want = vec![a, b, plain, odd];
        want.sort();
        assert_eq!(paths, want);
    }

    #[test]
    fn a_partial_file_is_a_source_but_never_unchanged() {
        let mut m = Manifest::default();
        let stamp = FileStamp {
            size: 1,
            mtime_ns: 1,
        };
        let path = PathBuf::from("/c/list.json");
        m.record_partial([(path.clone(), stamp)].into_iter());
        assert_eq!(m.get(&path), None);
        assert_eq!(m.paths(), std::slice::from_ref(&path));
        m.record([(path.clone(), stamp)].into_iter());
        assert_eq!(m.get(&path), Some(&stamp));
    }
}
