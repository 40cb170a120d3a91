//! `pqsearch check`: whether an index is whole, one problem a line.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{term, Exit};

/// Prints one line of the report. A closed stdout (`pqsearch check | head -1`) must neither
/// panic nor turn a damaged index into exit 0, so write errors are dropped here and the
/// exit status stays the verdict; problems quote file names, so they are escaped.
macro_rules! report {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", term::escape(&line, false));
        let _ = out.flush();
    }};
}

pub fn run(dir: &Path) -> anyhow::Result<ExitCode> {
    crate::note_index(dir);
    let report = pqsearch::check::check(dir)?;
    for problem in &report.problems {
        report!("problem: {problem}");
    }
    for note in &report.notes {
        report!("note: {note}");
    }
    if report.is_whole() {
        report!(
            "ok: {} holds {} record(s) in {} segment(s); {} file(s), every checksum verified",
            dir.display(),
            report.records,
            report.segments,
            report.files_verified
        );
        Ok(Exit::Found.into())
    } else if report.unfinished && report.problems.len() == 1 {
        report!(
            "unfinished: {} is still being built, or its first ingest stopped; run that ingest again to finish it",
            dir.display()
        );
        Ok(Exit::Error.into())
    } else {
        report!(
            "damaged: {} problem(s) in {}; `pqsearch ingest --rebuild --index {}` builds it again from its sources",
            report.problems.len(),
            dir.display(),
            dir.display()
        );
        Ok(Exit::Error.into())
    }
}
