//! Every match of one or more searches, streamed to a writer as CSV or JSON Lines.
//!
//! Only the (score, document address) pairs of the matches are held, sorted; records are
//! then read and written one at a time, so memory stays flat however many rows go out.
//! The same index and request always give the same bytes: order ties break on the
//! document's place in the index, and nothing time-dependent is written into the rows.

use std::borrow::Cow;
use std::io::Write;
use std::str::FromStr;

use crate::index::PqIndex;
use crate::record::Question;
use crate::search::{Hit, Prepared, SearchError, SearchRequest};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// A column of the export, named as in the record's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Query,
    Id,
    Uin,
    House,
    Heading,
    Department,
    AskedBy,
    AskedByParty,
    AskedByConstituency,
    DateAsked,
    Question,
    AnsweredBy,
    AnsweredByRole,
    DateAnswered,
    Answer,
    Status,
    Corrected,
    GroupedWith,
    Source,
    Rank,
    Score,
    Snippet,
}

impl Column {
    /// Every column in the default order: the record's fields, then the search's.
    pub const ALL: [Column; 22] = [
        Column::Query,
        Column::Id,
        Column::Uin,
        Column::House,
        Column::Heading,
        Column::Department,
        Column::AskedBy,
        Column::AskedByParty,
        Column::AskedByConstituency,
        Column::DateAsked,
        Column::Question,
        Column::AnsweredBy,
        Column::AnsweredByRole,
        Column::DateAnswered,
        Column::Answer,
        Column::Status,
        Column::Corrected,
        Column::GroupedWith,
        Column::Source,
        Column::Rank,
        Column::Score,
        Column::Snippet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Query => "query",
            Column::Id => "id",
            Column::Uin => "uin",
            Column::House => "house",
            Column::Heading => "heading",
            Column::Department => "department",
            Column::AskedBy => "asked_by",
            Column::AskedByParty => "asked_by_party",
            Column::AskedByConstituency => "asked_by_constituency",
            Column::DateAsked => "date_asked",
            Column::Question => "question",
            Column::AnsweredBy => "answered_by",
            Column::AnsweredByRole => "answered_by_role",
            Column::DateAnswered => "date_answered",
            Column::Answer => "answer",
            Column::Status => "status",
            Column::Corrected => "corrected",
            Column::GroupedWith => "grouped_with",
            Column::Source => "source",
            Column::Rank => "rank",
            Column::Score => "score",
            Column::Snippet => "snippet",
        }
    }

    /// The default columns: every one, with `query` only for a batch of queries.
    pub fn defaults(batch: bool) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| batch || *c != Column::Query)
            .collect()
    }

    /// Parses `a,b,c`; an unknown name is an error that lists the valid ones.
    pub fn parse_list(text: &str) -> Result<Vec<Column>, String> {
        text.split(',')
            .map(|name| name.trim().parse())
            .collect::<Result<Vec<_>, _>>()
            .and_then(|cols: Vec<Column>| {
                if cols.is_empty() {
                    Err("no columns given".into())
                } else {
                    Ok(cols)
                }
            })
    }

    /// The value of this column for one hit, as JSON.
    fn value(self, query: &str, hit: &Hit) -> serde_json::Value {
        use serde_json::Value;
        let q: &Question = &hit.record;
        let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
        match self {
            Column::Query => Value::from(query),
            Column::Id => Value::from(q.id.as_str()),
            Column::Uin => opt(&q.uin),
            Column::House => Value::from(q.house.as_str()),
            Column::Heading => opt(&q.heading),
            Column::Department => Value::from(q.department.as_str()),
            Column::AskedBy => opt(&q.asked_by),
            Column::AskedByParty => opt(&q.asked_by_party),
            Column::AskedByConstituency => opt(&q.asked_by_constituency),
            Column::DateAsked => Value::from(q.date_asked.to_string()),
            Column::Question => Value::from(q.question.as_str()),
            Column::AnsweredBy => opt(&q.answered_by),
            Column::AnsweredByRole => opt(&q.answered_by_role),
            Column::DateAnswered => q
                .date_answered
                .map_or(Value::Null, |d| Value::from(d.to_string())),
            Column::Answer => opt(&q.answer),
            Column::Status => Value::from(q.status.as_str()),
            Column::Corrected => Value::from(q.corrected),
            Column::GroupedWith => Value::from(q.grouped_with.clone()),
            Column::Source => Value::from(q.source.as_str()),
            Column::Rank => Value::from(hit.rank),
            // Shortest form that reads back as the same f32 (4.628005, not 4.628005027770996).
            Column::Score => hit
                .score
                .to_string()
                .parse::<serde_json::Number>()
                .map_or(Value::Null, Value::Number),
            Column::Snippet => Value::from(hit.snippet.text.as_str()),
        }
    }

    /// The value as a CSV cell: empty for null, lists joined with `;`. Texts are borrowed,
    /// not copied: answers run to kilobytes and every row has one.
    fn cell<'a>(self, query: &'a str, hit: &'a Hit) -> Cow<'a, str> {
        let q = &hit.record;
        let opt = |s: &'a Option<String>| Cow::Borrowed(s.as_deref().unwrap_or(""));
        match self {
            Column::Query => Cow::Borrowed(query),
            Column::Id => Cow::Borrowed(&q.id),
            Column::Uin => opt(&q.uin),
            Column::House => Cow::Borrowed(q.house.as_str()),
            Column::Heading => opt(&q.heading),
            Column::Department => Cow::Borrowed(&q.department),
            Column::AskedBy => opt(&q.asked_by),
            Column::AskedByParty => opt(&q.asked_by_party),
            Column::AskedByConstituency => opt(&q.asked_by_constituency),
            Column::Question => Cow::Borrowed(&q.question),
            Column::AnsweredBy => opt(&q.answered_by),
            Column::AnsweredByRole => opt(&q.answered_by_role),
            Column::Answer => opt(&q.answer),
            Column::Status => Cow::Borrowed(q.status.as_str()),
            Column::GroupedWith => Cow::Owned(q.grouped_with.join(";")),
            Column::Source => Cow::Borrowed(&q.source),
            Column::Snippet => Cow::Borrowed(&hit.snippet.text),
            // Dates, numbers and flags: as in JSON.
            Column::DateAsked
            | Column::DateAnswered
            | Column::Corrected
            | Column::Rank
            | Column::Score => match self.value(query, hit) {
                serde_json::Value::Null => Cow::Borrowed(""),
                serde_json::Value::String(s) => Cow::Owned(s),
                other => Cow::Owned(other.to_string()),
            },
        }
    }
}

