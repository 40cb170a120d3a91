//! Nothing lost or damaged: kills at many points of an ingest, a full disk, flipped bytes in
//! every kind of index file, a missing meta.json, link loops, names that are not UTF-8, and
//! dates out of range. Each names the issue-9 item it pins.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::testenv::{arg, corpus, TestEnv};

/// Every record of an index, finished or not, read through the library.
fn records_any(dir: &Path) -> Vec<pqsearch::record::Question> {
    let (index, _) = pqsearch::index::PqIndex::open_any(dir).expect("the index opens");
    let engine = pqsearch::engine::Engine::new(index).unwrap();
    let searcher = engine.searcher();
    let prepared = engine
        .prepare(&searcher, &pqsearch::search::SearchRequest::new("*"))
        .unwrap();
    prepared
        .all(&searcher, pqsearch::search::Sort::Relevance)
        .unwrap()
        .into_iter()
        .map(|(_, addr)| engine.index().record(&searcher, addr).unwrap())
        .collect()
}

/// The ids the API corpus holds, read from its files by the parser.
fn api_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(corpus().join("api")).unwrap() {
        for q in pqsearch::parse::parse_file(&entry.unwrap().path())
            .unwrap()
            .questions
        {
            ids.insert(q.id);
        }
    }
    ids
}

/// What a search says of an index: "ok" (exit 0 or 1) or "unfinished" (exit 2, saying so).
fn searchable(env: &TestEnv, ix: &str) -> &'static str {
    let run = env.run(&["search", "*", "-n", "0", "--index", ix]);
    match run.code {
        0 | 1 => "ok",
        2 if run.stderr.contains("is unfinished") && run.stderr.contains("again to finish it") => {
            "unfinished"
        }
        _ => panic!("exit {}: {}", run.code, run.stderr),
    }
}

