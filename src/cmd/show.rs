//! `pqsearch show`: one whole record.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use pqsearch::fields;
use pqsearch::record::Question;

use super::search::{use_color, Style};
use super::term::{self, say};
use super::Exit;
use crate::cli::{ColorChoice, OutputFormat, ShowArgs};

/// The longest id `show` looks up. Ids are `<date asked>/<UIN>` or 16 hex digits; a
/// longer argument is a mistake (a pasted paragraph), not an id.
pub const MAX_ID: usize = 1000;

pub fn run(args: ShowArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let id = args.id.trim();
    if id.chars().count() > MAX_ID {
        bail!(
            "{} is not an id: ids are at most {MAX_ID} characters (this is {})",
            term::echo(id),
            id.chars().count()
        );
    }
    let engine = super::open_engine(index)?;
    let Some(q) = engine.get(id)? else {
        say!(
            "pqsearch: no question with id {} in {}",
            term::echo(id),
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

/// The record for a person. Texts come from outside, so control characters are escaped
/// (`term::escape`); the JSON form keeps them exactly.
fn print_text<W: Write>(out: &mut W, q: &Question, s: &Style) -> std::io::Result<()> {
    let line = |text: &str| term::escape(text, false).into_owned();
    writeln!(
        out,
        "{}{}{}",
        s.bold,
        line(q.heading.as_deref().unwrap_or("(no heading)")),
        s.reset
    )?;
    writeln!(out)?;
    for (label, value) in fields::show_rows(q) {
        writeln!(out, "{}{label:>12}{}  {}", s.dim, s.reset, line(&value))?;
    }
    writeln!(
        out,
        "\n{}Question{}\n\n{}",
        s.bold,
        s.reset,
        term::escape(&q.question, true)
    )?;
    if let Some(answer) = &q.answer {
        writeln!(
            out,
            "\n{}Answer{}\n\n{}",
            s.bold,
            s.reset,
            term::escape(answer, true)
        )?;
    }
    Ok(())
}
