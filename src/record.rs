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
///
/// Where a source leaves a gap, the record shows it rather than fills it with a guess: a
/// member known only by id has `asked_by_id` and no `asked_by`; a text the source cut short
/// keeps what it has and sets `question_cut` or `answer_cut`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// `<date asked>/<UIN>` when the UIN is known, otherwise a content id (see [`content_id`]).
    pub id: String,
    pub uin: Option<String>,
    /// The question's page on the Parliament site, when the UIN is known (see [`official_url`]).
    pub url: Option<String>,
    pub house: House,
    pub heading: Option<String>,
    /// The answering body, e.g. "Home Office".
    pub department: String,
    pub asked_by: Option<String>,
    pub asked_by_party: Option<String>,
    pub asked_by_constituency: Option<String>,
    /// The asking member's Parliament member id.
    pub asked_by_id: Option<u32>,
    pub date_asked: Date,
    /// The date the answer is due (the API's `dateForAnswer`).
    pub date_due: Option<Date>,
    /// Whether the member asked for an answer on a named day; `None` when the source does
    /// not say.
    pub named_day: Option<bool>,
    pub question: String,
    /// The source holds only the start of the question (for the API's rule see
    /// [`crate::parse::api::question_is_cut`]).
    pub question_cut: bool,
    pub answered_by: Option<String>,
    pub answered_by_role: Option<String>,
    /// The answering member's Parliament member id.
    pub answered_by_id: Option<u32>,
    pub date_answered: Option<Date>,
    /// Plain text; paragraphs separated by one blank line, table cells by tabs.
    pub answer: Option<String>,
    /// The source holds only the start of the answer (for the API's rule see
    /// [`crate::parse::api::answer_is_cut`]).
    pub answer_cut: bool,
    pub status: Status,
    pub corrected: bool,
    pub date_corrected: Option<Date>,
    /// The member who corrected the answer.
    pub corrected_by: Option<String>,
    pub corrected_by_id: Option<u32>,
    /// The questions answered together with this one: ids (`<date asked>/<UIN>`) where the
    /// source gives their dates, otherwise bare UINs.
    pub grouped_with: Vec<String>,
    /// The roles whose names were looked up by member id in the members table rather than
    /// read from the source (their party and constituency are then the member's latest).
    pub names_looked_up: Vec<Role>,
    /// The file the record came from, with `#N` for the Nth record of a multi-record file.
    pub source: String,
}

/// A member's part in a question, for names looked up by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    AskedBy,
    AnsweredBy,
    CorrectedBy,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::AskedBy, Role::AnsweredBy, Role::CorrectedBy];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::AskedBy => "asked_by",
            Role::AnsweredBy => "answered_by",
            Role::CorrectedBy => "corrected_by",
        }
    }
}

/// A Member of either House, as the Members API describes them: what the members table
/// holds, and what a record shows of a member it knows only by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The Parliament member id, as in the questions' `askingMemberId`.
    pub id: u32,
    /// The name as Parliament displays it (`nameDisplayAs`), e.g. "Sir John Whittingdale".
    pub name: String,
    /// The member's latest party.
    pub party: Option<String>,
    /// The member's latest constituency (for a peer, the kind of peerage).
    pub constituency: Option<String>,
    pub house: Option<House>,
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

