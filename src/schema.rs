//! The tantivy schema, defined once, and the `Fields` handles everything else uses.
//!
//! The stored record is the whole [`Question`] as JSON in one stored field; every other
//! field exists only to be searched, filtered, sorted or counted:
//!
//! | field | kind | serves |
//! |---|---|---|
//! | `id` | exact, stored in the record | `show`, replacing a record on re-ingest |
//! | `uin` | exact | `show UIN` and `uin:` (UINs restart each session, so one may name several) |
//! | `match_key` | exact | finding the API record of a page (date + question text) |
//! | `absorbed` | stored only | the pages a record absorbed, for the updater (never shown) |
//! | `heading`, `question`, `answer` | words with positions ([`crate::words`]) | every word, phrase, wildcard and proximity search; stems are expanded at query time |
//! | `department`, `house`, `status` | exact, fast | filters; counted by facets, trends and stats |
//! | `department_text`, `asked_by`, `answered_by` | words with positions | `department:`, `by:`, `asked:`, `member:` and name filters |
//! | `asked_by_id`, `answered_by_id`, `corrected_by_id` | member ids (u64; the first two fast) | `--asked-by-id`, renaming records when a member changes; facets and stats by member |
//! | `date_asked`, `date_answered`, `sort_date` | fast dates | ranges, date order; periods and days to answer |
//! | `date_due` | fast date | `--status overdue`; on-time shares |
//! | `asked_by_name`, `answered_by_name`, `party` | fast only (whole values) | facets by member and party |
//! | `named_day`, `answer_cut` | fast booleans | named-day on-time shares; answers cut in `info` |
//!
//! Each text part is analysed once: lower-cased, accent-folded words with apostrophes
//! joined. How a query word is widened (plurals, stems) is decided per search, from the
//! index's term dictionary, so one index serves every stemming mode.
//!
//! An index records [`SCHEMA_VERSION`] in its commit payload; an index written by another
//! version is refused with a message that says to re-ingest.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::TantivyDocument;

use crate::record::Question;
use crate::words::{self, WORDS};

/// Bump whenever the schema or the meaning of a field changes.
/// 6: fast department, house, status and member ids, and fast-only fields for counting
/// (names, party, named day, cut answers); 5: one positional word index per text part
/// (folded, apostrophes joined), no stemmed copies (4 added the member ids, uin, absorbed
/// and the due date).
pub const SCHEMA_VERSION: u32 = 6;

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub uin: Field,
    pub match_key: Field,
    pub heading: Field,
    pub question: Field,
    pub answer: Field,
    pub department: Field,
    pub department_text: Field,
    pub house: Field,
    pub status: Field,
    pub asked_by: Field,
    pub answered_by: Field,
    pub asked_by_id: Field,
    pub answered_by_id: Field,
    pub corrected_by_id: Field,
    pub date_asked: Field,
    pub date_answered: Field,
    /// The date answered, or asked for a question not yet answered.
    pub sort_date: Field,
    pub date_due: Field,
    pub record: Field,
    /// The pages a record absorbed (JSON), read only by the updater.
    pub absorbed: Field,
    /// Counted only (fast, not indexed): the members' names as the record shows them, the
    /// asker's party, the named-day flag and the cut-answer flag.
    pub asked_by_name: Field,
    pub answered_by_name: Field,
    pub party: Field,
    pub named_day: Field,
    pub answer_cut: Field,
}

/// Which part of a question's text a word or phrase is searched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPart {
    Heading,
    Question,
    Answer,
}

impl TextPart {
    pub const ALL: [TextPart; 3] = [TextPart::Heading, TextPart::Question, TextPart::Answer];
}

impl Fields {
    /// The field holding a part of the text.
    pub fn text(&self, part: TextPart) -> Field {
        match part {
            TextPart::Heading => self.heading,
            TextPart::Question => self.question,
            TextPart::Answer => self.answer,
        }
    }

