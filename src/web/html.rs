//! What the templates show, prepared from records: texts with their control characters
//! made visible (as the CLI shows them), snippets cut into plain and matched runs, notes
//! about cut texts with their links. The templates HTML-escape all of it.

use pqsearch::fields::cut_notes;
use pqsearch::record::Question;
use pqsearch::search::Snippet;

use crate::cmd::term;

/// A text from a record for the page: control characters and bidi overrides shown as
/// `\u{..}` (as the CLI shows them), so that nothing in the data is hidden or reorders
/// what an analyst reads and quotes. Line breaks are kept in blocks (`lines`).
pub fn text(value: &str, lines: bool) -> String {
    term::escape(value, lines).into_owned()
}

/// A run of a snippet, matched or not.
pub struct Run {
    pub text: String,
    pub hit: bool,
}

/// A snippet as runs: the highlight ranges (bytes of the snippet) become matched runs.
/// A range that does not fall on character boundaries is shown unmarked rather than
/// trusted.
pub fn snippet_runs(snippet: &Snippet) -> Vec<Run> {
    let text = &snippet.text;
    let mut runs = Vec::new();
    let mut at = 0;
    for &(start, end) in &snippet.highlights {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        if !before.is_empty() {
            runs.push(Run {
                text: self::text(before, false),
                hit: false,
            });
        }
        runs.push(Run {
            text: self::text(word, false),
            hit: true,
        });
        at = end;
    }
    let rest = text.get(at..).unwrap_or("");
    if !rest.is_empty() {
        runs.push(Run {
            text: self::text(rest, false),
            hit: false,
        });
    }
    runs
}

/// A note that a text was cut by its source, with the link to the whole one.
pub struct Note {
    /// The note as `show` prints it, up to the link.
    pub text: String,
    pub url: Option<String>,
}

/// The record's cut-text notes (the wording is `show`'s), with the official link as a link.
pub fn notes(q: &Question) -> Vec<Note> {
    cut_notes(q)
        .into_iter()
        .map(|note| match official(q) {
            Some(url) if note.ends_with(url) => Note {
                text: note[..note.len() - url.len()].to_string(),
                url: Some(url.to_string()),
            },
            _ => Note {
                text: note,
                url: None,
            },
        })
        .collect()
}

/// The record's official page, when it has one that is a web address.
pub fn official(q: &Question) -> Option<&str> {
    q.url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// A text's paragraphs (blank lines between them in the record).
pub fn paragraphs(value: &str) -> Vec<String> {
    value
        .split("\n\n")
        .map(str::trim_end)
        .filter(|p| !p.trim().is_empty())
        .map(|p| text(p, true))
        .collect()
}

/// `/question/<id>` for an id or a UIN: letters, digits, `-` and `/` as they are, the rest
/// percent-encoded, so that nothing in an id can end the path or start a query.
pub fn question_link(id: &str) -> String {
    let mut out = String::from("/question/");
    for b in id.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'/' | b'.' | b'_' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 12345 as "12,345".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_on_their_ranges() {
        let snippet = Snippet {
            text: "the <b>Online</b> Safety Bill".into(),
            highlights: vec![(7, 13), (18, 24), (100, 120)],
        };
        let runs: Vec<(String, bool)> = snippet_runs(&snippet)
            .into_iter()
            .map(|r| (r.text, r.hit))
            .collect();
        assert_eq!(
            runs,
            [
                ("the <b>".to_string(), false),
                ("Online".to_string(), true),
                ("</b> ".to_string(), false),
                ("Safety".to_string(), true),
                (" Bill".to_string(), false),
            ]
        );
    }

    #[test]
    fn links_numbers_and_paragraphs() {
        assert_eq!(
            question_link("2024-07-25/1830"),
            "/question/2024-07-25/1830"
        );
        assert_eq!(question_link("a?b#c d"), "/question/a%3Fb%23c%20d");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(49565), "49,565");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(paragraphs("One.\n\nTwo\tcell\n\n\n"), ["One.", "Two\tcell"]);
        assert_eq!(text("a\u{202e}b", false), "a\\u{202e}b");
    }
}
