//! `pqsearch export`: every match to CSV or JSON Lines, with an optional note of what was
//! exported.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use pqsearch::date::utc_timestamp;
use pqsearch::engine::Engine;
use pqsearch::export::{
    Column, Export, ExportError, ExportFormat, ExportOptions, ExportProgress, ExportReport,
};
use pqsearch::search::{Filters, SearchRequest, Sort};
use serde::Serialize;

use super::output::Dest;
use super::term::{say, Bar};
use super::Exit;
use crate::cli::{ExportArgs, ExportFormatArg, DEFAULT_INDEX};

pub fn run(args: ExportArgs, index: Option<&Path>) -> anyhow::Result<ExitCode> {
    if args.excel_safe && args.format != ExportFormatArg::Csv {
        bail!("--excel-safe is for CSV; JSON Lines keep every text exactly");
    }
    let filters = super::filters(&args.filters)?;
    let sort = super::sort(args.filters.sort);
    // Where the export and its note go, checked before anything is read or written.
    let out = match &args.out {
        Some(path) => Dest::resolve(path, "--out")?,
        None => Dest::Stdout,
    };
    let meta = args
        .meta
        .as_deref()
        .map(|path| Dest::resolve(path, "--meta"))
        .transpose()?;
    check_targets(
        &args,
        &out,
        meta.as_ref(),
        index.unwrap_or(Path::new(DEFAULT_INDEX)),
    )?;
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
        excel_safe: args.excel_safe,
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
                say!("pqsearch: {hint}");
            }
        }
    }
    // A bad query in a batch is reported by its line in the queries file.
    let located = |e: ExportError| match e {
        ExportError::BadRequest { index, error } => match (&args.queries, queries[index].0) {
            (Some(file), Some(line)) => {
                anyhow::Error::new(error).context(format!("{}:{line}", file.display()))
            }
            _ => anyhow::Error::new(error),
        },
        other => other.into(),
    };

    let engine = super::open_engine(index)?;
    // Every query is parsed before the output is opened, so that a bad one neither
    // creates a file nor sends an empty stream down a pipe.
    let export = Export::prepare(&engine, &requests).map_err(located)?;
    let mut output = out.open()?;
    let bar = Bar::new("[{elapsed_precise}] {wide_bar} {pos}/{len} rows ({per_sec})");
    let report = export.write(&mut output, &opts, &bar).map_err(located)?;
    drop(bar);
    let output = output.finish()?;
    // The note is written in full before either file is moved into place, so that a
    // failure leaves both old files as they were.
    let note = match (&meta, &args.meta) {
        (Some(dest), Some(path)) => Some(
            dest.open()
                .and_then(|mut file| {
                    write_meta(&mut file, &engine, &requests, &args, &opts.columns, &report)?;
                    file.finish()
                })
                .with_context(|| format!("--meta {}", path.display()))?,
        ),
        _ => None,
    };
    output.commit()?;
    if let Some(note) = note {
        note.commit()?;
    }
    if let Some(path) = args.out.as_deref().filter(|_| out != Dest::Stdout) {
        say!(
            "pqsearch: wrote {} row(s) to {}",
            report.rows(),
            path.display()
        );
    }
    Ok(Exit::found_if(report.rows()))
}

/// Refuses outputs that would destroy an input or each other: anything inside the index
/// (`--out index/meta.json` would replace the index's own file), the queries file, and
/// `--meta` on the same file as `--out`. Names are compared by what they resolve to, so a
/// link, a `..` or a second name for a folder does not slip through.
fn check_targets(
    args: &ExportArgs,
    out: &Dest,
    meta: Option<&Dest>,
    index: &Path,
) -> anyhow::Result<()> {
    let named = [
        ("--out", &args.out, Some(out)),
        ("--meta", &args.meta, meta),
    ];
    for (flag, arg, dest) in named {
        let (Some(arg), Some(dest)) = (arg, dest) else {
            continue;
        };
        let inside = if dest.is_inside(index) {
            Some(index.to_path_buf())
        } else {
            dest.index()
        };
        if let Some(index) = inside {
            bail!(
                "{flag} {} is inside the index {}; refusing to write there (it would damage \
                 the index)",
                arg.display(),
                index.display()
            );
        }
        if let Some(queries) = args.queries.as_deref().filter(|q| q.as_os_str() != "-") {
            if dest.is_file() && dest.same_file(&Dest::Replace(queries.to_path_buf())) {
                bail!(
                    "{flag} {} is the queries file {}; refusing to overwrite it",
                    arg.display(),
                    queries.display()
                );
            }
        }
    }
    if let Some(meta) = meta {
        if *meta == Dest::Stdout && *out == Dest::Stdout {
            bail!("--meta - and the export cannot both go to stdout; give --out FILE");
        }
        if meta.is_file() && meta.same_file(out) {
            bail!(
                "--meta and --out name the same file ({}); give --meta another name",
                args.meta.as_deref().unwrap_or(Path::new("")).display()
            );
        }
    }
    Ok(())
}

/// The most a queries file may hold: thousands of queries, not a stray disk image.
const MAX_QUERIES_FILE: u64 = 16 << 20;

/// The queries of a batch file (`-`: stdin) with their line numbers.
fn read_queries(file: &Path) -> anyhow::Result<Vec<(Option<usize>, String)>> {
    let mut bytes = Vec::new();
    let read = if file.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_QUERIES_FILE + 1)
            .read_to_end(&mut bytes)
    } else {
        File::open(file).and_then(|f| f.take(MAX_QUERIES_FILE + 1).read_to_end(&mut bytes))
    };
    read.with_context(|| format!("cannot read the queries file {}", file.display()))?;
    if bytes.len() as u64 > MAX_QUERIES_FILE {
        bail!(
            "{}: a queries file may hold at most {} MB",
            file.display(),
            MAX_QUERIES_FILE >> 20
        );
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", file.display()))?;
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
    out: &mut impl Write,
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
    out.write_all(json.as_bytes())
        .context("writing the --meta note")
}

/// Rows written, on the terminal's bar.
impl ExportProgress for Bar {
    fn start(&self, rows: usize) {
        if let Some(bar) = self.get() {
            bar.set_length(rows as u64);
            bar.set_position(0);
        }
    }

    fn row(&self) {
        if let Some(bar) = self.get() {
            bar.inc(1);
        }
    }
}
