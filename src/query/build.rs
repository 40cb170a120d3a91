//! The AST built into tantivy queries, with every word expanded against the index's own
//! term dictionary.
//!
//! One index serves every stemming mode: a plain word becomes a [`WordQuery`] over the
//! forms of it that the index holds (`--stem light`: plurals and possessives; `full`:
//! Snowball English stems as well; `none`: the word alone), scored as one word. A prefix
//! `nurs*` becomes the words under that prefix. Phrases of exact words use tantivy's
//! `PhraseQuery`; phrases with a wildcard and proximity searches use [`SpanQuery`]. Filter
//! prefixes (`uin:`, `status:`, `house:`, `tabled:`, `answered:`) and the filter flags build
//! the same constant-score queries, so a query can carry its own filters.
//!
//! Expansion is bounded: a wildcard may stand for at most [`MAX_EXPANSIONS`] words, and a
//! whole query for [`MAX_TOTAL_EXPANSIONS`], so that no query can cost unboundedly much.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::span::{Proximity, SpanQuery};
use super::word::WordQuery;
use super::{slots, Node, QueryError, Scope, Slot};
use crate::date::{Date, Span};
use crate::index::PqIndex;
use crate::record::House;
use crate::schema::TextPart;
use crate::words::{light_forms, Stem, Stemmer};

/// The most words one wildcard may stand for.
pub const MAX_EXPANSIONS: usize = 2_000;
/// The most word forms a whole query may search for.
pub const MAX_TOTAL_EXPANSIONS: usize = 5_000;
/// The most dictionary words a full-stemming expansion reads.
const MAX_STEM_SCAN: usize = 200_000;

/// How much a match in each part of the text counts (BM25 scores are multiplied by it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldWeights {
    pub heading: f32,
    pub question: f32,
    pub answer: f32,
}

impl Default for FieldWeights {
    fn default() -> FieldWeights {
        FieldWeights {
            heading: 1.0,
            question: 1.0,
            answer: 1.0,
        }
    }
}

/// Why a query could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("reading the term dictionary")]
    Index(#[from] tantivy::TantivyError),
}

impl From<std::io::Error> for BuildError {
    fn from(e: std::io::Error) -> BuildError {
        BuildError::Index(e.into())
    }
}

/// What the snippet highlighter marks: the forms of the query's positive words, and its
/// phrases and proximity searches, each with the number of the query word it came from.
#[derive(Debug, Default, Clone)]
pub struct Highlights {
    pub words: HashMap<String, usize>,
    pub spans: Vec<SpanHighlight>,
}

/// A phrase or proximity search to find in a text, slot by slot.
#[derive(Debug, Clone)]
pub struct SpanHighlight {
    pub key: usize,
    pub slots: Vec<HashSet<String>>,
    pub proximity: Proximity,
}

impl Highlights {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.spans.is_empty()
    }
}

/// A positive word of the query that the index holds in no form, or in very few
/// questions (a typing slip such as "goverment" may occur once or twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RareWord {
    pub typed: String,
    pub word: String,
    pub column: usize,
    /// The most questions any of its forms is in, in any text field.
    pub doc_freq: u64,
}

/// A word in at most this many questions counts as rare (for "did you mean").
pub const RARE: u64 = 3;

/// Turns the AST into a tantivy query against what one searcher sees.
pub struct Builder<'a> {
    index: &'a PqIndex,
    searcher: &'a Searcher,
    pub stem: Stem,
    pub weights: FieldWeights,
    stemmer: Stemmer,
    expanded: usize,
    negated: usize,
    next_key: usize,
    departments: Option<BTreeSet<String>>,
    pub highlights: Highlights,
    pub rare: Vec<RareWord>,
}

/// A word or phrase leaf, ready to build.
struct Leaf<'t> {
    scope: Scope,
    /// As typed, for suggestions.
    text: &'t str,
    slots: Vec<Slot>,
    /// How the slots must lie; `None` for one slot.
    proximity: Proximity,
    /// Whether words are widened by the stemming mode (plain words, NEAR).
    expand: bool,
    column: usize,
}

