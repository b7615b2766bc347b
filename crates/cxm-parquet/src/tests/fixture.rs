//! A file with every column type the fast paths handle (and some they leave to the text
//! path), with the values where the text path is most particular: nulls, null-value
//! strings, extreme and non-finite numbers, strings needing trimming, timestamps in every
//! unit with and without a zone around daylight-saving changes, sub-microsecond
//! fractions, and dates and times outside years 0 to 9999 in the last row group only.

use arrow_array::{
    BooleanArray, Date32Array, Date64Array, Decimal128Array, DictionaryArray, Float32Array,
    Float64Array, Int16Array, Int32Array, Int64Array, Int8Array, LargeStringArray, StringArray,
    StringViewArray, TimestampMicrosecondArray, TimestampMillisecondArray,
    TimestampNanosecondArray, TimestampSecondArray, UInt16Array, UInt32Array, UInt64Array,
    UInt8Array,
};
use chrono::NaiveDate;

use super::*;

/// Rows in the file, and rows per row group.
pub(super) const ROWS: usize = 48;
pub(super) const GROUP_ROWS: usize = 7;
/// First row (0-based) that may hold a value outside years 0 to 9999.
const FAR_FROM: usize = 42;

/// 0000-01-01 and 10000-01-01 in seconds and days since the epoch.
const YEAR_0_SECS: i64 = -62_167_219_200;
const YEAR_10000_SECS: i64 = 253_402_300_800;
const YEAR_0_DAYS: i32 = -719_528;
const YEAR_10000_DAYS: i32 = 2_932_897;

/// `pattern` repeated over the rows, with `far` values in the last rows.
fn column<T: Clone>(pattern: &[T], far: &[T]) -> Vec<T> {
    (0..ROWS)
        .map(|i| match i.checked_sub(FAR_FROM) {
            Some(k) if !far.is_empty() => far[k % far.len()].clone(),
            _ => pattern[i % pattern.len()].clone(),
        })
        .collect()
}

fn micros(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, s))
        .unwrap()
        .and_utc()
        .timestamp_micros()
}

/// Instants and wall-clock times in microseconds, around Berlin's 2025 clock changes.
fn moments() -> Vec<Option<i64>> {
    vec![
        Some(micros(2025, 3, 30, 2, 30, 0)),
        Some(micros(2025, 3, 30, 1, 59, 59) + 999_999),
        Some(micros(2025, 3, 30, 3, 0, 0)),
        None,
        Some(micros(2025, 10, 26, 2, 30, 0)),
        Some(micros(2025, 10, 26, 1, 59, 0)),
        Some(0),
        Some(-1),
        Some(micros(1900, 1, 1, 0, 0, 0) + 250_000),
        Some(YEAR_0_SECS * 1_000_000),
        Some(micros(9999, 12, 31, 23, 59, 59) + 123_456),
        Some(TEN_AM_US + 123_000),
        Some(TEN_AM_US),
    ]
}

fn scaled(values: &[Option<i64>], per_micro: impl Fn(i64) -> Option<i64>) -> Vec<Option<i64>> {
    values.iter().map(|v| v.and_then(&per_micro)).collect()
}

