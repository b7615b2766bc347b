//! Excel `.xlsx` datasets for cxm: one worksheet read as typed Arrow batches through
//! [`cxm_ingest::RecordSource`], using the `calamine` reader.
//!
//! [`XlsxSource::open`] picks a sheet ([`SheetRef`] by name or 0-based index; the first one
//! by default), takes the column names from a header row (1-based, so a title row above
//! the table can be skipped), and hands each mapped cell's TEXT to
//! [`cxm_ingest::BatchBuilder`], so field types, null values, date formats and time zones
//! behave exactly as for CSV. Cells become text as follows:
//!
//! - strings as they are; empty cells (and empty strings) are missing values;
//! - integers in decimal; floats that are whole numbers as integers (`7`, not `7.0`), others
//!   in Rust's shortest round-trip form (`2.5`);
//! - booleans as `true` / `false`;
//! - cells formatted as dates: `YYYY-MM-DD` when the time of day is zero, else
//!   `YYYY-MM-DD HH:MM:SS` (plus `.mmm` when there are milliseconds); durations
//!   (`[h]:mm:ss` formats) as their serial number of days;
//! - ISO 8601 date/time and duration strings as they are;
//! - error cells as their Excel text (`#N/A`, `#DIV/0!`, ...), so a numeric field records a
//!   cell error unless that text is one of the null values.
//!
//! - Each batch row's `line` is its 1-based Excel row number.
//! - Entirely empty rows below the header are skipped and not counted; every other data
//!   row is accepted (`rows_read` = `rows_accepted`, `rows_rejected` = 0).
//! - Date-formatted cells arrive as ISO text, so leave `Date`/`Datetime` fields without a
//!   `format` (the default accepts ISO) unless the column holds dates typed as text in
//!   another layout. Date cells are naive wall-clock values: the configured zone applies.
//! - Memory: the file is read whole, its parts are checked against [`XlsxLimits`] before
//!   they are parsed, and the sheet is then streamed cell by cell (never allocated as a
//!   dense range), so a cell at `XFD1048576` costs what its XML costs. Cells must lie in
//!   Excel's grid and rows come in ascending order; a row's mapped text, an XML token or
//!   value, the shared strings and the other parts read whole are bounded, and passing a
//!   bound is an error naming the file and the part, sheet, row or cell.
//! - The header's names run from the header row's first non-blank cell to its last.
//! - The SHA-256 in [`cxm_ingest::DatasetStats`] is that of the file's bytes.

mod audit;
mod cells;
mod limits;
mod sheet;
mod source;
mod workbook;
mod xmlscan;

#[cfg(test)]
mod tests;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::Reader;
use cxm_ingest::IngestError;

pub use limits::XlsxLimits;
pub use source::XlsxSource;

/// Which worksheet to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetRef {
    /// The sheet with this exact name.
    Name(String),
    /// The sheet at this 0-based position in the workbook.
    Index(usize),
}

/// The names of the workbook's sheets, in workbook order.
///
/// Errors: [`IngestError::Io`] if the file cannot be read, [`IngestError::Source`] if it is
/// not a readable `.xlsx` workbook.
pub fn sheets(path: &Path) -> Result<Vec<String>, IngestError> {
    workbook::sheet_names(path)
}

/// The column names in row `header_row` (1-based) of `sheet` (`None`: the first sheet):
/// trimmed cell texts, from the row's first non-blank cell to its last.
///
/// Errors: as for [`XlsxSource::open`] (unknown sheet, empty header row, unreadable file,
/// a limit passed).
pub fn columns(
    path: &Path,
    sheet: Option<SheetRef>,
    header_row: usize,
) -> Result<Vec<String>, IngestError> {
    let limits = XlsxLimits::default();
    let file = workbook::read_file(path)?;
    let mut book = workbook::open_book(path, file.bytes, &limits, true)?;
    let names = book.sheet_names();
    let sheet = workbook::resolve_sheet(path, &names, sheet.as_ref())?;
    let what = format!("cannot read sheet \"{sheet}\"");
    let read = || {
        let mut reader = workbook::guarded(path, &what, || book.worksheet_cells_reader(&sheet))?;
        let mut rows = sheet::Rows::new(path, &sheet, || reader.next_cell());
        sheet::read_header(&mut rows, header_row, limits.max_record_bytes)
    };
    match catch_unwind(AssertUnwindSafe(read)) {
        Ok(header) => Ok(header?.names),
        Err(panic) => Err(workbook::source_error(
            path,
            None,
            format!("{what}: {}", workbook::panic_detail(&*panic)),
        )),
    }
}
