//! Unit tests of the support plugins, through the real ABI functions
//! (`cxm_sdk::testing::Harness`) and the plain methods they call. Expected t intervals were
//! computed in Python 3 with mpmath (t quantile by root-finding the t CDF written with
//! `betainc`, 40 digits); everything else is worked out by hand in the comments, or (for
//! the quantiles of large groups) compared with `cxm_stats::WeightedSample`.

mod quantiles;
mod response;
mod span;
mod wait;

use cxm_sdk::testing::Column;
use cxm_sdk::MetricResult;
use serde_json::Value;

/// Monday 2025-03-03 00:00:00 UTC, in microseconds since the epoch.
pub const MONDAY: i64 = 1_740_960_000_000_000;

/// Microseconds of `day` days (0 = Monday), `hour` hours and `minute` minutes after
/// Monday 2025-03-03 00:00 UTC.
pub fn at(day: i64, hour: i64, minute: i64) -> i64 {
    MONDAY + ((day * 24 + hour) * 60 + minute) * 60_000_000
}

/// A timestamp column.
pub fn ts(values: &[Option<i64>]) -> Column {
    Column::Timestamp(values.to_vec())
}

/// Asserts `actual` is within 1e-9 of `expected`.
pub fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// A detail as f64 (NaN when missing or not a number).
pub fn detail(r: &MetricResult, key: &str) -> f64 {
    r.details
        .get(key)
        .and_then(cxm_sdk::Detail::as_f64)
        .unwrap_or(f64::NAN)
}

/// Row statuses as `&str` for comparison.
pub fn statuses(s: &[String]) -> Vec<&str> {
    s.iter().map(String::as_str).collect()
}

/// The (mean, variance, n) of a `Mean` basis; panics on any other basis.
pub fn mean_basis(r: &MetricResult) -> (f64, f64, f64) {
    match r.basis {
        Some(cxm_sdk::TestBasis::Mean { mean, variance, n }) => {
            assert_eq!(Some(mean), r.value, "the basis mean is the headline value");
            assert_eq!(n, r.n, "the basis n is the result's n");
            (mean, variance, n)
        }
        ref other => panic!("expected a Mean basis, got {other:?}"),
    }
}
