//! Tests of the `composite` plugin through its real ABI functions (`cxm_sdk::testing`):
//! variadic signal inputs named by the config, row statuses with the own reasons, groups,
//! and merging two instances.

use super::*;
use cxm_sdk::testing::{Column, Harness};
use serde_json::json;

const PARAMS: &str = r#"{"signals": {
    "logins": {"weight": 2, "normalize": {"linear": [0, 20]}},
    "tickets": {"weight": 1, "normalize": {"linear": [0, 5], "invert": true}}}}"#;

fn inputs() -> Vec<(&'static str, Column)> {
    vec![
        ("entity", Column::text(&[])),
        ("snapshot", Column::Date(vec![])),
        ("logins", Column::Number(vec![])),
        ("tickets", Column::Number(vec![])),
    ]
}

/// Rows: A@1 (logins 20, tickets 0) → 100; A@2 (10, 0) → (100 + 100)/3 = 66.67 (cooling);
/// B@2 (5, missing) → 25 renormalized; B@2 again → duplicate; C@2 all missing → no_signals;
/// D without snapshot → empty; an empty entity → empty.
fn batch() -> Vec<Column> {
    vec![
        Column::text(&[
            Some("A"),
            Some("A"),
            Some("B"),
            Some("B"),
            Some("C"),
            Some("D"),
            None,
        ]),
        Column::Date(vec![
            Some(1),
            Some(2),
            Some(2),
            Some(2),
            Some(2),
            None,
            Some(2),
        ]),
        Column::Number(vec![
            Some(20.0),
            Some(10.0),
            Some(5.0),
            Some(20.0),
            None,
            Some(1.0),
            Some(1.0),
        ]),
        Column::Number(vec![
            Some(0.0),
            Some(0.0),
            None,
            Some(0.0),
            None,
            Some(0.0),
            Some(0.0),
        ]),
    ]
}

#[test]
fn rows_are_used_or_rejected_with_reasons() {
    let mut h = Harness::<Composite>::bind(PARAMS, &inputs()).unwrap();
    let status = h.update(&batch(), None, None).unwrap();
    assert_eq!(
        status,
        [
            "used",
            "used",
            "used",
            "duplicate_entity",
            "no_signals",
            "empty",
            "empty"
        ]
    );
    let r = h.finish(0).unwrap();
    // A latest: (2·50 + 100) / 3 = 66.666..., B: 2·25 / 2 = 25; mean = 45.833...
    let a = 200.0 / 3.0;
    assert!((r.value.unwrap() - (a + 25.0) / 2.0).abs() < 1e-9);
    assert_eq!(r.n, 2.0);
    assert_eq!(r.details["cooling"], json!(1.0));
    let rows = &r.tables[0].rows;
    assert_eq!(rows[0][..3], [json!("B"), json!(25.0), json!("red")]);
    assert_eq!(rows[0][4], serde_json::Value::Null);
    assert_eq!(rows[1][5], json!(100.0));
    assert_eq!(rows[1][7], json!(true));
}

#[test]
fn groups_merge_into_the_same_result_as_one_instance() {
    let mut whole = Harness::<Composite>::bind(PARAMS, &inputs()).unwrap();
    whole.update(&batch(), None, None).unwrap();
    // Two instances with two groups each (both B rows in one group, so the duplicate is
    // rejected at update as in one instance); merge every group into group 0.
    let mut a = Harness::<Composite>::bind(PARAMS, &inputs()).unwrap();
    let mut b = Harness::<Composite>::bind(PARAMS, &inputs()).unwrap();
    let cols = batch();
    let take = |range: std::ops::Range<usize>| -> Vec<Column> {
        cols.iter()
            .map(|c| match c {
                Column::Text(v) => Column::Text(v[range.clone()].to_vec()),
                Column::Date(v) => Column::Date(v[range.clone()].to_vec()),
                Column::Number(v) => Column::Number(v[range.clone()].to_vec()),
                other => other.clone(),
            })
            .collect()
    };
    a.update(&take(0..2), None, Some(&[0, 1])).unwrap();
    b.update(&take(2..7), None, Some(&[0, 0, 1, 0, 1])).unwrap();
    let mut total = Harness::<Composite>::bind(PARAMS, &inputs()).unwrap();
    total.merge(&a, &[0, 0]).unwrap();
    total.merge(&b, &[0, 0]).unwrap();
    let (t, w) = (total.finish(0).unwrap(), whole.finish(0).unwrap());
    assert_eq!(
        (t.value, t.n, &t.details, &t.tables),
        (w.value, w.n, &w.details, &w.tables)
    );
}

#[test]
fn without_snapshot_each_customer_has_one_row() {
    let inputs = vec![
        ("entity", Column::text(&[])),
        ("logins", Column::Number(vec![])),
        ("tickets", Column::Number(vec![])),
    ];
    let mut h = Harness::<Composite>::bind(PARAMS, &inputs).unwrap();
    let status = h
        .update(
            &[
                Column::text(&[Some("A"), Some("A")]),
                Column::Number(vec![Some(20.0), Some(0.0)]),
                Column::Number(vec![Some(5.0), Some(0.0)]),
            ],
            Some(&[3.0, 1.0]),
            None,
        )
        .unwrap();
    assert_eq!(status, ["used", "duplicate_entity"]);
    // (2·100 + 0) / 3 = 66.67 with weight 3: n = 3.
    let r = h.finish(0).unwrap();
    assert!((r.value.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(r.n, 3.0);
    assert_eq!(r.details["snapshots"], json!(1));
}

#[test]
fn bind_names_the_unmatched_signal() {
    let mut inputs = inputs();
    inputs.push(("csat", Column::Number(vec![])));
    let err = Harness::<Composite>::bind(PARAMS, &inputs).err().unwrap();
    assert!(
        err.contains("input 'csat' is mapped but signals has no entry"),
        "{err}"
    );
    let err = Harness::<Composite>::bind(PARAMS, &inputs[..3])
        .err()
        .unwrap();
    assert!(err.contains("signal 'tickets' has no input"), "{err}");
}
