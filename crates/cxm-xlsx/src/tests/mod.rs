//! End-to-end tests on workbooks generated with `rust_xlsxwriter`.

mod fixture;
mod limits;

use cxm_ingest::{CellErrorReason, FieldSpec, FieldType, IngestError, RecordSource, Zone};
use sha2::{Digest, Sha256};

use crate::{columns, sheets, SheetRef, XlsxSource};
use fixture::*;

#[test]
fn reads_typed_values_below_a_title_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let mut src = open_survey(&path, &[""], Zone::Utc, 100);
    assert_eq!(src.sheet_name(), "Survey");
    assert_eq!(
        src.header(),
        [
            "id",
            "name",
            "score",
            "ratio",
            "active",
            "visit_date",
            "visit_at",
            "note",
            "unused"
        ]
    );
    // Progress is the file size scaled by the share of the sheet's rows (6) handed out:
    // the title and header rows so far.
    let size = std::fs::metadata(&path).unwrap().len();
    assert_eq!(src.bytes_read(), size * 2 / 6);
    let b = src.next_batch().unwrap().unwrap();
    assert!(src.next_batch().unwrap().is_none());
    assert_eq!(b.lines, vec![3, 4, 6]);
    assert!(b.rejected_rows.is_empty());
    assert_eq!(ints(&b, 0), vec![Some(1), Some(2), Some(3)]);
    assert_eq!(
        strings(&b, 1),
        vec![Some("Alice".into()), Some("Bob".into()), None]
    );
    assert_eq!(ints(&b, 2), vec![Some(9), None, Some(7)]);
    assert_eq!(floats(&b, 3), vec![Some(0.5), Some(2.25), None]);
    assert_eq!(bools(&b, 4), vec![Some(true), Some(false), None]);
    // 2024-03-01 and 2024-12-31 as days since 1970-01-01.
    assert_eq!(dates(&b, 5), vec![Some(19_783), Some(20_088), None]);
    // 2024-03-01 10:30:00, 2024-12-31 23:59:59 and 2025-01-02 00:00:00 UTC.
    let at = vec![
        Some(1_709_289_000_000_000),
        Some(1_735_689_599_000_000),
        Some(1_735_776_000_000_000),
    ];
    assert_eq!(stamps(&b, 6), at);
    assert_eq!(
        strings(&b, 7),
        vec![Some("ok".into()), None, Some("#N/A".into())]
    );
    assert_eq!(
        errors(&b),
        vec![
            (1, 2, 4, "#N/A".into(), CellErrorReason::NotANumber),
            (2, 3, 6, "#DIV/0!".into(), CellErrorReason::NotANumber),
        ]
    );
    // The text handed to the parsers.
    let raw: Vec<String> = (0..8).map(|f| b.raw_value(0, f)).collect();
    assert_eq!(
        raw,
        [
            "1",
            "Alice",
            "9",
            "0.5",
            "true",
            "2024-03-01",
            "2024-03-01 10:30:00",
            "ok"
        ]
    );
    assert_eq!(b.raw_value(1, 1), "  Bob ");
    assert_eq!(b.raw_value(2, 2), "7");
    assert_eq!(b.raw_value(2, 6), "2025-01-02");
    assert_eq!(b.raw_value(2, 1), "");

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(src.bytes_read(), bytes.len() as u64);
    assert_eq!(src.total_bytes(), Some(bytes.len() as u64));
    let stats = src.finish().unwrap();
    assert_eq!(
        (stats.rows_read, stats.rows_accepted, stats.rows_rejected),
        (3, 3, 0)
    );
    assert_eq!(stats.bytes, bytes.len() as u64);
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(stats.sha256, sha);
}

#[test]
fn null_values_cover_error_texts_and_zone_applies() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let zone: Zone = "+02:00".parse().unwrap();
    let mut src = open_survey(&path, &["", "#N/A", "#DIV/0!"], zone, 100);
    let b = src.next_batch().unwrap().unwrap();
    assert!(b.cell_errors.is_empty());
    assert_eq!(ints(&b, 2), vec![Some(9), None, Some(7)]);
    assert_eq!(floats(&b, 3), vec![Some(0.5), Some(2.25), None]);
    assert_eq!(strings(&b, 7), vec![Some("ok".into()), None, None]);
    // Local wall-clock times at +02:00: two hours earlier in UTC; dates are unaffected.
    let at = vec![
        Some(1_709_281_800_000_000),
        Some(1_735_682_399_000_000),
        Some(1_735_768_800_000_000),
    ];
    assert_eq!(stamps(&b, 6), at);
    assert_eq!(dates(&b, 5), vec![Some(19_783), Some(20_088), None]);
}

