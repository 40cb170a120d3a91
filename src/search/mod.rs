//! A [`SearchRequest`] (query, filters, order, page) → [`SearchResults`] (the total and the
//! hits, each with its score, whole record and snippet).
//!
//! Filters are tantivy queries too (terms on exact fields, ranges on fast date fields),
//! joined to the text query in one `BooleanQuery` with a constant score, so that the total,
//! the page and the ranking all come from one search and filters never change scores.

mod department;
mod snippet;
mod suggest;

use std::collections::BTreeSet;
use std::ops::Bound;

use serde::{Deserialize, Serialize};
use tantivy::collector::sort_key::{ComparatorEnum, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, DocAddress, Order, Searcher, Term};

pub use department::{resolve_department, resolve_short_form};
pub use snippet::{Highlighter, Snippet, SNIPPET_CHARS};
pub use suggest::Suggestion;

use crate::index::{IndexError, PqIndex};
use crate::query::build::{self, BuildError, RareWord};
use crate::query::{self, Builder, Highlights, QueryError};
use crate::record::{Date, House, Question, Status};
use crate::words::Stem;

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("bad query")]
    Query(#[from] QueryError),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl SearchError {
    fn build(index: &PqIndex, e: BuildError) -> SearchError {
        match e {
            BuildError::Query(q) => SearchError::Query(q),
            BuildError::Index(t) => SearchError::Index(index.tantivy_error(t)),
        }
    }
}

/// A filter that cannot be applied as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("no department matches {wanted:?}; departments in the index: {}", known.join("; "))]
    UnknownDepartment { wanted: String, known: Vec<String> },
    #[error("{wanted:?} matches several departments: {}; give more of the name", matches.join("; "))]
    AmbiguousDepartment {
        wanted: String,
        matches: Vec<String>,
    },
    #[error("no name to match in {0:?}")]
    NoName(String),
    #[error("the name {name:?}: {why}")]
    BadName { name: String, why: String },
    #[error("no party is named {wanted:?} in the index; parties: {}", known.join("; "))]
    UnknownParty { wanted: String, known: Vec<String> },
    #[error("the period starts after it ends: from {from}, to {to}")]
    FromAfterTo { from: Date, to: Date },
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Latest first, by the date that [`Filters::date_field`] names; questions without
    /// that date (unanswered ones, by date answered) come last.
    Newest,
    /// Earliest first, by the same date; questions without it still come last.
    Oldest,
}

/// Which date `from`, `to` and the date orders apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateField {
    /// The date the question was asked (tabled).
    #[default]
    Asked,
    /// The date it was answered; unanswered questions have none.
    Answered,
    /// The date answered, or asked while unanswered: the latest news of a question.
    Latest,
}

impl DateField {
    pub fn as_str(self) -> &'static str {
        match self {
            DateField::Asked => "asked",
            DateField::Answered => "answered",
            DateField::Latest => "latest",
        }
    }

    /// The record's value of this date.
    pub fn of(self, q: &Question) -> Option<Date> {
        match self {
            DateField::Asked => Some(q.date_asked),
            DateField::Answered => q.date_answered,
            DateField::Latest => Some(q.date_answered.unwrap_or(q.date_asked)),
        }
    }

    fn field(self, index: &PqIndex) -> Field {
        match self {
            DateField::Asked => index.fields.date_asked,
            DateField::Answered => index.fields.date_answered,
            DateField::Latest => index.fields.sort_date,
        }
    }
}

/// Narrowing conditions; every one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Department names as the user typed them: a full name (any case), a unique prefix or
    /// word, or a common short form (DHSC, DfE, MoD, FCDO, HMT...). Any may match.
    pub departments: Vec<String>,
    /// Also match the departments' other names across renames and merges (DLUHC for MHCLG;
    /// see [`crate::departments`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow_renames: bool,
    pub house: Option<House>,
    /// Words of the asking member's name, all of which must appear.
    pub asked_by: Option<String>,
    /// Words of the answering member's name, all of which must appear.
    pub answered_by: Option<String>,
    /// The asking member's Parliament member id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_by_id: Option<u32>,
    /// The answering member's Parliament member id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by_id: Option<u32>,
    /// The asking member's party, as the index names it (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// First day included.
    pub from: Option<Date>,
    /// Last day included.
    pub to: Option<Date>,
    pub date_field: DateField,
    pub status: Option<StatusFilter>,
}

