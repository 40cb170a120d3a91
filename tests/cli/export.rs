//! `pqsearch export`: every match, read back with a CSV parser and compared field by field
//! with the stored records.

use std::collections::HashMap;
use std::sync::OnceLock;

use pqsearch::record::Question;
use serde_json::Value;

use crate::testenv::{arg, corpus, Ix, TestEnv};

/// One index of the pages and one of the API JSON, built once.
fn indexes() -> &'static (TestEnv, Ix, Ix) {
    static INDEXES: OnceLock<(TestEnv, Ix, Ix)> = OnceLock::new();
    INDEXES.get_or_init(|| {
        let env = TestEnv::new();
        let pages = env.ingest("pages-ix", &[&corpus().join("pages")]);
        let api = env.ingest("api-ix", &[&corpus().join("api")]);
        (env, pages, api)
    })
}

fn records(ix: &Ix) -> HashMap<String, Question> {
    ix.records()
        .into_iter()
        .map(|q| (q.id.clone(), q))
        .collect()
}

/// The total that `search` reports for the same query and flags.
fn search_total(ix: &Ix, args: &[&str]) -> usize {
    ix.search(args[0]).args(&args[1..]).total()
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

/// The record's fields, in the order of the export's columns.
fn record_columns() -> Vec<&'static str> {
    pqsearch::fields::FIELDS.iter().map(|f| f.name).collect()
}

/// Exports a query to CSV and checks every row against the stored record.
fn check_csv(ix: &Ix, args: &[&str]) -> usize {
    let env = TestEnv::new();
    let mut full = vec!["export", "--index", arg(&ix.path), "--out", "out.csv"];
    full.extend_from_slice(args);
    let run = env.run(&full);
    assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
    let stored = records(ix);
    let columns = record_columns();
    let mut reader = csv::Reader::from_path(env.path("out.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut want_header = columns.clone();
    want_header.extend(["rank", "score", "snippet"]);
    assert_eq!(header, want_header);
    let n = columns.len();
    let mut rows = 0;
    let mut scores = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let q = &stored[&row[0]];
        for (c, name) in columns.iter().enumerate() {
            assert_eq!(row[c], expected_cell(q, name), "{args:?}: {} {name}", q.id);
        }
        assert_eq!(row[n].parse::<usize>().unwrap(), i + 1, "rank");
        scores.push(row[n + 1].parse::<f32>().unwrap());
        assert!(!row[n + 2].contains('\x1b'), "plain snippet");
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
        search_total(ix, args),
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
            arg(&pages.path),
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
        for name in record_columns() {
            assert_eq!(line[name], record[name], "{} {name}", q.id);
        }
        assert!(line["rank"].is_u64() && line["score"].is_f64() && line["snippet"].is_string());
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), record.as_object().unwrap().len() + 3);
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
            arg(&pages.path),
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
    let ix = arg(&pages.path);
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
    let ix = arg(&pages.path);
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
        let ix = arg(&api.path);
        let run = env.run_into_closed_pipe(&["export", "*", "--format", format, "--index", ix]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{format}");
    }
}
