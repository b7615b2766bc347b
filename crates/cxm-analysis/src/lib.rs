//! Turns merged results into analysis a client can rely on (METRICS.md "Trends and
//! comparisons"): minimum samples and suppression, the change from the previous period with
//! a two-sided test (adjusted for multiple tests when configured), and the comparison with a
//! benchmark with a one-sided test; beside every change its minimum detectable change at 80%
//! power, and for the overall figure a shift-share decomposition per dimension (mix vs
//! within-segment effects, "why did it move"); for every segment its test against the rest
//! of its dimension and its significance letters against the other segments (segment
//! significance). With survey weights, every interval and test uses Kish's effective n
//! ([`design`]). Everything is computed from each result's test basis (counts, or mean
//! and variance), never from averaged ratios.

mod benchmark;
mod design;
mod mdc;
mod sample;
mod segments;
mod shift_share;
#[cfg(test)]
mod test_support;
mod trend;

pub use design::effective as effective_basis;
pub use mdc::minimum_detectable_change;
pub use trend::difference_test;

use cxm_config::ClientConfig;
use cxm_report::{AnalysisSettings, RunReport};

/// Applies the config's analysis settings to a finished report.
pub fn analyse(report: &mut RunReport, config: &ClientConfig) {
    for metric in &config.metrics {
        sample::apply_min_n(report, metric);
        sample::apply_bands(report, metric);
    }
    design::apply_intervals(report);
    let tests = trend::add_trends(report, config.report.alpha, config.report.adjustment);
    shift_share::add_decompositions(report);
    let (segments, segment_tests) =
        segments::segment_tests(report, config.report.alpha, config.report.adjustment);
    for metric in &config.metrics {
        if let Some((bench, _)) = &metric.benchmark {
            benchmark::compare(report, &metric.id, bench, config.report.alpha);
        }
    }
    report.analysis = Some(AnalysisSettings {
        alpha: config.report.alpha,
        adjustment: config.report.adjustment.name().to_string(),
        family: "all period-over-period tests of one metric".to_string(),
        tests,
        segment_family: if segment_tests > 0 {
            "per metric, dimension and period: the pairwise tests of its segments (only \
             for dimensions of at most 26 segments), and separately their tests against \
             the rest"
                .to_string()
        } else {
            String::new()
        },
        segment_tests,
        segments,
    });
}
