//! `pqsearch search` and `show` over an index of the real pages, checked against the page
//! texts themselves.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

use crate::testenv::{corpus, has_phrase, words, Found, Ix, TestEnv};

/// One index of `../shared/corpus/pages`, built once by the real binary and shared.
fn pages_index() -> &'static Ix {
    static INDEX: OnceLock<(TestEnv, Ix)> = OnceLock::new();
    let (_, ix) = INDEX.get_or_init(|| {
        let env = TestEnv::new();
        let ix = env.ingest("ix", &[&corpus().join("pages")]);
        (env, ix)
    });
    ix
}

/// A page's text fields, from the truth file (what the page files hold).
struct Page {
    heading: String,
    question: String,
    answer: String,
    department: String,
    answered_by: String,
    date_asked: String,
    date_answered: Option<String>,
    status: String,
}

fn pages() -> &'static [Page] {
    static PAGES: OnceLock<Vec<Page>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let truth = std::fs::read_to_string(corpus().join("truth/pages.jsonl")).unwrap();
        truth
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
                Page {
                    heading: s("heading"),
                    question: s("question"),
                    answer: s("answer"),
                    department: s("department"),
                    answered_by: s("answered_by"),
                    date_asked: s("date_asked"),
                    date_answered: v["date_answered"].as_str().map(str::to_string),
                    status: s("status"),
                }
            })
            .collect()
    })
}

/// The identity of a question across sources: pages with the same date and text are one
/// question and become one record.
fn key(date_asked: &str, question: &str) -> String {
    format!("{date_asked} {}", crate::testenv::squash(question))
}

/// Questions whose heading, question or answer holds the phrase.
fn with_phrase(phrase: &str) -> BTreeSet<String> {
    files_where(|p| {
        [&p.heading, &p.question, &p.answer]
            .iter()
            .any(|t| has_phrase(t, phrase))
    })
}

fn files_where(pred: impl Fn(&Page) -> bool) -> BTreeSet<String> {
    pages()
        .iter()
        .filter(|p| pred(p))
        .map(|p| key(&p.date_asked, &p.question))
        .collect()
}

/// Runs a search (the query, then flags) for every match as JSON.
fn search(args: &[&str]) -> Found {
    pages_index().search(args[0]).args(&args[1..]).json()
}

fn files_of(hits: &[Value]) -> BTreeSet<String> {
    hits.iter()
        .map(|h| {
            key(
                h["date_asked"].as_str().unwrap(),
                h["question"].as_str().unwrap(),
            )
        })
        .collect()
}

fn matches(args: &[&str]) -> BTreeSet<String> {
    files_of(&search(args).hits)
}

#[test]
fn phrases_match_exactly_the_pages_that_hold_them() {
    for phrase in [
        "net zero",
        "social care",
        "Online Safety Act",
        "special educational needs",
        "mental health",
        "Ofsted",
    ] {
        let want = with_phrase(phrase);
        assert!(!want.is_empty(), "{phrase} is in some page");
        let got = matches(&[&format!("\"{phrase}\"")]);
        let missing: Vec<_> = want.difference(&got).take(3).collect();
        let extra: Vec<_> = got.difference(&want).take(3).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{phrase:?}: missing {missing:?}, extra {extra:?}"
        );
    }
}

#[test]
fn a_phrase_needs_its_words_together_and_unstemmed() {
    // "safety bill" apart from "online" does not make "Online Safety Bill".
    let apart = files_where(|p| {
        let all = format!("{} {} {}", p.heading, p.question, p.answer);
        has_phrase(&all, "online")
            && has_phrase(&all, "safety bill")
            && !has_phrase(&all, "online safety bill")
    });
    let got = matches(&["\"Online Safety Bill\""]);
    assert!(got.is_disjoint(&apart));
    // Quoted words are not stemmed: "schools" does not find a page with only "school".
    let schools = matches(&["\"schools\""]);
    assert_eq!(schools, with_phrase("schools"));
    let stemmed = matches(&["schools"]);
    let school = with_phrase("school");
    assert!(stemmed.is_superset(&schools) && stemmed.is_superset(&school));
    assert!(stemmed.len() > schools.len());
}

