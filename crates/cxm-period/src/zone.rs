//! Time zones ([`Zone`]): UTC, fixed UTC offsets and IANA zones, with the
//! conversions the period rules and CSV ingestion need: the local date of an
//! instant, and the instant of a local wall-clock time (with a defined policy
//! for daylight-saving gaps and overlaps, and [`LocalTime`] saying when that
//! policy was needed, so readers can count and report such values).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::Tz;

use crate::PeriodError;

const MICROS_PER_SEC: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

/// A time zone in which instants are turned into local calendar dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// Coordinated Universal Time (the default).
    #[default]
    Utc,
    /// A constant offset from UTC, without daylight-saving time.
    Fixed(FixedOffset),
    /// An IANA time zone database zone such as `Europe/Berlin`, with its
    /// historical and daylight-saving rules.
    Named(Tz),
}

/// Parses a time zone: `UTC` or `Z` (any case), an IANA zone name
/// (`Europe/Berlin`; ASCII case-insensitive), or a fixed offset `±hh`, `±hh:mm` or
/// `±hhmm` (`+02:00`, `-0530`; hours up to 23, minutes up to 59). Surrounding
/// whitespace is ignored. The error message lists the accepted forms.
pub fn parse_zone(s: &str) -> Result<Zone, PeriodError> {
    let text = s.trim();
    let invalid = || PeriodError::InvalidZone {
        input: s.to_string(),
    };
    if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
        return Ok(Zone::Utc);
    }
    if text.starts_with(['+', '-']) {
        return parse_offset(text).map(Zone::Fixed).ok_or_else(invalid);
    }
    text.parse::<Tz>()
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .into_iter()
                .find(|tz| tz.name().eq_ignore_ascii_case(text))
        })
        .map(Zone::Named)
        .ok_or_else(invalid)
}

/// Parses `±hh`, `±hh:mm` or `±hhmm`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    if !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (hours, minutes) = match rest.len() {
        2 => (rest, "00"),
        4 => rest.split_at(2),
        5 if rest.as_bytes()[2] == b':' => (&rest[..2], &rest[3..]),
        _ => return None,
    };
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

impl FromStr for Zone {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Zone, PeriodError> {
        parse_zone(s)
    }
}

impl fmt::Display for Zone {
    /// `UTC`, the offset (`+02:00`), or the IANA name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Utc => f.write_str("UTC"),
            Zone::Fixed(offset) => write!(f, "{offset}"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

/// How a local wall-clock time was turned into an instant (see
/// [`Zone::resolve_local`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalTime {
    /// The time names exactly one instant.
    Unique,
    /// The time occurs twice (the repeated hour when clocks fall back); the
    /// EARLIER instant was taken.
    Ambiguous,
    /// The time does not exist (the hour skipped when clocks spring
    /// forward); it was shifted forward by the length of the gap.
    Skipped,
}

impl LocalTime {
    /// `unique`, `ambiguous` or `skipped`.
    pub fn name(self) -> &'static str {
        match self {
            LocalTime::Unique => "unique",
            LocalTime::Ambiguous => "ambiguous",
            LocalTime::Skipped => "skipped",
        }
    }
}

impl Zone {
    /// The offset from UTC in effect at an instant (microseconds since the
    /// Unix epoch); `None` when the instant is outside chrono's range.
    pub fn offset_at(&self, utc_micros: i64) -> Option<FixedOffset> {
        match self {
            Zone::Utc => Some(chrono::Utc.fix()),
            Zone::Fixed(offset) => Some(*offset),
            Zone::Named(tz) => {
                let utc = DateTime::from_timestamp_micros(utc_micros)?.naive_utc();
                Some(tz.offset_from_utc_datetime(&utc).fix())
            }
        }
    }

    /// The local calendar date of an instant, as days since 1970-01-01.
    pub fn local_days(&self, utc_micros: i64) -> Option<i32> {
        let offset = self.offset_at(utc_micros)?;
        let local = utc_micros.checked_add(i64::from(offset.local_minus_utc()) * MICROS_PER_SEC)?;
        i32::try_from(local.div_euclid(MICROS_PER_DAY)).ok()
    }

    /// The instant (microseconds since the Unix epoch) of a local wall-clock
    /// time in this zone; `None` only when out of range.
    ///
    /// Daylight-saving policy, for wall-clock times that do not name exactly
    /// one instant:
    /// - an ambiguous time (the repeated hour when clocks fall back) is the
    ///   EARLIER of its two instants, i.e. read with the offset in effect
    ///   before the change (Berlin `2025-10-26 02:30` is `00:30Z`, CEST);
    /// - a nonexistent time (in the gap when clocks spring forward) is
    ///   shifted forward by the length of the gap, i.e. read with the offset
    ///   in effect before the gap (Berlin `2025-03-30 02:30` is `01:30Z`,
    ///   which is `03:30` CEST). This is the policy of java.time
    ///   (`ZonedDateTime.ofLocal`) and of RFC 5545 (iCalendar, section
    ///   3.3.5) for such times. The offset before the gap is taken one day
    ///   earlier, which assumes the zone has no other transition in the day
    ///   before a gap (true of real-world rules).
    pub fn local_to_utc(&self, local: NaiveDateTime) -> Option<i64> {
        self.resolve_local(local).map(|(instant, _)| instant)
    }

