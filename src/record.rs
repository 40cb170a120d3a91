//! The `Question` record: one written question and its answer.
//!
//! Every input format is parsed into this one shape, the index stores it whole, and
//! `show`, `search --format json` and `export` print it back. The JSON field names here
//! are the public names of the record (CSV columns use them too), so they must not drift.
//!
//! This module also owns the identity of a question (the id rule) and how two versions
//! of one question combine ([`Question::merge`]). It does no I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One written question, with its answer when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// `<date asked>/<UIN>` when the UIN is known, otherwise a content id (see [`content_id`]).
    pub id: String,
    pub uin: Option<String>,
    pub house: House,
    pub heading: Option<String>,
    /// The answering body, e.g. "Home Office".
    pub department: String,
    pub asked_by: Option<String>,
    pub asked_by_party: Option<String>,
    pub asked_by_constituency: Option<String>,
    pub date_asked: Date,
    pub question: String,
    pub answered_by: Option<String>,
    pub answered_by_role: Option<String>,
    pub date_answered: Option<Date>,
    /// Plain text; paragraphs separated by one blank line, table cells by tabs.
    pub answer: Option<String>,
    pub status: Status,
    pub corrected: bool,
    /// UINs of the questions answered together with this one.
    pub grouped_with: Vec<String>,
    /// The file the record came from, with `#N` for the Nth record of a multi-record file.
    pub source: String,
}

/// Which House the question was tabled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum House {
    Commons,
    Lords,
}

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Answered,
    Unanswered,
    /// The department has said it cannot answer within the usual time.
    Holding,
    Withdrawn,
}

impl House {
    pub fn as_str(self) -> &'static str {
        match self {
            House::Commons => "Commons",
            House::Lords => "Lords",
        }
    }

    /// Lords questions are put to "His/Her Majesty's Government"; Commons questions to a
    /// Secretary of State or other minister. Used when a source does not say.
    pub fn infer_from_question(text: &str) -> House {
        let t = text.trim_start();
        let lords = [
            "To ask His Majesty's Government",
            "To ask Her Majesty's Government",
        ]
        .iter()
        .any(|p| t.starts_with(p) || t.starts_with(&p.replace('\'', "\u{2019}")));
        if lords {
            House::Lords
        } else {
            House::Commons
        }
    }
}

