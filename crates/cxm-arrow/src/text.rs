//! Turning an Arrow column read from Parquet into the text of each cell, so it goes
//! through the same typed parsers as a CSV cell: strings as they are, numbers with
//! Rust's `Display`, booleans `true`/`false`, dates `YYYY-MM-DD`, timestamps with a
//! time zone as RFC 3339 in UTC (`2025-03-01T10:00:00+00:00`), timestamps without one
//! as naive `YYYY-MM-DD HH:MM:SS[.fff]` (so the configured zone applies), decimals as
//! their exact decimal text. The text of a whole column is written into one reused
//! buffer: no allocation per value. [`write_cell`] writes the same text for one cell.

use std::fmt::Display;
use std::io::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::temporal_conversions::{as_datetime, as_time};
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type,
    Decimal64Type, Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, BooleanArray, PrimitiveArray};
use arrow_buffer::ArrowNativeType;
use arrow_schema::{DataType, TimeUnit};
use chrono::{Datelike, NaiveDateTime, NaiveTime, Timelike};

/// The text of every cell of one column of a record batch.
#[derive(Debug, Default)]
pub struct TextColumn {
    buf: Vec<u8>,
    /// End offset in `buf` of each cell.
    ends: Vec<usize>,
    /// Whether each cell has a value (`false` = null).
    valid: Vec<bool>,
}

impl TextColumn {
    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.valid.clear();
    }

    fn push_null(&mut self) {
        self.ends.push(self.buf.len());
        self.valid.push(false);
    }

    /// Ends the cell whose text was just written to `buf`.
    fn end_value(&mut self) {
        self.ends.push(self.buf.len());
        self.valid.push(true);
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.end_value();
    }

    /// The text of cell `row`; `None` for a null (or out of range).
    pub fn get(&self, row: usize) -> Option<&[u8]> {
        if !*self.valid.get(row)? {
            return None;
        }
        let start = match row.checked_sub(1) {
            Some(prev) => *self.ends.get(prev)?,
            None => 0,
        };
        self.buf.get(start..*self.ends.get(row)?)
    }
}

/// Whether columns of type `ty` can be turned into text (and so be mapped to a field).
pub fn supported(ty: &DataType) -> bool {
    match ty {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_)
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(_, _)
        | DataType::Decimal32(_, _)
        | DataType::Decimal64(_, _)
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => true,
        DataType::Time32(unit) => matches!(unit, TimeUnit::Second | TimeUnit::Millisecond),
        DataType::Time64(unit) => matches!(unit, TimeUnit::Microsecond | TimeUnit::Nanosecond),
        DataType::Dictionary(_, values) => supported(values),
        _ => false,
    }
}

