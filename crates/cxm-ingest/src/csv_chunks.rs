//! Reading a UTF-8 CSV file in parallel: [`CsvChunks`] reads the file in order, hashes it,
//! and cuts it into chunks of about `chunk_bytes` that end just after a line break outside
//! quotes (by quote parity); each [`CsvChunk`] is then split into records by the fast
//! scanner ([`crate::scan`]) on whatever thread parses it, and its mapped cells go through
//! the same [`BatchBuilder`] as every other source.
//!
//! Quote parity finds record boundaries only when every quote in the file is well-formed.
//! The scanner proves that for each chunk; where it cannot, the chunk hands back a
//! sequential reader (the `csv` crate) that takes over from the chunk's first byte to the
//! end of the file, so a malformed file gives exactly the records it always did.

use crate::batch::RowRejection;
use crate::builder::BatchBuilder;
use crate::chunks::{Chunk, ChunkSummary, ChunkedSource, SourceDigest};
use crate::fields::resolve_columns;
use crate::hashing::hex;
use crate::reader::{join_fields, open_reader, CsvSource};
use crate::scan::{field_text, scan_chunk, RecordRef};
use crate::{Batch, CsvOptions, FieldSpec, IngestError, RecordSource};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Default size of a chunk.
pub const DEFAULT_CHUNK_BYTES: usize = 2 << 20;
/// How many times the chunk size a chunk may grow to hold one long record before it is
/// cut at any line break.
const MAX_CHUNK_GROWTH: usize = 8;

/// Opens a CSV file for reading in chunks: in parallel when it is UTF-8 with its header on
/// the first line, else (other encodings are decoded as a stream; a preamble has to be
/// skipped line by line) as one sequential stream.
pub fn open_csv_chunks(
    path: &Path,
    fields: Vec<FieldSpec>,
    options: CsvOptions,
    chunk_bytes: usize,
) -> Result<Box<dyn ChunkedSource>, IngestError> {
    match CsvChunks::open(path, &fields, &options, chunk_bytes)? {
        Some(chunks) => Ok(Box::new(chunks)),
        None => Ok(Box::new(crate::SequentialChunks::new(Box::new(
            CsvSource::open(path, fields, options)?,
        )))),
    }
}

/// What every chunk of one file shares.
struct Shared {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    options: CsvOptions,
    delimiter: u8,
    header: Vec<String>,
    /// Index in the record of each field's column.
    sources: Vec<usize>,
    /// Chunk buffers given back after parsing, for the next chunks (no fresh allocation,
    /// zeroing and page faults per chunk).
    spare_buffers: Mutex<Vec<Vec<u8>>>,
}

/// Most buffers kept for reuse.
const MAX_SPARE_BUFFERS: usize = 8;

/// A UTF-8 CSV file being cut into chunks.
pub struct CsvChunks {
    shared: Arc<Shared>,
    file: File,
    hasher: Sha256,
    /// Bytes read (and hashed) so far.
    bytes_read: u64,
    total_bytes: Option<u64>,
    /// Line of the first data byte (1-based).
    first_line: u64,
    /// Bytes read after the last chunk's end.
    carry: Vec<u8>,
    /// File offset of `carry`'s first byte.
    carry_offset: u64,
    chunk_bytes: usize,
    eof: bool,
    /// A chunk handed the rest of the file to the sequential reader: no more chunks.
    handed_over: bool,
}

impl CsvChunks {
    /// Opens `path` for chunked reading; `None` when the file needs the sequential reader.
    fn open(
        path: &Path,
        fields: &[FieldSpec],
        options: &CsvOptions,
        chunk_bytes: usize,
    ) -> Result<Option<CsvChunks>, IngestError> {
        // Builds one batch builder to check the fields and options before any data flows.
        make_builder(path, fields, options)?;
        let opened = open_reader(path, options)?;
        if !opened.encoding.encoding.is_utf8() || options.header_row > 1 {
            return Ok(None);
        }
        let sources = resolve_columns(path, &opened.header, fields.iter().map(|f| &*f.column))?;
        let io_err = |source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let mut head = Vec::new();
        let bom = opened.encoding.bom_len as u64;
        let mut data_start = bom + opened.header_end;
        (&mut file)
            .take(data_start + 1)
            .read_to_end(&mut head)
            .map_err(io_err)?;
        // A header ended by "\r\n" leaves the parser on the '\n': the data starts after it.
        if head.get(data_start as usize) == Some(&b'\n')
            && data_start > 0
            && head.get(data_start as usize - 1) == Some(&b'\r')
        {
            data_start += 1;
        }
        let header_bytes = head
            .get(bom as usize..(data_start as usize).min(head.len()))
            .unwrap_or_default();
        let first_line = 1 + count_line_breaks(header_bytes);
        // The bytes before the data are hashed, not parsed; reading resumes after them.
        let before_data = head.get(..data_start as usize).unwrap_or(&head);
        let mut hasher = Sha256::new();
        hasher.update(before_data);
        let bytes_read = before_data.len() as u64;
        file.seek(SeekFrom::Start(bytes_read)).map_err(io_err)?;
        Ok(Some(CsvChunks {
            shared: Arc::new(Shared {
                path: path.to_path_buf(),
                fields: fields.to_vec(),
                options: options.clone(),
                delimiter: opened.delimiter,
                header: opened.header,
                sources,
                spare_buffers: Mutex::new(Vec::new()),
            }),
            file,
            hasher,
            bytes_read,
            total_bytes: opened.total_bytes,
            first_line,
            carry: Vec::new(),
            carry_offset: bytes_read,
            chunk_bytes: chunk_bytes.max(1),
            eof: false,
            handed_over: false,
        }))
    }

