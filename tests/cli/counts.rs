//! `pqsearch facets`, `trend`, `stats` and `info` on the real API corpus, every figure
//! checked against a computation of its own from the raw API JSON (`../shared/corpus/api`),
//! for several queries and filters. Text queries take their matching ids from `export`, so
//! that what is checked is the counting, and that it agrees with `search`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::Value;

use crate::testenv::{arg, corpus, Ix, TestEnv};

/// One index of the API JSON, built once.
fn api() -> &'static Ix {
    static INDEX: OnceLock<(TestEnv, Ix)> = OnceLock::new();
    let (_, ix) = INDEX.get_or_init(|| {
        let env = TestEnv::new();
        let ix = env.ingest("ix", &[&corpus().join("api"), &corpus().join("members")]);
        (env, ix)
    });
    ix
}

/// One question as the raw API JSON has it, with its members from the members file.
#[derive(Debug, Clone)]
struct Raw {
    id: String,
    department: String,
    house: String,
    tabled: String,
    answered: Option<String>,
    due: String,
    named_day: bool,
    status: &'static str,
    /// The asking member as a facet shows it: the members file's name, or `member N`.
    asked_by: String,
    party: Option<String>,
    /// The answering member, when there is one.
    answered_by: Option<String>,
}

const HOLDING: &str = "will not be possible to answer this question within the usual time";

/// An answer's words, as a reader sees them: tags out, entities and white space flattened.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn raw() -> &'static [Raw] {
    static RAW: OnceLock<Vec<Raw>> = OnceLock::new();
    RAW.get_or_init(|| {
        // The members file, read as the records tests read it.
        let members = crate::records::raw_members();
        let name = |id: u64| {
            members
                .get(&id)
                .map_or(format!("member {id}"), |m| m.name.clone())
        };
        let mut out = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(corpus().join("api"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for f in files {
            let doc: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            for item in doc["items"].as_array().unwrap() {
                let v = &item["value"];
                let date = |k: &str| v[k].as_str().map(|s| s[..10].to_string());
                let text = v["answerText"].as_str();
                let status = match text {
                    Some(t) if plain(t).contains(HOLDING) => "holding",
                    Some(_) => "answered",
                    None if !v["dateAnswered"].is_null() => "answered",
                    None if v["answerIsHolding"] == true => "holding",
                    None => "unanswered",
                };
                out.push(Raw {
                    id: format!(
                        "{}/{}",
                        date("dateTabled").unwrap(),
                        v["uin"].as_str().unwrap()
                    ),
                    department: v["answeringBodyName"].as_str().unwrap().to_string(),
                    house: v["house"].as_str().unwrap().to_string(),
                    tabled: date("dateTabled").unwrap(),
                    answered: date("dateAnswered"),
                    due: date("dateForAnswer").unwrap(),
                    named_day: v["isNamedDay"] == true,
                    status,
                    asked_by: name(v["askingMemberId"].as_u64().unwrap()),
                    party: members
                        .get(&v["askingMemberId"].as_u64().unwrap())
                        .and_then(|m| m.party.clone()),
                    answered_by: v["answeringMemberId"].as_u64().map(name),
                });
            }
        }
        assert_eq!(out.len(), 49_565);
        out
    })
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (the civil-days algorithm, written out here).
fn days(date: &str) -> i64 {
    let y: i64 = date[..4].parse().unwrap();
    let m: i64 = date[5..7].parse().unwrap();
    let d: i64 = date[8..10].parse().unwrap();
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const DLUHC: &str = "Department for Levelling Up, Housing and Communities";
const MHCLG: &str = "Ministry of Housing, Communities and Local Government";
const DHSC: &str = "Department of Health and Social Care";
const DFE: &str = "Department for Education";

/// A query with flags, and the raw questions it must match (`None`: the ids `export` finds).
struct Case {
    args: &'static [&'static str],
    only: Option<fn(&Raw) -> bool>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            args: &["*"],
            only: Some(|_| true),
        },
        Case {
            args: &["*", "--department", "DHSC"],
            only: Some(|r| r.department == DHSC),
        },
        Case {
            args: &["*", "--from", "2025-07", "--to", "2025-12"],
            only: Some(|r| r.tabled.as_str() >= "2025-07-01" && r.tabled.as_str() <= "2025-12-31"),
        },
        Case {
            args: &["*", "--date", "answered", "--from", "2024"],
            only: Some(|r| r.answered.as_deref().is_some_and(|a| a >= "2024-01-01")),
        },
        Case {
            args: &["*", "--status", "unanswered", "--department", "DfE"],
            only: Some(|r| r.status == "unanswered" && r.department == DFE),
        },
        Case {
            args: &["SEND"],
            only: None,
        },
        Case {
            args: &["\"net zero\"", "--status", "answered"],
            only: None,
        },
        Case {
            args: &["(nurses OR midwives) pay", "--from", "2025"],
            only: None,
        },
    ]
}

