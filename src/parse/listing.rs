//! Listing pages: several questions in one file, as search-result and "recent questions"
//! pages show them. Each question starts at a `Written Question` line:
//!
//! ```text
//! Written Question
//! Schools: Mobile Phones
//! Tuesday 23rd April 2024
//! Asked by: Jane Example (Labour - Exampleton)
//! Question to the Department for Education:
//! To ask the Secretary of State for Education, ...
//! Answered by Sam Minister - Minister of State (Education)
//! Thursday 25th April 2024                 (optional: the date answered)
//! <answer paragraphs>
//! ```
//!
//! Text before the first `Written Question` is site help text and is skipped. The role
//! after the minister's name may be missing, and so may the whole answer.
//!
//! A question that cannot be read is rejected alone (with its position and line); reading
//! goes on at the next `Written Question`. The layout has no closing line, so a download
//! cut short shows only as an unfinished last question: the last question of a file, when
//! unanswered and not ending a sentence (".", "?", ")" or a closing quote, as 4,319 of the
//! 4,320 real pages' questions do), is rejected as possibly cut rather than stored as a
//! bogus unanswered record. (Answers give no such sign: 2% of whole answers end in a word,
//! a web address or a table row.)

use std::fmt::Write as _;

use super::{page::department_line, quote, Failure, ItemError, Lines, Parsed};
use crate::record::{Date, Draft, Question};

pub(super) const MARKER: &str = "Written Question";
const ASKED_BY: &str = "Asked by:";
const ANSWERED_BY: &str = "Answered by ";

pub(super) fn parse(text: &str, source: &str) -> Result<Parsed, Failure> {
    let mut lines = Lines::new(text);
    let mut out = Parsed::default();
    // Skip the help text before the first question.
    while let Some((_, line)) = lines.next_line() {
        if line == MARKER {
            break;
        }
    }
    let mut n = 0;
    loop {
        n += 1;
        let read = question(&mut lines, &format!("{source}#{n}")).and_then(|draft| {
            let end = lines.line_no();
            let last = lines.peek().is_none();
            if last && draft.answer.is_none() && !ends_a_sentence(&draft.question) {
                return Err(Failure::new(
                    end.saturating_sub(1).max(1),
                    "the file ends inside this question (it stops mid-sentence): the download \
                     was cut short, so the question may be incomplete and whether it was \
                     answered is unknown",
                ));
            }
            draft.finish().map_err(|reason| Failure::new(end, reason))
        });
        let resync = match read {
            Ok(q) => {
                out.questions.push(q);
                match lines.next_line() {
                    None => break,
                    Some((_, MARKER)) => continue,
                    Some((line, found)) => Some(Failure::new(
                        line,
                        format!(
                            "expected \"{MARKER}\" or the end of the file, found {}",
                            quote(found)
                        ),
                    )),
                }
            }
            Err(failure) => Some(failure),
        };
        if let Some(f) = resync {
            out.rejected.push(ItemError {
                item: n,
                line: f.line,
                reason: f.reason,
            });
            // Go on at the next question, if any.
            let mut found = false;
            while let Some((_, line)) = lines.next_line() {
                if line == MARKER {
                    found = true;
                    break;
                }
            }
            if !found {
                break;
            }
        }
    }
    if out.questions.is_empty() && out.rejected.len() == 1 {
        // A file of one bad question fails as a file, with its reason.
        let only = out.rejected.remove(0);
        return Err(Failure::new(only.line, only.reason));
    }
    Ok(out)
}

/// Whether a text ends as a sentence does.
fn ends_a_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['.', '?', '!', ')', '"', '\'', '\u{2019}', '\u{201d}'])
}

