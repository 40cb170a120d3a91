//! The `pqsearch` command: flags in, library calls, output and exit codes out.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pqsearch: error: {err:#}");
            ExitCode::from(cmd::EXIT_ERROR)
        }
    }
}

/// `pqsearch ... | head` closes the pipe early; that is the reader's choice, not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use pqsearch::export::ExportError;
    err.chain().any(|e| {
        let io =
            e.downcast_ref::<std::io::Error>()
                .or_else(|| match e.downcast_ref::<ExportError>() {
                    Some(ExportError::Io(io)) => Some(io),
                    Some(ExportError::Csv(csv)) => match csv.kind() {
                        csv::ErrorKind::Io(io) => Some(io),
                        _ => None,
                    },
                    _ => None,
                });
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