/// The raw questions a case matches, checked against what `export` finds.
fn matched(ix: &Ix, case: &Case) -> Vec<&'static Raw> {
    let env = TestEnv::new();
    let mut args = vec!["export", "--index", arg(&ix.path), "--columns", "id"];
    args.extend_from_slice(case.args);
    let run = env.run(&args);
    let ids: BTreeSet<String> = run.stdout.lines().skip(1).map(str::to_string).collect();
    let by_id: BTreeMap<&str, &Raw> = raw().iter().map(|r| (r.id.as_str(), r)).collect();
    match case.only {
        Some(keep) => {
            let want: Vec<&Raw> = raw().iter().filter(|r| keep(r)).collect();
            let want_ids: BTreeSet<String> = want.iter().map(|r| r.id.clone()).collect();
            assert_eq!(
                ids, want_ids,
                "{:?}: export finds the raw questions",
                case.args
            );
            want
        }
        None => {
            assert!(!ids.is_empty(), "{:?} finds something", case.args);
            ids.iter().map(|id| by_id[id.as_str()]).collect()
        }
    }
}

fn run_json(ix: &Ix, command: &str, case_args: &[&str], more: &[&str]) -> Value {
    let mut args = vec![command];
    args.extend_from_slice(case_args);
    args.extend_from_slice(more);
    args.extend_from_slice(&["--format", "json"]);
    let run = ix.call(&args).run().expect_code(0);
    serde_json::from_str(&run.stdout).unwrap()
}

fn tally(rows: impl Iterator<Item = String>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(r).or_default() += 1;
    }
    out
}

