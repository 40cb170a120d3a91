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
//!
//! Records written since the last commit keep only their deletes in the writer; their
//! documents are added at the commit, once each (a record merged twice in a batch is
//! indexed once), in the order they were first written, so the index's order, which breaks
//! ties between hits, is the same on every run.
//!
//! Members (from the Members API) go into the members table ([`members`]), whose names the
//! updater copies into every record that names a member only by id: into the records of a
//! batch when their documents are added, and, for a member that is new or changed, into
//! the committed records before the next commit. The table's module says how the two stay
//! in step across a crash.
//!
//! Finding the versions of a question costs one term lookup whatever the index holds:
//! records are keyed by date and text separately for those with a UIN and those without,
//! because a record with a UIN only ever absorbs records without one (pages), so that many
//! official questions sharing a text (campaign questions) are never compared with each
//! other. A record that absorbed a page keeps it beside its document (never shown) and is
//! also keyed as a page, so that a question of the same text arriving later still gets
//! what the page gives it (see [`plan`]).

pub mod manifest;
pub mod members;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexReader, IndexWriter, Searcher, TantivyDocument, Term};

use crate::index::{Build, CommitInfo, IndexError, PqIndex};
use crate::record::{plan, Member, Outcome, Put, Question};
use manifest::{FileStamp, Manifest};
use members::MembersTable;

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
    /// Members put that were new to the members table or changed it.
    pub members_changed: usize,
    /// Members put that the table already held exactly so.
    pub members_unchanged: usize,
    /// Stored records whose looked-up names changed because their members did.
    pub renamed: usize,
    /// Records in the index after the last commit.
    pub records_in_index: u64,
    /// Members in the members table.
    pub members_in_table: usize,
}

