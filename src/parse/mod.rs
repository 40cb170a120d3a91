//! Raw question texts → [`Question`] records.
//!
//! One submodule per input format. The format is chosen from the content, never the file
//! name: JSON is the official API, a file with a `Written Question` line is a listing page,
//! anything else must be the one-question page layout. Before any format sees the text it
//! is normalised (byte-order mark, Windows line endings, non-breaking spaces, trailing
//! spaces), so those never change what is extracted.
//!
//! Errors name the source, the 1-based line and what was expected there. No input, however
//! broken, makes the parser panic (see the property tests in `tests/parse.rs`).

pub mod api;
mod html;
pub mod listing;
pub mod page;

use std::path::Path;

use crate::record::Question;

pub use html::html_to_text;

/// Why a file could not be turned into records.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{path}: cannot read")]
    Io {
        path: String,
        #[source]
        error: std::io::Error,
    },
    #[error("{path}:{line}: {reason}")]
    Invalid {
        path: String,
        line: usize,
        reason: String,
    },
}

/// A failure inside one format's parser, before the file name is attached.
#[derive(Debug)]
struct Failure {
    line: usize,
    reason: String,
}

impl Failure {
    fn new(line: usize, reason: impl Into<String>) -> Failure {
        Failure {
            line,
            reason: reason.into(),
        }
    }
}

/// The input formats pqsearch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One question per file, as in the seed page.
    Page,
    /// Several questions per file, each after a `Written Question` line.
    Listing,
    /// The official written-questions API JSON, a list response or a single question.
    ApiJson,
}

/// Reads and parses one file.
pub fn parse_file(path: &Path) -> Result<Vec<Question>, ParseError> {
    let bytes = std::fs::read(path).map_err(|error| ParseError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse_bytes(&bytes, &path.display().to_string())
}

/// Parses the bytes of one file; `source` names it in records and errors.
pub fn parse_bytes(bytes: &[u8], source: &str) -> Result<Vec<Question>, ParseError> {
    let invalid = |f: Failure| ParseError::Invalid {
        path: source.to_string(),
        line: f.line,
        reason: f.reason,
    };
    let text = decode(bytes).map_err(invalid)?;
    let text = normalize(text);
    let format = detect(&text);
    match format {
        Format::ApiJson => api::parse(&text, source),
        Format::Listing => listing::parse(&text, source),
        Format::Page => page::parse(&text, source).map(|q| vec![q]),
    }
    .map_err(invalid)
}

/// Chooses the format from the content.
pub fn detect(text: &str) -> Format {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') || text.starts_with('[') {
        Format::ApiJson
    } else if text.lines().any(|l| l.trim() == listing::MARKER) {
        Format::Listing
    } else {
        Format::Page
    }
}

/// Checks that the bytes are non-empty UTF-8 text and returns them as a string.
fn decode(bytes: &[u8]) -> Result<&str, Failure> {
    let line_at = |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(Failure::new(
            line_at(nul),
            "binary data (a NUL byte); expected a text file",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            line_at(e.valid_up_to()),
            format!(
                "not valid UTF-8 (bad byte at offset {}); expected UTF-8 text",
                e.valid_up_to()
            ),
        )
    })?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(Failure::new(
            1,
            "the file is empty; expected a written question",
        ));
    }
    Ok(text)
}

/// Strips a byte-order mark, turns CRLF and lone CR into LF, turns every other kind of
/// space (non-breaking, narrow, ...) into a plain one and runs of spaces into one, and drops
/// trailing white space on every line. Tabs stay: they separate table cells.
fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        if is_clean(line) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        for (i, part) in line.split('\r').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let mut prev_space = false;
            for c in part.trim_end_matches(char::is_whitespace).chars() {
                let space = c != '\t' && c.is_whitespace();
                if !(space && prev_space) {
                    out.push(if space { ' ' } else { c });
                }
                prev_space = space;
            }
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// Whether a line is already normal: no CR, no double or trailing spaces, and no byte
/// that could start a non-ASCII space (U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000).
/// Most lines are, and copying them whole makes normalising cheap.
fn is_clean(line: &str) -> bool {
    let bytes = line.as_bytes();
    !bytes.last().is_some_and(|b| b.is_ascii_whitespace())
        && !bytes.windows(2).any(|w| w == b"  ")
        && !bytes
            .iter()
            .any(|&b| matches!(b, b'\r' | 0x0b | 0x0c | 0xc2 | 0xe1 | 0xe2 | 0xe3))
}

