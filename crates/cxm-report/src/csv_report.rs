//! All results of a run as one CSV table.
//!
//! Columns: `metric,plugin,<one per grouping dimension>,period (when the grouping has a
//! period),value,unit,n,ci_low,ci_high,ci_level,ci_method,warnings,details`. Overall rows and
//! missing group values have empty group cells; numbers use Rust's shortest round-tripping
//! float formatting; warnings are joined with `;`; details are compact JSON.

use crate::error::RenderError;
use crate::format::{group_cells, group_columns, GroupCell};
use crate::model::RunReport;
use std::io::Write;

/// Writes the results of `report` as CSV (header included, even when there are no results).
pub fn render_csv(report: &RunReport, out: &mut impl Write) -> Result<(), RenderError> {
    let mut writer = csv::Writer::from_writer(&mut *out);
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
        "details",
    ]);
    writer.write_record(&header)?;

    for row in &report.results {
        let r = &row.result;
        let mut record: Vec<String> = vec![row.metric.clone(), row.plugin.clone()];
        record.extend(
            group_cells(&report.grouping, row)
                .into_iter()
                .map(|cell| match cell {
                    GroupCell::Value(v) => v.to_string(),
                    GroupCell::Overall | GroupCell::Missing | GroupCell::Absent => String::new(),
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
        record.push(serde_json::to_string(&r.details)?);
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}
