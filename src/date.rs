//! Calendar dates, and everything pqsearch does with them: the record's `YYYY-MM-DD`,
//! English dates as pages write them ("6th September 2023"), the API's timestamps, spans
//! that users type in filters (`2024`, `2024-03`, `2024-03-15`), and buckets (day, month,
//! year) for counting by period.
//!
//! One module, so that a month's last day, a leap year or the range of years accepted is
//! decided in one place.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Years a date may have. Written questions go back to the 1800s at most, and tantivy's
/// timestamps only reach 1678-2262, so a year outside is a typo or garbage, and is refused
/// rather than stored or searched wrongly.
pub const YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {text:?}: expected {expected}, with a year from 1800 to 2200")]
pub struct DateError {
    pub text: String,
    pub expected: &'static str,
}

impl Date {
    /// A date, if it exists in the calendar and its year is in [`YEARS`].
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && YEARS.contains(&year);
        valid.then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's civil-days algorithm.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::days_since_epoch`].
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// Reads an English date as pages write it: an optional weekday, the day with an
    /// optional ordinal suffix, the month's name (or its first three letters) and a
    /// four-digit year ("6th September 2023", "Tuesday 23rd April 2024", "1 May 2024").
    pub fn parse_english(text: &str) -> Option<Date> {
        let mut words = text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .peekable();
        if words
            .peek()
            .is_some_and(|w| WEEKDAYS.iter().any(|d| d.eq_ignore_ascii_case(w)))
        {
            words.next();
        }
        let day = words.next()?.to_ascii_lowercase();
        let day = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|s| day.strip_suffix(s))
            .unwrap_or(&day);
        let day: u8 = digits(day, 1..=2)?.try_into().ok()?;
        let month = words.next()?.to_ascii_lowercase();
        let month = MONTHS
            .iter()
            .position(|m| *m == month || (month.len() == 3 && m.starts_with(&month)))?;
        let year = digits(words.next()?, 4..=4)?;
        if words.next().is_some() {
            return None;
        }
        Date::new(year as i32, month as u8 + 1, day)
    }

    /// Writes the date as pages do: "6th September 2023".
    pub fn english(self) -> String {
        let suffix = match self.day {
            1 | 21 | 31 => "st",
            2 | 22 => "nd",
            3 | 23 => "rd",
            _ => "th",
        };
        let month = MONTHS[usize::from(self.month) - 1];
        let month = month[..1].to_uppercase() + &month[1..];
        format!("{}{suffix} {month} {}", self.day, self.year)
    }

    /// Reads the API's timestamps (`2024-07-25T00:00:00`) and plain `YYYY-MM-DD`. The time,
    /// when given, must be a time (`HH:MM`, `HH:MM:SS`, fractions of a second, then `Z` or
    /// an offset): a date followed by anything else is not a date.
    pub fn parse_api(text: &str) -> Option<Date> {
        let date = text.get(..10)?.parse().ok()?;
        match text[10..].strip_prefix('T') {
            None if text.len() == 10 => Some(date),
            Some(time) if is_time(time) => Some(date),
            _ => None,
        }
    }

    /// Writes the date as the API does: `2024-07-25T00:00:00`.
    pub fn api(self) -> String {
        format!("{self}T00:00:00")
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn digits(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, then nothing, `Z` or `+HH:MM`/`-HH:MM`.
fn is_time(text: &str) -> bool {
    let (clock, zone) = match text.find(['Z', '+', '-']) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let fields: Vec<&str> = clock.split(':').collect();
    let two = |s: &str, max: u32| digits(s, 2..=2).is_some_and(|n| n <= max);
    let clock_ok = matches!(fields.len(), 2 | 3)
        && two(fields[0], 23)
        && two(fields[1], 59)
        && fields.get(2).is_none_or(|s| two(s, 60));
    let fraction_ok =
        (1..=9).contains(&fraction.len()) && fraction.bytes().all(|b| b.is_ascii_digit());
    let zone_ok = match zone.as_bytes().first() {
        None => true,
        Some(b'Z') => zone.len() == 1,
        Some(_) => zone[1..]
            .split_once(':')
            .is_some_and(|(h, m)| two(h, 23) && two(m, 59)),
    };
    clock_ok && fraction_ok && zone_ok
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;
    /// Parses `YYYY-MM-DD`, the record's own form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DateError {
            text: s.to_string(),
            expected: "YYYY-MM-DD",
        };
        match parts(s).ok_or_else(bad)?.as_slice() {
            [y, m, d] => Date::new(*y as i32, *m as u8, *d as u8).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

/// The numbers of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, each part of exactly its width.
fn parts(s: &str) -> Option<Vec<u32>> {
    s.split('-')
        .enumerate()
        .map(|(i, p)| {
            let width = if i == 0 { 4 } else { 2 };
            (i < 3 && p.len() == width)
                .then(|| digits(p, width..=width))
                .flatten()
        })
        .collect()
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A period of whole days, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: Date,
    pub last: Date,
}

impl Span {
    /// Parses `2024`, `2024-03` or `2024-03-15` into the days it covers.
    pub fn parse(text: &str) -> Result<Span, DateError> {
        let text = text.trim();
        let bad = || DateError {
            text: text.to_string(),
            expected: "YYYY, YYYY-MM or YYYY-MM-DD",
        };
        let p = parts(text).ok_or_else(bad)?;
        let bucket = match p.len() {
            1 => Bucket::Year,
            2 => Bucket::Month,
            _ => Bucket::Day,
        };
        let part = |i: usize| p.get(i).map_or(1, |&n| n as u8);
        let first = Date::new(p[0] as i32, part(1), part(2)).ok_or_else(bad)?;
        Ok(bucket.span(first))
    }
}

/// A calendar period to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    Month,
    Year,
}

impl Bucket {
    /// The first day of the period holding `date`.
    pub fn start(self, date: Date) -> Date {
        match self {
            Bucket::Day => date,
            Bucket::Month => Date { day: 1, ..date },
            Bucket::Year => Date {
                month: 1,
                day: 1,
                ..date
            },
        }
    }

    /// The whole period holding `date`.
    pub fn span(self, date: Date) -> Span {
        let first = self.start(date);
        let last = match self {
            Bucket::Day => first,
            Bucket::Month => Date {
                day: days_in_month(first.year, first.month),
                ..first
            },
            Bucket::Year => Date {
                month: 12,
                day: 31,
                ..first
            },
        };
        Span { first, last }
    }

    /// The first day of the next period.
    pub fn next(self, date: Date) -> Date {
        self.span(date).last.add_days(1)
    }

    /// The period's label: `2024-03-15`, `2024-03` or `2024`.
    pub fn label(self, date: Date) -> String {
        match self {
            Bucket::Day => date.to_string(),
            Bucket::Month => format!("{:04}-{:02}", date.year, date.month),
            Bucket::Year => format!("{:04}", date.year),
        }
    }
}

impl Date {
    /// Midnight UTC of the date, as tantivy stores dates.
    pub fn to_tantivy(self) -> tantivy::DateTime {
        tantivy::DateTime::from_timestamp_secs(self.days_since_epoch() * 86_400)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a moment in time.
pub fn utc_timestamp(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let date = Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn round_trips_through_days() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2023-09-06",
            "2024-12-31",
            "1969-12-31",
        ] {
            assert_eq!(
                Date::from_days_since_epoch(d(s).days_since_epoch()),
                d(s),
                "{s}"
            );
        }
        assert_eq!(d("1970-01-02").days_since_epoch(), 1);
        assert_eq!(d("2023-09-06").days_since_epoch(), 19_606);
        assert_eq!(d("2023-09-06").days_until(d("2023-09-13")), 7);
        assert_eq!(d("2024-02-28").add_days(2), d("2024-03-01"));
    }

    #[test]
    fn rejects_impossible_days() {
        for s in [
            "2023-02-29",
            "2023-13-01",
            "2023-00-10",
            "23-01-01",
            "2023-1-01",
            "x",
            "2023-01-01-01",
            "2023-01",
            "1000-01-01",
            "1799-12-31",
            "2201-01-01",
            "9999-12-31",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s} should be rejected");
        }
        assert!("1800-01-01".parse::<Date>().is_ok());
        assert!("2200-12-31".parse::<Date>().is_ok());
        assert!("2024-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn english_dates() {
        let e = |s: &str| Date::parse_english(s).map(|d| d.to_string());
        assert_eq!(e("6th September 2023").as_deref(), Some("2023-09-06"));
        assert_eq!(e("Tuesday 23rd April 2024").as_deref(), Some("2024-04-23"));
        assert_eq!(e("1 May 2024").as_deref(), Some("2024-05-01"));
        assert_eq!(e("2nd Sep 2024").as_deref(), Some("2024-09-02"));
        assert_eq!(e("Friday, 1st March 2024").as_deref(), Some("2024-03-01"));
        for s in [
            "",
            "31st February 2024",
            "6th Septembre 2023",
            "6th September 23",
            "6 September 2023 x",
            "Tuesday",
        ] {
            assert_eq!(e(s), None, "{s:?}");
        }
        for s in [
            "2023-09-06",
            "2024-03-01",
            "2024-02-22",
            "2025-12-23",
            "2024-05-31",
        ] {
            assert_eq!(Date::parse_english(&d(s).english()), Some(d(s)), "{s}");
        }
        assert_eq!(d("2023-09-06").english(), "6th September 2023");
        assert_eq!(d("2024-05-22").english(), "22nd May 2024");
    }

    #[test]
    fn api_dates() {
        assert_eq!(
            Date::parse_api("2024-07-25T00:00:00"),
            Some(d("2024-07-25"))
        );
        assert_eq!(d("2024-07-25").api(), "2024-07-25T00:00:00");
        assert_eq!(Date::parse_api("2024-07"), None);
        assert_eq!(Date::parse_api("2024-07-2é0000"), None);
        // Regression (issue 9): a date followed by anything but a time was accepted.
        for bad in [
            "2024-07-17garbage!!",
            "2024-07-17T",
            "2024-07-17T00:00:00garbage",
            "2024-07-17T25:00:00",
            "2024-07-17T00:00:00+1",
            "2024-07-17 00:00:00",
        ] {
            assert_eq!(Date::parse_api(bad), None, "{bad}");
        }
        for good in [
            "2024-07-17",
            "2024-07-17T00:00",
            "2024-07-17T13:45:10.123",
            "2024-07-17T00:00:00Z",
            "2024-07-17T00:00:00+01:00",
        ] {
            assert_eq!(Date::parse_api(good), Some(d("2024-07-17")), "{good}");
        }
    }

    #[test]
    fn spans() {
        let span = |s: &str| Span::parse(s).map(|p| format!("{}..{}", p.first, p.last));
        assert_eq!(span("2024").unwrap(), "2024-01-01..2024-12-31");
        assert_eq!(span("2024-02").unwrap(), "2024-02-01..2024-02-29");
        assert_eq!(span("2023-12").unwrap(), "2023-12-01..2023-12-31");
        assert_eq!(span(" 2024-03-15 ").unwrap(), "2024-03-15..2024-03-15");
        for bad in [
            "24",
            "2024-13",
            "2024-3",
            "2024-02-30",
            "soon",
            "2024-01-01-01",
            "",
        ] {
            assert!(Span::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn buckets() {
        let date = d("2024-02-17");
        assert_eq!(Bucket::Month.start(date), d("2024-02-01"));
        assert_eq!(Bucket::Month.next(date), d("2024-03-01"));
        assert_eq!(Bucket::Year.next(date), d("2025-01-01"));
        assert_eq!(Bucket::Day.next(date), d("2024-02-18"));
        assert_eq!(Bucket::Month.label(date), "2024-02");
        assert_eq!(Bucket::Year.label(date), "2024");
    }

    #[test]
    fn timestamps_are_utc() {
        use std::time::{Duration, UNIX_EPOCH};
        let t = UNIX_EPOCH + Duration::from_secs(1_693_958_400 + 3_661);
        assert_eq!(utc_timestamp(t), "2023-09-06T01:01:01Z");
        assert_eq!(
            d("2023-09-06").to_tantivy().into_timestamp_secs(),
            1_693_958_400
        );
    }
}
