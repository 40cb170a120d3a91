//! The query string of every page, parsed strictly, and written back for links.
//!
//! Parameters carry the CLI's flags under the same names (`department` may repeat, as
//! `--department` may) and become library types through the CLI's own conversion
//! ([`crate::cmd::filters`]), so a date, a department or a status means on the page exactly
//! what it means to `pqsearch search`. Anything the page cannot honour is refused with a
//! message rather than ignored: an unknown parameter, a repeated one, a value out of range,
//! bytes that are not UTF-8.

use std::fmt::Write as _;

use clap::ValueEnum;
use pqsearch::date::Bucket;
use pqsearch::facets::{Facet, FacetRequest, TrendRequest};
use pqsearch::search::SearchRequest;

use crate::cli::{
    DateArg, FacetArg, FilterArgs, HouseArg, PeriodArg, SortArg, SplitArg, StatusArg, StemArg,
};

/// The most characters a query may have. A query is typed by a person; this bounds what a
/// stray paste or a hostile link can make the parser do.
pub const MAX_QUERY_CHARS: usize = 2_000;
/// The most characters of any other value (a department, a member's name, a date).
pub const MAX_VALUE_CHARS: usize = 200;
/// The most parameters in one query string.
pub const MAX_PARAMS: usize = 64;
/// The most hits on one page.
pub const MAX_PAGE_SIZE: usize = 100;
/// The deepest a page may start: beyond it the page would only cost memory and time, and
/// the export (every match) is the tool.
pub const MAX_OFFSET: usize = 10_000;
/// Hits per page unless `n` says.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The most values of a facet, or series of a trend, one answer lists.
pub const MAX_TOP: usize = 1_000;

/// A parameter the page cannot honour, with what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, ParamError> {
    Err(ParamError(message.into()))
}

/// Which kind of address the parameters came with: a page of hits, or a download of
/// every match. Each refuses the other's parameters rather than ignore them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Page,
    Export,
    /// `/api/facets`: counts per value of `by` (which may repeat), the largest `top`.
    Facets,
    /// `/api/trend` and `/trend.svg`: counts per month or year (`by`), maybe `split`.
    Trend,
}

/// A search as the page's query string holds it: the raw values the user gave (so that a
/// link or a form shows them back exactly), already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub q: String,
    pub department: Vec<String>,
    /// `--follow-renames`: the departments' earlier names too.
    pub follow_renames: bool,
    pub house: Option<String>,
    pub asked_by: Option<String>,
    pub answered_by: Option<String>,
    pub asked_by_id: Option<u32>,
    pub answered_by_id: Option<u32>,
    pub party: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub date: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    /// `--stem`: light (the default), full or none.
    pub stem: Option<String>,
    /// 1-based.
    pub page: Option<usize>,
    /// Hits per page.
    pub n: Option<usize>,
    /// Export only: the CLI's `--columns`, `--bom` and `--excel-safe`.
    pub columns: Option<String>,
    pub bom: bool,
    pub excel_safe: bool,
    /// Counts only: what to count by (`/api/facets` may repeat it), the largest `top`
    /// values or series, a trend's `split`, and `merge_renames`.
    pub by: Vec<String>,
    pub top: Option<usize>,
    pub split: Option<String>,
    pub merge_renames: bool,
}

/// Every parameter name, in the order links write them.
pub const NAMES: &[&str] = &[
    "q",
    "department",
    "follow_renames",
    "house",
    "asked_by",
    "answered_by",
    "asked_by_id",
    "answered_by_id",
    "party",
    "from",
    "to",
    "date",
    "status",
    "sort",
    "stem",
    "page",
    "n",
    "columns",
    "bom",
    "excel_safe",
    "by",
    "top",
    "split",
    "merge_renames",
];

