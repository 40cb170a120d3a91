//! The official written-questions API JSON: a list response
//! `{"items": [{"value": {...}, "links": [...]}], "totalResults": N}` or one question
//! `{"value": {...}}`.
//!
//! Members come as ids only, so the name fields stay empty rather than invented. Answers
//! the list endpoint cut short (about 255 characters and "...") are kept as they are: the
//! "..." stays, so nobody mistakes them for the whole answer.

use serde::Deserialize;

use super::{html_to_text, Failure};
use crate::record::{normalize_ws, Date, Draft, House, Question};

#[derive(Deserialize)]
struct Document {
    items: Option<Vec<Item>>,
    value: Option<ApiQuestion>,
}

#[derive(Deserialize)]
struct Item {
    value: ApiQuestion,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiQuestion {
    uin: Option<Uin>,
    house: Option<String>,
    heading: Option<String>,
    date_tabled: ApiDate,
    date_answered: Option<ApiDate>,
    answering_body_name: NonEmpty,
    question_text: NonEmpty,
    answer_text: Option<String>,
    answer_is_holding: Option<bool>,
    answer_is_correction: Option<bool>,
    is_withdrawn: Option<bool>,
    grouped_questions: Option<Vec<Uin>>,
}

/// A date as the API writes it (`2024-07-25T00:00:00`); checked while deserialising so
/// that a bad one is reported with its line.
struct ApiDate(Date);

impl<'de> Deserialize<'de> for ApiDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse_api(&s).map(ApiDate).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid date {s:?}, expected YYYY-MM-DDT00:00:00"))
        })
    }
}

/// A string that must hold more than white space.
struct NonEmpty(String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom("empty string, expected text"));
        }
        Ok(NonEmpty(s))
    }
}

/// UINs are strings in the API but numbers in some copies of it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Uin {
    Text(String),
    Number(u64),
}

impl Uin {
    fn into_string(self) -> String {
        match self {
            Uin::Text(s) => s.trim().to_string(),
            Uin::Number(n) => n.to_string(),
        }
    }
}

pub(super) fn parse(text: &str, source: &str) -> Result<Vec<Question>, Failure> {
    let doc: Document = serde_json::from_str(text).map_err(|e| {
        Failure::new(
            e.line().max(1),
            format!(
                "invalid API JSON: {e}; expected {{\"items\": [...]}} or {{\"value\": {{...}}}}"
            ),
        )
    })?;
    match (doc.items, doc.value) {
        (Some(items), _) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, item)| question(item.value, &format!("{source}#{}", i + 1)))
            .collect()),
        (None, Some(value)) => Ok(vec![question(value, source)]),
        (None, None) => Err(Failure::new(
            1,
            "JSON without \"items\" or \"value\"; expected the written-questions API's list or single-question response",
        )),
    }
}

fn question(v: ApiQuestion, source: &str) -> Question {
    let mut q = Draft::new(
        v.date_tabled.0,
        v.answering_body_name.0.trim().to_string(),
        html_to_text(&v.question_text.0),
        source.to_string(),
    );
    q.uin = v.uin.map(Uin::into_string).filter(|u| !u.is_empty());
    q.house = match v.house.as_deref() {
        Some(h) if h.eq_ignore_ascii_case("lords") => Some(House::Lords),
        Some(h) if h.eq_ignore_ascii_case("commons") => Some(House::Commons),
        _ => None, // inferred from the wording
    };
    // A heading is one line, whatever breaks the API left in it.
    q.heading = v
        .heading
        .map(|h| normalize_ws(&h))
        .filter(|h| !h.is_empty());
    q.date_answered = v.date_answered.map(|d| d.0);
    q.corrected = v.answer_is_correction == Some(true);
    q.grouped_with = v
        .grouped_questions
        .unwrap_or_default()
        .into_iter()
        .map(Uin::into_string)
        .collect();
    q.answer = v.answer_text.as_deref().map(html_to_text);
    q.holding = v.answer_is_holding == Some(true);
    q.withdrawn = v.is_withdrawn == Some(true);
    q.finish()
}

