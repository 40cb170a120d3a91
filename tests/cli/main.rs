//! Integration tests: the real `pqsearch` binary on real files.
//!
//! One test binary (fast to link), one module per capability. The real corpus is read from
//! `../shared/corpus` beside the repository, never copied into it.

mod counts;
mod export;
mod generate;
mod ingest;
mod parse;
mod query;
mod records;
mod replay;
mod robust;
mod safety;
mod search;
mod serve;
mod sync;
mod testenv;