    /// Appends up to `want` bytes of the file to `buf` (fewer only at its end), hashing
    /// them; reads into the vector's spare capacity without zeroing it first.
    fn read_appending(&mut self, buf: &mut Vec<u8>, want: usize) -> Result<(), IngestError> {
        let from = buf.len();
        buf.reserve(want);
        let read = (&mut self.file)
            .take(want as u64)
            .read_to_end(buf)
            .map_err(|e| self.io_error(e))?;
        if read < want {
            self.eof = true;
        }
        let fresh = &buf[from..];
        self.hasher.update(fresh);
        self.bytes_read += fresh.len() as u64;
        Ok(())
    }

    fn io_error(&self, source: std::io::Error) -> IngestError {
        IngestError::Io {
            path: self.shared.path.clone(),
            source,
        }
    }
}

impl CsvChunks {
    /// An empty buffer, reused when a parsed chunk gave one back.
    fn spare_buffer(&self) -> Vec<u8> {
        let spare = match self.shared.spare_buffers.lock() {
            Ok(mut buffers) => buffers.pop(),
            Err(_) => None,
        };
        let mut buf = spare.unwrap_or_default();
        buf.clear();
        buf
    }
}

impl ChunkedSource for CsvChunks {
    fn fields(&self) -> &[FieldSpec] {
        &self.shared.fields
    }

    fn next_chunk(&mut self) -> Result<Option<Box<dyn Chunk>>, IngestError> {
        if self.handed_over {
            return Ok(None);
        }
        let mut want = self.chunk_bytes;
        loop {
            let mut buf = self.spare_buffer();
            buf.extend_from_slice(&self.carry);
            self.carry.clear();
            let kept = buf.len();
            if !self.eof && kept < want {
                self.read_appending(&mut buf, want - kept)?;
            }
            if buf.is_empty() && self.eof {
                return Ok(None);
            }
            let end = if self.eof {
                Some(buf.len())
            } else if buf.len() >= MAX_CHUNK_GROWTH * self.chunk_bytes {
                // Quote parity found no record end in a long stretch: a stray quote, most
                // likely. Cut at any line break; the scanner will find the chunk unsound
                // and the sequential reader take over from its (sound) start.
                last_record_end(&buf).or_else(|| memchr::memrchr(b'\n', &buf).map(|i| i + 1))
            } else {
                last_record_end(&buf)
            };
            let Some(end) = end else {
                if buf.len() as u64 > self.shared.options.max_record_bytes.saturating_add(2) {
                    // The first record has no end within max_record_bytes (by quote
                    // parity): the sequential reader takes over from its start and says
                    // whether it really is too long, without this buffer growing further.
                    let offset = self.carry_offset;
                    self.carry_offset += buf.len() as u64;
                    self.handed_over = true;
                    return Ok(Some(Box::new(CsvChunk {
                        shared: Arc::clone(&self.shared),
                        bytes: Vec::new(),
                        offset,
                        at_eof: false,
                        sequential: true,
                    })));
                }
                // No line break outside quotes yet (a long record): read more, but not
                // much past max_record_bytes.
                self.carry = buf;
                let most = self.shared.options.max_record_bytes.saturating_add(3);
                want = want
                    .saturating_mul(2)
                    .min(usize::try_from(most).unwrap_or(usize::MAX));
                continue;
            };
            let at_eof = self.eof && end == buf.len();
            self.carry.extend_from_slice(&buf[end..]);
            buf.truncate(end);
            let offset = self.carry_offset;
            self.carry_offset += end as u64;
            if buf.is_empty() {
                continue;
            }
            return Ok(Some(Box::new(CsvChunk {
                shared: Arc::clone(&self.shared),
                bytes: buf,
                offset,
                at_eof,
                sequential: false,
            })));
        }
    }

