//! `pqsearch serve`: the real binary serving an index on 127.0.0.1, checked over HTTP
//! against the CLI (the same totals, the same JSON, the same export bytes) and in headless
//! Chromium through WebDriver (`browser`), with a fuzz of the query parameters.

mod browser;
mod fuzz;
mod http;
mod webdriver;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::testenv::{arg, corpus, embedded_corpus, Ix, TestEnv};

/// A record whose every text is markup, to be shown as text.
pub const HOSTILE: &str = r#"{
  "items": [
    {
      "value": {
        "id": 990001,
        "askingMemberId": 991,
        "askingMember": {"id": 991, "name": "Mx <b>Bold</b> \"><img src=x onerror=alert(2)>", "party": "<i>Party</i>", "memberFrom": "Town & <u>Country</u>"},
        "house": "Commons",
        "uin": "990001",
        "heading": "Cyber <script>alert(1)</script> & \"Heating\" \"><img src=x onerror=alert(5)>",
        "dateTabled": "2024-03-04T00:00:00",
        "dateAnswered": "2024-03-11T00:00:00",
        "answeringBodyName": "Department for <script>Markup</script>",
        "questionText": "To ask about &quot;&gt;&lt;img src=x onerror=alert(1)&gt; and &lt;script&gt;document.title='pwned'&lt;/script&gt; in a heating question.",
        "answerText": "<p>The answer quotes &lt;script&gt;alert(3)&lt;/script&gt; and &quot;&gt;&lt;img src=x onerror=alert(4)&gt; as text about heating.</p>",
        "answerIsHolding": false,
        "answerIsCorrection": false,
        "isWithdrawn": false,
        "groupedQuestions": ["<script>", "990002"]
      },
      "links": []
    }
  ],
  "totalResults": 1
}"#;

/// The hostile record's id.
pub const HOSTILE_ID: &str = "2024-03-04/990001";

/// A small index (the embedded corpus and the hostile record), for the fuzz and the
/// markup tests.
pub fn small() -> &'static (TestEnv, Ix) {
    static SMALL: OnceLock<(TestEnv, Ix)> = OnceLock::new();
    SMALL.get_or_init(|| {
        let env = TestEnv::new();
        let hostile = env.write("src/hostile-api.json", HOSTILE);
        let ix = env.ingest("small-ix", &[&embedded_corpus(), &hostile]);
        (env, ix)
    })
}

/// Two months of real questions with their members, and the hostile record: enough for
/// facets and several pages of hits.
pub fn months() -> &'static (TestEnv, Ix) {
    static MONTHS: OnceLock<(TestEnv, Ix)> = OnceLock::new();
    MONTHS.get_or_init(|| {
        let env = TestEnv::new();
        let hostile = env.write("src/hostile-api.json", HOSTILE);
        let api = corpus().join("api");
        let ix = env.ingest(
            "months-ix",
            &[
                &api.join("2024-07.json"),
                &api.join("2024-08.json"),
                &corpus().join("members"),
                &hostile,
            ],
        );
        (env, ix)
    })
}

