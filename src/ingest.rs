//! Files → index. For now: finding the input files under the paths a user names.

use std::path::{Path, PathBuf};

/// A path that could not be walked.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct WalkError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
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
            Err(source) => errors.push(WalkError {
                path: path.clone(),
                source,
            }),
        }
    }
    (files, errors)
}

fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<WalkError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(WalkError {
                path: dir.to_path_buf(),
                source,
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
            Err(source) => errors.push(WalkError {
                path: child,
                source,
            }),
        }
    }
}
