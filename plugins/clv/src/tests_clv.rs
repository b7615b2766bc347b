//! Unit tests of `clv` through the plain methods `bind`, `update` and `finish` call: the
//! spec example, the three methods with exact values, margin, weights, empty and invalid
//! input, merging, and param validation. Expected values are derived in the comments.

use crate::clv::{Clv, ClvState, NEGATIVE_AMOUNT};
use crate::clv_params::ClvParams;
use chrono::{Datelike, NaiveDate};
use cxm_sdk::prelude::*;
use serde_json::json;

/// "YYYY-MM-DD" as days since 1970-01-01.
fn d(text: &str) -> i32 {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    date.num_days_from_ce() - 719_163
}

fn clv(params: serde_json::Value) -> Result<Clv, String> {
    let params: ClvParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Clv::new(params)
}

fn order(m: &Clv, s: &mut ClvState, customer: &str, date: &str, amount: f64, w: f64) {
    m.tally(s, Some(customer), Some(d(date)), Some(amount), w)
        .unwrap();
}

/// A: 20 orders of 60 (first 2021-01-01), B: 20 orders of 40 (last 2024-12-31).
/// Customers 2, orders 40, revenue 2000, AOV 50, revenue per customer 1000; the span is
/// 1461 days inclusive = 4 years of 365.25 days; purchases per year = 40 / 2 / 4 = 5.
fn four_years(m: &Clv) -> ClvState {
    let mut s = ClvState::default();
    order(m, &mut s, "A", "2021-01-01", 60.0, 1.0);
    order(m, &mut s, "A", "2022-06-15", 60.0, 19.0);
    order(m, &mut s, "B", "2023-03-01", 40.0, 19.0);
    order(m, &mut s, "B", "2024-12-31", 40.0, 1.0);
    s
}

#[test]
fn spec_example_simple_50_x_5_x_3_is_750() {
    // Observation 1 year, 2 customers with 5 orders of 50 each: APV 50, purchases per
    // year 10 / 2 / 1 = 5, lifespan 3 → 50 × 5 × 3 = 750.
    let m = clv(json!({"method": "simple", "lifespan_years": 3, "observation_years": 1})).unwrap();
    let mut s = ClvState::default();
    for c in ["A", "B"] {
        for month in 1..=5 {
            order(&m, &mut s, c, &format!("2024-{month:02}-10"), 50.0, 1.0);
        }
    }
    let r = m.result(&s);
    assert_eq!(r.value, Some(750.0));
    assert_eq!(r.n, 2.0);
    assert_eq!(r.unit, "currency units per customer (lifetime value)");
    assert_eq!(r.details["method"], json!("simple"));
    assert_eq!(r.details["orders"], json!(10.0));
    assert_eq!(r.details["revenue"], json!(500.0));
    assert_eq!(r.details["average_order_value"], json!(50.0));
    assert_eq!(r.details["purchases_per_year"], json!(5.0));
    assert_eq!(r.details["lifespan_years"], json!(3.0));
    assert_eq!(r.details["observation_years"], json!(1.0));
    assert_eq!(r.details["observation_source"], json!("param"));
    assert_eq!(r.details["margin_applied"], json!(false));
    assert_eq!(
        r.details["formula"],
        json!("average_order_value × purchases_per_year × lifespan_years")
    );
    assert_eq!(r.warnings, ["low_sample"]);
}

#[test]
fn simple_with_span_from_the_orders_and_margin() {
    // 50 × 5 × 3 = 750 over the derived 4 years; × margin 0.5 = 375.
    let m = clv(json!({"method": "simple", "lifespan_years": 3})).unwrap();
    let r = m.result(&four_years(&m));
    assert_eq!(r.value, Some(750.0));
    assert_eq!(r.details["observation_years"], json!(4.0));
    assert_eq!(r.details["observation_source"], json!("orders"));
    assert_eq!(r.details["first_order"], json!("2021-01-01"));
    assert_eq!(r.details["last_order"], json!("2024-12-31"));
    let m = clv(json!({"method": "simple", "lifespan_years": 3, "margin": 0.5})).unwrap();
    let r = m.result(&four_years(&m));
    assert_eq!(r.value, Some(375.0));
    assert_eq!(r.details["margin"], json!(0.5));
    assert_eq!(r.details["margin_applied"], json!(true));
    assert!(r.details["formula"].as_str().unwrap().ends_with("× margin"));
}

