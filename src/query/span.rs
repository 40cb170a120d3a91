//! Words near each other: [`SpanQuery`] finds documents where a sequence of word slots
//! (each slot one word or the forms a wildcard stands for) occurs as a phrase, in order
//! within a distance, or in any order within a distance; [`find`] is the matching rule
//! itself, shared with the snippet highlighter so that what is marked is what matched.
//!
//! Distances count the other words between the first and the last word of a match:
//!
//! | form | matches |
//! |---|---|
//! | `"mental health nurs*"` | the words adjacent, in this order |
//! | `"nurses midwives"~5` | in this order, with at most 5 other words in between |
//! | `NEAR(nurses midwives, 5)` | in either order, with at most 5 other words in between |
//!
//! Every slot needs its own position, so `NEAR(health health, 2)` needs the word twice.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// How the slots of a span must lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proximity {
    /// Adjacent and in order: a phrase.
    Phrase,
    /// In order, with at most this many other words between the first and the last.
    InOrder(u32),
    /// In any order, with at most this many other words among them.
    AnyOrder(u32),
}

/// The matches of `slots` in one text, where `slots[i]` holds the sorted, distinct
/// positions of slot i's words. Calls `each` with the positions of every match (in slot
/// order) and returns how many there are.
pub fn find(slots: &[Vec<u32>], proximity: Proximity, mut each: impl FnMut(&[u32])) -> u32 {
    let k = slots.len();
    if k == 0 || slots.iter().any(Vec::is_empty) {
        return 0;
    }
    let mut count = 0;
    let mut chain = Vec::with_capacity(k);
    match proximity {
        Proximity::Phrase => {
            for &p in &slots[0] {
                chain.clear();
                chain.push(p);
                let all = slots[1..].iter().enumerate().all(|(i, s)| {
                    let want = p + i as u32 + 1;
                    chain.push(want);
                    s.binary_search(&want).is_ok()
                });
                if all {
                    count += 1;
                    each(&chain);
                }
            }
        }
        Proximity::InOrder(gap) => {
            'starts: for &p in &slots[0] {
                chain.clear();
                chain.push(p);
                let mut at = p;
                for s in &slots[1..] {
                    let i = s.partition_point(|&q| q <= at);
                    let Some(&next) = s.get(i) else {
                        break 'starts; // a later start cannot do better
                    };
                    at = next;
                    chain.push(at);
                }
                if at - p + 1 - k as u32 <= gap {
                    count += 1;
                    each(&chain);
                }
            }
        }
        Proximity::AnyOrder(gap) => {
            let window = k as u32 + gap;
            let mut starts: Vec<u32> = slots.iter().flatten().copied().collect();
            starts.sort_unstable();
            starts.dedup();
            let mut candidates: Vec<&[u32]> = Vec::with_capacity(k);
            for &s in &starts {
                let end = s.saturating_add(window - 1);
                candidates.clear();
                for slot in slots {
                    let from = slot.partition_point(|&q| q < s);
                    let to = slot.partition_point(|&q| q <= end);
                    candidates.push(&slot[from..to]);
                }
                if candidates.iter().any(|c| c.is_empty()) {
                    continue;
                }
                if let Some(assigned) = distinct_positions(&candidates) {
                    count += 1;
                    each(&assigned);
                }
            }
        }
    }
    count
}

/// One position per slot, all different, from each slot's candidates (a bipartite
/// matching; slots are few).
fn distinct_positions(candidates: &[&[u32]]) -> Option<Vec<u32>> {
    let k = candidates.len();
    // owner[position] = slot, as pairs (positions are few).
    let mut owner: Vec<(u32, usize)> = Vec::with_capacity(k);
    fn augment(
        slot: usize,
        candidates: &[&[u32]],
        owner: &mut Vec<(u32, usize)>,
        seen: &mut Vec<u32>,
    ) -> bool {
        // A free position first, so that slots keep their own words where they can.
        if let Some(&p) = candidates[slot]
            .iter()
            .find(|p| !owner.iter().any(|(q, _)| q == *p))
        {
            owner.push((p, slot));
            return true;
        }
        for &p in candidates[slot] {
            if seen.contains(&p) {
                continue;
            }
            seen.push(p);
            match owner.iter().position(|(q, _)| *q == p) {
                None => {
                    owner.push((p, slot));
                    return true;
                }
                Some(i) => {
                    let other = owner[i].1;
                    if augment(other, candidates, owner, seen) {
                        if let Some(i) = owner.iter().position(|(q, s)| *q == p && *s == other) {
                            owner[i].1 = slot;
                            return true;
                        }
                    }
                }
            }
        }
        false
    }
    let mut seen = Vec::new();
    for slot in 0..k {
        seen.clear();
        if !augment(slot, candidates, &mut owner, &mut seen) {
            return None;
        }
    }
    let mut out = vec![0; k];
    for (p, s) in owner {
        out[s] = p;
    }
    Some(out)
}

