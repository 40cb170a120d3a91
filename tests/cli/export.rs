//! `pqsearch export`: every match, read back with a CSV parser and compared field by field
//! with the stored records.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pqsearch::record::Question;
use serde_json::Value;

use crate::testenv::{corpus, dump, TestEnv};

/// One index of the pages and one of the API JSON, built once.
fn indexes() -> &'static (TestEnv, PathBuf, PathBuf) {
    static INDEXES: OnceLock<(TestEnv, PathBuf, PathBuf)> = OnceLock::new();
    INDEXES.get_or_init(|| {
        let env = TestEnv::new();
        for (dir, ix) in [("pages", "pages-ix"), ("api", "api-ix")] {
            let src = corpus().join(dir);
            env.run(&["ingest", src.to_str().unwrap(), "--index", ix])
                .expect_code(0);
        }
        let (p, a) = (env.path("pages-ix"), env.path("api-ix"));
        (env, p, a)
    })
}

fn records(index: &Path) -> HashMap<String, Question> {
    dump(index).into_iter().map(|q| (q.id.clone(), q)).collect()
}

/// The total that `search` reports for the same query.
fn search_total(index: &Path, args: &[&str]) -> usize {
    let env = TestEnv::new();
    let mut full = vec![
        "search",
        "--index",
        index.to_str().unwrap(),
        "--format",
        "json",
        "-n",
        "0",
    ];
    full.extend_from_slice(args);
    let run = env.run(&full);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["total"].as_u64().unwrap() as usize
}

/// What a CSV cell must hold for a record field.
fn expected_cell(q: &Question, column: &str) -> String {
    let v = serde_json::to_value(q).unwrap();
    match &v[column] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

const RECORD_COLUMNS: [&str; 18] = [
    "id",
    "uin",
    "house",
    "heading",
    "department",
    "asked_by",
    "asked_by_party",
    "asked_by_constituency",
    "date_asked",
    "question",
    "answered_by",
    "answered_by_role",
    "date_answered",
    "answer",
    "status",
    "corrected",
    "grouped_with",
    "source",
];

/// Exports a query to CSV and checks every row against the stored record.
fn check_csv(index: &Path, args: &[&str]) -> usize {
    let env = TestEnv::new();
    let mut full = vec![
        "export",
        "--index",
        index.to_str().unwrap(),
        "--out",
        "out.csv",
    ];
    full.extend_from_slice(args);
    let run = env.run(&full);
    assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
    let stored = records(index);
    let mut reader = csv::Reader::from_path(env.path("out.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut want_header: Vec<&str> = RECORD_COLUMNS.to_vec();
    want_header.extend(["rank", "score", "snippet"]);
    assert_eq!(header, want_header);
    let mut rows = 0;
    let mut scores = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let q = &stored[&row[0]];
        for (c, name) in RECORD_COLUMNS.iter().enumerate() {
            assert_eq!(row[c], expected_cell(q, name), "{args:?}: {} {name}", q.id);
        }
        assert_eq!(row[18].parse::<usize>().unwrap(), i + 1, "rank");
        scores.push(row[19].parse::<f32>().unwrap());
        assert!(!row[20].contains('\x1b'), "plain snippet");
        rows += 1;
    }
    if args.iter().all(|a| !a.starts_with("--sort")) {
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{args:?}: best first"
        );
    }
    assert_eq!(
        rows,
        search_total(index, args),
        "{args:?}: rows = search total"
    );
    rows
}

#[test]
fn csv_rows_read_back_exactly_and_match_search_totals() {
    let (_, pages, api) = indexes();
    // Every page, with tables (tabs), quotes, commas and multi-paragraph answers.
    let all = check_csv(pages, &["*"]);
    assert!(all > 4000);
    let stored = records(pages);
    for needle in ["\t", "\"", ",", "\n\n"] {
        assert!(
            stored
                .values()
                .any(|q| q.answer.as_deref().is_some_and(|a| a.contains(needle))),
            "{needle:?} is exercised"
        );
    }
    assert!(check_csv(pages, &["\"social care\""]) > 10);
    assert!(
        check_csv(
            pages,
            &["hospital -\"waiting list\"", "--department", "DHSC"]
        ) > 10
    );
    assert!(check_csv(pages, &["*", "--status", "holding", "--sort", "oldest"]) > 50);
    assert!(check_csv(api, &["\"free school meals\""]) > 10);
    assert!(check_csv(api, &["*", "--from", "2024-07", "--to", "2024-07"]) > 2000);
    assert_eq!(check_csv(api, &["xylophonequartet"]), 0);
}

#[test]
fn jsonl_has_the_same_fields_and_full_texts() {
    let (_, pages, _) = indexes();
    let env = TestEnv::new();
    let run = env
        .run(&[
            "export",
            "--index",
            pages.to_str().unwrap(),
            "--format",
            "jsonl",
            "\"Online Safety Act\"",
        ])
        .expect_code(0);
    let stored = records(pages);
    let lines = run.json_lines();
    assert_eq!(lines.len(), search_total(pages, &["\"Online Safety Act\""]));
    for line in &lines {
        let q = &stored[line["id"].as_str().unwrap()];
        let record = serde_json::to_value(q).unwrap();
        for name in RECORD_COLUMNS {
            assert_eq!(line[name], record[name], "{} {name}", q.id);
        }
        assert!(line["rank"].is_u64() && line["score"].is_f64() && line["snippet"].is_string());
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 21);
    }
}

