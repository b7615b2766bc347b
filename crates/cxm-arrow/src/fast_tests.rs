//! Tests of the typed fast paths on hand-made arrays (the equivalence with the text path
//! on whole files is tested in `tests::chunks`).

use arrow_array::types::Date32Type;
use arrow_array::{
    BooleanArray, Float64Array, Int8Array, LargeStringArray, StringArray, StringViewArray,
    TimestampNanosecondArray, TimestampSecondArray, UInt64Array,
};
use chrono::NaiveDate;
use CellErrorReason::*;

use super::*;

fn nulls(values: &[&str]) -> NullValues {
    NullValues::new(&values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>())
}

fn run(conversion: Conversion, array: ArrayRef, null_values: &[&str], zone: Zone) -> Converted {
    convert(conversion, &array, &nulls(null_values), &zone).expect("fast path")
}

fn ints(c: &Converted) -> Vec<Option<i64>> {
    c.array.as_primitive::<Int64Type>().iter().collect()
}

fn floats(c: &Converted) -> Vec<Option<f64>> {
    c.array.as_primitive::<Float64Type>().iter().collect()
}

fn micros_of(c: &Converted) -> Vec<Option<i64>> {
    c.array
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .collect()
}

/// Microseconds since the epoch of a UTC date and time.
fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid")
        .and_utc()
        .timestamp_micros()
}

#[test]
fn null_values_match_the_text_of_typed_values() {
    let n = nulls(&[
        "", " 0 ", "NA", "NaN", "-0", "+5", "1e3", "2.50", "true", "007",
    ]);
    assert_eq!(n.integers, vec![0]);
    assert_eq!(n.floats, vec![0f64.to_bits(), (-0f64).to_bits()]);
    assert!(n.nan && n.true_text && !n.false_text && !n.temporal);
    assert!(n.is_null_text(b"0") && n.is_null_text(b"") && !n.is_null_text(b" 0 "));
    assert!(n.is_null_float(f64::NAN) && n.is_null_float(-0.0) && !n.is_null_float(2.5));
    let n = nulls(&["inf", "2025-03-01", "-"]);
    assert!(n.temporal && !n.nan);
    assert_eq!(n.floats, vec![f64::INFINITY.to_bits()]);
    assert!(nulls(&["10:00:00.5"]).temporal);
    assert!(!nulls(&["n/a", "2025-03-0x", "12345"]).temporal);
}

#[test]
fn plans_fast_paths_only_for_identical_combinations() {
    let none = nulls(&[""]);
    let date_like = nulls(&["1970-01-01"]);
    let spec = |ty| FieldSpec::new("f", "f", ty);
    let ts = DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()));
    let cases = [
        (
            DataType::Int8,
            FieldType::Integer,
            &none,
            Conversion::IntegerToInteger,
        ),
        (
            DataType::UInt64,
            FieldType::Number,
            &none,
            Conversion::IntegerToNumber,
        ),
        (DataType::Int32, FieldType::String, &none, Conversion::Text),
        (DataType::Int32, FieldType::Boolean, &none, Conversion::Text),
        (
            DataType::Float64,
            FieldType::Number,
            &none,
            Conversion::FloatToNumber,
        ),
        (
            DataType::Float64,
            FieldType::Integer,
            &none,
            Conversion::FloatToInteger,
        ),
        (
            DataType::Float32,
            FieldType::Number,
            &none,
            Conversion::Text,
        ),
        (
            DataType::Utf8View,
            FieldType::String,
            &none,
            Conversion::Strings,
        ),
        (DataType::Utf8, FieldType::Integer, &none, Conversion::Text),
        (
            DataType::Boolean,
            FieldType::Boolean,
            &none,
            Conversion::Booleans,
        ),
        (
            ts.clone(),
            FieldType::Datetime,
            &none,
            Conversion::TimestampToDatetime,
        ),
        (
            ts.clone(),
            FieldType::Date,
            &none,
            Conversion::TimestampToDate,
        ),
        (
            ts.clone(),
            FieldType::Datetime,
            &date_like,
            Conversion::Text,
        ),
        (
            DataType::Date32,
            FieldType::Date,
            &none,
            Conversion::DateToDate,
        ),
        (
            DataType::Date32,
            FieldType::Datetime,
            &none,
            Conversion::DateToDatetime,
        ),
        (
            DataType::Date32,
            FieldType::Date,
            &date_like,
            Conversion::Text,
        ),
        (DataType::Date64, FieldType::Date, &none, Conversion::Text),
    ];
    for (ty, field_type, null_values, want) in cases {
        assert_eq!(
            plan(&spec(field_type), &ty, null_values),
            want,
            "{ty} {field_type}"
        );
    }
    // A declared format always takes the text path.
    let with_format = spec(FieldType::Datetime).with_format("iso");
    assert_eq!(plan(&with_format, &ts, &none), Conversion::Text);
    assert_eq!(
        plan(
            &spec(FieldType::Integer).with_format("x"),
            &DataType::Int8,
            &none
        ),
        Conversion::Text
    );
}

