//! Suggestions for a query that finds little: a close variant that finds much more, with
//! its count, so that an analyst does not report "no questions" where the words differ.
//!
//! - **Bill ⇄ Act**: a Bill becomes an Act when it passes, and questions follow the name.
//!   `"Online Safety Bill"` finds nothing in 2023-26; `"Online Safety Act"` finds 137.
//! - **Did you mean**: a word that the index holds in no form or hardly any (a slip such as
//!   `goverment` is in one question), one edit away from a word it holds far more often
//!   (`government`), taken from the index's own terms.
//! - **UIN**: a query that is only a number which is some question's UIN (`uin:124967`).
//!
//! Each variant is counted with the same filters, so the number shown is what the
//! suggested query would find.

use serde::Serialize;
use tantivy::{Searcher, Term};

use super::{Prepared, SearchError, SearchRequest};
use crate::index::PqIndex;
use crate::query::build::RareWord;
use crate::schema::TextPart;
use crate::words::{self, WordTokenizer};

/// A query with few matches is one with fewer than this many.
pub const FEW: usize = 10;
/// A word suggested instead of an absent one must be in at least this many questions,
/// and in this many times as many as the word typed.
const FREQUENT: u64 = 3;
const MORE_OFTEN: u64 = 20;

/// A variant of the query worth trying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The variant, as the user would type it.
    pub query: String,
    /// How many questions it finds, with the same filters.
    pub total: usize,
    /// One line for people.
    pub message: String,
}

pub fn suggest(
    index: &PqIndex,
    searcher: &Searcher,
    request: &SearchRequest,
    total: usize,
    rare: &[RareWord],
) -> Result<Vec<Suggestion>, SearchError> {
    let mut out = Vec::new();
    // A variant that cannot run is simply not suggested.
    let count = |query: &str| -> usize {
        let mut variant = request.clone();
        variant.query = query.to_string();
        Prepared::new(index, searcher, &variant)
            .and_then(|p| p.count(searcher))
            .unwrap_or(0)
    };
    if total < FEW {
        for (variant, to) in bill_act_variants(&request.query) {
            let n = count(&variant);
            if n >= FEW && n > 2 * total {
                let message = if to == "Act" {
                    let year = act_year(index, searcher, &variant)?;
                    let name = year.map_or(String::new(), |(name, year)| {
                        format!(" (the {name} {year})")
                    });
                    format!("a Bill that passes becomes an Act: {variant} has {n} matches{name}")
                } else {
                    format!("before it passed, an Act was a Bill: {variant} has {n} matches")
                };
                out.push(Suggestion {
                    query: variant,
                    total: n,
                    message,
                });
            }
        }
    }
    for word in rare {
        let at_least = FREQUENT.max(MORE_OFTEN * (word.doc_freq + 1));
        let Some(better) = did_you_mean(index, searcher, &word.word, at_least)? else {
            continue;
        };
        let variant = replace_at(&request.query, word.column, &word.typed, &better);
        let n = count(&variant);
        if n > total {
            out.push(Suggestion {
                message: format!(
                    "{:?} is in {}; did you mean {better:?}? {variant} has {}",
                    word.typed,
                    match word.doc_freq {
                        0 => "no question".to_string(),
                        1 => "1 question".to_string(),
                        n => format!("{n} questions"),
                    },
                    matches(n)
                ),
                query: variant,
                total: n,
            });
        }
    }
    let bare = request.query.trim();
    if !bare.is_empty() && bare.len() <= 12 && bare.chars().all(|c| c.is_ascii_digit()) {
        let variant = format!("uin:{bare}");
        let n = count(&variant);
        if n > 0 {
            out.push(Suggestion {
                message: format!("{bare} is a UIN: {variant} has {}", matches(n)),
                query: variant,
                total: n,
            });
        }
    }
    Ok(out)
}

fn matches(n: usize) -> String {
    if n == 1 {
        "1 match".into()
    } else {
        format!("{n} matches")
    }
}

/// The query with each whole word "Bill" turned into "Act", and "Act" into "Bill"
/// (keeping the case), one variant per direction.
fn bill_act_variants(query: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (from, to) in [("bill", "Act"), ("act", "Bill")] {
        let mut changed = false;
        let mut variant = String::with_capacity(query.len());
        let mut last = 0;
        for (start, end) in word_ranges(query) {
            let word = &query[start..end];
            if word.eq_ignore_ascii_case(from) {
                variant.push_str(&query[last..start]);
                variant.push_str(&match_case(word, to));
                last = end;
                changed = true;
            }
        }
        variant.push_str(&query[last..]);
        if changed {
            out.push((variant, to));
        }
    }
    out
}

fn word_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn match_case(like: &str, word: &str) -> String {
    if like.chars().all(|c| c.is_uppercase()) {
        word.to_uppercase()
    } else if like.chars().next().is_some_and(char::is_uppercase) {
        word.to_string()
    } else {
        word.to_lowercase()
    }
}

