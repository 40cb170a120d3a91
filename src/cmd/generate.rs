//! `pqsearch generate`: a synthetic scale corpus for benchmarks, N questions recombined
//! from a real corpus and written in the page layout or as API JSON.
//!
//! Headings, departments, members, dates and answer paragraphs are drawn from the real
//! records, and each question joins the first part of one real question to the rest of
//! another, so the vocabulary, the lengths and the word frequencies stay those of real
//! questions while every generated question is new. The output depends only on the source
//! records and the seed. This is benchmark tooling, so it lives in the binary; the formats
//! themselves are written by the library's parsers (`parse::page::render`,
//! `parse::api::render_list`), so a generated corpus is always what the parsers read.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use pqsearch::parse::{self, api, page};
use pqsearch::record::{Date, Draft, Question};
use pqsearch::walk;

use super::output;
use super::term::say;
use super::Exit;
use crate::cli::{GenerateArgs, LayoutArg};

pub fn run(args: GenerateArgs, index: &Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    check_out(&args, index)?;
    let found = walk::walk(&args.from);
    if let Some(err) = found.errors.into_iter().next() {
        return Err(err.into());
    }
    let mut records = Vec::new();
    for file in &found.files {
        records.extend(parse::parse_file(file)?.questions);
    }
    let pools =
        Pools::from_records(&records).with_context(|| "no questions to recombine under --from")?;
    let layout = match args.layout {
        LayoutArg::Pages => Layout::Pages,
        LayoutArg::Api => Layout::ApiJson,
    };
    let bytes = write_corpus(&pools, args.n, args.seed, layout, &args.out)
        .with_context(|| format!("writing into {}", args.out.display()))?;
    say!(
        "pqsearch: wrote {} question(s), {:.1} MB, into {} from {} real question(s) in {:.1} s",
        args.n,
        bytes as f64 / 1e6,
        args.out.display(),
        records.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(Exit::Found.into())
}

/// Refuses an output folder that would mix generated files into real ones: inside or
/// around a --from folder (the next run would read its own output), or in an index.
fn check_out(args: &GenerateArgs, index: &Path) -> anyhow::Result<()> {
    let out = &args.out;
    if out.exists() && !out.is_dir() {
        bail!("--out {} is not a folder", out.display());
    }
    for from in &args.from {
        if output::is_inside(out, from) || output::is_inside(from, out) {
            bail!(
                "--out {} overlaps --from {}; write the generated corpus somewhere else",
                out.display(),
                from.display()
            );
        }
    }
    if output::is_inside(out, index) || output::enclosing_index(out).is_some() {
        bail!(
            "--out {} is (or is inside) an index; write the generated corpus somewhere else",
            out.display()
        );
    }
    Ok(())
}

/// Questions per API JSON file, and per folder of pages.
const PER_FILE: usize = 1000;

/// The layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One question per file, as the seed page; 1,000 files per folder.
    Pages,
    /// The API's list response, 1,000 questions per file.
    ApiJson,
}

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same corpus on
/// every machine, which an external crate's default generator does not promise.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What generated questions are assembled from.
struct Pools {
    headings: Vec<String>,
    departments: Vec<String>,
    questions: Vec<String>,
    paragraphs: Vec<String>,
    ministers: Vec<String>,
    dates: Vec<Date>,
    /// Asking members: id, name, party (for counts by member and party).
    askers: Vec<(Option<u32>, Option<String>, Option<String>)>,
}

impl Pools {
    /// Collects the pools from real records (at least one is needed).
    fn from_records(records: &[Question]) -> Option<Pools> {
        let mut pools = Pools {
            headings: Vec::new(),
            departments: Vec::new(),
            questions: Vec::new(),
            paragraphs: Vec::new(),
            ministers: Vec::new(),
            dates: Vec::new(),
            askers: Vec::new(),
        };
        for q in records {
            pools.headings.extend(q.heading.clone());
            pools.departments.push(q.department.clone());
            pools.questions.push(q.question.clone());
            pools.ministers.extend(q.answered_by.clone());
            pools.dates.push(q.date_asked);
            pools
                .askers
                .push((q.asked_by_id, q.asked_by.clone(), q.asked_by_party.clone()));
            if let Some(answer) = &q.answer {
                // Cut answers (ending "...") would teach the generator to cut.
                if !answer.ends_with("...") {
                    pools
                        .paragraphs
                        .extend(answer.split("\n\n").map(str::to_string));
                }
            }
        }
        for pool in [
            &mut pools.headings,
            &mut pools.departments,
            &mut pools.paragraphs,
            &mut pools.ministers,
        ] {
            pool.sort();
            pool.dedup();
        }
        pools.dates.sort();
        pools.askers.sort();
        pools.askers.dedup();
        if pools.questions.is_empty() {
            return None;
        }
        if pools.headings.is_empty() {
            pools.headings.push("Written Question".into());
        }
        if pools.paragraphs.is_empty() {
            pools
                .paragraphs
                .push("The Department keeps this under review.".into());
        }
        if pools.ministers.is_empty() {
            pools.ministers.push("A Minister".into());
        }
        Some(pools)
    }

