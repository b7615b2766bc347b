//! Tests of the `sum` metric.

use super::warnings;
use crate::sum::{Sum, SumParams, SumState};
use cxm_sdk::testing::{Column, Harness};

fn bind(params: &str) -> Harness<Sum> {
    Harness::<Sum>::bind(params, &[("value", Column::Number(vec![]))]).unwrap()
}

#[test]
fn sums_values_and_rejects_empty_and_nan() {
    // 10 + 20.5 + (-3) = 27.5; null -> empty; NaN, inf -> not_a_number.
    let mut h = bind("{}");
    let col = Column::Number(vec![
        Some(10.0),
        Some(20.5),
        None,
        Some(f64::NAN),
        Some(-3.0),
        Some(f64::INFINITY),
    ]);
    assert_eq!(
        h.update(&[col], None, None).unwrap(),
        [
            "used",
            "used",
            "empty",
            "not_a_number",
            "used",
            "not_a_number"
        ]
    );
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(27.5));
    assert_eq!(r.n, 3.0);
    assert_eq!(r.unit, "sum");
    assert_eq!(warnings(&r), ["low_sample"]);
}

#[test]
fn weights_equal_expanded_rows() {
    // (4, 3), (10, 0.5) -> 3·4 + 0.5·10 = 17, n = 3.5; integer case (2, 2), (5, 1) == 2, 2, 5.
    let s = Sum::new(SumParams::default()).unwrap();
    let mut state = SumState::default();
    s.tally(&mut state, Some(4.0), 3.0).unwrap();
    s.tally(&mut state, Some(10.0), 0.5).unwrap();
    assert_eq!(s.result(&state).value, Some(17.0));
    assert_eq!(s.result(&state).n, 3.5);

    let mut w = bind("{}");
    w.update(
        &[Column::Number(vec![Some(2.0), Some(5.0)])],
        Some(&[2.0, 1.0]),
        None,
    )
    .unwrap();
    let mut e = bind("{}");
    e.update(
        &[Column::Number(vec![Some(2.0), Some(2.0), Some(5.0)])],
        None,
        None,
    )
    .unwrap();
    assert_eq!(w.finish(0).unwrap(), e.finish(0).unwrap());
    assert_eq!(w.finish(0).unwrap().value, Some(9.0));
}

#[test]
fn empty_and_all_invalid_input_have_no_value() {
    let h = bind("{}");
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, None);
    assert_eq!(warnings(&r), ["no_data", "low_sample"]);

    let mut h = bind("{}");
    let status = h
        .update(&[Column::Number(vec![None, Some(f64::NAN)])], None, None)
        .unwrap();
    assert_eq!(status, ["empty", "not_a_number"]);
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn merging_equals_one_instance_over_all_rows() {
    // Groups: a = [1, 2] in group 0 and [3] in group 1; b = [4] in group 0.
    // Merging b's group 0 into a's group 1: group 1 = 3 + 4 = 7.
    let mut a = bind(r#"{"unit": "EUR"}"#);
    a.update(
        &[Column::Number(vec![Some(1.0), Some(2.0), Some(3.0)])],
        None,
        Some(&[0, 0, 1]),
    )
    .unwrap();
    let mut b = bind(r#"{"unit": "EUR"}"#);
    b.update(&[Column::Number(vec![Some(4.0)])], None, None)
        .unwrap();
    a.merge(&b, &[1]).unwrap();
    let mut one = bind(r#"{"unit": "EUR"}"#);
    one.update(&[Column::Number(vec![Some(3.0), Some(4.0)])], None, None)
        .unwrap();
    assert_eq!(a.finish(1).unwrap(), one.finish(0).unwrap());
    assert_eq!(a.finish(1).unwrap().value, Some(7.0));
    assert_eq!(a.finish(1).unwrap().unit, "EUR");
    assert_eq!(a.finish(0).unwrap().value, Some(3.0));
}

#[test]
fn param_errors() {
    let col = [("value", Column::Number(vec![]))];
    assert!(Harness::<Sum>::bind(r#"{"unit": ""}"#, &col)
        .err()
        .unwrap()
        .contains("unit is blank"));
    assert!(Harness::<Sum>::bind(r#"{"confidence": 0.9}"#, &col)
        .err()
        .unwrap()
        .contains("unknown field `confidence`"));
}

#[test]
fn sum_has_no_test_basis() {
    // A sum is not a mean, share or NPS: no significance test, so no basis.
    let mut h = bind("{}");
    h.update(&[Column::Number(vec![Some(10.0), Some(20.5)])], None, None)
        .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (Some(30.5), &None));
}
