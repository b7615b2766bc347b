//! Unit tests of the rate plugins, through the real ABI functions
//! (`cxm_sdk::testing::Harness`) and the plain methods they call. Wilson intervals were
//! computed in Python 3 with `statistics.NormalDist().inv_cdf` and the score formula
//! center = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²), × 100.

mod conversion;
mod referral;
mod review;

use cxm_sdk::MetricResult;
use serde_json::Value;

/// Asserts `actual` is within 1e-9 of `expected`.
pub fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// Asserts the Wilson interval of `r` (95 %) is (low, high).
pub fn wilson(r: &MetricResult, low: f64, high: f64) {
    let Some(ci) = r.ci.as_ref() else {
        panic!("no ci in {r:?}")
    };
    close(ci.low, low);
    close(ci.high, high);
    assert_eq!((ci.level, ci.method.as_str()), (0.95, "wilson"));
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

/// The (successes, n) of a `Proportion` basis, checked against the headline value
/// (100 · successes / n) and n; panics on any other basis.
pub fn proportion_basis(r: &MetricResult) -> (f64, f64) {
    match r.basis {
        Some(cxm_sdk::TestBasis::Proportion { successes, n }) => {
            close(
                r.value.expect("a basis implies a value"),
                100.0 * successes / n,
            );
            assert_eq!(n, r.n, "the basis n is the result's n");
            (successes, n)
        }
        ref other => panic!("expected a Proportion basis, got {other:?}"),
    }
}
