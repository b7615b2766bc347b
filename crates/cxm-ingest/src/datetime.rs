//! Date and datetime cell parsing: a fast, allocation-free parser for the
//! common ISO 8601 / RFC 3339 layouts, with chrono as the fallback and for
//! user-supplied strftime formats.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;
const SECS_PER_DAY: i64 = 86_400;
const MICROS_PER_SEC: i64 = 1_000_000;

/// A validated chrono strftime format for a `Date` / `Datetime` field.
#[derive(Debug, Clone)]
pub(crate) struct DateFormat {
    fmt: String,
    /// The format parses a UTC offset (`%z`, `%:z`, `%#z`, `%+`, ...).
    has_offset: bool,
}

impl DateFormat {
    /// Returns `None` when chrono cannot interpret the format string.
    pub(crate) fn new(fmt: &str) -> Option<DateFormat> {
        if StrftimeItems::new(fmt).any(|item| matches!(item, Item::Error)) {
            return None;
        }
        Some(DateFormat {
            fmt: fmt.to_owned(),
            has_offset: format_has_offset(fmt),
        })
    }
}

/// True if the strftime format contains an offset specifier.
fn format_has_offset(fmt: &str) -> bool {
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && matches!(b[j], b':' | b'#' | b'-' | b'_' | b'0' | b'^') {
            j += 1;
        }
        if j < b.len() && matches!(b[j], b'z' | b'+') {
            return true;
        }
        i = j + 1;
    }
    false
}

fn days_since_epoch(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

fn naive_micros(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_micros()
}

/// Components of an ISO 8601 value parsed by [`parse_iso`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IsoParts {
    /// Local calendar date, days since 1970-01-01.
    days: i32,
    /// Local seconds since midnight.
    secs: i64,
    /// Fractional microseconds (digits past the sixth are truncated).
    micros: i64,
    /// Offset east of UTC, in seconds.
    offset_secs: i64,
}

impl IsoParts {
    fn utc_micros(&self) -> i64 {
        (i64::from(self.days) * SECS_PER_DAY + self.secs - self.offset_secs) * MICROS_PER_SEC
            + self.micros
    }
}

/// Reads `n` ASCII digits at `start`.
fn digits(s: &[u8], start: usize, n: usize) -> Option<u32> {
    let part = s.get(start..start.checked_add(n)?)?;
    let mut v = 0u32;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

/// Fast path: `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fff...]][Z|z|±hh[[:]mm]]]`.
fn parse_iso(s: &[u8]) -> Option<IsoParts> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(s, 0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(s, 5, 2)?, digits(s, 8, 2)?)?;
    let mut parts = IsoParts {
        days: days_since_epoch(date),
        secs: 0,
        micros: 0,
        offset_secs: 0,
    };
    if s.len() == 10 {
        return Some(parts);
    }
    if !matches!(s[10], b'T' | b't' | b' ') || s.get(13) != Some(&b':') {
        return None;
    }
    let hour = digits(s, 11, 2)?;
    let minute = digits(s, 14, 2)?;
    let mut second = 0;
    let mut pos = 16;
    if s.get(pos) == Some(&b':') {
        second = digits(s, pos + 1, 2)?;
        pos += 3;
        if s.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            let mut micros = 0i64;
            while let Some(&b) = s.get(pos) {
                if !b.is_ascii_digit() {
                    break;
                }
                if pos - start < 6 {
                    micros = micros * 10 + i64::from(b - b'0');
                }
                pos += 1;
            }
            let n = pos - start;
            if n == 0 {
                return None;
            }
            for _ in n..6 {
                micros *= 10;
            }
            parts.micros = micros;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    parts.secs = i64::from(hour * 3600 + minute * 60 + second);
    match s.get(pos) {
        None => {}
        Some(b'Z' | b'z') if pos + 1 == s.len() => {}
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(s, pos + 1, 2)?;
            pos += 3;
            let om = match s.get(pos) {
                None => 0,
                Some(b':') => {
                    pos += 3;
                    digits(s, pos - 2, 2)?
                }
                Some(_) => {
                    pos += 2;
                    digits(s, pos - 2, 2)?
                }
            };
            if pos != s.len() || oh > 23 || om > 59 {
                return None;
            }
            let offset = i64::from(oh * 3600 + om * 60);
            parts.offset_secs = if sign == b'-' { -offset } else { offset };
        }
        Some(_) => return None,
    }
    Some(parts)
}

