//! `pqsearch sync`: keep an index current from the official written-questions API.
//!
//! A sync asks the list endpoint for everything tabled, answered or corrected since a
//! date (the start of the last complete sync, by default), 100 questions a page, with the
//! members expanded. The list cuts long answers (and questions) short and strips every
//! answer's markup, so that paragraphs, lists and table cells run together; so every
//! answered question, and every question it cut, is fetched again whole from the
//! single-question endpoint. Members
//! the index cannot name are fetched from the Members API. Everything goes through the one
//! [`Updater`], so a synced question merges exactly as a file of the same JSON would.
//!
//! Every response is kept, as the file `ingest` reads (by default in the index's own
//! `sync/` folder), and listed in the manifest once its records are committed: so a sync
//! can be replayed with `ingest`, and `ingest --rebuild` restores synced records too.
//!
//! Resuming: the state beside the index (`pqsearch-sync.json`) says when the running sync
//! began and from which date. A sync that is killed leaves that state; the next one starts
//! again from the same date and merges what it fetches again as duplicates, so nothing
//! committed is lost and nothing appears twice. Only a sync that finished moves the date.

pub mod http;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::date::{utc_timestamp, Date};
use crate::index::IndexError;
use crate::parse;
use crate::record::{House, Question};
use crate::update::manifest::FileStamp;
use crate::update::{UpdateReport, Updater, UpdaterOptions};
use http::{Client, Fetched, HttpError, Traffic};

/// The public written-questions API.
pub const API_URL: &str = "https://questions-statements-api.parliament.uk/api";
/// The public Members API.
pub const MEMBERS_API_URL: &str = "https://members-api.parliament.uk/api";
/// Questions per list page: the most the API gives.
const TAKE: usize = 100;
/// The state file's name inside the index directory.
pub const STATE: &str = "pqsearch-sync.json";

/// What to sync, from where, and how politely.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub index_dir: PathBuf,
    /// Fetch what changed on or after this date; by default the start of the last complete
    /// sync, or the newest date in the index.
    pub since: Option<Date>,
    /// One House, or both.
    pub house: Option<House>,
    /// Requests a second at most (0: no limit).
    pub rate: f64,
    /// How long one request may take.
    pub timeout: Duration,
    /// The first wait before a retry (it doubles).
    pub backoff: Duration,
    /// Where the responses are kept [default: `sync/` inside the index].
    pub save: Option<PathBuf>,
    pub api_url: String,
    pub members_api_url: String,
    pub updater: UpdaterOptions,
}

impl SyncOptions {
    pub fn new(index_dir: PathBuf) -> SyncOptions {
        SyncOptions {
            index_dir,
            since: None,
            house: None,
            rate: 3.0,
            timeout: Duration::from_secs(30),
            backoff: Duration::from_secs(1),
            save: None,
            api_url: API_URL.into(),
            members_api_url: MEMBERS_API_URL.into(),
            updater: UpdaterOptions::default(),
        }
    }
}

/// What a sync did.
#[derive(Debug)]
pub struct SyncReport {
    pub since: Date,
    pub list_pages: usize,
    /// Questions listed (a question tabled and answered since is listed twice).
    pub listed: usize,
    /// Questions fetched again whole because the list cut or flattened their text.
    pub full_texts: usize,
    /// Of those, the ones the single-question endpoint also gave cut.
    pub still_cut: usize,
    pub members_fetched: usize,
    /// Member ids the Members API does not know (404): their records show the id.
    pub members_unknown: Vec<u32>,
    /// Items of the responses that could not be read, with the reason.
    pub rejected: Vec<String>,
    pub update: UpdateReport,
    pub traffic: Traffic,
    /// Where the responses were kept.
    pub saved_in: PathBuf,
}

/// Why a sync stopped. What was committed before stays committed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "the index at {0} is empty, so there is no date to sync from: give one with --since \
         (for example --since 2024-07-01)"
    )]
    NeedSince(String),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("{url}: the response is not what the API sends ({reason})")]
    Unexpected { url: String, reason: String },
    #[error("keeping the responses in {}", path.display())]
    Save {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
}