#[test]
fn integers_apply_null_values_and_range() {
    let small: ArrayRef = Arc::new(Int8Array::from(vec![Some(0), None, Some(-128), Some(127)]));
    let c = run(
        Conversion::IntegerToInteger,
        small.clone(),
        &[""],
        Zone::Utc,
    );
    assert_eq!(ints(&c), vec![Some(0), None, Some(-128), Some(127)]);
    let c = run(
        Conversion::IntegerToInteger,
        small.clone(),
        &["0"],
        Zone::Utc,
    );
    assert_eq!(ints(&c), vec![None, None, Some(-128), Some(127)]);
    assert!(c.errors.is_empty());
    let c = run(Conversion::IntegerToNumber, small, &["127"], Zone::Utc);
    assert_eq!(floats(&c), vec![Some(0.0), None, Some(-128.0), None]);

    let big: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX, 5, 1 << 63]));
    let c = run(Conversion::IntegerToInteger, big.clone(), &[""], Zone::Utc);
    assert_eq!(ints(&c), vec![None, Some(5), None]);
    assert_eq!(c.errors, vec![(0, NotAnInteger), (2, NotAnInteger)]);
    let c = run(Conversion::IntegerToNumber, big, &[""], Zone::Utc);
    assert_eq!(
        floats(&c),
        vec![
            Some(18_446_744_073_709_551_615.0),
            Some(5.0),
            Some(9_223_372_036_854_775_808.0)
        ]
    );
    // An Int64 column without null values is kept as it is.
    let same: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![1, 2]));
    let c = run(
        Conversion::IntegerToInteger,
        same.clone(),
        &["NA"],
        Zone::Utc,
    );
    assert!(Arc::ptr_eq(&c.array, &same));
    // Not an integer column: no fast path.
    let text: ArrayRef = Arc::new(StringArray::from(vec!["1"]));
    assert!(convert(Conversion::IntegerToInteger, &text, &nulls(&[]), &Zone::Utc).is_none());
}

#[test]
fn floats_reject_what_their_text_cannot_give() {
    let values: ArrayRef = Arc::new(Float64Array::from(vec![
        Some(f64::NAN),
        Some(f64::NEG_INFINITY),
        Some(-0.0),
        Some(2.5),
        None,
        Some(9_007_199_254_740_992.0),
    ]));
    let c = run(Conversion::FloatToNumber, values.clone(), &[""], Zone::Utc);
    assert_eq!(c.errors, vec![(0, NotANumber), (1, NotANumber)]);
    let got = floats(&c);
    assert_eq!(got[2].map(f64::to_bits), Some((-0f64).to_bits()));
    assert_eq!(got[3..], [Some(2.5), None, Some(9_007_199_254_740_992.0)]);
    let c = run(
        Conversion::FloatToNumber,
        values.clone(),
        &["NaN", "-0"],
        Zone::Utc,
    );
    assert_eq!(c.errors, vec![(1, NotANumber)]);
    assert_eq!(floats(&c)[..3], [None, None, None]);
    let c = run(Conversion::FloatToInteger, values, &[""], Zone::Utc);
    assert_eq!(
        ints(&c),
        vec![None, None, Some(0), None, None, Some(9_007_199_254_740_992)]
    );
    assert_eq!(
        c.errors,
        vec![(0, NotANumber), (1, NotANumber), (3, NotAnInteger)]
    );
    // Finite values are kept as they are.
    let plain: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.5), None]));
    let c = run(
        Conversion::FloatToNumber,
        plain.clone(),
        &["", "NA"],
        Zone::Utc,
    );
    assert!(Arc::ptr_eq(&c.array, &plain));
    // Beyond 2^53, Display pads rounded digits with zeros: the text path decides.
    let big: ArrayRef = Arc::new(Float64Array::from(vec![1_152_921_504_606_846_976.0]));
    assert!(convert(Conversion::FloatToInteger, &big, &nulls(&[]), &Zone::Utc).is_none());
}

#[test]
fn strings_are_trimmed_unless_nothing_needs_it() {
    let clean: ArrayRef = Arc::new(StringArray::from(vec![Some("a b"), None, Some("c")]));
    let c = run(Conversion::Strings, clean.clone(), &["", "NA"], Zone::Utc);
    assert!(Arc::ptr_eq(&c.array, &clean));
    let messy = vec![
        Some(" a "),
        Some("NA"),
        Some(" NA\t"),
        Some(""),
        None,
        Some("b"),
    ];
    let want = vec![Some("a"), None, None, None, None, Some("b")];
    let arrays: [ArrayRef; 3] = [
        Arc::new(StringArray::from(messy.clone())),
        Arc::new(LargeStringArray::from(messy.clone())),
        Arc::new(StringViewArray::from(messy)),
    ];
    for array in arrays {
        let c = run(Conversion::Strings, array, &["", "NA"], Zone::Utc);
        assert_eq!(c.array.data_type(), &DataType::Utf8);
        let got: Vec<Option<&str>> = c.array.as_string::<i32>().iter().collect();
        assert_eq!(got, want);
    }
    // A null value alone makes the column go value by value.
    let c = run(Conversion::Strings, clean.clone(), &["c"], Zone::Utc);
    let got: Vec<Option<&str>> = c.array.as_string::<i32>().iter().collect();
    assert_eq!(got, vec![Some("a b"), None, None]);
}

