//! The single write path: every source (files today, the API sync next) hands
//! [`Question`]s to one [`Updater`], which merges each with what the index holds, writes
//! the result, and commits.
//!
//! The merge policy itself is pure and lives in [`crate::record::plan`]; the updater only
//! looks up what the policy needs (the stored record with the same id, and the records
//! with the same date and question text) and applies the writes it asks for.
//!
//! One `IndexWriter` holds tantivy's lock, so a second writer is refused while readers keep
//! working. A commit is atomic: a run that is killed loses only what it had not committed.
//! Commits happen every `commit_every` written records and at the end. The manifest of
//! files read (see [`manifest`]) is written after the commit that holds their records.

pub mod manifest;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use tantivy::{IndexReader, IndexWriter, Searcher, TantivyDocument, Term};

use crate::index::{Build, CommitInfo, IndexError, PqIndex};
use crate::record::{plan, Outcome, Put, Question};
use manifest::{FileStamp, Manifest};

/// How an updater writes.
#[derive(Debug, Clone, Copy)]
pub struct UpdaterOptions {
    /// Commit after this many written records, so long runs keep their progress.
    pub commit_every: usize,
    /// The writer's memory budget in bytes (tantivy flushes segments when it is reached).
    pub memory_budget: usize,
}

impl Default for UpdaterOptions {
    fn default() -> UpdaterOptions {
        UpdaterOptions {
            commit_every: 50_000,
            memory_budget: 200 << 20,
        }
    }
}

/// What the updater did to the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateReport {
    pub added: usize,
    pub updated: usize,
    /// Questions the index already held exactly so.
    pub duplicates: usize,
    /// Records in the index after the last commit.
    pub records_in_index: u64,
}

/// Merges incoming questions into the index and commits them.
///
/// The searcher sees the last commit; `pending` overlays what has been written since
/// (`None` for a deleted id), so that two versions of one question between two commits
/// merge too.
pub struct Updater {
    index: PqIndex,
    writer: IndexWriter<TantivyDocument>,
    reader: IndexReader,
    searcher: Searcher,
    pending: HashMap<String, Option<Question>>,
    /// Match keys of the pending records, to find look-alikes written since the commit.
    pending_keys: HashMap<String, Vec<String>>,
    /// Documents written since the last commit.
    writes: usize,
    /// How many records those writes add, net of the ones they replace.
    added_since_commit: i64,
    commit_every: usize,
    /// Whether the index's first build has finished (it is marked so by `finish`).
    build: Build,
    manifest: Option<Manifest>,
    /// Files whose records are all written, to be entered in the manifest at the next commit.
    files_done: Vec<(PathBuf, FileStamp)>,
    report: UpdateReport,
}

impl Updater {
    /// Opens (or creates) the index in `dir` for writing; an unfinished build is taken up
    /// where it stopped. Fails with [`IndexError::Busy`] when another writer holds it.
    pub fn open(dir: &Path, opts: UpdaterOptions) -> Result<Updater, IndexError> {
        let (index, build) = PqIndex::open_or_create(dir)?;
        Updater::with_build(index, build, opts)
    }

    /// An updater over a new index (in memory, for tests, or on disk).
    pub fn new(index: PqIndex, opts: UpdaterOptions) -> Result<Updater, IndexError> {
        Updater::with_build(index, Build::Unfinished, opts)
    }

