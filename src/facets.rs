//! Facets (how many matches have each department, status, year...) and trends (how many
//! matches each month or year, whole or split by department, party or House), with the
//! index's own coverage beside every period, so that a gap in the data never looks like a
//! fall in interest.
//!
//! Both run the query and filters of `search` ([`crate::search::Prepared`]) through a
//! [`Tally`], which counts from fast fields: every table adds up to the total that
//! `pqsearch search` reports for the same request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::query::AllQuery;
use tantivy::Searcher;

use crate::date::{Bucket, Date};
use crate::departments;
use crate::index::PqIndex;
use crate::search::{DateField, Prepared, SearchError, SearchRequest};
use crate::tally::{self, Counts, Tally, Value};

/// What can be counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    /// The answering department.
    Department,
    /// The asking member.
    AskedBy,
    /// The answering member.
    AnsweredBy,
    /// The asking member's party.
    Party,
    House,
    Status,
    /// The year of the date the request's `date_field` names (asked, unless told).
    Year,
    /// The month of that date.
    Month,
}

impl Facet {
    pub const ALL: [Facet; 8] = [
        Facet::Department,
        Facet::AskedBy,
        Facet::AnsweredBy,
        Facet::Party,
        Facet::House,
        Facet::Status,
        Facet::Year,
        Facet::Month,
    ];

    /// The name used in flags, CSV and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Department => "department",
            Facet::AskedBy => "asked_by",
            Facet::AnsweredBy => "answered_by",
            Facet::Party => "party",
            Facet::House => "house",
            Facet::Status => "status",
            Facet::Year => "year",
            Facet::Month => "month",
        }
    }

    /// The period a date facet counts by.
    pub fn bucket(self) -> Option<Bucket> {
        match self {
            Facet::Year => Some(Bucket::Year),
            Facet::Month => Some(Bucket::Month),
            _ => None,
        }
    }

    /// The fast fields that hold the facet's values: one, or for a member the pair (member
    /// id, name as the record shows it), so that one member counts once however a source
    /// spelled the name (see [`fold`]).
    pub(crate) fn fields(self, index: &PqIndex, date: DateField) -> Vec<tally::Field> {
        let name = |f| index.index.schema().get_field_name(f).to_string();
        let text = |f| tally::Field::Text(name(f));
        let fields = &index.fields;
        match self {
            Facet::Department => vec![text(fields.department)],
            Facet::House => vec![text(fields.house)],
            Facet::Status => vec![text(fields.status)],
            Facet::Party => vec![text(fields.party)],
            Facet::Year | Facet::Month => vec![tally::Field::Date(name(date_field(index, date)))],
            Facet::AskedBy => vec![
                tally::Field::Number(name(fields.asked_by_id)),
                text(fields.asked_by_name),
            ],
            Facet::AnsweredBy => vec![
                tally::Field::Number(name(fields.answered_by_id)),
                text(fields.answered_by_name),
            ],
        }
    }
}

impl std::fmt::Display for Facet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The index field of a date.
pub(crate) fn date_field(index: &PqIndex, date: DateField) -> tantivy::schema::Field {
    match date {
        DateField::Asked => index.fields.date_asked,
        DateField::Answered => index.fields.date_answered,
        DateField::Latest => index.fields.sort_date,
    }
}

/// Why a count could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("a trend can be split by department, party or house, not by {0}")]
    BadSplit(Facet),
}

/// The label of a member known only by id, as records show it.
pub fn member_label(id: u64) -> String {
    format!("member {id}")
}

/// What [`fold`] makes of counted values: per row label, the sum and the other names merged
/// into it; the sum of the values without any part (`None` when there are none); and, for a
/// member, the member ids each row counts (one, unless two members share a name).
pub(crate) type Folded<T> = (
    BTreeMap<String, (T, Vec<String>)>,
    Option<T>,
    BTreeMap<String, Vec<u64>>,
);

