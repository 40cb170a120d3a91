//! Regression tests for issue 9's command-line and export items: outputs that must not
//! replace special files or the command's own inputs, bounded flags, messages that never
//! panic or flood, terminal-safe text and spreadsheet-safe CSV.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::Stdio;
use std::sync::OnceLock;

use serde_json::Value;

use crate::testenv::{arg, embedded_corpus, Ix, Run, TestEnv};

/// One index of the embedded corpus (7 records), built once.
fn small() -> &'static (TestEnv, Ix) {
    static SMALL: OnceLock<(TestEnv, Ix)> = OnceLock::new();
    SMALL.get_or_init(|| {
        let env = TestEnv::new();
        let ix = env.ingest("ix", &[&embedded_corpus()]);
        (env, ix)
    })
}

/// Runs an export of `schools`-like query against the small index with more arguments.
fn export(env: &TestEnv, ix: &Ix, more: &[&str]) -> Run {
    let mut args = vec!["export", "Safety", "--index", arg(&ix.path)];
    args.extend_from_slice(more);
    env.run(&args)
}

/// The names in a folder, sorted (to see that no temporary file is left).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_no_temp_files(dir: &Path) {
    let names = listing(dir);
    assert!(
        names.iter().all(|n| !n.contains("pqsearch-tmp")),
        "a temporary file was left behind: {names:?}"
    );
}

fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

