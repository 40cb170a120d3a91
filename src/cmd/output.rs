//! Files the user names for output (`export --out`, `--meta`, `generate --out`): where they
//! really are, how they are written, and what must never be written over.
//!
//! A regular file is written to a temporary file beside it and renamed over it only once
//! complete and on disk, so a failed or killed run leaves the old file as it was. That
//! rename would replace a device node or a FIFO with a regular file, and a symbolic link
//! with a file of its own, so those are resolved first: a link is followed to the file it
//! names (which is then replaced atomically, and the link still points at it), while a
//! character device or a FIFO is opened and written through, as a shell's `>` would.
//! Directories, block devices and sockets are refused.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{bail, Context};

/// Where output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// Standard output (`-`, `/dev/stdout`).
    Stdout,
    /// A regular file, new or replaced atomically. Symbolic links are resolved: this is the
    /// file itself.
    Replace(PathBuf),
    /// A FIFO or a character device (`/dev/null`, a terminal), or one of the process's own
    /// descriptors (`/dev/stderr`, `/dev/fd/3`): opened and written in place.
    Through(PathBuf),
}

/// How many symbolic links are followed before giving up, as the kernel does.
const MAX_LINKS: usize = 40;

impl Dest {
    /// Finds out what `arg` names, refusing what cannot be written safely. `flag` names the
    /// option in messages.
    pub fn resolve(arg: &Path, flag: &str) -> anyhow::Result<Dest> {
        if arg.as_os_str() == "-" {
            return Ok(Dest::Stdout);
        }
        let shown = arg.display();
        let path = follow_links(arg).with_context(|| format!("{flag} {shown}"))?;
        if let Some(fd) = fd_link(&path) {
            // /dev/stdout, /dev/fd/N, /proc/self/fd/N: the process's own open files, not
            // files to replace.
            return Ok(if fd == 1 {
                Dest::Stdout
            } else {
                Dest::Through(path)
            });
        }
        match fs::metadata(&path) {
            Ok(meta) => {
                let kind = meta.file_type();
                if kind.is_file() {
                    Ok(Dest::Replace(path))
                } else if kind.is_fifo() || kind.is_char_device() {
                    Ok(Dest::Through(path))
                } else if kind.is_dir() {
                    bail!("{flag} {shown} is a folder; give a file name")
                } else if kind.is_block_device() {
                    bail!("{flag} {shown} is a block device (a disk); refusing to write to it")
                } else {
                    bail!("{flag} {shown} is not a file, a pipe or a character device")
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if path.file_name().is_none() || arg.as_os_str().as_encoded_bytes().ends_with(b"/")
                {
                    bail!("{flag} {shown}: give a file name");
                }
                let dir = parent(&path);
                if !dir.is_dir() {
                    bail!(
                        "{flag} {shown}: the folder {} does not exist",
                        dir.display()
                    );
                }
                Ok(Dest::Replace(path))
            }
            Err(e) => Err(e).with_context(|| format!("{flag} {shown}")),
        }
    }

    /// The file's absolute location with every link resolved (where it would be, for a
    /// file not yet made), for telling whether two names are one file.
    pub fn location(&self) -> Option<PathBuf> {
        match self {
            Dest::Stdout => None,
            Dest::Replace(p) | Dest::Through(p) => Some(absolute(p)),
        }
    }

    /// Whether this and `other` are one file: the same device and inode when both exist,
    /// the same resolved location otherwise. Standard output is never compared.
    pub fn same_file(&self, other: &Dest) -> bool {
        match (self.location(), other.location()) {
            (Some(a), Some(b)) => match (fs::metadata(&a), fs::metadata(&b)) {
                (Ok(ma), Ok(mb)) => (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()),
                _ => a == b,
            },
            _ => false,
        }
    }

    /// Whether the file is `dir` or lies anywhere under it, however either is named.
    pub fn is_inside(&self, dir: &Path) -> bool {
        self.location().is_some_and(|p| is_inside(&p, dir))
    }

    /// The index the file would be written into, if any (see [`enclosing_index`]).
    pub fn index(&self) -> Option<PathBuf> {
        self.location().and_then(|p| enclosing_index(&p))
    }

    /// Whether writing here means replacing a regular file (or making one): the case where
    /// two outputs on one file would destroy each other.
    pub fn is_file(&self) -> bool {
        matches!(self, Dest::Replace(_))
    }

    /// Opens the destination for writing. A regular file gets a temporary file beside it,
    /// with its permissions; a file that exists but may not be written is refused, as `>`
    /// would refuse it.
    pub fn open(&self) -> anyhow::Result<Output> {
        match self {
            Dest::Stdout => Ok(Output {
                out: Sink::Stdout(io::stdout().lock()),
                temp: None,
            }),
            Dest::Through(path) => {
                // A regular file here is one of the process's own descriptors (/dev/stderr
                // sent to a log, `3>>file`): opened anew it would start at byte 0, so it is
                // appended to, never truncated, as writing to the descriptor itself would.
                let file = OpenOptions::new()
                    .write(true)
                    .append(fs::metadata(path).is_ok_and(|m| m.is_file()))
                    .open(path)
                    .with_context(|| format!("cannot open {} for writing", path.display()))?;
                Ok(Output {
                    out: Sink::File(BufWriter::new(file)),
                    temp: None,
                })
            }
            Dest::Replace(path) => {
                let existing = fs::metadata(path).ok();
                if existing.is_some() {
                    // Opening for writing, without truncating, changes nothing but tells
                    // whether the user may write the file.
                    OpenOptions::new()
                        .write(true)
                        .open(path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                let (file, temp) = TempFile::beside(path)?;
                if let Some(meta) = existing {
                    fs::set_permissions(&temp.tmp, meta.permissions()).with_context(|| {
                        format!("cannot set the permissions of {}", temp.tmp.display())
                    })?;
                }
                Ok(Output {
                    out: Sink::File(BufWriter::new(file)),
                    temp: Some(temp),
                })
            }
        }
    }
}

/// Whether `path` is `dir` or lies anywhere under it, however either is named: the
/// resolved locations are compared, and every existing folder on the way up by device and
/// inode (a bind mount or a second name for a folder).
pub fn is_inside(path: &Path, dir: &Path) -> bool {
    let location = absolute(path);
    let dir_abs = absolute(dir);
    let dir_id = fs::metadata(&dir_abs).ok().map(|m| (m.dev(), m.ino()));
    location.ancestors().any(|a| {
        a == dir_abs
            || dir_id.is_some_and(|id| fs::metadata(a).is_ok_and(|m| (m.dev(), m.ino()) == id))
    })
}

/// The tantivy index that `path` is, or lies inside, if any: a folder on the way up that
/// holds both `meta.json` and `.managed.json`, as every tantivy index does. This catches
/// indexes other than the one a command uses.
pub fn enclosing_index(path: &Path) -> Option<PathBuf> {
    absolute(path)
        .ancestors()
        .find(|dir| dir.join("meta.json").is_file() && dir.join(".managed.json").is_file())
        .map(Path::to_path_buf)
}

/// `path` with its symbolic links followed to the last one's target (the folders on the
/// way are left to the kernel). Stops at the process's own file-descriptor links.
fn follow_links(path: &Path) -> anyhow::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if fd_link(&path).is_some() {
            return Ok(path);
        }
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&path)
                    .with_context(|| format!("cannot read the link {}", path.display()))?;
                path = parent(&path).join(target);
            }
            _ => return Ok(path),
        }
    }
    bail!("too many levels of symbolic links")
}