/// The name and year of the Act in the variant's first quoted phrase, from the texts of
/// its best matches ("Online Safety Act" → "Online Safety Act", 2023).
fn act_year(
    index: &PqIndex,
    searcher: &Searcher,
    variant: &str,
) -> Result<Option<(String, String)>, SearchError> {
    let Some(phrase) = variant.split('"').nth(1) else {
        return Ok(None);
    };
    let want = words::words(phrase);
    if want.is_empty() {
        return Ok(None);
    }
    let mut request = SearchRequest::new(format!("\"{phrase}\""));
    request.limit = 5;
    let prepared = Prepared::new(index, searcher, &request)?;
    let (_, docs) = prepared.top(searcher, super::Sort::Relevance, 5, 0)?;
    let mut tokenizer = WordTokenizer::default();
    for (_, addr) in docs {
        let record = index.record(searcher, addr)?;
        for text in [Some(&record.question), record.answer.as_ref()]
            .into_iter()
            .flatten()
        {
            use tantivy::tokenizer::{TokenStream, Tokenizer};
            let mut stream = tokenizer.token_stream(text);
            // (word, start, end) of each position's main form.
            let mut tokens: Vec<(String, usize, usize)> = Vec::new();
            let mut last = usize::MAX;
            while let Some(t) = stream.next() {
                if t.position == last {
                    continue; // a second form at the same place
                }
                last = t.position;
                tokens.push((t.text.clone(), t.offset_from, t.offset_to));
            }
            for w in tokens.windows(want.len() + 1) {
                let year = &w[want.len()].0;
                let same = w[..want.len()].iter().zip(&want).all(|(t, x)| t.0 == *x);
                if same
                    && year.len() == 4
                    && year.chars().all(|c| c.is_ascii_digit())
                    && (year.starts_with("19") || year.starts_with("20"))
                {
                    // The name as the text writes it.
                    let name = text[w[0].1..w[want.len() - 1].2].to_string();
                    return Ok(Some((name, year.clone())));
                }
            }
        }
    }
    Ok(None)
}

/// The most frequent word of the text fields one edit (a letter deleted, inserted,
/// changed, or two swapped) from `word`, if it is frequent enough.
fn did_you_mean(
    index: &PqIndex,
    searcher: &Searcher,
    word: &str,
    at_least: u64,
) -> Result<Option<String>, SearchError> {
    if word.len() < 4 || word.len() > 24 || !word.is_ascii() {
        return Ok(None);
    }
    let letters = "abcdefghijklmnopqrstuvwxyz";
    let b = word.as_bytes();
    let mut candidates = Vec::new();
    for i in 0..=b.len() {
        let (head, tail) = word.split_at(i);
        if i < b.len() {
            candidates.push(format!("{head}{}", &tail[1..]));
            for c in letters.chars() {
                candidates.push(format!("{head}{c}{}", &tail[1..]));
            }
        }
        if i + 1 < b.len() {
            let mut swapped = b.to_vec();
            swapped.swap(i, i + 1);
            candidates.push(String::from_utf8(swapped).expect("ASCII"));
        }
        for c in letters.chars() {
            candidates.push(format!("{head}{c}{tail}"));
        }
    }
    candidates.sort();
    candidates.dedup();
    let mut best: Option<(u64, String)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let mut df = 0;
        for part in TextPart::ALL {
            let term = Term::from_field_text(index.fields.text(part), &candidate);
            df += searcher
                .doc_freq(&term)
                .map_err(|e| SearchError::Index(index.tantivy_error(e)))?;
        }
        if df >= at_least && best.as_ref().is_none_or(|(n, _)| df > *n) {
            best = Some((df, candidate));
        }
    }
    Ok(best.map(|(_, w)| w))
}

/// `query` with `typed` at `column` (1-based, in characters) replaced by `with`.
fn replace_at(query: &str, column: usize, typed: &str, with: &str) -> String {
    let start: usize = query
        .char_indices()
        .nth(column - 1)
        .map_or(query.len(), |(i, _)| i);
    if query[start..].starts_with(typed) {
        format!("{}{with}{}", &query[..start], &query[start + typed.len()..])
    } else {
        query.replacen(typed, with, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bill_and_act_swap_as_whole_words_keeping_case() {
        let v = bill_act_variants("\"Online Safety Bill\" -billing");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].0, "\"Online Safety Act\" -billing");
        let v = bill_act_variants("\"Equality Act\" OR \"Equality Bill\"");
        assert_eq!(v[0].0, "\"Equality Act\" OR \"Equality Act\"");
        assert_eq!(v[1].0, "\"Equality Bill\" OR \"Equality Bill\"");
        assert!(bill_act_variants("billion action").is_empty());
        assert_eq!(bill_act_variants("BILL")[0].0, "ACT");
    }

    #[test]
    fn replacing_a_word_at_its_column() {
        assert_eq!(
            replace_at("a goverment b", 3, "goverment", "government"),
            "a government b"
        );
        assert_eq!(
            replace_at("é goverment", 3, "goverment", "government"),
            "é government"
        );
    }
}
