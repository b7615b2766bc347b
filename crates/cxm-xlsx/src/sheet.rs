//! Streaming a worksheet row by row from calamine's cell reader, without ever building
//! its dense range: [`Rows`] groups the cells (in file order) into rows and checks that
//! they lie in Excel's grid and come in ascending row order; [`read_header`] reads the
//! header row; [`RowText`] keeps the text of a data row's mapped cells.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Cell, DataRef, XlsxError};
use cxm_ingest::IngestError;

use crate::cells::{header_text, is_blank, write_cell};
use crate::limits::{cell_name, show_bytes, EXCEL_COLUMNS, EXCEL_ROWS};
use crate::workbook::source_error;

/// The rows of one sheet, read from `next` (calamine's `next_cell`).
pub(crate) struct Rows<'a, F> {
    next: F,
    /// A cell read but not handed out yet (the first of the next row).
    pending: Option<Cell<DataRef<'a>>>,
    /// The last row handed out (0-based).
    last_row: Option<u32>,
    /// The reader said the sheet ended (calamine must not be asked again).
    ended: bool,
    path: PathBuf,
    sheet: String,
}

impl<'a, F> Rows<'a, F>
where
    F: FnMut() -> Result<Option<Cell<DataRef<'a>>>, XlsxError>,
{
    pub(crate) fn new(path: &Path, sheet: &str, next: F) -> Self {
        Rows {
            next,
            pending: None,
            last_row: None,
            ended: false,
            path: path.to_path_buf(),
            sheet: sheet.to_owned(),
        }
    }

    /// An error about this sheet; `row` is 0-based.
    pub(crate) fn error(&self, row: Option<u32>, message: impl std::fmt::Display) -> IngestError {
        let line = row.map(|r| u64::from(r) + 1);
        source_error(
            &self.path,
            line,
            format!("sheet \"{}\": {message}", self.sheet),
        )
    }

    /// The next cell, checked to lie in Excel's grid.
    fn fetch(&mut self) -> Result<Option<Cell<DataRef<'a>>>, IngestError> {
        if let Some(cell) = self.pending.take() {
            return Ok(Some(cell));
        }
        if self.ended {
            return Ok(None);
        }
        let cell = (self.next)().map_err(|e| {
            source_error(
                &self.path,
                None,
                format!("cannot read sheet \"{}\": {e}", self.sheet),
            )
        })?;
        self.ended = cell.is_none();
        if let Some(cell) = &cell {
            let (row, col) = cell.get_position();
            if row >= EXCEL_ROWS || col >= EXCEL_COLUMNS {
                let message = format!(
                    "cell at {} lies outside Excel's grid (A1:XFD1048576)",
                    cell_name(row, col)
                );
                return Err(self.error(None, message));
            }
        }
        Ok(cell)
    }

    /// The (0-based) row of the next cell, or `None` at the end of the sheet.
    pub(crate) fn peek_row(&mut self) -> Result<Option<u32>, IngestError> {
        if self.pending.is_none() {
            self.pending = self.fetch()?;
        }
        Ok(self.pending.as_ref().map(|c| c.get_position().0))
    }

    /// Hands every cell of the next row to `visit` (column and value, in file order);
    /// returns the row, or `None` at the end of the sheet.
    pub(crate) fn take_row(
        &mut self,
        visit: &mut dyn FnMut(u32, &DataRef<'a>) -> Result<(), IngestError>,
    ) -> Result<Option<u32>, IngestError> {
        let Some(first) = self.fetch()? else {
            return Ok(None);
        };
        let row = first.get_position().0;
        if let Some(last) = self.last_row.filter(|&last| row <= last) {
            let message = format!(
                "row {} comes after row {} (rows must be in ascending order, as Excel writes them)",
                u64::from(row) + 1,
                u64::from(last) + 1
            );
            return Err(self.error(Some(row), message));
        }
        self.last_row = Some(row);
        visit(first.get_position().1, first.get_value())?;
        while let Some(cell) = self.fetch()? {
            let (r, col) = cell.get_position();
            if r != row {
                self.pending = Some(cell);
                break;
            }
            visit(col, cell.get_value())?;
        }
        Ok(Some(row))
    }
}

/// The header: names from the first non-blank cell of the header row to its last one.
pub(crate) struct Header {
    /// Trimmed names; blank cells between names are empty names.
    pub(crate) names: Vec<String>,
    /// 0-based column of the first name.
    pub(crate) first_column: u32,
}

