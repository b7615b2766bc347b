//! Tests of date and datetime parsing: the ISO fast path, the chrono
//! fallback and strftime formats (UTC); zones and friendly formats in the
//! submodules.

mod formats;
mod zones;

use super::format::format_has_offset;
use super::*;

/// 2025-03-01T00:00:00Z in microseconds.
const MAR1: i64 = 1_740_787_200_000_000;
const HOUR: i64 = 3_600_000_000;

fn dt(s: &str) -> Option<i64> {
    parse_datetime(s.as_bytes(), None, &Zone::Utc)
}

fn dtf(s: &str, f: &str) -> Option<i64> {
    let f = DateFormat::new(f).expect("valid format");
    parse_datetime(s.as_bytes(), Some(&f), &Zone::Utc)
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

#[test]
fn civil_days_match_chrono_for_every_day_and_reject_impossible_dates() {
    for year in [0, 1, 1600, 1900, 1969, 1970, 2000, 2024, 2025, 2100, 9999] {
        for month in 1..=12 {
            for day in 1..=31 {
                let expected = NaiveDate::from_ymd_opt(year, month, day).map(days_since_epoch);
                assert_eq!(
                    civil_days(year, month, day),
                    expected,
                    "{year}-{month}-{day}"
                );
            }
        }
    }
    assert_eq!(civil_days(1970, 1, 1), Some(0));
    assert_eq!(civil_days(2025, 3, 1), Some(20_148));
    assert_eq!(civil_days(2024, 2, 29), Some(19_782));
    assert_eq!(civil_days(2025, 2, 29), None);
    assert_eq!(civil_days(2025, 0, 1), None);
    assert_eq!(civil_days(2025, 13, 1), None);
    assert_eq!(civil_days(2025, 4, 0), None);
}

#[test]
fn the_seconds_fast_path_agrees_with_the_general_parser() {
    let general = |s: &[u8]| {
        // The general path: the same text with a redundant ".0" fraction.
        let mut long = s.to_vec();
        long.extend_from_slice(b".0");
        parse_iso(&long).map(|p| (p.days, p.secs, p.micros, p.offset_secs))
    };
    for text in [
        "2024-03-15T13:45:12",
        "2024-03-15t13:45:12",
        "2024-03-15 00:00:00",
        "1970-01-01T00:00:00",
        "2024-02-29T23:59:59",
        "9999-12-31T23:59:59",
    ] {
        let fast = parse_iso_seconds(text.as_bytes().try_into().unwrap())
            .map(|p| (p.days, p.secs, p.micros, p.offset_secs));
        assert!(fast.is_some(), "{text}");
        assert_eq!(fast, general(text.as_bytes()), "{text}");
    }
    for bad in [
        "2025-02-29T10:00:00",
        "2024-13-01T10:00:00",
        "2024-03-15T24:00:00",
        "2024-03-15T23:60:00",
        "2024-03-15T23:59:60",
        "2024-03-15X23:59:59",
        "2024-03-1aT23:59:59",
        "2024/03/15T23:59:59",
        "2024-03-15T23-59-59",
        "+024-03-15T23:59:59",
    ] {
        assert!(
            parse_iso_seconds(bad.as_bytes().try_into().unwrap()).is_none(),
            "{bad}"
        );
        assert_eq!(
            parse_iso(bad.as_bytes()).is_none(),
            general(bad.as_bytes()).is_none(),
            "{bad}"
        );
    }
}

/// A column's parser that reuses the date of the value before gives exactly what the
/// plain parser gives, value after value: same dates, broken times after a good date, a
/// good time after a broken date, other forms, daylight-saving gaps and overlaps.
#[test]
fn reusing_the_last_date_changes_no_value() {
    let values = [
        "2024-03-31T01:59:59",
        "2024-03-31T02:30:00", // skipped in Berlin
        "2024-03-31 03:00:00",
        "2024-03-31t23:59:59",
        "2024-03-31T24:00:00",
        "2024-03-31T23:60:00",
        "2024-03-31T2a:00:00",
        "2024-03-31X12:00:00",
        "2024-03-31T12-00:00",
        "2024-03-31T12:00:00Z",
        "2024-03-31T12:00",
        "2024-02-30T12:00:00",
        "2024-02-30T12:00:01",
        "2024-02-29T12:00:00",
        "2023-02-29T12:00:00",
        "2024-10-27T02:30:00", // twice in Berlin
        "2024-10-27T02:30:00",
        "27.10.2024 02:30:00",
        "2024-10-27T02:30:01",
        "2024/10/27T02:30:01",
        "2024-10-27T02:30:01",
        "0000-01-01T00:00:00",
        "9999-12-31T23:59:59",
    ];
    let zones = [
        Zone::Utc,
        cxm_period::parse_zone("+03:00").expect("fixed"),
        cxm_period::parse_zone("Europe/Berlin").expect("named"),
    ];
    let formats = [
        None,
        Some(DateFormat::new("iso").expect("iso")),
        Some(DateFormat::new("%Y-%m-%dT%H:%M:%S").expect("strftime")),
    ];
    for zone in &zones {
        for format in &formats {
            let mut last = LastDate::default();
            for value in values {
                let s = value.as_bytes();
                assert_eq!(
                    last.parse(s, format.as_ref(), zone),
                    parse_datetime_resolved(s, format.as_ref(), zone),
                    "{value} in {zone:?} with {format:?}"
                );
            }
        }
    }
    // The date is taken from the value before: a repeated date skips the date's checks.
    let mut last = LastDate::default();
    assert!(last
        .parse(b"2024-03-31T01:00:00", None, &Zone::Utc)
        .is_some());
    assert_eq!(
        last.parse(b"2024-03-31T02:00:00", None, &Zone::Utc),
        parse_datetime_resolved(b"2024-03-31T02:00:00", None, &Zone::Utc)
    );
    assert!(matches!(last.date, Some((d, _)) if &d == b"2024-03-31"));
}