/// The question's page on the Parliament site.
pub fn official_url(date_asked: Date, uin: &str) -> String {
    format!(
        "https://questions-statements.parliament.uk/written-questions/detail/{date_asked}/{uin}"
    )
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

/// The longest value each field may have, in characters. Real values are far shorter (the
/// longest UIN has 6 characters, heading 149, question 1,051, answer 36,846); the bounds
/// keep a broken or hostile file from making records that cannot be indexed (tantivy
/// silently drops a term over about 65,000 bytes, so an id that long could never be found).
pub mod limits {
    pub const UIN: usize = 20;
    /// Names, parties, constituencies, roles and departments.
    pub const NAME: usize = 300;
    pub const HEADING: usize = 1_000;
    pub const QUESTION: usize = 20_000;
    pub const ANSWER: usize = 1_000_000;
    /// Grouped questions per question (real groups have at most 27).
    pub const GROUP: usize = 1_000;
}

/// What a source read about one question, before pqsearch decides its id and status.
///
/// Every format fills a draft and calls [`Draft::finish`], so that the id rule, the status
/// rule and the bounds on field lengths are applied in one place, whatever the source.
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
    pub asked_by_id: Option<u32>,
    pub date_asked: Date,
    pub date_due: Option<Date>,
    pub named_day: Option<bool>,
    pub question: String,
    pub question_cut: bool,
    pub answered_by: Option<String>,
    pub answered_by_role: Option<String>,
    pub answered_by_id: Option<u32>,
    pub date_answered: Option<Date>,
    /// Plain text; empty or `None` when the source gives no answer text.
    pub answer: Option<String>,
    pub answer_cut: bool,
    /// The source says the question was answered (even if it gives no text or date).
    pub answered: bool,
    /// The source flags a holding answer (only believed when there is no answer text).
    pub holding: bool,
    pub withdrawn: bool,
    pub corrected: bool,
    pub date_corrected: Option<Date>,
    pub corrected_by: Option<String>,
    pub corrected_by_id: Option<u32>,
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
            asked_by_id: None,
            date_asked,
            date_due: None,
            named_day: None,
            question,
            question_cut: false,
            answered_by: None,
            answered_by_role: None,
            answered_by_id: None,
            date_answered: None,
            answer: None,
            answer_cut: false,
            answered: false,
            holding: false,
            withdrawn: false,
            corrected: false,
            date_corrected: None,
            corrected_by: None,
            corrected_by_id: None,
            grouped_with: Vec::new(),
            source,
        }
    }

    /// The record, with its id and status decided, or why the draft cannot be one (a field
    /// longer than [`limits`] allow, a UIN that is not letters and digits).
    ///
    /// Status: withdrawn when the source says so; otherwise the answer's own words decide
    /// (the standard holding wording, or a substantive answer), because the API's holding
    /// flag stays set after the real answer arrives; without answer text, the holding flag,
    /// then any sign of an answer (a date, an "answered by"), make it holding or answered.
    pub fn finish(self) -> Result<Question, String> {
        self.check()?;
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
            url: None,
            house: self
                .house
                .unwrap_or_else(|| House::infer_from_question(&self.question)),
            heading: self.heading,
            department: self.department,
            asked_by: self.asked_by,
            asked_by_party: self.asked_by_party,
            asked_by_constituency: self.asked_by_constituency,
            asked_by_id: self.asked_by_id,
            date_asked: self.date_asked,
            date_due: self.date_due,
            named_day: self.named_day,
            question: self.question,
            question_cut: self.question_cut,
            answered_by: self.answered_by,
            answered_by_role: self.answered_by_role,
            answered_by_id: self.answered_by_id,
            date_answered: self.date_answered,
            answer_cut: self.answer_cut && answer.is_some(),
            answer,
            status,
            corrected: self.corrected,
            date_corrected: self.date_corrected,
            corrected_by: self.corrected_by,
            corrected_by_id: self.corrected_by_id,
            grouped_with: self.grouped_with,
            names_looked_up: Vec::new(),
            source: self.source,
        };
        q.assign_id();
        Ok(q)
    }

    /// Bounds every field's length, and keeps the UIN to letters and digits (it makes the
    /// id and the official link, so a line break or a slash in it would break both).
    fn check(&self) -> Result<(), String> {
        let bound = |name: &str, text: Option<&str>, max: usize| -> Result<(), String> {
            match text.map(|t| t.chars().count()) {
                Some(n) if n > max => Err(format!(
                    "the {name} is {n} characters long; at most {max} are accepted"
                )),
                _ => Ok(()),
            }
        };
        if let Some(uin) = &self.uin {
            bound("UIN", Some(uin), limits::UIN)?;
            if !uin.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!(
                    "the UIN {uin:?} has characters other than letters and digits; expected a UIN such as \"1234\" or \"HL1234\""
                ));
            }
        }
        bound("heading", self.heading.as_deref(), limits::HEADING)?;
        bound("department", Some(&self.department), limits::NAME)?;
        for (name, value) in [
            ("asking member's name", &self.asked_by),
            ("asking member's party", &self.asked_by_party),
            ("asking member's constituency", &self.asked_by_constituency),
            ("answering member's name", &self.answered_by),
            ("answering member's role", &self.answered_by_role),
            ("correcting member's name", &self.corrected_by),
        ] {
            bound(name, value.as_deref(), limits::NAME)?;
        }
        bound("question", Some(&self.question), limits::QUESTION)?;
        bound("answer", self.answer.as_deref(), limits::ANSWER)?;
        if self.grouped_with.len() > limits::GROUP {
            return Err(format!(
                "{} grouped questions; at most {} are accepted",
                self.grouped_with.len(),
                limits::GROUP
            ));
        }
        for g in &self.grouped_with {
            bound("grouped question's id", Some(g), limits::UIN + 11)?;
        }
        Ok(())
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

    /// The record with the names it looked up in the members table taken out again, so
    /// that only what its sources said remains (the merge policy works on that).
    pub fn without_looked_up(mut self) -> Question {
        for role in std::mem::take(&mut self.names_looked_up) {
            match role {
                Role::AskedBy => {
                    self.asked_by = None;
                    self.asked_by_party = None;
                    self.asked_by_constituency = None;
                }
                Role::AnsweredBy => self.answered_by = None,
                Role::CorrectedBy => self.corrected_by = None,
            }
        }
        self
    }

    /// Gives the roles known only by id the names of their members, from `lookup` (the
    /// members table). A name the record already has came from a source, and stays.
    pub fn look_up_names(&mut self, lookup: impl Fn(u32) -> Option<Member>) {
        let mut looked_up = Vec::new();
        if let (None, Some(m)) = (&self.asked_by, self.asked_by_id.and_then(&lookup)) {
            self.asked_by = Some(m.name);
            self.asked_by_party = m.party;
            self.asked_by_constituency = m.constituency;
            looked_up.push(Role::AskedBy);
        }
        if let (None, Some(m)) = (&self.answered_by, self.answered_by_id.and_then(&lookup)) {
            self.answered_by = Some(m.name);
            looked_up.push(Role::AnsweredBy);
        }
        if let (None, Some(m)) = (&self.corrected_by, self.corrected_by_id.and_then(&lookup)) {
            self.corrected_by = Some(m.name);
            looked_up.push(Role::CorrectedBy);
        }
        self.names_looked_up.extend(looked_up);
        self.names_looked_up.sort_unstable();
        self.names_looked_up.dedup();
    }

    /// Fills the fields this record leaves empty from a page of the same text that cannot
    /// be tied to this record alone (several questions share the text): the heading, and
    /// the answering minister and a whole answer only where the page speaks of the same
    /// answer (the same date answered). Never another question's asker or UIN.
    fn fill_from(&mut self, page: &Question) {
        if self.heading.is_none() {
            self.heading.clone_from(&page.heading);
        }
        let same_answer = self.date_answered.is_some() && self.date_answered == page.date_answered;
        if !same_answer {
            return;
        }
        if self.answered_by.is_none() {
            self.answered_by.clone_from(&page.answered_by);
        }
        if self.answered_by_role.is_none() {
            self.answered_by_role.clone_from(&page.answered_by_role);
        }
        // The page's answer replaces a cut one only when it begins with the cut text.
        if let (Some(cut), Some(whole)) = (&self.answer, &page.answer) {
            if self.answer_cut && !page.answer_cut && extends(whole, cut) {
                self.answer = Some(whole.clone());
                self.answer_cut = false;
                self.status = page.status;
            }
        }
    }

    /// Sets `id` (and `url`) from the UIN when there is one, otherwise from the content.
    fn assign_id(&mut self) {
        (self.id, self.url) = match &self.uin {
            Some(uin) => (
                uin_id(self.date_asked, uin),
                Some(official_url(self.date_asked, uin)),
            ),
            None => (content_id(self.date_asked, &self.question), None),
        };
    }

    /// Combines two versions of the same question into one record.
    ///
    /// A field that one version leaves empty is filled from the other. Where both have a
    /// value, the version with the newer answer wins: the later `date_answered`, an answer
    /// over none. When the dates tie, a whole answer beats a cut one (and a longer cut one
    /// a shorter), then the version with a UIN (the official record), and only then the one
    /// that arrived later (`other`), so that the order of ingest rarely matters. For the
    /// question, a whole text beats a cut one, then the longer text wins. So a record never
    /// gives up text for a shorter, cut copy of itself. The minister of one answer is never
    /// paired with another answer: names and ids of the answering member are taken from the
    /// other version only when both give the same date answered (or one gives none). A UIN,
    /// once known, fixes the id.
    pub fn merge(self, other: Question) -> Question {
        let rank = |q: &Question| {
            let cut_length = match (&q.answer, q.answer_cut) {
                (Some(a), true) => a.chars().count(),
                _ => 0,
            };
            (
                q.date_answered,
                q.answer.is_some(),
                !q.answer_cut,
                cut_length,
                q.uin.is_some(),
            )
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
        let same_answer = win.date_answered.is_none()
            || lose.date_answered.is_none()
            || win.date_answered == lose.date_answered;
        fill(&mut win.uin, lose.uin);
        fill(&mut win.heading, lose.heading);
        fill(&mut win.asked_by, lose.asked_by);
        fill(&mut win.asked_by_party, lose.asked_by_party);
        fill(&mut win.asked_by_constituency, lose.asked_by_constituency);
        fill(&mut win.asked_by_id, lose.asked_by_id);
        fill(&mut win.date_due, lose.date_due);
        fill(&mut win.named_day, lose.named_day);
        if same_answer {
            fill(&mut win.answered_by, lose.answered_by);
            fill(&mut win.answered_by_role, lose.answered_by_role);
            fill(&mut win.answered_by_id, lose.answered_by_id);
        }
        fill(&mut win.date_answered, lose.date_answered);
        if win.answer.is_none() && lose.answer.is_some() {
            win.answer = lose.answer;
            win.answer_cut = lose.answer_cut;
            win.status = lose.status;
        }
        let text_rank = |cut: bool, text: &str| (!cut, text.chars().count());
        if text_rank(lose.question_cut, &lose.question) > text_rank(win.question_cut, &win.question)
        {
            win.question = lose.question;
            win.question_cut = lose.question_cut;
        }
        if win.department.is_empty() {
            win.department = lose.department;
        }
        if win.grouped_with.is_empty() {
            win.grouped_with = lose.grouped_with;
        }
        win.corrected |= lose.corrected;
        fill(&mut win.date_corrected, lose.date_corrected);
        fill(&mut win.corrected_by, lose.corrected_by);
        fill(&mut win.corrected_by_id, lose.corrected_by_id);
        win.names_looked_up.clear();
        win.assign_id();
        win
    }
}

