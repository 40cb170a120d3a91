//! The table of record fields: one row per field of [`Question`], in the public order.
//!
//! CSV columns, the JSON of `export --format jsonl`, the rows of `show` and the column list
//! in `--help` all come from [`FIELDS`], so a new field of the record is added here, in
//! `record` and in `schema`, and nowhere else. (The record's own JSON comes from its serde
//! derive; a test keeps the two in step.)

use std::borrow::Cow;

use crate::record::{Date, Question, Role};

/// One field's value, borrowed from the record where it can be: answers run to kilobytes
/// and an export writes one per row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Text(&'a str),
    Null,
    Bool(bool),
    Number(u64),
    Date(Date),
    List(&'a [String]),
    /// A list of names fixed in the code.
    Words(Vec<&'static str>),
}

impl<'a> Value<'a> {
    fn opt(text: &'a Option<String>) -> Value<'a> {
        text.as_deref().map_or(Value::Null, Value::Text)
    }

    fn date(date: Option<Date>) -> Value<'a> {
        date.map_or(Value::Null, Value::Date)
    }

    fn id(id: Option<u32>) -> Value<'a> {
        id.map_or(Value::Null, |n| Value::Number(u64::from(n)))
    }

    fn flag(flag: Option<bool>) -> Value<'a> {
        flag.map_or(Value::Null, Value::Bool)
    }

    /// As a CSV cell: empty for null, lists joined with `;`.
    pub fn cell(&self) -> Cow<'a, str> {
        match self {
            Value::Text(s) => Cow::Borrowed(s),
            Value::Null => Cow::Borrowed(""),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Date(d) => Cow::Owned(d.to_string()),
            Value::List(items) => Cow::Owned(items.join(";")),
            Value::Words(items) => Cow::Owned(items.join(";")),
        }
    }

    /// As JSON, the same as the record's own serialisation.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::from(*s),
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::from(*b),
            Value::Number(n) => serde_json::Value::from(*n),
            Value::Date(d) => serde_json::Value::from(d.to_string()),
            Value::List(items) => serde_json::Value::from(items.to_vec()),
            Value::Words(items) => serde_json::Value::from(items.clone()),
        }
    }

    /// As `show` prints it; `None` when there is nothing to print.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::List([]) => None,
            Value::List(items) => Some(items.join(", ")),
            Value::Words(items) if items.is_empty() => None,
            Value::Words(items) => Some(items.join(", ")),
            other => Some(other.cell().into_owned()),
        }
    }
}

/// How `show` prints a field.
#[derive(Clone, Copy)]
pub enum Show {
    /// A row with this label.
    Row(&'static str),
    /// A row with this label, written by this function (`None`: no row).
    Custom(&'static str, fn(&Question) -> Option<String>),
    /// Not as a row: the texts are printed as blocks, and some fields beside others.
    Elsewhere,
}

/// One field of the record.
pub struct RecordField {
    /// The name in JSON and the CSV column.
    pub name: &'static str,
    /// What it holds, for `--help`.
    pub about: &'static str,
    pub get: fn(&Question) -> Value<'_>,
    pub show: Show,
}

impl std::fmt::Debug for RecordField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for RecordField {
    fn eq(&self, other: &RecordField) -> bool {
        self.name == other.name
    }
}

/// A member as the one-line hit shows them: the name, or `member 1506` when only the id is
/// known.
pub fn member_label(name: &Option<String>, id: Option<u32>) -> Option<String> {
    match (name, id) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(id)) => Some(format!("member {id}")),
        (None, None) => None,
    }
}

/// A member as `show` prints them: the name with what is known in brackets, the member id,
/// and where the name came from; or the id alone, saying that the name is not known.
fn member_row(
    q: &Question,
    role: Role,
    name: &Option<String>,
    details: &[&Option<String>],
    id: Option<u32>,
) -> Option<String> {
    let Some(name) = name else {
        return id.map(|id| {
            format!("member {id} (name not known: not in the source or the members table)")
        });
    };
    let details: Vec<&str> = details.iter().filter_map(|d| d.as_deref()).collect();
    let mut out = name.clone();
    if !details.is_empty() {
        out.push_str(&format!(" ({})", details.join(" - ")));
    }
    if let Some(id) = id {
        out.push_str(&format!(", member {id}"));
    }
    if q.names_looked_up.contains(&role) {
        out.push_str(", named from the members table");
    }
    Some(out)
}

/// What `show` and a hit say about the texts the source cut short (none when both are
/// whole): "answer cut by the source: full text at URL".
pub fn cut_notes(q: &Question) -> Vec<String> {
    [("question", q.question_cut), ("answer", q.answer_cut)]
        .into_iter()
        .filter(|(_, cut)| *cut)
        .map(|(what, _)| match &q.url {
            Some(url) => format!("{what} cut by the source: full text at {url}"),
            None => format!("{what} cut by the source; the full text is not in the index"),
        })
        .collect()
}

