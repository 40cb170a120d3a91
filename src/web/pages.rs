//! The HTML pages: results, one record, about, and the error pages.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pqsearch::engine::Engine;
use pqsearch::facets::{CountError, Facet, FacetRequest, FacetResults};
use pqsearch::record::Question;
use pqsearch::search::{SearchError, SearchRequest, SearchResults, StatusFilter, Suggestion};

use super::html::{self, Note, Run};
use super::params::{self, ParamError, Params, Route, DEFAULT_PAGE_SIZE};
use super::{App, Failure};
use crate::cli::{DateArg, HouseArg, SortArg, StatusArg, StemArg};

/// What every page shows around its content.
pub struct Chrome {
    /// The index in one line: how many records.
    pub index: String,
}

impl Chrome {
    fn of(engine: &Engine) -> Chrome {
        let n = engine.searcher().num_docs() as usize;
        Chrome {
            index: format!(
                "{} question{} in the index",
                html::thousands(n),
                if n == 1 { "" } else { "s" }
            ),
        }
    }
}

/// Renders a template with a status.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(e) => super::server::plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("internal error in pqsearch: a page could not be drawn ({e})"),
        ),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    title: String,
    message: String,
}

/// An error page. The index line is left out: the engine may be what failed.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    render(
        status,
        &ErrorPage {
            chrome: Chrome {
                index: String::new(),
            },
            title: title.to_string(),
            message: message.to_string(),
        },
    )
}

/// The answer to a request the engine could not serve.
pub fn failure_page(failure: Failure) -> Response {
    match failure {
        Failure::Timeout(after) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too slow",
            &format!(
                "The search took longer than {} s and was given up. Narrow it (fewer wildcards, \
                 a shorter period), or run it with pqsearch search.",
                after.as_secs()
            ),
        ),
        Failure::Panic(what) => error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            &format!("pqsearch failed while answering ({what}). This is a bug; please report it."),
        ),
    }
}

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such page. Searches are at /, records at /question/<id>.",
    )
}

/// The stylesheet, compiled in.
pub async fn style() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=300"),
            ),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Results

/// A query the engine refused, with where in it the problem is.
pub struct ErrorView {
    pub message: String,
    pub query: String,
    /// Spaces up to the column, then `^`.
    pub pointer: Option<String>,
}

/// A `^` under the character at `column` (1-based) of `query` as the page shows it: after
/// the characters before it are escaped as shown, with a tab kept as a tab.
fn pointer(query: &str, column: usize) -> String {
    let before: String = query.chars().take(column.saturating_sub(1)).collect();
    let mut out: String = html::text(&before, false)
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    out.push('^');
    out
}

impl ErrorView {
    fn new(params: &Params, error: &SearchError) -> ErrorView {
        match error {
            SearchError::Query(e) => ErrorView {
                message: format!(
                    "The query cannot be searched: column {}: {}",
                    e.column, e.message
                ),
                query: html::text(params.query(), false),
                pointer: Some(pointer(params.query(), e.column)),
            },
            other => ErrorView {
                message: chain(other),
                query: String::new(),
                pointer: None,
            },
        }
    }

    fn param(error: ParamError) -> ErrorView {
        ErrorView {
            message: error.0,
            query: String::new(),
            pointer: None,
        }
    }
}

/// An error and its causes on one line, escaped and bounded as the CLI prints them.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    crate::cmd::term::message(&pqsearch::error_chain(error))
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Choice>,
}

/// A drop-down of a CLI choice, with "any" (empty) first when the flag is optional.
fn select<T: clap::ValueEnum>(
    name: &'static str,
    label: &'static str,
    any: Option<&str>,
    current: &Option<String>,
) -> Select {
    let mut options = Vec::new();
    if let Some(any) = any {
        options.push(Choice {
            value: String::new(),
            label: any.to_string(),
            selected: current.is_none(),
        });
    }
    for v in T::value_variants() {
        if let Some(p) = v.to_possible_value() {
            let value = p.get_name().to_string();
            options.push(Choice {
                selected: current.as_deref() == Some(value.as_str()),
                label: value.clone(),
                value,
            });
        }
    }
    if any.is_none() && !options.iter().any(|o| o.selected) {
        options[0].selected = true;
    }
    Select {
        name,
        label,
        options,
    }
}

