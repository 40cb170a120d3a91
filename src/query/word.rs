//! [`WordQuery`]: one query word that stands for several indexed forms ("GP", "GPs",
//! "GP's"), scored as one word.
//!
//! A `BooleanQuery` of the forms would add one BM25 score per form, so a document with
//! "GP" and "GPs" would outrank one that says "GP" twice, and a word with many forms would
//! weigh more than a word with one. Here, as in Lucene's `SynonymQuery`, the forms' term
//! frequencies are added up in each document and scored once, with the document frequency
//! of the most frequent form.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Documents with any of `terms` (all in one field), scored as one word.
#[derive(Debug, Clone)]
pub struct WordQuery {
    field: Field,
    terms: Vec<Term>,
}

impl WordQuery {
    /// `terms` must be non-empty and all in `field`.
    pub fn new(field: Field, mut terms: Vec<Term>) -> WordQuery {
        assert!(!terms.is_empty(), "a word has at least one form");
        terms.sort();
        terms.dedup();
        WordQuery { field, terms }
    }
}

impl Query for WordQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if self.terms.len() == 1 {
            // One form: tantivy's own term query, with all its optimisations.
            return TermQuery::new(self.terms[0].clone(), IndexRecordOption::WithFreqs)
                .weight(scoring);
        }
        let bm25 = match scoring.searcher() {
            Some(searcher) if scoring.is_scoring_enabled() => {
                let mut total_tokens = 0u64;
                let mut docs = 0u64;
                for reader in searcher.segment_readers() {
                    total_tokens += reader.inverted_index(self.field)?.total_num_tokens();
                    docs += u64::from(reader.max_doc());
                }
                let docs = docs.max(1);
                let mut df = 0u64;
                for term in &self.terms {
                    df = df.max(searcher.doc_freq(term)?);
                }
                Some(Bm25Weight::for_one_term(
                    df.min(docs),
                    docs,
                    total_tokens as f32 / docs as f32,
                ))
            }
            _ => None,
        };
        Ok(Box::new(WordWeight {
            field: self.field,
            terms: self.terms.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, false);
        }
    }
}

struct WordWeight {
    field: Field,
    terms: Vec<Term>,
    bm25: Option<Bm25Weight>,
}

impl WordWeight {
    fn union(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Option<TfUnion>> {
        let inverted = reader.inverted_index(self.field)?;
        let mut postings = Vec::new();
        for term in &self.terms {
            if let Some(p) = inverted.read_postings(term, IndexRecordOption::WithFreqs)? {
                if p.doc() != TERMINATED {
                    postings.push(p);
                }
            }
        }
        if postings.is_empty() {
            return Ok(None);
        }
        let fieldnorms = match &self.bm25 {
            Some(_) => reader
                .fieldnorms_readers()
                .get_field(self.field)?
                .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)),
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(Some(TfUnion::new(
            postings,
            fieldnorms,
            self.bm25.as_ref().map(|w| w.boost_by(boost)),
        )))
    }
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.union(reader, boost)? {
            Some(union) => Box::new(union),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut e = Explanation::new("one word, its forms' frequencies added", scorer.score());
        e.add_context(format!("{} forms", self.terms.len()));
        Ok(e)
    }
}

/// Documents per window of the union.
const WINDOW: usize = 4096;

/// The union of several postings lists, with their term frequencies added per document.
///
/// It works window by window, as tantivy's buffered union does: every list pours the
/// documents of the next `WINDOW` ids into a bitset and a frequency table, which are then
/// read in order. Any number of forms costs one pass over their postings.
pub struct TfUnion {
    postings: Vec<SegmentPostings>,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    bits: Box<[u64; WINDOW / 64]>,
    tfs: Box<[u32; WINDOW]>,
    /// First document id of the window.
    start: DocId,
    /// The first document id after the window.
    horizon: DocId,
    /// The bitset word being read, and the number of words the window fills.
    bucket: usize,
    buckets: usize,
    doc: DocId,
    tf: u32,
}

impl TfUnion {
    fn new(
        postings: Vec<SegmentPostings>,
        fieldnorms: FieldNormReader,
        bm25: Option<Bm25Weight>,
    ) -> TfUnion {
        let mut union = TfUnion {
            postings,
            fieldnorms,
            bm25,
            bits: Box::new([0; WINDOW / 64]),
            tfs: Box::new([0; WINDOW]),
            start: 0,
            horizon: 0,
            bucket: 0,
            buckets: 0,
            doc: 0,
            tf: 0,
        };
        union.advance();
        union
    }