#[test]
fn and_or_not_and_parentheses() {
    let school = with_phrase("school");
    let hospital = with_phrase("hospital");
    let funding = with_phrase("funding");
    assert_eq!(matches(&["\"school\" \"funding\""]), &school & &funding);
    assert_eq!(matches(&["\"school\" AND \"funding\""]), &school & &funding);
    assert_eq!(
        matches(&["\"school\" OR \"hospital\""]),
        &school | &hospital
    );
    assert_eq!(matches(&["\"school\" -\"funding\""]), &school - &funding);
    assert_eq!(matches(&["\"school\" NOT \"funding\""]), &school - &funding);
    assert_eq!(
        matches(&["(\"school\" OR \"hospital\") \"funding\""]),
        &(&school | &hospital) & &funding
    );
    let all = files_where(|_| true);
    assert_eq!(matches(&["* -\"funding\""]), &all - &funding);
}

#[test]
fn field_prefixes_search_only_their_field() {
    assert_eq!(
        matches(&["heading:\"roads\""]),
        files_where(|p| has_phrase(&p.heading, "roads"))
    );
    assert_eq!(
        matches(&["answer:\"ofsted\""]),
        files_where(|p| has_phrase(&p.answer, "ofsted"))
    );
    assert_eq!(
        matches(&["question:\"net zero\""]),
        files_where(|p| has_phrase(&p.question, "net zero"))
    );
    assert_eq!(
        matches(&["department:transport"]),
        files_where(|p| has_phrase(&p.department, "transport"))
    );
    assert_eq!(
        matches(&["by:smyth"]),
        files_where(|p| has_phrase(&p.answered_by, "smyth"))
    );
    // member: is either member; the pages name only the answering one.
    assert_eq!(matches(&["member:smyth"]), matches(&["by:smyth"]));
    assert_eq!(
        matches(&["By:\"Karin Smyth\""]),
        files_where(|p| p.answered_by == "Karin Smyth")
    );
    assert_eq!(
        matches(&["by:smy*"]),
        files_where(|p| words(&p.answered_by).iter().any(|w| w.starts_with("smy")))
    );
    let asked: BTreeSet<String> = pages_index()
        .records()
        .iter()
        .filter(|q| {
            q.asked_by
                .as_deref()
                .is_some_and(|n| words(n).contains(&"smith".to_string()))
        })
        .map(|q| key(&q.date_asked.to_string(), &q.question))
        .collect();
    assert_eq!(matches(&["asked:smith"]), asked);
    // Without a prefix, department names are not searched: "ministry" does not match every
    // question to the Ministry of Defence, only those whose text says it.
    let by_name_only = files_where(|p| {
        p.department.contains("Ministry")
            && ![&p.heading, &p.question, &p.answer]
                .iter()
                .any(|t| has_phrase(t, "ministry"))
    });
    assert!(!by_name_only.is_empty());
    assert!(matches(&["ministry"]).is_disjoint(&by_name_only));
    assert_eq!(matches(&["\"ministry\""]), with_phrase("ministry"));
}