/// `pqsearch serve` running on 127.0.0.1 and a free port, killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without the final slash.
    pub url: String,
    pub addr: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Serves `index` (reloading within 100 ms of a commit) with `more` flags.
    pub fn start(index: &Path, more: &[&str]) -> Server {
        let env = TestEnv::new();
        let mut cmd = env.process();
        cmd.args(["serve", "--index", arg(index), "--reload-ms", "100"])
            .args(if more.contains(&"--addr") {
                &[][..]
            } else {
                &["--addr", "127.0.0.1:0"][..]
            })
            .args(more)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // If the test process dies without running Drop, the server dies with it.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn pqsearch serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(String::new()));
        let mut url = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            log.lock().unwrap().push_str(&format!("{line}\n"));
            if let Some(rest) = line.split(" at http://").nth(1) {
                url = Some(format!("http://{}", rest.split('/').next().unwrap()));
                break;
            }
        }
        let Some(url) = url else {
            let _ = child.kill();
            panic!(
                "serve did not say where it listens:\n{}",
                log.lock().unwrap()
            );
        };
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        // The drop of `env` removes only its empty working directory.
        drop(env);
        let addr = url.trim_start_matches("http://").to_string();
        Server {
            child,
            url,
            addr,
            log,
        }
    }

    /// What the server has said on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// GET `path` (with its query string, sent exactly as given) over a fresh connection.
    pub fn get(&self, path: &str) -> http::Reply {
        http::get(&self.addr, path, &self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it gives a value, or panics after `timeout`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + timeout;
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The stdout of a CLI command against `ix`, which must succeed or find nothing.
pub fn cli(ix: &Ix, args: &[&str]) -> Vec<u8> {
    let env = TestEnv::new();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--index", arg(&ix.path)]);
    let out = env.cmd().args(&all).output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn api_search_is_the_json_of_search() {
    let (_, ix) = months();
    let server = Server::start(&ix.path, &[]);
    for (query, flags) in [
        ("q=school+meals", &["school meals"][..]),
        (
            "q=%22free+school+meals%22+-breakfast&n=5&page=2",
            &[
                "\"free school meals\" -breakfast",
                "-n",
                "5",
                "--offset",
                "5",
            ],
        ),
        (
            "q=*&department=DHSC&department=Home+Office&sort=newest&n=3",
            &[
                "*",
                "--department",
                "DHSC",
                "--department",
                "Home Office",
                "--sort",
                "newest",
                "-n",
                "3",
            ],
        ),
        (
            "q=nurses+OR+midwives&from=2024-07-10&to=2024-08&date=answered&status=answered",
            &[
                "nurses OR midwives",
                "--from",
                "2024-07-10",
                "--to",
                "2024-08",
                "--date",
                "answered",
                "--status",
                "answered",
            ],
        ),
        ("q=zzzzqqqq", &["zzzzqqqq"]),
        ("", &["*"]),
    ] {
        let reply = server.get(&format!("/api/search?{query}"));
        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let mut args = vec!["search"];
        args.extend_from_slice(flags);
        args.extend(["--format", "json"]);
        let want = cli(ix, &args);
        assert_eq!(
            reply.text(),
            String::from_utf8(want).unwrap(),
            "{query}: /api/search differs from `pqsearch {}`",
            args.join(" ")
        );
    }
    let bad = server.get("/api/search?q=a+AND");
    assert_eq!(bad.status, 400);
    let doc: serde_json::Value = serde_json::from_slice(&bad.body).unwrap();
    assert_eq!(doc["column"], 3, "{doc}");
    assert!(doc["error"].as_str().unwrap().contains("column 3"), "{doc}");
}

#[test]
fn api_facets_and_trend_are_the_tables_of_the_cli() {
    let (_, ix) = months();
    let server = Server::start(&ix.path, &[]);
    for (path, args) in [
        (
            "/api/facets?q=school+meals&by=department&by=year",
            &[
                "facets",
                "school meals",
                "--by",
                "department",
                "--by",
                "year",
            ][..],
        ),
        (
            "/api/facets?q=nurses+OR+midwives&by=party&by=asked_by&by=status&top=5&department=DHSC",
            &[
                "facets",
                "nurses OR midwives",
                "--by",
                "party",
                "--by",
                "asked_by",
                "--by",
                "status",
                "--top",
                "5",
                "--department",
                "DHSC",
            ],
        ),
        (
            "/api/facets?by=department&merge_renames=1",
            &["facets", "*", "--by", "department", "--merge-renames"],
        ),
        ("/api/trend?q=heating", &["trend", "heating"]),
        (
            "/api/trend?q=school&by=year&split=department&top=3",
            &[
                "trend",
                "school",
                "--by",
                "year",
                "--split",
                "department",
                "--top",
                "3",
            ],
        ),
        (
            "/api/trend?q=*&split=party&status=answered",
            &["trend", "*", "--split", "party", "--status", "answered"],
        ),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let want = String::from_utf8(cli(ix, &all)).unwrap();
        assert_eq!(
            reply.text(),
            want,
            "{path}: differs from `pqsearch {}`",
            all.join(" ")
        );
    }
    // The chart is the one `trend --svg` draws.
    let svg = server.get("/trend.svg?q=heating");
    assert_eq!(svg.status, 200, "{}", svg.text());
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    let out = TestEnv::new();
    let file = out.path("heating.svg");
    cli(ix, &["trend", "heating", "--svg", arg(&file)]);
    assert!(
        svg.body == std::fs::read(&file).unwrap(),
        "/trend.svg differs from `pqsearch trend --svg`"
    );
    roxmltree::Document::parse(&svg.text()).expect("well-formed SVG");
    for (path, says) in [
        ("/api/facets?q=x&by=colour", "by"),
        ("/api/trend?q=x&by=department", "by"),
        ("/api/facets?q=%22open&by=year", "column 1"),
        ("/api/trend?q=x&page=2", "leave them out"),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        assert!(reply.text().contains(says), "{path}: {}", reply.text());
    }
}

#[test]
fn downloads_are_the_bytes_of_export() {
    let (_, ix) = months();
    let server = Server::start(&ix.path, &[]);
    for (path, flags) in [
        ("/export.csv?q=school+meals", &["school meals"][..]),
        (
            "/export.csv?q=*&department=DfE&sort=oldest&bom=1&excel_safe=1",
            &[
                "*",
                "--department",
                "DfE",
                "--sort",
                "oldest",
                "--bom",
                "--excel-safe",
            ],
        ),
        (
            "/export.csv?q=heating&columns=id,date_asked,heading,answer,snippet",
            &[
                "heating",
                "--columns",
                "id,date_asked,heading,answer,snippet",
            ],
        ),
        (
            "/export.jsonl?q=%22net+zero%22&status=answered",
            &["\"net zero\"", "--status", "answered", "--format", "jsonl"],
        ),
        ("/export.csv?q=*", &["*"]),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        assert!(reply
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment; filename=\"pqsearch-export.")));
        let mut args = vec!["export"];
        args.extend_from_slice(flags);
        let want = cli(ix, &args);
        assert!(
            reply.body == want,
            "{path}: the download differs from `pqsearch {}` ({} and {} bytes)",
            args.join(" "),
            reply.body.len(),
            want.len()
        );
    }
    for (path, says) in [
        ("/export.csv?q=%22open", "column 1"),
        ("/export.csv?q=x&page=2", "downloads cover every match"),
        (
            "/export.jsonl?q=x&bom=1",
            "JSON Lines keep every text exactly",
        ),
        ("/export.csv?q=x&columns=id,nope", "unknown column"),
        (
            "/export.csv?q=x&department=Ministry+of+Magic",
            "no department matches",
        ),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 400, "{path}");
        assert!(reply.text().contains(says), "{path}: {}", reply.text());
    }
}

