//! `pqsearch export`: every match to CSV or JSON Lines, with an optional note of what was
//! exported.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use pqsearch::date::utc_timestamp;
use pqsearch::engine::Engine;
use pqsearch::export::{
    self, Column, ExportError, ExportFormat, ExportOptions, ExportProgress, ExportReport,
};
use pqsearch::search::{Filters, SearchRequest, Sort};
use serde::Serialize;

use super::Exit;
use crate::cli::{ExportArgs, ExportFormatArg};

pub fn run(args: ExportArgs, index: Option<&Path>) -> anyhow::Result<ExitCode> {
    let filters = super::filters(&args.filters)?;
    let sort = super::sort(args.filters.sort);
    // (line number, query): the line is None for a query given on the command line.
    let queries: Vec<(Option<usize>, String)> = match (&args.query, &args.queries) {
        (Some(q), _) => vec![(None, q.clone())],
        (None, Some(file)) => read_queries(file)?,
        (None, None) => bail!("give a QUERY or --queries FILE"),
    };
    let batch = args.queries.is_some();
    let columns = match &args.columns {
        Some(list) => Column::parse_list(list).context("--columns")?,
        None => Column::defaults(batch),
    };
    let opts = ExportOptions {
        format: match args.format {
            ExportFormatArg::Csv => ExportFormat::Csv,
            ExportFormatArg::Jsonl => ExportFormat::JsonLines,
        },
        columns,
        bom: args.bom,
    };
    let requests: Vec<SearchRequest> = queries
        .iter()
        .map(|(_, q)| SearchRequest {
            query: q.clone(),
            filters: filters.clone(),
            sort,
            limit: usize::MAX,
            offset: 0,
            stem: super::stem(args.filters.stem),
        })
        .collect();
    for (_, q) in &queries {
        if let Ok(parsed) = pqsearch::query::parse_with_hints(q) {
            for hint in parsed.hints {
                eprintln!("pqsearch: {hint}");
            }
        }
    }

    let engine = super::open_engine(index)?;
    let bar = Bar::new();
    let result = match &args.out {
        Some(path) => write_atomically(path, |file| {
            export::export(&engine, &requests, file, &opts, &bar).map_err(Into::into)
        }),
        None => {
            let stdout = std::io::stdout();
            export::export(&engine, &requests, stdout.lock(), &opts, &bar).map_err(Into::into)
        }
    };
    // A bad query in a batch is reported by its line in the queries file.
    let report = result.map_err(|e| match e.downcast::<ExportError>() {
        Ok(ExportError::BadRequest { index, error }) => match (&args.queries, queries[index].0) {
            (Some(file), Some(line)) => {
                anyhow::Error::new(error).context(format!("{}:{line}", file.display()))
            }
            _ => anyhow::Error::new(error),
        },
        Ok(other) => other.into(),
        Err(e) => e,
    })?;
    drop(bar);
    if let Some(meta) = &args.meta {
        write_meta(meta, &engine, &requests, &args, &opts.columns, &report)?;
    }
    if let Some(path) = &args.out {
        eprintln!(
            "pqsearch: wrote {} row(s) to {}",
            report.rows(),
            path.display()
        );
    }
    Ok(Exit::found_if(report.rows()))
}

/// The queries of a batch file with their line numbers.
fn read_queries(file: &Path) -> anyhow::Result<Vec<(Option<usize>, String)>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the queries file {}", file.display()))?;
    let queries: Vec<(Option<usize>, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (Some(i + 1), l.trim().to_string()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if queries.is_empty() {
        bail!(
            "{}: no queries (one per line; # starts a comment)",
            file.display()
        );
    }
    Ok(queries)
}

/// Writes through a temporary file beside `path` and renames it into place only when
/// `write` succeeds, so that a failed or killed export never leaves half a file.
fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let name = path.file_name().context("--out needs a file name")?;
    let tmp = path.with_file_name(format!(".{}.pqsearch-tmp", name.to_string_lossy()));
    let file = File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out).and_then(|v| {
        out.flush()?;
        out.get_ref().sync_all()?;
        Ok(v)
    });
    match result {
        Ok(v) => {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot move the export into {}", path.display()))?;
            Ok(v)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// The note `--meta` writes beside an export: what was searched, how, and when.
#[derive(Serialize)]
struct Meta<'a> {
    queries: Vec<&'a str>,
    /// The filters and the order, as the library ran them (every query shares them).
    filters: &'a Filters,
    sort: Sort,
    stem: pqsearch::words::Stem,
    rows_per_query: &'a [usize],
    rows: usize,
    format: &'a str,
    columns: Vec<&'static str>,
    exported_at: String,
    index: String,
    index_last_ingest: Option<String>,
    pqsearch_version: &'static str,
}

fn write_meta(
    path: &Path,
    engine: &Engine,
    requests: &[SearchRequest],
    args: &ExportArgs,
    columns: &[Column],
    report: &ExportReport,
) -> anyhow::Result<()> {
    let meta = Meta {
        queries: requests.iter().map(|r| r.query.as_str()).collect(),
        filters: &requests[0].filters,
        sort: requests[0].sort,
        stem: requests[0].stem,
        rows_per_query: &report.rows_per_query,
        rows: report.rows(),
        format: match args.format {
            ExportFormatArg::Csv => "csv",
            ExportFormatArg::Jsonl => "jsonl",
        },
        columns: columns.iter().map(|c| c.name()).collect(),
        exported_at: utc_timestamp(std::time::SystemTime::now()),
        index: engine.index().name(),
        index_last_ingest: engine.commit_info()?.map(|i| i.ingested_at),
        pqsearch_version: env!("CARGO_PKG_VERSION"),
    };
    let json = serde_json::to_string_pretty(&meta)? + "\n";
    std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
}

/// A progress bar for long exports, drawn only when stderr is a terminal.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new() -> Bar {
        Bar(std::io::stderr().is_terminal().then(|| {
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template(
                    "[{elapsed_precise}] {wide_bar} {pos}/{len} rows ({per_sec})",
                )
                .expect("valid template"),
            )
        }))
    }
}

impl ExportProgress for Bar {
    fn start(&self, rows: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(rows as u64);
            bar.set_position(0);
        }
    }

    fn row(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