#[test]
fn booleans_match_their_text() {
    let flags: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), Some(false), None]));
    let c = run(Conversion::Booleans, flags.clone(), &["NA"], Zone::Utc);
    assert!(Arc::ptr_eq(&c.array, &flags));
    let c = run(Conversion::Booleans, flags, &["false"], Zone::Utc);
    let got: Vec<Option<bool>> = c.array.as_boolean().iter().collect();
    assert_eq!(got, vec![Some(true), None, None]);
}

#[test]
fn year_range_constants() {
    let at = |y| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("valid")
            .and_utc()
    };
    assert_eq!(at(0).timestamp(), MIN_SECS);
    assert_eq!(at(10_000).timestamp(), END_SECS);
    assert_eq!(MIN_SECS.div_euclid(SECS_PER_DAY), i64::from(MIN_DAYS));
    assert_eq!(END_SECS.div_euclid(SECS_PER_DAY), i64::from(END_DAYS));
}

#[test]
fn timestamps_truncate_to_microseconds_within_four_digit_years() {
    assert_eq!(micros(-1, TimeUnit::Nanosecond), Some(-1));
    assert_eq!(micros(1_999, TimeUnit::Nanosecond), Some(1));
    assert_eq!(micros(-2, TimeUnit::Millisecond), Some(-2_000));
    assert_eq!(
        micros(MIN_SECS, TimeUnit::Second),
        Some(MIN_SECS * 1_000_000)
    );
    assert_eq!(micros(MIN_SECS - 1, TimeUnit::Second), None);
    assert_eq!(micros(END_SECS, TimeUnit::Second), None);
    assert_eq!(micros(i64::MAX, TimeUnit::Second), None);

    let ns: ArrayRef = Arc::new(
        TimestampNanosecondArray::from(vec![Some(-1), None, Some(1_500)]).with_timezone("+02:00"),
    );
    let c = run(
        Conversion::TimestampToDatetime,
        ns.clone(),
        &[""],
        Zone::Utc,
    );
    assert_eq!(micros_of(&c), vec![Some(-1), None, Some(1)]);
    assert_eq!(
        c.array.data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    let c = run(Conversion::TimestampToDate, ns, &[""], Zone::Utc);
    let days: Vec<Option<i32>> = c.array.as_primitive::<Date32Type>().iter().collect();
    assert_eq!(days, vec![Some(-1), None, Some(0)]);

    // A year beyond 9999 is written differently: the text path decides.
    let far: ArrayRef = Arc::new(TimestampSecondArray::from(vec![0, END_SECS]));
    assert!(convert(
        Conversion::TimestampToDatetime,
        &far,
        &nulls(&[]),
        &Zone::Utc
    )
    .is_none());
    let far_date: ArrayRef = Arc::new(Date32Array::from(vec![END_DAYS]));
    assert!(convert(Conversion::DateToDate, &far_date, &nulls(&[]), &Zone::Utc).is_none());
}

#[test]
fn naive_timestamps_are_wall_clock_times_in_the_zone() {
    let berlin: Zone = "Europe/Berlin".parse().expect("zone");
    let secs = |us: i64| us / 1_000_000;
    let naive: ArrayRef = Arc::new(TimestampSecondArray::from(vec![
        Some(secs(utc(2025, 3, 30, 2, 30))),  // in the spring gap
        Some(secs(utc(2025, 10, 26, 2, 30))), // repeated in autumn
        Some(secs(utc(2025, 7, 1, 12, 0))),
        None,
    ]));
    let c = run(
        Conversion::TimestampToDatetime,
        naive.clone(),
        &[""],
        berlin,
    );
    assert_eq!(
        micros_of(&c),
        vec![
            Some(utc(2025, 3, 30, 1, 30)),
            Some(utc(2025, 10, 26, 0, 30)),
            Some(utc(2025, 7, 1, 10, 0)),
            None
        ]
    );
    let c = run(Conversion::TimestampToDatetime, naive, &[""], Zone::Utc);
    assert_eq!(micros_of(&c)[2], Some(utc(2025, 7, 1, 12, 0)));
    // Dates are local midnight.
    let days: ArrayRef = Arc::new(Date32Array::from(vec![Some(20_148), None]));
    let c = run(Conversion::DateToDatetime, days, &[""], berlin);
    assert_eq!(micros_of(&c), vec![Some(utc(2025, 2, 28, 23, 0)), None]);
}
