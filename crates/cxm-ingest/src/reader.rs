//! [`CsvSource`]: opens a CSV file, works out its dialect (encoding,
//! delimiter, header line), checks its header against the field specs, and
//! streams it as typed [`Batch`]es built by [`BatchBuilder`] while hashing
//! the file's bytes.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_schema::{Field, Schema, SchemaRef};
use csv::ByteRecord;

use crate::batch::{Batch, RowRejection};
use crate::builder::BatchBuilder;
use crate::charset::{Charset, MIXED_NAME};
use crate::dialect::{resolve_encoding, sample_text, sniff_delimiter, TextEncoding, SAMPLE_BYTES};
use crate::fields::resolve_columns;
use crate::hashing::HashingReader;
use crate::record_limit::{guard_limit, line_of_offset, record_bytes};
use crate::text::TextReader;
use crate::{CsvOptions, DataWarning, DatasetStats, FieldSpec, IngestError, MAX_RAW_CHARS};

pub(crate) type Reader = csv::Reader<TextReader<File>>;

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
    /// Index in the record of each field's column.
    sources: Vec<usize>,
    builder: BatchBuilder,
    reader: Reader,
    record: ByteRecord,
    delimiter: u8,
    encoding: String,
    batch_rows: usize,
    total_bytes: Option<u64>,
    rows_accepted: u64,
    rows_rejected: u64,
    /// Subtracted from line numbers (1 when lines are counted from 0, see
    /// [`CsvSource::open_rest`]).
    line_shift: u64,
    /// The file offset of the text's first byte when reading from the middle of the file
    /// ([`CsvSource::open_rest`]): errors then find their line by counting from the start.
    rest_offset: Option<u64>,
    /// See [`CsvOptions::max_record_bytes`].
    max_record_bytes: u64,
    done: bool,
    /// An error met after some rows of a batch were read; those rows are
    /// returned first and the error on the following call.
    pending_error: Option<IngestError>,
}

impl CsvSource {
    /// Opens `path`, works out its encoding and delimiter, reads and checks
    /// its header, and prepares to parse the columns named by `fields`.
    pub fn open(
        path: &Path,
        fields: Vec<FieldSpec>,
        options: CsvOptions,
    ) -> Result<CsvSource, IngestError> {
        let batch_rows = options.batch_rows.max(1);
        let zone = options.timezone.unwrap_or_default();
        let capacity = batch_rows.min(MAX_PREALLOC_ROWS);
        let builder = BatchBuilder::new(path, &fields, &options.null_values, zone, capacity)?
            .with_trim(options.trim);
        let opened = open_reader(path, &options)?;
        let builder = builder.with_number_format(options.number_format())?;
        let sources = resolve_columns(
            path,
            &opened.header,
            fields.iter().map(|f| f.column.as_str()),
        )?;
        let schema = schema_of(&fields);
        Ok(CsvSource {
            path: path.to_path_buf(),
            fields,
            schema,
            header: opened.header,
            sources,
            builder,
            reader: opened.reader,
            record: ByteRecord::new(),
            delimiter: opened.delimiter,
            encoding: opened.encoding.name(),
            batch_rows,
            total_bytes: opened.total_bytes,
            rows_accepted: 0,
            rows_rejected: 0,
            line_shift: 0,
            rest_offset: None,
            max_record_bytes: options.max_record_bytes,
            done: false,
            pending_error: None,
        })
    }