/// Skips the rows above `header_row` (1-based) and reads it. An empty (or absent) header
/// row is an error naming the sheet and row, as is one holding more than `max_bytes` of
/// text.
pub(crate) fn read_header<'a, F>(
    rows: &mut Rows<'a, F>,
    header_row: usize,
    max_bytes: u64,
) -> Result<Header, IngestError>
where
    F: FnMut() -> Result<Option<Cell<DataRef<'a>>>, XlsxError>,
{
    if header_row == 0 {
        return Err(source_error(
            &rows.path,
            None,
            "header row must be 1 or more (rows are 1-based)",
        ));
    }
    let wanted = u64::try_from(header_row).unwrap_or(u64::MAX) - 1;
    let empty = |rows: &Rows<'a, F>| {
        let message = format!("sheet \"{}\": header row {header_row} is empty", rows.sheet);
        source_error(&rows.path, Some(wanted + 1), message)
    };
    loop {
        match rows.peek_row()? {
            Some(row) if u64::from(row) < wanted => {
                rows.take_row(&mut |_, _| Ok(()))?;
            }
            Some(row) if u64::from(row) == wanted => break,
            _ => return Err(empty(rows)),
        }
    }
    let mut cells: BTreeMap<u32, String> = BTreeMap::new();
    let mut total = 0u64;
    rows.take_row(&mut |col, value| {
        // An empty cell repeated later in the row does not hide the value (as in
        // calamine's ranges); an empty string does.
        if total > max_bytes || matches!(value, DataRef::Empty) {
            return Ok(());
        }
        let text = header_text(value);
        total += text.len() as u64;
        cells.insert(col, text);
        Ok(())
    })?;
    if total > max_bytes {
        let message = format!(
            "header row {header_row} holds more than {} of text (max_record_bytes)",
            show_bytes(max_bytes)
        );
        return Err(rows.error(u32::try_from(wanted).ok(), message));
    }
    cells.retain(|_, name| !name.is_empty());
    let (Some((&first, _)), Some((&last, _))) = (cells.first_key_value(), cells.last_key_value())
    else {
        return Err(empty(rows));
    };
    let names = (first..=last)
        .map(|col| cells.remove(&col).unwrap_or_default())
        .collect();
    Ok(Header {
        names,
        first_column: first,
    })
}

/// The text of the mapped cells of one data row.
pub(crate) struct MappedRow {
    /// Column (0-based) of each slot, sorted; a slot per distinct mapped column.
    columns: Vec<u32>,
    /// Slot of each field.
    field_slots: Vec<usize>,
    text: String,
    /// Span in `text` of each slot's cell (`None`: missing).
    spans: Vec<Option<(usize, usize)>>,
    blank: bool,
    max_bytes: u64,
}

impl MappedRow {
    /// A row reading the fields whose 0-based columns are `field_columns`, at most
    /// `max_bytes` of text.
    pub(crate) fn new(field_columns: &[u32], max_bytes: u64) -> MappedRow {
        let mut columns = field_columns.to_vec();
        columns.sort_unstable();
        columns.dedup();
        let field_slots = field_columns
            .iter()
            .map(|c| columns.binary_search(c).unwrap_or(0))
            .collect();
        MappedRow {
            spans: vec![None; columns.len()],
            columns,
            field_slots,
            text: String::new(),
            blank: true,
            max_bytes,
        }
    }

    /// Forgets the previous row.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.spans.fill(None);
        self.blank = true;
    }

    /// Takes one cell of the row. A later cell at the same column replaces an earlier
    /// one, except an empty cell (as in calamine's ranges). Past `max_bytes` of mapped
    /// text, cells are no longer kept and [`MappedRow::too_long`] says so.
    pub(crate) fn add(&mut self, col: u32, value: &DataRef<'_>) {
        if matches!(value, DataRef::Empty) || self.too_long() {
            return;
        }
        if !is_blank(value) {
            self.blank = false;
        }
        let Ok(slot) = self.columns.binary_search(&col) else {
            return;
        };
        let start = self.text.len();
        let present = write_cell(value, &mut self.text);
        if let Some(span) = self.spans.get_mut(slot) {
            *span = present.then_some((start, self.text.len()));
        }
    }

    /// Whether the mapped cells passed the limit; the message says so.
    pub(crate) fn too_long(&self) -> bool {
        self.text.len() as u64 > self.max_bytes
    }

    /// The message for a row whose mapped cells passed the limit.
    pub(crate) fn too_long_message(&self) -> String {
        format!(
            "the mapped cells hold more than {} of text (max_record_bytes)",
            show_bytes(self.max_bytes)
        )
    }

    /// Whether every cell of the row was blank.
    pub(crate) fn is_blank(&self) -> bool {
        self.blank
    }

    /// Bytes of text taken.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Each field's cell text (`None`: missing).
    pub(crate) fn cells(&self) -> Vec<Option<&[u8]>> {
        let bytes = self.text.as_bytes();
        self.field_slots
            .iter()
            .map(|&slot| {
                let span = self.spans.get(slot).copied().flatten()?;
                bytes.get(span.0..span.1)
            })
            .collect()
    }
}
