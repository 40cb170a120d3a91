//! `pqsearch trend`: matches per month or year, with the index's coverage beside them.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use pqsearch::date::Bucket;
use pqsearch::facets::{Facet, PeriodCoverage, Trend, TrendRequest};
use serde::Serialize;

use super::output::Dest;
use super::term::say;
use super::{fit, thousands, Exit};
use crate::cli::{PeriodArg, SplitArg, TableFormat, TrendArgs};

/// Series shown in the text table when --top does not say.
const TEXT_SERIES: usize = 5;

pub fn run(args: TrendArgs, index: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let request = TrendRequest {
        search: super::request(&args.query, &args.filters)?,
        bucket: match args.by {
            PeriodArg::Month => Bucket::Month,
            PeriodArg::Year => Bucket::Year,
        },
        split: args.split.map(|s| match s {
            SplitArg::Department => Facet::Department,
            SplitArg::Party => Facet::Party,
            SplitArg::House => Facet::House,
        }),
        merge_renames: args.merge_renames,
    };
    // Where the chart goes, checked before any work: never into the index.
    let svg = match &args.svg {
        Some(path) => {
            let dest = Dest::resolve(path, "--svg")?;
            let dir = index.unwrap_or(std::path::Path::new(crate::cli::DEFAULT_INDEX));
            if dest.is_inside(dir) || dest.index().is_some() {
                bail!(
                    "--svg {} is inside an index; write the chart somewhere else",
                    path.display()
                );
            }
            Some((path, dest))
        }
        None => None,
    };
    let engine = super::open_engine(index)?;
    let trend = engine.trend(&request)?;
    super::note_renames(&engine, &request.search.filters)?;
    if let Some((path, dest)) = svg {
        let chart = pqsearch::chart::trend_svg(&trend, &title(&request))?;
        let mut file = dest
            .open()
            .with_context(|| format!("--svg {}", path.display()))?;
        file.write_all(chart.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        file.finish()?.commit()?;
        if dest == Dest::Stdout {
            // `--svg -`: the chart alone is the output.
            return Ok(Exit::found_if(trend.total as usize));
        }
        say!("pqsearch: wrote the chart to {}", path.display());
    }
    let shown = match (args.top, args.format) {
        (Some(n), _) => trend.top_series(n),
        (None, TableFormat::Text) => trend.top_series(TEXT_SERIES),
        (None, _) => trend.clone(),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        TableFormat::Text => print_text(&mut out, &request, &shown),
        TableFormat::Csv => print_csv(&mut out, &shown),
        TableFormat::Json => print_json(&mut out, &request, &shown),
    }
    .context("writing the trend")?;
    out.flush().context("writing the trend")?;
    Ok(Exit::found_if(trend.total as usize))
}

fn unit(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Day => "day",
        Bucket::Month => "month",
        Bucket::Year => "year",
    }
}

/// The chart's title.
pub(crate) fn title(request: &TrendRequest) -> String {
    let what = if request.search.query.trim() == "*" {
        "Questions".to_string()
    } else {
        format!(
            "Questions matching {}",
            super::quote_query(&request.search.query)
        )
    };
    let split = request
        .split
        .map_or(String::new(), |s| format!(", by {}", s.name()));
    format!(
        "{what} {} per {}{split}",
        super::date_word(request.search.filters.date_field),
        unit(request.bucket)
    )
}

/// A bar of eighths, `max` wide at most.
fn bar(n: u64, top: u64, max: usize) -> String {
    if top == 0 || n == 0 {
        return String::new();
    }
    let eighths = ((n as f64 / top as f64) * (max * 8) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
    }
    s
}

fn coverage_note(trend: &Trend, p: &pqsearch::facets::Period) -> String {
    match p.coverage {
        PeriodCoverage::Full => String::new(),
        PeriodCoverage::Gap => "gap: no questions in the index".into(),
        PeriodCoverage::Thin => "thin: the index holds few questions here".into(),
        PeriodCoverage::Partial => {
            let mut why = Vec::new();
            if let Some(first) = trend.index_first.filter(|f| *f > p.first) {
                why.push(format!("the index starts {first}"));
            }
            if let Some(last) = trend.index_last.filter(|l| *l < p.last) {
                why.push(format!("the index ends {last}"));
            }
            if p.empty_months > 0 {
                why.push(format!("no questions in {} of its months", p.empty_months));
            }
            format!("partial: {}", why.join("; "))
        }
    }
}