impl Params {
    /// Parses a raw query string (`None`: there was none). An empty value counts as absent,
    /// since an HTML form sends every field, filled or not.
    pub fn parse(raw: Option<&str>) -> Result<Params, ParamError> {
        let mut p = Params::default();
        let mut seen: Vec<&str> = Vec::new();
        let pairs = match raw {
            Some(raw) if !raw.is_empty() => raw.split('&').filter(|s| !s.is_empty()).collect(),
            _ => Vec::new(),
        };
        if pairs.len() > MAX_PARAMS {
            return refuse(format!(
                "too many parameters ({}; at most {MAX_PARAMS})",
                pairs.len()
            ));
        }
        for pair in pairs {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key)?;
            let value = decode(value)?;
            let Some(&name) = NAMES.iter().find(|n| **n == key) else {
                return refuse(format!(
                    "unknown parameter {}; the page takes {}",
                    quoted(&key),
                    NAMES.join(", ")
                ));
            };
            if name != "department" && name != "by" {
                if seen.contains(&name) {
                    return refuse(format!(
                        "{name} is given twice; give it once (only department and by may repeat)"
                    ));
                }
                seen.push(name);
            }
            let limit = if name == "q" {
                MAX_QUERY_CHARS
            } else {
                MAX_VALUE_CHARS
            };
            let chars = value.chars().count();
            if chars > limit {
                return refuse(format!(
                    "{name} is {chars} characters long; the limit is {limit}"
                ));
            }
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let text = Some(value.to_string());
            match name {
                "q" => p.q = value.to_string(),
                "department" => p.department.push(value.to_string()),
                "house" => p.house = Some(choice::<HouseArg>(name, value)?),
                "asked_by" => p.asked_by = text,
                "answered_by" => p.answered_by = text,
                "asked_by_id" => {
                    p.asked_by_id = Some(number(name, value, u32::MAX as usize)? as u32)
                }
                "answered_by_id" => {
                    p.answered_by_id = Some(number(name, value, u32::MAX as usize)? as u32)
                }
                "party" => p.party = text,
                "from" => p.from = text,
                "to" => p.to = text,
                "date" => p.date = Some(choice::<DateArg>(name, value)?),
                "status" => p.status = Some(choice::<StatusArg>(name, value)?),
                "sort" => p.sort = Some(choice::<SortArg>(name, value)?),
                "stem" => p.stem = Some(choice::<StemArg>(name, value)?),
                "follow_renames" => p.follow_renames = flag(name, value)?,
                "page" => {
                    let page = number(name, value, MAX_OFFSET + 1)?;
                    if page == 0 {
                        return refuse("page counts from 1");
                    }
                    p.page = Some(page);
                }
                "n" => {
                    let n = number(name, value, MAX_PAGE_SIZE)?;
                    if n == 0 {
                        return refuse(format!("n must be from 1 to {MAX_PAGE_SIZE}"));
                    }
                    p.n = Some(n);
                }
                "columns" => p.columns = text,
                "bom" => p.bom = flag(name, value)?,
                "excel_safe" => p.excel_safe = flag(name, value)?,
                // Checked by the route, since facets and trends count by different things.
                "by" => p.by.push(value.to_ascii_lowercase()),
                "top" => {
                    let n = number(name, value, MAX_TOP)?;
                    if n == 0 {
                        return refuse(format!("top must be from 1 to {MAX_TOP}"));
                    }
                    p.top = Some(n);
                }
                "split" => p.split = Some(choice::<SplitArg>(name, value)?),
                "merge_renames" => p.merge_renames = flag(name, value)?,
                _ => unreachable!("every name in NAMES is handled"),
            }
        }
        Ok(p)
    }

    /// Refuses parameters that mean nothing on `route`.
    pub fn check(&self, route: Route) -> Result<(), ParamError> {
        let download = self.columns.is_some() || self.bom || self.excel_safe;
        let slice = self.page.is_some() || self.n.is_some();
        let counts = !self.by.is_empty() || self.top.is_some() || self.merge_renames;
        match route {
            Route::Page | Route::Facets | Route::Trend if download => refuse(
                "columns, bom and excel_safe are for the downloads (/export.csv, /export.jsonl)",
            ),
            Route::Export | Route::Facets | Route::Trend if slice => refuse(
                "page and n choose a page of hits; counts and downloads cover every match, so \
                 leave them out",
            ),
            Route::Page | Route::Export if counts || self.split.is_some() => refuse(
                "by, top, split and merge_renames are for the counts (/api/facets, /api/trend, \
                 /trend.svg)",
            ),
            Route::Facets if self.split.is_some() => {
                refuse("split is for /api/trend and /trend.svg; /api/facets counts by `by`")
            }
            Route::Facets => self
                .by
                .iter()
                .try_for_each(|b| choice::<FacetArg>("by", b).map(|_| ())),
            Route::Trend if self.by.len() > 1 => {
                refuse("a trend counts by one period: by=month or by=year")
            }
            Route::Trend => self
                .by
                .iter()
                .try_for_each(|b| choice::<PeriodArg>("by", b).map(|_| ())),
            _ => Ok(()),
        }
    }

    /// The query searched: an empty box means every question, as `*` does.
    pub fn query(&self) -> &str {
        if self.q.is_empty() {
            "*"
        } else {
            &self.q
        }
    }

    /// Hits per page.
    pub fn page_size(&self, default: usize) -> usize {
        self.n.unwrap_or(default)
    }

    /// The first hit of the page, 0-based; refused beyond [`MAX_OFFSET`].
    pub fn offset(&self, default_size: usize) -> Result<usize, ParamError> {
        let page = self.page.unwrap_or(1);
        let offset = (page - 1).saturating_mul(self.page_size(default_size));
        if offset > MAX_OFFSET {
            return refuse(format!(
                "page {page} would start after match {MAX_OFFSET}; narrow the search, or \
                 download the CSV, which holds every match"
            ));
        }
        Ok(offset)
    }

    /// The filter flags these parameters stand for.
    pub fn filter_args(&self) -> FilterArgs {
        FilterArgs {
            department: self.department.clone(),
            follow_renames: self.follow_renames,
            house: parse(&self.house),
            asked_by: self.asked_by.clone(),
            answered_by: self.answered_by.clone(),
            asked_by_id: self.asked_by_id,
            answered_by_id: self.answered_by_id,
            party: self.party.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            date: parse(&self.date).unwrap_or(DateArg::Asked),
            status: parse(&self.status),
            sort: parse(&self.sort).unwrap_or(SortArg::Relevance),
            stem: parse(&self.stem).unwrap_or(StemArg::Light),
        }
    }

    /// The library request: the CLI's conversion of the same flags, the page's slice.
    pub fn request(&self, default_size: usize) -> Result<SearchRequest, ParamError> {
        let args = self.filter_args();
        if args.follow_renames && args.department.is_empty() {
            return refuse("follow_renames widens a department filter; give a department too");
        }
        let filters = crate::cmd::filters(&args).map_err(|e| {
            // The CLI names its flags (--from: ...); here they are parameters.
            ParamError(crate::cmd::term::error_message(&e).replacen("--", "", 1))
        })?;
        Ok(SearchRequest {
            query: self.query().to_string(),
            filters,
            sort: crate::cmd::sort(args.sort),
            limit: self.page_size(default_size),
            offset: self.offset(default_size)?,
            stem: crate::cmd::stem(args.stem),
        })
    }

    /// The facet counts these parameters ask for (`/api/facets`): every facet unless `by`
    /// names some.
    pub fn facet_request(&self) -> Result<FacetRequest, ParamError> {
        let mut by: Vec<Facet> = Vec::new();
        for b in &self.by {
            let arg = FacetArg::from_str(b, true)
                .map_err(|_| ParamError(format!("by={} is not a facet", quoted(b))))?;
            let facet = crate::cmd::facets::facet(arg);
            if !by.contains(&facet) {
                by.push(facet);
            }
        }
        if by.is_empty() {
            by = Facet::ALL.to_vec();
        }
        Ok(FacetRequest {
            search: self.request(1)?,
            by,
            top: self.top,
            merge_renames: self.merge_renames,
        })
    }

    /// The trend these parameters ask for (`/api/trend`, `/trend.svg`): per month unless
    /// `by=year`.
    pub fn trend_request(&self) -> Result<TrendRequest, ParamError> {
        let bucket = match self.by.first() {
            Some(b) => match PeriodArg::from_str(b, true) {
                Ok(PeriodArg::Month) => Bucket::Month,
                Ok(PeriodArg::Year) => Bucket::Year,
                Err(_) => return refuse(format!("by={} is not month or year", quoted(b))),
            },
            None => Bucket::Month,
        };
        Ok(TrendRequest {
            search: self.request(1)?,
            bucket,
            split: parse::<SplitArg>(&self.split).map(|s| match s {
                SplitArg::Department => Facet::Department,
                SplitArg::Party => Facet::Party,
                SplitArg::House => Facet::House,
            }),
            merge_renames: self.merge_renames,
        })
    }

    /// The query string (without `?`) that reads back as these parameters, in a fixed
    /// order, with the page, the page size and the export's options only when asked.
    pub fn to_query(&self) -> String {
        let mut out = String::new();
        let mut put = |name: &str, value: &str| {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            encode_into(&mut out, value);
        };
        if !self.q.is_empty() {
            put("q", &self.q);
        }
        for d in &self.department {
            put("department", d);
        }
        if self.follow_renames {
            put("follow_renames", "1");
        }
        let optional = [
            ("house", &self.house),
            ("asked_by", &self.asked_by),
            ("answered_by", &self.answered_by),
            ("party", &self.party),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                put(name, v);
            }
        }
        for (name, value) in [
            ("asked_by_id", self.asked_by_id),
            ("answered_by_id", self.answered_by_id),
        ] {
            if let Some(v) = value {
                put(name, &v.to_string());
            }
        }
        let optional = [
            ("from", &self.from),
            ("to", &self.to),
            ("date", &self.date),
            ("status", &self.status),
            ("sort", &self.sort),
            ("stem", &self.stem),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                put(name, v);
            }
        }
        if let Some(page) = self.page.filter(|p| *p > 1) {
            put("page", &page.to_string());
        }
        if let Some(n) = self.n {
            put("n", &n.to_string());
        }
        if let Some(c) = &self.columns {
            put("columns", c);
        }
        if self.bom {
            put("bom", "1");
        }
        if self.excel_safe {
            put("excel_safe", "1");
        }
        for b in &self.by {
            put("by", b);
        }
        if let Some(n) = self.top {
            put("top", &n.to_string());
        }
        if let Some(s) = &self.split {
            put("split", s);
        }
        if self.merge_renames {
            put("merge_renames", "1");
        }
        out
    }

    /// `path?query`, or the path alone.
    pub fn link(&self, path: &str) -> String {
        let q = self.to_query();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    }

    /// The same search from its first page (a new filter changes what page 3 means).
    pub fn first_page(&self) -> Params {
        Params {
            page: None,
            ..self.clone()
        }
    }

    /// Only what selects and orders the matches: no page, no export options.
    pub fn search_only(&self) -> Params {
        Params {
            page: None,
            n: None,
            columns: None,
            bom: false,
            excel_safe: false,
            by: Vec::new(),
            top: None,
            split: None,
            merge_renames: false,
            ..self.clone()
        }
    }
}