#[test]
fn historical_is_mean_revenue_per_customer_times_margin() {
    // (1200 + 800) / 2 = 1000; × 0.5 = 500.
    let m = clv(json!({"method": "historical", "margin": 0.5})).unwrap();
    let r = m.result(&four_years(&m));
    assert_eq!(r.value, Some(500.0));
    assert_eq!(r.details["revenue_per_customer"], json!(1000.0));
    assert_eq!(
        r.details["formula"],
        json!("mean revenue per customer × margin")
    );
    assert!(r.details.get("observation_years").is_none());
    let m = clv(json!({"method": "historical"})).unwrap();
    assert_eq!(m.result(&four_years(&m)).value, Some(1000.0));
}

#[test]
fn predictive_is_monthly_transactions_x_aov_x_months_x_margin() {
    // 48 months: monthly transactions = 40 / 2 / 48 = 5/12, AOV 50, lifespan 36 months:
    // 5/12 × 50 × 36 = 750; × margin 0.25 = 187.5.
    let m = clv(json!({"method": "predictive", "lifespan_months": 36})).unwrap();
    let r = m.result(&four_years(&m));
    assert_eq!(r.value, Some(750.0));
    assert_eq!(r.details["monthly_transactions"], json!(40.0 / 2.0 / 48.0));
    assert_eq!(r.details["observation_months"], json!(48.0));
    assert_eq!(r.details["lifespan_months"], json!(36.0));
    // lifespan_years = 3 is 36 months.
    let m = clv(json!({"method": "predictive", "lifespan_years": 3, "margin": 0.25})).unwrap();
    let r = m.result(&four_years(&m));
    assert_eq!(r.value, Some(187.5));
    assert_eq!(r.details["lifespan_months"], json!(36.0));
    // An explicit observation span of 2 years (24 months): 1000 × 36 / 24 = 1500.
    let m = clv(json!({"method": "predictive", "lifespan_months": 36, "observation_years": 2}))
        .unwrap();
    assert_eq!(m.result(&four_years(&m)).value, Some(1500.0));
}

#[test]
fn weights_equal_expanded_rows() {
    let m = clv(json!({"method": "predictive", "lifespan_months": 24})).unwrap();
    let weighted = four_years(&m);
    let mut expanded = ClvState::default();
    for (c, date, amount, w) in [
        ("A", "2021-01-01", 60.0, 1),
        ("A", "2022-06-15", 60.0, 19),
        ("B", "2023-03-01", 40.0, 19),
        ("B", "2024-12-31", 40.0, 1),
    ] {
        for _ in 0..w {
            order(&m, &mut expanded, c, date, amount, 1.0);
        }
    }
    assert_eq!(m.result(&weighted), m.result(&expanded));
    // A zero-weight row changes nothing, not even the span.
    let mut s = weighted.clone();
    order(&m, &mut s, "C", "2019-01-01", 10.0, 0.0);
    assert_eq!(s, weighted);
}

