//! pqsearch: full-text search over UK parliamentary written questions and their answers.
//!
//! The pipeline, one module per concept: [`parse`] turns raw texts into
//! [`record::Question`]s, [`ingest`] writes them into a tantivy index laid out by
//! [`schema`] and opened through [`index`]. The binary `pqsearch` is a thin layer that turns
//! flags into these types and prints what they return.

pub mod export;
pub mod generate;
pub mod index;
pub mod ingest;
pub mod parse;
pub mod query;
pub mod record;
pub mod schema;
pub mod search;
