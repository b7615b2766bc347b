//! Tests of `retention` and `churn` through their real ABI functions (`cxm_sdk::testing`):
//! row statuses with the own reason, weights, all-invalid input, merging two instances,
//! and bind errors.

use super::*;
use chrono::NaiveDate;
use cxm_sdk::testing::{Column, Harness};

const PARAMS: &str =
    r#"{"period": {"from": "2025-01-01", "to": "2025-04-01", "grain": "month"}, "min_n": 1}"#;

fn d(text: &str) -> i32 {
    params::days_of(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
}

fn inputs() -> Vec<(&'static str, Column)> {
    vec![
        ("start_date", Column::Date(vec![])),
        ("end_date", Column::Date(vec![])),
        ("customer_id", Column::text(&[])),
    ]
}

fn batch(rows: &[(Option<&str>, Option<&str>)]) -> Vec<Column> {
    vec![
        Column::Date(rows.iter().map(|(s, _)| s.map(d)).collect()),
        Column::Date(rows.iter().map(|(_, e)| e.map(d)).collect()),
        Column::Text((0..rows.len()).map(|i| Some(format!("C{i}"))).collect()),
    ]
}

/// Rows: 3 stay, 1 leaves in February, 1 joins in March, 1 with end before start, 1 without
/// start. March: S = 3, N = 1, L = 0, E = 4 → CRR 100 · (4 − 1) / 3 = 100, churn 0;
/// February: S = 4, L = 1 → churn 25.
const ROWS: [(Option<&str>, Option<&str>); 7] = [
    (Some("2024-05-01"), None),
    (Some("2024-05-01"), None),
    (Some("2024-05-01"), None),
    (Some("2024-05-01"), Some("2025-02-14")),
    (Some("2025-03-02"), None),
    (Some("2025-03-02"), Some("2025-03-01")),
    (None, Some("2025-03-01")),
];

#[test]
fn statuses_values_and_table_through_the_abi() {
    let mut h = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    let status = h.update(&batch(&ROWS), None, None).unwrap();
    assert_eq!(
        status,
        [
            "used",
            "used",
            "used",
            "used",
            "used",
            "end_before_start",
            "empty"
        ]
    );
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(0.0));
    assert_eq!(r.n, 3.0);
    // Churn is the 11th column, after the retention rate and its interval.
    assert_eq!(r.tables[0].columns[10], "churn_pct");
    assert_eq!(r.tables[0].rows[1][10], serde_json::json!(25.0));
    // The Wilson interval crosses the ABI: 0 of 3 lost, 95 % → [0, 56.15] %
    // (center = half = (z²/6) / (1 + z²/3) = 0.6402431 / 2.2804863 = 0.2807485).
    let ci = r.ci.expect("an interval");
    assert_eq!(
        (ci.method.as_str(), ci.level, ci.low),
        ("wilson", 0.95, 0.0)
    );
    assert!((ci.high - 56.149_703_175_504_54).abs() < 1e-9, "{ci:?}");
    let mut h = Harness::<Retention>::bind(PARAMS, &inputs()).unwrap();
    h.update(&batch(&ROWS), None, None).unwrap();
    assert_eq!(h.finish(0).unwrap().value, Some(100.0));
}

#[test]
fn weighted_rows_equal_expanded_rows_through_the_abi() {
    let rows = [
        (Some("2024-05-01"), None),
        (Some("2024-05-01"), Some("2025-03-14")),
    ];
    let mut weighted = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    weighted
        .update(&batch(&rows), Some(&[3.0, 2.0]), None)
        .unwrap();
    let expanded_rows = [rows[0], rows[0], rows[0], rows[1], rows[1]];
    let mut expanded = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    expanded.update(&batch(&expanded_rows), None, None).unwrap();
    let (a, b) = (weighted.finish(0).unwrap(), expanded.finish(0).unwrap());
    assert_eq!(a, b);
    // March: S = 5, L = 2 → 40.
    assert_eq!(a.value, Some(40.0));
}

#[test]
fn all_invalid_rows_give_no_value() {
    let mut h = Harness::<Retention>::bind(PARAMS, &inputs()).unwrap();
    let rows = [(Some("2025-03-02"), Some("2025-03-01")), (None, None)];
    let status = h.update(&batch(&rows), None, None).unwrap();
    assert_eq!(status, ["end_before_start", "empty"]);
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(
        r.warnings,
        ["no_data", "no_customers_at_start", "low_sample"]
    );
}

#[test]
fn merging_two_instances_equals_one_instance() {
    let mut all = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    all.update(&batch(&ROWS), None, None).unwrap();
    let mut a = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    let mut b = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    a.update(&batch(&ROWS[..3]), None, None).unwrap();
    b.update(&batch(&ROWS[3..]), None, None).unwrap();
    a.merge(&b, &[0]).unwrap();
    assert_eq!(a.finish(0).unwrap(), all.finish(0).unwrap());
}

#[test]
fn groups_are_counted_separately() {
    let mut h = Harness::<Churn>::bind(PARAMS, &inputs()).unwrap();
    let rows = [
        (Some("2024-05-01"), None),
        (Some("2024-05-01"), Some("2025-03-05")),
        (Some("2024-05-01"), None),
    ];
    h.update(&batch(&rows), None, Some(&[0, 0, 1])).unwrap();
    assert_eq!(h.finish(0).unwrap().value, Some(50.0));
    assert_eq!(h.finish(1).unwrap().value, Some(0.0));
}

#[test]
fn bind_errors_reach_the_user() {
    let err = Harness::<Retention>::bind("{}", &inputs()).err().unwrap();
    assert!(err.contains("period is required"), "{err}");
    let err = Harness::<Churn>::bind(
        r#"{"period": {"from": "2025-01-01", "to": "2025-04-01", "grain": "month"}, "min": 1}"#,
        &inputs(),
    )
    .err()
    .unwrap();
    assert!(err.contains("unknown field"), "{err}");
}
