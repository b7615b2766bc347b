//! One sheet per metric, one row per result group: the grouping columns, the value with its
//! interval and n, band and warnings, the period-over-period trend (with its minimum
//! detectable change at 80% power, in the value's unit), the benchmark
//! comparison (only for metrics that have one), the segment significance (letter, letters
//! significantly above, adjusted p and significance against the rest; only for metrics
//! whose segments were tested), then the flattened details (`details.<key>`, as in
//! `results.csv`).
//!
//! Each of the metric's named tables gets a sheet of its own, `<metric>.<table>`, with the
//! metric's grouping columns first (like the `<metric>.<table>.csv` files): a table's
//! columns have nothing in common with the result columns, and a sheet of its own keeps one
//! header row per sheet, so the frozen header and Excel's single autofilter per sheet work.

use crate::cells::{self, At, Formats};
use crate::groups;
use crate::labels::Labels;
use crate::names::SheetNames;
use crate::summary::band;
use crate::WorkbookError;
use cxm_report::{detail_cells, detail_columns, ResultRow, RunReport};
use rust_xlsxwriter::{Workbook, Worksheet};

/// Hands out the cells of one row left to right.
struct Cursor {
    row: u32,
    col: u16,
}

impl Cursor {
    fn next(&mut self) -> At {
        let at = (self.row, self.col);
        self.col = self.col.saturating_add(1);
        at
    }
}

/// The metric's sheet followed by one sheet per named table.
pub(crate) fn sheets(
    report: &RunReport,
    metric: &str,
    names: &mut SheetNames,
    l: &Labels,
    f: &Formats,
    wb: &mut Workbook,
    low_memory_rows: usize,
) -> Result<Vec<Worksheet>, WorkbookError> {
    let name = names.unique(metric);
    let rows: Vec<&ResultRow> = groups::results(report, metric).collect();
    let ws = if rows.len() > low_memory_rows {
        cells::Sheet::low_memory(wb.new_worksheet_with_low_memory(), &name)?
    } else {
        cells::Sheet::new(&name)?
    };
    let mut out = vec![results_sheet(report, metric, &rows, ws, l, f)?];
    for table in table_names(report, metric) {
        let name = names.unique(&format!("{metric}.{table}"));
        out.push(table_sheet(report, metric, table, &name, l, f)?);
    }
    Ok(out)
}

