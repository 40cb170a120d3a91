//! `pqsearch sync` against a local replay of the official APIs (`replay.rs`), never the
//! network: a sync equals an ingest of the same questions; a second sync fetches nothing
//! new; later answers and corrections arrive; faults are survived; a killed sync finishes
//! when rerun; the kept responses replay through `ingest`.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::replay::{corpus_items, corpus_members, Fault, Replay};
use crate::testenv::{arg, Run, TestEnv};

/// The real questions the replay serves: 450 of July 2024 and 50 of July 2026, some of
/// them not yet answered (a sync of more only takes longer).
fn items() -> Vec<Value> {
    let mut items: Vec<Value> = corpus_items(&["2024-07"]).into_iter().take(450).collect();
    items.extend(corpus_items(&["2026-07"]).into_iter().take(50));
    items
}

/// Runs a sync of `ix` against the replay, quickly.
fn sync(env: &TestEnv, replay: &Replay, ix: &str, more: &[&str]) -> Run {
    let (api, members) = (replay.api_url(), replay.members_url());
    let mut args = vec![
        "sync",
        "--index",
        ix,
        "--api-url",
        &api,
        "--members-api-url",
        &members,
        "--rate",
        "1000",
        "--retry-ms",
        "20",
    ];
    args.extend_from_slice(more);
    env.run(&args)
}

/// Every record of an index by id, without what says where it was read from.
fn records(dir: &std::path::Path) -> BTreeMap<String, Value> {
    crate::testenv::dump(dir)
        .into_iter()
        .map(|q| {
            let mut v = serde_json::to_value(&q).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("source");
            // Names a sync reads from the API's member objects; an ingest of the saved
            // list files looks them up in the members table. The names are the same.
            o.remove("names_looked_up");
            (q.id, v)
        })
        .collect()
}

/// The items as the corpus files hold them, and the members file, ingested.
fn ingested(env: &TestEnv, items: &[Value]) -> BTreeMap<String, Value> {
    let doc = json!({
        "items": items.iter().map(|v| json!({"value": v, "links": []})).collect::<Vec<_>>(),
        "totalResults": items.len(),
    });
    env.write("files/questions.json", doc.to_string());
    let members = crate::testenv::corpus().join("members");
    env.run(&[
        "ingest",
        arg(&env.path("files")),
        arg(&members),
        "--index",
        "files-ix",
    ])
    .expect_code(0);
    records(&env.path("files-ix"))
}

fn diff(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .map(|k| format!("only in the first: {k}"))
        .chain(
            b.keys()
                .filter(|k| !a.contains_key(*k))
                .map(|k| format!("only in the second: {k}")),
        )
        .collect();
    for (k, v) in a {
        if let Some(w) = b.get(k) {
            for (field, x) in v.as_object().unwrap() {
                if w[field] != *x {
                    out.push(format!("{k} {field}: {x} vs {}", w[field]));
                }
            }
        }
    }
    out
}

/// Today in UTC, as a sync sees it.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    pqsearch::date::Date::from_days_since_epoch(secs / 86_400).to_string()
}

#[test]
fn a_sync_equals_an_ingest_and_a_second_sync_fetches_only_changes() {
    let env = TestEnv::new();
    let items = items();
    let replay = Replay::start(items.clone(), corpus_members());

    let run = sync(&env, &replay, "ix", &["--since", "2024-07-01"]).expect_code(0);
    assert!(
        run.stderr
            .contains("fetched whole because the list cuts or flattens texts"),
        "{}",
        run.stderr
    );
    let synced = records(&env.path("ix"));
    let want = ingested(&env, &items);
    let d = diff(&synced, &want);
    assert!(
        d.is_empty(),
        "{} differences, e.g. {:?}",
        d.len(),
        &d[..d.len().min(5)]
    );
    // The list cut these answers; the sync fetched them whole where the API had them.
    let whole_in_corpus = items
        .iter()
        .filter(|v| v["answerText"].as_str().is_some_and(|a| a.contains("<p")))
        .count();
    let whole_synced = synced
        .values()
        .filter(|r| r["answer"].is_string() && r["answer_cut"] == false)
        .count();
    assert!(
        whole_synced >= whole_in_corpus,
        "{whole_synced} < {whole_in_corpus}"
    );
    // Answered or cut questions were fetched whole.
    let singles = replay
        .log()
        .iter()
        .filter(|p| p.starts_with("/api/writtenquestions/questions/"))
        .count();
    assert!(singles > 0);

    // The next sync starts from today: nothing has changed, so nothing is fetched whole.
    let before = replay.log().len();
    let run = sync(&env, &replay, "ix", &[]).expect_code(0);
    assert!(
        run.stderr.contains(&format!("since {}", today()))
            && run.stderr.contains("0 added, 0 updated"),
        "{}",
        run.stderr
    );
    let new: Vec<String> = replay.log()[before..].to_vec();
    assert!(
        new.iter()
            .all(|p| p.starts_with("/api/writtenquestions/questions?")),
        "{new:?}"
    );

    // An answer given today, and a correction made today, arrive with the next sync.
    let unanswered = items.iter().find(|v| v["dateAnswered"].is_null()).unwrap()["id"]
        .as_u64()
        .unwrap();
    let answered = items
        .iter()
        .find(|v| v["answerText"].as_str().is_some_and(|a| a.contains("<p")))
        .unwrap();
    let corrected = answered["id"].as_u64().unwrap();
    let stamp = format!("{}T00:00:00", today());
    replay.update(unanswered, |v| {
        v["dateAnswered"] = Value::from(stamp.clone());
        v["answerText"] = Value::from("<p>The answer given today.</p>");
    });
    replay.update(corrected, |v| {
        v["dateAnswerCorrected"] = Value::from(stamp.clone());
        v["answerIsCorrection"] = Value::from(true);
        v["answerText"] = Value::from("<p>The corrected answer.</p>");
    });
    let run = sync(&env, &replay, "ix", &[]).expect_code(0);
    assert!(run.stderr.contains("0 added, 2 updated"), "{}", run.stderr);
    let now = records(&env.path("ix"));
    let by_api = |id: u64| {
        let v = items.iter().find(|v| v["id"] == id).unwrap();
        format!(
            "{}/{}",
            &v["dateTabled"].as_str().unwrap()[..10],
            v["uin"].as_str().unwrap()
        )
    };
    assert_eq!(
        now[&by_api(unanswered)]["answer"],
        "The answer given today."
    );
    assert_eq!(now[&by_api(unanswered)]["status"], "answered");
    let c = &now[&by_api(corrected)];
    assert_eq!(c["answer"], "The corrected answer.");
    assert_eq!(c["corrected"], true);
    assert_eq!(c["date_corrected"], today());
}