    /// The `n`th generated question, or why it cannot be one (a field over its bound, from
    /// joining two long texts).
    fn question(&self, rng: &mut Rng, n: usize) -> Result<Question, String> {
        let date_asked = *rng.pick(&self.dates);
        let first: Vec<&str> = rng.pick(&self.questions).split(' ').collect();
        let second: Vec<&str> = rng.pick(&self.questions).split(' ').collect();
        let cut_a = 1 + rng.below(first.len().max(2) - 1);
        let cut_b = rng.below(second.len().max(1));
        let mut question = first[..cut_a.min(first.len())].join(" ");
        if cut_b < second.len() {
            question.push(' ');
            question.push_str(&second[cut_b..].join(" "));
        }
        let answered = rng.below(10) < 6;
        let (answer, date_answered, answered_by) = if answered {
            let paragraphs: Vec<&str> = (0..1 + rng.below(4))
                .map(|_| rng.pick(&self.paragraphs).as_str())
                .collect();
            let days = 3 + rng.below(25) as i64;
            (
                Some(paragraphs.join("\n\n")),
                Some(date_asked.add_days(days)),
                Some(rng.pick(&self.ministers).clone()),
            )
        } else {
            (None, None, None)
        };
        let heading = rng.pick(&self.headings).clone();
        let department = rng.pick(&self.departments).clone();
        let mut q = Draft::new(date_asked, department, question, String::new());
        q.uin = Some((n + 1).to_string());
        q.heading = Some(heading);
        q.answered_by = answered_by;
        q.date_answered = date_answered;
        q.answer = answer;
        // The asker, due date and named-day flag come from `n`, not the random stream, so
        // that the texts and dates stay those the same seed always gave: due 2 or 4 days
        // after tabling, one question in five on a named day.
        let spread = n.wrapping_mul(2_654_435_761);
        if let Some((id, name, party)) = self.askers.get(spread % self.askers.len().max(1)) {
            q.asked_by_id = *id;
            q.asked_by = name.clone();
            q.asked_by_party = party.clone();
        }
        q.date_due = Some(date_asked.add_days(if n.is_multiple_of(2) { 2 } else { 4 }));
        q.named_day = Some(n.is_multiple_of(5));
        q.finish()
    }
}

/// Writes `n` questions under `out` and returns the number of bytes written.
fn write_corpus(
    pools: &Pools,
    n: usize,
    seed: u64,
    layout: Layout,
    out: &Path,
) -> anyhow::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut bytes = 0u64;
    let mut i = 0;
    while i < n {
        let chunk = (n - i).min(PER_FILE);
        let batch: Vec<Question> = (i..i + chunk)
            .map(|k| pools.question(&mut rng, k))
            .collect::<Result<_, _>>()
            .map_err(std::io::Error::other)?;
        match layout {
            Layout::Pages => {
                let dir = out.join(format!("{:05}", i / PER_FILE));
                std::fs::create_dir_all(&dir)?;
                for (k, q) in batch.iter().enumerate() {
                    let text = page::render(q);
                    bytes += text.len() as u64;
                    output::write_file(&dir.join(format!("{:07}.txt", i + k)), text.as_bytes())?;
                }
            }
            Layout::ApiJson => {
                std::fs::create_dir_all(out)?;
                let doc = api::render_list(&batch);
                let text = serde_json::to_vec(&doc)?;
                bytes += text.len() as u64;
                output::write_file(&out.join(format!("{:05}.json", i / PER_FILE)), &text)?;
            }
        }
        i += chunk;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_fixed_by_its_seed() {
        let a: Vec<u64> = (0..4)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a[0], Rng::new(8).next_u64());
        // SplitMix64's published first output for seed 0.
        assert_eq!(Rng::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }
}
