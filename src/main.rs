//! The `pqsearch` command: flags in, library calls, output and exit codes out.

mod cli;
mod cmd;

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;

use cmd::term::{self, say};
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
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return flag_error(err),
    };
    // A panic is reported below, once, as an error; the default report would print it too.
    std::panic::set_hook(Box::new(|_| {}));
    match catch_unwind(AssertUnwindSafe(|| cmd::run(cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) if is_broken_pipe(&err) => Exit::Found.into(),
        Ok(Err(err)) => {
            say!("pqsearch: error: {}", term::error_message(&err));
            Exit::Error.into()
        }
        Err(panic) => {
            let what = pqsearch::check::panic_message(panic.as_ref());
            let index = INDEX.lock().ok().and_then(|slot| slot.clone());
            match index {
                Some(dir) => say!(
                    "pqsearch: error: reading the index at {dir} failed ({what}); it is probably \
                     damaged: `pqsearch check --index {dir}` tells, and `pqsearch ingest --rebuild \
                     --index {dir}` builds it again from its sources",
                    dir = dir.display()
                ),
                None => say!("pqsearch: error: internal error: {what}"),
            }
            Exit::Error.into()
        }
    }
}

/// Prints what clap has to say (help, version, or a flag error) without panicking on a
/// closed stream, and without repeating a huge or control-laden argument in full.
fn flag_error(err: clap::Error) -> ExitCode {
    let code = err.exit_code();
    if err.use_stderr() {
        let plain = err.render().to_string();
        if plain.chars().count() > term::MAX_MESSAGE_LINE
            || plain.chars().any(|c| c.is_control() && c != '\n')
        {
            // Escaped and cut; clap's colours are dropped with the rest.
            term::stderr(format_args!("{plain}"));
        } else {
            let _ = err.print();
        }
    } else {
        // Help and version go to stdout; `pqsearch --help | head` is not an error.
        let _ = err.print();
        let _ = std::io::stdout().flush();
    }
    ExitCode::from(u8::try_from(code).unwrap_or(Exit::Error as u8))
}

/// `pqsearch ... | head` closes the pipe early; that is the reader's choice, not an error.
/// Library errors keep their sources, so the `io::Error` is somewhere in the chain.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
