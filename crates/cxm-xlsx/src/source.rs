//! [`XlsxSource`]: one worksheet of an `.xlsx` workbook read as typed batches.
//!
//! calamine's streaming cell reader borrows the open workbook, so the workbook and the
//! reader live on a thread of their own that builds the batches and hands them over a
//! channel holding at most two; the source only receives them.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use calamine::Reader;
use cxm_ingest::{Batch, BatchBuilder, DatasetStats, FieldSpec, IngestError, RecordSource, Zone};

use crate::limits::{XlsxLimits, BATCH_TEXT_BYTES};
use crate::sheet::{read_header, MappedRow, Rows};
use crate::workbook::{guarded, open_book, panic_detail, read_file, resolve_sheet, source_error};
use crate::SheetRef;

/// Upper bound on the rows preallocated per batch.
const MAX_PREALLOC_ROWS: usize = 65_536;

/// What the reading thread sends.
enum Message {
    /// The sheet is open and its header read.
    Opened(Opened),
    Batch(Box<Batch>),
    Failed(IngestError),
    /// Every row was sent.
    End,
}

/// The sheet as found when it was opened.
struct Opened {
    sheet: String,
    header: Vec<String>,
    /// 0-based first row and number of rows of the sheet's declared used range (only for
    /// progress: a file may declare anything).
    first_row: u64,
    height: u64,
}

/// What the reading thread needs.
struct Job {
    path: PathBuf,
    bytes: std::sync::Arc<[u8]>,
    sheet: Option<SheetRef>,
    header_row: usize,
    fields: Vec<FieldSpec>,
    builder: BatchBuilder,
    batch_rows: usize,
    limits: XlsxLimits,
}

/// A worksheet being read into typed Arrow batches.
///
/// The file is read into memory and checked when the source is opened; the sheet is then
/// streamed row by row (never as a dense range), so memory holds the file, its shared
/// strings and a few batches, whatever the sheet's used range.
pub struct XlsxSource {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    sheet: String,
    header: Vec<String>,
    messages: Receiver<Message>,
    bytes: u64,
    sha256: String,
    rows_accepted: u64,
    first_row: u64,
    height: u64,
    /// The 1-based row reached: the header row, then the last row handed out.
    reached: u64,
    done: bool,
}

impl std::fmt::Debug for XlsxSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxSource")
            .field("path", &self.path)
            .field("sheet", &self.sheet)
            .field("rows_accepted", &self.rows_accepted)
            .finish_non_exhaustive()
    }
}