/// Which questions `--status` keeps: those with a status, or the overdue ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Answered,
    Unanswered,
    Holding,
    Withdrawn,
    /// Unanswered, and due (`date_due`) before the newest date in the index (see
    /// [`newest_date`]): the index is a snapshot, so "today" is the last day it covers.
    Overdue,
}

impl StatusFilter {
    /// The status a question must have (overdue ones are unanswered).
    pub fn status(self) -> Status {
        match self {
            StatusFilter::Answered => Status::Answered,
            StatusFilter::Unanswered | StatusFilter::Overdue => Status::Unanswered,
            StatusFilter::Holding => Status::Holding,
            StatusFilter::Withdrawn => Status::Withdrawn,
        }
    }
}

impl From<Status> for StatusFilter {
    fn from(status: Status) -> StatusFilter {
        match status {
            Status::Answered => StatusFilter::Answered,
            Status::Unanswered => StatusFilter::Unanswered,
            Status::Holding => StatusFilter::Holding,
            Status::Withdrawn => StatusFilter::Withdrawn,
        }
    }
}

/// One search. It serialises as the record of what was searched (an export's `--meta`
/// file, and saved searches later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// How plain words are widened.
    #[serde(default)]
    pub stem: Stem,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            stem: Stem::default(),
        }
    }
}

/// One matching question.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based position in the whole result list (offset included).
    pub rank: usize,
    /// BM25 score (0 where the query is `*` or the order is by date).
    pub score: f32,
    pub record: Question,
    pub snippet: Snippet,
}

/// The page of hits asked for, how many questions matched in all, and what the user may
/// want to know about the query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// One-line notes on how the query was read ("or" searched as a word).
    pub hints: Vec<String>,
    /// Positive words the index holds in no form or hardly any (for [`suggest`]).
    pub rare_words: Vec<RareWord>,
}

/// A request turned into tantivy terms, ready to run against a searcher.
pub struct Prepared<'a> {
    index: &'a PqIndex,
    pub query: Box<dyn Query>,
    /// The date that date orders follow.
    date_field: DateField,
    highlights: Highlights,
    highlighter: Highlighter,
    pub hints: Vec<String>,
    /// Positive words the index holds in no form.
    pub rare: Vec<RareWord>,
}

impl<'a> Prepared<'a> {
    /// Parses the query and resolves the filters against what the index holds.
    pub fn new(
        index: &'a PqIndex,
        searcher: &Searcher,
        request: &SearchRequest,
    ) -> Result<Prepared<'a>, SearchError> {
        let parsed = query::parse_with_hints(&request.query)?;
        let mut builder = Builder::new(index, searcher, request.stem);
        let text = builder
            .build(&parsed.node)
            .map_err(|e| SearchError::build(index, e))?
            .ok_or_else(|| QueryError {
                column: 1,
                message: "the query has no searchable words (only punctuation?)".into(),
            })?;
        let highlights = std::mem::take(&mut builder.highlights);
        let rare = std::mem::take(&mut builder.rare);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        for filter in filter_queries(index, searcher, &mut builder, &request.filters)? {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        let query: Box<dyn Query> = if clauses.len() == 1 {
            clauses.pop().unwrap().1
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Ok(Prepared {
            index,
            query,
            date_field: request.filters.date_field,
            highlights,
            highlighter: Highlighter::default(),
            hints: parsed.hints,
            rare,
        })
    }

    /// The matches in order, `limit` of them from `offset`, and the total.
    pub fn top(
        &self,
        searcher: &Searcher,
        sort: Sort,
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<(f32, DocAddress)>), SearchError> {
        let err = |e| SearchError::Index(self.index.read_error(e));
        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset);
        let (total, docs) = match sort {
            Sort::Relevance => searcher
                .search(&*self.query, &(Count, top.order_by_score()))
                .map_err(err)?,
            Sort::Newest | Sort::Oldest => {
                // Questions without the date come last either way.
                let order = if sort == Sort::Newest {
                    ComparatorEnum::Natural
                } else {
                    ComparatorEnum::ReverseNoneLower
                };
                let field = searcher
                    .schema()
                    .get_field_name(self.date_field.field(self.index));
                let by_date = SortByStaticFastValue::<DateTime>::for_field(field);
                let (total, docs) = searcher
                    .search(&*self.query, &(Count, top.order_by((by_date, order))))
                    .map_err(err)?;
                (
                    total,
                    docs.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
                )
            }
        };
        let docs = if limit == 0 { Vec::new() } else { docs };
        Ok((total, docs))
    }

