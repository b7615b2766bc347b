//! Per-field column builders: turn the raw bytes of mapped cells into values
//! appended to the right Arrow builder, or nulls plus error reasons; a datetime
//! resolved by the daylight-saving rule is reported to the caller
//! ([`ColumnParser::append_column`]).

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::ArrayRef;

use cxm_period::{LocalTime, Zone};

use crate::datetime::{parse_date, DateFormat, LastDate};
use crate::numbers::NumberFormat;
use crate::types::{parse_boolean, parse_integer, parse_number, CellErrorReason, FieldType};

/// The Arrow builder of one column.
#[derive(Debug)]
enum Builder {
    Integer(Int64Builder),
    Number(Float64Builder),
    String(StringBuilder),
    Boolean(BooleanBuilder),
    Date(Date32Builder),
    Datetime(TimestampMicrosecondBuilder),
}

/// Parses one mapped column and accumulates its values for the current batch.
#[derive(Debug)]
pub(crate) struct ColumnParser {
    format: Option<DateFormat>,
    /// Zone of `Datetime` values without an offset.
    zone: Zone,
    /// How `Integer` and `Number` cells are written.
    number: NumberFormat,
    /// Scratch space for rewriting numbers.
    scratch: Vec<u8>,
    builder: Builder,
    /// The date of the last timestamp parsed column by column.
    last_date: LastDate,
}

impl ColumnParser {
    /// A parser for a column of type `ty`; `format` is only used by `Date`
    /// and `Datetime` columns.
    pub(crate) fn new(ty: FieldType, format: Option<DateFormat>, capacity: usize) -> Self {
        let builder = match ty {
            FieldType::Integer => Builder::Integer(Int64Builder::with_capacity(capacity)),
            FieldType::Number => Builder::Number(Float64Builder::with_capacity(capacity)),
            FieldType::String => {
                Builder::String(StringBuilder::with_capacity(capacity, capacity * 16))
            }
            FieldType::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(capacity)),
            FieldType::Date => Builder::Date(Date32Builder::with_capacity(capacity)),
            FieldType::Datetime => Builder::Datetime(
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC"),
            ),
        };
        ColumnParser {
            format,
            zone: Zone::Utc,
            number: NumberFormat::default(),
            scratch: Vec::new(),
            builder,
            last_date: LastDate::default(),
        }
    }

    /// Sets how `Integer` and `Number` cells are written (default plain).
    pub(crate) fn with_number_format(mut self, number: NumberFormat) -> Self {
        self.number = number;
        self
    }

    /// True for a `String` column.
    #[cfg(test)]
    pub(crate) fn is_string(&self) -> bool {
        matches!(self.builder, Builder::String(_))
    }

    /// Sets the zone of `Datetime` values without an offset (default UTC).
    pub(crate) fn with_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// Appends a null.
    pub(crate) fn append_null(&mut self) {
        match &mut self.builder {
            Builder::Integer(b) => b.append_null(),
            Builder::Number(b) => b.append_null(),
            Builder::String(b) => b.append_null(),
            Builder::Boolean(b) => b.append_null(),
            Builder::Date(b) => b.append_null(),
            Builder::Datetime(b) => b.append_null(),
        }
    }

    /// Parses one non-null cell (trimmed, except for `String` columns read without
    /// trimming) and appends it, through [`ColumnParser::append_column`]. On failure a null
    /// is appended and the reason returned.
    #[cfg(test)]
    pub(crate) fn append(&mut self, cell: &[u8]) -> Result<(), CellErrorReason> {
        let mut result = Ok(());
        self.append_column(
            1,
            |_| cell,
            |_| false,
            false,
            |_, _, reason| result = Err(reason),
            |_, _| {},
        );
        result
    }

    /// Parses and appends `rows` cells of this column at once (the column-by-column path
    /// of [`crate::builder::BatchBuilder::push_columns`]): `cell(row)` is the raw cell,
    /// `is_null` says whether a trimmed cell is a null value, `trim` whether `String`
    /// cells are trimmed. A cell that does not parse becomes a null and is reported to
    /// `on_error(row, raw, reason)`; a local time resolved by the daylight-saving rule to
    /// `on_resolved(row, kind)`. The same values, errors and flags as [`ColumnParser::append`]
    /// cell after cell, with the choice of parser made once per column instead of per cell.
    pub(crate) fn append_column<'c>(
        &mut self,
        rows: usize,
        cell: impl Fn(usize) -> &'c [u8],
        is_null: impl Fn(&[u8]) -> bool,
        trim: bool,
        mut on_error: impl FnMut(usize, &'c [u8], CellErrorReason),
        mut on_resolved: impl FnMut(usize, LocalTime),
    ) {
        let ColumnParser {
            format,
            zone,
            number,
            scratch,
            builder,
            last_date,
            ..
        } = self;
        let format = format.as_ref();
        // Each arm: for every row, the trimmed cell, a null when it is a null value, else
        // its parsed value or a null and an error.
        macro_rules! each_cell {
            ($b:ident, |$row:ident, $raw:ident, $trimmed:ident| $parse:expr) => {
                for $row in 0..rows {
                    let $raw = cell($row);
                    let $trimmed = $raw.trim_ascii();
                    if is_null($trimmed) {
                        $b.append_null();
                        continue;
                    }
                    match $parse {
                        Ok(v) => $b.append_value(v),
                        Err(reason) => {
                            $b.append_null();
                            on_error($row, $raw, reason);
                        }
                    }
                }
            };
        }
        match builder {
            Builder::Integer(b) => each_cell!(b, |row, raw, t| number
                .normalize(t, scratch)
                .and_then(parse_integer)),
            Builder::Number(b) => each_cell!(b, |row, raw, t| number
                .normalize(t, scratch)
                .and_then(parse_number)),
            Builder::String(b) => {
                each_cell!(b, |row, raw, t| utf8_text(if trim { t } else { raw })
                    .ok_or(CellErrorReason::InvalidUtf8))
            }
            Builder::Boolean(b) => each_cell!(b, |row, raw, t| parse_boolean(t)),
            Builder::Date(b) => each_cell!(b, |row, raw, t| parse_date(t, format)
                .ok_or(CellErrorReason::InvalidDate)),
            Builder::Datetime(b) => each_cell!(b, |row, raw, t| {
                match last_date.parse(t, format, zone) {
                    Some((v, kind)) => {
                        if kind != LocalTime::Unique {
                            on_resolved(row, kind);
                        }
                        Ok(v)
                    }
                    None => Err(CellErrorReason::InvalidDatetime),
                }
            }),
        }
    }

    /// Takes the values accumulated so far as an array, resetting the builder.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match &mut self.builder {
            Builder::Integer(b) => Arc::new(b.finish()),
            Builder::Number(b) => Arc::new(b.finish()),
            Builder::String(b) => Arc::new(b.finish()),
            Builder::Boolean(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Datetime(b) => Arc::new(b.finish()),
        }
    }
}

