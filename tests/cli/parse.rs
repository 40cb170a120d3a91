//! `pqsearch parse` and the parser behind it, on the real corpus and on bad input.

use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::Value;

use crate::testenv::{corpus, embedded_corpus, squash, TestEnv};

const TRUTH_FIELDS: [&str; 9] = [
    "heading",
    "department",
    "house",
    "date_asked",
    "question",
    "answered_by",
    "date_answered",
    "answer",
    "status",
];

fn text_of(v: &Value) -> Option<String> {
    v.as_str().map(squash)
}

/// Runs the binary over the whole pages folder and compares every field with the truth file.
#[test]
fn every_corpus_page_matches_truth() {
    let corpus = corpus();
    let env = TestEnv::new();
    let run = env
        .run(&["parse", corpus.join("pages").to_str().unwrap()])
        .expect_code(0);
    let records: HashMap<String, Value> = run
        .json_lines()
        .into_iter()
        .map(|r| {
            let source = r["source"].as_str().unwrap();
            let rel = source.split("corpus/").last().unwrap().to_string();
            (rel, r)
        })
        .collect();

    let truth = std::fs::read_to_string(corpus.join("truth/pages.jsonl")).unwrap();
    let mut matched = [0usize; TRUTH_FIELDS.len()];
    let mut total = 0;
    let mut first_miss: Vec<String> = Vec::new();
    for line in truth.lines() {
        let want: Value = serde_json::from_str(line).unwrap();
        let file = want["file"].as_str().unwrap();
        let got = records
            .get(file)
            .unwrap_or_else(|| panic!("{file} produced no record"));
        total += 1;
        for (i, field) in TRUTH_FIELDS.iter().enumerate() {
            if text_of(&want[field]) == text_of(&got[field]) {
                matched[i] += 1;
            } else if first_miss.len() < 5 {
                first_miss.push(format!(
                    "{file} {field}: want {:?} got {:?}",
                    want[field], got[field]
                ));
            }
        }
    }
    assert_eq!(total, 4320, "the truth file lists 4,320 pages");
    assert_eq!(records.len(), total, "one record per page");
    let report: Vec<String> = TRUTH_FIELDS
        .iter()
        .zip(matched)
        .map(|(f, m)| format!("{f}: {:.2}%", 100.0 * m as f64 / total as f64))
        .collect();
    eprintln!(
        "match rate per field over {total} pages: {}",
        report.join(", ")
    );
    assert!(
        matched.iter().all(|&m| m == total),
        "fields that differ from truth:\n{}\n{}",
        report.join("\n"),
        first_miss.join("\n")
    );
}

#[test]
fn seed_parses_into_exactly_its_truth() {
    let corpus = corpus();
    let records =
        pqsearch::parse::parse_file(&corpus.join("seed/internet-offences-against-children.txt"))
            .unwrap()
            .questions;
    assert_eq!(records.len(), 1);
    let got = serde_json::to_value(&records[0]).unwrap();
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("truth/seed.json")).unwrap())
            .unwrap();
    for (field, value) in want.as_object().unwrap() {
        if field == "file" {
            continue;
        }
        assert_eq!(&got[field], value, "seed field {field}");
    }
}