/// A cursor over the lines of a normalised text, counting from line 1.
struct Lines<'a> {
    lines: Vec<&'a str>,
    pos: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            lines: text.split('\n').collect(),
            pos: 0,
        }
    }

    /// The 1-based number of the line the cursor is on (one past the end at the end).
    fn line_no(&self) -> usize {
        self.pos + 1
    }

    fn skip_blank(&mut self) {
        while self
            .lines
            .get(self.pos)
            .is_some_and(|l| l.trim().is_empty())
        {
            self.pos += 1;
        }
    }

    /// The next non-blank line without consuming it.
    fn peek(&mut self) -> Option<&'a str> {
        self.skip_blank();
        self.lines.get(self.pos).copied()
    }

    /// The next non-blank line, trimmed, and its number.
    fn next_line(&mut self) -> Option<(usize, &'a str)> {
        let line = self.peek()?;
        self.pos += 1;
        Some((self.pos, line.trim()))
    }

    /// The next non-blank line, or an error saying what was expected instead of the end.
    fn expect_line(&mut self, expected: &str) -> Result<(usize, &'a str), Failure> {
        self.next_line().ok_or_else(|| {
            Failure::new(
                self.line_no(),
                format!("the text ends early; expected {expected}"),
            )
        })
    }

    /// Collects paragraphs until a line for which `stop` holds (not consumed) or the end.
    /// Lines of a paragraph are joined by a newline, paragraphs by one blank line.
    fn paragraphs(&mut self, stop: impl Fn(&str) -> bool) -> String {
        let mut out = String::new();
        let mut blank_before = false;
        while let Some(line) = self.lines.get(self.pos) {
            if stop(line.trim()) {
                break;
            }
            // Leading tabs stay: they are the empty first cells of table rows.
            let line = line.trim_start_matches(' ');
            self.pos += 1;
            if line.is_empty() {
                blank_before = true;
                continue;
            }
            if !out.is_empty() {
                out.push_str(if blank_before { "\n\n" } else { "\n" });
            }
            out.push_str(line);
            blank_before = false;
        }
        out
    }
}

/// Shortens a line for quoting in an error message.
fn quote(line: &str) -> String {
    const MAX: usize = 60;
    if line.chars().count() <= MAX {
        format!("{line:?}")
    } else {
        let cut: String = line.chars().take(MAX).collect();
        format!("{:?}", cut + "…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_handles_crlf_bom_nbsp_and_trailing_space() {
        assert_eq!(
            normalize("\u{feff}a \r\nb\u{a0}c\u{a0}\rd\t\n"),
            "a\nb c\nd\n"
        );
    }

    #[test]
    fn detect_uses_content_not_name() {
        assert_eq!(detect("  {\"items\": []}"), Format::ApiJson);
        assert_eq!(detect("help\nWritten Question\nX"), Format::Listing);
        assert_eq!(detect("Heading\n\n(asked on 1st May 2024)"), Format::Page);
    }

    #[test]
    fn bad_bytes_name_the_line() {
        let err = parse_bytes(b"one\ntwo\nthr\xffee", "f.txt").unwrap_err();
        assert_eq!(
            err.to_string().split(':').take(2).collect::<Vec<_>>(),
            ["f.txt", "3"]
        );
        let err = parse_bytes(b"a\n\nb\0c", "g.txt").unwrap_err();
        assert!(err.to_string().starts_with("g.txt:3: binary"), "{err}");
        let err = parse_bytes(b"\xef\xbb\xbf \n\r\n", "h.txt").unwrap_err();
        assert!(
            err.to_string().starts_with("h.txt:1: the file is empty"),
            "{err}"
        );
    }
}
