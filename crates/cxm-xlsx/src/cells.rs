//! Turning calamine cells into the text handed to `cxm_ingest::BatchBuilder`, so an
//! Excel value is parsed by exactly the same typed parsers as a CSV cell.

use std::fmt::Write as _;

use calamine::{DataRef, ExcelDateTime};

/// Excel serial of 10000-01-01: date cells at or past it (or negative) are not valid Excel
/// dates and are written as their serial number instead.
const MAX_DATE_SERIAL: f64 = 2_958_466.0;

/// Appends the text of `cell` to `out`; returns `false` (appending nothing) when the cell
/// is empty, which the reader passes on as a missing value.
///
/// - strings as they are (an empty string counts as empty);
/// - integers in decimal; floats that are whole numbers as integers (`7`, not `7.0`), others
///   with Rust's shortest round-trip `Display` (`2.5`, `0.30000000000000004`);
/// - booleans as `true` / `false`;
/// - date/time serials in cells formatted as dates: `YYYY-MM-DD` when the time of day is
///   zero, else `YYYY-MM-DD HH:MM:SS` (plus `.mmm` when there are milliseconds); the value is
///   a naive wall-clock time, so the configured zone applies. Durations (cells formatted
///   like `[h]:mm:ss`) and serials outside Excel's date range are written as the serial
///   number of days;
/// - ISO 8601 date/time and duration strings as they are;
/// - error cells as their Excel text (`#N/A`, `#DIV/0!`, ...), so a numeric field records a
///   cell error unless the text is one of the null values.
pub(crate) fn write_cell(cell: &DataRef<'_>, out: &mut String) -> bool {
    match cell {
        DataRef::Empty => return false,
        DataRef::SharedString(s) => {
            if s.is_empty() {
                return false;
            }
            out.push_str(s);
        }
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            if s.is_empty() {
                return false;
            }
            out.push_str(s);
        }
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
        }
        DataRef::Float(f) => write_float(*f, out),
        DataRef::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DataRef::DateTime(dt) => write_datetime(dt, out),
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
    true
}

/// Whether a cell holds nothing (no value, or an empty string).
pub(crate) fn is_blank(cell: &DataRef<'_>) -> bool {
    match cell {
        DataRef::Empty => true,
        DataRef::String(s) => s.is_empty(),
        DataRef::SharedString(s) => s.is_empty(),
        _ => false,
    }
}

/// The trimmed text of a header cell (empty for an empty cell).
pub(crate) fn header_text(cell: &DataRef<'_>) -> String {
    let mut out = String::new();
    write_cell(cell, &mut out);
    out.trim().to_owned()
}

/// A float: whole numbers without a fractional part, others in shortest round-trip form.
/// (Rust's `Display` for `f64` never uses an exponent and prints `7.0` as `7`.)
fn write_float(f: f64, out: &mut String) {
    if f == 0.0 {
        // Also turns -0.0 into "0".
        out.push('0');
    } else {
        let _ = write!(out, "{f}");
    }
}