/// Every API item, checked against the raw JSON it came from.
#[test]
fn every_api_item_parses_with_its_facts() {
    let dir = corpus().join("api");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    let mut statuses: HashMap<String, usize> = HashMap::new();
    for file in files {
        let raw: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let items = raw["items"].as_array().unwrap();
        let records = pqsearch::parse::parse_file(&file).unwrap().questions;
        assert_eq!(records.len(), items.len(), "{}", file.display());
        for (i, (item, q)) in items.iter().zip(&records).enumerate() {
            let v = &item["value"];
            let at = format!("{}#{}", file.display(), i + 1);
            assert_eq!(q.source, at);
            assert_eq!(q.uin.as_deref(), v["uin"].as_str(), "{at} uin");
            assert_eq!(
                q.id,
                format!(
                    "{}/{}",
                    &v["dateTabled"].as_str().unwrap()[..10],
                    v["uin"].as_str().unwrap()
                ),
                "{at}"
            );
            assert_eq!(
                q.date_asked.to_string(),
                v["dateTabled"].as_str().unwrap()[..10],
                "{at}"
            );
            assert_eq!(
                q.date_answered.map(|d| d.to_string()),
                v["dateAnswered"].as_str().map(|d| d[..10].to_string()),
                "{at} date answered"
            );
            assert_eq!(
                q.department,
                v["answeringBodyName"].as_str().unwrap().trim(),
                "{at}"
            );
            assert_eq!(
                q.heading.as_deref().map(squash),
                v["heading"].as_str().map(squash),
                "{at}"
            );
            // Grouped questions as ids, from the dates the API gives for them.
            let grouped: Vec<String> = v["groupedQuestions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| {
                    let uin = g.as_str().unwrap();
                    let date = v["groupedQuestionsDates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|d| d["questionUin"] == uin)
                        .map(|d| &d["dateTabled"].as_str().unwrap()[..10]);
                    date.map_or(uin.to_string(), |d| format!("{d}/{uin}"))
                })
                .collect();
            assert_eq!(q.grouped_with, grouped, "{at} grouped questions");
            assert_eq!(q.answered_by, None, "{at}: names are not in the API data");
            let answer = v["answerText"].as_str().unwrap_or("");
            let want_status = if answer.is_empty() {
                if v["dateAnswered"].is_null() {
                    "unanswered"
                } else {
                    "answered"
                }
            } else if squash(answer)
                .contains("will not be possible to answer this question within the usual time")
            {
                "holding"
            } else {
                "answered"
            };
            assert_eq!(q.status.as_str(), want_status, "{at} status");
            if answer.ends_with("...") {
                assert!(
                    q.answer.as_deref().unwrap().ends_with("..."),
                    "{at}: a cut answer keeps its marker"
                );
            }
            *statuses.entry(want_status.to_string()).or_default() += 1;
            checked += 1;
        }
    }
    assert_eq!(checked, 49_565);
    assert!(
        statuses["holding"] > 100 && statuses["unanswered"] > 20_000,
        "{statuses:?}"
    );
}

/// Pages were rendered from the API, so a page and the API item of one question must agree
/// on the status, and on the answer wherever the API holds it in full (HTML converted).
#[test]
fn api_answers_convert_like_the_pages() {
    let corpus = corpus();
    let mut api: HashMap<String, pqsearch::record::Question> = HashMap::new();
    for entry in std::fs::read_dir(corpus.join("api")).unwrap() {
        for q in pqsearch::parse::parse_file(&entry.unwrap().path())
            .unwrap()
            .questions
        {
            api.insert(q.id.clone(), q);
        }
    }
    let truth = std::fs::read_to_string(corpus.join("truth/pages.jsonl")).unwrap();
    let mut compared = 0;
    for line in truth.lines() {
        let want: Value = serde_json::from_str(line).unwrap();
        let id = format!(
            "{}/{}",
            want["date_asked"].as_str().unwrap(),
            want["uin"].as_str().unwrap()
        );
        let q = &api[&id];
        assert_eq!(
            q.status.as_str(),
            want["status"].as_str().unwrap(),
            "{id} status"
        );
        if let (Some(a), Some(w)) = (q.answer.as_deref(), want["answer"].as_str()) {
            if !a.ends_with("...") {
                assert_eq!(squash(a), squash(w), "{id} answer");
                compared += 1;
            }
        }
    }
    assert!(compared > 2000, "only {compared} full answers compared");
}

#[test]
fn embedded_samples_cover_listing_and_api() {
    let env = TestEnv::new();
    let run = env
        .run(&["parse", embedded_corpus().to_str().unwrap()])
        .expect_code(0);
    let records = run.json_lines();
    assert_eq!(records.len(), 7, "seed + 3 API + 3 listing questions");
    let listing: Vec<&Value> = records
        .iter()
        .filter(|r| {
            r["source"]
                .as_str()
                .unwrap()
                .contains("sample-listing.txt#")
        })
        .collect();
    assert_eq!(listing.len(), 3);
    assert_eq!(listing[0]["asked_by"], "Alex Sample");
    assert_eq!(
        listing[0]["answered_by_role"],
        "Parliamentary Under-Secretary (Department for Education)"
    );
    assert_eq!(listing[1]["answered_by_role"], Value::Null);
    assert!(listing[1]["answer"]
        .as_str()
        .unwrap()
        .contains("Sampleton - London\t4.9"));
    assert_eq!(listing[2]["house"], "Lords");
    assert_eq!(listing[2]["status"], "unanswered");
}

