//! Datetimes without an offset in a configured time zone, including
//! daylight-saving gaps and overlaps; values with an offset keep it.

use super::*;

fn zone(name: &str) -> Zone {
    cxm_period::parse_zone(name).expect("zone")
}

fn dtz(s: &str, zone: &Zone) -> Option<i64> {
    parse_datetime(s.as_bytes(), None, zone)
}

fn dtfz(s: &str, f: &str, zone: &Zone) -> Option<i64> {
    let f = DateFormat::new(f).expect("valid format");
    parse_datetime(s.as_bytes(), Some(&f), zone)
}

/// 2025-06-30T22:30:00Z.
const JUN30_2230Z: i64 = 1_751_322_600_000_000;

#[test]
fn naive_values_are_local_time_in_the_zone() {
    let berlin = zone("Europe/Berlin");
    // CEST (+02:00): local 00:30 on 1 July is 22:30Z on 30 June.
    assert_eq!(dtz("2025-07-01 00:30:00", &berlin), Some(JUN30_2230Z));
    assert_eq!(dtz("2025-07-01T00:30", &berlin), Some(JUN30_2230Z));
    assert_eq!(dtz("2025-07-01T00:30:00.000", &berlin), Some(JUN30_2230Z));
    // Dotted European form and declared formats follow the zone too.
    assert_eq!(dtz("01.07.2025 00:30", &berlin), Some(JUN30_2230Z));
    assert_eq!(
        dtfz("01/07/2025 00:30", "dd/mm/yyyy hh:mm", &berlin),
        Some(JUN30_2230Z)
    );
    assert_eq!(
        dtfz("2025-07-01 00:30:00", "%Y-%m-%d %H:%M:%S", &berlin),
        Some(JUN30_2230Z)
    );
    // A date alone is local midnight.
    assert_eq!(
        dtz("2025-07-01", &berlin),
        Some(JUN30_2230Z - 30 * 60_000_000)
    );
    assert_eq!(
        dtfz("01.07.2025", "dd.mm.yyyy", &berlin),
        Some(JUN30_2230Z - 30 * 60_000_000)
    );
    // In winter Berlin is +01:00.
    assert_eq!(dtz("2025-03-01 01:00:00", &berlin), Some(MAR1));
    // Fixed offsets.
    assert_eq!(dtz("2025-03-01 05:30", &zone("+05:30")), Some(MAR1));
    assert_eq!(dtz("2025-02-28 18:30", &zone("-0530")), Some(MAR1));
    // UTC and the default are the same.
    assert_eq!(dtz("2025-06-30 22:30:00", &zone("UTC")), Some(JUN30_2230Z));
}

#[test]
fn values_with_an_offset_ignore_the_zone() {
    let berlin = zone("Europe/Berlin");
    for v in [
        "2025-06-30T22:30:00Z",
        "2025-06-30T22:30:00z",
        "2025-07-01T00:30:00+02:00",
        "2025-06-30T17:30:00-05:00",
        "2025-07-01T03:30:00+0500",
        "Mon, 30 Jun 2025 22:30:00 +0000",
        "2025-06-30 22:30:00 +0000",
    ] {
        assert_eq!(dtz(v, &berlin), Some(JUN30_2230Z), "{v}");
        assert_eq!(dtz(v, &Zone::Utc), Some(JUN30_2230Z), "{v}");
    }
    assert_eq!(
        dtfz("30/06/2025 22:30 +0000", "%d/%m/%Y %H:%M %z", &berlin),
        Some(JUN30_2230Z)
    );
    // A date-only format with an offset is midnight at that offset.
    assert_eq!(
        dtfz("01/03/2025 +0200", "%d/%m/%Y %z", &berlin),
        Some(MAR1 - 2 * HOUR)
    );
    // Dates have no zone.
    assert_eq!(parse_date(b"2025-07-01T00:30:00", None), Some(20_270));
}