/// Issue 9, item 1 and the crash test: an ingest killed (SIGKILL) at 20 points spread over
/// the run, the first before any commit. After each kill the index opens or says plainly
/// that its build is unfinished, no committed record is lost, no id appears twice, and
/// every file the manifest calls done has its records in; a rerun reaches the full count.
#[test]
fn an_ingest_killed_at_twenty_points_loses_nothing() {
    let env = TestEnv::new();
    // One question a file, so that progress is marked file by file.
    let api = corpus().join("pages");
    let all = crate::testenv::parsed_ids(&env, &[arg(&api)]);
    let mut before: BTreeSet<String> = BTreeSet::new();
    let mut states = Vec::new();
    for i in 0..20u64 {
        let mut child = env
            .process()
            .args([
                "ingest",
                arg(&api),
                "--index",
                "ix",
                "--commit-every",
                "250",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // 20 ms first (before any commit), then later and later.
        std::thread::sleep(Duration::from_millis(20 + i * i * 3));
        let _ = child.kill();
        child.wait().unwrap();
        if !env.path("ix/meta.json").exists() {
            states.push("none");
            continue;
        }
        let state = searchable(&env, "ix");
        states.push(state);
        let records = records_any(&env.path("ix"));
        let ids: BTreeSet<String> = records.iter().map(|q| q.id.clone()).collect();
        assert_eq!(ids.len(), records.len(), "kill {i}: an id appears twice");
        assert!(ids.is_subset(&all), "kill {i}: records from nowhere");
        let lost: Vec<_> = before.difference(&ids).take(3).collect();
        assert!(
            lost.is_empty(),
            "kill {i}: committed records lost: {lost:?}"
        );
        let manifest = pqsearch::update::manifest::Manifest::load(&env.path("ix"));
        for file in manifest.paths() {
            for q in pqsearch::parse::parse_file(&file).unwrap().questions {
                assert!(
                    ids.contains(&q.id),
                    "kill {i}: {} is missing though {} is marked done",
                    q.id,
                    file.display()
                );
            }
        }
        before = ids;
    }
    eprintln!(
        "after each kill: {states:?}, {} of {} records",
        before.len(),
        all.len()
    );
    assert!(
        states.contains(&"unfinished"),
        "some kill fell inside the first build: {states:?}"
    );
    env.run(&["ingest", arg(&api), "--index", "ix"])
        .expect_code(0);
    assert_eq!(searchable(&env, "ix"), "ok");
    let ids: BTreeSet<String> = records_any(&env.path("ix"))
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(ids, all, "the rerun reaches the full count");
    env.run(&["check", "--index", "ix"]).expect_code(0);
}

/// Issue 9, item 1: a second ingest started during a first build is refused as busy, and
/// never told to delete the index.
#[test]
fn a_second_ingest_during_a_first_build_is_told_to_wait() {
    let env = TestEnv::new();
    let api = corpus().join("api");
    let mut child = env
        .process()
        .args(["ingest", arg(&api), "--index", "ix", "--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while !env.path("ix/meta.json").exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = env.run(&["ingest", arg(&corpus().join("seed")), "--index", "ix"]);
    let first_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first_running,
        "the first build finished too soon for this test"
    );
    let second = second.expect_code(2);
    assert!(
        second
            .stderr
            .contains("another `pqsearch ingest` is writing to ix")
            && !second.stderr.contains("rm -r"),
        "{}",
        second.stderr
    );
}

/// Issue 9, item 1: a full disk stops the first build with a message that says so; the
/// index says it is unfinished, and the same ingest finishes it once there is room. Needs
/// a mount namespace for a small tmpfs (`unshare -m`, as root in CI).
#[test]
fn a_full_disk_stops_the_build_cleanly_and_a_rerun_finishes_it() {
    let env = TestEnv::new();
    let pq = env!("CARGO_BIN_EXE_pqsearch");
    let api = corpus().join("api");
    std::fs::create_dir_all(env.path("small")).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=10m tmpfs {small} && \
         {pq} ingest {api} --index {small}/ix --commit-every 4000 2> {out}/err.txt; \
         echo $? > {out}/code.txt; cp -r {small}/ix {out}/ix",
        small = arg(&env.path("small")),
        out = arg(env.dir.path()),
        api = arg(&api),
    );
    let status = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .status()
        .expect("unshare runs");
    assert!(status.success(), "unshare -m needs root (CI runs as root)");
    let code = std::fs::read_to_string(env.path("code.txt")).unwrap();
    let err = std::fs::read_to_string(env.path("err.txt")).unwrap();
    assert_eq!(code.trim(), "2", "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("KB free"),
        "{err}"
    );
    // The copy taken out of the full disk: unfinished, then finished by the same ingest.
    assert_eq!(searchable(&env, "ix"), "unfinished");
    let committed = records_any(&env.path("ix")).len();
    env.run(&["ingest", arg(&api), "--index", "ix"])
        .expect_code(0);
    let ids: BTreeSet<String> = records_any(&env.path("ix"))
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert!(ids.len() > committed);
    assert_eq!(ids, api_ids());
}

/// Flips `n` bytes of a file in place, at positions fixed by `seed`.
fn flip(path: &Path, n: usize, seed: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = (x % bytes.len() as u64) as usize;
        bytes[i] ^= 0x5a;
    }
    std::fs::write(path, bytes).unwrap();
}

/// Copies a directory's files (indexes are flat).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Issue 9, item 11 and the corruption test: flipped bytes in every kind of index file
/// never make a command panic or crash (exit 0, 1 or 2 only); `check` names the damage and
/// exits 2; `ingest --rebuild` restores an index that `check` calls whole, with the same
/// records.
#[test]
fn flipped_bytes_in_every_file_kind_are_found_and_rebuilt() {
    let env = TestEnv::new();
    let pages = corpus().join("pages/2024-07");
    let clean = env.ingest("clean", &[&pages]);
    env.run(&["check", "--index", "clean"]).expect_code(0);
    let want = records_any(&clean.path);
    let kinds = [
        ".term",
        ".idx",
        ".pos",
        ".fast",
        ".fieldnorm",
        ".store",
        "meta.json",
    ];
    for (k, kind) in kinds.iter().enumerate() {
        let name = format!("bad{k}");
        let dir = env.path(&name);
        copy_dir(&clean.path, &dir);
        let file = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(kind))
            .unwrap();
        flip(&file, 20, k as u64 + 1);
        for args in [
            vec!["search", "hospital", "-n", "3"],
            vec!["search", "\"mental health\"", "--sort", "newest"],
            vec!["export", "*", "--columns", "id,answer"],
            vec!["show", &want[0].id],
        ] {
            let mut args = args.clone();
            args.extend(["--index", name.as_str()]);
            let run = env.run(&args);
            assert!(
                (0..=2).contains(&run.code),
                "{kind}: {args:?} exit {}: {}",
                run.code,
                run.stderr
            );
            if run.code == 2 {
                assert!(run.stderr.contains("damaged"), "{kind}: {}", run.stderr);
                assert!(run.stderr.len() < 1000, "{kind}: a short message");
            }
        }
        let check = env.run(&["check", "--index", &name]).expect_code(2);
        assert!(check.stdout.contains("damaged"), "{kind}: {}", check.stdout);
        if *kind != "meta.json" {
            let flipped = file.file_name().unwrap().to_string_lossy().to_string();
            assert!(check.stdout.contains(&flipped), "{kind}: {}", check.stdout);
        }
        let rebuilt = env.run(&["ingest", "--rebuild", "--index", &name]);
        rebuilt.expect_code(0);
        env.run(&["check", "--index", &name]).expect_code(0);
        let mut got = records_any(&dir);
        let mut want = want.clone();
        got.sort_by(|a, b| a.id.cmp(&b.id));
        want.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(got, want, "{kind}: the rebuild holds the same records");
    }
}

