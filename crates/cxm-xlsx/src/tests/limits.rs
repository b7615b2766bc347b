//! Workbooks that are small but would cost a lot to read naively (a cell at
//! `XFD1048576`, a lying shared-string count, a huge value, rows out of order), and the
//! limits that bound them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use cxm_ingest::{FieldSpec, FieldType, IngestError, Zone};

use super::fixture::source_message;
use crate::{columns, XlsxLimits, XlsxSource};

/// A workbook: a header `score`, the scores 9 and 7, and one cell at `XFD1048576`.
fn far_cell_workbook(dir: &Path) -> PathBuf {
    let path = dir.join("far.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "score").unwrap();
    ws.write_number(1, 0, 9.0).unwrap();
    ws.write_number(2, 0, 7.0).unwrap();
    ws.write_string(1_048_575, 16_383, "far").unwrap();
    book.save(&path).unwrap();
    path
}

fn score() -> Vec<FieldSpec> {
    vec![FieldSpec::new("score", "score", FieldType::Integer)]
}

fn open(path: &Path, limits: &XlsxLimits) -> Result<XlsxSource, IngestError> {
    XlsxSource::open_with_limits(path, None, 1, score(), &[], Zone::Utc, 100, limits)
}

/// Every row's lines, or the first error.
fn read_all(path: &Path, limits: &XlsxLimits) -> Result<Vec<u64>, IngestError> {
    let mut src = open(path, limits)?;
    let mut lines = Vec::new();
    while let Some(b) = src.next_batch()? {
        lines.extend(b.lines);
    }
    assert_eq!(src.finish()?.rows_read, lines.len() as u64);
    Ok(lines)
}

/// A copy of the workbook at `path` with the entry `name` edited by `edit`.
fn edited(path: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let out = path.with_extension(format!("{}.xlsx", name.replace('/', "_")));
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let entry_name = entry.name().to_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if entry_name == name {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file(entry_name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
    out
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

#[test]
fn a_far_cell_costs_what_its_xml_costs() {
    let dir = tempfile::tempdir().unwrap();
    let path = far_cell_workbook(dir.path());
    // Before streaming, this 6 KB file made calamine allocate the dense range
    // A1:XFD1048576 and abort ("memory allocation of … bytes failed").
    assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
    let lines = read_all(&path, &XlsxLimits::default()).unwrap();
    assert_eq!(lines, vec![2, 3, 1_048_576]);
    assert_eq!(columns(&path, None, 1).unwrap(), ["score"]);
    // The far cell in the header row is a (distant) column name.
    let names = columns(&path, None, 1_048_576).unwrap();
    assert_eq!((names.len(), names[0].as_str()), (1, "far"));
}

#[test]
fn cells_outside_the_grid_and_rows_out_of_order_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = far_cell_workbook(dir.path());
    let outside = edited(&path, SHEET, |xml| xml.replace("XFD1048576", "XFE1048576"));
    let (_, _, message) = source_message(read_all(&outside, &XlsxLimits::default()).unwrap_err());
    assert_eq!(
        message,
        "sheet \"Sheet1\": cell at row 1048576, column 16385 lies outside Excel's grid \
         (A1:XFD1048576)"
    );
    let below = edited(&path, SHEET, |xml| xml.replace("XFD1048576", "A1048577"));
    let (_, _, message) = source_message(read_all(&below, &XlsxLimits::default()).unwrap_err());
    assert!(
        message.contains("row 1048577, column 1 lies outside"),
        "{message}"
    );
    // Row 3 written before row 2.
    let swapped = edited(&path, SHEET, |xml| {
        xml.replace("r=\"2\"", "r=\"X\"")
            .replace("r=\"3\"", "r=\"2\"")
            .replace("r=\"X\"", "r=\"3\"")
            .replace("A2", "AX")
            .replace("A3", "A2")
            .replace("AX", "A3")
    });
    let (_, line, message) =
        source_message(read_all(&swapped, &XlsxLimits::default()).unwrap_err());
    assert_eq!(line, Some(2));
    assert!(message.contains("row 2 comes after row 3"), "{message}");
}

#[test]
fn a_lying_shared_string_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = far_cell_workbook(dir.path());
    let lying = edited(&path, "xl/sharedStrings.xml", |xml| {
        xml.replace("uniqueCount=\"2\"", "uniqueCount=\"100000000000\"")
    });
    let (_, _, message) = source_message(read_all(&lying, &XlsxLimits::default()).unwrap_err());
    assert!(
        message.starts_with("xl/sharedStrings.xml announces 100000000000 shared strings"),
        "{message}"
    );
}

#[test]
fn parts_and_values_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = far_cell_workbook(dir.path());
    let small = XlsxLimits {
        max_shared_strings_bytes: 100,
        ..XlsxLimits::default()
    };
    let (_, _, message) = source_message(read_all(&path, &small).unwrap_err());
    assert_eq!(
        message,
        "xl/sharedStrings.xml is larger than 100 bytes once decompressed (the limit on \
         shared strings)"
    );
    // A 2 KiB inline string under a 1 KiB limit: refused before calamine reads it.
    let long = "x".repeat(2048);
    let inline = edited(&path, SHEET, |xml| {
        xml.replace(
            "<c r=\"A2\"><v>9</v></c>",
            &format!("<c r=\"A2\" t=\"inlineStr\"><is><t>{long}</t></is></c>"),
        )
    });
    let tight = XlsxLimits {
        max_record_bytes: 1024,
        ..XlsxLimits::default()
    };
    let (_, _, message) = source_message(read_all(&inline, &tight).unwrap_err());
    assert!(
        message.starts_with("xl/worksheets/sheet1.xml: an XML token at byte ")
            && message.ends_with(" is longer than 1 KiB (max_record_bytes)"),
        "{message}"
    );
    // The same cell as text split by markup calamine skips: measured as a whole.
    let split = edited(&path, SHEET, |xml| {
        let pieces = "<x/>".to_owned() + &"y".repeat(100);
        xml.replace(
            "<c r=\"A2\"><v>9</v></c>",
            &format!("<c r=\"A2\" t=\"str\"><v>{}</v></c>", pieces.repeat(20)),
        )
    });
    let (_, _, message) = source_message(read_all(&split, &tight).unwrap_err());
    assert_eq!(
        message,
        "xl/worksheets/sheet1.xml: cell A2 holds more than 1 KiB of XML (max_record_bytes)"
    );
    // Under the default limits both read, as rows with the mapped cell's text.
    assert_eq!(
        read_all(&inline, &XlsxLimits::default()).unwrap(),
        vec![2, 3, 1_048_576]
    );
}

#[test]
fn a_row_with_too_much_mapped_text_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "score").unwrap();
    ws.write_string(0, 1, "note").unwrap();
    ws.write_string(1, 0, "x".repeat(600)).unwrap();
    // No single value passes the limit; the row's two mapped cells together do.
    ws.write_string(2, 0, "y".repeat(1500)).unwrap();
    ws.write_string(2, 1, "z".repeat(1500)).unwrap();
    book.save(&path).unwrap();
    let limits = XlsxLimits {
        max_record_bytes: 2048,
        ..XlsxLimits::default()
    };
    let fields = vec![
        FieldSpec::new("score", "score", FieldType::String),
        FieldSpec::new("note", "note", FieldType::String),
    ];
    let mut src =
        XlsxSource::open_with_limits(&path, None, 1, fields, &[], Zone::Utc, 1, &limits).unwrap();
    assert_eq!(src.next_batch().unwrap().unwrap().lines, vec![2]);
    let (_, line, message) = source_message(src.next_batch().unwrap_err());
    assert_eq!(line, Some(3));
    assert_eq!(
        message,
        "sheet \"Sheet1\": the mapped cells hold more than 2 KiB of text (max_record_bytes)"
    );
}