#[test]
fn spring_forward_gap_is_shifted_forward() {
    // Berlin 2025-03-30: 02:00 CET -> 03:00 CEST; 02:30 does not exist and is
    // read as 03:30 CEST = 01:30Z (the offset before the gap, +01:00).
    let berlin = zone("Europe/Berlin");
    let gap = Some(1_743_298_200_000_000);
    assert_eq!(dtz("2025-03-30 02:30:00", &berlin), gap);
    assert_eq!(dtz("2025-03-30 03:30:00", &berlin), gap);
    assert_eq!(
        dtz("2025-03-30 01:59:59", &berlin),
        Some(1_743_296_399_000_000)
    );
    assert_eq!(
        dtz("2025-03-30 02:00:00", &berlin),
        Some(1_743_296_400_000_000)
    );
    assert_eq!(
        dtz("2025-03-30 03:00:00", &berlin),
        Some(1_743_296_400_000_000)
    );
    // New York 2025-03-09: 02:00 EST -> 03:00 EDT; 02:30 is 07:30Z.
    let new_york = zone("America/New_York");
    assert_eq!(
        dtz("2025-03-09 02:30", &new_york),
        Some(1_741_505_400_000_000)
    );
    assert_eq!(
        dtfz("03/09/2025 02:30", "%m/%d/%Y %H:%M", &new_york),
        Some(1_741_505_400_000_000)
    );
}

#[test]
fn fall_back_overlap_takes_the_earlier_instant() {
    // Berlin 2025-10-26: 03:00 CEST -> 02:00 CET; 02:30 happens twice,
    // first at 00:30Z (CEST) and again at 01:30Z (CET).
    let berlin = zone("Europe/Berlin");
    assert_eq!(
        dtz("2025-10-26 02:30:00", &berlin),
        Some(1_761_438_600_000_000)
    );
    assert_eq!(
        dtz("26.10.2025 02:30", &berlin),
        Some(1_761_438_600_000_000)
    );
    // Explicit offsets select either occurrence.
    assert_eq!(
        dtz("2025-10-26T02:30:00+01:00", &berlin),
        Some(1_761_442_200_000_000)
    );
    assert_eq!(
        dtz("2025-10-26T02:30:00+02:00", &berlin),
        Some(1_761_438_600_000_000)
    );
    // New York 2025-11-02: 01:30 is first EDT (-04:00) = 05:30Z.
    let new_york = zone("America/New_York");
    assert_eq!(
        dtz("2025-11-02 01:30:00", &new_york),
        Some(1_762_061_400_000_000)
    );
}

#[test]
fn daylight_saving_resolutions_are_reported() {
    let berlin = zone("Europe/Berlin");
    let kind = |s: &str, f: Option<&str>| {
        let f = f.map(|f| DateFormat::new(f).expect("valid format"));
        parse_datetime_resolved(s.as_bytes(), f.as_ref(), &berlin).map(|(_, k)| k)
    };
    // The repeated hour of 2025-10-26 and the skipped hour of 2025-03-30, in every form.
    assert_eq!(
        kind("2025-10-26 02:30:00", None),
        Some(LocalTime::Ambiguous)
    );
    assert_eq!(kind("2025-10-26T02:30", None), Some(LocalTime::Ambiguous));
    assert_eq!(kind("26.10.2025 02:30", None), Some(LocalTime::Ambiguous));
    assert_eq!(
        kind("26/10/2025 02:30", Some("dd/mm/yyyy hh:mm")),
        Some(LocalTime::Ambiguous)
    );
    assert_eq!(kind("2025-03-30 02:30:00", None), Some(LocalTime::Skipped));
    assert_eq!(kind("30.03.2025 02:15", None), Some(LocalTime::Skipped));
    // Ordinary times, dates (local midnight) and values with an offset are unique.
    assert_eq!(kind("2025-10-26 03:30:00", None), Some(LocalTime::Unique));
    assert_eq!(kind("2025-10-26", None), Some(LocalTime::Unique));
    assert_eq!(
        kind("2025-10-26T02:30:00+01:00", None),
        Some(LocalTime::Unique)
    );
    assert_eq!(kind("2025-10-26T02:30:00Z", None), Some(LocalTime::Unique));
    // The instant is the one parse_datetime gives: the earlier one (CEST).
    assert_eq!(
        parse_datetime_resolved(b"2025-10-26 02:30:00", None, &berlin),
        dtz("2025-10-26 02:30:00", &berlin).map(|t| (t, LocalTime::Ambiguous))
    );
    // In UTC nothing is ambiguous.
    assert_eq!(
        parse_datetime_resolved(b"2025-10-26 02:30:00", None, &Zone::Utc).map(|(_, k)| k),
        Some(LocalTime::Unique)
    );
}
