//! Typed cell writing shared by every sheet: numbers as numbers with a number format (empty
//! when not finite), text always as a string cell (never a formula, whatever it starts
//! with), booleans as booleans, and the finishing touches of a table (bold header, frozen
//! header row, autofilter, fitted column widths).

use crate::WorkbookError;
use cxm_report::DetailCell;
use rust_xlsxwriter::{cell_autofit_width, Format, Worksheet};
use serde_json::Value;

/// Excel's last row index (1,048,576 rows).
const MAX_ROW: u32 = 1_048_575;

/// Excel's longest text in a cell, in characters.
const MAX_TEXT: usize = 32_767;

/// Widest column after autofit, in pixels (about 55 characters: long paths and hashes stay
/// usable).
const MAX_WIDTH_PIXELS: u32 = 400;

/// Rows measured by autofit (a long per-customer table would otherwise be slow to fit).
const AUTOFIT_ROWS: u32 = 2_000;

/// The number formats of the workbook.
pub(crate) struct Formats {
    /// Bold, for header rows and labels.
    pub header: Format,
    /// Counts: `#,##0`.
    pub int: Format,
    /// p-values: `0.0000`.
    pub p: Format,
    /// Numbers without a fixed scale (fractions in details and tables, CI levels).
    pub general: Format,
    /// Non-integer weighted counts: `#,##0.0`.
    pub weight: Format,
}

impl Formats {
    pub(crate) fn new() -> Self {
        Formats {
            header: Format::new().set_bold(),
            int: Format::new().set_num_format("#,##0"),
            p: Format::new().set_num_format("0.0000"),
            general: Format::new(),
            weight: Format::new().set_num_format("#,##0.0"),
        }
    }
}

/// The display format of one metric's values, from their largest magnitude: `#,##0.0` for
/// scores, shares and money, `0.00` for means on small scales (CES 1–7), `0.000` below 1.
pub(crate) fn value_format(values: impl IntoIterator<Item = f64>) -> Format {
    let largest = values
        .into_iter()
        .filter(|v| v.is_finite())
        .map(f64::abs)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let pattern = match largest {
        Some(m) if m < 1.0 && m > 0.0 => "0.000",
        Some(m) if m < 10.0 && m > 0.0 => "0.00",
        _ => "#,##0.0",
    };
    Format::new().set_num_format(pattern)
}

/// Row and column of a cell.
pub(crate) type At = (u32, u16);

/// The row index of data row `i` under a header in row `header_row`, or an error naming
/// the sheet when Excel has no such row.
pub(crate) fn row_index(sheet: &str, header_row: u32, i: usize) -> Result<u32, WorkbookError> {
    u32::try_from(i)
        .ok()
        .and_then(|i| header_row.checked_add(1)?.checked_add(i))
        .filter(|r| *r <= MAX_ROW)
        .ok_or_else(|| WorkbookError::TooManyRows {
            sheet: sheet.to_string(),
        })
}

/// A column index, or an error naming the sheet when Excel has no such column.
pub(crate) fn col_index(sheet: &str, i: usize) -> Result<u16, WorkbookError> {
    u16::try_from(i)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| WorkbookError::TooManyColumns {
            sheet: sheet.to_string(),
        })
}

/// Writes text as a string cell (cut to Excel's limit); empty text leaves the cell empty.
pub(crate) fn text(ws: &mut Sheet, at: At, s: &str) -> Result<(), WorkbookError> {
    if s.is_empty() {
        return Ok(());
    }
    let s = match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    ws.ws.write_string(at.0, at.1, s)?;
    ws.note(at, || text_width(s));
    Ok(())
}

/// Writes bold text.
pub(crate) fn bold(ws: &mut Sheet, at: At, s: &str, f: &Formats) -> Result<(), WorkbookError> {
    ws.ws.write_string_with_format(at.0, at.1, s, &f.header)?;
    ws.note(at, || text_width(s));
    Ok(())
}

