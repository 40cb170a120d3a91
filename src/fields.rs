//! The table of record fields: one row per field of [`Question`], in the public order.
//!
//! CSV columns, the JSON of `export --format jsonl`, the rows of `show` and the column list
//! in `--help` all come from [`FIELDS`], so a new field of the record is added here, in
//! `record` and in `schema`, and nowhere else. (The record's own JSON comes from its serde
//! derive; a test keeps the two in step.)

use std::borrow::Cow;

use crate::record::{Date, Question};

/// One field's value, borrowed from the record where it can be: answers run to kilobytes
/// and an export writes one per row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Text(&'a str),
    Null,
    Bool(bool),
    Date(Date),
    List(&'a [String]),
}

impl<'a> Value<'a> {
    fn opt(text: &'a Option<String>) -> Value<'a> {
        text.as_deref().map_or(Value::Null, Value::Text)
    }

    fn date(date: Option<Date>) -> Value<'a> {
        date.map_or(Value::Null, Value::Date)
    }

    /// As a CSV cell: empty for null, lists joined with `;`.
    pub fn cell(&self) -> Cow<'a, str> {
        match self {
            Value::Text(s) => Cow::Borrowed(s),
            Value::Null => Cow::Borrowed(""),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Date(d) => Cow::Owned(d.to_string()),
            Value::List(items) => Cow::Owned(items.join(";")),
        }
    }

    /// As JSON, the same as the record's own serialisation.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::from(*s),
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::from(*b),
            Value::Date(d) => serde_json::Value::from(d.to_string()),
            Value::List(items) => serde_json::Value::from(items.to_vec()),
        }
    }

    /// As `show` prints it; `None` when there is nothing to print.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::List([]) => None,
            Value::List(items) => Some(items.join(", ")),
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

/// A member's name with what the source adds in brackets.
fn with_details(name: &Option<String>, details: &[&Option<String>]) -> Option<String> {
    let name = name.as_deref()?;
    let details: Vec<&str> = details.iter().filter_map(|d| d.as_deref()).collect();
    Some(if details.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({})", details.join(" - "))
    })
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
        about: "the asking member",
        get: |q| Value::opt(&q.asked_by),
        show: Show::Custom("asked by", |q| {
            with_details(&q.asked_by, &[&q.asked_by_party, &q.asked_by_constituency])
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
        name: "date_asked",
        about: "the date tabled, YYYY-MM-DD",
        get: |q| Value::Date(q.date_asked),
        show: Show::Row("asked on"),
    },
    RecordField {
        name: "question",
        about: "the question's full text",
        get: |q| Value::Text(&q.question),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "answered_by",
        about: "the answering minister",
        get: |q| Value::opt(&q.answered_by),
        show: Show::Custom("answered by", |q| {
            with_details(&q.answered_by, &[&q.answered_by_role])
        }),
    },
    RecordField {
        name: "answered_by_role",
        about: "the minister's role",
        get: |q| Value::opt(&q.answered_by_role),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "date_answered",
        about: "YYYY-MM-DD",
        get: |q| Value::date(q.date_answered),
        show: Show::Row("answered on"),
    },
    RecordField {
        name: "answer",
        about: "the answer's full text: paragraphs separated by a blank line, table cells by tabs",
        get: |q| Value::opt(&q.answer),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "status",
        about: "answered, unanswered, holding or withdrawn",
        get: |q| Value::Text(q.status.as_str()),
        show: Show::Custom("status", |q| {
            Some(q.status.to_string() + if q.corrected { " (corrected)" } else { "" })
        }),
    },
    RecordField {
        name: "corrected",
        about: "true when the answer was corrected",
        get: |q| Value::Bool(q.corrected),
        show: Show::Elsewhere,
    },
    RecordField {
        name: "grouped_with",
        about: "UINs of the questions answered together with this one (CSV: joined with ;)",
        get: |q| Value::List(&q.grouped_with),
        show: Show::Row("grouped with"),
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
        d.grouped_with = vec!["13".into(), "14".into()];
        d.finish()
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
        assert_eq!(cell("grouped_with"), "13;14");
        assert_eq!(cell("date_answered"), "2024-03-11");
        assert_eq!(cell("corrected"), "true");
        let rows = show_rows(&q);
        let row = |label: &str| {
            rows.iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(row("asked by"), Some("A Member (Labour - Somewhere)"));
        assert_eq!(row("answered by"), Some("A Minister (Minister of State)"));
        assert_eq!(row("status"), Some("answered (corrected)"));
        assert_eq!(row("grouped with"), Some("13, 14"));
        assert_eq!(rows[0], ("id", "2024-03-04/12".to_string()));
        let bare = crate::record::tests::sample();
        let rows = show_rows(&bare);
        assert!(rows.iter().all(|(l, _)| *l != "uin" && *l != "asked by"));
    }
}