/// An active filter, with the link that removes it.
pub struct Chip {
    pub label: String,
    pub remove: String,
}

fn chips(params: &Params) -> Vec<Chip> {
    let base = params.first_page();
    let mut out = Vec::new();
    let mut chip = |label: String, without: Params| {
        out.push(Chip {
            label,
            remove: without.link("/"),
        })
    };
    for (i, d) in params.department.iter().enumerate() {
        let mut p = base.clone();
        p.department.remove(i);
        // Renames are followed from a department: with none left, there is nothing to follow.
        p.follow_renames &= !p.department.is_empty();
        chip(format!("department: {d}"), p);
    }
    macro_rules! optional {
        ($($field:ident: $label:expr),*) => {$(
            if let Some(v) = &params.$field {
                let mut p = base.clone();
                p.$field = None;
                chip(format!("{}: {v}", $label), p);
            }
        )*};
    }
    optional!(
        house: "house",
        asked_by: "asked by",
        answered_by: "answered by",
        asked_by_id: "asked by member",
        answered_by_id: "answered by member",
        party: "party",
        from: "from",
        to: "to",
        status: "status",
        stem: "stemming"
    );
    if params.follow_renames {
        let mut p = base.clone();
        p.follow_renames = false;
        chip("with the departments' earlier names".to_string(), p);
    }
    if params.date.as_deref().is_some_and(|d| d != "asked")
        && (params.from.is_some() || params.to.is_some())
    {
        let mut p = base.clone();
        p.date = None;
        chip(
            format!("dates: {}", params.date.as_deref().unwrap_or("")),
            p,
        );
    }
    out
}

pub struct HitView {
    pub link: String,
    pub heading: Option<String>,
    pub facts: String,
    pub snippet: Vec<Run>,
    pub notes: Vec<Note>,
}

impl HitView {
    fn new(hit: &pqsearch::search::Hit) -> HitView {
        let q = &hit.record;
        HitView {
            link: html::question_link(&q.id),
            heading: q.heading.as_deref().map(|h| html::text(h, false)),
            facts: html::text(&crate::cmd::search::facts(q), false),
            snippet: html::snippet_runs(&hit.snippet),
            notes: html::notes(q),
        }
    }
}

pub struct FacetValue {
    pub label: String,
    pub count: String,
    /// Adds the filter, or removes it when selected; none when no filter can name the value
    /// (two members who share a name).
    pub link: Option<String>,
    pub selected: bool,
}

pub struct FacetView {
    pub name: &'static str,
    pub title: &'static str,
    pub values: Vec<FacetValue>,
    pub note: Option<String>,
}

pub struct TrendView {
    pub src: String,
    pub api: String,
    pub alt: String,
}

/// Another form of the query, with the link that searches it.
pub struct Suggested {
    pub message: String,
    pub link: String,
}

pub struct PageLink {
    pub label: String,
    pub link: Option<String>,
    pub current: bool,
}

