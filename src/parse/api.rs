//! The official written-questions API JSON: a list response
//! `{"items": [{"value": {...}, "links": [...]}], "totalResults": N}` or one question
//! `{"value": {...}}`.
//!
//! Members come as ids (`askingMemberId`...), and as names only when the list was fetched
//! with `expandMember=true`; the names of the others are looked up in the members table
//! when the record is stored, never invented here. Texts the list endpoint cut short are
//! kept as they are and flagged (`question_cut`, `answer_cut`; the rules are
//! [`question_is_cut`] and [`answer_is_cut`]); a cut answer keeps its "...". The envelope
//! (list, single question, array) is read by the private module `json`.

use super::json::{read, Element, ExpandedMember, Node, Uin};
use super::{html_to_text, Failure, ItemError, Parsed};
use crate::record::{normalize_ws, Date, Draft, Question, Role, Status};

/// Whether an `answerText` is the list endpoint's cut copy rather than the whole answer.
///
/// The rule, from the real data (`../shared/corpus`, 49,565 questions): the list endpoint
/// strips the tags of the answer, keeps its first 255 characters and adds "...". So a cut
/// answer has no tag, is exactly 258 characters long (entities and spaces counted as
/// written) and ends in "...". This flags 12,802 answers, the same ones as the looser "no
/// tag and ends in ...": every cut body is exactly 255 characters. No whole answer ends in
/// "..." (a whole one is HTML from the single-question endpoint, or shorter than 255), and
/// the 2,446 answers also rendered as pages all agree with their page.
pub fn answer_is_cut(answer_text: &str) -> bool {
    !has_tag(answer_text) && answer_text.chars().count() == 258 && answer_text.ends_with("...")
}

/// Whether a `questionText` is the list endpoint's cut copy.
///
/// The list endpoint cuts questions at 255 characters with no marker. A question of exactly
/// 255 characters is cut when it came from the list endpoint (its answer is not HTML: an
/// HTML answer means the whole record came from the single-question endpoint) and it does
/// not end a sentence ("." or "?"). In the real data this flags 34 of the 202 questions of
/// exactly 255 characters; 6 of them are confirmed by a longer copy of the same wording
/// sent to another department, and the 12 that end in "." read complete (one is confirmed
/// by its page).
pub fn question_is_cut(question_text: &str, answer_text: Option<&str>) -> bool {
    question_text.chars().count() == 255
        && !answer_text.is_some_and(has_tag)
        && !question_text.trim_end().ends_with(['.', '?'])
}

/// Whether a text holds an HTML tag (`<p>`, `</td>`, `<br/>`...): judged by the tag's
/// shape, never by a bare `<` or `>` (a cut answer has "(>1000 Mbps)").
fn has_tag(text: &str) -> bool {
    let mut rest = text;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let name = after.strip_prefix('/').unwrap_or(after);
        if name.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
            let tail = &name[1..];
            if let Some(end) = tail.find(['<', '>']) {
                if tail.as_bytes()[end] == b'>' {
                    return true;
                }
            }
        }
        rest = after;
    }
    false
}

/// The text of an answer: HTML converted, or a cut copy decoded with its "..." kept, so
/// that nobody mistakes it for the whole answer. A cut copy may end inside an entity
/// ("R&amp..."), which is dropped rather than shown half decoded.
fn answer_text(raw: &str, cut: bool) -> String {
    if !cut {
        return html_to_text(raw);
    }
    let body = raw.strip_suffix("...").unwrap_or(raw);
    let body = match body.rfind('&') {
        Some(at)
            if body[at + 1..]
                .chars()
                .all(|c| c == '#' || c.is_alphanumeric()) =>
        {
            &body[..at]
        }
        _ => body,
    };
    let mut text = html_to_text(body);
    if body.ends_with(char::is_whitespace) {
        text.push(' ');
    }
    text.push_str("...");
    text
}

