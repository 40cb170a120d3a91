//! The query language analysts type, parsed into an AST, then built (in [`build`]) into
//! tantivy queries whose words are expanded from the index's own term dictionary.
//!
//! TheyWorkForYou and Lucene conventions rather than tantivy's defaults:
//!
//! - words must all match (AND), in the heading, question or answer; how a word is widened
//!   (plurals, stems, or not at all) is the search's [`Stem`](crate::words::Stem) choice;
//! - `"quoted phrases"` match those words in that order, exactly (case and accents aside);
//!   `"a b"~5` allows up to 5 other words between them, in order; `NEAR(a b, 5)` in any
//!   order;
//! - `nurs*` matches every word starting with "nurs", also inside phrases;
//! - only capitals `AND`, `OR`, `NOT` are operators (`-word` too); "and" and "or" are
//!   words, with a hint; `|` is refused;
//! - field prefixes ([`PREFIXES`]), case-insensitive, narrow a word, phrase or group; an
//!   unknown prefix is an error that lists the known ones;
//! - `*` alone matches every question, so that filters alone can select.
//!
//! A recursive-descent parser reads the query in one pass, so no input can make it hang;
//! the query's length, its number of words and its nesting are bounded, and every error
//! carries the column it refers to.

pub mod build;
pub mod span;
pub mod word;

use std::fmt;

pub use build::{Builder, Highlights};

use crate::schema::TextPart;
use crate::words::{self, MAX_WORD_CHARS};

/// The deepest nesting of parentheses accepted; deeper is an error, not a stack overflow.
const MAX_DEPTH: usize = 32;
/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2_000;
/// The most words a query may search for (every word of every phrase counts).
pub const MAX_WORDS: usize = 64;
/// The widest proximity: `"a b"~N` and `NEAR(a b, N)` take N up to this.
pub const MAX_DISTANCE: u32 = 50;
/// The most words in one `NEAR(...)`.
pub const MAX_NEAR_WORDS: usize = 8;
/// The fewest letters before a wildcard `*`.
pub const MIN_WILDCARD_PREFIX: usize = 3;
/// `NEAR(a b)` without a distance.
pub const DEFAULT_NEAR: u32 = 10;

/// A query that cannot be parsed or built: what is wrong and at which column (1-based, in
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl QueryError {
    fn new(column: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            column,
            message: message.into(),
        }
    }
}

/// Where a word or phrase is searched, or which field a value filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Heading, question and answer.
    Text,
    /// One part of the text.
    Part(TextPart),
    /// Words of the answering department's name, or a short form of it (DHSC).
    Department,
    AnsweredBy,
    AskedBy,
    /// The asking or the answering member.
    Member,
    /// The question's UIN, exactly.
    Uin,
    Status,
    House,
    /// The date asked (tabled): `tabled:2024`, `tabled:2024-03..2024-06`.
    Tabled,
    /// The date answered.
    Answered,
}

impl Scope {
    /// Whether words are searched with their positions and BM25 (not a filter value).
    pub fn is_words(self) -> bool {
        !matches!(
            self,
            Scope::Uin | Scope::Status | Scope::House | Scope::Tabled | Scope::Answered
        )
    }

    /// Whether the scope is (part of) the question's text, where stemming applies.
    pub fn is_text(self) -> bool {
        matches!(self, Scope::Text | Scope::Part(_))
    }
}

/// Every field prefix, with its aliases, in the order the help lists them.
pub const PREFIXES: [(&str, Scope); 15] = [
    ("heading", Scope::Part(TextPart::Heading)),
    ("title", Scope::Part(TextPart::Heading)),
    ("question", Scope::Part(TextPart::Question)),
    ("answer", Scope::Part(TextPart::Answer)),
    ("department", Scope::Department),
    ("dept", Scope::Department),
    ("by", Scope::AnsweredBy),
    ("asked", Scope::AskedBy),
    ("member", Scope::Member),
    ("uin", Scope::Uin),
    ("status", Scope::Status),
    ("house", Scope::House),
    ("tabled", Scope::Tabled),
    ("answered", Scope::Answered),
    ("answeredon", Scope::Answered),
];

