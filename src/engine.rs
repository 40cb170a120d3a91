//! The one read path: an [`Engine`] holds an open index and its reader, and answers every
//! question a front end asks of it (a page of hits, one record, a count, the departments
//! known). The CLI uses it today and the web page will; because both go through it, they
//! cannot disagree about a count.

use std::collections::BTreeSet;
use std::path::Path;

use tantivy::{IndexReader, Searcher};

use crate::coverage::{self, Coverage};
use crate::facets::{self, CountError, FacetRequest, FacetResults, Trend, TrendRequest};
use crate::index::{CommitInfo, IndexError, PqIndex};
use crate::record::Question;
use crate::search::{self, Prepared, SearchError, SearchRequest, SearchResults};
use crate::stats::{self, Stats, StatsRequest};

/// The most threads one search uses.
pub const SEARCH_THREADS: usize = 4;

/// An index opened for reading.
pub struct Engine {
    index: PqIndex,
    reader: IndexReader,
}

impl Engine {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<Engine, IndexError> {
        Engine::new(PqIndex::open(dir)?)
    }

    /// An engine over an index already open (in memory, for tests).
    ///
    /// Searches run over the index's segments in parallel, on up to [`SEARCH_THREADS`]
    /// threads: a query that matches most of a large index (`"Secretary of State"` is in
    /// four questions of five) costs its positions in every segment, and the segments are
    /// independent.
    pub fn new(index: PqIndex) -> Result<Engine, IndexError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Engine::with_search_threads(index, threads.min(SEARCH_THREADS))
    }

    /// An engine whose searches use `threads` threads (1: only the calling thread).
    pub fn with_search_threads(mut index: PqIndex, threads: usize) -> Result<Engine, IndexError> {
        let executor = if threads > 1 {
            tantivy::Executor::multi_thread(threads, "pqsearch-search-")
                .unwrap_or_else(|_| tantivy::Executor::single_thread())
        } else {
            tantivy::Executor::single_thread()
        };
        // The reader's searchers take the executor from the index as it is now.
        index.index.set_executor(executor);
        let reader = index.reader()?;
        Ok(Engine { index, reader })
    }

    pub fn index(&self) -> &PqIndex {
        &self.index
    }

    /// A searcher over the index as last loaded; hold one across related reads so that they
    /// see the same commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Makes later searchers see the latest commit.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload().map_err(|e| self.index.read_error(e))
    }

    /// What the last commit recorded.
    pub fn commit_info(&self) -> Result<Option<CommitInfo>, IndexError> {
        self.index.commit_info()
    }

    /// Parses and resolves a request against what `searcher` sees.
    pub fn prepare(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
    ) -> Result<Prepared<'_>, SearchError> {
        Prepared::new(&self.index, searcher, request)
    }

    /// The total and the page of hits the request asks for.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        search::search_in(&self.index, &self.searcher(), request)
    }

    /// Close variants of a request that found little (see [`search::suggest`]).
    pub fn suggest(
        &self,
        request: &SearchRequest,
        results: &SearchResults,
    ) -> Result<Vec<search::Suggestion>, SearchError> {
        search::suggest(&self.index, &self.searcher(), request, results)
    }

    /// How many questions match.
    pub fn count(&self, request: &SearchRequest) -> Result<usize, SearchError> {
        let searcher = self.searcher();
        self.prepare(&searcher, request)?.count(&searcher)
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Result<Option<Question>, IndexError> {
        self.index.get(&self.searcher(), id)
    }

    /// Every record with this UIN, oldest first. UINs restart each parliamentary session,
    /// so one UIN may name several questions.
    pub fn by_uin(&self, uin: &str) -> Result<Vec<Question>, IndexError> {
        let searcher = self.searcher();
        let query = tantivy::query::TermQuery::new(
            tantivy::Term::from_field_text(self.index.fields.uin, uin),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let docs = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| self.index.tantivy_error(e))?;
        let mut out = docs
            .into_iter()
            .map(|addr| self.index.record(&searcher, addr))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| (a.date_asked, &a.id).cmp(&(b.date_asked, &b.id)));
        Ok(out)
    }

    /// The newest date in the index (asked or answered), as of which questions are overdue.
    pub fn newest_date(&self) -> Result<Option<crate::date::Date>, IndexError> {
        search::newest_date(&self.index, &self.searcher())
    }

    /// Every department name in the index.
    pub fn departments(&self) -> Result<BTreeSet<String>, IndexError> {
        search::departments(&self.index, &self.searcher())
    }

    /// How many matches of a search have each value of some fields.
    pub fn facets(&self, request: &FacetRequest) -> Result<FacetResults, CountError> {
        facets::facets(&self.index, &self.searcher(), request)
    }

    /// How many matches of a search each month or year has, beside the index's coverage.
    pub fn trend(&self, request: &TrendRequest) -> Result<Trend, CountError> {
        facets::trend(&self.index, &self.searcher(), request)
    }

    /// Answer performance of the matches of a search; overdue as of the index's newest date.
    pub fn stats(&self, request: &StatsRequest) -> Result<Stats, CountError> {
        let searcher = self.searcher();
        let as_of = search::newest_date(&self.index, &searcher)?;
        stats::stats(&self.index, &searcher, request, as_of)
    }

    /// What the index covers: the denominator of every count.
    pub fn coverage(&self) -> Result<Coverage, CountError> {
        coverage::coverage(&self.index, &self.searcher())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::parse;
    use crate::update::{Updater, UpdaterOptions};

    /// An engine over the embedded samples, in memory.
    pub(crate) fn engine() -> Engine {
        let mut questions = Vec::new();
        for file in ["sample-listing.txt", "sample-api.json"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus")
                .join(file);
            questions.extend(parse::parse_file(&path).unwrap().questions);
        }
        engine_with(questions)
    }

    /// An engine over these questions, in memory. `commit_every` small enough makes
    /// several segments, so that counts are merged across them.
    pub(crate) fn engine_with(questions: Vec<Question>) -> Engine {
        let index = PqIndex::in_ram();
        let options = UpdaterOptions {
            commit_every: 7,
            ..UpdaterOptions::default()
        };
        let mut up = Updater::new(index.clone(), options).unwrap();
        for q in questions {
            up.put(q).unwrap();
        }
        up.finish().unwrap();
        Engine::new(index).unwrap()
    }

    pub(crate) const DLUHC: &str = "Department for Levelling Up, Housing and Communities";
    pub(crate) const MHCLG: &str = "Ministry of Housing, Communities and Local Government";
    pub(crate) const DHSC: &str = "Department of Health and Social Care";

    /// One question: asked on `asked` to `department`, answered on `answered` (with an
    /// answer and no date when `answered` is "undated"), holding when `answer` is "holding".
    pub(crate) fn question(
        n: usize,
        department: &str,
        asked: &str,
        answered: Option<&str>,
        answer: &str,
    ) -> Question {
        let mut d = crate::record::Draft::new(
            asked.parse().unwrap(),
            department.to_string(),
            format!("To ask the Secretary of State, question {n} about housing and health."),
            format!("fixture#{n}"),
        );
        d.uin = Some(n.to_string());
        d.answer = match answer {
            "" => None,
            "holding" => Some(
                "It will not be possible to answer this question within the usual time.".into(),
            ),
            text => Some(text.to_string()),
        };
        match answered {
            Some("undated") => d.answered = true,
            Some(date) => d.date_answered = Some(date.parse().unwrap()),
            None => {}
        }
        d.finish().unwrap()
    }

    /// Questions on both sides of the DLUHC → MHCLG rename, with empty months between
    /// (2024-01 to 2024-06, and 2024-08), every status, and answers from 0 to 40 days.
    pub(crate) fn fixture() -> Vec<Question> {
        let rows: &[(&str, &str, Option<&str>, &str)] = &[
            (DLUHC, "2023-12-01", Some("2023-12-05"), "Homes."),
            (DLUHC, "2023-12-04", Some("2023-12-14"), "Homes, again."),
            (DLUHC, "2023-12-19", Some("2024-01-12"), "Late homes."),
            (DLUHC, "2023-12-19", None, ""),
            (DHSC, "2023-12-01", Some("2023-12-01"), "Same day."),
            (DHSC, "2023-12-11", Some("2023-12-18"), "A week."),
            (DHSC, "2023-12-12", Some("undated"), "No date given."),
            (MHCLG, "2024-07-17", Some("2024-07-22"), "New name."),
            (MHCLG, "2024-07-18", Some("2024-07-25"), "A week."),
            (MHCLG, "2024-07-18", Some("2024-08-27"), "Forty days."),
            (MHCLG, "2024-09-02", Some("2024-09-05"), "holding"),
            (MHCLG, "2024-09-03", None, ""),
            (DHSC, "2024-07-17", Some("2024-07-19"), "Two days."),
            (DHSC, "2024-09-09", Some("2024-09-12"), "Three days."),
            (DHSC, "2024-09-10", None, ""),
            (DHSC, "2024-09-10", Some("undated"), "Undated again."),
        ];
        // Askers: member 101 under two spellings, 102 known only by id, a name with no id
        // (a page), and nobody; due in 3 or 10 days, one in three on a named day.
        let askers: [(Option<u32>, Option<&str>, Option<&str>); 5] = [
            (Some(101), Some("Sir Jo Bloggs"), Some("Labour")),
            (Some(101), Some("Jo Bloggs"), Some("Labour")),
            (Some(102), None, None),
            (None, Some("Pat Page"), Some("Conservative")),
            (None, None, None),
        ];
        rows.iter()
            .enumerate()
            .map(|(i, (dept, asked, answered, answer))| {
                let mut q = question(i + 1, dept, asked, *answered, answer);
                let (id, name, party) = askers[i % askers.len()];
                q.asked_by_id = id;
                q.asked_by = name.map(str::to_string);
                q.asked_by_party = party.map(str::to_string);
                q.named_day = Some(i % 3 == 0);
                q.date_due =
                    (i != 14).then(|| q.date_asked.add_days(if i % 2 == 0 { 3 } else { 10 }));
                if q.date_answered.is_some() {
                    q.answered_by_id = Some(200 + (i % 2) as u32);
                    q.answered_by = (i % 4 != 1).then(|| format!("Minister {}", i % 2));
                }
                q
            })
            .collect()
    }

    impl Engine {
        /// Every record, read from the store: what counts are checked against.
        pub(crate) fn all_records(&self) -> Vec<Question> {
            let searcher = self.searcher();
            let prepared = self.prepare(&searcher, &SearchRequest::new("*")).unwrap();
            prepared
                .all(&searcher, search::Sort::Relevance)
                .unwrap()
                .into_iter()
                .map(|(_, addr)| self.index.record(&searcher, addr).unwrap())
                .collect()
        }
    }

    #[test]
    fn searches_counts_and_gets_agree() {
        let engine = engine();
        let all = engine.search(&SearchRequest::new("*")).unwrap();
        assert_eq!(all.total, 6);
        assert_eq!(engine.count(&SearchRequest::new("*")).unwrap(), 6);
        for hit in &all.hits {
            assert_eq!(
                engine.get(&hit.record.id).unwrap().as_ref(),
                Some(&hit.record)
            );
        }
        let mut request = SearchRequest::new("*");
        request.filters.status = Some(crate::record::Status::Unanswered.into());
        let unanswered = engine.search(&request).unwrap();
        assert!(unanswered.total > 0 && unanswered.total < 6);
        assert!(unanswered
            .hits
            .iter()
            .all(|h| h.record.status == crate::record::Status::Unanswered));
        assert!(engine.get("no-such-id").unwrap().is_none());
        assert!(!engine.departments().unwrap().is_empty());
    }
}