#[test]
fn batches_of_batch_rows_through_the_trait() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let size = std::fs::metadata(&path).unwrap().len();
    let mut src: Box<dyn RecordSource> = Box::new(open_survey(&path, &[""], Zone::Utc, 2));
    assert_eq!(src.fields().len(), 8);
    let first = src.next_batch().unwrap().unwrap();
    assert_eq!(first.lines, vec![3, 4]);
    assert_eq!(ints(&first, 0), vec![Some(1), Some(2)]);
    assert!(src.bytes_read() < size);
    let second = src.next_batch().unwrap().unwrap();
    assert_eq!(second.lines, vec![6]);
    assert_eq!(ints(&second, 0), vec![Some(3)]);
    assert_eq!(
        errors(&second),
        vec![(0, 3, 6, "#DIV/0!".into(), CellErrorReason::NotANumber)]
    );
    assert!(src.next_batch().unwrap().is_none());
    assert_eq!(src.bytes_read(), size);
    let stats = src.finish().unwrap();
    assert_eq!(
        (stats.rows_read, stats.rows_accepted, stats.rows_rejected),
        (3, 3, 0)
    );
}

#[test]
fn selects_sheets_by_name_and_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    assert_eq!(sheets(&path).unwrap(), ["Survey", "Other"]);
    let fields = vec![
        FieldSpec::new("code", "code", FieldType::String),
        FieldSpec::new("amount", "amount", FieldType::Number),
    ];
    for sheet in [SheetRef::Name("Other".into()), SheetRef::Index(1)] {
        let nulls = [String::new()];
        let mut src =
            XlsxSource::open(&path, Some(sheet), 1, fields.clone(), &nulls, Zone::Utc, 10).unwrap();
        assert_eq!(src.sheet_name(), "Other");
        let b = src.next_batch().unwrap().unwrap();
        assert_eq!(b.lines, vec![2, 3]);
        assert_eq!(strings(&b, 0), vec![Some("A".into()), Some("B".into())]);
        assert_eq!(floats(&b, 1), vec![Some(10.0), Some(1.5)]);
        assert_eq!(
            (b.raw_value(0, 1), b.raw_value(1, 1)),
            ("10".into(), "1.5".into())
        );
        assert_eq!(src.finish().unwrap().rows_read, 2);
    }
    // The first sheet by default.
    let nulls = [String::new()];
    let src = XlsxSource::open(&path, None, 2, survey_fields(), &nulls, Zone::Utc, 10).unwrap();
    assert_eq!(src.sheet_name(), "Survey");
}

#[test]
fn lists_columns_of_a_header_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    assert_eq!(
        columns(&path, Some(SheetRef::Index(1)), 1).unwrap(),
        ["code", "amount"]
    );
    assert_eq!(columns(&path, None, 1).unwrap(), ["Customer survey export"]);
    let header: Vec<String> = HEADER.iter().map(|h| h.trim().to_owned()).collect();
    assert_eq!(
        columns(&path, Some(SheetRef::Name("Survey".into())), 2).unwrap(),
        header
    );
    let (_, line, message) = source_message(columns(&path, None, 10).unwrap_err());
    assert_eq!(line, Some(10));
    assert_eq!(message, "sheet \"Survey\": header row 10 is empty");
    let (_, line, message) = source_message(columns(&path, None, 0).unwrap_err());
    assert_eq!(
        (line, message.as_str()),
        (None, "header row must be 1 or more (rows are 1-based)")
    );
}

#[test]
fn missing_columns_list_the_available_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let mut fields = survey_fields();
    fields.push(FieldSpec::new("nps", "nps", FieldType::Integer));
    fields.push(FieldSpec::new("channel", "channel", FieldType::String));
    let err = XlsxSource::open(&path, None, 2, fields, &[], Zone::Utc, 10).unwrap_err();
    match err {
        IngestError::MissingColumns {
            path: p,
            missing,
            available,
        } => {
            assert_eq!(p, path);
            assert_eq!(missing, ["nps", "channel"]);
            let header: Vec<String> = HEADER.iter().map(|h| h.trim().to_owned()).collect();
            assert_eq!(available, header);
        }
        other => panic!("expected MissingColumns, got {other:?}"),
    }
    // With the header taken from the title row, every mapped column is missing.
    let err = XlsxSource::open(&path, None, 1, survey_fields(), &[], Zone::Utc, 10).unwrap_err();
    assert!(
        matches!(err, IngestError::MissingColumns { available, .. } if available == ["Customer survey export"])
    );
}