impl<'a> Builder<'a> {
    pub fn new(index: &'a PqIndex, searcher: &'a Searcher, stem: Stem) -> Builder<'a> {
        Builder {
            index,
            searcher,
            stem,
            weights: FieldWeights::default(),
            stemmer: Stemmer::default(),
            expanded: 0,
            negated: 0,
            next_key: 0,
            departments: None,
            highlights: Highlights::default(),
            rare: Vec::new(),
        }
    }

    /// The tantivy query for a node, or None where it has no searchable words (such as a
    /// lone punctuation mark), which the caller treats as absent.
    pub fn build(&mut self, node: &Node) -> Result<Option<Box<dyn Query>>, BuildError> {
        match node {
            Node::All => Ok(Some(Box::new(AllQuery))),
            Node::Word {
                scope,
                text,
                column,
            } if !scope.is_words() => self.filter(*scope, text, *column).map(Some),
            Node::Phrase {
                scope,
                text,
                column,
                ..
            } if !scope.is_words() => self.filter(*scope, text, *column).map(Some),
            Node::Word {
                scope: Scope::Department,
                text,
                column,
            } if !text.contains('*') && text.split_whitespace().count() == 1 => {
                match self.department_short_form(text)? {
                    Some(name) => Ok(Some(constant(exact_term(
                        self.index.fields.department,
                        &name,
                    )))),
                    None => self.leaf_of(Scope::Department, text, None, true, *column),
                }
            }
            Node::Word {
                scope,
                text,
                column,
            } => self.leaf_of(*scope, text, None, true, *column),
            Node::Phrase {
                scope,
                text,
                slop,
                column,
            } => {
                let proximity = slop.map_or(Proximity::Phrase, Proximity::InOrder);
                self.leaf_of(*scope, text, Some(proximity), false, *column)
            }
            Node::Near {
                scope,
                text,
                distance,
                column,
            } => self.leaf_of(
                *scope,
                text,
                Some(Proximity::AnyOrder(*distance)),
                true,
                *column,
            ),
            Node::And(children) => {
                let mut clauses = Vec::new();
                for child in unique(children) {
                    let (occur, inner) = match child {
                        Node::Not(inner, _) => (Occur::MustNot, inner.as_ref()),
                        other => (Occur::Must, other),
                    };
                    self.negated += usize::from(occur == Occur::MustNot);
                    let built = self.build(inner);
                    self.negated -= usize::from(occur == Occur::MustNot);
                    if let Some(q) = built? {
                        clauses.push((occur, q));
                    }
                }
                Ok(if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    None
                } else {
                    Some(Box::new(BooleanQuery::new(clauses)))
                })
            }
            Node::Or(children) => {
                let mut clauses = Vec::new();
                for child in unique(children) {
                    if let Some(q) = self.build(child)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                Ok((!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>))
            }
            Node::Not(inner, _) => {
                self.negated += 1;
                let built = self.build(inner);
                self.negated -= 1;
                // A NOT on its own (checked to sit beside a positive term): everything but.
                Ok(built?.map(|q| {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                        (Occur::MustNot, q),
                    ])) as Box<dyn Query>
                }))
            }
        }
    }

    fn leaf_of(
        &mut self,
        scope: Scope,
        text: &str,
        proximity: Option<Proximity>,
        expand: bool,
        column: usize,
    ) -> Result<Option<Box<dyn Query>>, BuildError> {
        let slots = slots(text).map_err(|m| QueryError::new(column, m))?;
        if slots.is_empty() {
            return Ok(None);
        }
        // A word typed as several ("covid-19") is a phrase of them, exactly.
        let (proximity, expand) = match proximity {
            Some(p) => (p, expand),
            None if slots.len() > 1 => (Proximity::Phrase, false),
            None => (Proximity::Phrase, expand),
        };
        let leaf = Leaf {
            scope,
            text,
            slots,
            proximity,
            expand,
            column,
        };
        self.leaf(&leaf).map(Some)
    }

    /// The fields a scope searches, with their weights.
    fn fields(&self, scope: Scope) -> Vec<(Field, f32)> {
        let f = &self.index.fields;
        let part = |p: TextPart| match p {
            TextPart::Heading => (f.heading, self.weights.heading),
            TextPart::Question => (f.question, self.weights.question),
            TextPart::Answer => (f.answer, self.weights.answer),
        };
        match scope {
            Scope::Text => TextPart::ALL.iter().map(|p| part(*p)).collect(),
            Scope::Part(p) => vec![part(p)],
            Scope::Department => vec![(f.department_text, 1.0)],
            Scope::AnsweredBy => vec![(f.answered_by, 1.0)],
            Scope::AskedBy => vec![(f.asked_by, 1.0)],
            Scope::Member => vec![(f.asked_by, 1.0), (f.answered_by, 1.0)],
            Scope::Uin | Scope::Status | Scope::House | Scope::Tabled | Scope::Answered => {
                Vec::new()
            }
        }
    }

    fn leaf(&mut self, leaf: &Leaf<'_>) -> Result<Box<dyn Query>, BuildError> {
        let key = self.next_key;
        self.next_key += 1;
        let positive = self.negated == 0;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut seen: Vec<HashSet<String>> = vec![HashSet::new(); leaf.slots.len()];
        let mut doc_freq = 0u64;
        for (field, weight) in self.fields(leaf.scope) {
            let expand = leaf.expand && leaf.scope.is_text();
            let mut per_slot: Vec<Vec<String>> = Vec::with_capacity(leaf.slots.len());
            for slot in &leaf.slots {
                let forms = self.forms(field, slot, expand, leaf.column)?;
                per_slot.push(forms);
            }
            for (set, forms) in seen.iter_mut().zip(&per_slot) {
                set.extend(forms.iter().cloned());
            }
            let terms = |forms: &[String]| -> Vec<Term> {
                forms
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect()
            };
            let query: Box<dyn Query> = if per_slot.len() == 1 {
                if positive && leaf.scope.is_text() {
                    doc_freq = doc_freq.max(self.max_doc_freq(field, &per_slot[0])?);
                }
                Box::new(WordQuery::new(field, terms(&per_slot[0])))
            } else if leaf.proximity == Proximity::Phrase && per_slot.iter().all(|f| f.len() == 1) {
                Box::new(PhraseQuery::new(
                    per_slot
                        .iter()
                        .map(|f| Term::from_field_text(field, &f[0]))
                        .collect(),
                ))
            } else {
                Box::new(SpanQuery::new(
                    field,
                    per_slot.iter().map(|f| terms(f)).collect(),
                    leaf.proximity,
                ))
            };
            let query: Box<dyn Query> = if weight == 1.0 {
                query
            } else {
                Box::new(BoostQuery::new(query, weight))
            };
            clauses.push((Occur::Should, query));
        }
        if positive && leaf.scope.is_text() {
            if leaf.slots.len() == 1 {
                for form in seen.pop().unwrap_or_default() {
                    self.highlights.words.entry(form).or_insert(key);
                }
                let slot = &leaf.slots[0];
                if doc_freq <= RARE && !slot.prefix {
                    self.rare.push(RareWord {
                        typed: leaf.text.to_string(),
                        word: slot.word.clone(),
                        column: leaf.column,
                        doc_freq,
                    });
                }
            } else {
                self.highlights.spans.push(SpanHighlight {
                    key,
                    slots: seen,
                    proximity: leaf.proximity,
                });
            }
        }
        Ok(match clauses.len() {
            0 => Box::new(EmptyQuery),
            1 => clauses.pop().unwrap().1,
            _ => Box::new(BooleanQuery::new(clauses)),
        })
    }

    fn exists(&self, field: Field, word: &str) -> Result<bool, BuildError> {
        Ok(self
            .searcher
            .doc_freq(&Term::from_field_text(field, word))?
            > 0)
    }

    fn max_doc_freq(&self, field: Field, words: &[String]) -> Result<u64, BuildError> {
        let mut max = 0;
        for w in words {
            max = max.max(self.searcher.doc_freq(&Term::from_field_text(field, w))?);
        }
        Ok(max)
    }

    /// The forms of one slot to search in `field`.
    fn forms(
        &mut self,
        field: Field,
        slot: &Slot,
        expand: bool,
        column: usize,
    ) -> Result<Vec<String>, BuildError> {
        let forms = if slot.prefix {
            let found = self.prefix_terms(field, &slot.word)?;
            if found.len() > MAX_EXPANSIONS {
                return Err(QueryError::new(
                    column,
                    format!(
                        "{}* matches more than {MAX_EXPANSIONS} different words; give more letters before the *",
                        slot.word
                    ),
                )
                .into());
            }
            if found.is_empty() {
                vec![slot.word.clone()] // matches nothing, and says so by its count
            } else {
                found
            }
        } else if !expand || self.stem == Stem::None {
            vec![slot.word.clone()]
        } else {
            let mut out = vec![slot.word.clone()];
            for form in light_forms(&slot.word, slot.acronym) {
                if !out.contains(&form) && self.exists(field, &form)? {
                    out.push(form);
                }
            }
            if self.stem == Stem::Full && !slot.acronym {
                for form in self.stem_terms(field, &slot.word)? {
                    if !out.contains(&form) {
                        out.push(form);
                    }
                }
            }
            out
        };
        self.expanded += forms.len();
        if self.expanded > MAX_TOTAL_EXPANSIONS {
            return Err(QueryError::new(
                column,
                format!(
                    "the query's words and wildcards stand for more than {MAX_TOTAL_EXPANSIONS} \
                     word forms in all; use fewer wildcards or give them more letters"
                ),
            )
            .into());
        }
        Ok(forms)
    }

    /// Every word of `field` that starts with `prefix`, up to one more than the limit.
    fn prefix_terms(&self, field: Field, prefix: &str) -> Result<Vec<String>, BuildError> {
        let mut found = BTreeSet::new();
        self.scan(field, prefix, |term| {
            found.insert(term.to_string());
            found.len() <= MAX_EXPANSIONS
        })?;
        Ok(found.into_iter().collect())
    }

    /// Calls `each` with every word of `field` under `prefix`, until it returns false.
    fn scan(
        &self,
        field: Field,
        prefix: &str,
        mut each: impl FnMut(&str) -> bool,
    ) -> Result<(), BuildError> {
        let start = prefix.as_bytes();
        let end = prefix_end(start);
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let mut range = inverted.terms().range().ge(start);
            if let Some(end) = &end {
                range = range.lt(end);
            }
            let mut stream = range.into_stream()?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !each(term) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The words of `field` with the same Snowball stem as `word`.
    fn stem_terms(&mut self, field: Field, word: &str) -> Result<Vec<String>, BuildError> {
        let stem = self.stemmer.stem(word);
        let mut candidates = BTreeSet::new();
        let mut scanned = 0usize;
        for prefix in Stemmer::scan_prefixes(&stem) {
            self.scan(field, &prefix, |term| {
                scanned += 1;
                candidates.insert(term.to_string());
                scanned < MAX_STEM_SCAN
            })?;
        }
        Ok(candidates
            .into_iter()
            .filter(|t| self.stemmer.stem(t) == stem)
            .collect())
    }

    /// `department:DHSC` and the like: a department named by a short form or exactly.
    fn department_short_form(&mut self, text: &str) -> Result<Option<String>, BuildError> {
        if self.departments.is_none() {
            self.departments = Some(
                crate::search::departments(self.index, self.searcher)
                    .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?,
            );
        }
        let known = self.departments.as_ref().expect("just loaded");
        Ok(crate::search::resolve_short_form(text, known))
    }

    /// A filter prefix's value as a constant-score query.
    fn filter(
        &mut self,
        scope: Scope,
        text: &str,
        column: usize,
    ) -> Result<Box<dyn Query>, BuildError> {
        let f = &self.index.fields;
        let value = text.trim();
        let bad = |what: &str| QueryError::new(column, format!("{scope}:{value}: {what}"));
        let query = match scope {
            Scope::Uin => {
                // Lords UINs are written HL1234; accept hl1234 too.
                let upper = value.to_uppercase();
                if upper == value {
                    exact_term(f.uin, value)
                } else {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, exact_term(f.uin, value)),
                        (Occur::Should, exact_term(f.uin, &upper)),
                    ]))
                }
            }
            Scope::Status => {
                use crate::search::StatusFilter;
                let status = match value.to_lowercase().as_str() {
                    "answered" => StatusFilter::Answered,
                    "unanswered" => StatusFilter::Unanswered,
                    "holding" => StatusFilter::Holding,
                    "withdrawn" => StatusFilter::Withdrawn,
                    "overdue" => StatusFilter::Overdue,
                    _ => return Err(bad(
                        "the status is one of answered, unanswered, holding, withdrawn, overdue",
                    )
                    .into()),
                };
                crate::search::status_query(self.index, self.searcher, status)
                    .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?
            }
            Scope::House => {
                let house = match value.to_lowercase().as_str() {
                    "commons" => House::Commons,
                    "lords" => House::Lords,
                    _ => return Err(bad("the house is commons or lords").into()),
                };
                exact_term(f.house, house.as_str())
            }
            Scope::Tabled | Scope::Answered => {
                let (from, to) = date_range_value(value).map_err(|m| bad(&m))?;
                let field = if scope == Scope::Tabled {
                    f.date_asked
                } else {
                    f.date_answered
                };
                date_range(field, from, to)
            }
            _ => unreachable!("word scopes are built as leaves"),
        };
        Ok(constant(query))
    }
}

