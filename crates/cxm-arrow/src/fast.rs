//! Typed fast paths: converting a decoded Arrow column straight to its field's type,
//! for the combinations where the result is provably IDENTICAL to the text path (each
//! cell written as text by the `text` module, then parsed by `cxm_ingest::BatchBuilder`
//! with trimming on and the plain number format): same values, nulls and cell errors.
//!
//! What the text path does, and so what each fast path reproduces:
//! - a cell whose text, trimmed, equals a (trimmed) null value is null, before any
//!   parsing: so `0` is null when `"0"` is a null value. The texts of integers, floats
//!   and booleans are few enough per null value to be matched exactly ([`NullValues`]);
//!   for dates and timestamps, a null value that may be such a text sends the column
//!   to the text path.
//! - integers are written with `Display`, which the integer parser reads back exactly
//!   (`u64` above `i64::MAX` is `not_an_integer`) and the number parser rounds to the
//!   nearest `f64`, as `as f64` does.
//! - `f64` is written with `Display` (shortest text that reads back to the same value,
//!   never with an exponent): a number reads back unchanged, `NaN` and `inf` are
//!   `not_a_number`; as an integer, a fraction is `not_an_integer` and integral values
//!   up to 2^53 read back exactly (larger ones are padded with zeros by `Display`, so
//!   they go to the text path). `f32` and `f16` are written with their own `Display`,
//!   whose text is not the `f64` value: text path.
//! - strings are trimmed of ASCII whitespace; a column where no value needs trimming or
//!   is a null value is kept as it is (zero copy for `Utf8`).
//! - dates and timestamps are written as ISO text only for years 0 to 9999 (other
//!   values go to the text path); the text parsers then read back the date, or the
//!   instant truncated to microseconds: a timestamp with a zone as that instant, one
//!   without as a wall-clock time in the configured zone, converted by the same
//!   function as the text path.

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, GenericStringArray, LargeStringArray, OffsetSizeTrait,
    PrimitiveArray, StringArray, TimestampMicrosecondArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit};
use chrono::DateTime;
use cxm_ingest::{CellErrorReason, FieldSpec, FieldType, Zone};

/// How one field's column is converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Through the text of each cell (`text` + `BatchBuilder`).
    Text,
    /// Signed or unsigned integers to `Integer`.
    IntegerToInteger,
    /// Signed or unsigned integers to `Number`.
    IntegerToNumber,
    /// `Float64` to `Number`.
    FloatToNumber,
    /// `Float64` to `Integer`.
    FloatToInteger,
    /// `Utf8`, `LargeUtf8` or `Utf8View` to `String`.
    Strings,
    /// `Boolean` to `Boolean`.
    Booleans,
    /// Timestamps to `Datetime`.
    TimestampToDatetime,
    /// Timestamps to `Date`.
    TimestampToDate,
    /// `Date32` to `Date`.
    DateToDate,
    /// `Date32` to `Datetime`.
    DateToDatetime,
}

/// The conversion of a field whose column has type `ty`.
pub(crate) fn plan(field: &FieldSpec, ty: &DataType, nulls: &NullValues) -> Conversion {
    if field.format.is_some() {
        return Conversion::Text;
    }
    let integer = matches!(
        ty,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    );
    let temporal_ok = !nulls.temporal;
    match (ty, field.ty) {
        (_, FieldType::Integer) if integer => Conversion::IntegerToInteger,
        (_, FieldType::Number) if integer => Conversion::IntegerToNumber,
        (DataType::Float64, FieldType::Number) => Conversion::FloatToNumber,
        (DataType::Float64, FieldType::Integer) => Conversion::FloatToInteger,
        (DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View, FieldType::String) => {
            Conversion::Strings
        }
        (DataType::Boolean, FieldType::Boolean) => Conversion::Booleans,
        (DataType::Timestamp(_, _), FieldType::Datetime) if temporal_ok => {
            Conversion::TimestampToDatetime
        }
        (DataType::Timestamp(_, _), FieldType::Date) if temporal_ok => Conversion::TimestampToDate,
        (DataType::Date32, FieldType::Date) if temporal_ok => Conversion::DateToDate,
        (DataType::Date32, FieldType::Datetime) if temporal_ok => Conversion::DateToDatetime,
        _ => Conversion::Text,
    }
}