    /// Fills the next window of `span` documents, from the smallest document any list is
    /// on.
    fn refill(&mut self, span: usize) -> bool {
        self.postings.retain(|p| p.doc() != TERMINATED);
        let Some(start) = self.postings.iter().map(|p| p.doc()).min() else {
            return false;
        };
        self.start = start;
        let horizon = start.saturating_add(span as u32);
        self.horizon = horizon;
        self.buckets = span.div_ceil(64);
        for p in &mut self.postings {
            let mut doc = p.doc();
            while doc < horizon {
                let i = (doc - start) as usize;
                self.bits[i / 64] |= 1 << (i % 64);
                self.tfs[i] += p.term_freq();
                doc = p.advance();
            }
        }
        self.bucket = 0;
        true
    }

    /// Forgets the window's documents below `upto` (an offset into it).
    fn clear_below(&mut self, upto: usize) {
        while self.bucket < self.buckets && self.bucket * 64 < upto {
            let mut word = self.bits[self.bucket];
            while word != 0 {
                let i = self.bucket * 64 + word.trailing_zeros() as usize;
                if i >= upto {
                    self.bits[self.bucket] = word;
                    return;
                }
                self.tfs[i] = 0;
                word &= word - 1;
            }
            self.bits[self.bucket] = 0;
            self.bucket += 1;
        }
    }
}

impl TfUnion {
    /// The next document of the window, or of a new window of `span` documents.
    fn next_doc(&mut self, span: usize) -> DocId {
        loop {
            while self.bucket < self.buckets {
                let word = self.bits[self.bucket];
                if word != 0 {
                    let i = self.bucket * 64 + word.trailing_zeros() as usize;
                    self.bits[self.bucket] = word & (word - 1);
                    self.doc = self.start + i as DocId;
                    self.tf = std::mem::take(&mut self.tfs[i]);
                    return self.doc;
                }
                self.bucket += 1;
            }
            if !self.refill(span) {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }
}

impl DocSet for TfUnion {
    fn advance(&mut self) -> DocId {
        self.next_doc(WINDOW)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target < self.horizon {
            self.clear_below((target - self.start) as usize);
            return self.next_doc(WINDOW);
        }
        self.clear_below(WINDOW);
        for p in &mut self.postings {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.next_doc(WINDOW)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(|p| p.size_hint())
            .fold(0u32, u32::saturating_add)
    }
}

impl Scorer for TfUnion {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc), self.tf),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions};
    use tantivy::{doc, Index};

    use super::*;

    const DOCS: u32 = 6_000;

    /// A one-segment index whose document d holds term "tK" as often as list K says, and
    /// the union of those terms' postings.
    fn union(lists: &[BTreeMap<u32, u32>]) -> (Index, TfUnion) {
        let mut b = Schema::builder();
        let field = b.add_text_field(
            "f",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("whitespace")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let index = Index::create_in_ram(b.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for d in 0..DOCS {
            let mut text = String::from("x");
            for (k, l) in lists.iter().enumerate() {
                for _ in 0..l.get(&d).copied().unwrap_or(0) {
                    text.push_str(&format!(" t{k}"));
                }
            }
            writer.add_document(doc!(field => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let segment = &searcher.segment_readers()[0];
        let inverted = segment.inverted_index(field).unwrap();
        let postings = (0..lists.len())
            .filter_map(|k| {
                let term = Term::from_field_text(field, &format!("t{k}"));
                inverted
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .unwrap()
            })
            .collect();
        let u = TfUnion::new(postings, FieldNormReader::constant(DOCS, 1), None);
        (index, u)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Advancing and seeking give every document of any list, in order, with the term
        /// frequencies of all its lists added.
        #[test]
        fn the_union_adds_frequencies_and_seeks_exactly(
            lists in proptest::collection::vec(
                proptest::collection::btree_map(0u32..DOCS, 1u32..4, 1..400), 1..5),
            steps in proptest::collection::vec((proptest::bool::ANY, 1u32..3_000), 0..60),
        ) {
            let mut want: BTreeMap<u32, u32> = BTreeMap::new();
            for l in &lists {
                for (d, tf) in l {
                    *want.entry(*d).or_default() += tf;
                }
            }
            let (_index, mut u) = union(&lists);
            let mut expect = want.iter().map(|(d, t)| (*d, *t)).peekable();
            let first = expect.next();
            proptest::prop_assert_eq!(first.map(|f| f.0).unwrap_or(TERMINATED), u.doc());
            if let Some((_, tf)) = first {
                proptest::prop_assert_eq!(tf, u.tf);
            }
            for (seek, jump) in steps {
                if u.doc() == TERMINATED {
                    break;
                }
                let got = if seek {
                    let target = u.doc() + jump;
                    while expect.peek().is_some_and(|(d, _)| *d < target) {
                        expect.next();
                    }
                    u.seek(target)
                } else {
                    u.advance()
                };
                let next = expect.next();
                proptest::prop_assert_eq!(next.map(|n| n.0).unwrap_or(TERMINATED), got);
                if let Some((_, tf)) = next {
                    proptest::prop_assert_eq!(tf, u.tf);
                }
            }
        }
    }
}
