//! Cell parsing through the reader: every type, every error reason, null
//! values, and the schema of the produced batches.

use arrow_schema::{DataType, TimeUnit};

use super::*;
use crate::{CellError, CellErrorReason};

const MAR1: i64 = 1_740_787_200_000_000;
const HOUR: i64 = 3_600_000_000;

fn all_types() -> Vec<FieldSpec> {
    vec![
        spec("i", FieldType::Integer),
        spec("n", FieldType::Number),
        spec("s", FieldType::String),
        spec("b", FieldType::Boolean),
        spec("d", FieldType::Date),
        spec("t", FieldType::Datetime),
    ]
}

#[test]
fn every_type_parses() {
    let csv = "i,n,s,b,d,t,extra\n\
               7, 2.5 , hello ,yes,1970-01-02,2025-03-01T10:00:00Z,x\n\
               7.0,-1e2,\"a, b\",F,2025-03-01,2025-03-01T10:00:00+02:00,y\n\
               +3,4,,1,2025-03-01T10:00:00,2025-03-01T10:00:00.123456Z,z\n\
               -0,0.0,ü,n,1970-01-01,2025-03-01,w\n";
    let (_d, path) = fixture("types.csv", csv.as_bytes());
    let mut src = open(&path, all_types());
    let all = batches(&mut src);
    assert_eq!(all.len(), 1);
    let b = &all[0];
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert_eq!(ints(b, 0), [Some(7), Some(7), Some(3), Some(0)]);
    assert_eq!(
        floats(b, 1),
        [Some(2.5), Some(-100.0), Some(4.0), Some(0.0)]
    );
    assert_eq!(
        strs(b, 2),
        [
            Some("hello".into()),
            Some("a, b".into()),
            None,
            Some("ü".into())
        ]
    );
    assert_eq!(
        bools(b, 3),
        [Some(true), Some(false), Some(true), Some(false)]
    );
    assert_eq!(dates(b, 4), [Some(1), Some(20_148), Some(20_148), Some(0)]);
    assert_eq!(
        stamps(b, 5),
        [
            Some(1_740_823_200_000_000),
            Some(1_740_816_000_000_000),
            Some(MAR1 + 10 * HOUR + 123_456),
            Some(MAR1),
        ]
    );
    assert_eq!(b.lines, [2, 3, 4, 5]);
}

#[test]
fn every_failure_reason() {
    let csv: &[u8] = b"i,n,s,b,d,t\n\
                       7.5,NaN,\xff\xfe,maybe,2025-02-30,2025-03-01T25:00\n\
                       abc,inf,ok,2,01/03/2025,yesterday\n";
    let (_d, path) = fixture("bad.csv", csv);
    // Declared UTF-8: undeclared, this sample (no valid non-ASCII UTF-8 at
    // all) would be detected as a legacy encoding and decoded.
    let options = CsvOptions {
        encoding: Some("utf-8".into()),
        ..CsvOptions::default()
    };
    let mut src = CsvSource::open(&path, all_types(), options).expect("open");
    let all = batches(&mut src);
    let b = &all[0];
    use CellErrorReason::*;
    let got: Vec<(usize, usize, u64, &str, CellErrorReason)> = b
        .cell_errors
        .iter()
        .map(|e| (e.row, e.field, e.line, e.value.as_str(), e.reason))
        .collect();
    assert_eq!(
        got,
        [
            (0, 0, 2, "7.5", NotAnInteger),
            (0, 1, 2, "NaN", NotANumber),
            (0, 2, 2, "\u{fffd}\u{fffd}", InvalidUtf8),
            (0, 3, 2, "maybe", InvalidBoolean),
            (0, 4, 2, "2025-02-30", InvalidDate),
            (0, 5, 2, "2025-03-01T25:00", InvalidDatetime),
            (1, 0, 3, "abc", NotANumber),
            (1, 1, 3, "inf", NotANumber),
            (1, 3, 3, "2", InvalidBoolean),
            (1, 4, 3, "01/03/2025", InvalidDate),
            (1, 5, 3, "yesterday", InvalidDatetime),
        ]
    );
    // Failed cells are null.
    assert_eq!(ints(b, 0), [None, None]);
    assert_eq!(strs(b, 2), [None, Some("ok".into())]);
    assert_eq!(b.raw_value(0, 2), "\u{fffd}\u{fffd}");
}