/// The null values, and which typed values have one as their text.
#[derive(Debug, Clone, Default)]
pub(crate) struct NullValues {
    /// The null values, trimmed of ASCII whitespace (as `BatchBuilder` compares them).
    texts: Vec<Vec<u8>>,
    /// The integers whose `Display` text is a null value.
    integers: Vec<i128>,
    /// The bits of the non-NaN `f64`s whose `Display` text is a null value.
    floats: Vec<u64>,
    /// `NaN` is a null value.
    nan: bool,
    /// `true` is a null value.
    true_text: bool,
    /// `false` is a null value.
    false_text: bool,
    /// Some null value may be the text of a date or a timestamp.
    temporal: bool,
}

impl NullValues {
    pub(crate) fn new(null_values: &[String]) -> NullValues {
        let mut nulls = NullValues::default();
        for value in null_values {
            let text = value.trim_ascii();
            nulls.texts.push(text.as_bytes().to_vec());
            if let Some(int) = text.parse::<i128>().ok().filter(|i| i.to_string() == text) {
                nulls.integers.push(int);
            }
            if let Some(float) = text.parse::<f64>().ok().filter(|f| f.to_string() == text) {
                if float.is_nan() {
                    nulls.nan = true;
                } else {
                    nulls.floats.push(float.to_bits());
                }
            }
            nulls.true_text |= text == "true";
            nulls.false_text |= text == "false";
            // Dates and timestamps are written with digits, `-`, `:`, `.`, `T`, ` ` and
            // `+` only, in at least 10 characters.
            nulls.temporal |= text.len() >= 10
                && text
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"-:.T +".contains(&b));
        }
        nulls
    }

    fn is_null_text(&self, text: &[u8]) -> bool {
        self.texts.iter().any(|n| n.as_slice() == text)
    }

    fn is_null_float(&self, value: f64) -> bool {
        if value.is_nan() {
            self.nan
        } else {
            self.floats.contains(&value.to_bits())
        }
    }

    fn has_floats(&self) -> bool {
        self.nan || !self.floats.is_empty()
    }
}

/// A column converted by a fast path.
#[derive(Debug)]
pub(crate) struct Converted {
    /// The column, of the field's Arrow type.
    pub(crate) array: ArrayRef,
    /// The rows whose value could not be read, with the reason (they are null).
    pub(crate) errors: Vec<(usize, CellErrorReason)>,
}

impl Converted {
    fn new(array: ArrayRef) -> Converted {
        Converted {
            array,
            errors: Vec::new(),
        }
    }
}

/// Converts `array` as `conversion` says; `None` when it has no fast path for this
/// column (another type than planned, values the text path would write differently):
/// the column then goes through the text path.
pub(crate) fn convert(
    conversion: Conversion,
    array: &ArrayRef,
    nulls: &NullValues,
    zone: &Zone,
) -> Option<Converted> {
    match conversion {
        Conversion::Text => None,
        Conversion::IntegerToInteger => integers(array, nulls, false),
        Conversion::IntegerToNumber => integers(array, nulls, true),
        Conversion::FloatToNumber => float_to_number(array, nulls),
        Conversion::FloatToInteger => float_to_integer(array, nulls),
        Conversion::Strings => strings(array, nulls),
        Conversion::Booleans => booleans(array, nulls),
        Conversion::TimestampToDatetime => timestamp_to_datetime(array, zone),
        Conversion::TimestampToDate => timestamp_to_date(array),
        Conversion::DateToDate => date_to_date(array),
        Conversion::DateToDatetime => date_to_datetime(array, zone),
    }
}

