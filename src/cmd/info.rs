//! `pqsearch info`: what the index covers, the denominator of every count.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::coverage::Coverage;

use super::{thousands, Exit};
use crate::cli::{InfoArgs, OutputFormat};

pub fn run(args: InfoArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let engine = super::open_engine(index)?;
    let coverage = engine.coverage()?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        OutputFormat::Text => print_text(&mut out, &engine.index().name(), &coverage),
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &coverage)?;
            writeln!(out)
        }
    }
    .context("writing the coverage")?;
    out.flush().context("writing the coverage")?;
    Ok(Exit::found_if(coverage.questions as usize))
}

fn span(first: Option<pqsearch::date::Date>, last: Option<pqsearch::date::Date>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "never".into(),
    }
}

pub(crate) fn print_text<W: Write>(out: &mut W, name: &str, c: &Coverage) -> std::io::Result<()> {
    writeln!(out, "index        {name}")?;
    writeln!(
        out,
        "questions    {} from {} department{}",
        thousands(c.questions),
        c.departments,
        if c.departments == 1 { "" } else { "s" }
    )?;
    writeln!(out, "asked        {}", span(c.first_asked, c.last_asked))?;
    writeln!(
        out,
        "answered     {}",
        span(c.first_answered, c.last_answered)
    )?;
    if let Some(newest) = c.newest {
        writeln!(
            out,
            "as of        {newest} (the newest date: overdue is judged on it)"
        )?;
    }
    let houses: Vec<String> = ["Commons", "Lords"]
        .iter()
        .map(|h| {
            let n = c
                .houses
                .iter()
                .find(|x| x.value == *h)
                .map_or(0, |x| x.questions);
            format!("{h} {}", thousands(n))
        })
        .collect();
    writeln!(out, "houses       {}", houses.join(" · "))?;
    for (role, m) in [("askers", &c.askers), ("ministers", &c.answerers)] {
        writeln!(
            out,
            "{role:<12} {} member{}: {} question{} name them, {} give only an id{}",
            thousands(m.members),
            if m.members == 1 { "" } else { "s" },
            thousands(m.named),
            if m.named == 1 { "" } else { "s" },
            thousands(m.id_only),
            if m.none > 0 {
                format!(", {} none", thousands(m.none))
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        out,
        "answers cut  {} (the source kept only their start)",
        thousands(c.answers_cut)
    )?;
    let statuses: Vec<String> = c
        .statuses
        .iter()
        .map(|s| format!("{} {}", s.value, thousands(s.questions)))
        .collect();
    writeln!(out, "status       {}", statuses.join(" · "))?;
    writeln!(
        out,
        "last ingest  {}",
        c.last_ingest.as_deref().unwrap_or("not recorded")
    )?;
    let unfinished = if c.sync_unfinished {
        " (a later sync did not finish; the next resumes it)"
    } else {
        ""
    };
    writeln!(
        out,
        "last sync    {}{unfinished}",
        c.last_sync.as_deref().unwrap_or("never (ingest only)")
    )?;
    if let Some(v) = c.schema_version {
        writeln!(out, "schema       {v}")?;
    }
    if !c.gaps.is_empty() {
        let gaps: Vec<String> = c
            .gaps
            .iter()
            .map(|g| {
                if g.months == 1 {
                    g.first.clone()
                } else {
                    format!("{} to {} ({} months)", g.first, g.last, g.months)
                }
            })
            .collect();
        writeln!(out)?;
        writeln!(
            out,
            "gaps: no questions at all in {}. Counts for these months are missing data, not a fall in interest.",
            gaps.join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(out, "questions asked per month")?;
    let top = c.months.iter().map(|m| m.questions).max().unwrap_or(0);
    for m in &c.months {
        let width = if top == 0 {
            0
        } else {
            (m.questions * 40).div_ceil(top) as usize
        };
        let note = if m.questions == 0 { "  (gap)" } else { "" };
        writeln!(
            out,
            "  {}  {:>7}  {}{note}",
            m.value,
            thousands(m.questions),
            "█".repeat(width)
        )?;
    }
    Ok(())
}