/// A checked choice as the CLI's type (checked when parsed, so absent only when not given).
fn parse<T: ValueEnum>(value: &Option<String>) -> Option<T> {
    value.as_deref().and_then(|v| T::from_str(v, true).ok())
}

/// A value of one of the CLI's choices, in any case, written back as the CLI spells it.
fn choice<T: ValueEnum>(name: &str, value: &str) -> Result<String, ParamError> {
    match T::from_str(value, true) {
        Ok(v) => Ok(v
            .to_possible_value()
            .map_or_else(|| value.to_string(), |p| p.get_name().to_string())),
        Err(_) => {
            let valid: Vec<String> = T::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value())
                .map(|p| p.get_name().to_string())
                .collect();
            refuse(format!(
                "{name}={} is not one of {}",
                quoted(value),
                valid.join(", ")
            ))
        }
    }
}

fn number(name: &str, value: &str, max: usize) -> Result<usize, ParamError> {
    match value.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) | Err(_) if value.bytes().all(|b| b.is_ascii_digit()) => {
            refuse(format!("{name} must be at most {max}"))
        }
        _ => refuse(format!("{name}={} is not a whole number", quoted(value))),
    }
}

fn flag(name: &str, value: &str) -> Result<bool, ParamError> {
    match value {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        _ => refuse(format!(
            "{name}={} must be 1 or 0 (true or false)",
            quoted(value)
        )),
    }
}