/// Whether `keep` holds for every non-null value.
fn all_valid<T: Copy>(values: &[T], nulls: Option<&NullBuffer>, keep: impl Fn(T) -> bool) -> bool {
    match nulls.filter(|n| n.null_count() > 0) {
        None => values.iter().all(|&v| keep(v)),
        Some(nulls) => values
            .iter()
            .enumerate()
            .all(|(i, &v)| nulls.is_null(i) || keep(v)),
    }
}

fn integers(array: &ArrayRef, nulls: &NullValues, to_number: bool) -> Option<Converted> {
    Some(match array.data_type() {
        DataType::Int8 => integer_column::<Int8Type>(array, nulls, to_number),
        DataType::Int16 => integer_column::<Int16Type>(array, nulls, to_number),
        DataType::Int32 => integer_column::<Int32Type>(array, nulls, to_number),
        DataType::Int64 => integer_column::<Int64Type>(array, nulls, to_number),
        DataType::UInt8 => integer_column::<UInt8Type>(array, nulls, to_number),
        DataType::UInt16 => integer_column::<UInt16Type>(array, nulls, to_number),
        DataType::UInt32 => integer_column::<UInt32Type>(array, nulls, to_number),
        DataType::UInt64 => integer_column::<UInt64Type>(array, nulls, to_number),
        _ => return None,
    })
}

fn integer_column<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    nulls: &NullValues,
    to_number: bool,
) -> Converted
where
    T::Native: Into<i128>,
{
    let a = array.as_primitive::<T>();
    if to_number {
        integers_to_number(a, nulls)
    } else {
        integers_to_integer(array, a, nulls)
    }
}

fn integers_to_integer<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    a: &PrimitiveArray<T>,
    nulls: &NullValues,
) -> Converted
where
    T::Native: Into<i128>,
{
    let fits = |v: T::Native| i64::try_from(v.into()).is_ok();
    if nulls.integers.is_empty() && all_valid(a.values(), a.nulls(), fits) {
        if T::DATA_TYPE == DataType::Int64 {
            return Converted::new(Arc::clone(array));
        }
        // Every valid value fits; a null slot's value does not matter.
        let values = a.unary::<_, Int64Type>(|v| i64::try_from(v.into()).unwrap_or(0));
        return Converted::new(Arc::new(values));
    }
    let mut out = Int64Builder::with_capacity(a.len());
    let mut errors = Vec::new();
    for (row, value) in a.iter().enumerate() {
        let Some(value) = value.map(Into::into) else {
            out.append_null();
            continue;
        };
        if nulls.integers.contains(&value) {
            out.append_null();
        } else if let Ok(value) = i64::try_from(value) {
            out.append_value(value);
        } else {
            out.append_null();
            errors.push((row, CellErrorReason::NotAnInteger));
        }
    }
    Converted {
        array: Arc::new(out.finish()),
        errors,
    }
}

fn integers_to_number<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, nulls: &NullValues) -> Converted
where
    T::Native: Into<i128>,
{
    // `as f64` rounds to nearest, ties to even, like parsing the decimal text.
    if nulls.integers.is_empty() {
        let values = a.unary::<_, Float64Type>(|v| v.into() as f64);
        return Converted::new(Arc::new(values));
    }
    let mut out = Float64Builder::with_capacity(a.len());
    for value in a.iter() {
        match value.map(Into::into) {
            Some(v) if !nulls.integers.contains(&v) => out.append_value(v as f64),
            _ => out.append_null(),
        }
    }
    Converted::new(Arc::new(out.finish()))
}

