//! `pqsearch show`: one whole record, found by its id or by its UIN alone.

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
    let wanted = args.id.trim();
    let q = match engine.get(wanted)? {
        Some(q) => q,
        None => {
            // A UIN alone: UINs restart each session, so it may name several questions.
            let mut same_uin = if wanted.contains('/') {
                Vec::new()
            } else {
                engine.by_uin(wanted)?
            };
            match same_uin.len() {
                0 => {
                    eprintln!(
                        "pqsearch: no question with id or UIN {:?} in {}",
                        args.id,
                        engine.index().name()
                    );
                    return Ok(Exit::Nothing.into());
                }
                1 => same_uin.remove(0),
                n => {
                    let mut out = BufWriter::new(std::io::stdout().lock());
                    list(&mut out, wanted, n, &same_uin).context("writing the list")?;
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
    let notes = fields::cut_notes(q);
    if !notes.is_empty() {
        writeln!(out)?;
    }
    for note in notes {
        writeln!(out, "({note})")?;
    }
    Ok(())
}

/// The questions that share a UIN, one per line, for the user to pick by id.
fn list<W: Write>(out: &mut W, uin: &str, n: usize, questions: &[Question]) -> std::io::Result<()> {
    writeln!(
        out,
        "UIN {uin} names {n} questions (UINs restart each parliamentary session); show one by its id:"
    )?;
    for q in questions {
        writeln!(
            out,
            "  {}  {}  {}",
            q.id,
            q.department,
            q.heading.as_deref().unwrap_or("(no heading)")
        )?;
    }
    Ok(())
}
