//! Answer performance: for the matches of a search, whole or per department, month or
//! answering member, how many questions were answered, how many days answers took (median
//! and 90th percentile), what share came by the due date (named-day questions apart), how
//! many hold only a holding answer, and how many are overdue.
//!
//! Definitions (the README repeats them for readers of the figures):
//!
//! - **answered**: the question has a date answered. Its **days** are the calendar days from
//!   the date asked (tabled) to the date answered. A holding answer counts on its date, as
//!   the API dates it; `holding` says how many there are. Questions that have an answer but
//!   no date answered (the API gives none for some) are `answered_undated`: they are in no
//!   day figure and are never overdue.
//! - **median** and **p90**: nearest rank, the value at 1-based rank ⌈p/100 × N⌉ of the days
//!   in ascending order, so always a whole number of days that some answer took.
//! - **on time**: answered on or before the due date (`date_due`, the API's
//!   `dateForAnswer`). `on_time_share` is over ordinary questions and
//!   `named_day_on_time_share` over named-day ones, each among the answered questions with a
//!   due date; for ordinary questions the due date is only the earliest day an answer may
//!   come, so their share is low by construction.
//! - **overdue**: not answered (status unanswered) and due before the index's newest date
//!   (the latest day any question was asked or answered), the day the snapshot describes.
//!
//! Every figure comes from fast fields through one collector (`PerformanceCollector`);
//! days are kept as exact histograms, so percentiles are exact and groups merge exactly
//! (`--merge-renames`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::date::Date;
use crate::facets::{self, CountError, Facet};
use crate::index::PqIndex;
use crate::record::Status;
use crate::search::{Prepared, SearchError, SearchRequest};
use crate::tally::{self, SegmentField, Value};

/// What to group the figures by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatsBy {
    Department,
    /// The month of the date the request's `date_field` names (asked, unless told).
    Month,
    AnsweredBy,
}

impl StatsBy {
    fn facet(self) -> Facet {
        match self {
            StatsBy::Department => Facet::Department,
            StatsBy::Month => Facet::Month,
            StatsBy::AnsweredBy => Facet::AnsweredBy,
        }
    }

    pub fn name(self) -> &'static str {
        self.facet().name()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsRequest {
    /// The query and filters (order and page are not used).
    pub search: SearchRequest,
    pub by: Option<StatsBy>,
    /// With `by` department: renamed and merged departments as one.
    pub merge_renames: bool,
}

/// Answer performance of the matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// The day overdue is judged on: the newest date in the index.
    pub as_of: Option<Date>,
    /// Every match together.
    pub all: Performance,
    /// Per group, largest first (months in order); empty without `by`.
    pub groups: Vec<Performance>,
}

/// The figures of one group of questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Performance {
    /// The group's name (a department, `2024-03`, a member), `all` for every match, or
    /// `(none)` for matches without a value (a question no one has answered yet has no
    /// answering member).
    pub group: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<String>,
    pub questions: u64,
    /// With a date answered: the questions the day figures describe.
    pub answered: u64,
    /// With an answer but no date answered.
    pub answered_undated: u64,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
    /// Ordinary (not named-day) answered questions with a due date (`due`), how many of
    /// them were answered by it, and the share (`None` without any).
    pub on_time: u64,
    pub due: u64,
    pub on_time_share: Option<f64>,
    /// The same for named-day questions.
    pub named_day_on_time: u64,
    pub named_day_due: u64,
    pub named_day_on_time_share: Option<f64>,
    /// Questions whose answer is, for now, a holding answer.
    pub holding: u64,
    pub unanswered: u64,
    /// Unanswered and due before `as_of`; `None` when no unanswered question has a due date
    /// (an index of pages), rather than a 0 that would read as "none overdue".
    pub overdue: Option<u64>,
    /// Unanswered questions without a due date, not counted as overdue or not.
    pub due_unknown: u64,
}

/// The exact, mergeable sums behind a [`Performance`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    pub questions: u64,
    pub answered_undated: u64,
    /// Answered questions by days taken.
    pub days: BTreeMap<i64, u64>,
    pub due: u64,
    pub on_time: u64,
    pub named_day_due: u64,
    pub named_day_on_time: u64,
    pub holding: u64,
    pub unanswered: u64,
    pub overdue: u64,
    /// Unanswered questions without a due date: whether they are overdue is not known.
    pub due_unknown: u64,
}