/// Hooks through which a sync reports progress; the binary draws them.
pub trait SyncProgress {
    /// A stage starts, with the number of steps when known.
    fn stage(&self, _what: &str, _steps: Option<usize>) {}
    fn step(&self) {}
}

/// Reports nothing.
pub struct NoProgress;
impl SyncProgress for NoProgress {}

/// What the state file holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// The last sync that finished: from which date, and when it began.
    last: Option<Run>,
    /// A sync that began and has not finished (killed, or failed).
    running: Option<Run>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Run {
    since: Date,
    started: String,
    /// The day it began (UTC): the next sync starts from here.
    day: Date,
}

impl State {
    fn load(dir: &Path) -> State {
        std::fs::read(dir.join(STATE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, dir: &Path) -> Result<(), IndexError> {
        let io = |error| IndexError::Io {
            dir: dir.display().to_string(),
            error,
        };
        let tmp = dir.join(format!("{STATE}.tmp"));
        std::fs::write(
            &tmp,
            serde_json::to_vec_pretty(self).expect("state serialises"),
        )
        .map_err(io)?;
        std::fs::rename(&tmp, dir.join(STATE)).map_err(io)
    }
}

/// When the last complete sync of the index in `dir` began (`YYYY-MM-DDTHH:MM:SSZ`), and
/// whether one is unfinished (killed or failed): for `info`.
pub fn last_sync(dir: &Path) -> (Option<String>, bool) {
    let state = State::load(dir);
    (state.last.map(|r| r.started), state.running.is_some())
}

/// The kinds of change the list endpoint can be asked for.
const WINDOWS: [(&str, &str); 3] = [
    ("tabled", "tabledWhenFrom"),
    ("answered", "answeredWhenFrom"),
    ("corrected", "correctedWhenFrom"),
];

/// Runs one sync.
pub fn sync(opts: &SyncOptions, progress: &dyn SyncProgress) -> Result<SyncReport, SyncError> {
    let mut updater = Updater::open(&opts.index_dir, opts.updater)?;
    let dir = opts.index_dir.clone();
    let mut state = State::load(&dir);
    let since = match (opts.since, &state.running, &state.last) {
        (Some(since), _, _) => since,
        (None, Some(running), _) => running.since,
        (None, None, Some(last)) => last.day,
        (None, None, None) => {
            newest_date(&updater)?.ok_or_else(|| SyncError::NeedSince(dir.display().to_string()))?
        }
    };
    let now = std::time::SystemTime::now();
    let started = utc_timestamp(now);
    let run = Run {
        since,
        day: Date::parse_api(&started).expect("a timestamp starts with a date"),
        started: started.clone(),
    };
    state.running = Some(run.clone());
    state.save(&dir)?;

    let saved_in = opts
        .save
        .clone()
        .unwrap_or_else(|| dir.join("sync"))
        .join(started.replace(':', ""));
    std::fs::create_dir_all(&saved_in).map_err(|error| SyncError::Save {
        path: saved_in.clone(),
        error,
    })?;
    let mut job = Job {
        opts,
        client: Client::new(opts.rate, opts.timeout).with_backoff(opts.backoff),
        saved_in,
        report: SyncReport {
            since,
            list_pages: 0,
            listed: 0,
            full_texts: 0,
            still_cut: 0,
            members_fetched: 0,
            members_unknown: Vec::new(),
            rejected: Vec::new(),
            update: UpdateReport::default(),
            traffic: Traffic::default(),
            saved_in: PathBuf::new(),
        },
        fetched_whole: HashSet::new(),
        member_ids: BTreeSet::new(),
        seq: 0,
    };
    for (window, param) in WINDOWS {
        job.window(&mut updater, window, param, since, progress)?;
    }
    job.members(&mut updater, progress)?;
    job.report.traffic = job.client.traffic;
    job.report.saved_in = job.saved_in.clone();
    let mut report = job.report;
    report.update = updater.finish()?;
    state.running = None;
    state.last = Some(run);
    state.save(&dir)?;
    Ok(report)
}

/// The newest date (asked or answered) in the index.
fn newest_date(updater: &Updater) -> Result<Option<Date>, IndexError> {
    let index = updater.index();
    let engine = crate::engine::Engine::new(index.clone())?;
    let mut request = crate::search::SearchRequest::new("*");
    request.sort = crate::search::Sort::Newest;
    request.limit = 1;
    let hits = match engine.search(&request) {
        Ok(results) => results.hits,
        Err(crate::search::SearchError::Index(e)) => return Err(e),
        Err(_) => Vec::new(),
    };
    Ok(hits
        .first()
        .map(|h| h.record.date_answered.unwrap_or(h.record.date_asked)))
}

/// One sync's work in progress.
struct Job<'a> {
    opts: &'a SyncOptions,
    client: Client,
    saved_in: PathBuf,
    report: SyncReport,
    /// API ids already fetched whole in this sync.
    fetched_whole: HashSet<u64>,
    /// Member ids the records name.
    member_ids: BTreeSet<u32>,
    seq: usize,
}

impl Job<'_> {
    /// Every page of one kind of change.
    fn window(
        &mut self,
        updater: &mut Updater,
        window: &str,
        param: &str,
        since: Date,
        progress: &dyn SyncProgress,
    ) -> Result<(), SyncError> {
        let mut skip = 0;
        let mut total = None;
        loop {
            let mut url = format!(
                "{}/writtenquestions/questions?{param}={since}&take={TAKE}&skip={skip}\
                 &expandMember=true&includeWithdrawn=true",
                self.opts.api_url.trim_end_matches('/')
            );
            if let Some(house) = self.opts.house {
                url.push_str(&format!("&house={}", house.as_str()));
            }
            let page = match self.client.get_json(&url)? {
                Fetched::Json(page) => page,
                Fetched::NotFound => {
                    return Err(SyncError::Unexpected {
                        url,
                        reason: "404 from the list endpoint".into(),
                    })
                }
            };
            let n = page["totalResults"]
                .as_u64()
                .ok_or_else(|| SyncError::Unexpected {
                    url: url.clone(),
                    reason: "no totalResults".into(),
                })? as usize;
            if total.is_none() {
                progress.stage(&format!("questions {window} since {since}"), Some(n));
            }
            total = Some(n);
            let items = page["results"]
                .as_array()
                .ok_or_else(|| SyncError::Unexpected {
                    url: url.clone(),
                    reason: "no results".into(),
                })?
                .clone();
            self.report.list_pages += 1;
            let file = self.save(&format!("list-{window}-{skip:06}"), &page)?;
            for (i, item) in items.iter().enumerate() {
                progress.step();
                self.report.listed += 1;
                let value = &item["value"];
                let Some(q) = self.question(value, &format!("{}#{}", file.display(), i + 1)) else {
                    continue;
                };
                let id = value["id"].as_u64();
                // The list cuts long texts, and flattens every answer (its paragraphs,
                // lists and tables run together), so an answered question is read whole.
                let partial = q.answer.is_some() || q.answer_cut || q.question_cut;
                match id.filter(|id| partial && !self.fetched_whole.contains(id)) {
                    // The whole text, when the API has it; the list's copy otherwise.
                    Some(id) if self.whole(updater, id)? => {}
                    _ => self.put(updater, q)?,
                }
            }
            self.done(updater, &file);
            skip += TAKE;
            if items.is_empty() || skip >= n {
                return Ok(());
            }
        }
    }

