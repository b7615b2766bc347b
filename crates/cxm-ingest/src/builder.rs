//! Building batches from any source's cells: every format (CSV, Parquet, NDJSON, Excel,
//! PostgreSQL) hands the text of each mapped cell to the same typed parsers, so a field's
//! type, null values, date formats and time zone mean the same thing whatever the source,
//! and an unreadable value is recorded the same way.

use crate::batch::{Batch, CellError, RawText, ResolvedTime, RowRejection};
use crate::columns::ColumnParser;
use crate::fields::validate_fields;
use crate::{FieldSpec, IngestError, NumberFormat, Zone};
use std::path::{Path, PathBuf};

/// Accumulates rows into a [`Batch`].
#[derive(Debug)]
pub struct BatchBuilder {
    path: PathBuf,
    parsers: Vec<ColumnParser>,
    null_values: NullValues,
    /// Whether `String` cells are trimmed (numbers, dates, booleans and the
    /// null-value comparison always trim).
    trim: bool,
    /// Whether the raw bytes of every cell are copied into the batch (else the caller
    /// supplies them on demand, see [`BatchBuilder::finish_with_raw_text`]).
    keep_raw: bool,
    batch: Batch,
    capacity: usize,
}

impl BatchBuilder {
    /// A builder for `fields` (in order). `path` names the source in errors; `null_values`
    /// are the cell texts that mean empty (compared after trimming); `zone` applies to
    /// timestamps without an offset. Numbers are plain (`1234.5`) and strings trimmed
    /// until [`BatchBuilder::with_number_format`] / [`BatchBuilder::with_trim`] say
    /// otherwise.
    pub fn new(
        path: &Path,
        fields: &[FieldSpec],
        null_values: &[String],
        zone: Zone,
        capacity: usize,
    ) -> Result<BatchBuilder, IngestError> {
        let formats = validate_fields(path, fields)?;
        let parsers = fields
            .iter()
            .zip(formats)
            .map(|(f, fmt)| ColumnParser::new(f.ty, fmt, capacity).with_zone(zone))
            .collect();
        Ok(BatchBuilder {
            path: path.to_path_buf(),
            parsers,
            null_values: NullValues::new(null_values),
            trim: true,
            keep_raw: true,
            batch: Batch::new(fields.len(), capacity),
            capacity,
        })
    }

    /// Reads `Integer` and `Number` cells written with `format` (decimal comma, thousands
    /// separators). Errors: [`IngestError::InvalidOptions`] for an unusable separator (see
    /// [`NumberFormat::validate`]).
    pub fn with_number_format(mut self, format: NumberFormat) -> Result<BatchBuilder, IngestError> {
        format
            .validate()
            .map_err(|message| IngestError::InvalidOptions {
                path: self.path.clone(),
                message,
            })?;
        self.parsers = self
            .parsers
            .into_iter()
            .map(|p| p.with_number_format(format))
            .collect();
        Ok(self)
    }

    /// Whether `String` cells are trimmed of ASCII whitespace (default `true`); with
    /// `false` they keep their spaces. Other types are always parsed trimmed.
    pub fn with_trim(mut self, trim: bool) -> BatchBuilder {
        self.trim = trim;
        self
    }

    /// Adds an accepted row: one cell per field, `None` for a missing value. `line` is the
    /// row's position in the source (line, record or row number) as reports should show it.
    pub fn push_row(&mut self, line: u64, cells: &[Option<&[u8]>]) {
        self.push_cells(line, |field| cells.get(field).copied().flatten());
    }

