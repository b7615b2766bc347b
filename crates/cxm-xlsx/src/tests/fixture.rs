//! Workbooks generated with `rust_xlsxwriter` for the tests, and helpers reading batches.

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use cxm_ingest::{Batch, CellErrorReason, FieldSpec, FieldType, IngestError, Zone};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::{SheetRef, XlsxSource};

pub(super) const HEADER: [&str; 9] = [
    " id ",
    "name",
    "score",
    "ratio",
    "active",
    "visit_date",
    "visit_at",
    "note",
    "unused",
];

/// `Survey` (title in row 1, header in row 2, data in rows 3, 4 and 6, row 5 empty) and
/// `Other` (header in row 1).
pub(super) fn workbook(dir: &Path) -> PathBuf {
    let path = dir.join("survey.xlsx");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let d = |y, m, d| ExcelDateTime::from_ymd(y, m, d).unwrap();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("Survey").unwrap();
    ws.write_string(0, 0, "Customer survey export").unwrap();
    for (col, name) in HEADER.iter().enumerate() {
        ws.write_string(1, col as u16, *name).unwrap();
    }
    // Row 3.
    ws.write_number(2, 0, 1.0).unwrap();
    ws.write_string(2, 1, "Alice").unwrap();
    ws.write_number(2, 2, 9.0).unwrap();
    ws.write_number(2, 3, 0.5).unwrap();
    ws.write_boolean(2, 4, true).unwrap();
    ws.write_datetime_with_format(2, 5, d(2024, 3, 1), &date)
        .unwrap();
    let at = d(2024, 3, 1).and_hms(10, 30, 0).unwrap();
    ws.write_datetime_with_format(2, 6, &at, &datetime).unwrap();
    ws.write_string(2, 7, "ok").unwrap();
    ws.write_string(2, 8, "x").unwrap();
    // Row 4.
    ws.write_number(3, 0, 2.0).unwrap();
    ws.write_string(3, 1, "  Bob ").unwrap();
    ws.write_string(3, 2, "#N/A").unwrap();
    ws.write_number(3, 3, 2.25).unwrap();
    ws.write_boolean(3, 4, false).unwrap();
    ws.write_datetime_with_format(3, 5, d(2024, 12, 31), &date)
        .unwrap();
    let at = d(2024, 12, 31).and_hms(23, 59, 59).unwrap();
    ws.write_datetime_with_format(3, 6, &at, &datetime).unwrap();
    // Row 5 is empty; row 6.
    ws.write_number(5, 0, 3.0).unwrap();
    ws.write_number(5, 2, 7.0).unwrap();
    ws.write_formula(5, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    ws.write_datetime_with_format(5, 6, d(2025, 1, 2), &datetime)
        .unwrap();
    ws.write_string(5, 7, "#N/A").unwrap();

    let ws = book.add_worksheet();
    ws.set_name("Other").unwrap();
    ws.write_string(0, 0, "code").unwrap();
    ws.write_string(0, 1, "amount").unwrap();
    ws.write_string(1, 0, "A").unwrap();
    ws.write_number(1, 1, 10.0).unwrap();
    ws.write_string(2, 0, "B").unwrap();
    ws.write_number(2, 1, 1.5).unwrap();
    book.save(&path).unwrap();
    path
}

pub(super) fn survey_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("id", "id", FieldType::Integer),
        FieldSpec::new("name", "name", FieldType::String),
        FieldSpec::new("score", "score", FieldType::Integer),
        FieldSpec::new("ratio", "ratio", FieldType::Number),
        FieldSpec::new("active", "active", FieldType::Boolean),
        FieldSpec::new("visit_date", "visit_date", FieldType::Date),
        FieldSpec::new("visit_at", "visit_at", FieldType::Datetime),
        FieldSpec::new("note", "note", FieldType::String),
    ]
}

pub(super) fn open_survey(
    path: &Path,
    nulls: &[&str],
    zone: Zone,
    batch_rows: usize,
) -> XlsxSource {
    let nulls: Vec<String> = nulls.iter().map(|s| s.to_string()).collect();
    let sheet = Some(SheetRef::Name("Survey".into()));
    XlsxSource::open(path, sheet, 2, survey_fields(), &nulls, zone, batch_rows).unwrap()
}

pub(super) fn ints(b: &Batch, f: usize) -> Vec<Option<i64>> {
    b.columns[f].as_primitive::<Int64Type>().iter().collect()
}
pub(super) fn floats(b: &Batch, f: usize) -> Vec<Option<f64>> {
    b.columns[f].as_primitive::<Float64Type>().iter().collect()
}
pub(super) fn strings(b: &Batch, f: usize) -> Vec<Option<String>> {
    b.columns[f]
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_owned))
        .collect()
}
pub(super) fn bools(b: &Batch, f: usize) -> Vec<Option<bool>> {
    b.columns[f].as_boolean().iter().collect()
}
pub(super) fn dates(b: &Batch, f: usize) -> Vec<Option<i32>> {
    b.columns[f].as_primitive::<Date32Type>().iter().collect()
}
pub(super) fn stamps(b: &Batch, f: usize) -> Vec<Option<i64>> {
    b.columns[f]
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .collect()
}
pub(super) fn errors(b: &Batch) -> Vec<(usize, usize, u64, String, CellErrorReason)> {
    let e = b.cell_errors.iter();
    e.map(|e| (e.row, e.field, e.line, e.value.clone(), e.reason))
        .collect()
}

pub(super) fn source_message(err: IngestError) -> (String, Option<u64>, String) {
    match err {
        IngestError::Source {
            source_name,
            line,
            message,
        } => (source_name, line, message),
        other => panic!("expected a Source error, got {other:?}"),
    }
}