    fn with_build(
        index: PqIndex,
        build: Build,
        opts: UpdaterOptions,
    ) -> Result<Updater, IndexError> {
        let writer = index
            .index
            .writer(opts.memory_budget.max(15 << 20))
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => IndexError::Busy(index.name()),
                other => index.tantivy_error(other),
            })?;
        let reader = index.reader()?;
        let searcher = reader.searcher();
        let manifest = index.dir.as_deref().map(Manifest::load);
        Ok(Updater {
            index,
            writer,
            reader,
            searcher,
            pending: HashMap::new(),
            pending_keys: HashMap::new(),
            writes: 0,
            added_since_commit: 0,
            commit_every: opts.commit_every.max(1),
            build,
            manifest,
            files_done: Vec::new(),
            report: UpdateReport::default(),
        })
    }

    pub fn index(&self) -> &PqIndex {
        &self.index
    }

    /// Whether a file is listed in the manifest exactly as it is now, so that its records
    /// are already committed and it need not be read.
    pub fn unchanged(&self, path: &Path, stamp: &FileStamp) -> bool {
        self.manifest
            .as_ref()
            .is_some_and(|m| m.get(path) == Some(stamp))
    }

    /// Notes that every record of a file has been put; the manifest lists it once the next
    /// commit holds them.
    pub fn file_done(&mut self, path: PathBuf, stamp: FileStamp) {
        self.files_done.push((path, stamp));
    }

    /// Merges one question into the index, committing when a batch is full.
    pub fn put(&mut self, q: Question) -> Result<Outcome, IndexError> {
        let existing = self.current(&q.id)?;
        let lookalikes = self.same_text(&q)?;
        let mut outcome = Outcome::Duplicate;
        for put in plan(q, existing, lookalikes) {
            let this = self.write(put)?;
            if outcome == Outcome::Duplicate {
                outcome = this;
            }
        }
        match outcome {
            Outcome::Added => self.report.added += 1,
            Outcome::Updated => self.report.updated += 1,
            Outcome::Duplicate => self.report.duplicates += 1,
        }
        if self.writes >= self.commit_every {
            self.commit()?;
        }
        Ok(outcome)
    }

    /// Commits what has been written (with the payload), lets the searcher see it, and
    /// writes the manifest that describes it. During a first build the commit is marked
    /// unfinished; only [`Updater::finish`] marks the build complete.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.commit_as(self.build)
    }

    fn commit_as(&mut self, build: Build) -> Result<(), IndexError> {
        let records = (self.searcher.num_docs() as i64 + self.added_since_commit).max(0) as u64;
        let info = CommitInfo::now(build == Build::Complete, records);
        let payload = serde_json::to_string(&info).expect("payload serialises");
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| self.index.tantivy_error(e))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| self.index.tantivy_error(e))?;
        self.build = build;
        self.reader
            .reload()
            .map_err(|e| self.index.tantivy_error(e))?;
        self.searcher = self.reader.searcher();
        self.report.records_in_index = self.searcher.num_docs();
        self.pending.clear();
        self.pending_keys.clear();
        self.writes = 0;
        self.added_since_commit = 0;
        self.save_manifest()
    }

    /// Commits what is left, marks a first build complete, and reports what was done.
    pub fn finish(mut self) -> Result<UpdateReport, IndexError> {
        if self.writes > 0 || self.build == Build::Unfinished {
            self.commit_as(Build::Complete)?;
        } else {
            // Nothing new to commit: the files read held only what the index has.
            self.report.records_in_index = self.searcher.num_docs();
            self.save_manifest()?;
        }
        Ok(self.report)
    }

    /// Enters the files whose records are committed in the manifest.
    fn save_manifest(&mut self) -> Result<(), IndexError> {
        if let (Some(manifest), Some(dir)) = (&mut self.manifest, &self.index.dir) {
            manifest.record(self.files_done.drain(..));
            manifest.save(dir)?;
        }
        Ok(())
    }

    /// The current version of a record.
    fn current(&self, id: &str) -> Result<Option<Question>, IndexError> {
        match self.pending.get(id) {
            Some(version) => Ok(version.clone()),
            None => self.index.get(&self.searcher, id),
        }
    }

    /// Other records with the same date and question text, in a stable order (by id).
    fn same_text(&self, q: &Question) -> Result<Vec<Question>, IndexError> {
        let key = q.match_key();
        // Committed records with the key, unless replaced or deleted since, then the
        // records written since with the key.
        let mut found: BTreeMap<String, Question> = BTreeMap::new();
        for r in self
            .index
            .find(&self.searcher, self.index.fields.match_key, &key, 1000)?
        {
            if !self.pending.contains_key(&r.id) {
                found.insert(r.id.clone(), r);
            }
        }
        for id in self.pending_keys.get(&key).into_iter().flatten() {
            if let Some(Some(r)) = self.pending.get(id) {
                found.insert(id.clone(), r.clone());
            }
        }
        Ok(found
            .into_values()
            .filter(|r| r.id != q.id && r.same_text(q))
            .collect())
    }

    /// Whether a record with this id is in the index as written so far.
    fn alive(&self, id: &str) -> Result<bool, IndexError> {
        if let Some(version) = self.pending.get(id) {
            return Ok(version.is_some());
        }
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(self.index.fields.id, id),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let n = self
            .searcher
            .search(&query, &tantivy::collector::Count)
            .map_err(|e| self.index.tantivy_error(e))?;
        Ok(n > 0)
    }

    /// Applies one write of the merge policy, unless it changes nothing.
    fn write(&mut self, put: Put) -> Result<Outcome, IndexError> {
        let outcome = put.outcome();
        if outcome == Outcome::Duplicate {
            return Ok(outcome);
        }
        let q = put.record;
        let id_field = self.index.fields.id;
        for id in put.replaces.iter().filter(|id| **id != q.id) {
            if self.alive(id)? {
                self.added_since_commit -= 1;
            }
            self.writer.delete_term(Term::from_field_text(id_field, id));
            self.pending.insert(id.clone(), None);
        }
        if !self.alive(&q.id)? {
            self.added_since_commit += 1;
        }
        self.writer
            .delete_term(Term::from_field_text(id_field, &q.id));
        let key = q.match_key();
        self.writer
            .add_document(self.index.fields.document(&q, &key))
            .map_err(|e| self.index.tantivy_error(e))?;
        self.writes += 1;
        self.pending_keys.entry(key).or_default().push(q.id.clone());
        self.pending.insert(q.id.clone(), Some(q));
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    const PAGE: &str = "Roads: Hedgehogs\n\n(asked on 1st December 2023) - View Source\n\nQuestion to the Department for Transport:\n\nTo ask the Secretary of State for Transport, what steps he is taking to protect hedgehogs.\n\nAnswered by\nGuy Opperman Portrait\nGuy Opperman\nThis question was answered on 11th December 2023\n\nThe Department keeps this under review.\n\nReticulating Splines";

    fn api_json(answer: &str) -> String {
        format!(
            r#"{{"value": {{"uin": "4811", "house": "Commons", "heading": "Roads: Hedgehogs",
            "dateTabled": "2023-12-01T00:00:00", "dateAnswered": "2023-12-11T00:00:00",
            "answeringBodyName": "Department for Transport",
            "questionText": "To ask the Secretary of State for Transport, what steps he is taking to protect hedgehogs.",
            "answerText": "{answer}"}}}}"#
        )
    }

    fn all(updater: &Updater) -> Vec<Question> {
        let searcher = &updater.searcher;
        let mut out: Vec<Question> = searcher
            .search(
                &tantivy::query::AllQuery,
                &tantivy::collector::DocSetCollector,
            )
            .unwrap()
            .into_iter()
            .map(|addr| updater.index.record(searcher, addr).unwrap())
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    fn one(text: &str) -> Question {
        parse::parse_bytes(text.as_bytes(), "t").unwrap().remove(0)
    }

    #[test]
    fn a_page_and_its_api_record_become_one_in_either_order_and_batch() {
        let page = one(PAGE);
        let api = one(&api_json("<p>The Department keeps this under review.</p>"));
        let mut results = Vec::new();
        for (order, commit_every) in [(0, 1), (0, 100), (1, 1), (1, 100)] {
            let mut up = Updater::new(
                PqIndex::in_ram(),
                UpdaterOptions {
                    commit_every,
                    ..UpdaterOptions::default()
                },
            )
            .unwrap();
            let (first, second) = if order == 0 {
                (page.clone(), api.clone())
            } else {
                (api.clone(), page.clone())
            };
            assert_eq!(up.put(first).unwrap(), Outcome::Added);
            assert_eq!(up.put(second).unwrap(), Outcome::Updated);
            let report = up.finish().unwrap();
            assert_eq!(
                report.records_in_index, 1,
                "order {order}, batch {commit_every}"
            );
            assert_eq!((report.added, report.updated), (1, 1));
            results.push(report);
        }
        let mut up = Updater::new(PqIndex::in_ram(), UpdaterOptions::default()).unwrap();
        up.put(page.clone()).unwrap();
        up.put(api.clone()).unwrap();
        up.commit().unwrap();
        let records = all(&up);
        assert_eq!(records.len(), 1);
        let info = up.index().commit_info().unwrap().unwrap();
        assert_eq!(
            info.records,
            Some(1),
            "the payload counts what the index holds"
        );
        assert!(
            !info.complete,
            "a first build is complete only once finished"
        );
        assert_eq!(records[0].id, "2023-12-01/4811");
        assert_eq!(records[0].answered_by.as_deref(), Some("Guy Opperman"));
        // The same versions again change nothing.
        assert_eq!(up.put(page).unwrap(), Outcome::Duplicate);
        assert_eq!(up.put(api).unwrap(), Outcome::Duplicate);
    }

    #[test]
    fn a_newer_answer_replaces_the_old_one() {
        let mut up = Updater::new(PqIndex::in_ram(), UpdaterOptions::default()).unwrap();
        up.put(one(&api_json("Old."))).unwrap();
        up.commit().unwrap();
        let newer = api_json("New.").replace("2023-12-11", "2023-12-20");
        assert_eq!(up.put(one(&newer)).unwrap(), Outcome::Updated);
        up.commit().unwrap();
        let records = all(&up);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].answer.as_deref(), Some("New."));
    }
}