/// Issue 9, item 11: a record count edited in meta.json hides records from searches, and
/// `check` finds it.
#[test]
fn a_hidden_record_count_is_found_by_check() {
    let env = TestEnv::new();
    let ix = env.ingest("ix", &[&corpus().join("pages/2024-07")]);
    let meta = ix.path.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let at = text.find("\"max_doc\": ").unwrap() + "\"max_doc\": ".len();
    let end = at + text[at..].find(',').unwrap();
    let max: u64 = text[at..end].parse().unwrap();
    std::fs::write(&meta, format!("{}{}{}", &text[..at], max / 2, &text[end..])).unwrap();
    let check = env.run(&["check", "--index", "ix"]).expect_code(2);
    assert!(
        check.stdout.contains("its last commit recorded"),
        "{}",
        check.stdout
    );
}

/// Issue 9 (poor messages): after meta.json is deleted, search and ingest both say the
/// index is damaged and how to cure it, and the cure works.
#[test]
fn a_missing_meta_json_is_called_damage_and_cured_by_rebuild() {
    let env = TestEnv::new();
    let ix = env.ingest("ix", &[&corpus().join("seed")]);
    std::fs::remove_file(ix.path.join("meta.json")).unwrap();
    for args in [
        vec!["search", "child", "--index", "ix"],
        vec!["ingest", arg(&corpus().join("seed")), "--index", "ix"],
    ] {
        let run = env.run(&args).expect_code(2);
        assert!(
            run.stderr.contains("damaged (its meta.json is missing)")
                && run.stderr.contains("--rebuild"),
            "{args:?}: {}",
            run.stderr
        );
    }
    env.run(&["ingest", "--rebuild", "--index", "ix"])
        .expect_code(0);
    ix.search("child").run().expect_code(0);
}

/// Issue 9 (poor messages): an index another user cannot read says so, not a raw I/O error.
#[test]
fn an_unreadable_index_says_permission_denied() {
    let env = TestEnv::new();
    let ix = env.ingest("ix", &[&corpus().join("seed")]);
    let meta = ix.path.join("meta.json");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&meta, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything, so run as another user there.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_pqsearch"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_pqsearch"))
    };
    let out = cmd
        .args(["search", "child", "--index", arg(&ix.path)])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
}