#[test]
fn faults_are_survived_and_the_kept_responses_replay_through_ingest() {
    let env = TestEnv::new();
    let items = items();
    let replay = Replay::start(items.clone(), corpus_members());
    let list = "/api/writtenquestions/questions?";
    let single = "/api/writtenquestions/questions/";
    replay.fault(list, Fault::TooMany(1));
    replay.fault(list, Fault::ServerError);
    replay.fault(list, Fault::Malformed);
    replay.fault(single, Fault::Drop);
    replay.fault(single, Fault::Stall(Duration::from_secs(4)));
    replay.fault("/members/", Fault::ServerError);
    let run = sync(
        &env,
        &replay,
        "ix",
        &["--since", "2024-07-01", "--timeout", "2", "--save", "kept"],
    )
    .expect_code(0);
    let retried: usize = run
        .stderr
        .split(" retried)")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(retried >= 6, "{}", run.stderr);
    // The 429 asked for a second's wait: the retry came after it.
    let synced = records(&env.path("ix"));
    assert_eq!(synced, ingested(&env, &items), "faults change nothing");
    // Members the Members API does not know are named by id.
    assert!(
        run.stderr.contains("The Members API does not know"),
        "{}",
        run.stderr
    );

    // What the sync kept is input for ingest, and gives the same records.
    env.run(&["ingest", "kept", "--index", "replayed"])
        .expect_code(0);
    assert_eq!(records(&env.path("replayed")), synced);
    // ... and for a rebuild, which needs no network.
    drop(replay);
    env.run(&["ingest", "--rebuild", "--index", "ix"])
        .expect_code(0);
    assert_eq!(records(&env.path("ix")), synced);
}

#[test]
fn a_killed_sync_finishes_when_run_again() {
    let env = TestEnv::new();
    let items = items();
    let replay = Replay::start(items.clone(), corpus_members());
    let (api, members) = (replay.api_url(), replay.members_url());
    for wait in [300, 900] {
        let mut child = env
            .process()
            .args([
                "sync",
                "--index",
                "ix",
                "--since",
                "2024-07-01",
                "--api-url",
                &api,
                "--members-api-url",
                &members,
                "--rate",
                "200",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // The rerun needs no --since: it takes up the killed sync's date.
    let run = sync(&env, &replay, "ix", &[]).expect_code(0);
    assert!(run.stderr.contains("since 2024-07-01"), "{}", run.stderr);
    assert_eq!(records(&env.path("ix")), ingested(&env, &items));
}

#[test]
fn no_network_and_no_date_are_plain_errors() {
    let env = TestEnv::new();
    let run = env
        .run(&[
            "sync",
            "--index",
            "ix",
            "--since",
            "2024-07-01",
            "--api-url",
            "http://127.0.0.1:9/api",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("cannot reach 127.0.0.1:9") && run.stderr.contains("works offline"),
        "{}",
        run.stderr
    );
    let replay = Replay::start(Vec::new(), Vec::new());
    let run = sync(&env, &replay, "empty", &[]).expect_code(2);
    assert!(
        run.stderr.contains("give one with --since"),
        "{}",
        run.stderr
    );
    let run = sync(&env, &replay, "empty", &["--since", "2024-13-01"]).expect_code(2);
    assert!(run.stderr.contains("--since"), "{}", run.stderr);
}
