//! `pqsearch parse`: files → JSON Lines on stdout, problems on stderr.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::{parse, walk};

use super::Exit;
use crate::cli::ParseArgs;

pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let found = walk::walk(&args.paths);
    let (files, walk_errors) = (found.files, found.errors);
    let unwalked = walk_errors.len();
    let mut failed = unwalked;
    for err in walk_errors {
        eprintln!("pqsearch: {:#}", anyhow::Error::from(err));
    }
    for skipped in &found.skipped {
        eprintln!("pqsearch: skipped {skipped}");
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut records = 0usize;
    for file in &files {
        match parse::parse_file(file) {
            Ok(questions) => {
                for q in &questions {
                    serde_json::to_writer(&mut out, q).context("writing JSON")?;
                    out.write_all(b"\n").context("writing to stdout")?;
                }
                records += questions.len();
            }
            Err(err) => {
                failed += 1;
                eprintln!("pqsearch: {:#}", anyhow::Error::new(err));
            }
        }
    }
    out.flush().context("writing to stdout")?;
    if failed > 0 {
        eprintln!(
            "pqsearch: {failed} of {} file(s) failed to parse; {records} record(s) printed",
            files.len() + unwalked
        );
        return Ok(Exit::Error.into());
    }
    if files.is_empty() {
        eprintln!("pqsearch: no input files found");
        return Ok(Exit::Nothing.into());
    }
    Ok(Exit::Found.into())
}
