//! `pqsearch show`: one whole record.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::fields;
use pqsearch::record::Question;

use super::search::{use_color, Style};
use super::Exit;
use crate::cli::{ColorChoice, OutputFormat, ShowArgs};

pub fn run(args: ShowArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let engine = super::open_engine(index)?;
    let Some(q) = engine.get(args.id.trim())? else {
        eprintln!(
            "pqsearch: no question with id {:?} in {}",
            args.id,
            engine.index().name()
        );
        return Ok(Exit::Nothing.into());
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
    Ok(Exit::Found.into())
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
    for (label, value) in fields::show_rows(q) {
        writeln!(out, "{}{label:>12}{}  {value}", s.dim, s.reset)?;
    }
    writeln!(out, "\n{}Question{}\n\n{}", s.bold, s.reset, q.question)?;
    if let Some(answer) = &q.answer {
        writeln!(out, "\n{}Answer{}\n\n{answer}", s.bold, s.reset)?;
    }
    Ok(())
}
