//! Exact tests of period assignment: time-zone boundaries, daylight-saving
//! changes, ISO week 53, fiscal years, chronological keys, dates before 1970.

use chrono::{NaiveDate, NaiveDateTime};

use crate::{Grain, Period, PeriodError, PeriodRule, Zone};

const ALL: [Grain; 5] = Grain::ALL;

fn zone(name: &str) -> Zone {
    crate::parse_zone(name).expect("zone")
}

fn rule(grain: Grain, zone: Zone, fiscal_year_start: u32) -> PeriodRule {
    PeriodRule::new(grain, zone, fiscal_year_start).expect("rule")
}

/// Days since 1970-01-01.
fn days(y: i32, m: u32, d: u32) -> i32 {
    let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// Microseconds since the epoch of a UTC time given as `YYYY-MM-DDTHH:MM:SS`.
fn instant(s: &str) -> i64 {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .expect("time")
        .and_utc()
        .timestamp_micros()
}

fn ts_label(grain: Grain, zone: Zone, utc: &str) -> String {
    rule(grain, zone, 1)
        .of_timestamp(instant(utc))
        .expect("period")
        .label
}

fn date_label(grain: Grain, fiscal_year_start: u32, y: i32, m: u32, d: u32) -> String {
    rule(grain, Zone::Utc, fiscal_year_start)
        .of_date(days(y, m, d))
        .expect("period")
        .label
}

#[test]
fn grain_names_round_trip() {
    for g in ALL {
        assert_eq!(Grain::parse(g.name()), Some(g));
    }
    assert_eq!(Grain::parse("Month"), None);
    assert_eq!(Grain::parse("fortnight"), None);
    assert_eq!(Grain::Quarter.to_string(), "quarter");
}

#[test]
fn labels_of_each_grain() {
    assert_eq!(date_label(Grain::Day, 1, 2025, 3, 14), "2025-03-14");
    assert_eq!(date_label(Grain::Week, 1, 2025, 2, 28), "2025-W09");
    assert_eq!(date_label(Grain::Month, 1, 2025, 3, 14), "2025-03");
    assert_eq!(date_label(Grain::Quarter, 1, 2025, 3, 14), "2025-Q1");
    assert_eq!(date_label(Grain::Quarter, 1, 2025, 12, 31), "2025-Q4");
    assert_eq!(date_label(Grain::Year, 1, 2025, 3, 14), "2025");
}

#[test]
fn time_zone_boundaries() {
    let berlin = zone("Europe/Berlin");
    // 2025-03-31T22:30:00Z is 2025-04-01T00:30 CEST (+02:00) in Berlin.
    let t = "2025-03-31T22:30:00";
    assert_eq!(ts_label(Grain::Day, berlin, t), "2025-04-01");
    assert_eq!(ts_label(Grain::Month, berlin, t), "2025-04");
    assert_eq!(ts_label(Grain::Quarter, berlin, t), "2025-Q2");
    assert_eq!(ts_label(Grain::Month, Zone::Utc, t), "2025-03");
    assert_eq!(ts_label(Grain::Quarter, Zone::Utc, t), "2025-Q1");
    assert_eq!(ts_label(Grain::Month, zone("+02:00"), t), "2025-04");
    assert_eq!(ts_label(Grain::Month, zone("+01:00"), t), "2025-03");
    // New Year: 2025-01-01T03:00:00Z is still 2024-12-31 22:00 EST in New York.
    let new_york = zone("America/New_York");
    let t = "2025-01-01T03:00:00";
    assert_eq!(ts_label(Grain::Day, new_york, t), "2024-12-31");
    assert_eq!(ts_label(Grain::Year, new_york, t), "2024");
    assert_eq!(ts_label(Grain::Quarter, new_york, t), "2024-Q4");
    assert_eq!(ts_label(Grain::Year, Zone::Utc, t), "2025");
    // The next New York midnight (05:00Z) starts 2025 there.
    assert_eq!(
        ts_label(Grain::Year, new_york, "2025-01-01T04:59:59"),
        "2024"
    );
    assert_eq!(
        ts_label(Grain::Year, new_york, "2025-01-01T05:00:00"),
        "2025"
    );
    // A negative fixed offset at the epoch: still 1969 there.
    assert_eq!(
        ts_label(Grain::Day, zone("-0530"), "1970-01-01T05:29:59"),
        "1969-12-31"
    );
}

#[test]
fn daylight_saving_changes() {
    let berlin = zone("Europe/Berlin");
    // Spring forward on 2025-03-30 at 01:00Z (02:00 CET -> 03:00 CEST).
    // Before the change the offset is +01:00: midnight Berlin is 23:00Z.
    assert_eq!(
        ts_label(Grain::Day, berlin, "2025-03-29T22:59:59"),
        "2025-03-29"
    );
    assert_eq!(
        ts_label(Grain::Day, berlin, "2025-03-29T23:00:00"),
        "2025-03-30"
    );
    // After the change it is +02:00: the next midnight comes at 22:00Z.
    assert_eq!(
        ts_label(Grain::Day, berlin, "2025-03-30T21:59:59"),
        "2025-03-30"
    );
    assert_eq!(
        ts_label(Grain::Day, berlin, "2025-03-30T22:00:00"),
        "2025-03-31"
    );
    // Fall back on 2025-10-26 at 01:00Z: the evening is +01:00 again.
    assert_eq!(
        ts_label(Grain::Day, berlin, "2025-10-26T22:59:59"),
        "2025-10-26"
    );
    assert_eq!(
        ts_label(Grain::Day, berlin, "2025-10-26T23:00:00"),
        "2025-10-27"
    );
    // New York springs forward on 2025-03-09 (EST -05:00 -> EDT -04:00).
    let new_york = zone("America/New_York");
    assert_eq!(
        ts_label(Grain::Day, new_york, "2025-03-09T04:59:59"),
        "2025-03-08"
    );
    assert_eq!(
        ts_label(Grain::Day, new_york, "2025-03-09T05:00:00"),
        "2025-03-09"
    );
    assert_eq!(
        ts_label(Grain::Day, new_york, "2025-03-10T03:59:59"),
        "2025-03-09"
    );
    assert_eq!(
        ts_label(Grain::Day, new_york, "2025-03-10T04:00:00"),
        "2025-03-10"
    );
}

#[test]
fn iso_week_53() {
    assert_eq!(date_label(Grain::Week, 1, 2020, 12, 31), "2020-W53");
    assert_eq!(date_label(Grain::Week, 1, 2021, 1, 3), "2020-W53");
    assert_eq!(date_label(Grain::Week, 1, 2021, 1, 4), "2021-W01");
    // Week-years differ from calendar years at both ends.
    assert_eq!(date_label(Grain::Week, 1, 2019, 12, 30), "2020-W01");
    assert_eq!(date_label(Grain::Week, 1, 2020, 12, 28), "2020-W53");
    let week = rule(Grain::Week, Zone::Utc, 1);
    let key = |y, m, d| week.of_date(days(y, m, d)).expect("week").key;
    assert_eq!(key(2020, 12, 28), key(2021, 1, 3));
    assert_eq!(key(2021, 1, 4), key(2021, 1, 3) + 1);
    // Fiscal years do not affect weeks, days or months.
    assert_eq!(date_label(Grain::Week, 4, 2021, 1, 3), "2020-W53");
    assert_eq!(date_label(Grain::Month, 4, 2025, 3, 31), "2025-03");
    assert_eq!(date_label(Grain::Day, 7, 2025, 6, 30), "2025-06-30");
}

#[test]
fn fiscal_years() {
    // April start: FY2026 runs 2025-04-01 .. 2026-03-31.
    assert_eq!(date_label(Grain::Quarter, 4, 2025, 3, 31), "FY2025-Q4");
    assert_eq!(date_label(Grain::Quarter, 4, 2025, 4, 1), "FY2026-Q1");
    assert_eq!(date_label(Grain::Quarter, 4, 2025, 12, 31), "FY2026-Q3");
    assert_eq!(date_label(Grain::Year, 4, 2025, 4, 1), "FY2026");
    assert_eq!(date_label(Grain::Year, 4, 2025, 3, 31), "FY2025");
    assert_eq!(date_label(Grain::Year, 4, 2026, 3, 31), "FY2026");
    // July start (Microsoft): FY2026 runs 2025-07-01 .. 2026-06-30.
    assert_eq!(date_label(Grain::Quarter, 7, 2025, 6, 30), "FY2025-Q4");
    assert_eq!(date_label(Grain::Quarter, 7, 2025, 7, 1), "FY2026-Q1");
    assert_eq!(date_label(Grain::Quarter, 7, 2025, 9, 30), "FY2026-Q1");
    assert_eq!(date_label(Grain::Quarter, 7, 2025, 10, 1), "FY2026-Q2");
    assert_eq!(date_label(Grain::Year, 7, 2025, 7, 1), "FY2026");
    // December start: only December belongs to the next fiscal year.
    assert_eq!(date_label(Grain::Quarter, 12, 2025, 12, 1), "FY2026-Q1");
    assert_eq!(date_label(Grain::Quarter, 12, 2025, 11, 30), "FY2025-Q4");
    // A January start keeps calendar labels.
    assert_eq!(date_label(Grain::Quarter, 1, 2025, 4, 1), "2025-Q2");
    assert_eq!(date_label(Grain::Year, 1, 2025, 4, 1), "2025");
    // Fiscal quarters follow the zone too: 2025-03-31T22:30Z is April in Berlin.
    let fiscal = rule(Grain::Quarter, zone("Europe/Berlin"), 4);
    let period = fiscal.of_timestamp(instant("2025-03-31T22:30:00"));
    assert_eq!(period.map(|p| p.label).as_deref(), Some("FY2026-Q1"));
}

#[test]
fn fiscal_start_is_checked() {
    for bad in [0, 13] {
        assert_eq!(
            PeriodRule::new(Grain::Year, Zone::Utc, bad),
            Err(PeriodError::InvalidFiscalStart { month: bad })
        );
    }
    let msg = PeriodError::InvalidFiscalStart { month: 13 }.to_string();
    assert!(msg.contains("13") && msg.contains("1..=12"), "{msg}");
    // A rule built by hand with a bad start yields no fiscal periods.
    let manual = PeriodRule {
        grain: Grain::Quarter,
        zone: Zone::Utc,
        fiscal_year_start: 13,
    };
    assert_eq!(manual.of_date(0), None);
    let manual = PeriodRule {
        grain: Grain::Month,
        ..manual
    };
    assert_eq!(
        manual.of_date(0).map(|p| p.label).as_deref(),
        Some("1970-01")
    );
}

/// Walks every day from 1968-11-01 to 1971-03-01 and 2019-11-01 to 2022-03-01
/// under every grain and fiscal start: keys never decrease, change exactly
/// when the label changes, step by one, and `label(key)` matches.
#[test]
fn keys_are_chronological_and_dense() {
    for (from, to) in [
        (days(1968, 11, 1), days(1971, 3, 1)),
        (days(2019, 11, 1), days(2022, 3, 1)),
    ] {
        for grain in ALL {
            for start in 1..=12 {
                let rule = rule(grain, Zone::Utc, start);
                let mut prev: Option<Period> = None;
                for d in from..=to {
                    let p = rule.of_date(d).expect("period");
                    assert_eq!(rule.label(p.key).as_ref(), Some(&p.label));
                    if let Some(q) = &prev {
                        let step = p.key - q.key;
                        assert!(step == 0 || step == 1, "{grain} {start}: {q:?} -> {p:?}");
                        assert_eq!(step == 0, p.label == q.label, "{q:?} -> {p:?}");
                    }
                    prev = Some(p);
                }
            }
        }
    }
}

#[test]
fn keys_order_across_year_ends() {
    type Ymd = (i32, u32, u32);
    let cases: [(Grain, u32, Ymd, Ymd); 6] = [
        (Grain::Day, 1, (2024, 12, 31), (2025, 1, 1)),
        (Grain::Week, 1, (2020, 12, 27), (2020, 12, 28)),
        (Grain::Month, 1, (2024, 12, 31), (2025, 1, 1)),
        (Grain::Quarter, 1, (2024, 12, 31), (2025, 1, 1)),
        (Grain::Quarter, 7, (2025, 6, 30), (2025, 7, 1)),
        (Grain::Year, 4, (2025, 3, 31), (2025, 4, 1)),
    ];
    for (grain, start, (y1, m1, d1), (y2, m2, d2)) in cases {
        let r = rule(grain, Zone::Utc, start);
        let a = r.of_date(days(y1, m1, d1)).expect("a");
        let b = r.of_date(days(y2, m2, d2)).expect("b");
        assert_eq!(b.key, a.key + 1, "{grain} {start}: {a:?} {b:?}");
        // Label order agrees with key order for these four-digit years.
        assert!(a.label < b.label, "{a:?} {b:?}");
    }
}

#[test]
fn dates_before_1970() {
    assert_eq!(date_label(Grain::Day, 1, 1969, 12, 31), "1969-12-31");
    assert_eq!(date_label(Grain::Week, 1, 1969, 12, 29), "1970-W01");
    assert_eq!(date_label(Grain::Week, 1, 1969, 12, 28), "1969-W52");
    assert_eq!(date_label(Grain::Month, 1, 1969, 12, 31), "1969-12");
    assert_eq!(date_label(Grain::Quarter, 1, 1969, 12, 31), "1969-Q4");
    assert_eq!(date_label(Grain::Year, 7, 1969, 7, 1), "FY1970");
    assert_eq!(date_label(Grain::Quarter, 10, 1900, 2, 28), "FY1900-Q2");
    assert_eq!(date_label(Grain::Day, 1, 987, 6, 5), "0987-06-05");
    let day = rule(Grain::Day, Zone::Utc, 1);
    assert_eq!(day.of_date(-1).map(|p| p.key), Some(-1));
    let week = rule(Grain::Week, Zone::Utc, 1);
    assert_eq!(week.of_date(days(1969, 12, 29)).map(|p| p.key), Some(0));
    assert_eq!(week.of_date(days(1969, 12, 28)).map(|p| p.key), Some(-1));
    assert_eq!(
        ts_label(Grain::Month, Zone::Utc, "1969-12-31T23:59:59"),
        "1969-12"
    );
    let year = rule(Grain::Year, Zone::Utc, 1);
    assert_eq!(
        year.of_date(days(-44, 3, 15)).map(|p| p.label).as_deref(),
        Some("-0044")
    );
}

#[test]
fn out_of_range_is_none() {
    for grain in ALL {
        let r = rule(grain, zone("Europe/Berlin"), 4);
        assert_eq!(r.of_date(i32::MAX), None);
        assert_eq!(r.of_date(i32::MIN), None);
        assert_eq!(r.of_timestamp(i64::MAX), None);
        assert_eq!(r.of_timestamp(i64::MIN), None);
        assert_eq!(r.label(i64::MAX), None);
        assert_eq!(r.label(i64::MIN), None);
    }
}
