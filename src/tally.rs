//! Counting matching questions by the values of fast fields, for facets, trends, answer
//! performance and coverage.
//!
//! Counts never load a stored record: a tantivy collector visits every match of the query
//! and reads the values it counts by from the fast fields (columns) of its segment. A text
//! value is read as its ordinal in the segment's dictionary and a date as its day, both
//! small integers that index a plain array of counters; only at the end of a segment are
//! the counted ordinals turned into names and days, and segments merged by value. So a
//! count over a million questions costs one array increment per question and field.
//!
//! The query is the one `search` runs ([`crate::search::Prepared`]), so every count here
//! adds up to the `total` that `pqsearch search` reports for the same query and filters.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::date::Date;

/// A fast field to count by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// An exact text field (department, house, status, names): one value a question.
    Text(String),
    /// A date field, counted by day.
    Date(String),
    /// A number field (member ids).
    Number(String),
    /// A boolean field, counted as the numbers 0 and 1.
    Flag(String),
}

/// A value counted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Text(String),
    Day(Date),
    Number(u64),
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_day(&self) -> Option<Date> {
        match self {
            Value::Day(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<u64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// The day of a stored date (dates are stored at midnight UTC).
pub fn day_of(t: DateTime) -> i64 {
    t.into_timestamp_secs().div_euclid(86_400)
}

/// One field's column in one segment, read as small integers ("slots").
pub enum SegmentField {
    Text {
        ords: Column<u64>,
        dict: StrColumn,
    },
    Date {
        days: Column<DateTime>,
        first: i64,
        span: usize,
    },
    Number {
        values: Column<u64>,
        first: u64,
        span: usize,
    },
    Flag(Column<bool>),
    /// No question of the segment has the field.
    Absent,
}

impl SegmentField {
    pub fn open(segment: &SegmentReader, field: &Field) -> tantivy::Result<SegmentField> {
        let fast = segment.fast_fields();
        Ok(match field {
            Field::Text(name) => match fast.str(name)? {
                Some(dict) => SegmentField::Text {
                    ords: dict.ords().clone(),
                    dict,
                },
                None => SegmentField::Absent,
            },
            Field::Date(name) => match fast.column_opt::<DateTime>(name)? {
                Some(days) if days.num_docs() > 0 => {
                    let first = day_of(days.min_value());
                    let last = day_of(days.max_value());
                    SegmentField::Date {
                        days,
                        first,
                        span: (last - first + 1).max(0) as usize,
                    }
                }
                _ => SegmentField::Absent,
            },
            Field::Flag(name) => match fast.column_opt::<bool>(name)? {
                Some(flags) => SegmentField::Flag(flags),
                None => SegmentField::Absent,
            },
            Field::Number(name) => match fast.column_opt::<u64>(name)? {
                Some(values) if values.num_docs() > 0 => {
                    let first = values.min_value();
                    let span = values.max_value().saturating_sub(first) as usize + 1;
                    SegmentField::Number {
                        values,
                        first,
                        span,
                    }
                }
                _ => SegmentField::Absent,
            },
        })
    }

    /// How many different slots the segment's values take.
    pub fn slots(&self) -> usize {
        match self {
            SegmentField::Text { dict, .. } => dict.num_terms(),
            SegmentField::Date { span, .. } | SegmentField::Number { span, .. } => *span,
            SegmentField::Flag(_) => 2,
            SegmentField::Absent => 0,
        }
    }

    /// The document's value as a slot, if it has one.
    #[inline]
    pub fn slot(&self, doc: DocId) -> Option<usize> {
        match self {
            SegmentField::Text { ords, .. } => ords.first(doc).map(|o| o as usize),
            SegmentField::Date { days, first, .. } => {
                days.first(doc).map(|t| (day_of(t) - first) as usize)
            }
            SegmentField::Number { values, first, .. } => {
                values.first(doc).map(|v| (v - first) as usize)
            }
            SegmentField::Flag(flags) => flags.first(doc).map(usize::from),
            SegmentField::Absent => None,
        }
    }

    /// The document's date as a day number (date fields only).
    #[inline]
    pub fn day(&self, doc: DocId) -> Option<i64> {
        match self {
            SegmentField::Date { days, .. } => days.first(doc).map(day_of),
            _ => None,
        }
    }

    /// The values of some slots, given in ascending order.
    pub fn values(&self, slots: &[usize]) -> tantivy::Result<HashMap<usize, Value>> {
        match self {
            SegmentField::Text { dict, .. } => {
                let ords: Vec<u64> = slots.iter().map(|s| *s as u64).collect();
                let mut names = slots.iter();
                let mut out = HashMap::with_capacity(slots.len());
                let whole = dict.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Some(slot) = names.next() {
                        out.insert(
                            *slot,
                            Value::Text(String::from_utf8_lossy(bytes).into_owned()),
                        );
                    }
                })?;
                if !whole || out.len() != slots.len() {
                    return Err(tantivy::TantivyError::InternalError(
                        "a fast field's dictionary lacks a value its column uses".into(),
                    ));
                }
                Ok(out)
            }
            _ => slots.iter().map(|s| Ok((*s, self.value(*s)?))).collect(),
        }
    }

    /// The value a slot stands for.
    pub fn value(&self, slot: usize) -> tantivy::Result<Value> {
        match self {
            SegmentField::Text { dict, .. } => {
                let mut text = String::new();
                dict.ord_to_str(slot as u64, &mut text)?;
                Ok(Value::Text(text))
            }
            SegmentField::Date { first, .. } => {
                Ok(Value::Day(Date::from_days_since_epoch(first + slot as i64)))
            }
            SegmentField::Number { first, .. } => Ok(Value::Number(first + slot as u64)),
            SegmentField::Flag(_) => Ok(Value::Number(slot as u64)),
            SegmentField::Absent => unreachable!("an absent field has no slots"),
        }
    }
}

/// The slot of each field (`None`: no value) packed into one counter index by `radix`.
pub fn unpack(mut index: usize, radix: &[usize]) -> Vec<Option<usize>> {
    let mut slots = vec![None; radix.len()];
    for (i, r) in radix.iter().enumerate().rev() {
        let slot = index % r;
        index /= r;
        slots[i] = (slot + 1 < *r).then_some(slot);
    }
    slots
}

/// The combination of a document's slots in `fields` as one number (`radix`: each field's
/// slots plus one, the last for "no value"), which [`unpack`] turns back.
#[inline]
pub fn pack(fields: &[SegmentField], radix: &[usize], doc: DocId) -> usize {
    let mut index = 0;
    for (f, r) in fields.iter().zip(radix) {
        index = index * r + f.slot(doc).unwrap_or(r - 1);
    }
    index
}

/// Packed combinations with what was counted for each, as the values they stand for.
pub fn named<T>(
    fields: &[SegmentField],
    radix: &[usize],
    packed: impl IntoIterator<Item = (usize, T)>,
) -> tantivy::Result<Vec<(Vec<Option<Value>>, T)>> {
    let combos: Vec<(Vec<Option<usize>>, T)> = packed
        .into_iter()
        .map(|(index, t)| (unpack(index, radix), t))
        .collect();
    let names = values_of(fields, combos.iter().map(|(slots, _)| slots.as_slice()))?;
    Ok(combos
        .into_iter()
        .map(|(slots, t)| {
            let values = slots
                .iter()
                .zip(&names)
                .map(|(slot, names)| slot.map(|s| names[&s].clone()))
                .collect();
            (values, t)
        })
        .collect())
}

/// The values of the slots used, per field. Names are read from each segment's dictionary
/// in one sorted pass: reading them one at a time decodes a dictionary block per name, which
/// costs a fifth of a second over the 700 askers of each segment of a large index.
pub fn values_of<'a>(
    fields: &[SegmentField],
    combos: impl Iterator<Item = &'a [Option<usize>]>,
) -> tantivy::Result<Vec<HashMap<usize, Value>>> {
    let mut used: Vec<Vec<usize>> = vec![Vec::new(); fields.len()];
    for slots in combos {
        for (u, slot) in used.iter_mut().zip(slots) {
            u.extend(*slot);
        }
    }
    fields
        .iter()
        .zip(used)
        .map(|(f, mut slots)| {
            slots.sort_unstable();
            slots.dedup();
            f.values(&slots)
        })
        .collect()
}