#[test]
fn unknown_sheets_list_the_sheet_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let open = |sheet| XlsxSource::open(&path, Some(sheet), 1, survey_fields(), &[], Zone::Utc, 10);
    let (name, line, message) = source_message(open(SheetRef::Name("Nope".into())).unwrap_err());
    assert_eq!((name, line), (path.display().to_string(), None));
    assert_eq!(
        message,
        "sheet \"Nope\" not found (sheets: \"Survey\", \"Other\")"
    );
    let (_, _, message) = source_message(open(SheetRef::Index(2)).unwrap_err());
    assert_eq!(
        message,
        "sheet index 2 out of range (0-based) (sheets: \"Survey\", \"Other\")"
    );
    let err = columns(&path, Some(SheetRef::Name("survey".into())), 1).unwrap_err();
    assert!(source_message(err)
        .2
        .starts_with("sheet \"survey\" not found"));
}

#[test]
fn corrupt_and_missing_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.xlsx");
    let mut state: u32 = 0x1234_5678;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(&path, noise).unwrap();
    let err = XlsxSource::open(&path, None, 1, survey_fields(), &[], Zone::Utc, 10).unwrap_err();
    let shown = err.to_string();
    let (name, line, message) = source_message(err);
    assert_eq!((name, line), (path.display().to_string(), None));
    assert!(
        message.starts_with("not a readable .xlsx workbook: "),
        "{message}"
    );
    assert!(shown.starts_with(&format!(
        "{}: not a readable .xlsx workbook",
        path.display()
    )));
    assert!(source_message(sheets(&path).unwrap_err())
        .2
        .starts_with("not a readable .xlsx workbook"));

    let absent = dir.path().join("absent.xlsx");
    let err = XlsxSource::open(&absent, None, 1, survey_fields(), &[], Zone::Utc, 10).unwrap_err();
    assert!(matches!(err, IngestError::Io { path, .. } if path == absent));
}

#[test]
fn field_spec_and_header_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let twice = vec![
        FieldSpec::new("id", "id", FieldType::Integer),
        FieldSpec::new("id", "name", FieldType::String),
    ];
    let err = XlsxSource::open(&path, None, 2, twice, &[], Zone::Utc, 10).unwrap_err();
    assert!(matches!(err, IngestError::DuplicateField { field, .. } if field == "id"));
    let err = XlsxSource::open(&path, None, 9, survey_fields(), &[], Zone::Utc, 10).unwrap_err();
    assert_eq!(source_message(err).1, Some(9));
}

#[test]
fn line_numbers_are_excel_rows_when_the_table_does_not_start_at_a1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offset.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    // Header in C4, data in rows 5 and 8 (rows 6 and 7 empty); columns A and B unused.
    ws.write_string(3, 2, "score").unwrap();
    ws.write_string(3, 3, "label").unwrap();
    ws.write_number(4, 2, 10.0).unwrap();
    ws.write_string(4, 3, "a").unwrap();
    ws.write_number(7, 2, -4.0).unwrap();
    book.save(&path).unwrap();
    assert_eq!(columns(&path, None, 4).unwrap(), ["score", "label"]);
    let (_, line, _) = source_message(columns(&path, None, 1).unwrap_err());
    assert_eq!(line, Some(1));
    let fields = vec![
        FieldSpec::new("label", "label", FieldType::String),
        FieldSpec::new("score", "score", FieldType::Integer),
    ];
    let mut src = XlsxSource::open(&path, None, 4, fields, &[], Zone::Utc, 10).unwrap();
    let b = src.next_batch().unwrap().unwrap();
    assert_eq!(b.lines, vec![5, 8]);
    assert_eq!(strings(&b, 0), vec![Some("a".into()), None]);
    assert_eq!(ints(&b, 1), vec![Some(10), Some(-4)]);
    assert!(src.next_batch().unwrap().is_none());
    assert_eq!(src.finish().unwrap().rows_read, 2);
}
