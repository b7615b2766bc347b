//! Unit tests of the `csi` plugin: the spec's worked example, weights, merging, rejection
//! reasons (through the real ABI with the SDK harness) and param validation. Expected
//! values are worked out by hand in the comments; the t quantile with 2 df has the closed
//! form (2p − 1) / √(2p(1 − p)), evaluated in Python 3 floats.

use super::*;
use cxm_sdk::testing::{Column, Harness};
use serde_json::{json, Value};

const TOL: f64 = 1e-9;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= TOL,
        "expected {expected}, got {actual}"
    );
}

fn close_json(actual: &Value, expected: f64) {
    close(actual.as_f64().unwrap_or(f64::NAN), expected);
}

fn csi(params: Value, importance_mapped: bool) -> Result<Csi, String> {
    let params: CsiParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Csi::new(params, importance_mapped)
}

/// Rows (attribute, satisfaction, importance, weight), all of which must be used.
fn tally(m: &Csi, rows: &[(&str, f64, Option<f64>, f64)]) -> CsiState {
    let mut s = CsiState::default();
    for &(a, sat, imp, w) in rows {
        m.tally(&mut s, Some(a), Some(sat), imp, w).unwrap();
    }
    s
}

/// Spec example: price rated 4 and 6 (mean 5), delivery 7 and 7 (mean 7).
const EXAMPLE: [(&str, f64, Option<f64>, f64); 4] = [
    ("price", 4.0, Some(6.0), 1.0),
    ("price", 6.0, Some(6.0), 1.0),
    ("delivery", 7.0, Some(1.0), 1.0),
    ("delivery", 7.0, Some(3.0), 1.0),
];

/// Checks the spec example's result: CSI = 100 · (6·5 + 2·7) / (7 · 8) = 4400 / 56.
/// Normalised weights 6/8 = 0.75 and 2/8 = 0.25; satisfaction shares 5/12 and 7/12;
/// gaps 0.75 − 5/12 = 1/3 (price, first) and 0.25 − 7/12 = −1/3 (delivery).
fn assert_spec_example(r: &MetricResult) {
    close(r.value.unwrap(), 78.571_428_571_428_57);
    assert_eq!(r.n, 4.0);
    assert_eq!(r.unit, "CSI (0-100, importance-weighted, scale 1-7)");
    assert_eq!(r.details["attributes"], json!(2));
    let t = &r.tables[0];
    assert_eq!(t.name, "attributes");
    assert_eq!(
        t.columns,
        [
            "attribute",
            "weight",
            "normalized_weight",
            "mean_satisfaction",
            "satisfaction_share",
            "priority_gap",
            "n"
        ]
    );
    assert_eq!(t.rows[0][0], json!("price"));
    assert_eq!(t.rows[1][0], json!("delivery"));
    let expected = [
        [6.0, 0.75, 5.0, 5.0 / 12.0, 0.75 - 5.0 / 12.0, 2.0],
        [2.0, 0.25, 7.0, 7.0 / 12.0, 0.25 - 7.0 / 12.0, 2.0],
    ];
    for (row, want) in t.rows.iter().zip(expected) {
        for (cell, w) in row[1..].iter().zip(want) {
            close_json(cell, w);
        }
    }
}

#[test]
fn spec_example_with_fixed_weights() {
    let m = csi(json!({"weights": {"price": 6, "delivery": 2}}), false).unwrap();
    let r = m.result(&tally(&m, &EXAMPLE));
    assert_spec_example(&r);
    assert_eq!(r.details["weight_source"], json!("weights"));
    assert_eq!(r.details["attributes_without_data"], json!([]));
    assert_eq!(r.warnings, ["low_sample"]);
}

