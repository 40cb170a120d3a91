//! `pqsearch search`: ranked matches with snippets, as text for people or JSON for scripts.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::date::Date;
use pqsearch::fields::{cut_notes, member_label};
use pqsearch::record::{Question, Status};
use pqsearch::search::{
    Hit, SearchRequest, SearchResults, Snippet, Sort, StatusFilter, Suggestion,
};
use serde::Serialize;

use super::term;
use super::Exit;
use crate::cli::{ColorChoice, OutputFormat, SearchArgs};

pub fn run(args: SearchArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let request = SearchRequest {
        query: args.query.clone(),
        filters: super::filters(&args.filters)?,
        sort: super::sort(args.filters.sort),
        limit: args.limit,
        offset: args.offset,
        stem: super::stem(args.filters.stem),
    };
    let engine = super::open_engine(index)?;
    let results = engine.search(&request)?;
    for hint in &results.hints {
        term::say!("pqsearch: {hint}");
    }
    super::note_renames(&engine, &request.filters)?;
    // Suggestions are for people at a terminal, and for scripts in the JSON; a script
    // reading the text output does not pay for them.
    let at_terminal = args.format == OutputFormat::Text && std::io::stderr().is_terminal();
    let suggestions = if at_terminal || args.format == OutputFormat::Json {
        engine.suggest(&request, &results)?
    } else {
        Vec::new()
    };
    // Overdue is relative to the index's newest date, which the reader must be told.
    let as_of = if request.filters.status == Some(StatusFilter::Overdue) {
        engine.newest_date()?
    } else {
        None
    };

    let stdout = std::io::stdout();
    let color = use_color(args.color, stdout.is_terminal());
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        OutputFormat::Text => print_text(&mut out, &request, &results, color, as_of),
        OutputFormat::Json => print_json(&mut out, &request, &results, &suggestions),
    }
    .context("writing results")?;
    out.flush().context("writing results")?;
    drop(out);
    if at_terminal {
        for s in &suggestions {
            term::say!("pqsearch: {}", s.message);
        }
    }
    Ok(Exit::found_if(results.total))
}

/// Whether to colour: never when NO_COLOR is set (unless forced), otherwise as chosen.
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    }
}

/// ANSI styles, or nothing.
pub struct Style {
    pub bold: &'static str,
    pub hit: &'static str,
    pub dim: &'static str,
    pub reset: &'static str,
}

impl Style {
    pub fn new(color: bool) -> Style {
        if color {
            Style {
                bold: "\x1b[1m",
                hit: "\x1b[1;31m",
                dim: "\x1b[2m",
                reset: "\x1b[0m",
            }
        } else {
            Style {
                bold: "",
                hit: "",
                dim: "",
                reset: "",
            }
        }
    }
}

fn print_text<W: Write>(
    out: &mut W,
    request: &SearchRequest,
    results: &SearchResults,
    color: bool,
    as_of: Option<Date>,
) -> std::io::Result<()> {
    let s = Style::new(color);
    let date = request.filters.date_field;
    for hit in &results.hits {
        let q = &hit.record;
        // In date order, the line starts with the date it is ordered by.
        let sorted_by = match request.sort {
            Sort::Relevance => String::new(),
            Sort::Newest | Sort::Oldest => match date.of(q) {
                Some(d) => format!("[{} {d}] ", date.as_str()),
                None => format!("[no date {}] ", date.as_str()),
            },
        };
        writeln!(
            out,
            "{}{}. {sorted_by}{}{}",
            s.bold,
            hit.rank,
            term::escape(q.heading.as_deref().unwrap_or("(no heading)"), false),
            s.reset
        )?;
        writeln!(
            out,
            "   {}{}{}",
            s.dim,
            term::escape(&facts(q), false),
            s.reset
        )?;
        let snippet = if color {
            render_snippet(&hit.snippet, s.hit, s.reset)
        } else {
            render_snippet(&hit.snippet, "*", "*")
        };
        writeln!(out, "   {snippet}")?;
        for note in cut_notes(q) {
            let note = term::escape(&note, false);
            writeln!(out, "   {}({note}){}", s.dim, s.reset)?;
        }
        writeln!(out)?;
    }
    let shown = results.hits.len();
    let noun = if results.total == 1 {
        "match"
    } else {
        "matches"
    };
    if shown == 0 {
        if results.total == 0 {
            writeln!(out, "no matches")?;
        } else if request.limit == 0 {
            writeln!(out, "{} {noun}", results.total)?;
        } else {
            writeln!(
                out,
                "{} {noun}; none from {} on (--offset is past the last)",
                results.total,
                request.offset + 1
            )?;
        }
    } else {
        writeln!(
            out,
            "{} {noun} (showing {}-{})",
            results.total,
            request.offset + 1,
            request.offset + shown
        )?;
    }
    if let Some(date) = as_of {
        writeln!(
            out,
            "overdue: unanswered and due before {date}, the newest date in the index"
        )?;
    }
    Ok(())
}

