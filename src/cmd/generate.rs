//! `pqsearch generate`: a synthetic scale corpus for benchmarks.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use pqsearch::generate::{self, Layout, Pools};
use pqsearch::{ingest, parse};

use super::EXIT_OK;
use crate::cli::{GenerateArgs, LayoutArg};

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (files, walk_errors) = ingest::walk(&args.from);
    if let Some(err) = walk_errors.first() {
        anyhow::bail!("{err}");
    }
    let mut records = Vec::new();
    for file in &files {
        records.extend(parse::parse_file(file)?);
    }
    let pools =
        Pools::from_records(&records).with_context(|| "no questions to recombine under --from")?;
    let layout = match args.layout {
        LayoutArg::Pages => Layout::Pages,
        LayoutArg::Api => Layout::ApiJson,
    };
    let bytes = generate::write_corpus(&pools, args.n, args.seed, layout, &args.out)
        .with_context(|| format!("writing into {}", args.out.display()))?;
    eprintln!(
        "pqsearch: wrote {} question(s), {:.1} MB, into {} from {} real question(s) in {:.1} s",
        args.n,
        bytes as f64 / 1e6,
        args.out.display(),
        records.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::from(EXIT_OK))
}