/// Folds counted values into the rows a person reads: one per value, with what was merged
/// into it. A member (values `[id, name]`) is one row per id, under the name most of its
/// questions show (sources spell some names differently: a page's "Jeremy Wright" is the
/// members table's "Sir Jeremy Wright"), or `member 1506` when no record names it; a member
/// with a name and no id is a row of that name. A date is its period; a department, with
/// `merge_renames`, its lineage's newest name. `weight` says how many questions a sum holds.
pub(crate) fn fold<T: Clone>(
    facet: Facet,
    merge_renames: bool,
    rows: impl IntoIterator<Item = (Vec<Option<Value>>, T)>,
    add: impl Fn(&mut T, &T),
    weight: impl Fn(&T) -> u64,
) -> Folded<T> {
    let mut out: BTreeMap<String, (T, Vec<String>)> = BTreeMap::new();
    let mut missing: Option<T> = None;
    let put = |slot: &mut Option<T>, v: &T| match slot {
        Some(s) => add(s, v),
        None => *slot = Some(v.clone()),
    };
    let put_row = |out: &mut BTreeMap<String, (T, Vec<String>)>, label: String, v: &T| match out
        .get_mut(&label)
    {
        Some(slot) => add(&mut slot.0, v),
        None => {
            out.insert(label, (v.clone(), Vec::new()));
        }
    };
    // Per member id: the sum, and how many questions show each spelling of the name.
    let mut members: BTreeMap<u64, (Option<T>, BTreeMap<String, u64>)> = BTreeMap::new();
    let is_member = matches!(facet, Facet::AskedBy | Facet::AnsweredBy);
    for (values, n) in rows {
        let first = values.first().cloned().flatten();
        if is_member {
            let name = values.get(1).cloned().flatten();
            match (first.and_then(|v| v.as_number()), name) {
                (Some(id), name) => {
                    let m = members.entry(id).or_insert((None, BTreeMap::new()));
                    put(&mut m.0, &n);
                    if let Some(Value::Text(name)) = name {
                        *m.1.entry(name).or_default() += weight(&n);
                    }
                }
                (None, Some(Value::Text(name))) => put_row(&mut out, name, &n),
                _ => put(&mut missing, &n),
            }
            continue;
        }
        let Some(value) = first else {
            put(&mut missing, &n);
            continue;
        };
        let label = match &value {
            Value::Text(t) => t.clone(),
            Value::Day(d) => facet.bucket().unwrap_or(Bucket::Day).label(*d),
            Value::Number(n) => n.to_string(),
        };
        let (name, from) = merge_name(facet, merge_renames, label);
        put_row(&mut out, name.clone(), &n);
        if let Some(from) = from {
            let merged = &mut out.get_mut(&name).expect("just put").1;
            if !merged.contains(&from) {
                merged.push(from);
                merged.sort();
            }
        }
    }
    let mut ids: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (id, (total, names)) in members {
        let Some(total) = total else { continue };
        let mut names: Vec<(String, u64)> = names.into_iter().collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let label = names
            .first()
            .map_or_else(|| member_label(id), |(n, _)| n.clone());
        put_row(&mut out, label.clone(), &total);
        ids.entry(label.clone()).or_default().push(id);
        let merged = &mut out.get_mut(&label).expect("just put").1;
        merged.extend(names.into_iter().skip(1).map(|(n, _)| n));
        merged.sort();
        merged.dedup();
    }
    (out, missing, ids)
}

impl From<crate::index::IndexError> for CountError {
    fn from(e: crate::index::IndexError) -> CountError {
        CountError::Search(SearchError::Index(e))
    }
}

/// Runs a tally of the request's matches (or of the whole index, with `request` `None`).
pub(crate) fn count(
    index: &PqIndex,
    searcher: &Searcher,
    request: Option<&SearchRequest>,
    keys: Vec<Vec<tally::Field>>,
) -> Result<Counts, CountError> {
    let tally = Tally { keys };
    let found = match request {
        Some(request) => {
            let prepared = Prepared::new(index, searcher, request)?;
            searcher.search(&*prepared.query, &tally)
        }
        None => searcher.search(&AllQuery, &tally),
    };
    found.map_err(|e| CountError::Search(SearchError::Index(index.tantivy_error(e))))
}