fn known_prefixes() -> String {
    PREFIXES
        .iter()
        .filter(|(n, _)| *n != "answeredon")
        .map(|(n, _)| format!("{n}:"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = PREFIXES
            .iter()
            .find(|(_, s)| s == self)
            .map_or("text", |(n, _)| n);
        f.write_str(name)
    }
}

/// The parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `*`: every question.
    All,
    /// A word as typed (it may end in `*`, and may hold several words, as "covid-19"
    /// does), or a filter value.
    Word {
        scope: Scope,
        text: String,
        column: usize,
    },
    /// A quoted phrase; with `slop`, its words in order with up to that many others between.
    Phrase {
        scope: Scope,
        text: String,
        slop: Option<u32>,
        column: usize,
    },
    /// `NEAR(a b c, n)`: the words in any order, with at most n others among them.
    Near {
        scope: Scope,
        text: String,
        distance: u32,
        column: usize,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>, usize),
}

/// One word position of a query word or phrase: the folded word, and whether it is a
/// prefix (`nurs*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub word: String,
    pub prefix: bool,
    /// Typed in capitals ("NHS"): its final S is not a plural.
    pub acronym: bool,
}

/// The word positions of a text (a word as typed, or a phrase's words), with wildcards
/// and the limits checked. A chunk ending in `*` makes its last word a prefix.
pub fn slots(text: &str) -> Result<Vec<Slot>, String> {
    let mut out = Vec::new();
    for chunk in text.split_whitespace() {
        let (body, prefix) = match chunk.strip_suffix('*') {
            Some(body) => (body, true),
            None => (chunk, false),
        };
        if body.contains('*') {
            return Err(format!(
                "{chunk:?}: a * may only end a word, as in nurs* (at least {MIN_WILDCARD_PREFIX} letters before it)"
            ));
        }
        let (words, longest) = words::query_words(body);
        if longest > MAX_WORD_CHARS {
            return Err(format!(
                "{chunk:?} has a word of {longest} characters; words longer than {MAX_WORD_CHARS} are not indexed, so it could never match"
            ));
        }
        let n = words.len();
        for (i, word) in words.into_iter().enumerate() {
            let acronym = body.chars().any(|c| c.is_alphabetic())
                && body
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase)
                && body.chars().filter(|c| c.is_alphabetic()).count() >= 2;
            out.push(Slot {
                word,
                prefix: prefix && i + 1 == n,
                acronym,
            });
        }
        if prefix {
            let short = match out.last() {
                Some(last) if n > 0 => last.word.chars().count() < MIN_WILDCARD_PREFIX,
                _ => true,
            };
            if short {
                return Err(format!(
                    "{chunk:?}: give at least {MIN_WILDCARD_PREFIX} letters before the * (a lone * means every question)"
                ));
            }
        }
    }
    Ok(out)
}

/// A parsed query and the hints worth telling the user about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub node: Node,
    /// One-line notes on what the query may not mean ("or" searched as a word).
    pub hints: Vec<String>,
}

/// Parses a query string.
pub fn parse(input: &str) -> Result<Node, QueryError> {
    parse_with_hints(input).map(|p| p.node)
}

/// Parses a query string, keeping the hints.
pub fn parse_with_hints(input: &str) -> Result<Parsed, QueryError> {
    let length = input.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(QueryError::new(
            MAX_QUERY_CHARS + 1,
            format!(
                "the query is {length} characters long; the limit is {MAX_QUERY_CHARS} \
                 (split it into several searches; export --queries runs a list of them)"
            ),
        ));
    }
    let tokens = lex(input)?;
    let hints = hints(&tokens);
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: length + 1,
    };
    if p.tokens.is_empty() {
        return Err(QueryError::new(
            1,
            "the query is empty; give words to search for, or * for every question",
        ));
    }
    let node = p.or()?;
    if let Some(tok) = p.tokens.get(p.pos) {
        let message = match tok.kind {
            Tok::Close => "unmatched closing parenthesis".to_string(),
            _ => format!("unexpected {}", tok.kind.describe()),
        };
        return Err(QueryError::new(tok.column, message));
    }
    if let Some(column) = first_negative_only(&node) {
        return Err(QueryError::new(
            column,
            "the query has only negative terms, which match nothing by themselves; \
             add a word to search for, or start with * to exclude from everything",
        ));
    }
    check_words(&node, &mut 0)?;
    Ok(Parsed { node, hints })
}

