//! The text of a key cell: keys of the two sides of a lookup match by text, whatever the
//! types they were read as (an integer `42` matches the text `42`).

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use std::fmt::Write;

/// The key text of `row` (`None` for an empty cell), written into `buf` unless the column
/// holds text.
pub(crate) fn text<'a>(column: &'a ArrayRef, row: usize, buf: &'a mut String) -> Option<&'a str> {
    if column.is_null(row) {
        return None;
    }
    buf.clear();
    match column.data_type() {
        DataType::Utf8 => return Some(column.as_string::<i32>().value(row)),
        DataType::Int64 => {
            let _ = write!(buf, "{}", column.as_primitive::<Int64Type>().value(row));
        }
        DataType::Float64 => {
            let _ = write!(buf, "{}", column.as_primitive::<Float64Type>().value(row));
        }
        DataType::Boolean => {
            let _ = write!(buf, "{}", column.as_boolean().value(row));
        }
        DataType::Date32 => {
            let days = column.as_primitive::<Date32Type>().value(row);
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)?;
            let _ = write!(buf, "{date}");
        }
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            let _ = write!(buf, "{micros}");
        }
        _ => return None,
    }
    Some(buf.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Date32Array, Int64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn keys_are_texts_whatever_their_type() {
        let mut buf = String::new();
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(42), None]));
        assert_eq!(text(&ints, 0, &mut buf), Some("42"));
        assert_eq!(text(&ints, 1, &mut buf), None);
        let texts: ArrayRef = Arc::new(StringArray::from(vec!["C-1"]));
        assert_eq!(text(&texts, 0, &mut buf), Some("C-1"));
        // 2024-03-01 is day 19783 of the Unix epoch.
        let dates: ArrayRef = Arc::new(Date32Array::from(vec![19783]));
        assert_eq!(text(&dates, 0, &mut buf), Some("2024-03-01"));
    }
}
