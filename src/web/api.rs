//! The JSON API: `/api/search` returns the document `pqsearch search --format json`
//! prints, byte for byte, for the same query and flags (`n` and `page` choose the slice,
//! as `-n` and `--offset` do). Errors are `{"error": "...", "column": N}` with a 400.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pqsearch::search::SearchError;

use super::download::search_message;
use super::params::{Params, Route};
use super::{App, Failure};

/// Hits in one answer unless `n` says: the CLI's default.
pub const DEFAULT_API_SIZE: usize = 10;

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// `{"error": message}` (with the column of a bad query).
pub fn error(status: StatusCode, message: &str, column: Option<usize>) -> Response {
    let mut doc = serde_json::json!({ "error": message });
    if let Some(c) = column {
        doc["column"] = c.into();
    }
    let mut body = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    body.push(b'\n');
    json(status, body)
}

fn failure(f: Failure) -> Response {
    match f {
        Failure::Timeout(after) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the search took longer than {} s", after.as_secs()),
            None,
        ),
        Failure::Panic(what) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("internal error: {what}"),
            None,
        ),
    }
}

pub async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()).and_then(|p| p.check(Route::Page).map(|_| p)) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.0, None),
    };
    let request = match params.request(DEFAULT_API_SIZE) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.0, None),
    };
    let found = app
        .read(move |engine| -> Result<Vec<u8>, SearchError> {
            let results = engine.search(&request)?;
            let suggestions = engine.suggest(&request, &results)?;
            let mut out = Vec::new();
            crate::cmd::search::print_json(&mut out, &request, &results, &suggestions)
                .expect("writing into memory");
            Ok(out)
        })
        .await;
    match found {
        Ok(Ok(body)) => json(StatusCode::OK, body),
        Ok(Err(e)) => {
            let (status, column) = match &e {
                SearchError::Query(q) => (StatusCode::BAD_REQUEST, Some(q.column)),
                // The request was fine; the index could not be read.
                SearchError::Index(_) => (StatusCode::INTERNAL_SERVER_ERROR, None),
                SearchError::Filter(_) => (StatusCode::BAD_REQUEST, None),
            };
            error(status, &search_message(&e), column)
        }
        Err(f) => failure(f),
    }
}