/// Counts the matches by several keys at once; each key is one field, or a pair of fields
/// counted together (period × department for a split trend).
pub struct Tally {
    pub keys: Vec<Vec<Field>>,
}

/// The counts of one key: for each combination of values (`None` where a question has no
/// value), how many matches have it.
pub type KeyCounts = BTreeMap<Vec<Option<Value>>, u64>;

/// What a [`Tally`] found: the number of matches, and the counts of each key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: u64,
    pub keys: Vec<KeyCounts>,
}

/// Dense counters where the combinations are few, a map where they are many.
enum Counter {
    Dense(Vec<u32>),
    /// Fx, not SipHash: the keys are our own small integers, and hashing is the cost of
    /// counting members (an id and a name per question).
    Sparse(FxHashMap<usize, u32>),
}

/// Above this many combinations a key's counters go into a map.
const DENSE_LIMIT: usize = 1 << 20;

pub struct TallySegment {
    fields: Vec<Vec<SegmentField>>,
    /// Per key, the number of slots of each field plus one for "no value".
    radix: Vec<Vec<usize>>,
    counters: Vec<Counter>,
    total: u64,
}

impl Collector for Tally {
    type Fruit = Counts;
    type Child = TallySegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<TallySegment> {
        let mut fields = Vec::new();
        let mut radix = Vec::new();
        let mut counters = Vec::new();
        for key in &self.keys {
            let opened = key
                .iter()
                .map(|f| SegmentField::open(segment, f))
                .collect::<tantivy::Result<Vec<_>>>()?;
            let r: Vec<usize> = opened.iter().map(|f| f.slots() + 1).collect();
            let size = r.iter().try_fold(1usize, |a, b| a.checked_mul(*b));
            counters.push(match size {
                Some(n) if n <= DENSE_LIMIT => Counter::Dense(vec![0; n]),
                _ => Counter::Sparse(FxHashMap::default()),
            });
            fields.push(opened);
            radix.push(r);
        }
        Ok(TallySegment {
            fields,
            radix,
            counters,
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<tantivy::Result<Counts>>) -> tantivy::Result<Counts> {
        let mut out = Counts {
            total: 0,
            keys: vec![KeyCounts::new(); self.keys.len()],
        };
        for fruit in fruits {
            let fruit = fruit?;
            out.total += fruit.total;
            for (into, from) in out.keys.iter_mut().zip(fruit.keys) {
                for (k, n) in from {
                    *into.entry(k).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for TallySegment {
    /// Reading the dictionary of a segment's names can fail (damage); it is read here.
    type Fruit = tantivy::Result<Counts>;

    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        for ((fields, radix), counter) in
            self.fields.iter().zip(&self.radix).zip(&mut self.counters)
        {
            let index = pack(fields, radix, doc);
            match counter {
                Counter::Dense(c) => c[index] += 1,
                Counter::Sparse(c) => *c.entry(index).or_default() += 1,
            }
        }
    }

    fn harvest(self) -> tantivy::Result<Counts> {
        let mut keys = Vec::with_capacity(self.counters.len());
        for ((fields, radix), counter) in self.fields.iter().zip(&self.radix).zip(self.counters) {
            let nonzero: Vec<(usize, u64)> = match counter {
                Counter::Dense(c) => c
                    .into_iter()
                    .enumerate()
                    .filter(|(_, n)| *n > 0)
                    .map(|(i, n)| (i, u64::from(n)))
                    .collect(),
                Counter::Sparse(c) => c.into_iter().map(|(i, n)| (i, u64::from(n))).collect(),
            };
            let mut counts = KeyCounts::new();
            for (values, n) in named(fields, radix, nonzero)? {
                *counts.entry(values).or_default() += n;
            }
            keys.push(counts);
        }
        Ok(Counts {
            total: self.total,
            keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_calendar_days() {
        let d: Date = "2024-07-17".parse().unwrap();
        assert_eq!(day_of(d.to_tantivy()), d.days_since_epoch());
        let before: Date = "1969-12-31".parse().unwrap();
        assert_eq!(day_of(before.to_tantivy()), -1);
    }
}