#[test]
fn every_filter_holds_on_every_hit_and_counts_are_exact() {
    let hits = search(&["*", "--department", "DfT"]).hits;
    assert!(hits
        .iter()
        .all(|h| h["department"] == "Department for Transport"));
    assert_eq!(
        files_of(&hits),
        files_where(|p| p.department == "Department for Transport")
    );

    let two = matches(&["*", "--department", "home office", "--department", "MoD"]);
    assert_eq!(
        two,
        files_where(|p| p.department == "Home Office" || p.department == "Ministry of Defence")
    );

    assert_eq!(
        matches(&["*", "--status", "holding"]),
        files_where(|p| p.status == "holding")
    );
    assert_eq!(
        matches(&["*", "--status", "unanswered"]),
        files_where(|p| p.status == "unanswered")
    );
    assert_eq!(matches(&["*", "--house", "commons"]), files_where(|_| true));
    assert!(matches(&["*", "--house", "lords"]).is_empty());

    assert_eq!(
        matches(&["*", "--from", "2024-07", "--to", "2024-09"]),
        files_where(
            |p| p.date_asked.as_str() >= "2024-07-01" && p.date_asked.as_str() <= "2024-09-30"
        )
    );
    assert_eq!(
        matches(&["*", "--date", "answered", "--from", "2025"]),
        files_where(|p| p
            .date_answered
            .as_deref()
            .is_some_and(|d| d >= "2025-01-01"))
    );
    assert_eq!(
        matches(&["*", "--to", "2023-12-05"]),
        files_where(|p| p.date_asked.as_str() <= "2023-12-05")
    );
    assert_eq!(
        matches(&["*", "--answered-by", "karin smyth"]),
        files_where(|p| p.answered_by == "Karin Smyth")
    );
    assert_eq!(
        matches(&[
            "\"social care\"",
            "--department",
            "DHSC",
            "--status",
            "answered"
        ]),
        &with_phrase("social care")
            & &files_where(|p| p.department == "Department of Health and Social Care"
                && p.status == "answered")
    );
}

#[test]
fn date_orders_are_monotone() {
    // By the date asked unless --date says otherwise (issue 13: filter and order agree).
    let asked = |h: &Value| h["date_asked"].as_str().unwrap().to_string();
    let newest = search(&["\"health\"", "--sort", "newest"]).hits;
    let oldest = search(&["\"health\"", "--sort", "oldest"]).hits;
    assert!(newest.len() > 100);
    assert!(newest.windows(2).all(|w| asked(&w[0]) >= asked(&w[1])));
    assert!(oldest.windows(2).all(|w| asked(&w[0]) <= asked(&w[1])));
    assert_eq!(files_of(&newest), files_of(&oldest));
    // The order by date answered, or asked while unanswered, is --date latest.
    let latest = |h: &Value| {
        h["date_answered"]
            .as_str()
            .or(h["date_asked"].as_str())
            .unwrap()
            .to_string()
    };
    let newest = search(&["\"health\"", "--sort", "newest", "--date", "latest"]).hits;
    assert!(newest.windows(2).all(|w| latest(&w[0]) >= latest(&w[1])));
}

#[test]
fn relevance_order_and_offsets_page_without_gaps_or_repeats() {
    let all = search(&["hospital"]).hits;
    assert!(all.len() > 20, "{}", all.len());
    let scores: Vec<f64> = all.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first");
    let ids: Vec<&str> = all.iter().map(|h| h["id"].as_str().unwrap()).collect();

    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let Found { total, hits, .. } =
            search(&["hospital", "-n", "7", "--offset", &offset.to_string()]);
        assert_eq!(total, ids.len(), "total does not depend on the page");
        if hits.is_empty() {
            break;
        }
        for (i, h) in hits.iter().enumerate() {
            assert_eq!(h["rank"].as_u64().unwrap() as usize, offset + i + 1);
            paged.push(h["id"].as_str().unwrap().to_string());
        }
        offset += 7;
    }
    assert_eq!(paged, ids);
}

#[test]
fn snippets_highlight_every_matched_word() {
    let hits = search(&["\"social care\" funding"]).hits;
    assert!(!hits.is_empty());
    for h in &hits {
        let snippet = h["snippet"].as_str().unwrap();
        assert!(snippet.chars().count() <= 210, "{snippet}");
        let marked: Vec<String> = h["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize]
                    .to_lowercase()
            })
            .collect();
        assert!(!marked.is_empty(), "{snippet}");
        for word in &marked {
            assert!(
                ["social", "care"].contains(&word.as_str()) || word.starts_with("fund"),
                "{word:?} in {snippet}"
            );
        }
    }
}