    /// Fetches one question whole, with its members; false when the API does not have it.
    fn whole(&mut self, updater: &mut Updater, id: u64) -> Result<bool, SyncError> {
        self.fetched_whole.insert(id);
        let url = format!(
            "{}/writtenquestions/questions/{id}?expandMember=true",
            self.opts.api_url.trim_end_matches('/')
        );
        let Fetched::Json(doc) = self.client.get_json(&url)? else {
            self.report
                .rejected
                .push(format!("{url}: not found, so its text stays cut"));
            return Ok(false);
        };
        self.report.full_texts += 1;
        let file = self.save(&format!("question-{id}"), &doc)?;
        let Some(q) = self.question(&doc["value"], &file.display().to_string()) else {
            return Ok(false);
        };
        if q.answer_cut || q.question_cut {
            self.report.still_cut += 1;
        }
        self.put(updater, q)?;
        self.done(updater, &file);
        Ok(true)
    }

    /// Fetches the members that the table cannot name.
    fn members(
        &mut self,
        updater: &mut Updater,
        progress: &dyn SyncProgress,
    ) -> Result<(), SyncError> {
        let unknown: Vec<u32> = self
            .member_ids
            .iter()
            .copied()
            .filter(|id| !updater.knows_member(*id))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        progress.stage("members", Some(unknown.len()));
        for id in unknown {
            progress.step();
            let url = format!(
                "{}/Members/{id}",
                self.opts.members_api_url.trim_end_matches('/')
            );
            let Fetched::Json(doc) = self.client.get_json(&url)? else {
                self.report.members_unknown.push(id);
                continue;
            };
            self.report.members_fetched += 1;
            let file = self.save(&format!("member-{id}"), &doc)?;
            match parse::parse_bytes(doc.to_string().as_bytes(), &file.display().to_string()) {
                Ok(parsed) => {
                    for member in parsed.members {
                        updater.put_member(member)?;
                    }
                    for bad in parsed.rejected {
                        self.report.rejected.push(format!("{url}: {bad}"));
                    }
                }
                Err(e) => self.report.rejected.push(format!("{url}: {e}")),
            }
            self.done(updater, &file);
        }
        Ok(())
    }