/// Replaces the contents of `out` with the text of every cell of `array`. Errors
/// (naming the type) for a type that [`supported`] rejects.
pub fn fill(array: &dyn Array, out: &mut TextColumn) -> Result<(), String> {
    out.clear();
    match array.data_type() {
        DataType::Null => (0..array.len()).for_each(|_| out.push_null()),
        DataType::Boolean => {
            let a = array.as_boolean();
            each(array, out, |i, buf| boolean_cell(a, i, buf));
        }
        DataType::Int8 => display::<Int8Type>(array, out),
        DataType::Int16 => display::<Int16Type>(array, out),
        DataType::Int32 => display::<Int32Type>(array, out),
        DataType::Int64 => display::<Int64Type>(array, out),
        DataType::UInt8 => display::<UInt8Type>(array, out),
        DataType::UInt16 => display::<UInt16Type>(array, out),
        DataType::UInt32 => display::<UInt32Type>(array, out),
        DataType::UInt64 => display::<UInt64Type>(array, out),
        DataType::Float16 => display::<Float16Type>(array, out),
        DataType::Float32 => display::<Float32Type>(array, out),
        DataType::Float64 => display::<Float64Type>(array, out),
        DataType::Utf8 => bytes(array, out, |i| array.as_string::<i32>().value(i).as_bytes()),
        DataType::LargeUtf8 => bytes(array, out, |i| array.as_string::<i64>().value(i).as_bytes()),
        DataType::Utf8View => bytes(array, out, |i| array.as_string_view().value(i).as_bytes()),
        DataType::Binary => bytes(array, out, |i| array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => bytes(array, out, |i| array.as_binary::<i64>().value(i)),
        DataType::BinaryView => bytes(array, out, |i| array.as_binary_view().value(i)),
        DataType::FixedSizeBinary(_) => {
            bytes(array, out, |i| array.as_fixed_size_binary().value(i))
        }
        DataType::Date32 => date::<Date32Type>(array, out),
        DataType::Date64 => date::<Date64Type>(array, out),
        DataType::Timestamp(unit, tz) => {
            let utc = tz.is_some();
            match unit {
                TimeUnit::Second => timestamp::<TimestampSecondType>(array, out, utc),
                TimeUnit::Millisecond => timestamp::<TimestampMillisecondType>(array, out, utc),
                TimeUnit::Microsecond => timestamp::<TimestampMicrosecondType>(array, out, utc),
                TimeUnit::Nanosecond => timestamp::<TimestampNanosecondType>(array, out, utc),
            }
        }
        DataType::Time32(TimeUnit::Second) => time::<Time32SecondType>(array, out),
        DataType::Time32(TimeUnit::Millisecond) => time::<Time32MillisecondType>(array, out),
        DataType::Time64(TimeUnit::Microsecond) => time::<Time64MicrosecondType>(array, out),
        DataType::Time64(TimeUnit::Nanosecond) => time::<Time64NanosecondType>(array, out),
        DataType::Decimal32(_, scale) => decimal::<Decimal32Type>(array, out, *scale),
        DataType::Decimal64(_, scale) => decimal::<Decimal64Type>(array, out, *scale),
        DataType::Decimal128(_, scale) => decimal::<Decimal128Type>(array, out, *scale),
        DataType::Decimal256(_, scale) => decimal::<Decimal256Type>(array, out, *scale),
        DataType::Dictionary(_, _) => {
            let Some(dict) = array.as_any_dictionary_opt() else {
                return Err(format!("unsupported column type {}", array.data_type()));
            };
            if dict.values().is_empty() {
                // Every key is null (normalized_keys would panic).
                (0..array.len()).for_each(|_| out.push_null());
                return Ok(());
            }
            let mut values = TextColumn::default();
            fill(dict.values().as_ref(), &mut values)?;
            let keys = dict.normalized_keys();
            for (i, key) in keys.iter().enumerate() {
                match values.get(*key).filter(|_| dict.keys().is_valid(i)) {
                    Some(text) => out.push_bytes(text),
                    None => out.push_null(),
                }
            }
        }
        other => return Err(format!("unsupported column type {other}")),
    }
    Ok(())
}

/// Appends the text [`fill`] gives cell `i` of `array` to `out`; returns `false`,
/// writing nothing, for a null cell, a cell out of range or an unsupported type.
pub fn write_cell(array: &dyn Array, i: usize, out: &mut Vec<u8>) -> bool {
    if i >= array.len() || array.is_null(i) {
        return false;
    }
    match array.data_type() {
        DataType::Null => return false,
        DataType::Boolean => boolean_cell(array.as_boolean(), i, out),
        DataType::Int8 => display_cell(primitive::<Int8Type>(array), i, out),
        DataType::Int16 => display_cell(primitive::<Int16Type>(array), i, out),
        DataType::Int32 => display_cell(primitive::<Int32Type>(array), i, out),
        DataType::Int64 => display_cell(primitive::<Int64Type>(array), i, out),
        DataType::UInt8 => display_cell(primitive::<UInt8Type>(array), i, out),
        DataType::UInt16 => display_cell(primitive::<UInt16Type>(array), i, out),
        DataType::UInt32 => display_cell(primitive::<UInt32Type>(array), i, out),
        DataType::UInt64 => display_cell(primitive::<UInt64Type>(array), i, out),
        DataType::Float16 => display_cell(primitive::<Float16Type>(array), i, out),
        DataType::Float32 => display_cell(primitive::<Float32Type>(array), i, out),
        DataType::Float64 => display_cell(primitive::<Float64Type>(array), i, out),
        DataType::Utf8 => out.extend_from_slice(array.as_string::<i32>().value(i).as_bytes()),
        DataType::LargeUtf8 => out.extend_from_slice(array.as_string::<i64>().value(i).as_bytes()),
        DataType::Utf8View => out.extend_from_slice(array.as_string_view().value(i).as_bytes()),
        DataType::Binary => out.extend_from_slice(array.as_binary::<i32>().value(i)),
        DataType::LargeBinary => out.extend_from_slice(array.as_binary::<i64>().value(i)),
        DataType::BinaryView => out.extend_from_slice(array.as_binary_view().value(i)),
        DataType::FixedSizeBinary(_) => {
            out.extend_from_slice(array.as_fixed_size_binary().value(i))
        }
        DataType::Date32 => date_cell(primitive::<Date32Type>(array), i, out),
        DataType::Date64 => date_cell(primitive::<Date64Type>(array), i, out),
        DataType::Timestamp(unit, tz) => {
            let utc = tz.is_some();
            match unit {
                TimeUnit::Second => {
                    timestamp_cell(primitive::<TimestampSecondType>(array), i, out, utc)
                }
                TimeUnit::Millisecond => {
                    timestamp_cell(primitive::<TimestampMillisecondType>(array), i, out, utc)
                }
                TimeUnit::Microsecond => {
                    timestamp_cell(primitive::<TimestampMicrosecondType>(array), i, out, utc)
                }
                TimeUnit::Nanosecond => {
                    timestamp_cell(primitive::<TimestampNanosecondType>(array), i, out, utc)
                }
            }
        }
        DataType::Time32(TimeUnit::Second) => {
            time_cell(primitive::<Time32SecondType>(array), i, out)
        }
        DataType::Time32(TimeUnit::Millisecond) => {
            time_cell(primitive::<Time32MillisecondType>(array), i, out)
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            time_cell(primitive::<Time64MicrosecondType>(array), i, out)
        }
        DataType::Time64(TimeUnit::Nanosecond) => {
            time_cell(primitive::<Time64NanosecondType>(array), i, out)
        }
        DataType::Decimal32(_, scale) => {
            decimal_cell(primitive::<Decimal32Type>(array), i, out, *scale)
        }
        DataType::Decimal64(_, scale) => {
            decimal_cell(primitive::<Decimal64Type>(array), i, out, *scale)
        }
        DataType::Decimal128(_, scale) => {
            decimal_cell(primitive::<Decimal128Type>(array), i, out, *scale)
        }
        DataType::Decimal256(_, scale) => {
            decimal_cell(primitive::<Decimal256Type>(array), i, out, *scale)
        }
        DataType::Dictionary(_, _) => {
            let Some(dict) = array.as_any_dictionary_opt() else {
                return false;
            };
            let values = dict.values();
            return match dictionary_key(dict.keys(), i) {
                Some(key) if !values.is_empty() => {
                    write_cell(values.as_ref(), key.min(values.len() - 1), out)
                }
                _ => false,
            };
        }
        _ => return false,
    }
    true
}

/// Key `i` of a dictionary's keys as an index into its values, converted like
/// `AnyDictionaryArray::normalized_keys` does (before it is clamped to the values).
fn dictionary_key(keys: &dyn Array, i: usize) -> Option<usize> {
    fn key<T: ArrowPrimitiveType>(keys: &dyn Array, i: usize) -> Option<usize> {
        Some(keys.as_primitive_opt::<T>()?.value(i).as_usize())
    }
    match keys.data_type() {
        DataType::Int8 => key::<Int8Type>(keys, i),
        DataType::Int16 => key::<Int16Type>(keys, i),
        DataType::Int32 => key::<Int32Type>(keys, i),
        DataType::Int64 => key::<Int64Type>(keys, i),
        DataType::UInt8 => key::<UInt8Type>(keys, i),
        DataType::UInt16 => key::<UInt16Type>(keys, i),
        DataType::UInt32 => key::<UInt32Type>(keys, i),
        DataType::UInt64 => key::<UInt64Type>(keys, i),
        _ => None,
    }
}

/// Writes each non-null cell with `write`; nulls stay null.
fn each(array: &dyn Array, out: &mut TextColumn, mut write: impl FnMut(usize, &mut Vec<u8>)) {
    for i in 0..array.len() {
        if array.is_null(i) {
            out.push_null();
        } else {
            write(i, &mut out.buf);
            out.end_value();
        }
    }
}

fn bytes<'a>(array: &'a dyn Array, out: &mut TextColumn, value: impl Fn(usize) -> &'a [u8]) {
    each(array, out, |i, buf| buf.extend_from_slice(value(i)));
}