/// One question of the API as a record.
pub(super) fn question(v: Node, source: &str) -> Result<Question, String> {
    let missing = |field: &str| format!("missing field `{field}`; expected a written question");
    let date_asked = v.date_tabled.ok_or_else(|| missing("dateTabled"))?.0;
    let department = v
        .answering_body_name
        .map(|d| normalize_ws(&d))
        .filter(|d| !d.is_empty())
        .ok_or_else(|| missing("answeringBodyName"))?;
    let question_text = v
        .question_text
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| missing("questionText"))?;
    let mut q = Draft::new(
        date_asked,
        department,
        html_to_text(&question_text),
        source.to_string(),
    );
    q.question_cut = question_is_cut(&question_text, v.answer_text.as_deref());
    q.uin = v.uin.map(|u| u.0).filter(|u| !u.is_empty());
    q.house = v.house.and_then(|h| h.0); // otherwise inferred from the wording
                                         // A heading is one line, whatever breaks the API left in it.
    q.heading = v
        .heading
        .map(|h| normalize_ws(&h))
        .filter(|h| !h.is_empty());
    q.date_due = v.date_for_answer.map(|d| d.0);
    q.named_day = v.is_named_day;
    q.date_answered = v.date_answered.map(|d| d.0);
    q.corrected = v.answer_is_correction == Some(true);
    q.date_corrected = v.date_answer_corrected.map(|d| d.0);
    let dates: Vec<(String, Date)> = v
        .grouped_questions_dates
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| Some((g.question_uin?.0, g.date_tabled?.0)))
        .collect();
    q.grouped_with = v
        .grouped_questions
        .unwrap_or_default()
        .into_iter()
        .map(|Uin(uin)| match dates.iter().find(|(u, _)| *u == uin) {
            Some((_, date)) => crate::record::uin_id(*date, &uin),
            None => uin,
        })
        .collect();
    if let Some(raw) = v.answer_text.as_deref() {
        q.answer_cut = answer_is_cut(raw);
        q.answer = Some(answer_text(raw, q.answer_cut));
    }
    q.holding = v.answer_is_holding == Some(true);
    q.withdrawn = v.is_withdrawn == Some(true);
    // Members: ids always; names only when the list was fetched with expandMember=true.
    let text = |t: Option<&String>| t.map(|t| normalize_ws(t)).filter(|t| !t.is_empty());
    let name = |m: &Option<ExpandedMember>| text(m.as_ref().and_then(|m| m.name.as_ref()));
    let id_of = |m: &Option<ExpandedMember>| m.as_ref().and_then(|m| m.id).map(|i| i.0);
    q.asked_by_id = v.asking_member_id.map(|i| i.0).or(id_of(&v.asking_member));
    q.answered_by_id = v
        .answering_member_id
        .map(|i| i.0)
        .or(id_of(&v.answering_member));
    q.corrected_by_id = v
        .correcting_member_id
        .map(|i| i.0)
        .or(id_of(&v.correcting_member));
    q.asked_by = name(&v.asking_member);
    if let (Some(_), Some(asker)) = (&q.asked_by, &v.asking_member) {
        q.asked_by_party = text(asker.party.as_ref());
        q.asked_by_constituency = text(asker.member_from.as_ref());
    }
    q.answered_by = name(&v.answering_member);
    q.corrected_by = name(&v.correcting_member);
    q.finish()
}

/// Reads a file of either API: questions, members, and the elements rejected.
pub(super) fn parse(text: &str, source: &str) -> Result<Parsed, Failure> {
    let mut doc = read(text)?;
    let mut parsed = Parsed::default();
    for e in std::mem::take(&mut doc.elements) {
        let name = if doc.list {
            format!("{source}#{}", e.position)
        } else {
            source.to_string()
        };
        let outcome = e.element.and_then(|element| {
            match element {
                Element::Question(node) => question(node, &name).map(|q| parsed.questions.push(q)),
                Element::Member(node) => {
                    super::members::member(node).map(|m| parsed.members.push(m))
                }
            }
            .map_err(|reason| Failure::new(doc.line_of(e.position), reason))
        });
        match outcome {
            Ok(()) => {}
            // A file of one object fails as a file.
            Err(f) if !doc.list => return Err(f),
            Err(f) => parsed.rejected.push(ItemError {
                item: e.position,
                line: f.line,
                reason: f.reason,
            }),
        }
    }
    Ok(parsed)
}

