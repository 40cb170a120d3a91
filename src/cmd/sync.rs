//! `pqsearch sync`: the index brought up to date from the official API, with a progress
//! bar at a terminal and a summary on stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use pqsearch::date::Date;
use pqsearch::record::House;
use pqsearch::sync::{self, SyncOptions, SyncProgress, SyncReport};

use super::term::{say, Bar};
use super::Exit;
use crate::cli::{SyncArgs, SyncHouse};

pub fn run(args: SyncArgs, index_dir: PathBuf) -> anyhow::Result<ExitCode> {
    crate::note_index(&index_dir);
    let mut opts = SyncOptions::new(index_dir);
    opts.since = args
        .since
        .as_deref()
        .map(|d| d.trim().parse::<Date>())
        .transpose()
        .context("--since")?;
    opts.house = match args.house {
        SyncHouse::Commons => Some(House::Commons),
        SyncHouse::Lords => Some(House::Lords),
        SyncHouse::Both => None,
    };
    opts.rate = args.rate;
    opts.timeout = Duration::from_secs(args.timeout as u64);
    opts.backoff = Duration::from_millis(args.retry_ms);
    opts.save = args.save;
    opts.api_url = args.api_url;
    opts.members_api_url = args.members_api_url;
    let report = {
        let bar = bar();
        sync::sync(&opts, &bar)?
    };
    say!("{}", summary(&report, &opts));
    Ok(Exit::Found.into())
}

/// What a sync fetched and did, in one paragraph, with each problem on its own line.
fn summary(r: &SyncReport, opts: &SyncOptions) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let u = &r.update;
    let _ = write!(
        s,
        "Synced {} with changes since {}: {} request(s) ({} retried); {} question(s) listed \
         on {} page(s), {} fetched whole because the list cuts or flattens texts ({} still cut by the API), \
         {} member(s) fetched; {} added, {} updated, {} unchanged; the index holds {} record(s). \
         Responses kept in {}.",
        opts.index_dir.display(),
        r.since,
        r.traffic.requests,
        r.traffic.retries,
        r.listed,
        r.list_pages,
        r.full_texts,
        r.still_cut,
        r.members_fetched,
        u.added,
        u.updated,
        u.duplicates,
        u.records_in_index,
        r.saved_in.display(),
    );
    if !r.members_unknown.is_empty() {
        let ids: Vec<String> = r.members_unknown.iter().map(u32::to_string).collect();
        let _ = write!(
            s,
            "\nThe Members API does not know {} member id(s), shown by id: {}",
            ids.len(),
            ids.join(", ")
        );
    }
    for bad in &r.rejected {
        let _ = write!(s, "\nrejected: {bad}");
    }
    s
}

/// Sync's stages and their steps, on the terminal's bar.
fn bar() -> Bar {
    Bar::new("[{elapsed_precise}] {wide_bar} {pos}/{len} {msg}")
}

impl SyncProgress for Bar {
    fn stage(&self, what: &str, steps: Option<usize>) {
        if let Some(bar) = self.get() {
            bar.set_message(what.to_string());
            bar.set_position(0);
            bar.set_length(steps.unwrap_or(0) as u64);
        }
    }

    fn step(&self) {
        if let Some(bar) = self.get() {
            bar.inc(1);
        }
    }
}
