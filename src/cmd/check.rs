//! `pqsearch check`: whether an index is whole, one problem a line.

use std::path::Path;
use std::process::ExitCode;

use super::Exit;

pub fn run(dir: &Path) -> anyhow::Result<ExitCode> {
    crate::note_index(dir);
    let report = pqsearch::check::check(dir)?;
    for problem in &report.problems {
        println!("problem: {problem}");
    }
    for note in &report.notes {
        println!("note: {note}");
    }
    if report.is_whole() {
        println!(
            "ok: {} holds {} record(s) in {} segment(s); {} file(s), every checksum verified",
            dir.display(),
            report.records,
            report.segments,
            report.files_verified
        );
        Ok(Exit::Found.into())
    } else if report.unfinished && report.problems.len() == 1 {
        println!(
            "unfinished: {} is still being built, or its first ingest stopped; run that ingest again to finish it",
            dir.display()
        );
        Ok(Exit::Error.into())
    } else {
        println!(
            "damaged: {} problem(s) in {}; `pqsearch ingest --rebuild --index {}` builds it again from its sources",
            report.problems.len(),
            dir.display(),
            dir.display()
        );
        Ok(Exit::Error.into())
    }
}
