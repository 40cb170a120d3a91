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
    Search(SearchArgs),
    Show(ShowArgs),
    Export(ExportArgs),
    Ingest(IngestArgs),
    Check(CheckArgs),
    Parse(ParseArgs),
    Generate(GenerateArgs),
}

/// Verify that an index is whole: every file's checksum, every stored record, the id index,
/// and the record count its last commit recorded.
///
/// Searches read only what they need, so a damaged file can go unnoticed by them; check
/// reads everything. It prints what it found, one problem a line. The cure for any problem
/// is `pqsearch ingest --rebuild`, which builds the index again from its sources.
///
/// Exit status: 0 when the index is whole, 2 when it is damaged or cannot be read.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {}

/// Write a synthetic scale corpus for benchmarks, recombined from a real one.
///
/// Each of the N questions takes its heading, department, date, minister and answer
/// paragraphs from the real records under --from, and joins the start of one real question
/// to the end of another, so that vocabulary and lengths stay realistic. The same --from,
/// N and --seed always give the same files. Pages go 1,000 to a folder; API JSON 1,000
/// questions to a file.
///
/// Example: pqsearch generate --from ../shared/corpus/api --n 100000 --out /tmp/scale-100k
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Real questions to recombine (files or folders in any input format).
    #[arg(long, value_name = "PATH", required = true)]
    pub from: Vec<PathBuf>,

    /// How many questions to write.
    #[arg(long, short = 'n', value_name = "N")]
    pub n: usize,

    /// The folder to write into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// pages (one file per question) or api (the API's list JSON).
    #[arg(long, value_enum, default_value_t = LayoutArg::Api)]
    pub layout: LayoutArg,

    /// The random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LayoutArg {
    Pages,
    Api,
}

/// The query syntax, shown in the help of every command that takes a query.
const QUERY_SYNTAX: &str = "\
Query syntax:
  school meals            every word must match, in the heading, question or answer;
                          plurals and possessives too (--stem light): school finds schools
  \"Online Safety Bill\"    the exact phrase: these words in this order, not stemmed
  nurs*                   words starting with nurs (3+ letters before *); also in phrases:
                          \"mental health nurs*\"
  \"nurses midwives\"~5     in this order, at most 5 other words between them
  NEAR(nurses midwives, 5) in any order, at most 5 other words between them (default 10)
  nurses OR midwives      either word; AND is implied between words
  NOT private, -private   leave out questions with that word
  (a OR b) c              parentheses group
  Only AND, OR and NOT in capitals are operators; \"and\" and \"or\" are searched as words.
Field prefixes (any case; before a word, \"phrase\" or (group)):
  heading:potholes        only in the heading (alias title:); also question: and answer:
  department:DHSC         the answering department: a short form as --department takes,
  dept:education          or words of its name
  by:dines  asked:smith   the answering / asking member's name; member: either
  uin:124967              the question with that UIN
  status:holding          answered, unanswered, holding or withdrawn
  house:lords             commons or lords
  tabled:2024-03..2024-06 asked in that period (YYYY, YYYY-MM or YYYY-MM-DD; A.., ..B)
  answered:2025           answered in that period
  *                       every question (with filters: pqsearch search '*' --department DfE)
Stemming (--stem): light (default) plurals and possessives: GP finds GPs, housing does not
find house; full: English stems as well (housing finds house, houses, housed); none: the
word exactly. Case and accents never matter: Turkiye finds Türkiye.";

/// Search the index: the best matches with highlighted snippets, and the total count.
///
/// Exit status: 0 when something matched, 1 when nothing did, 2 on error (such as a
/// query that cannot be parsed).
#[derive(Debug, clap::Args)]
#[command(after_help = QUERY_SYNTAX, after_long_help = format!("{QUERY_SYNTAX}\n\nExamples:\n  pqsearch search '\"Online Safety Bill\"'\n  pqsearch search 'potholes -London' --department DfT --from 2024-03 --sort newest\n  pqsearch search '*' --status holding --format json | jq '.hits[].heading'"))]
pub struct SearchArgs {
    /// What to search for (see the query syntax below). It may start with -, as in -word.
    #[arg(allow_hyphen_values = true)]
    pub query: String,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// How many matches to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// Skip this many matches first (for paging: --offset 10 shows 11-20).
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub offset: usize,

    /// text for people; json for scripts: one document with the total and each shown hit,
    /// full record included.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Highlight matches and headings with colour: auto (only at a terminal, and not when
    /// NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// Write every match (not a top-N) to CSV or JSON Lines, for spreadsheets, R and pandas.
#[derive(Debug, clap::Args)]
#[command(long_about = export_about(), after_help = QUERY_SYNTAX, after_long_help = format!("{QUERY_SYNTAX}\n\nExamples:\n  pqsearch export '\"Online Safety Act\"' --out osa.csv --bom\n  pqsearch export '*' --department DHSC --from 2025 --format jsonl > dhsc-2025.jsonl\n  pqsearch export --queries topics.txt --out topics.csv --meta topics.meta.json"))]
pub struct ExportArgs {
    /// What to search for (see the query syntax below); or use --queries.
    #[arg(
        allow_hyphen_values = true,
        required_unless_present = "queries",
        conflicts_with = "queries"
    )]
    pub query: Option<String>,

    /// Read one query per line from FILE (blank lines and lines starting with # are skipped)
    /// and export all their matches into one file, with a first column naming the query.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Write to FILE (replaced only once the export is complete) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// csv or jsonl (JSON Lines: one object per line with the same fields).
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Csv)]
    pub format: ExportFormatArg,

    /// Pick and order columns, e.g. --columns id,date_asked,heading,answer.
    #[arg(long, value_name = "A,B,C")]
    pub columns: Option<String>,

    /// Start the CSV with a UTF-8 byte-order mark, so that Excel reads accents and £ right.
    #[arg(long)]
    pub bom: bool,

    /// Also write a JSON note of what was exported (queries, filters, time of export,
    /// the index's last ingest, rows per query) to FILE.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
}