#[test]
fn text_output_colour_and_exit_codes() {
    let ix = pages_index();
    let run = ix
        .search("\"social care\"")
        .args(&["-n", "2"])
        .run()
        .expect_code(0);
    let total = with_phrase("social care").len();
    assert!(
        run.stdout
            .contains(&format!("{total} matches (showing 1-2)")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("*social* *care*")
            || run.stdout.contains("*Social* *Care*")
            || run.stdout.contains("*social* *Care*"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\x1b'));
    let run = ix
        .search("\"social care\"")
        .args(&["-n", "1", "--color", "always"])
        .run()
        .expect_code(0);
    assert!(run.stdout.contains("\x1b[1;31m"), "{}", run.stdout);

    let run = ix
        .search("\"social care\"")
        .args(&["-n", "0"])
        .run()
        .expect_code(0);
    assert_eq!(run.stdout, format!("{total} matches\n"), "-n 0 counts only");
    let run = ix.search("xylophonequartet").run().expect_code(1);
    assert!(run.stdout.contains("no matches"));
    let run = ix
        .search("*")
        .args(&["--department", "Narnia"])
        .run()
        .expect_code(2);
    assert!(
        run.stderr.contains("no department matches \"Narnia\""),
        "{}",
        run.stderr
    );
    let run = ix
        .search("*")
        .args(&["--from", "2024-13"])
        .run()
        .expect_code(2);
    assert!(
        run.stderr.contains("--from: invalid date"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_queries_give_one_clear_line_and_exit_2() {
    for (query, says) in [
        ("\"online safety", "column 1: unclosed quote"),
        ("(school OR hospital", "column 1: unclosed parenthesis"),
        ("school)", "column 7: unmatched closing parenthesis"),
        ("school OR", "column 8: OR needs a term on both sides"),
        ("AND school", "column 1: AND needs a term on both sides"),
        (
            "-school -hospital",
            "column 1: the query has only negative terms",
        ),
        ("NOT school", "column 1: the query has only negative terms"),
        ("a:(^", "unknown field prefix a:"),
        ("heading:", "prefix heading: needs a word"),
        ("", "the query is empty"),
    ] {
        let run = pages_index().search(query).run().expect_code(2);
        assert_eq!(run.stderr.lines().count(), 1, "{query:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{query:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = TestEnv::new();
    let ix = crate::testenv::arg(&pages_index().path);
    let run = env.run_into_closed_pipe(&["search", "*", "-n", "5000", "--index", ix]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn show_prints_one_whole_record() {
    let ix = pages_index();
    let hits = search(&["\"Online Safety Act\"", "--status", "answered"]).hits;
    let id = hits[0]["id"].as_str().unwrap();
    let run = ix.call(&["show", id]).run().expect_code(0);
    let answer = hits[0]["answer"].as_str().unwrap();
    assert!(run.stdout.contains(hits[0]["heading"].as_str().unwrap()));
    assert!(run.stdout.contains(answer), "the whole answer, uncut");
    assert!(run.stdout.contains(&format!("id  {id}")), "{}", run.stdout);
    let json = ix
        .call(&["show", id, "--format", "json"])
        .run()
        .expect_code(0);
    let record: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(record["answer"], hits[0]["answer"]);
    assert_eq!(record["id"], id);
    let run = ix.call(&["show", "1999-01-01/1"]).run().expect_code(1);
    assert!(run.stderr.contains("no question with id"), "{}", run.stderr);
}

#[test]
fn a_first_run_builds_the_default_index_from_corpus() {
    let env = TestEnv::new();
    let seed = std::fs::read(corpus().join("seed/internet-offences-against-children.txt")).unwrap();
    env.write("corpus/seed.txt", seed);
    let run = env
        .run(&["search", "\"Online Safety Bill\""])
        .expect_code(0);
    assert!(
        run.stderr.contains("building index/ from corpus/"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Internet: Offences against Children"));
    assert!(env.path("index/meta.json").exists());
    let run = env
        .run(&["search", "\"Online Safety Bill\""])
        .expect_code(0);
    assert_eq!(run.stderr, "", "the second run uses the index");
}
