//! Unit tests of `acme_health` with hand-computed scores (defaults: weights 0.5 / 0.3 /
//! 0.2, login_target 20, ticket_ceiling 5, at_risk_below 50), through the plugin's real
//! ABI functions (`cxm_sdk::testing::Harness`) and its plain methods.

use super::*;
use cxm_sdk::testing::{Column, Harness};

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

fn inputs() -> Vec<(&'static str, Column)> {
    let num = || Column::Number(vec![]);
    vec![
        ("account", Column::text(&[])),
        ("seats_used", num()),
        ("seats_purchased", num()),
        ("logins_30d", num()),
        ("open_tickets", num()),
    ]
}

type Raw = (Option<&'static str>, f64, f64, f64, Option<f64>);

fn columns(rows: &[Raw]) -> Vec<Column> {
    vec![
        Column::text(&rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::Number(rows.iter().map(|r| Some(r.1)).collect()),
        Column::Number(rows.iter().map(|r| Some(r.2)).collect()),
        Column::Number(rows.iter().map(|r| Some(r.3)).collect()),
        Column::Number(rows.iter().map(|r| r.4).collect()),
    ]
}

fn fixture() -> Vec<Raw> {
    vec![
        // u = 40/50 = 0.8, e = 10/20 = 0.5, s = 1 − 1/5 = 0.8:
        // 100 · (0.5·0.8 + 0.3·0.5 + 0.2·0.8) / 1 = 100 · 0.71 = 71.
        (Some("acme-1"), 40.0, 50.0, 10.0, Some(1.0)),
        // u = min(60/50, 1) = 1, e = min(30/20, 1) = 1, no tickets:
        // 100 · (0.5 + 0.3) / 0.8 = 100.
        (Some("acme-2"), 60.0, 50.0, 30.0, None),
        // u = 10/40 = 0.25, e = 4/20 = 0.2, s = 1 − 5/5 = 0:
        // 100 · (0.125 + 0.06 + 0) = 18.5 → at risk.
        (Some("acme-3"), 10.0, 40.0, 4.0, Some(5.0)),
        (Some("acme-4"), 5.0, 0.0, 3.0, Some(1.0)), // no_seats
        (Some("acme-1"), 1.0, 50.0, 1.0, Some(0.0)), // duplicate_account
        (Some("acme-5"), -1.0, 50.0, 1.0, Some(0.0)), // invalid_value
        (None, 1.0, 50.0, 1.0, Some(0.0)),          // empty
    ]
}

#[test]
fn hand_computed_scores() {
    let mut h = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    let status = h.update(&columns(&fixture()), None, None).unwrap();
    assert_eq!(
        status,
        [
            "used",
            "used",
            "used",
            "no_seats",
            "duplicate_account",
            "invalid_value",
            "empty"
        ]
    );
    let r = h.finish(0).unwrap();
    // (71 + 100 + 18.5) / 3 = 63.1666…
    close(r.value.unwrap(), 189.5 / 3.0);
    assert_eq!(r.n, 3.0);
    assert_eq!(r.unit, "account health score (0-100)");
    assert_eq!(r.details["accounts"], json!(3.0));
    assert_eq!(r.details["at_risk"], json!(1.0));
    let t = &r.tables[0];
    assert_eq!(t.name, "accounts");
    assert_eq!(
        t.columns,
        [
            "account",
            "score",
            "utilization",
            "engagement",
            "support",
            "at_risk"
        ]
    );
    assert_eq!(
        t.rows[0],
        [
            json!("acme-3"),
            json!(18.5),
            json!(25.0),
            json!(20.0),
            json!(0.0),
            json!(true)
        ]
    );
    assert_eq!(t.rows[1][0], json!("acme-1"));
    close(t.rows[1][1].as_f64().unwrap(), 71.0);
    assert_eq!(
        t.rows[2],
        [
            json!("acme-2"),
            json!(100.0),
            json!(100.0),
            json!(100.0),
            Value::Null,
            json!(false)
        ]
    );
}

#[test]
fn custom_weights_and_targets() {
    let p = r#"{"weights": {"utilization": 1, "engagement": 1, "support": 2}, "login_target": 10, "ticket_ceiling": 4, "at_risk_below": 80}"#;
    let mut h = Harness::<AcmeHealth>::bind(p, &inputs()).unwrap();
    // u = 0.8, e = min(10/10, 1) = 1, s = 1 − 1/4 = 0.75: 100 · (0.8 + 1 + 1.5) / 4 = 82.5.
    h.update(
        &columns(&[(Some("a"), 40.0, 50.0, 10.0, Some(1.0))]),
        None,
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    close(r.value.unwrap(), 82.5);
    assert_eq!(r.details["at_risk"], json!(0.0));
}

#[test]
fn open_tickets_may_be_unmapped() {
    let mut h = Harness::<AcmeHealth>::bind("{}", &inputs()[..4]).unwrap();
    // u = 0.8, e = 0.5: 100 · (0.4 + 0.15) / 0.8 = 68.75.
    h.update(&columns(&fixture()[..1])[..4], None, None)
        .unwrap();
    close(h.finish(0).unwrap().value.unwrap(), 68.75);
}

#[test]
fn weight_counts_like_identical_accounts() {
    let mut weighted = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    let rows = fixture();
    weighted
        .update(&columns(&[rows[0], rows[2]]), Some(&[2.0, 1.0]), None)
        .unwrap();
    let mut expanded = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    let copy = (Some("acme-1b"), 40.0, 50.0, 10.0, Some(1.0));
    expanded
        .update(&columns(&[rows[0], copy, rows[2]]), None, None)
        .unwrap();
    let (w, e) = (weighted.finish(0).unwrap(), expanded.finish(0).unwrap());
    // (2 · 71 + 18.5) / 3 = 53.5
    close(w.value.unwrap(), 53.5);
    close(w.value.unwrap(), e.value.unwrap());
    assert_eq!((w.n, &w.details), (e.n, &e.details));
}

#[test]
fn empty_and_all_invalid_input_have_no_value() {
    let mut h = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data"]);
    let rows = fixture();
    let status = h
        .update(&columns(&[rows[3], rows[5], rows[6]]), None, None)
        .unwrap();
    assert_eq!(status, ["no_seats", "invalid_value", "empty"]);
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn merging_two_instances_equals_one() {
    let rows = fixture();
    let mut whole = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    whole.update(&columns(&rows), None, None).unwrap();
    let mut a = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    let mut b = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    a.update(&columns(&rows[..2]), None, None).unwrap();
    b.update(&columns(&rows[2..]), None, None).unwrap();
    a.merge(&b, &[0]).unwrap();
    // rows[4] (acme-1 again) reached b as a new account; on merge a's acme-1 wins.
    assert_eq!(a.finish(0).unwrap(), whole.finish(0).unwrap());
}

#[test]
fn params_are_validated() {
    let err = |p: &str| Harness::<AcmeHealth>::bind(p, &inputs()).err().unwrap();
    assert!(err(r#"{"weights": {"support": -1}}"#).contains("weights.support = -1"));
    let zero = r#"{"weights": {"utilization": 0, "engagement": 0, "support": 0}}"#;
    assert!(err(zero).contains("must not all be 0"));
    assert!(err(r#"{"login_target": 0}"#).contains("login_target = 0 must be a positive"));
    assert!(err(r#"{"ticket_ceiling": -2}"#).contains("ticket_ceiling = -2"));
    assert!(err(r#"{"at_risk_below": 500}"#).contains("0-100"));
    assert!(err(r#"{"login_goal": 5}"#).contains("unknown field"));
    // Support-only weights and no tickets: nothing to score → empty.
    let m = AcmeHealth::new(Params {
        weights: Weights {
            utilization: 0.0,
            engagement: 0.0,
            support: 1.0,
        },
        ..Params::default()
    })
    .unwrap();
    assert_eq!(m.score(1.0, 2.0, 3.0, None), Err(Reject::Empty));
    assert_eq!(m.score(1.0, 2.0, f64::NAN, None), Err(Reject::NotANumber));
}

/// The (mean, variance, n) of a `Mean` basis, checked against the value and n.
fn mean_basis_of(r: &MetricResult) -> (f64, f64, f64) {
    match r.basis {
        Some(TestBasis::Mean { mean, variance, n }) => {
            assert_eq!(Some(mean), r.value, "the basis mean is the headline value");
            assert_eq!(n, r.n);
            (mean, variance, n)
        }
        ref other => panic!("expected a Mean basis, got {other:?}"),
    }
}

#[test]
fn basis_is_the_mean_account_score_with_its_sample_variance() {
    // Scores 71, 100, 18.5: Σx = 189.5, Σx² = 5041 + 10000 + 342.25 = 15383.25;
    // s² = (15383.25 − 189.5²/3) / 2 = 20479/12.
    let mut h = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    h.update(&columns(&fixture()), None, None).unwrap();
    let (mean, variance, n) = mean_basis_of(&h.finish(0).unwrap());
    close(mean, 189.5 / 3.0);
    close(variance, 20_479.0 / 12.0);
    assert_eq!(n, 3.0);
    // Frequency weights: acme-1 (71) ×2 and acme-3 (18.5): Σw = 3, Σw·x = 160.5,
    // Σw·x² = 10424.25; s² = (10424.25 − 160.5²/3) / 2 = 918.75; the same as the expanded
    // accounts.
    let rows = fixture();
    let mut weighted = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    weighted
        .update(&columns(&[rows[0], rows[2]]), Some(&[2.0, 1.0]), None)
        .unwrap();
    let (mean, variance, n) = mean_basis_of(&weighted.finish(0).unwrap());
    close(mean, 53.5);
    close(variance, 918.75);
    assert_eq!(n, 3.0);
    let mut expanded = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    let copy = (Some("acme-1b"), 40.0, 50.0, 10.0, Some(1.0));
    expanded
        .update(&columns(&[rows[0], copy, rows[2]]), None, None)
        .unwrap();
    close(mean_basis_of(&expanded.finish(0).unwrap()).1, 918.75);
}

#[test]
fn no_basis_without_a_sample_variance() {
    // One account: a mean but no sample variance; none: no value either.
    let mut h = Harness::<AcmeHealth>::bind("{}", &inputs()).unwrap();
    assert_eq!(h.finish(0).unwrap().basis, None);
    h.update(&columns(&fixture()[..1]), None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert!(r.value.is_some());
    assert_eq!(r.basis, None);
    assert_eq!(mean_basis(1.0, 71.0, 5041.0), None);
    assert_eq!(mean_basis(0.0, 0.0, 0.0), None);
}
