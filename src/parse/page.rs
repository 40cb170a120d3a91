//! The one-question page layout of the seed:
//!
//! ```text
//! Internet: Offences against Children
//!
//! (asked on 6th September 2023) - View Source
//!
//! Question to the Home Office:
//!
//! To ask the Secretary of State for the Home Department, ...
//!
//! Answered by
//! Sarah Dines Portrait
//! Sarah Dines
//! This question was answered on 13th September 2023
//!
//! <answer paragraphs>
//!
//! Reticulating Splines
//! ```
//!
//! An unanswered question stops after the question. The closing line is site boilerplate,
//! never part of the answer, and it is how a whole page is told from a download cut short:
//! every real page has it (all 4,320 of the corpus and the seed). A page without it was cut
//! somewhere after its last line, so
//! - an answer that runs to the end is kept, flagged `answer_cut`, and never replaces a
//!   fuller answer of the same question (see [`crate::record::Question::merge`]);
//! - a page that ends after (or inside) the question is rejected: its question may be
//!   incomplete and whether it was answered is unknown, so it would be a bogus record.

use std::fmt::Write as _;

use super::{quote, Failure, Lines};
use crate::record::{Date, Draft, Question};

/// The site's closing boilerplate line.
const FOOTER: &str = "Reticulating Splines";
const ANSWERED_BY: &str = "Answered by";
const ANSWERED_ON: &str = "This question was answered on ";
const WITHDRAWN_ON: &str = "This question was withdrawn on ";

pub(super) fn parse(text: &str, source: &str) -> Result<Question, Failure> {
    let mut lines = Lines::new(text);
    let (_, heading) = lines.expect_line("a heading")?;

    let (n, asked) = lines.expect_line("\"(asked on <date>) - View Source\"")?;
    let date_asked = asked
        .strip_prefix("(asked on ")
        .and_then(|rest| rest.split_once(')'))
        .and_then(|(date, _)| Date::parse_english(date))
        .ok_or_else(|| {
            Failure::new(
                n,
                format!(
                    "expected \"(asked on <date>) - View Source\" after the heading, found {}",
                    quote(asked)
                ),
            )
        })?;

    let department = department_line(&mut lines)?;

    let n = lines.line_no();
    let question =
        lines.paragraphs(|l| l == ANSWERED_BY || l == FOOTER || l.starts_with(WITHDRAWN_ON));
    if question.is_empty() {
        return Err(Failure::new(
            n,
            "expected the question text after \"Question to ...:\"",
        ));
    }

    let mut q = Draft::new(date_asked, department, question, source.to_string());
    q.heading = Some(heading.to_string());

    match lines.next_line() {
        Some((_, ANSWERED_BY)) => answer_block(&mut lines, &mut q)?,
        Some((_, l)) if l.starts_with(WITHDRAWN_ON) => q.withdrawn = true,
        Some((_, FOOTER)) => {}
        Some((n, l)) => {
            return Err(Failure::new(
                n,
                format!(
                    "expected \"{ANSWERED_BY}\" or \"{FOOTER}\", found {}",
                    quote(l)
                ),
            ))
        }
        None => {
            return Err(Failure::new(
                lines.line_no().saturating_sub(1).max(1),
                format!(
                    "the page ends after the question, without its closing line \"{FOOTER}\": \
                     the file was cut short, so the question may be incomplete and whether it \
                     was answered is unknown"
                ),
            ))
        }
    }
    q.finish().map_err(|reason| Failure::new(1, reason))
}

/// `Question to the <department>:`
pub(super) fn department_line(lines: &mut Lines) -> Result<String, Failure> {
    let expected = "\"Question to the <department>:\"";
    let (n, line) = lines.expect_line(expected)?;
    line.strip_prefix("Question to ")
        .and_then(|rest| rest.strip_suffix(':'))
        .map(|d| d.strip_prefix("the ").unwrap_or(d).trim())
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .ok_or_else(|| Failure::new(n, format!("expected {expected}, found {}", quote(line))))
}

/// From after `Answered by` to the end: the minister, the date and the answer.
fn answer_block(lines: &mut Lines, q: &mut Draft) -> Result<(), Failure> {
    // The minister's name appears twice, once with " Portrait" (the caption of a photo).
    let mut name = None;
    let date = loop {
        let (n, line) = lines.expect_line("\"This question was answered on <date>\"")?;
        if let Some(date) = line.strip_prefix(ANSWERED_ON) {
            break Date::parse_english(date).ok_or_else(|| {
                Failure::new(
                    n,
                    format!(
                        "expected a date such as \"13th September 2023\", found {}",
                        quote(date)
                    ),
                )
            })?;
        }
        if name.is_some() && !line.ends_with(" Portrait") && name != Some(line) {
            return Err(Failure::new(
                n,
                format!(
                    "expected \"This question was answered on <date>\", found {}",
                    quote(line)
                ),
            ));
        }
        name = Some(line.strip_suffix(" Portrait").unwrap_or(line));
    };
    q.answered_by = name.map(str::to_string);
    q.date_answered = Some(date);
    q.answered = true;
    q.answer = Some(lines.paragraphs(|l| l == FOOTER));
    // Without the closing line, the download stopped somewhere in the answer.
    q.answer_cut = lines.next_line().is_none();
    Ok(())
}

