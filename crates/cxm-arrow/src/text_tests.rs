//! Tests of the text written for each Arrow type.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, DictionaryArray,
    Float32Array, Float64Array, Int64Array, LargeStringArray, ListArray, NullArray, StringArray,
    Time64MicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
    TimestampSecondArray, UInt64Array,
};

use super::*;

/// The text of each cell, checking that [`write_cell`] writes the same as [`fill`].
fn texts(array: ArrayRef) -> Vec<Option<String>> {
    let mut col = TextColumn::default();
    fill(array.as_ref(), &mut col).unwrap();
    let mut cell = b"junk".to_vec();
    for i in 0..array.len() {
        cell.truncate(4);
        let written = write_cell(array.as_ref(), i, &mut cell);
        assert_eq!(written, col.get(i).is_some(), "cell {i}");
        assert_eq!(&cell[..4], b"junk");
        assert_eq!(&cell[4..], col.get(i).unwrap_or_default(), "cell {i}");
    }
    cell.truncate(4);
    assert!(!write_cell(array.as_ref(), array.len(), &mut cell));
    assert_eq!(cell, b"junk");
    (0..array.len())
        .map(|i| col.get(i).map(|b| String::from_utf8(b.to_vec()).unwrap()))
        .collect()
}

fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some((*v).to_owned())).collect()
}

#[test]
fn numbers_use_display() {
    let ints = Arc::new(Int64Array::from(vec![Some(-7), None, Some(i64::MAX)]));
    assert_eq!(
        texts(ints),
        vec![Some("-7".into()), None, Some("9223372036854775807".into())]
    );
    let unsigned = Arc::new(UInt64Array::from(vec![u64::MAX]));
    assert_eq!(texts(unsigned), some(&["18446744073709551615"]));
    let floats = Arc::new(Float64Array::from(vec![7.0, 2.5, -0.125, 1e21, f64::NAN]));
    assert_eq!(
        texts(floats),
        some(&["7", "2.5", "-0.125", "1000000000000000000000", "NaN"])
    );
    assert_eq!(
        texts(Arc::new(Float32Array::from(vec![0.1f32]))),
        some(&["0.1"])
    );
}

#[test]
fn strings_booleans_and_nulls() {
    let s = Arc::new(StringArray::from(vec![Some(" a "), None, Some("")]));
    assert_eq!(
        texts(s),
        vec![Some(" a ".into()), None, Some(String::new())]
    );
    let l = Arc::new(LargeStringArray::from(vec!["ü"]));
    assert_eq!(texts(l), some(&["ü"]));
    let b = Arc::new(BooleanArray::from(vec![Some(true), Some(false), None]));
    assert_eq!(
        texts(b),
        vec![Some("true".into()), Some("false".into()), None]
    );
    assert_eq!(texts(Arc::new(NullArray::new(2))), vec![None, None]);
}

#[test]
fn dates_times_and_timestamps() {
    let d32 = Arc::new(Date32Array::from(vec![0, 20_148, -1]));
    assert_eq!(
        texts(d32),
        some(&["1970-01-01", "2025-03-01", "1969-12-31"])
    );
    let d64 = Arc::new(Date64Array::from(vec![1_740_787_200_000]));
    assert_eq!(texts(d64), some(&["2025-03-01"]));
    let naive = Arc::new(TimestampMillisecondArray::from(vec![
        1_740_823_200_000,
        1_740_823_200_250,
    ]));
    assert_eq!(
        texts(naive),
        some(&["2025-03-01 10:00:00", "2025-03-01 10:00:00.250"])
    );
    let utc = Arc::new(TimestampSecondArray::from(vec![1_740_823_200]).with_timezone("UTC"));
    assert_eq!(texts(utc), some(&["2025-03-01T10:00:00+00:00"]));
    // The instant is written in UTC whatever the column's zone.
    let berlin = Arc::new(
        TimestampNanosecondArray::from(vec![1_740_823_200_000_001_000, 1_740_823_200_000_000_001])
            .with_timezone("Europe/Berlin"),
    );
    assert_eq!(
        texts(berlin),
        some(&[
            "2025-03-01T10:00:00.000001+00:00",
            "2025-03-01T10:00:00.000000001+00:00"
        ])
    );
    let t = Arc::new(Time64MicrosecondArray::from(vec![37_230_500_000]));
    assert_eq!(texts(t), some(&["10:20:30.500"]));
}

#[test]
fn decimals_are_exact() {
    let scaled = Decimal128Array::from(vec![Some(12_345), Some(-5), Some(0), Some(150), None])
        .with_precision_and_scale(10, 2)
        .unwrap();
    assert_eq!(
        texts(Arc::new(scaled)),
        vec![
            Some("123.45".into()),
            Some("-0.05".into()),
            Some("0.00".into()),
            Some("1.50".into()),
            None
        ]
    );
    let negative_scale = Decimal128Array::from(vec![-12])
        .with_precision_and_scale(5, -2)
        .unwrap();
    assert_eq!(texts(Arc::new(negative_scale)), some(&["-1200"]));
    let whole = Decimal128Array::from(vec![42])
        .with_precision_and_scale(5, 0)
        .unwrap();
    assert_eq!(texts(Arc::new(whole)), some(&["42"]));
}

#[test]
fn dictionaries_decode_their_values() {
    let dict: DictionaryArray<Int32Type> = vec![Some("b"), None, Some("a"), Some("b")]
        .into_iter()
        .collect();
    assert_eq!(
        texts(Arc::new(dict)),
        vec![Some("b".into()), None, Some("a".into()), Some("b".into())]
    );
    // A null among the values, and a dictionary without values (every key null).
    let keys = arrow_array::Int8Array::from(vec![Some(1), Some(0), None]);
    let values = Arc::new(StringArray::from(vec![None, Some("x")]));
    let with_null = DictionaryArray::new(keys, values);
    assert_eq!(
        texts(Arc::new(with_null)),
        vec![Some("x".into()), None, None]
    );
    let keys = arrow_array::UInt16Array::from(vec![None, None]);
    let empty = DictionaryArray::new(keys, Arc::new(StringArray::from(Vec::<&str>::new())));
    assert_eq!(texts(Arc::new(empty)), vec![None, None]);
}

#[test]
fn nested_types_are_unsupported() {
    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1)])]);
    assert!(!supported(list.data_type()));
    let mut col = TextColumn::default();
    let err = fill(&list, &mut col).unwrap_err();
    assert!(err.starts_with("unsupported column type List"), "{err}");
    assert!(supported(&DataType::Dictionary(
        Box::new(DataType::Int32),
        Box::new(DataType::Utf8)
    )));
}
