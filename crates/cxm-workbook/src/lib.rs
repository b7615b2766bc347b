//! The cxm run report as an Excel workbook (`report.xlsx`), for consultants who work in
//! Excel.
//!
//! [`render_xlsx`] writes, in this order:
//! - **Summary** (`Сводка`): client, config, cxm version, date and significance settings;
//!   one row per metric with its overall result (value, unit, interval, n, band, change from
//!   the previous period, benchmark) and any failure; then every dataset's row accounting;
//! - **one sheet per metric** (named by its id), one row per result group: grouping
//!   columns, value, unit, interval, n, band, warnings, trend, benchmark, then the details
//!   flattened as in `results.csv` (`details.<key>`); each followed by one sheet per named
//!   table of the metric, `<metric>.<table>`, grouping columns first;
//! - **Rejected** (`Отклонено`): rows rejected per metric and reason, and records rejected
//!   whole per dataset (counts only; the rows are in `rejected.csv`).
//!
//! Every number is a numeric cell with a number format (counts `#,##0`, values `0.0` or
//! more decimals for small scales, p-values `0.0000`; shares stay on their 0–100 scale);
//! non-finite numbers are empty cells; text is always a string cell, never a formula, even
//! when it starts with `=`, `+`, `-` or `@`. Table sheets have a bold, frozen header row,
//! an autofilter and fitted column widths. Sheet names follow Excel's rules (at most 31
//! characters, none of `[]:*?/\`, unique ignoring case; clashes get `~2`, `~3`, …).
//!
//! The output is deterministic: the same report gives the same bytes (the document's
//! creation time is the report's `generated_at`, or a fixed date without one).

mod cells;
mod groups;
mod labels;
mod metric;
mod names;
mod rejected;
mod summary;

use cxm_report::RunReport;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use std::io::Write;

/// The language of sheet names and column headers (the report's language).
pub use cxm_report::Lang;

/// Why the workbook could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The spreadsheet library refused the content.
    #[error("cannot build the Excel workbook: {0}")]
    Xlsx(#[from] XlsxError),
    /// Writing the bytes failed.
    #[error("cannot write the Excel workbook: {0}")]
    Io(#[from] std::io::Error),
    /// A sheet would exceed Excel's 1,048,576 rows.
    #[error("sheet \"{sheet}\" has more rows than Excel allows (1,048,576)")]
    TooManyRows {
        /// The sheet's name.
        sheet: String,
    },
    /// A sheet would exceed Excel's 16,384 columns.
    #[error("sheet \"{sheet}\" has more columns than Excel allows (16,384)")]
    TooManyColumns {
        /// The sheet's name.
        sheet: String,
    },
}

/// Writes `report` as an `.xlsx` workbook with labels in `lang`.
pub fn render_xlsx(
    report: &RunReport,
    lang: Lang,
    out: &mut impl Write,
) -> Result<(), WorkbookError> {
    let bytes = workbook(report, lang, cells::LOW_MEMORY_ROWS)?.save_to_buffer()?;
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// [`render_xlsx`] with metric sheets of more than `low_memory_rows` rows written a row at a
/// time: for tests, which check that both ways give the same workbook.
#[doc(hidden)]
pub fn render_xlsx_low_memory_above(
    report: &RunReport,
    lang: Lang,
    low_memory_rows: usize,
) -> Result<Vec<u8>, WorkbookError> {
    Ok(workbook(report, lang, low_memory_rows)?.save_to_buffer()?)
}

/// Builds the workbook; metric sheets of more than `low_memory_rows` rows are written a row
/// at a time (to a temporary file) instead of held in memory.
fn workbook(
    report: &RunReport,
    lang: Lang,
    low_memory_rows: usize,
) -> Result<Workbook, WorkbookError> {
    let l = labels::labels(lang);
    let f = cells::Formats::new();
    let mut names = names::SheetNames::default();
    // The fixed sheets claim their names first; a metric called "Summary" gets "Summary~2".
    let summary_name = names.unique(l.summary);
    let rejected_name = names.unique(l.rejected);

    let mut wb = Workbook::new();
    wb.set_properties(&properties(report)?);
    wb.push_worksheet(summary::sheet(report, &summary_name, l, &f)?);
    for id in groups::metric_ids(report) {
        for ws in metric::sheets(report, id, &mut names, l, &f, &mut wb, low_memory_rows)? {
            wb.push_worksheet(ws);
        }
    }
    wb.push_worksheet(rejected::sheet(report, &rejected_name, l, &f)?);
    Ok(wb)
}

/// Document properties with a creation time taken from the report, so that rendering the
/// same report twice gives the same bytes (rust_xlsxwriter would stamp the current time).
fn properties(report: &RunReport) -> Result<DocProperties, WorkbookError> {
    let created = match report.settings.generated_at.as_deref().and_then(parse_utc) {
        Some(t) => t,
        // The ZIP format's epoch, the customary date of reproducible archives.
        None => ExcelDateTime::from_ymd(1980, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(report.client.as_str())
        .set_comment(format!("cxm {}", report.cxm_version))
        .set_creation_datetime(&created))
}

/// The date and time of an RFC 3339 timestamp (`2026-01-31T12:30:45Z`, fractions and the
/// offset ignored), if it has that shape.
fn parse_utc(s: &str) -> Option<ExcelDateTime> {
    let b = s.as_bytes();
    let field = |from: usize, len: usize| -> Option<u16> { s.get(from..from + len)?.parse().ok() };
    let shaped = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !shaped {
        return None;
    }
    let date = ExcelDateTime::from_ymd(
        field(0, 4)?,
        u8::try_from(field(5, 2)?).ok()?,
        u8::try_from(field(8, 2)?).ok()?,
    )
    .ok()?;
    date.and_hms(
        field(11, 2)?,
        u8::try_from(field(14, 2)?).ok()?,
        field(17, 2)?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_code() {
        assert_eq!(Lang::parse("ru"), Some(Lang::Ru));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::default(), Lang::En);
    }

    #[test]
    fn timestamps() {
        let t = parse_utc("2026-01-31T12:30:45Z").map(|t| t.to_excel());
        let expected = ExcelDateTime::from_ymd(2026, 1, 31)
            .and_then(|d| d.and_hms(12, 30, 45))
            .map(|t| t.to_excel())
            .ok();
        assert_eq!(t, expected);
        assert!(parse_utc("2026-01-31").is_none());
        assert!(parse_utc("2026-13-31T00:00:00Z").is_none());
        assert!(parse_utc("not a timestamp at all").is_none());
    }
}
