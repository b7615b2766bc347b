//! All results of a run as one CSV table.
//!
//! Columns: `metric,plugin,<one per grouping dimension>,period (when the grouping has a
//! period),value,unit,n,ci_low,ci_high,ci_level,ci_method,warnings`, then the trend
//! (`previous_period,delta,p_value,p_adjusted,significant`) and benchmark comparison
//! (`benchmark,benchmark_value,benchmark_delta,benchmark_p_value,benchmark_significant`),
//! then one `details.<key>` column per detail of any result (see [`crate::flatten`]; last,
//! so the fixed columns keep their positions whatever the plugins report). A key that a row
//! is not grouped by (the overall row, roll-ups) reads `(all)`; a missing group value or
//! detail is an empty cell; numbers use Rust's shortest round-tripping float formatting;
//! warnings are joined with `;`. Every cell goes through [`crate::csv_safe_cell`], so no
//! text (a group value, a unit, a table cell from the data) can start a spreadsheet formula.

use crate::csv_cell::write_safe_record;
use crate::error::RenderError;
use crate::flatten::{detail_cells, flatten_details, DetailCell};
use crate::format::{group_cells, group_columns, GroupCell};
use crate::model::RunReport;
use std::io::Write;

/// The cell of a grouping key that a row is not grouped by.
const ALL: &str = "(all)";

/// Writes the results of `report` as CSV (header included, even when there are no results).
pub fn render_csv(report: &RunReport, out: &mut impl Write) -> Result<(), RenderError> {
    let mut writer = csv::Writer::from_writer(&mut *out);
    let detail_columns = flatten_details(report);
    let mut header: Vec<&str> = vec!["metric", "plugin"];
    header.extend(group_columns(&report.grouping));
    header.extend([
        "value",
        "unit",
        "n",
        "ci_low",
        "ci_high",
        "ci_level",
        "ci_method",
        "warnings",
        "previous_period",
        "delta",
        "p_value",
        "p_adjusted",
        "significant",
        "benchmark",
        "benchmark_value",
        "benchmark_delta",
        "benchmark_p_value",
        "benchmark_significant",
    ]);
    header.extend(detail_columns.iter().map(String::as_str));
    write_safe_record(&mut writer, &header)?;

    for row in &report.results {
        let r = &row.result;
        let mut record: Vec<String> = vec![row.metric.clone(), row.plugin.clone()];
        record.extend(
            group_cells(&report.grouping, row)
                .into_iter()
                .map(|cell| match cell {
                    GroupCell::Value(v) => v.to_string(),
                    GroupCell::Overall | GroupCell::Absent => ALL.to_string(),
                    GroupCell::Missing => String::new(),
                }),
        );
        record.push(r.value.map(|v| v.to_string()).unwrap_or_default());
        record.push(r.unit.clone());
        record.push(r.n.to_string());
        match &r.ci {
            Some(ci) => record.extend([
                ci.low.to_string(),
                ci.high.to_string(),
                ci.level.to_string(),
                ci.method.clone(),
            ]),
            None => record.extend(std::iter::repeat_n(String::new(), 4)),
        }
        record.push(r.warnings.join(";"));
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        let flag = |x: Option<bool>| x.map(|v| v.to_string()).unwrap_or_default();
        match &row.trend {
            Some(t) => record.extend([
                t.previous_period.clone(),
                opt(t.delta),
                opt(t.p_value),
                opt(t.p_adjusted),
                flag(t.significant),
            ]),
            None => record.extend(std::iter::repeat_n(String::new(), 5)),
        }
        match &row.benchmark {
            Some(b) => record.extend([
                b.id.clone(),
                b.value.to_string(),
                opt(b.delta),
                opt(b.p_value),
                flag(b.significant),
            ]),
            None => record.extend(std::iter::repeat_n(String::new(), 5)),
        }
        record.extend(
            detail_cells(&detail_columns, &r.details)
                .iter()
                .map(|cell| cell.as_ref().map(DetailCell::to_text).unwrap_or_default()),
        );
        write_safe_record(&mut writer, &record)?;
    }
    writer.flush()?;
    Ok(())
}

/// The distinct (metric id, table name) pairs of a report's results, in result order.
pub fn result_tables(report: &RunReport) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for row in &report.results {
        for t in &row.result.tables {
            let key = (row.metric.clone(), t.name.clone());
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// One named table of one metric across all its groups, as CSV: the metric's grouping
/// columns (`(all)` where a row is not grouped by that key), then the table's columns.
pub fn render_result_table_csv(
    report: &RunReport,
    metric: &str,
    table: &str,
    out: &mut impl Write,
) -> Result<(), RenderError> {
    let grouping = report
        .metrics
        .iter()
        .find(|m| m.metric == metric)
        .map_or(&report.grouping, |m| &m.grouping);
    let mut writer = csv::Writer::from_writer(&mut *out);
    let mut header_written = false;
    for row in report.results.iter().filter(|r| r.metric == metric) {
        let Some(t) = row.result.tables.iter().find(|t| t.name == table) else {
            continue;
        };
        if !header_written {
            let mut header: Vec<&str> = group_columns(grouping);
            header.extend(t.columns.iter().map(String::as_str));
            write_safe_record(&mut writer, &header)?;
            header_written = true;
        }
        let groups: Vec<String> = group_cells(grouping, row)
            .into_iter()
            .map(|cell| match cell {
                GroupCell::Value(v) => v.to_string(),
                GroupCell::Overall | GroupCell::Absent => ALL.to_string(),
                GroupCell::Missing => String::new(),
            })
            .collect();
        for values in &t.rows {
            let mut record = groups.clone();
            record.extend(values.iter().map(|v| match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }));
            write_safe_record(&mut writer, &record)?;
        }
    }
    writer.flush()?;
    Ok(())
}
