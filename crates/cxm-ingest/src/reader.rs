//! [`CsvSource`]: opens a CSV file, checks its header against the field specs,
//! and streams it as typed [`Batch`]es while hashing the file's bytes.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_schema::{Field, Schema, SchemaRef};
use csv::ByteRecord;

use crate::batch::{Batch, CellError, RowRejection};
use crate::columns::ColumnParser;
use crate::datetime::DateFormat;
use crate::hashing::HashingReader;
use crate::types::FieldType;
use crate::{CsvOptions, DatasetStats, FieldSpec, IngestError, MAX_RAW_CHARS};

type Reader = csv::Reader<HashingReader<File>>;

/// Buffer size of the CSV reader.
const READ_BUFFER: usize = 64 * 1024;
/// Upper bound on the rows preallocated per batch.
const MAX_PREALLOC_ROWS: usize = 65_536;

/// A CSV file being streamed into typed Arrow batches.
#[derive(Debug)]
pub struct CsvSource {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    schema: SchemaRef,
    header: Vec<String>,
    parsers: Vec<ColumnParser>,
    reader: Reader,
    record: ByteRecord,
    null_values: Vec<Vec<u8>>,
    delimiter: u8,
    batch_rows: usize,
    total_bytes: Option<u64>,
    rows_accepted: u64,
    rows_rejected: u64,
    done: bool,
    /// An error met after some rows of a batch were read; those rows are
    /// returned first and the error on the following call.
    pending_error: Option<IngestError>,
}

impl CsvSource {
    /// Opens `path`, reads and checks its header, and prepares to parse the
    /// columns named by `fields`.
    pub fn open(
        path: &Path,
        fields: Vec<FieldSpec>,
        options: CsvOptions,
    ) -> Result<CsvSource, IngestError> {
        let formats = validate_fields(path, &fields)?;
        let (reader, header, total_bytes) = open_reader(path, &options)?;
        let sources = resolve_columns(path, &header, fields.iter().map(|f| f.column.as_str()))?;
        let batch_rows = options.batch_rows.max(1);
        let capacity = batch_rows.min(MAX_PREALLOC_ROWS);
        let parsers = fields
            .iter()
            .zip(sources)
            .zip(formats)
            .map(|((f, src), fmt)| {
                ColumnParser::new(f.ty, src, fmt, capacity)
                    .with_zone(options.timezone.unwrap_or_default())
            })
            .collect();
        let schema = Arc::new(Schema::new(
            fields
                .iter()
                .map(|f| Field::new(f.name.as_str(), f.ty.arrow_type(), true))
                .collect::<Vec<_>>(),
        ));
        let null_values = options
            .null_values
            .iter()
            .map(|n| n.as_bytes().trim_ascii().to_vec())
            .collect();
        Ok(CsvSource {
            path: path.to_path_buf(),
            fields,
            schema,
            header,
            parsers,
            reader,
            record: ByteRecord::new(),
            null_values,
            delimiter: options.delimiter,
            batch_rows,
            total_bytes,
            rows_accepted: 0,
            rows_rejected: 0,
            done: false,
            pending_error: None,
        })
    }

    /// Reads only the header of `path` and checks that every name in
    /// `columns` occurs in it exactly once; returns the (trimmed) header.
    pub fn check_header(
        path: &Path,
        columns: &[String],
        options: &CsvOptions,
    ) -> Result<Vec<String>, IngestError> {
        let (_, header, _) = open_reader(path, options)?;
        resolve_columns(path, &header, columns.iter().map(String::as_str))?;
        Ok(header)
    }