impl Sums {
    pub fn add(&mut self, other: &Sums) {
        self.questions += other.questions;
        self.answered_undated += other.answered_undated;
        for (d, n) in &other.days {
            *self.days.entry(*d).or_default() += n;
        }
        self.due += other.due;
        self.on_time += other.on_time;
        self.named_day_due += other.named_day_due;
        self.named_day_on_time += other.named_day_on_time;
        self.holding += other.holding;
        self.unanswered += other.unanswered;
        self.overdue += other.overdue;
        self.due_unknown += other.due_unknown;
    }

    pub fn answered(&self) -> u64 {
        self.days.values().sum()
    }

    /// The nearest-rank percentile of the days: the value at 1-based rank ⌈p/100 × N⌉.
    pub fn percentile(&self, p: u32) -> Option<i64> {
        let n = self.answered();
        if n == 0 {
            return None;
        }
        let rank = (u64::from(p) * n).div_ceil(100).max(1);
        let mut seen = 0;
        self.days.iter().find_map(|(d, k)| {
            seen += k;
            (seen >= rank).then_some(*d)
        })
    }

    fn performance(&self, group: String, merged: Vec<String>) -> Performance {
        let share = |k: u64, n: u64| (n > 0).then(|| k as f64 / n as f64);
        Performance {
            group,
            merged,
            questions: self.questions,
            answered: self.answered(),
            answered_undated: self.answered_undated,
            median_days: self.percentile(50),
            p90_days: self.percentile(90),
            on_time: self.on_time,
            due: self.due,
            on_time_share: share(self.on_time, self.due),
            named_day_on_time: self.named_day_on_time,
            named_day_due: self.named_day_due,
            named_day_on_time_share: share(self.named_day_on_time, self.named_day_due),
            holding: self.holding,
            unanswered: self.unanswered,
            overdue: (self.unanswered == 0 || self.due_unknown < self.unanswered)
                .then_some(self.overdue),
            due_unknown: self.due_unknown,
        }
    }
}

/// The group of matches without a value of the grouping field.
pub const NONE: &str = "(none)";

const STATUSES: [Status; 4] = [
    Status::Answered,
    Status::Unanswered,
    Status::Holding,
    Status::Withdrawn,
];

/// Days kept in an array before the rest go to a map: answers take weeks, not years.
const DAYS_DENSE: usize = 1024;

/// Per-group sums in one segment: days in a dense array where they fit.
#[derive(Default)]
struct SegmentSums {
    sums: Sums,
    dense_days: Vec<u64>,
}

impl SegmentSums {
    fn days(&mut self, d: i64) {
        match usize::try_from(d) {
            Ok(i) if i < DAYS_DENSE => {
                if self.dense_days.is_empty() {
                    self.dense_days = vec![0; DAYS_DENSE];
                }
                self.dense_days[i] += 1;
            }
            _ => *self.sums.days.entry(d).or_default() += 1,
        }
    }

    fn into_sums(mut self) -> Sums {
        for (d, n) in self.dense_days.iter().enumerate() {
            if *n > 0 {
                *self.sums.days.entry(d as i64).or_default() += n;
            }
        }
        self.sums
    }
}

/// The fast fields the figures read.
pub(crate) struct PerformanceCollector {
    /// The fields a group is told by (none: one group of everything).
    pub group: Vec<tally::Field>,
    pub date_asked: String,
    pub date_answered: String,
    pub status: String,
    /// `None` where the index has no due dates.
    pub date_due: Option<String>,
    pub named_day: Option<String>,
    /// Overdue means due before this day.
    pub as_of: Option<i64>,
}

pub(crate) struct PerformanceSegment {
    group: Vec<SegmentField>,
    /// Per group field, its slots plus one for "no value".
    radix: Vec<usize>,
    asked: SegmentField,
    answered: SegmentField,
    status: SegmentField,
    /// Per status ordinal of the segment, the status.
    statuses: Vec<Option<Status>>,
    due: Option<SegmentField>,
    named_day: Option<tantivy::columnar::Column<bool>>,
    as_of: Option<i64>,
    /// Per combination of group slots (Fx, as the tally's counters: the keys are small
    /// integers of our own).
    sums: rustc_hash::FxHashMap<usize, SegmentSums>,
}

/// A group's values (one per group field), and its sums.
pub(crate) type GroupSums = Vec<(Vec<Option<Value>>, Sums)>;