/// Writes a number with a format; `None` and non-finite numbers leave the cell empty.
pub(crate) fn number(
    ws: &mut Sheet,
    at: At,
    x: Option<f64>,
    format: &Format,
) -> Result<(), WorkbookError> {
    if let Some(x) = x.filter(|x| x.is_finite()) {
        ws.ws.write_number_with_format(at.0, at.1, x, format)?;
        // As autofit measures a number without its format: 7 px a character.
        ws.note(at, || 7 * x.to_string().len() as u32 + 7);
    }
    Ok(())
}

/// Writes a count (`#,##0`).
pub(crate) fn count(ws: &mut Sheet, at: At, n: u64, f: &Formats) -> Result<(), WorkbookError> {
    // Counts of rows fit an f64 exactly (far below 2^53).
    number(ws, at, Some(n as f64), &f.int)
}

/// Writes a weighted count: `#,##0` when whole, `#,##0.0` otherwise.
pub(crate) fn weight(ws: &mut Sheet, at: At, n: f64, f: &Formats) -> Result<(), WorkbookError> {
    let format = if n.fract() == 0.0 { &f.int } else { &f.weight };
    number(ws, at, Some(n), format)
}

/// Writes a boolean; `None` leaves the cell empty.
pub(crate) fn boolean(ws: &mut Sheet, at: At, b: Option<bool>) -> Result<(), WorkbookError> {
    if let Some(b) = b {
        ws.ws.write_boolean(at.0, at.1, b)?;
        ws.note(at, || if b { 31 + 7 } else { 36 + 7 });
    }
    Ok(())
}

/// Writes a free-scale number: integers `#,##0`, other numbers unformatted (every digit).
fn free_number(ws: &mut Sheet, at: At, x: f64, f: &Formats) -> Result<(), WorkbookError> {
    let format = if x.fract() == 0.0 { &f.int } else { &f.general };
    number(ws, at, Some(x), format)
}

/// Writes one flattened detail: numbers as numbers, booleans as booleans, the rest as text.
pub(crate) fn detail(
    ws: &mut Sheet,
    at: At,
    cell: &DetailCell<'_>,
    f: &Formats,
) -> Result<(), WorkbookError> {
    match cell {
        DetailCell::Bool(b) => boolean(ws, at, Some(*b)),
        DetailCell::Number(n) => match n.as_f64() {
            Some(x) => free_number(ws, at, x, f),
            None => text(ws, at, &n.to_string()),
        },
        DetailCell::Text(s) => text(ws, at, s),
    }
}

/// Writes one JSON value of a metric table: like a detail; `null` is an empty cell and
/// objects or arrays are their compact JSON text.
pub(crate) fn json(ws: &mut Sheet, at: At, v: &Value, f: &Formats) -> Result<(), WorkbookError> {
    match v {
        Value::Null => Ok(()),
        Value::Bool(b) => boolean(ws, at, Some(*b)),
        Value::Number(n) => match n.as_f64() {
            Some(x) => free_number(ws, at, x, f),
            None => text(ws, at, &n.to_string()),
        },
        Value::String(s) => text(ws, at, s),
        other => text(ws, at, &other.to_string()),
    }
}

/// Writes a bold header row.
pub(crate) fn header(
    ws: &mut Sheet,
    sheet: &str,
    row: u32,
    names: &[String],
    f: &Formats,
) -> Result<(), WorkbookError> {
    for (i, name) in names.iter().enumerate() {
        bold(ws, (row, col_index(sheet, i)?), name, f)?;
    }
    Ok(())
}

/// Freezes everything above the first data row, puts an autofilter over the table (header
/// row `header_row`, `rows` data rows, `columns` columns) and fits the column widths.
pub(crate) fn finish_table(
    ws: &mut Sheet,
    sheet: &str,
    header_row: u32,
    rows: usize,
    columns: usize,
) -> Result<(), WorkbookError> {
    ws.ws.set_freeze_panes(header_row + 1, 0)?;
    if columns > 0 {
        let last_row = if rows == 0 {
            header_row
        } else {
            row_index(sheet, header_row, rows - 1)?
        };
        let last_col = col_index(sheet, columns - 1)?;
        ws.ws.autofilter(header_row, 0, last_row, last_col)?;
    }
    fit(ws, columns > 0 && header_row == 0)
}