#[test]
fn spec_example_with_mean_importance() {
    // Mean importance: price (6 + 6) / 2 = 6, delivery (1 + 3) / 2 = 2.
    let m = csi(json!({}), true).unwrap();
    let r = m.result(&tally(&m, &EXAMPLE));
    assert_spec_example(&r);
    assert_eq!(r.details["weight_source"], json!("importance"));
    assert_eq!(r.details["importance_scale"], json!("1-7"));
    assert_eq!(r.details["attributes_without_importance"], json!([]));
}

#[test]
fn fixed_weights_override_row_importances() {
    // Importances would give price 1 and delivery 7; the fixed 6 and 2 win.
    let m = csi(json!({"weights": {"price": 6, "delivery": 2}}), true).unwrap();
    let rows: Vec<_> = EXAMPLE
        .iter()
        .map(|&(a, s, _, w)| (a, s, Some(if a == "price" { 1.0 } else { 7.0 }), w))
        .collect();
    assert_spec_example(&m.result(&tally(&m, &rows)));
}

#[test]
fn empty_importance_counts_for_satisfaction_only() {
    // price: (4, importance 6) and (6, no importance) -> S̄ = 5, w = 6 (one importance);
    // delivery: 7 with importances 1 and 3 -> w = 2. Same CSI as the spec example.
    let m = csi(json!({}), true).unwrap();
    let mut rows = EXAMPLE;
    rows[1].2 = None;
    let s = tally(&m, &rows);
    assert_eq!(s.attributes["price"].satisfaction.weight, 2.0);
    assert_eq!(s.attributes["price"].importance.weight, 1.0);
    assert_spec_example(&m.result(&s));
}

#[test]
fn attribute_without_any_importance_is_left_out_and_warned() {
    // speed has ratings but no importance: CSI over price and delivery only.
    let m = csi(json!({"min_n": 1}), true).unwrap();
    let mut rows = EXAMPLE.to_vec();
    rows.push(("speed", 2.0, None, 1.0));
    let r = m.result(&tally(&m, &rows));
    close(r.value.unwrap(), 4400.0 / 56.0);
    assert_eq!(r.n, 4.0);
    assert_eq!(r.details["attributes_without_importance"], json!(["speed"]));
    assert_eq!(r.warnings, ["attributes_without_importance"]);
}

#[test]
fn weighted_rows_equal_expanded_rows() {
    // price 4 x3, 6 x3 (importance 6); delivery 7 x2 with importance 1, 7 x2 with 3.
    let m = csi(json!({}), true).unwrap();
    let weighted = tally(
        &m,
        &[
            ("price", 4.0, Some(6.0), 3.0),
            ("price", 6.0, Some(6.0), 3.0),
            ("delivery", 7.0, Some(1.0), 2.0),
            ("delivery", 7.0, Some(3.0), 2.0),
        ],
    );
    let mut expanded = CsiState::default();
    for (a, s, i, k) in [
        ("price", 4.0, 6.0, 3),
        ("price", 6.0, 6.0, 3),
        ("delivery", 7.0, 1.0, 2),
        ("delivery", 7.0, 3.0, 2),
    ] {
        for _ in 0..k {
            m.tally(&mut expanded, Some(a), Some(s), Some(i), 1.0)
                .unwrap();
        }
    }
    assert_eq!(weighted, expanded);
    let r = m.result(&weighted);
    assert_eq!(r, m.result(&expanded));
    close(r.value.unwrap(), 4400.0 / 56.0);
    assert_eq!(r.n, 10.0);
}