fn float_to_number(array: &ArrayRef, nulls: &NullValues) -> Option<Converted> {
    let a = array.as_primitive_opt::<Float64Type>()?;
    if !nulls.has_floats() && all_valid(a.values(), a.nulls(), f64::is_finite) {
        return Some(Converted::new(Arc::clone(array)));
    }
    let mut out = Float64Builder::with_capacity(a.len());
    let mut errors = Vec::new();
    for (row, value) in a.iter().enumerate() {
        match value {
            Some(v) if nulls.is_null_float(v) => out.append_null(),
            Some(v) if v.is_finite() => out.append_value(v),
            Some(_) => {
                out.append_null();
                errors.push((row, CellErrorReason::NotANumber));
            }
            None => out.append_null(),
        }
    }
    Some(Converted {
        array: Arc::new(out.finish()),
        errors,
    })
}

/// Largest integral `f64` whose `Display` text is its exact value (2^53).
const MAX_EXACT_F64_INT: f64 = 9_007_199_254_740_992.0;

fn float_to_integer(array: &ArrayRef, nulls: &NullValues) -> Option<Converted> {
    let a = array.as_primitive_opt::<Float64Type>()?;
    let mut out = Int64Builder::with_capacity(a.len());
    let mut errors = Vec::new();
    for (row, value) in a.iter().enumerate() {
        match value {
            Some(v) if nulls.is_null_float(v) => out.append_null(),
            Some(v) if !v.is_finite() => {
                out.append_null();
                errors.push((row, CellErrorReason::NotANumber));
            }
            Some(v) if v.fract() != 0.0 => {
                out.append_null();
                errors.push((row, CellErrorReason::NotAnInteger));
            }
            // Exact: integral and within 2^53.
            Some(v) if v.abs() <= MAX_EXACT_F64_INT => out.append_value(v as i64),
            // Written as rounded digits padded with zeros: the text path decides.
            Some(_) => return None,
            None => out.append_null(),
        }
    }
    Some(Converted {
        array: Arc::new(out.finish()),
        errors,
    })
}

fn strings(array: &ArrayRef, nulls: &NullValues) -> Option<Converted> {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            if any_needs_work(a, nulls) {
                Some(trimmed(a.iter(), a.len(), a.value_data().len(), nulls))
            } else {
                Some(Converted::new(Arc::clone(array)))
            }
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            if !any_needs_work(a, nulls) {
                if let Some(narrowed) = narrow(a) {
                    return Some(Converted::new(Arc::new(narrowed)));
                }
            }
            Some(trimmed(a.iter(), a.len(), a.value_data().len(), nulls))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            let bytes = a.total_buffer_bytes_used();
            Some(trimmed(a.iter(), a.len(), bytes, nulls))
        }
        _ => None,
    }
}

/// Whether some non-null value is not kept as it is: it needs trimming or is a null
/// value.
fn any_needs_work<O: OffsetSizeTrait>(a: &GenericStringArray<O>, nulls: &NullValues) -> bool {
    let bytes = a.value_data();
    let valid = a.nulls().filter(|n| n.null_count() > 0);
    a.value_offsets().windows(2).enumerate().any(|(i, ends)| {
        let [start, end] = ends else {
            return false;
        };
        let value = bytes
            .get(start.as_usize()..end.as_usize())
            .unwrap_or_default();
        valid.is_none_or(|v| v.is_valid(i)) && needs_work(value, nulls)
    })
}

/// Whether a string value is not kept as it is: it needs trimming or is a null value.
fn needs_work(value: &[u8], nulls: &NullValues) -> bool {
    // ASCII whitespace is at most b' ': one comparison rules most bytes out.
    let space = |b: &u8| *b <= b' ' && b.is_ascii_whitespace();
    value.first().is_some_and(space) || value.last().is_some_and(space) || nulls.is_null_text(value)
}

