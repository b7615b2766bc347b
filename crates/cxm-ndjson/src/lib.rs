//! NDJSON datasets for cxm: [`NdjsonSource`] streams a file holding one JSON object
//! per line into typed Arrow batches, handing the text of every mapped value to
//! [`cxm_ingest::BatchBuilder`] so types, null values, date formats and time zones
//! behave exactly as for CSV.
//!
//! - A field's `column` is an object key; when no member has that exact name, a dotted
//!   path reaches into nested objects (`customer.id`).
//! - Values become cell text: strings unescaped, numbers and booleans as written,
//!   arrays and objects as compact JSON text; `null` and absent keys are missing values.
//! - Blank lines are skipped; `\r\n` line ends and a UTF-8 byte-order mark are fine.
//!   A line that is not one JSON object is rejected (`invalid_json`), one longer than
//!   16 MiB (or the limit given to [`NdjsonSource::open_with_limit`]) too
//!   (`line_too_long`); every other line is accepted. Each row's `line` is
//!   its physical line number.
//! - NDJSON has no header: the mapped keys are checked against the keys (and dotted
//!   paths) seen in the first 1000 records, and [`IngestError::MissingColumns`] lists
//!   those when a mapped key occurs in none of them. A file without any object in its
//!   first 1000 records (an empty file, say) is not checked.
//! - The file is read once, line by line (bounded memory), and its bytes hashed.

mod json;
mod lines;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use cxm_ingest::{
    Batch, BatchBuilder, DatasetStats, FieldSpec, IngestError, RecordSource, RowRejection, Zone,
    MAX_RAW_CHARS,
};

use crate::json::{cell_text, KeySet, Object};
use crate::lines::{Lines, MAX_LINE_BYTES};

/// Records whose keys are checked against the mapped columns.
pub const SCAN_RECORDS: usize = 1000;
/// Upper bound on the rows preallocated per batch.
const MAX_PREALLOC_ROWS: usize = 65_536;
/// Buffer size of the file reader.
const READ_BUFFER: usize = 64 * 1024;

/// An NDJSON file being streamed into typed Arrow batches.
#[derive(Debug)]
pub struct NdjsonSource {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    /// Each field's key (trimmed).
    keys: Vec<String>,
    lines: Lines<BufReader<File>>,
    builder: BatchBuilder,
    batch_rows: usize,
    line_limit: usize,
    total_bytes: Option<u64>,
    rows_accepted: u64,
    rows_rejected: u64,
    done: bool,
}