    /// Reads a UTF-8 file from byte `offset` (the start of a record) to its end, records
    /// of `header.len()` fields whose columns `sources` (one per field) were resolved
    /// from the header already. Lines are numbered from 0 (the line of `offset`) and
    /// records from 1; the hash in [`CsvSource::finish`] covers only the bytes read (from
    /// the line break before `offset`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn open_rest(
        path: &Path,
        fields: Vec<FieldSpec>,
        options: &CsvOptions,
        delimiter: u8,
        header: Vec<String>,
        sources: Vec<usize>,
        offset: u64,
    ) -> Result<CsvSource, IngestError> {
        use std::io::{Seek, SeekFrom};
        let io_err = |source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        };
        let batch_rows = options.batch_rows.max(1);
        let zone = options.timezone.unwrap_or_default();
        let capacity = batch_rows.min(MAX_PREALLOC_ROWS);
        let builder = BatchBuilder::new(path, &fields, &options.null_values, zone, capacity)?
            .with_trim(options.trim)
            .with_number_format(options.number_format())?;
        let mut file = File::open(path).map_err(io_err)?;
        // The csv crate drops a UTF-8 byte-order mark at the start of its input: a record
        // at `offset` beginning with one (a second export appended to the first) would
        // lose it. Reading from the line break before `offset` (a blank line to the csv
        // crate) keeps the record as the sequential reader of the whole file reads it.
        let mut before = [0u8; 1];
        let back = offset > 0
            && file.seek(SeekFrom::Start(offset - 1)).is_ok()
            && std::io::Read::read_exact(&mut file, &mut before).is_ok()
            && matches!(before[0], b'\n' | b'\r');
        let start = offset - u64::from(back);
        let total_bytes = file.metadata().ok().map(|m| m.len().saturating_sub(start));
        file.seek(SeekFrom::Start(start)).map_err(io_err)?;
        let raw = HashingReader::new(file, 0).map_err(io_err)?;
        let text = TextReader::new(raw, Charset::UTF8, 1, delimiter)
            .with_record_limit(guard_limit(options.max_record_bytes));
        let reader = csv_reader(delimiter, text);
        let schema = schema_of(&fields);
        Ok(CsvSource {
            path: path.to_path_buf(),
            fields,
            schema,
            header,
            sources,
            builder,
            reader,
            record: ByteRecord::new(),
            delimiter,
            encoding: "utf-8".to_owned(),
            batch_rows,
            total_bytes,
            rows_accepted: 0,
            rows_rejected: 0,
            line_shift: 1 + u64::from(back),
            rest_offset: Some(start),
            max_record_bytes: options.max_record_bytes,
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
        let opened = open_reader(path, options)?;
        resolve_columns(path, &opened.header, columns.iter().map(String::as_str))?;
        Ok(opened.header)
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

    /// The delimiter in use (declared or sniffed).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The encoding in use (declared or detected), as its lowercase
    /// canonical name: `utf-8`, `utf-16le`, `windows-1252`, ...
    pub fn encoding(&self) -> &str {
        &self.encoding
    }

    /// What reading found that may make texts wrong, so far: in a file read as
    /// windows-1252, bytes 0x80–0x9F that look like DOS code page 850 letters
    /// (`suspect_encoding`, see `suspect.rs`), with their count and first lines. Complete
    /// once every batch was read.
    pub fn warnings(&self) -> Vec<DataWarning> {
        let Some(scanner) = self.reader.get_ref().suspect() else {
            return Vec::new();
        };
        let found = scanner.found();
        if found.count == 0 {
            return Vec::new();
        }
        let example = scanner.most_frequent().map_or(String::new(), |b| {
            let cp850 = crate::charset::cp850_char(b);
            let (ansi, _, _) = encoding_rs::WINDOWS_1252.decode(std::slice::from_ref(&b));
            let ansi = match ansi.chars().next() {
                Some(c) if c.is_control() => "a control character".to_owned(),
                Some(c) => format!("\"{c}\""),
                None => "nothing".to_owned(),
            };
            format!(" (most often 0x{b:02X}: \"{cp850}\" in CP850, {ansi} in windows-1252)")
        });
        let bytes = if found.count == 1 { "byte" } else { "bytes" };
        vec![DataWarning {
            kind: "suspect_encoding",
            count: found.count,
            lines: found.lines.clone(),
            message: format!(
                "the file is read as {}, but {} {bytes} in 0x80-0x9F look like DOS code page \
                 850 letters{example}, so texts there read wrong; {}. Declare the encoding of \
                 the dataset: encoding = \"cp850\" if the whole file is CP850, or encoding = \
                 \"{MIXED_NAME}\" if it mixes both (letters such as 0xE9 = \"é\" elsewhere)",
                self.encoding,
                found.count,
                found.describe_lines()
            ),
        }]
    }

    /// Arrow schema of the batches: one nullable field per spec, named
    /// `spec.name`.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Bytes read from the file so far (including read-ahead buffering).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().byte_count()
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
        while self.builder.len() < self.batch_rows {
            let err = match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {
                    let end = self.reader.position().byte();
                    self.reader.get_mut().set_record_start(end);
                    if record_bytes(&self.record) <= self.max_record_bytes {
                        self.read_record();
                        continue;
                    }
                    let start = self.record.position().map_or(0, |p| p.byte());
                    self.too_long(start)
                }
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(_) if self.reader.get_ref().tripped() => {
                    let start = self.reader.get_ref().record_start();
                    self.too_long(start)
                }
                Err(err) => IngestError::from_csv(&self.path, err),
            };
            self.done = true;
            if self.builder.is_empty() {
                return Err(err);
            }
            self.pending_error = Some(err);
            break;
        }
        if self.builder.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.builder.finish()))
    }

    /// The error for a record longer than the limit that the parser began at `start`.
    fn too_long(&mut self, start: u64) -> IngestError {
        let line = match self.rest_offset {
            Some(offset) => match line_of_offset(&self.path, offset + start) {
                Ok(line) => line,
                Err(source) => {
                    return IngestError::Io {
                        path: self.path.clone(),
                        source,
                    }
                }
            },
            None => self.reader.get_mut().line_at(start) - self.line_shift,
        };
        IngestError::RecordTooLong {
            path: self.path.clone(),
            line,
            limit: self.max_record_bytes,
        }
    }

    /// Files the record in `self.record` into the batch being built.
    fn read_record(&mut self) {
        let start = self.record.position().map_or(0, |p| p.byte());
        let line = self.reader.get_mut().line_at(start) - self.line_shift;
        let ran_on = ends_in_open_quote(&self.reader);
        let rejection = if ran_on {
            Some((
                "unterminated_quote",
                "a quoted field is not closed before the end of the file".to_owned(),
            ))
        } else if self.record.len() != self.header.len() {
            Some((
                "wrong_field_count",
                format!(
                    "expected {} fields, found {}",
                    self.header.len(),
                    self.record.len()
                ),
            ))
        } else {
            None
        };
        if let Some((reason, detail)) = rejection {
            self.rows_rejected += 1;
            self.builder.reject_row(RowRejection {
                line,
                record: self.rows_accepted + self.rows_rejected,
                reason: reason.to_owned(),
                detail,
                raw: self.raw_record(),
                mapped: crate::rejected_cells::identifiable_cells(
                    &self.record.iter().collect::<Vec<_>>(),
                    self.header.len(),
                    &self.sources,
                    ran_on,
                ),
            });
            return;
        }
        self.rows_accepted += 1;
        let (record, sources) = (&self.record, &self.sources);
        self.builder
            .push_cells(line, |field| record.get(*sources.get(field)?));
    }

    /// The record re-joined with the delimiter, at most [`MAX_RAW_CHARS`]
    /// characters of lossy UTF-8.
    fn raw_record(&self) -> String {
        join_fields(self.record.iter(), self.delimiter)
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

/// The Arrow schema of batches of `fields`: one nullable column per field.
fn schema_of(fields: &[FieldSpec]) -> SchemaRef {
    Arc::new(Schema::new(
        fields
            .iter()
            .map(|f| Field::new(f.name.as_str(), f.ty.arrow_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// A rejected record's fields re-joined with the delimiter, at most [`MAX_RAW_CHARS`]
/// characters of lossy UTF-8 (how every CSV reader shows a rejected record).
pub(crate) fn join_fields<'f>(fields: impl Iterator<Item = &'f [u8]>, delimiter: u8) -> String {
    let mut raw = Vec::new();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            raw.push(delimiter);
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
    raw
}

/// True if the record just read runs to the end of the file inside a quoted
/// field (the CSV parser accepts such a record as if the quote were closed).
fn ends_in_open_quote(reader: &Reader) -> bool {
    let text = reader.get_ref();
    text.ends_in_open_quote() && reader.position().byte() == text.passed()
}

/// A file opened for reading, positioned after its header.
pub(crate) struct Opened {
    pub(crate) reader: Reader,
    /// Header names, trimmed, lossy UTF-8.
    pub(crate) header: Vec<String>,
    pub(crate) total_bytes: Option<u64>,
    pub(crate) encoding: TextEncoding,
    pub(crate) delimiter: u8,
    /// Offset in the text (after any byte-order mark) where the parser stopped after the
    /// header: the start of the first data record, or the `\n` of the header's `\r\n`.
    pub(crate) header_end: u64,
}

/// Opens the file, settles its encoding and delimiter, skips the lines above
/// the header and reads the header row.
pub(crate) fn open_reader(path: &Path, options: &CsvOptions) -> Result<Opened, IngestError> {
    let io_err = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let total_bytes = file.metadata().ok().map(|m| m.len());
    let mut raw = HashingReader::new(file, SAMPLE_BYTES).map_err(io_err)?;
    let complete = raw.head().len() < SAMPLE_BYTES;
    let encoding = resolve_encoding(path, options.encoding.as_deref(), raw.head(), complete)?;
    raw.skip(encoding.bom_len);
    let delimiter = if options.sniff_delimiter {
        let text = sample_text(raw.head(), encoding.encoding, options.header_row);
        sniff_delimiter(&text, complete).map_or(options.delimiter, |s| s.delimiter)
    } else {
        options.delimiter
    };
    check_number_options(path, options, delimiter)?;
    let text = TextReader::new(raw, encoding.encoding, options.header_row, delimiter)
        .with_record_limit(guard_limit(options.max_record_bytes));
    let mut reader = csv_reader(delimiter, text);
    let mut record = ByteRecord::new();
    let read = reader.read_byte_record(&mut record);
    let too_long = IngestError::RecordTooLong {
        path: path.to_path_buf(),
        line: options.header_row.max(1) as u64,
        limit: options.max_record_bytes,
    };
    let found = match read {
        Err(_) if reader.get_ref().tripped() => return Err(too_long),
        Err(e) => return Err(IngestError::from_csv(path, e)),
        Ok(_) if record_bytes(&record) > options.max_record_bytes => return Err(too_long),
        Ok(found) => found,
    };
    if !found {
        return Err(IngestError::NoHeader {
            path: path.to_path_buf(),
        });
    }
    let control = |&b: &u8| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f;
    if record.iter().any(|f| f.iter().any(control)) {
        return Err(IngestError::NotText {
            path: path.to_path_buf(),
            encoding: encoding.name(),
        });
    }
    if ends_in_open_quote(&reader) {
        let start = record.position().map_or(0, |p| p.byte());
        return Err(IngestError::Csv {
            path: path.to_path_buf(),
            line: Some(reader.get_mut().line_at(start)),
            message: "a quoted field of the header is not closed before the end of the file"
                .to_owned(),
        });
    }
    let header = record
        .iter()
        .map(|f| String::from_utf8_lossy(f).trim().to_owned())
        .collect();
    let header_end = reader.position().byte();
    reader.get_mut().set_record_start(header_end);
    Ok(Opened {
        header_end,
        reader,
        header,
        total_bytes,
        encoding,
        delimiter,
    })
}

/// The CSV parser every path uses: any record length, no header handling.
fn csv_reader(delimiter: u8, text: TextReader<File>) -> Reader {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(READ_BUFFER)
        .from_reader(text)
}

/// Decimal commas need another delimiter; the thousands separator must be
/// usable.
fn check_number_options(
    path: &Path,
    options: &CsvOptions,
    delimiter: u8,
) -> Result<(), IngestError> {
    let invalid = |message: String| IngestError::InvalidOptions {
        path: path.to_path_buf(),
        message,
    };
    if options.decimal_comma && delimiter == b',' {
        return Err(invalid(
            "decimal_comma needs a delimiter other than ',' (such as ';')".to_owned(),
        ));
    }
    options.number_format().validate().map_err(invalid)
}
