//! Finding input files: every file under the paths given, in a stable order.
//!
//! Ingest, `parse` and `generate` all read their inputs through [`walk`], so that they
//! agree on which files a folder holds. Links are followed, but every directory is entered
//! once: a link back to a folder already being walked (a loop) is reported and skipped,
//! never followed for ever. Folders that hold a tantivy index (a `meta.json` beside
//! tantivy's `.managed.json`) are not input, so a corpus folder may hold its own index.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{}", path.display())]
pub struct WalkError {
    pub path: PathBuf,
    #[source]
    pub error: std::io::Error,
}

/// A folder that was not walked, and why (not an error: nothing in it is lost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A link to a folder that encloses it: following it would never end.
    Loop,
    /// A folder already walked under another name.
    AlreadyWalked,
    /// A search index, not input.
    Index,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self.reason {
            SkipReason::Loop => "a link back to a folder that holds it (a loop)",
            SkipReason::AlreadyWalked => "the same folder as one already read",
            SkipReason::Index => "a search index, not input",
        };
        write!(f, "{}: {why}", self.path.display())
    }
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    pub errors: Vec<WalkError>,
    pub skipped: Vec<Skipped>,
}

/// Every input file under `paths`, in a stable (sorted) order per named path.
///
/// A named file is always taken. Inside directories, walked recursively, hidden entries
/// (names starting with `.`) and Markdown notes (`*.md`) are skipped: they are never
/// questions, and a corpus folder may well carry a README.
pub fn walk(paths: &[PathBuf]) -> Walk {
    let mut walker = Walker::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walker.dir(path, &meta),
            Ok(_) => walker.out.files.push(path.clone()),
            Err(error) => walker.out.errors.push(WalkError {
                path: path.clone(),
                error,
            }),
        }
    }
    walker.out
}

#[derive(Default)]
struct Walker {
    out: Walk,
    /// (device, inode) of every directory entered.
    seen: HashSet<(u64, u64)>,
    /// (device, inode) of the directories on the current path, for telling loops apart.
    open: Vec<(u64, u64)>,
}

impl Walker {
    fn dir(&mut self, dir: &Path, meta: &std::fs::Metadata) {
        let key = (meta.dev(), meta.ino());
        if !self.seen.insert(key) {
            let reason = if self.open.contains(&key) {
                SkipReason::Loop
            } else {
                SkipReason::AlreadyWalked
            };
            self.out.skipped.push(Skipped {
                path: dir.to_path_buf(),
                reason,
            });
            return;
        }
        if dir.join("meta.json").is_file() && dir.join(".managed.json").is_file() {
            self.out.skipped.push(Skipped {
                path: dir.to_path_buf(),
                reason: SkipReason::Index,
            });
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                self.out.errors.push(WalkError {
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
        self.open.push(key);
        for child in children {
            match std::fs::metadata(&child) {
                Ok(meta) if meta.is_dir() => self.dir(&child, &meta),
                Ok(_) => self.out.files.push(child),
                Err(error) => self.out.errors.push(WalkError { path: child, error }),
            }
        }
        self.open.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_are_followed_once_and_loops_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("d");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("page.txt"), "x").unwrap();
        std::fs::write(d.join("sub/two.txt"), "x").unwrap();
        std::fs::write(d.join("notes.md"), "x").unwrap();
        std::fs::write(d.join(".hidden"), "x").unwrap();
        symlink(".", d.join("a")).unwrap();
        symlink("..", d.join("sub/up")).unwrap();
        let other = tmp.path().join("other");
        symlink(&d, &other).unwrap();

        let w = walk(&[d.clone(), other.clone()]);
        assert_eq!(w.files, vec![d.join("page.txt"), d.join("sub/two.txt")]);
        assert!(w.errors.is_empty());
        let skipped: Vec<(PathBuf, SkipReason)> =
            w.skipped.into_iter().map(|s| (s.path, s.reason)).collect();
        assert_eq!(
            skipped,
            vec![
                (d.join("a"), SkipReason::Loop),
                (d.join("sub/up"), SkipReason::Loop),
                (other, SkipReason::AlreadyWalked),
            ]
        );
    }

    #[test]
    fn an_index_folder_is_not_input_and_a_missing_path_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let ix = tmp.path().join("ix");
        std::fs::create_dir_all(&ix).unwrap();
        for f in ["meta.json", ".managed.json", "x.store"] {
            std::fs::write(ix.join(f), "{}").unwrap();
        }
        std::fs::write(tmp.path().join("q.txt"), "x").unwrap();
        let w = walk(&[tmp.path().to_path_buf(), tmp.path().join("nope")]);
        assert_eq!(w.files, vec![tmp.path().join("q.txt")]);
        assert_eq!(w.skipped[0].reason, SkipReason::Index);
        assert_eq!(w.errors.len(), 1);
    }
}