    /// Looks the fields up by name in an existing index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            uin: f("uin")?,
            match_key: f("match_key")?,
            heading: f("heading")?,
            question: f("question")?,
            answer: f("answer")?,
            department: f("department")?,
            department_text: f("department_text")?,
            house: f("house")?,
            status: f("status")?,
            asked_by: f("asked_by")?,
            answered_by: f("answered_by")?,
            asked_by_id: f("asked_by_id")?,
            answered_by_id: f("answered_by_id")?,
            corrected_by_id: f("corrected_by_id")?,
            date_asked: f("date_asked")?,
            date_answered: f("date_answered")?,
            sort_date: f("sort_date")?,
            date_due: f("date_due")?,
            record: f("record")?,
            absorbed: f("absorbed")?,
            asked_by_name: f("asked_by_name")?,
            answered_by_name: f("answered_by_name")?,
            party: f("party")?,
            named_day: f("named_day")?,
            answer_cut: f("answer_cut")?,
        })
    }

    /// The document indexed for one question. `match_key` is the key the updater looks
    /// versions of the question up by.
    pub fn document(&self, q: &Question, match_key: &str) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, &q.id);
        if let Some(uin) = &q.uin {
            doc.add_text(self.uin, uin);
        }
        doc.add_text(self.match_key, match_key);
        if let Some(h) = &q.heading {
            doc.add_text(self.heading, h);
        }
        doc.add_text(self.question, &q.question);
        if let Some(a) = &q.answer {
            doc.add_text(self.answer, a);
        }
        doc.add_text(self.department, &q.department);
        doc.add_text(self.department_text, &q.department);
        doc.add_text(self.house, q.house.as_str());
        doc.add_text(self.status, q.status.as_str());
        if let Some(name) = &q.asked_by {
            doc.add_text(self.asked_by, name);
        }
        if let Some(name) = &q.answered_by {
            doc.add_text(self.answered_by, name);
        }
        for (field, id) in [
            (self.asked_by_id, q.asked_by_id),
            (self.answered_by_id, q.answered_by_id),
            (self.corrected_by_id, q.corrected_by_id),
        ] {
            if let Some(id) = id {
                doc.add_u64(field, u64::from(id));
            }
        }
        if let Some(d) = q.date_due {
            doc.add_date(self.date_due, d.to_tantivy());
        }
        for (field, value) in [
            (self.asked_by_name, &q.asked_by),
            (self.answered_by_name, &q.answered_by),
            (self.party, &q.asked_by_party),
        ] {
            if let Some(value) = value {
                doc.add_text(field, value);
            }
        }
        if let Some(named_day) = q.named_day {
            doc.add_bool(self.named_day, named_day);
        }
        doc.add_bool(self.answer_cut, q.answer_cut);
        doc.add_date(self.date_asked, q.date_asked.to_tantivy());
        if let Some(d) = q.date_answered {
            doc.add_date(self.date_answered, d.to_tantivy());
        }
        doc.add_date(
            self.sort_date,
            q.date_answered.unwrap_or(q.date_asked).to_tantivy(),
        );
        doc.add_text(
            self.record,
            serde_json::to_string(q).expect("a Question always serialises"),
        );
        doc
    }
}

/// Registers the analyzers the schema names that tantivy does not provide itself.
pub fn register_tokenizers(index: &tantivy::Index) {
    index.tokenizers().register(WORDS, words::analyzer());
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Every text field has positions: phrases, wildcards in phrases and proximity read them.
    let text = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let date = || {
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds)
    };
    // A whole value in a fast column, not indexed: read only by counts.
    let counted = || TextOptions::default().set_fast("raw");
    let fields = Fields {
        id: b.add_text_field("id", STRING),
        uin: b.add_text_field("uin", STRING),
        match_key: b.add_text_field("match_key", STRING),
        heading: b.add_text_field("heading", text()),
        question: b.add_text_field("question", text()),
        answer: b.add_text_field("answer", text()),
        department: b.add_text_field("department", STRING | FAST),
        department_text: b.add_text_field("department_text", text()),
        house: b.add_text_field("house", STRING | FAST),
        status: b.add_text_field("status", STRING | FAST),
        asked_by: b.add_text_field("asked_by", text()),
        answered_by: b.add_text_field("answered_by", text()),
        asked_by_id: b.add_u64_field(
            "asked_by_id",
            NumericOptions::default().set_indexed().set_fast(),
        ),
        answered_by_id: b.add_u64_field(
            "answered_by_id",
            NumericOptions::default().set_indexed().set_fast(),
        ),
        corrected_by_id: b
            .add_u64_field("corrected_by_id", NumericOptions::default().set_indexed()),
        date_asked: b.add_date_field("date_asked", date()),
        date_answered: b.add_date_field("date_answered", date()),
        sort_date: b.add_date_field("sort_date", date()),
        date_due: b.add_date_field("date_due", date()),
        record: b.add_text_field("record", STORED),
        absorbed: b.add_text_field("absorbed", STORED),
        asked_by_name: b.add_text_field("asked_by_name", counted()),
        answered_by_name: b.add_text_field("answered_by_name", counted()),
        party: b.add_text_field("party", counted()),
        named_day: b.add_bool_field("named_day", FAST),
        answer_cut: b.add_bool_field("answer_cut", FAST),
    };
    (b.build(), fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_through_the_schema() {
        let (schema, fields) = build();
        let again = Fields::from_schema(&schema).unwrap();
        assert_eq!(format!("{fields:?}"), format!("{again:?}"));
    }
}