/// The cell as text, `None` when it is not valid UTF-8. Most cells are ASCII, which is
/// checked more cheaply than full UTF-8 validation.
fn utf8_text(cell: &[u8]) -> Option<&str> {
    if cell.is_ascii() {
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(cell) })
    } else {
        std::str::from_utf8(cell).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int64Array, StringArray, TimestampMicrosecondArray};

    #[test]
    fn builds_typed_arrays_with_nulls_on_error() {
        let mut p = ColumnParser::new(FieldType::Integer, None, 4);
        assert_eq!(p.append(b"7.0"), Ok(()));
        assert_eq!(p.append(b"7.5"), Err(CellErrorReason::NotAnInteger));
        p.append_null();
        let arr = p.finish();
        let ints = arr.as_any().downcast_ref::<Int64Array>().expect("int64");
        assert_eq!(ints.len(), 3);
        assert_eq!(ints.value(0), 7);
        assert!(ints.is_null(1) && ints.is_null(2));
        // The builder is reset after finish.
        assert_eq!(p.finish().len(), 0);
    }

    #[test]
    fn number_formats_apply_to_numeric_columns() {
        let format = NumberFormat {
            decimal_comma: true,
            thousands: None,
        };
        let mut n = ColumnParser::new(FieldType::Number, None, 2).with_number_format(format);
        assert_eq!(n.append(b"1.234,5"), Ok(()));
        assert_eq!(n.append(b"4.5"), Err(CellErrorReason::NotANumber));
        let arr = n.finish();
        let floats = arr
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>()
            .expect("f64");
        assert_eq!(floats.value(0), 1234.5);
        assert!(floats.is_null(1));
        let mut i = ColumnParser::new(FieldType::Integer, None, 1).with_number_format(format);
        assert_eq!(i.append(b"1.000"), Ok(()));
        assert!(!i.is_string());
    }

    #[test]
    fn string_and_timestamp_columns() {
        let mut s = ColumnParser::new(FieldType::String, None, 2);
        assert_eq!(s.append(b"ok"), Ok(()));
        assert_eq!(s.append(b"\xff"), Err(CellErrorReason::InvalidUtf8));
        let arr = s.finish();
        let strs = arr.as_any().downcast_ref::<StringArray>().expect("utf8");
        assert_eq!(strs.value(0), "ok");
        assert!(strs.is_null(1));

        let mut t = ColumnParser::new(FieldType::Datetime, None, 1);
        assert_eq!(t.append(b"1970-01-01T00:00:01Z"), Ok(()));
        let arr = t.finish();
        assert_eq!(arr.data_type(), &FieldType::Datetime.arrow_type());
        let ts = arr
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("ts");
        assert_eq!(ts.value(0), 1_000_000);
    }
}
