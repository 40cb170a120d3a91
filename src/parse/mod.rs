//! Raw texts → [`Question`] records (and [`Member`]s, from the Members API).
//!
//! One submodule per input format. The format is chosen from the content, never the file
//! name: JSON is one of Parliament's APIs (the written-questions API, [`api`], or the
//! Members API, [`members`], told apart by their values), a file with a `Written Question`
//! line is a listing page, anything else must be the one-question page layout. Before any
//! format sees the text it is decoded (UTF-8, or UTF-16 with a byte-order mark); the page
//! layouts are then normalised (byte-order mark, Windows line endings, non-breaking spaces,
//! trailing spaces), so those never change what is extracted. JSON is read as written (its
//! strings are normalised field by field), since the API's cut texts are recognised by
//! their exact length.
//!
//! A file that cannot be read at all is an error naming the source, the 1-based line and
//! what was expected there. In a file of several records (an API list, a listing page) a
//! bad record is rejected alone, with its position and line, and the others are kept
//! ([`Parsed::rejected`]). Every field is bounded in length ([`crate::record::limits`]).
//! No input, however broken, makes the parser panic (see the property tests in
//! `tests/cli/parse.rs`).

pub mod api;
mod html;
mod json;
pub mod listing;
pub mod members;
pub mod page;

use std::borrow::Cow;
use std::path::Path;

use crate::record::{Member, Question};

pub use html::html_to_text;

/// What one file holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    pub questions: Vec<Question>,
    /// Members, from a Members API file.
    pub members: Vec<Member>,
    /// The records of the file that could not be read; the others are kept.
    pub rejected: Vec<ItemError>,
}

impl Parsed {
    fn questions(questions: Vec<Question>) -> Parsed {
        Parsed {
            questions,
            ..Parsed::default()
        }
    }
}

/// One record of a file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("item {item} (line {line}): {reason}")]
pub struct ItemError {
    /// Its 1-based position among the file's records.
    pub item: usize,
    /// The 1-based line of the file where the problem is.
    pub line: usize,
    pub reason: String,
}

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
    /// JSON of Parliament's APIs: written questions or members, a list or a single one.
    ApiJson,
}

/// Reads and parses one file.
pub fn parse_file(path: &Path) -> Result<Parsed, ParseError> {
    let bytes = std::fs::read(path).map_err(|error| ParseError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse_bytes(&bytes, &path.display().to_string())
}

/// Parses the bytes of one file; `source` names it in records and errors.
pub fn parse_bytes(bytes: &[u8], source: &str) -> Result<Parsed, ParseError> {
    let invalid = |f: Failure| ParseError::Invalid {
        path: source.to_string(),
        line: f.line,
        reason: f.reason,
    };
    let text = decode(bytes).map_err(invalid)?;
    match detect(&text) {
        // JSON strings are read as written: the cut rules count their characters, spaces
        // included, and the fields are normalised one by one.
        Format::ApiJson => api::parse(text.trim_start_matches('\u{feff}'), source),
        Format::Listing => listing::parse(&normalize(&text), source),
        Format::Page => page::parse(&normalize(&text), source).map(|q| Parsed::questions(vec![q])),
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

/// Checks that the bytes are non-empty text and returns them as a string: UTF-8, or UTF-16
/// when a byte-order mark says so (Windows tools write it).
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, Failure> {
    let line_at = |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    let text = match bytes {
        [0xff, 0xfe, rest @ ..] => Cow::Owned(utf16(rest, u16::from_le_bytes)?),
        [0xfe, 0xff, rest @ ..] => Cow::Owned(utf16(rest, u16::from_be_bytes)?),
        _ => {
            if let Some(nul) = bytes.iter().position(|&b| b == 0) {
                // Every other byte NUL: UTF-16 without its byte-order mark.
                let reason = if looks_like_utf16(bytes) {
                    "UTF-16 text without a byte-order mark; save it as UTF-8 (or UTF-16 with a byte-order mark)"
                } else {
                    "binary data (a NUL byte); expected a text file"
                };
                return Err(Failure::new(line_at(nul), reason));
            }
            Cow::Borrowed(std::str::from_utf8(bytes).map_err(|e| {
                Failure::new(
                    line_at(e.valid_up_to()),
                    format!(
                        "not valid UTF-8 (bad byte at offset {}); expected UTF-8 text",
                        e.valid_up_to()
                    ),
                )
            })?)
        }
    };
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(Failure::new(
            1,
            "the file is empty; expected a written question",
        ));
    }
    if let Some(nul) = text.find('\0') {
        let line = 1 + text[..nul].matches('\n').count();
        return Err(Failure::new(
            line,
            "binary data (a NUL character); expected a text file",
        ));
    }
    Ok(text)
}

/// UTF-16 code units (after the byte-order mark) as a string.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, Failure> {
    if !bytes.len().is_multiple_of(2) {
        return Err(Failure::new(
            1,
            "UTF-16 text (by its byte-order mark) with an odd number of bytes; the file is cut or not UTF-16",
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut line = 1;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                line += usize::from(c == '\n');
                out.push(c);
            }
            Err(_) => {
                return Err(Failure::new(
                    line,
                    "not valid UTF-16 (an unpaired surrogate), although the byte-order mark says UTF-16",
                ))
            }
        }
    }
    Ok(out)
}

/// Whether NULs fall on every other byte, as in ASCII text written as UTF-16.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(400)];
    if sample.len() < 4 {
        return false;
    }
    let nul_at = |parity: usize| {
        sample
            .iter()
            .enumerate()
            .filter(|(i, &b)| i % 2 == parity && b == 0)
            .count()
    };
    let half = sample.len() / 2;
    (nul_at(0) * 10 >= half * 9 && nul_at(1) == 0) || (nul_at(1) * 10 >= half * 9 && nul_at(0) == 0)
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

    /// Regression (issue 9): UTF-16 files were "binary data (a NUL byte)".
    #[test]
    fn utf16_with_a_bom_is_read_and_without_one_is_named() {
        let page = "H\n\n(asked on 1st May 2024) - View Source\n\nQuestion to the Home Office:\n\nTo ask the Secretary of State, what.\n\nReticulating Splines\n";
        let plain = parse_bytes(page.as_bytes(), "x").unwrap();
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(page.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(page.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(parse_bytes(&le, "x").unwrap(), plain);
        assert_eq!(parse_bytes(&be, "x").unwrap(), plain);
        let err = parse_bytes(&le[2..], "x").unwrap_err().to_string();
        assert!(
            err.contains("UTF-16 text without a byte-order mark"),
            "{err}"
        );
        let err = parse_bytes(&le[..le.len() - 1], "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("odd number of bytes"), "{err}");
    }
}
