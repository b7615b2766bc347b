//! Builders the unit tests of the analyses share: result rows and test bases.

use cxm_report::ResultRow;
use cxm_result::{MetricResult, TestBasis};

/// A result of metric `m` for `group` with `basis` and nothing else.
pub(crate) fn row(group: &[(&str, &str)], basis: TestBasis) -> ResultRow {
    ResultRow {
        metric: "m".into(),
        plugin: "p".into(),
        group: group
            .iter()
            .map(|(k, v)| (cxm_report::Name::from(*k), Some(v.to_string())))
            .collect(),
        result: MetricResult {
            basis: Some(basis),
            ..Default::default()
        },
        trend: None,
        benchmark: None,
        design: None,
    }
}

pub(crate) fn nps(promoters: f64, detractors: f64, n: f64) -> TestBasis {
    TestBasis::Nps {
        promoters,
        detractors,
        n,
    }
}

pub(crate) fn prop(successes: f64, n: f64) -> TestBasis {
    TestBasis::Proportion { successes, n }
}

pub(crate) fn mean(mean: f64, variance: f64, n: f64) -> TestBasis {
    TestBasis::Mean { mean, variance, n }
}