    /// [`BatchBuilder::push_row`] with the cell of each field given by `cell(field)`.
    pub(crate) fn push_cells<'c>(&mut self, line: u64, cell: impl Fn(usize) -> Option<&'c [u8]>) {
        let row = self.batch.num_rows();
        let batch = &mut self.batch;
        batch.lines.push(line);
        let (nulls, trim) = (&self.null_values, self.trim);
        for (field, parser) in self.parsers.iter_mut().enumerate() {
            let cell = cell(field);
            if self.keep_raw {
                batch.push_raw(cell.unwrap_or_default());
            }
            let Some(raw) = cell else {
                parser.append_null();
                continue;
            };
            let (errors, resolved) = (&mut batch.cell_errors, &mut batch.resolved_times);
            parser.append_column(
                1,
                |_| raw,
                |trimmed| nulls.contains(trimmed),
                trim,
                |_, raw, reason| {
                    errors.push(CellError {
                        row,
                        field,
                        line,
                        value: String::from_utf8_lossy(raw).into_owned(),
                        reason,
                    })
                },
                |_, kind| resolved.push(ResolvedTime { field, line, kind }),
            );
        }
    }

    /// Adds `lines.len()` accepted rows column by column, the same as a
    /// [`BatchBuilder::push_cells`] per row (same values, errors and resolved times, in
    /// the same order) but with each column's parser chosen once: `cell(field, row)` is the
    /// cell of `field` in the `row`-th of these rows, `lines` their positions in the
    /// source. A builder that keeps raw copies takes the rows one by one.
    pub(crate) fn push_columns<'c>(
        &mut self,
        lines: &[u64],
        cell: impl Fn(usize, usize) -> &'c [u8],
    ) {
        if self.keep_raw {
            for (row, &line) in lines.iter().enumerate() {
                self.push_cells(line, |field| Some(cell(field, row)));
            }
            return;
        }
        let first_row = self.batch.num_rows();
        self.batch.lines.extend_from_slice(lines);
        let errors_before = self.batch.cell_errors.len();
        let mut resolved: Vec<(usize, ResolvedTime)> = Vec::new();
        let (nulls, trim) = (&self.null_values, self.trim);
        let batch = &mut self.batch;
        for (field, parser) in self.parsers.iter_mut().enumerate() {
            let errors = &mut batch.cell_errors;
            let resolved = &mut resolved;
            parser.append_column(
                lines.len(),
                |row| cell(field, row),
                |trimmed| nulls.contains(trimmed),
                trim,
                |row, raw, reason| {
                    errors.push(CellError {
                        row: first_row + row,
                        field,
                        line: lines[row],
                        value: String::from_utf8_lossy(raw).into_owned(),
                        reason,
                    })
                },
                |row, kind| {
                    let line = lines[row];
                    resolved.push((row, ResolvedTime { field, line, kind }))
                },
            );
        }
        // Row by row, errors and resolved times come in row order, then field order.
        if batch.cell_errors.len() > errors_before {
            batch.cell_errors[errors_before..].sort_by_key(|e| (e.row, e.field));
        }
        resolved.sort_by_key(|(row, t)| (*row, t.field));
        batch
            .resolved_times
            .extend(resolved.into_iter().map(|(_, t)| t));
    }

    /// Records a row rejected whole (structurally broken, duplicate, …).
    pub fn reject_row(&mut self, rejection: RowRejection) {
        self.batch.rejected_rows.push(rejection);
    }

    /// Rows in the current batch, accepted and rejected.
    pub fn len(&self) -> usize {
        self.batch.num_rows() + self.batch.rejected_rows.len()
    }

    /// Whether the current batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stops copying the raw bytes of cells: the batches are then finished with
    /// [`BatchBuilder::finish_with_raw_text`], whose function finds them when asked.
    pub(crate) fn without_raw_copies(mut self) -> BatchBuilder {
        self.keep_raw = false;
        self
    }

    /// Takes the batch built so far (by a builder [`BatchBuilder::without_raw_copies`]),
    /// its raw text written on demand by `text(row, field, out)`, and starts a new one.
    pub(crate) fn finish_with_raw_text(&mut self, text: Box<RawText>) -> Batch {
        let built = self.finish();
        let mut batch = Batch::with_raw_text(built.columns, built.lines, built.cell_errors, text);
        batch.rejected_rows = built.rejected_rows;
        batch.resolved_times = built.resolved_times;
        batch
    }

    /// Takes the batch built so far and starts a new one.
    pub fn finish(&mut self) -> Batch {
        let fields = self.parsers.len();
        let mut batch = std::mem::replace(&mut self.batch, Batch::new(fields, self.capacity));
        batch.columns = self.parsers.iter_mut().map(ColumnParser::finish).collect();
        batch
    }
}