#[test]
fn cell_error_value_is_untrimmed_original() {
    let (_d, path) = fixture("v.csv", b"i\n\" 7.5 \"\n");
    let mut src = open(&path, vec![spec("i", FieldType::Integer)]);
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(
        b.cell_errors,
        [CellError {
            row: 0,
            field: 0,
            line: 2,
            value: " 7.5 ".into(),
            reason: CellErrorReason::NotAnInteger,
        }]
    );
}

#[test]
fn null_values_are_null_not_errors() {
    let csv = "i,s,d\n\
               NA,NA,NA\n\
               ,,\n\
               \x20 NA\t,  ,  \n\
               n/a,x,1970-01-02\n";
    let (_d, path) = fixture("nulls.csv", csv.as_bytes());
    let fields = vec![
        spec("i", FieldType::Integer),
        spec("s", FieldType::String),
        spec("d", FieldType::Date),
    ];
    let options = CsvOptions {
        null_values: vec![String::new(), "NA".into(), "n/a".into()],
        ..CsvOptions::default()
    };
    let mut src = CsvSource::open(&path, fields.clone(), options).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert_eq!(ints(&b, 0), [None, None, None, None]);
    assert_eq!(strs(&b, 1), [None, None, None, Some("x".into())]);
    assert_eq!(dates(&b, 2), [None, None, None, Some(1)]);

    // Without "" among the null values, an empty cell is parsed: an empty
    // string for a string column, an error for an integer column.
    let options = CsvOptions {
        null_values: vec!["NA".into()],
        ..CsvOptions::default()
    };
    let mut src = CsvSource::open(&path, fields, options).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(
        strs(&b, 1),
        [
            None,
            Some(String::new()),
            Some(String::new()),
            Some("x".into())
        ]
    );
    let reasons: Vec<_> = b
        .cell_errors
        .iter()
        .map(|e| (e.row, e.field, e.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (1, 0, CellErrorReason::NotANumber),
            (1, 2, CellErrorReason::InvalidDate),
            (2, 2, CellErrorReason::InvalidDate),
            (3, 0, CellErrorReason::NotANumber),
        ]
    );
}

#[test]
fn formats_are_applied() {
    let csv = "d,t\n02/01/1970,01/03/2025 10:00 +0200\n";
    let (_d, path) = fixture("fmt.csv", csv.as_bytes());
    let mut src = open(
        &path,
        vec![
            spec("d", FieldType::Date).with_format("%d/%m/%Y"),
            spec("t", FieldType::Datetime).with_format("%d/%m/%Y %H:%M %z"),
        ],
    );
    let b = src.next_batch().expect("ok").expect("batch");
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert_eq!(dates(&b, 0), [Some(1)]);
    assert_eq!(stamps(&b, 1), [Some(MAR1 + 8 * HOUR)]);
}

#[test]
fn schema_matches_specs_and_columns() {
    let (_d, path) = fixture("s.csv", b"Score,When\n1,2025-03-01\n");
    let mut src = open(
        &path,
        vec![
            FieldSpec::new("score", "Score", FieldType::Integer),
            FieldSpec::new("when", "When", FieldType::Datetime),
        ],
    );
    let schema = src.schema();
    assert_eq!(schema.fields().len(), 2);
    assert_eq!(schema.field(0).name(), "score");
    assert_eq!(schema.field(0).data_type(), &DataType::Int64);
    assert!(schema.field(0).is_nullable());
    assert_eq!(schema.field(1).name(), "when");
    assert_eq!(
        schema.field(1).data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    let b = src.next_batch().expect("ok").expect("batch");
    for (col, field) in b.columns.iter().zip(schema.fields()) {
        assert_eq!(col.data_type(), field.data_type());
    }
    assert_eq!(src.fields()[0].column, "Score");
}