/// A record as the index stores it: the record, and the pages it absorbed (kept beside it,
/// never shown, so that another official question of the same text can take what a page
/// says too; see [`plan`]).
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    record: Question,
    absorbed: Vec<Question>,
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
    pending: HashMap<String, Option<Stored>>,
    /// The ids in `pending`, in the order they were first written: documents are added at
    /// the commit, in this order (so that the index's order, which breaks ties between
    /// equal hits, is the same on every run).
    pending_order: Vec<String>,
    /// Stored keys (see [`stored_key`]) of the pending records, to find look-alikes written
    /// since the commit.
    pending_keys: HashMap<String, Vec<String>>,
    members: MembersTable,
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
    /// Files whose good records are written and some rejected, likewise.
    files_partial: Vec<(PathBuf, FileStamp)>,
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
        let members = match index.dir.as_deref() {
            Some(dir) => MembersTable::load(dir)?,
            None => MembersTable::default(),
        };
        let mut updater = Updater {
            index,
            writer,
            reader,
            searcher,
            pending: HashMap::new(),
            pending_order: Vec::new(),
            pending_keys: HashMap::new(),
            members,
            writes: 0,
            added_since_commit: 0,
            commit_every: opts.commit_every.max(1),
            build,
            manifest,
            files_done: Vec::new(),
            files_partial: Vec::new(),
            report: UpdateReport::default(),
        };
        if updater.members.needs_repair() {
            // The last run was killed between writing the members table and committing the
            // records it renamed: bring every record in line with the table.
            updater.rename(&AllQuery)?;
        }
        Ok(updater)
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

    /// Notes that the good records of a file have been put and the others were rejected:
    /// the manifest lists it as a source, to be read again by every ingest until it is fixed.
    pub fn file_partly_done(&mut self, path: PathBuf, stamp: FileStamp) {
        self.files_partial.push((path, stamp));
    }

    /// Merges one question into the index, committing when a batch is full.
    ///
    /// The merge policy sees what the sources said (names looked up in the members table
    /// are taken out of the stored versions); the names are looked up again in what it
    /// returns, so that a source's name always wins over the table's.
    pub fn put(&mut self, q: Question) -> Result<Outcome, IndexError> {
        let existing = self.current(&q.id)?;
        let lookalikes = self.same_text(&q)?;
        let mut stored: HashMap<String, Stored> = HashMap::new();
        let mut carried: BTreeMap<String, Question> = BTreeMap::new();
        let mut others = Vec::new();
        for s in existing.iter().chain(&lookalikes) {
            stored.insert(s.record.id.clone(), s.clone());
        }
        for s in lookalikes {
            // Records with a UIN found by a question with a UIN are there for the pages
            // they carry; the policy takes nothing else from them.
            if q.uin.is_some() && s.record.uin.is_some() {
                for page in s.absorbed {
                    carried.entry(page.id.clone()).or_insert(page);
                }
            } else {
                others.push(s.record.without_looked_up());
            }
        }
        if let Some(e) = &existing {
            // Its own pages are in it already.
            for page in &e.absorbed {
                carried.remove(&page.id);
            }
        }
        let puts = plan(
            q.without_looked_up(),
            existing.map(|e| e.record.without_looked_up()),
            others,
            carried.into_values().collect(),
        );
        let mut outcome = Outcome::Duplicate;
        for mut put in puts {
            self.look_up_names(&mut put.record);
            let before = put.before.and_then(|b| stored.remove(&b.id));
            let this = self.write(put.record, before, &put.replaces, put.absorbed)?;
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

    /// Whether the members table names this member.
    pub fn knows_member(&self, id: u32) -> bool {
        self.members.get(id).is_some()
    }

    /// Enters a member into the members table. The records naming it get its name before
    /// the next commit.
    pub fn put_member(&mut self, member: Member) -> Result<(), IndexError> {
        if self.members.put(member) {
            self.report.members_changed += 1;
        } else {
            self.report.members_unchanged += 1;
        }
        Ok(())
    }

    /// Commits what has been written (with the payload), lets the searcher see it, and
    /// writes the manifest that describes it. Members put since the last commit are first
    /// applied to the stored records, and the table written (see [`members`]). During a
    /// first build the commit is marked unfinished; only [`Updater::finish`] marks the build
    /// complete.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.commit_as(self.build)
    }

    fn commit_as(&mut self, build: Build) -> Result<(), IndexError> {
        let members_dirty = self.members.dirty();
        if members_dirty {
            self.apply_members()?;
        }
        self.add_pending()?;
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
        if members_dirty {
            match &self.index.dir {
                Some(dir) => self.members.save_applied(dir)?,
                None => self.members.committed(),
            }
        }
        self.reader
            .reload()
            .map_err(|e| self.index.tantivy_error(e))?;
        self.searcher = self.reader.searcher();
        self.report.records_in_index = self.searcher.num_docs();
        self.pending.clear();
        self.pending_order.clear();
        self.pending_keys.clear();
        self.writes = 0;
        self.added_since_commit = 0;
        self.save_manifest()
    }

    /// Before a commit: rewrites the records that name a member added or changed since the
    /// last one (or, after an interrupted run, every record), then writes the table, marked
    /// as being applied (see [`members`]).
    fn apply_members(&mut self) -> Result<(), IndexError> {
        let changed = self.members.changed().clone();
        if !changed.is_empty() {
            let fields = &self.index.fields;
            let clauses: Vec<(Occur, Box<dyn Query>)> = changed
                .iter()
                .flat_map(|&id| {
                    [
                        fields.asked_by_id,
                        fields.answered_by_id,
                        fields.corrected_by_id,
                    ]
                    .map(|field| {
                        let term = Term::from_field_u64(field, u64::from(id));
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                        (Occur::Should, q)
                    })
                })
                .collect();
            self.rename(&BooleanQuery::new(clauses))?;
        }
        if let Some(dir) = &self.index.dir {
            self.members.save_applying(dir)?;
        }
        Ok(())
    }

    /// Commits what is left, marks a first build complete, and reports what was done.
    pub fn finish(mut self) -> Result<UpdateReport, IndexError> {
        if self.writes > 0 || self.build == Build::Unfinished || self.members.dirty() {
            self.commit_as(Build::Complete)?;
        } else {
            // Nothing new to commit: the files read held only what the index has.
            self.report.records_in_index = self.searcher.num_docs();
            self.save_manifest()?;
        }
        self.report.members_in_table = self.members.len();
        Ok(self.report)
    }

    /// Gives a record the names the members table has for the ids it names without names.
    fn look_up_names(&self, q: &mut Question) {
        q.look_up_names(|id| self.members.get(id).cloned());
    }

    /// Looks the names up again in the current members table for the committed records that
    /// `query` finds, and rewrites those whose names change. (Records written since the
    /// commit take their names from the table as it is when they are added; see
    /// [`Updater::add_pending`].)
    fn rename(&mut self, query: &dyn Query) -> Result<(), IndexError> {
        let docs = self
            .searcher
            .search(query, &DocSetCollector)
            .map_err(|e| self.index.tantivy_error(e))?;
        for addr in docs {
            let before = self.load(addr)?;
            if self.pending.contains_key(&before.record.id) {
                continue;
            }
            let mut after = before.record.clone().without_looked_up();
            self.look_up_names(&mut after);
            if after != before.record {
                self.report.renamed += 1;
                self.write(after, Some(before), &[], Vec::new())?;
            }
        }
        Ok(())
    }

    /// Adds the documents of the records written since the last commit, each in its last
    /// version and with the names the members table gives now.
    fn add_pending(&mut self) -> Result<(), IndexError> {
        for id in std::mem::take(&mut self.pending_order) {
            let Some(Some(stored)) = self.pending.get(&id) else {
                continue;
            };
            let mut q = stored.record.clone().without_looked_up();
            self.look_up_names(&mut q);
            let fields = &self.index.fields;
            let mut doc = fields.document(&q, &stored_key(&q));
            if !stored.absorbed.is_empty() {
                // A record that carries pages is found by the records a page would find.
                doc.add_text(fields.match_key, page_key(&q));
                doc.add_text(
                    fields.absorbed,
                    serde_json::to_string(&stored.absorbed).expect("pages serialise"),
                );
            }
            self.writer
                .add_document(doc)
                .map_err(|e| self.index.tantivy_error(e))?;
        }
        Ok(())
    }

    /// Reads a stored record and the pages it carries.
    fn load(&self, addr: tantivy::DocAddress) -> Result<Stored, IndexError> {
        let record = self.index.record(&self.searcher, addr)?;
        let doc: TantivyDocument = self
            .searcher
            .doc(addr)
            .map_err(|e| self.index.tantivy_error(e))?;
        let absorbed = match doc
            .get_first(self.index.fields.absorbed)
            .and_then(|v| tantivy::schema::Value::as_str(&v))
        {
            Some(json) => serde_json::from_str(json).map_err(|e| IndexError::BadRecord {
                doc: addr,
                error: Some(e),
            })?,
            None => Vec::new(),
        };
        Ok(Stored { record, absorbed })
    }

    /// Enters the files whose records are committed in the manifest.
    fn save_manifest(&mut self) -> Result<(), IndexError> {
        if let (Some(manifest), Some(dir)) = (&mut self.manifest, &self.index.dir) {
            manifest.record(self.files_done.drain(..));
            manifest.record_partial(self.files_partial.drain(..));
            manifest.save(dir)?;
        }
        Ok(())
    }

    /// The current version of a record.
    fn current(&self, id: &str) -> Result<Option<Stored>, IndexError> {
        if let Some(version) = self.pending.get(id) {
            return Ok(version.clone());
        }
        let query = TermQuery::new(
            Term::from_field_text(self.index.fields.id, id),
            IndexRecordOption::Basic,
        );
        let docs = self
            .searcher
            .search(&query, &DocSetCollector)
            .map_err(|e| self.index.tantivy_error(e))?;
        docs.into_iter()
            .next()
            .map(|addr| self.load(addr))
            .transpose()
    }

    /// Other records with the same date and question text, in a stable order (by id): for a
    /// record with a UIN, those without one (which it absorbs) and those that carry pages
    /// absorbed before; for a record without, those with one (which it merges into). See
    /// [`plan`].
    fn same_text(&self, q: &Question) -> Result<Vec<Stored>, IndexError> {
        let key = lookup_key(q);
        // Committed records with the key, unless replaced or deleted since, then the
        // records written since with the key.
        let query = TermQuery::new(
            Term::from_field_text(self.index.fields.match_key, &key),
            IndexRecordOption::Basic,
        );
        let docs = self
            .searcher
            .search(&query, &DocSetCollector)
            .map_err(|e| self.index.tantivy_error(e))?;
        let mut found: BTreeMap<String, Stored> = BTreeMap::new();
        for addr in docs {
            let s = self.load(addr)?;
            if !self.pending.contains_key(&s.record.id) {
                found.insert(s.record.id.clone(), s);
            }
        }
        for id in self.pending_keys.get(&key).into_iter().flatten() {
            if let Some(Some(s)) = self.pending.get(id) {
                found.insert(id.clone(), s.clone());
            }
        }
        Ok(found
            .into_values()
            .filter(|s| s.record.id != q.id && s.record.same_text(q))
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

    /// Writes one record in place of `before` and of the records with the `replaces` ids,
    /// with the pages it carries (those it carried, and `absorbed`), unless nothing changes.
    fn write(
        &mut self,
        record: Question,
        before: Option<Stored>,
        replaces: &[String],
        absorbed: Vec<Question>,
    ) -> Result<Outcome, IndexError> {
        let (before, carried_before) = match before {
            Some(s) => (Some(s.record), s.absorbed),
            None => (None, Vec::new()),
        };
        // By id, each page once, in its latest version.
        let mut carried: BTreeMap<String, Question> = carried_before
            .iter()
            .map(|p| (p.id.clone(), p.clone()))
            .collect();
        carried.extend(absorbed.into_iter().map(|p| (p.id.clone(), p)));
        let carried: Vec<Question> = carried.into_values().collect();
        let put = Put {
            record,
            before,
            replaces: replaces.to_vec(),
            absorbed: Vec::new(),
        };
        let outcome = put.outcome();
        if outcome == Outcome::Duplicate && carried == carried_before {
            return Ok(outcome);
        }
        let q = put.record;
        let id_field = self.index.fields.id;
        for id in put.replaces.iter().filter(|id| **id != q.id) {
            if self.alive(id)? {
                self.added_since_commit -= 1;
            }
            self.writer.delete_term(Term::from_field_text(id_field, id));
            self.set_pending(id.clone(), None);
        }
        if !self.alive(&q.id)? {
            self.added_since_commit += 1;
        }
        // The old version goes now; the new one's document is added at the commit.
        self.writer
            .delete_term(Term::from_field_text(id_field, &q.id));
        self.writes += 1;
        self.pending_keys
            .entry(stored_key(&q))
            .or_default()
            .push(q.id.clone());
        if !carried.is_empty() {
            self.pending_keys
                .entry(page_key(&q))
                .or_default()
                .push(q.id.clone());
        }
        self.set_pending(
            q.id.clone(),
            Some(Stored {
                record: q,
                absorbed: carried,
            }),
        );
        Ok(outcome)
    }

    fn set_pending(&mut self, id: String, version: Option<Stored>) {
        if !self.pending.contains_key(&id) {
            self.pending_order.push(id.clone());
        }
        self.pending.insert(id, version);
    }
}

/// The key a record is stored under: its [`Question::match_key`], marked by whether it has
/// a UIN (`u`) or not (`c`, a content id).
fn stored_key(q: &Question) -> String {
    let kind = if q.uin.is_some() { 'u' } else { 'c' };
    format!("{kind}{}", q.match_key())
}

/// The stored key of the records a question may merge with: those of the other kind.
fn lookup_key(q: &Question) -> String {
    let kind = if q.uin.is_some() { 'c' } else { 'u' };
    format!("{kind}{}", q.match_key())
}

/// The key a page of this record's text is stored under.
fn page_key(q: &Question) -> String {
    format!("c{}", q.match_key())
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

    /// An updater over a fresh index in memory, committing every `commit_every` records.
    fn in_ram(commit_every: usize) -> Updater {
        Updater::new(
            PqIndex::in_ram(),
            UpdaterOptions {
                commit_every,
                ..UpdaterOptions::default()
            },
        )
        .unwrap()
    }

    fn one(text: &str) -> Question {
        parse::parse_bytes(text.as_bytes(), "t")
            .unwrap()
            .questions
            .remove(0)
    }

    #[test]
    fn a_page_and_its_api_record_become_one_in_either_order_and_batch() {
        let page = one(PAGE);
        let api = one(&api_json("<p>The Department keeps this under review.</p>"));
        let mut results = Vec::new();
        for (order, commit_every) in [(0, 1), (0, 100), (1, 1), (1, 100)] {
            let mut up = in_ram(commit_every);
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

    fn member(id: u32, name: &str) -> Member {
        Member {
            id,
            name: name.into(),
            party: Some("Labour".into()),
            constituency: Some("Somewhere".into()),
            house: None,
        }
    }

    fn asked(asker: u32) -> Question {
        let mut q = one(&api_json("Yes."));
        q.asked_by_id = Some(asker);
        q
    }

    #[test]
    fn members_name_records_whether_they_come_first_or_last() {
        for members_first in [true, false] {
            for commit_every in [1, 100] {
                let mut up = in_ram(commit_every);
                if members_first {
                    up.put_member(member(7, "A Member")).unwrap();
                }
                up.put(asked(7)).unwrap();
                if !members_first {
                    up.put_member(member(7, "A Member")).unwrap();
                }
                up.commit().unwrap();
                let records = all(&up);
                assert_eq!(records[0].asked_by.as_deref(), Some("A Member"));
                assert_eq!(records[0].names_looked_up, [crate::record::Role::AskedBy]);
                // A newer version of the member renames the record; the same one does not.
                up.put_member(member(7, "A Member")).unwrap();
                up.commit().unwrap();
                // Only committed records are renamed; a record written since the commit
                // takes the table's names when it is added.
                assert_eq!(
                    up.report.renamed,
                    usize::from(!members_first && commit_every == 1)
                );
                up.put_member(member(7, "Renamed")).unwrap();
                up.commit().unwrap();
                assert_eq!(all(&up)[0].asked_by.as_deref(), Some("Renamed"));
                // Re-putting the question changes nothing.
                assert_eq!(up.put(asked(7)).unwrap(), Outcome::Duplicate);
            }
        }
    }

    /// Regression (issue 9): questions sharing a date and a text were each compared with all
    /// the others, so ingest grew with the square of their number. A question with a UIN now
    /// looks up only records without one.
    #[test]
    fn official_questions_sharing_a_text_are_never_compared() {
        let mut up = in_ram(500);
        let base = api_json("Yes.");
        for n in 0..2_000 {
            let q = one(&base.replace("\"4811\"", &format!("\"{n}\"")));
            assert!(up.same_text(&q).unwrap().is_empty(), "question {n}");
            assert_eq!(up.put(q).unwrap(), Outcome::Added);
        }
        // A page of that text still finds them all, and fills each one's gaps.
        let page = one(PAGE);
        assert_eq!(up.same_text(&page).unwrap().len(), 2_000);
        up.put(page).unwrap();
        up.commit().unwrap();
        let records = all(&up);
        assert_eq!(records.len(), 2_000);
        assert!(records
            .iter()
            .all(|r| r.answered_by.as_deref() == Some("Guy Opperman")));
    }

    #[test]
    fn an_interrupted_members_commit_is_repaired_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut up = Updater::open(dir.path(), UpdaterOptions::default()).unwrap();
        up.put(asked(9)).unwrap();
        up.finish().unwrap();
        // As a run killed between writing the table and committing leaves it.
        let mut table = MembersTable::load(dir.path()).unwrap();
        table.put(member(9, "Named Late"));
        table.save_applying(dir.path()).unwrap();
        let up = Updater::open(dir.path(), UpdaterOptions::default()).unwrap();
        let report = up.finish().unwrap();
        assert_eq!(report.renamed, 1);
        let up = Updater::open(dir.path(), UpdaterOptions::default()).unwrap();
        assert!(!up.members.dirty());
        assert_eq!(all(&up)[0].asked_by.as_deref(), Some("Named Late"));
    }

    /// A page whose text two official questions share (campaign questions answered
    /// together) reaches both, whichever arrives first.
    #[test]
    fn a_page_reaches_every_question_of_its_text_in_any_order() {
        let page = one(PAGE);
        let twin = |uin: &str, asker: u32| {
            let json = api_json("<p>The Department keeps this under review.</p>")
                .replace("\"4811\"", &format!("\"{uin}\""));
            let mut q = one(&json);
            q.asked_by_id = Some(asker);
            q
        };
        let (x, y) = (twin("1", 10), twin("2", 20));
        let mut results = Vec::new();
        for order in [
            [&page, &x, &y],
            [&x, &page, &y],
            [&x, &y, &page],
            [&y, &page, &x],
        ] {
            let mut up = Updater::new(PqIndex::in_ram(), UpdaterOptions::default()).unwrap();
            for q in order {
                up.put((*q).clone()).unwrap();
                up.commit().unwrap();
            }
            let mut records = all(&up);
            for r in &mut records {
                r.source.clear();
            }
            assert_eq!(records.len(), 2, "{records:?}");
            assert!(records
                .iter()
                .all(|r| r.answered_by.as_deref() == Some("Guy Opperman")));
            assert_eq!(
                records.iter().map(|r| r.asked_by_id).collect::<Vec<_>>(),
                [Some(10), Some(20)]
            );
            results.push(records);
        }
        for (k, records) in results.iter().enumerate() {
            for (a, b) in results[0].iter().zip(records) {
                assert_eq!(
                    serde_json::to_value(a).unwrap(),
                    serde_json::to_value(b).unwrap(),
                    "order {k}"
                );
            }
        }
    }
}