/// Checks every word and phrase (wildcards, lengths) and the number of words.
fn check_words(node: &Node, count: &mut usize) -> Result<(), QueryError> {
    let mut add = |n: usize, column: usize| {
        *count += n;
        if *count > MAX_WORDS {
            Err(QueryError::new(
                column,
                format!(
                    "the query has more than {MAX_WORDS} words; the limit keeps every search \
                     fast (split it into several searches; export --queries runs a list of them)"
                ),
            ))
        } else {
            Ok(())
        }
    };
    match node {
        Node::All => Ok(()),
        Node::Word {
            scope,
            text,
            column,
        }
        | Node::Phrase {
            scope,
            text,
            column,
            ..
        } if !scope.is_words() => {
            if text.contains('*') {
                return Err(QueryError::new(
                    *column,
                    format!("{scope}: takes a whole value; wildcards do not apply to it"),
                ));
            }
            add(1, *column)
        }
        Node::Word { text, column, .. } | Node::Phrase { text, column, .. } => {
            let slots = slots(text).map_err(|m| QueryError::new(*column, m))?;
            add(slots.len().max(1), *column)
        }
        Node::Near {
            scope,
            text,
            column,
            ..
        } => {
            if !scope.is_words() {
                return Err(QueryError::new(
                    *column,
                    format!("NEAR does not apply to {scope}:"),
                ));
            }
            let slots = slots(text).map_err(|m| QueryError::new(*column, m))?;
            if slots.len() < 2 || slots.len() > MAX_NEAR_WORDS {
                return Err(QueryError::new(
                    *column,
                    format!(
                        "NEAR takes 2 to {MAX_NEAR_WORDS} words, as in NEAR(nurses midwives, 5)"
                    ),
                ));
            }
            add(slots.len(), *column)
        }
        Node::And(c) | Node::Or(c) => c.iter().try_for_each(|n| check_words(n, count)),
        Node::Not(n, _) => check_words(n, count),
    }
}

/// Where the query (or an OR branch) is purely negative, the column of its first NOT.
fn first_negative_only(node: &Node) -> Option<usize> {
    fn positive(n: &Node) -> bool {
        match n {
            Node::All | Node::Word { .. } | Node::Phrase { .. } | Node::Near { .. } => true,
            Node::Not(..) => false,
            Node::And(children) => children.iter().any(positive),
            Node::Or(children) => children.iter().all(positive),
        }
    }
    fn first_not(n: &Node) -> Option<usize> {
        match n {
            Node::Not(_, column) => Some(*column),
            Node::And(c) | Node::Or(c) => c.iter().find_map(first_not),
            _ => None,
        }
    }
    fn check(n: &Node) -> Option<usize> {
        if !positive(n) {
            return first_not(n);
        }
        match n {
            // Nested groups must stand on their own too.
            Node::And(c) | Node::Or(c) => c
                .iter()
                .filter(|child| !matches!(child, Node::Not(..)))
                .find_map(check),
            _ => None,
        }
    }
    check(node)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String, Option<u32>),
    Near(String, u32),
    /// `name:` directly before a word, phrase or parenthesis.
    Prefix(Scope),
    Open,
    Close,
    And,
    Or,
    Not,
    /// `-` directly before a word, phrase, prefix or parenthesis.
    Minus,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("word {w:?}"),
            Tok::Phrase(p, _) => format!("phrase \"{p}\""),
            Tok::Near(..) => "NEAR(...)".into(),
            Tok::Prefix(s) => format!("prefix {s}:"),
            Tok::Open => "opening parenthesis".into(),
            Tok::Close => "closing parenthesis".into(),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::Minus => "-".into(),
        }
    }

    /// Whether a term can end here (for hints about "or" between two terms).
    fn ends_term(&self) -> bool {
        matches!(
            self,
            Tok::Word(_) | Tok::Phrase(..) | Tok::Near(..) | Tok::Close
        )
    }

    fn starts_term(&self) -> bool {
        matches!(
            self,
            Tok::Word(_)
                | Tok::Phrase(..)
                | Tok::Near(..)
                | Tok::Open
                | Tok::Prefix(_)
                | Tok::Minus
        )
    }
}

