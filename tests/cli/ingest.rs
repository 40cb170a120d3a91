//! `pqsearch ingest` on the real corpus: counts, idempotence, updates, bad files, a kill
//! part-way, and a second writer.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::testenv::{corpus, dump, parsed_ids, TestEnv};

fn path_str(p: &std::path::Path) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn ingest_holds_what_parse_yields_and_merges_pages_into_api_records() {
    let env = TestEnv::new();
    let pages = path_str(&corpus().join("pages"));
    let api = path_str(&corpus().join("api"));

    // Pages alone: one record per distinct question.
    let run = env
        .run(&["ingest", &pages, "--index", "ix-pages"])
        .expect_code(0);
    let ids: BTreeSet<String> = dump(&env.path("ix-pages"))
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(ids, parsed_ids(&env, &[&pages]), "{}", run.stderr);

    // Pages, then API JSON: every page matches its API record, so the API ids remain, and
    // the records carry both the UIN (from the API) and the minister (from the page).
    env.run(&["ingest", &pages, "--index", "ix"]).expect_code(0);
    let run = env.run(&["ingest", &api, "--index", "ix"]).expect_code(0);
    let records = dump(&env.path("ix"));
    let ids: BTreeSet<String> = records.iter().map(|q| q.id.clone()).collect();
    assert_eq!(ids, parsed_ids(&env, &[&api]), "{}", run.stderr);
    assert_eq!(records.len(), 49_565);

    let truth = std::fs::read_to_string(corpus().join("truth/pages.jsonl")).unwrap();
    let by_id: std::collections::HashMap<&str, &pqsearch::record::Question> =
        records.iter().map(|q| (q.id.as_str(), q)).collect();
    for line in truth.lines() {
        let t: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = format!(
            "{}/{}",
            t["date_asked"].as_str().unwrap(),
            t["uin"].as_str().unwrap()
        );
        let q = by_id[id.as_str()];
        assert_eq!(
            q.answered_by.as_deref(),
            t["answered_by"].as_str(),
            "{id}: minister from the page"
        );
        assert_eq!(
            q.heading.as_deref().map(crate::testenv::squash),
            t["heading"].as_str().map(crate::testenv::squash),
            "{id}"
        );
        if let Some(answer) = t["answer"].as_str() {
            assert_eq!(
                crate::testenv::squash(q.answer.as_deref().unwrap()),
                crate::testenv::squash(answer),
                "{id}: the page's full answer wins over a cut API copy"
            );
        }
    }

    // The other order gives the same records.
    env.run(&["ingest", &api, "--index", "ix2"]).expect_code(0);
    env.run(&["ingest", &pages, "--index", "ix2"])
        .expect_code(0);
    let again = dump(&env.path("ix2"));
    assert_eq!(again.len(), records.len());
    for (a, b) in records.iter().zip(&again) {
        let mut b = b.clone();
        b.source.clone_from(&a.source);
        assert_eq!(*a, b, "the order of ingest changes {}", a.id);
    }
}

#[test]
fn reingest_adds_nothing_and_skips_unchanged_files() {
    let env = TestEnv::new();
    let pages = path_str(&corpus().join("pages/2024-07"));
    let first = env.run(&["ingest", &pages]).expect_code(0);
    let before = dump(&env.path("index"));
    let second = env.run(&["ingest", &pages]).expect_code(0);
    assert_eq!(dump(&env.path("index")), before);
    let files = std::fs::read_dir(corpus().join("pages/2024-07"))
        .unwrap()
        .count();
    assert!(
        second.stderr.contains(&format!(
            "0 file(s) read (0.0 MB), {files} unchanged and skipped"
        )),
        "first:\n{}\nsecond:\n{}",
        first.stderr,
        second.stderr
    );
    assert!(
        second.stderr.contains("0 added, 0 updated"),
        "{}",
        second.stderr
    );
}

