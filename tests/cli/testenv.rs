//! The test harness: a temporary working directory that runs the real binary, and an index
//! bound to its directory that builds search and export commands.
//!
//! `env.run(&[...])` runs any command; `ix.search("q").args(&[...]).json()` runs a search
//! for every match as JSON and checks that the exit code agrees with the total.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The shared, read-only corpus of real written questions.
pub fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        dir.join("truth/pages.jsonl").exists(),
        "the real corpus is missing at {}",
        dir.display()
    );
    dir
}

/// The repository's own embedded corpus.
pub fn embedded_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A path as a `&str` argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating its directories) and returns its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The binary, run in the working directory, with no index location from outside.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("pqsearch").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("PQSEARCH_INDEX")
            .env("NO_COLOR", "1");
        cmd
    }

    /// The binary as a plain process, for tests that spawn, kill or pipe it.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pqsearch"));
        cmd.current_dir(self.dir.path())
            .env_remove("PQSEARCH_INDEX")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs the binary, reads a little of its output and closes the pipe, as `| head` does.
    pub fn run_into_closed_pipe(&self, args: &[&str]) -> Run {
        use std::io::Read;
        use std::process::Stdio;
        let mut child = self
            .process()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        Run::from(child.wait_with_output().unwrap())
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().unwrap())
    }

    /// Ingests `sources` into the index `name` of this directory, which must succeed.
    pub fn ingest(&self, name: &str, sources: &[&Path]) -> Ix {
        let mut args = vec!["ingest", "--index", name];
        args.extend(sources.iter().map(|p| arg(p)));
        self.run(&args).expect_code(0);
        Ix {
            path: self.path(name),
        }
    }
}

/// An index the tests query, bound to its directory.
pub struct Ix {
    pub path: PathBuf,
}

impl Ix {
    /// A search of this index, to be given more flags and run.
    pub fn search(&self, query: &str) -> Call {
        self.call(&["search", query])
    }

    /// Any command against this index: `--index` is added.
    pub fn call(&self, args: &[&str]) -> Call {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(["--index".to_string(), arg(&self.path).to_string()]);
        Call { args: all }
    }

    /// Every record in the index, read through the library, sorted by id.
    pub fn records(&self) -> Vec<pqsearch::record::Question> {
        dump(&self.path)
    }
}

/// A command being built against an index.
pub struct Call {
    args: Vec<String>,
}

/// What a search for every match returned.
pub struct Found {
    pub total: usize,
    pub hits: Vec<Value>,
}

impl Call {
    pub fn args(mut self, more: &[&str]) -> Call {
        self.args.extend(more.iter().map(|a| a.to_string()));
        self
    }

    pub fn run(self) -> Run {
        let env = TestEnv::new();
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        env.run(&args)
    }

    /// Runs as JSON (every match unless `-n` is given), checks the exit code against the
    /// total, and parses the document.
    pub fn json(self) -> Found {
        let limited = self.args.iter().any(|a| a == "-n");
        let mut call = self.args(&["--format", "json"]);
        if !limited {
            call = call.args(&["-n", "1000000"]);
        }
        let shown = call.args.clone();
        let run = call.run();
        assert!(
            run.code == 0 || run.code == 1,
            "{shown:?}: exit {}\n{}",
            run.code,
            run.stderr
        );
        let doc: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{shown:?}: not JSON ({e}): {}", run.stdout));
        let total = doc["total"].as_u64().unwrap() as usize;
        assert_eq!(run.code, if total == 0 { 1 } else { 0 }, "{shown:?}");
        let hits = doc["hits"].as_array().unwrap().clone();
        if !limited {
            assert_eq!(total, hits.len(), "{shown:?}: the total is exact");
        }
        Found { total, hits }
    }

    /// The total a search reports.
    pub fn total(self) -> usize {
        self.args(&["-n", "0"]).json().total
    }
}

/// What a run of the binary printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing both streams when it differs.
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\n--- stdout:\n{}\n--- stderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Every stdout line parsed as JSON.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

