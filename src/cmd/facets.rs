//! `pqsearch facets`: how many matches have each value of some fields.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::facets::{Facet, FacetRequest, FacetResults};
use serde::Serialize;

use super::{fit, thousands, Exit};
use crate::cli::{FacetArg, FacetsArgs, TableFormat};

pub fn run(args: FacetsArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let mut by: Vec<Facet> = Vec::new();
    for f in &args.by {
        let facet = facet(*f);
        if !by.contains(&facet) {
            by.push(facet);
        }
    }
    let request = FacetRequest {
        search: super::request(&args.query, &args.filters)?,
        by,
        top: args.top,
        merge_renames: args.merge_renames,
    };
    let engine = super::open_engine(index)?;
    let results = engine.facets(&request)?;
    super::note_renames(&engine, &request.search.filters)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        TableFormat::Text => print_text(&mut out, &request, &results),
        TableFormat::Csv => print_csv(&mut out, &results),
        TableFormat::Json => print_json(&mut out, &request, &results),
    }
    .context("writing the counts")?;
    out.flush().context("writing the counts")?;
    Ok(Exit::found_if(results.total as usize))
}

pub(crate) fn facet(arg: FacetArg) -> Facet {
    match arg {
        FacetArg::Department => Facet::Department,
        FacetArg::AskedBy => Facet::AskedBy,
        FacetArg::AnsweredBy => Facet::AnsweredBy,
        FacetArg::Party => Facet::Party,
        FacetArg::House => Facet::House,
        FacetArg::Status => Facet::Status,
        FacetArg::Year => Facet::Year,
        FacetArg::Month => Facet::Month,
    }
}

/// Share of the total, `12.3%`.
fn share(n: u64, total: u64) -> String {
    if total == 0 {
        String::new()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / total as f64)
    }
}

fn print_text<W: Write>(
    out: &mut W,
    request: &FacetRequest,
    results: &FacetResults,
) -> std::io::Result<()> {
    let noun = if results.total == 1 {
        "question"
    } else {
        "questions"
    };
    writeln!(
        out,
        "{}: {} {noun}",
        super::describe(&request.search),
        thousands(results.total)
    )?;
    let width = thousands(results.total).len().max(5);
    for table in &results.facets {
        writeln!(out)?;
        let date = match table.field {
            Facet::Year | Facet::Month => {
                format!(" {}", super::date_word(request.search.filters.date_field))
            }
            _ => String::new(),
        };
        writeln!(
            out,
            "{}{date} ({} value{})",
            table.field,
            thousands(table.distinct as u64),
            if table.distinct == 1 { "" } else { "s" }
        )?;
        for v in &table.values {
            let merged = if v.merged.is_empty() {
                String::new()
            } else {
                format!(" (with {})", fit(&v.merged.join("; "), 200))
            };
            writeln!(
                out,
                "  {:>width$}  {:>6}  {}{merged}",
                thousands(v.count),
                share(v.count, results.total),
                fit(&v.value, 90)
            )?;
        }
        let left_out = table.distinct - table.values.len();
        if left_out > 0 {
            writeln!(
                out,
                "  {:>width$}  {:>6}  ({} more value{})",
                thousands(table.other),
                share(table.other, results.total),
                thousands(left_out as u64),
                if left_out == 1 { "" } else { "s" }
            )?;
        }
        if table.missing > 0 {
            writeln!(
                out,
                "  {:>width$}  {:>6}  (none: {})",
                thousands(table.missing),
                share(table.missing, results.total),
                missing_reason(table.field)
            )?;
        }
    }
    Ok(())
}

/// Why a question has no value of a field.
fn missing_reason(facet: Facet) -> &'static str {
    match facet {
        Facet::AskedBy => "asking member not named",
        Facet::AnsweredBy => "not answered, or the minister not named",
        Facet::Party => "party not known",
        Facet::Year | Facet::Month => "no such date (unanswered)",
        _ => "no value",
    }
}

fn print_csv<W: Write>(out: W, results: &FacetResults) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["field", "value", "count"])?;
    for table in &results.facets {
        let field = table.field.name();
        for v in &table.values {
            csv.write_record([field, v.value.as_str(), &v.count.to_string()])?;
        }
        if table.distinct > table.values.len() {
            csv.write_record([field, "(other)", &table.other.to_string()])?;
        }
        if table.missing > 0 {
            csv.write_record([field, "(none)", &table.missing.to_string()])?;
        }
    }
    csv.flush()
}

pub(crate) fn print_json<W: Write>(
    out: &mut W,
    request: &FacetRequest,
    results: &FacetResults,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        query: &'a str,
        filters: &'a pqsearch::search::Filters,
        merge_renames: bool,
        #[serde(flatten)]
        results: &'a FacetResults,
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Doc {
            query: &request.search.query,
            filters: &request.search.filters,
            merge_renames: request.merge_renames,
            results,
        },
    )?;
    writeln!(out)
}