    fn first_line(&self) -> u64 {
        self.first_line
    }

    fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    fn finish(mut self: Box<Self>) -> Result<SourceDigest, IngestError> {
        let mut buf = Vec::new();
        while !self.eof {
            buf.clear();
            self.read_appending(&mut buf, 1 << 16)?;
        }
        Ok(SourceDigest {
            bytes: self.bytes_read,
            sha256: hex(&self.hasher.finalize()),
        })
    }
}

/// The end (just past a `\n`) of the last record of `buf` whose terminator is outside
/// quotes, assuming `buf` starts at a record boundary and its quotes are well-formed;
/// `None` without one.
fn last_record_end(buf: &[u8]) -> Option<usize> {
    let mut inside = quote_parity(buf);
    let mut end = buf.len();
    while let Some(newline) = memchr::memrchr(b'\n', &buf[..end]) {
        // Quotes after this line break decide whether it is inside a quoted field.
        inside ^= quote_parity(&buf[newline + 1..end]);
        if !inside {
            return Some(newline + 1);
        }
        end = newline;
    }
    None
}

/// Whether `bytes` holds an odd number of `"`.
fn quote_parity(bytes: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        quote_parity_sse2(bytes)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        quote_parity_scalar(bytes)
    }
}

/// [`quote_parity`] one byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn quote_parity_scalar(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |odd, &b| odd ^ (b == b'"'))
}

/// [`quote_parity`] 16 bytes at a time: each byte lane of an accumulator flips on every
/// quote in that lane, so the parity is that of the lanes left set.
#[cfg(target_arch = "x86_64")]
fn quote_parity_sse2(bytes: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        _mm_setzero_si128, _mm_xor_si128,
    };
    let mut blocks = bytes.chunks_exact(16);
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
    // available; every load reads exactly the 16 bytes of a `chunks_exact(16)` block.
    let lanes = unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let mut acc = _mm_setzero_si128();
        for block in &mut blocks {
            let v = _mm_loadu_si128(block.as_ptr() as *const __m128i);
            acc = _mm_xor_si128(acc, _mm_cmpeq_epi8(v, quote));
        }
        _mm_movemask_epi8(acc)
    };
    (lanes.count_ones() & 1 == 1) ^ quote_parity_scalar(blocks.remainder())
}

/// Line breaks in `bytes`: `\n`, `\r\n` (once) and lone `\r`.
fn count_line_breaks(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    (newlines + lone_cr) as u64
}

fn make_builder(
    path: &Path,
    fields: &[FieldSpec],
    options: &CsvOptions,
) -> Result<BatchBuilder, IngestError> {
    let capacity = options.batch_rows.clamp(1, 65_536);
    let zone = options.timezone.unwrap_or_default();
    BatchBuilder::new(path, fields, &options.null_values, zone, capacity)?
        .with_number_format(options.number_format())
        .map(|b| b.with_trim(options.trim))
}

/// A piece of a UTF-8 CSV file that starts at a record boundary.
struct CsvChunk {
    shared: Arc<Shared>,
    bytes: Vec<u8>,
    /// File offset of the first byte.
    offset: u64,
    /// The chunk ends the file.
    at_eof: bool,
    /// Hand the rest of the file to the sequential reader from `offset` at once (a record
    /// there is too long to be cut into a chunk; `bytes` is empty).
    sequential: bool,
}