pub struct ResultsView {
    pub total: usize,
    pub total_text: String,
    pub noun: &'static str,
    pub showing: Option<String>,
    pub first: usize,
    pub hits: Vec<HitView>,
    pub notes: Vec<String>,
    pub suggestions: Vec<Suggested>,
    pub facets: Vec<FacetView>,
    pub trend: Option<TrendView>,
    pub csv: String,
    pub csv_excel: String,
    pub jsonl: String,
    pub json: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    chrome: Chrome,
    q: String,
    max_query: usize,
    from: String,
    to: String,
    hidden: Vec<(&'static str, String)>,
    selects: Vec<Select>,
    chips: Vec<Chip>,
    clear: String,
    error: Option<ErrorView>,
    results: Option<ResultsView>,
}

impl ResultsPage {
    fn new(chrome: Chrome, params: &Params) -> ResultsPage {
        let mut hidden: Vec<(&'static str, String)> = params
            .department
            .iter()
            .map(|d| ("department", d.clone()))
            .collect();
        for (name, value) in [
            ("asked_by", params.asked_by.clone()),
            ("answered_by", params.answered_by.clone()),
            ("asked_by_id", params.asked_by_id.map(|n| n.to_string())),
            (
                "answered_by_id",
                params.answered_by_id.map(|n| n.to_string()),
            ),
            ("party", params.party.clone()),
            (
                "follow_renames",
                params.follow_renames.then(|| "1".to_string()),
            ),
            ("n", params.n.map(|n| n.to_string())),
        ] {
            if let Some(v) = value {
                hidden.push((name, v));
            }
        }
        let clear = Params {
            q: params.q.clone(),
            sort: params.sort.clone(),
            n: params.n,
            ..Params::default()
        };
        ResultsPage {
            chrome,
            q: params.q.clone(),
            max_query: params::MAX_QUERY_CHARS,
            from: params.from.clone().unwrap_or_default(),
            to: params.to.clone().unwrap_or_default(),
            hidden,
            selects: vec![
                select::<DateArg>("date", "dates", None, &params.date),
                select::<StatusArg>("status", "status", Some("any"), &params.status),
                select::<HouseArg>("house", "House", Some("both"), &params.house),
                select::<SortArg>("sort", "order", None, &params.sort),
                select::<StemArg>("stem", "stemming", None, &params.stem),
            ],
            chips: chips(params),
            clear: clear.link("/"),
            error: None,
            results: None,
        }
    }
}

/// What one results page read from the engine, all from one commit.
struct Found {
    chrome: Chrome,
    results: SearchResults,
    /// The facets of every match (none when nothing matched).
    facets: Option<FacetResults>,
    /// Other forms of the query that find more, as `search` suggests at a terminal.
    suggestions: Vec<Suggestion>,
    /// Which other names following renames took in.
    renames: Vec<String>,
    /// Per `department` parameter, every name it takes in (its lineage's too, when renames
    /// are followed), for the facet links that remove one department.
    departments: Vec<Vec<String>>,
    /// The date overdue is judged by, when the filter asks for overdue questions.
    as_of: Option<pqsearch::date::Date>,
}

pub async fn results(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(p) => p,
        Err(e) => return refused(&app, &Params::default(), ErrorView::param(e)).await,
    };
    if let Err(e) = params.check(Route::Page) {
        return refused(&app, &params, ErrorView::param(e)).await;
    }
    let request = match params.request(DEFAULT_PAGE_SIZE) {
        Ok(r) => r,
        Err(e) => return refused(&app, &params, ErrorView::param(e)).await,
    };
    let work = {
        let request = request.clone();
        move |engine: &Engine| -> Result<Found, CountError> {
            let results = engine.search(&request)?;
            let as_of = if request.filters.status == Some(StatusFilter::Overdue) {
                engine.newest_date()?
            } else {
                None
            };
            let suggestions = engine.suggest(&request, &results)?;
            let renames = crate::cmd::rename_notes(engine, &request.filters)
                .map_err(|e| CountError::Search(SearchError::Index(e)))?;
            let departments = department_names(engine, &request.filters)
                .map_err(|e| CountError::Search(SearchError::Index(e)))?;
            let facets = if results.total > 0 {
                let counts = FacetRequest {
                    search: request.clone(),
                    by: PAGE_FACETS.to_vec(),
                    top: None,
                    merge_renames: false,
                };
                Some(engine.facets(&counts)?)
            } else {
                None
            };
            Ok(Found {
                chrome: Chrome::of(engine),
                results,
                facets,
                suggestions,
                renames,
                departments,
                as_of,
            })
        }
    };
    match app.read(work).await {
        Ok(Ok(found)) => {
            let mut page = ResultsPage::new(found.chrome, &params);
            let mut view = results_view(&params, &request, &found.results, found.as_of);
            view.notes.extend(found.results.hints.iter().cloned());
            view.notes.extend(
                found
                    .renames
                    .iter()
                    .map(|n| format!("Following renames: {n}")),
            );
            view.suggestions = found
                .suggestions
                .iter()
                .map(|s| Suggested {
                    message: s.message.clone(),
                    link: Params {
                        q: s.query.clone(),
                        ..params.first_page()
                    }
                    .link("/"),
                })
                .collect();
            if let Some(facets) = &found.facets {
                view.facets = facet_views(&params, facets, &found.departments);
                view.trend = Some(trend_view(&params));
            }
            page.results = Some(view);
            render(StatusCode::OK, &page)
        }
        Ok(Err(CountError::Search(SearchError::Index(e)))) => error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The index cannot be read",
            &chain(&e),
        ),
        Ok(Err(CountError::Search(e))) => refused(&app, &params, ErrorView::new(&params, &e)).await,
        Ok(Err(e)) => error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The counts cannot be made",
            &chain(&e),
        ),
        Err(f) => failure_page(f),
    }
}