fn facet_counts(doc: &Value, field: &str) -> (BTreeMap<String, u64>, u64) {
    let table = doc["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["field"] == field)
        .unwrap();
    let values = table["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_string(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect();
    (values, table["missing"].as_u64().unwrap())
}

#[test]
fn facets_equal_counts_from_the_raw_json() {
    let ix = api();
    for case in cases() {
        let want = matched(ix, &case);
        let total = ix.search(case.args[0]).args(&case.args[1..]).total();
        assert_eq!(total, want.len(), "{:?}", case.args);
        let answered_dates = case.args.contains(&"answered") && case.args.contains(&"--date");
        let doc = run_json(
            ix,
            "facets",
            case.args,
            &[
                "--by",
                "department",
                "--by",
                "status",
                "--by",
                "house",
                "--by",
                "year",
                "--by",
                "month",
                "--by",
                "asked_by",
                "--by",
                "answered_by",
                "--by",
                "party",
            ],
        );
        assert_eq!(
            doc["total"].as_u64().unwrap() as usize,
            want.len(),
            "{:?}",
            case.args
        );
        let date = |r: &Raw| {
            if answered_dates {
                r.answered.clone()
            } else {
                Some(r.tabled.clone())
            }
        };
        let expect: [(&str, BTreeMap<String, u64>); 8] = [
            (
                "department",
                tally(want.iter().map(|r| r.department.clone())),
            ),
            ("status", tally(want.iter().map(|r| r.status.to_string()))),
            ("house", tally(want.iter().map(|r| r.house.clone()))),
            (
                "year",
                tally(
                    want.iter()
                        .filter_map(|r| date(r))
                        .map(|d| d[..4].to_string()),
                ),
            ),
            (
                "month",
                tally(
                    want.iter()
                        .filter_map(|r| date(r))
                        .map(|d| d[..7].to_string()),
                ),
            ),
            ("asked_by", tally(want.iter().map(|r| r.asked_by.clone()))),
            (
                "answered_by",
                tally(want.iter().filter_map(|r| r.answered_by.clone())),
            ),
            ("party", tally(want.iter().filter_map(|r| r.party.clone()))),
        ];
        for (field, counts) in expect {
            let (got, missing) = facet_counts(&doc, field);
            assert_eq!(got, counts, "{:?} by {field}", case.args);
            let sum: u64 = counts.values().sum();
            assert_eq!(
                sum + missing,
                want.len() as u64,
                "{:?} by {field}",
                case.args
            );
        }
    }
}

#[test]
fn facets_text_and_csv_agree_and_top_keeps_the_largest() {
    let ix = api();
    let run = ix
        .call(&[
            "facets",
            "SEND",
            "--by",
            "department",
            "--top",
            "3",
            "--format",
            "csv",
        ])
        .run()
        .expect_code(0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["field", "value", "count"]);
    let rows: Vec<(String, String, u64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string(), r[2].parse().unwrap())
        })
        .collect();
    let want = matched(
        ix,
        &Case {
            args: &["SEND"],
            only: None,
        },
    );
    let mut counts: Vec<(String, u64)> = tally(want.iter().map(|r| r.department.clone()))
        .into_iter()
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert_eq!(rows.len(), 4, "three values and (other)");
    for (row, (name, n)) in rows.iter().zip(&counts[..3]) {
        assert_eq!((row.1.as_str(), row.2), (name.as_str(), *n));
    }
    let rest: u64 = counts[3..].iter().map(|c| c.1).sum();
    assert_eq!(rows[3], ("department".into(), "(other)".into(), rest));
    assert_eq!(rows.iter().map(|r| r.2).sum::<u64>(), want.len() as u64);

    let text = ix
        .call(&["facets", "SEND", "--by", "department", "--top", "3"])
        .run()
        .expect_code(0)
        .stdout;
    assert!(
        text.contains(&format!("\"SEND\": {} questions", want.len())),
        "{text}"
    );
    assert!(text.contains(&counts[0].0), "{text}");
    // Nothing matched: exit 1.
    ix.call(&["facets", "zzzyzzyva", "--by", "department"])
        .run()
        .expect_code(1);
}

#[test]
fn trends_count_every_period_and_show_the_index_coverage() {
    let ix = api();
    let months_all = tally(raw().iter().map(|r| r.tabled[..7].to_string()));
    let every_month: Vec<String> = {
        let mut out = Vec::new();
        let (mut y, mut m) = (2023, 12);
        while (y, m) <= (2026, 7) {
            out.push(format!("{y:04}-{m:02}"));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        out
    };
    for case in cases() {
        let want = matched(ix, &case);
        let answered_dates = case.args.contains(&"--date");
        if answered_dates {
            continue;
        }
        let mut args = vec!["trend"];
        args.extend_from_slice(case.args);
        args.extend_from_slice(&["--format", "csv"]);
        let run = ix.call(&args).run().expect_code(0);
        let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
        assert_eq!(
            reader.headers().unwrap(),
            vec!["period", "count", "indexed"]
        );
        let rows: Vec<(String, u64, u64)> = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (
                    r[0].to_string(),
                    r[1].parse().unwrap(),
                    r[2].parse().unwrap(),
                )
            })
            .collect();
        // Every month of the index (narrowed by --from/--to), empty ones as 0.
        let from = case
            .args
            .iter()
            .position(|a| *a == "--from")
            .map(|i| case.args[i + 1]);
        let to = case
            .args
            .iter()
            .position(|a| *a == "--to")
            .map(|i| case.args[i + 1]);
        let months: Vec<&String> = every_month
            .iter()
            .filter(|m| from.is_none_or(|f| m.as_str() >= &f[..7.min(f.len())]))
            .filter(|m| to.is_none_or(|t| m.as_str() <= t))
            .collect();
        let periods: Vec<&String> = rows.iter().map(|r| &r.0).collect();
        assert_eq!(periods, months, "{:?}", case.args);
        let counts = tally(want.iter().map(|r| r.tabled[..7].to_string()));
        for (period, count, indexed) in &rows {
            assert_eq!(
                *count,
                counts.get(period).copied().unwrap_or(0),
                "{:?} {period}",
                case.args
            );
            assert_eq!(
                *indexed,
                months_all.get(period).copied().unwrap_or(0),
                "{period}"
            );
        }
        assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), want.len() as u64);
    }
    // The gaps of the corpus are stated in the text.
    let text = ix.call(&["trend", "SEND"]).run().expect_code(0).stdout;
    assert!(
        text.contains("12 periods with no questions in the index at all (2024-01 to 2024-06, 2024-10, 2025-02 to 2025-06)"),
        "{text}"
    );
    assert!(
        text.contains("2024-03      0         0          -"),
        "{text}"
    );
    assert!(
        text.contains("partial: the index ends 2026-07-10"),
        "{text}"
    );
}