/// The descriptor number when `path` is one of the process's own descriptor links
/// (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`).
fn fd_link(path: &Path) -> Option<u32> {
    let text = path.to_str()?;
    match text {
        "/dev/stdin" => return Some(0),
        "/dev/stdout" => return Some(1),
        "/dev/stderr" => return Some(2),
        _ => {}
    }
    let own = format!("/proc/{}/fd/", std::process::id());
    [
        "/dev/fd/",
        "/proc/self/fd/",
        "/proc/thread-self/fd/",
        own.as_str(),
    ]
    .iter()
    .find_map(|prefix| text.strip_prefix(prefix)?.parse().ok())
}

/// The folder holding `path` (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `path` made absolute, with the links and `..` of its longest existing ancestor
/// resolved and the rest (what does not exist yet) normalised by hand.
fn absolute(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut base = path;
    loop {
        if let Ok(canonical) = fs::canonicalize(if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        }) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(name) => out.push(name),
                    _ => {}
                }
            }
            return out;
        }
        match (base.parent(), base.components().next_back()) {
            (Some(up), Some(last)) => {
                rest.push(last);
                base = up;
            }
            _ => return std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    }
}

/// An open output; `finish` it to make the file final.
pub struct Output {
    out: Sink,
    temp: Option<TempFile>,
}

