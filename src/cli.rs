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
    /// The index directory [default: $PQSEARCH_INDEX when set and not empty, else index/].
    /// When the default index does not exist yet and ./corpus exists, search, show and
    /// export build it first.
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the index lives when neither --index nor $PQSEARCH_INDEX says.
pub const DEFAULT_INDEX: &str = "index";
/// The embedded corpus a first run builds the default index from.
pub const DEFAULT_CORPUS: &str = "corpus";
/// The environment variable that names the index when --index does not.
pub const INDEX_ENV: &str = "PQSEARCH_INDEX";

impl Cli {
    /// The index the user chose: --index, else $PQSEARCH_INDEX unless it is empty (an
    /// empty variable is the shell's way of saying "unset", not a directory named "").
    pub fn chosen_index(&self) -> Option<PathBuf> {
        self.index.clone().or_else(|| {
            std::env::var_os(INDEX_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
    }
}

/// The most matches one page of `search` may show or skip. Beyond it the page would only
/// cost memory (tantivy keeps room for twice limit + offset hits); `export` writes every
/// match without it.
pub const MAX_PAGE: usize = 1_000_000;
/// The most questions `generate` writes (about 8 GB of pages).
pub const MAX_GENERATE: usize = 10_000_000;
/// The writer's memory budget, in MB: tantivy needs 15 MB per thread and takes under 4 GB
/// per thread, and the budget is shared by up to 8 threads.
pub const MEMORY_MB: std::ops::RangeInclusive<usize> = 15..=4000;
/// Parser threads: beyond this the threads only wait on the writer.
pub const MAX_THREADS: usize = 256;

/// A whole number in `range`, or a message that gives the range (clap prints it after
/// "invalid value ... for '--flag'", exits 2).
fn bounded(
    text: &str,
    range: std::ops::RangeInclusive<usize>,
    hint: &str,
) -> Result<usize, String> {
    let out_of_range = || format!("must be from {} to {}{hint}", range.start(), range.end());
    let n: usize = text
        .trim()
        .parse()
        .map_err(|e: std::num::ParseIntError| match e.kind() {
            std::num::IntErrorKind::PosOverflow => out_of_range(),
            _ => format!("not a whole number ({e})"),
        })?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(out_of_range())
    }
}

fn page_limit(text: &str) -> Result<usize, String> {
    bounded(text, 0..=MAX_PAGE, "; export writes every match")
}

fn page_offset(text: &str) -> Result<usize, String> {
    bounded(text, 0..=MAX_PAGE, "; narrow the search, or use export")
}

fn generate_count(text: &str) -> Result<usize, String> {
    bounded(
        text,
        1..=MAX_GENERATE,
        " (10 million questions are about 8 GB)",
    )
}

fn memory_mb(text: &str) -> Result<usize, String> {
    bounded(text, MEMORY_MB, "")
}

fn threads(text: &str) -> Result<usize, String> {
    bounded(text, 1..=MAX_THREADS, "")
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Search(SearchArgs),
    Show(ShowArgs),
    Export(ExportArgs),
    Ingest(IngestArgs),
    Sync(SyncArgs),
    Check(CheckArgs),
    Parse(ParseArgs),
    Generate(GenerateArgs),
    Serve(ServeArgs),
    Facets(FacetsArgs),
    Trend(TrendArgs),
    Stats(StatsArgs),
    Info(InfoArgs),
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

    /// How many questions to write (at most 10,000,000).
    #[arg(long, short = 'n', value_name = "N", value_parser = generate_count)]
    pub n: usize,

    /// The folder to write into (created if needed; not inside --from, nor an index).
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
pub(crate) const QUERY_SYNTAX: &str = "\
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
  status:holding          answered, unanswered, holding, withdrawn or overdue
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

    /// How many matches to show (at most 1,000,000; export writes every match).
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N", value_parser = page_limit)]
    pub limit: usize,

    /// Skip this many matches first (for paging: --offset 10 shows 11-20; at most
    /// 1,000,000).
    #[arg(long, default_value_t = 0, value_name = "K", value_parser = page_offset)]
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

    /// Read one query per line from FILE (- is stdin; blank lines and lines starting with #
    /// are skipped) and export all their matches into one file, with a first column naming
    /// the query.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Write to FILE instead of stdout (- is stdout). A file is replaced only once the
    /// export is complete; a link is followed to its file; a pipe or a device such as
    /// /dev/null is written through. Refused: a folder, anything inside the index, the
    /// --queries file.
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

    /// For CSV opened in a spreadsheet: put an apostrophe before any cell that starts with
    /// = + - @ (after spaces), a tab, a CR or a line break, so that Excel, LibreOffice and
    /// Google Sheets show it as text instead of running it as a formula. The apostrophe is
    /// hidden there but is part of the cell for other readers; without this flag cells are
    /// written exactly.
    #[arg(long)]
    pub excel_safe: bool,

    /// Also write a JSON note of what was exported (queries, filters, time of export,
    /// the index's last ingest, rows per query) to FILE, replaced like --out and only
    /// together with it. It may not be the --out file.
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
         quotes, commas and line breaks inside answers read back exactly. Where the source \
         held only the start of a text (the API's list endpoint cuts answers at 255 \
         characters), question_cut or answer_cut is true and url links to the whole text; \
         a member known only by id has an empty name and its id.\n\n\
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
    /// prefix or word, or a short form such as DHSC, DfE, MoD, FCDO, HMT, DfT, Foreign Office.
    #[arg(long, value_name = "NAME")]
    pub department: Vec<String>,

    /// With --department: also its other names across renames and merges (MHCLG also finds
    /// the questions to DLUHC, FCDO those to the FCO and DFID). Splits are not followed.
    #[arg(long, requires = "department")]
    pub follow_renames: bool,

    /// Only questions tabled in this House.
    #[arg(long, value_enum)]
    pub house: Option<HouseArg>,

    /// Only questions asked by a member whose name has these words.
    #[arg(long, value_name = "NAME")]
    pub asked_by: Option<String>,

    /// Only questions answered by a member whose name has these words.
    #[arg(long, value_name = "NAME")]
    pub answered_by: Option<String>,

    /// Only questions asked by the member with this Parliament member id (as in the
    /// asked_by_id column; it also finds questions whose member's name is not known).
    #[arg(long, value_name = "N")]
    pub asked_by_id: Option<u32>,

    /// Only questions answered by the member with this Parliament member id.
    #[arg(long, value_name = "N")]
    pub answered_by_id: Option<u32>,

    /// Only questions asked by members of this party, as the index names it: Labour,
    /// Conservative, Liberal Democrat... (any case; `pqsearch facets '*' --by party` lists
    /// them). Questions whose asker is not named have no party.
    #[arg(long, value_name = "NAME")]
    pub party: Option<String>,

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

    /// Only questions with this status. overdue: unanswered and due (date_due) before the
    /// newest date in the index, which is a snapshot of its sources.
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
    Overdue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

/// text for people, csv or json for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Text,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FacetArg {
    Department,
    #[value(name = "asked_by", alias = "asked-by")]
    AskedBy,
    #[value(name = "answered_by", alias = "answered-by")]
    AnsweredBy,
    Party,
    House,
    Status,
    Year,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitArg {
    Department,
    Party,
    House,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsByArg {
    Department,
    Month,
    #[value(name = "answered_by", alias = "answered-by")]
    AnsweredBy,
}

const COUNT_NOTE: &str = "\
Counts come from the index, for exactly the questions `pqsearch search` finds with the same
query and filters; `pqsearch info` shows what the index covers. Years and months are of the
date --date names (asked, unless told).";

/// Count the matches of a search by department, member, party, House, status, year or month.
///
/// Each --by prints a table of values and how many matching questions have each, largest
/// first. With --format csv the columns are field,value,count; rows "(other)" (values left
/// out by --top) and "(none)" (questions without a value) keep each field's rows adding up
/// to the total.
///
/// Exit status: 0 when something matched, 1 when nothing did, 2 on error.
#[derive(Debug, clap::Args)]
#[command(mut_arg("sort", |a| a.hide(true)), after_help = COUNT_NOTE, after_long_help = format!("{COUNT_NOTE}\n\n{QUERY_SYNTAX}\n\nExamples:\n  pqsearch facets SEND --by department --top 5\n  pqsearch facets '\"net zero\"' --by department --by year --format csv\n  pqsearch facets '*' --by department --merge-renames"))]
pub struct FacetsArgs {
    /// What to search for (see `pqsearch search --help`); every question when left out.
    #[arg(allow_hyphen_values = true, default_value = "*")]
    pub query: String,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// The field to count by (repeat for several).
    #[arg(long, value_enum, required = true, value_name = "FIELD")]
    pub by: Vec<FacetArg>,

    /// Show only the N largest values of each field.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Count renamed and merged departments under their newest name (DLUHC as MHCLG).
    #[arg(long)]
    pub merge_renames: bool,

    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

/// How many matches each month or year: a table and a bar chart, CSV, JSON or an SVG chart.
///
/// Every period from the first to the last the index covers is shown, empty ones as 0. Beside
/// each count is the number of questions the index holds for the period ("in index"): a
/// period with none is a gap in the data, not a fall in interest, and is marked so, as are
/// periods the index covers only in part. With --format csv the columns are
/// period,count,indexed, or period,series,count,indexed with --split.
///
/// Exit status: 0 when something matched, 1 when nothing did, 2 on error.
#[derive(Debug, clap::Args)]
#[command(mut_arg("sort", |a| a.hide(true)), after_help = COUNT_NOTE, after_long_help = format!("{COUNT_NOTE}\n\n{QUERY_SYNTAX}\n\nExamples:\n  pqsearch trend SEND --svg send.svg\n  pqsearch trend '\"asylum hotels\"' --by year --split department --format csv"))]
pub struct TrendArgs {
    /// What to search for (see `pqsearch search --help`); every question when left out.
    #[arg(allow_hyphen_values = true, default_value = "*")]
    pub query: String,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// The period to count by.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub by: PeriodArg,

    /// Count each department, party or House separately.
    #[arg(long, value_enum, value_name = "FIELD")]
    pub split: Option<SplitArg>,

    /// With --split: show the N largest series and sum the rest as "other" [default: 5 in
    /// text, all in CSV and JSON].
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// With --split department: renamed and merged departments as one (DLUHC as MHCLG).
    #[arg(long)]
    pub merge_renames: bool,

    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,

    /// Also draw the trend as an SVG chart into FILE (title, axes, legend, and the index's
    /// coverage), for a report.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// Answer performance: how many questions were answered, how fast, how many on time, how
/// many overdue, for the matches of a search, whole or per department, month or minister.
///
/// Columns: questions; answered (with a date answered); the median and 90th-percentile days
/// from tabled to answered (nearest rank: days some answer took); on-time shares (answered by
/// the due date, ordinary and named-day questions apart); holding (a holding answer so far);
/// overdue (unanswered and due before the index's newest date). With --format csv:
/// group,questions,answered,median_days,p90_days,on_time_share,named_day_on_time_share,holding,overdue,
/// with shares as fractions (0.8320).
///
/// Exit status: 0 when something matched, 1 when nothing did, 2 on error.
#[derive(Debug, clap::Args)]
#[command(mut_arg("sort", |a| a.hide(true)), after_help = COUNT_NOTE, after_long_help = format!("{COUNT_NOTE}\n\n{QUERY_SYNTAX}\n\nExamples:\n  pqsearch stats --department DHSC\n  pqsearch stats '*' --by department --format csv\n  pqsearch stats SEND --by month --from 2025"))]
pub struct StatsArgs {
    /// What to search for (see `pqsearch search --help`); every question when left out.
    #[arg(allow_hyphen_values = true, default_value = "*")]
    pub query: String,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Figures per department, month or answering member, beside the figures for all.
    #[arg(long, value_enum, value_name = "GROUP")]
    pub by: Option<StatsByArg>,

    /// Show only the N largest groups (months are never cut).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// With --by department: renamed and merged departments as one (DLUHC as MHCLG).
    #[arg(long)]
    pub merge_renames: bool,

    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    pub format: TableFormat,
}

/// What the index covers: questions per month and per House, first and last dates, gaps in
/// the data, and when it was last ingested. The denominator of every count.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// text for people; json for scripts.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Print one whole record: heading, facts, the full question and answer.
///
/// ID is what search prints: <date asked>/<UIN> (2024-07-25/1830) or a 16-digit content id
/// for questions whose source gives no UIN. A UIN alone (1830) shows the question with that
/// UIN, or lists them all when several have it (UINs restart each parliamentary session).
/// A member known only by id is shown as "member 1506"; a text the source cut short says
/// so, with the link to the full text. Exit status: 0 found, 1 no such id, 2 error.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The question's id, or its UIN.
    pub id: String,

    /// text for people; json for scripts (the record's fields).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Build or update the index from question files (pages, listing pages, API JSON) and
/// Members API files.
///
/// Directories are walked recursively (hidden files and *.md notes are skipped) and each
/// file's format is detected from its content. Members files (the Members API's search
/// response or one member) fill a members table beside the index: every question that names
/// a member only by id then carries that member's name, party and constituency, whatever
/// the order of ingest; names given by the sources themselves win. Ingesting is idempotent
/// and incremental:
/// files unchanged since the last ingest are skipped without parsing; a question seen again
/// with new content (an answer arrived, a correction) replaces its old version; a page and
/// the API record of the same question (same date asked and question text) become one
/// record that combines both.
///
/// Bad files are reported and skipped; the rest are still ingested. In a file of several
/// questions (API JSON, a listing page), a bad question is reported with its position and
/// line, and the others are ingested. A page without its closing line was cut short: its
/// answer is flagged answer_cut and never replaces a fuller one, and a page cut before its
/// answer is rejected. A killed run (or a full disk) leaves the index as it was at its last
/// commit, and the next run completes the work; an index whose first ingest stopped early
/// is refused by searches, with a message, until an ingest finishes it. Only one ingest may
/// write to an index at a time; searches keep working meanwhile.
///
/// --rebuild builds the index again from the files it was built from (listed beside it)
/// and any PATHs given, in a new folder, and swaps it in only when that succeeded: the cure
/// for a damaged index (see `pqsearch check`) or one built by another version.
///
/// Exit status: 0 when every file was ingested, 2 when any file or question was rejected
/// or the ingest failed.
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

    /// Parser threads [default: the number of cores; at most 256].
    #[arg(long, value_name = "N", value_parser = threads)]
    pub threads: Option<usize>,

    /// The writer's memory budget in MB, from 15 to 4000; larger is faster, up to a point.
    #[arg(long, value_name = "MB", default_value_t = 200, value_parser = memory_mb)]
    pub memory_mb: usize,

    /// Commit after this many records, so that a long run keeps its progress if killed.
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub commit_every: usize,
}

/// Bring the index up to date from the official written-questions API (the one command
/// that needs the network).
///
/// Fetches everything tabled, answered or corrected since --since (by default: since the
/// last complete sync began, or the newest date in the index), 100 questions a request,
/// with the members' names; fetches again whole every answer or question the list cut
/// short or flattened (the list strips answers' paragraphs and tables, so every answered
/// question is read whole); and asks the Members API for members the index cannot name. Everything is
/// merged exactly as `ingest` merges files. Every response is kept (by default in the
/// index's sync/ folder) as a file `ingest` reads, so a sync can be replayed and
/// `ingest --rebuild` restores synced records.
///
/// It is polite: a User-Agent naming pqsearch, at most --rate requests a second, a timeout
/// on each, and patient retries (waiting as long as a 429's Retry-After asks). A sync that
/// is killed loses nothing committed; the next run starts again from the same date and
/// finishes the work without duplicates.
///
/// Cost: one list request per 100 questions, plus one request per answered question (and
/// per question the list cut). A year holds about 17,000 questions, about 12,000 of them
/// answered: some 12,500 requests, a little over an hour at the default 3 a second. A
/// daily sync fetches only what changed: a few hundred requests, two or three minutes.
///
/// Exit status: 0 when the sync finished, 2 on error (what was committed stays).
///
/// Examples:
///   pqsearch sync --since 2024-07-01 --index ~/pq/index   # build an index from the API
///   pqsearch sync --index ~/pq/index                      # this morning's answers
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Fetch what was tabled, answered or corrected on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Which House: commons, lords or both.
    #[arg(long, value_enum, default_value_t = SyncHouse::Both)]
    pub house: SyncHouse,

    /// At most this many requests a second (0.1 to 1000; keep to a few for the public API,
    /// more only for a mirror of your own).
    #[arg(long, value_name = "N", default_value_t = 3.0, value_parser = rate)]
    pub rate: f64,

    /// Give up on one request after this many seconds (retries follow).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = timeout)]
    pub timeout: usize,

    /// Keep the API's responses in DIR [default: the index's sync/ folder].
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,

    /// The written-questions API's base URL (a mirror or a replay).
    #[arg(long, value_name = "URL", env = "PQSEARCH_API_URL", default_value = pqsearch::sync::API_URL)]
    pub api_url: String,

    /// The Members API's base URL.
    #[arg(long, value_name = "URL", env = "PQSEARCH_MEMBERS_API_URL", default_value = pqsearch::sync::MEMBERS_API_URL)]
    pub members_api_url: String,

    /// Hidden: the first wait before a retry, in milliseconds (tests use a short one).
    #[arg(long, hide = true, default_value_t = 1000)]
    pub retry_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncHouse {
    Commons,
    Lords,
    Both,
}

fn rate(text: &str) -> Result<f64, String> {
    let r: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.1..=1000.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("{r} must be from 0.1 to 1000 requests a second"))
    }
}

fn timeout(text: &str) -> Result<usize, String> {
    bounded(text, 1..=600, " seconds")
}

/// Serve a web page for searching the index in a browser, on this machine.
///
/// The page takes the queries and filters of `search`, with the same meaning: hits with
/// highlighted snippets, the total and paging, facet counts that narrow the search when
/// clicked, and query errors with their column. Each record has its own page (with its
/// grouped questions linked, the cut-text notice and the official link). Downloads write
/// every match, through the same code as `export`; /api/search returns the JSON of
/// `search --format json`. /about says what the index covers.
///
/// It only reads the index, and keeps serving while an ingest or a sync adds to it (each
/// new commit is picked up within a second). It listens on 127.0.0.1 unless --addr names
/// another address, and then warns that others on the network can read the index.
/// Ctrl-C stops it.
///
/// Example: pqsearch serve --index ~/pq/index --open
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen, as IP:PORT (port 0: any free port). Anything other than a loopback
    /// address lets other machines read the index.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,

    /// Open the page in the default browser once the server listens.
    #[arg(long)]
    pub open: bool,

    /// Hidden: how often to look for a new commit, in milliseconds (tests use a short one).
    #[arg(long, hide = true, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub reload_ms: u64,

    /// Hidden: how long a connection may move no byte before it is closed, in milliseconds
    /// (tests use a short one).
    #[arg(long, hide = true, default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub stall_ms: u64,
}

/// Parse files and print one JSON record per question (JSON Lines) - what ingest will see.
///
/// The format of each file is detected from its content: a page with one question (as on
/// the seed page), a listing page with several "Written Question" blocks, the official
/// written-questions API JSON, or Members API JSON (each member is printed as
/// {"member": {...}}). Directories are walked recursively, skipping hidden files and *.md
/// notes.
///
/// Bad files, and bad questions within a file, are reported on stderr with the file,
/// position, line and reason; the others are still printed. Exit status: 0 when everything
/// parsed, 1 when no file was found, 2 when any file or question failed.
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