#[test]
fn split_trends_count_each_series() {
    let ix = api();
    let run = ix
        .call(&[
            "trend",
            "SEND",
            "--by",
            "year",
            "--split",
            "department",
            "--format",
            "csv",
        ])
        .run()
        .expect_code(0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["period", "series", "count", "indexed"]
    );
    let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        got.insert((r[0].to_string(), r[1].to_string()), r[2].parse().unwrap());
    }
    let want = matched(
        ix,
        &Case {
            args: &["SEND"],
            only: None,
        },
    );
    let series: BTreeSet<String> = want.iter().map(|r| r.department.clone()).collect();
    for year in ["2023", "2024", "2025", "2026"] {
        for s in &series {
            let n = want
                .iter()
                .filter(|r| &r.tabled[..4] == year && &r.department == s)
                .count() as u64;
            assert_eq!(got[&(year.to_string(), s.clone())], n, "{year} {s}");
        }
    }
    assert_eq!(got.len(), 4 * series.len(), "every series in every year");
}

#[test]
fn the_svg_chart_is_xml_with_one_bar_per_period() {
    let ix = api();
    let env = TestEnv::new();
    let svg = env.path("dfe.svg");
    ix.call(&[
        "trend",
        "*",
        "--department",
        "DfE",
        "--svg",
        arg(&svg),
        "--format",
        "csv",
    ])
    .run()
    .expect_code(0);
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect();
    assert!(
        texts.iter().any(|t| t == "Questions asked per month"),
        "title: {texts:?}"
    );
    for legend in [
        "questions matching",
        "no questions in the index (a gap in the data)",
        "questions in the index (right-hand axis)",
    ] {
        assert!(
            texts.iter().any(|t| t == legend),
            "legend {legend}: {texts:?}"
        );
    }
    let bars = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#1F5F9E"))
        .count();
    // 32 months from 2023-12 to 2026-07, and the legend's swatch.
    assert_eq!(bars, 32 + 1);

    // Split: one point per period for each series, plus the legend's.
    let svg = env.path("split.svg");
    ix.call(&[
        "trend",
        "SEND",
        "--by",
        "year",
        "--split",
        "department",
        "--svg",
        arg(&svg),
    ])
    .run()
    .expect_code(0);
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    let mut points: BTreeMap<String, usize> = BTreeMap::new();
    for n in doc.descendants().filter(|n| n.has_tag_name("circle")) {
        *points
            .entry(n.attribute("fill").unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(points.len(), 8, "seven departments and other: {points:?}");
    assert!(points.values().all(|n| *n == 4 + 1), "{points:?}");
}

/// Nearest rank: the value at 1-based rank ⌈p/100 × N⌉.
fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    (!sorted.is_empty()).then(|| sorted[(p * sorted.len()).div_ceil(100).max(1) - 1])
}

/// The newest date of the corpus, as of which questions are overdue.
const AS_OF: &str = "2026-07-10";

/// Of the answered questions, ordinary or named-day: how many were answered by the due
/// date, how many there are, and the share.
fn on_time(rows: &[&Raw], named: bool) -> (usize, usize, Option<f64>) {
    let these: Vec<&&Raw> = rows
        .iter()
        .filter(|r| r.answered.is_some() && r.named_day == named)
        .collect();
    let k = these
        .iter()
        .filter(|r| r.answered.as_deref().unwrap() <= r.due.as_str())
        .count();
    let share = (!these.is_empty()).then(|| k as f64 / these.len() as f64);
    (k, these.len(), share)
}

/// What `stats` must say of some raw questions.
fn performance(rows: &[&Raw]) -> Value {
    let mut d: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.answered.as_ref().map(|a| days(a) - days(&r.tabled)))
        .collect();
    d.sort();
    let count = |s: &str| rows.iter().filter(|r| r.status == s).count();
    let (k, n, share) = on_time(rows, false);
    let (nk, nn, nshare) = on_time(rows, true);
    let overdue = rows
        .iter()
        .filter(|r| r.status == "unanswered" && r.due.as_str() < AS_OF)
        .count();
    figures(&serde_json::json!({
        "on_time": k,
        "due": n,
        "on_time_share": share,
        "named_day_on_time": nk,
        "named_day_due": nn,
        "named_day_on_time_share": nshare,
        "overdue": overdue,
        "due_unknown": 0,
        "questions": rows.len(),
        "answered": d.len(),
        "answered_undated": rows.iter().filter(|r| r.answered.is_none() && r.status != "unanswered").count(),
        "median_days": nearest_rank(&d, 50),
        "p90_days": nearest_rank(&d, 90),
        "holding": count("holding"),
        "unanswered": count("unanswered"),
    }))
}