#[test]
fn batch_export_has_a_query_column_and_repeats_shared_matches() {
    let (_, pages, _) = indexes();
    let env = TestEnv::new();
    env.write(
        "topics.txt",
        "# topics for the briefing\n\"social care\"\n\ncare homes\n  \n\"social care\" -funding\n",
    );
    let run = env
        .run(&[
            "export",
            "--index",
            pages.to_str().unwrap(),
            "--queries",
            "topics.txt",
            "--out",
            "t.csv",
        ])
        .expect_code(0);
    let mut reader = csv::Reader::from_path(env.path("t.csv")).unwrap();
    assert_eq!(&reader.headers().unwrap()[0], "query");
    let mut per_query: HashMap<String, Vec<String>> = HashMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        per_query
            .entry(row[0].to_string())
            .or_default()
            .push(row[1].to_string());
    }
    for q in ["\"social care\"", "care homes", "\"social care\" -funding"] {
        assert_eq!(per_query[q].len(), search_total(pages, &[q]), "{q}");
    }
    let shared = per_query["\"social care\" -funding"]
        .iter()
        .filter(|id| per_query["\"social care\""].contains(id))
        .count();
    assert_eq!(
        shared,
        per_query["\"social care\" -funding"].len(),
        "each query lists its own matches"
    );
    assert!(run.stderr.contains("wrote"), "{}", run.stderr);
}

#[test]
fn batch_errors_name_the_file_and_line() {
    let (_, pages, _) = indexes();
    let env = TestEnv::new();
    let ix = pages.to_str().unwrap();
    let run = env
        .run(&["export", "--index", ix, "--queries", "missing.txt"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("cannot read the queries file missing.txt"),
        "{}",
        run.stderr
    );

    env.write("q.txt", "# ok\nschools\n\n(hospital OR\n");
    let run = env
        .run(&[
            "export",
            "--index",
            ix,
            "--queries",
            "q.txt",
            "--out",
            "never.csv",
        ])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("q.txt:4: bad query: column 11: OR needs a term"),
        "{}",
        run.stderr
    );
    assert!(
        !env.path("never.csv").exists(),
        "nothing is written when a query is bad"
    );
    assert_eq!(
        std::fs::read_dir(env.dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn columns_bom_meta_and_reproducible_bytes() {
    let (_, pages, _) = indexes();
    let env = TestEnv::new();
    let ix = pages.to_str().unwrap();
    let args = [
        "export",
        "--index",
        ix,
        "schools",
        "--columns",
        "date_asked,id,answer",
        "--bom",
        "--meta",
        "m.json",
    ];
    let first = env.run(&args).expect_code(0);
    let second = env.run(&args).expect_code(0);
    assert_eq!(first.stdout, second.stdout, "byte-identical");
    assert!(first.stdout.starts_with("\u{feff}date_asked,id,answer\r\n"));
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("m.json")).unwrap()).unwrap();
    assert_eq!(meta["queries"][0], "schools");
    assert_eq!(
        meta["rows"].as_u64().unwrap() as usize,
        search_total(pages, &["schools"])
    );
    assert!(meta["exported_at"].as_str().unwrap().ends_with('Z'));
    assert!(meta["index_last_ingest"]
        .as_str()
        .unwrap()
        .starts_with("20"));
    assert_eq!(
        meta["columns"],
        serde_json::json!(["date_asked", "id", "answer"])
    );

    let run = env
        .run(&["export", "--index", ix, "schools", "--columns", "id,answr"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("unknown column \"answr\"; valid columns: query, id,"),
        "{}",
        run.stderr
    );
    let run = env
        .run(&["export", "--index", ix, "xylophonequartet"])
        .expect_code(1);
    assert_eq!(run.stdout.lines().count(), 1, "a header and no rows");
}

#[test]
fn an_export_into_a_closed_pipe_stops_quietly() {
    let (_, _, api) = indexes();
    let env = TestEnv::new();
    for format in ["csv", "jsonl"] {
        let ix = api.to_str().unwrap();
        let run = env.run_into_closed_pipe(&["export", "*", "--format", format, "--index", ix]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{format}");
    }
}
