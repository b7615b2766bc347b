//! Date and datetime cell parsing: a fast, allocation-free parser for the
//! common ISO 8601 / RFC 3339 layouts and the dotted European `dd.mm.yyyy`
//! form, with chrono as the fallback and for declared formats (chrono
//! strftime strings or friendly names, see [`format`]).
//!
//! Datetimes without a UTC offset are local wall-clock times in the
//! configured [`Zone`] (UTC by default); values with an offset or `Z` keep
//! their own offset. Dates have no zone. A local time that a daylight-saving
//! change makes ambiguous or skips is resolved by rule (see [`local_to_utc`])
//! and reported as such ([`LocalTime`]), so readers can count those values.

mod format;

#[cfg(test)]
mod tests;

use chrono::format::{Parsed, StrftimeItems};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};
use cxm_period::{LocalTime, Zone};

pub(crate) use format::DateFormat;
pub use format::DATE_FORMAT_NAMES;

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;
const SECS_PER_DAY: i64 = 86_400;
const MICROS_PER_SEC: i64 = 1_000_000;

fn days_since_epoch(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// Days since 1970-01-01 of a proleptic Gregorian date, `None` for a date that does not
/// exist (month 13, 31 April, 29 February of a common year). Arithmetic only: H. Hinnant's
/// `days_from_civil` (<https://howardhinnant.github.io/date_algorithms.html>), valid for
/// every year a parser here can produce (0..=9999).
pub(crate) fn civil_days(year: i32, month: u32, day: u32) -> Option<i32> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > month_days {
        return None;
    }
    let (month, day) = (month as i32, day as i32);
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// Components of a value parsed by [`parse_iso`] or [`parse_dotted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parts {
    /// Local calendar date, days since 1970-01-01.
    days: i32,
    /// Local seconds since midnight.
    secs: i64,
    /// Fractional microseconds (digits past the sixth are truncated).
    micros: i64,
    /// Offset east of UTC in seconds, when the value has one (`Z` is 0).
    offset_secs: Option<i64>,
}

impl Parts {
    /// The wall-clock time as microseconds since 1970-01-01T00:00 (local).
    fn local_micros(&self) -> i64 {
        (i64::from(self.days) * SECS_PER_DAY + self.secs) * MICROS_PER_SEC + self.micros
    }

    /// The instant: the value's own offset if it has one, else the wall-clock
    /// time in `zone`; with how the local time was resolved.
    fn utc_micros(&self, zone: &Zone) -> Option<(i64, LocalTime)> {
        match self.offset_secs {
            Some(offset) => Some((
                self.local_micros() - offset * MICROS_PER_SEC,
                LocalTime::Unique,
            )),
            None => local_to_utc(self.local_micros(), zone),
        }
    }
}