/// The snippet with its matches between `open` and `close`, and the text between them
/// escaped for the terminal (the markers themselves may be colour codes).
fn render_snippet(snippet: &Snippet, open: &str, close: &str) -> String {
    let text = &snippet.text;
    let mut out = String::with_capacity(text.len() + 8 * snippet.highlights.len());
    let mut at = 0;
    for &(start, end) in &snippet.highlights {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(&term::escape(before, false));
        out.push_str(open);
        out.push_str(&term::escape(word, false));
        out.push_str(close);
        at = end;
    }
    out.push_str(&term::escape(text.get(at..).unwrap_or(""), false));
    out
}

/// Department, dates, who asked and answered, the status, and the id, on one line. A member
/// known only by id shows as "member 1506"; an answer without a date says so.
pub fn facts(q: &Question) -> String {
    let mut asked = format!("asked {}", q.date_asked);
    if let Some(by) = member_label(&q.asked_by, q.asked_by_id) {
        asked.push_str(&format!(" by {by}"));
    }
    let mut parts = vec![q.department.clone(), asked];
    let by = member_label(&q.answered_by, q.answered_by_id);
    let answered = match q.date_answered {
        Some(d) => Some(format!("answered {d}")),
        None if q.status == Status::Answered => Some("answered (no date given)".to_string()),
        None => by.is_some().then(|| "answered".to_string()),
    };
    if let Some(mut answered) = answered {
        if let Some(by) = by {
            answered.push_str(&format!(" by {by}"));
        }
        parts.push(answered);
    }
    if q.status != Status::Answered {
        parts.push(q.status.to_string());
    }
    parts.push(format!("id {}", q.id));
    parts.join(" · ")
}

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total: usize,
    offset: usize,
    /// The order, and the date it follows when it is by date.
    sort: Sort,
    date: &'static str,
    stem: &'static str,
    /// Close variants of a query that finds little, with their counts.
    suggestions: &'a [Suggestion],
    hits: Vec<JsonHit<'a>>,
}

#[derive(Serialize)]
pub struct JsonHit<'a> {
    pub rank: usize,
    pub score: f32,
    /// Plain text, no markup.
    pub snippet: &'a str,
    /// Byte ranges of the matched words within `snippet` (UTF-8).
    pub highlights: &'a [(usize, usize)],
    /// The same ranges in characters (Unicode scalar values), as Python and jq slice.
    pub highlights_chars: Vec<(usize, usize)>,
    #[serde(flatten)]
    pub record: &'a Question,
}

impl<'a> From<&'a Hit> for JsonHit<'a> {
    fn from(hit: &'a Hit) -> JsonHit<'a> {
        JsonHit {
            rank: hit.rank,
            score: hit.score,
            snippet: &hit.snippet.text,
            highlights: &hit.snippet.highlights,
            highlights_chars: hit.snippet.char_highlights(),
            record: &hit.record,
        }
    }
}

/// The document of `--format json`; `serve`'s `/api/search` writes the same.
pub(crate) fn print_json<W: Write>(
    out: &mut W,
    request: &SearchRequest,
    results: &SearchResults,
    suggestions: &[Suggestion],
) -> std::io::Result<()> {
    let doc = JsonResults {
        query: &request.query,
        total: results.total,
        offset: request.offset,
        sort: request.sort,
        date: request.filters.date_field.as_str(),
        stem: request.stem.as_str(),
        suggestions,
        hits: results.hits.iter().map(JsonHit::from).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
