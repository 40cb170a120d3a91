//! `pqsearch show`: one whole record, found by its id or by its UIN alone.

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
    let q = match engine.get(id)? {
        Some(q) => q,
        None => {
            // A UIN alone: UINs restart each session, so it may name several questions.
            let mut same_uin = if id.contains('/') {
                Vec::new()
            } else {
                engine.by_uin(id)?
            };
            match same_uin.len() {
                0 => {
                    say!(
                        "pqsearch: no question with id or UIN {} in {}",
                        term::echo(id),
                        engine.index().name()
                    );
                    return Ok(Exit::Nothing.into());
                }
                1 => same_uin.remove(0),
                n => {
                    let mut out = BufWriter::new(std::io::stdout().lock());
                    list(&mut out, id, n, &same_uin).context("writing the list")?;
                    out.flush().context("writing the list")?;
                    return Ok(Exit::Found.into());
                }
            }
        }
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
    let notes = fields::cut_notes(q);
    if !notes.is_empty() {
        writeln!(out)?;
    }
    for note in notes {
        writeln!(out, "({})", line(&note))?;
    }
    Ok(())
}

/// The questions that share a UIN, one per line, for the user to pick by id (their texts
/// come from outside, so escaped for the terminal).
fn list<W: Write>(out: &mut W, uin: &str, n: usize, questions: &[Question]) -> std::io::Result<()> {
    writeln!(
        out,
        "UIN {} names {n} questions (UINs restart each parliamentary session); show one by its id:",
        term::escape(uin, false)
    )?;
    for q in questions {
        let line = format!(
            "  {}  {}  {}",
            q.id,
            q.department,
            q.heading.as_deref().unwrap_or("(no heading)")
        );
        writeln!(out, "{}", term::escape(&line, false))?;
    }
    Ok(())
}