    /// [`Zone::local_to_utc`], and whether the time was [`LocalTime::Unique`],
    /// or [`LocalTime::Ambiguous`] / [`LocalTime::Skipped`] and resolved by
    /// the daylight-saving policy described there. UTC and fixed offsets
    /// always give `Unique`.
    pub fn resolve_local(&self, local: NaiveDateTime) -> Option<(i64, LocalTime)> {
        let with = |offset: FixedOffset| {
            local
                .and_utc()
                .timestamp_micros()
                .checked_sub(i64::from(offset.local_minus_utc()) * MICROS_PER_SEC)
        };
        match self {
            Zone::Utc => Some((with(chrono::Utc.fix())?, LocalTime::Unique)),
            Zone::Fixed(offset) => Some((with(*offset)?, LocalTime::Unique)),
            Zone::Named(tz) => match tz.offset_from_local_datetime(&local) {
                LocalResult::Single(offset) => Some((with(offset.fix())?, LocalTime::Unique)),
                LocalResult::Ambiguous(a, b) => {
                    Some((with(a.fix())?.min(with(b.fix())?), LocalTime::Ambiguous))
                }
                LocalResult::None => {
                    let probe = local.checked_sub_signed(TimeDelta::days(1))?.and_utc();
                    let before = tz.offset_from_utc_datetime(&probe.naive_utc()).fix();
                    Some((with(before)?, LocalTime::Skipped))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid")
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        local(y, m, d, h, min).and_utc().timestamp_micros()
    }

    #[test]
    fn parses_zones() {
        assert_eq!(parse_zone("UTC"), Ok(Zone::Utc));
        assert_eq!(parse_zone("utc"), Ok(Zone::Utc));
        assert_eq!(parse_zone("Z"), Ok(Zone::Utc));
        assert_eq!(
            parse_zone(" Europe/Berlin "),
            Ok(Zone::Named(chrono_tz::Europe::Berlin))
        );
        assert_eq!(
            parse_zone("europe/berlin"),
            Ok(Zone::Named(chrono_tz::Europe::Berlin))
        );
        let plus2 = FixedOffset::east_opt(7200).expect("offset");
        assert_eq!(parse_zone("+02:00"), Ok(Zone::Fixed(plus2)));
        assert_eq!(parse_zone("+0200"), Ok(Zone::Fixed(plus2)));
        assert_eq!(parse_zone("+02"), Ok(Zone::Fixed(plus2)));
        let minus530 = FixedOffset::west_opt(5 * 3600 + 1800).expect("offset");
        assert_eq!(parse_zone("-0530"), Ok(Zone::Fixed(minus530)));
        assert_eq!(parse_zone("-05:30"), Ok(Zone::Fixed(minus530)));
        assert_eq!(
            "America/New_York"
                .parse::<Zone>()
                .map(|z| z.to_string())
                .as_deref(),
            Ok("America/New_York")
        );
        assert_eq!(Zone::Fixed(minus530).to_string(), "-05:30");
        assert_eq!(Zone::default().to_string(), "UTC");
    }

    #[test]
    fn rejects_bad_zones_listing_forms() {
        for bad in [
            "",
            "Mars/Olympus",
            "Europe/Berlin/",
            "+2",
            "+24:00",
            "+02:60",
            "+02-00",
            "+020",
            "CEST+1",
        ] {
            let err = parse_zone(bad).expect_err(bad);
            assert_eq!(
                err,
                PeriodError::InvalidZone {
                    input: bad.to_string()
                }
            );
        }
        let msg = parse_zone("Mars/Olympus").expect_err("bad").to_string();
        for form in [
            "\"Mars/Olympus\"",
            "UTC",
            "Europe/Berlin",
            "+02:00",
            "-0530",
        ] {
            assert!(msg.contains(form), "{msg}");
        }
    }

    #[test]
    fn local_dates_of_instants() {
        let berlin = Zone::Named(chrono_tz::Europe::Berlin);
        let instant = utc(2025, 3, 31, 22, 30);
        assert_eq!(Zone::Utc.local_days(instant), Some(20_178)); // 2025-03-31
        assert_eq!(berlin.local_days(instant), Some(20_179)); // 2025-04-01
        assert_eq!(
            berlin.offset_at(instant).map(|o| o.local_minus_utc()),
            Some(7200)
        );
        // Before 1970, days count down from -1.
        assert_eq!(Zone::Utc.local_days(-1), Some(-1));
        assert_eq!(berlin.local_days(i64::MIN), None);
    }

    #[test]
    fn local_to_utc_policies() {
        let berlin = Zone::Named(chrono_tz::Europe::Berlin);
        // Summer time (+02:00).
        assert_eq!(
            berlin.local_to_utc(local(2025, 7, 1, 0, 30)),
            Some(utc(2025, 6, 30, 22, 30))
        );
        // Spring-forward gap 02:00-03:00 on 2025-03-30: shifted forward by 1 h.
        assert_eq!(
            berlin.local_to_utc(local(2025, 3, 30, 2, 30)),
            Some(utc(2025, 3, 30, 1, 30))
        );
        assert_eq!(
            berlin.local_to_utc(local(2025, 3, 30, 3, 30)),
            Some(utc(2025, 3, 30, 1, 30))
        );
        // Fall-back overlap 02:00-03:00 on 2025-10-26: the earlier instant (CEST).
        assert_eq!(
            berlin.local_to_utc(local(2025, 10, 26, 2, 30)),
            Some(utc(2025, 10, 26, 0, 30))
        );
        assert_eq!(
            berlin.local_to_utc(local(2025, 10, 26, 3, 30)),
            Some(utc(2025, 10, 26, 2, 30))
        );
        // Lord Howe Island has a 30-minute gap (02:00 -> 02:30, +10:30 -> +11:00).
        let lord_howe = Zone::Named(chrono_tz::Australia::Lord_Howe);
        assert_eq!(
            lord_howe.local_to_utc(local(2025, 10, 5, 2, 15)),
            Some(utc(2025, 10, 4, 15, 45))
        );
        let minus530 = Zone::Fixed(FixedOffset::west_opt(19_800).expect("offset"));
        assert_eq!(
            minus530.local_to_utc(local(2025, 1, 1, 0, 0)),
            Some(utc(2025, 1, 1, 5, 30))
        );
        assert_eq!(
            Zone::Utc.local_to_utc(local(1969, 12, 31, 23, 0)),
            Some(-3_600_000_000)
        );
    }

    #[test]
    fn resolve_local_says_which_times_needed_the_policy() {
        let berlin = Zone::Named(chrono_tz::Europe::Berlin);
        let kind = |z: &Zone, t| z.resolve_local(t).map(|(_, k)| k);
        // 01:59 and 03:00 on the spring-forward day exist; 02:00-02:59 do not.
        assert_eq!(
            kind(&berlin, local(2025, 3, 30, 1, 59)),
            Some(LocalTime::Unique)
        );
        assert_eq!(
            kind(&berlin, local(2025, 3, 30, 2, 0)),
            Some(LocalTime::Skipped)
        );
        assert_eq!(
            kind(&berlin, local(2025, 3, 30, 2, 59)),
            Some(LocalTime::Skipped)
        );
        assert_eq!(
            kind(&berlin, local(2025, 3, 30, 3, 0)),
            Some(LocalTime::Unique)
        );
        // 02:00-02:59 on the fall-back day occur twice; 03:00 once.
        assert_eq!(
            kind(&berlin, local(2025, 10, 26, 1, 59)),
            Some(LocalTime::Unique)
        );
        assert_eq!(
            kind(&berlin, local(2025, 10, 26, 2, 0)),
            Some(LocalTime::Ambiguous)
        );
        assert_eq!(
            kind(&berlin, local(2025, 10, 26, 2, 59)),
            Some(LocalTime::Ambiguous)
        );
        assert_eq!(
            kind(&berlin, local(2025, 10, 26, 3, 0)),
            Some(LocalTime::Unique)
        );
        // The instants are those of local_to_utc: earlier for the repeated hour, shifted
        // forward for the skipped one.
        assert_eq!(
            berlin.resolve_local(local(2025, 10, 26, 2, 30)),
            Some((utc(2025, 10, 26, 0, 30), LocalTime::Ambiguous))
        );
        assert_eq!(
            berlin.resolve_local(local(2025, 3, 30, 2, 30)),
            Some((utc(2025, 3, 30, 1, 30), LocalTime::Skipped))
        );
        // No daylight-saving time in UTC or a fixed offset.
        let plus2 = Zone::Fixed(FixedOffset::east_opt(7200).expect("offset"));
        assert_eq!(
            kind(&Zone::Utc, local(2025, 10, 26, 2, 30)),
            Some(LocalTime::Unique)
        );
        assert_eq!(
            kind(&plus2, local(2025, 3, 30, 2, 30)),
            Some(LocalTime::Unique)
        );
        assert_eq!(LocalTime::Ambiguous.name(), "ambiguous");
    }
}
