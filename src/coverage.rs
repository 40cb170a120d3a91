//! What the index covers: how many questions, from when to when, per month and per House,
//! and when it was last brought up to date. This is the honest denominator of every count:
//! a month the sources hold no questions for is a gap in the data, not a month nobody asked.
//!
//! Everything is counted from fast fields over every question ([`crate::tally`]).

use serde::Serialize;
use tantivy::Searcher;

use crate::date::{Bucket, Date};
use crate::facets::{self, CountError, Facet};
use crate::index::PqIndex;
use crate::search::DateField;
use crate::tally::{self, KeyCounts, Value};

/// What the index holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub questions: u64,
    /// The first and last day a question in the index was asked.
    pub first_asked: Option<Date>,
    pub last_asked: Option<Date>,
    /// The first and last day one was answered.
    pub first_answered: Option<Date>,
    pub last_answered: Option<Date>,
    /// The latest of those days: the day the index is a snapshot of, on which overdue
    /// questions are judged.
    pub newest: Option<Date>,
    /// Questions asked each month, every month from the first to the last, empty ones
    /// included.
    pub months: Vec<Count>,
    /// Runs of months with no questions at all: gaps in the sources.
    pub gaps: Vec<Gap>,
    pub houses: Vec<Count>,
    pub statuses: Vec<Count>,
    /// Answering departments named.
    pub departments: u64,
    /// Asking and answering members.
    pub askers: Members,
    pub answerers: Members,
    /// Answers the source cut short (the API's list endpoint keeps 255 characters).
    pub answers_cut: u64,
    /// When the last ingest ran (`YYYY-MM-DDTHH:MM:SSZ`), as its commit recorded.
    pub last_ingest: Option<String>,
    /// When the last complete sync from the API began; `None` if none has finished.
    pub last_sync: Option<String>,
    /// A sync began and did not finish (it resumes from the same date next time).
    pub sync_unfinished: bool,
    pub schema_version: Option<u32>,
}

/// A value and how many questions have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: String,
    pub questions: u64,
}

/// How well the members of one role are known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Members {
    /// Different members (by id, or by name where there is no id).
    pub members: u64,
    /// Questions that name the member.
    pub named: u64,
    /// Questions that give only the member's id (shown as `member 1506`).
    pub id_only: u64,
    /// Questions without any (not yet answered, for answering members).
    pub none: u64,
}

fn members(counts: &KeyCounts) -> Members {
    let mut m = Members {
        members: 0,
        named: 0,
        id_only: 0,
        none: 0,
    };
    let mut who = std::collections::BTreeSet::new();
    for (v, n) in counts {
        match (&v[0], &v[1]) {
            (Some(id), Some(_)) => {
                who.insert(id.clone());
                m.named += n;
            }
            (None, Some(name)) => {
                who.insert(name.clone());
                m.named += n;
            }
            (Some(id), None) => {
                who.insert(id.clone());
                m.id_only += n;
            }
            (None, None) => m.none += n,
        }
    }
    m.members = who.len() as u64;
    m
}

/// Consecutive months without questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub first: String,
    pub last: String,
    pub months: u32,
}

fn days(counts: &KeyCounts) -> impl DoubleEndedIterator<Item = (Date, u64)> + '_ {
    counts
        .iter()
        .filter_map(|(v, n)| v[0].as_ref().and_then(Value::as_day).map(|d| (d, *n)))
}

