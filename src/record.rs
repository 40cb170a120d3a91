//! The `Question` record: one written question and its answer.
//!
//! Every input format is parsed into this one shape, the index stores it whole, and
//! `show`, `search --format json` and `export` print it back. The JSON field names here
//! are the public names of the record (CSV columns use them too), so they must not drift.
//!
//! This module also owns the identity of a question (the id rule) and how two versions
//! of one question combine ([`Question::merge`]). It does no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::date::Date;

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

/// What a source read about one question, before pqsearch decides its id and status.
///
/// Every format fills a draft and calls [`Draft::finish`], so that the id rule and the
/// status rule are applied in one place, whatever the source.
#[derive(Debug, Clone)]
pub struct Draft {
    pub uin: Option<String>,
    /// The House, when the source says; otherwise inferred from the question's wording.
    pub house: Option<House>,
    pub heading: Option<String>,
    pub department: String,
    pub asked_by: Option<String>,
    pub asked_by_party: Option<String>,
    pub asked_by_constituency: Option<String>,
    pub date_asked: Date,
    pub question: String,
    pub answered_by: Option<String>,
    pub answered_by_role: Option<String>,
    pub date_answered: Option<Date>,
    /// Plain text; empty or `None` when the source gives no answer text.
    pub answer: Option<String>,
    /// The source says the question was answered (even if it gives no text or date).
    pub answered: bool,
    /// The source flags a holding answer (only believed when there is no answer text).
    pub holding: bool,
    pub withdrawn: bool,
    pub corrected: bool,
    pub grouped_with: Vec<String>,
    pub source: String,
}

impl Draft {
    /// A draft with what every source gives, and nothing else yet.
    pub fn new(date_asked: Date, department: String, question: String, source: String) -> Draft {
        Draft {
            uin: None,
            house: None,
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
            answered: false,
            holding: false,
            withdrawn: false,
            corrected: false,
            grouped_with: Vec::new(),
            source,
        }
    }

    /// The record, with its id and status decided.
    ///
    /// Status: withdrawn when the source says so; otherwise the answer's own words decide
    /// (the standard holding wording, or a substantive answer), because the API's holding
    /// flag stays set after the real answer arrives; without answer text, the holding flag,
    /// then any sign of an answer (a date, an "answered by"), make it holding or answered.
    pub fn finish(self) -> Question {
        let answer = self.answer.filter(|a| !a.is_empty());
        let status = if self.withdrawn {
            Status::Withdrawn
        } else if let Some(a) = &answer {
            if is_holding_answer(a) {
                Status::Holding
            } else {
                Status::Answered
            }
        } else if self.holding {
            Status::Holding
        } else if self.answered || self.date_answered.is_some() {
            Status::Answered
        } else {
            Status::Unanswered
        };
        let mut q = Question {
            id: String::new(),
            uin: self.uin,
            house: self
                .house
                .unwrap_or_else(|| House::infer_from_question(&self.question)),
            heading: self.heading,
            department: self.department,
            asked_by: self.asked_by,
            asked_by_party: self.asked_by_party,
            asked_by_constituency: self.asked_by_constituency,
            date_asked: self.date_asked,
            question: self.question,
            answered_by: self.answered_by,
            answered_by_role: self.answered_by_role,
            date_answered: self.date_answered,
            answer,
            status,
            corrected: self.corrected,
            grouped_with: self.grouped_with,
            source: self.source,
        };
        q.assign_id();
        q
    }
}