/// One question, from after its `Written Question` line up to the next one.
fn question(lines: &mut Lines, source: &str) -> Result<Draft, Failure> {
    let (_, heading) = lines.expect_line("a heading")?;
    let (n, date_line) =
        lines.expect_line("the date asked, such as \"Tuesday 23rd April 2024\"")?;
    let date_asked = Date::parse_english(date_line).ok_or_else(|| {
        Failure::new(
            n,
            format!(
                "expected the date asked, such as \"Tuesday 23rd April 2024\", found {}",
                quote(date_line)
            ),
        )
    })?;

    let (mut asked_by, mut party, mut constituency) = (None, None, None);
    if let Some(rest) = lines.peek().and_then(|l| l.trim().strip_prefix(ASKED_BY)) {
        lines.next_line();
        let (name, affiliation) = split_member(rest.trim());
        asked_by = Some(name);
        if let Some(aff) = affiliation {
            match aff.split_once(" - ") {
                Some((p, c)) => {
                    party = Some(p.trim().to_string());
                    constituency = Some(c.trim().to_string());
                }
                None => party = Some(aff),
            }
        }
    }

    let department = department_line(lines)?;
    let n = lines.line_no();
    let question = lines.paragraphs(|l| l == MARKER || l.starts_with(ANSWERED_BY));
    if question.is_empty() {
        return Err(Failure::new(
            n,
            "expected the question text after \"Question to ...:\"",
        ));
    }

    let mut q = Draft::new(date_asked, department, question, source.to_string());
    q.heading = Some(heading.to_string());
    q.asked_by = asked_by;
    q.asked_by_party = party;
    q.asked_by_constituency = constituency;

    if let Some(rest) = lines
        .peek()
        .and_then(|l| l.trim().strip_prefix(ANSWERED_BY))
    {
        lines.next_line();
        let (name, role) = match rest.split_once(" - ") {
            Some((name, role)) => (name.trim(), Some(role.trim().to_string())),
            None => (rest.trim(), None),
        };
        q.answered_by = Some(name.to_string());
        q.answered_by_role = role.filter(|r| !r.is_empty());
        if let Some(date) = lines.peek().and_then(|l| answered_date(l.trim())) {
            lines.next_line();
            q.date_answered = Some(date);
        }
        q.answered = true;
        q.answer = Some(lines.paragraphs(|l| l == MARKER));
    }
    Ok(q)
}

/// A line that is only the date answered, possibly introduced by "Answered on".
fn answered_date(line: &str) -> Option<Date> {
    let line = line
        .strip_prefix("This question was answered on ")
        .or_else(|| line.strip_prefix("Answered on "))
        .unwrap_or(line);
    Date::parse_english(line)
}

/// `Jane Example (Labour - Exampleton)` → the name and what is in the brackets.
fn split_member(text: &str) -> (String, Option<String>) {
    match text.strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
        Some((name, aff)) => (name.trim().to_string(), Some(aff.trim().to_string())),
        None => (text.to_string(), None),
    }
}