/// Facet counts for the matches of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetRequest {
    /// The query and filters (order and page are not used).
    pub search: SearchRequest,
    pub by: Vec<Facet>,
    /// Keep only the N largest values of each facet.
    pub top: Option<usize>,
    /// Count renamed and merged departments under their newest name.
    pub merge_renames: bool,
}

/// The counts of one facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetTable {
    pub field: Facet,
    /// Largest first (ties by value); years and months are values too.
    pub values: Vec<FacetValue>,
    /// How many different values there are, before `top`.
    pub distinct: usize,
    /// Matches whose values were left out by `top`.
    pub other: u64,
    /// Matches without a value (an unanswered question has no month answered).
    pub missing: u64,
}

/// One value and how many matches have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    /// With `merge_renames`: the other names counted under this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<String>,
    /// For a member: the Parliament id (two, when two members share the name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub member_ids: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetResults {
    /// Every match; each table's values, other and missing add up to it.
    pub total: u64,
    pub facets: Vec<FacetTable>,
}

pub fn facets(
    index: &PqIndex,
    searcher: &Searcher,
    request: &FacetRequest,
) -> Result<FacetResults, CountError> {
    let date = request.search.filters.date_field;
    let keys = request.by.iter().map(|f| f.fields(index, date)).collect();
    let counts = count(index, searcher, Some(&request.search), keys)?;
    let facets = request
        .by
        .iter()
        .zip(counts.keys)
        .map(|(&facet, key)| {
            let (by_value, missing, mut ids) = fold(
                facet,
                request.merge_renames,
                key,
                |a: &mut u64, b| *a += b,
                |n| *n,
            );
            let missing = missing.unwrap_or(0);
            let mut values: Vec<FacetValue> = by_value
                .into_iter()
                .map(|(value, (count, mut merged))| {
                    merged.sort();
                    merged.dedup();
                    FacetValue {
                        member_ids: ids.remove(&value).unwrap_or_default(),
                        value,
                        count,
                        merged,
                    }
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            let distinct = values.len();
            let mut other = 0;
            if let Some(top) = request.top {
                other = values.iter().skip(top).map(|v| v.count).sum();
                values.truncate(top);
            }
            FacetTable {
                field: facet,
                values,
                distinct,
                other,
                missing,
            }
        })
        .collect();
    Ok(FacetResults {
        total: counts.total,
        facets,
    })
}

/// The name a value is counted under, and the name it was merged from, if any.
fn merge_name(facet: Facet, merge: bool, name: String) -> (String, Option<String>) {
    if merge && facet == Facet::Department {
        let current = departments::current_name(&name);
        if current != name {
            return (current, Some(name));
        }
    }
    (name, None)
}

/// A count of matches per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendRequest {
    pub search: SearchRequest,
    /// Months or years (days work too).
    pub bucket: Bucket,
    /// Count each department, party or House separately.
    pub split: Option<Facet>,
    /// With a split by department: count renamed and merged departments as one.
    pub merge_renames: bool,
}

/// How many matches each period has, beside how many questions the index holds for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trend {
    pub bucket: Bucket,
    /// Which date places a question in a period.
    pub date: DateField,
    /// Every match (the periods, `outside` and `undated` add up to it).
    pub total: u64,
    /// Every period from the first to the last the index covers (narrowed by `--from` and
    /// `--to`), in order, empty ones included.
    pub periods: Vec<Period>,
    /// The series of a split trend, largest first; empty when not split.
    pub series: Vec<String>,
    /// Per series, the names merged into it (`merge_renames`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub merged: BTreeMap<String, Vec<String>>,
    /// Matches without the date (unanswered questions, counted by date answered).
    pub undated: u64,
    /// The first and last day of that date in the whole index.
    pub index_first: Option<Date>,
    pub index_last: Option<Date>,
}

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// `2024-03` or `2024`.
    pub period: String,
    pub first: Date,
    pub last: Date,
    pub count: u64,
    /// With a split: the count of each series, in the order of [`Trend::series`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_series: Vec<u64>,
    /// Questions of any kind the index holds for the period: 0 means the sources have no
    /// data there, not that nobody asked.
    pub indexed: u64,
    pub coverage: PeriodCoverage,
    /// Months of the period, within the index's first and last day, for which the index
    /// holds no questions (a year with gaps is partial).
    pub empty_months: u32,
}

