//! English dates as written on question pages: "6th September 2023", "Tuesday 23rd April
//! 2024", "1 May 2024", and the API's "2024-07-25T00:00:00".

use crate::record::Date;

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

/// Parses a whole string as an English date: an optional weekday, the day with an optional
/// ordinal suffix, the month's name (or its first three letters) and a four-digit year.
pub fn parse_english_date(text: &str) -> Option<Date> {
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
    let day: u8 = parse_digits(day, 1..=2)?.try_into().ok()?;
    let month = words.next()?.to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|m| *m == month || (month.len() == 3 && m.starts_with(&month)))?;
    let year = parse_digits(words.next()?, 4..=4)?;
    if words.next().is_some() {
        return None;
    }
    Date::new(year as i32, month as u8 + 1, day)
}

/// Writes a date as pages do: "6th September 2023".
pub fn format_english_date(date: Date) -> String {
    let suffix = match date.day {
        1 | 21 | 31 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    };
    let month = MONTHS[usize::from(date.month) - 1];
    let month = month[..1].to_uppercase() + &month[1..];
    format!("{}{suffix} {month} {}", date.day, date.year)
}

/// Parses the API's timestamps (`2024-07-25T00:00:00`) and plain `YYYY-MM-DD`.
pub fn parse_api_date(text: &str) -> Option<Date> {
    text.get(..10)?.parse().ok()
}

fn parse_digits(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    (len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        parse_english_date(s).map(|d| d.to_string())
    }

    #[test]
    fn english_dates() {
        assert_eq!(d("6th September 2023").as_deref(), Some("2023-09-06"));
        assert_eq!(d("Tuesday 23rd April 2024").as_deref(), Some("2024-04-23"));
        assert_eq!(d("1 May 2024").as_deref(), Some("2024-05-01"));
        assert_eq!(d("2nd Sep 2024").as_deref(), Some("2024-09-02"));
        assert_eq!(d("Friday, 1st March 2024").as_deref(), Some("2024-03-01"));
    }

    #[test]
    fn not_dates() {
        for s in [
            "",
            "31st February 2024",
            "6th Septembre 2023",
            "6th September 23",
            "6 September 2023 x",
            "Tuesday",
        ] {
            assert_eq!(d(s), None, "{s:?}");
        }
    }

    #[test]
    fn formatted_dates_read_back() {
        for s in [
            "2023-09-06",
            "2024-03-01",
            "2024-02-22",
            "2025-12-23",
            "2026-07-11",
            "2024-05-31",
        ] {
            let date: Date = s.parse().unwrap();
            let text = format_english_date(date);
            assert_eq!(parse_english_date(&text), Some(date), "{text}");
        }
        assert_eq!(
            format_english_date("2023-09-06".parse().unwrap()),
            "6th September 2023"
        );
        assert_eq!(
            format_english_date("2024-05-22".parse().unwrap()),
            "22nd May 2024"
        );
    }

    #[test]
    fn api_dates() {
        assert_eq!(
            parse_api_date("2024-07-25T00:00:00").unwrap().to_string(),
            "2024-07-25"
        );
        assert_eq!(parse_api_date("2024-07"), None);
        assert_eq!(parse_api_date("2024-07-2é0000"), None);
    }
}
