//! Parquet datasets for cxm: [`ParquetSource`] reads only the mapped columns of a
//! Parquet file, in record batches of `batch_rows` rows, and hands the text of every
//! mapped cell to [`cxm_ingest::BatchBuilder`], so types, null values, date formats and
//! time zones behave exactly as for CSV (see the `text` module for how each Arrow type
//! is written as text).
//!
//! Each row's `line` is its 1-based row number in the file. Parquet rows are never
//! rejected: every row read is accepted (unparseable cells become cell errors). The
//! SHA-256 in [`DatasetStats`] is of the file's bytes, hashed separately by
//! [`RecordSource::finish`] because the Parquet reader seeks. Snappy, Zstandard, LZ4 and
//! gzip compressed files are readable; Brotli is not compiled in.

mod text;

use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use cxm_ingest::{Batch, BatchBuilder, DatasetStats, FieldSpec, IngestError, RecordSource, Zone};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;
use sha2::{Digest, Sha256};

use crate::text::TextColumn;

/// Upper bound on the rows preallocated per batch.
const MAX_PREALLOC_ROWS: usize = 65_536;
/// Read buffer used to hash the file.
const HASH_BUFFER: usize = 64 * 1024;

/// A Parquet file being streamed into typed Arrow batches.
pub struct ParquetSource {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    reader: ParquetRecordBatchReader,
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
    /// only, `batch_rows` rows at a time (`0` is treated as `1`). `null_values` and
    /// `zone` are passed to the [`BatchBuilder`].
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
        let file = open_file(path)?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = reader_builder(path, file)?;
        let available: Vec<String> = reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let roots = resolve_columns(path, &available, &fields)?;
        for (field, &root) in fields.iter().zip(&roots) {
            let ty = reader.schema().field(root).data_type();
            if !text::supported(ty) {
                return Err(source_error(
                    path,
                    None,
                    format!(
                        "column \"{}\" (field \"{}\") has type {ty}, which cannot be read \
                         (supported: strings, integers, floats, decimals, booleans, dates, \
                         times, timestamps and dictionaries of these)",
                        field.column, field.name
                    ),
                ));
            }
        }
        let mut projected = roots.clone();
        projected.sort_unstable();
        projected.dedup();
        let sources = roots
            .iter()
            .map(|r| projected.partition_point(|p| p < r))
            .collect();
        let total_rows = u64::try_from(reader.metadata().file_metadata().num_rows()).unwrap_or(0);
        let mask = ProjectionMask::roots(reader.parquet_schema(), projected.iter().copied());
        let reader = reader
            .with_projection(mask)
            .with_batch_size(batch_rows)
            .build()
            .map_err(|e| source_error(path, None, format!("cannot read Parquet file: {e}")))?;
        Ok(ParquetSource {
            path: path.to_path_buf(),
            fields,
            reader,
            builder,
            sources,
            texts: projected.iter().map(|_| TextColumn::default()).collect(),
            rows_read: 0,
            total_rows,
            total_bytes,
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
            let record_batch = match self.reader.next() {
                None => {
                    self.done = true;
                    return Ok(None);
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Err(source_error(
                        &self.path,
                        Some(self.rows_read + 1),
                        format!("cannot decode Parquet data: {e}"),
                    ));
                }
                Some(Ok(batch)) => batch,
            };
            if record_batch.num_rows() == 0 {
                continue;
            }
            for (column, text) in record_batch.columns().iter().zip(&mut self.texts) {
                text::fill(column.as_ref(), text).map_err(|message| {
                    source_error(&self.path, Some(self.rows_read + 1), message)
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
        let (bytes, sha256) = hash_file(&self.path)?;
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
    let reader = reader_builder(path, open_file(path)?)?;
    Ok(reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect())
}

fn open_file(path: &Path) -> Result<File, IngestError> {
    File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn reader_builder(
    path: &Path,
    file: File,
) -> Result<ParquetRecordBatchReaderBuilder<File>, IngestError> {
    ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| source_error(path, None, format!("not a readable Parquet file: {e}")))
}

fn source_error(path: &Path, line: Option<u64>, message: String) -> IngestError {
    IngestError::Source {
        source_name: path.display().to_string(),
        line,
        message,
    }
}

/// Maps each field's column (trimmed) to its index among the file's top-level columns.
fn resolve_columns(
    path: &Path,
    available: &[String],
    fields: &[FieldSpec],
) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    for col in fields.iter().map(|f| f.column.trim()) {
        if !available.iter().any(|a| a == col) && !missing.iter().any(|m| m == col) {
            missing.push(col.to_owned());
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_path_buf(),
            missing,
            available: available.to_vec(),
        });
    }
    let mut roots = Vec::with_capacity(fields.len());
    for col in fields.iter().map(|f| f.column.trim()) {
        let mut found = available.iter().enumerate().filter(|(_, a)| *a == col);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => roots.push(i),
            _ => {
                return Err(IngestError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: col.to_owned(),
                })
            }
        }
    }
    Ok(roots)
}

/// Size and lowercase hex SHA-256 of the file's bytes.
fn hash_file(path: &Path) -> Result<(u64, String), IngestError> {
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = open_file(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUFFER];
    let mut bytes = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(e)),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        bytes += chunk.len() as u64;
    }
    let mut sha256 = String::with_capacity(64);
    for b in hasher.finalize() {
        let _ = write!(sha256, "{b:02x}");
    }
    Ok((bytes, sha256))
}

#[cfg(test)]
mod tests;