fn write_datetime(dt: &ExcelDateTime, out: &mut String) {
    let serial = dt.as_f64();
    if dt.is_duration() || !(0.0..MAX_DATE_SERIAL).contains(&serial) {
        write_float(serial, out);
        return;
    }
    let (year, month, day, hour, min, sec, milli) = dt.to_ymd_hms_milli();
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
    if (hour, min, sec, milli) != (0, 0, 0, 0) {
        let _ = write!(out, " {hour:02}:{min:02}:{sec:02}");
        if milli != 0 {
            let _ = write!(out, ".{milli:03}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, Data, ExcelDateTimeType};

    /// The cell as the streaming reader sees it.
    fn as_ref(cell: &Data) -> DataRef<'_> {
        match cell {
            Data::Int(v) => DataRef::Int(*v),
            Data::Float(v) => DataRef::Float(*v),
            Data::String(v) => DataRef::SharedString(v),
            Data::Bool(v) => DataRef::Bool(*v),
            Data::DateTime(v) => DataRef::DateTime(*v),
            Data::DateTimeIso(v) => DataRef::DateTimeIso(v.clone()),
            Data::DurationIso(v) => DataRef::DurationIso(v.clone()),
            Data::Error(v) => DataRef::Error(v.clone()),
            Data::Empty => DataRef::Empty,
        }
    }

    fn text(cell: Data) -> Option<String> {
        let mut out = String::new();
        write_cell(&as_ref(&cell), &mut out).then_some(out)
    }

    fn header_text(cell: &Data) -> String {
        super::header_text(&as_ref(cell))
    }

    fn is_blank(cell: &Data) -> bool {
        super::is_blank(&as_ref(cell))
    }

    fn date(serial: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    #[test]
    fn scalars() {
        assert_eq!(text(Data::String(" a b ".into())).as_deref(), Some(" a b "));
        assert_eq!(text(Data::String(String::new())), None);
        assert_eq!(text(Data::Empty), None);
        assert_eq!(text(Data::Int(-42)).as_deref(), Some("-42"));
        assert_eq!(text(Data::Bool(true)).as_deref(), Some("true"));
        assert_eq!(text(Data::Bool(false)).as_deref(), Some("false"));
    }

    #[test]
    fn floats() {
        assert_eq!(text(Data::Float(7.0)).as_deref(), Some("7"));
        assert_eq!(text(Data::Float(-3.0)).as_deref(), Some("-3"));
        assert_eq!(text(Data::Float(-0.0)).as_deref(), Some("0"));
        assert_eq!(text(Data::Float(2.5)).as_deref(), Some("2.5"));
        assert_eq!(
            text(Data::Float(0.1 + 0.2)).as_deref(),
            Some("0.30000000000000004")
        );
        assert_eq!(
            text(Data::Float(1e16)).as_deref(),
            Some("10000000000000000")
        );
        assert_eq!(text(Data::Float(1e-7)).as_deref(), Some("0.0000001"));
    }

    #[test]
    fn dates_and_times() {
        // 45352 = 2024-03-01; .5 = noon; 45943.541 = 2025-10-13 12:59:02.400.
        assert_eq!(text(date(45352.0)).as_deref(), Some("2024-03-01"));
        assert_eq!(text(date(45352.5)).as_deref(), Some("2024-03-01 12:00:00"));
        assert_eq!(
            text(date(45943.541)).as_deref(),
            Some("2025-10-13 12:59:02.400")
        );
        let d1904 = ExcelDateTime::new(0.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(text(Data::DateTime(d1904)).as_deref(), Some("1904-01-01"));
        let span = ExcelDateTime::new(1.25, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(text(Data::DateTime(span)).as_deref(), Some("1.25"));
        assert_eq!(text(date(-1.0)).as_deref(), Some("-1"));
        assert_eq!(text(date(1e300)).as_deref().map(str::len), Some(301));
        assert_eq!(
            text(Data::DateTimeIso("2024-03-01T10:00:00".into())).as_deref(),
            Some("2024-03-01T10:00:00")
        );
        assert_eq!(
            text(Data::DurationIso("PT1H".into())).as_deref(),
            Some("PT1H")
        );
    }

    #[test]
    fn errors_and_headers() {
        assert_eq!(
            text(Data::Error(CellErrorType::NA)).as_deref(),
            Some("#N/A")
        );
        assert_eq!(
            text(Data::Error(CellErrorType::Div0)).as_deref(),
            Some("#DIV/0!")
        );
        assert_eq!(header_text(&Data::String("  score ".into())), "score");
        assert_eq!(header_text(&Data::Float(2024.0)), "2024");
        assert_eq!(header_text(&Data::Empty), "");
        assert!(is_blank(&Data::Empty) && is_blank(&Data::String(String::new())));
        assert!(!is_blank(&Data::String(" ".into())) && !is_blank(&Data::Int(0)));
        assert!(super::is_blank(&DataRef::String(String::new())));
        let mut out = String::new();
        assert!(!write_cell(&DataRef::String(String::new()), &mut out));
        assert!(write_cell(&DataRef::String("x".into()), &mut out) && out == "x");
    }
}
