//! Which metrics a report has, in which order, and how one result's group reads as cells:
//! the same rules as the CSV (`(all)` where a row is rolled up over a key, an empty cell for
//! a missing value), with the roll-up marker in the workbook's language.

use crate::cells;
use crate::labels::Labels;
use cxm_report::{Grouping, MetricSummary, ResultRow, RunReport};
use rust_xlsxwriter::Format;

/// Metric ids in config order, then any id that only appears among the results.
pub(crate) fn metric_ids(report: &RunReport) -> Vec<&str> {
    let mut ids: Vec<&str> = report.metrics.iter().map(|m| m.metric.as_str()).collect();
    for row in &report.results {
        if !ids.contains(&row.metric.as_str()) {
            ids.push(&row.metric);
        }
    }
    ids
}

/// The metric's summary, if the report has one.
pub(crate) fn summary<'a>(report: &'a RunReport, metric: &str) -> Option<&'a MetricSummary> {
    report.metrics.iter().find(|m| m.metric == metric)
}

/// The metric's results, in report order (overall first).
pub(crate) fn results<'a>(
    report: &'a RunReport,
    metric: &'a str,
) -> impl Iterator<Item = &'a ResultRow> + Clone + 'a {
    report.results.iter().filter(move |r| r.metric == metric)
}

/// The metric's overall result (empty group).
pub(crate) fn overall<'a>(report: &'a RunReport, metric: &str) -> Option<&'a ResultRow> {
    report
        .results
        .iter()
        .find(|r| r.metric == metric && r.group.is_empty())
}

/// How the metric's results are grouped (the report's grouping when it has no summary).
pub(crate) fn grouping<'a>(report: &'a RunReport, metric: &str) -> &'a Grouping {
    summary(report, metric).map_or(&report.grouping, |m| &m.grouping)
}

/// The display format of the metric's values (and intervals, deltas, benchmarks).
pub(crate) fn value_format(report: &RunReport, metric: &str) -> Format {
    cells::value_format(results(report, metric).filter_map(|r| r.result.value))
}

/// Headers of the grouping columns: the dimensions as named in the config, then the period.
pub(crate) fn headers(grouping: &Grouping, l: &Labels) -> Vec<String> {
    let mut out: Vec<String> = grouping.dimensions.clone();
    if grouping.period.is_some() {
        out.push(l.period.to_string());
    }
    out
}

/// The group cells of `row`, one per header: `None` is an empty cell (a missing value).
/// Dimensions are looked up by name; the period is the last entry named `period`.
pub(crate) fn cells<'a>(
    grouping: &Grouping,
    row: &'a ResultRow,
    l: &Labels,
) -> Vec<Option<&'a str>> {
    let all = Some(l.all);
    let from = |entry: Option<&'a (cxm_report::Name, Option<String>)>| match entry {
        None => all,
        Some((_, value)) => value.as_deref(),
    };
    let mut out: Vec<Option<&'a str>> = grouping
        .dimensions
        .iter()
        .map(|d| {
            if row.group.is_empty() {
                all
            } else {
                from(row.group.iter().find(|(k, _)| k == d))
            }
        })
        .collect();
    if grouping.period.is_some() {
        out.push(if row.group.is_empty() {
            all
        } else {
            from(row.group.iter().rev().find(|(k, _)| k == "period"))
        });
    }
    out
}
