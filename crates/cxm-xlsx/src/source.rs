//! [`XlsxSource`]: one worksheet of an `.xlsx` workbook read as typed batches.

use std::path::{Path, PathBuf};

use calamine::{Data, Range};
use cxm_ingest::{Batch, BatchBuilder, DatasetStats, FieldSpec, IngestError, RecordSource, Zone};

use crate::cells::{is_blank, write_cell};
use crate::workbook::{self, excel_row, row_index};
use crate::SheetRef;

/// Upper bound on the rows preallocated per batch.
const MAX_PREALLOC_ROWS: usize = 65_536;

/// A worksheet being read into typed Arrow batches.
///
/// The whole sheet is loaded into memory when the source is opened (calamine parses an
/// `.xlsx` sheet at once; the format cannot easily be streamed row by row), so memory grows
/// with the size of the sheet. Batches are still handed out `batch_rows` rows at a time.
#[derive(Debug)]
pub struct XlsxSource {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    sheet: String,
    header: Vec<String>,
    /// Index into the header row of each field's column.
    columns: Vec<usize>,
    range: Range<Data>,
    /// Index in the range of the next row to read.
    next: usize,
    builder: BatchBuilder,
    batch_rows: usize,
    bytes: u64,
    sha256: String,
    rows_accepted: u64,
    /// Text of the current row's mapped cells, and where each cell is in it.
    scratch: String,
    spans: Vec<Option<(usize, usize)>>,
}

impl XlsxSource {
    /// Opens `path`, loads `sheet` (`None`: the first sheet), reads the column names from
    /// the 1-based row `header_row` (cells trimmed) and checks that every field's column is
    /// there. The data rows are the rows below the header; entirely empty rows are skipped
    /// and not counted. `null_values` and `zone` mean what they mean for CSV (see
    /// [`BatchBuilder::new`]); `batch_rows` is the number of rows per batch (`0` is `1`).
    ///
    /// Errors: [`IngestError::Io`] if the file cannot be read, [`IngestError::Source`] if it
    /// is not a readable workbook, the sheet does not exist (the message lists the sheet
    /// names) or the header row is empty, [`IngestError::MissingColumns`] /
    /// [`IngestError::DuplicateColumn`] for mapped columns absent from or repeated in the
    /// header, and the field-spec errors of [`BatchBuilder::new`].
    pub fn open(
        path: &Path,
        sheet: Option<SheetRef>,
        header_row: usize,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Result<XlsxSource, IngestError> {
        let batch_rows = batch_rows.max(1);
        let capacity = batch_rows.min(MAX_PREALLOC_ROWS);
        let builder = BatchBuilder::new(path, &fields, null_values, zone, capacity)?;
        let loaded = workbook::load(path, sheet.as_ref())?;
        let header = workbook::header(path, &loaded, header_row)?;
        let columns = resolve_columns(path, &header, &fields)?;
        // The header row exists (it is not empty), so it has an index in the range.
        let next = row_index(&loaded.range, header_row).map_or(0, |i| i + 1);
        Ok(XlsxSource {
            path: path.to_path_buf(),
            spans: Vec::with_capacity(fields.len()),
            fields,
            sheet: loaded.sheet,
            header,
            columns,
            range: loaded.range,
            next,
            builder,
            batch_rows,
            bytes: loaded.bytes,
            sha256: loaded.sha256,
            rows_accepted: 0,
            scratch: String::new(),
        })
    }

    /// The field specs, in column order.
    pub fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name of the sheet being read.
    pub fn sheet_name(&self) -> &str {
        &self.sheet
    }

    /// The header row's names (trimmed; trailing empty cells dropped).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Progress in bytes: the file is read whole when the source is opened, so this is the
    /// file size scaled by the share of the sheet's rows already handed out (the file size
    /// once every row has been read).
    pub fn bytes_read(&self) -> u64 {
        let height = self.range.height() as u128;
        if height == 0 || self.next >= self.range.height() {
            return self.bytes;
        }
        (u128::from(self.bytes) * self.next as u128 / height) as u64
    }

    /// Size of the file in bytes.
    pub fn total_bytes(&self) -> Option<u64> {
        Some(self.bytes)
    }

    /// The next batch: up to `batch_rows` non-empty data rows, each with its 1-based Excel
    /// row number as its line. `None` after the last row.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        let height = self.range.height();
        let width = self.range.width();
        let mut taken = 0;
        while taken < self.batch_rows && self.next < height {
            let idx = self.next;
            self.next += 1;
            let blank = (0..width).all(|c| self.range.get((idx, c)).is_none_or(is_blank));
            if blank {
                continue;
            }
            self.scratch.clear();
            self.spans.clear();
            for &col in &self.columns {
                let start = self.scratch.len();
                let present = self
                    .range
                    .get((idx, col))
                    .is_some_and(|cell| write_cell(cell, &mut self.scratch));
                self.spans
                    .push(present.then_some((start, self.scratch.len())));
            }
            let bytes = self.scratch.as_bytes();
            let cells: Vec<Option<&[u8]>> = self
                .spans
                .iter()
                .map(|span| span.and_then(|(s, e)| bytes.get(s..e)))
                .collect();
            self.builder.push_row(excel_row(&self.range, idx), &cells);
            self.rows_accepted += 1;
            taken += 1;
        }
        if taken == 0 {
            return Ok(None);
        }
        Ok(Some(self.builder.finish()))
    }

    /// The totals: `rows_read` = `rows_accepted` = the non-empty data rows handed out (rows
    /// not yet pulled with [`XlsxSource::next_batch`] are not counted; no row is ever
    /// rejected whole); `bytes` and `sha256` cover the whole file.
    pub fn finish(self) -> Result<DatasetStats, IngestError> {
        Ok(DatasetStats {
            rows_read: self.rows_accepted,
            rows_accepted: self.rows_accepted,
            rows_rejected: 0,
            bytes: self.bytes,
            sha256: self.sha256,
        })
    }
}

impl RecordSource for XlsxSource {
    fn fields(&self) -> &[FieldSpec] {
        XlsxSource::fields(self)
    }
    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        XlsxSource::next_batch(self)
    }
    fn bytes_read(&self) -> u64 {
        XlsxSource::bytes_read(self)
    }
    fn total_bytes(&self) -> Option<u64> {
        XlsxSource::total_bytes(self)
    }
    fn finish(self: Box<Self>) -> Result<DatasetStats, IngestError> {
        XlsxSource::finish(*self)
    }
}

/// Index in `header` of each field's column (matched after trimming).
fn resolve_columns(
    path: &Path,
    header: &[String],
    fields: &[FieldSpec],
) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    let mut columns = Vec::with_capacity(fields.len());
    for col in fields.iter().map(|f| f.column.trim()) {
        let mut found = header.iter().enumerate().filter(|(_, h)| *h == col);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => columns.push(i),
            (Some(_), Some(_)) => {
                return Err(IngestError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: col.to_owned(),
                })
            }
            (None, _) => {
                if !missing.iter().any(|m| m == col) {
                    missing.push(col.to_owned());
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_path_buf(),
            missing,
            available: header.iter().filter(|h| !h.is_empty()).cloned().collect(),
        });
    }
    Ok(columns)
}
