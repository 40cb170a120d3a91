//! One module per subcommand, each with `run(args) -> anyhow::Result<ExitCode>`.

mod parse;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Something matched or every input was handled.
pub const EXIT_OK: u8 = 0;
/// Nothing matched or there was nothing to do.
pub const EXIT_NOTHING: u8 = 1;
/// An error: bad input, a bad query, an unusable index.
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse(args) => parse::run(args),
    }
}