/// Writes a question in this layout, as `parse` reads it back. Pages show an answer only
/// with its minister and date; a question without a heading gets a placeholder one.
pub fn render(q: &Question) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "{}\n\n(asked on {}) - View Source\n\nQuestion to the {}:\n\n{}\n\n",
        q.heading.as_deref().unwrap_or("Written Question"),
        q.date_asked.english(),
        q.department,
        q.question
    );
    if let (Some(answer), Some(date), Some(name)) = (&q.answer, q.date_answered, &q.answered_by) {
        let _ = write!(
            s,
            "\n{ANSWERED_BY}\n{name} Portrait\n{name}\n{ANSWERED_ON}{}\n\n{answer}\n\n",
            date.english()
        );
    }
    s.push_str(FOOTER);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{House, Status};

    const PAGE: &str = "Roads: Hedgehogs\n\n(asked on 1st December 2023) - View Source\n\nQuestion to the Department for Transport:\n\nTo ask the Secretary of State for Transport, what steps.\n\n\nAnswered by\nGuy Opperman Portrait\nGuy Opperman\nThis question was answered on 11th December 2023\n\nFirst paragraph.\n\nSecond\tcell\n\nReticulating Splines";

    #[test]
    fn answered_page() {
        let q = parse(PAGE, "p.txt").unwrap();
        assert_eq!(q.heading.as_deref(), Some("Roads: Hedgehogs"));
        assert_eq!(q.department, "Department for Transport");
        assert_eq!(q.date_asked.to_string(), "2023-12-01");
        assert_eq!(q.answered_by.as_deref(), Some("Guy Opperman"));
        assert_eq!(q.date_answered.unwrap().to_string(), "2023-12-11");
        assert_eq!(
            q.answer.as_deref(),
            Some("First paragraph.\n\nSecond\tcell")
        );
        assert_eq!(q.status, Status::Answered);
        assert_eq!(q.house, House::Commons);
        assert_eq!(q.id.len(), 16);
    }

    #[test]
    fn unanswered_page() {
        let text = PAGE.split("\n\n\nAnswered by").next().unwrap().to_string()
            + "\n\nReticulating Splines";
        let q = parse(&text, "p.txt").unwrap();
        assert_eq!(q.status, Status::Unanswered);
        assert_eq!(q.answer, None);
        assert!(!q.question_cut && !q.answer_cut);
        assert_eq!(
            q.question,
            "To ask the Secretary of State for Transport, what steps."
        );
    }

    /// Regression (issue 9): a cut download parsed as a whole page.
    #[test]
    fn a_page_without_its_closing_line_was_cut() {
        let whole = parse(PAGE, "p.txt").unwrap();
        assert!(!whole.answer_cut);
        // Cut inside the answer: the answer is kept, flagged.
        let at = PAGE.find("Second").unwrap() + 3;
        let q = parse(&PAGE[..at], "p.txt").unwrap();
        assert!(q.answer_cut);
        assert_eq!(q.answer.as_deref(), Some("First paragraph.\n\nSec"));
        assert_eq!(q.id, whole.id);
        // Cut inside or right after the question: no record.
        for end in ["what steps.", "what st"] {
            let at = PAGE.find(end).unwrap() + end.len();
            let err = parse(&PAGE[..at], "p.txt").unwrap_err();
            assert!(err.reason.contains("cut short"), "{}", err.reason);
        }
    }

    #[test]
    fn errors_name_line_and_expectation() {
        let text = PAGE.replace("(asked on 1st December 2023)", "(asked in December)");
        let err = parse(&text, "p.txt").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.reason.contains("(asked on <date>)"), "{}", err.reason);

        let text = PAGE.replace("Question to the", "Asked of the");
        assert_eq!(parse(&text, "p.txt").unwrap_err().line, 5);

        let text = PAGE.replace(
            "This question was answered on 11th December 2023",
            "Something else",
        );
        let err = parse(&text, "p.txt").unwrap_err();
        assert_eq!(err.line, 13, "{}", err.reason);

        let err = parse("Just a heading", "p.txt").unwrap_err();
        assert!(err.reason.contains("ends early"), "{}", err.reason);
    }

    #[test]
    fn render_reads_back() {
        let q = parse(PAGE, "p.txt").unwrap();
        assert_eq!(parse(&render(&q), "p.txt").unwrap(), q);
    }
}