fn primitive<T: ArrowPrimitiveType>(array: &dyn Array) -> &PrimitiveArray<T> {
    array.as_primitive::<T>()
}

fn display<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut TextColumn)
where
    T::Native: Display,
{
    let a = primitive::<T>(array);
    each(array, out, |i, buf| display_cell(a, i, buf));
}

fn boolean_cell(a: &BooleanArray, i: usize, buf: &mut Vec<u8>) {
    buf.extend_from_slice(if a.value(i) { b"true" } else { b"false" });
}

fn display_cell<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, i: usize, buf: &mut Vec<u8>)
where
    T::Native: Display,
{
    let _ = write!(buf, "{}", a.value(i));
}

/// The value as a naive date-time, for the temporal types.
fn datetime<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, i: usize) -> Option<NaiveDateTime>
where
    T::Native: Into<i64>,
{
    as_datetime::<T>(a.value(i).into())
}

fn date<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut TextColumn)
where
    T::Native: Into<i64> + Display,
{
    let a = primitive::<T>(array);
    each(array, out, |i, buf| date_cell(a, i, buf));
}

fn date_cell<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, i: usize, buf: &mut Vec<u8>)
where
    T::Native: Into<i64> + Display,
{
    match datetime(a, i) {
        Some(dt) => write_date(buf, &dt),
        // Out of chrono's range: the raw number, which the date parser rejects.
        None => display_cell(a, i, buf),
    }
}

