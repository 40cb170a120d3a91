//! One module per subcommand, each with `run(args) -> anyhow::Result<ExitCode>`.

mod export;
mod generate;
mod ingest;
mod parse;
mod search;
mod show;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pqsearch::index::{IndexError, PqIndex};
use pqsearch::ingest::IngestOptions;

use pqsearch::record::{Date, House, Status};
use pqsearch::search::{self as search_lib, DateField, Filters, Sort};

use crate::cli::{
    Cli, Command, DateArg, FilterArgs, HouseArg, SortArg, StatusArg, DEFAULT_CORPUS, DEFAULT_INDEX,
};

/// Something matched or every input was handled.
pub const EXIT_OK: u8 = 0;
/// Nothing matched or there was nothing to do.
pub const EXIT_NOTHING: u8 = 1;
/// An error: bad input, a bad query, an unusable index.
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let index_dir = cli
        .index
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
    match cli.command {
        Command::Search(args) => search::run(args, cli.index.as_deref()),
        Command::Show(args) => show::run(args, cli.index.as_deref()),
        Command::Export(args) => export::run(args, cli.index.as_deref()),
        Command::Ingest(args) => ingest::run(args, index_dir),
        Command::Parse(args) => parse::run(args),
        Command::Generate(args) => generate::run(args),
    }
}

/// Opens the index for reading. On a first run (no index at the default location, which
/// the user did not choose) it is built from the embedded corpus, so that a fresh checkout
/// can search at once.
pub fn open_index(explicit: Option<&Path>) -> anyhow::Result<PqIndex> {
    let dir = explicit.unwrap_or(Path::new(DEFAULT_INDEX));
    match PqIndex::open(dir) {
        Err(IndexError::Missing(_)) if explicit.is_none() && Path::new(DEFAULT_CORPUS).is_dir() => {
            eprintln!(
                "pqsearch: no index yet; building {DEFAULT_INDEX}/ from {DEFAULT_CORPUS}/ first"
            );
            let opts = IngestOptions::new(vec![PathBuf::from(DEFAULT_CORPUS)], dir.to_path_buf());
            let report = ingest::run_with_progress(&opts)?;
            eprint!("{}", ingest::summary(&report, &opts));
            Ok(PqIndex::open(dir)?)
        }
        other => Ok(other?),
    }
}

/// Filter flags as library filters.
pub fn filters(args: &FilterArgs) -> anyhow::Result<Filters> {
    let span = |flag: &str, text: &Option<String>| -> anyhow::Result<Option<(Date, Date)>> {
        text.as_deref()
            .map(|t| search_lib::parse_date_span(t).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
            .transpose()
    };
    Ok(Filters {
        departments: args.department.clone(),
        house: args.house.map(|h| match h {
            HouseArg::Commons => House::Commons,
            HouseArg::Lords => House::Lords,
        }),
        asked_by: args.asked_by.clone(),
        answered_by: args.answered_by.clone(),
        from: span("from", &args.from)?.map(|(first, _)| first),
        to: span("to", &args.to)?.map(|(_, last)| last),
        date_field: match args.date {
            DateArg::Asked => DateField::Asked,
            DateArg::Answered => DateField::Answered,
        },
        status: args.status.map(|s| match s {
            StatusArg::Answered => Status::Answered,
            StatusArg::Unanswered => Status::Unanswered,
            StatusArg::Holding => Status::Holding,
            StatusArg::Withdrawn => Status::Withdrawn,
        }),
    })
}

pub fn sort(arg: SortArg) -> Sort {
    match arg {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Newest => Sort::Newest,
        SortArg::Oldest => Sort::Oldest,
    }
}
