//! A fuzz of the query string (and the record path): whatever a link or a hand-typed
//! address holds, the server answers with a page or a refusal, never a 5xx, and never
//! panics.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::{http, small, Server};

/// Parameter names: the real ones, near misses, and junk.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "q", "department", "house", "asked_by", "answered_by", "asked_by_id",
            "answered_by_id", "party", "from", "to", "date", "status", "sort", "stem",
            "follow_renames", "page", "n", "columns", "bom", "excel_safe", "by", "top",
            "split", "merge_renames",
        ])
        .prop_map(String::from),
        1 => prop::sample::select(vec!["", "Q", "q[]", "%71", "page ", "department[]", "=", "&"])
            .prop_map(String::from),
        1 => ".{0,8}",
    ]
}

/// Values: query-language fragments, numbers, dates, choices, and anything at all.
fn value() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(vec![
        "\"",
        "(",
        ")",
        " OR ",
        " AND ",
        "NOT ",
        "-",
        "*",
        "heading:",
        "by:",
        "dept:",
        "department:",
        "asked:",
        "~5",
        "NEAR(",
        ",",
        ":",
        "\\",
        "'",
        "school",
        "meals",
        "heating",
        "2024",
        "2024-13",
        "..",
        "uin:",
        "status:",
        "tabled:",
        "nurs*",
        "é",
        "£",
        "\u{1b}",
        "\u{202e}",
        "<script>",
        "\0",
        " ",
    ]);
    prop_oneof![
        3 => prop::collection::vec(fragment, 0..12).prop_map(|v| v.concat()),
        1 => "[0-9]{1,30}",
        1 => "-?[0-9]{1,4}(-[0-9]{1,3}){0,3}",
        1 => prop::sample::select(vec![
            "answered", "unanswered", "holding", "withdrawn", "overdue", "commons", "lords",
            "newest", "oldest", "relevance", "asked", "latest", "DfE", "DHSC", "Home Office",
            "id,heading", "id,,", "1", "0", "true", "yes", "maybe", "department", "party",
            "year", "month", "asked_by", "house", "Labour", "Conservative", "none", "light",
        ])
        .prop_map(String::from),
        2 => ".{0,60}",
    ]
}

/// How a pair is written into the address: properly encoded, or raw with stray `%`, `+`
/// and bytes that are not UTF-8.
fn encode(text: &str, mode: u8) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        let plain = b.is_ascii_alphanumeric() || b"-._~*".contains(&b);
        let raw_ok = mode > 0 && b.is_ascii_graphic() && !b"#&=".contains(&b);
        if plain || raw_ok {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    match mode {
        2 => out + "%",
        3 => out + "%zz",
        4 => out + "%ff%fe",
        _ => out,
    }
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("/".to_string()),
        2 => Just("/api/search".to_string()),
        1 => Just("/export.csv".to_string()),
        1 => Just("/export.jsonl".to_string()),
        1 => Just("/api/facets".to_string()),
        1 => Just("/api/trend".to_string()),
        1 => Just("/trend.svg".to_string()),
        1 => Just("/about".to_string()),
        1 => value().prop_map(|v| format!("/question/{}", encode(&v, 0))),
    ]
}

#[test]
fn query_parameter_fuzz_never_gives_a_5xx_or_a_panic() {
    let (_, ix) = small();
    let mut server = Server::start(&ix.path, &[]);
    // Wild pairs (any name, any encoding), or tame ones: the page's own names, written as
    // a form writes them, so that many get past the checks into the search and counts.
    let tame_key = prop::sample::select(vec![
        "q",
        "q",
        "q",
        "department",
        "from",
        "to",
        "status",
        "sort",
        "page",
        "n",
        "by",
        "split",
        "party",
        "house",
        "date",
    ])
    .prop_map(String::from);
    let pairs = prop_oneof![
        prop::collection::vec((key(), value(), 0u8..6), 0..7),
        prop::collection::vec((tame_key, value(), Just(0u8)), 0..4),
    ];
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<Option<u16>, usize>::new());
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(path(), pairs), |(path, pairs)| {
            let query: Vec<String> = pairs
                .iter()
                .map(|(k, v, mode)| format!("{}={}", encode(k, *mode % 2), encode(v, *mode)))
                .collect();
            let target = format!("{path}?{}", query.join("&"));
            let reply = http::send(&server.addr, &http::request(&target, &server.addr));
            let status = reply.as_ref().map(|r| r.status);
            *seen.borrow_mut().entry(status).or_default() += 1;
            prop_assert!(
                matches!(status, Some(200..=499)),
                "GET {target}: {status:?}\n{}",
                reply.map(|r| r.text()).unwrap_or_default()
            );
            Ok(())
        })
        .unwrap();
    // The fuzz reached both sides: pages and refusals.
    let seen = seen.into_inner();
    eprintln!("fuzz: replies by status: {seen:?}");
    assert!(
        seen.get(&Some(200)).is_some_and(|n| *n >= 50)
            && seen.get(&Some(400)).is_some_and(|n| *n >= 50),
        "{seen:?}"
    );

    // What no form sends: a huge address, deep nesting, numbers past any bound.
    for target in [
        format!("/?q={}", "a".repeat(100_000)),
        format!("/?q={}", "x".repeat(2_001)),
        format!("/?q={}", "(".repeat(5_000)),
        format!("/?q={}", "%22a+".repeat(300)),
        format!("/?{}", "department=DfE&".repeat(70)),
        "/?page=18446744073709551616&n=100".to_string(),
        "/?asked_by_id=4294967296".to_string(),
        "/?from=99999&to=0000-00-00".to_string(),
        "/?from=2025&to=2024".to_string(),
        "/?q=*&sort=newest&page=501".to_string(),
        "/api/search?n=100&page=101".to_string(),
        format!("/api/facets?{}", "by=department&".repeat(70)),
        "/api/facets?by=asked_by&top=18446744073709551616".to_string(),
        "/trend.svg?by=month&split=department&top=100000".to_string(),
        "/api/trend?from=1800&to=2200&by=month".to_string(),
        "/trend.svg?from=1800&to=2200&by=month".to_string(),
        format!("/question/{}", "%2F".repeat(600)),
        "/question/".to_string(),
        "/question/%00".to_string(),
    ] {
        let reply = http::send(&server.addr, &http::request(&target, &server.addr));
        let status = reply.as_ref().map(|r| r.status);
        assert!(
            matches!(status, Some(200..=499)),
            "GET {}…: {status:?}",
            &target[..target.len().min(80)]
        );
    }
    assert!(server.alive(), "the server died");
    let log = server.log();
    assert!(
        !log.contains("internal error") && !log.contains("panic"),
        "{log}"
    );
}