/// The long help of `export`, with the columns from the record's field table.
fn export_about() -> String {
    let mut columns = String::new();
    for f in pqsearch::fields::FIELDS {
        columns.push_str(&format!("\n  {:<23}{}", f.name, f.about));
    }
    format!(
        "Write every match (not a top-N) to CSV or JSON Lines, for spreadsheets, R and pandas.\n\n\
         The question and answer texts are written as the index holds them; CSV is RFC 4180, so \
         quotes, commas and line breaks inside answers read back exactly.\n\n\
         Columns, in order:{columns}\n  \
         rank, score, snippet   the match's place, its BM25 score, and its snippet (plain text)\n\n\
         A batch (--queries) adds a first column, query; a question matching several queries \
         appears once per query.\n\n\
         The same index and query always give the same bytes. --meta records the query, \
         filters, time of export and the index's last ingest beside the export.\n\n\
         Exit status: 0 when rows were written, 1 when nothing matched, 2 on error."
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Jsonl,
}

/// Filters and order shared by search and export.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only this answering department (repeat for several). Case-insensitive; a unique
    /// prefix or word, or a short form such as DHSC, DfE, MoD, FCDO, HMT, DfT.
    #[arg(long, value_name = "NAME")]
    pub department: Vec<String>,

    /// Only questions tabled in this House.
    #[arg(long, value_enum)]
    pub house: Option<HouseArg>,

    /// Only questions asked by a member whose name has these words.
    #[arg(long, value_name = "NAME")]
    pub asked_by: Option<String>,

    /// Only questions answered by a member whose name has these words.
    #[arg(long, value_name = "NAME")]
    pub answered_by: Option<String>,

    /// From this date on: YYYY, YYYY-MM or YYYY-MM-DD (the first day of it).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Up to this date: YYYY, YYYY-MM or YYYY-MM-DD (the last day of it, included).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Which date --from, --to and --sort newest|oldest use: asked, answered, or latest (the
    /// date answered, or asked while unanswered).
    #[arg(long, value_enum, default_value_t = DateArg::Asked, value_name = "WHICH")]
    pub date: DateArg,

    /// Only questions with this status.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,

    /// Order: relevance (best first), newest or oldest by the date --date names (date
    /// asked unless told otherwise; questions without that date come last).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,

    /// How plain words are widened: light (plurals and possessives: GP finds GPs), full
    /// (English stems: housing finds house) or none. Quoted phrases are always exact.
    #[arg(long, value_enum, default_value_t = StemArg::Light, value_name = "MODE")]
    pub stem: StemArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StemArg {
    Light,
    Full,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HouseArg {
    Commons,
    Lords,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateArg {
    Asked,
    Answered,
    Latest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    Answered,
    Unanswered,
    Holding,
    Withdrawn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

/// Print one whole record: heading, facts, the full question and answer.
///
/// ID is what search prints: <date asked>/<UIN> (2024-07-25/1830) or a 16-digit content id
/// for questions whose source gives no UIN. Exit status: 0 found, 1 no such id, 2 error.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The question's id.
    pub id: String,

    /// text for people; json for scripts (the record's fields).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
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
/// Bad files are reported and skipped; the rest are still ingested. A killed run (or a
/// full disk) leaves the index as it was at its last commit, and the next run completes
/// the work; an index whose first ingest stopped early is refused by searches, with a
/// message, until an ingest finishes it. Only one ingest may write to an index at a time;
/// searches keep working meanwhile.
///
/// --rebuild builds the index again from the files it was built from (listed beside it)
/// and any PATHs given, in a new folder, and swaps it in only when that succeeded: the cure
/// for a damaged index (see `pqsearch check`) or one built by another version.
///
/// Exit status: 0 when every file was ingested, 2 when any file was rejected or the
/// ingest failed.
///
/// Examples:
///   pqsearch ingest                         # the embedded corpus/ into index/
///   pqsearch ingest ~/pqs/api ~/pqs/pages --index ~/pqs/index
///   pqsearch ingest --rebuild --index ~/pqs/index
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Files or directories to ingest [default: corpus/, or with --rebuild: none beyond the
    /// index's own sources].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Build the index again from its sources and swap it in atomically.
    #[arg(long)]
    pub rebuild: bool,

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