/// Slow path for values the fast parser does not handle.
fn chrono_fallback(s: &[u8]) -> Option<DateTime<FixedOffset>> {
    let text = std::str::from_utf8(s).ok()?;
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f %z"))
        .ok()
}

/// Parses a trimmed cell as a date, returning days since 1970-01-01.
///
/// Without a format: `YYYY-MM-DD`, or any datetime accepted by
/// [`parse_datetime`], of which the (local) date part is kept.
pub(crate) fn parse_date(s: &[u8], format: Option<&DateFormat>) -> Option<i32> {
    match format {
        None => parse_iso(s)
            .map(|p| p.days)
            .or_else(|| chrono_fallback(s).map(|dt| days_since_epoch(dt.date_naive()))),
        Some(f) => {
            let text = std::str::from_utf8(s).ok()?;
            let date = if f.has_offset {
                DateTime::parse_from_str(text, &f.fmt)
                    .map(|dt| dt.date_naive())
                    .ok()
            } else {
                NaiveDate::parse_from_str(text, &f.fmt)
                    .or_else(|_| NaiveDateTime::parse_from_str(text, &f.fmt).map(|dt| dt.date()))
                    .ok()
            };
            date.map(days_since_epoch)
        }
    }
}

/// Parses a trimmed cell as an instant, returning microseconds since the Unix
/// epoch in UTC. Values without an offset are taken as UTC; a date alone is
/// midnight.
pub(crate) fn parse_datetime(s: &[u8], format: Option<&DateFormat>) -> Option<i64> {
    match format {
        None => parse_iso(s)
            .map(|p| p.utc_micros())
            .or_else(|| chrono_fallback(s).map(|dt| dt.timestamp_micros())),
        Some(f) => {
            let text = std::str::from_utf8(s).ok()?;
            // NaiveDateTime parsing silently ignores a parsed offset, so a
            // format with an offset goes through DateTime only.
            let dt = if f.has_offset {
                DateTime::parse_from_str(text, &f.fmt)
                    .map(|dt| dt.timestamp_micros())
                    .ok()
            } else {
                NaiveDateTime::parse_from_str(text, &f.fmt)
                    .map(naive_micros)
                    .ok()
            };
            dt.or_else(|| {
                NaiveDate::parse_from_str(text, &f.fmt)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(naive_micros)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-03-01T00:00:00Z in microseconds.
    const MAR1: i64 = 1_740_787_200_000_000;
    const HOUR: i64 = 3_600_000_000;

    fn dt(s: &str) -> Option<i64> {
        parse_datetime(s.as_bytes(), None)
    }

    fn dtf(s: &str, f: &str) -> Option<i64> {
        let f = DateFormat::new(f).expect("valid format");
        parse_datetime(s.as_bytes(), Some(&f))
    }

    fn date(s: &str) -> Option<i32> {
        parse_date(s.as_bytes(), None)
    }

    #[test]
    fn dates_without_format() {
        assert_eq!(date("1970-01-01"), Some(0));
        assert_eq!(date("1970-01-02"), Some(1));
        assert_eq!(date("1969-12-31"), Some(-1));
        assert_eq!(date("2024-02-29"), Some(19_782));
        assert_eq!(date("2025-03-01"), Some(20_148));
        assert_eq!(date("2025-03-01T10:00:00"), Some(20_148));
        // The local date part is kept, whatever the offset.
        assert_eq!(date("2025-03-01T23:30:00-05:00"), Some(20_148));
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-3-1",
            "01/03/2025",
            "",
            "x",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
        assert_eq!(date("2025-03-01T25:00:00"), None);
    }

    #[test]
    fn dates_with_format() {
        let f = DateFormat::new("%d/%m/%Y").expect("valid");
        assert_eq!(parse_date(b"02/01/1970", Some(&f)), Some(1));
        assert_eq!(parse_date(b"31/02/2025", Some(&f)), None);
        assert_eq!(parse_date(b"1970-01-02", Some(&f)), None);
        let f = DateFormat::new("%d/%m/%Y %H:%M").expect("valid");
        assert_eq!(parse_date(b"01/03/2025 10:00", Some(&f)), Some(20_148));
    }

    #[test]
    fn datetimes_fast_path() {
        assert_eq!(dt("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(dt("2025-03-01"), Some(MAR1));
        assert_eq!(dt("2025-03-01T10:00:00Z"), Some(1_740_823_200_000_000));
        assert_eq!(dt("2025-03-01T10:00:00"), Some(MAR1 + 10 * HOUR));
        assert_eq!(dt("2025-03-01 10:00:00"), Some(MAR1 + 10 * HOUR));
        assert_eq!(dt("2025-03-01t10:00z"), Some(MAR1 + 10 * HOUR));
        assert_eq!(dt("2025-03-01T10:00"), Some(MAR1 + 10 * HOUR));
        assert_eq!(dt("2025-03-01T10:00:00+02:00"), Some(1_740_816_000_000_000));
        assert_eq!(dt("2025-03-01T10:00:00+0200"), Some(1_740_816_000_000_000));
        assert_eq!(dt("2025-03-01T10:00:00+02"), Some(1_740_816_000_000_000));
        assert_eq!(dt("2025-03-01T10:00+02:00"), Some(1_740_816_000_000_000));
        assert_eq!(
            dt("2025-03-01T10:00:00-05:30"),
            Some(MAR1 + 15 * HOUR + HOUR / 2)
        );
        assert_eq!(
            dt("2025-03-01T23:30:00-01:00"),
            Some(MAR1 + 24 * HOUR + HOUR / 2)
        );
        assert_eq!(
            dt("2025-03-01T10:00:00.5Z"),
            Some(MAR1 + 10 * HOUR + 500_000)
        );
        assert_eq!(
            dt("2025-03-01T10:00:00.123456Z"),
            Some(MAR1 + 10 * HOUR + 123_456)
        );
        assert_eq!(
            dt("2025-03-01T10:00:00.123456789"),
            Some(MAR1 + 10 * HOUR + 123_456)
        );
        assert_eq!(
            dt("2025-03-01T10:00:00.250+01:00"),
            Some(MAR1 + 9 * HOUR + 250_000)
        );
        assert_eq!(dt("1969-12-31T23:59:59Z"), Some(-1_000_000));
    }

    #[test]
    fn datetimes_rejected() {
        for bad in [
            "",
            "hello",
            "2025-03-01T",
            "2025-03-01T10",
            "2025-03-01T24:00",
            "2025-03-01T10:60",
            "2025-03-01T10:00:61",
            "2025-03-01T10:00:00.",
            "2025-03-01T10:00:00+",
            "2025-03-01T10:00:00+2",
            "2025-03-01T10:00:00+02:0",
            "2025-03-01T10:00:00+24:00",
            "2025-03-01T10:00:00Zjunk",
            "2025-03-01X10:00:00",
            "2025-02-30T10:00:00",
        ] {
            assert_eq!(dt(bad), None, "{bad}");
        }
    }

    #[test]
    fn datetimes_chrono_fallback() {
        assert_eq!(
            dt("Sat, 01 Mar 2025 10:00:00 +0000"),
            Some(MAR1 + 10 * HOUR)
        );
        assert_eq!(dt("2025-03-01 10:00:00 +0200"), Some(MAR1 + 8 * HOUR));
    }

    #[test]
    fn datetimes_with_format() {
        assert_eq!(
            dtf("01/03/2025 10:00", "%d/%m/%Y %H:%M"),
            Some(MAR1 + 10 * HOUR)
        );
        assert_eq!(
            dtf("01/03/2025 10:00 +0200", "%d/%m/%Y %H:%M %z"),
            Some(MAR1 + 8 * HOUR)
        );
        assert_eq!(
            dtf("01/03/2025 10:00 -01:00", "%d/%m/%Y %H:%M %:z"),
            Some(MAR1 + 11 * HOUR)
        );
        assert_eq!(dtf("01/03/2025", "%d/%m/%Y"), Some(MAR1));
        assert_eq!(dtf("2025-03-01T10:00:00Z", "%d/%m/%Y"), None);
    }

    #[test]
    fn format_validation() {
        assert!(DateFormat::new("%Y-%m-%d").is_some());
        assert!(DateFormat::new("%Q").is_none());
        assert!(format_has_offset("%Y %z"));
        assert!(format_has_offset("%Y %:z"));
        assert!(format_has_offset("%+"));
        assert!(!format_has_offset("%Y-%m-%d %H:%M"));
        assert!(!format_has_offset("%%z"));
    }
}
