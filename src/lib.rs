//! pqsearch: full-text search over UK parliamentary written questions and their answers.
//!
//! The write path: sources ([`walk`] and [`parse`] for files) turn raw texts into
//! [`record::Question`]s (and [`record::Member`]s, from the Members API), which one
//! [`update::Updater`] merges into a tantivy index laid out by [`schema`] (whose text is analysed by [`words`]), naming members
//! known only by id from its members table; [`ingest`] is the file source's driver. The read path: one
//! [`engine::Engine`] answers searches ([`query`] parses the query language, [`search`]
//! runs requests) and feeds [`export`]. [`fields`] is the table of the record's fields that
//! every output format follows, and [`date`] holds all the date logic. The binary
//! `pqsearch` is a thin layer that turns flags into these types and prints what they return.

pub mod chart;
pub mod check;
pub mod coverage;
pub mod date;
pub mod departments;
pub mod engine;
pub mod export;
pub mod facets;
pub mod fields;
pub mod index;
pub mod ingest;
pub mod parse;
pub mod query;
pub mod record;
pub mod schema;
pub mod search;
pub mod stats;
pub mod sync;
pub mod tally;
pub mod update;
pub mod walk;
pub mod words;

/// An error and its causes on one line, `error: cause: cause`, as anyhow's `{:#}` prints
/// them; a cause that repeats the message before it (a transparent wrapper's) is left out.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}
