//! The JSON envelopes of Parliament's APIs, shared by the written-questions API ([`super::api`])
//! and the Members API ([`super::members`]):
//!
//! - a list response: `{"items": [{"value": {...}, "links": [...]}], "totalResults": N}` (the
//!   live list endpoints name the list `results`);
//! - one object: `{"value": {...}, "links": [...]}`;
//! - a JSON array of either kind of element, `[{"value": {...}}, ...]` or `[{...}, ...]`.
//!
//! Each element is read on its own: one that is not a question or a member, or has a bad
//! field, is rejected with its position and line, and the rest of the file is kept. The
//! common case (every element well-formed) is one typed pass over the text; only when that
//! fails is the file split into its elements (see [`element_starts`]) to find which of them
//! are bad.

use std::borrow::Cow;

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;

use super::Failure;
use crate::record::{Date, House};

/// Every field pqsearch reads from either API, all optional, so that what is missing is
/// reported by the code that needs it, in its own words. A node is an envelope (with
/// `items`, `results` or `value`) or an element's value itself.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Node {
    pub items: Option<Vec<Node>>,
    pub results: Option<Vec<Node>>,
    pub value: Option<Box<Node>>,

    // Both APIs: the question's internal id, or the member's id.
    pub id: Option<Id>,
    pub house: Option<HouseValue>,

    // The written-questions API.
    pub uin: Option<Uin>,
    pub heading: Option<String>,
    pub date_tabled: Option<ApiDate>,
    pub date_for_answer: Option<ApiDate>,
    pub date_answered: Option<ApiDate>,
    pub date_answer_corrected: Option<ApiDate>,
    pub answering_body_name: Option<String>,
    pub question_text: Option<String>,
    pub answer_text: Option<String>,
    pub answer_is_holding: Option<bool>,
    pub answer_is_correction: Option<bool>,
    pub is_withdrawn: Option<bool>,
    pub is_named_day: Option<bool>,
    pub grouped_questions: Option<Vec<Uin>>,
    pub grouped_questions_dates: Option<Vec<GroupedDate>>,
    pub asking_member_id: Option<Id>,
    pub answering_member_id: Option<Id>,
    pub correcting_member_id: Option<Id>,
    /// Present when the list was fetched with `expandMember=true`.
    pub asking_member: Option<ExpandedMember>,
    pub answering_member: Option<ExpandedMember>,
    pub correcting_member: Option<ExpandedMember>,

    // The Members API.
    pub name_display_as: Option<String>,
    pub latest_party: Option<Party>,
    pub latest_house_membership: Option<HouseMembership>,
}

/// A member as the written-questions API expands it into a question.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ExpandedMember {
    pub id: Option<Id>,
    pub name: Option<String>,
    pub party: Option<String>,
    /// The constituency.
    pub member_from: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GroupedDate {
    pub question_uin: Option<Uin>,
    pub date_tabled: Option<ApiDate>,
}

#[derive(Deserialize)]
pub(super) struct Party {
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HouseMembership {
    pub membership_from: Option<String>,
    pub house: Option<HouseValue>,
}

/// What one element of a file turned out to be.
pub(super) enum Element {
    Question(Node),
    Member(Node),
}

impl Node {
    /// The value of an element: the `value` it wraps, or the node itself.
    fn into_value(self) -> Node {
        match self.value {
            Some(v) => *v,
            None => self,
        }
    }

    /// Which kind of record the value is, from the fields it has.
    fn classify(self) -> Result<Element, String> {
        if self.question_text.is_some() || self.date_tabled.is_some() || self.uin.is_some() {
            Ok(Element::Question(self))
        } else if self.name_display_as.is_some() {
            Ok(Element::Member(self))
        } else {
            Err("neither a written question (no \"questionText\") nor a member (no \"nameDisplayAs\")".into())
        }
    }
}

/// One element, read: its 1-based position, and what it is (or where and why it is bad).
pub(super) struct Read {
    pub position: usize,
    pub element: Result<Element, Failure>,
}

/// A file of either API, read into its elements.
pub(super) struct Doc<'a> {
    /// Whether the file is a list (its elements are then named `FILE#N`), not one object.
    pub list: bool,
    pub elements: Vec<Read>,
    lines: LineFinder<'a>,
}

impl Doc<'_> {
    /// The line the element at a 1-based position starts on.
    pub fn line_of(&mut self, position: usize) -> usize {
        if self.list {
            self.lines.line_of(position.saturating_sub(1))
        } else {
            1
        }
    }
}

