//! Every match of one or more searches, streamed to a writer as CSV or JSON Lines.
//!
//! Only the (score, document address) pairs of the matches are held, sorted; records are
//! then read and written one at a time, so memory stays flat however many rows go out.
//! The same index and request always give the same bytes: order ties break on the
//! document's place in the index, and nothing time-dependent is written into the rows.

use std::borrow::Cow;
use std::io::Write;
use std::str::FromStr;

use tantivy::Searcher;

use crate::engine::Engine;
use crate::fields::{RecordField, Value, FIELDS};
use crate::search::{Hit, Prepared, SearchError, SearchRequest};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

/// A column of the export: a field of the record, named as in its JSON, or one of the
/// search's own (the query of a batch, the rank, the score and the snippet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column {
    Query,
    Field(&'static RecordField),
    Rank,
    Score,
    Snippet,
}

/// Why a list of columns was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("unknown column {name:?}; valid columns: {}", Column::all().iter().map(|c| c.name()).collect::<Vec<_>>().join(", "))]
    Unknown { name: String },
    #[error("no columns given")]
    Empty,
}

impl Column {
    /// Every column in the default order: the query, the record's fields, then the search's.
    pub fn all() -> Vec<Column> {
        std::iter::once(Column::Query)
            .chain(FIELDS.iter().map(Column::Field))
            .chain([Column::Rank, Column::Score, Column::Snippet])
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Column::Query => "query",
            Column::Field(f) => f.name,
            Column::Rank => "rank",
            Column::Score => "score",
            Column::Snippet => "snippet",
        }
    }

    /// The default columns: every one, with `query` only for a batch of queries.
    pub fn defaults(batch: bool) -> Vec<Column> {
        Column::all()
            .into_iter()
            .filter(|c| batch || *c != Column::Query)
            .collect()
    }

    /// Parses `a,b,c`; an unknown name is an error that lists the valid ones.
    pub fn parse_list(text: &str) -> Result<Vec<Column>, ColumnError> {
        let cols = text
            .split(',')
            .map(|name| name.trim().parse())
            .collect::<Result<Vec<Column>, _>>()?;
        if cols.is_empty() {
            return Err(ColumnError::Empty);
        }
        Ok(cols)
    }

    /// The value as JSON.
    fn json(self, query: &str, hit: &Hit) -> serde_json::Value {
        match self {
            Column::Query => Value::Text(query).json(),
            Column::Field(f) => (f.get)(&hit.record).json(),
            Column::Snippet => Value::Text(&hit.snippet.text).json(),
            Column::Rank => serde_json::Value::from(hit.rank),
            // Shortest form that reads back as the same f32 (4.628005, not 4.628005027770996).
            Column::Score => hit
                .score
                .to_string()
                .parse::<serde_json::Number>()
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
        }
    }

    /// The value as a CSV cell: empty for null, lists joined with `;`.
    fn cell<'a>(self, query: &'a str, hit: &'a Hit) -> Cow<'a, str> {
        match self {
            Column::Query => Cow::Borrowed(query),
            Column::Field(f) => (f.get)(&hit.record).cell(),
            Column::Snippet => Cow::Borrowed(&hit.snippet.text),
            Column::Rank | Column::Score => Cow::Owned(self.json(query, hit).to_string()),
        }
    }
}

