//! Command-line flags (clap derive). Each subcommand's flags become library types in its
//! `cmd` module before any work is done.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Full-text search for UK parliamentary written questions and answers.
///
/// Build an index from question pages, listing pages or the written-questions API JSON,
/// then search it with phrases, boolean operators and filters, and export every match.
#[derive(Debug, Parser)]
#[command(
    name = "pqsearch",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Parse(ParseArgs),
}

/// Parse files and print one JSON record per question (JSON Lines) - what ingest will see.
///
/// The format of each file is detected from its content: a page with one question (as on
/// the seed page), a listing page with several "Written Question" blocks, or the official
/// written-questions API JSON. Directories are walked recursively, skipping hidden files
/// and *.md notes.
///
/// Bad files are reported on stderr with the file, line and reason; the others are still
/// printed. Exit status: 0 when every file parsed, 1 when no file was found, 2 when any
/// file failed.
///
/// Example: pqsearch parse corpus/ | jq -r .heading
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// Files or directories to parse.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub paths: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