/// How fully the index covers a period: a count is only comparable with its neighbours
/// where the coverage is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodCoverage {
    Full,
    /// The index's data begins or ends inside the period (the last month, usually), or,
    /// for a year, it holds no questions for some month of it.
    Partial,
    /// The index holds under a quarter of the questions of a typical (median) period.
    Thin,
    /// The index holds no questions at all for the period: a gap in the sources.
    Gap,
}

impl PeriodCoverage {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodCoverage::Full => "full",
            PeriodCoverage::Partial => "partial",
            PeriodCoverage::Thin => "thin",
            PeriodCoverage::Gap => "gap",
        }
    }
}

/// The series that questions without a value of the split (an unknown party) fall under.
pub const UNKNOWN: &str = "(unknown)";

impl Trend {
    /// Periods that the index holds no questions for at all: gaps in the data.
    pub fn gaps(&self) -> impl Iterator<Item = &Period> {
        self.periods
            .iter()
            .filter(|p| p.coverage == PeriodCoverage::Gap)
    }

    /// The same trend with only the `n` largest series, the rest summed into "other".
    pub fn top_series(&self, n: usize) -> Trend {
        let mut out = self.clone();
        if self.series.len() <= n {
            return out;
        }
        out.series.truncate(n);
        out.series.push("other".into());
        for p in &mut out.periods {
            let rest: u64 = p.by_series[n..].iter().sum();
            p.by_series.truncate(n);
            p.by_series.push(rest);
        }
        out
    }
}