#[test]
fn line_endings_bom_and_spaces_do_not_change_the_record() {
    let seed =
        std::fs::read_to_string(corpus().join("seed/internet-offences-against-children.txt"))
            .unwrap();
    let plain = pqsearch::parse::parse_bytes(seed.as_bytes(), "x").unwrap();
    let messy = format!(
        "\u{feff}{}",
        seed.replace('\n', "  \r\n")
            .replace("Online Safety", "Online\u{a0}Safety")
    );
    let messy = pqsearch::parse::parse_bytes(messy.as_bytes(), "x").unwrap();
    let cr_only = pqsearch::parse::parse_bytes(seed.replace('\n', "\r").as_bytes(), "x").unwrap();
    assert_eq!(plain, messy);
    assert_eq!(plain, cr_only);
}

#[test]
fn bad_files_are_reported_with_line_and_reason_and_good_ones_still_print() {
    let env = TestEnv::new();
    let seed = std::fs::read(corpus().join("seed/internet-offences-against-children.txt")).unwrap();
    env.write("in/good.txt", &seed);
    env.write(
        "in/latin1.txt",
        b"Heading\n\n(asked on 6th September 2023)\ncaf\xe9\n",
    );
    env.write("in/empty.txt", b"");
    env.write("in/blank.txt", b"  \n\n");
    env.write("in/binary.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    env.write("in/prose.txt", b"Dear diary,\n\nToday nothing happened.\n");
    env.write(
        "in/broken.json",
        b"{\"items\": [\n  {\"value\": {\"uin\": 1}\n",
    );
    let run = env.run(&["parse", "in"]).expect_code(2);
    assert_eq!(run.json_lines().len(), 1, "the good file is still printed");
    let expect = [
        ("latin1.txt:4:", "not valid UTF-8"),
        ("empty.txt:1:", "empty"),
        ("blank.txt:1:", "empty"),
        ("binary.bin:3:", "binary"),
        (
            "prose.txt:3:",
            "expected \"(asked on <date>) - View Source\"",
        ),
        ("broken.json:3:", "invalid JSON: EOF while parsing"),
    ];
    for (place, reason) in expect {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(place))
            .unwrap_or_else(|| panic!("no error naming {place} in:\n{}", run.stderr));
        assert!(line.contains(reason), "{line:?} should say {reason:?}");
    }
    assert!(
        run.stderr
            .contains("6 of 7 file(s) failed to parse, and 0 record(s) within the others; 1 record(s) printed"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_path_is_an_error_and_an_empty_folder_finds_nothing() {
    let env = TestEnv::new();
    let run = env.run(&["parse", "no-such-dir"]).expect_code(2);
    assert!(run.stderr.contains("no-such-dir"), "{}", run.stderr);
    std::fs::create_dir(env.path("empty")).unwrap();
    let run = env.run(&["parse", "empty"]).expect_code(1);
    assert!(run.stderr.contains("no input files"), "{}", run.stderr);
}

fn real_pages() -> Vec<Vec<u8>> {
    let dir = corpus().join("pages/2023-12");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .take(40)
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = pqsearch::parse::parse_bytes(&bytes, "fuzz");
    }

    #[test]
    fn arbitrary_text_in_each_format_never_panics(
        prefix in prop_oneof![Just(""), Just("{\"items\": ["), Just("Written Question\n"), Just("H\n\n(asked on ")],
        text in "\\PC{0,400}",
    ) {
        let _ = pqsearch::parse::parse_bytes(format!("{prefix}{text}").as_bytes(), "fuzz");
    }

    #[test]
    fn mutated_real_pages_never_panic(
        which in 0usize..40,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12),
    ) {
        let pages = REAL_PAGES.with(|p| p.clone());
        let mut bytes = pages[which % pages.len()].clone();
        for (at, byte, kind) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => { let end = (i + 200).min(bytes.len()); bytes.drain(i..end); }
            }
        }
        let _ = pqsearch::parse::parse_bytes(&bytes, "fuzz");
    }
}

thread_local! {
    static REAL_PAGES: Vec<Vec<u8>> = real_pages();
}
