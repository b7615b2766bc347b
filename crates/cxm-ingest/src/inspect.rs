//! [`inspect_csv`]: what a CSV file looks like before any field is mapped —
//! its encoding, delimiter and header line (detected as [`crate::CsvSource`]
//! would with `sniff_delimiter` and no declared encoding), and for each
//! column the type its sampled values fit, a few sample values, and the
//! option to declare when the values need one (a date format, a decimal
//! comma, a thousands separator).

mod infer;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::path::Path;

use csv::ByteRecord;
use serde::Serialize;

use crate::dialect::{resolve_encoding, sample_text, sniff_delimiter, SAMPLE_BYTES};
use crate::hashing::HashingReader;
use crate::reader::open_reader;
use crate::{CsvOptions, FieldType, IngestError};

use infer::ColumnStats;

/// What [`inspect_csv`] found out about a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    /// Always `"csv"`.
    pub format: String,
    /// Lowercase canonical name of the encoding (`utf-8`, `utf-16le`,
    /// `windows-1252`, ...), usable as `CsvOptions::encoding`.
    pub encoding: String,
    /// True when the encoding was detected (always, for now: nothing is
    /// declared to `inspect_csv`).
    pub encoding_detected: bool,
    /// The sniffed delimiter (`,` when none splits the records).
    pub delimiter: char,
    /// 1-based line of the header: below line 1 when the file starts with
    /// title lines of a single field.
    pub header_row: usize,
    /// Data records read (at most the requested sample).
    pub rows_sampled: usize,
    /// One entry per header column, in order.
    pub columns: Vec<ColumnInspection>,
}

/// One column of an [`Inspection`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnInspection {
    /// The header name (trimmed).
    pub name: String,
    /// The narrowest type all sampled non-empty values parse as, in the order
    /// integer, number, boolean, date, datetime, string (see
    /// [`ColumnInspection::suggestion`] for values needing an option).
    pub inferred_type: FieldType,
    /// Sampled cells that are empty (or blank, or missing from a short row).
    pub empty: usize,
    /// Up to 3 distinct non-empty values (trimmed), in order of appearance.
    pub samples: Vec<String>,
    /// The setting the column needs, as it would be written in a dataset's
    /// configuration: `format = "dd.mm.yyyy"` (dotted dates), `format =
    /// "dd/mm/yyyy"` (slashed dates, inferred as `string` until declared),
    /// `decimal_comma = true`, `thousands_separator = ","`.
    pub suggestion: Option<String>,
}

/// Reads the head of `path` and up to `sample_rows` data records, and
/// describes the file: dialect, header and the inferred type of each column.
///
/// Errors: those of opening a file with [`crate::CsvSource::open`] —
/// [`IngestError::Io`], [`IngestError::NoHeader`] for an empty file,
/// [`IngestError::NotText`] for binary data, [`IngestError::Csv`].
pub fn inspect_csv(path: &Path, sample_rows: usize) -> Result<Inspection, IngestError> {
    let (delimiter, header_row) = sniff_file(path)?;
    let options = CsvOptions {
        delimiter,
        header_row,
        ..CsvOptions::default()
    };
    let mut opened = open_reader(path, &options)?;
    let mut columns: Vec<ColumnStats> = opened
        .header
        .iter()
        .map(|_| ColumnStats::new(delimiter))
        .collect();
    let mut record = ByteRecord::new();
    let mut rows_sampled = 0;
    while rows_sampled < sample_rows {
        match opened.reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) if opened.reader.get_ref().tripped() => {
                let start = opened.reader.get_ref().record_start();
                return Err(IngestError::RecordTooLong {
                    path: path.to_path_buf(),
                    line: opened.reader.get_mut().line_at(start),
                    limit: options.max_record_bytes,
                });
            }
            Err(err) => return Err(IngestError::from_csv(path, err)),
        }
        // The record ended: the limit on a record's size counts from here.
        let end = opened.reader.position().byte();
        opened.reader.get_mut().set_record_start(end);
        rows_sampled += 1;
        for (i, column) in columns.iter_mut().enumerate() {
            column.observe(&String::from_utf8_lossy(record.get(i).unwrap_or_default()));
        }
    }
    Ok(Inspection {
        format: "csv".to_owned(),
        encoding: opened.encoding.name(),
        encoding_detected: opened.encoding.detected,
        delimiter: char::from(opened.delimiter),
        header_row,
        rows_sampled,
        columns: opened
            .header
            .into_iter()
            .zip(columns)
            .map(|(name, stats)| stats.finish(name))
            .collect(),
    })
}

/// The delimiter and header line sniffed from the head of the file.
fn sniff_file(path: &Path) -> Result<(u8, usize), IngestError> {
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let raw = HashingReader::new(file, SAMPLE_BYTES).map_err(io_err)?;
    let head = raw.head();
    let complete = head.len() < SAMPLE_BYTES;
    let encoding = resolve_encoding(path, None, head, complete)?;
    let text = sample_text(
        head.get(encoding.bom_len..).unwrap_or_default(),
        encoding.encoding,
        1,
    );
    Ok(match sniff_delimiter(&text, complete) {
        Some(s) => (s.delimiter, usize::try_from(s.header_line).unwrap_or(1)),
        None => (b',', 1),
    })
}

/// Describes one column from its cell texts, as [`inspect_csv`] describes a CSV column:
/// for sources other than CSV (Parquet, NDJSON, Excel), whose values were read as text.
/// A decimal comma is not considered (it is a CSV dialect).
pub fn inspect_values<'a>(
    name: String,
    values: impl IntoIterator<Item = &'a str>,
) -> ColumnInspection {
    let mut stats = ColumnStats::new(b',');
    for value in values {
        stats.observe(value);
    }
    stats.finish(name)
}
