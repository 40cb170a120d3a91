//! One module per subcommand, each with `run(args) -> anyhow::Result<ExitCode>`.

mod check;
mod export;
pub(crate) mod facets;
mod generate;
pub(crate) mod info;
mod ingest;
mod output;
mod parse;
pub(crate) mod search;
mod serve;
pub(crate) mod show;
mod stats;
mod sync;
pub mod term;
pub(crate) mod trend;

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
        Command::Serve(args) => serve::run(args, index.as_deref()),
        Command::Facets(args) => facets::run(args, index.as_deref()),
        Command::Trend(args) => trend::run(args, index.as_deref()),
        Command::Stats(args) => stats::run(args, index.as_deref()),
        Command::Info(args) => info::run(args, index.as_deref()),
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
        follow_renames: args.follow_renames,
        house: args.house.map(|h| match h {
            HouseArg::Commons => House::Commons,
            HouseArg::Lords => House::Lords,
        }),
        asked_by: args.asked_by.clone(),
        answered_by: args.answered_by.clone(),
        asked_by_id: args.asked_by_id,
        answered_by_id: args.answered_by_id,
        party: args.party.clone(),
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

/// The query and filters of a counting command, as a search request.
pub fn request(query: &str, args: &FilterArgs) -> anyhow::Result<pqsearch::search::SearchRequest> {
    let mut request = pqsearch::search::SearchRequest::new(query);
    request.filters = filters(args)?;
    request.stem = stem(args.stem);
    Ok(request)
}

/// The request in words, for the first line of a table: `"SEND" (department DfE, from
/// 2025-01-01)`, or `every question`.
pub fn describe(request: &pqsearch::search::SearchRequest) -> String {
    let f = &request.filters;
    let mut parts: Vec<String> = Vec::new();
    if !f.departments.is_empty() {
        let renames = if f.follow_renames {
            " and its earlier names"
        } else {
            ""
        };
        parts.push(format!(
            "department {}{renames}",
            f.departments.join(" or ")
        ));
    }
    if let Some(h) = f.house {
        parts.push(format!("House {h}"));
    }
    if let Some(s) = f.status {
        parts.push(format!("status {}", format!("{s:?}").to_lowercase()));
    }
    if let Some(id) = f.asked_by_id {
        parts.push(format!("asked by member {id}"));
    }
    if let Some(id) = f.answered_by_id {
        parts.push(format!("answered by member {id}"));
    }
    if let Some(n) = &f.asked_by {
        parts.push(format!("asked by {n}"));
    }
    if let Some(n) = &f.answered_by {
        parts.push(format!("answered by {n}"));
    }
    if let Some(p) = &f.party {
        parts.push(format!("party {p}"));
    }
    let date = date_word(f.date_field);
    if let Some(d) = f.from {
        parts.push(format!("{date} from {d}"));
    }
    if let Some(d) = f.to {
        parts.push(format!("{date} up to {d}"));
    }
    let what = if request.query.trim() == "*" {
        "every question".to_string()
    } else {
        quote_query(&request.query)
    };
    let text = if parts.is_empty() {
        what
    } else {
        format!("{what} ({})", parts.join(", "))
    };
    term::escape(&text, false).into_owned()
}

/// A query quoted as a shell would take it back: a phrase keeps its double quotes.
pub fn quote_query(query: &str) -> String {
    let q = query.trim();
    if q.contains('"') {
        format!("'{q}'")
    } else {
        format!("\"{q}\"")
    }
}

pub fn date_word(date: DateField) -> &'static str {
    date.as_str()
}

/// With --follow-renames, says on stderr which other names the department filter took in,
/// and which splits it did not follow.
pub fn note_renames(engine: &Engine, filters: &Filters) -> anyhow::Result<()> {
    for note in rename_notes(engine, filters)? {
        say!("pqsearch: --follow-renames: {note}");
    }
    Ok(())
}

/// What following renames took in, a line per department (none without follow_renames).
pub fn rename_notes(engine: &Engine, filters: &Filters) -> Result<Vec<String>, IndexError> {
    let mut notes = Vec::new();
    if !filters.follow_renames {
        return Ok(notes);
    }
    let known = engine.departments()?;
    for wanted in &filters.departments {
        let Ok(name) = pqsearch::search::resolve_department(wanted, &known) else {
            continue;
        };
        let lineage = pqsearch::departments::lineage(&name);
        let others: Vec<&str> = lineage
            .names
            .iter()
            .filter(|n| **n != name && known.contains(*n))
            .map(|s| s.as_str())
            .collect();
        if others.is_empty() {
            notes.push(format!("{name} has no other name in this index"));
        } else {
            let changes: Vec<String> = lineage.followed.iter().map(|c| c.describe()).collect();
            notes.push(format!(
                "{name} also counts {} ({})",
                others.join("; "),
                changes.join("; ")
            ));
        }
        for split in &lineage.splits {
            notes.push(format!(
                "not followed: {} (a split: no one successor answers for the whole)",
                split.describe()
            ));
        }
    }
    Ok(notes)
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A name cut to `max` characters with an ellipsis, for table columns.
/// Texts come from the data, so control characters are escaped first (`term::escape`).
pub fn fit(text: &str, max: usize) -> String {
    let text = term::escape(text, false);
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
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
