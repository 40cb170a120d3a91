//! pqsearch: full-text search over UK parliamentary written questions and their answers.
//!
//! The pipeline, one module per concept: [`parse`] turns raw texts into
//! [`record::Question`]s, and the binary `pqsearch` drives it from the command line.

pub mod ingest;
pub mod parse;
pub mod record;
