//! The machine-readable JSON report (layout [`crate::REPORT_SCHEMA`]).
//!
//! Results are flattened: each entry carries the metric, its group as a JSON object whose
//! keys keep the grouping order (`{}` for the overall result), and the fields of the
//! plugin's [`MetricResult`](cxm_result::MetricResult). `n` is written as an integer when
//! it is whole.

use crate::error::RenderError;
use crate::model::{
    AnalysisSettings, BenchmarkComparison, DatasetSummary, Grouping, MetricSummary, ResultRow,
    RunReport, Trend,
};
use cxm_result::{Interval, Table, TestBasis};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::Write;

/// Writes `report` as pretty-printed JSON followed by a newline.
pub fn render_json(report: &RunReport, out: &mut impl Write) -> Result<(), RenderError> {
    let doc = JsonReport {
        schema: &report.schema,
        client: &report.client,
        config: &report.config,
        cxm_version: &report.cxm_version,
        grouping: &report.grouping,
        datasets: &report.datasets,
        metrics: &report.metrics,
        results: report.results.iter().map(JsonResult::from).collect(),
        analysis: report.analysis.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'a str,
    client: &'a str,
    config: &'a str,
    cxm_version: &'a str,
    grouping: &'a Grouping,
    datasets: &'a [DatasetSummary],
    metrics: &'a [MetricSummary],
    results: Vec<JsonResult<'a>>,
    analysis: Option<&'a AnalysisSettings>,
}

#[derive(Serialize)]
struct JsonResult<'a> {
    metric: &'a str,
    plugin: &'a str,
    group: GroupMap<'a>,
    value: Option<f64>,
    unit: &'a str,
    #[serde(serialize_with = "whole_or_float")]
    n: f64,
    ci: Option<&'a Interval>,
    details: &'a Map<String, Value>,
    warnings: &'a [String],
    band: Option<&'a Value>,
    trend: Option<&'a Trend>,
    benchmark: Option<&'a BenchmarkComparison>,
    basis: Option<&'a TestBasis>,
    tables: &'a [Table],
}

impl<'a> From<&'a ResultRow> for JsonResult<'a> {
    fn from(row: &'a ResultRow) -> Self {
        let r = &row.result;
        JsonResult {
            metric: &row.metric,
            plugin: &row.plugin,
            group: GroupMap(&row.group),
            value: r.value,
            unit: &r.unit,
            n: r.n,
            ci: r.ci.as_ref(),
            details: &r.details,
            warnings: &r.warnings,
            band: r.details.get("band").filter(|b| b.is_string()),
            trend: row.trend.as_ref(),
            benchmark: row.benchmark.as_ref(),
            basis: r.basis.as_ref(),
            tables: &r.tables,
        }
    }
}

/// A group serialised as a map in vector order (serde_json's own map would sort the keys).
struct GroupMap<'a>(&'a [(String, Option<String>)]);

impl Serialize for GroupMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Largest magnitude below which every whole f64 is exactly an integer (2^53).
const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Serialises a whole number as an integer (`2000`, not `2000.0`), other finite numbers as
/// floats, and non-finite ones as `null`.
fn whole_or_float<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let x = *x;
    if !x.is_finite() {
        serializer.serialize_none()
    } else if x.fract() == 0.0 && x.abs() <= EXACT_INT_LIMIT {
        // Exact: the value is whole and within the range where i64 holds it losslessly.
        serializer.serialize_i64(x as i64)
    } else {
        serializer.serialize_f64(x)
    }
}
