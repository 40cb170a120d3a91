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
    /// The index directory [default: index/, or $PQSEARCH_INDEX]. When the default index
    /// does not exist yet and ./corpus exists, search, show and export build it first.
    #[arg(long, global = true, env = "PQSEARCH_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the index lives when neither --index nor $PQSEARCH_INDEX says.
pub const DEFAULT_INDEX: &str = "index";
/// The embedded corpus a first run builds the default index from.
pub const DEFAULT_CORPUS: &str = "corpus";

#[derive(Debug, Subcommand)]
pub enum Command {
    Ingest(IngestArgs),
    Parse(ParseArgs),
}

/// Build or update the index from question files (pages, listing pages, API JSON).
///
/// Directories are walked recursively (hidden files and *.md notes are skipped) and each
/// file's format is detected from its content. Ingesting is idempotent and incremental:
/// files unchanged since the last ingest are skipped without parsing; a question seen again
/// with new content (an answer arrived, a correction) replaces its old version; a page and
/// the API record of the same question (same date asked and question text) become one
/// record that combines both.
///
/// Bad files are reported and skipped; the rest are still ingested. A killed run leaves the
/// index as it was at its last commit, and the next run completes the work. Only one ingest
/// may write to an index at a time; searches keep working meanwhile.
///
/// Exit status: 0 when every file was ingested, 2 when any file was rejected or the
/// ingest failed.
///
/// Examples:
///   pqsearch ingest                         # the embedded corpus/ into index/
///   pqsearch ingest ~/pqs/api ~/pqs/pages --index ~/pqs/index
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Files or directories to ingest [default: corpus/].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Parser threads [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// The writer's memory budget in MB; larger is faster, up to a point.
    #[arg(long, value_name = "MB", default_value_t = 200)]
    pub memory_mb: usize,

    /// Commit after this many records, so that a long run keeps its progress if killed.
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub commit_every: usize,
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