/// Reads a file of either API into its elements. A file that is not JSON, or not one of
/// the envelopes, fails as a whole; an element that is not a record fails alone.
pub(super) fn read(text: &str) -> Result<Doc<'_>, Failure> {
    let array = text.trim_start().starts_with('[');
    let single_doc = |elements| Doc {
        list: false,
        elements,
        lines: LineFinder::new(text, array),
    };
    let list_doc = |elements| Doc {
        list: true,
        elements,
        lines: LineFinder::new(text, array),
    };
    enum Typed {
        List(Vec<Node>),
        One(Box<Node>),
    }
    let typed = if array {
        serde_json::from_str::<Vec<Node>>(text).map(Typed::List)
    } else {
        serde_json::from_str::<Node>(text).map(|mut node| {
            match node.items.take().or(node.results.take()) {
                Some(items) => Typed::List(items),
                None => Typed::One(Box::new(node)),
            }
        })
    };
    match typed {
        Ok(Typed::List(nodes)) => {
            let mut doc = list_doc(Vec::with_capacity(nodes.len()));
            for (i, node) in nodes.into_iter().enumerate() {
                // Lines are only worth finding for the elements that are reported.
                let element = node
                    .into_value()
                    .classify()
                    .map_err(|r| Failure::new(doc.line_of(i + 1), r));
                doc.elements.push(Read {
                    position: i + 1,
                    element,
                });
            }
            Ok(doc)
        }
        Ok(Typed::One(node)) => single(*node).map(single_doc),
        Err(e) => {
            // A broken file, or one element of the wrong shape: which?
            if let Err(syntax) = serde_json::from_str::<IgnoredAny>(text) {
                return Err(envelope_error(&syntax));
            }
            let starts = element_starts(text, array);
            if starts.is_empty() {
                return Err(envelope_error(&e));
            }
            Ok(list_doc(
                starts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (offset, line))| {
                        let element = element_at(text, offset)
                            .map_err(|err| {
                                Failure::new(line + err.line().max(1) - 1, message(&err))
                            })
                            .and_then(|node| {
                                node.into_value()
                                    .classify()
                                    .map_err(|r| Failure::new(line, r))
                            });
                        Read {
                            position: i + 1,
                            element,
                        }
                    })
                    .collect(),
            ))
        }
    }
}

/// A file with one object: `{"value": {...}}` or a bare value.
fn single(node: Node) -> Result<Vec<Read>, Failure> {
    let wrapped = node.value.is_some();
    let element = node.into_value().classify().map_err(|reason| {
        let reason = if wrapped {
            reason
        } else {
            format!(
                "JSON without \"items\", \"results\" or \"value\", and {reason}; expected a response of the written-questions API or the Members API"
            )
        };
        Failure::new(1, reason)
    })?;
    Ok(vec![Read {
        position: 1,
        element: Ok(element),
    }])
}

/// Reads the one element that starts at `offset`.
fn element_at(text: &str, offset: usize) -> Result<Node, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(&text[offset..]);
    Node::deserialize(&mut de)
}

/// The whole file's error, with serde's wording made readable.
fn envelope_error(e: &serde_json::Error) -> Failure {
    let kind = if e.is_syntax() || e.is_eof() {
        "invalid JSON"
    } else {
        "invalid API JSON"
    };
    Failure::new(e.line().max(1), format!("{kind}: {}", message(e)))
}

/// serde's message without its " at line L column C" (the line is reported on its own),
/// and at most a few hundred characters: it may quote a value of any length.
fn message(e: &serde_json::Error) -> String {
    const MAX: usize = 300;
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    let n = text.chars().count();
    if n <= MAX {
        text.to_string()
    } else {
        // The start names the value, the end says what was expected.
        let start: String = text.chars().take(MAX / 2).collect();
        let end: String = text.chars().skip(n - MAX / 2).collect();
        format!("{start}…{end} ({n} characters in all)")
    }
}

/// Finds the lines elements start on, scanning the text once, and only when asked.
struct LineFinder<'a> {
    text: &'a str,
    array: bool,
    starts: Option<Vec<(usize, usize)>>,
}

impl<'a> LineFinder<'a> {
    fn new(text: &'a str, array: bool) -> LineFinder<'a> {
        LineFinder {
            text,
            array,
            starts: None,
        }
    }

    fn line_of(&mut self, index: usize) -> usize {
        let (text, array) = (self.text, self.array);
        self.starts
            .get_or_insert_with(|| element_starts(text, array))
            .get(index)
            .map_or(1, |&(_, line)| line)
    }
}

/// The byte offset and 1-based line of each element of the file's list: the top-level
/// array, or the array under the top-level object's `items` or `results` key. The text
/// must be valid JSON.
fn element_starts(text: &str, top_array: bool) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    // The list's depth once it is entered, whether an element may start next, and the
    // last string seen at depth 1 (the key, when a list follows it).
    let mut list_depth = None;
    let mut expect_element = false;
    let mut key_start = None;
    let mut last_key: &str = "";
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if let Some(start) = key_start.take() {
                    last_key = &text[start..i];
                }
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if expect_element && b != b']' {
            out.push((i, line));
            expect_element = false;
        }
        match b {
            b'"' => {
                in_string = true;
                if depth == 1 && !top_array {
                    key_start = Some(i + 1);
                }
            }
            b'{' | b'[' => {
                depth += 1;
                let is_list = b == b'['
                    && list_depth.is_none()
                    && ((top_array && depth == 1)
                        || (!top_array && depth == 2 && matches!(last_key, "items" | "results")));
                if is_list {
                    list_depth = Some(depth);
                    expect_element = true;
                }
            }
            b'}' | b']' => {
                if list_depth == Some(depth) {
                    list_depth = Some(usize::MAX);
                    expect_element = false;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if list_depth == Some(depth) => expect_element = true,
            _ => {}
        }
    }
    out
}

/// A date as the APIs write it (`2024-07-25T00:00:00`), checked while reading so that a bad
/// one is reported with its line.
pub(super) struct ApiDate(pub Date);

impl<'de> Deserialize<'de> for ApiDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Date::parse_api(&s).map(ApiDate).ok_or_else(|| {
            de::Error::custom(format!("invalid date {s:?}, expected YYYY-MM-DDT00:00:00"))
        })
    }
}

