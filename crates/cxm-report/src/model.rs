//! The data model of one `cxm run`: what was read, what each metric used and rejected, and
//! every result. The engine fills it; the renderers only read it.

use crate::Name;
use cxm_result::MetricResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the JSON report layout; bumped on any incompatible change.
pub const REPORT_SCHEMA: &str = "cxm.report/1";

/// Everything one run produced.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct RunReport {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// The client's display name from the config.
    pub client: String,
    /// Path of the client config, as given on the command line.
    pub config: String,
    /// The cxm version that produced the report.
    pub cxm_version: String,
    /// How results are grouped.
    pub grouping: Grouping,
    /// One entry per dataset read.
    pub datasets: Vec<DatasetSummary>,
    /// One entry per configured metric: its row accounting and any failure.
    pub metrics: Vec<MetricSummary>,
    /// One entry per metric × group (overall first, with an empty group).
    pub results: Vec<ResultRow>,
    /// Significance settings, once the analysis has run.
    pub analysis: Option<AnalysisSettings>,
    /// Language, time zone and date of the run, for the rendered reports.
    pub settings: ReportSettings,
    /// The first few rejected rows or values per dataset, scope and reason, exactly as in
    /// `rejected.csv` (for the report's appendix).
    pub rejection_examples: Vec<Rejection>,
}

/// How many examples of each rejection reason a report keeps (per dataset and scope).
pub const REJECTION_EXAMPLES: usize = 3;

/// Settings of a run that the rendered reports need.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(default)]
pub struct ReportSettings {
    /// Language of the HTML and Excel reports (`en` or `ru`).
    pub language: String,
    /// Time zone periods were assigned in (IANA name; `UTC` by default).
    pub timezone: String,
    /// First month of the fiscal year (1 = calendar year).
    pub fiscal_year_start: u32,
    /// When the run finished, RFC 3339 in UTC (`SOURCE_DATE_EPOCH` fixes it, for
    /// reproducible reports).
    pub generated_at: Option<String>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            language: "en".to_string(),
            timezone: "UTC".to_string(),
            fiscal_year_start: 1,
            generated_at: None,
        }
    }
}

/// The grouping of results.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct Grouping {
    /// Dimension fields, in config order.
    pub dimensions: Vec<String>,
    /// The period, when the config asks for one.
    pub period: Option<PeriodSpec>,
}

/// How rows are assigned to periods.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct PeriodSpec {
    /// The date or datetime field.
    pub field: String,
    /// `day`, `week`, `month`, `quarter` or `year`.
    pub grain: String,
}

/// Row accounting of one dataset: `rows_read = rows_accepted + rows_rejected`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct DatasetSummary {
    /// Dataset name in the config.
    pub name: String,
    /// File path as resolved.
    pub path: String,
    /// SHA-256 of the file's bytes (lowercase hex).
    pub sha256: String,
    /// File size in bytes.
    pub bytes: u64,
    /// Data records read (header excluded).
    pub rows_read: u64,
    /// Records with the right structure.
    pub rows_accepted: u64,
    /// Records rejected whole: structurally broken, or duplicates of an earlier record's
    /// unique_key.
    pub rows_rejected: u64,
    /// Of those, duplicates.
    pub duplicates: u64,
    /// Values that could not be parsed to their declared type, per field.
    pub invalid_values: BTreeMap<String, u64>,
    /// What reading found that may make figures or texts wrong without stopping the run
    /// (bytes that look like another encoding, local times at a daylight-saving change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<DataNotice>,
    /// Survey weighting (design weights, raking), when the dataset has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<crate::WeightingSummary>,
}

/// One thing reading a dataset found that may make figures or texts wrong.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct DataNotice {
    /// Machine-readable kind: `suspect_encoding`, `daylight_saving`,
    /// `quantized_in_warehouse` or `unmatched` (keys a lookup did not find).
    pub kind: String,
    /// How many bytes or values.
    pub count: u64,
    /// The first lines (1-based lines of the file) they are on.
    pub lines: Vec<u64>,
    /// What was found, what cxm did and what to do, in one paragraph.
    pub message: String,
}

