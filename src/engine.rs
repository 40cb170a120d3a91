//! The one read path: an [`Engine`] holds an open index and its reader, and answers every
//! question a front end asks of it (a page of hits, one record, a count, the departments
//! known). The CLI uses it today and the web page will; because both go through it, they
//! cannot disagree about a count.

use std::collections::BTreeSet;
use std::path::Path;

use tantivy::{IndexReader, Searcher};

use crate::index::{CommitInfo, IndexError, PqIndex};
use crate::record::Question;
use crate::search::{self, Prepared, SearchError, SearchRequest, SearchResults};

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;
    use crate::update::{Updater, UpdaterOptions};

    /// An engine over the embedded samples, in memory.
    fn engine() -> Engine {
        let index = PqIndex::in_ram();
        let mut up = Updater::new(index.clone(), UpdaterOptions::default()).unwrap();
        for file in ["sample-listing.txt", "sample-api.json"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus")
                .join(file);
            for q in parse::parse_file(&path).unwrap().questions {
                up.put(q).unwrap();
            }
        }
        up.finish().unwrap();
        Engine::new(index).unwrap()
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
