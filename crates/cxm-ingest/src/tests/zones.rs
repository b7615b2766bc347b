//! End-to-end: the configured time zone, friendly formats and the dotted
//! date form through [`CsvSource`].

use super::*;
use crate::{CellErrorReason, IngestError, Zone, DATE_FORMAT_NAMES};

/// 2025-06-30T22:30:00Z.
const JUN30_2230Z: i64 = 1_751_322_600_000_000;

fn berlin() -> CsvOptions {
    CsvOptions {
        timezone: Some(cxm_period::parse_zone("Europe/Berlin").expect("zone")),
        ..CsvOptions::default()
    }
}

#[test]
fn timezone_applies_to_naive_datetimes_only() {
    let csv = "d,t\n\
               2025-07-01,2025-07-01 00:30:00\n\
               2025-07-01T00:30:00,2025-06-30T22:30:00Z\n\
               01.07.2025,01.07.2025 00:30\n\
               03/04/2025,2025-07-01T00:30:00+02:00\n";
    let (_d, path) = fixture("tz.csv", csv.as_bytes());
    let fields = vec![spec("d", FieldType::Date), spec("t", FieldType::Datetime)];
    let mut src = CsvSource::open(&path, fields.clone(), berlin()).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    // Dates are unaffected by the zone; the slashed date is ambiguous.
    assert_eq!(
        dates(&b, 0),
        [Some(20_270), Some(20_270), Some(20_270), None]
    );
    assert_eq!(stamps(&b, 1), [Some(JUN30_2230Z); 4]);
    let errors: Vec<_> = b.cell_errors.iter().map(|e| (e.row, e.reason)).collect();
    assert_eq!(errors, [(3, CellErrorReason::InvalidDate)]);

    // The default (None) is UTC.
    let mut src = open(&path, fields);
    let b = src.next_batch().expect("ok").expect("batch");
    let two_hours = 2 * 3_600_000_000;
    assert_eq!(
        stamps(&b, 1),
        [
            Some(JUN30_2230Z + two_hours),
            Some(JUN30_2230Z),
            Some(JUN30_2230Z + two_hours),
            Some(JUN30_2230Z)
        ]
    );
    assert_eq!(CsvOptions::default().timezone, None::<Zone>);
}

#[test]
fn friendly_formats_through_the_reader() {
    let csv = "eu,us,when\n03/04/2025,03/04/2025,01/07/2025 00:30\n";
    let (_d, path) = fixture("fmt.csv", csv.as_bytes());
    let fields = vec![
        spec("eu", FieldType::Date).with_format("dd/mm/yyyy"),
        spec("us", FieldType::Date).with_format("mm/dd/yyyy"),
        spec("when", FieldType::Datetime).with_format("dd/mm/yyyy hh:mm"),
    ];
    let mut src = CsvSource::open(&path, fields, berlin()).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert_eq!(dates(&b, 0), [Some(20_181)]); // 2025-04-03
    assert_eq!(dates(&b, 1), [Some(20_151)]); // 2025-03-04
    assert_eq!(stamps(&b, 2), [Some(JUN30_2230Z)]);
}

#[test]
fn unknown_format_names_list_the_friendly_ones() {
    let (_d, path) = fixture("f.csv", b"a\n1\n");
    let err = CsvSource::open(
        &path,
        vec![spec("a", FieldType::Datetime).with_format("dd-mm-yyyy")],
        CsvOptions::default(),
    )
    .expect_err("unknown name");
    assert!(matches!(err, IngestError::InvalidFormat { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("\"dd-mm-yyyy\""), "{msg}");
    assert!(msg.contains("strftime"), "{msg}");
    for name in DATE_FORMAT_NAMES {
        assert!(msg.contains(name), "{msg}");
    }
    // Formats are ignored for other types, as before.
    assert!(CsvSource::open(
        &path,
        vec![spec("a", FieldType::Integer).with_format("dd-mm-yyyy")],
        CsvOptions::default(),
    )
    .is_ok());
}