fn figures(row: &Value) -> Value {
    let keys = [
        "questions",
        "answered",
        "answered_undated",
        "median_days",
        "p90_days",
        "holding",
        "unanswered",
        "on_time",
        "due",
        "on_time_share",
        "named_day_on_time",
        "named_day_due",
        "named_day_on_time_share",
        "overdue",
        "due_unknown",
    ];
    Value::Object(
        keys.iter()
            .map(|k| (k.to_string(), rounded(row[*k].clone())))
            .collect(),
    )
}

/// Shares to ten places: JSON numbers are read back to within a unit in the last place.
fn rounded(v: Value) -> Value {
    match v.as_f64() {
        Some(x) if v.is_f64() => Value::from(format!("{x:.10}")),
        _ => v,
    }
}

#[test]
fn stats_equal_figures_from_the_raw_json() {
    let ix = api();
    for case in cases() {
        let want = matched(ix, &case);
        let doc = run_json(ix, "stats", case.args, &["--by", "department"]);
        assert_eq!(figures(&doc["all"]), performance(&want), "{:?}", case.args);
        let groups = doc["groups"].as_array().unwrap();
        let departments: BTreeSet<&str> = want.iter().map(|r| r.department.as_str()).collect();
        assert_eq!(groups.len(), departments.len(), "{:?}", case.args);
        for g in groups {
            let name = g["group"].as_str().unwrap();
            let mine: Vec<&Raw> = want
                .iter()
                .copied()
                .filter(|r| r.department == name)
                .collect();
            assert_eq!(figures(g), performance(&mine), "{:?} {name}", case.args);
        }
    }
    // By month, in order.
    let doc = run_json(
        ix,
        "stats",
        &["*", "--department", "MoD"],
        &["--by", "month"],
    );
    let mod_rows: Vec<&Raw> = raw()
        .iter()
        .filter(|r| r.department == "Ministry of Defence")
        .collect();
    let months: Vec<&str> = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    let mut sorted = months.clone();
    sorted.sort();
    assert_eq!(months, sorted);
    for g in doc["groups"].as_array().unwrap() {
        let m = g["group"].as_str().unwrap();
        let mine: Vec<&Raw> = mod_rows
            .iter()
            .copied()
            .filter(|r| &r.tabled[..7] == m)
            .collect();
        assert_eq!(figures(g), performance(&mine), "MoD {m}");
    }
    // The data study's figures (its section 4) for the whole corpus and DHSC.
    let all = run_json(ix, "stats", &["*"], &[]);
    assert_eq!(
        (
            &all["all"]["answered"],
            &all["all"]["median_days"],
            &all["all"]["p90_days"]
        ),
        (&Value::from(20_165), &Value::from(7), &Value::from(12))
    );
    let csv = ix
        .call(&["stats", "--department", "DHSC", "--format", "csv"])
        .run()
        .expect_code(0)
        .stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("group,questions,answered,median_days,p90_days,on_time_share,named_day_on_time_share,holding,overdue")
    );
    let dhsc: Vec<&Raw> = raw().iter().filter(|r| r.department == DHSC).collect();
    let holding = dhsc.iter().filter(|r| r.status == "holding").count();
    let share = |named| format!("{:.4}", on_time(&dhsc, named).2.unwrap());
    let overdue = dhsc
        .iter()
        .filter(|r| r.status == "unanswered" && r.due.as_str() < AS_OF)
        .count();
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "all,7374,2740,7,14,{},{},{holding},{overdue}",
            share(false),
            share(true)
        )
    );
    // The data study's on-time shares (ordinary 6.2%, named day 83.2%) and overdue count.
    let all = &all["all"];
    assert_eq!(
        (&all["due"], &all["named_day_due"]),
        (&Value::from(14_526), &Value::from(5_639))
    );
    let pct = |v: &Value| format!("{:.1}", v.as_f64().unwrap() * 100.0);
    assert_eq!(pct(&all["on_time_share"]), "6.2");
    assert_eq!(pct(&all["named_day_on_time_share"]), "83.2");
    assert_eq!(all["overdue"], 20_714);
}

