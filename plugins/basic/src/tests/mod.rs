//! Unit tests of the basic metrics, through their plain methods and through the ABI with
//! `cxm_sdk::testing::Harness`. Expected values are derived by hand in the comments.

mod count;
mod mean;
mod percentile;
mod share;
mod sum;

/// Asserts `actual` is within `tol` of `expected`.
fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual}"
    );
}

/// The warnings of a result, as string slices.
fn warnings(r: &cxm_sdk::MetricResult) -> Vec<&str> {
    r.warnings.iter().map(String::as_str).collect()
}