/// Documents where the slots (each a set of terms of `field`) lie as `proximity` says.
#[derive(Debug, Clone)]
pub struct SpanQuery {
    field: Field,
    slots: Vec<Vec<Term>>,
    proximity: Proximity,
}

impl SpanQuery {
    /// `slots` must be non-empty, each with at least one term of `field`.
    pub fn new(field: Field, slots: Vec<Vec<Term>>, proximity: Proximity) -> SpanQuery {
        assert!(slots.iter().all(|s| !s.is_empty()) && !slots.is_empty());
        SpanQuery {
            field,
            slots,
            proximity,
        }
    }
}

/// BM25 statistics in which each slot counts as one term: its most frequent form.
struct SlotStatistics {
    total_tokens: u64,
    total_docs: u64,
    dfs: Vec<(Term, u64)>,
}

impl Bm25StatisticsProvider for SlotStatistics {
    fn total_num_tokens(&self, _field: Field) -> tantivy::Result<u64> {
        Ok(self.total_tokens)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total_docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(self
            .dfs
            .iter()
            .find(|(t, _)| t == term)
            .map_or(0, |(_, df)| *df))
    }
}

impl Query for SpanQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring.searcher() {
            Some(searcher) if scoring.is_scoring_enabled() => {
                let mut stats = SlotStatistics {
                    total_tokens: 0,
                    total_docs: 0,
                    dfs: Vec::new(),
                };
                for reader in searcher.segment_readers() {
                    stats.total_tokens += reader.inverted_index(self.field)?.total_num_tokens();
                    stats.total_docs += u64::from(reader.max_doc());
                }
                stats.total_docs = stats.total_docs.max(1);
                let mut representatives = Vec::new();
                for slot in &self.slots {
                    let mut best = (slot[0].clone(), 0u64);
                    for term in slot {
                        let df = searcher.doc_freq(term)?;
                        if df > best.1 {
                            best = (term.clone(), df);
                        }
                    }
                    best.1 = best.1.min(stats.total_docs);
                    representatives.push(best.0.clone());
                    stats.dfs.push(best);
                }
                Some(Bm25Weight::for_terms(&stats, &representatives)?)
            }
            _ => None,
        };
        Ok(Box::new(SpanWeight {
            field: self.field,
            slots: self.slots.clone(),
            proximity: self.proximity,
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in self.slots.iter().flatten() {
            visitor(term, true);
        }
    }
}

struct SpanWeight {
    field: Field,
    slots: Vec<Vec<Term>>,
    proximity: Proximity,
    bm25: Option<Bm25Weight>,
}

impl Weight for SpanWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inverted = reader.inverted_index(self.field)?;
        let mut slots = Vec::with_capacity(self.slots.len());
        for terms in &self.slots {
            let mut postings = Vec::new();
            for term in terms {
                if let Some(p) =
                    inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
                {
                    if p.doc() != TERMINATED {
                        postings.push(p);
                    }
                }
            }
            if postings.is_empty() {
                return Ok(Box::new(EmptyScorer));
            }
            slots.push(Slot::new(postings));
        }
        let fieldnorms = reader
            .fieldnorms_readers()
            .get_field(self.field)?
            .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        let mut order: Vec<usize> = (0..slots.len()).collect();
        order.sort_by_key(|&i| slots[i].size_hint());
        let mut scorer = SpanScorer {
            positions: vec![Vec::new(); slots.len()],
            slots,
            order,
            proximity: self.proximity,
            fieldnorms,
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
            doc: 0,
            count: 0,
        };
        scorer.next_match(0);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("words near each other", scorer.score()))
    }
}

/// One slot's postings, advanced together: the documents where any of its forms occur.
struct Slot {
    postings: Vec<SegmentPostings>,
    doc: DocId,
}