impl fmt::Display for House {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Answered => "answered",
            Status::Unanswered => "unanswered",
            Status::Holding => "holding",
            Status::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The standard wording of a holding answer, as departments send it.
const HOLDING_WORDING: &str = "will not be possible to answer this question within the usual time";

/// Whether an answer is a holding answer rather than a substantive one.
pub fn is_holding_answer(answer: &str) -> bool {
    normalize_ws(answer).contains(HOLDING_WORDING)
}

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A date, if it exists in the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && (1000..=9999).contains(&year);
        valid.then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's civil-days algorithm.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`].
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = String;
    /// Parses `YYYY-MM-DD`, the record's own form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid date {s:?} (expected YYYY-MM-DD)");
        let mut parts = s.splitn(3, '-');
        let mut next = || parts.next().ok_or_else(bad);
        let (y, m, d) = (next()?, next()?, next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let (y, m, d) = (num(y)?, num(m)?, num(d)?);
        Date::new(y as i32, m as u8, d as u8).ok_or_else(bad)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Collapses every run of whitespace (non-breaking spaces included) to one space and trims.
pub fn normalize_ws(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The id of a question whose UIN is known: the key Parliament itself uses.
pub fn uin_id(date_asked: Date, uin: &str) -> String {
    format!("{date_asked}/{uin}")
}

/// The id of a question without a UIN: 16 hex digits of a 64-bit FNV-1a hash of the date
/// asked and the whitespace-normalised question text. FNV is fixed by its definition, so
/// the id is the same in every build and on every machine.
pub fn content_id(date_asked: Date, question: &str) -> String {
    fnv_hex(&format!("{date_asked}\n{}", normalize_ws(question)))
}

fn fnv_hex(key: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// How many characters of the normalised question the match key covers: fewer than the
/// 255 at which the API's list endpoint cuts question texts, so a cut copy still matches.
const MATCH_PREFIX: usize = 200;

impl Question {
    /// A question with what every source gives, and nothing else yet: no heading, names,
    /// answer or UIN; unanswered; the House inferred from the wording; no id until
    /// [`Question::assign_id`].
    pub fn new(date_asked: Date, department: String, question: String, source: String) -> Question {
        Question {
            id: String::new(),
            uin: None,
            house: House::infer_from_question(&question),
            heading: None,
            department,
            asked_by: None,
            asked_by_party: None,
            asked_by_constituency: None,
            date_asked,
            question,
            answered_by: None,
            answered_by_role: None,
            date_answered: None,
            answer: None,
            status: Status::Unanswered,
            corrected: false,
            grouped_with: Vec::new(),
            source,
        }
    }

    /// Records an answer (plain text; empty means none was given) and the status it
    /// implies: holding when it is the standard holding wording, answered otherwise.
    pub fn set_answer(&mut self, answer: String) {
        self.status = if is_holding_answer(&answer) {
            Status::Holding
        } else {
            Status::Answered
        };
        self.answer = (!answer.is_empty()).then_some(answer);
    }

    /// A key shared by every version of this question from any source: the date asked and
    /// the start of the normalised question text. Candidates with the same key are then
    /// confirmed with [`Question::same_text`].
    pub fn match_key(&self) -> String {
        // The first MATCH_PREFIX characters of the normalised, lower-cased question, built
        // without normalising the rest (this runs for every question ingested).
        let mut text = String::with_capacity(MATCH_PREFIX + 8);
        let mut n = 0;
        for word in self.question.split_whitespace() {
            if n >= MATCH_PREFIX {
                break;
            }
            if n > 0 {
                text.push(' ');
                n += 1;
            }
            let lower = word.to_lowercase();
            let chars = lower.chars().count();
            if n + chars <= MATCH_PREFIX {
                text.push_str(&lower);
                n += chars;
            } else {
                text.extend(lower.chars().take(MATCH_PREFIX - n));
                n = MATCH_PREFIX;
            }
        }
        fnv_hex(&format!("{}\n{text}", self.date_asked))
    }

    /// Whether two records are the same question by date and text. One text may be a cut
    /// copy (a prefix) of the other.
    pub fn same_text(&self, other: &Question) -> bool {
        if self.date_asked != other.date_asked {
            return false;
        }
        let (a, b) = (
            normalize_ws(&self.question).to_lowercase(),
            normalize_ws(&other.question).to_lowercase(),
        );
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        short == long || (short.chars().count() >= MATCH_PREFIX && long.starts_with(&short))
    }

    /// Whether two records say the same thing, wherever they were read from.
    pub fn same_content(&self, other: &Question) -> bool {
        let mut other = other.clone();
        other.source.clone_from(&self.source);
        *self == other
    }

    /// Fills the fields this record leaves empty from a page of the same text that cannot
    /// be tied to this record's UIN alone (several questions share the text): only names,
    /// roles and the heading, never another question's answer or UIN.
    pub fn fill_from(&mut self, page: &Question) {
        let fill = |slot: &mut Option<String>, from: &Option<String>| {
            if slot.is_none() {
                slot.clone_from(from);
            }
        };
        fill(&mut self.heading, &page.heading);
        fill(&mut self.asked_by, &page.asked_by);
        fill(&mut self.asked_by_party, &page.asked_by_party);
        fill(&mut self.asked_by_constituency, &page.asked_by_constituency);
        fill(&mut self.answered_by, &page.answered_by);
        fill(&mut self.answered_by_role, &page.answered_by_role);
    }

    /// Sets `id` from the UIN when there is one, otherwise from the content.
    pub fn assign_id(&mut self) {
        self.id = match &self.uin {
            Some(uin) => uin_id(self.date_asked, uin),
            None => content_id(self.date_asked, &self.question),
        };
    }

    /// Combines two versions of the same question into one record.
    ///
    /// A field that one version leaves empty is filled from the other. Where both have a
    /// value, the version with the newer answer wins: the later `date_answered`, an answer
    /// over none. When the dates tie, a whole answer beats one the API cut short ("..."),
    /// then the version with a UIN (the official record), and only then the one that
    /// arrived later (`other`), so that the order of ingest rarely matters. The longer text
    /// wins for the question, since some sources cut it. A UIN, once known, fixes the id.
    pub fn merge(self, other: Question) -> Question {
        let rank = |q: &Question| {
            let cut = q.answer.as_deref().is_some_and(|a| a.ends_with("..."));
            (q.date_answered, q.answer.is_some(), !cut, q.uin.is_some())
        };
        let (mut win, lose) = if rank(&other) >= rank(&self) {
            (other, self)
        } else {
            (self, other)
        };
        fn fill<T>(slot: &mut Option<T>, from: Option<T>) {
            if slot.is_none() {
                *slot = from;
            }
        }
        fill(&mut win.uin, lose.uin);
        fill(&mut win.heading, lose.heading);
        fill(&mut win.asked_by, lose.asked_by);
        fill(&mut win.asked_by_party, lose.asked_by_party);
        fill(&mut win.asked_by_constituency, lose.asked_by_constituency);
        fill(&mut win.answered_by, lose.answered_by);
        fill(&mut win.answered_by_role, lose.answered_by_role);
        fill(&mut win.date_answered, lose.date_answered);
        if win.answer.is_none() && lose.answer.is_some() {
            win.answer = lose.answer;
            win.status = lose.status;
        }
        if lose.question.chars().count() > win.question.chars().count() {
            win.question = lose.question;
        }
        if win.department.is_empty() {
            win.department = lose.department;
        }
        if win.grouped_with.is_empty() {
            win.grouped_with = lose.grouped_with;
        }
        win.corrected |= lose.corrected;
        win.assign_id();
        win
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Question {
        let mut q = Question::new(
            "2023-12-01".parse().unwrap(),
            "Department for Transport".into(),
            "To ask the Secretary of State for Transport, what steps he is taking.".into(),
            "a.txt".into(),
        );
        q.heading = Some("Roads: Hedgehogs".into());
        q.assign_id();
        q
    }

    #[test]
    fn date_round_trips_through_days() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2023-09-06",
            "2024-12-31",
            "1969-12-31",
        ] {
            let d: Date = s.parse().unwrap();
            assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d, "{s}");
        }
        assert_eq!("1970-01-02".parse::<Date>().unwrap().days_since_epoch(), 1);
        assert_eq!(
            "2023-09-06".parse::<Date>().unwrap().days_since_epoch(),
            19_606
        );
    }

    #[test]
    fn date_rejects_impossible_days() {
        for s in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "23-01-01",
            "2023-1-01",
            "x",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s} should be rejected");
        }
        assert!("2024-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn content_id_ignores_whitespace_but_not_words() {
        let d: Date = "2024-01-02".parse().unwrap();
        let a = content_id(d, "To ask  the\u{a0}Secretary\n of State");
        assert_eq!(a, content_id(d, "To ask the Secretary of State"));
        assert_eq!(a.len(), 16);
        assert_ne!(a, content_id(d, "To ask the Secretary of Status"));
        assert_ne!(
            a,
            content_id(
                "2024-01-03".parse().unwrap(),
                "To ask the Secretary of State"
            )
        );
    }

    #[test]
    fn house_is_inferred_from_lords_wording() {
        assert_eq!(
            House::infer_from_question("To ask His Majesty's Government what"),
            House::Lords
        );
        assert_eq!(
            House::infer_from_question("To ask Her Majesty\u{2019}s Government"),
            House::Lords
        );
        assert_eq!(
            House::infer_from_question("To ask the Secretary of State"),
            House::Commons
        );
    }

    #[test]
    fn merge_fills_gaps_and_prefers_newer_answer() {
        let mut page = sample();
        page.answered_by = Some("Guy Opperman".into());
        page.answer = Some("Old answer.".into());
        page.date_answered = Some("2023-12-05".parse().unwrap());
        page.status = Status::Answered;

        let mut api = sample();
        api.uin = Some("4791".into());
        api.grouped_with = vec!["4792".into()];
        api.answer = Some("New answer.".into());
        api.date_answered = Some("2023-12-11".parse().unwrap());
        api.status = Status::Answered;
        api.assign_id();

        for merged in [
            page.clone().merge(api.clone()),
            api.clone().merge(page.clone()),
        ] {
            assert_eq!(merged.id, "2023-12-01/4791");
            assert_eq!(merged.answered_by.as_deref(), Some("Guy Opperman"));
            assert_eq!(merged.answer.as_deref(), Some("New answer."));
            assert_eq!(merged.grouped_with, vec!["4792".to_string()]);
        }
    }

    #[test]
    fn same_text_accepts_a_cut_copy_only_when_long() {
        let mut a = sample();
        let mut b = sample();
        assert!(a.same_text(&b));
        assert_eq!(a.match_key(), b.match_key());
        b.question = "To ask the Secretary of State for Transport, what".into();
        assert!(!a.same_text(&b), "a short prefix is not enough");
        a.question = "x ".repeat(150) + "end one";
        b.question = "x ".repeat(130);
        assert!(a.same_text(&b));
        assert_eq!(a.match_key(), b.match_key());
        b.date_asked = "2023-12-02".parse().unwrap();
        assert!(!a.same_text(&b));
    }

    #[test]
    fn match_key_covers_the_normalised_prefix() {
        let mut a = sample();
        let mut b = sample();
        a.question = format!("{} tail A", "Word\u{a0} x".repeat(80));
        b.question = format!("{} tail B", "word x".repeat(80));
        assert_eq!(
            a.match_key(),
            b.match_key(),
            "case, spacing and the tail beyond the prefix"
        );
        b.question = format!("{} tail B", "word y".repeat(80));
        assert_ne!(a.match_key(), b.match_key());
    }

    #[test]
    fn fill_from_never_takes_answer_or_uin() {
        let mut api = sample();
        api.uin = Some("7".into());
        let mut page = sample();
        page.answered_by = Some("A Minister".into());
        page.answer = Some("Text".into());
        page.uin = Some("8".into());
        api.fill_from(&page);
        assert_eq!(api.answered_by.as_deref(), Some("A Minister"));
        assert_eq!(api.answer, None);
        assert_eq!(api.uin.as_deref(), Some("7"));
    }

    #[test]
    fn merge_keeps_full_answer_over_cut_copy() {
        let mut full = sample();
        full.answer = Some("The Government remains firmly committed to tackling it.".into());
        full.date_answered = Some("2023-12-11".parse().unwrap());
        let mut cut = full.clone();
        cut.uin = Some("1".into());
        cut.answer = Some("The Government remains firmly...".into());
        cut.question = "To ask the Secretary of State for Transport, what".into();
        let merged = full.clone().merge(cut.clone());
        assert_eq!(merged.answer, full.answer);
        assert_eq!(merged.question, full.question);
        assert_eq!(merged.uin.as_deref(), Some("1"));
        assert_eq!(cut.merge(full.clone()).answer, full.answer);
    }
}