#[test]
fn interval_is_a_stratified_t_interval() {
    // Scale 0-10, weights 1 and 1: a = 4, 6 (mean 5, s² = 2), b = 7, 9 (mean 8, s² = 2).
    // CSI = 100 · (5 + 8) / (10 · 2) = 65. c = 100 · 1 / (10 · 2) = 5 for both; a_i = 25 · 2 / 2
    // = 25, Var = 50, df = 50² / (25² + 25²) = 2, t(0.975, 2) = 4.302652729749464,
    // half = t · √50 -> (34.575650777033445, 95.42434922296655).
    let m = csi(
        json!({"scale": [0, 10], "weights": {"a": 1, "b": 1}}),
        false,
    )
    .unwrap();
    let s = tally(
        &m,
        &[
            ("a", 4.0, None, 1.0),
            ("a", 6.0, None, 1.0),
            ("b", 7.0, None, 1.0),
            ("b", 9.0, None, 1.0),
        ],
    );
    let r = m.result(&s);
    assert_eq!(r.value, Some(65.0));
    let ci = r.ci.unwrap();
    close(ci.low, 34.575_650_777_033_445);
    close(ci.high, 95.424_349_222_966_55);
    assert_eq!((ci.level, ci.method.as_str()), (0.95, "t_satterthwaite"));
    assert_eq!(r.unit, "CSI (0-100, importance-weighted, scale 0-10)");
    // One rating of an attribute: no variance, no interval.
    let s = tally(&m, &[("a", 4.0, None, 1.0), ("b", 7.0, None, 1.0)]);
    assert_eq!(m.result(&s).ci, None);
}

#[test]
fn configured_attribute_without_rows_is_warned() {
    // Only price is rated: CSI = 100 · 5 / 7 over price alone.
    let m = csi(
        json!({"weights": {"price": 6, "delivery": 2, "unused": 0}, "min_n": 1}),
        false,
    )
    .unwrap();
    let r = m.result(&tally(&m, &EXAMPLE[..2]));
    close(r.value.unwrap(), 500.0 / 7.0);
    assert_eq!(r.details["attributes_without_data"], json!(["delivery"]));
    assert_eq!(r.warnings, ["attributes_without_data"]);
}

#[test]
fn low_sample_counts_each_attribute() {
    // 30 rows overall but only 2 for delivery -> low_sample; 30 for each -> none.
    let m = csi(json!({"weights": {"price": 6, "delivery": 2}}), false).unwrap();
    let r = m.result(&tally(
        &m,
        &[("price", 5.0, None, 28.0), ("delivery", 7.0, None, 2.0)],
    ));
    assert_eq!(r.warnings, ["low_sample"]);
    let r = m.result(&tally(
        &m,
        &[("price", 5.0, None, 30.0), ("delivery", 7.0, None, 30.0)],
    ));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    close(r.value.unwrap(), 4400.0 / 56.0);
}

#[test]
fn empty_state_has_no_value_and_warns() {
    let m = csi(json!({}), true).unwrap();
    let r = Metric::finish(&m, &CsiState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.ci, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.details["attributes"], json!(0));
    assert!(r.tables[0].rows.is_empty());
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
}

#[test]
fn zero_importances_give_no_value() {
    let m = csi(json!({"importance_scale": [0, 10], "min_n": 1}), true).unwrap();
    let r = m.result(&tally(&m, &[("price", 5.0, Some(0.0), 1.0)]));
    assert_eq!(r.value, None);
    assert_eq!(r.n, 1.0);
    assert_eq!(r.warnings, ["zero_total_weight"]);
}

fn inputs(with_importance: bool) -> Vec<(&'static str, Column)> {
    let mut v = vec![
        ("attribute", Column::text(&[])),
        ("satisfaction", Column::Number(vec![])),
    ];
    if with_importance {
        v.push(("importance", Column::Number(vec![])));
    }
    v
}

