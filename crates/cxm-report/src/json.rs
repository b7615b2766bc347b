//! The machine-readable JSON report (layout [`crate::REPORT_SCHEMA`]).
//!
//! Results are flattened: each entry carries the metric, its group as a JSON object whose
//! keys keep the grouping order (`{}` for the overall result), and the fields of the
//! plugin's [`MetricResult`](cxm_result::MetricResult). `n` is written as an integer when
//! it is whole. A tested segment carries `segment_test` ([`SegmentTest`]: `dimension`,
//! `letter`, `above` and `vs_rest` with `test`, `statistic`, `p_value`, `p_adjusted`,
//! `significant`, `rest_value`, `rest_n`, `direction`), kept in the model with the analysis
//! settings and read back from each result by [`parse_json`].

use crate::error::RenderError;
use crate::model::{
    AnalysisSettings, BenchmarkComparison, DatasetSummary, Grouping, MetricSummary, Rejection,
    ReportSettings, ResultRow, RunReport, SegmentEntry, SegmentTest, Trend, REPORT_SCHEMA,
};
use cxm_result::MetricResult;
use cxm_result::{Detail, Details, Interval, Table, TestBasis};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
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
        results: report
            .results
            .iter()
            .map(|row| JsonResult {
                segment_test: report.segment_test(row),
                ..JsonResult::from(row)
            })
            .collect(),
        analysis: report.analysis.as_ref(),
        settings: &report.settings,
        rejection_examples: &report.rejection_examples,
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
    settings: &'a ReportSettings,
    rejection_examples: &'a [Rejection],
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
    details: &'a Details,
    warnings: &'a [String],
    band: Option<&'a Detail>,
    trend: Option<&'a Trend>,
    benchmark: Option<&'a BenchmarkComparison>,
    /// The segment's tests against the rest and its letters (only on tested segments).
    #[serde(skip_serializing_if = "Option::is_none")]
    segment_test: Option<&'a SegmentTest>,
    basis: Option<&'a TestBasis>,
    /// Unweighted and effective n of a weighted result.
    #[serde(skip_serializing_if = "Option::is_none")]
    design: Option<&'a crate::Design>,
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
            trend: row.trend.as_deref(),
            benchmark: row.benchmark.as_deref(),
            segment_test: None,
            basis: r.basis.as_ref(),
            design: row.design.as_deref(),
            tables: &r.tables,
        }
    }
}

/// A group serialised as a map in vector order (serde_json's own map would sort the keys).
struct GroupMap<'a>(&'a [(crate::Name, Option<String>)]);

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

/// Reads a report written by [`render_json`] (a saved `results.json`) back into the model,
/// so the HTML and Excel reports can be rendered again without the data or the plugins.
/// Reports written before a field existed read with that field's default.
pub fn parse_json(bytes: &[u8]) -> Result<RunReport, RenderError> {
    let doc: JsonReportIn = serde_json::from_slice(bytes).map_err(RenderError::Parse)?;
    if doc.schema != REPORT_SCHEMA {
        return Err(RenderError::Schema {
            found: doc.schema,
            expected: REPORT_SCHEMA,
        });
    }
    let mut segments: Vec<SegmentEntry> = Vec::new();
    let mut results = Vec::with_capacity(doc.results.len());
    for mut r in doc.results {
        let test = r.segment_test.take();
        let row = ResultRow::from(r);
        if let Some(test) = test {
            segments.push(SegmentEntry {
                metric: row.metric.clone(),
                group: row.group.clone(),
                test,
            });
        }
        results.push(row);
    }
    segments.sort_by(|a, b| (&a.metric, &a.group).cmp(&(&b.metric, &b.group)));
    let mut analysis = doc.analysis;
    if let Some(a) = analysis.as_mut() {
        a.segments = segments;
    }
    Ok(RunReport {
        schema: doc.schema,
        client: doc.client,
        config: doc.config,
        cxm_version: doc.cxm_version,
        grouping: doc.grouping,
        datasets: doc.datasets,
        metrics: doc.metrics,
        results,
        analysis,
        settings: doc.settings,
        rejection_examples: doc.rejection_examples,
    })
}

/// The owned mirror of [`JsonReport`], for reading.
#[derive(Deserialize)]
struct JsonReportIn {
    schema: String,
    client: String,
    #[serde(default)]
    config: String,
    #[serde(default)]
    cxm_version: String,
    #[serde(default)]
    grouping: Grouping,
    #[serde(default)]
    datasets: Vec<DatasetSummary>,
    #[serde(default)]
    metrics: Vec<MetricSummary>,
    #[serde(default)]
    results: Vec<JsonResultIn>,
    #[serde(default)]
    analysis: Option<AnalysisSettings>,
    #[serde(default)]
    settings: ReportSettings,
    #[serde(default)]
    rejection_examples: Vec<Rejection>,
}

/// The owned mirror of [`JsonResult`], for reading (`band` is a copy of `details.band`).
#[derive(Deserialize)]
struct JsonResultIn {
    metric: String,
    plugin: String,
    #[serde(default)]
    group: Map<String, Value>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    n: Option<f64>,
    #[serde(default)]
    ci: Option<Interval>,
    #[serde(default)]
    details: Details,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    trend: Option<Box<Trend>>,
    #[serde(default)]
    benchmark: Option<Box<BenchmarkComparison>>,
    #[serde(default)]
    segment_test: Option<SegmentTest>,
    #[serde(default)]
    basis: Option<TestBasis>,
    #[serde(default)]
    design: Option<crate::Design>,
    #[serde(default)]
    tables: Vec<Table>,
}

impl From<JsonResultIn> for ResultRow {
    fn from(r: JsonResultIn) -> Self {
        let group = r
            .group
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::Null => None,
                    Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                };
                (crate::Name::from(k), v)
            })
            .collect();
        ResultRow {
            metric: r.metric.into(),
            plugin: r.plugin.into(),
            group,
            result: MetricResult {
                value: r.value,
                unit: r.unit,
                n: r.n.unwrap_or(f64::NAN),
                ci: r.ci,
                details: r.details,
                warnings: r.warnings,
                tables: r.tables,
                basis: r.basis,
            },
            trend: r.trend,
            benchmark: r.benchmark,
            design: r.design.map(Box::new),
        }
    }
}