#[test]
fn changing_one_file_updates_exactly_that_record() {
    let env = TestEnv::new();
    let src = corpus().join("pages/2023-12");
    let mut names: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    for name in names.iter().take(30) {
        env.write(
            &format!("in/{}", name.to_str().unwrap()),
            std::fs::read(src.join(name)).unwrap(),
        );
    }
    env.run(&["ingest", "in"]).expect_code(0);
    let before = dump(&env.path("index"));

    // Find an answered page and give it a corrected answer.
    let (path, text) = names
        .iter()
        .take(30)
        .map(|n| env.path(&format!("in/{}", n.to_str().unwrap())))
        .map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap()))
        .find(|(_, t)| t.contains("This question was answered on"))
        .unwrap();
    let changed = text.replace(
        "Reticulating Splines",
        "A corrected final paragraph about hedgerows.\n\nReticulating Splines",
    );
    std::fs::write(&path, changed).unwrap();
    let run = env.run(&["ingest", "in"]).expect_code(0);
    assert!(run.stderr.contains("1 file(s) read"), "{}", run.stderr);
    assert!(run.stderr.contains("0 added, 1 updated"), "{}", run.stderr);

    let after = dump(&env.path("index"));
    assert_eq!(after.len(), before.len());
    let differing: Vec<_> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(differing.len(), 1, "exactly one record changes");
    assert!(differing[0]
        .1
        .answer
        .as_deref()
        .unwrap()
        .ends_with("about hedgerows."));
    let id = &differing[0].1.id;
    let shown = env
        .run(&["show", id, "--format", "json", "--index", "index"])
        .expect_code(0);
    assert!(
        shown.stdout.contains("about hedgerows."),
        "{}",
        shown.stdout
    );
}