impl Question {
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
    fn fill_from(&mut self, page: &Question) {
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
    fn assign_id(&mut self) {
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

/// One write that integrating a question asks for: `record` replaces `before` (the stored
/// version it was merged with, if any) and the records with the `replaces` ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Put {
    pub record: Question,
    pub before: Option<Question>,
    pub replaces: Vec<String>,
}

/// What integrating one question did to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
    /// The index already held the question exactly so; nothing was written.
    Duplicate,
}

impl Put {
    /// What this write changes: nothing when the stored version already says the same.
    pub fn outcome(&self) -> Outcome {
        let same_id = self.before.as_ref().filter(|b| b.id == self.record.id);
        if self.replaces.is_empty() && same_id.is_some_and(|b| b.same_content(&self.record)) {
            Outcome::Duplicate
        } else if self.before.is_some() || !self.replaces.is_empty() {
            // Absorbing another record (a page into its API record) updates it, too.
            Outcome::Updated
        } else {
            Outcome::Added
        }
    }
}

/// The merge policy: how an incoming version of a question joins what the index holds.
///
/// `existing` is the stored record with the incoming id; `lookalikes` are the other stored
/// records with the same date and question text (see [`Question::same_text`]), in a stable
/// order. The API's records carry UINs and pages do not, so:
/// - a record with a UIN absorbs the pages of its text and takes names its look-alikes
///   with UINs know;
/// - a page merges into the one record with a UIN that has its text; when several
///   questions share the text, it fills only the gaps (names, heading) of each, because it
///   cannot say which of them it is; with none, it merges with its own earlier version.
pub fn plan(incoming: Question, existing: Option<Question>, lookalikes: Vec<Question>) -> Vec<Put> {
    let (with_uin, pages): (Vec<Question>, Vec<Question>) =
        lookalikes.into_iter().partition(|r| r.uin.is_some());
    if incoming.uin.is_some() {
        let mut merged = match existing.clone() {
            Some(e) => e.merge(incoming),
            None => incoming,
        };
        let mut replaces = Vec::new();
        for page in pages {
            replaces.push(page.id.clone());
            merged = page.merge(merged);
        }
        for twin in &with_uin {
            merged.fill_from(twin);
        }
        return vec![Put {
            record: merged,
            before: existing,
            replaces,
        }];
    }
    let existing_ids: Vec<String> = existing.iter().map(|e| e.id.clone()).collect();
    match with_uin.len() {
        0 => vec![Put {
            record: match existing.clone() {
                Some(e) => e.merge(incoming),
                None => incoming,
            },
            before: existing,
            replaces: Vec::new(),
        }],
        1 => {
            let target = with_uin.into_iter().next().expect("one record");
            vec![Put {
                record: target.clone().merge(incoming),
                before: Some(target),
                replaces: existing_ids,
            }]
        }
        _ => with_uin
            .into_iter()
            .enumerate()
            .map(|(i, target)| {
                let mut filled = target.clone();
                filled.fill_from(&incoming);
                Put {
                    record: filled,
                    before: Some(target),
                    // The page's own earlier record goes once, with the first write.
                    replaces: if i == 0 {
                        existing_ids.clone()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Question {
        let mut d = Draft::new(
            "2023-12-01".parse().unwrap(),
            "Department for Transport".into(),
            "To ask the Secretary of State for Transport, what steps he is taking.".into(),
            "a.txt".into(),
        );
        d.heading = Some("Roads: Hedgehogs".into());
        d.finish()
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

    #[test]
    fn status_is_decided_once_from_what_the_source_says() {
        let draft = || {
            Draft::new(
                "2024-01-02".parse().unwrap(),
                "Home Office".into(),
                "To ask the Secretary of State, what.".into(),
                "x".into(),
            )
        };
        let status = |f: &dyn Fn(&mut Draft)| {
            let mut d = draft();
            f(&mut d);
            d.finish().status
        };
        assert_eq!(status(&|_| ()), Status::Unanswered);
        assert_eq!(
            status(&|d| d.answer = Some("Yes.".into())),
            Status::Answered
        );
        assert_eq!(
            status(&|d| {
                d.answer = Some("Yes.".into());
                d.holding = true;
            }),
            Status::Answered,
            "a stale holding flag"
        );
        assert_eq!(status(&|d| d.holding = true), Status::Holding);
        assert_eq!(
            status(&|d| d.answer = Some(format!("It {HOLDING_WORDING} period."))),
            Status::Holding
        );
        assert_eq!(status(&|d| d.answered = true), Status::Answered);
        assert_eq!(
            status(&|d| d.date_answered = Some("2024-01-05".parse().unwrap())),
            Status::Answered
        );
        assert_eq!(
            status(&|d| {
                d.answer = Some("Yes.".into());
                d.withdrawn = true;
            }),
            Status::Withdrawn
        );
        let mut d = draft();
        d.answer = Some(String::new());
        assert_eq!(d.finish().answer, None, "empty answer text is no answer");
    }

    #[test]
    fn a_page_merges_into_its_one_api_record_and_fills_several() {
        let page = {
            let mut p = sample();
            p.answered_by = Some("A Minister".into());
            p
        };
        let api = |uin: &str| {
            let mut q = sample();
            q.uin = Some(uin.into());
            q.assign_id();
            q
        };
        let puts = plan(page.clone(), None, vec![api("1")]);
        assert_eq!(puts.len(), 1);
        assert_eq!(puts[0].record.id, "2023-12-01/1");
        assert_eq!(puts[0].record.answered_by.as_deref(), Some("A Minister"));
        assert_eq!(puts[0].outcome(), Outcome::Updated);

        let puts = plan(page.clone(), Some(page.clone()), vec![api("1"), api("2")]);
        assert_eq!(puts.len(), 2);
        assert_eq!(puts[0].replaces, vec![page.id.clone()]);
        assert!(puts[1].replaces.is_empty());
        assert!(puts
            .iter()
            .all(|p| p.record.answered_by.as_deref() == Some("A Minister")));

        // An API record absorbs the page of its text; the same record again changes nothing.
        let puts = plan(api("1"), None, vec![page.clone()]);
        assert_eq!(puts[0].replaces, vec![page.id.clone()]);
        let stored = puts[0].record.clone();
        let again = plan(api("1"), Some(stored.clone()), Vec::new());
        assert_eq!(again[0].outcome(), Outcome::Duplicate);
        assert_eq!(
            plan(page.clone(), None, Vec::new())[0].outcome(),
            Outcome::Added
        );
    }
}
