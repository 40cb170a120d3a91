//! `pqsearch generate`: the scale corpus is deterministic and valid input.

use std::collections::BTreeMap;
use std::path::Path;

use crate::testenv::{corpus, TestEnv};

/// Every file under a folder with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let found = pqsearch::walk::walk(&[dir.to_path_buf()]);
    assert!(found.errors.is_empty());
    found
        .files
        .into_iter()
        .map(|f| {
            (
                f.strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(&f).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_same_seed_writes_the_same_valid_corpus() {
    let env = TestEnv::new();
    let from = corpus().join("pages/2023-12");
    let from = from.to_str().unwrap();
    for layout in ["pages", "api"] {
        let gen = |out: &str, seed: &str| {
            env.run(&[
                "generate", "--from", from, "-n", "1500", "--layout", layout, "--out", out,
                "--seed", seed,
            ])
            .expect_code(0);
            snapshot(&env.path(out))
        };
        let a = gen(&format!("{layout}-a"), "7");
        let b = gen(&format!("{layout}-b"), "7");
        let c = gen(&format!("{layout}-c"), "8");
        assert_eq!(a, b, "{layout}: same seed, same bytes");
        assert_ne!(a, c, "{layout}: another seed, another corpus");
        let files = if layout == "pages" { 1500 } else { 2 };
        assert_eq!(a.len(), files, "{layout}");

        let run = env.run(&["parse", &format!("{layout}-a")]).expect_code(0);
        let records = run.json_lines();
        assert_eq!(records.len(), 1500, "{layout}: every question parses");
        let answered = records.iter().filter(|r| r["status"] == "answered").count();
        assert!(
            (600..1200).contains(&answered),
            "{layout}: {answered} answered"
        );
        let ids: std::collections::BTreeSet<&str> =
            records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 1500, "{layout}: ids are unique");
    }
}
