//! Minimum samples and bands: a configured `min_n` replaces the plugin's own threshold for the
//! `low_sample` warning, and `suppress_below_min_n` withholds the value (a consultant must
//! not show a client an NPS of 100 from 3 answers).

use cxm_config::MetricConfig;
use cxm_report::RunReport;

/// Warning on results whose value is withheld.
pub const SUPPRESSED: &str = "suppressed_below_min_n";

pub(crate) fn apply_min_n(report: &mut RunReport, metric: &MetricConfig) {
    let Some(min_n) = metric.min_n else { return };
    for row in report.results.iter_mut().filter(|r| r.metric == metric.id) {
        let design = row.design.as_deref().copied();
        let r = &mut row.result;
        r.warnings.retain(|w| w != "low_sample");
        // With survey weights, min_n counts answers (unweighted), as survey bases do.
        let n = design.map_or(r.n, |d| d.n_unweighted);
        if n >= min_n {
            continue;
        }
        r.warnings.push("low_sample".to_string());
        if metric.suppress_below_min_n {
            r.value = None;
            r.ci = None;
            r.basis = None;
            r.details.clear();
            r.tables.clear();
            r.warnings.push(SUPPRESSED.to_string());
        }
    }
}

/// Labels each result with the metric's configured band (replacing the plugin's own).
pub(crate) fn apply_bands(report: &mut RunReport, metric: &MetricConfig) {
    let Some((first, _)) = metric.bands.first() else {
        return;
    };
    for row in report.results.iter_mut().filter(|r| r.metric == metric.id) {
        let Some(value) = row.result.value else {
            continue;
        };
        let label = metric
            .bands
            .iter()
            .rev()
            .find(|(_, lower)| value >= *lower)
            .map_or(first, |(l, _)| l);
        row.result.details.insert("band", label.as_str());
    }
}