    /// The field specs, in column order.
    pub fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    /// The file's header names (trimmed, lossy UTF-8).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Arrow schema of the batches: one nullable field per spec, named
    /// `spec.name`.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Bytes read from the file so far (including read-ahead buffering).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().bytes()
    }

    /// Size of the file when it was opened, if known.
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// Reads the next batch: up to `batch_rows` data records (accepted plus
    /// rejected). Returns `None` at the end of the file.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        if let Some(err) = self.pending_error.take() {
            return Err(err);
        }
        if self.done {
            return Ok(None);
        }
        let capacity = self.batch_rows.min(MAX_PREALLOC_ROWS);
        let mut batch = Batch::new(self.parsers.len(), capacity);
        let mut taken = 0;
        while taken < self.batch_rows {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(err) => {
                    self.done = true;
                    let err = IngestError::from_csv(&self.path, err);
                    if taken == 0 {
                        return Err(err);
                    }
                    self.pending_error = Some(err);
                    break;
                }
            }
            taken += 1;
            self.read_record(&mut batch);
        }
        if taken == 0 {
            return Ok(None);
        }
        batch.columns = self.parsers.iter_mut().map(ColumnParser::finish).collect();
        Ok(Some(batch))
    }

    /// Files the record in `self.record` into `batch`.
    fn read_record(&mut self, batch: &mut Batch) {
        let start = self.record.position().map_or(0, |p| p.byte());
        let line = self.reader.get_mut().line_at(start);
        if self.record.len() != self.header.len() {
            self.rows_rejected += 1;
            let record = self.rows_accepted + self.rows_rejected;
            batch
                .rejected_rows
                .push(self.wrong_field_count(line, record));
            return;
        }
        self.rows_accepted += 1;
        let row = batch.num_rows();
        batch.lines.push(line);
        for (field, parser) in self.parsers.iter_mut().enumerate() {
            let cell = self.record.get(parser.source).unwrap_or_default();
            batch.push_raw(cell);
            let trimmed = cell.trim_ascii();
            if self.null_values.iter().any(|n| n.as_slice() == trimmed) {
                parser.append_null();
            } else if let Err(reason) = parser.append(trimmed) {
                batch.cell_errors.push(CellError {
                    row,
                    field,
                    line,
                    value: String::from_utf8_lossy(cell).into_owned(),
                    reason,
                });
            }
        }
    }

    fn wrong_field_count(&self, line: u64, record: u64) -> RowRejection {
        let mut raw = Vec::new();
        for (i, f) in self.record.iter().enumerate() {
            if i > 0 {
                raw.push(self.delimiter);
            }
            raw.extend_from_slice(f);
            if raw.len() > MAX_RAW_CHARS * 4 {
                break;
            }
        }
        let mut raw = String::from_utf8_lossy(&raw).into_owned();
        if let Some((cut, _)) = raw.char_indices().nth(MAX_RAW_CHARS) {
            raw.truncate(cut);
        }
        RowRejection {
            line,
            record,
            reason: "wrong_field_count".to_owned(),
            detail: format!(
                "expected {} fields, found {}",
                self.header.len(),
                self.record.len()
            ),
            raw,
        }
    }

    /// Reads the rest of the file (so the hash covers all of it) and returns
    /// the totals. Records not yet pulled with [`CsvSource::next_batch`] are
    /// hashed but not counted.
    pub fn finish(self) -> Result<DatasetStats, IngestError> {
        let (bytes, sha256) =
            self.reader
                .into_inner()
                .finish()
                .map_err(|source| IngestError::Io {
                    path: self.path.clone(),
                    source,
                })?;
        Ok(DatasetStats {
            rows_read: self.rows_accepted + self.rows_rejected,
            rows_accepted: self.rows_accepted,
            rows_rejected: self.rows_rejected,
            bytes,
            sha256,
        })
    }
}

/// Checks canonical names are unique and date/time formats are valid; returns
/// each field's parsed format.
pub(crate) fn validate_fields(
    path: &Path,
    fields: &[FieldSpec],
) -> Result<Vec<Option<DateFormat>>, IngestError> {
    let mut formats = Vec::with_capacity(fields.len());
    for (i, f) in fields.iter().enumerate() {
        if fields[..i].iter().any(|g| g.name == f.name) {
            return Err(IngestError::DuplicateField {
                path: path.to_path_buf(),
                field: f.name.clone(),
            });
        }
        let format = match (&f.format, f.ty) {
            (Some(fmt), FieldType::Date | FieldType::Datetime) => Some(
                DateFormat::new(fmt).ok_or_else(|| IngestError::InvalidFormat {
                    path: path.to_path_buf(),
                    field: f.name.clone(),
                    format: fmt.clone(),
                })?,
            ),
            _ => None,
        };
        formats.push(format);
    }
    Ok(formats)
}

/// Opens the file and reads its header row (a UTF-8 BOM is ignored).
fn open_reader(
    path: &Path,
    options: &CsvOptions,
) -> Result<(Reader, Vec<String>, Option<u64>), IngestError> {
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let total_bytes = file.metadata().ok().map(|m| m.len());
    let source = HashingReader::new(file).map_err(io_err)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(READ_BUFFER)
        .from_reader(source);
    let mut record = ByteRecord::new();
    let found = reader
        .read_byte_record(&mut record)
        .map_err(|e| IngestError::from_csv(path, e))?;
    if !found {
        return Err(IngestError::NoHeader {
            path: path.to_path_buf(),
        });
    }
    let header = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    Ok((reader, header, total_bytes))
}

/// Maps each requested column name (trimmed) to its index in the header.
fn resolve_columns<'a>(
    path: &Path,
    header: &[String],
    columns: impl Iterator<Item = &'a str> + Clone,
) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    for col in columns.clone().map(str::trim) {
        if !header.iter().any(|h| h == col) && !missing.iter().any(|m| m == col) {
            missing.push(col.to_owned());
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_path_buf(),
            missing,
            available: header.to_vec(),
        });
    }
    let mut indices = Vec::new();
    for col in columns.map(str::trim) {
        let mut found = header.iter().enumerate().filter(|(_, h)| *h == col);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => indices.push(i),
            _ => {
                return Err(IngestError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: col.to_owned(),
                })
            }
        }
    }
    Ok(indices)
}