#[test]
fn bad_files_are_rejected_and_the_good_ones_ingested() {
    let env = TestEnv::new();
    let seed = std::fs::read(corpus().join("seed/internet-offences-against-children.txt")).unwrap();
    env.write("in/good.txt", &seed);
    env.write("in/bad-utf8.txt", b"Heading\n\xff\xfe");
    env.write("in/empty.txt", b"");
    env.write("in/notes/prose.txt", b"Nothing to see here.\n");
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(2);
    assert!(run.stderr.contains("3 rejected"), "{}", run.stderr);
    for (file, reason) in [
        ("bad-utf8.txt", "line 2: not valid UTF-8"),
        ("empty.txt", "line 1: the file is empty"),
        ("prose.txt", "line 3: the text ends early"),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("rejected: ") && l.contains(file) && l.contains(reason)),
            "{file}: {reason}\n{}",
            run.stderr
        );
    }
    let records = dump(&env.path("ix"));
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].heading.as_deref(),
        Some("Internet: Offences against Children")
    );
    // Rejected files are tried again next time; the good one is not re-read.
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(2);
    assert!(
        run.stderr.contains("1 unchanged and skipped, 3 rejected"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_incompatible_or_foreign_index_is_refused_clearly() {
    let env = TestEnv::new();
    env.write("stuff/notes.txt", "not an index");
    let run = env
        .run(&["ingest", "--index", "stuff", "no-such-input"])
        .expect_code(2);
    assert!(
        run.stderr.contains("not a pqsearch index"),
        "{}",
        run.stderr
    );

    let seed = corpus().join("seed");
    env.run(&["ingest", seed.to_str().unwrap(), "--index", "ix"])
        .expect_code(0);
    let meta = env.path("ix/meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let version = format!("schema_version\\\":{}", pqsearch::schema::SCHEMA_VERSION);
    assert!(text.contains(&version), "{text}");
    std::fs::write(&meta, text.replace(&version, "schema_version\\\":99")).unwrap();
    let run = env
        .run(&["search", "child", "--index", "ix"])
        .expect_code(2);
    assert!(
        run.stderr.contains("incompatible version")
            && run.stderr.contains("pqsearch ingest --rebuild --index ix"),
        "{}",
        run.stderr
    );
    // The cure the message names works: the index is built again from its sources.
    env.run(&["ingest", "--rebuild", "--index", "ix"])
        .expect_code(0);
    env.run(&["search", "child", "--index", "ix"])
        .expect_code(0);

    let run = env
        .run(&["search", "child", "--index", "nowhere"])
        .expect_code(2);
    assert!(
        run.stderr.contains("no index at nowhere") && run.stderr.contains("pqsearch ingest"),
        "{}",
        run.stderr
    );
}

/// Waits for a file to appear, or panics after a while.
fn wait_for(path: &std::path::Path, child: &mut std::process::Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("ingest ended ({status}) before {} appeared", path.display());
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the manifest lists a file of the API corpus: the slow ingest has made a
/// commit beyond the index it started from.
fn wait_for_api_commit(env: &TestEnv, child: &mut std::process::Child) {
    let manifest = env.path("ix/pqsearch-files.json");
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        if text.contains("/api/") || text.contains("/pages/2024") {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("ingest ended ({status}) before its first commit");
        }
        assert!(start.elapsed() < Duration::from_secs(120), "timed out");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// An index of one month of pages, finished, that the slow ingest then updates.
fn prebuilt(env: &TestEnv) {
    let month = path_str(&corpus().join("pages/2023-12"));
    env.run(&["ingest", &month, "--index", "ix"]).expect_code(0);
}

fn slow_ingest(env: &TestEnv) -> std::process::Child {
    let pages = path_str(&corpus().join("pages"));
    let api = path_str(&corpus().join("api"));
    env.process()
        .args([
            "ingest",
            &pages,
            &api,
            "--index",
            "ix",
            "--commit-every",
            "1000",
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn a_killed_ingest_leaves_the_last_commit_and_a_rerun_completes() {
    let env = TestEnv::new();
    prebuilt(&env);
    let mut child = slow_ingest(&env);
    // The manifest is written right after each commit.
    wait_for_api_commit(&env, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let records = dump(&env.path("ix"));
    assert!(
        !records.is_empty() && records.len() < 49_565,
        "{} records",
        records.len()
    );
    let ids: BTreeSet<&str> = records.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids.len(), records.len(), "no duplicates after a kill");

    // Every file the manifest calls done has all its records in the index.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("ix/pqsearch-files.json")).unwrap())
            .unwrap();
    let done: Vec<&String> = manifest["files"].as_object().unwrap().keys().collect();
    assert!(!done.is_empty());
    for file in done {
        for q in pqsearch::parse::parse_file(std::path::Path::new(file))
            .unwrap()
            .questions
        {
            let present = records
                .iter()
                .any(|r| r.id == q.id || (r.same_text(&q) && q.uin.is_none()));
            assert!(
                present,
                "{file}: {} is missing although its file is marked done",
                q.id
            );
        }
    }

    // A search works on the interrupted update, and a rerun completes the work. (A killed
    // first build is the subject of robust::an_ingest_killed_at_twenty_points_loses_nothing.)
    env.run(&["search", "*", "--index", "ix", "-n", "1"])
        .expect_code(0);
    let pages = path_str(&corpus().join("pages"));
    let api = path_str(&corpus().join("api"));
    let run = env
        .run(&["ingest", &pages, &api, "--index", "ix"])
        .expect_code(0);
    let records = dump(&env.path("ix"));
    assert_eq!(records.len(), 49_565, "{}", run.stderr);
}

#[test]
fn a_second_ingest_is_refused_while_searches_keep_working() {
    let env = TestEnv::new();
    prebuilt(&env);
    let mut child = slow_ingest(&env);
    wait_for_api_commit(&env, &mut child);
    let seed = corpus().join("seed");
    let second = env.run(&["ingest", seed.to_str().unwrap(), "--index", "ix"]);
    let search = env.run(&["search", "*", "--index", "ix", "-n", "1"]);
    let still_running = child.try_wait().unwrap().is_none();
    let status = child.wait().unwrap();
    assert!(
        still_running,
        "the first ingest finished too soon for this test"
    );
    assert!(status.success());
    second.expect_code(2);
    search.expect_code(0);
}

#[test]
fn the_refusal_message_names_the_other_writer() {
    let env = TestEnv::new();
    let mut child = slow_ingest(&env);
    wait_for(&env.path("ix/pqsearch-files.json"), &mut child);
    let seed = corpus().join("seed");
    let second = env.run(&["ingest", seed.to_str().unwrap(), "--index", "ix"]);
    child.kill().unwrap();
    child.wait().unwrap();
    let second = second.expect_code(2);
    assert!(
        second
            .stderr
            .contains("another `pqsearch ingest` is writing to ix"),
        "{}",
        second.stderr
    );
}

/// Regression (issue 9, item 4): a truncated page overwrote a whole answer, and a page cut
/// inside its question became a bogus extra record.
#[test]
fn a_truncated_page_never_replaces_a_whole_answer() {
    let env = TestEnv::new();
    let seed =
        std::fs::read_to_string(corpus().join("seed/internet-offences-against-children.txt"))
            .unwrap();
    env.write("in/page.txt", &seed);
    env.run(&["ingest", "in", "--index", "ix"]).expect_code(0);
    let whole = dump(&env.path("ix"));
    assert_eq!(whole.len(), 1);
    assert!(!whole[0].answer_cut);

    // Cut 200 characters into the answer: the whole answer stays.
    let answer = whole[0].answer.as_deref().unwrap();
    let first_line = answer.lines().next().unwrap();
    let at = seed.find(first_line).unwrap() + 200;
    env.write("in/page.txt", &seed[..at]);
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(0);
    assert!(
        run.stderr.contains("0 added, 0 updated, 1 duplicate(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(dump(&env.path("ix")), whole);

    // Cut inside the question: rejected, and nothing added.
    let question_at = seed.find(&whole[0].question[..40]).unwrap() + 60;
    env.write("in/page.txt", &seed[..question_at]);
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(2);
    assert!(
        run.stderr.contains("page.txt: line") && run.stderr.contains("cut short"),
        "{}",
        run.stderr
    );
    assert_eq!(dump(&env.path("ix")), whole);

    // The other order: the cut copy alone is flagged, and the whole page clears the flag.
    env.write("in/page.txt", &seed[..at]);
    env.run(&["ingest", "in", "--index", "ix2"]).expect_code(0);
    let cut = dump(&env.path("ix2"));
    assert!(cut[0].answer_cut);
    assert!(whole[0]
        .answer
        .as_deref()
        .unwrap()
        .starts_with(cut[0].answer.as_deref().unwrap()));
    let shown = env
        .run(&["show", &cut[0].id, "--index", "ix2"])
        .expect_code(0);
    assert!(
        shown.stdout.contains("(answer cut by the source;"),
        "{}",
        shown.stdout
    );
    env.write("in/page.txt", &seed);
    env.run(&["ingest", "in", "--index", "ix2"]).expect_code(0);
    let mut again = dump(&env.path("ix2"));
    again[0].source.clone_from(&whole[0].source);
    assert_eq!(again, whole);
}

/// One API list of 500 real items, one per line, with item `bad` (1-based) changed.
fn api_file_with_a_bad_item(bad: usize, change: impl Fn(&mut serde_json::Value)) -> String {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(corpus().join("api/2024-07.json")).unwrap()).unwrap();
    let mut items: Vec<serde_json::Value> = doc["items"].as_array().unwrap()[..500].to_vec();
    change(&mut items[bad - 1]["value"]);
    let lines: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    format!(
        "{{\"items\": [\n{}\n], \"totalResults\": 500}}",
        lines.join(",\n")
    )
}

/// Regression (issue 9, item 5): one bad item rejected its whole file.
#[test]
fn a_bad_item_is_rejected_alone_and_the_rest_of_its_file_ingested() {
    let env = TestEnv::new();
    let text = api_file_with_a_bad_item(250, |v| {
        v["dateTabled"] = serde_json::Value::from("2024-07-17garbage!!");
    });
    env.write("in/list.json", &text);
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(2);
    assert!(
        run.stderr.contains("0 rejected;") && run.stderr.contains("1 rejected within files"),
        "{}",
        run.stderr
    );
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("rejected: "))
        .unwrap();
    assert!(
        line.contains("list.json: item 250 (line 251): invalid date \"2024-07-17garbage!!\""),
        "{line}"
    );
    assert_eq!(dump(&env.path("ix")).len(), 499);

    // parse prints the 499 and names the one.
    let run = env.run(&["parse", "in"]).expect_code(2);
    assert_eq!(run.json_lines().len(), 499);
    assert!(run.stderr.contains("item 250 (line 251)"), "{}", run.stderr);

    // The file is read again next time, and the item reported again, until it is fixed.
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(2);
    assert!(run.stderr.contains("item 250"), "{}", run.stderr);
    let fixed = api_file_with_a_bad_item(250, |_| {});
    env.write("in/list.json", fixed);
    env.run(&["ingest", "in", "--index", "ix"]).expect_code(0);
    assert_eq!(dump(&env.path("ix")).len(), 500);
}

/// Regression (issue 9, item 7 and the UIN messages): a 70,000-character UIN was indexed
/// without its id; a UIN with a line break made an id with one; a UIN of the wrong type
/// said "did not match any variant of untagged enum Uin".
#[test]
fn uins_and_fields_are_bounded_with_a_reason() {
    let env = TestEnv::new();
    for (n, (change, reason)) in [
        (
            Box::new(|v: &mut serde_json::Value| {
                v["uin"] = serde_json::Value::from("7".repeat(70_000))
            }) as Box<dyn Fn(&mut serde_json::Value)>,
            "the UIN is 70000 characters long; at most 20 are accepted",
        ),
        (
            Box::new(|v: &mut serde_json::Value| v["uin"] = serde_json::Value::from("12\n34")),
            "characters other than letters and digits",
        ),
        (
            Box::new(|v: &mut serde_json::Value| v["uin"] = serde_json::json!([1])),
            "expected a UIN as a string or a whole number",
        ),
        (
            Box::new(|v: &mut serde_json::Value| {
                v["heading"] = serde_json::Value::from("h".repeat(5_000))
            }),
            "the heading is 5000 characters long",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let text = api_file_with_a_bad_item(3, change);
        env.write(&format!("in{n}/list.json"), &text);
        let run = env
            .run(&["ingest", &format!("in{n}"), "--index", &format!("ix{n}")])
            .expect_code(2);
        assert!(
            run.stderr.contains("item 3 (line 4)") && run.stderr.contains(reason),
            "{reason}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("untagged"), "{}", run.stderr);
        let records = dump(&env.path(&format!("ix{n}")));
        assert_eq!(records.len(), 499);
        assert!(records
            .iter()
            .all(|q| !q.id.contains('\n') && q.id.len() < 40));
    }
}

/// Regression (issue 9): parsing an unchanged corpus again reported "1 updated", because a
/// record took its heading from another member's question with the same text.
#[test]
fn reingesting_an_unchanged_corpus_changes_nothing() {
    let env = TestEnv::new();
    let api = path_str(&corpus().join("api"));
    env.run(&["ingest", &api, "--index", "ix"]).expect_code(0);
    let before = dump(&env.path("ix"));
    // Forget which files were read, so that every file is parsed and merged again.
    std::fs::remove_file(env.path("ix/pqsearch-files.json")).unwrap();
    let run = env.run(&["ingest", &api, "--index", "ix"]).expect_code(0);
    assert!(
        run.stderr
            .contains("0 added, 0 updated, 49565 duplicate(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(dump(&env.path("ix")), before);
    // The API gives 2026-01-08/104313 no heading; its twin's (another member's question of
    // the same wording) is not copied in.
    let q = before.iter().find(|q| q.id == "2026-01-08/104313").unwrap();
    assert_eq!(q.heading, None);
}

/// Regression (issue 9): UTF-16 files were reported as "binary data (a NUL byte)".
#[test]
fn utf16_files_with_a_byte_order_mark_are_read() {
    let env = TestEnv::new();
    let seed =
        std::fs::read_to_string(corpus().join("seed/internet-offences-against-children.txt"))
            .unwrap();
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(seed.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    env.write("a/seed.txt", &seed);
    env.write("b/seed-utf16.txt", &utf16);
    env.run(&["ingest", "a", "--index", "ixa"]).expect_code(0);
    env.run(&["ingest", "b", "--index", "ixb"]).expect_code(0);
    let (mut a, b) = (dump(&env.path("ixa")), dump(&env.path("ixb")));
    a[0].source.clone_from(&b[0].source);
    assert_eq!(a, b);
    env.write("c/no-bom.txt", &utf16[2..]);
    let run = env.run(&["ingest", "c", "--index", "ixc"]).expect_code(2);
    assert!(
        run.stderr.contains("UTF-16 text without a byte-order mark"),
        "{}",
        run.stderr
    );
}