impl NdjsonSource {
    /// Opens `path`, checks the mapped keys against the first [`SCAN_RECORDS`]
    /// records, and prepares to stream the file `batch_rows` records at a time (`0` is
    /// treated as `1`). `null_values` and `zone` are passed to the [`BatchBuilder`].
    pub fn open(
        path: &Path,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Result<NdjsonSource, IngestError> {
        Self::open_with_limit(path, fields, null_values, zone, batch_rows, MAX_LINE_BYTES)
    }

    /// [`NdjsonSource::open`] with another limit on a line's length in bytes (default
    /// 16 MiB, as `cxm_ingest::DEFAULT_MAX_RECORD_BYTES`): a longer line is rejected
    /// (`line_too_long`) without being held in memory whole.
    pub fn open_with_limit(
        path: &Path,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
        line_limit: usize,
    ) -> Result<NdjsonSource, IngestError> {
        let batch_rows = batch_rows.max(1);
        let builder = BatchBuilder::new(
            path,
            &fields,
            null_values,
            zone,
            batch_rows.min(MAX_PREALLOC_ROWS),
        )?;
        let keys: Vec<String> = fields.iter().map(|f| f.column.trim().to_owned()).collect();
        let (seen, objects) = scan_keys(path, line_limit)?;
        if objects > 0 {
            let mut missing: Vec<String> = Vec::new();
            for key in &keys {
                if !seen.contains(key) && !missing.contains(key) {
                    missing.push(key.clone());
                }
            }
            if !missing.is_empty() {
                return Err(IngestError::MissingColumns {
                    path: path.to_path_buf(),
                    missing,
                    available: seen.into_vec(),
                });
            }
        }
        let (lines, total_bytes) = open_lines(path, line_limit)?;
        Ok(NdjsonSource {
            path: path.to_path_buf(),
            fields,
            keys,
            lines,
            builder,
            batch_rows,
            line_limit,
            total_bytes,
            rows_accepted: 0,
            rows_rejected: 0,
            done: false,
        })
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Files one line into the current batch.
    fn read_line(&mut self) -> Result<bool, IngestError> {
        let line = match self.lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(false),
            Err(source) => {
                return Err(IngestError::Io {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        if line.text.trim_ascii().is_empty() && !line.too_long {
            return Ok(true);
        }
        let record = self.rows_accepted + self.rows_rejected + 1;
        let parsed = if line.too_long {
            Err((
                "line_too_long",
                format!("line is longer than {} bytes", self.line_limit),
            ))
        } else {
            Object::parse(line.text).map_err(|e| ("invalid_json", e.to_string()))
        };
        match parsed {
            Ok(object) => {
                let texts: Vec<_> = self
                    .keys
                    .iter()
                    .map(|k| object.lookup(k).and_then(cell_text))
                    .collect();
                let cells: Vec<Option<&[u8]>> = texts.iter().map(|t| t.as_deref()).collect();
                self.builder.push_row(line.number, &cells);
                self.rows_accepted += 1;
            }
            Err((reason, detail)) => {
                self.builder.reject_row(RowRejection {
                    line: line.number,
                    record,
                    reason: reason.to_owned(),
                    detail,
                    raw: raw_text(line.text),
                    // A line that is not a JSON object has no field that can be identified.
                    mapped: Vec::new(),
                });
                self.rows_rejected += 1;
            }
        }
        Ok(true)
    }
}

impl RecordSource for NdjsonSource {
    fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    /// The next batch of up to `batch_rows` records (accepted plus rejected; blank
    /// lines do not count), or `None` at the end of the file.
    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        while !self.done && self.builder.len() < self.batch_rows {
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
        if self.builder.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.builder.finish()))
    }

    fn bytes_read(&self) -> u64 {
        self.lines.bytes()
    }

    fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// Reads the rest of the file (so the hash covers all of it) and returns the totals;
    /// records not yet pulled with `next_batch` are hashed but not counted.
    fn finish(self: Box<Self>) -> Result<DatasetStats, IngestError> {
        let (bytes, sha256) = self.lines.finish().map_err(|source| IngestError::Io {
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

/// The keys (and dotted paths into nested objects) seen in the first [`SCAN_RECORDS`]
/// records of the NDJSON file at `path`, in the order first seen.
pub fn columns(path: &Path) -> Result<Vec<String>, IngestError> {
    Ok(scan_keys(path, MAX_LINE_BYTES)?.0.into_vec())
}

fn open_lines(
    path: &Path,
    line_limit: usize,
) -> Result<(Lines<BufReader<File>>, Option<u64>), IngestError> {
    let file = File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let total_bytes = file.metadata().ok().map(|m| m.len());
    let reader = BufReader::with_capacity(READ_BUFFER, file);
    Ok((Lines::new(reader, line_limit), total_bytes))
}

/// Keys seen in the first [`SCAN_RECORDS`] records (non-blank lines), and how many of
/// those records were JSON objects.
fn scan_keys(path: &Path, line_limit: usize) -> Result<(KeySet, usize), IngestError> {
    let (mut lines, _) = open_lines(path, line_limit)?;
    let mut keys = KeySet::default();
    let mut records = 0;
    let mut objects = 0;
    while records < SCAN_RECORDS {
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(source) => {
                return Err(IngestError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        if line.text.trim_ascii().is_empty() && !line.too_long {
            continue;
        }
        records += 1;
        if line.too_long {
            continue;
        }
        if let Ok(object) = Object::parse(line.text) {
            objects += 1;
            object.collect_keys(&mut keys);
        }
    }
    Ok((keys, objects))
}

/// The line as text (lossy UTF-8), at most [`MAX_RAW_CHARS`] characters.
fn raw_text(line: &[u8]) -> String {
    let head = line.get(..MAX_RAW_CHARS * 4).unwrap_or(line);
    let mut raw = String::from_utf8_lossy(head).into_owned();
    if let Some((cut, _)) = raw.char_indices().nth(MAX_RAW_CHARS) {
        raw.truncate(cut);
    }
    raw
}

#[cfg(test)]
mod tests;