/// The metric's results sheet of `rows` (its results), written into `ws` (held in memory or
/// written a row at a time, as the caller chose by their number).
fn results_sheet(
    report: &RunReport,
    metric: &str,
    rows: &[&ResultRow],
    mut ws: cells::Sheet,
    l: &Labels,
    f: &Formats,
) -> Result<Worksheet, WorkbookError> {
    let name = ws.ws.name();
    let name = name.as_str();
    let grouping = groups::grouping(report, metric);
    let with_band = rows.iter().any(|r| band(&r.result).is_some());
    let with_trend = rows.iter().any(|r| r.trend.is_some());
    let with_benchmark = rows.iter().any(|r| r.benchmark.is_some());
    let with_segments = rows.iter().any(|r| report.segment_test(r).is_some());
    let with_design = rows.iter().any(|r| r.design.is_some());
    let details: Vec<String> = detail_columns(rows.iter().copied())
        .into_iter()
        // The band has its own column.
        .filter(|c| !(with_band && c == "details.band"))
        .collect();

    let mut headers = groups::headers(grouping, l);
    headers.extend([l.value, l.unit, l.ci_low, l.ci_high, l.n].map(String::from));
    if with_band {
        headers.push(l.band.to_string());
    }
    headers.push(l.warnings.to_string());
    if with_trend {
        headers.extend(
            [
                l.previous_period,
                l.previous_value,
                l.delta,
                l.test,
                l.p_value,
                l.p_adjusted,
                l.significant,
                l.mdc,
            ]
            .map(String::from),
        );
    }
    if with_benchmark {
        headers.extend(
            [
                l.benchmark,
                l.benchmark_value,
                l.benchmark_delta,
                l.benchmark_direction,
                l.benchmark_p_value,
                l.benchmark_significant,
            ]
            .map(String::from),
        );
    }
    if with_segments {
        headers.extend(
            [
                l.segment_letter,
                l.segment_above,
                l.vs_rest_p_adjusted,
                l.vs_rest_significant,
            ]
            .map(String::from),
        );
    }
    if with_design {
        headers.extend([l.n_unweighted, l.n_effective, l.design_effect].map(String::from));
    }
    headers.extend(details.iter().cloned());
    cells::header(&mut ws, name, 0, &headers, f)?;

    let vf = groups::value_format(report, metric);
    for (i, row) in rows.iter().enumerate() {
        let mut c = Cursor {
            row: cells::row_index(name, 0, i)?,
            col: 0,
        };
        for cell in groups::cells(grouping, row, l) {
            cells::text(&mut ws, c.next(), cell.unwrap_or_default())?;
        }
        let r = &row.result;
        cells::number(&mut ws, c.next(), r.value, &vf)?;
        cells::text(&mut ws, c.next(), &r.unit)?;
        cells::number(&mut ws, c.next(), r.ci.as_ref().map(|ci| ci.low), &vf)?;
        cells::number(&mut ws, c.next(), r.ci.as_ref().map(|ci| ci.high), &vf)?;
        cells::weight(&mut ws, c.next(), r.n, f)?;
        if with_band {
            cells::text(&mut ws, c.next(), band(r).unwrap_or_default())?;
        }
        cells::text(&mut ws, c.next(), &r.warnings.join("; "))?;
        if with_trend {
            let t = row.trend.as_ref();
            let prev = t.map(|t| t.previous_period.as_str());
            cells::text(&mut ws, c.next(), prev.unwrap_or_default())?;
            cells::number(&mut ws, c.next(), t.and_then(|t| t.previous_value), &vf)?;
            cells::number(&mut ws, c.next(), t.and_then(|t| t.delta), &vf)?;
            let test = t.and_then(|t| t.test.as_deref());
            cells::text(&mut ws, c.next(), test.unwrap_or_default())?;
            cells::number(&mut ws, c.next(), t.and_then(|t| t.p_value), &f.p)?;
            cells::number(&mut ws, c.next(), t.and_then(|t| t.p_adjusted), &f.p)?;
            cells::boolean(&mut ws, c.next(), t.and_then(|t| t.significant))?;
            cells::number(&mut ws, c.next(), t.and_then(|t| t.mdc), &vf)?;
        }
        if with_benchmark {
            let b = row.benchmark.as_ref();
            cells::text(&mut ws, c.next(), b.map_or("", |b| b.id.as_str()))?;
            cells::number(&mut ws, c.next(), b.map(|b| b.value), &vf)?;
            cells::number(&mut ws, c.next(), b.and_then(|b| b.delta), &vf)?;
            cells::text(&mut ws, c.next(), b.map_or("", |b| b.direction.as_str()))?;
            cells::number(&mut ws, c.next(), b.and_then(|b| b.p_value), &f.p)?;
            cells::boolean(&mut ws, c.next(), b.and_then(|b| b.significant))?;
        }
        if with_segments {
            let s = report.segment_test(row);
            let rest = s.and_then(|s| s.vs_rest.as_ref());
            cells::text(&mut ws, c.next(), s.map_or("", |s| s.letter.as_str()))?;
            let above = s.map(|s| s.above.join(", ")).unwrap_or_default();
            cells::text(&mut ws, c.next(), &above)?;
            cells::number(&mut ws, c.next(), rest.map(|r| r.p_adjusted), &f.p)?;
            cells::boolean(&mut ws, c.next(), rest.map(|r| r.significant))?;
        }
        if with_design {
            let d = row.design.as_deref();
            cells::number(&mut ws, c.next(), d.map(|d| d.n_unweighted), &f.weight)?;
            cells::number(&mut ws, c.next(), d.map(|d| d.n_effective), &f.weight)?;
            cells::number(&mut ws, c.next(), d.map(|d| d.design_effect), &f.weight)?;
        }
        for cell in detail_cells(&details, &r.details) {
            let at = c.next();
            if let Some(cell) = cell {
                cells::detail(&mut ws, at, &cell, f)?;
            }
        }
    }
    cells::finish_table(&mut ws, name, 0, rows.len(), headers.len())?;
    Ok(ws.into_worksheet())
}

/// The distinct names of the metric's tables, in result order.
fn table_names<'a>(report: &'a RunReport, metric: &'a str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for row in groups::results(report, metric) {
        for t in &row.result.tables {
            if !out.contains(&t.name.as_str()) {
                out.push(&t.name);
            }
        }
    }
    out
}

/// One named table of the metric across all its groups: grouping columns, then the union
/// of the table's columns (by name, in first-seen order).
fn table_sheet(
    report: &RunReport,
    metric: &str,
    table: &str,
    name: &str,
    l: &Labels,
    f: &Formats,
) -> Result<Worksheet, WorkbookError> {
    let mut ws = cells::Sheet::new(name)?;
    let grouping = groups::grouping(report, metric);
    let group_headers = groups::headers(grouping, l);
    let found = || {
        groups::results(report, metric).filter_map(move |r| {
            r.result
                .tables
                .iter()
                .find(|t| t.name == table)
                .map(|t| (r, t))
        })
    };
    let mut columns: Vec<&str> = Vec::new();
    for (_, t) in found() {
        for c in &t.columns {
            if !columns.contains(&c.as_str()) {
                columns.push(c);
            }
        }
    }
    let mut headers = group_headers.clone();
    headers.extend(columns.iter().map(|c| c.to_string()));
    cells::header(&mut ws, name, 0, &headers, f)?;

    let mut i = 0usize;
    for (row, t) in found() {
        let group = groups::cells(grouping, row, l);
        // Where each of this table's columns goes.
        let targets: Vec<usize> = t
            .columns
            .iter()
            .map(|c| columns.iter().position(|x| x == c).unwrap_or_default())
            .collect();
        for values in &t.rows {
            let r = cells::row_index(name, 0, i)?;
            i += 1;
            for (g, cell) in group.iter().enumerate() {
                let col = cells::col_index(name, g)?;
                cells::text(&mut ws, (r, col), cell.unwrap_or_default())?;
            }
            for (v, target) in values.iter().zip(&targets) {
                let col = cells::col_index(name, group.len() + target)?;
                cells::json(&mut ws, (r, col), v, f)?;
            }
        }
    }
    cells::finish_table(&mut ws, name, 0, i, headers.len())?;
    Ok(ws.into_worksheet())
}
