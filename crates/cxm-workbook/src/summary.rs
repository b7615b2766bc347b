//! The "Summary" sheet: the run's identity (client, config, version, date, significance
//! settings), then one row per metric with its overall result, then the row accounting of
//! every dataset. The metric table has the autofilter and the frozen header.

use crate::cells::{self, Formats};
use crate::groups;
use crate::labels::Labels;
use crate::WorkbookError;
use cxm_report::RunReport;
use rust_xlsxwriter::Worksheet;

/// Builds the summary sheet under `name`.
pub(crate) fn sheet(
    report: &RunReport,
    name: &str,
    l: &Labels,
    f: &Formats,
) -> Result<Worksheet, WorkbookError> {
    let mut ws = cells::Sheet::new(name)?;

    // Identity: label in column A (bold), value in column B.
    let mut about: Vec<(&str, String)> = vec![
        (l.client, report.client.clone()),
        (l.config, report.config.clone()),
        (l.version, report.cxm_version.clone()),
    ];
    if let Some(date) = &report.settings.generated_at {
        about.push((l.generated, date.clone()));
    }
    let mut row = 0u32;
    for (label, value) in &about {
        cells::bold(&mut ws, (row, 0), label, f)?;
        cells::text(&mut ws, (row, 1), value)?;
        row += 1;
    }
    if let Some(a) = &report.analysis {
        cells::bold(&mut ws, (row, 0), l.alpha, f)?;
        cells::number(&mut ws, (row, 1), Some(a.alpha), &f.general)?;
        cells::bold(&mut ws, (row + 1, 0), l.adjustment, f)?;
        cells::text(&mut ws, (row + 1, 1), &a.adjustment)?;
        row += 2;
    }

    // One row per metric.
    let header_row = row + 1;
    let headers: Vec<String> = [
        l.metric,
        l.label,
        l.plugin,
        l.value,
        l.unit,
        l.ci_low,
        l.ci_high,
        l.ci_level,
        l.n,
        l.band,
        l.delta_previous,
        l.p_value,
        l.significant,
        l.benchmark_value,
        l.benchmark_delta,
        l.error,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    cells::header(&mut ws, name, header_row, &headers, f)?;
    let ids = groups::metric_ids(report);
    for (i, id) in ids.iter().enumerate() {
        let r = cells::row_index(name, header_row, i)?;
        let summary = groups::summary(report, id);
        let overall = groups::overall(report, id);
        let vf = groups::value_format(report, id);
        cells::text(&mut ws, (r, 0), id)?;
        if let Some(m) = summary {
            cells::text(&mut ws, (r, 1), &m.label)?;
            cells::text(&mut ws, (r, 2), &m.plugin)?;
            cells::text(&mut ws, (r, 15), m.error.as_deref().unwrap_or_default())?;
        } else if let Some(o) = overall {
            cells::text(&mut ws, (r, 2), &o.plugin)?;
        }
        let Some(o) = overall else { continue };
        let res = &o.result;
        cells::number(&mut ws, (r, 3), res.value, &vf)?;
        cells::text(&mut ws, (r, 4), &res.unit)?;
        if let Some(ci) = &res.ci {
            cells::number(&mut ws, (r, 5), Some(ci.low), &vf)?;
            cells::number(&mut ws, (r, 6), Some(ci.high), &vf)?;
            cells::number(&mut ws, (r, 7), Some(ci.level), &f.general)?;
        }
        cells::weight(&mut ws, (r, 8), res.n, f)?;
        cells::text(&mut ws, (r, 9), band(res).unwrap_or_default())?;
        if let Some(t) = &o.trend {
            cells::number(&mut ws, (r, 10), t.delta, &vf)?;
            cells::number(&mut ws, (r, 11), t.p_value, &f.p)?;
            cells::boolean(&mut ws, (r, 12), t.significant)?;
        }
        if let Some(b) = &o.benchmark {
            cells::number(&mut ws, (r, 13), Some(b.value), &vf)?;
            cells::number(&mut ws, (r, 14), b.delta, &vf)?;
        }
    }

    // Dataset row accounting, below a blank row.
    let ds_header = cells::row_index(name, header_row, ids.len() + 1)?;
    let ds_headers: Vec<String> = [
        l.dataset,
        l.path,
        l.sha256,
        l.rows_read,
        l.rows_accepted,
        l.rows_rejected,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    cells::header(&mut ws, name, ds_header, &ds_headers, f)?;
    for (i, d) in report.datasets.iter().enumerate() {
        let r = cells::row_index(name, ds_header, i)?;
        cells::text(&mut ws, (r, 0), &d.name)?;
        cells::text(&mut ws, (r, 1), &d.path)?;
        cells::text(&mut ws, (r, 2), &d.sha256)?;
        cells::count(&mut ws, (r, 3), d.rows_read, f)?;
        cells::count(&mut ws, (r, 4), d.rows_accepted, f)?;
        cells::count(&mut ws, (r, 5), d.rows_rejected, f)?;
    }
    // The filter and the frozen rows are the metric table's (one autofilter per sheet).
    cells::finish_table(&mut ws, name, header_row, ids.len(), headers.len())?;
    Ok(ws.into_worksheet())
}

/// A result's band label, when its plugin gives one (a string `band` detail).
pub(crate) fn band(r: &cxm_report::MetricResult) -> Option<&str> {
    r.details.get("band").and_then(|b| b.as_str())
}