#[test]
fn stats_per_minister_and_the_overdue_filter_agree() {
    let ix = api();
    let doc = run_json(
        ix,
        "stats",
        &["*", "--department", "DfT"],
        &["--by", "answered_by"],
    );
    let dft: Vec<&Raw> = raw()
        .iter()
        .filter(|r| r.department == "Department for Transport")
        .collect();
    let groups = doc["groups"].as_array().unwrap();
    assert!(groups.len() > 3);
    assert_eq!(groups.last().unwrap()["group"], "(none)");
    for g in groups {
        let name = g["group"].as_str().unwrap();
        let mine: Vec<&Raw> = dft
            .iter()
            .copied()
            .filter(|r| match &r.answered_by {
                Some(n) => n == name,
                None => name == "(none)",
            })
            .collect();
        assert_eq!(figures(g), performance(&mine), "DfT {name}");
    }
    // The overdue figure counts what `--status overdue` finds.
    let overdue = doc["all"]["overdue"].as_u64().unwrap() as usize;
    assert_eq!(
        ix.search("*")
            .args(&["--department", "DfT", "--status", "overdue"])
            .total(),
        overdue
    );
}

#[test]
fn renamed_departments_follow_and_merge_across_the_change() {
    let ix = api();
    let dluhc: Vec<&Raw> = raw().iter().filter(|r| r.department == DLUHC).collect();
    let mhclg: Vec<&Raw> = raw().iter().filter(|r| r.department == MHCLG).collect();
    // Tabled on both sides of the change.
    assert_eq!(
        dluhc.iter().map(|r| r.tabled.as_str()).max(),
        Some("2023-12-19")
    );
    assert_eq!(
        mhclg.iter().map(|r| r.tabled.as_str()).min(),
        Some("2024-07-17")
    );
    let both = dluhc.len() + mhclg.len();

    assert_eq!(
        ix.search("*").args(&["--department", "MHCLG"]).total(),
        mhclg.len()
    );
    for name in ["MHCLG", "DLUHC", "Ministry of Housing"] {
        let run = ix
            .search("*")
            .args(&["--department", name, "--follow-renames", "-n", "0"])
            .run()
            .expect_code(0);
        assert!(
            run.stdout.contains(&format!("{both} matches")),
            "{name}: {}",
            run.stdout
        );
    }
    let found = ix
        .search("*")
        .args(&["--department", "MHCLG", "--follow-renames", "--to", "2023"])
        .json();
    assert_eq!(
        found.total,
        dluhc.len(),
        "the old name's questions are found under the new"
    );
    // Facets merge the two names under the newer.
    let doc = run_json(
        ix,
        "facets",
        &["*"],
        &["--by", "department", "--merge-renames"],
    );
    let (counts, _) = facet_counts(&doc, "department");
    assert_eq!(counts.get(MHCLG), Some(&(both as u64)));
    assert_eq!(counts.get(DLUHC), None);
    let run = ix
        .call(&[
            "facets",
            "*",
            "--department",
            "MHCLG",
            "--follow-renames",
            "--by",
            "year",
        ])
        .run()
        .expect_code(0);
    assert!(
        run.stderr.contains(DLUHC),
        "the note names the other name: {}",
        run.stderr
    );
    // Stats and trends merge too.
    let doc = run_json(
        ix,
        "stats",
        &["*"],
        &["--by", "department", "--merge-renames"],
    );
    let group = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == MHCLG)
        .unwrap();
    let mut housing = dluhc.clone();
    housing.extend(mhclg.iter().copied());
    assert_eq!(figures(group), performance(&housing));
    assert_eq!(group["merged"], serde_json::json!([DLUHC]));
    let doc = run_json(
        ix,
        "trend",
        &["*"],
        &["--by", "year", "--split", "department", "--merge-renames"],
    );
    let series: Vec<&str> = doc["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let i = series.iter().position(|s| *s == MHCLG).unwrap();
    assert!(!series.contains(&DLUHC));
    for p in doc["periods"].as_array().unwrap() {
        let year = p["period"].as_str().unwrap();
        let n = housing.iter().filter(|r| &r.tabled[..4] == year).count() as u64;
        assert_eq!(p["by_series"][i].as_u64(), Some(n), "{year}");
    }
}