/// Writes questions in this layout, as `parse` reads them back (a question without a
/// heading gets a placeholder one, since the layout needs one).
pub fn render(questions: &[Question]) -> String {
    let mut s = String::new();
    for q in questions {
        let _ = write!(
            s,
            "{MARKER}\n{}\n{}\n",
            q.heading.as_deref().unwrap_or("Untitled"),
            q.date_asked.english()
        );
        if let Some(name) = &q.asked_by {
            let aff = match (&q.asked_by_party, &q.asked_by_constituency) {
                (Some(p), Some(c)) => format!(" ({p} - {c})"),
                (Some(p), None) => format!(" ({p})"),
                _ => String::new(),
            };
            let _ = writeln!(s, "{ASKED_BY} {name}{aff}");
        }
        let _ = writeln!(s, "Question to the {}:\n{}", q.department, q.question);
        if let Some(name) = &q.answered_by {
            let role = q
                .answered_by_role
                .as_ref()
                .map_or(String::new(), |r| format!(" - {r}"));
            let _ = writeln!(s, "{ANSWERED_BY}{name}{role}");
            if let Some(date) = q.date_answered {
                let _ = writeln!(s, "{}", date.english());
            }
            if let Some(answer) = &q.answer {
                let _ = writeln!(s, "{answer}");
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{House, Status};

    const LISTING: &str = "Search help: use quotes for phrases.\nResults 1-2\n\nWritten Question\nSchools: Mobile Phones\nTuesday 23rd April 2024\nAsked by: Jane Example (Labour - Exampleton)\nQuestion to the Department for Education:\nTo ask the Secretary of State for Education, what guidance.\nAnswered by Sam Minister - Minister of State (Education)\nThursday 25th April 2024\nGuidance was published.\n\nIt is under review.\n\nWritten Question\nPrisons: Food\nWednesday 24th April 2024\nAsked by: Lord Example (Conservative - Life peer)\nQuestion to the Ministry of Justice:\nTo ask His Majesty's Government what is spent on food in prisons.\n";

    #[test]
    fn two_questions_with_and_without_answer() {
        let qs = parse(LISTING, "l.txt").unwrap().questions;
        assert_eq!(qs.len(), 2);
        let a = &qs[0];
        assert_eq!(a.heading.as_deref(), Some("Schools: Mobile Phones"));
        assert_eq!(a.date_asked.to_string(), "2024-04-23");
        assert_eq!(a.asked_by.as_deref(), Some("Jane Example"));
        assert_eq!(a.asked_by_party.as_deref(), Some("Labour"));
        assert_eq!(a.asked_by_constituency.as_deref(), Some("Exampleton"));
        assert_eq!(a.department, "Department for Education");
        assert_eq!(a.answered_by.as_deref(), Some("Sam Minister"));
        assert_eq!(
            a.answered_by_role.as_deref(),
            Some("Minister of State (Education)")
        );
        assert_eq!(a.date_answered.unwrap().to_string(), "2024-04-25");
        assert_eq!(
            a.answer.as_deref(),
            Some("Guidance was published.\n\nIt is under review.")
        );
        assert_eq!(a.source, "l.txt#1");
        let b = &qs[1];
        assert_eq!(b.status, Status::Unanswered);
        assert_eq!(b.house, House::Lords);
        assert_eq!(b.source, "l.txt#2");
    }

    #[test]
    fn role_may_be_missing() {
        let text = LISTING.replace(
            "Sam Minister - Minister of State (Education)",
            "Sam Minister",
        );
        let qs = parse(&text, "l.txt").unwrap().questions;
        assert_eq!(qs[0].answered_by.as_deref(), Some("Sam Minister"));
        assert_eq!(qs[0].answered_by_role, None);
    }

    #[test]
    fn a_bad_question_is_rejected_alone_with_its_line() {
        let text = LISTING.replace("Wednesday 24th April 2024", "yesterday");
        let parsed = parse(&text, "l.txt").unwrap();
        assert_eq!(parsed.questions.len(), 1);
        let err = &parsed.rejected[0];
        assert_eq!((err.item, err.line), (2, 18));
        assert!(err.reason.contains("\"yesterday\""), "{}", err.reason);
        // The first one bad: the second is still read.
        let text = LISTING.replace("Tuesday 23rd April 2024", "yesterday");
        let parsed = parse(&text, "l.txt").unwrap();
        assert_eq!(parsed.questions.len(), 1);
        assert_eq!(
            parsed.questions[0].heading.as_deref(),
            Some("Prisons: Food")
        );
        assert_eq!(parsed.rejected[0].item, 1);
    }

    /// Regression (issue 9): a listing cut inside its last question made a bogus record.
    #[test]
    fn an_unfinished_last_question_is_rejected() {
        let at = LISTING.find("spent on food").unwrap() + 5;
        let parsed = parse(&LISTING[..at], "l.txt").unwrap();
        assert_eq!(parsed.questions.len(), 1);
        assert!(
            parsed.rejected[0].reason.contains("cut short"),
            "{:?}",
            parsed.rejected
        );
        assert_eq!(parsed.rejected[0].item, 2);
    }

    #[test]
    fn render_reads_back() {
        let qs = parse(LISTING, "l.txt").unwrap().questions;
        assert_eq!(parse(&render(&qs), "l.txt").unwrap().questions, qs);
    }
}