#[derive(Debug)]
struct Token {
    kind: Tok,
    column: usize,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}')
}

/// Reads `~N` after a phrase at `chars[i]`: the distance and the index after it.
fn read_slop(chars: &[char], i: usize, column: usize) -> Result<(Option<u32>, usize), QueryError> {
    if chars.get(i) != Some(&'~') {
        return Ok((None, i));
    }
    let digits: String = chars[i + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let n: u32 = digits.parse().map_err(|_| {
        QueryError::new(
            column,
            "~ after a phrase needs a number of words, as in \"nurses midwives\"~5",
        )
    })?;
    if n > MAX_DISTANCE {
        return Err(QueryError::new(
            column,
            format!("~{n} is too far; the limit is ~{MAX_DISTANCE}"),
        ));
    }
    Ok((Some(n), i + 1 + digits.len()))
}

fn lex(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let push = |out: &mut Vec<Token>, kind| out.push(Token { kind, column });
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                push(&mut out, Tok::Open);
                i += 1;
            }
            ')' => {
                push(&mut out, Tok::Close);
                i += 1;
            }
            '|' => {
                return Err(QueryError::new(
                    column,
                    "| is not an operator here; write OR (in capitals) for either word",
                ))
            }
            c if is_quote(c) => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&c| is_quote(c))
                    .ok_or_else(|| {
                        QueryError::new(column, "unclosed quote: a phrase needs a closing \"")
                    })?;
                let text: String = chars[i + 1..i + 1 + close].iter().collect();
                let (slop, next) = read_slop(&chars, i + close + 2, column)?;
                push(&mut out, Tok::Phrase(text, slop));
                i = next;
            }
            '-' if chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != ')')
                && (i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(') =>
            {
                push(&mut out, Tok::Minus);
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !"()|".contains(chars[i])
                    && !is_quote(chars[i])
                {
                    if chars[i] == ':' && i > start {
                        if let Some(prefix) = lex_prefix(&chars, start, i)? {
                            out.push(Token {
                                kind: Tok::Prefix(prefix),
                                column: start + 1,
                            });
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
                if matches!(out.last(), Some(Token { kind: Tok::Prefix(_), column: c }) if *c == start + 1)
                {
                    if chars.get(i) == Some(&'-') {
                        let name: String = chars[start..i - 1].iter().collect();
                        return Err(QueryError::new(
                            i + 1,
                            format!(
                                "a minus after {name}: would be silently ignored; put it before the prefix: -{name}:…"
                            ),
                        ));
                    }
                    continue;
                }
                let word: String = chars[start..i].iter().collect();
                if word == "NEAR" && chars.get(i) == Some(&'(') {
                    let (near, next) = lex_near(&chars, i, start + 1)?;
                    out.push(Token {
                        kind: near,
                        column: start + 1,
                    });
                    i = next;
                    continue;
                }
                if word.contains('~') {
                    return Err(QueryError::new(
                        start + 1,
                        "~ works after a quoted phrase only, as in \"nurses midwives\"~5",
                    ));
                }
                let kind = match word.as_str() {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(word),
                };
                out.push(Token {
                    kind,
                    column: start + 1,
                });
            }
        }
    }
    Ok(out)
}

/// At a colon after letters: a known prefix (any case), None for text such as "10:30",
/// or an error naming the known prefixes for an unknown one.
fn lex_prefix(chars: &[char], start: usize, colon: usize) -> Result<Option<Scope>, QueryError> {
    let name: String = chars[start..colon].iter().collect();
    if !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return Ok(None);
    }
    let lower = name.to_ascii_lowercase();
    let known = PREFIXES.iter().find(|(n, _)| *n == lower).map(|(_, s)| *s);
    let next = chars.get(colon + 1);
    let bare = next.is_none_or(|n| n.is_whitespace() || *n == ')');
    match (known, bare) {
        (Some(_), true) => Err(QueryError::new(
            start + 1,
            format!("prefix {lower}: needs a word, a \"phrase\" or (...) right after the colon"),
        )),
        (Some(scope), false) => Ok(Some(scope)),
        // "Note: the" is punctuation, not a prefix.
        (None, true) => Ok(None),
        (None, false) => Err(QueryError::new(
            start + 1,
            format!(
                "unknown field prefix {name}:; the known ones are {}. To search for the text, put it in quotes: \"{}\"",
                known_prefixes(),
                chars[start..]
                    .iter()
                    .take_while(|c| !c.is_whitespace())
                    .collect::<String>()
            ),
        )),
    }
}

/// `NEAR(` at `open`: the words and the distance, up to the closing parenthesis.
fn lex_near(chars: &[char], open: usize, column: usize) -> Result<(Tok, usize), QueryError> {
    let close = chars[open..]
        .iter()
        .position(|&c| c == ')')
        .map(|p| open + p)
        .ok_or_else(|| QueryError::new(column, "NEAR( has no closing parenthesis"))?;
    let inner: String = chars[open + 1..close].iter().collect();
    if inner.contains(['(', '"', '\u{201c}', '\u{201d}']) {
        return Err(QueryError::new(
            column,
            "NEAR takes plain words, as in NEAR(nurses midwives, 5)",
        ));
    }
    let (words, distance) = match inner.rsplit_once(',') {
        Some((words, n)) => {
            let n: u32 = n.trim().parse().map_err(|_| {
                QueryError::new(
                    column,
                    "NEAR's distance is a number of words, as in NEAR(nurses midwives, 5)",
                )
            })?;
            if n > MAX_DISTANCE {
                return Err(QueryError::new(
                    column,
                    format!("NEAR(..., {n}) is too far; the limit is {MAX_DISTANCE}"),
                ));
            }
            (words.to_string(), n)
        }
        None => (inner, DEFAULT_NEAR),
    };
    Ok((Tok::Near(words.trim().to_string(), distance), close + 1))
}

/// Hints for lower-case "or" and "and" between two terms.
fn hints(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Tok::Word(w) = &t.kind else { continue };
        let between = i > 0
            && tokens[i - 1].kind.ends_term()
            && tokens.get(i + 1).is_some_and(|n| n.kind.starts_term());
        if !between {
            continue;
        }
        let hint = match w.to_lowercase().as_str() {
            "or" => format!(
                "hint: {w:?} (column {}) is searched as a word; to find either word, write OR in capitals",
                t.column
            ),
            "and" => format!(
                "hint: {w:?} (column {}) is searched as a word; words must all match anyway (AND in capitals is the operator)",
                t.column
            ),
            _ => continue,
        };
        if !out.contains(&hint) {
            out.push(hint);
        }
    }
    out
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    /// The column just past the end, for "ends early" errors.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.column)
    }

    fn or(&mut self) -> Result<Node, QueryError> {
        let mut branches = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            let column = self.column();
            self.pos += 1;
            if matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                return Err(QueryError::new(column, "OR needs a term on both sides"));
            }
            branches.push(self.and()?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap()
        } else {
            Node::Or(branches)
        })
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::Close | Tok::Or) => break,
                Some(Tok::And) => {
                    let column = self.column();
                    self.pos += 1;
                    if parts.is_empty()
                        || matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And))
                    {
                        return Err(QueryError::new(column, "AND needs a term on both sides"));
                    }
                }
                Some(_) => parts.push(self.unary()?),
            }
        }
        match parts.len() {
            0 => Err(QueryError::new(
                self.column(),
                match self.peek() {
                    Some(Tok::Or) => "OR needs a term on both sides",
                    Some(Tok::Close) => "empty parentheses or unmatched closing parenthesis",
                    _ => "expected a word, a \"phrase\" or (...)",
                },
            )),
            1 => Ok(parts.pop().unwrap()),
            _ => Ok(Node::And(parts)),
        }
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        if let Some(Tok::Not | Tok::Minus) = self.peek() {
            let column = self.column();
            let what = if self.peek() == Some(&Tok::Not) {
                "NOT"
            } else {
                "-"
            };
            self.pos += 1;
            if matches!(self.peek(), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                return Err(QueryError::new(
                    column,
                    format!("{what} needs a term after it"),
                ));
            }
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(QueryError::new(
                    column,
                    format!("NOTs and parentheses nested deeper than {MAX_DEPTH}"),
                ));
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner), column));
        }
        self.primary(Scope::Text)
    }

    fn primary(&mut self, scope: Scope) -> Result<Node, QueryError> {
        let column = self.column();
        let Some(tok) = self.tokens.get(self.pos).map(|t| t.kind.clone()) else {
            return Err(QueryError::new(
                column,
                "the query ends early; expected a word, a \"phrase\" or (...)",
            ));
        };
        self.pos += 1;
        match tok {
            Tok::Word(text) if text == "*" => {
                if scope == Scope::Text {
                    Ok(Node::All)
                } else {
                    Err(QueryError::new(
                        column,
                        format!(
                            "{scope}:* has no word to match; give a word, or the start of one with * (such as {scope}:nurs*)"
                        ),
                    ))
                }
            }
            Tok::Word(text) => Ok(Node::Word {
                scope,
                text,
                column,
            }),
            Tok::Phrase(text, slop) => Ok(Node::Phrase {
                scope,
                text,
                slop,
                column,
            }),
            Tok::Near(text, distance) => Ok(Node::Near {
                scope,
                text,
                distance,
                column,
            }),
            Tok::Prefix(inner) if scope == Scope::Text => self.primary(inner),
            Tok::Open => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(QueryError::new(
                        column,
                        format!("parentheses nested deeper than {MAX_DEPTH}"),
                    ));
                }
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(QueryError::new(
                        column,
                        "unclosed parenthesis: this ( has no matching )",
                    ));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(if scope == Scope::Text {
                    inner
                } else {
                    rescope(inner, scope)
                })
            }
            other => Err(QueryError::new(
                column,
                format!(
                    "unexpected {}; expected a word, a \"phrase\" or (...)",
                    other.describe()
                ),
            )),
        }
    }
}

