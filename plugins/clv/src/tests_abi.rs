//! Tests of `clv`, `cac` and `ltv_cac` through their real ABI functions
//! (`cxm_sdk::testing`): row statuses with the own reasons, weights, groups, all-invalid
//! input, merging two instances, and bind errors.

use crate::{Cac, Clv, LtvCac};
use chrono::{Datelike, NaiveDate};
use cxm_sdk::testing::{Column, Harness};

fn d(text: &str) -> i32 {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .unwrap()
        .num_days_from_ce()
        - 719_163
}

fn order_inputs() -> Vec<(&'static str, Column)> {
    vec![
        ("customer_id", Column::text(&[])),
        ("order_date", Column::Date(vec![])),
        ("amount", Column::Number(vec![])),
    ]
}

fn orders(rows: &[(Option<&str>, Option<&str>, Option<f64>)]) -> Vec<Column> {
    vec![
        Column::text(&rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::Date(rows.iter().map(|r| r.1.map(d)).collect()),
        Column::Number(rows.iter().map(|r| r.2).collect()),
    ]
}

/// A: 60 on 2021-01-01 and 60 on 2023-05-05; B: 40 on 2024-12-31; then a refund, an order
/// without customer and one without amount. Span 1461 days = 4 years; customers 2,
/// orders 3, revenue 160.
const ROWS: [(Option<&str>, Option<&str>, Option<f64>); 6] = [
    (Some("A"), Some("2021-01-01"), Some(60.0)),
    (Some("A"), Some("2023-05-05"), Some(60.0)),
    (Some("B"), Some("2024-12-31"), Some(40.0)),
    (Some("B"), Some("2024-12-31"), Some(-40.0)),
    (None, Some("2024-12-31"), Some(40.0)),
    (Some("C"), Some("2024-12-31"), None),
];

#[test]
fn clv_statuses_and_value_through_the_abi() {
    // Simple, lifespan 2: 160 / 2 × 2 / 4 = 40.
    let mut h = Harness::<Clv>::bind(
        r#"{"method": "simple", "lifespan_years": 2}"#,
        &order_inputs(),
    )
    .unwrap();
    let status = h.update(&orders(&ROWS), None, None).unwrap();
    assert_eq!(
        status,
        ["used", "used", "used", "negative_amount", "empty", "empty"]
    );
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(40.0));
    assert_eq!(r.n, 2.0);
    assert_eq!(
        r.details["purchases_per_year"],
        serde_json::json!(3.0 / 2.0 / 4.0)
    );
}

#[test]
fn clv_merging_two_instances_equals_one_instance() {
    let params = r#"{"method": "predictive", "lifespan_months": 12}"#;
    let mut all = Harness::<Clv>::bind(params, &order_inputs()).unwrap();
    all.update(&orders(&ROWS), None, None).unwrap();
    let mut a = Harness::<Clv>::bind(params, &order_inputs()).unwrap();
    let mut b = Harness::<Clv>::bind(params, &order_inputs()).unwrap();
    a.update(&orders(&ROWS[1..4]), None, None).unwrap();
    b.update(&orders(&[ROWS[0], ROWS[4], ROWS[5]]), None, None)
        .unwrap();
    a.merge(&b, &[0]).unwrap();
    assert_eq!(a.finish(0).unwrap(), all.finish(0).unwrap());
    // 160 / 2 × 12 / 48 = 20.
    assert_eq!(all.finish(0).unwrap().value, Some(20.0));
}

#[test]
fn clv_weights_equal_expanded_rows_and_groups() {
    let params = r#"{"method": "historical", "min_n": 1}"#;
    let mut weighted = Harness::<Clv>::bind(params, &order_inputs()).unwrap();
    weighted
        .update(
            &orders(&ROWS[..3]),
            Some(&[2.0, 1.0, 3.0]),
            Some(&[0, 0, 1]),
        )
        .unwrap();
    let mut expanded = Harness::<Clv>::bind(params, &order_inputs()).unwrap();
    let rows = [ROWS[0], ROWS[0], ROWS[1], ROWS[2], ROWS[2], ROWS[2]];
    expanded
        .update(&orders(&rows), None, Some(&[0, 0, 0, 1, 1, 1]))
        .unwrap();
    for g in 0..2 {
        assert_eq!(weighted.finish(g).unwrap(), expanded.finish(g).unwrap());
    }
    // Group 0: A = 60 × 2 + 60 = 180; group 1: B = 40 × 3 = 120.
    assert_eq!(weighted.finish(0).unwrap().value, Some(180.0));
    assert_eq!(weighted.finish(1).unwrap().value, Some(120.0));
}

#[test]
fn clv_all_invalid_and_bind_errors() {
    let mut h = Harness::<Clv>::bind(r#"{"method": "historical"}"#, &order_inputs()).unwrap();
    let status = h.update(&orders(&ROWS[3..]), None, None).unwrap();
    assert_eq!(status, ["negative_amount", "empty", "empty"]);
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, None);
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    let err = Harness::<Clv>::bind(r#"{"method": "simple"}"#, &order_inputs())
        .err()
        .unwrap();
    assert!(err.contains("lifespan_years"), "{err}");
}

fn spend_inputs() -> Vec<(&'static str, Column)> {
    vec![
        ("spend", Column::Number(vec![])),
        ("acquired", Column::Number(vec![])),
    ]
}

fn spend(rows: &[(Option<f64>, Option<f64>)]) -> Vec<Column> {
    vec![
        Column::Number(rows.iter().map(|r| r.0).collect()),
        Column::Number(rows.iter().map(|r| r.1).collect()),
    ]
}

#[test]
fn cac_and_ltv_cac_through_the_abi() {
    // Group 0: 1000 / 10 = 100; group 1: 500 / 20 = 25. Rejected: negative spend, empty.
    let rows = [
        (Some(1000.0), Some(10.0)),
        (Some(500.0), Some(20.0)),
        (Some(-5.0), Some(1.0)),
        (None, Some(1.0)),
    ];
    let mut h = Harness::<Cac>::bind(r#"{"ltv": 300}"#, &spend_inputs()).unwrap();
    let status = h.update(&spend(&rows), None, Some(&[0, 1, 0, 1])).unwrap();
    assert_eq!(status, ["used", "used", "negative_value", "empty"]);
    assert_eq!(h.finish(0).unwrap().value, Some(100.0));
    assert_eq!(
        h.finish(1).unwrap().details["ltv_cac"],
        serde_json::json!(12.0)
    );
    let mut l = Harness::<LtvCac>::bind(r#"{"ltv": 300}"#, &spend_inputs()).unwrap();
    l.update(&spend(&rows), None, Some(&[0, 1, 0, 1])).unwrap();
    assert_eq!(l.finish(0).unwrap().value, Some(3.0));
    // Rolled up into one group: 1500 / 30 = 50 → 300 / 50 = 6 (ratio of totals).
    let mut total = Harness::<LtvCac>::bind(r#"{"ltv": 300}"#, &spend_inputs()).unwrap();
    total.merge(&l, &[0, 0]).unwrap();
    assert_eq!(total.finish(0).unwrap().value, Some(6.0));
    let err = Harness::<LtvCac>::bind("{}", &spend_inputs())
        .err()
        .unwrap();
    assert!(err.contains("ltv is required"), "{err}");
}