#[test]
fn the_results_page_agrees_with_search() {
    let (_, ix) = months();
    let server = Server::start(&ix.path, &[]);
    let total = |query: &str, flags: &[&str]| ix.search(query).args(flags).total();
    for (query, flags) in [
        ("/?q=school+meals", &["school meals"][..]),
        (
            "/?q=school+meals&department=DfE",
            &["school meals", "--department", "DfE"],
        ),
        ("/?status=overdue", &["*", "--status", "overdue"]),
        ("/", &["*"]),
        ("/?q=school&party=labour", &["school", "--party", "Labour"]),
        (
            "/?q=housing&department=MHCLG&follow_renames=1",
            &["housing", "--department", "MHCLG", "--follow-renames"],
        ),
        ("/?q=schools&stem=none", &["schools", "--stem", "none"]),
    ] {
        let page = server.get(query);
        assert_eq!(page.status, 200, "{query}");
        let html = page.text();
        let shown = attribute(&html, "data-total")
            .expect("the total")
            .parse::<usize>()
            .unwrap();
        assert_eq!(shown, total(flags[0], &flags[1..]), "{query}");
    }
    // Every link that removes a filter, and every facet value, leads to a page that works,
    // whatever else is set.
    let page = server.get(
        "/?q=school&department=DfE&follow_renames=1&party=Labour&status=answered&from=2024-07&stem=full",
    );
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Following renames: "), "{html}");
    let links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with("/?"))
        .map(|href| href.replace("&#38;", "&"))
        .collect();
    assert!(links.len() > 15, "{links:?}");
    for link in &links {
        let reply = server.get(link);
        assert_eq!(reply.status, 200, "{link}: {}", reply.text());
    }
    // A facet value narrows to exactly its count, within the dates, status and departments
    // already chosen; a selected department removes only itself.
    for page in [
        "/?q=nurses&from=2024-07-20&to=2024-08-10",
        "/?status=overdue",
        "/?q=school&department=DfE&department=Home+Office",
        "/?q=housing&department=MHCLG&follow_renames=1&party=Labour",
    ] {
        let html = server.get(page).text();
        let total = total_of(&html);
        let values = facet_values(&html);
        assert!(values.len() > 3, "{page}: {values:?}");
        for (link, selected, count) in values {
            let after = total_of(&server.get(&link).text());
            if !selected {
                assert_eq!(after, count, "{page} → {link}");
            } else if page.contains("Home+Office") {
                assert_eq!(after, total - count, "{page} → {link}");
            } else {
                assert!(after >= total, "{page} → {link}");
            }
        }
    }
    // A query error points at its column, and the form keeps the query.
    let page = server.get("/?q=nurses+AND+%28midwives");
    assert_eq!(page.status, 400);
    let html = page.text();
    assert!(html.contains("column 12"), "{html}");
    assert!(html.contains("value=\"nurses AND (midwives\""), "{html}");
    // Parameters the page cannot honour are refused with a message.
    for (query, says) in [
        ("/?qq=1", "unknown parameter"),
        ("/?q=a&q=b", "given twice"),
        ("/?from=2024-13", "from: "),
        ("/?page=100000", "page must be at most"),
        ("/?n=20&page=600", "narrow the search, or download the CSV"),
        ("/?sort=best", "is not one of relevance, newest, oldest"),
        ("/?q=%ff", "not UTF-8"),
        ("/?bom=1", "are for the downloads"),
    ] {
        let page = server.get(query);
        assert_eq!(page.status, 400, "{query}");
        assert!(page.text().contains(says), "{query}: {}", page.text());
    }
}

