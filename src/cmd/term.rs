//! Text meant for a person at a terminal: escaped control characters, bounded echoes of
//! what the user or the data said, and stderr writes that never panic.
//!
//! Records come from outside (pages, API JSON), so their texts may hold NUL, ESC, BEL or
//! bidi overrides; printed raw, an ESC sequence can recolour, retitle or clear the user's
//! terminal, and a CR or a bidi override can make a quoted answer read differently from
//! what the index holds. Text output escapes them (`\u{1b}`), so that nothing is hidden and
//! nothing acts; JSON and CSV keep them exactly.
//!
//! `eprintln!` panics when stderr is closed (`pqsearch show x 2>&1 | head -c 10`), so
//! every message goes through [`say!`], which drops what cannot be written.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;

/// The most characters of one line of a message: enough for any path and reason, and a
/// bound on how much of a bad file or an oversized argument a message can quote.
pub const MAX_MESSAGE_LINE: usize = 2000;

/// The most characters of one cause in an error's chain.
pub const MAX_CAUSE: usize = 400;

/// How much of a user's argument a message repeats back.
pub const MAX_ECHO: usize = 100;

/// Whether a character must not reach a terminal as it is: C0 controls and DEL, C1 controls
/// (U+009B is a one-character escape sequence on some terminals) and the bidi embeddings,
/// overrides and isolates that reorder what is shown.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as `\u{..}`. Tabs are kept; line breaks are
/// kept when `lines` is true (a block of text) and escaped otherwise (a one-line field,
/// where a line break could forge another line of output).
pub fn escape(text: &str, lines: bool) -> Cow<'_, str> {
    let keep = |c: char| c == '\t' || (lines && c == '\n');
    if !text.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && !keep(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut to at most `max` characters, saying how many were left out.
pub fn clip(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &text[..cut]))
        }
    }
}

/// A user's argument as a message repeats it: quoted, escaped, and at most [`MAX_ECHO`]
/// characters.
pub fn echo(arg: &str) -> String {
    let total = arg.chars().count();
    if total <= MAX_ECHO {
        format!("{arg:?}")
    } else {
        let start: String = arg.chars().take(MAX_ECHO).collect();
        format!("{start:?}… ({total} characters in all)")
    }
}

/// A message for stderr: control characters escaped (line breaks kept) and each line cut
/// to [`MAX_MESSAGE_LINE`] characters.
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * MAX_MESSAGE_LINE));
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&clip(&escape(line, false), MAX_MESSAGE_LINE));
    }
    out
}

/// An error and its causes on one line (`{:#}`), each cause cut on its own so that a huge
/// one (a file's contents in a parse error) cannot push out the others.
pub fn error_message(err: &anyhow::Error) -> String {
    let parts: Vec<String> = err
        .chain()
        .map(|e| clip(&escape(&e.to_string(), false), MAX_CAUSE).into_owned())
        .collect();
    parts.join(": ")
}

/// Writes to stderr, dropping what cannot be written: a closed stderr is no reason to fail
/// or panic.
pub fn stderr(args: std::fmt::Arguments<'_>) {
    let text = message(&args.to_string());
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// `eprintln!` that escapes, bounds and never panics (see [`stderr`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cmd::term::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use say;

/// A progress bar on stderr, drawn only when stderr is a terminal (none when output is
/// piped or redirected), and cleared when dropped so that the summary starts on a clean line.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// A bar drawn with indicatif's `template`.
    pub fn new(template: &str) -> Bar {
        Bar(
            std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
                indicatif::ProgressBar::new(0).with_style(
                    indicatif::ProgressStyle::with_template(template).expect("valid template"),
                )
            }),
        )
    }

    /// The bar, when one is drawn.
    pub fn get(&self) -> Option<&indicatif::ProgressBar> {
        self.0.as_ref()
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_tabs_kept() {
        assert_eq!(escape("plain £ text", false), "plain £ text");
        assert!(matches!(escape("plain", false), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\u{1b}[2Jb\u{7}\0c\td", false),
            "a\\u{1b}[2Jb\\u{7}\\u{0}c\td"
        );
        assert_eq!(escape("one\ntwo\r", true), "one\ntwo\\u{d}");
        assert_eq!(escape("one\ntwo", false), "one\\u{a}two");
        assert_eq!(
            escape("\u{9b}31m \u{202e}evil", true),
            "\\u{9b}31m \\u{202e}evil"
        );
        assert_eq!(escape("\u{7f}", true), "\\u{7f}");
    }

    #[test]
    fn clips_count_characters_not_bytes() {
        assert_eq!(clip("££££", 4), "££££");
        assert_eq!(clip("££££££", 4), "££££… (2 more characters)");
        let long = "x".repeat(100_000);
        assert!(echo(&long).len() < 150, "{}", echo(&long));
        assert!(echo("\u{1b}").contains("\\u{1b}"));
    }

    #[test]
    fn messages_are_bounded_per_line() {
        let text = format!("first\n{}\u{1b}", "y".repeat(6000));
        let m = message(&text);
        assert!(m.starts_with("first\nyyy"));
        assert!(m.ends_with("(4006 more characters)"), "{m}");
        let err = anyhow::anyhow!("{}", "z".repeat(10_000)).context("reading meta.json");
        let m = error_message(&err);
        assert!(
            m.starts_with("reading meta.json: zzz") && m.len() < 500,
            "{m}"
        );
    }
}