impl Slot {
    fn new(postings: Vec<SegmentPostings>) -> Slot {
        let doc = postings.iter().map(|p| p.doc()).min().unwrap_or(TERMINATED);
        Slot { postings, doc }
    }

    fn size_hint(&self) -> u32 {
        self.postings
            .iter()
            .map(|p| p.size_hint())
            .fold(0, u32::saturating_add)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut min = TERMINATED;
        for p in &mut self.postings {
            let d = if p.doc() < target {
                p.seek(target)
            } else {
                p.doc()
            };
            min = min.min(d);
        }
        self.doc = min;
        min
    }

    /// The positions of the slot's forms in the current document, sorted and distinct.
    fn positions(&mut self, out: &mut Vec<u32>) {
        out.clear();
        for p in &mut self.postings {
            if p.doc() == self.doc {
                p.append_positions_with_offset(0, out);
            }
        }
        if self.postings.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }
}

struct SpanScorer {
    slots: Vec<Slot>,
    /// Slots in the order they lead the intersection: rarest first.
    order: Vec<usize>,
    positions: Vec<Vec<u32>>,
    proximity: Proximity,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    /// Matches in the current document.
    count: u32,
}

impl SpanScorer {
    /// Moves to the first matching document at or after `target`.
    fn next_match(&mut self, mut target: DocId) -> DocId {
        loop {
            let mut candidate = target;
            'align: loop {
                if candidate >= TERMINATED {
                    self.doc = TERMINATED;
                    return TERMINATED;
                }
                for &i in &self.order {
                    let d = self.slots[i].seek(candidate);
                    if d > candidate {
                        candidate = d;
                        continue 'align;
                    }
                }
                break;
            }
            for (slot, out) in self.slots.iter_mut().zip(self.positions.iter_mut()) {
                slot.positions(out);
            }
            self.count = find(&self.positions, self.proximity, |_| {});
            if self.count > 0 {
                self.doc = candidate;
                return candidate;
            }
            target = candidate + 1;
        }
    }
}

impl DocSet for SpanScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.next_match(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.next_match(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.slots.iter().map(Slot::size_hint).min().unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        // Positions are read for every candidate: dearer than a term's postings.
        u64::from(self.size_hint()) * 10
    }
}

impl Scorer for SpanScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(slots: &[&[u32]], p: Proximity) -> Vec<Vec<u32>> {
        let slots: Vec<Vec<u32>> = slots.iter().map(|s| s.to_vec()).collect();
        let mut out = Vec::new();
        let n = find(&slots, p, |m| out.push(m.to_vec()));
        assert_eq!(n as usize, out.len());
        out
    }

    #[test]
    fn phrases_need_adjacent_positions_in_order() {
        assert_eq!(
            all(&[&[1, 5], &[2, 7], &[3]], Proximity::Phrase),
            [[1, 2, 3]]
        );
        assert!(all(&[&[2], &[1]], Proximity::Phrase).is_empty());
    }

    #[test]
    fn in_order_counts_the_words_between() {
        // a at 0, b at 3: two words between.
        assert_eq!(all(&[&[0], &[3]], Proximity::InOrder(2)).len(), 1);
        assert!(all(&[&[0], &[3]], Proximity::InOrder(1)).is_empty());
        assert!(
            all(&[&[3], &[0]], Proximity::InOrder(10)).is_empty(),
            "order"
        );
        // Three slots: the gaps add up.
        assert_eq!(all(&[&[0], &[2], &[4]], Proximity::InOrder(2)).len(), 1);
        assert!(all(&[&[0], &[2], &[4]], Proximity::InOrder(1)).is_empty());
    }

    #[test]
    fn any_order_allows_either_order_but_needs_distinct_positions() {
        assert_eq!(all(&[&[3], &[0]], Proximity::AnyOrder(2)).len(), 1);
        assert!(all(&[&[3], &[0]], Proximity::AnyOrder(1)).is_empty());
        // The same word twice needs two occurrences.
        assert!(all(&[&[4], &[4]], Proximity::AnyOrder(5)).is_empty());
        assert_eq!(
            all(&[&[4, 6], &[4, 6]], Proximity::AnyOrder(1)),
            [vec![4, 6]]
        );
        // A matching must move an earlier choice to make room.
        let m = all(&[&[1, 2], &[1]], Proximity::AnyOrder(0));
        assert_eq!(m, [vec![2, 1]]);
    }
}