/// The children of an AND or OR without repeats: `the the the` matches what `the` does,
/// and need not be searched three times.
fn unique(children: &[Node]) -> Vec<&Node> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for child in children {
        let key = match child {
            Node::Word { scope, text, .. } => Some(format!("w{scope:?}{text}")),
            Node::Phrase {
                scope, text, slop, ..
            } => Some(format!("p{scope:?}{slop:?}{text}")),
            Node::Near {
                scope,
                text,
                distance,
                ..
            } => Some(format!("n{scope:?}{distance}{text}")),
            _ => None,
        };
        if let Some(key) = key {
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
        }
        out.push(child);
    }
    out
}

/// The first byte string after every string that starts with `prefix` (None: no end).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// `2024`, `2024-03..2024-06`, `2024..` or `..2024-06`: the first and last days.
fn date_range_value(value: &str) -> Result<(Option<Date>, Option<Date>), String> {
    let span = |t: &str| Span::parse(t).map_err(|e| e.to_string());
    let (from, to) = match value.split_once("..") {
        Some((a, b)) => {
            let from = (!a.is_empty()).then(|| span(a)).transpose()?;
            let to = (!b.is_empty()).then(|| span(b)).transpose()?;
            if from.is_none() && to.is_none() {
                return Err("give a date on at least one side of ..".into());
            }
            (from.map(|s| s.first), to.map(|s| s.last))
        }
        None => {
            let s = span(value)?;
            (Some(s.first), Some(s.last))
        }
    };
    if let (Some(a), Some(b)) = (from, to) {
        if a > b {
            return Err(format!("{a} is after {b}"));
        }
    }
    Ok((from, to))
}