/// A UIN: a string in the API, a number in some copies of it.
pub(super) struct Uin(pub String);

impl<'de> Deserialize<'de> for Uin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Uin;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a UIN as a string or a whole number, such as \"1234\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Uin, E> {
                Ok(Uin(v.trim().to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Uin, E> {
                Ok(Uin(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A member id: a whole number (or one written as a string).
#[derive(Clone, Copy)]
pub(super) struct Id(pub u32);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an id: a whole number from 1 to 4294967295")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                u32::try_from(v)
                    .ok()
                    .filter(|&n| n > 0)
                    .map(Id)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                match u64::try_from(v) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                match v.trim().parse::<u64>() {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A House: `"Commons"`/`"Lords"` in the written-questions API, 1/2 in the Members API.
pub(super) struct HouseValue(pub Option<House>);

impl<'de> Deserialize<'de> for HouseValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = HouseValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a House: \"Commons\", \"Lords\", 1 or 2")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HouseValue, E> {
                Ok(HouseValue(match v.trim() {
                    h if h.eq_ignore_ascii_case("commons") => Some(House::Commons),
                    h if h.eq_ignore_ascii_case("lords") => Some(House::Lords),
                    // Another word ("Bicameral") says nothing we can use.
                    _ => None,
                }))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<HouseValue, E> {
                Ok(HouseValue(match v {
                    1 => Some(House::Commons),
                    2 => Some(House::Lords),
                    _ => None,
                }))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<HouseValue, E> {
                Ok(HouseValue(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_starts_find_each_element_and_its_line() {
        let text = "{\"totalResults\": 2, \"other\": [1, 2],\n \"items\": [\n {\"value\": {\"a\": \"[,]\\\"\"}},\n  {\"value\": 3}\n]}";
        let starts = element_starts(text, false);
        assert_eq!(starts.len(), 2);
        assert_eq!(starts.iter().map(|s| s.1).collect::<Vec<_>>(), [3, 4]);
        assert!(text[starts[1].0..].starts_with("{\"value\": 3}"));
        let starts = element_starts("[ {\"x\": [1]} ,\n\"y\" ]", true);
        assert_eq!(starts, [(2, 1), (15, 2)]);
        assert!(element_starts("{\"items\": []}", false).is_empty());
    }

    #[test]
    fn messages_quote_a_bounded_part_of_a_value() {
        let text = format!(
            "{{\"items\": [{{\"value\": {{\"questionText\": \"Q\", \"isNamedDay\": \"{}\"}}}}]}}",
            "y".repeat(100_000)
        );
        let read = read(&text).unwrap().elements;
        let bad = read[0].element.as_ref().err().unwrap();
        assert!(bad.reason.len() < 500, "{}", bad.reason.len());
        assert!(
            bad.reason.contains("expected a boolean"),
            "{}",
            &bad.reason[..100]
        );
    }

    #[test]
    fn a_bad_element_fails_alone() {
        let text = "{\"items\": [\n{\"value\": {\"questionText\": \"Q\"}},\n{\"value\": {\"uin\": [1]}},\n{\"value\": {\"other\": 1}},\n{\"value\": {\"nameDisplayAs\": \"M\"}}\n]}";
        let read = read(text).unwrap().elements;
        assert_eq!(read.len(), 4);
        assert!(matches!(read[0].element, Ok(Element::Question(_))));
        let bad = read[1].element.as_ref().err().unwrap();
        assert_eq!((read[1].position, bad.line), (2, 3));
        assert_eq!(read[2].position, 3);
        assert!(bad.reason.contains("a UIN as a string"), "{}", bad.reason);
        let odd = read[2].element.as_ref().err().unwrap();
        assert_eq!(odd.line, 4);
        assert!(
            odd.reason.contains("neither a written question"),
            "{}",
            odd.reason
        );
        assert!(matches!(read[3].element, Ok(Element::Member(_))));
    }
}