/// Row accounting and status of one metric: `rows_used + Σ rows_rejected + rows_filtered =
/// rows_accepted` of its dataset.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct MetricSummary {
    /// Metric id in the config.
    pub metric: String,
    /// Display label from the config (the id when none is given).
    #[serde(default)]
    pub label: String,
    /// The plugin's one-sentence description of the metric.
    #[serde(default)]
    pub description: String,
    /// Results with `n` below this carry `low_sample` (from the config; `None`: the
    /// plugin's own rule).
    #[serde(default)]
    pub min_n: Option<f64>,
    /// Whether values below `min_n` are withheld.
    #[serde(default)]
    pub suppress_below_min_n: bool,
    /// Metric name inside its plugin library.
    pub plugin: String,
    /// The library's name and version (`cxm-plugin-nps 0.1.0`).
    pub library: String,
    /// Dataset it reads.
    pub dataset: String,
    /// Rows that entered the formula.
    pub rows_used: u64,
    /// Rows rejected, per reason.
    pub rows_rejected: BTreeMap<String, u64>,
    /// Rows outside the metric's filter (not rejected: out of scope).
    pub rows_filtered: u64,
    /// The metric's filter in words, if it has one.
    pub filter: Option<String>,
    /// Set when the metric failed during the run; its results are then absent.
    pub error: Option<String>,
    /// How this metric's results are grouped.
    pub grouping: Grouping,
}

/// One metric's result for one group.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// Metric id in the config (shared by the metric's rows).
    pub metric: Name,
    /// Metric name inside its plugin library (shared by the metric's rows).
    pub plugin: Name,
    /// Dimension values of the group, in grouping order; the period under `period`. Empty
    /// for the overall result. `None` is a missing (empty) value.
    pub group: Vec<(Name, Option<String>)>,
    /// The plugin's result.
    pub result: MetricResult,
    /// Change from the previous period of the same group, when grouped by period (boxed,
    /// as the benchmark: most rows have neither, and a row is kept per group).
    pub trend: Option<Box<Trend>>,
    /// Comparison with the metric's benchmark, when it has one.
    pub benchmark: Option<Box<BenchmarkComparison>>,
    /// Unweighted and effective n, when the dataset has survey weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<Box<crate::Design>>,
}

/// Change from the previous period, with a two-sided significance test.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Trend {
    /// Label of the period compared with (the closest earlier one with data).
    pub previous_period: String,
    /// The value in that period.
    pub previous_value: Option<f64>,
    /// This value minus the previous one, in the metric's unit.
    pub delta: Option<f64>,
    /// The test used (`nps_difference_z`, `two_proportion_z`, `welch_t`), if any.
    pub test: Option<String>,
    /// The test statistic.
    pub statistic: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// p-value after the report's adjustment for multiple tests.
    pub p_adjusted: Option<f64>,
    /// Whether `p_adjusted` is below alpha.
    pub significant: Option<bool>,
    /// Minimum detectable change: the smallest true change the test could detect at the
    /// report's alpha with 80% power for the two periods' n, in the metric's unit (with the
    /// earlier period's variance; `cxm_stats::mdc_nps` and its siblings). `None` without a
    /// test, or when the earlier period has no spread.
    #[serde(default)]
    pub mdc: Option<f64>,
    /// Why the overall figure moved: a shift-share decomposition of the change per grouping
    /// dimension (only on the overall result of each period; see [`ShiftShare`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decomposition: Vec<ShiftShare>,
}

/// The change of a metric's overall figure between two periods split, over the segments of
/// one dimension, into the mix effect (segment shares of n changed) and the within-segment
/// effect (the segments' own figures changed): the symmetric two-term shift-share form
/// `Δ = Σ (s₂ − s₁)·(v₁ + v₂)/2 + Σ (v₂ − v₁)·(s₁ + s₂)/2`, exact when the overall figure
/// is `Σ s·v` with `s = n_segment / n_total` (recomputed from the segments' counts).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ShiftShare {
    /// The grouping dimension whose segments the change is split over.
    pub dimension: String,
    /// The overall figure in the previous period, recomputed from the segments' counts.
    pub previous: f64,
    /// The overall figure in this period, recomputed from the segments' counts.
    pub current: f64,
    /// `current − previous`, in the metric's unit: `mix + within`.
    pub delta: f64,
    /// Part of the change due to the segments' shares changing, in the metric's unit.
    pub mix: f64,
    /// Part of the change due to the segments' own figures changing, in the metric's unit.
    pub within: f64,
    /// Each segment's contributions, in the order of the segments' first appearance.
    pub segments: Vec<SegmentShift>,
}

/// One segment's part of a [`ShiftShare`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SegmentShift {
    /// The segment's value of the dimension (`None`: missing).
    pub segment: Option<String>,
    /// Its share of n in the previous period, in % (0 when absent then).
    pub previous_share_pct: f64,
    /// Its share of n in this period, in % (0 when absent now).
    pub share_pct: f64,
    /// Its figure in the previous period (`None` when absent then).
    pub previous_value: Option<f64>,
    /// Its figure in this period (`None` when absent now).
    pub value: Option<f64>,
    /// Its n in the previous period.
    pub previous_n: f64,
    /// Its n in this period.
    pub n: f64,
    /// Its contribution to the mix effect, in the metric's unit.
    pub mix: f64,
    /// Its contribution to the within-segment effect, in the metric's unit.
    pub within: f64,
}