/// The date answered as `show` prints it; an answer without a date says so.
fn answered_on(q: &Question) -> Option<String> {
    match q.date_answered {
        Some(d) => Some(d.to_string()),
        None if q.answer.is_some() => Some("(no date given by the source)".into()),
        None => None,
    }
}

/// The status, with the correction when there is one.
fn status_row(q: &Question) -> Option<String> {
    let mut out = q.status.to_string();
    if q.corrected {
        out.push_str(", corrected");
        if let Some(d) = q.date_corrected {
            out.push_str(&format!(" on {d}"));
        }
        if let Some(by) = member_label(&q.corrected_by, q.corrected_by_id) {
            out.push_str(&format!(" by {by}"));
        }
    }
    Some(out)
}

/// Every field of the record, in the public order (JSON, CSV, `show`).
pub const FIELDS: &[RecordField] = &[
    RecordField {
        name: "id",
        about: "<date asked>/<UIN>, or a 16-hex-digit content id without a UIN",
        get: |q| Value::Text(&q.id),
        show: Show::Row("id"),
    },
    RecordField {
        name: "uin",
        about: "the question's number, unique within a parliamentary session",
        get: |q| Value::opt(&q.uin),
        show: Show::Row("uin"),
    },
    RecordField {
        name: "url",
        about: "the question's page on the Parliament site (where the UIN is known)",
        get: |q| Value::opt(&q.url),
        show: Show::Row("link"),
    },
    RecordField {
        name: "house",
        about: "Commons or Lords",
        get: |q| Value::Text(q.house.as_str()),
        show: Show::Row("house"),
    },
    RecordField {
        name: "heading",
        about: "the subject line",
        get: |q| Value::opt(&q.heading),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "department",
        about: "the answering department",
        get: |q| Value::Text(&q.department),
        show: Show::Row("department"),
    },
    RecordField {
        name: "asked_by",
        about: "the asking member's name (empty when only the id is known)",
        get: |q| Value::opt(&q.asked_by),
        show: Show::Custom("asked by", |q| {
            member_row(
                q,
                Role::AskedBy,
                &q.asked_by,
                &[&q.asked_by_party, &q.asked_by_constituency],
                q.asked_by_id,
            )
        }),
    },
    RecordField {
        name: "asked_by_party",
        about: "the asking member's party",
        get: |q| Value::opt(&q.asked_by_party),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "asked_by_constituency",
        about: "the asking member's constituency",
        get: |q| Value::opt(&q.asked_by_constituency),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "asked_by_id",
        about: "the asking member's Parliament member id",
        get: |q| Value::id(q.asked_by_id),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "date_asked",
        about: "the date tabled, YYYY-MM-DD",
        get: |q| Value::Date(q.date_asked),
        show: Show::Row("asked on"),
    },
    RecordField {
        name: "date_due",
        about: "the date the answer is due, YYYY-MM-DD",
        get: |q| Value::date(q.date_due),
        show: Show::Custom("due on", |q| {
            let due = q.date_due?.to_string();
            Some(if q.named_day == Some(true) {
                due + " (named day)"
            } else {
                due
            })
        }),
    },
    RecordField {
        name: "named_day",
        about: "true when the member asked for an answer on the due date (empty: not known)",
        get: |q| Value::flag(q.named_day),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "question",
        about: "the question's text (whole unless question_cut)",
        get: |q| Value::Text(&q.question),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "question_cut",
        about: "true when the source holds only the start of the question",
        get: |q| Value::Bool(q.question_cut),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "answered_by",
        about: "the answering minister's name (empty when only the id is known)",
        get: |q| Value::opt(&q.answered_by),
        show: Show::Custom("answered by", |q| {
            member_row(
                q,
                Role::AnsweredBy,
                &q.answered_by,
                &[&q.answered_by_role],
                q.answered_by_id,
            )
        }),
    },
    RecordField {
        name: "answered_by_role",
        about: "the minister's role",
        get: |q| Value::opt(&q.answered_by_role),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "answered_by_id",
        about: "the answering minister's Parliament member id",
        get: |q| Value::id(q.answered_by_id),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "date_answered",
        about: "YYYY-MM-DD (empty for some answers whose source gives no date)",
        get: |q| Value::date(q.date_answered),
        show: Show::Custom("answered on", answered_on),
    },
    RecordField {
        name: "answer",
        about: "the answer's text (whole unless answer_cut): paragraphs separated by a blank line, table cells by tabs",
        get: |q| Value::opt(&q.answer),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "answer_cut",
        about: "true when the source holds only the start of the answer (it then ends in ...)",
        get: |q| Value::Bool(q.answer_cut),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "status",
        about: "answered, unanswered, holding or withdrawn",
        get: |q| Value::Text(q.status.as_str()),
        show: Show::Custom("status", status_row),
    },
    RecordField {
        name: "corrected",
        about: "true when the answer was corrected",
        get: |q| Value::Bool(q.corrected),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "date_corrected",
        about: "the date of the correction, YYYY-MM-DD",
        get: |q| Value::date(q.date_corrected),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "corrected_by",
        about: "the correcting member's name (empty when only the id is known)",
        get: |q| Value::opt(&q.corrected_by),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "corrected_by_id",
        about: "the correcting member's Parliament member id",
        get: |q| Value::id(q.corrected_by_id),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "grouped_with",
        about: "the questions answered together with this one: ids, or UINs where the source gives no date (CSV: joined with ;)",
        get: |q| Value::List(&q.grouped_with),
        show: Show::Row("grouped with"),
    },
    RecordField {
        name: "names_looked_up",
        about: "which of asked_by, answered_by, corrected_by were named from the members table by member id rather than by the source (their party and constituency are the member's latest) (CSV: joined with ;)",
        get: |q| Value::Words(q.names_looked_up.iter().map(|r| r.as_str()).collect()),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "source",
        about: "the file it was read from, with #N for the Nth record of a file",
        get: |q| Value::Text(&q.source),
        show: Show::Row("source"),
    },
];