// Issue 9 item 2: `export --out` replaced /dev/null, symlinks and FIFOs with regular files.
#[test]
fn export_out_writes_through_devices_links_and_fifos() {
    let (_, ix) = small();
    let env = TestEnv::new();
    let expected = export(&env, ix, &[]).expect_code(0).stdout;
    assert!(expected.starts_with("id,uin,"));

    // A device is written to, not replaced.
    export(&env, ix, &["--out", "/dev/null"]).expect_code(0);
    let null = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(
        null.file_type().is_char_device(),
        "/dev/null is still a device"
    );

    // A link is followed: the file it names gets the export, and the link stays a link.
    env.write("real.csv", "old contents");
    symlink("real.csv", &env.path("link.csv"));
    export(&env, ix, &["--out", "link.csv"]).expect_code(0);
    assert!(std::fs::symlink_metadata(env.path("link.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(env.path("real.csv")).unwrap(),
        expected
    );

    // A link into another folder, and a chain of links, and a dangling link.
    env.write("sub/deep.csv", "old");
    symlink("sub/deep.csv", &env.path("hop1"));
    symlink("hop1", &env.path("hop2"));
    export(&env, ix, &["--out", "hop2"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(env.path("sub/deep.csv")).unwrap(),
        expected
    );
    symlink("made-by-export.csv", &env.path("dangling"));
    export(&env, ix, &["--out", "dangling"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(env.path("made-by-export.csv")).unwrap(),
        expected
    );
    assert!(std::fs::symlink_metadata(env.path("dangling"))
        .unwrap()
        .file_type()
        .is_symlink());

    // A FIFO's reader gets the export; the FIFO stays a FIFO.
    let fifo = env.path("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    export(&env, ix, &["--out", "pipe"]).expect_code(0);
    assert_eq!(reader.join().unwrap(), expected);
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    // /dev/stderr sent to a log: appended to, as the descriptor itself would be, never
    // truncated or replaced.
    let log_path = env.write("log.txt", "first line\n");
    let log = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_path)
        .unwrap();
    let status = env
        .process()
        .args([
            "export",
            "Safety",
            "--index",
            arg(&ix.path),
            "--out",
            "/dev/stderr",
        ])
        .stderr(log)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logged.starts_with(&format!("first line\n{expected}")),
        "{logged}"
    );

    // A regular file is still replaced whole, and keeps its permissions.
    let private = env.write("private.csv", "old");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    export(&env, ix, &["--out", "private.csv"]).expect_code(0);
    assert_eq!(std::fs::read_to_string(&private).unwrap(), expected);
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "permissions kept");
    assert_no_temp_files(env.dir.path());
    assert_no_temp_files(&env.path("sub"));
}

// Issue 9 item 2, `--out -`: it made a file named "-".
#[test]
fn export_out_dash_is_stdout() {
    let (_, ix) = small();
    let env = TestEnv::new();
    let run = export(&env, ix, &["--out", "-"]).expect_code(0);
    assert!(run.stdout.starts_with("id,uin,"), "{}", run.stdout);
    assert!(!env.path("-").exists(), "no file named -");
    let run = export(&env, ix, &["--out", "/dev/stdout"]).expect_code(0);
    assert!(run.stdout.starts_with("id,uin,"), "{}", run.stdout);
}

// Issue 9 item 3: `--out INDEX/meta.json` destroyed the index; `--out x --meta x` kept only
// the note; `--out existing_dir` left a temporary file.
#[test]
fn export_refuses_to_overwrite_its_own_inputs() {
    let env = TestEnv::new();
    let ix = env.ingest("ix", &[&embedded_corpus()]);
    let meta = std::fs::read(ix.path.join("meta.json")).unwrap();
    std::os::unix::fs::symlink(&ix.path, env.path("ix-link")).unwrap();
    for target in [
        "ix/meta.json",
        "ix/new.csv",
        "./ix/../ix/meta.json",
        "ix-link/meta.json",
    ] {
        let run = export(&env, &ix, &["--out", target]).expect_code(2);
        assert!(
            run.stderr.contains("inside the index"),
            "{target}: {}",
            run.stderr
        );
        let run = export(&env, &ix, &["--meta", target]).expect_code(2);
        assert!(
            run.stderr.contains("inside the index"),
            "{target}: {}",
            run.stderr
        );
    }
    // Another index than the one searched.
    let other = small().1.path.join("meta.json");
    let before = std::fs::read(&other).unwrap();
    let run = export(&env, &ix, &["--out", arg(&other)]).expect_code(2);
    assert!(run.stderr.contains("inside the index"), "{}", run.stderr);
    assert_eq!(std::fs::read(&other).unwrap(), before);
    // A link that points into the index.
    symlink("ix/meta.json", &env.path("sneaky.csv"));
    let run = export(&env, &ix, &["--out", "sneaky.csv"]).expect_code(2);
    assert!(run.stderr.contains("inside the index"), "{}", run.stderr);
    assert_eq!(std::fs::read(ix.path.join("meta.json")).unwrap(), meta);
    assert!(!ix.path.join("new.csv").exists());
    assert_eq!(ix.search("Safety").total(), 3, "the index still works");

    // The note and the export on one file, however it is named.
    env.write("x.csv", "keep me");
    symlink("x.csv", &env.path("x-link.csv"));
    for (out, meta) in [
        ("x.csv", "x.csv"),
        ("x.csv", "./x.csv"),
        ("x-link.csv", "x.csv"),
        ("new.csv", "sub/../new.csv"),
    ] {
        std::fs::create_dir_all(env.path("sub")).unwrap();
        let run = export(&env, &ix, &["--out", out, "--meta", meta]).expect_code(2);
        assert!(
            run.stderr.contains("same file"),
            "{out} {meta}: {}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(env.path("x.csv")).unwrap(),
        "keep me"
    );
    assert!(!env.path("new.csv").exists());

    // The queries file.
    env.write("q.txt", "Safety\n");
    let run = env
        .run(&[
            "export",
            "--index",
            arg(&ix.path),
            "--queries",
            "q.txt",
            "--out",
            "q.txt",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("the queries file"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(env.path("q.txt")).unwrap(),
        "Safety\n"
    );

    // A folder.
    std::fs::create_dir(env.path("existing_dir")).unwrap();
    let run = export(&env, &ix, &["--out", "existing_dir"]).expect_code(2);
    assert!(run.stderr.contains("is a folder"), "{}", run.stderr);
    let run = export(&env, &ix, &["--out", "no/such/folder.csv"]).expect_code(2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
    assert_no_temp_files(env.dir.path());
    assert_no_temp_files(&env.path("existing_dir"));
}

// Issue 9 item 3 and "--meta is not atomic": a failure at any point leaves both old files
// whole and no temporary file behind.
#[test]
fn a_failed_export_leaves_old_files_and_no_temporary_files() {
    let (_, ix) = small();
    let env = TestEnv::new();
    env.write("x.csv", "old export");
    env.write("m.json", "old note");
    // The note cannot be written (a full disk): the export is not moved into place.
    let run = export(&env, ix, &["--out", "x.csv", "--meta", "/dev/full"]).expect_code(2);
    assert!(run.stderr.contains("--meta"), "{}", run.stderr);
    // The export cannot be written: the note is not touched.
    let run = export(&env, ix, &["--out", "/dev/full", "--meta", "m.json"]).expect_code(2);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // A bad query: nothing is created or replaced.
    let run = env
        .run(&[
            "export",
            "(schools",
            "--index",
            arg(&ix.path),
            "--out",
            "x.csv",
            "--meta",
            "m.json",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("bad query"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(env.path("x.csv")).unwrap(),
        "old export"
    );
    assert_eq!(
        std::fs::read_to_string(env.path("m.json")).unwrap(),
        "old note"
    );
    assert_eq!(listing(env.dir.path()), ["m.json", "x.csv"]);

    // And when all is well both are replaced.
    export(&env, ix, &["--out", "x.csv", "--meta", "m.json"]).expect_code(0);
    let note: Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("m.json")).unwrap()).unwrap();
    assert_eq!(note["rows"], 3);
    assert!(std::fs::read_to_string(env.path("x.csv"))
        .unwrap()
        .starts_with("id,"));
    assert_eq!(listing(env.dir.path()), ["m.json", "x.csv"]);
}

// Issue 9 item 3: the next error message dumped the whole 1.7 MB meta.json.
#[test]
fn an_error_quotes_at_most_a_little_of_a_bad_file() {
    let env = TestEnv::new();
    let garbage = format!("{{\"segments\": [{}", "\"x\u{1b}[2J\",".repeat(200_000));
    env.write("bad/meta.json", &garbage);
    for args in [
        &["search", "x", "--index", "bad"][..],
        &["show", "a", "--index", "bad"],
        &["export", "x", "--index", "bad"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.len() < 3000,
            "{args:?}: {} bytes of message",
            run.stderr.len()
        );
        assert!(!run.stderr.contains('\u{1b}'), "{args:?}: raw ESC");
    }
}

// Issue 9 item 8: huge -n and --offset aborted, panicked or wrapped; --memory-mb wrapped;
// generate -n and --threads had no bound.
#[test]
fn huge_numbers_in_flags_are_refused_with_their_bound() {
    let (_, ix) = small();
    let env = TestEnv::new();
    let path = arg(&ix.path);
    for (args, bound) in [
        (&["search", "x", "-n", "1000000000000"][..], "1000000"),
        (&["search", "x", "--offset", "1000000000000"], "1000000"),
        (&["search", "x", "-n", "18446744073709551615"], "1000000"),
        (
            &["search", "x", "--offset", "18446744073709551615"],
            "1000000",
        ),
        (&["search", "x", "-n", "99999999999999999999999"], "1000000"),
        (&["search", "x", "--limit", "1000001"], "1000000"),
        (&["ingest", "--memory-mb", "18446744073709551615"], "4000"),
        (&["ingest", "--memory-mb", "100000"], "4000"),
        (&["ingest", "--memory-mb", "1"], "15"),
        (&["ingest", "--threads", "100000"], "256"),
        (
            &[
                "generate",
                "--from",
                "corpus",
                "--out",
                "g",
                "-n",
                "100000000000",
            ],
            "10000000",
        ),
    ] {
        let mut all = args.to_vec();
        all.extend(["--index", path]);
        let run = env.run(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(bound) && run.stderr.contains("must be from"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // The bounds themselves are accepted.
    let run = ix
        .call(&["search", "Safety", "-n", "1000000", "--offset", "1000000"])
        .run()
        .expect_code(0);
    assert!(
        run.stdout.contains("none from 1000001 on"),
        "{}",
        run.stdout
    );
    assert!(!env.path("g").exists(), "generate wrote nothing");
}

/// Runs the binary with stdout and stderr on a pipe whose reader is already gone, as in
/// `2>&1 | head -c 10` once head has exited: every write fails. Returns the exit code.
fn run_into_closed_streams(env: &TestEnv, args: &[&str]) -> i32 {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = env
        .process()
        .args(args)
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    status.code().unwrap_or(-1)
}

// Issue 9 item 14: `show <100k-character id> 2>&1 | head -c 10` panicked.
#[test]
fn oversized_arguments_and_closed_streams_never_panic() {
    let (_, ix) = small();
    let env = TestEnv::new();
    let path = arg(&ix.path);
    let long = "9".repeat(100_000);
    let code = run_into_closed_streams(&env, &["show", &long, "--index", path]);
    assert_eq!(code, 2, "an error, not a panic (101)");
    let run = env.run(&["show", &long, "--index", path]).expect_code(2);
    assert!(
        run.stderr.contains("at most 1000 characters"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 400, "{}", run.stderr);
    // Long but within the bound: not found, and said briefly.
    let id = "2024/".to_string() + &"9".repeat(900);
    let run = env.run(&["show", &id, "--index", path]).expect_code(1);
    assert!(run.stderr.len() < 300, "{}", run.stderr);
    let code = run_into_closed_streams(&env, &["show", &id, "--index", path]);
    assert_eq!(code, 1);

    // Other messages into a closed stream: a bad query, a bad flag value, a whole record.
    let code = run_into_closed_streams(&env, &["search", "(", "--index", path]);
    assert_eq!(code, 2);
    let code = run_into_closed_streams(&env, &["search", "x", "--sort", &long, "--index", path]);
    assert_eq!(code, 2);
    let code = run_into_closed_streams(&env, &["show", "2024-03-04/900001", "--index", path]);
    assert_eq!(code, 0);
    assert_eq!(run_into_closed_streams(&env, &["--help"]), 0);
    assert_eq!(run_into_closed_streams(&env, &["search", "--help"]), 0);
    let code = run_into_closed_streams(
        &env,
        &["export", "Safety", "--index", path, "--out", "x.csv"],
    );
    assert_eq!(code, 0, "the export is written; only the message is lost");
    assert!(env.path("x.csv").exists());
    assert_eq!(
        run_into_closed_streams(&env, &["check", "--index", path]),
        0
    );
    let code = run_into_closed_streams(&env, &["parse", "no-such-file"]);
    assert_eq!(code, 2);
    // The first run's "building the index" messages, into a closed stderr.
    let fresh = TestEnv::new();
    fresh.write(
        "corpus/sample-api.json",
        std::fs::read(embedded_corpus().join("sample-api.json")).unwrap(),
    );
    assert_eq!(run_into_closed_streams(&fresh, &["search", "Safety"]), 0);
    assert!(fresh.path("index/meta.json").exists());

    // A flag value is echoed bounded and escaped.
    let run = env.run(&["search", "x", "--sort", &format!("\u{1b}[2J{long}")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.len() < 3000, "{} bytes", run.stderr.len());
    assert!(!run.stderr.contains('\u{1b}'));
}

/// Questions whose texts carry control characters and spreadsheet formulas.
const HOSTILE_API: &str = r#"{"items": [
  {"value": {"id": 1, "house": "Commons", "uin": "4242",
    "heading": "Bells\u0007 and \u001b[31mred\u001b[0m",
    "dateTabled": "2024-03-04T00:00:00", "dateAnswered": "2024-03-11T00:00:00",
    "answeringBodyName": "Home Office",
    "questionText": "=HYPERLINK(\"http://example.invalid\",\"hostile question\") NUL\u0000here",
    "answerText": "<p>-1+1 hostile answer\u001b]0;retitled\u0007 with a \u202eoverride</p>",
    "answerIsHolding": false, "answerIsCorrection": false, "isWithdrawn": false,
    "groupedQuestions": []}, "links": []},
  {"value": {"id": 2, "house": "Commons", "uin": "4243",
    "heading": "@SUM(A1:A9) hostile",
    "dateTabled": "2024-03-05T00:00:00", "dateAnswered": null,
    "answeringBodyName": "Home Office",
    "questionText": "\t=1+1 hostile tab-led question",
    "answerText": null, "answerIsHolding": false, "answerIsCorrection": false,
    "isWithdrawn": false, "groupedQuestions": []}, "links": []}
], "totalResults": 2}"#;

fn hostile() -> &'static (TestEnv, Ix) {
    static HOSTILE: OnceLock<(TestEnv, Ix)> = OnceLock::new();
    HOSTILE.get_or_init(|| {
        let env = TestEnv::new();
        let file = env.write("hostile.json", HOSTILE_API);
        let ix = env.ingest("ix", &[&file]);
        (env, ix)
    })
}

/// Whether text holds a character a terminal would act on.
fn has_terminal_controls(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
}

// Issue 9, "control characters from the data reach the terminal in show/search".
#[test]
fn control_characters_are_escaped_for_people_and_kept_for_programs() {
    let (_, ix) = hostile();
    let stored = ix.records();
    let first = stored.iter().find(|q| q.id == "2024-03-04/4242").unwrap();
    assert!(
        first.heading.as_deref().unwrap().contains('\u{7}'),
        "the fixture holds BEL"
    );
    assert!(first.question.contains('\0'));

    for args in [
        &["show", "2024-03-04/4242"][..],
        &["search", "hostile"],
        &["search", "hostile", "--color", "always"],
        &["search", "bells", "--sort", "newest"],
    ] {
        let run = ix.call(args).run().expect_code(0);
        assert!(
            !has_terminal_controls(
                &run.stdout
                    .replace("\u{1b}[1;31m", "")
                    .replace("\u{1b}[0m", "")
                    .replace("\u{1b}[1m", "")
                    .replace("\u{1b}[2m", "")
            ),
            "{args:?}: {:?}",
            run.stdout
        );
        assert!(
            run.stdout.contains("\\u{1b}") || run.stdout.contains("\\u{7}"),
            "{args:?}: {}",
            run.stdout
        );
    }
    let run = ix.call(&["show", "2024-03-04/4242"]).run().expect_code(0);
    assert!(
        run.stdout.contains("Bells\\u{7} and \\u{1b}[31mred"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("NUL\\u{0}here"), "{}", run.stdout);
    assert!(run.stdout.contains("\\u{202e}override"), "{}", run.stdout);

    // JSON keeps them exactly.
    let run = ix
        .call(&["show", "2024-03-04/4242", "--format", "json"])
        .run()
        .expect_code(0);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["heading"], first.heading.as_deref().unwrap());
    assert_eq!(json["question"], first.question.as_str());
    let found = ix.search("hostile").json();
    let hit = found
        .hits
        .iter()
        .find(|h| h["id"] == "2024-03-04/4242")
        .unwrap();
    assert_eq!(hit["answer"], first.answer.as_deref().unwrap());

    // CSV too.
    let env = TestEnv::new();
    let run = env
        .run(&["export", "hostile", "--index", arg(&ix.path)])
        .expect_code(0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| &r[0] == "2024-03-04/4242").unwrap();
    assert_eq!(&row[at("heading")], first.heading.as_deref().unwrap());
    assert_eq!(&row[at("question")], first.question);
}

// Issue 9, "CSV cells starting with = + - @ open as formulas in Excel".
#[test]
fn excel_safe_puts_an_apostrophe_before_formula_cells() {
    let (_, ix) = hostile();
    let env = TestEnv::new();
    let path = arg(&ix.path);
    let cells = |stdout: &str| -> Vec<Vec<String>> {
        csv::Reader::from_reader(stdout.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let columns = "id,heading,question,answer";
    let plain = env
        .run(&[
            "export",
            "hostile",
            "--index",
            path,
            "--columns",
            columns,
            "--sort",
            "oldest",
        ])
        .expect_code(0);
    let safe = env
        .run(&[
            "export",
            "hostile",
            "--index",
            path,
            "--columns",
            columns,
            "--sort",
            "oldest",
            "--excel-safe",
        ])
        .expect_code(0);
    let (plain, safe) = (cells(&plain.stdout), cells(&safe.stdout));
    assert_eq!(plain.len(), 2);
    for (p, s) in plain.iter().zip(&safe) {
        for (a, b) in p.iter().zip(s) {
            let risky = a
                .trim_start_matches(' ')
                .starts_with(['=', '+', '-', '@', '\t', '\r']);
            if risky {
                assert_eq!(*b, format!("'{a}"), "prefixed");
            } else {
                assert_eq!(a, b, "unchanged");
            }
        }
    }
    let row = |id: &str| safe.iter().find(|r| r[0] == id).unwrap();
    let (first, second) = (row("2024-03-04/4242"), row("2024-03-05/4243"));
    assert!(first[2].starts_with("'=HYPERLINK("), "{first:?}");
    assert!(first[3].starts_with("'-1+1"), "{first:?}");
    assert!(second[1].starts_with("'@SUM"), "{second:?}");
    // (The parser trims the question, so this cell starts with = rather than a tab; the
    // tab and CR cases are unit-tested in export.rs.)
    assert!(second[2].starts_with("'=1+1"), "{second:?}");
    // A batch's query column is user data too.
    env.write("q.txt", "-nothing hostile\n");
    let run = env
        .run(&[
            "export",
            "--index",
            path,
            "--queries",
            "q.txt",
            "--excel-safe",
            "--columns",
            "query,id",
        ])
        .expect_code(0);
    assert!(run.stdout.contains("'-nothing hostile"), "{}", run.stdout);
    // JSON Lines are never changed, so the flag is refused there.
    let run = env
        .run(&[
            "export",
            "hostile",
            "--index",
            path,
            "--format",
            "jsonl",
            "--excel-safe",
        ])
        .expect_code(2);
    assert!(
        run.stderr.contains("--excel-safe is for CSV"),
        "{}",
        run.stderr
    );
    let help = env.run(&["export", "--help"]).expect_code(0);
    assert!(help.stdout.contains("--excel-safe"));
}

// Issue 9, "PQSEARCH_INDEX= set but empty makes clap ask for a flag never passed".
#[test]
fn an_empty_pqsearch_index_is_unset() {
    let (_, ix) = small();
    let env = TestEnv::new();
    env.write(
        "corpus/sample-api.json",
        std::fs::read(embedded_corpus().join("sample-api.json")).unwrap(),
    );
    let with_var = |value: &std::ffi::OsStr| {
        Run::from(
            env.cmd()
                .env("PQSEARCH_INDEX", value)
                .args(["search", "Safety"])
                .output()
                .unwrap(),
        )
    };
    // Empty: the default, index/, built from ./corpus on a first run.
    let run = with_var("".as_ref()).expect_code(0);
    assert!(run.stderr.contains("no index yet"), "{}", run.stderr);
    assert!(env.path("index/meta.json").exists());
    // Set: that index, never built from ./corpus.
    let run = with_var(ix.path.as_os_str()).expect_code(0);
    assert!(run.stdout.contains("3 matches"), "{}", run.stdout);
    let run = with_var(env.path("elsewhere").as_os_str());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!env.path("elsewhere").exists());
}

// Siblings: generate --out inside its own --from or inside an index; generate leaves no
// half-written files.
#[test]
fn generate_refuses_to_write_into_its_sources_or_an_index() {
    let (_, ix) = small();
    let env = TestEnv::new();
    let from = env.write(
        "src/sample.json",
        std::fs::read(embedded_corpus().join("sample-api.json")).unwrap(),
    );
    let from = from.parent().unwrap();
    for out in ["src/gen", "src", "."] {
        let run = env
            .run(&["generate", "--from", arg(from), "-n", "5", "--out", out])
            .expect_code(2);
        assert!(
            run.stderr.contains("overlaps --from"),
            "{out}: {}",
            run.stderr
        );
    }
    let into_index = ix.path.join("gen");
    let run = env
        .run(&[
            "generate",
            "--from",
            arg(from),
            "-n",
            "5",
            "--out",
            arg(&into_index),
        ])
        .expect_code(2);
    assert!(run.stderr.contains("index"), "{}", run.stderr);
    assert!(!into_index.exists());
    env.run(&["generate", "--from", arg(from), "-n", "5", "--out", "gen"])
        .expect_code(0);
    assert_eq!(listing(&env.path("gen")), ["00000.json"]);
}