/// The search form with what is wrong: a 400, since the request is what must change.
async fn refused(app: &Arc<App>, params: &Params, error: ErrorView) -> Response {
    let chrome = app.read(Chrome::of).await.unwrap_or(Chrome {
        index: String::new(),
    });
    let mut page = ResultsPage::new(chrome, params);
    page.error = Some(error);
    render(StatusCode::BAD_REQUEST, &page)
}

fn results_view(
    params: &Params,
    request: &SearchRequest,
    results: &SearchResults,
    as_of: Option<pqsearch::date::Date>,
) -> ResultsView {
    let total = results.total;
    let shown = results.hits.len();
    let size = request.limit;
    let showing = if shown > 0 {
        Some(format!(
            "showing {}–{}",
            html::thousands(request.offset + 1),
            html::thousands(request.offset + shown)
        ))
    } else if total > 0 {
        Some(format!(
            "none from {} on: the page is past the last match",
            html::thousands(request.offset + 1)
        ))
    } else {
        None
    };
    let mut notes = Vec::new();
    if let Some(date) = as_of {
        notes.push(format!(
            "overdue: unanswered and due before {date}, the newest date in the index"
        ));
    }
    // Pages: the ones near this one, within the deepest page the server shows.
    let current = params.page.unwrap_or(1);
    let last_reachable = params::MAX_OFFSET / size + 1;
    let last = total.div_ceil(size).clamp(1, last_reachable);
    let at = |page: usize| {
        let mut p = params.clone();
        p.page = Some(page);
        p.link("/")
    };
    let mut pages = Vec::new();
    if last > 1 {
        let window = current.saturating_sub(3).max(1)..=(current + 3).min(last);
        if *window.start() > 1 {
            pages.push(PageLink {
                label: "1".into(),
                link: Some(at(1)),
                current: false,
            });
            if *window.start() > 2 {
                pages.push(PageLink {
                    label: "…".into(),
                    link: None,
                    current: false,
                });
            }
        }
        for page in window.clone() {
            pages.push(PageLink {
                label: page.to_string(),
                link: (page != current).then(|| at(page)),
                current: page == current,
            });
        }
        if *window.end() < last {
            pages.push(PageLink {
                label: "…".into(),
                link: None,
                current: false,
            });
        }
    }
    if total.div_ceil(size) > last_reachable {
        notes.push(format!(
            "Pages go as far as match {}; the downloads hold every match.",
            html::thousands(params::MAX_OFFSET + size)
        ));
    }
    let export = params.search_only();
    let excel = Params {
        bom: true,
        excel_safe: true,
        ..export.clone()
    };
    let api = Params {
        n: Some(size),
        ..params.clone()
    };
    ResultsView {
        total,
        total_text: html::thousands(total),
        noun: if total == 1 { "match" } else { "matches" },
        showing,
        first: request.offset + 1,
        hits: results.hits.iter().map(HitView::new).collect(),
        notes,
        suggestions: Vec::new(),
        facets: Vec::new(),
        trend: None,
        csv: export.link("/export.csv"),
        csv_excel: excel.link("/export.csv"),
        jsonl: export.link("/export.jsonl"),
        json: api.link("/api/search"),
        prev: (current > 1 && current <= last + 1).then(|| at(current - 1)),
        next: (current < last).then(|| at(current + 1)),
        pages,
    }
}

/// The facets beside the hits, in this order.
const PAGE_FACETS: [Facet; 5] = [
    Facet::Department,
    Facet::Year,
    Facet::AskedBy,
    Facet::Party,
    Facet::Status,
];