/// The cell texts that mean empty, trimmed, with the set of their lengths so that most
/// cells are ruled out without a comparison.
#[derive(Debug)]
struct NullValues {
    texts: Vec<Vec<u8>>,
    /// Bit `k` is set when some text has `k` bytes (bit 63: 63 bytes or more).
    lengths: u64,
}

impl NullValues {
    fn new(texts: &[String]) -> NullValues {
        let texts: Vec<Vec<u8>> = texts
            .iter()
            .map(|n| n.as_bytes().trim_ascii().to_vec())
            .collect();
        let lengths = texts.iter().fold(0, |bits, t| bits | Self::length_bit(t));
        NullValues { texts, lengths }
    }

    fn length_bit(text: &[u8]) -> u64 {
        1 << text.len().min(63)
    }

    /// Whether the trimmed `cell` is one of the texts.
    #[inline]
    fn contains(&self, cell: &[u8]) -> bool {
        self.lengths & Self::length_bit(cell) != 0 && self.texts.iter().any(|n| n == cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CellErrorReason, FieldType};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;

    #[test]
    fn parses_cells_like_csv_and_records_errors() {
        let fields = [
            FieldSpec::new("score", "score", FieldType::Integer),
            FieldSpec::new("region", "region", FieldType::String),
        ];
        let mut b = BatchBuilder::new(
            Path::new("x"),
            &fields,
            &["".into(), "NA".into()],
            Zone::Utc,
            4,
        )
        .unwrap();
        b.push_row(1, &[Some(b" 7 "), Some(b"north")]);
        b.push_row(2, &[Some(b"NA"), None]);
        b.push_row(3, &[Some(b"x"), Some(b"south")]);
        assert_eq!(b.len(), 3);
        let batch = b.finish();
        assert!(b.is_empty());
        let scores = batch.columns[0].as_primitive::<Int64Type>();
        assert_eq!(scores.value(0), 7);
        assert!(scores.is_null(1) && scores.is_null(2));
        assert!(batch.columns[1].is_null(1));
        assert_eq!(batch.cell_errors.len(), 1);
        assert_eq!(batch.cell_errors[0].reason, CellErrorReason::NotANumber);
        assert_eq!(
            (batch.cell_errors[0].row, batch.cell_errors[0].line),
            (2, 3)
        );
        assert_eq!(batch.raw_value(0, 0), " 7 ");
        assert_eq!(batch.lines, vec![1, 2, 3]);
    }

    #[test]
    fn number_format_and_trim_options() {
        let fields = [
            FieldSpec::new("n", "n", FieldType::Number),
            FieldSpec::new("i", "i", FieldType::Integer),
            FieldSpec::new("s", "s", FieldType::String),
        ];
        let format = NumberFormat {
            decimal_comma: true,
            thousands: Some(b' '),
        };
        let mut b = BatchBuilder::new(Path::new("x"), &fields, &["".into()], Zone::Utc, 2)
            .unwrap()
            .with_number_format(format)
            .unwrap()
            .with_trim(false);
        b.push_row(2, &[Some(b" 1 234,5 "), Some(b"12 000"), Some(b"  a b ")]);
        b.push_row(3, &[Some(b"4.5"), Some(b" "), Some(b" ")]);
        let batch = b.finish();
        assert_eq!(
            batch.columns[0].as_primitive::<Float64Type>().value(0),
            1234.5
        );
        assert_eq!(
            batch.columns[1].as_primitive::<Int64Type>().value(0),
            12_000
        );
        assert_eq!(batch.columns[2].as_string::<i32>().value(0), "  a b ");
        // The blank string is a null value, whatever the trimming.
        assert!(batch.columns[2].is_null(1) && batch.columns[1].is_null(1));
        assert_eq!(batch.cell_errors.len(), 1);
        assert_eq!(batch.cell_errors[0].reason, CellErrorReason::NotANumber);

        let clash = NumberFormat {
            decimal_comma: true,
            thousands: Some(b','),
        };
        let err = BatchBuilder::new(Path::new("x.csv"), &fields, &[], Zone::Utc, 1)
            .unwrap()
            .with_number_format(clash)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.csv: thousands separator ',' is also the decimal mark"
        );
    }