/// Documents whose exact `field` holds `value`.
pub fn exact_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Documents whose date `field` lies from `from` to `to`, both days included.
pub fn date_range(field: Field, from: Option<Date>, to: Option<Date>) -> Box<dyn Query> {
    let bound = |d: Date| Term::from_field_date_for_search(field, d.to_tantivy());
    let lower = from.map_or(Bound::Unbounded, |d| Bound::Included(bound(d)));
    let upper = to.map_or(Bound::Unbounded, |d| Bound::Excluded(bound(d.add_days(1))));
    if from.is_none() && to.is_none() {
        // Every document with a value: an unbounded range on the field.
        return Box::new(RangeQuery::new(
            Bound::Included(bound(Date::new(1000, 1, 1).expect("a valid date"))),
            Bound::Unbounded,
        ));
    }
    Box::new(RangeQuery::new(lower, upper))
}

/// A filter: it selects without changing scores.
pub fn constant(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_values_are_spans_and_ranges() {
        let d = |s: &str| Some(s.parse::<Date>().unwrap());
        assert_eq!(
            date_range_value("2024").unwrap(),
            (d("2024-01-01"), d("2024-12-31"))
        );
        assert_eq!(
            date_range_value("2024-03..2024-06").unwrap(),
            (d("2024-03-01"), d("2024-06-30"))
        );
        assert_eq!(date_range_value("2025..").unwrap(), (d("2025-01-01"), None));
        assert_eq!(
            date_range_value("..2023-12").unwrap(),
            (None, d("2023-12-31"))
        );
        assert!(date_range_value("2024-06..2024-03").is_err());
        assert!(date_range_value("..").is_err());
        assert!(date_range_value("June").is_err());
    }

    #[test]
    fn prefix_ends_sort_after_every_word_under_the_prefix() {
        assert_eq!(prefix_end(b"nurs").unwrap(), b"nurt");
        assert_eq!(prefix_end(b"a\xff").unwrap(), b"b");
        assert!(prefix_end(b"\xff").is_none());
    }
}