/// The most values a facet lists (years are all listed, newest first).
pub const FACET_VALUES: usize = 10;

/// Each facet's values as links that add their filter, or remove it when it is set.
fn facet_views(
    params: &Params,
    results: &FacetResults,
    departments: &[Vec<String>],
) -> Vec<FacetView> {
    let base = params.first_page();
    results
        .facets
        .iter()
        .map(|table| {
            let mut values: Vec<&pqsearch::facets::FacetValue> = table.values.iter().collect();
            if table.field == Facet::Year {
                values.sort_by(|a, b| b.value.cmp(&a.value));
            } else {
                values.truncate(FACET_VALUES);
            }
            let shown: u64 = values.iter().map(|v| v.count).sum();
            let views = values
                .iter()
                .map(|v| {
                    let (selected, link) = toggle(&base, table.field, v, departments);
                    FacetValue {
                        label: v.value.clone(),
                        count: html::thousands(v.count as usize),
                        link: link.map(|p| p.link("/")),
                        selected,
                    }
                })
                .collect();
            let mut notes = Vec::new();
            let rest = values.len() < table.values.len();
            if rest {
                notes.push(format!(
                    "and {} more, with {} matches",
                    html::thousands(table.values.len() - values.len()),
                    html::thousands((results.total - shown - table.missing) as usize)
                ));
            }
            if table.missing > 0 {
                let without = match table.field {
                    Facet::AskedBy | Facet::AnsweredBy => "no member named",
                    Facet::Party => "no party (the asker is not named)",
                    Facet::Year => "no such date",
                    _ => "no value",
                };
                notes.push(format!(
                    "{} with {without}",
                    html::thousands(table.missing as usize)
                ));
            }
            let (name, title) = match table.field {
                Facet::Department => ("department", "Department"),
                Facet::Year => ("year", "Year"),
                Facet::AskedBy => ("asked_by", "Asked by"),
                Facet::AnsweredBy => ("answered_by", "Answered by"),
                Facet::Party => ("party", "Party of the asker"),
                Facet::House => ("house", "House"),
                Facet::Status => ("status", "Status"),
                Facet::Month => ("month", "Month"),
            };
            FacetView {
                name,
                title,
                values: views,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
            }
        })
        .collect()
}

/// Per department filter, the names it takes in (none for one the index does not know: the
/// search refuses it before any facet is shown).
fn department_names(
    engine: &Engine,
    filters: &pqsearch::search::Filters,
) -> Result<Vec<Vec<String>>, pqsearch::index::IndexError> {
    if filters.departments.is_empty() {
        return Ok(Vec::new());
    }
    let known = engine.departments()?;
    Ok(filters
        .departments
        .iter()
        .map(
            |wanted| match pqsearch::search::resolve_department(wanted, &known) {
                Ok(name) if filters.follow_renames => {
                    let mut names = pqsearch::departments::lineage(&name).names;
                    names.push(name);
                    names
                }
                Ok(name) => vec![name],
                Err(_) => Vec::new(),
            },
        )
        .collect())
}

