//! `pqsearch serve`: a local web page over the same [`Engine`] as the CLI, for analysts
//! who live in a browser.
//!
//! Pages are rendered on the server from templates compiled into the binary (askama, which
//! HTML-escapes every value unless told otherwise), so the site works without JavaScript
//! and a record's text can never become markup. Handlers are thin: they parse the query
//! string ([`params`], the CLI's flags under the same names and through the CLI's own
//! conversion), run library calls on a blocking thread, and fill a template.
//!
//! - `/` results: hits with highlighted snippets, the total, paging, facets, the trend
//! - `/question/<id>` (or a UIN) one whole record, as `show` prints it
//! - `/export.csv`, `/export.jsonl` every match, streamed through [`pqsearch::export`]
//! - `/api/search` the bytes of `search --format json`; `/api/facets` and `/api/trend`
//!   those of `facets` and `trend --format json`; `/trend.svg` the chart of `trend --svg`
//! - `/about` what the index covers, the licence, the query syntax
//!
//! Every request's reads see one commit: a reader reload (when an ingest or a sync commits,
//! or a rebuild swaps the index in) waits for the requests in flight, and requests after it
//! see the new commit. The server itself ([`server`]) bounds connections, header size,
//! header wait and request time, catches any panic as a 500, and sets a strict
//! Content-Security-Policy on every response.

mod api;
mod download;
mod html;
mod pages;
pub mod params;
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::routing::get;
use axum::Router;
use pqsearch::engine::Engine;
use tokio::sync::Semaphore;

use crate::cmd::term::say;

/// Limits and intervals of one server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The longest a page may take to compute before the request gets an answer saying so.
    pub request_timeout: Duration,
    /// How long an export may wait on a client that stops reading.
    pub stall_timeout: Duration,
    /// Exports streaming at once; more are asked to wait.
    pub max_exports: usize,
    /// How often the index is checked for a new commit.
    pub reload_every: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            request_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(60),
            max_exports: 4,
            reload_every: Duration::from_secs(1),
        }
    }
}

/// What every handler shares: the engine and the locks around it.
pub struct App {
    engine: Engine,
    /// Held shared by each request for all its reads, and alone by a reload, so that one
    /// page never mixes two commits (its total from one and its facets from the next).
    commit: RwLock<()>,
    exports: Arc<Semaphore>,
    options: Options,
}

/// Why a request got no answer from the engine.
#[derive(Debug)]
pub enum Failure {
    /// The work took longer than the request timeout.
    Timeout(Duration),
    /// A bug: the work panicked (reported, never hidden).
    Panic(String),
}

impl App {
    pub fn new(engine: Engine, options: Options) -> Arc<App> {
        Arc::new(App {
            engine,
            commit: RwLock::new(()),
            exports: Arc::new(Semaphore::new(options.max_exports)),
            options,
        })
    }

    /// Runs `work` over the engine on a blocking thread (searches are CPU work, and must
    /// not stall the threads that serve connections), with every read in it seeing one
    /// commit, within the request timeout, and with a panic caught and reported.
    pub async fn read<T: Send + 'static>(
        self: &Arc<App>,
        work: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> Result<T, Failure> {
        let app = Arc::clone(self);
        let task = tokio::task::spawn_blocking(move || {
            let _commit = app.commit.read().unwrap_or_else(|e| e.into_inner());
            work(&app.engine)
        });
        match tokio::time::timeout(self.options.request_timeout, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(join)) => {
                let what = if join.is_panic() {
                    pqsearch::check::panic_message(join.into_panic().as_ref())
                } else {
                    "the task was cancelled".to_string()
                };
                say!("pqsearch: serve: internal error: {what}");
                Err(Failure::Panic(what))
            }
            Err(_) => Err(Failure::Timeout(self.options.request_timeout)),
        }
    }

    /// Sees the index's latest commit, waiting for the requests in flight.
    fn reload(&self) -> Result<u64, pqsearch::index::IndexError> {
        let _alone = self.commit.write().unwrap_or_else(|e| e.into_inner());
        self.engine.reload()?;
        Ok(self.engine.searcher().num_docs())
    }
}

/// Every route.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::results))
        .route("/question/{*id}", get(pages::question))
        .route("/about", get(pages::about))
        .route("/export.csv", get(download::csv))
        .route("/export.jsonl", get(download::jsonl))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/trend", get(api::trend))
        .route("/trend.svg", get(api::trend_svg))
        .route("/style.css", get(pages::style))
        .fallback(pages::not_found)
        .with_state(app)
}

/// Watches the index in `dir` for new commits (its `meta.json` changes with each one, and
/// is replaced whole when a rebuild swaps a new index in) and reloads the engine's reader,
/// for as long as the process runs.
pub fn watch(app: Arc<App>, dir: PathBuf) {
    let every = app.options.reload_every;
    std::thread::Builder::new()
        .name("pqsearch-reload".into())
        .spawn(move || {
            let mut last = stamp(&dir);
            loop {
                std::thread::sleep(every);
                let now = stamp(&dir);
                if now == last {
                    continue;
                }
                last = now;
                let reloaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.reload()));
                match reloaded.unwrap_or_else(|panic| {
                    Err(pqsearch::index::IndexError::Damaged {
                        dir: dir.display().to_string(),
                        what: pqsearch::check::panic_message(panic.as_ref()),
                    })
                }) {
                    Ok(n) => say!("pqsearch: serve: the index has a new commit; now serving {n} record(s)"),
                    Err(e) => say!(
                        "pqsearch: serve: cannot load the index's new commit ({}); still serving the last one",
                        pages::chain(&e)
                    ),
                }
            }
        })
        .expect("spawn the reload thread");
}

/// What tells one commit from the next: `meta.json`'s inode, size and time.
fn stamp(dir: &Path) -> Option<(u64, u64, SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(dir.join("meta.json")).ok()?;
    Some((meta.ino(), meta.len(), meta.modified().ok()?))
}