fn batch(rows: &[(Option<&str>, Option<f64>, Option<f64>)]) -> Vec<Column> {
    vec![
        Column::text(&rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::Number(rows.iter().map(|r| r.1).collect()),
        Column::Number(rows.iter().map(|r| r.2).collect()),
    ]
}

#[test]
fn every_row_is_used_or_rejected_with_a_reason() {
    let mut h = Harness::<Csi>::bind(r#"{"weights": {"price": 6}}"#, &inputs(true)).unwrap();
    let status = h
        .update(
            &batch(&[
                (Some("price"), Some(5.0), None),
                (Some("delivery"), Some(5.0), None),
                (Some("price"), Some(8.0), None),
                (Some("price"), Some(f64::NAN), None),
                (None, Some(5.0), None),
                (Some("price"), None, Some(3.0)),
                (Some("  "), Some(5.0), None),
            ]),
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        status,
        [
            "used",
            "attribute_without_weight",
            "out_of_scale",
            "not_a_number",
            "empty",
            "empty",
            "empty"
        ]
    );

    let mut h = Harness::<Csi>::bind("{}", &inputs(true)).unwrap();
    let status = h
        .update(
            &batch(&[
                (Some("price"), Some(5.0), Some(7.5)),
                (Some("price"), Some(5.0), Some(0.0)),
                (Some("price"), Some(0.5), Some(3.0)),
                (Some("price"), Some(5.0), Some(f64::INFINITY)),
            ]),
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        status,
        [
            "importance_out_of_scale",
            "importance_out_of_scale",
            "out_of_scale",
            "not_a_number"
        ]
    );
    // All rows invalid: an empty result.
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
}

#[test]
fn merged_instances_equal_one_instance_over_all_rows() {
    let rows = [
        (Some("price"), Some(4.0), Some(6.0)),
        (Some("delivery"), Some(7.0), Some(1.0)),
        (Some("price"), Some(6.0), Some(6.0)),
        (Some("delivery"), Some(7.0), Some(3.0)),
    ];
    let mut whole = Harness::<Csi>::bind("{}", &inputs(true)).unwrap();
    whole.update(&batch(&rows), None, None).unwrap();
    let mut a = Harness::<Csi>::bind("{}", &inputs(true)).unwrap();
    let mut b = Harness::<Csi>::bind("{}", &inputs(true)).unwrap();
    a.update(&batch(&rows[..1]), None, None).unwrap();
    // b holds the other rows in two groups, both folded into a's group 0.
    b.update(&batch(&rows[1..]), None, Some(&[0, 1, 1]))
        .unwrap();
    a.merge(&b, &[0, 0]).unwrap();
    let (ra, rw) = (a.finish(0).unwrap(), whole.finish(0).unwrap());
    assert_eq!(ra, rw);
    assert_spec_example(&rw);
}

#[test]
fn bind_needs_importance_or_weights() {
    let err = Harness::<Csi>::bind("{}", &inputs(false)).err().unwrap();
    assert!(err.contains("map the importance input"), "{err}");
    assert!(err.contains("params.weights"), "{err}");
    assert!(Harness::<Csi>::bind(r#"{"weights": {"a": 1}}"#, &inputs(false)).is_ok());
}

#[test]
fn invalid_params_are_refused_with_a_reason() {
    let cases = [
        (json!({"scale": [7, 1]}), "lowest < highest"),
        (json!({"scale": [-3, 3]}), "starts below 0"),
        (
            json!({"importance_scale": [5, 5]}),
            "importance_scale = [5, 5]",
        ),
        (json!({"weights": {}}), "is empty"),
        (json!({"weights": {"a": -1}}), "weights.a = -1"),
        (json!({"weights": {"a": 0, "b": 0}}), "all 0"),
        (json!({"weights": {"a": 1, " a ": 2}}), "twice"),
        (json!({"confidence": 95}), "write 0.95"),
        (json!({"wieghts": {"a": 1}}), "unknown field `wieghts`"),
    ];
    for (params, message) in cases {
        let err = csi(params.clone(), true).err().unwrap_or_default();
        assert!(err.contains(message), "{params}: {err}");
    }
    let m = csi(json!({"scale": [1, 5]}), true).unwrap();
    assert_eq!(m.params().importance_scale, [1.0, 5.0]);
}

#[test]
fn csi_has_no_test_basis() {
    // The index combines per-attribute means; no standard test applies, so no basis.
    let m = csi(json!({"weights": {"price": 6, "delivery": 2}}), false).unwrap();
    let r = m.result(&tally(&m, &EXAMPLE));
    assert!(r.value.is_some());
    assert_eq!(r.basis, None);
}