impl XlsxSource {
    /// Opens `path`, loads `sheet` (`None`: the first sheet), reads the column names from
    /// the 1-based row `header_row` (cells trimmed) and checks that every field's column is
    /// there. The data rows are the rows below the header; entirely empty rows are skipped
    /// and not counted. `null_values` and `zone` mean what they mean for CSV (see
    /// [`BatchBuilder::new`]); `batch_rows` is the number of rows per batch (`0` is `1`).
    /// The default [`XlsxLimits`] apply.
    ///
    /// Errors: [`IngestError::Io`] if the file cannot be read, [`IngestError::Source`] if it
    /// is not a readable workbook, passes a limit, the sheet does not exist (the message
    /// lists the sheet names) or the header row is empty, [`IngestError::MissingColumns`] /
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
        let limits = XlsxLimits::default();
        Self::open_with_limits(
            path,
            sheet,
            header_row,
            fields,
            null_values,
            zone,
            batch_rows,
            &limits,
        )
    }

    /// [`XlsxSource::open`] with other limits.
    #[allow(clippy::too_many_arguments)]
    pub fn open_with_limits(
        path: &Path,
        sheet: Option<SheetRef>,
        header_row: usize,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
        limits: &XlsxLimits,
    ) -> Result<XlsxSource, IngestError> {
        let batch_rows = batch_rows.max(1);
        let capacity = batch_rows.min(MAX_PREALLOC_ROWS);
        let builder = BatchBuilder::new(path, &fields, null_values, zone, capacity)?;
        let file = read_file(path)?;
        let bytes = file.bytes.len() as u64;
        let job = Job {
            path: path.to_path_buf(),
            bytes: file.bytes,
            sheet,
            header_row,
            fields: fields.clone(),
            builder,
            batch_rows,
            limits: *limits,
        };
        let (sender, messages) = sync_channel(2);
        std::thread::Builder::new()
            .name("cxm-xlsx".to_owned())
            .spawn(move || produce(job, &sender))
            .map_err(|e| source_error(path, None, format!("cannot start a reader: {e}")))?;
        let opened = match messages.recv() {
            Ok(Message::Opened(opened)) => opened,
            Ok(Message::Failed(e)) => return Err(e),
            _ => return Err(source_error(path, None, "the sheet reader stopped")),
        };
        Ok(XlsxSource {
            path: path.to_path_buf(),
            fields,
            sheet: opened.sheet,
            header: opened.header,
            messages,
            bytes,
            sha256: file.sha256,
            rows_accepted: 0,
            first_row: opened.first_row,
            height: opened.height,
            reached: header_row as u64,
            done: false,
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

    /// The header row's names (trimmed; from the first non-blank cell to the last).
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Progress in bytes: the file is read whole when the source is opened, so this is the
    /// file size scaled by the share of the rows of the sheet's declared used range
    /// reached so far (the file size once every row has been read).
    pub fn bytes_read(&self) -> u64 {
        if self.done || self.height == 0 {
            return if self.done { self.bytes } else { 0 };
        }
        let reached = self.reached.saturating_sub(self.first_row).min(self.height);
        (u128::from(self.bytes) * u128::from(reached) / u128::from(self.height)) as u64
    }

    /// Size of the file in bytes.
    pub fn total_bytes(&self) -> Option<u64> {
        Some(self.bytes)
    }

    /// The next batch: up to `batch_rows` non-empty data rows (fewer when their mapped
    /// cells hold much text), each with its 1-based Excel row number as its line. `None`
    /// after the last row.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        if self.done {
            return Ok(None);
        }
        match self.messages.recv() {
            Ok(Message::Batch(batch)) => {
                self.rows_accepted += batch.lines.len() as u64;
                if let Some(&line) = batch.lines.last() {
                    self.reached = line;
                }
                Ok(Some(*batch))
            }
            Ok(Message::End) => {
                self.done = true;
                Ok(None)
            }
            Ok(Message::Failed(e)) => {
                self.done = true;
                Err(e)
            }
            Ok(Message::Opened(_)) | Err(_) => {
                self.done = true;
                Err(source_error(&self.path, None, "the sheet reader stopped"))
            }
        }
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

/// The reading thread: opens the sheet, sends its header, then its batches. A panic in
/// calamine on malformed input becomes an error naming the sheet.
fn produce(job: Job, sender: &SyncSender<Message>) {
    let path = job.path.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| read_sheet(job, sender)));
    let last = match outcome {
        Ok(Ok(())) => Message::End,
        Ok(Err(e)) => Message::Failed(e),
        Err(panic) => Message::Failed(source_error(
            &path,
            None,
            format!("cannot read the sheet: {}", panic_detail(&*panic)),
        )),
    };
    // The source may be gone already (dropped before the end): nothing to tell it.
    let _ = sender.send(last);
}

/// Reads the sheet, sending [`Message::Opened`] then the batches; `Ok` at the end of the
/// sheet or when the source is dropped.
fn read_sheet(job: Job, sender: &SyncSender<Message>) -> Result<(), IngestError> {
    let Job {
        path,
        bytes,
        sheet,
        header_row,
        fields,
        mut builder,
        batch_rows,
        limits,
    } = job;
    let mut book = open_book(&path, bytes, &limits, true)?;
    let names = book.sheet_names();
    let sheet = resolve_sheet(&path, &names, sheet.as_ref())?;
    let what = format!("cannot read sheet \"{sheet}\"");
    let mut reader = guarded(&path, &what, || book.worksheet_cells_reader(&sheet))?;
    let dimensions = reader.dimensions();
    let mut rows = Rows::new(&path, &sheet, || reader.next_cell());
    let header = read_header(&mut rows, header_row, limits.max_record_bytes)?;
    let columns = resolve_columns(&path, &header.names, &fields)?;
    let field_columns: Vec<u32> = columns
        .iter()
        .map(|&i| header.first_column + i as u32)
        .collect();
    let first_row = u64::from(dimensions.start.0);
    let height = u64::from(dimensions.end.0.saturating_sub(dimensions.start.0)) + 1;
    let opened = Opened {
        sheet: sheet.clone(),
        header: header.names,
        first_row,
        height,
    };
    if sender.send(Message::Opened(opened)).is_err() {
        return Ok(());
    }
    let mut row = MappedRow::new(&field_columns, limits.max_record_bytes);
    let mut text = 0usize;
    loop {
        row.clear();
        let Some(index) = rows.take_row(&mut |col, value| {
            row.add(col, value);
            Ok(())
        })?
        else {
            break;
        };
        if row.too_long() {
            return Err(rows.error(Some(index), row.too_long_message()));
        }
        if row.is_blank() {
            continue;
        }
        builder.push_row(u64::from(index) + 1, &row.cells());
        text += row.text_len();
        if builder.len() >= batch_rows || text >= BATCH_TEXT_BYTES {
            text = 0;
            if sender
                .send(Message::Batch(Box::new(builder.finish())))
                .is_err()
            {
                return Ok(());
            }
        }
    }
    if !builder.is_empty()
        && sender
            .send(Message::Batch(Box::new(builder.finish())))
            .is_err()
    {
        return Ok(());
    }
    Ok(())
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