/// Whether a facet value's filter is set, and the parameters that set or remove it (or
/// narrow to it). `departments`: the names each department parameter takes in.
fn toggle(
    base: &Params,
    facet: Facet,
    value: &pqsearch::facets::FacetValue,
    departments: &[Vec<String>],
) -> (bool, Option<Params>) {
    let mut p = base.clone();
    let v = value.value.clone();
    let selected = match facet {
        // Every department shown is one a filter took in: the link removes that filter (or
        // those, when two name the same department) and keeps the others.
        Facet::Department if !base.department.is_empty() => {
            let keep: Vec<String> = base
                .department
                .iter()
                .zip(departments)
                .filter(|(_, names)| !names.contains(&v))
                .map(|(d, _)| d.clone())
                .collect();
            p.department = if keep.len() < base.department.len() {
                keep
            } else {
                Vec::new()
            };
            p.follow_renames &= !p.department.is_empty();
            true
        }
        Facet::Department => {
            p.department.push(v);
            false
        }
        // A year narrows the dates already asked for to the part of them in that year.
        Facet::Year => {
            let on =
                base.from.as_deref() == Some(v.as_str()) && base.to.as_deref() == Some(v.as_str());
            if on {
                (p.from, p.to) = (None, None);
            } else {
                let Ok(year) = pqsearch::date::Span::parse(&v) else {
                    return (false, None);
                };
                let bound = |text: &Option<String>| {
                    text.as_deref()
                        .and_then(|t| pqsearch::date::Span::parse(t).ok())
                };
                let first = bound(&base.from).map_or(year.first, |s| s.first.max(year.first));
                let last = bound(&base.to).map_or(year.last, |s| s.last.min(year.last));
                (p.from, p.to) = if (first, last) == (year.first, year.last) {
                    (Some(v.clone()), Some(v))
                } else {
                    (Some(first.to_string()), Some(last.to_string()))
                };
            }
            on
        }
        Facet::AskedBy => match value.member_ids.as_slice() {
            [id] => {
                let id = *id as u32;
                let on = base.asked_by_id == Some(id);
                p.asked_by_id = (!on).then_some(id);
                on
            }
            [] => {
                let on = base.asked_by.as_deref() == Some(v.as_str());
                p.asked_by = (!on).then_some(v);
                on
            }
            _ => return (false, None),
        },
        Facet::Party => {
            let on = base
                .party
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&v));
            p.party = (!on).then_some(v);
            on
        }
        // Overdue questions are unanswered ones: under overdue, "unanswered" is the filter.
        Facet::Status => {
            let on = base.status.as_deref() == Some(v.as_str())
                || (base.status.as_deref() == Some("overdue") && v == "unanswered");
            p.status = (!on).then_some(v);
            on
        }
        Facet::AnsweredBy | Facet::House | Facet::Month => return (false, None),
    };
    (selected, Some(p))
}

/// The chart of the current search, drawn by `/trend.svg`.
fn trend_view(params: &Params) -> TrendView {
    let search = params.search_only();
    TrendView {
        src: search.link("/trend.svg"),
        api: search.link("/api/trend"),
        alt: "Matches per period, with the index's own questions per period beside them"
            .to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// One record

pub struct Row {
    pub label: &'static str,
    pub value: String,
    pub class: &'static str,
}

pub struct Grouped {
    pub id: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    chrome: Chrome,
    id: String,
    heading: Option<String>,
    notes: Vec<Note>,
    rows: Vec<Row>,
    official: Option<String>,
    grouped: Vec<Grouped>,
    question: Vec<String>,
    answer: Option<Vec<String>>,
}

impl QuestionPage {
    fn new(chrome: Chrome, q: &Question) -> QuestionPage {
        QuestionPage {
            chrome,
            id: html::text(&q.id, false),
            heading: q.heading.as_deref().map(|h| html::text(h, false)),
            notes: html::notes(q),
            rows: pqsearch::fields::show_rows(q)
                .into_iter()
                .map(|(label, value)| Row {
                    label,
                    value: html::text(&value, false),
                    class: match label {
                        "id" | "uin" | "source" => "mono",
                        _ => "",
                    },
                })
                .collect(),
            official: html::official(q).map(str::to_string),
            grouped: q
                .grouped_with
                .iter()
                .map(|g| Grouped {
                    id: html::text(g, false),
                    link: html::question_link(g),
                })
                .collect(),
            question: html::paragraphs(&q.question),
            answer: q.answer.as_deref().map(html::paragraphs),
        }
    }
}

pub struct UinRow {
    pub id: String,
    pub link: String,
    pub department: String,
    pub heading: Option<String>,
}

#[derive(Template)]
#[template(path = "uin.html")]
struct UinPage {
    chrome: Chrome,
    uin: String,
    questions: Vec<UinRow>,
}

/// The most characters of an id or UIN looked up, as `show` allows.
pub const MAX_ID: usize = crate::cmd::show::MAX_ID;

/// What an id or a UIN names.
enum Named {
    One(Box<Question>),
    Several(Vec<Question>),
    Nothing,
}

pub async fn question(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let id = id.trim().to_string();
    if id.chars().count() > MAX_ID {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Not an id",
            &format!("ids are at most {MAX_ID} characters"),
        );
    }
    let wanted = id.clone();
    let found = app
        .read(
            move |engine| -> Result<(Chrome, Named), pqsearch::index::IndexError> {
                let named = match engine.get(&wanted)? {
                    Some(q) => Named::One(Box::new(q)),
                    // A UIN alone, as `show` takes it: UINs restart each session.
                    None if !wanted.contains('/') => {
                        let mut same = engine.by_uin(&wanted)?;
                        match same.len() {
                            0 => Named::Nothing,
                            1 => Named::One(Box::new(same.remove(0))),
                            _ => Named::Several(same),
                        }
                    }
                    None => Named::Nothing,
                };
                Ok((Chrome::of(engine), named))
            },
        )
        .await;
    match found {
        Ok(Ok((chrome, Named::One(q)))) => render(StatusCode::OK, &QuestionPage::new(chrome, &q)),
        Ok(Ok((chrome, Named::Several(qs)))) => render(
            StatusCode::OK,
            &UinPage {
                chrome,
                uin: html::text(&id, false),
                questions: qs
                    .iter()
                    .map(|q| UinRow {
                        id: q.id.clone(),
                        link: html::question_link(&q.id),
                        department: html::text(&q.department, false),
                        heading: q.heading.as_deref().map(|h| html::text(h, false)),
                    })
                    .collect(),
            },
        ),
        Ok(Ok((_, Named::Nothing))) => error_page(
            StatusCode::NOT_FOUND,
            "No such question",
            &format!(
                "No question has the id or UIN {} in this index.",
                crate::cmd::term::echo(&id)
            ),
        ),
        Ok(Err(e)) => error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The index cannot be read",
            &chain(&e),
        ),
        Err(f) => failure_page(f),
    }
}

