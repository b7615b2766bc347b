//! Period over period: for every metric and group, each period is compared with the closest
//! earlier period of the same group, with the test its basis calls for (NPS difference
//! z-test, two-proportion z-test, Welch t-test), and the p-values of one metric are adjusted
//! together when the config asks for Holm or Benjamini–Hochberg. Beside each tested change
//! goes its minimum detectable change ([`crate::mdc`]).

use cxm_config::Adjustment;
use cxm_report::{ResultRow, RunReport, Trend};
use cxm_result::TestBasis;
use cxm_stats::TestOutcome;
use std::collections::BTreeMap;

/// The test of the change from `a` (earlier) to `b`: NPS difference z-test, two-proportion
/// z-test or Welch's t-test, as their basis calls for (also used by `cxm diff`).
pub fn difference_test(a: &TestBasis, b: &TestBasis) -> Option<TestOutcome> {
    match (a, b) {
        (
            TestBasis::Nps {
                promoters: p1,
                detractors: d1,
                n: n1,
            },
            TestBasis::Nps {
                promoters: p2,
                detractors: d2,
                n: n2,
            },
        ) => cxm_stats::nps_difference_z((*p1, *d1, *n1), (*p2, *d2, *n2)),
        (
            TestBasis::Proportion {
                successes: x1,
                n: n1,
            },
            TestBasis::Proportion {
                successes: x2,
                n: n2,
            },
        ) => cxm_stats::two_proportion_z(*x1, *n1, *x2, *n2),
        (
            TestBasis::Mean {
                mean: m1,
                variance: v1,
                n: n1,
            },
            TestBasis::Mean {
                mean: m2,
                variance: v2,
                n: n2,
            },
        ) => cxm_stats::welch_t(*m1, *v1, *n1, *m2, *v2, *n2),
        _ => None,
    }
}

/// The p-values of one family adjusted as the config asks (Holm, Benjamini–Hochberg or
/// none), in input order; shared by the trends and the segment tests.
pub(crate) fn adjust(p: &[f64], adjustment: Adjustment) -> Vec<f64> {
    match adjustment {
        Adjustment::None => p.to_vec(),
        Adjustment::Holm => cxm_stats::holm(p),
        Adjustment::BenjaminiHochberg => cxm_stats::benjamini_hochberg(p),
    }
}

/// A group without its period: (key, value) pairs.
type GroupKey = Vec<(cxm_report::Name, Option<String>)>;

/// The grouping dimensions of `metric` (the report's when the metric has none of its own),
/// in grouping order; shared by the shift-share decomposition and the segment tests.
pub(crate) fn metric_dimensions<'a>(report: &'a RunReport, metric: &str) -> &'a [String] {
    report
        .metrics
        .iter()
        .find(|m| m.metric == metric)
        .map_or(&report.grouping.dimensions, |m| &m.grouping.dimensions)
}

/// The period a result belongs to, if any.
pub(crate) fn period_of(row: &ResultRow) -> Option<&str> {
    row.group
        .iter()
        .find(|(k, _)| k == "period")
        .and_then(|(_, v)| v.as_deref())
}

/// Adds a trend to every result that has an earlier period in its group; returns the
/// number of tests made.
pub(crate) fn add_trends(report: &mut RunReport, alpha: f64, adjustment: Adjustment) -> usize {
    // (metric, group without period) -> indices of rows, in period order.
    let mut series: BTreeMap<(cxm_report::Name, GroupKey), Vec<usize>> = BTreeMap::new();
    for (i, row) in report.results.iter().enumerate() {
        if period_of(row).is_none() {
            continue;
        }
        let rest: GroupKey = row
            .group
            .iter()
            .filter(|(k, _)| k != "period")
            .cloned()
            .collect();
        series
            .entry((row.metric.clone(), rest))
            .or_default()
            .push(i);
    }
    // Per metric: (row index, outcome) of every test, for the adjustment.
    let mut tests: BTreeMap<cxm_report::Name, Vec<(usize, TestOutcome)>> = BTreeMap::new();
    for ((metric, _), mut rows) in series {
        // Period labels are zero-padded, so their order is chronological.
        rows.sort_by(|a, b| period_of(&report.results[*a]).cmp(&period_of(&report.results[*b])));
        for pair in rows.windows(2) {
            let (prev, cur) = (&report.results[pair[0]], &report.results[pair[1]]);
            // With survey weights, at each period's effective n.
            let bases = match (&prev.result.basis, &cur.result.basis) {
                (Some(a), Some(b)) => Some((
                    crate::design::effective(a, prev.design.as_deref()),
                    crate::design::effective(b, cur.design.as_deref()),
                )),
                _ => None,
            };
            let outcome = bases.as_ref().and_then(|(a, b)| difference_test(a, b));
            let mdc = match &bases {
                Some((a, b)) if outcome.is_some() => {
                    crate::mdc::minimum_detectable_change(a, b, alpha)
                }
                _ => None,
            };
            let delta = match (prev.result.value, cur.result.value) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let trend = Trend {
                previous_period: period_of(prev).unwrap_or_default().to_string(),
                previous_value: prev.result.value,
                delta,
                test: outcome.map(|o| o.method.to_string()),
                statistic: outcome.map(|o| o.statistic),
                p_value: outcome.map(|o| o.p_value),
                p_adjusted: None,
                significant: None,
                mdc,
                decomposition: Vec::new(),
            };
            report.results[pair[1]].trend = Some(Box::new(trend));
            if let Some(o) = outcome {
                tests.entry(metric.clone()).or_default().push((pair[1], o));
            }
        }
    }
    let mut count = 0;
    for family in tests.values() {
        count += family.len();
        let p: Vec<f64> = family.iter().map(|(_, o)| o.p_value).collect();
        let adjusted = adjust(&p, adjustment);
        for ((row, _), q) in family.iter().zip(adjusted) {
            if let Some(t) = report.results[*row].trend.as_mut() {
                t.p_adjusted = Some(q);
                t.significant = Some(q < alpha);
            }
        }
    }
    count
}
