//! Tests of the `percentile` metric.

use super::warnings;
use crate::percentile::{ordinal, Percentile, PercentileParams, PercentileState, DEFINITION};
use cxm_sdk::testing::{Column, Harness};
use serde_json::json;

fn bind(params: &str) -> Result<Harness<Percentile>, String> {
    Harness::<Percentile>::bind(params, &[("value", Column::Number(vec![]))])
}

fn numbers(values: &[f64]) -> Column {
    Column::Number(values.iter().map(|x| Some(*x)).collect())
}

fn one_to_ten() -> Column {
    numbers(&(1..=10).map(f64::from).collect::<Vec<_>>())
}

#[test]
fn hyndman_fan_2_on_one_to_ten() {
    // n = 10, p = 0.9: n·p = 9 is whole -> (x9 + x10)/2 = 9.5; median: n·0.5 = 5 whole
    // -> (5 + 6)/2 = 5.5; p = 0.95: n·p = 9.5 -> x10 = 10.
    let mut h = bind(r#"{"p": 0.9}"#).unwrap();
    h.update(&[one_to_ten()], None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(9.5));
    assert_eq!(r.n, 10.0);
    assert_eq!(r.ci, None);
    assert_eq!(r.details["p"], json!(0.9));
    assert_eq!(r.details["median"], json!(5.5));
    assert_eq!(r.details["min"], json!(1.0));
    assert_eq!(r.details["max"], json!(10.0));
    assert_eq!(r.details["definition"], json!(DEFINITION));
    assert_eq!(
        r.unit,
        "90th percentile (Hyndman-Fan definition 2), in the unit of the input"
    );
    assert_eq!(warnings(&r), ["low_sample"]);

    let mut h = bind(r#"{"p": 0.95, "unit": "EUR"}"#).unwrap();
    h.update(&[one_to_ten()], None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(10.0));
    assert_eq!(r.unit, "EUR, 95th percentile (Hyndman-Fan definition 2)");
}

#[test]
fn weights_equal_expanded_rows() {
    // (1, 2), (5, 1), (7, 3) == [1, 1, 5, 7, 7, 7]; median: W·0.5 = 3 = C(5) exactly
    // -> (5 + 7)/2 = 6; p = 0.25: 1.5 -> 1.
    for p in ["0.25", "0.5", "0.9"] {
        let params = format!(r#"{{"p": {p}}}"#);
        let mut w = bind(&params).unwrap();
        w.update(&[numbers(&[1.0, 5.0, 7.0])], Some(&[2.0, 1.0, 3.0]), None)
            .unwrap();
        let mut e = bind(&params).unwrap();
        e.update(&[numbers(&[1.0, 1.0, 5.0, 7.0, 7.0, 7.0])], None, None)
            .unwrap();
        assert_eq!(w.finish(0).unwrap(), e.finish(0).unwrap(), "p = {p}");
    }
    let m = Percentile::new(PercentileParams {
        p: Some(0.25),
        ..PercentileParams::default()
    })
    .unwrap();
    let mut s = PercentileState::default();
    for (x, w) in [(1.0, 2.0), (5.0, 1.0), (7.0, 3.0)] {
        m.tally(&mut s, Some(x), w).unwrap();
    }
    let r = m.result(&s);
    assert_eq!((r.value, r.n), (Some(1.0), 6.0));
    assert_eq!(r.details["median"], json!(6.0));
}

#[test]
fn empty_and_all_invalid_input_have_no_value() {
    let h = bind(r#"{"p": 0.5}"#).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.details["median"], json!(null));
    assert_eq!(warnings(&r), ["no_data", "low_sample"]);

    let mut h = bind(r#"{"p": 0.5}"#).unwrap();
    let status = h
        .update(
            &[Column::Number(vec![None, Some(f64::NEG_INFINITY)])],
            None,
            None,
        )
        .unwrap();
    assert_eq!(status, ["empty", "not_a_number"]);
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn merging_equals_one_instance_over_all_rows() {
    // a = 1..5, b = 6..10 merged == 1..10: p90 = 9.5.
    let mut a = bind(r#"{"p": 0.9}"#).unwrap();
    a.update(&[numbers(&[3.0, 1.0, 5.0, 2.0, 4.0])], None, None)
        .unwrap();
    let mut b = bind(r#"{"p": 0.9}"#).unwrap();
    b.update(&[numbers(&[10.0, 6.0, 8.0, 7.0, 9.0])], None, None)
        .unwrap();
    a.merge(&b, &[0]).unwrap();
    let mut one = bind(r#"{"p": 0.9}"#).unwrap();
    one.update(&[one_to_ten()], None, None).unwrap();
    let (merged, single) = (a.finish(0).unwrap(), one.finish(0).unwrap());
    assert_eq!(merged, single);
    assert_eq!(merged.value, Some(9.5));
}

#[test]
fn ordinals() {
    let cases = [
        (0.9, "90th"),
        (0.5, "50th"),
        (0.01, "1st"),
        (0.02, "2nd"),
        (0.03, "3rd"),
        (0.07, "7th"),
        (0.11, "11th"),
        (0.12, "12th"),
        (0.13, "13th"),
        (0.21, "21st"),
        (0.29, "29th"),
        (0.925, "92.5th"),
        (0.999, "99.9th"),
    ];
    for (p, text) in cases {
        assert_eq!(ordinal(p), text, "p = {p}");
    }
}

#[test]
fn param_errors() {
    let err = |p: &str| bind(p).err().unwrap();
    assert!(err("{}").contains("p is required"));
    let e = err(r#"{"p": 90}"#);
    assert!(
        e.contains("p = 90 must be a fraction strictly between 0 and 1")
            && e.contains("write 0.9 for the 90th percentile"),
        "{e}"
    );
    assert!(err(r#"{"p": 95}"#).contains("write 0.95 for the 95th percentile"));
    assert!(err(r#"{"p": 1}"#).contains("maximum"));
    assert!(err(r#"{"p": 0}"#).contains("write 0.9 for the 90th percentile"));
    assert!(err(r#"{"p": -0.5}"#).contains("strictly between 0 and 1"));
    assert!(err(r#"{"p": 0.9, "unit": " "}"#).contains("unit is blank"));
    assert!(err(r#"{"p": 0.9, "confidence": 0.9}"#).contains("unknown field `confidence`"));
    assert!(err(r#"{"p": "0.9"}"#).contains("invalid type"));
}

#[test]
fn percentile_has_no_test_basis() {
    // A percentile is not a mean, share or NPS: no significance test, so no basis.
    let mut h = bind(r#"{"p": 0.9}"#).unwrap();
    h.update(&[one_to_ten()], None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (Some(9.5), &None));
}
