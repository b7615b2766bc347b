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
//! - Memory: the whole sheet is loaded when the source is opened (an `.xlsx` sheet cannot
//!   easily be streamed row by row), so memory grows with the sheet's size; batches are
//!   still emitted `batch_rows` rows at a time.
//! - The SHA-256 in [`cxm_ingest::DatasetStats`] is that of the file's bytes.

mod cells;
mod source;
mod workbook;

#[cfg(test)]
mod tests;

use std::path::Path;

use cxm_ingest::IngestError;

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
/// trimmed cell texts, trailing empty cells dropped.
///
/// Errors: as for [`XlsxSource::open`] (unknown sheet, empty header row, unreadable file).
pub fn columns(
    path: &Path,
    sheet: Option<SheetRef>,
    header_row: usize,
) -> Result<Vec<String>, IngestError> {
    let loaded = workbook::load(path, sheet.as_ref())?;
    workbook::header(path, &loaded, header_row)
}