/// A question as one item of the API's list response, as `parse` reads it back: the
/// answer's paragraphs become `<p>` elements.
pub fn render_item(q: &Question) -> serde_json::Value {
    let html = q.answer.as_ref().map(|a| {
        a.split("\n\n")
            .map(|p| format!("<p>{}</p>", html_escape::encode_text(p)))
            .collect::<String>()
    });
    serde_json::json!({
        "value": {
            "uin": q.uin,
            "house": q.house.as_str(),
            "heading": q.heading,
            "dateTabled": q.date_asked.api(),
            "dateAnswered": q.date_answered.map(Date::api),
            "answeringBodyName": q.department,
            "questionText": q.question,
            "answerText": html,
            "answerIsHolding": q.status == crate::record::Status::Holding,
            "answerIsCorrection": q.corrected,
            "isWithdrawn": q.status == crate::record::Status::Withdrawn,
            "groupedQuestions": q.grouped_with,
        },
        "links": []
    })
}

/// Questions as the API's list response.
pub fn render_list(questions: &[Question]) -> serde_json::Value {
    serde_json::json!({
        "items": questions.iter().map(render_item).collect::<Vec<_>>(),
        "totalResults": questions.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Status;

    const ITEM: &str = r#"{"id": 1, "uin": "4811", "house": "Commons",
        "dateTabled": "2023-12-01T00:00:00", "dateAnswered": "2023-12-11T00:00:00",
        "answeringBodyName": "Ministry of Defence", "questionText": "To ask the Secretary of State for Defence, what.",
        "answerText": "<p>Yes &amp; no.</p><p>More.</p>", "answerIsHolding": true, "answerIsCorrection": false,
        "heading": "Shipbuilding:\r\n  Finance ",
        "isWithdrawn": false, "groupedQuestions": ["4812", 4813]}"#;

    #[test]
    fn list_response() {
        let text = format!(r#"{{"items": [{{"value": {ITEM}, "links": []}}], "totalResults": 1}}"#);
        let qs = parse(&text, "a.json").unwrap();
        assert_eq!(qs.len(), 1);
        let q = &qs[0];
        assert_eq!(q.id, "2023-12-01/4811");
        assert_eq!(q.source, "a.json#1");
        assert_eq!(q.answer.as_deref(), Some("Yes & no.\n\nMore."));
        // A stale holding flag does not override a substantive answer.
        assert_eq!(q.status, Status::Answered);
        assert_eq!(q.grouped_with, ["4812", "4813"]);
        assert_eq!(q.answered_by, None);
        assert_eq!(q.heading.as_deref(), Some("Shipbuilding: Finance"));
    }

    #[test]
    fn single_response_and_holding_wording() {
        let item = ITEM.replace(
            "<p>Yes &amp; no.</p><p>More.</p>",
            "It will not be possible to answer this question within the usual time period.",
        );
        let qs = parse(&format!(r#"{{"value": {item}}}"#), "b.json").unwrap();
        assert_eq!(qs[0].status, Status::Holding);
        assert_eq!(qs[0].source, "b.json");
    }

    #[test]
    fn errors_point_at_the_problem() {
        let err = parse("{\n\"items\": [\n{\"value\": 3}]}", "c.json").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.reason);
        let err = parse("{\"other\": 1}", "c.json").unwrap_err();
        assert!(
            err.reason.contains("\"items\" or \"value\""),
            "{}",
            err.reason
        );
        let item = ITEM.replace("\"dateTabled\": \"2023-12-01T00:00:00\",", "");
        let err = parse(&format!(r#"{{"value": {item}}}"#), "c.json").unwrap_err();
        assert!(err.reason.contains("dateTabled"), "{}", err.reason);
        let item = ITEM.replace("2023-12-11T00:00:00", "soon");
        let err = parse(&format!("{{\n\"value\": {item}}}"), "c.json").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.reason);
        assert!(
            err.reason.contains("invalid date \"soon\""),
            "{}",
            err.reason
        );
    }

    #[test]
    fn render_reads_back() {
        let text = format!(r#"{{"items": [{{"value": {ITEM}, "links": []}}], "totalResults": 1}}"#);
        let qs = parse(&text, "a.json").unwrap();
        let again = parse(&render_list(&qs).to_string(), "a.json").unwrap();
        assert_eq!(again, qs);
    }
}