impl Chunk for CsvChunk {
    fn parse(self: Box<Self>, sink: &mut dyn FnMut(Batch)) -> Result<ChunkSummary, IngestError> {
        let CsvChunk {
            shared,
            bytes,
            offset,
            at_eof,
            sequential,
        } = *self;
        let bytes = Arc::new(ChunkBytes {
            bytes,
            shared: Arc::clone(&shared),
        });
        let mut builder =
            make_builder(&shared.path, &shared.fields, &shared.options)?.without_raw_copies();
        let batch_rows = shared.options.batch_rows.max(1);
        let mut pending = PendingRows::new(shared.sources.len());
        let mut spans: Vec<(u32, u32)> = Vec::new();
        let mut records = 0u64;
        // A record that may pass max_record_bytes (measured here with its quotes, and with
        // room for a line break) is left to the sequential reader, which measures it
        // exactly: both readers refuse the same records.
        let max_record = shared.options.max_record_bytes;
        let mut too_long = sequential;
        let mut finish =
            |builder: &mut BatchBuilder, pending: &mut PendingRows, spans: &mut Vec<(u32, u32)>| {
                pending.parse_into(builder, &bytes);
                let text = RecordText {
                    shared: Arc::clone(&shared),
                    bytes: Arc::clone(&bytes),
                    spans: std::mem::take(spans),
                };
                sink(
                    builder.finish_with_raw_text(Box::new(move |row, field, out| {
                        text.cell(row, field, out)
                    })),
                );
            };
        let scanned = scan_chunk(&bytes, shared.delimiter, at_eof, &mut |record| {
            records += 1;
            if too_long || (record.end - record.start) as u64 + 2 > max_record {
                too_long = true;
                return;
            }
            if add_record(&shared, &bytes, record, records, &mut builder, &mut pending) {
                spans.push((record.start as u32, record.end as u32));
                if pending.len() >= PARSE_ROWS {
                    pending.parse_into(&mut builder, &bytes);
                }
            }
            if builder.len() + pending.len() >= batch_rows {
                finish(&mut builder, &mut pending, &mut spans);
            }
        });
        if scanned.is_ok() && !too_long && !(builder.is_empty() && pending.len() == 0) {
            finish(&mut builder, &mut pending, &mut spans);
        }
        // The buffer goes back to the spare ones when the last batch that refers to it is
        // dropped (at once, unless the engine keeps batches in flight): see `ChunkBytes`.
        drop(bytes);
        match scanned {
            Ok(summary) if !too_long => Ok(ChunkSummary {
                lines: summary.lines,
                records,
                rest: None,
            }),
            _ => {
                let rest = CsvSource::open_rest(
                    &shared.path,
                    shared.fields.clone(),
                    &shared.options,
                    shared.delimiter,
                    shared.header.clone(),
                    shared.sources.clone(),
                    offset,
                )?;
                Ok(ChunkSummary {
                    lines: 0,
                    records: 0,
                    rest: Some(Box::new(rest) as Box<dyn RecordSource>),
                })
            }
        }
    }
}

/// A chunk's bytes, shared by the batches cut from it (for the raw text of their cells);
/// given back to the spare buffers when the last of them is dropped, so that a chunk
/// whose batches are kept longer (updates in flight to isolated plugins) does not cost the
/// reader a fresh buffer (and its page faults) for every later chunk.
struct ChunkBytes {
    bytes: Vec<u8>,
    shared: Arc<Shared>,
}

impl std::ops::Deref for ChunkBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for ChunkBytes {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        if bytes.capacity() == 0 {
            return;
        }
        if let Ok(mut buffers) = self.shared.spare_buffers.lock() {
            if buffers.len() < MAX_SPARE_BUFFERS {
                buffers.push(bytes);
            }
        }
    }
}

/// The raw text of the cells of one batch, found again in the chunk when asked for (a
/// rejected value, a unique_key) instead of being copied for every cell.
struct RecordText {
    shared: Arc<Shared>,
    bytes: Arc<ChunkBytes>,
    /// The span in `bytes` of each accepted row of the batch.
    spans: Vec<(u32, u32)>,
}

impl RecordText {
    /// Writes the unescaped text of `field` in `row` to `out`; `false` when out of range.
    fn cell(&self, row: usize, field: usize, out: &mut Vec<u8>) -> bool {
        let (Some(&(start, end)), Some(&column)) =
            (self.spans.get(row), self.shared.sources.get(field))
        else {
            return false;
        };
        let Some(record) = self.bytes.get(start as usize..end as usize) else {
            return false;
        };
        let mut found = false;
        let mut scratch = Vec::new();
        let _ = scan_chunk(record, self.shared.delimiter, true, &mut |r| {
            if let (false, Some(&(s, e))) = (found, r.fields.get(column)) {
                out.extend_from_slice(field_text(&record[s as usize..e as usize], &mut scratch));
                found = true;
            }
        });
        found
    }
}

/// Accepted rows not parsed yet, kept as the spans of their mapped cells until there are
/// [`PARSE_ROWS`] of them or the batch ends, then parsed column by column
/// ([`BatchBuilder::push_columns`]).
struct PendingRows {
    /// For each mapped field, the span of its cell in each pending row, in the chunk;
    /// `(QUOTED, k)` for a quoted cell, whose unescaped text is `unescaped[k]`.
    cells: Vec<Vec<(u32, u32)>>,
    /// The source line of each pending row.
    lines: Vec<u64>,
    /// Unescaped texts of quoted cells: the first `quoted` are in use (the others are
    /// kept for their allocations).
    unescaped: Vec<Vec<u8>>,
    quoted: usize,
    scratch: Vec<u8>,
}