/// Whether `whole` begins with the text of `cut` (a copy cut short, with or without its
/// "..."), ignoring white space, which the API's cut copies run together: so that a whole
/// text is known to be the same answer before it replaces a cut one.
pub fn extends(whole: &str, cut: &str) -> bool {
    let cut = cut
        .trim_end()
        .trim_end_matches('.')
        .trim_end_matches('\u{2026}');
    let mut cut_chars = cut.chars().filter(|c| !c.is_whitespace()).peekable();
    if cut_chars.peek().is_none() {
        return false;
    }
    let mut whole_chars = whole.chars().filter(|c| !c.is_whitespace());
    cut_chars.all(|c| whole_chars.next() == Some(c))
}

/// One write that integrating a question asks for: `record` replaces `before` (the stored
/// version it was merged with, if any) and the records with the `replaces` ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Put {
    pub record: Question,
    pub before: Option<Question>,
    pub replaces: Vec<String>,
    /// The pages (records without a UIN) whose text went into `record`: the record carries
    /// them from now on, so that an official question of the same text that arrives later
    /// can take what the page says too (see [`plan`]). Each page is carried by one record.
    pub absorbed: Vec<Question>,
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
/// order; `carried` are the pages that stored records with a UIN absorbed earlier (see
/// [`Put::absorbed`]). Names looked up in the members table are taken out of every version
/// first (see [`Question::without_looked_up`]); the caller looks them up again in the
/// result.
///
/// The API's records carry UINs and pages do not. A record with a UIN is the official
/// record of one question, so:
/// - a record with a UIN absorbs the pages (records without a UIN) of its text, and takes
///   nothing from other records with UINs: identical questions are often tabled the same
///   day by different members (campaign questions: 65 texts, 137 questions in the real
///   data, 41 of them with different askers), each with its own asker, heading and answer,
///   so copying any of it between them would be a guess. It does take from the pages such
///   records absorbed what a page gives any question of its text (see below), so that the
///   order in which pages and questions arrive does not matter;
/// - a page merges into the one record with a UIN that has its text (of its department,
///   when several have the text); when several remain it cannot say which question it is,
///   so it fills only the heading of each, and the minister and a whole answer of those
///   answered on the page's date; with none, it merges with its own earlier version.
///
/// (A page that arrives when one question has its text merges into it in full; a second
/// question of the text arriving later only takes what the page gives each of several.
/// With the pages and questions of the real data both orders give the same records.)
pub fn plan(
    incoming: Question,
    existing: Option<Question>,
    lookalikes: Vec<Question>,
    carried: Vec<Question>,
) -> Vec<Put> {
    if incoming.uin.is_some() {
        let mut merged = match existing.clone() {
            Some(e) => e.merge(incoming),
            None => incoming,
        };
        let mut replaces = Vec::new();
        let mut absorbed = Vec::new();
        for page in lookalikes.into_iter().filter(|r| r.uin.is_none()) {
            replaces.push(page.id.clone());
            merged = page.clone().merge(merged);
            absorbed.push(page);
        }
        // Pages another record carries stay with it: one carrier per page keeps the lookup
        // of a text's pages short however many questions share the text.
        for page in carried {
            if page.department == merged.department && !replaces.contains(&page.id) {
                merged.fill_from(&page);
            }
        }
        return vec![Put {
            record: merged,
            before: existing,
            replaces,
            absorbed,
        }];
    }
    let mut targets: Vec<Question> = lookalikes.into_iter().filter(|r| r.uin.is_some()).collect();
    if targets.len() > 1 && targets.iter().any(|t| t.department == incoming.department) {
        targets.retain(|t| t.department == incoming.department);
    }
    let existing_ids: Vec<String> = existing.iter().map(|e| e.id.clone()).collect();
    match targets.len() {
        0 => vec![Put {
            record: match existing.clone() {
                Some(e) => e.merge(incoming),
                None => incoming,
            },
            before: existing,
            replaces: Vec::new(),
            absorbed: Vec::new(),
        }],
        1 => {
            let target = targets.pop().expect("one record");
            vec![Put {
                record: target.clone().merge(incoming.clone()),
                before: Some(target),
                replaces: existing_ids,
                absorbed: vec![incoming],
            }]
        }
        _ => targets
            .into_iter()
            .enumerate()
            .map(|(i, target)| {
                let mut filled = target.clone();
                filled.fill_from(&incoming);
                Put {
                    record: filled,
                    before: Some(target),
                    // The page's own earlier record goes once, with the first write, which
                    // carries the page from then on.
                    replaces: if i == 0 {
                        existing_ids.clone()
                    } else {
                        Vec::new()
                    },
                    absorbed: if i == 0 {
                        vec![incoming.clone()]
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

    /// A draft with what every source gives: a date, a department, a question, a source.
    fn draft() -> Draft {
        Draft::new(
            "2024-01-02".parse().unwrap(),
            "Home Office".into(),
            "To ask the Secretary of State, what.".into(),
            "x".into(),
        )
    }

    pub(crate) fn sample() -> Question {
        let mut d = Draft::new(
            "2023-12-01".parse().unwrap(),
            "Department for Transport".into(),
            "To ask the Secretary of State for Transport, what steps he is taking.".into(),
            "a.txt".into(),
        );
        d.heading = Some("Roads: Hedgehogs".into());
        d.finish().unwrap()
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
            // The page's minister gave the older answer, not this one.
            assert_eq!(merged.answered_by, None);
            assert_eq!(merged.answer.as_deref(), Some("New answer."));
            assert_eq!(merged.grouped_with, vec!["4792".to_string()]);
        }
        // The same answer (the same date): the page names its minister.
        page.date_answered = api.date_answered;
        for merged in [page.clone().merge(api.clone()), api.merge(page)] {
            assert_eq!(merged.answered_by.as_deref(), Some("Guy Opperman"));
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
    fn fill_from_never_takes_the_asker_or_uin_or_another_answer() {
        let mut api = sample();
        api.uin = Some("7".into());
        api.asked_by_id = Some(1);
        api.date_answered = Some("2023-12-05".parse().unwrap());
        api.answer = Some("The Government remains committed...".into());
        api.answer_cut = true;
        let mut page = sample();
        page.answered_by = Some("A Minister".into());
        page.asked_by = Some("Someone Else".into());
        page.answer = Some("Text".into());
        page.uin = Some("8".into());
        // Another date answered: another answer, so neither its minister nor its text.
        page.date_answered = Some("2023-12-06".parse().unwrap());
        let mut filled = api.clone();
        filled.fill_from(&page);
        assert_eq!(filled.answered_by, None);
        assert_eq!(filled.asked_by, None);
        assert_eq!(filled.uin.as_deref(), Some("7"));
        // The same date: the minister, but an answer only when it extends the cut one.
        page.date_answered = api.date_answered;
        filled.fill_from(&page);
        assert_eq!(filled.answered_by.as_deref(), Some("A Minister"));
        assert_eq!(filled.answer, api.answer);
        page.answer = Some("The Government\n\nremains committed to it.".into());
        filled.fill_from(&page);
        assert_eq!(filled.answer, page.answer);
        assert!(!filled.answer_cut);
    }

    #[test]
    fn extends_ignores_spaces_and_the_marker() {
        assert!(extends("months.\n\nManagement of", "months.Management..."));
        assert!(extends("a b c", "a b c"));
        assert!(!extends("a b c", "a b d..."));
        assert!(!extends("a b", "a b c..."));
        assert!(!extends("anything", "..."));
    }

    #[test]
    fn merge_keeps_full_answer_over_cut_copy() {
        let mut full = sample();
        full.answer = Some("The Government remains firmly committed to tackling it.".into());
        full.date_answered = Some("2023-12-11".parse().unwrap());
        let mut cut = full.clone();
        cut.uin = Some("1".into());
        cut.answer = Some("The Government remains firmly...".into());
        cut.answer_cut = true;
        cut.question = "To ask the Secretary of State for Transport, what".into();
        cut.question_cut = true;
        for merged in [
            full.clone().merge(cut.clone()),
            cut.clone().merge(full.clone()),
        ] {
            assert_eq!(merged.answer, full.answer);
            assert!(!merged.answer_cut && !merged.question_cut);
            assert_eq!(merged.question, full.question);
            assert_eq!(merged.uin.as_deref(), Some("1"));
        }
        // Two cut copies: the longer one stays, still flagged.
        let mut shorter = cut.clone();
        shorter.answer = Some("The Government...".into());
        for merged in [
            shorter.clone().merge(cut.clone()),
            cut.clone().merge(shorter),
        ] {
            assert_eq!(merged.answer, cut.answer);
            assert!(merged.answer_cut);
        }
    }

    /// Regression (issue 9): a truncated page replaced a whole answer.
    #[test]
    fn a_cut_copy_of_the_same_answer_never_replaces_the_whole_one() {
        let mut whole = sample();
        whole.answer = Some("First paragraph.\n\nSecond paragraph, and the end.".into());
        whole.date_answered = Some("2023-12-11".parse().unwrap());
        whole.status = Status::Answered;
        let mut cut = whole.clone();
        cut.answer = Some("First paragraph.\n\nSec".into());
        cut.answer_cut = true;
        let puts = plan(cut.clone(), Some(whole.clone()), Vec::new(), Vec::new());
        assert_eq!(puts[0].record.answer, whole.answer);
        assert_eq!(puts[0].outcome(), Outcome::Duplicate);
        // A newer answer (a correction) wins even cut, and says that it is cut.
        cut.date_answered = Some("2023-12-20".parse().unwrap());
        let puts = plan(cut.clone(), Some(whole.clone()), Vec::new(), Vec::new());
        assert!(puts[0].record.answer_cut);
        assert_eq!(puts[0].outcome(), Outcome::Updated);
    }

    #[test]
    fn the_minister_of_one_answer_is_not_paired_with_another() {
        let mut page = sample();
        page.answered_by = Some("Old Minister".into());
        page.date_answered = Some("2023-12-05".parse().unwrap());
        page.answer = Some("Old answer.".into());
        let mut api = sample();
        api.uin = Some("9".into());
        api.answered_by_id = Some(42);
        api.date_answered = Some("2024-01-10".parse().unwrap());
        api.answer = Some("Corrected answer.".into());
        let merged = page.merge(api);
        assert_eq!(merged.answer.as_deref(), Some("Corrected answer."));
        assert_eq!(
            (merged.answered_by, merged.answered_by_id),
            (None, Some(42))
        );
    }

    #[test]
    fn names_looked_up_come_and_go_and_source_names_stay() {
        let member = |id: u32| Member {
            id,
            name: format!("Member {id}"),
            party: Some("Party".into()),
            constituency: Some("Place".into()),
            house: None,
        };
        let mut q = sample();
        q.asked_by_id = Some(1);
        q.answered_by_id = Some(2);
        q.answered_by = Some("From The Page".into());
        q.corrected_by_id = Some(3);
        q.look_up_names(|id| (id != 3).then(|| member(id)));
        assert_eq!(q.asked_by.as_deref(), Some("Member 1"));
        assert_eq!(q.asked_by_constituency.as_deref(), Some("Place"));
        assert_eq!(q.answered_by.as_deref(), Some("From The Page"));
        assert_eq!(q.corrected_by, None, "an unknown member stays an id");
        assert_eq!(q.names_looked_up, [Role::AskedBy]);
        let back = q.clone().without_looked_up();
        assert_eq!((back.asked_by, back.asked_by_party), (None, None));
        assert_eq!(back.answered_by.as_deref(), Some("From The Page"));
        assert!(back.names_looked_up.is_empty());
    }

    #[test]
    fn fields_are_bounded_and_uins_are_words() {
        let mut d = draft();
        d.uin = Some("7".repeat(70_000));
        let err = d.finish().unwrap_err();
        assert!(err.contains("70000 characters long; at most 20"), "{err}");
        for bad in ["12\n3", "1/2", "12 3"] {
            let mut d = draft();
            d.uin = Some(bad.into());
            assert!(
                d.finish().unwrap_err().contains("letters and digits"),
                "{bad:?}"
            );
        }
        let mut d = draft();
        d.heading = Some("h".repeat(limits::HEADING + 1));
        assert!(d.finish().unwrap_err().contains("heading"));
        let mut d = draft();
        d.uin = Some("HL1234".into());
        let q = d.finish().unwrap();
        assert_eq!(q.id, "2024-01-02/HL1234");
        assert_eq!(
            q.url.as_deref(),
            Some("https://questions-statements.parliament.uk/written-questions/detail/2024-01-02/HL1234")
        );
    }

    #[test]
    fn status_is_decided_once_from_what_the_source_says() {
        let status = |f: &dyn Fn(&mut Draft)| {
            let mut d = draft();
            f(&mut d);
            d.finish().unwrap().status
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
        assert_eq!(
            d.finish().unwrap().answer,
            None,
            "empty answer text is no answer"
        );
    }

    #[test]
    fn a_page_merges_into_its_one_api_record_and_fills_several() {
        let page = {
            let mut p = sample();
            p.answered_by = Some("A Minister".into());
            p.date_answered = Some("2023-12-11".parse().unwrap());
            p
        };
        let api = |uin: &str| {
            let mut q = sample();
            q.uin = Some(uin.into());
            q.date_answered = Some("2023-12-11".parse().unwrap());
            q.assign_id();
            q
        };
        let puts = plan(page.clone(), None, vec![api("1")], Vec::new());
        assert_eq!(puts.len(), 1);
        assert_eq!(puts[0].record.id, "2023-12-01/1");
        assert_eq!(puts[0].record.answered_by.as_deref(), Some("A Minister"));
        assert_eq!(puts[0].outcome(), Outcome::Updated);

        let puts = plan(
            page.clone(),
            Some(page.clone()),
            vec![api("1"), api("2")],
            Vec::new(),
        );
        assert_eq!(puts.len(), 2);
        assert_eq!(puts[0].replaces, vec![page.id.clone()]);
        assert!(puts[1].replaces.is_empty());
        assert!(puts
            .iter()
            .all(|p| p.record.answered_by.as_deref() == Some("A Minister")));
        // Of several, only those of the page's department.
        let mut elsewhere = api("3");
        elsewhere.department = "Home Office".into();
        let puts = plan(page.clone(), None, vec![api("1"), elsewhere], Vec::new());
        assert_eq!(puts.len(), 1);
        assert_eq!(puts[0].record.id, "2023-12-01/1");

        // An API record absorbs the page of its text; the same record again changes nothing.
        let puts = plan(api("1"), None, vec![page.clone()], Vec::new());
        assert_eq!(puts[0].replaces, vec![page.id.clone()]);
        let stored = puts[0].record.clone();
        let again = plan(api("1"), Some(stored.clone()), Vec::new(), Vec::new());
        assert_eq!(again[0].outcome(), Outcome::Duplicate);
        assert_eq!(
            plan(page.clone(), None, Vec::new(), Vec::new())[0].outcome(),
            Outcome::Added
        );
    }

    /// Regression (issue 9): an API record took the heading (and could take the asker's
    /// name) of another member's question with the same text, so re-ingesting changed it.
    #[test]
    fn official_questions_sharing_a_text_take_nothing_from_each_other() {
        let api = |uin: &str, asker: u32, heading: Option<&str>| {
            let mut q = sample();
            q.uin = Some(uin.into());
            q.asked_by_id = Some(asker);
            q.asked_by = Some(format!("Member {asker}"));
            q.heading = heading.map(str::to_string);
            q.assign_id();
            q
        };
        let twin = api("104434", 5312, Some("Artificial Intelligence: Pornography"));
        let mine = api("104313", 4828, None);
        let puts = plan(mine.clone(), None, vec![twin.clone()], Vec::new());
        assert_eq!(puts.len(), 1);
        assert_eq!(puts[0].record, mine);
        let again = plan(
            mine.clone(),
            Some(puts[0].record.clone()),
            vec![twin],
            Vec::new(),
        );
        assert_eq!(again[0].outcome(), Outcome::Duplicate);
    }
}