/// The columns of the equivalence file, by name.
fn columns() -> Vec<(&'static str, ArrayRef)> {
    let moments = moments();
    let secs = scaled(&moments, |us| Some(us.div_euclid(1_000_000)));
    let millis = scaled(&moments, |us| Some(us.div_euclid(1_000)));
    // Nanoseconds reach years 1677 to 2262 only; some with sub-microsecond digits.
    let nanos = scaled(&moments, |us| us.checked_mul(1_000)?.checked_add(7));
    let far_secs = [
        Some(YEAR_10000_SECS + 5),
        Some(YEAR_0_SECS - 86_400),
        Some(i64::MAX),
        Some(0),
    ];
    let far_millis = [Some(YEAR_10000_SECS * 1_000), Some(-1), None];
    let far_micros = [Some(YEAR_10000_SECS * 1_000_000), Some(5)];
    let messy = [
        Some(" a "),
        Some("NA"),
        Some(" NA "),
        Some(""),
        Some("0"),
        Some("x"),
        None,
        Some("\t y\n"),
        Some("true"),
        Some("2025-03-01"),
        Some("NaN"),
        Some("b c"),
        Some("-1"),
    ];
    let floats = [
        Some(f64::NAN),
        Some(f64::INFINITY),
        Some(f64::NEG_INFINITY),
        Some(-0.0),
        Some(0.0),
        Some(0.1),
        Some(2.5),
        Some(7.0),
        Some(1e300),
        Some(1_152_921_504_606_846_976.0),
        Some(9_007_199_254_740_992.0),
        Some(-9_007_199_254_740_992.0),
        Some(1e-7),
        None,
        Some(-1.0),
        Some(127.0),
    ];
    let region: DictionaryArray<Int32Type> = column(&[Some("north"), None, Some(" south")], &[])
        .into_iter()
        .collect();
    let amount = Decimal128Array::from(column(&[Some(12_345), Some(-5), None, Some(0)], &[]))
        .with_precision_and_scale(10, 2)
        .unwrap();
    vec![
        (
            "i8",
            Arc::new(Int8Array::from(column(
                &[Some(0), None, Some(-1), Some(127), Some(-128), Some(5)],
                &[],
            ))) as ArrayRef,
        ),
        (
            "i16",
            Arc::new(Int16Array::from(column(
                &[Some(i16::MIN), Some(0), None, Some(1)],
                &[],
            ))),
        ),
        (
            "i32",
            Arc::new(Int32Array::from(column(
                &[Some(i32::MAX), Some(-1), Some(7)],
                &[],
            ))),
        ),
        (
            "i64",
            Arc::new(Int64Array::from(column(
                &[
                    Some(i64::MIN),
                    Some(i64::MAX),
                    None,
                    Some(9_007_199_254_740_993),
                    Some(0),
                ],
                &[],
            ))),
        ),
        (
            "u8",
            Arc::new(UInt8Array::from(column(&[Some(255), Some(0), None], &[]))),
        ),
        (
            "u16",
            Arc::new(UInt16Array::from(column(&[Some(65_535), Some(127)], &[]))),
        ),
        (
            "u32",
            Arc::new(UInt32Array::from(column(&[Some(u32::MAX), None], &[]))),
        ),
        (
            "u64",
            Arc::new(UInt64Array::from(column(
                &[
                    Some(u64::MAX),
                    Some(1 << 63),
                    Some(0),
                    None,
                    Some(i64::MAX as u64),
                ],
                &[],
            ))),
        ),
        ("f64", Arc::new(Float64Array::from(column(&floats, &[])))),
        (
            "f32",
            Arc::new(Float32Array::from(column(
                &[Some(0.1f32), Some(f32::NAN), Some(3.0), None],
                &[],
            ))),
        ),
        ("utf8", Arc::new(StringArray::from(column(&messy, &[])))),
        (
            "utf8_clean",
            Arc::new(StringArray::from(column(
                &[
                    Some("north"),
                    Some("south"),
                    None,
                    Some("east"),
                    Some("a b"),
                ],
                &[],
            ))),
        ),
        (
            "utf8_edges",
            Arc::new(StringArray::from(column(
                &[Some("a"), Some("b "), Some("c"), Some(" d"), None],
                &[],
            ))),
        ),
        (
            "large_utf8",
            Arc::new(LargeStringArray::from(column(&messy, &[]))),
        ),
        (
            "utf8_view",
            Arc::new(StringViewArray::from(column(&messy, &[]))),
        ),
        (
            "flag",
            Arc::new(BooleanArray::from(column(
                &[Some(true), Some(false), None],
                &[],
            ))),
        ),
        (
            "ts_s_utc",
            Arc::new(TimestampSecondArray::from(column(&secs, &far_secs)).with_timezone("UTC")),
        ),
        (
            "ts_s",
            Arc::new(TimestampSecondArray::from(column(&secs, &far_secs))),
        ),
        (
            "ts_ms",
            Arc::new(TimestampMillisecondArray::from(column(
                &millis,
                &far_millis,
            ))),
        ),
        (
            "ts_ms_plus2",
            Arc::new(
                TimestampMillisecondArray::from(column(&millis, &far_millis))
                    .with_timezone("+02:00"),
            ),
        ),
        (
            "ts_us",
            Arc::new(TimestampMicrosecondArray::from(column(
                &moments,
                &far_micros,
            ))),
        ),
        (
            "ts_us_berlin",
            Arc::new(
                TimestampMicrosecondArray::from(column(&moments, &far_micros))
                    .with_timezone("Europe/Berlin"),
            ),
        ),
        (
            "ts_ns",
            Arc::new(TimestampNanosecondArray::from(column(&nanos, &[]))),
        ),
        (
            "ts_ns_utc",
            Arc::new(TimestampNanosecondArray::from(column(&nanos, &[])).with_timezone("UTC")),
        ),
        (
            "day",
            Arc::new(Date32Array::from(column(
                &[
                    Some(DAY),
                    Some(0),
                    Some(-1),
                    None,
                    Some(YEAR_0_DAYS),
                    Some(YEAR_10000_DAYS - 1),
                    Some(20_176),
                    Some(20_387),
                ],
                &[
                    Some(YEAR_10000_DAYS),
                    Some(YEAR_0_DAYS - 1),
                    Some(i32::MAX),
                    Some(DAY),
                ],
            ))),
        ),
        (
            "day64",
            Arc::new(Date64Array::from(column(
                &[Some(i64::from(DAY) * 86_400_000), None],
                &[],
            ))),
        ),
        ("amount", Arc::new(amount)),
        ("region", Arc::new(region)),
    ]
}

/// Writes the equivalence file; returns its path and column names.
pub(super) fn equivalence_file(dir: &TempDir) -> (PathBuf, Vec<&'static str>) {
    let columns = columns();
    let names = columns.iter().map(|(name, _)| *name).collect();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(GROUP_ROWS))
        .set_compression(Compression::SNAPPY)
        .build();
    (write(dir, "equivalence.parquet", columns, props), names)
}