/// Collapses runs of white space (non-breaking spaces too), as truth comparisons require.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every record in an index, read through the library, sorted by id.
pub fn dump(index_dir: &Path) -> Vec<pqsearch::record::Question> {
    use pqsearch::search::{SearchRequest, Sort};
    let engine = pqsearch::engine::Engine::open(index_dir).expect("index opens");
    let searcher = engine.searcher();
    let prepared = engine.prepare(&searcher, &SearchRequest::new("*")).unwrap();
    let mut out: Vec<_> = prepared
        .all(&searcher, Sort::Relevance)
        .unwrap()
        .into_iter()
        .map(|(_, addr)| engine.index().record(&searcher, addr).unwrap())
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The ids that `pqsearch parse` reports for some paths, without duplicates.
pub fn parsed_ids(env: &TestEnv, paths: &[&str]) -> std::collections::BTreeSet<String> {
    let mut args = vec!["parse"];
    args.extend_from_slice(paths);
    let run = env.run(&args).expect_code(0);
    run.json_lines()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The words of a text as pqsearch promises to index them, one entry per position with
/// every form indexed there: runs of letters and digits, lower case, accents removed, an
/// apostrophe between two letters joining them ("children's" is "childrens"); a possessive
/// is also the word itself ("act's" is also "act"), and "O'Brien" also "brien". Words
/// longer than 64 characters keep their place but can never match ("\0").
pub fn positions(text: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    // The word so far, and where its first apostrophe fell (in folded characters).
    let mut word = String::new();
    let mut apostrophe: Option<usize> = None;
    let mut flush = |word: &mut String, apostrophe: &mut Option<usize>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let mut forms = vec![w.clone()];
        if let Some(at) = apostrophe.take() {
            let (before, after) = w.split_at(at);
            if after == "s" {
                forms.push(before.to_string());
            } else if before.chars().count() == 1 && after.len() >= 3 {
                forms.push(after.to_string());
            }
        }
        if w.chars().count() > 64 {
            forms = vec!["\0".to_string()];
        }
        out.push(forms);
    };
    for (i, &c) in chars.iter().enumerate() {
        let is_apostrophe = matches!(c, '\'' | '\u{2019}' | '\u{2018}');
        let mark = ('\u{300}'..='\u{36f}').contains(&c);
        if c.is_alphanumeric() {
            word.push_str(&fold(c));
        } else if is_apostrophe
            && !word.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        {
            apostrophe.get_or_insert(word.len());
        } else if mark && !word.is_empty() {
            continue;
        } else {
            flush(&mut word, &mut apostrophe);
        }
    }
    flush(&mut word, &mut apostrophe);
    out
}

/// The main form of each word of a text (see [`positions`]).
pub fn words(text: &str) -> Vec<String> {
    positions(text)
        .into_iter()
        .map(|mut f| f.swap_remove(0))
        .collect()
}

/// Whether the words of `phrase` occur in `text` one after the other, in any of the forms
/// indexed at each position.
pub fn has_phrase(text: &str, phrase: &str) -> bool {
    let (t, p) = (positions(text), words(phrase));
    !p.is_empty()
        && t.windows(p.len())
            .any(|w| w.iter().zip(&p).all(|(forms, word)| forms.contains(word)))
}

fn fold(c: char) -> String {
    let lower: String = c.to_lowercase().collect();
    let table = [
        ("àáâãäåāă", "a"),
        ("çćč", "c"),
        ("èéêëēėę", "e"),
        ("ìíîïī", "i"),
        ("ñń", "n"),
        ("òóôõöøō", "o"),
        ("ùúûüū", "u"),
        ("ýÿŷ", "y"),
        ("ŵ", "w"),
        ("śšş", "s"),
        ("žźż", "z"),
        ("ł", "l"),
        ("ğ", "g"),
    ];
    lower
        .chars()
        .map(|c| {
            table
                .iter()
                .find(|(from, _)| from.contains(c))
                .map_or_else(|| c.to_string(), |(_, to)| to.to_string())
        })
        .collect::<String>()
        .replace('ß', "ss")
        .replace('æ', "ae")
        .replace('œ', "oe")
}