/// A result against a published benchmark, with a one-sided test in the direction of the
/// difference.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct BenchmarkComparison {
    /// Benchmark id.
    pub id: String,
    /// Segment or industry of the benchmark.
    pub segment: String,
    /// Where the figure comes from.
    pub source: String,
    /// The benchmark value.
    pub value: f64,
    /// Result minus benchmark.
    pub delta: Option<f64>,
    /// `above`, `below` or `equal`.
    pub direction: String,
    /// The test used, if any.
    pub test: Option<String>,
    /// One-sided p-value in the direction of the difference.
    pub p_value: Option<f64>,
    /// Whether `p_value` is below alpha.
    pub significant: Option<bool>,
}

/// Settings of the significance tests in a report.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct AnalysisSettings {
    /// Significance level.
    pub alpha: f64,
    /// Adjustment of p-values (`none`, `holm`, `benjamini-hochberg`).
    pub adjustment: String,
    /// How the adjustment's family is formed.
    pub family: String,
    /// Number of period-over-period tests made.
    pub tests: usize,
    /// How the families of the segment tests are formed (empty when none were made).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub segment_family: String,
    /// Number of segment tests made (segment vs rest and pairwise, all metrics).
    #[serde(default)]
    pub segment_tests: usize,
    /// The segment tests of every tested segment result, sorted by metric and group (written
    /// in the JSON on each result as `segment_test`, not here; see
    /// [`RunReport::segment_test`]).
    #[serde(skip)]
    pub segments: Vec<SegmentEntry>,
}

/// The segment test of one result row, keyed by its metric and group.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SegmentEntry {
    /// Metric id.
    pub metric: Name,
    /// The result's group, as in [`ResultRow::group`].
    pub group: Vec<(Name, Option<String>)>,
    /// Its tests.
    pub test: SegmentTest,
}

/// A segment's significance within its dimension and period (issue 17, "Segment
/// significance"): its test against the rest of the population and its letter among the
/// dimension's segments, with the letters of the segments it is significantly above (the
/// column-proportions convention: `above: ["B"]` on segment A means A is significantly above
/// B). Only for segments with a testable basis and at least `min_n` answers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SegmentTest {
    /// The grouping dimension the segment belongs to.
    pub dimension: String,
    /// The segment's letter (`A`, `B`, … `Z`, `AA`, …), in the order the dimension's
    /// segments first appear in the metric's results; the same in every period.
    pub letter: String,
    /// Letters of the segments of the same dimension and period this one is significantly
    /// above, after adjustment (pairwise tests), in letter order.
    pub above: Vec<String>,
    /// The test against the pooled rest of the dimension's segments, when there is one.
    pub vs_rest: Option<VsRest>,
}

/// A segment against the rest of the population: the pooled counts (or pooled mean and
/// variance) of all other segments of the same dimension and period.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct VsRest {
    /// The test used (`nps_difference_z`, `two_proportion_z`, `welch_t`).
    pub test: String,
    /// The test statistic, positive when the segment is above the rest.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// p-value after the report's adjustment (family: all segment-vs-rest tests of one
    /// metric × dimension × period).
    pub p_adjusted: f64,
    /// Whether `p_adjusted` is below alpha.
    pub significant: bool,
    /// The rest's figure in the metric's unit (`None` when the metric's figure is not the
    /// one its basis defines).
    pub rest_value: Option<f64>,
    /// The rest's n.
    pub rest_n: f64,
    /// `above`, `below` or `equal`: the segment against the rest.
    pub direction: String,
}

impl RunReport {
    /// The segment test of `row`, if the analysis made one.
    pub fn segment_test(&self, row: &ResultRow) -> Option<&SegmentTest> {
        let entries = &self.analysis.as_ref()?.segments;
        let key = (row.metric.as_str(), row.group.as_slice());
        entries
            .binary_search_by(|e| (e.metric.as_str(), e.group.as_slice()).cmp(&key))
            .ok()
            .and_then(|i| entries.get(i))
            .map(|e| &e.test)
    }
}

/// One rejected row or value, as written to `rejected.csv`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Dataset name.
    pub dataset: String,
    /// 1-based line in the source file where the record starts (the header is line 1).
    pub line: u64,
    /// `row` when the whole record was rejected; otherwise the metric ids the rejection
    /// applies to, separated by `;`.
    pub scope: String,
    /// Canonical field name, empty for whole-row rejections.
    pub field: String,
    /// The original value (or the whole record, for whole-row rejections).
    pub value: String,
    /// Machine-readable reason (`out_of_scale`, `not_a_number`, `wrong_field_count`, ...).
    pub reason: String,
    /// Human-readable detail.
    pub detail: String,
}
