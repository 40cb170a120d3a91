//! `pqsearch check`: is an index whole?
//!
//! Searches read only what they need, so damage can go unnoticed by them. A check reads
//! everything: tantivy's checksum of every segment file, every stored record, the id term
//! of every record, the count its last commit recorded, and the members table (readable,
//! and agreeing with the names the records looked up in it). Reading damaged files can make
//! the index layer panic; each part is read under a guard, so damage is reported, never a
//! crash.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use crate::index::{Build, IndexError, PqIndex};
use crate::update::manifest::Manifest;
use crate::update::members::Agreement;

/// What a check found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Records read.
    pub records: u64,
    pub segments: usize,
    /// Files of the index (each segment file's checksum is verified).
    pub files_verified: usize,
    /// Damage and inconsistencies; an index is whole when there are none.
    pub problems: Vec<String>,
    /// Things worth knowing that are not damage (such as sources that have gone).
    pub notes: Vec<String>,
    /// Whether the index's first build has yet to finish.
    pub unfinished: bool,
}

impl CheckReport {
    pub fn is_whole(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the index in `dir`. Only a missing index is an error; everything else found is
/// reported.
pub fn check(dir: &Path) -> Result<CheckReport, IndexError> {
    let mut report = CheckReport::default();
    let index = match PqIndex::open_any(dir) {
        Ok((index, build)) => {
            if build == Build::Unfinished {
                report.unfinished = true;
                report.problems.push(
                    "its first build is unfinished (an ingest stopped before the end): \
                     run the ingest again to finish it"
                        .into(),
                );
            }
            index
        }
        Err(e @ IndexError::Missing(_)) => return Err(e),
        Err(other) => {
            report.problems.push(crate::error_chain(&other));
            return Ok(report);
        }
    };

    match guarded(|| index.index.validate_checksum()) {
        Ok(Ok(damaged)) => {
            let mut damaged: Vec<String> =
                damaged.iter().map(|p| p.display().to_string()).collect();
            damaged.sort();
            for file in damaged {
                report.problems.push(format!(
                    "{file} fails its checksum (its bytes have changed)"
                ));
            }
        }
        Ok(Err(e)) => report
            .problems
            .push(format!("checksums cannot be read: {e}")),
        Err(panic) => report
            .problems
            .push(format!("checksums cannot be read: {panic}")),
    }
    report.files_verified = index.index.directory().list_managed_files().len();

    let reader = match guarded(|| index.reader()) {
        Ok(Ok(reader)) => reader,
        Ok(Err(e)) => {
            report
                .problems
                .push(format!("the index cannot be opened: {e}"));
            return Ok(report);
        }
        Err(panic) => {
            report
                .problems
                .push(format!("the index cannot be opened: {panic}"));
            return Ok(report);
        }
    };
    let searcher = reader.searcher();
    report.segments = searcher.segment_readers().len();

    // Every stored record, and its id, and whether its names agree with the members table.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut members = Agreement::load(dir);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let docs: Vec<u32> = segment.doc_ids_alive().collect();
        let read = guarded(|| {
            let mut out = Vec::with_capacity(docs.len());
            for &doc in &docs {
                out.push(index.record(&searcher, DocAddress::new(ord as u32, doc)));
            }
            out
        });
        match read {
            Ok(records) => {
                for record in records {
                    match record {
                        Ok(q) => {
                            members.see(&q);
                            *ids.entry(q.id).or_default() += 1;
                        }
                        Err(e) => report.problems.push(format!("segment {ord}: {e}")),
                    }
                }
            }
            Err(panic) => report.problems.push(format!(
                "segment {ord}: its stored records cannot be read: {panic}"
            )),
        }
        report.records += docs.len() as u64;
    }
    report.problems.extend(members.problems());
    let mut twice: Vec<&String> = ids
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    twice.sort();
    for id in twice.iter().take(10) {
        report
            .problems
            .push(format!("id {id} is held by {} records", ids[*id]));
    }
    if twice.len() > 10 {
        report
            .problems
            .push(format!("... and {} more ids held twice", twice.len() - 10));
    }

    // The id term of every record finds it: the term index agrees with the stored records.
    let lost = guarded(|| {
        let mut lost = Vec::new();
        for id in ids.keys() {
            let query = TermQuery::new(
                Term::from_field_text(index.fields.id, id),
                IndexRecordOption::Basic,
            );
            match searcher.search(&query, &Count) {
                Ok(n) if n as u32 == ids[id] => {}
                Ok(n) => lost.push(format!("id {id}: the id index finds {n} record(s)")),
                Err(e) => lost.push(format!("id {id}: {e}")),
            }
        }
        lost
    });
    match lost {
        Ok(mut lost) => {
            lost.sort();
            let n = lost.len();
            report.problems.extend(lost.into_iter().take(10));
            if n > 10 {
                report.problems.push(format!(
                    "... and {} more ids the id index does not find",
                    n - 10
                ));
            }
        }
        Err(panic) => report
            .problems
            .push(format!("the id index cannot be read: {panic}")),
    }

    match index.commit_info() {
        Ok(Some(info)) => {
            if let Some(recorded) = info.records {
                if recorded != report.records {
                    report.problems.push(format!(
                        "its last commit recorded {recorded} records, but {} are there",
                        report.records
                    ));
                }
            }
        }
        Ok(None) => {}
        Err(e) => report.problems.push(format!("{e}")),
    }

    let manifest = match Manifest::read(dir) {
        Ok(manifest) => manifest.unwrap_or_default(),
        Err(e) => {
            report.notes.push(format!(
                "its list of source files cannot be read ({e}): the next ingest reads every \
                 file again, and a rebuild needs the paths given"
            ));
            Manifest::default()
        }
    };
    let gone: Vec<_> = manifest
        .paths()
        .into_iter()
        .filter(|p| !p.exists())
        .collect();
    if let Some(first) = gone.first() {
        report.notes.push(format!(
            "{} source file(s) it was built from are gone (the first: {}); \
             a rebuild could not restore their records",
            gone.len(),
            first.display()
        ));
    }
    Ok(report)
}

/// Runs `f`, turning a panic inside the index layer into its message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic_message(payload.as_ref()))
}

/// The message a panic carried.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