    /// One item of a response as a record; an item that cannot be read is reported.
    fn question(&mut self, value: &Value, source: &str) -> Option<Question> {
        let single = serde_json::json!({ "value": value }).to_string();
        match parse::parse_bytes(single.as_bytes(), source) {
            Ok(mut parsed) if !parsed.questions.is_empty() => {
                let mut q = parsed.questions.remove(0);
                q.source = source.to_string();
                Some(q)
            }
            Ok(parsed) => {
                let reasons: Vec<String> =
                    parsed.rejected.iter().map(|r| r.reason.clone()).collect();
                self.report
                    .rejected
                    .push(format!("{source}: {}", reasons.join("; ")));
                None
            }
            Err(e) => {
                self.report.rejected.push(format!("{source}: {e}"));
                None
            }
        }
    }

    fn put(&mut self, updater: &mut Updater, q: Question) -> Result<(), SyncError> {
        self.member_ids.extend(
            [q.asked_by_id, q.answered_by_id, q.corrected_by_id]
                .into_iter()
                .flatten(),
        );
        updater.put(q)?;
        Ok(())
    }

    /// Keeps a response as a file `ingest` reads; returns its path.
    fn save(&mut self, name: &str, doc: &Value) -> Result<PathBuf, SyncError> {
        self.seq += 1;
        let path = self.saved_in.join(format!("{:06}-{name}.json", self.seq));
        let tmp = path.with_extension("json.tmp");
        let error = |error| SyncError::Save {
            path: path.clone(),
            error,
        };
        std::fs::write(&tmp, doc.to_string()).map_err(error)?;
        std::fs::rename(&tmp, &path).map_err(error)?;
        Ok(path)
    }

    /// Lists a kept response in the manifest once the records it gave are committed.
    fn done(&self, updater: &mut Updater, file: &Path) {
        if let Ok(stamp) = FileStamp::of(file) {
            updater.file_done(file.to_path_buf(), stamp);
        }
    }
}