// ---------------------------------------------------------------------------------------
// About

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    chrome: Chrome,
    coverage: Vec<(String, String)>,
    /// What `pqsearch info` prints: questions per month and House, members named, answers
    /// cut, the last ingest and sync.
    info: String,
    notes: Vec<String>,
    syntax: &'static str,
    max_page: usize,
    max_offset: String,
}

pub async fn about(State(app): State<Arc<App>>) -> Response {
    let found = app
        .read(|engine| -> Result<_, CountError> {
            let chrome = Chrome::of(engine);
            let mut rows = vec![
                ("index".to_string(), engine.index().name()),
                (
                    "questions".to_string(),
                    html::thousands(engine.searcher().num_docs() as usize),
                ),
            ];
            if let Some(info) = engine.commit_info()? {
                rows.push(("last ingest".to_string(), info.ingested_at));
            }
            if let Some(newest) = engine.newest_date()? {
                rows.push((
                    "newest date".to_string(),
                    format!("{newest} (overdue is judged as of this day)"),
                ));
            }
            rows.push((
                "departments".to_string(),
                html::thousands(engine.departments()?.len()),
            ));
            let mut info = Vec::new();
            crate::cmd::info::print_text(&mut info, &engine.index().name(), &engine.coverage()?)
                .expect("writing into memory");
            Ok((chrome, rows, String::from_utf8_lossy(&info).into_owned()))
        })
        .await;
    match found {
        Ok(Ok((chrome, coverage, info))) => render(
            StatusCode::OK,
            &AboutPage {
                chrome,
                coverage,
                info,
                notes: Vec::new(),
                syntax: crate::cli::QUERY_SYNTAX,
                max_page: params::MAX_PAGE_SIZE,
                max_offset: html::thousands(params::MAX_OFFSET),
            },
        ),
        Ok(Err(e)) => error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The index cannot be read",
            &chain(&e),
        ),
        Err(f) => failure_page(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pointer_stands_under_the_column_as_shown() {
        assert_eq!(pointer("a:(^", 3), "  ^");
        // An escaped character is as wide as its escape; a tab stays a tab.
        assert_eq!(pointer("\u{202e}\"", 2), format!("{}^", " ".repeat(8)));
        assert_eq!(pointer("x\t\"", 3), " \t^");
        assert_eq!(pointer("", 1), "^");
    }
}