#[test]
fn every_response_is_locked_down() {
    let (_, ix) = small();
    let server = Server::start(&ix.path, &[]);
    for path in [
        "/",
        "/?q=%22x",
        "/about",
        "/question/nope",
        "/style.css",
        "/nope",
        "/export.csv?q=sample",
    ] {
        let reply = server.get(path);
        assert!(reply.status < 500, "{path}: {}", reply.status);
        let csp = reply.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe"),
            "{path}: {csp}"
        );
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // A page of another site that points a name of its own at 127.0.0.1 is refused.
    let foreign = http::get(&server.addr, "/", "pqsearch.evil.example");
    assert_eq!(foreign.status, 421);
    let local = http::get(
        &server.addr,
        "/",
        &server.addr.replace("127.0.0.1", "localhost"),
    );
    assert_eq!(local.status, 200);
}

#[test]
fn a_record_page_links_its_group_and_flags_cut_texts() {
    let (_, ix) = months();
    let server = Server::start(&ix.path, &[]);
    // A real record of the corpus: cut by the API's list, grouped with two others.
    let html = server.get("/question/2024-07-25/1830").text();
    assert!(html.contains("answer cut by the source: full text at <a href=\"https://questions-statements.parliament.uk/written-questions/detail/2024-07-25/1830\">"), "{html}");
    assert!(html.contains("<a id=\"official\" href=\"https://questions-statements.parliament.uk/written-questions/detail/2024-07-25/1830\">"));
    assert!(
        html.contains(
            "<a class=\"grouped\" href=\"/question/2024-07-25/1829\">2024-07-25/1829</a>"
        ),
        "{html}"
    );
    assert!(html.contains("Helen Morgan (Liberal Democrat - North Shropshire), member 4934"));
    // Every row of `show` is on the page (a list, such as the grouped ids, item by item:
    // the page links each one).
    let show = String::from_utf8(cli(ix, &["show", "2024-07-25/1830"])).unwrap();
    for value in show
        .lines()
        .filter_map(|l| l.trim_start().split_once("  ").map(|(_, v)| v.trim()))
        .flat_map(|v| v.split(", "))
        .filter(|v| !v.is_empty())
    {
        if !value.contains('&')
            && !value.contains('"')
            && !value.contains('<')
            && !value.contains('\'')
        {
            assert!(html.contains(value), "the page lacks {value:?}");
        }
    }
    // A grouped question is one click away.
    assert_eq!(server.get("/question/2024-07-25/1829").status, 200);
    assert_eq!(server.get("/question/no-such-id").status, 404);
    assert_eq!(
        server
            .get(&format!("/question/{}", "9".repeat(2000)))
            .status,
        400
    );
}