#[test]
fn empty_input_has_no_value() {
    let m = clv(json!({"method": "simple", "lifespan_years": 3})).unwrap();
    let r = m.result(&ClvState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    assert_eq!(r.details["average_order_value"], serde_json::Value::Null);
}

#[test]
fn invalid_rows_are_rejected_with_reasons() {
    let m = clv(json!({"method": "historical"})).unwrap();
    let mut s = ClvState::default();
    let day = Some(d("2025-01-01"));
    assert_eq!(
        m.tally(&mut s, Some("A"), day, Some(-5.0), 1.0),
        Err(Reject::Own(NEGATIVE_AMOUNT))
    );
    assert_eq!(
        m.tally(&mut s, Some("A"), day, Some(f64::NAN), 1.0),
        Err(Reject::NotANumber)
    );
    assert_eq!(
        m.tally(&mut s, Some(" "), day, Some(5.0), 1.0),
        Err(Reject::Empty)
    );
    assert_eq!(
        m.tally(&mut s, None, day, Some(5.0), 1.0),
        Err(Reject::Empty)
    );
    assert_eq!(
        m.tally(&mut s, Some("A"), None, Some(5.0), 1.0),
        Err(Reject::Empty)
    );
    assert_eq!(
        m.tally(&mut s, Some("A"), day, None, 1.0),
        Err(Reject::Empty)
    );
    assert_eq!(
        m.tally(&mut s, Some("A"), day, Some(5.0), -1.0),
        Err(Reject::InvalidValue)
    );
    assert_eq!(s, ClvState::default());
    // A zero amount (a free order) is valid.
    assert_eq!(m.tally(&mut s, Some("A"), day, Some(0.0), 1.0), Ok(()));
}

#[test]
fn merge_by_customer_equals_one_state() {
    // A's orders are split across both states: merged totals add up by key.
    let m = clv(json!({"method": "simple", "lifespan_years": 2})).unwrap();
    let all = four_years(&m);
    let (mut a, mut b) = (ClvState::default(), ClvState::default());
    order(&m, &mut a, "A", "2021-01-01", 60.0, 1.0);
    order(&m, &mut b, "A", "2022-06-15", 60.0, 19.0);
    order(&m, &mut b, "B", "2023-03-01", 40.0, 19.0);
    order(&m, &mut a, "B", "2024-12-31", 40.0, 1.0);
    a.merge(&b);
    assert_eq!(a, all);
    // Merging an empty state changes nothing.
    a.merge(&ClvState::default());
    assert_eq!(m.result(&a), m.result(&all));
    let mut empty = ClvState::default();
    empty.merge(&all);
    assert_eq!(empty, all);
}

#[test]
fn param_errors_explain_the_fix() {
    let err = |p: serde_json::Value| clv(p).unwrap_err();
    assert!(err(json!({})).contains("method is required"));
    assert!(err(json!({"method": "simple"})).contains("add lifespan_years"));
    assert!(
        err(json!({"method": "simple", "lifespan_years": 3, "lifespan_months": 36}))
            .contains("lifespan_months is used by method = \"predictive\"")
    );
    assert!(err(json!({"method": "predictive"})).contains("add lifespan_months"));
    assert!(
        err(json!({"method": "predictive", "lifespan_years": 3, "lifespan_months": 36}))
            .contains("not both")
    );
    assert!(err(json!({"method": "historical", "lifespan_years": 3}))
        .contains("lifespan_years is not used by method = \"historical\""));
    assert!(err(json!({"method": "historical", "observation_years": 3}))
        .contains("observation_years is not used"));
    let e = err(json!({"method": "historical", "margin": 30}));
    assert!(e.contains("for a 30% margin write 0.3"), "{e}");
    assert!(err(json!({"method": "historical", "margin": 0})).contains("greater than 0"));
    assert!(err(json!({"method": "simple", "lifespan_years": -3})).contains("positive"));
    assert!(
        err(json!({"method": "simple", "lifespan_years": 3, "observation_years": 0}))
            .contains("observation_years = 0 must be a positive number")
    );
    assert!(err(json!({"method": "lifetime"})).contains("unknown variant"));
    assert!(err(json!({"method": "simple", "lifespan": 3})).contains("unknown field"));
    // min_n silences low_sample.
    let m = clv(json!({"method": "historical", "min_n": 2})).unwrap();
    assert!(m.result(&four_years(&m)).warnings.is_empty());
}

#[test]
fn clv_has_no_test_basis() {
    // A projection from ratios of sums: no standard test applies, so no basis, whatever
    // the method.
    for params in [
        json!({"method": "simple", "lifespan_years": 3}),
        json!({"method": "historical"}),
        json!({"method": "predictive", "lifespan_months": 36}),
    ] {
        let m = clv(params).unwrap();
        let r = m.result(&four_years(&m));
        assert_eq!(
            r.value,
            Some(if r.details["method"] == "historical" {
                1000.0
            } else {
                750.0
            })
        );
        assert_eq!(r.basis, None);
    }
}