pub fn trend(
    index: &PqIndex,
    searcher: &Searcher,
    request: &TrendRequest,
) -> Result<Trend, CountError> {
    let filters = &request.search.filters;
    let date = filters.date_field;
    let date_key = Facet::Month.fields(index, date);
    let mut key = date_key.clone();
    if let Some(split) = request.split {
        if !matches!(split, Facet::Department | Facet::Party | Facet::House) {
            return Err(CountError::BadSplit(split));
        }
        key.extend(split.fields(index, date));
    }
    let everything = count(index, searcher, None, vec![date_key])?;
    let matches = count(index, searcher, Some(&request.search), vec![key])?;

    let bucket = request.bucket;
    let mut indexed: BTreeMap<Date, u64> = BTreeMap::new();
    for (values, n) in &everything.keys[0] {
        if let Some(day) = values[0].as_ref().and_then(Value::as_day) {
            *indexed.entry(bucket.start(day)).or_default() += n;
        }
    }
    let months: std::collections::BTreeSet<Date> = everything.keys[0]
        .keys()
        .filter_map(|v| v[0].as_ref().and_then(Value::as_day))
        .map(|d| Bucket::Month.start(d))
        .collect();
    let index_first = everything.keys[0]
        .keys()
        .find_map(|v| v[0].as_ref().and_then(Value::as_day));
    let index_last = everything.keys[0]
        .keys()
        .rev()
        .find_map(|v| v[0].as_ref().and_then(Value::as_day));

    // Counts per (period start, series).
    let mut undated = 0;
    let mut cells: BTreeMap<(Date, String), u64> = BTreeMap::new();
    let mut series_total: BTreeMap<String, u64> = BTreeMap::new();
    let mut merged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (values, n) in &matches.keys[0] {
        let Some(day) = values[0].as_ref().and_then(Value::as_day) else {
            undated += n;
            continue;
        };
        let series = match (request.split, values.get(1)) {
            (Some(split), Some(v)) => {
                let name = v
                    .as_ref()
                    .and_then(Value::as_text)
                    .map_or(UNKNOWN.to_string(), str::to_string);
                let (name, from) = merge_name(split, request.merge_renames, name);
                if let Some(from) = from {
                    let list = merged.entry(name.clone()).or_default();
                    if !list.contains(&from) {
                        list.push(from);
                        list.sort();
                    }
                }
                name
            }
            _ => String::new(),
        };
        *cells
            .entry((bucket.start(day), series.clone()))
            .or_default() += n;
        *series_total.entry(series).or_default() += n;
    }
    let mut series: Vec<(String, u64)> = series_total.into_iter().collect();
    series.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let series: Vec<String> = if request.split.is_some() {
        series.into_iter().map(|(s, _)| s).collect()
    } else {
        Vec::new()
    };

    // The range: what the index covers, narrowed by --from and --to on the same date.
    let mut periods = Vec::new();
    if let (Some(first), Some(last)) = (index_first, index_last) {
        let from = filters.from.map_or(first, |f| f.max(first));
        let to = filters.to.map_or(last, |t| t.min(last));
        let mut start = bucket.start(from);
        while start <= to {
            let span = bucket.span(start);
            let count_of = |s: &str| cells.get(&(start, s.to_string())).copied().unwrap_or(0);
            let by_series: Vec<u64> = series.iter().map(|s| count_of(s)).collect();
            let count = if series.is_empty() {
                count_of("")
            } else {
                by_series.iter().sum()
            };
            periods.push(Period {
                period: bucket.label(start),
                first: span.first,
                last: span.last,
                count,
                by_series,
                indexed: indexed.get(&start).copied().unwrap_or(0),
                coverage: PeriodCoverage::Full,
                empty_months: 0,
            });
            start = bucket.next(start);
        }
        let mut sizes: Vec<u64> = periods
            .iter()
            .map(|p| p.indexed)
            .filter(|n| *n > 0)
            .collect();
        sizes.sort_unstable();
        let typical = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
        for p in &mut periods {
            // A year is partial too when the index holds no questions for a month of it.
            if bucket == Bucket::Year {
                let mut m = Bucket::Month.start(p.first.max(first));
                while m <= p.last.min(last) {
                    p.empty_months += u32::from(!months.contains(&m));
                    m = Bucket::Month.next(m);
                }
            }
            p.coverage = if p.indexed == 0 {
                PeriodCoverage::Gap
            } else if first > p.first || last < p.last || p.empty_months > 0 {
                PeriodCoverage::Partial
            } else if p.indexed * 4 < typical {
                PeriodCoverage::Thin
            } else {
                PeriodCoverage::Full
            };
        }
    }
    Ok(Trend {
        bucket,
        date,
        total: matches.total,
        periods,
        series,
        merged,
        undated,
        index_first,
        index_last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::{engine, engine_with, fixture, DLUHC, MHCLG};

    fn request(q: &str, by: &[Facet]) -> FacetRequest {
        FacetRequest {
            search: SearchRequest::new(q),
            by: by.to_vec(),
            top: None,
            merge_renames: false,
        }
    }

    #[test]
    fn facets_add_up_to_the_search_total() {
        let engine = engine();
        for q in ["*", "safety", "\"Online Safety\""] {
            let total = engine.count(&SearchRequest::new(q)).unwrap() as u64;
            let found = engine
                .facets(&request(
                    q,
                    &[
                        Facet::Department,
                        Facet::Status,
                        Facet::Year,
                        Facet::Month,
                        Facet::House,
                    ],
                ))
                .unwrap();
            assert_eq!(found.total, total, "{q}");
            for table in &found.facets {
                let sum: u64 = table.values.iter().map(|v| v.count).sum();
                assert_eq!(
                    sum + table.other + table.missing,
                    total,
                    "{q} {}",
                    table.field
                );
                assert!(table.values.windows(2).all(|w| w[0].count >= w[1].count));
            }
        }
    }

    #[test]
    fn facets_count_what_the_records_say() {
        let engine = engine();
        let records = engine.all_records();
        let found = engine
            .facets(&request("*", &[Facet::Department, Facet::Month]))
            .unwrap();
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for q in &records {
            *want.entry(q.department.clone()).or_default() += 1;
        }
        let got: BTreeMap<String, u64> = found.facets[0]
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect();
        assert_eq!(got, want);
        let mut months: BTreeMap<String, u64> = BTreeMap::new();
        for q in &records {
            *months.entry(Bucket::Month.label(q.date_asked)).or_default() += 1;
        }
        let got: BTreeMap<String, u64> = found.facets[1]
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect();
        assert_eq!(got, months);
    }

    #[test]
    fn trends_fill_empty_periods_and_show_coverage() {
        let engine = engine();
        let records = engine.all_records();
        let t = engine
            .trend(&TrendRequest {
                search: SearchRequest::new("*"),
                bucket: Bucket::Month,
                split: Some(Facet::Department),
                merge_renames: false,
            })
            .unwrap();
        let first = records.iter().map(|q| q.date_asked).min().unwrap();
        let last = records.iter().map(|q| q.date_asked).max().unwrap();
        assert_eq!(
            t.periods.first().unwrap().period,
            Bucket::Month.label(first)
        );
        assert_eq!(t.periods.last().unwrap().period, Bucket::Month.label(last));
        // Consecutive months, none skipped.
        for w in t.periods.windows(2) {
            assert_eq!(w[0].last.add_days(1), w[1].first);
        }
        let sum: u64 = t.periods.iter().map(|p| p.count).sum();
        assert_eq!(sum + t.undated, t.total);
        assert_eq!(t.total, records.len() as u64);
        for p in &t.periods {
            // Over "*" every question counts, so a period's count is its coverage.
            assert_eq!(p.count, p.indexed);
            assert_eq!(p.by_series.iter().sum::<u64>(), p.count);
        }
        let top = t.top_series(1);
        assert_eq!(top.series.len(), 2);
        for (a, b) in t.periods.iter().zip(&top.periods) {
            assert_eq!(b.by_series.iter().sum::<u64>(), a.count);
        }
    }

    #[test]
    fn gaps_in_the_data_are_periods_the_index_holds_nothing_for() {
        let engine = engine_with(fixture());
        let mut search = SearchRequest::new("*");
        search.filters.departments = vec!["DHSC".into()];
        let t = engine
            .trend(&TrendRequest {
                search,
                bucket: Bucket::Month,
                split: None,
                merge_renames: false,
            })
            .unwrap();
        let labels: Vec<&str> = t.periods.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(labels.first(), Some(&"2023-12"));
        assert_eq!(labels.last(), Some(&"2024-09"));
        assert_eq!(labels.len(), 10);
        let gaps: Vec<&str> = t.gaps().map(|p| p.period.as_str()).collect();
        assert_eq!(
            gaps,
            ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-08"]
        );
        let dec = &t.periods[0];
        assert_eq!((dec.count, dec.indexed), (3, 7));
        assert_eq!(dec.coverage, PeriodCoverage::Full);
        // The index's data ends on 2024-09-10.
        assert_eq!(t.periods[9].coverage, PeriodCoverage::Partial);
        // By date answered: unanswered questions have no such date.
        let mut search = SearchRequest::new("*");
        search.filters.date_field = DateField::Answered;
        let t = engine
            .trend(&TrendRequest {
                search,
                bucket: Bucket::Year,
                split: None,
                merge_renames: false,
            })
            .unwrap();
        assert!(t
            .periods
            .iter()
            .all(|p| p.coverage == PeriodCoverage::Partial));
        // 2024 (by date answered, up to the last answer on 2024-09-12): nothing was
        // answered from February to June.
        assert_eq!(t.periods[1].empty_months, 5);
        let years: Vec<(&str, u64)> = t
            .periods
            .iter()
            .map(|p| (p.period.as_str(), p.count))
            .collect();
        assert_eq!(years, [("2023", 4), ("2024", 7)]);
        assert_eq!(t.undated, 5);
    }

    #[test]
    fn renamed_departments_merge_under_their_newest_name() {
        let engine = engine_with(fixture());
        let mut r = request("*", &[Facet::Department]);
        let plain = engine.facets(&r).unwrap();
        let count = |res: &FacetResults, name: &str| {
            res.facets[0]
                .values
                .iter()
                .find(|v| v.value == name)
                .map(|v| v.count)
        };
        assert_eq!(count(&plain, DLUHC), Some(4));
        assert_eq!(count(&plain, MHCLG), Some(5));
        r.merge_renames = true;
        let merged = engine.facets(&r).unwrap();
        assert_eq!(count(&merged, DLUHC), None);
        assert_eq!(count(&merged, MHCLG), Some(9));
        let row = merged.facets[0]
            .values
            .iter()
            .find(|v| v.value == MHCLG)
            .unwrap();
        assert_eq!(row.merged, [DLUHC]);

        let split = engine
            .trend(&TrendRequest {
                search: SearchRequest::new("*"),
                bucket: Bucket::Year,
                split: Some(Facet::Department),
                merge_renames: true,
            })
            .unwrap();
        let i = split.series.iter().position(|s| s == MHCLG).unwrap();
        let by_year: Vec<u64> = split.periods.iter().map(|p| p.by_series[i]).collect();
        assert_eq!(by_year, [4, 5]);
        assert_eq!(split.merged[MHCLG], [DLUHC]);
    }

    #[test]
    fn following_renames_finds_questions_on_both_sides() {
        let engine = engine_with(fixture());
        let mut r = SearchRequest::new("*");
        r.filters.departments = vec!["MHCLG".into()];
        assert_eq!(engine.count(&r).unwrap(), 5);
        r.filters.follow_renames = true;
        assert_eq!(engine.count(&r).unwrap(), 9);
        r.filters.departments = vec!["DLUHC".into()];
        assert_eq!(engine.count(&r).unwrap(), 9);
        r.filters.follow_renames = false;
        assert_eq!(engine.count(&r).unwrap(), 4);
    }

    #[test]
    fn a_member_counts_once_under_the_name_most_questions_give() {
        let engine = engine_with(fixture());
        let records = engine.all_records();
        let found = engine
            .facets(&request("*", &[Facet::AskedBy, Facet::Party]))
            .unwrap();
        let rows: BTreeMap<&str, (u64, &[String])> = found.facets[0]
            .values
            .iter()
            .map(|v| (v.value.as_str(), (v.count, v.merged.as_slice())))
            .collect();
        let by_id = |id| records.iter().filter(|q| q.asked_by_id == Some(id)).count() as u64;
        let spelled = |name: &str| {
            records
                .iter()
                .filter(|q| q.asked_by.as_deref() == Some(name))
                .count()
        };
        // Member 101 is "Sir Jo Bloggs" on 4 questions and "Jo Bloggs" on 3.
        assert!(spelled("Sir Jo Bloggs") > spelled("Jo Bloggs"));
        assert_eq!(
            rows["Sir Jo Bloggs"],
            (by_id(101), &["Jo Bloggs".to_string()][..])
        );
        assert!(!rows.contains_key("Jo Bloggs"));
        assert_eq!(rows["member 102"].0, by_id(102));
        assert_eq!(rows["Pat Page"].0, spelled("Pat Page") as u64);
        let nobody = records
            .iter()
            .filter(|q| q.asked_by_id.is_none() && q.asked_by.is_none())
            .count() as u64;
        assert_eq!(found.facets[0].missing, nobody);
        let mut parties: BTreeMap<String, u64> = BTreeMap::new();
        for q in &records {
            if let Some(p) = &q.asked_by_party {
                *parties.entry(p.clone()).or_default() += 1;
            }
        }
        let got: BTreeMap<String, u64> = found.facets[1]
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect();
        assert_eq!(got, parties);
    }
}