/// A prefix before a group applies to every word inside that has none of its own.
fn rescope(node: Node, to: Scope) -> Node {
    match node {
        Node::Word {
            scope: Scope::Text,
            text,
            column,
        } => Node::Word {
            scope: to,
            text,
            column,
        },
        Node::Phrase {
            scope: Scope::Text,
            text,
            slop,
            column,
        } => Node::Phrase {
            scope: to,
            text,
            slop,
            column,
        },
        Node::Near {
            scope: Scope::Text,
            text,
            distance,
            column,
        } => Node::Near {
            scope: to,
            text,
            distance,
            column,
        },
        Node::And(c) => Node::And(c.into_iter().map(|n| rescope(n, to)).collect()),
        Node::Or(c) => Node::Or(c.into_iter().map(|n| rescope(n, to)).collect()),
        Node::Not(n, column) => Node::Not(Box::new(rescope(*n, to)), column),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, column: usize) -> Node {
        Node::Word {
            scope: Scope::Text,
            text: text.into(),
            column,
        }
    }

    fn err(q: &str) -> QueryError {
        parse(q).expect_err(q)
    }

    #[test]
    fn default_is_and_and_or_binds_looser() {
        assert_eq!(
            parse("a b OR c").unwrap(),
            Node::Or(vec![
                Node::And(vec![word("a", 1), word("b", 3)]),
                word("c", 8)
            ])
        );
        assert_eq!(
            parse("a AND b").unwrap(),
            Node::And(vec![word("a", 1), word("b", 7)])
        );
    }

    #[test]
    fn negation_prefixes_and_phrases() {
        assert_eq!(
            parse("school -fees").unwrap(),
            Node::And(vec![
                word("school", 1),
                Node::Not(Box::new(word("fees", 9)), 8)
            ])
        );
        assert_eq!(
            parse("answer:\"Online Safety\"").unwrap(),
            Node::Phrase {
                scope: Scope::Part(TextPart::Answer),
                text: "Online Safety".into(),
                slop: None,
                column: 8
            }
        );
        assert_eq!(
            parse("by:(dines OR smith)").unwrap(),
            Node::Or(vec![
                Node::Word {
                    scope: Scope::AnsweredBy,
                    text: "dines".into(),
                    column: 5
                },
                Node::Word {
                    scope: Scope::AnsweredBy,
                    text: "smith".into(),
                    column: 14
                },
            ])
        );
        // Hyphens inside words, and colons after digits, are just text.
        assert_eq!(parse("covid-19").unwrap(), word("covid-19", 1));
        assert_eq!(parse("10:30").unwrap(), word("10:30", 1));
        // "Note: the" is punctuation.
        assert_eq!(
            parse("Note: the").unwrap(),
            Node::And(vec![word("Note:", 1), word("the", 7)])
        );
    }

    #[test]
    fn prefixes_are_case_insensitive_with_aliases() {
        let heading = |q: &str| match parse(q).unwrap() {
            Node::Word { scope, .. } => scope,
            other => panic!("{other:?}"),
        };
        for q in ["heading:x", "Heading:x", "TITLE:x", "title:x"] {
            assert_eq!(heading(q), Scope::Part(TextPart::Heading), "{q}");
        }
        assert_eq!(heading("dept:health"), Scope::Department);
        assert_eq!(heading("Member:smith"), Scope::Member);
        assert_eq!(heading("uin:124967"), Scope::Uin);
        assert_eq!(heading("tabled:2024-03..2024-06"), Scope::Tabled);
        assert_eq!(heading("answered:2025"), Scope::Answered);
        let e = err("foo:bar");
        assert_eq!(e.column, 1);
        assert!(e.message.contains("unknown field prefix foo:"), "{e}");
        assert!(e.message.contains("heading: title:"), "{e}");
    }

    #[test]
    fn phrases_take_a_slop_and_near_a_distance() {
        assert_eq!(
            parse("\"nurses midwives\"~5").unwrap(),
            Node::Phrase {
                scope: Scope::Text,
                text: "nurses midwives".into(),
                slop: Some(5),
                column: 1
            }
        );
        assert_eq!(
            parse("NEAR(nurses midwives, 3) pay").unwrap(),
            Node::And(vec![
                Node::Near {
                    scope: Scope::Text,
                    text: "nurses midwives".into(),
                    distance: 3,
                    column: 1
                },
                word("pay", 26)
            ])
        );
        assert!(matches!(
            parse("NEAR(a b)").unwrap(),
            Node::Near {
                distance: DEFAULT_NEAR,
                ..
            }
        ));
        assert!(err("NEAR(a)").message.contains("NEAR takes 2"));
        assert!(err("\"a b\"~x").message.contains("needs a number"));
        assert!(err("\"a b\"~500").message.contains("too far"));
        assert!(err("nurse~2").message.contains("after a quoted phrase"));
    }

    #[test]
    fn wildcards_need_three_letters_and_end_a_word() {
        assert_eq!(parse("nurs*").unwrap(), word("nurs*", 1));
        assert!(parse("\"mental health nurs*\"").is_ok());
        assert!(err("nu*").message.contains("at least 3 letters"));
        assert!(err("n*rse").message.contains("may only end a word"));
        assert!(err("\"mental nu*\"").message.contains("at least 3 letters"));
        assert!(err("by:*").message.contains("by:* has no word"));
        assert!(err("asked:*").message.contains("asked:* has no word"));
        assert!(err("uin:12*").message.contains("whole value"));
    }

    #[test]
    fn silent_misreadings_are_errors_or_hints() {
        // Regression (issue 9): heading:-schools was read as heading:schools.
        let e = err("heading:-schools");
        assert!(e.message.contains("-heading:"), "{e}");
        let e = err("nurses | midwives");
        assert!(e.message.contains("write OR"), "{e}");
        assert_eq!(e.column, 8);
        let p = parse_with_hints("nurses or midwives").unwrap();
        assert_eq!(p.hints.len(), 1);
        assert!(p.hints[0].contains("OR in capitals"), "{:?}", p.hints);
        assert_eq!(
            p.node,
            Node::And(vec![word("nurses", 1), word("or", 8), word("midwives", 11)])
        );
        assert!(parse_with_hints("or nurses").unwrap().hints.is_empty());
        let p = parse_with_hints("law and order").unwrap();
        assert!(p.hints[0].contains("AND in capitals"));
        // Regression (issue 9): a word over 40 characters was dropped from the query.
        let long = "a".repeat(MAX_WORD_CHARS + 1);
        let e = err(&format!("school {long}"));
        assert!(e.message.contains("not indexed"), "{e}");
        assert_eq!(e.column, 8);
        let fine = "b".repeat(50);
        assert!(parse(&format!("school {fine}")).is_ok());
    }

    #[test]
    fn query_size_is_bounded() {
        // Regression (issue 9, item 12): "the " x 5000 took 38.8 s.
        let e = err(&"the ".repeat(5000));
        assert!(e.message.contains("characters long"), "{e}");
        let e = err(&"the ".repeat(MAX_WORDS + 1));
        assert!(e.message.contains("more than 64 words"), "{e}");
        assert!(parse(&"the ".repeat(MAX_WORDS)).is_ok());
        let accents = format!("a{}", "\u{301}".repeat(60_000));
        assert!(err(&accents).message.contains("characters long"));
        let e = err(&format!("\"{}\"", "word ".repeat(MAX_WORDS + 1)));
        assert!(e.message.contains("words"), "{e}");
    }

    #[test]
    fn malformed_queries_say_what_and_where() {
        let cases = [
            ("\"online safety", 1, "unclosed quote"),
            ("(a OR b", 1, "unclosed parenthesis"),
            ("a OR b)", 7, "unmatched closing parenthesis"),
            ("a OR", 3, "OR needs a term on both sides"),
            ("OR a", 1, "OR needs a term on both sides"),
            ("a AND", 3, "AND needs a term on both sides"),
            ("a NOT", 3, "NOT needs a term after it"),
            ("-a -b", 1, "only negative terms"),
            ("a OR -b", 6, "only negative terms"),
            ("NOT a", 1, "only negative terms"),
            ("x (-a OR b)", 4, "only negative terms"),
            ("", 1, "empty"),
            ("   ", 1, "empty"),
            ("()", 2, "empty parentheses"),
            ("heading: x", 1, "prefix heading: needs"),
            ("a:(^", 1, ""),
        ];
        for (q, column, text) in cases {
            if q == "a:(^" {
                // tantivy's lenient parser hangs on this; ours must answer at once.
                let _ = parse(q);
                continue;
            }
            let e = err(q);
            assert_eq!(e.column, column, "{q:?}: {e}");
            assert!(e.message.contains(text), "{q:?}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let q = "(".repeat(10_000) + "a" + &")".repeat(10_000);
        assert!(err(&q).message.contains("characters long"));
        let q = "(".repeat(500) + "a" + &")".repeat(500);
        assert!(err(&q).message.contains("nested deeper"));
        let q = "a ".to_string() + &"-".repeat(500) + "b";
        let _ = parse(&q);
        let ok = "(".repeat(10) + "a" + &")".repeat(10);
        assert_eq!(parse(&ok).unwrap(), word("a", 11));
    }

    #[test]
    fn star_matches_everything_and_may_exclude() {
        assert_eq!(parse("*").unwrap(), Node::All);
        assert!(parse("* -school").is_ok());
    }

    #[test]
    fn slots_mark_prefixes_and_acronyms() {
        let s = slots("GPs NHS covid-19 nurs*").unwrap();
        let words: Vec<_> = s.iter().map(|s| s.word.as_str()).collect();
        assert_eq!(words, ["gps", "nhs", "covid", "19", "nurs"]);
        assert!(!s[0].acronym && s[1].acronym && s[4].prefix && !s[3].prefix);
    }

    proptest::proptest! {
        #[test]
        fn any_input_parses_or_errs_quickly(q in "[a-zA-Z:()\"*~|,\\- ]{0,80}") {
            let _ = parse_with_hints(&q);
        }
    }
}
