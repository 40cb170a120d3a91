//! Finding input files: every file under the paths given, in a stable order.
//!
//! Ingest, `parse` and `generate` all read their inputs through [`walk`], so that they
//! agree on which files a folder holds.

use std::path::{Path, PathBuf};

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
