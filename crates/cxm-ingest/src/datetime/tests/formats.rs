//! Friendly format names, the auto-accepted `dd.mm.yyyy` form, and the
//! rejection of ambiguous slashed dates without a declared format.

use super::*;

fn datef(s: &str, f: &str) -> Option<i32> {
    let f = DateFormat::new(f).expect("valid format");
    parse_date(s.as_bytes(), Some(&f))
}

/// 2025-03-14.
const MAR14: i32 = 20_161;
/// 2025-03-14T10:30:00Z.
const MAR14_1030: i64 = 1_741_948_200_000_000;

#[test]
fn friendly_names_map_to_strftime() {
    let strftime = |name: &str| match DateFormat::new(name) {
        Some(DateFormat::Strftime { fmt, has_offset }) => {
            assert!(!has_offset);
            fmt
        }
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(strftime("dd.mm.yyyy"), "%d.%m.%Y");
    assert_eq!(strftime("dd/mm/yyyy"), "%d/%m/%Y");
    assert_eq!(strftime("mm/dd/yyyy"), "%m/%d/%Y");
    assert_eq!(strftime("yyyy-mm-dd hh:mm:ss"), "%Y-%m-%d %H:%M:%S");
    assert_eq!(strftime("dd.mm.yyyy hh:mm"), "%d.%m.%Y %H:%M");
    assert_eq!(strftime("dd.mm.yyyy hh:mm:ss"), "%d.%m.%Y %H:%M:%S");
    assert_eq!(strftime("dd/mm/yyyy hh:mm"), "%d/%m/%Y %H:%M");
    assert_eq!(strftime("dd/mm/yyyy hh:mm:ss"), "%d/%m/%Y %H:%M:%S");
    assert_eq!(strftime(" DD.MM.YYYY "), "%d.%m.%Y");
    assert_eq!(DateFormat::new("iso"), Some(DateFormat::Iso));
    assert_eq!(DateFormat::new("ISO"), Some(DateFormat::Iso));
    assert_eq!(DATE_FORMAT_NAMES.len(), 9);
    for name in DATE_FORMAT_NAMES {
        assert!(DateFormat::new(name).is_some(), "{name}");
    }
    // Unknown names (no '%') and invalid strftime are rejected.
    for bad in ["dd-mm-yyyy", "yyyy/mm/dd", "european", "", "T", "%Q"] {
        assert_eq!(DateFormat::new(bad), None, "{bad}");
    }
}

#[test]
fn friendly_formats_parse() {
    assert_eq!(datef("14.03.2025", "dd.mm.yyyy"), Some(MAR14));
    assert_eq!(datef("14/03/2025", "dd/mm/yyyy"), Some(MAR14));
    assert_eq!(datef("03/14/2025", "mm/dd/yyyy"), Some(MAR14));
    assert_eq!(datef("14/03/2025", "mm/dd/yyyy"), None);
    assert_eq!(datef("14.03.2025 10:30", "dd.mm.yyyy hh:mm"), Some(MAR14));
    let utc = Zone::Utc;
    let dtf = |s: &str, f: &str| {
        let f = DateFormat::new(f).expect("valid format");
        parse_datetime(s.as_bytes(), Some(&f), &utc)
    };
    assert_eq!(
        dtf("2025-03-14 10:30:00", "yyyy-mm-dd hh:mm:ss"),
        Some(MAR14_1030)
    );
    assert_eq!(
        dtf("14.03.2025 10:30", "dd.mm.yyyy hh:mm"),
        Some(MAR14_1030)
    );
    assert_eq!(
        dtf("14.03.2025 10:30:00", "dd.mm.yyyy hh:mm:ss"),
        Some(MAR14_1030)
    );
    assert_eq!(
        dtf("14/03/2025 10:30", "dd/mm/yyyy hh:mm"),
        Some(MAR14_1030)
    );
    assert_eq!(
        dtf("14/03/2025 10:30:00", "dd/mm/yyyy hh:mm:ss"),
        Some(MAR14_1030)
    );
    assert_eq!(
        dtf("14.03.2025", "dd.mm.yyyy"),
        Some(MAR14_1030 - 10 * HOUR - HOUR / 2)
    );
    assert_eq!(dtf("14.03.2025 10:30", "dd.mm.yyyy"), None);
    // "iso" is the built-in ISO 8601 / RFC 3339 parsing, without dd.mm.yyyy.
    assert_eq!(dtf("2025-03-14T10:30:00Z", "iso"), Some(MAR14_1030));
    assert_eq!(dtf("2025-03-14 10:30", "iso"), Some(MAR14_1030));
    assert_eq!(
        dtf("Fri, 14 Mar 2025 10:30:00 +0000", "iso"),
        Some(MAR14_1030)
    );
    assert_eq!(dtf("14.03.2025 10:30", "iso"), None);
    assert_eq!(datef("2025-03-14", "iso"), Some(MAR14));
    assert_eq!(datef("14.03.2025", "iso"), None);
}

#[test]
fn dotted_dates_are_auto_accepted() {
    assert_eq!(date("14.03.2025"), Some(MAR14));
    assert_eq!(date("14.03.2025 10:30"), Some(MAR14));
    assert_eq!(date("31.12.1969"), Some(-1));
    assert_eq!(dt("14.03.2025"), Some(MAR14_1030 - 10 * HOUR - HOUR / 2));
    assert_eq!(dt("14.03.2025 10:30"), Some(MAR14_1030));
    assert_eq!(dt("14.03.2025 10:30:00"), Some(MAR14_1030));
    assert_eq!(dt("14.03.2025 10:30:00.5"), Some(MAR14_1030 + 500_000));
    for bad in [
        "32.01.2025",
        "29.02.2025",
        "14.13.2025",
        "1.3.2025",
        "14.03.25",
        "14.03.2025T10:30",
        "14.03.2025 10:30Z",
        "14.03.2025 10:30+01:00",
        "14.03.2025 24:00",
        "14.03.2025 10",
        "14.03.2025 ",
        "14-03-2025",
    ] {
        assert_eq!(dt(bad), None, "{bad}");
        assert_eq!(date(bad), None, "{bad}");
    }
}

#[test]
fn slashed_dates_need_a_declared_format() {
    // Ambiguous without a format: 3 April (dd/mm) or 4 March (mm/dd)?
    assert_eq!(date("03/04/2025"), None);
    assert_eq!(dt("03/04/2025"), None);
    assert_eq!(dt("03/04/2025 10:00"), None);
    assert_eq!(datef("03/04/2025", "dd/mm/yyyy"), Some(20_181)); // 2025-04-03
    assert_eq!(datef("03/04/2025", "mm/dd/yyyy"), Some(20_151)); // 2025-03-04
}
