//! The Members API: who a member id is.
//!
//! Its search endpoint (`GET /api/Members/Search`) gives
//! `{"items": [{"value": {...}, "links": [...]}], "totalResults": N}` and one member
//! (`GET /api/Members/{id}`) `{"value": {...}, "links": [...]}`; the envelope is read by
//! the module `json`, and a file is told from a written-questions file by its values
//! (`nameDisplayAs` rather than `questionText`), so the two can even share a file.
//!
//! Of each member pqsearch keeps the id, `nameDisplayAs` (the name Parliament shows, e.g.
//! "Sir John Whittingdale"), `latestParty.name` and `latestHouseMembership.membershipFrom`
//! (the constituency; for a peer, the kind of peerage). These are the member's latest, not
//! what they were when a question was asked.

use super::json::Node;
use crate::record::{limits, normalize_ws, Member};

/// One member of the Members API.
pub(super) fn member(v: Node) -> Result<Member, String> {
    let id =
        v.id.ok_or("missing field `id`; expected a member of the Members API")?
            .0;
    let text = |t: Option<String>| t.map(|t| normalize_ws(&t)).filter(|t| !t.is_empty());
    let name = text(v.name_display_as).ok_or("empty `nameDisplayAs`; expected a name")?;
    let membership = v.latest_house_membership;
    let member = Member {
        id,
        name,
        party: text(v.latest_party.and_then(|p| p.name)),
        house: membership
            .as_ref()
            .and_then(|m| m.house.as_ref())
            .and_then(|h| h.0),
        constituency: text(membership.and_then(|m| m.membership_from)),
    };
    for (field, value) in [
        ("name", Some(&member.name)),
        ("party", member.party.as_ref()),
        ("constituency", member.constituency.as_ref()),
    ] {
        let n = value.map_or(0, |v| v.chars().count());
        if n > limits::NAME {
            return Err(format!(
                "the member's {field} is {n} characters long; at most {} are accepted",
                limits::NAME
            ));
        }
    }
    Ok(member)
}

/// Whether a file looks like a Members API file from its first few kilobytes (a member's
/// `nameDisplayAs` before any question's `questionText`), to read such files first. A guess
/// that only orders the work: every file's format is decided by parsing it.
pub fn sniff(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err()
        || !matches!(
            head.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[')
        )
    {
        return false;
    }
    let find = |needle: &[u8]| head.windows(needle.len()).position(|w| w == needle);
    match (find(b"\"nameDisplayAs\""), find(b"\"questionText\"")) {
        (Some(member), Some(question)) => member < question,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Members as the Members API's search response, as `parse` reads them back.
pub fn render(members: &[Member]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = members
        .iter()
        .map(|m| {
            serde_json::json!({
                "value": {
                    "id": m.id,
                    "nameDisplayAs": m.name,
                    "latestParty": m.party.as_ref().map(|p| serde_json::json!({"name": p})),
                    "latestHouseMembership": {
                        "membershipFrom": m.constituency,
                        "house": m.house.map(|h| match h {
                            crate::record::House::Commons => 1,
                            crate::record::House::Lords => 2,
                        }),
                    },
                },
                "links": [],
            })
        })
        .collect();
    serde_json::json!({"items": items, "totalResults": members.len()})
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_bytes;
    use crate::record::House;

    #[test]
    fn search_and_single_responses() {
        let text = r#"{"items": [{"value": {"id": 39, "nameDisplayAs": " Sir John Whittingdale ",
            "nameFullTitle": "Rt Hon Sir John Whittingdale MP", "latestParty": {"name": "Conservative"},
            "latestHouseMembership": {"membershipFrom": "Maldon", "house": 1, "membershipEndDate": null}},
            "links": []}], "totalResults": 1, "skip": 0, "take": 20}"#;
        let parsed = parse_bytes(text.as_bytes(), "m.json").unwrap();
        assert!(parsed.questions.is_empty() && parsed.rejected.is_empty());
        let m = &parsed.members[0];
        assert_eq!(
            (
                m.id,
                m.name.as_str(),
                m.party.as_deref(),
                m.constituency.as_deref()
            ),
            (
                39,
                "Sir John Whittingdale",
                Some("Conservative"),
                Some("Maldon")
            )
        );
        assert_eq!(m.house, Some(House::Commons));
        let again =
            parse_bytes(super::render(&parsed.members).to_string().as_bytes(), "m").unwrap();
        assert_eq!(again.members, parsed.members);

        let one = r#"{"value": {"id": 4514, "nameDisplayAs": "Keir Starmer", "latestParty": null}, "links": []}"#;
        let parsed = parse_bytes(one.as_bytes(), "one.json").unwrap();
        assert_eq!(parsed.members[0].party, None);
        let bad = r#"{"items": [{"value": {"id": -3, "nameDisplayAs": "X"}}, {"value": {"id": 5, "nameDisplayAs": " "}}]}"#;
        let parsed = parse_bytes(bad.as_bytes(), "bad.json").unwrap();
        assert_eq!(parsed.rejected.len(), 2, "{:?}", parsed.rejected);
        assert!(
            parsed.rejected[0].reason.contains("an id"),
            "{:?}",
            parsed.rejected
        );
        assert!(
            parsed.rejected[1].reason.contains("nameDisplayAs"),
            "{:?}",
            parsed.rejected
        );
    }
}