enum Sink {
    Stdout(io::StdoutLock<'static>),
    File(BufWriter<File>),
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Sink::Stdout(w) => w.write(buf),
            Sink::File(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.out {
            Sink::Stdout(w) => w.write_all(buf),
            Sink::File(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Sink::Stdout(w) => w.flush(),
            Sink::File(w) => w.flush(),
        }
    }
}

impl Output {
    /// Flushes everything written and, for a file to be replaced, puts it on disk; the
    /// result is made final by [`Staged::commit`]. Dropped instead (after an error), the
    /// temporary file is removed and the old file stays as it was.
    pub fn finish(mut self) -> anyhow::Result<Staged> {
        self.flush().context("writing the output")?;
        if let (Sink::File(w), Some(temp)) = (&self.out, &self.temp) {
            w.get_ref()
                .sync_all()
                .with_context(|| format!("writing {}", temp.tmp.display()))?;
        }
        Ok(Staged {
            temp: self.temp.take(),
        })
    }
}

/// Output that is complete and on disk, waiting to be renamed into place.
pub struct Staged {
    temp: Option<TempFile>,
}

impl Staged {
    /// Renames the temporary file over the target and makes the rename durable.
    pub fn commit(mut self) -> anyhow::Result<()> {
        if let Some(mut temp) = self.temp.take() {
            fs::rename(&temp.tmp, &temp.path)
                .with_context(|| format!("cannot move the output into {}", temp.path.display()))?;
            temp.done = true;
            // The rename is only durable once the folder is; some file systems cannot sync
            // a folder, which is no reason to fail.
            if let Ok(dir) = File::open(parent(&temp.path)) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

/// A temporary file beside its target, removed when dropped unless renamed into place.
struct TempFile {
    tmp: PathBuf,
    path: PathBuf,
    done: bool,
}

impl TempFile {
    /// Creates a new, uniquely named temporary file in the target's folder (a rename is
    /// only atomic within one file system). The name starts with a dot and ends in
    /// `.pqsearch-tmp`, so that one left by a killed run is easy to recognise.
    fn beside(path: &Path) -> anyhow::Result<(File, TempFile)> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = path.file_name().map_or_else(
            || "output".to_string(),
            |n| n.to_string_lossy().chars().take(100).collect(),
        );
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = parent(path).join(format!(".{name}.{}-{n}.pqsearch-tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(file) => {
                    let temp = TempFile {
                        tmp,
                        path: path.to_path_buf(),
                        done: false,
                    };
                    return Ok((file, temp));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "cannot create a temporary file in {} (to replace {} whole)",
                            parent(path).display(),
                            path.display()
                        )
                    })
                }
            }
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Writes a whole file through a temporary file and a rename, so that a killed run never
/// leaves half a file for a later reader (`generate` writes thousands of files this way, so
/// nothing is synced to disk: it is safe against a kill, not a power cut).
pub fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let (mut file, mut temp) = TempFile::beside(path)?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", temp.tmp.display()))?;
    drop(file);
    fs::rename(&temp.tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    temp.done = true;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_links_are_recognised() {
        assert_eq!(fd_link(Path::new("/dev/stdout")), Some(1));
        assert_eq!(fd_link(Path::new("/proc/self/fd/1")), Some(1));
        assert_eq!(fd_link(Path::new("/dev/fd/63")), Some(63));
        assert_eq!(fd_link(Path::new("/dev/null")), None);
        assert_eq!(fd_link(Path::new("/proc/self/fdx/1")), None);
    }

    #[test]
    fn dashes_null_and_folders() {
        assert_eq!(
            Dest::resolve(Path::new("-"), "--out").unwrap(),
            Dest::Stdout
        );
        assert_eq!(
            Dest::resolve(Path::new("/dev/null"), "--out").unwrap(),
            Dest::Through(PathBuf::from("/dev/null"))
        );
        let err = Dest::resolve(Path::new("/tmp"), "--out").unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
        let err = Dest::resolve(Path::new("/no/such/folder/x.csv"), "--out").unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn absolute_resolves_what_exists_and_normalises_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        let p = dir.path().join("new/../x.csv");
        assert_eq!(absolute(&p), real.join("x.csv"));
    }
}