fn print_text<W: Write>(out: &mut W, request: &TrendRequest, trend: &Trend) -> std::io::Result<()> {
    let date = super::date_word(trend.date);
    let (Some(first), Some(last)) = (trend.periods.first(), trend.periods.last()) else {
        writeln!(out, "the index holds no questions with a date {date}")?;
        return Ok(());
    };
    writeln!(
        out,
        "{}: {} question{} {date}, per {}, {} to {}",
        super::describe(&request.search),
        thousands(trend.total),
        if trend.total == 1 { "" } else { "s" },
        unit(trend.bucket),
        first.period,
        last.period
    )?;
    if !trend.series.is_empty() {
        writeln!(out)?;
        for (i, s) in trend.series.iter().enumerate() {
            let n: u64 = trend.periods.iter().map(|p| p.by_series[i]).sum();
            let merged = trend.merged.get(s).map_or(String::new(), |m| {
                format!(" (with {})", fit(&m.join("; "), 200))
            });
            writeln!(
                out,
                "  {}  {}{merged}: {}",
                letter(i),
                fit(s, 80),
                thousands(n)
            )?;
        }
    }
    writeln!(out)?;
    let top = trend.periods.iter().map(|p| p.count).max().unwrap_or(0);
    let w = thousands(top).len().max(5);
    let wi = thousands(trend.periods.iter().map(|p| p.indexed).max().unwrap_or(0))
        .len()
        .max(8);
    let label_w = first.period.len().max(6);
    write!(out, "{:<label_w$}  {:>w$}", "period", "count")?;
    for i in 0..trend.series.len() {
        write!(out, "  {:>w$}", letter(i))?;
    }
    writeln!(out, "  {:>wi$}  {:>9}", "in index", "per 1,000")?;
    for p in &trend.periods {
        write!(out, "{:<label_w$}  {:>w$}", p.period, thousands(p.count))?;
        for n in &p.by_series {
            write!(out, "  {:>w$}", thousands(*n))?;
        }
        let rate = if p.indexed == 0 {
            "-".to_string()
        } else {
            format!("{:.1}", p.count as f64 * 1000.0 / p.indexed as f64)
        };
        let note = coverage_note(trend, p);
        let sep = if note.is_empty() { "" } else { "  " };
        writeln!(
            out,
            "  {:>wi$}  {rate:>9}  {}{sep}{note}",
            thousands(p.indexed),
            bar(p.count, top, 30)
        )
        .map(|_| ())?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "in index: questions of any kind the index holds for the period; per 1,000: matches per 1,000 of them."
    )?;
    let gaps: Vec<&str> = trend.gaps().map(|p| p.period.as_str()).collect();
    if !gaps.is_empty() {
        writeln!(
            out,
            "{} period{} with no questions in the index at all ({}): gaps in the data, not a fall in interest.",
            gaps.len(),
            if gaps.len() == 1 { "" } else { "s" },
            runs(&trend.periods)
        )?;
    }
    if trend.undated > 0 {
        writeln!(
            out,
            "{} matching question{} without a date {date} (not answered yet) are not in any period.",
            thousands(trend.undated),
            if trend.undated == 1 { " is" } else { "s are" }
        )?;
    }
    Ok(())
}

/// Runs of gap periods: `2024-01 to 2024-06, 2024-08`.
fn runs(periods: &[pqsearch::facets::Period]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(&str, &str)> = None;
    for p in periods {
        if p.coverage == PeriodCoverage::Gap {
            run = Some((run.map_or(p.period.as_str(), |r| r.0), p.period.as_str()));
        } else if let Some((a, b)) = run.take() {
            out.push(if a == b {
                a.into()
            } else {
                format!("{a} to {b}")
            });
        }
    }
    if let Some((a, b)) = run {
        out.push(if a == b {
            a.into()
        } else {
            format!("{a} to {b}")
        });
    }
    out.join(", ")
}

/// A, B, C... for the series columns.
fn letter(i: usize) -> String {
    let letters: Vec<char> = ('A'..='Z').collect();
    if i < letters.len() {
        letters[i].to_string()
    } else {
        format!("S{}", i + 1)
    }
}

fn print_csv<W: Write>(out: W, trend: &Trend) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    if trend.series.is_empty() {
        csv.write_record(["period", "count", "indexed"])?;
        for p in &trend.periods {
            csv.write_record([
                p.period.as_str(),
                &p.count.to_string(),
                &p.indexed.to_string(),
            ])?;
        }
    } else {
        csv.write_record(["period", "series", "count", "indexed"])?;
        for p in &trend.periods {
            for (s, n) in trend.series.iter().zip(&p.by_series) {
                csv.write_record([
                    p.period.as_str(),
                    s.as_str(),
                    &n.to_string(),
                    &p.indexed.to_string(),
                ])?;
            }
        }
    }
    csv.flush()
}

pub(crate) fn print_json<W: Write>(
    out: &mut W,
    request: &TrendRequest,
    trend: &Trend,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        query: &'a str,
        filters: &'a pqsearch::search::Filters,
        split: Option<Facet>,
        #[serde(flatten)]
        trend: &'a Trend,
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Doc {
            query: &request.search.query,
            filters: &request.search.filters,
            split: request.split,
            trend,
        },
    )?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest() {
        assert_eq!(bar(0, 10, 30), "");
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 1000, 4), "▏");
    }
}
