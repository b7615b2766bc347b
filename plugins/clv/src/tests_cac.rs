//! Unit tests of `cac` and `ltv_cac` through the plain methods their `update` and `finish`
//! call: exact values, zero denominators, weights, empty and invalid input, merging, and
//! param validation. Expected values are derived in the comments.

use crate::cac::{Cac, CacParams, CacState, LtvCac, LtvCacParams, NEGATIVE_VALUE};
use cxm_sdk::prelude::*;
use serde_json::json;

fn cac(params: serde_json::Value) -> Result<Cac, String> {
    let params: CacParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Cac::new(params)
}

fn ltv_cac(params: serde_json::Value) -> Result<LtvCac, String> {
    let params: LtvCacParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    LtvCac::new(params)
}

fn state(rows: &[(f64, f64, f64)]) -> CacState {
    let mut s = CacState::default();
    for &(spend, acquired, w) in rows {
        s.tally(Some(spend), Some(acquired), w).unwrap();
    }
    s
}

/// Two rows: 1000 spent for 10 customers, 500 for 15: CAC = 1500 / 25 = 60.
const ROWS: [(f64, f64, f64); 2] = [(1000.0, 10.0, 1.0), (500.0, 15.0, 1.0)];

#[test]
fn cac_is_total_spend_over_total_acquired() {
    let r = cac(json!({"min_n": 1})).unwrap().result(&state(&ROWS));
    assert_eq!(r.value, Some(60.0));
    assert_eq!(r.n, 25.0);
    assert_eq!(r.unit, "currency units per acquired customer");
    assert_eq!(r.details["spend"], json!(1500.0));
    assert_eq!(r.details["acquired"], json!(25.0));
    assert!(r.details.get("ltv_cac").is_none());
    assert!(r.warnings.is_empty());
    // With ltv = 750: LTV:CAC = 750 / 60 = 12.5.
    let r = cac(json!({"ltv": 750, "min_n": 1}))
        .unwrap()
        .result(&state(&ROWS));
    assert_eq!(r.details["ltv"], json!(750.0));
    assert_eq!(r.details["ltv_cac"], json!(12.5));
    // 25 customers < 30 → low_sample by default.
    assert_eq!(
        cac(json!({})).unwrap().result(&state(&ROWS)).warnings,
        ["low_sample"]
    );
}

#[test]
fn ltv_cac_is_ltv_over_cac() {
    let r = ltv_cac(json!({"ltv": 750, "min_n": 1}))
        .unwrap()
        .result(&state(&ROWS));
    assert_eq!(r.value, Some(12.5));
    assert_eq!(r.unit, "ratio (lifetime value / acquisition cost)");
    assert_eq!(r.details["cac"], json!(60.0));
    assert_eq!(r.details["ltv"], json!(750.0));
    assert!(r.warnings.is_empty());
}

#[test]
fn nobody_acquired_gives_no_value() {
    let s = state(&[(800.0, 0.0, 1.0)]);
    let r = cac(json!({"ltv": 100})).unwrap().result(&s);
    assert_eq!(r.value, None);
    assert_eq!(r.details["ltv_cac"], serde_json::Value::Null);
    assert_eq!(r.warnings, ["no_customers_acquired", "low_sample"]);
    let r = ltv_cac(json!({"ltv": 100})).unwrap().result(&s);
    assert_eq!(r.value, None);
    assert_eq!(r.warnings, ["no_customers_acquired", "low_sample"]);
}

#[test]
fn zero_spend_makes_ltv_cac_undefined() {
    // 40 customers for free: CAC = 0, so LTV:CAC has no finite value.
    let s = state(&[(0.0, 40.0, 1.0)]);
    assert_eq!(cac(json!({})).unwrap().result(&s).value, Some(0.0));
    let r = ltv_cac(json!({"ltv": 100})).unwrap().result(&s);
    assert_eq!(r.value, None);
    assert_eq!(r.warnings, ["no_spend"]);
}

#[test]
fn empty_input_has_no_value() {
    let r = cac(json!({})).unwrap().result(&CacState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(
        r.warnings,
        ["no_data", "no_customers_acquired", "low_sample"]
    );
}

#[test]
fn weights_equal_expanded_rows() {
    // (300, 4) × 3 and (100, 2) × 1 → 1000 / 14.
    let weighted = state(&[(300.0, 4.0, 3.0), (100.0, 2.0, 1.0)]);
    let expanded = state(&[
        (300.0, 4.0, 1.0),
        (300.0, 4.0, 1.0),
        (300.0, 4.0, 1.0),
        (100.0, 2.0, 1.0),
    ]);
    assert_eq!(weighted, expanded);
    assert_eq!(
        cac(json!({})).unwrap().result(&weighted).value,
        Some(1000.0 / 14.0)
    );
}

#[test]
fn invalid_rows_are_rejected_with_reasons() {
    let mut s = CacState::default();
    assert_eq!(
        s.tally(Some(-1.0), Some(2.0), 1.0),
        Err(Reject::Own(NEGATIVE_VALUE))
    );
    assert_eq!(
        s.tally(Some(1.0), Some(-2.0), 1.0),
        Err(Reject::Own(NEGATIVE_VALUE))
    );
    assert_eq!(
        s.tally(Some(f64::NAN), Some(2.0), 1.0),
        Err(Reject::NotANumber)
    );
    assert_eq!(s.tally(None, Some(2.0), 1.0), Err(Reject::Empty));
    assert_eq!(s.tally(Some(1.0), None, 1.0), Err(Reject::Empty));
    assert_eq!(
        s.tally(Some(1.0), Some(2.0), f64::NAN),
        Err(Reject::InvalidValue)
    );
    assert_eq!(s, CacState::default());
}

#[test]
fn merge_equals_one_state() {
    let mut a = state(&ROWS[..1]);
    a.merge(&state(&ROWS[1..]));
    assert_eq!(a, state(&ROWS));
}

#[test]
fn param_errors_explain_the_fix() {
    assert!(ltv_cac(json!({})).unwrap_err().contains("ltv is required"));
    assert!(ltv_cac(json!({"ltv": 0}))
        .unwrap_err()
        .contains("must be a positive number"));
    assert!(cac(json!({"ltv": -5}))
        .unwrap_err()
        .contains("must be a positive number"));
    assert!(cac(json!({"margin": 0.3}))
        .unwrap_err()
        .contains("unknown field"));
}

#[test]
fn cac_and_ltv_cac_have_no_test_basis() {
    // Ratios of sums (and a given LTV over one): no standard test applies, so no basis.
    let r = cac(json!({})).unwrap().result(&state(&ROWS));
    assert_eq!((r.value, &r.basis), (Some(60.0), &None));
    let r = ltv_cac(json!({"ltv": 750})).unwrap().result(&state(&ROWS));
    assert_eq!((r.value, &r.basis), (Some(12.5), &None));
}
