//! The `pqsearch` command: flags in, library calls, output and exit codes out.

mod cli;
mod cmd;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;

use cmd::Exit;

/// The index the running command reads or writes, for the message when something breaks
/// inside the index layer.
static INDEX: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Notes which index the command works on.
pub fn note_index(dir: &Path) {
    if let Ok(mut slot) = INDEX.lock() {
        *slot = Some(dir.to_path_buf());
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // A panic is reported below, once, as an error; the default report would print it too.
    std::panic::set_hook(Box::new(|_| {}));
    match catch_unwind(AssertUnwindSafe(|| cmd::run(cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) if is_broken_pipe(&err) => Exit::Found.into(),
        Ok(Err(err)) => {
            eprintln!("pqsearch: error: {err:#}");
            Exit::Error.into()
        }
        Err(panic) => {
            let what = pqsearch::check::panic_message(panic.as_ref());
            let index = INDEX.lock().ok().and_then(|slot| slot.clone());
            match index {
                Some(dir) => eprintln!(
                    "pqsearch: error: reading the index at {dir} failed ({what}); it is probably \
                     damaged: `pqsearch check --index {dir}` tells, and `pqsearch ingest --rebuild \
                     --index {dir}` builds it again from its sources",
                    dir = dir.display()
                ),
                None => eprintln!("pqsearch: error: internal error: {what}"),
            }
            Exit::Error.into()
        }
    }
}

/// `pqsearch ... | head` closes the pipe early; that is the reader's choice, not an error.
/// Library errors keep their sources, so the `io::Error` is somewhere in the chain.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
