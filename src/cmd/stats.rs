//! `pqsearch stats`: answer performance of the matches, whole or per group.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use pqsearch::stats::{Performance, Stats, StatsBy, StatsRequest};
use serde::Serialize;

use super::{fit, thousands, Exit};
use crate::cli::{StatsArgs, StatsByArg, TableFormat};

pub fn run(args: StatsArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let request = StatsRequest {
        search: super::request(&args.query, &args.filters)?,
        by: args.by.map(|b| match b {
            StatsByArg::Department => StatsBy::Department,
            StatsByArg::Month => StatsBy::Month,
            StatsByArg::AnsweredBy => StatsBy::AnsweredBy,
        }),
        merge_renames: args.merge_renames,
    };
    let engine = super::open_engine(index)?;
    let mut stats = engine.stats(&request)?;
    super::note_renames(&engine, &request.search.filters)?;
    if let (Some(top), false) = (args.top, request.by == Some(StatsBy::Month)) {
        stats.groups.truncate(top);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        TableFormat::Text => print_text(&mut out, &request, &stats),
        TableFormat::Csv => print_csv(&mut out, &stats),
        TableFormat::Json => print_json(&mut out, &request, &stats),
    }
    .context("writing the figures")?;
    out.flush().context("writing the figures")?;
    Ok(Exit::found_if(stats.all.questions as usize))
}

fn days(d: Option<i64>) -> String {
    d.map_or("-".into(), |d| d.to_string())
}

fn percent(share: Option<f64>) -> String {
    share.map_or("-".into(), |s| format!("{:.1}%", s * 100.0))
}

fn known(n: Option<u64>) -> String {
    n.map_or("-".into(), thousands)
}

fn print_text<W: Write>(out: &mut W, request: &StatsRequest, stats: &Stats) -> std::io::Result<()> {
    let as_of = stats
        .as_of
        .map_or("(the index is empty)".into(), |d| d.to_string());
    writeln!(
        out,
        "Answer performance of {}: {} question{}; overdue as of {as_of}, the newest date in the index",
        super::describe(&request.search),
        thousands(stats.all.questions),
        if stats.all.questions == 1 { "" } else { "s" }
    )?;
    writeln!(out)?;
    let rows: Vec<&Performance> = std::iter::once(&stats.all).chain(&stats.groups).collect();
    let name_w = rows
        .iter()
        .map(|r| r.group.chars().count().min(44))
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:<name_w$}  {:>9}  {:>8}  {:>6}  {:>4}  {:>7}  {:>9}  {:>7}  {:>7}",
        "", "questions", "answered", "median", "p90", "on time", "named day", "holding", "overdue"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<name_w$}  {:>9}  {:>8}  {:>6}  {:>4}  {:>7}  {:>9}  {:>7}  {:>7}",
            fit(&r.group, 44),
            thousands(r.questions),
            thousands(r.answered),
            days(r.median_days),
            days(r.p90_days),
            percent(r.on_time_share),
            percent(r.named_day_on_time_share),
            thousands(r.holding),
            known(r.overdue)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "answered: with a date answered (a holding answer counts on its date). median, p90: days from tabled to answered, nearest rank."
    )?;
    writeln!(
        out,
        "on time: answered by the due date, among ordinary questions (whose due date is only the earliest an answer may come); named day: the same among named-day questions."
    )?;
    writeln!(
        out,
        "overdue: unanswered and due before {as_of}; holding: a holding answer and nothing more yet; -: not known (no due dates)."
    )?;
    if stats.all.due_unknown > 0 {
        writeln!(
            out,
            "{} unanswered question{} no due date: neither overdue nor on time.",
            thousands(stats.all.due_unknown),
            if stats.all.due_unknown == 1 {
                " has"
            } else {
                "s have"
            }
        )?;
    }
    for g in stats.groups.iter().filter(|g| !g.merged.is_empty()) {
        writeln!(
            out,
            "{} includes {} (renamed or merged).",
            fit(&g.group, 200),
            fit(&g.merged.join("; "), 400)
        )?;
    }
    if stats.all.answered_undated > 0 {
        writeln!(
            out,
            "{} more question{} an answer but no date answered (the source gives none): in no day figure, and never overdue.",
            thousands(stats.all.answered_undated),
            if stats.all.answered_undated == 1 { " has" } else { "s have" }
        )?;
    }
    Ok(())
}

fn print_csv<W: Write>(out: W, stats: &Stats) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "group",
        "questions",
        "answered",
        "median_days",
        "p90_days",
        "on_time_share",
        "named_day_on_time_share",
        "holding",
        "overdue",
    ])?;
    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    let share = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    for r in std::iter::once(&stats.all).chain(&stats.groups) {
        csv.write_record([
            r.group.clone(),
            r.questions.to_string(),
            r.answered.to_string(),
            opt(r.median_days),
            opt(r.p90_days),
            share(r.on_time_share),
            share(r.named_day_on_time_share),
            r.holding.to_string(),
            r.overdue.map_or(String::new(), |v| v.to_string()),
        ])?;
    }
    csv.flush()
}

fn print_json<W: Write>(out: &mut W, request: &StatsRequest, stats: &Stats) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        query: &'a str,
        filters: &'a pqsearch::search::Filters,
        by: Option<StatsBy>,
        merge_renames: bool,
        #[serde(flatten)]
        stats: &'a Stats,
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Doc {
            query: &request.search.query,
            filters: &request.search.filters,
            by: request.by,
            merge_renames: request.merge_renames,
            stats,
        },
    )?;
    writeln!(out)
}
