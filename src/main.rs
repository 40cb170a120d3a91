//! The `pqsearch` command: flags in, library calls, output and exit codes out.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

use cmd::Exit;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => Exit::Found.into(),
        Err(err) => {
            eprintln!("pqsearch: error: {err:#}");
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