    /// How many documents match.
    pub fn count(&self, searcher: &Searcher) -> Result<usize, SearchError> {
        searcher
            .search(&*self.query, &Count)
            .map_err(|e| SearchError::Index(self.index.read_error(e)))
    }

    /// Every match, in the requested order; ties (equal scores or dates) keep index order,
    /// which is the same on every run over the same index.
    pub fn all(
        &self,
        searcher: &Searcher,
        sort: Sort,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let total = self.count(searcher)?;
        let (_, mut docs) = self.top(searcher, sort, total, 0)?;
        if sort == Sort::Relevance {
            // TopDocs breaks score ties arbitrarily between segments; make it explicit.
            docs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        Ok(docs)
    }

    /// Loads a hit's record and, when asked (snippets are the costliest part of a hit),
    /// builds its snippet.
    pub fn hit(
        &mut self,
        searcher: &Searcher,
        rank: usize,
        score: f32,
        addr: DocAddress,
        with_snippet: bool,
    ) -> Result<Hit, SearchError> {
        let record = self.index.record(searcher, addr)?;
        let snippet = if with_snippet {
            self.snippet(&record)
        } else {
            Snippet::default()
        };
        Ok(Hit {
            rank,
            score,
            record,
            snippet,
        })
    }

    /// The snippet for a record, from the question or the answer, whichever matches best.
    pub fn snippet(&mut self, record: &Question) -> Snippet {
        let answer = record.answer.as_deref().unwrap_or("");
        self.highlighter
            .best(&[&record.question, answer], &self.highlights)
    }
}

/// Runs one search with a searcher the caller keeps: the total, and the page of hits.
pub fn search_in(
    index: &PqIndex,
    searcher: &Searcher,
    request: &SearchRequest,
) -> Result<SearchResults, SearchError> {
    let mut prepared = Prepared::new(index, searcher, request)?;
    let (total, docs) = prepared.top(searcher, request.sort, request.limit, request.offset)?;
    let hits = docs
        .into_iter()
        .enumerate()
        .map(|(i, (score, addr))| prepared.hit(searcher, request.offset + i + 1, score, addr, true))
        .collect::<Result<_, _>>()?;
    Ok(SearchResults {
        total,
        hits,
        hints: std::mem::take(&mut prepared.hints),
        rare_words: std::mem::take(&mut prepared.rare),
    })
}

/// Close variants of a request that found little, each with its count. They cost a few
/// more searches, so front ends ask for them only when they will show them.
pub fn suggest(
    index: &PqIndex,
    searcher: &Searcher,
    request: &SearchRequest,
    results: &SearchResults,
) -> Result<Vec<Suggestion>, SearchError> {
    suggest::suggest(index, searcher, request, results.total, &results.rare_words)
}

fn filter_queries(
    index: &PqIndex,
    searcher: &Searcher,
    builder: &mut Builder,
    f: &Filters,
) -> Result<Vec<Box<dyn Query>>, SearchError> {
    let fields = &index.fields;
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if !f.departments.is_empty() {
        let known = departments(index, searcher)?;
        let mut names = BTreeSet::new();
        for wanted in &f.departments {
            let name = resolve_department(wanted, &known)?;
            if f.follow_renames {
                names.extend(crate::departments::lineage(&name).names);
            }
            names.insert(name);
        }
        let any: Vec<(Occur, Box<dyn Query>)> = names
            .iter()
            .map(|n| (Occur::Should, build::exact_term(fields.department, n)))
            .collect();
        out.push(Box::new(BooleanQuery::new(any)));
    }
    if let Some(house) = f.house {
        out.push(build::exact_term(fields.house, house.as_str()));
    }
    if let Some(status) = f.status {
        out.push(status_query(index, searcher, status)?);
    }
    if let Some(wanted) = &f.party {
        // The party is a fast field only: a range of one value reads its column.
        let known = parties(index, searcher)?;
        let Some(name) = known.iter().find(|k| k.eq_ignore_ascii_case(wanted.trim())) else {
            let mut known: Vec<String> = known.into_iter().collect();
            if known.is_empty() {
                known.push("none (no asker in the index is named)".into());
            }
            return Err(FilterError::UnknownParty {
                wanted: wanted.clone(),
                known,
            }
            .into());
        };
        let term = Term::from_field_text(fields.party, name);
        out.push(Box::new(RangeQuery::new(
            Bound::Included(term.clone()),
            Bound::Included(term),
        )));
    }
    for (field, id) in [
        (fields.asked_by_id, f.asked_by_id),
        (fields.answered_by_id, f.answered_by_id),
    ] {
        if let Some(id) = id {
            out.push(Box::new(TermQuery::new(
                Term::from_field_u64(field, u64::from(id)),
                IndexRecordOption::Basic,
            )));
        }
    }
    for (name, scope) in [
        (&f.asked_by, query::Scope::AskedBy),
        (&f.answered_by, query::Scope::AnsweredBy),
    ] {
        if let Some(name) = name {
            let node = query::Node::Phrase {
                scope,
                text: name.clone(),
                slop: None,
                column: 1,
            };
            let q = builder
                .build(&node)
                .map_err(|e| match e {
                    BuildError::Query(q) => SearchError::Filter(FilterError::BadName {
                        name: name.clone(),
                        why: q.message,
                    }),
                    other => SearchError::build(index, other),
                })?
                .ok_or_else(|| FilterError::NoName(name.clone()))?;
            out.push(q);
        }
    }
    if f.from.is_some() || f.to.is_some() {
        if let (Some(from), Some(to)) = (f.from, f.to) {
            if from > to {
                return Err(FilterError::FromAfterTo { from, to }.into());
            }
        }
        out.push(build::date_range(f.date_field.field(index), f.from, f.to));
    }
    Ok(out)
}

/// The newest date in the index: the latest day a question was asked or answered. Overdue
/// is judged as of that day, since the index is a snapshot of the sources.
pub fn newest_date(index: &PqIndex, searcher: &Searcher) -> Result<Option<Date>, IndexError> {
    let mut newest = None;
    for field in [index.fields.date_asked, index.fields.sort_date] {
        let name = searcher.schema().get_field_name(field).to_string();
        let top = TopDocs::with_limit(1).order_by_fast_field::<DateTime>(&name, Order::Desc);
        let found = searcher
            .search(&tantivy::query::AllQuery, &top)
            .map_err(|e| index.tantivy_error(e))?;
        for (date, _) in found {
            let date = date
                .map(|d| Date::from_days_since_epoch(d.into_timestamp_secs().div_euclid(86_400)));
            newest = newest.max(date);
        }
    }
    Ok(newest)
}

/// The questions with a status (`--status` and `status:` both use it).
pub fn status_query(
    index: &PqIndex,
    searcher: &Searcher,
    status: StatusFilter,
) -> Result<Box<dyn Query>, IndexError> {
    let fields = &index.fields;
    let with_status = build::exact_term(fields.status, status.status().as_str());
    if status != StatusFilter::Overdue {
        return Ok(with_status);
    }
    // An empty index has no newest date, and nothing in it is overdue.
    let as_of = newest_date(index, searcher)?.unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    });
    let before = Term::from_field_date_for_search(fields.date_due, as_of.to_tantivy());
    let due: Box<dyn Query> = Box::new(RangeQuery::new(Bound::Unbounded, Bound::Excluded(before)));
    Ok(Box::new(BooleanQuery::new(vec![
        (Occur::Must, with_status),
        (Occur::Must, due),
    ])))
}

/// Every asking member's party named in the index.
pub fn parties(index: &PqIndex, searcher: &Searcher) -> Result<BTreeSet<String>, IndexError> {
    let name = searcher
        .schema()
        .get_field_name(index.fields.party)
        .to_string();
    let mut names = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let column = segment
            .fast_fields()
            .str(&name)
            .map_err(|e| index.tantivy_error(e))?;
        let Some(column) = column else { continue };
        let mut terms = column
            .dictionary()
            .stream()
            .map_err(|e| index.io_error(e))?;
        while terms.advance() {
            names.insert(String::from_utf8_lossy(terms.key()).into_owned());
        }
    }
    Ok(names)
}

/// Every department name in the index.
pub fn departments(index: &PqIndex, searcher: &Searcher) -> Result<BTreeSet<String>, IndexError> {
    let mut names = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment
            .inverted_index(index.fields.department)
            .map_err(|e| index.read_error(e))?;
        let mut terms = inverted.terms().stream().map_err(|e| index.io_error(e))?;
        while terms.advance() {
            names.insert(String::from_utf8_lossy(terms.key()).into_owned());
        }
    }
    Ok(names)
}