/// The same strings with 32-bit offsets, sharing the values' buffer; `None` when they
/// span more than `i32::MAX` bytes.
fn narrow(a: &LargeStringArray) -> Option<StringArray> {
    let offsets = a.value_offsets();
    let first = *offsets.first()?;
    let last = *offsets.last()?;
    i32::try_from(last - first).ok()?;
    // Every offset lies between the first and the last: each fits.
    let rebased: Vec<i32> = offsets
        .iter()
        .map(|&o| i32::try_from(o - first).unwrap_or(0))
        .collect();
    let start = usize::try_from(first).ok()?;
    let len = usize::try_from(last - first).ok()?;
    let values = a.values().slice_with_length(start, len);
    // SAFETY: the offsets are those of a valid `LargeStringArray` (non-negative,
    // non-decreasing), all shifted down by the first one, so still non-decreasing and
    // starting at 0.
    let offsets = unsafe { OffsetBuffer::new_unchecked(ScalarBuffer::from(rebased)) };
    // SAFETY: the offsets (above) are at the same UTF-8 character boundaries of the same
    // bytes as in the valid source array, the values buffer being sliced to start at the
    // first offset and to end at the last; the nulls are the array's own, one per value.
    Some(unsafe { StringArray::new_unchecked(offsets, values, a.nulls().cloned()) })
}

/// The values trimmed, null values null.
fn trimmed<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    len: usize,
    bytes: usize,
    nulls: &NullValues,
) -> Converted {
    let mut out = StringBuilder::with_capacity(len, bytes);
    for value in values {
        match value.map(str::trim_ascii) {
            Some(v) if !nulls.is_null_text(v.as_bytes()) => out.append_value(v),
            _ => out.append_null(),
        }
    }
    Converted::new(Arc::new(out.finish()))
}

fn booleans(array: &ArrayRef, nulls: &NullValues) -> Option<Converted> {
    let a = array.as_boolean_opt()?;
    if !nulls.true_text && !nulls.false_text {
        return Some(Converted::new(Arc::clone(array)));
    }
    let mut out = BooleanBuilder::with_capacity(a.len());
    for value in a.iter() {
        match value {
            Some(true) if !nulls.true_text => out.append_value(true),
            Some(false) if !nulls.false_text => out.append_value(false),
            _ => out.append_null(),
        }
    }
    Some(Converted::new(Arc::new(out.finish())))
}

/// 0000-01-01T00:00:00 and 10000-01-01T00:00:00 in seconds since the epoch: the
/// instants written as ISO text with a four-digit year.
const MIN_SECS: i64 = -62_167_219_200;
const END_SECS: i64 = 253_402_300_800;
const SECS_PER_DAY: i64 = 86_400;
const MICROS_PER_SEC: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = SECS_PER_DAY * MICROS_PER_SEC;
/// 0000-01-01 and 10000-01-01 in days since the epoch.
const MIN_DAYS: i32 = -719_528;
const END_DAYS: i32 = 2_932_897;

/// A timestamp column's values, unit, and whether it has a zone.
fn timestamps(array: &ArrayRef) -> Option<(&[i64], TimeUnit, bool)> {
    let DataType::Timestamp(unit, tz) = array.data_type() else {
        return None;
    };
    let values: &[i64] = match unit {
        TimeUnit::Second => array.as_primitive::<TimestampSecondType>().values(),
        TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().values(),
        TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().values(),
        TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().values(),
    };
    Some((values, *unit, tz.is_some()))
}

/// A timestamp as the text path reads back its text: microseconds, the fraction
/// truncated (towards the past, as the text's fraction is); `None` when its year is
/// outside 0 to 9999.
fn micros(value: i64, unit: TimeUnit) -> Option<i64> {
    let micros = match unit {
        TimeUnit::Second => i128::from(value) * 1_000_000,
        TimeUnit::Millisecond => i128::from(value) * 1_000,
        TimeUnit::Microsecond => i128::from(value),
        TimeUnit::Nanosecond => i128::from(value.div_euclid(1_000)),
    };
    let range = i128::from(MIN_SECS) * 1_000_000..i128::from(END_SECS) * 1_000_000;
    if range.contains(&micros) {
        i64::try_from(micros).ok()
    } else {
        None
    }
}