    /// Rows given column by column give what the same rows give one by one: values, nulls,
    /// errors (in row, then field order), resolved local times, lines.
    #[test]
    fn rows_by_columns_equal_rows_one_by_one() {
        let fields = [
            FieldSpec::new("at", "at", FieldType::Datetime),
            FieldSpec::new("score", "score", FieldType::Integer),
            FieldSpec::new("x", "x", FieldType::Number),
            FieldSpec::new("s", "s", FieldType::String),
            FieldSpec::new("ok", "ok", FieldType::Boolean),
            FieldSpec::new("d", "d", FieldType::Date),
        ];
        let zone = cxm_period::parse_zone("Europe/Berlin").unwrap();
        let rows: [[&[u8]; 6]; 6] = [
            [
                b"2024-03-31T02:30:00",
                b" 7 ",
                b"1.5",
                b" a ",
                b"true",
                b"2024-01-02",
            ],
            [
                b"2024-10-27T02:30:00",
                b"x",
                b"y",
                b"\xff",
                b"maybe",
                b"2024-13-01",
            ],
            [b"NA", b"", b" ", b"", b"", b"NA"],
            [b"bad", b"8", b"2e3", b"b", b"false", b"02.01.2024"],
            [b"2024-06-01 12:00:00", b"9.0", b"-0", b"  ", b"1", b"bad"],
            [
                b"2024-03-31T02:00:00Z",
                b"1.5",
                b"3",
                b"c",
                b"0",
                b"2024-02-30",
            ],
        ];
        let lines: Vec<u64> = (0..rows.len() as u64).map(|r| 10 + 3 * r).collect();
        let nulls = ["".to_string(), "NA".to_string()];
        for trim in [true, false] {
            let builder = || {
                BatchBuilder::new(Path::new("x"), &fields, &nulls, zone, 4)
                    .unwrap()
                    .with_trim(trim)
            };
            let mut by_rows = builder();
            for (row, &line) in rows.iter().zip(&lines) {
                by_rows.push_cells(line, |field| Some(row[field]));
            }
            let by_rows = by_rows.finish();
            let mut by_columns = builder().without_raw_copies();
            // In two calls, as a batch is parsed a few rows at a time.
            by_columns.push_columns(&lines[..2], |field, row| rows[row][field]);
            by_columns.push_columns(&lines[2..], |field, row| rows[2 + row][field]);
            let by_columns = by_columns.finish();
            assert_eq!(by_columns.columns, by_rows.columns, "trim {trim}");
            assert_eq!(by_columns.lines, lines);
            assert_eq!(
                format!("{:?}", by_columns.cell_errors),
                format!("{:?}", by_rows.cell_errors)
            );
            assert_eq!(
                format!("{:?}", by_columns.resolved_times),
                format!("{:?}", by_rows.resolved_times)
            );
            // Errors in several fields of several rows, and both daylight-saving cases.
            assert!(by_rows.cell_errors.len() >= 8, "{:?}", by_rows.cell_errors);
            assert_eq!(by_rows.resolved_times.len(), 2);
        }
        // A builder that keeps raw copies takes the rows one by one, raw text included.
        let mut raw = BatchBuilder::new(Path::new("x"), &fields, &nulls, zone, 4).unwrap();
        raw.push_columns(&lines, |field, row| rows[row][field]);
        let raw = raw.finish();
        assert_eq!(raw.raw_value(0, 1), " 7 ");
        assert_eq!(raw.num_rows(), rows.len());
    }

    #[test]
    fn null_values_match_whole_trimmed_texts_of_any_length() {
        let long = "n".repeat(70);
        let nulls = NullValues::new(&["".into(), " NA ".into(), long.clone()]);
        assert!(nulls.contains(b""));
        assert!(nulls.contains(b"NA"));
        assert!(nulls.contains(long.as_bytes()));
        assert!(!nulls.contains(b"N"));
        assert!(!nulls.contains(b"NB"));
        assert!(!nulls.contains("n".repeat(64).as_bytes()));
        assert!(!nulls.contains("n".repeat(71).as_bytes()));
        assert!(!NullValues::new(&[]).contains(b""));
    }
}