/// The instant of a wall-clock time given as microseconds since
/// 1970-01-01T00:00 local time. An ambiguous local time (when clocks fall
/// back) takes the EARLIER instant; a nonexistent one (in the gap when
/// clocks spring forward) is shifted forward by the length of the gap
/// (RFC 5545 section 3.3.5; see `cxm_period::Zone::local_to_utc`); the
/// [`LocalTime`] says whether that rule was needed.
fn local_to_utc(local_micros: i64, zone: &Zone) -> Option<(i64, LocalTime)> {
    match zone {
        Zone::Utc => Some((local_micros, LocalTime::Unique)),
        _ => zone.resolve_local(DateTime::from_timestamp_micros(local_micros)?.naive_utc()),
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

/// `HH:MM[:SS[.fff...]]` at `start`: seconds since midnight, fractional
/// microseconds, and the position after the time.
fn parse_time(s: &[u8], start: usize) -> Option<(i64, i64, usize)> {
    if s.get(start + 2) != Some(&b':') {
        return None;
    }
    let hour = digits(s, start, 2)?;
    let minute = digits(s, start + 3, 2)?;
    let (mut second, mut micros) = (0, 0i64);
    let mut pos = start + 5;
    if s.get(pos) == Some(&b':') {
        second = digits(s, pos + 1, 2)?;
        pos += 3;
        if s.get(pos) == Some(&b'.') {
            pos += 1;
            let first = pos;
            while let Some(&b) = s.get(pos) {
                if !b.is_ascii_digit() {
                    break;
                }
                if pos - first < 6 {
                    micros = micros * 10 + i64::from(b - b'0');
                }
                pos += 1;
            }
            let n = pos - first;
            if n == 0 {
                return None;
            }
            for _ in n..6 {
                micros *= 10;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((i64::from(hour * 3600 + minute * 60 + second), micros, pos))
}

/// The rest of the value at `pos`: nothing (`Some(None)`), `Z`/`z`, or
/// `±hh[[:]mm]` (`Some(Some(seconds east of UTC))`); `None` if malformed.
fn parse_offset(s: &[u8], mut pos: usize) -> Option<Option<i64>> {
    match s.get(pos) {
        None => Some(None),
        Some(b'Z' | b'z') if pos + 1 == s.len() => Some(Some(0)),
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
            Some(Some(if sign == b'-' { -offset } else { offset }))
        }
        Some(_) => None,
    }
}

/// Fast path: `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fff...]][Z|z|±hh[[:]mm]]]`.
fn parse_iso(s: &[u8]) -> Option<Parts> {
    if let Ok(exact) = <&[u8; 19]>::try_from(s) {
        if let Some(parts) = parse_iso_seconds(exact) {
            return Some(parts);
        }
    }
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(s, 0, 4)?).ok()?;
    let mut parts = Parts {
        days: civil_days(year, digits(s, 5, 2)?, digits(s, 8, 2)?)?,
        secs: 0,
        micros: 0,
        offset_secs: None,
    };
    if s.len() == 10 {
        return Some(parts);
    }
    if !matches!(s[10], b'T' | b't' | b' ') {
        return None;
    }
    let (secs, micros, pos) = parse_time(s, 11)?;
    parts.secs = secs;
    parts.micros = micros;
    parts.offset_secs = parse_offset(s, pos)?;
    Some(parts)
}

/// The most common timestamp of exports, `YYYY-MM-DDTHH:MM:SS` (or with `t` or a space),
/// read in one pass; `None` sends anything else (or an invalid value, for the general
/// parser to reject) down the general path, which gives the same result for this form.
fn parse_iso_seconds(s: &[u8; 19]) -> Option<Parts> {
    let secs = iso_time_of_day(s)?;
    if s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let mut digit_error = 0u8;
    let mut number = |range: std::ops::Range<usize>| fixed_digits(s, range, &mut digit_error);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    if digit_error != 0 {
        return None;
    }
    Some(Parts {
        days: civil_days(year as i32, month, day)?,
        secs,
        micros: 0,
        offset_secs: None,
    })
}

/// The digits of `s[range]` as a number; a byte that is not a digit sets `error`.
#[inline(always)]
fn fixed_digits(s: &[u8; 19], range: std::ops::Range<usize>, error: &mut u8) -> u32 {
    range.fold(0u32, |acc, i| {
        let d = s[i].wrapping_sub(b'0');
        *error |= u8::from(d > 9);
        acc * 10 + u32::from(d)
    })
}

/// Seconds since midnight of the `(T|t| )HH:MM:SS` after the date of a
/// `YYYY-MM-DDTHH:MM:SS` value; `None` when that part is not of this form or out of range.
#[inline(always)]
fn iso_time_of_day(s: &[u8; 19]) -> Option<i64> {
    if !matches!(s[10], b'T' | b't' | b' ') || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let mut digit_error = 0u8;
    let mut number = |range: std::ops::Range<usize>| fixed_digits(s, range, &mut digit_error);
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    if digit_error != 0 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(i64::from(hour * 3600 + minute * 60 + second))
}

/// The date of the last `YYYY-MM-DDTHH:MM:SS` value a column parsed: exports sort or
/// cluster rows by time, so most values share the date of the one before, whose digits
/// and calendar check need not be done again.
#[derive(Debug, Default)]
pub(crate) struct LastDate {
    /// The first 10 bytes of that value and its days since 1970-01-01; `None` before the
    /// first.
    date: Option<([u8; 10], i32)>,
}

impl LastDate {
    /// [`parse_datetime_resolved`], the same result for every input, with the date of a
    /// `YYYY-MM-DDTHH:MM:SS` value taken from the last such value when its text is the same.
    #[inline]
    pub(crate) fn parse(
        &mut self,
        s: &[u8],
        format: Option<&DateFormat>,
        zone: &Zone,
    ) -> Option<(i64, LocalTime)> {
        if let (None | Some(DateFormat::Iso), Ok(exact)) = (format, <&[u8; 19]>::try_from(s)) {
            if let Some(found) = self.parts(exact).and_then(|p| p.utc_micros(zone)) {
                return Some(found);
            }
        }
        parse_datetime_resolved(s, format, zone)
    }

    /// What [`parse_iso_seconds`] gives for `s`, remembering its date.
    #[inline]
    fn parts(&mut self, s: &[u8; 19]) -> Option<Parts> {
        let date = s.first_chunk::<10>()?;
        match self.date {
            Some((last, days)) if last == *date => Some(Parts {
                days,
                secs: iso_time_of_day(s)?,
                micros: 0,
                offset_secs: None,
            }),
            _ => {
                let parts = parse_iso_seconds(s)?;
                self.date = Some((*date, parts.days));
                Some(parts)
            }
        }
    }
}

/// The dotted European form `DD.MM.YYYY[ HH:MM[:SS[.fff...]]]`, without an
/// offset. It is accepted without a declared format because it is
/// unambiguous: dots always mean day.month.year. Slashed dates are NOT
/// auto-accepted: `03/04/2025` is 3 April in dd/mm/yyyy (Europe) but 4 March
/// in mm/dd/yyyy (US), and guessing would silently misdate rows, so they
/// need a declared format (`dd/mm/yyyy` or `mm/dd/yyyy`).
fn parse_dotted(s: &[u8]) -> Option<Parts> {
    if s.len() < 10 || s[2] != b'.' || s[5] != b'.' {
        return None;
    }
    let year = i32::try_from(digits(s, 6, 4)?).ok()?;
    let mut parts = Parts {
        days: civil_days(year, digits(s, 3, 2)?, digits(s, 0, 2)?)?,
        secs: 0,
        micros: 0,
        offset_secs: None,
    };
    if s.len() == 10 {
        return Some(parts);
    }
    if s[10] != b' ' {
        return None;
    }
    let (secs, micros, pos) = parse_time(s, 11)?;
    if pos != s.len() {
        return None;
    }
    parts.secs = secs;
    parts.micros = micros;
    Some(parts)
}

/// Slow path for ISO-like values the fast parser does not handle (all of
/// them carry an offset).
fn chrono_fallback(s: &[u8]) -> Option<DateTime<FixedOffset>> {
    let text = std::str::from_utf8(s).ok()?;
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f %z"))
        .ok()
}

/// Parses a trimmed cell as a date, returning days since 1970-01-01.
///
/// Without a format: `YYYY-MM-DD`, `DD.MM.YYYY`, or any datetime accepted by
/// [`parse_datetime`], of which the (local) date part is kept. With the
/// `iso` format, the same without `DD.MM.YYYY`.
pub(crate) fn parse_date(s: &[u8], format: Option<&DateFormat>) -> Option<i32> {
    let iso = || {
        parse_iso(s)
            .map(|p| p.days)
            .or_else(|| chrono_fallback(s).map(|dt| days_since_epoch(dt.date_naive())))
    };
    match format {
        None => iso().or_else(|| parse_dotted(s).map(|p| p.days)),
        Some(DateFormat::Iso) => iso(),
        Some(DateFormat::Strftime { fmt, has_offset }) => {
            let text = std::str::from_utf8(s).ok()?;
            let date = if *has_offset {
                DateTime::parse_from_str(text, fmt)
                    .map(|dt| dt.date_naive())
                    .ok()
            } else {
                NaiveDate::parse_from_str(text, fmt)
                    .or_else(|_| NaiveDateTime::parse_from_str(text, fmt).map(|dt| dt.date()))
                    .ok()
            };
            date.map(days_since_epoch)
        }
    }
}

/// Parses a trimmed cell as an instant, returning microseconds since the Unix
/// epoch in UTC. Values with an offset (or `Z`) keep it; values without one
/// are wall-clock times in `zone` (see [`local_to_utc`] for daylight-saving
/// gaps and overlaps); a date alone is local midnight.
pub(crate) fn parse_datetime(s: &[u8], format: Option<&DateFormat>, zone: &Zone) -> Option<i64> {
    parse_datetime_resolved(s, format, zone).map(|(instant, _)| instant)
}

/// [`parse_datetime`], and how a value without an offset was resolved in
/// `zone` (always [`LocalTime::Unique`] for a value with an offset).
pub(crate) fn parse_datetime_resolved(
    s: &[u8],
    format: Option<&DateFormat>,
    zone: &Zone,
) -> Option<(i64, LocalTime)> {
    let with_offset = |dt: DateTime<FixedOffset>| (dt.timestamp_micros(), LocalTime::Unique);
    let iso = || {
        parse_iso(s)
            .and_then(|p| p.utc_micros(zone))
            .or_else(|| chrono_fallback(s).map(with_offset))
    };
    match format {
        None => iso().or_else(|| parse_dotted(s)?.utc_micros(zone)),
        Some(DateFormat::Iso) => iso(),
        Some(DateFormat::Strftime { fmt, has_offset }) => {
            let text = std::str::from_utf8(s).ok()?;
            // NaiveDateTime parsing silently ignores a parsed offset, so a
            // format with an offset goes through DateTime only.
            let local = if *has_offset {
                return DateTime::parse_from_str(text, fmt)
                    .map(with_offset)
                    .ok()
                    .or_else(|| Some((midnight_with_offset(text, fmt)?, LocalTime::Unique)));
            } else {
                NaiveDateTime::parse_from_str(text, fmt).ok().or_else(|| {
                    NaiveDate::parse_from_str(text, fmt)
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                })
            };
            local_to_utc(local?.and_utc().timestamp_micros(), zone)
        }
    }
}

/// A date-only value with an offset (`01/03/2025 +0200` for `%d/%m/%Y %z`):
/// midnight at that offset.
fn midnight_with_offset(text: &str, fmt: &str) -> Option<i64> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, StrftimeItems::new(fmt)).ok()?;
    let midnight = parsed.to_naive_date().ok()?.and_hms_opt(0, 0, 0)?;
    let offset = parsed.to_fixed_offset().ok()?;
    let local = midnight.and_utc().timestamp_micros();
    local.checked_sub(i64::from(offset.local_minus_utc()) * MICROS_PER_SEC)
}
