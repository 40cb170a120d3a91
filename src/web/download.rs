//! `/export.csv` and `/export.jsonl`: every match, streamed through the library's export
//! (the code of `pqsearch export`), so a download and the command give the same bytes.
//!
//! The export runs on a blocking thread and writes into a small channel whose other end is
//! the response body: memory stays flat whatever the size, a client that goes away stops
//! the export at its next write, and one that stops reading for
//! [`Options::stall_timeout`](super::Options) is given up. The query is parsed and resolved
//! before the response starts, so a bad one gets a 400 page, not a broken file; an error
//! after that cuts the transfer off, so that a partial file never looks whole.

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use pqsearch::export::{Column, Export, ExportError, ExportFormat, ExportOptions, NoProgress};
use pqsearch::search::SearchError;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

use super::pages::{chain, error_page, failure_page};
use super::params::{Params, Route, DEFAULT_PAGE_SIZE};
use super::{App, Failure};
use crate::cmd::term::say;

pub async fn csv(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    export(app, raw, ExportFormat::Csv).await
}

pub async fn jsonl(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    export(app, raw, ExportFormat::JsonLines).await
}

fn bad(message: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, "Cannot export", message)
}

async fn export(app: Arc<App>, raw: Option<String>, format: ExportFormat) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return bad(&e.0),
    };
    if let Err(e) = params.check(Route::Export) {
        return bad(&e.0);
    }
    if format == ExportFormat::JsonLines && (params.excel_safe || params.bom) {
        return bad("bom and excel_safe are for CSV; JSON Lines keep every text exactly");
    }
    let columns = match &params.columns {
        Some(list) => match Column::parse_list(list) {
            Ok(c) => c,
            Err(e) => return bad(&format!("columns: {e}")),
        },
        None => Column::defaults(false),
    };
    let mut request = match params.request(DEFAULT_PAGE_SIZE) {
        Ok(r) => r,
        Err(e) => return bad(&e.0),
    };
    // As `pqsearch export` asks: the whole result set.
    request.limit = usize::MAX;
    request.offset = 0;
    let options = ExportOptions {
        format,
        columns,
        bom: params.bom,
        excel_safe: params.excel_safe,
    };
    let Ok(permit) = Arc::clone(&app.exports).try_acquire_owned() else {
        return error_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Busy",
            &format!(
                "{} downloads are already running; try again when one has finished.",
                app.options.max_exports
            ),
        );
    };

    let (ready, prepared) = oneshot::channel::<Result<(), ExportError>>();
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(8);
    let handle = Handle::current();
    let stall = app.options.stall_timeout;
    let worker = Arc::clone(&app);
    let failed = Arc::new(AtomicBool::new(false));
    let body_failed = Arc::clone(&failed);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let requests = [request];
        let export = match Export::prepare(&worker.engine, &requests) {
            Ok(export) => {
                let _ = ready.send(Ok(()));
                export
            }
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let mut out = Channel {
            tx: tx.clone(),
            handle,
            stall,
        };
        let written = export.write(&mut out, &options, &NoProgress);
        if let Err(e) = written {
            let gone = chain_has_io(&e);
            if !gone {
                say!("pqsearch: serve: an export stopped: {}", chain(&e));
            }
            // Cut the transfer off: the client sees a broken download, not a short file. Never
            // wait to say so: a client that stopped reading would hold the slot for good.
            failed.store(true, Ordering::SeqCst);
            let _ = tx.try_send(Err(io::Error::other("the export stopped")));
        }
    });

    match tokio::time::timeout(app.options.request_timeout, prepared).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(ExportError::BadRequest { error, .. }))) => return bad(&search_message(&error)),
        Ok(Ok(Err(e))) => return bad(&chain(&e)),
        Ok(Err(_)) => return failure_page(Failure::Panic("the export task ended".into())),
        Err(_) => return failure_page(Failure::Timeout(app.options.request_timeout)),
    }
    let (kind, name) = match format {
        ExportFormat::Csv => ("text/csv; charset=utf-8", "pqsearch-export.csv"),
        ExportFormat::JsonLines => (
            "application/x-ndjson; charset=utf-8",
            "pqsearch-export.jsonl",
        ),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .expect("a plain file name"),
            ),
        ],
        Body::new(Stream {
            rx,
            failed: body_failed,
        }),
    )
        .into_response()
}

/// A search error as a sentence, with the column of a bad query.
pub fn search_message(error: &SearchError) -> String {
    match error {
        SearchError::Query(e) => format!(
            "The query cannot be searched: column {}: {}",
            e.column, e.message
        ),
        other => chain(other),
    }
}

/// Whether the export stopped because its client went away (or stopped reading).
fn chain_has_io(error: &ExportError) -> bool {
    matches!(error, ExportError::Io(e) if matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::TimedOut))
}

/// The writing end: each buffer the export writes becomes one chunk of the body.
struct Channel {
    tx: mpsc::Sender<io::Result<Bytes>>,
    handle: Handle,
    stall: Duration,
}

impl Write for Channel {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let chunk = Bytes::copy_from_slice(buf);
        let sent = self
            .handle
            .block_on(tokio::time::timeout(self.stall, self.tx.send(Ok(chunk))));
        match sent {
            Ok(Ok(())) => Ok(buf.len()),
            Ok(Err(_)) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the client went away",
            )),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The reading end, as a response body.
struct Stream {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    /// Set when the export stopped early: the end of the channel is then an error, so that
    /// the transfer breaks rather than ending as if whole.
    failed: Arc<AtomicBool>,
}

impl http_body::Body for Stream {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.rx.poll_recv(cx) {
            Poll::Ready(None) if self.failed.load(Ordering::SeqCst) => {
                Poll::Ready(Some(Err(io::Error::other("the export stopped"))))
            }
            other => other.map(|chunk| chunk.map(|c| c.map(Frame::data))),
        }
    }
}