/// A value as a message quotes it: escaped and bounded, as the CLI echoes arguments.
fn quoted(value: &str) -> String {
    crate::cmd::term::echo(value)
}

/// Decodes `application/x-www-form-urlencoded`: `+` is a space and `%XX` a byte. Bytes
/// that are not UTF-8, and a `%` without two hex digits, are refused: the page never
/// searches for something other than what was sent.
pub fn decode(text: &str) -> Result<String, ParamError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    std::str::from_utf8(h)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                });
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => return refuse("a % in the address is not followed by two hex digits"),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).or_else(|_| refuse("the address holds bytes that are not UTF-8 text"))
}

/// Appends `value` form-encoded: letters, digits and `-._~*` as they are, a space as `+`,
/// everything else as `%XX`.
pub fn encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

/// `value` form-encoded.
#[cfg(test)]
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    encode_into(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_links() {
        let raw = "q=%22free+school+meals%22+-breakfast&department=DfE&department=Home%20Office\
                   &from=2024&status=Answered&sort=newest&page=3&n=50";
        let p = Params::parse(Some(raw)).unwrap();
        assert_eq!(p.q, "\"free school meals\" -breakfast");
        assert_eq!(p.department, ["DfE", "Home Office"]);
        assert_eq!(p.status.as_deref(), Some("answered"));
        assert_eq!(p.page, Some(3));
        assert_eq!(Params::parse(Some(&p.to_query())).unwrap(), p);
        let r = p.request(DEFAULT_PAGE_SIZE).unwrap();
        assert_eq!((r.limit, r.offset), (50, 100));
        assert_eq!(r.filters.from.unwrap().to_string(), "2024-01-01");
        assert!(!p.first_page().to_query().contains("page="));
    }

    #[test]
    fn empty_fields_are_absent_and_an_empty_query_is_everything() {
        let p = Params::parse(Some("q=&from=&to=&status=&department=")).unwrap();
        assert_eq!(p, Params::default());
        assert_eq!(p.query(), "*");
        assert!(Params::parse(None).unwrap() == Params::default());
    }

    #[test]
    fn refuses_what_it_cannot_honour() {
        for (raw, says) in [
            ("qq=x", "unknown parameter \"qq\""),
            ("q=a&q=b", "q is given twice"),
            ("status=late", "is not one of answered, unanswered, holding"),
            ("page=0", "page counts from 1"),
            ("page=x", "is not a whole number"),
            ("n=1000", "n must be at most 100"),
            ("page=99999999999999999999999", "page must be at most"),
            ("q=%ff", "not UTF-8"),
            ("q=%4", "two hex digits"),
            ("bom=maybe", "must be 1 or 0"),
        ] {
            let err = Params::parse(Some(raw)).unwrap_err().0;
            assert!(err.contains(says), "{raw}: {err}");
        }
        let long = format!("q={}", "x".repeat(MAX_QUERY_CHARS + 1));
        assert!(Params::parse(Some(&long)).is_err());
        let deep = Params::parse(Some("page=1000")).unwrap();
        assert!(deep
            .offset(DEFAULT_PAGE_SIZE)
            .unwrap_err()
            .0
            .contains("CSV"));
        let bad_date = Params::parse(Some("from=2024-13")).unwrap();
        let err = bad_date.request(10).unwrap_err().0;
        assert!(err.starts_with("from: "), "{err}");
    }

    #[test]
    fn encoding_is_reversible() {
        for text in [
            "a&b=c",
            "\"x\" <y> £ +%",
            "dept:DfE OR (a -b)",
            "ünïcödé\u{1b}",
        ] {
            assert_eq!(decode(&encode(text)).unwrap(), text);
        }
    }
}
