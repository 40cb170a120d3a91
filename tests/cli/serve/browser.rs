//! The page in headless Chromium, driven through WebDriver as an analyst would use it:
//! type a query, narrow it, open a record, page through, download the CSV; and a record
//! made of markup, shown as text.

use std::time::Duration;

use serde_json::Value;

use super::webdriver::{wait_until, Browser};
use super::{cli, months, small, Server, HOSTILE_ID};

/// Generous: the tests share two cores with the build.
const T: Duration = Duration::from_secs(60);

/// The ids of the hits shown, from their links.
fn shown_ids(b: &Browser) -> Vec<String> {
    b.find_all("ol.hits a.title")
        .iter()
        .map(|a| {
            let href = b.attr(a, "href").unwrap();
            href.split("/question/").nth(1).unwrap().to_string()
        })
        .collect()
}

/// The ids `pqsearch search` gives for a page.
fn cli_ids(ix: &crate::testenv::Ix, args: &[&str]) -> Vec<String> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let doc: Value = serde_json::from_slice(&cli(ix, &all)).unwrap();
    doc["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn total_on_page(b: &Browser) -> usize {
    b.attr(&b.find("#total"), "data-total")
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn an_analyst_searches_narrows_reads_pages_and_downloads() {
    let (_, ix) = months();
    let server = Server::start(&ix.path, &[]);
    let b = Browser::start();

    // Load: the whole index, as `*` finds it.
    b.goto(&format!("{}/", server.url));
    assert_eq!(b.title(), "pqsearch");
    assert_eq!(total_on_page(&b), ix.search("*").total());

    // Type a query.
    let query = "school funding";
    let q = b.find("input#q");
    b.send_keys(&q, query);
    b.click(&b.find("#go"));
    wait_until(T, "the results of the query", || {
        b.current_url().contains("q=school+funding").then_some(())
    });
    let total = ix.search(query).total();
    assert_eq!(total_on_page(&b), total);
    assert_eq!(shown_ids(&b), cli_ids(ix, &[query, "-n", "20"]));

    // The trend chart of the query loads, and is the SVG the server gives for it.
    let src = b
        .attr(&b.find("#trend img"), "src")
        .expect("the chart's address");
    assert!(
        src.contains("/trend.svg?") && src.contains("q=school+funding"),
        "{src}"
    );
    let width = wait_until(T, "the trend chart to load", || {
        let w = b.exec("const i = document.querySelector('#trend img'); return i.complete ? i.naturalWidth : null");
        w.as_u64()
    });
    assert!(width > 0, "the trend chart did not load: {src}");
    let svg = server.get(src.trim_start_matches(&server.url));
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    let svg = svg.text();
    let doc = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");

    // Click a department facet: the total is that of `pqsearch search --department`.
    b.click(&b.find("#facet-department a"));
    let department = wait_until(T, "the department filter", || {
        let url = b.current_url();
        param(&url, "department")
    });
    let narrowed = ix
        .search(query)
        .args(&["--department", &department])
        .total();
    assert!(
        narrowed > 0 && narrowed < total,
        "{department}: {narrowed} of {total}"
    );
    assert_eq!(total_on_page(&b), narrowed, "{department}");
    assert_eq!(
        shown_ids(&b),
        cli_ids(ix, &[query, "--department", &department, "-n", "20"])
    );
    // Clicking the chosen value again removes the filter.
    let chosen = b.find("#facet-department li.selected a");
    assert_eq!(b.text(&chosen), department);
    b.click(&chosen);
    wait_until(T, "the filter removed", || {
        param(&b.current_url(), "department")
            .is_none()
            .then_some(())
    });
    assert_eq!(total_on_page(&b), total);

    // Page through: the second page holds hits 21-40 of the same order.
    b.click(&b.find("#next"));
    wait_until(T, "page 2", || {
        b.current_url().contains("page=2").then_some(())
    });
    assert_eq!(
        shown_ids(&b),
        cli_ids(ix, &[query, "-n", "20", "--offset", "20"])
    );
    b.click(&b.find("#prev"));
    wait_until(T, "page 1", || {
        (!b.current_url().contains("page=")).then_some(())
    });

    // Follow a result to its record.
    let first = shown_ids(&b).remove(0);
    b.click(&b.find("ol.hits a.title"));
    wait_until(T, "the record", || {
        b.current_url()
            .ends_with(&format!("/question/{first}"))
            .then_some(())
    });
    let record: Value =
        serde_json::from_slice(&cli(ix, &["show", &first, "--format", "json"])).unwrap();
    assert_eq!(
        b.text(&b.find("h1")),
        record["heading"].as_str().unwrap_or("(no heading)")
    );
    if let Some(url) = record["url"].as_str() {
        assert_eq!(b.attr(&b.find("#official"), "href").as_deref(), Some(url));
    }
    b.back();
    wait_until(T, "back on the results", || {
        b.current_url().contains("q=school+funding").then_some(())
    });

    // Download the CSV: the bytes of `pqsearch export` with the same query.
    b.click(&b.find("#csv"));
    let file = b.wait_for_download(T);
    assert_eq!(file.file_name().unwrap(), "pqsearch-export.csv");
    let downloaded = std::fs::read(&file).unwrap();
    assert!(
        downloaded == cli(ix, &["export", query]),
        "the CSV differs from pqsearch export"
    );

    // The screenshot for the README, when asked for: of this index, or of the one
    // PQSEARCH_SCREENSHOT_INDEX names (a whole corpus makes a truer chart).
    if let Some(path) = std::env::var_os("PQSEARCH_SCREENSHOT") {
        let other = std::env::var_os("PQSEARCH_SCREENSHOT_INDEX")
            .map(|ix| Server::start(std::path::Path::new(&ix), &[]));
        let url = &other.as_ref().unwrap_or(&server).url;
        b.resize(1280, 1500);
        b.goto(&format!("{url}/?q=%22free+school+meals%22"));
        b.screenshot(std::path::Path::new(&path));
    }
}

#[test]
fn a_record_made_of_markup_is_shown_as_text() {
    let (_, ix) = small();
    let server = Server::start(&ix.path, &[]);
    let b = Browser::start();
    b.watch_dialogs();
    let record: Value =
        serde_json::from_slice(&cli(ix, &["show", HOSTILE_ID, "--format", "json"])).unwrap();
    let text = |field: &str| record[field].as_str().unwrap().to_string();
    assert!(text("heading").contains("<script>") && text("question").contains("onerror"));

    // Nothing in the page is markup from the record: no element it names exists, no
    // script of it ran (no dialog, the title its question sets is not set), and the text
    // reads exactly as stored.
    // (The one image of the page's own is the trend chart.)
    let no_markup = "return document.querySelectorAll('main script, \
        main img:not(#trend img[src^=\"/trend.svg?\"]), main b, main i, main u').length";
    let nothing_ran = |page: &str| {
        assert_eq!(b.dialogs(), Vec::<String>::new(), "{page}: a script ran");
        assert!(!b.title().contains("pwned"), "{page}: {}", b.title());
    };
    let page_text = || {
        b.exec("return document.body.innerText")
            .as_str()
            .unwrap()
            .to_string()
    };
    // The watch itself sees a dialog.
    b.goto(&format!("{}/about", server.url));
    b.exec("alert('probe'); return 0");
    assert_eq!(b.dialogs(), ["alert(probe)"]);
    b.goto(&format!("{}/?q=heating", server.url));
    let hit = b.find(&format!("a.title[href='/question/{HOSTILE_ID}']"));
    assert_eq!(b.text(&hit), text("heading"));
    assert_eq!(b.exec(no_markup), 0);
    nothing_ran("the results");
    assert_eq!(b.title(), "heating – pqsearch");
    for literal in [
        "Cyber <script>alert(1)</script> & \"Heating\" \"><img src=x onerror=alert(5)>",
        "Department for <script>Markup</script>",
    ] {
        assert!(
            page_text().contains(literal),
            "the results lack {literal:?}"
        );
    }
    let facts = b.text(&b.find_all("ol.hits .facts")[shown_index(&b)]);
    assert!(
        facts.contains(&text("department")) && facts.contains(&text("asked_by")),
        "{facts}"
    );

    b.click(&hit);
    wait_until(T, "the record", || {
        b.current_url().contains("/question/").then_some(())
    });
    assert_eq!(b.text(&b.find("h1")), text("heading"));
    assert_eq!(b.text(&b.find("#question")), text("question"));
    assert_eq!(b.text(&b.find("#answer")), text("answer"));
    assert_eq!(b.exec(no_markup), 0);
    nothing_ran("the record");
    for literal in [
        "\"><img src=x onerror=alert(1)> and <script>document.title='pwned'</script>",
        "<script>alert(3)</script> and \"><img src=x onerror=alert(4)>",
        "Mx <b>Bold</b> \"><img src=x onerror=alert(2)>",
    ] {
        assert!(
            page_text().contains(literal),
            "the record lacks {literal:?}"
        );
    }
    assert_eq!(
        b.exec("return document.title"),
        Value::from(format!("{} – pqsearch", text("heading")))
    );
    // A grouped "question" named <script> is a link to a record that does not exist.
    let grouped = b.find_all("a.grouped");
    assert_eq!(b.text(&grouped[0]), "<script>");
    assert_eq!(
        b.attr(&grouped[0], "href").as_deref(),
        Some("/question/%3Cscript%3E")
    );

    // A query full of markup comes back in the box as typed.
    b.goto(&format!("{}/", server.url));
    let typed = "\"><img src=x onerror=alert(1)> <script>";
    b.send_keys(&b.find("input#q"), typed);
    b.click(&b.find("#go"));
    wait_until(T, "the results", || {
        b.current_url().contains("q=").then_some(())
    });
    assert_eq!(b.attr(&b.find("input#q"), "value").as_deref(), Some(typed));
    assert_eq!(b.exec(no_markup), 0);
    nothing_ran("a query of markup");
}

/// The first value of a parameter in an address's query string, decoded as a form
/// encodes it.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next().unwrap();
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| decode(v))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Which of the shown hits is the hostile record.
fn shown_index(b: &Browser) -> usize {
    let ids = shown_ids(b);
    ids.iter()
        .position(|id| id == HOSTILE_ID)
        .expect("the hostile record is among the hits")
}