impl FromStr for Column {
    type Err = String;
    fn from_str(s: &str) -> Result<Column, String> {
        Column::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let valid: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
                format!("unknown column {s:?}; valid columns: {}", valid.join(", "))
            })
    }
}

/// How to write the rows.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub format: ExportFormat,
    pub columns: Vec<Column>,
    /// Start CSV with a UTF-8 byte-order mark, which Excel needs to read UTF-8.
    pub bom: bool,
}

/// Hooks through which an export reports progress.
pub trait ExportProgress {
    /// A query's matches are about to be written.
    fn start(&self, _rows: usize) {}
    fn row(&self) {}
}

/// Reports nothing.
pub struct NoProgress;
impl ExportProgress for NoProgress {}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The request at `index` (0-based) of the batch cannot run.
    #[error("{error}")]
    BadRequest { index: usize, error: SearchError },
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("writing the export: {0}")]
    Io(std::io::Error),
    #[error("writing CSV: {0}")]
    Csv(csv::Error),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> ExportError {
        ExportError::Io(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> ExportError {
        ExportError::Csv(e)
    }
}

/// Rows written per query.
#[derive(Debug, Clone, Default)]
pub struct ExportReport {
    pub rows_per_query: Vec<usize>,
}

impl ExportReport {
    pub fn rows(&self) -> usize {
        self.rows_per_query.iter().sum()
    }
}

/// Writes every match of every request to `out`, in each request's order (`limit` and
/// `offset` are ignored: an export is the whole result set). Every request is parsed and
/// resolved before anything is written, so a bad query in a batch never leaves half an
/// export behind.
pub fn export<W: Write>(
    index: &PqIndex,
    requests: &[SearchRequest],
    out: W,
    opts: &ExportOptions,
    progress: &dyn ExportProgress,
) -> Result<ExportReport, ExportError> {
    let reader = index.reader().map_err(SearchError::from)?;
    let searcher = reader.searcher();
    let mut prepared = requests
        .iter()
        .enumerate()
        .map(|(i, request)| {
            Prepared::new(index, &searcher, request)
                .map_err(|error| ExportError::BadRequest { index: i, error })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sink = Sink::new(out, opts)?;
    let mut report = ExportReport::default();
    let with_snippet = opts.columns.contains(&Column::Snippet);
    for (request, prepared) in requests.iter().zip(&mut prepared) {
        let docs = prepared.all(&searcher, request.sort)?;
        progress.start(docs.len());
        for (i, (score, addr)) in docs.iter().enumerate() {
            let hit = prepared.hit(&searcher, i + 1, *score, *addr, with_snippet)?;
            sink.row(&request.query, &hit)?;
            progress.row();
        }
        report.rows_per_query.push(docs.len());
    }
    sink.finish()?;
    Ok(report)
}

/// Where rows go, in one of the formats.
enum Sink<'a, W: Write> {
    Csv(Box<csv::Writer<W>>, &'a [Column]),
    Json(std::io::BufWriter<W>, &'a [Column]),
}

impl<'a, W: Write> Sink<'a, W> {
    fn new(mut out: W, opts: &'a ExportOptions) -> Result<Sink<'a, W>, ExportError> {
        Ok(match opts.format {
            ExportFormat::Csv => {
                if opts.bom {
                    out.write_all("\u{feff}".as_bytes())?;
                }
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(out);
                w.write_record(opts.columns.iter().map(|c| c.name()))?;
                Sink::Csv(Box::new(w), &opts.columns)
            }
            ExportFormat::JsonLines => Sink::Json(std::io::BufWriter::new(out), &opts.columns),
        })
    }

    fn row(&mut self, query: &str, hit: &Hit) -> Result<(), ExportError> {
        match self {
            Sink::Csv(w, columns) => {
                for c in columns.iter() {
                    w.write_field(c.cell(query, hit).as_bytes())?;
                }
                w.write_record(None::<&[u8]>)?;
            }
            Sink::Json(w, columns) => {
                // Written by hand to keep the columns in the chosen order.
                w.write_all(b"{")?;
                for (i, c) in columns.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *w, c.name()).map_err(std::io::Error::from)?;
                    w.write_all(b":")?;
                    serde_json::to_writer(&mut *w, &c.value(query, hit))
                        .map_err(std::io::Error::from)?;
                }
                w.write_all(b"}\n")?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<(), ExportError> {
        match self {
            Sink::Csv(mut w, _) => w.flush()?,
            Sink::Json(mut w, _) => w.flush()?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_parse_and_unknown_ones_list_the_valid() {
        assert_eq!(
            Column::parse_list("id, answer,rank").unwrap(),
            vec![Column::Id, Column::Answer, Column::Rank]
        );
        let err = Column::parse_list("id,answr").unwrap_err();
        assert!(
            err.contains("unknown column \"answr\"") && err.contains("date_answered, answer,"),
            "{err}"
        );
        for c in Column::ALL {
            assert_eq!(c.name().parse::<Column>(), Ok(c));
        }
    }

    #[test]
    fn defaults_follow_the_record_then_the_search() {
        let names: Vec<&str> = Column::defaults(false).iter().map(|c| c.name()).collect();
        assert_eq!(names.first(), Some(&"id"));
        assert_eq!(&names[names.len() - 3..], ["rank", "score", "snippet"]);
        assert_eq!(Column::defaults(true)[0], Column::Query);
    }
}