/// Issue 9, item 10: links that loop back are reported and skipped, not followed for ever.
#[test]
fn link_loops_are_reported_and_the_walk_goes_on() {
    let env = TestEnv::new();
    let seed = std::fs::read(corpus().join("seed/internet-offences-against-children.txt")).unwrap();
    env.write("d/page.txt", &seed);
    std::os::unix::fs::symlink(".", env.path("d/a")).unwrap();
    std::os::unix::fs::symlink(".", env.path("d/b")).unwrap();
    let run = env.run(&["ingest", "d", "--index", "ix"]).expect_code(0);
    assert!(run.stderr.contains("1 question(s) read"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("(a loop)").count(), 2, "{}", run.stderr);
    let run = env.run(&["parse", "d"]).expect_code(0);
    assert_eq!(run.stdout.lines().count(), 1);
}

/// Issue 9, item 6: two files whose names differ only in bytes that are not UTF-8 are two
/// files to the manifest, so both are ingested and both are skipped when unchanged.
#[test]
fn names_that_are_not_utf8_are_distinct_files() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let seed =
        std::fs::read_to_string(corpus().join("seed/internet-offences-against-children.txt"))
            .unwrap();
    std::fs::create_dir_all(env.path("in")).unwrap();
    for (byte, heading) in [(0xffu8, "First heading"), (0xfe, "Second heading")] {
        let bytes = [b'p', b'a', b'g', b'e', byte, b'.', b't', b'x', b't'];
        let name = std::ffi::OsStr::from_bytes(&bytes);
        let text = seed.replacen("Internet: Offences against Children", heading, 1);
        let text = text.replacen("To ask", &format!("To ask ({heading})"), 1);
        std::fs::write(env.path("in").join(name), text).unwrap();
    }
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(0);
    assert!(run.stderr.contains("2 added"), "{}", run.stderr);
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(0);
    assert!(
        run.stderr.contains("0 file(s) read (0.0 MB), 2 unchanged"),
        "{}",
        run.stderr
    );
}

/// Issue 9, item 9: dates outside 1800-2200 are refused in files and in flags, with a
/// message, rather than stored or searched wrongly.
#[test]
fn dates_out_of_range_are_refused() {
    let env = TestEnv::new();
    let seed =
        std::fs::read_to_string(corpus().join("seed/internet-offences-against-children.txt"))
            .unwrap();
    env.write(
        "in/old.txt",
        seed.replace("6th September 2023", "6th September 1000"),
    );
    env.write(
        "in/far.txt",
        seed.replace("6th September 2023", "6th September 9999"),
    );
    env.write("in/ok.txt", &seed);
    let run = env.run(&["ingest", "in", "--index", "ix"]).expect_code(2);
    assert!(run.stderr.contains("2 rejected"), "{}", run.stderr);
    for flag in ["--to", "--from"] {
        for year in ["3000", "9999", "1000"] {
            let run = env
                .run(&["search", "*", "--index", "ix", flag, year])
                .expect_code(2);
            assert!(
                run.stderr.contains("1800 to 2200"),
                "{flag} {year}: {}",
                run.stderr
            );
        }
    }
    let run = env.run(&["search", "*", "--index", "ix", "--to", "2200"]);
    run.expect_code(0);
}

/// Issue 9 (poor messages): ingesting a folder that holds its own index does not reject
/// the index's files.
#[test]
fn a_folder_may_hold_its_own_index() {
    let env = TestEnv::new();
    let seed = std::fs::read(corpus().join("seed/internet-offences-against-children.txt")).unwrap();
    env.write("work/page.txt", &seed);
    env.run(&["ingest", "work", "--index", "work/ix"])
        .expect_code(0);
    let run = env
        .run(&["ingest", "work", "--index", "work/ix"])
        .expect_code(0);
    assert!(
        run.stderr.contains("0 rejected") && !run.stderr.contains("skipped:"),
        "{}",
        run.stderr
    );
}

/// Issue 9, item 11: a rebuild never throws records away: when a source the index was
/// built from is gone, it refuses and leaves the index as it was.
#[test]
fn a_rebuild_refuses_when_a_source_is_gone() {
    let env = TestEnv::new();
    let seed = std::fs::read(corpus().join("seed/internet-offences-against-children.txt")).unwrap();
    env.write("in/one.txt", &seed);
    let ix = env.ingest("ix", &[&env.path("in")]);
    std::fs::remove_file(env.path("in/one.txt")).unwrap();
    let run = env
        .run(&["ingest", "--rebuild", "--index", "ix"])
        .expect_code(2);
    assert!(
        run.stderr
            .contains("1 source file(s) it was built from are gone")
            && run.stderr.contains("left as it was"),
        "{}",
        run.stderr
    );
    assert_eq!(ix.search("*").total(), 1);
    assert!(
        !env.path(".ix.pqsearch-rebuild").exists(),
        "nothing left behind"
    );
}
