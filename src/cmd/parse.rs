//! `pqsearch parse`: files → JSON Lines on stdout, problems on stderr.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::{parse, walk};

use super::term::{self, say};
use super::Exit;
use crate::cli::ParseArgs;

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let found = walk::walk(&args.paths);
    let (files, walk_errors) = (found.files, found.errors);
    let unwalked = walk_errors.len();
    let mut failed = unwalked;
    for err in walk_errors {
        say!(
            "pqsearch: {}",
            term::error_message(&anyhow::Error::from(err))
        );
    }
    for skipped in &found.skipped {
        say!("pqsearch: skipped {skipped}");
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut records = 0usize;
    let mut items_failed = 0usize;
    for file in &files {
        match parse::parse_file(file) {
            Ok(parsed) => {
                for q in &parsed.questions {
                    serde_json::to_writer(&mut out, q).context("writing JSON")?;
                    out.write_all(b"\n").context("writing to stdout")?;
                }
                for m in &parsed.members {
                    serde_json::to_writer(&mut out, &serde_json::json!({ "member": m }))
                        .context("writing JSON")?;
                    out.write_all(b"\n").context("writing to stdout")?;
                }
                records += parsed.questions.len() + parsed.members.len();
                for item in &parsed.rejected {
                    let line = format!("{}: {item}", file.display());
                    say!("pqsearch: {}", term::escape(&line, false));
                }
                items_failed += parsed.rejected.len();
            }
            Err(err) => {
                failed += 1;
                say!(
                    "pqsearch: {}",
                    term::error_message(&anyhow::Error::new(err))
                );
            }
        }
    }
    out.flush().context("writing to stdout")?;
    if failed > 0 || items_failed > 0 {
        say!(
            "pqsearch: {failed} of {} file(s) failed to parse, and {items_failed} record(s) within the others; {records} record(s) printed",
            files.len() + unwalked
        );
        return Ok(Exit::Error.into());
    }
    if files.is_empty() {
        say!("pqsearch: no input files found");
        return Ok(Exit::Nothing.into());
    }
    Ok(Exit::Found.into())
}
