//! `pqsearch show`: one whole record.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::record::Question;

use super::search::{use_color, Style};
use super::{EXIT_NOTHING, EXIT_OK};
use crate::cli::{ColorChoice, OutputFormat, ShowArgs};

pub fn run(args: ShowArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let index = super::open_index(index)?;
    let reader = index.reader()?;
    let Some(q) = index.get(&reader.searcher(), args.id.trim())? else {
        eprintln!(
            "pqsearch: no question with id {:?} in {}",
            args.id,
            index.dir.display()
        );
        return Ok(ExitCode::from(EXIT_NOTHING));
    };
    let stdout = std::io::stdout();
    let color = use_color(ColorChoice::Auto, stdout.is_terminal());
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &q)?;
            writeln!(out)
        }
        OutputFormat::Text => print_text(&mut out, &q, &Style::new(color)),
    }
    .context("writing the record")?;
    out.flush().context("writing the record")?;
    Ok(ExitCode::from(EXIT_OK))
}

fn print_text<W: Write>(out: &mut W, q: &Question, s: &Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{}{}{}",
        s.bold,
        q.heading.as_deref().unwrap_or("(no heading)"),
        s.reset
    )?;
    writeln!(out)?;
    let member = |name: &Option<String>, extra: &[&Option<String>]| -> Option<String> {
        let name = name.as_deref()?;
        let extra: Vec<&str> = extra.iter().filter_map(|e| e.as_deref()).collect();
        Some(if extra.is_empty() {
            name.to_string()
        } else {
            format!("{name} ({})", extra.join(" - "))
        })
    };
    let rows = [
        ("id", Some(q.id.clone())),
        ("uin", q.uin.clone()),
        ("house", Some(q.house.to_string())),
        ("department", Some(q.department.clone())),
        ("asked on", Some(q.date_asked.to_string())),
        (
            "asked by",
            member(&q.asked_by, &[&q.asked_by_party, &q.asked_by_constituency]),
        ),
        ("answered on", q.date_answered.map(|d| d.to_string())),
        (
            "answered by",
            member(&q.answered_by, &[&q.answered_by_role]),
        ),
        (
            "status",
            Some(q.status.to_string() + if q.corrected { " (corrected)" } else { "" }),
        ),
        (
            "grouped with",
            (!q.grouped_with.is_empty()).then(|| q.grouped_with.join(", ")),
        ),
        ("source", Some(q.source.clone())),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            writeln!(out, "{}{label:>12}{}  {value}", s.dim, s.reset)?;
        }
    }
    writeln!(out, "\n{}Question{}\n\n{}", s.bold, s.reset, q.question)?;
    if let Some(answer) = &q.answer {
        writeln!(out, "\n{}Answer{}\n\n{answer}", s.bold, s.reset)?;
    }
    Ok(())
}