/// The field with this name.
pub fn field(name: &str) -> Option<&'static RecordField> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The labelled rows `show` prints for a record, in order.
pub fn show_rows(q: &Question) -> Vec<(&'static str, String)> {
    FIELDS
        .iter()
        .filter_map(|f| match f.show {
            Show::Row(label) => (f.get)(q).text().map(|v| (label, v)),
            Show::Custom(label, write) => write(q).map(|v| (label, v)),
            Show::Elsewhere => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Draft;

    fn full() -> Question {
        let mut d = Draft::new(
            "2024-03-04".parse().unwrap(),
            "Home Office".into(),
            "To ask the Secretary of State, what.".into(),
            "a.json#2".into(),
        );
        d.uin = Some("12".into());
        d.heading = Some("Police".into());
        d.asked_by = Some("A Member".into());
        d.asked_by_party = Some("Labour".into());
        d.asked_by_constituency = Some("Somewhere".into());
        d.answered_by = Some("A Minister".into());
        d.answered_by_role = Some("Minister of State".into());
        d.date_answered = Some("2024-03-11".parse().unwrap());
        d.answer = Some("Yes.".into());
        d.corrected = true;
        d.grouped_with = vec!["2024-03-04/13".into(), "14".into()];
        d.asked_by_id = Some(4828);
        d.date_due = Some("2024-03-08".parse().unwrap());
        d.named_day = Some(true);
        d.finish().unwrap()
    }

    #[test]
    fn the_table_is_the_records_json_in_order() {
        for q in [full(), crate::record::tests::sample()] {
            let json = serde_json::to_value(&q).unwrap();
            let object = json.as_object().unwrap();
            let keys: Vec<&str> = object.keys().map(String::as_str).collect();
            let names: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            let mut sorted_keys = keys.clone();
            sorted_keys.sort_unstable();
            assert_eq!(sorted, sorted_keys, "every field is in the table once");
            for f in FIELDS {
                assert_eq!((f.get)(&q).json(), object[f.name], "{}", f.name);
            }
        }
    }

    #[test]
    fn cells_and_show_rows() {
        let q = full();
        let cell = |name: &str| (field(name).unwrap().get)(&q).cell().into_owned();
        assert_eq!(cell("grouped_with"), "2024-03-04/13;14");
        assert_eq!(cell("date_answered"), "2024-03-11");
        assert_eq!(cell("corrected"), "true");
        assert_eq!(cell("asked_by_id"), "4828");
        assert_eq!(cell("answered_by_id"), "");
        assert_eq!(cell("named_day"), "true");
        assert_eq!(
            cell("url"),
            "https://questions-statements.parliament.uk/written-questions/detail/2024-03-04/12"
        );
        let rows = show_rows(&q);
        let row = |label: &str| {
            rows.iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            row("asked by"),
            Some("A Member (Labour - Somewhere), member 4828")
        );
        assert_eq!(row("answered by"), Some("A Minister (Minister of State)"));
        assert_eq!(row("status"), Some("answered, corrected"));
        assert_eq!(row("grouped with"), Some("2024-03-04/13, 14"));
        assert_eq!(row("due on"), Some("2024-03-08 (named day)"));
        assert_eq!(rows[0], ("id", "2024-03-04/12".to_string()));
        let mut bare = crate::record::tests::sample();
        let rows = show_rows(&bare);
        assert!(rows.iter().all(|(l, _)| *l != "uin" && *l != "asked by"));
        // A member known only by id is shown by id.
        bare.answered_by_id = Some(1506);
        bare.answer = Some("Yes.".into());
        let rows = show_rows(&bare);
        let answered = |label: &str| {
            rows.iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.clone())
        };
        assert!(answered("answered by")
            .unwrap()
            .starts_with("member 1506 (name not known"));
        assert_eq!(
            answered("answered on").unwrap(),
            "(no date given by the source)"
        );
        assert_eq!(
            member_label(&None, Some(1506)).as_deref(),
            Some("member 1506")
        );
    }
}
