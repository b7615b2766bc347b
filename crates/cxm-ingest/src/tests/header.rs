//! Header checks: BOM, trimming, missing and duplicate columns, empty files.

use super::*;
use crate::IngestError;

#[test]
fn bom_is_stripped() {
    let (_d, path) = fixture("bom.csv", b"\xEF\xBB\xBFid,name\n1,a\n");
    let mut src = open(&path, vec![spec("id", FieldType::Integer)]);
    assert_eq!(src.header(), ["id", "name"]);
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(ints(&b, 0), [Some(1)]);

    // A quoted first header name after the BOM is still unquoted.
    let (_d, path) = fixture("bomq.csv", b"\xEF\xBB\xBF\"id\",name\n1,a\n");
    let header = CsvSource::check_header(&path, &["id".into()], &CsvOptions::default());
    assert_eq!(header.expect("header"), ["id", "name"]);
}

#[test]
fn header_names_are_trimmed() {
    let (_d, path) = fixture("t.csv", b" Response ID ,\tRegion\n1,EU\n");
    let src = open(
        &path,
        vec![FieldSpec::new("id", "Response ID", FieldType::Integer)],
    );
    assert_eq!(src.header(), ["Response ID", "Region"]);
}

#[test]
fn missing_columns_are_listed() {
    let (_d, path) = fixture("survey.csv", b"Response ID,Region\n1,EU\n");
    let err = CsvSource::open(
        &path,
        vec![
            spec("Satisfaction", FieldType::Integer),
            spec("Region", FieldType::String),
            spec("Score", FieldType::Number),
        ],
        CsvOptions::default(),
    )
    .expect_err("missing");
    match &err {
        IngestError::MissingColumns {
            missing, available, ..
        } => {
            assert_eq!(missing, &["Satisfaction", "Score"]);
            assert_eq!(available, &["Response ID", "Region"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{}: columns \"Satisfaction\", \"Score\" not found in header \
             (available: \"Response ID\", \"Region\")",
            path.display()
        )
    );

    let err = CsvSource::check_header(&path, &["Satisfaction".into()], &CsvOptions::default())
        .expect_err("missing");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: column \"Satisfaction\" not found in header \
             (available: \"Response ID\", \"Region\")",
            path.display()
        )
    );
}

#[test]
fn check_header_returns_header() {
    let (_d, path) = fixture("h.csv", b"a;b;c\n1;2;3\n");
    let options = CsvOptions {
        delimiter: b';',
        ..CsvOptions::default()
    };
    let header = CsvSource::check_header(&path, &["c".into(), "a".into()], &options);
    assert_eq!(header.expect("header"), ["a", "b", "c"]);
}

#[test]
fn duplicate_mapped_column_is_an_error() {
    let (_d, path) = fixture("dup.csv", b"id,score,score,x,x\n1,2,3,4,5\n");
    let err = CsvSource::open(
        &path,
        vec![spec("score", FieldType::Integer)],
        CsvOptions::default(),
    )
    .expect_err("duplicate");
    assert!(
        matches!(&err, IngestError::DuplicateColumn { column, .. } if column == "score"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: column \"score\" appears more than once in header",
            path.display()
        )
    );
    // Duplicates that are not mapped are fine.
    let mut src = open(&path, vec![spec("id", FieldType::Integer)]);
    assert_eq!(
        ints(&src.next_batch().expect("ok").expect("b"), 0),
        [Some(1)]
    );
}

#[test]
fn duplicate_field_name_and_bad_format() {
    let (_d, path) = fixture("f.csv", b"a,b\n1,2\n");
    let err = CsvSource::open(
        &path,
        vec![
            FieldSpec::new("x", "a", FieldType::Integer),
            FieldSpec::new("x", "b", FieldType::Integer),
        ],
        CsvOptions::default(),
    )
    .expect_err("dup field");
    assert!(matches!(err, IngestError::DuplicateField { ref field, .. } if field == "x"));

    let err = CsvSource::open(
        &path,
        vec![spec("a", FieldType::Date).with_format("%Q")],
        CsvOptions::default(),
    )
    .expect_err("bad format");
    assert!(matches!(err, IngestError::InvalidFormat { .. }), "{err:?}");
    assert!(err.to_string().contains("\"%Q\""));
}

#[test]
fn empty_files_have_no_header() {
    for bytes in [&b""[..], b"\n\n", b"\r\n", b"\xEF\xBB\xBF"] {
        let (_d, path) = fixture("empty.csv", bytes);
        let err = CsvSource::open(&path, vec![], CsvOptions::default()).expect_err("no header");
        assert!(matches!(err, IngestError::NoHeader { .. }), "{bytes:?}");
        assert_eq!(
            err.to_string(),
            format!("{}: file is empty or has no header row", path.display())
        );
    }
}

#[test]
fn missing_file_is_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nope.csv");
    let err = CsvSource::open(&path, vec![], CsvOptions::default()).expect_err("io");
    assert!(matches!(err, IngestError::Io { .. }));
    assert!(err
        .to_string()
        .starts_with(&format!("{}: ", path.display())));
}