/// Rows parsed together, column by column: few enough that their bytes, just scanned,
/// are still in the core's cache when each column is parsed.
const PARSE_ROWS: usize = 256;

/// The start of a quoted cell's span (no real span starts there: a chunk is shorter
/// than `u32::MAX` bytes, checked by `scan_chunk`).
const QUOTED: u32 = u32::MAX;

impl PendingRows {
    fn new(fields: usize) -> PendingRows {
        PendingRows {
            cells: vec![Vec::new(); fields],
            lines: Vec::new(),
            unescaped: Vec::new(),
            quoted: 0,
            scratch: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    /// Keeps the mapped cell of `field` whose raw span in the chunk is `span`.
    #[inline]
    fn push_cell(&mut self, field: usize, span: (u32, u32), chunk: &[u8]) {
        let raw = &chunk[span.0 as usize..span.1 as usize];
        let cell = if raw.first() == Some(&b'"') {
            if self.quoted == self.unescaped.len() {
                self.unescaped.push(Vec::new());
            }
            let text = field_text(raw, &mut self.scratch);
            let out = &mut self.unescaped[self.quoted];
            out.clear();
            out.extend_from_slice(text);
            self.quoted += 1;
            (QUOTED, (self.quoted - 1) as u32)
        } else {
            span
        };
        self.cells[field].push(cell);
    }

    /// Parses the pending rows into `builder` and forgets them.
    fn parse_into(&mut self, builder: &mut BatchBuilder, chunk: &[u8]) {
        if self.lines.is_empty() {
            return;
        }
        let (cells, unescaped) = (&self.cells, &self.unescaped);
        builder.push_columns(&self.lines, |field, row| match cells[field][row] {
            (QUOTED, k) => &unescaped[k as usize],
            (start, end) => &chunk[start as usize..end as usize],
        });
        self.lines.clear();
        for column in &mut self.cells {
            column.clear();
        }
        self.quoted = 0;
    }
}

/// Files one scanned record into the batch: rejected when its field count is not the
/// header's, else its mapped cells parsed (returns `true`).
fn add_record(
    shared: &Shared,
    chunk: &[u8],
    record: &RecordRef<'_>,
    number: u64,
    builder: &mut BatchBuilder,
    pending: &mut PendingRows,
) -> bool {
    if record.fields.len() != shared.header.len() {
        let fields = unescaped_fields(record, chunk);
        builder.reject_row(RowRejection {
            line: record.line,
            record: number,
            reason: "wrong_field_count".to_owned(),
            detail: format!(
                "expected {} fields, found {}",
                shared.header.len(),
                record.fields.len()
            ),
            raw: join_fields(fields.iter().map(Vec::as_slice), shared.delimiter),
            mapped: crate::rejected_cells::identifiable_cells(
                &fields,
                shared.header.len(),
                &shared.sources,
                false,
            ),
        });
        return false;
    }
    for (field, &column) in shared.sources.iter().enumerate() {
        pending.push_cell(field, record.fields[column], chunk);
    }
    pending.lines.push(record.line);
    true
}

/// The record's fields, unescaped (re-joined with the delimiter, they are the rejected
/// record as the sequential reader shows it).
fn unescaped_fields(record: &RecordRef<'_>, chunk: &[u8]) -> Vec<Vec<u8>> {
    record
        .fields
        .iter()
        .map(|&(start, end)| {
            let mut scratch = Vec::new();
            field_text(&chunk[start as usize..end as usize], &mut scratch).to_vec()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_follow_quote_parity() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny\"\nb,\"z\nw"), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny"), None);
        assert_eq!(last_record_end(b"abc"), None);
        assert!(quote_parity(&[b'"'; 33]));
        assert!(!quote_parity(&[b'"'; 64]));
        // Every length and position around the 16-byte blocks, against the plain count.
        let text: Vec<u8> = (0..200u32)
            .map(|i| {
                if i % 7 == 0 || i % 11 == 3 {
                    b'"'
                } else {
                    b'a'
                }
            })
            .collect();
        for start in 0..20 {
            for end in start..text.len() {
                let slice = &text[start..end];
                let odd = slice.iter().filter(|&&b| b == b'"').count() % 2 == 1;
                assert_eq!(quote_parity(slice), odd, "{start}..{end}");
                assert_eq!(quote_parity_scalar(slice), odd);
            }
        }
        assert_eq!(count_line_breaks(b"a\r\nb\rc\n\n"), 4);
    }
}