#[test]
fn keeps_serving_while_an_ingest_commits() {
    let env = TestEnv::new();
    let api = corpus().join("api");
    let ix = env.ingest("ix", &[&api.join("2023-12.json")]);
    let server = Server::start(&ix.path, &[]);
    let before = total_of(&server.get("/?q=*").text());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopping = Arc::clone(&stop);
    let addr = server.addr.clone();
    // Searches all through the ingest: every one answered, none from half a commit.
    let load = std::thread::spawn(move || {
        let mut answered = 0;
        while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
            let reply = http::get(&addr, "/?q=school", &addr);
            assert_eq!(reply.status, 200, "{}", reply.text());
            answered += 1;
        }
        answered
    });
    let run = env.run(&[
        "ingest",
        "--index",
        "ix",
        "--commit-every",
        "500",
        arg(&api.join("2024-07.json")),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = ix.search("*").total();
    assert!(after > before);
    let seen = wait_for(
        Duration::from_secs(20),
        "the new commit on the page",
        || {
            let total = total_of(&server.get("/?q=*").text());
            (total == after).then_some(total)
        },
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answered = load.join().unwrap();
    assert!(answered > 0);
    assert_eq!(seen, after);
    assert!(server.log().contains("now serving"), "{}", server.log());
    // A rebuild swaps a new index in under the server, which follows it.
    let run = env.run(&["ingest", "--rebuild", "--index", "ix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(total_of(&server.get("/?q=*").text()), after);
    assert_eq!(server.get("/question/2024-07-25/1830").status, 200);
}

#[test]
fn warns_when_listening_beyond_loopback() {
    let (_, ix) = small();
    let server = Server::start(&ix.path, &["--addr", "0.0.0.0:0"]);
    assert!(
        server.log().contains("warning: listening on 0.0.0.0:"),
        "{}",
        server.log()
    );
    assert!(server.log().contains("anyone who can reach this machine"));
    // Bound beyond loopback by choice, it answers to any name.
    assert_eq!(
        http::get(
            &server.addr.replace("0.0.0.0", "127.0.0.1"),
            "/",
            "example.org"
        )
        .status,
        200
    );
    let quiet = Server::start(&ix.path, &[]);
    assert!(!quiet.log().contains("warning"), "{}", quiet.log());
}

/// The total a results page shows.
/// The facet values of a results page: (link, selected, count).
fn facet_values(html: &str) -> Vec<(String, bool, usize)> {
    let facets = html
        .split("<aside id=\"facets\">")
        .nth(1)
        .and_then(|rest| rest.split("</aside>").next())
        .unwrap_or("");
    facets
        .split("<li")
        .skip(1)
        .filter_map(|item| {
            let link = item.split("href=\"").nth(1)?.split('"').next()?;
            let count = item.split("<span class=\"n\">").nth(1)?.split('<').next()?;
            Some((
                link.replace("&#38;", "&"),
                item.starts_with(" class=\"selected\""),
                count.replace(',', "").parse().ok()?,
            ))
        })
        .collect()
}

pub fn total_of(html: &str) -> usize {
    attribute(html, "data-total")
        .unwrap_or_else(|| panic!("no total in {html}"))
        .parse()
        .unwrap()
}

/// The first value of an attribute in some HTML.
pub fn attribute<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let start = html.find(&format!("{name}=\""))? + name.len() + 2;
    let len = html[start..].find('"')?;
    Some(&html[start..start + len])
}

#[test]
fn clients_that_stop_reading_lose_their_connection_and_their_download_slot() {
    // Every API question: a download far larger than the socket buffers between the two.
    let env = TestEnv::new();
    let ix = env.ingest("all-ix", &[&corpus().join("api")]);
    let server = Server::start(&ix.path, &["--stall-ms", "1500"]);
    // Four downloads (every slot) whose clients read a little, then nothing more.
    let stalled: Vec<std::net::TcpStream> = (0..4)
        .map(|_| {
            use std::io::{Read, Write};
            let mut s = std::net::TcpStream::connect(&server.addr).unwrap();
            s.write_all(&http::request("/export.jsonl?q=*", &server.addr))
                .unwrap();
            let mut start = [0u8; 100];
            s.read_exact(&mut start).unwrap();
            s
        })
        .collect();
    let busy = server.get("/export.csv?q=school+meals");
    assert_eq!(busy.status, 429, "every slot is taken: {}", busy.text());
    // Within a few seconds of the stall timeout the slots are free again...
    let freed = wait_for(Duration::from_secs(20), "a free download slot", || {
        let reply = server.get("/export.csv?q=school+meals");
        (reply.status == 200).then_some(reply)
    });
    assert_eq!(
        freed.body,
        cli(&ix, &["export", "school meals"]),
        "a whole download"
    );
    // ...and the stalled connections were closed, their downloads broken off, not ended as
    // if whole.
    for mut s in stalled {
        use std::io::Read;
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(
            !rest.ends_with(b"0\r\n\r\n"),
            "a stalled download must not end as if whole"
        );
    }
    let page = server.get("/?q=school");
    assert_eq!(page.status, 200);
}
