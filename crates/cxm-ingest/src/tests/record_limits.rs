//! The limit on a record's size (`max_record_bytes`): the sequential reader and the
//! parallel (chunked) one refuse the same records, with an error naming the file and the
//! line where the record starts, and accept everything else unchanged.

use super::*;
use crate::{open_csv_chunks, IngestError};

const LIMIT: u64 = 1000;

fn options() -> CsvOptions {
    CsvOptions {
        max_record_bytes: LIMIT,
        ..CsvOptions::default()
    }
}

fn fields() -> Vec<FieldSpec> {
    vec![spec("id", FieldType::Integer)]
}

/// The lines of every row (accepted or rejected) read sequentially, or the error.
fn sequential(path: &Path) -> Result<Vec<u64>, IngestError> {
    let mut src = CsvSource::open(path, fields(), options())?;
    let mut lines = Vec::new();
    while let Some(b) = src.next_batch()? {
        lines.extend(b.lines.iter().copied());
        lines.extend(b.rejected_rows.iter().map(|r| r.line));
    }
    lines.sort_unstable();
    Ok(lines)
}

/// The same through the chunks, as the engine reads them (tiny chunks, so records span
/// several; a chunk may hand the rest of the file to the sequential reader).
fn chunked(path: &Path) -> Result<Vec<u64>, IngestError> {
    let mut chunks = open_csv_chunks(path, fields(), options(), 64)?;
    let mut line_base = chunks.first_line();
    let mut lines = Vec::new();
    let take = |b: &Batch, base: u64, lines: &mut Vec<u64>| {
        lines.extend(b.lines.iter().map(|l| l + base));
        lines.extend(b.rejected_rows.iter().map(|r| r.line + base));
    };
    while let Some(chunk) = chunks.next_chunk()? {
        let mut batches = Vec::new();
        let summary = chunk.parse(&mut |b| batches.push(b))?;
        if let Some(mut rest) = summary.rest {
            while let Some(b) = rest.next_batch()? {
                take(&b, line_base, &mut lines);
            }
            break;
        }
        for b in &batches {
            take(b, line_base, &mut lines);
        }
        line_base += summary.lines;
    }
    lines.sort_unstable();
    Ok(lines)
}

/// Both readers' outcome, which must agree: the lines read, or the line of the error.
fn read_both(csv: &[u8]) -> Result<Vec<u64>, u64> {
    let (_d, path) = fixture("limits.csv", csv);
    let outcome = |r: Result<Vec<u64>, IngestError>| match r {
        Ok(lines) => Ok(lines),
        Err(IngestError::RecordTooLong {
            path: p,
            line,
            limit,
        }) => {
            assert_eq!((p, limit), (path.clone(), LIMIT));
            Err(line)
        }
        Err(other) => panic!("unexpected error: {other}"),
    };
    let first = outcome(sequential(&path));
    let second = outcome(chunked(&path));
    assert_eq!(first, second, "sequential and chunked readers disagree");
    first
}

#[test]
fn a_long_record_is_an_error_naming_its_line() {
    let long = "x".repeat(2000);
    let csv = format!("id,text\n1,a\n\n2,{long}\n3,b\n");
    assert_eq!(read_both(csv.as_bytes()), Err(4));
    // Quoted, over several lines.
    let quoted = "y\n".repeat(600);
    let csv = format!("id,text\n1,a\n2,\"{quoted}\"\n3,b\n");
    assert_eq!(read_both(csv.as_bytes()), Err(3));
    // At the end of the file, without a line break, longer than the reader's buffers.
    let huge = "z".repeat(600_000);
    let csv = format!("id,text\r\n1,a\r\n2,b\r\n3,{huge}");
    assert_eq!(read_both(csv.as_bytes()), Err(4));
    // With lone `\r` line breaks, which the chunks cannot cut.
    let csv = format!("id,text\r1,a\r2,{huge}\r3,b\r");
    assert_eq!(read_both(csv.as_bytes()), Err(3));
}

#[test]
fn records_up_to_the_limit_are_read() {
    // The record's size is its fields' text and delimiters: "1," plus 998 bytes.
    let fits = "x".repeat(LIMIT as usize - 2);
    let csv = format!("id,text\n1,{fits}\n2,\"{fits}\"\n");
    assert_eq!(read_both(csv.as_bytes()), Ok(vec![2, 3]));
    let csv = format!("id,text\n1,{fits}x\n");
    assert_eq!(read_both(csv.as_bytes()), Err(2));
    // Many short records with lone `\r` line breaks, longer than the limit together.
    let rows: String = (0..300).map(|i| format!("{i},abc\r")).collect();
    let csv = format!("id,text\r{rows}");
    assert_eq!(read_both(csv.as_bytes()), Ok((2..302).collect()));
}

#[test]
fn a_long_header_is_an_error() {
    let long = "h".repeat(2000);
    let (_d, path) = fixture("header.csv", format!("id,{long}\n1,a\n").as_bytes());
    let err = CsvSource::open(&path, fields(), options()).unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::RecordTooLong {
                line: 1,
                limit: LIMIT,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1: the record starting on this line is longer than 1000 bytes \
             (max_record_bytes; raise it in the dataset's config if such records are real)",
            path.display()
        )
    );
}

#[test]
fn a_byte_order_mark_starting_a_chunk_stays_in_its_record() {
    // A second export appended to the first leaves a BOM at the start of a line; when a
    // chunk starts there, the sequential reader takes over from it, and must not drop
    // it as the csv crate drops one at the start of its input (found by fuzzing).
    let first = format!("id,text\n1,{}\n", "a".repeat(60));
    let csv = format!("{first}\u{feff}\n2,b\n");
    // Line 3 (the BOM alone) is a record of one field: rejected on both readers.
    assert_eq!(read_both(csv.as_bytes()), Ok(vec![2, 3, 4]));
}