/// Fits the column widths to the cells written so far (their first [`AUTOFIT_ROWS`] rows),
/// up to [`MAX_WIDTH_PIXELS`]; `filter_in_row_0`: the filter's header is row 0.
fn fit(ws: &mut Sheet, filter_in_row_0: bool) -> Result<(), WorkbookError> {
    let Some(widths) = ws.widths.take() else {
        ws.ws
            .set_autofit_max_row(AUTOFIT_ROWS)
            .set_autofit_max_width(MAX_WIDTH_PIXELS)
            .autofit();
        return Ok(());
    };
    for (col, w) in widths.iter().enumerate() {
        // The filter's drop-down arrow, as autofit adds it to the cells of the filter's
        // header row (row 0 is the only header row a low-memory sheet has).
        let first = if filter_in_row_0 && w.first > 0 {
            w.first + 16
        } else {
            w.first
        };
        let width = first
            .min(MAX_WIDTH_PIXELS)
            .max(w.rest.min(MAX_WIDTH_PIXELS));
        if width > 0 {
            let col = col_index(ws.ws.name().as_str(), col)?;
            ws.ws.set_column_autofit_width(col, width)?;
        }
    }
    Ok(())
}

/// A text cell's width as autofit measures it: its widest line, padding included.
fn text_width(s: &str) -> u32 {
    s.lines().map(cell_autofit_width).max().unwrap_or(0)
}

/// Metric sheets of more rows than this are written a row at a time (rust_xlsxwriter's
/// low-memory mode): in its standard mode a sheet holds every cell until the workbook is
/// written (about 100 bytes a cell: 1M customers made a 4 GiB run).
pub(crate) const LOW_MEMORY_ROWS: usize = 5_000;

/// The widest cells of a column in pixels, padding included: in row 0 and below it.
#[derive(Clone, Copy, Default)]
struct Widest {
    first: u32,
    rest: u32,
}

/// A sheet being written. In low-memory mode rust_xlsxwriter keeps only the current row,
/// so its autofit would see that row alone: the sheet then measures its first
/// [`AUTOFIT_ROWS`] rows itself as they are written, by autofit's own rules (Excel's
/// character widths, 7 pixels a character of a number, 7 of padding, 16 more for the
/// filter's arrow in the header), and [`fit`] sets the widths it found.
pub(crate) struct Sheet {
    pub(crate) ws: Worksheet,
    /// Per column, in low-memory mode.
    widths: Option<Vec<Widest>>,
}

impl Sheet {
    /// A sheet held in memory until the workbook is written.
    pub(crate) fn new(name: &str) -> Result<Sheet, WorkbookError> {
        Sheet::named(Worksheet::new(), name, false)
    }

    /// A sheet written a row at a time: `ws` from `Workbook::new_worksheet_with_low_memory`.
    pub(crate) fn low_memory(ws: Worksheet, name: &str) -> Result<Sheet, WorkbookError> {
        Sheet::named(ws, name, true)
    }

    fn named(mut ws: Worksheet, name: &str, low_memory: bool) -> Result<Sheet, WorkbookError> {
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            widths: low_memory.then(Vec::new),
        })
    }

    /// The worksheet.
    pub(crate) fn into_worksheet(self) -> Worksheet {
        self.ws
    }

    /// Notes a cell `pixels()` wide (padding included) for the widths of a low-memory
    /// sheet; measured only there, and only in the rows autofit reads.
    fn note(&mut self, at: At, pixels: impl FnOnce() -> u32) {
        let Some(widths) = self.widths.as_mut() else {
            return;
        };
        if at.0 >= AUTOFIT_ROWS {
            return;
        }
        // Autofit leaves out cells of no width.
        let pixels = pixels();
        if pixels <= 7 {
            return;
        }
        let col = usize::from(at.1);
        if widths.len() <= col {
            widths.resize(col + 1, Widest::default());
        }
        let w = &mut widths[col];
        if at.0 == 0 {
            w.first = w.first.max(pixels);
        } else {
            w.rest = w.rest.max(pixels);
        }
    }
}