#[test]
fn more_short_forms_name_departments() {
    let ix = api();
    for (form, name) in [
        (
            "Foreign Office",
            "Foreign, Commonwealth and Development Office",
        ),
        ("FCO", "Foreign, Commonwealth and Development Office"),
        ("No 10", "Prime Minister"),
        ("AGO", "Attorney General"),
        ("HO", "Home Office"),
        (
            "Defra",
            "Department for Environment, Food and Rural Affairs",
        ),
        ("HM Treasury", "Treasury"),
    ] {
        let n = raw().iter().filter(|r| r.department == name).count();
        assert_eq!(
            ix.search("*").args(&["--department", form]).total(),
            n,
            "{form}"
        );
    }
}

#[test]
fn info_states_the_coverage() {
    let ix = api();
    let run = ix.call(&["info", "--format", "json"]).run().expect_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["questions"], 49_565);
    let tabled: BTreeSet<&str> = raw().iter().map(|r| r.tabled.as_str()).collect();
    let answered: BTreeSet<&str> = raw().iter().filter_map(|r| r.answered.as_deref()).collect();
    assert_eq!(doc["first_asked"], *tabled.first().unwrap());
    assert_eq!(doc["last_asked"], *tabled.last().unwrap());
    assert_eq!(doc["first_answered"], *answered.first().unwrap());
    assert_eq!(doc["newest"], "2026-07-10");
    let months = tally(raw().iter().map(|r| r.tabled[..7].to_string()));
    let got: BTreeMap<String, u64> = doc["months"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["questions"] != 0)
        .map(|m| {
            (
                m["value"].as_str().unwrap().to_string(),
                m["questions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, months);
    assert_eq!(doc["months"].as_array().unwrap().len(), 32);
    assert_eq!(
        doc["gaps"],
        serde_json::json!([
            {"first": "2024-01", "last": "2024-06", "months": 6},
            {"first": "2024-10", "last": "2024-10", "months": 1},
            {"first": "2025-02", "last": "2025-06", "months": 5},
        ])
    );
    let statuses = tally(raw().iter().map(|r| r.status.to_string()));
    for s in doc["statuses"].as_array().unwrap() {
        assert_eq!(
            Some(&s["questions"].as_u64().unwrap()),
            statuses.get(s["value"].as_str().unwrap())
        );
    }
    assert_eq!(
        doc["houses"],
        serde_json::json!([{"value": "Commons", "questions": 49_565}])
    );
    // Members named, and answers cut (the data study finds 12,802 cut answers).
    let id_only = |names: &mut dyn Iterator<Item = &String>| {
        let all: Vec<&String> = names.collect();
        let ids = all.iter().filter(|n| n.starts_with("member ")).count();
        let distinct: BTreeSet<&&String> = all.iter().collect();
        (distinct.len(), all.len() - ids, ids)
    };
    let (members, named, ids) = id_only(&mut raw().iter().map(|r| &r.asked_by));
    assert_eq!(
        doc["askers"],
        serde_json::json!({"members": members, "named": named, "id_only": ids, "none": 0})
    );
    assert_eq!(named, 48_655, "the data study's count");
    let (members, named, ids) = id_only(&mut raw().iter().filter_map(|r| r.answered_by.as_ref()));
    let none = raw().iter().filter(|r| r.answered_by.is_none()).count();
    assert_eq!(
        doc["answerers"],
        serde_json::json!({"members": members, "named": named, "id_only": ids, "none": none})
    );
    assert_eq!(doc["answers_cut"], 12_802);
    let text = ix.call(&["info"]).run().expect_code(0).stdout;
    assert!(text.contains("Commons 49,565 · Lords 0"), "{text}");
    assert!(text.contains("2024-01 to 2024-06 (6 months)"), "{text}");
}

#[test]
fn info_states_when_the_index_was_last_synced() {
    use crate::replay::{corpus_items, corpus_members, Replay};
    let env = TestEnv::new();
    let items: Vec<Value> = corpus_items(&["2024-07"]).into_iter().take(20).collect();
    let replay = Replay::start(items, corpus_members());
    let (api_url, members) = (replay.api_url(), replay.members_url());
    let info = |env: &TestEnv| -> Value {
        let run = env
            .run(&["info", "--index", "ix", "--format", "json"])
            .expect_code(0);
        serde_json::from_str(&run.stdout).unwrap()
    };
    env.run(&[
        "sync",
        "--index",
        "ix",
        "--api-url",
        &api_url,
        "--members-api-url",
        &members,
        "--rate",
        "1000",
        "--since",
        "2024-07-01",
    ])
    .expect_code(0);
    let doc = info(&env);
    assert_eq!(doc["questions"], 20);
    let when = doc["last_sync"]
        .as_str()
        .expect("a finished sync is recorded");
    assert!(when.ends_with('Z') && when.len() == 20, "{when}");
    assert_eq!(doc["sync_unfinished"], false);
    // An index that was only ingested has never been synced.
    assert!(info_of(api()).get("last_sync").is_some_and(Value::is_null));
}

fn info_of(ix: &Ix) -> Value {
    let run = ix.call(&["info", "--format", "json"]).run().expect_code(0);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn the_party_filter_keeps_the_askers_party_from_the_raw_json() {
    let ix = api();
    let by_party = tally(raw().iter().filter_map(|r| r.party.clone()));
    assert!(by_party.len() >= 4, "{by_party:?}");
    for (party, want) in &by_party {
        let got = ix.search("*").args(&["--party", party]).total();
        assert_eq!(got as u64, *want, "--party {party}");
    }
    // Any case; and with a query and another filter, the ids of the raw questions.
    let lower = by_party.keys().next().unwrap().to_lowercase();
    assert_eq!(
        ix.search("*").args(&["--party", &lower]).total() as u64,
        by_party[by_party.keys().next().unwrap()]
    );
    let party = by_party.iter().max_by_key(|(_, n)| **n).unwrap().0;
    let school: Vec<&Raw> = matched(
        ix,
        &Case {
            args: &["school"],
            only: None,
        },
    );
    let want = school
        .iter()
        .filter(|r| r.party.as_deref() == Some(party.as_str()) && r.department == DFE)
        .count();
    assert!(want > 0);
    assert_eq!(
        ix.search("school")
            .args(&["--party", party, "--department", "DfE"])
            .total(),
        want
    );
    // A member facet carries the member's id, which the page's links filter by.
    let doc = run_json(ix, "facets", &["*"], &["--by", "asked_by", "--top", "3"]);
    for v in doc["facets"][0]["values"].as_array().unwrap() {
        let id = v["member_ids"][0].as_u64().unwrap().to_string();
        assert_eq!(
            ix.search("*").args(&["--asked-by-id", &id]).total() as u64,
            v["count"].as_u64().unwrap()
        );
    }
    // A party the index does not name is refused with the parties it does.
    let run = ix
        .call(&["search", "*", "--party", "Whig"])
        .run()
        .expect_code(2);
    assert!(
        run.stderr.contains("no party is named \"Whig\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(party.as_str()), "{}", run.stderr);
}
