//! The "Rejected" sheet: counts only (the rows themselves are in `rejected.csv`). First,
//! per metric, the rows rejected per reason (`empty`, `out_of_scale`, …); then, per dataset,
//! the records rejected whole: `duplicate` (a repeated unique key) and `malformed_row`
//! (every other structural rejection, e.g. a wrong number of fields). Zero counts are left
//! out.

use crate::cells::{self, Formats};
use crate::groups;
use crate::labels::Labels;
use crate::WorkbookError;
use cxm_report::RunReport;
use rust_xlsxwriter::Worksheet;

/// One line of the sheet.
struct Line<'a> {
    scope: &'a str,
    name: &'a str,
    dataset: &'a str,
    reason: &'a str,
    rows: u64,
}

/// Builds the rejected-rows sheet under `name`.
pub(crate) fn sheet(
    report: &RunReport,
    name: &str,
    l: &Labels,
    f: &Formats,
) -> Result<Worksheet, WorkbookError> {
    let mut ws = cells::Sheet::new(name)?;
    let headers: Vec<String> = [l.scope, l.name, l.dataset, l.reason, l.rows]
        .map(String::from)
        .to_vec();
    cells::header(&mut ws, name, 0, &headers, f)?;

    let mut lines: Vec<Line> = Vec::new();
    for id in groups::metric_ids(report) {
        let Some(m) = groups::summary(report, id) else {
            continue;
        };
        for (reason, rows) in &m.rows_rejected {
            lines.push(Line {
                scope: l.metric,
                name: &m.metric,
                dataset: &m.dataset,
                reason,
                rows: *rows,
            });
        }
    }
    for d in &report.datasets {
        let malformed = d.rows_rejected.saturating_sub(d.duplicates);
        for (reason, rows) in [("malformed_row", malformed), ("duplicate", d.duplicates)] {
            lines.push(Line {
                scope: l.dataset,
                name: &d.name,
                dataset: &d.name,
                reason,
                rows,
            });
        }
    }
    lines.retain(|line| line.rows > 0);

    for (i, line) in lines.iter().enumerate() {
        let r = cells::row_index(name, 0, i)?;
        cells::text(&mut ws, (r, 0), line.scope)?;
        cells::text(&mut ws, (r, 1), line.name)?;
        cells::text(&mut ws, (r, 2), line.dataset)?;
        cells::text(&mut ws, (r, 3), line.reason)?;
        cells::count(&mut ws, (r, 4), line.rows, f)?;
    }
    cells::finish_table(&mut ws, name, 0, lines.len(), headers.len())?;
    Ok(ws.into_worksheet())
}