impl FromStr for Column {
    type Err = ColumnError;
    fn from_str(s: &str) -> Result<Column, ColumnError> {
        Column::all()
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| ColumnError::Unknown {
                name: s.to_string(),
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
    /// Prefix CSV cells that a spreadsheet would run as formulas with an apostrophe
    /// ([`excel_safe`]). JSON Lines are never changed.
    pub excel_safe: bool,
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
    #[error("query {} of the batch", index + 1)]
    BadRequest {
        index: usize,
        #[source]
        error: SearchError,
    },
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("writing the export")]
    Io(#[from] std::io::Error),
    #[error("writing CSV")]
    Csv(#[source] csv::Error),
}

impl From<csv::Error> for ExportError {
    /// A CSV error that is really an I/O error (a closed pipe, a full disk) is reported as
    /// one, so that callers find it by walking the error's sources.
    fn from(e: csv::Error) -> ExportError {
        if e.is_io_error() {
            match e.into_kind() {
                csv::ErrorKind::Io(io) => ExportError::Io(io),
                _ => unreachable!("is_io_error"),
            }
        } else {
            ExportError::Csv(e)
        }
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
    engine: &Engine,
    requests: &[SearchRequest],
    out: W,
    opts: &ExportOptions,
    progress: &dyn ExportProgress,
) -> Result<ExportReport, ExportError> {
    Export::prepare(engine, requests)?.write(out, opts, progress)
}

/// An export whose requests are parsed and resolved, ready to write. Preparing first lets
/// a caller refuse a bad query before it opens (and so creates, truncates or blocks on)
/// the destination.
pub struct Export<'e> {
    searcher: Searcher,
    requests: &'e [SearchRequest],
    prepared: Vec<Prepared<'e>>,
}

impl<'e> Export<'e> {
    /// Parses and resolves every request; the first bad one is reported by its place.
    pub fn prepare(
        engine: &'e Engine,
        requests: &'e [SearchRequest],
    ) -> Result<Export<'e>, ExportError> {
        let searcher = engine.searcher();
        let prepared = requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                engine
                    .prepare(&searcher, request)
                    .map_err(|error| ExportError::BadRequest { index: i, error })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Export {
            searcher,
            requests,
            prepared,
        })
    }

    /// Writes every match to `out`.
    pub fn write<W: Write>(
        mut self,
        out: W,
        opts: &ExportOptions,
        progress: &dyn ExportProgress,
    ) -> Result<ExportReport, ExportError> {
        let searcher = &self.searcher;
        let mut sink = Sink::new(out, opts)?;
        let mut report = ExportReport::default();
        let with_snippet = opts.columns.contains(&Column::Snippet);
        for (request, prepared) in self.requests.iter().zip(&mut self.prepared) {
            let docs = prepared.all(searcher, request.sort)?;
            progress.start(docs.len());
            for (i, (score, addr)) in docs.iter().enumerate() {
                let hit = prepared.hit(searcher, i + 1, *score, *addr, with_snippet)?;
                sink.row(&request.query, &hit)?;
                progress.row();
            }
            report.rows_per_query.push(docs.len());
        }
        sink.finish()?;
        Ok(report)
    }
}

/// Whether a spreadsheet would read a cell as a formula (or, for tab and CR, strip the
/// character and then read one): it starts with `= + - @`, their full-width forms, a tab,
/// a CR, a line feed or a NUL, after any spaces. This is OWASP's list for CSV injection,
/// widened where the widening costs nothing.
pub fn looks_like_formula(cell: &str) -> bool {
    cell.trim_start_matches(' ').starts_with([
        '=', '+', '-', '@', '\t', '\r', '\n', '\0', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ])
}

/// The cell as `--excel-safe` writes it: with a leading apostrophe when a spreadsheet
/// would otherwise read it as a formula. Spreadsheets show the text and hide the
/// apostrophe; other readers see it.
pub fn excel_safe(cell: Cow<'_, str>) -> Cow<'_, str> {
    if looks_like_formula(&cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        cell
    }
}

/// Where rows go, in one of the formats.
enum Sink<'a, W: Write> {
    Csv(Box<csv::Writer<W>>, &'a [Column], bool),
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
                Sink::Csv(Box::new(w), &opts.columns, opts.excel_safe)
            }
            ExportFormat::JsonLines => Sink::Json(std::io::BufWriter::new(out), &opts.columns),
        })
    }

    fn row(&mut self, query: &str, hit: &Hit) -> Result<(), ExportError> {
        match self {
            Sink::Csv(w, columns, safe) => {
                for c in columns.iter() {
                    let cell = c.cell(query, hit);
                    let cell = if *safe { excel_safe(cell) } else { cell };
                    w.write_field(cell.as_bytes())?;
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
                    serde_json::to_writer(&mut *w, &c.json(query, hit))
                        .map_err(std::io::Error::from)?;
                }
                w.write_all(b"}\n")?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<(), ExportError> {
        match self {
            Sink::Csv(mut w, _, _) => w.flush()?,
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
        let names: Vec<&str> = Column::parse_list("id, answer,rank")
            .unwrap()
            .into_iter()
            .map(Column::name)
            .collect();
        assert_eq!(names, ["id", "answer", "rank"]);
        let err = Column::parse_list("id,answr").unwrap_err().to_string();
        assert!(
            err.contains("unknown column \"answr\"") && err.contains("date_answered, answer,"),
            "{err}"
        );
        for c in Column::all() {
            assert_eq!(c.name().parse::<Column>(), Ok(c));
        }
    }

    #[test]
    fn excel_safe_quotes_formula_starts_only() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "+44 20",
            "-private",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "  =1+1",
            "\u{ff1d}1+1",
        ] {
            assert_eq!(
                excel_safe(Cow::Borrowed(cell)),
                format!("'{cell}"),
                "{cell:?}"
            );
        }
        for cell in [
            "",
            "Schools",
            "2024-03-04",
            "1.5",
            "'quoted",
            "a=b",
            "£5 - 6",
        ] {
            assert_eq!(excel_safe(Cow::Borrowed(cell)), cell, "{cell:?}");
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
