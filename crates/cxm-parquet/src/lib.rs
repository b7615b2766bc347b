//! Parquet datasets for cxm: [`ParquetSource`] reads only the mapped columns of a
//! Parquet file, in record batches of `batch_rows` rows, and hands the text of every
//! mapped cell to [`cxm_ingest::BatchBuilder`], so types, null values, date formats and
//! time zones behave exactly as for CSV (see the `text` module for how each Arrow type
//! is written as text).
//!
//! [`ParquetChunks`] reads the same columns as one chunk per row group, parseable on any
//! thread, and converts each column straight to its field's type where that provably
//! gives the same values, nulls and cell errors as the text (see the `fast` module);
//! other columns still go through the text. Its batches do not store the raw text of
//! their cells but write it when asked ([`Batch::raw_into`], [`Batch::raw_value`]).
//!
//! Each row's `line` is its 1-based row number in the file. Parquet rows are never
//! rejected: every row read is accepted (unparseable cells become cell errors). The
//! SHA-256 in [`DatasetStats`] is of the file's bytes, hashed separately by
//! [`RecordSource::finish`] because the Parquet reader seeks. Snappy, Zstandard, LZ4 and
//! gzip compressed files are readable; Brotli is not compiled in.

mod chunks;
mod groups;
mod open;

use std::fmt;
use std::path::{Path, PathBuf};

use cxm_ingest::{Batch, BatchBuilder, DatasetStats, FieldSpec, IngestError, RecordSource, Zone};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::groups::{Projection, RowGroups};
use cxm_arrow::TextColumn;

pub use crate::chunks::ParquetChunks;

pub(crate) use cxm_arrow::MAX_PREALLOC_ROWS;

/// A Parquet file being streamed into typed Arrow batches, every cell through its text
/// (the reference [`ParquetChunks`] is tested against; several times slower).
pub struct ParquetSource {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    /// Read one at a time, each checked against its declared row count.
    groups: RowGroups,
    builder: BatchBuilder,
    /// For each field, the index of its column in the projected record batches.
    sources: Vec<usize>,
    /// The text of each projected column of the current record batch.
    texts: Vec<TextColumn>,
    rows_read: u64,
    total_rows: u64,
    total_bytes: u64,
    done: bool,
}

impl fmt::Debug for ParquetSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParquetSource")
            .field("path", &self.path)
            .field("fields", &self.fields)
            .field("rows_read", &self.rows_read)
            .field("total_rows", &self.total_rows)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ParquetSource {
    /// Opens `path`, checks that every field's `column` is a top-level column of the
    /// file with a type that can be read as text, and prepares to read those columns
    /// only, up to `batch_rows` rows at a time (`0` is treated as `1`; a batch does not
    /// span row groups, each of which must decode to the rows its metadata declares, see
    /// the `groups` module). `null_values` and `zone` are passed to the [`BatchBuilder`].
    pub fn open(
        path: &Path,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Result<ParquetSource, IngestError> {
        let batch_rows = batch_rows.max(1);
        let builder = BatchBuilder::new(
            path,
            &fields,
            null_values,
            zone,
            batch_rows.min(MAX_PREALLOC_ROWS),
        )?;
        let projected = open::project(path, &fields)?;
        let total_rows =
            u64::try_from(projected.metadata.metadata().file_metadata().num_rows()).unwrap_or(0);
        // A reader of no row group checks the projection before any data is read.
        let projection = Projection {
            metadata: projected.metadata.clone(),
            mask: projected.mask.clone(),
            batch_rows,
        };
        open::guarded(path, None, "cannot read Parquet file", || {
            ParquetRecordBatchReaderBuilder::new_with_metadata(projected.file, projected.metadata)
                .with_projection(projected.mask)
                .with_row_groups(Vec::new())
                .build()
                .map_err(|e| open::build_error(path, e))
        })?;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            fields,
            groups: RowGroups::new(projection),
            builder,
            sources: projected.sources,
            texts: (0..projected.projected)
                .map(|_| TextColumn::default())
                .collect(),
            rows_read: 0,
            total_rows,
            total_bytes: projected.total_bytes,
            done: false,
        })
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of rows the file's metadata declares.
    pub fn total_rows(&self) -> u64 {
        self.total_rows
    }

    fn read_next(&mut self) -> Result<Option<Batch>, IngestError> {
        loop {
            let record_batch = match self.groups.next_batch(&self.path) {
                Ok(Some(batch)) => batch,
                Ok(None) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            };
            if record_batch.num_rows() == 0 {
                continue;
            }
            for (column, text) in record_batch.columns().iter().zip(&mut self.texts) {
                cxm_arrow::fill(column.as_ref(), text).map_err(|message| {
                    open::source_error(&self.path, Some(self.rows_read + 1), message)
                })?;
            }
            let mut cells: Vec<Option<&[u8]>> = Vec::with_capacity(self.sources.len());
            for row in 0..record_batch.num_rows() {
                cells.clear();
                cells.extend(
                    self.sources
                        .iter()
                        .map(|&s| self.texts.get(s).and_then(|t| t.get(row))),
                );
                self.rows_read += 1;
                self.builder.push_row(self.rows_read, &cells);
            }
            return Ok(Some(self.builder.finish()));
        }
    }
}

impl RecordSource for ParquetSource {
    fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    /// The next record batch of up to `batch_rows` rows, or `None` at the end.
    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        if self.done {
            return Ok(None);
        }
        self.read_next()
    }

    /// The file size in proportion of the rows read (all of it at the end).
    fn bytes_read(&self) -> u64 {
        if self.done || self.total_rows == 0 {
            return if self.done { self.total_bytes } else { 0 };
        }
        let part = u128::from(self.total_bytes) * u128::from(self.rows_read.min(self.total_rows))
            / u128::from(self.total_rows);
        u64::try_from(part).unwrap_or(self.total_bytes)
    }

    fn total_bytes(&self) -> Option<u64> {
        Some(self.total_bytes)
    }

    /// Hashes the whole file and returns the totals; rows not yet pulled with
    /// `next_batch` are not counted.
    fn finish(self: Box<Self>) -> Result<DatasetStats, IngestError> {
        let (bytes, sha256) = open::hash_file(&self.path)?;
        Ok(DatasetStats {
            rows_read: self.rows_read,
            rows_accepted: self.rows_read,
            rows_rejected: 0,
            bytes,
            sha256,
        })
    }
}

/// The names of the top-level columns of the Parquet file at `path`, in file order.
pub fn columns(path: &Path) -> Result<Vec<String>, IngestError> {
    open::column_names(path)
}

#[cfg(test)]
mod tests;