/// The instant of a wall-clock time in `zone`, exactly as the text path converts it
/// (`cxm_ingest`'s `local_to_utc`).
fn local_to_utc(local_micros: i64, zone: &Zone) -> Option<i64> {
    match zone {
        Zone::Utc => Some(local_micros),
        _ => zone.local_to_utc(DateTime::from_timestamp_micros(local_micros)?.naive_utc()),
    }
}

/// Instants (microseconds) from wall-clock times or instants (`local` is `false`);
/// a wall-clock time that has no instant is an `invalid_datetime` cell.
fn datetimes(
    values: impl Iterator<Item = Option<i64>>,
    len: usize,
    local: bool,
    zone: &Zone,
) -> Converted {
    let mut out = Vec::with_capacity(len);
    let mut valid = Vec::with_capacity(len);
    let mut errors = Vec::new();
    for (row, value) in values.enumerate() {
        let instant = match value {
            Some(v) if local => {
                let instant = local_to_utc(v, zone);
                if instant.is_none() {
                    errors.push((row, CellErrorReason::InvalidDatetime));
                }
                instant
            }
            other => other,
        };
        out.push(instant.unwrap_or(0));
        valid.push(instant.is_some());
    }
    let nulls = NullBuffer::from(valid);
    let array = TimestampMicrosecondArray::new(out.into(), Some(nulls)).with_timezone("UTC");
    Converted {
        array: Arc::new(array),
        errors,
    }
}

fn timestamp_to_datetime(array: &ArrayRef, zone: &Zone) -> Option<Converted> {
    let (values, unit, has_zone) = timestamps(array)?;
    if !all_valid(values, array.nulls(), |v| micros(v, unit).is_some()) {
        return None;
    }
    let local = !has_zone && *zone != Zone::Utc;
    if !local {
        // Instants already: only the unit (and the type's zone) change.
        let array = if unit == TimeUnit::Microsecond {
            array.as_primitive::<TimestampMicrosecondType>().clone()
        } else {
            let values = values.iter().map(|&v| micros(v, unit).unwrap_or(0));
            TimestampMicrosecondArray::new(values.collect(), array.nulls().cloned())
        };
        return Some(Converted::new(Arc::new(array.with_timezone("UTC"))));
    }
    let values = (0..array.len()).map(|i| {
        let value = values.get(i).copied().filter(|_| array.is_valid(i))?;
        micros(value, unit)
    });
    Some(datetimes(values, array.len(), true, zone))
}

fn timestamp_to_date(array: &ArrayRef) -> Option<Converted> {
    let (values, unit, _) = timestamps(array)?;
    if !all_valid(values, array.nulls(), |v| micros(v, unit).is_some()) {
        return None;
    }
    let days = values.iter().map(|&v| {
        let day = micros(v, unit).unwrap_or(0).div_euclid(MICROS_PER_DAY);
        i32::try_from(day).unwrap_or(0)
    });
    let days = Date32Array::new(days.collect(), array.nulls().cloned());
    Some(Converted::new(Arc::new(days)))
}

fn dates(array: &ArrayRef) -> Option<&PrimitiveArray<Date32Type>> {
    let a = array.as_primitive_opt::<Date32Type>()?;
    all_valid(a.values(), a.nulls(), |d| (MIN_DAYS..END_DAYS).contains(&d)).then_some(a)
}

fn date_to_date(array: &ArrayRef) -> Option<Converted> {
    dates(array)?;
    Some(Converted::new(Arc::clone(array)))
}

fn date_to_datetime(array: &ArrayRef, zone: &Zone) -> Option<Converted> {
    let a = dates(array)?;
    let local = a.iter().map(|d| d.map(|d| i64::from(d) * MICROS_PER_DAY));
    Some(datetimes(local, a.len(), *zone != Zone::Utc, zone))
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
