//! The JSON API: `/api/search` returns the document `pqsearch search --format json`
//! prints, byte for byte, for the same query and flags (`n` and `page` choose the slice,
//! as `-n` and `--offset` do). Errors are `{"error": "...", "column": N}` with a 400.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pqsearch::engine::Engine;
use pqsearch::facets::CountError;
use pqsearch::search::SearchError;

use super::download::search_message;
use super::params::{ParamError, Params, Route};
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

/// Runs `work` over the engine and answers with the JSON it writes, or with `on_error`'s
/// answer to what went wrong.
async fn answer<E: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&Engine, &mut Vec<u8>) -> Result<(), E> + Send + 'static,
    on_error: fn(&E) -> Response,
) -> Response {
    let found = app
        .read(move |engine| {
            let mut out = Vec::new();
            work(engine, &mut out).map(|()| out)
        })
        .await;
    match found {
        Ok(Ok(body)) => json(StatusCode::OK, body),
        Ok(Err(e)) => on_error(&e),
        Err(f) => failure(f),
    }
}

/// Writing a document into memory cannot fail.
fn into_memory(written: std::io::Result<()>) {
    written.expect("writing into memory");
}

pub async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let request =
        match params(raw.as_deref(), Route::Page).and_then(|p| p.request(DEFAULT_API_SIZE)) {
            Ok(r) => r,
            Err(e) => return refused(e),
        };
    let work = move |engine: &Engine, out: &mut Vec<u8>| -> Result<(), SearchError> {
        let results = engine.search(&request)?;
        let suggestions = engine.suggest(&request, &results)?;
        into_memory(crate::cmd::search::print_json(
            out,
            &request,
            &results,
            &suggestions,
        ));
        Ok(())
    };
    answer(&app, work, search_error).await
}

/// The answer to a count the engine could not make.
fn count_error(e: &CountError) -> Response {
    match e {
        CountError::Search(e) => search_error(e),
        CountError::BadSplit(_) => error(StatusCode::BAD_REQUEST, &e.to_string(), None),
    }
}

fn search_error(e: &SearchError) -> Response {
    let (status, column) = match e {
        SearchError::Query(q) => (StatusCode::BAD_REQUEST, Some(q.column)),
        // The request was fine; the index could not be read.
        SearchError::Index(_) => (StatusCode::INTERNAL_SERVER_ERROR, None),
        SearchError::Filter(_) => (StatusCode::BAD_REQUEST, None),
    };
    error(status, &search_message(e), column)
}

/// Parses and checks the query string for `route`.
fn params(raw: Option<&str>, route: Route) -> Result<Params, ParamError> {
    Params::parse(raw).and_then(|p| p.check(route).map(|_| p))
}

fn refused(e: ParamError) -> Response {
    error(StatusCode::BAD_REQUEST, &e.0, None)
}

/// `/api/facets`: the document of `pqsearch facets --format json` (every facet unless `by`
/// names some).
pub async fn facets(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let request = match params(raw.as_deref(), Route::Facets).and_then(|p| p.facet_request()) {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    let work = move |engine: &Engine, out: &mut Vec<u8>| -> Result<(), CountError> {
        let results = engine.facets(&request)?;
        into_memory(crate::cmd::facets::print_json(out, &request, &results));
        Ok(())
    };
    answer(&app, work, count_error).await
}

/// `/api/trend`: the document of `pqsearch trend --format json`.
pub async fn trend(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let (request, top) =
        match params(raw.as_deref(), Route::Trend).and_then(|p| Ok((p.trend_request()?, p.top))) {
            Ok(r) => r,
            Err(e) => return refused(e),
        };
    let work = move |engine: &Engine, out: &mut Vec<u8>| -> Result<(), CountError> {
        let mut trend = engine.trend(&request)?;
        if let Some(n) = top {
            trend = trend.top_series(n);
        }
        into_memory(crate::cmd::trend::print_json(out, &request, &trend));
        Ok(())
    };
    answer(&app, work, count_error).await
}

/// The most periods the page's chart draws by month; a longer index is drawn by year.
pub const CHART_MONTHS: usize = 72;

/// `/trend.svg`: the chart `pqsearch trend --svg` draws, by month (by year when the index
/// spans more than [`CHART_MONTHS`] months and `by` does not say).
pub async fn trend_svg(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let (p, mut request) =
        match params(raw.as_deref(), Route::Trend).and_then(|p| Ok((p.trend_request()?, p))) {
            Ok((r, p)) => (p, r),
            Err(e) => return refused(e),
        };
    let top = p.top;
    let chosen = !p.by.is_empty();
    let found = app
        .read(
            move |engine| -> Result<Result<String, String>, CountError> {
                let mut trend = engine.trend(&request)?;
                if !chosen && trend.periods.len() > CHART_MONTHS {
                    request.bucket = pqsearch::date::Bucket::Year;
                    trend = engine.trend(&request)?;
                }
                let title = crate::cmd::trend::title(&request);
                if let Some(n) = top {
                    trend = trend.top_series(n);
                }
                Ok(pqsearch::chart::trend_svg(&trend, &title).map_err(|e| e.to_string()))
            },
        )
        .await;
    match found {
        Ok(Ok(Ok(svg))) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            )],
            svg,
        )
            .into_response(),
        Ok(Ok(Err(why))) => error(StatusCode::INTERNAL_SERVER_ERROR, &why, None),
        Ok(Err(e)) => count_error(&e),
        Err(f) => failure(f),
    }
}