/// A question as one item of the API's list response, as `parse` reads it back: the
/// answer's paragraphs become `<p>` elements (a cut answer stays plain text, as the list
/// endpoint gives it), and names the source gave become expanded member objects.
pub fn render_item(q: &Question) -> serde_json::Value {
    let answer = q.answer.as_ref().map(|a| {
        if q.answer_cut {
            html_escape::encode_text(a).into_owned()
        } else {
            a.split("\n\n")
                .map(|p| format!("<p>{}</p>", html_escape::encode_text(p)))
                .collect::<String>()
        }
    });
    let looked_up = |role: Role| q.names_looked_up.contains(&role);
    let member = |role: Role,
                  id: Option<u32>,
                  name: &Option<String>,
                  party: &Option<String>,
                  from: &Option<String>| {
        match name {
            Some(name) if !looked_up(role) => serde_json::json!({
                "id": id, "name": name, "party": party, "memberFrom": from,
            }),
            _ => serde_json::Value::Null,
        }
    };
    let (grouped, grouped_dates): (Vec<&str>, Vec<serde_json::Value>) = q
        .grouped_with
        .iter()
        .map(|g| match g.split_once('/') {
            Some((date, uin)) => (
                uin,
                serde_json::json!({"questionUin": uin, "dateTabled": format!("{date}T00:00:00")}),
            ),
            None => (g.as_str(), serde_json::Value::Null),
        })
        .unzip();
    let grouped_dates: Vec<serde_json::Value> =
        grouped_dates.into_iter().filter(|d| !d.is_null()).collect();
    serde_json::json!({
        "value": {
            "uin": q.uin,
            "house": q.house.as_str(),
            "heading": q.heading,
            "dateTabled": q.date_asked.api(),
            "dateForAnswer": q.date_due.map(Date::api),
            "isNamedDay": q.named_day,
            "dateAnswered": q.date_answered.map(Date::api),
            "answeringBodyName": q.department,
            "questionText": q.question,
            "answerText": answer,
            "answerIsHolding": q.status == Status::Holding,
            "answerIsCorrection": q.corrected,
            "dateAnswerCorrected": q.date_corrected.map(Date::api),
            "isWithdrawn": q.status == Status::Withdrawn,
            "groupedQuestions": grouped,
            "groupedQuestionsDates": grouped_dates,
            "askingMemberId": q.asked_by_id,
            "askingMember": member(Role::AskedBy, q.asked_by_id, &q.asked_by, &q.asked_by_party, &q.asked_by_constituency),
            "answeringMemberId": q.answered_by_id,
            "answeringMember": member(Role::AnsweredBy, q.answered_by_id, &q.answered_by, &None, &None),
            "correctingMemberId": q.corrected_by_id,
            "correctingMember": member(Role::CorrectedBy, q.corrected_by_id, &q.corrected_by, &None, &None),
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
    use crate::parse::parse_bytes;

    const ITEM: &str = r#"{"id": 1, "uin": "4811", "house": "Commons",
        "dateTabled": "2023-12-01T00:00:00", "dateAnswered": "2023-12-11T00:00:00",
        "dateForAnswer": "2023-12-05T00:00:00", "isNamedDay": true,
        "askingMemberId": 4828, "askingMember": null, "answeringMemberId": 1506,
        "answeringBodyName": "Ministry of Defence", "questionText": "To ask the Secretary of State for Defence, what.",
        "answerText": "<p>Yes &amp; no.</p><p>More.</p>", "answerIsHolding": true, "answerIsCorrection": false,
        "heading": "Shipbuilding:\r\n  Finance ",
        "isWithdrawn": false, "groupedQuestions": ["4812", 4813],
        "groupedQuestionsDates": [{"questionUin": "4812", "dateTabled": "2023-11-30T00:00:00"}]}"#;

    fn list(items: &[&str]) -> String {
        let items: Vec<String> = items
            .iter()
            .map(|i| format!("{{\"value\": {i}, \"links\": []}}"))
            .collect();
        format!(
            "{{\"items\": [\n{}\n], \"totalResults\": {}}}",
            items.join(",\n"),
            items.len()
        )
    }

    fn parse_text(text: &str, source: &str) -> Result<Parsed, Failure> {
        parse(text, source)
    }

    #[test]
    fn list_response() {
        let qs = parse_text(&list(&[ITEM]), "a.json").unwrap().questions;
        assert_eq!(qs.len(), 1);
        let q = &qs[0];
        assert_eq!(q.id, "2023-12-01/4811");
        assert_eq!(q.source, "a.json#1");
        assert_eq!(q.answer.as_deref(), Some("Yes & no.\n\nMore."));
        // A stale holding flag does not override a substantive answer.
        assert_eq!(q.status, Status::Answered);
        assert_eq!(q.grouped_with, ["2023-11-30/4812", "4813"]);
        assert_eq!(q.answered_by, None);
        assert_eq!((q.asked_by_id, q.answered_by_id), (Some(4828), Some(1506)));
        assert_eq!(q.date_due.unwrap().to_string(), "2023-12-05");
        assert_eq!(q.named_day, Some(true));
        assert_eq!(q.heading.as_deref(), Some("Shipbuilding: Finance"));
        assert!(!q.answer_cut && !q.question_cut);
        // The live list endpoint calls the list "results".
        let results = list(&[ITEM]).replace("\"items\"", "\"results\"");
        assert_eq!(parse_text(&results, "a.json").unwrap().questions, qs);
    }

    #[test]
    fn single_response_and_holding_wording() {
        let item = ITEM.replace(
            "<p>Yes &amp; no.</p><p>More.</p>",
            "It will not be possible to answer this question within the usual time period.",
        );
        let qs = parse_text(&format!(r#"{{"value": {item}}}"#), "b.json")
            .unwrap()
            .questions;
        assert_eq!(qs[0].status, Status::Holding);
        assert_eq!(qs[0].source, "b.json");
    }

    /// Regression (issue 9): a top-level array gave "invalid type: map, expected a sequence".
    #[test]
    fn a_top_level_array_of_items_or_values() {
        let wrapped = format!("[{{\"value\": {ITEM}}}, {{\"value\": {ITEM}}}]");
        let parsed = parse_text(&wrapped, "c.json").unwrap();
        assert_eq!(parsed.questions.len(), 2);
        assert_eq!(parsed.questions[1].source, "c.json#2");
        let bare = format!("[{ITEM}]");
        assert_eq!(parse_text(&bare, "c.json").unwrap().questions.len(), 1);
    }

    /// Regression (issue 9): one bad item rejected its whole file.
    #[test]
    fn a_bad_item_is_rejected_alone_with_its_position_and_line() {
        // One item per line, so that item N is on line N + 1.
        let item = ITEM.replace('\n', " ");
        let bad_date = item.replace("2023-12-11T00:00:00", "2024-07-17garbage!!");
        let bad_uin = item.replace("\"4811\"", "{\"n\": 1}");
        let no_text = item.replace("\"questionText\"", "\"questionTxt\"");
        let newline_uin = item.replace("\"4811\"", "\"48\\n11\"");
        let long_uin = item.replace("\"4811\"", &format!("\"{}\"", "9".repeat(70_000)));
        let text = list(&[
            &item,
            &bad_date,
            &bad_uin,
            &no_text,
            &newline_uin,
            &long_uin,
            &item,
        ]);
        let parsed = parse_text(&text, "d.json").unwrap();
        assert_eq!(parsed.questions.len(), 2);
        assert_eq!(parsed.questions[1].source, "d.json#7");
        let positions: Vec<usize> = parsed.rejected.iter().map(|r| r.item).collect();
        assert_eq!(positions, [2, 3, 4, 5, 6]);
        let reason = |i: usize| parsed.rejected[i].reason.as_str();
        assert!(
            reason(0).contains("invalid date \"2024-07-17garbage!!\""),
            "{}",
            reason(0)
        );
        assert!(
            reason(1).contains("a UIN as a string or a whole number"),
            "{}",
            reason(1)
        );
        assert!(!reason(1).contains("untagged"), "{}", reason(1));
        assert!(reason(2).contains("questionText"), "{}", reason(2));
        assert!(reason(3).contains("letters and digits"), "{}", reason(3));
        assert!(reason(4).contains("70000 characters long"), "{}", reason(4));
        let lines: Vec<usize> = parsed.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
    }

    #[test]
    fn errors_of_the_whole_file_point_at_the_problem() {
        let err = parse_text("{\n\"items\": [\n{\"value\": 3}]}", "c.json").unwrap();
        assert_eq!(err.rejected[0].line, 3, "{:?}", err.rejected);
        let err = parse_text("{\"other\": 1}", "c.json").unwrap_err();
        assert!(
            err.reason.contains("\"items\", \"results\" or \"value\""),
            "{}",
            err.reason
        );
        let item = ITEM.replace("\"dateTabled\": \"2023-12-01T00:00:00\",", "");
        let err = parse_text(&format!(r#"{{"value": {item}}}"#), "c.json").unwrap_err();
        assert!(err.reason.contains("dateTabled"), "{}", err.reason);
        let item = ITEM.replace("2023-12-11T00:00:00", "soon");
        let err = parse_text(&format!("{{\n\"value\": {item}}}"), "c.json").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.reason);
        assert!(
            err.reason.contains("invalid date \"soon\""),
            "{}",
            err.reason
        );
        let err = parse_text("{\"items\": [1, 2", "c.json").unwrap_err();
        assert!(err.reason.starts_with("invalid JSON"), "{}", err.reason);
    }

    #[test]
    fn cut_texts_by_the_rules_of_the_data() {
        let cut_body = "x".repeat(254) + " ";
        assert!(answer_is_cut(&format!("{cut_body}...")));
        assert!(!answer_is_cut(&format!("<p>{cut_body}...</p>")));
        assert!(!answer_is_cut(&format!("{cut_body}x...")), "259 characters");
        assert!(!answer_is_cut("A short answer..."));
        assert!(answer_is_cut(&format!(
            "(>1000 Mbps){}...",
            "y".repeat(243)
        )));
        let question = "q".repeat(250) + " on a";
        assert!(question_is_cut(&question, None));
        assert!(question_is_cut(&question, Some("plain text")));
        assert!(!question_is_cut(&question, Some("<p>whole</p>")));
        assert!(!question_is_cut(&("q".repeat(254) + "."), None));
        assert!(!question_is_cut(&("q".repeat(256)), None));
        // A cut answer keeps its marker, and drops an entity cut in half.
        assert_eq!(
            answer_text(&format!("{}R&amp...", "a ".repeat(126)), true)
                .trim_start_matches("a ")
                .len(),
            4
        );
        assert!(answer_text("Tom &amp; Jerry &am...", true).ends_with("Tom & Jerry ..."));
    }

    #[test]
    fn expanded_members_are_the_sources_names() {
        let item = ITEM.replace(
            "\"askingMember\": null",
            "\"askingMember\": {\"id\": 4828, \"name\": \"Jane Example\", \"party\": \"Labour\", \"memberFrom\": \"Exampleton\", \"listAs\": \"Example, Jane\"}",
        );
        let q = parse_text(&list(&[&item]), "e.json")
            .unwrap()
            .questions
            .remove(0);
        assert_eq!(q.asked_by.as_deref(), Some("Jane Example"));
        assert_eq!(q.asked_by_party.as_deref(), Some("Labour"));
        assert_eq!(q.asked_by_constituency.as_deref(), Some("Exampleton"));
        assert!(q.names_looked_up.is_empty());
    }

    #[test]
    fn render_reads_back() {
        let mut qs = parse_text(&list(&[ITEM]), "a.json").unwrap().questions;
        qs[0].asked_by = Some("Jane Example".into());
        let again = parse_bytes(render_list(&qs).to_string().as_bytes(), "a.json")
            .unwrap()
            .questions;
        assert_eq!(again, qs);
    }
}