impl Collector for PerformanceCollector {
    type Fruit = GroupSums;
    type Child = PerformanceSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<PerformanceSegment> {
        let group = self
            .group
            .iter()
            .map(|g| SegmentField::open(segment, g))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let radix = group.iter().map(|g| g.slots() + 1).collect();
        let status = SegmentField::open(segment, &tally::Field::Text(self.status.clone()))?;
        let statuses = (0..status.slots())
            .map(|slot| {
                Ok(match status.value(slot)? {
                    Value::Text(t) => STATUSES.into_iter().find(|s| s.as_str() == t),
                    _ => None,
                })
            })
            .collect::<tantivy::Result<_>>()?;
        let due = self
            .date_due
            .as_ref()
            .map(|d| SegmentField::open(segment, &tally::Field::Date(d.clone())))
            .transpose()?;
        let named_day = match &self.named_day {
            Some(name) => segment.fast_fields().column_opt::<bool>(name)?,
            None => None,
        };
        Ok(PerformanceSegment {
            group,
            radix,
            asked: SegmentField::open(segment, &tally::Field::Date(self.date_asked.clone()))?,
            answered: SegmentField::open(segment, &tally::Field::Date(self.date_answered.clone()))?,
            status,
            statuses,
            due,
            named_day,
            as_of: self.as_of,
            sums: Default::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<tantivy::Result<GroupSums>>) -> tantivy::Result<GroupSums> {
        let mut merged: BTreeMap<Vec<Option<Value>>, Sums> = BTreeMap::new();
        for fruit in fruits {
            for (value, sums) in fruit? {
                merged.entry(value).or_default().add(&sums);
            }
        }
        Ok(merged.into_iter().collect())
    }
}

impl SegmentCollector for PerformanceSegment {
    type Fruit = tantivy::Result<GroupSums>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let slot = tally::pack(&self.group, &self.radix, doc);
        let status = self
            .status
            .slot(doc)
            .and_then(|s| self.statuses.get(s).copied().flatten());
        let asked = self.asked.day(doc);
        let answered = self.answered.day(doc);
        let due = self.due.as_ref().and_then(|d| d.day(doc));
        let named_day = self.named_day.as_ref().and_then(|c| c.first(doc));
        let s = self.sums.entry(slot).or_default();
        s.sums.questions += 1;
        match status {
            Some(Status::Holding) => s.sums.holding += 1,
            Some(Status::Unanswered) => {
                s.sums.unanswered += 1;
                match (due, self.as_of) {
                    (Some(due), Some(as_of)) => s.sums.overdue += u64::from(due < as_of),
                    (None, _) => s.sums.due_unknown += 1,
                    _ => {}
                }
            }
            _ => {}
        }
        match (asked, answered) {
            (Some(asked), Some(answered)) => {
                s.days(answered - asked);
                if let Some(due) = due {
                    let on_time = u64::from(answered <= due);
                    if named_day == Some(true) {
                        s.sums.named_day_due += 1;
                        s.sums.named_day_on_time += on_time;
                    } else {
                        s.sums.due += 1;
                        s.sums.on_time += on_time;
                    }
                }
            }
            _ if matches!(status, Some(Status::Answered | Status::Holding)) => {
                s.sums.answered_undated += 1;
            }
            _ => {}
        }
    }

    fn harvest(self) -> tantivy::Result<GroupSums> {
        let groups = tally::named(&self.group, &self.radix, self.sums)?;
        Ok(groups
            .into_iter()
            .map(|(values, sums)| (values, sums.into_sums()))
            .collect())
    }
}

/// The figures for a request.
pub fn stats(
    index: &PqIndex,
    searcher: &Searcher,
    request: &StatsRequest,
    as_of: Option<Date>,
) -> Result<Stats, CountError> {
    let date = request.search.filters.date_field;
    let schema = index.index.schema();
    let name = |f| schema.get_field_name(f).to_string();
    let fields = &index.fields;
    let collector = PerformanceCollector {
        group: request
            .by
            .map_or_else(Vec::new, |b| b.facet().fields(index, date)),
        date_asked: name(fields.date_asked),
        date_answered: name(fields.date_answered),
        status: name(fields.status),
        date_due: Some(name(fields.date_due)),
        named_day: Some(name(fields.named_day)),
        as_of: as_of.map(Date::days_since_epoch),
    };
    let prepared = Prepared::new(index, searcher, &request.search)?;
    let found = searcher
        .search(&*prepared.query, &collector)
        .map_err(|e| CountError::Search(SearchError::Index(index.tantivy_error(e))))?;

    let mut all = Sums::default();
    for (_, sums) in &found {
        all.add(sums);
    }
    let (groups, none, _) = match request.by {
        Some(by) => facets::fold(by.facet(), request.merge_renames, found, Sums::add, |s| {
            s.questions
        }),
        None => Default::default(),
    };
    let mut groups: BTreeMap<String, (Sums, Vec<String>)> = groups;
    if let Some(none) = none {
        groups.insert(NONE.to_string(), (none, Vec::new()));
    }
    let mut groups: Vec<Performance> = groups
        .into_iter()
        .map(|(name, (sums, mut merged))| {
            merged.sort();
            merged.dedup();
            sums.performance(name, merged)
        })
        .collect();
    if request.by != Some(StatsBy::Month) {
        groups.sort_by(|a, b| {
            b.questions
                .cmp(&a.questions)
                .then_with(|| a.group.cmp(&b.group))
        });
    }
    // The questions without a value come last, whatever their number.
    groups.sort_by_key(|g| g.group == NONE);
    Ok(Stats {
        as_of,
        all: all.performance("all".into(), Vec::new()),
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(days: &[i64]) -> Sums {
        let mut s = Sums::default();
        for d in days {
            *s.days.entry(*d).or_default() += 1;
        }
        s
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(sums(&[]).percentile(50), None);
        assert_eq!(sums(&[4]).percentile(50), Some(4));
        assert_eq!(sums(&[4]).percentile(90), Some(4));
        // N = 4: the median is rank 2, p90 rank 4.
        assert_eq!(sums(&[1, 2, 3, 10]).percentile(50), Some(2));
        assert_eq!(sums(&[1, 2, 3, 10]).percentile(90), Some(10));
        // N = 10: p90 is rank 9.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(sums(&ten).percentile(90), Some(9));
        assert_eq!(sums(&ten).percentile(50), Some(5));
        assert_eq!(sums(&ten).percentile(100), Some(10));
        // N = 11: the median is rank 6.
        let eleven: Vec<i64> = (0..=10).collect();
        assert_eq!(sums(&eleven).percentile(50), Some(5));
        assert_eq!(sums(&[7, 7, 7, -1]).percentile(50), Some(7));
    }

    #[test]
    fn sums_merge_exactly() {
        let mut a = sums(&[1, 2, 2]);
        a.questions = 3;
        let mut b = sums(&[2, 9]);
        b.questions = 5;
        a.add(&b);
        assert_eq!(a.questions, 8);
        assert_eq!(a.answered(), 5);
        assert_eq!(a.days.get(&2), Some(&3));
        assert_eq!(a.percentile(50), Some(2));
        assert_eq!(a.percentile(90), Some(9));
    }

    /// The figures computed straight from the records, to check the collector against.
    fn expected(
        records: &[crate::record::Question],
    ) -> (u64, u64, u64, Option<i64>, Option<i64>, u64, u64) {
        let mut days: Vec<i64> = records
            .iter()
            .filter_map(|q| q.date_answered.map(|a| q.date_asked.days_until(a)))
            .collect();
        days.sort();
        let rank = |p: usize| (p * days.len()).div_ceil(100).max(1) - 1;
        let pick = |p| (!days.is_empty()).then(|| days[rank(p)]);
        let undated = records
            .iter()
            .filter(|q| q.date_answered.is_none() && q.status != Status::Unanswered)
            .count() as u64;
        let count = |s: Status| records.iter().filter(|q| q.status == s).count() as u64;
        (
            records.len() as u64,
            days.len() as u64,
            undated,
            pick(50),
            pick(90),
            count(Status::Holding),
            count(Status::Unanswered),
        )
    }

    fn got(p: &Performance) -> (u64, u64, u64, Option<i64>, Option<i64>, u64, u64) {
        (
            p.questions,
            p.answered,
            p.answered_undated,
            p.median_days,
            p.p90_days,
            p.holding,
            p.unanswered,
        )
    }

    #[test]
    fn figures_equal_a_count_over_the_records() {
        use crate::engine::tests::{engine_with, fixture, DHSC, DLUHC, MHCLG};
        let engine = engine_with(fixture());
        let records = engine.all_records();
        let request = |by, merge| StatsRequest {
            search: SearchRequest::new("*"),
            by,
            merge_renames: merge,
        };
        let all = engine.stats(&request(None, false)).unwrap();
        assert_eq!(got(&all.all), expected(&records));
        assert_eq!(all.as_of.unwrap().to_string(), "2024-09-12");
        assert!(all.groups.is_empty());
        // On time and overdue, counted from the records.
        let as_of: crate::date::Date = "2024-09-12".parse().unwrap();
        let dated: Vec<_> = records
            .iter()
            .filter(|q| q.date_answered.is_some() && q.date_due.is_some())
            .collect();
        let on_time = |named: bool| {
            let these: Vec<_> = dated
                .iter()
                .filter(|q| (q.named_day == Some(true)) == named)
                .collect();
            let k = these
                .iter()
                .filter(|q| q.date_answered <= q.date_due)
                .count() as u64;
            (k, these.len() as u64)
        };
        assert_eq!((all.all.on_time, all.all.due), on_time(false));
        assert_eq!(
            (all.all.named_day_on_time, all.all.named_day_due),
            on_time(true)
        );
        assert!(all.all.due > 0 && all.all.named_day_due > 0);
        let (k, n) = on_time(true);
        assert_eq!(all.all.named_day_on_time_share, Some(k as f64 / n as f64));
        let unanswered: Vec<_> = records
            .iter()
            .filter(|q| q.status == Status::Unanswered)
            .collect();
        let overdue = unanswered
            .iter()
            .filter(|q| q.date_due.is_some_and(|d| d < as_of))
            .count() as u64;
        let unknown = unanswered.iter().filter(|q| q.date_due.is_none()).count() as u64;
        assert_eq!(all.all.overdue, Some(overdue));
        assert_eq!(all.all.due_unknown, unknown);
        assert!(overdue > 0 && unknown > 0);

        let by_dept = engine
            .stats(&request(Some(StatsBy::Department), false))
            .unwrap();
        assert_eq!(by_dept.groups.len(), 3);
        for g in &by_dept.groups {
            let mine: Vec<_> = records
                .iter()
                .filter(|q| q.department == g.group)
                .cloned()
                .collect();
            assert_eq!(got(g), expected(&mine), "{}", g.group);
        }
        let merged = engine
            .stats(&request(Some(StatsBy::Department), true))
            .unwrap();
        let names: Vec<&str> = merged.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(names, [MHCLG, DHSC], "largest first");
        let housing: Vec<_> = records
            .iter()
            .filter(|q| q.department == MHCLG || q.department == DLUHC)
            .cloned()
            .collect();
        assert_eq!(got(&merged.groups[0]), expected(&housing));
        assert_eq!(merged.groups[0].merged, [DLUHC]);

        let by_month = engine.stats(&request(Some(StatsBy::Month), false)).unwrap();
        let months: Vec<&str> = by_month.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(months, ["2023-12", "2024-07", "2024-09"]);
        for g in &by_month.groups {
            let mine: Vec<_> = records
                .iter()
                .filter(|q| crate::date::Bucket::Month.label(q.date_asked) == g.group)
                .cloned()
                .collect();
            assert_eq!(got(g), expected(&mine), "{}", g.group);
        }

        // The same query and filters as search.
        let mut dhsc = request(None, false);
        dhsc.search.filters.departments = vec!["DHSC".into()];
        dhsc.search.filters.from = Some("2024-01-01".parse().unwrap());
        let mine: Vec<_> = records
            .iter()
            .filter(|q| q.department == DHSC && q.date_asked.year >= 2024)
            .cloned()
            .collect();
        assert_eq!(got(&engine.stats(&dhsc).unwrap().all), expected(&mine));
    }

    #[test]
    fn figures_per_minister_count_each_member_once() {
        use crate::engine::tests::{engine_with, fixture};
        let engine = engine_with(fixture());
        let records = engine.all_records();
        let stats = engine
            .stats(&StatsRequest {
                search: SearchRequest::new("*"),
                by: Some(StatsBy::AnsweredBy),
                merge_renames: false,
            })
            .unwrap();
        let names: Vec<&str> = stats.groups.iter().map(|g| g.group.as_str()).collect();
        // Minister 1's questions at odd rows i % 4 == 1 have no name: they count under the
        // name the other questions of member 201 give.
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, [NONE, "Minister 0", "Minister 1"]);
        assert_eq!(names.last(), Some(&NONE), "(none) comes last");
        for g in &stats.groups[..2] {
            let id = if g.group == "Minister 0" { 200 } else { 201 };
            let mine: Vec<_> = records
                .iter()
                .filter(|q| q.answered_by_id == Some(id))
                .cloned()
                .collect();
            assert_eq!(got(g), expected(&mine), "{}", g.group);
        }
        let none: Vec<_> = records
            .iter()
            .filter(|q| q.answered_by_id.is_none())
            .cloned()
            .collect();
        assert_eq!(got(&stats.groups[2]), expected(&none));
    }
}
