//! The few text forms PostgreSQL sends that the shared cell parsers would not read as meant.
//!
//! * booleans arrive as `t` / `f`: they become `true` / `false` (the parser accepts `t` / `f`
//!   too; spelling them out keeps raw values readable in reports);
//! * `timestamptz` values arrive in the session's time zone with an offset such as `+00`,
//!   `+02` or `+05:30`, which the parser reads as is; only historical local-mean-time offsets
//!   with seconds (`+00:19:32`, from a zone's rules before standard time) are not readable, so
//!   those are converted to UTC (`2025-03-01T09:40:28Z`).
//!
//! Everything else (numbers, dates, text) is passed on unchanged.

use std::borrow::Cow;

use chrono::{Duration, NaiveDateTime};
use cxm_ingest::FieldType;

/// The text to hand to the cell parser for a value of a field of type `ty`.
pub(crate) fn normalise(ty: FieldType, text: &str) -> Cow<'_, str> {
    match (ty, text) {
        (FieldType::Boolean, "t") => Cow::Borrowed("true"),
        (FieldType::Boolean, "f") => Cow::Borrowed("false"),
        (FieldType::Datetime | FieldType::Date, _) => match offset_with_seconds(text) {
            Some(utc) => Cow::Owned(utc),
            None => Cow::Borrowed(text),
        },
        _ => Cow::Borrowed(text),
    }
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]±HH:MM:SS` as an RFC 3339 UTC instant; `None` for anything
/// else.
fn offset_with_seconds(text: &str) -> Option<String> {
    let split = text.len().checked_sub(9)?;
    let (local, offset) = (text.get(..split)?, text.get(split..)?.as_bytes());
    let sign = match offset.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    if offset.get(3) != Some(&b':') || offset.get(6) != Some(&b':') {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let d = offset.get(i..i + 2)?;
        if d.iter().all(u8::is_ascii_digit) {
            Some(i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
        } else {
            None
        }
    };
    let seconds = sign * (two(1)? * 3600 + two(4)? * 60 + two(7)?);
    let local = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    let utc = local.checked_sub_signed(Duration::seconds(seconds))?;
    Some(utc.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_are_spelled_out() {
        assert_eq!(normalise(FieldType::Boolean, "t"), "true");
        assert_eq!(normalise(FieldType::Boolean, "f"), "false");
        assert_eq!(normalise(FieldType::Boolean, "yes"), "yes");
        assert_eq!(normalise(FieldType::String, "t"), "t");
    }

    #[test]
    fn offsets_with_seconds_become_utc() {
        assert_eq!(
            normalise(FieldType::Datetime, "1900-01-01 00:00:00+00:19:32"),
            "1899-12-31T23:40:28Z"
        );
        assert_eq!(
            normalise(FieldType::Datetime, "1900-01-01 12:00:00.25-04:56:02"),
            "1900-01-01T16:56:02.250Z"
        );
        for plain in [
            "2025-03-01 10:00:00+00",
            "2025-03-01 10:00:00+05:30",
            "2025-03-01 10:00:00.123456-03",
            "2025-03-01",
            "infinity",
            "x 10:00:00+00:19:32",
        ] {
            assert_eq!(normalise(FieldType::Datetime, plain), plain);
        }
    }
}
