//! One module per subcommand, each with `run(args) -> anyhow::Result<ExitCode>`.

mod check;
mod export;
mod generate;
mod ingest;
mod output;
mod parse;
mod search;
mod show;
mod sync;
pub mod term;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pqsearch::date::Span;
use pqsearch::engine::Engine;
use pqsearch::index::IndexError;
use pqsearch::ingest::IngestOptions;
use pqsearch::record::House;
use pqsearch::search::{DateField, Filters, Sort, StatusFilter};

use self::term::say;
use crate::cli::{
    Cli, Command, DateArg, FilterArgs, HouseArg, SortArg, StatusArg, StemArg, DEFAULT_CORPUS,
    DEFAULT_INDEX,
};

/// Exit statuses a script can trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Something matched, or every input was handled.
    Found = 0,
    /// Nothing matched, or there was nothing to do.
    Nothing = 1,
    /// An error: bad input, a bad query, an unusable index.
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

impl Exit {
    /// Found when `n` is above zero, Nothing otherwise.
    pub fn found_if(n: usize) -> ExitCode {
        if n > 0 { Exit::Found } else { Exit::Nothing }.into()
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let index = cli.chosen_index();
    let index_dir = index
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
    match cli.command {
        Command::Search(args) => search::run(args, index.as_deref()),
        Command::Show(args) => show::run(args, index.as_deref()),
        Command::Export(args) => export::run(args, index.as_deref()),
        Command::Ingest(args) => ingest::run(args, index_dir),
        Command::Sync(args) => sync::run(args, index_dir),
        Command::Check(_) => check::run(&index_dir),
        Command::Parse(args) => parse::run(args),
        Command::Generate(args) => generate::run(args, &index_dir),
    }
}

/// Opens the index for reading. On a first run (no index at the default location, which
/// the user did not choose) it is built from the embedded corpus, so that a fresh checkout
/// can search at once.
pub fn open_engine(explicit: Option<&Path>) -> anyhow::Result<Engine> {
    let dir = explicit.unwrap_or(Path::new(DEFAULT_INDEX));
    crate::note_index(dir);
    match Engine::open(dir) {
        Err(e @ (IndexError::Missing(_) | IndexError::Unfinished { .. }))
            if explicit.is_none() && Path::new(DEFAULT_CORPUS).is_dir() =>
        {
            if matches!(e, IndexError::Missing(_)) {
                say!("pqsearch: no index yet; building {DEFAULT_INDEX}/ from {DEFAULT_CORPUS}/ first");
            } else {
                say!(
                    "pqsearch: the first build of {DEFAULT_INDEX}/ was interrupted; finishing it \
                     from {DEFAULT_CORPUS}/"
                );
            }
            let opts = IngestOptions::new(vec![PathBuf::from(DEFAULT_CORPUS)], dir.to_path_buf());
            let report = ingest::run_with_progress(&opts)?;
            term::stderr(format_args!("{}", ingest::summary(&report, &opts)));
            Ok(Engine::open(dir)?)
        }
        other => Ok(other?),
    }
}

/// Filter flags as library filters.
pub fn filters(args: &FilterArgs) -> anyhow::Result<Filters> {
    let span = |flag: &str, text: &Option<String>| -> anyhow::Result<Option<Span>> {
        text.as_deref()
            .map(|t| Span::parse(t).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
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
        asked_by_id: args.asked_by_id,
        answered_by_id: args.answered_by_id,
        from: span("from", &args.from)?.map(|s| s.first),
        to: span("to", &args.to)?.map(|s| s.last),
        date_field: match args.date {
            DateArg::Asked => DateField::Asked,
            DateArg::Answered => DateField::Answered,
            DateArg::Latest => DateField::Latest,
        },
        status: args.status.map(|s| match s {
            StatusArg::Answered => StatusFilter::Answered,
            StatusArg::Unanswered => StatusFilter::Unanswered,
            StatusArg::Holding => StatusFilter::Holding,
            StatusArg::Withdrawn => StatusFilter::Withdrawn,
            StatusArg::Overdue => StatusFilter::Overdue,
        }),
    })
}

pub fn stem(arg: StemArg) -> pqsearch::words::Stem {
    use pqsearch::words::Stem;
    match arg {
        StemArg::Light => Stem::Light,
        StemArg::Full => Stem::Full,
        StemArg::None => Stem::None,
    }
}

pub fn sort(arg: SortArg) -> Sort {
    match arg {
        SortArg::Relevance => Sort::Relevance,
        SortArg::Newest => Sort::Newest,
        SortArg::Oldest => Sort::Oldest,
    }
}