fn timestamp<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut TextColumn, utc: bool)
where
    T::Native: Into<i64> + Display,
{
    let a = primitive::<T>(array);
    each(array, out, |i, buf| timestamp_cell(a, i, buf, utc));
}

fn timestamp_cell<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    i: usize,
    buf: &mut Vec<u8>,
    utc: bool,
) where
    T::Native: Into<i64> + Display,
{
    match datetime(a, i) {
        Some(dt) => {
            write_date(buf, &dt);
            buf.push(if utc { b'T' } else { b' ' });
            write_time(buf, &dt.time());
            if utc {
                buf.extend_from_slice(b"+00:00");
            }
        }
        None => display_cell(a, i, buf),
    }
}

fn time<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut TextColumn)
where
    T::Native: Into<i64> + Display,
{
    let a = primitive::<T>(array);
    each(array, out, |i, buf| time_cell(a, i, buf));
}

fn time_cell<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, i: usize, buf: &mut Vec<u8>)
where
    T::Native: Into<i64> + Display,
{
    match as_time::<T>(a.value(i).into()) {
        Some(t) => write_time(buf, &t),
        None => display_cell(a, i, buf),
    }
}

fn write_date(buf: &mut Vec<u8>, dt: &NaiveDateTime) {
    let _ = write!(buf, "{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day());
}

/// `HH:MM:SS` plus `.fff`, `.ffffff` or `.fffffffff` when the fraction is not zero.
fn write_time(buf: &mut Vec<u8>, t: &NaiveTime) {
    let _ = write!(buf, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
    let nanos = t.nanosecond() % 1_000_000_000;
    let _ = if nanos == 0 {
        Ok(())
    } else if nanos.is_multiple_of(1_000_000) {
        write!(buf, ".{:03}", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        write!(buf, ".{:06}", nanos / 1_000)
    } else {
        write!(buf, ".{nanos:09}")
    };
}

/// The exact decimal text of an unscaled value: `-5` with scale 2 is `-0.05`, with
/// scale -2 `-500`; trailing zeros of the scale are kept (`1.50`).
fn decimal<T: ArrowPrimitiveType>(array: &dyn Array, out: &mut TextColumn, scale: i8)
where
    T::Native: Display,
{
    let a = primitive::<T>(array);
    each(array, out, |i, buf| decimal_cell(a, i, buf, scale));
}

fn decimal_cell<T: ArrowPrimitiveType>(
    a: &PrimitiveArray<T>,
    i: usize,
    buf: &mut Vec<u8>,
    scale: i8,
) where
    T::Native: Display,
{
    {
        let start = buf.len();
        let _ = write!(buf, "{}", a.value(i));
        let digits_start = start + usize::from(buf.get(start) == Some(&b'-'));
        match usize::try_from(scale) {
            Ok(0) => {}
            Ok(scale) => {
                let digits = buf.len() - digits_start;
                if digits <= scale {
                    let zeros = scale + 1 - digits;
                    buf.splice(digits_start..digits_start, std::iter::repeat_n(b'0', zeros));
                }
                buf.insert(buf.len() - scale, b'.');
            }
            Err(_) => {
                let zeros = usize::from(scale.unsigned_abs());
                buf.extend(std::iter::repeat_n(b'0', zeros));
            }
        }
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