fn texts(counts: &KeyCounts) -> Vec<Count> {
    let mut out: Vec<Count> = counts
        .iter()
        .filter_map(|(v, n)| {
            v[0].as_ref().and_then(Value::as_text).map(|t| Count {
                value: t.to_string(),
                questions: *n,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.questions
            .cmp(&a.questions)
            .then_with(|| a.value.cmp(&b.value))
    });
    out
}

pub fn coverage(index: &PqIndex, searcher: &Searcher) -> Result<Coverage, CountError> {
    let key = |f: Facet, d| f.fields(index, d);
    let keys = vec![
        key(Facet::Month, DateField::Asked),
        key(Facet::Month, DateField::Answered),
        key(Facet::House, DateField::Asked),
        key(Facet::Status, DateField::Asked),
        key(Facet::Department, DateField::Asked),
        key(Facet::AskedBy, DateField::Asked),
        key(Facet::AnsweredBy, DateField::Asked),
        vec![tally::Field::Flag(
            index
                .index
                .schema()
                .get_field_name(index.fields.answer_cut)
                .to_string(),
        )],
    ];
    let counts = facets::count(index, searcher, None, keys)?;
    let [asked, answered, houses, statuses, departments, askers, answerers, cut] = &counts.keys[..]
    else {
        unreachable!("eight keys were counted");
    };
    let first_asked = days(asked).next().map(|(d, _)| d);
    let last_asked = days(asked).next_back().map(|(d, _)| d);
    let first_answered = days(answered).next().map(|(d, _)| d);
    let last_answered = days(answered).next_back().map(|(d, _)| d);

    let mut months = Vec::new();
    if let (Some(first), Some(last)) = (first_asked, last_asked) {
        let mut per_month = std::collections::BTreeMap::new();
        for (d, n) in days(asked) {
            *per_month.entry(Bucket::Month.start(d)).or_default() += n;
        }
        let mut m = Bucket::Month.start(first);
        while m <= last {
            months.push(Count {
                value: Bucket::Month.label(m),
                questions: per_month.get(&m).copied().unwrap_or(0),
            });
            m = Bucket::Month.next(m);
        }
    }
    let mut gaps: Vec<Gap> = Vec::new();
    let mut open: Option<Gap> = None;
    for m in &months {
        match (&mut open, m.questions) {
            (Some(g), 0) => {
                g.last.clone_from(&m.value);
                g.months += 1;
            }
            (None, 0) => {
                open = Some(Gap {
                    first: m.value.clone(),
                    last: m.value.clone(),
                    months: 1,
                })
            }
            (_, _) => gaps.extend(open.take()),
        }
    }
    gaps.extend(open);

    let info = index.commit_info()?;
    let (last_sync, sync_unfinished) = index
        .dir
        .as_deref()
        .map_or((None, false), crate::sync::last_sync);
    Ok(Coverage {
        questions: counts.total,
        first_asked,
        last_asked,
        first_answered,
        last_answered,
        newest: crate::search::newest_date(index, searcher)?,
        months,
        gaps,
        houses: texts(houses),
        statuses: texts(statuses),
        departments: texts(departments).len() as u64,
        askers: members(askers),
        answerers: members(answerers),
        answers_cut: cut
            .iter()
            .filter(|(v, _)| v[0] == Some(Value::Number(1)))
            .map(|(_, n)| n)
            .sum(),
        last_ingest: info.as_ref().map(|i| i.ingested_at.clone()),
        last_sync,
        sync_unfinished,
        schema_version: info.map(|i| i.schema_version),
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::tests::{engine_with, fixture};

    #[test]
    fn coverage_names_the_gaps() {
        let engine = engine_with(fixture());
        let c = engine.coverage().unwrap();
        assert_eq!(c.questions, 16);
        assert_eq!(c.first_asked.unwrap().to_string(), "2023-12-01");
        assert_eq!(c.last_asked.unwrap().to_string(), "2024-09-10");
        assert_eq!(c.last_answered.unwrap().to_string(), "2024-09-12");
        assert_eq!(c.newest.unwrap().to_string(), "2024-09-12");
        assert_eq!(c.months.len(), 10);
        assert_eq!(c.months.iter().map(|m| m.questions).sum::<u64>(), 16);
        let gaps: Vec<(&str, &str, u32)> = c
            .gaps
            .iter()
            .map(|g| (g.first.as_str(), g.last.as_str(), g.months))
            .collect();
        assert_eq!(gaps, [("2024-01", "2024-06", 6), ("2024-08", "2024-08", 1)]);
        assert_eq!(c.houses[0].value, "Commons");
        assert_eq!(c.departments, 3);
        assert!(c.last_ingest.is_some());
    }
}
