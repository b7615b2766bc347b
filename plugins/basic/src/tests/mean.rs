//! Tests of the `mean` metric.

use super::{close, warnings};
use crate::mean::{Mean, MeanParams, MeanState};
use cxm_sdk::testing::{Column, Harness};
use serde_json::json;

fn bind(params: &str) -> Result<Harness<Mean>, String> {
    Harness::<Mean>::bind(params, &[("value", Column::Number(vec![]))])
}

fn numbers(values: &[f64]) -> Column {
    Column::Number(values.iter().map(|x| Some(*x)).collect())
}

#[test]
fn mean_of_one_to_five_with_t_interval() {
    // [1..5]: mean 3, s² = 10/4 = 2.5, sd = √2.5 = 1.5811388300841898;
    // t(0.975, 4) = 2.7764451051977935, half = t·√(2.5/5) = 1.963243161477557
    // -> (1.036756838522443, 4.963243161477557) (as in cxm-stats' tests).
    let mut h = bind("{}").unwrap();
    h.update(&[numbers(&[1.0, 2.0, 3.0, 4.0, 5.0])], None, None)
        .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(3.0));
    assert_eq!(r.n, 5.0);
    let ci = r.ci.clone().unwrap();
    close(ci.low, 1.036_756_838_522_443, 1e-10);
    close(ci.high, 4.963_243_161_477_557, 1e-10);
    assert_eq!((ci.level, ci.method.as_str()), (0.95, "t"));
    close(r.details["sd"].as_f64().unwrap(), 2.5f64.sqrt(), 1e-12);
    assert_eq!(r.details["min"], json!(1.0));
    assert_eq!(r.details["max"], json!(5.0));
    assert_eq!(r.details["range"], json!(null));
    assert_eq!(r.unit, "mean, in the unit of the input");
    assert_eq!(warnings(&r), ["low_sample"]);
}

#[test]
fn range_rejects_values_outside_as_out_of_scale() {
    // range [0, 10] inclusive: -1 and 11 out, 0, 5, 10 in -> mean 5; null -> empty.
    let mut h = bind(r#"{"range": [0, 10], "unit": "points"}"#).unwrap();
    let col = Column::Number(vec![
        Some(-1.0),
        Some(5.0),
        Some(11.0),
        Some(10.0),
        Some(0.0),
        None,
    ]);
    assert_eq!(
        h.update(&[col], None, None).unwrap(),
        [
            "out_of_scale",
            "used",
            "out_of_scale",
            "used",
            "used",
            "empty"
        ]
    );
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(5.0));
    assert_eq!(r.n, 3.0);
    assert_eq!(r.unit, "points");
    assert_eq!(r.details["range"], json!([0.0, 10.0]));
    assert_eq!(r.details["min"], json!(0.0));
}

#[test]
fn weights_equal_expanded_rows() {
    // (2, 3), (5, 1), (7, 2) == [2, 2, 2, 5, 7, 7]: mean 25/6, s² = (135 − 625/6)/5 = 37/6.
    let mut w = bind("{}").unwrap();
    w.update(&[numbers(&[2.0, 5.0, 7.0])], Some(&[3.0, 1.0, 2.0]), None)
        .unwrap();
    let mut e = bind("{}").unwrap();
    e.update(&[numbers(&[2.0, 2.0, 2.0, 5.0, 7.0, 7.0])], None, None)
        .unwrap();
    let (rw, re) = (w.finish(0).unwrap(), e.finish(0).unwrap());
    assert_eq!(rw, re);
    close(rw.value.unwrap(), 25.0 / 6.0, 1e-12);
    close(
        rw.details["sd"].as_f64().unwrap(),
        (37.0f64 / 6.0).sqrt(),
        1e-12,
    );
}

#[test]
fn zero_weight_rows_are_used_but_are_no_observation() {
    // (100, 0) stands for no row: min/max and the mean ignore it.
    let m = Mean::new(MeanParams::default()).unwrap();
    let mut s = MeanState::default();
    m.tally(&mut s, Some(100.0), 0.0).unwrap();
    m.tally(&mut s, Some(4.0), 1.0).unwrap();
    let r = m.result(&s);
    assert_eq!(r.value, Some(4.0));
    assert_eq!(r.details["max"], json!(4.0));
    assert_eq!(r.ci, None, "one observation has no interval");
    assert_eq!(r.details["sd"], json!(null));
}

#[test]
fn empty_and_all_invalid_input_have_no_value() {
    let h = bind("{}").unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n, r.ci.clone()), (None, 0.0, None));
    assert_eq!(warnings(&r), ["no_data", "low_sample"]);
    assert_eq!(r.details["min"], json!(null));

    let mut h = bind(r#"{"range": [1, 5]}"#).unwrap();
    let status = h
        .update(
            &[Column::Number(vec![Some(9.0), Some(f64::NAN), None])],
            None,
            None,
        )
        .unwrap();
    assert_eq!(status, ["out_of_scale", "not_a_number", "empty"]);
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn merging_equals_one_instance_over_all_rows() {
    let mut a = bind("{}").unwrap();
    a.update(&[numbers(&[1.0, 9.0])], None, None).unwrap();
    let mut b = bind("{}").unwrap();
    b.update(&[numbers(&[4.0, -2.0, 3.0])], Some(&[1.0, 2.0, 1.0]), None)
        .unwrap();
    a.merge(&b, &[0]).unwrap();
    let mut one = bind("{}").unwrap();
    one.update(
        &[numbers(&[1.0, 9.0, 4.0, -2.0, 3.0])],
        Some(&[1.0, 1.0, 1.0, 2.0, 1.0]),
        None,
    )
    .unwrap();
    let (merged, single) = (a.finish(0).unwrap(), one.finish(0).unwrap());
    assert_eq!(merged, single);
    // (1 + 9 + 4 − 4 + 3) / 6 = 13/6; min −2, max 9.
    close(merged.value.unwrap(), 13.0 / 6.0, 1e-12);
    assert_eq!(merged.details["min"], json!(-2.0));
    assert_eq!(merged.details["max"], json!(9.0));
}

#[test]
fn confidence_changes_the_interval() {
    // [1..5] at 0.99: t(0.995, 4) = 4.604094871415897, half = t·√0.5 = 3.255586...
    let mut h = bind(r#"{"confidence": 0.99}"#).unwrap();
    h.update(&[numbers(&[1.0, 2.0, 3.0, 4.0, 5.0])], None, None)
        .unwrap();
    let ci = h.finish(0).unwrap().ci.unwrap();
    close(ci.high - 3.0, 4.604_094_871_415_897 * 0.5f64.sqrt(), 1e-9);
    assert_eq!(ci.level, 0.99);
}

#[test]
fn param_errors() {
    let err = |p: &str| bind(p).err().unwrap();
    assert!(err(r#"{"range": [10, 0]}"#).contains("runs backwards"));
    let e = err(r#"{"range": [1, 2, 3]}"#);
    assert!(e.contains("must be two numbers [lowest, highest]"), "{e}");
    assert!(err(r#"{"confidence": 95}"#).contains("write 0.95"));
    assert!(err(r#"{"unit": ""}"#).contains("unit is blank"));
    assert!(err(r#"{"p": 0.9}"#).contains("unknown field `p`"));
    let nan = Mean::new(MeanParams {
        range: Some(vec![f64::NAN, 1.0]),
        ..MeanParams::default()
    });
    assert!(nan.err().unwrap().contains("finite"));
}

#[test]
fn basis_is_the_mean_with_its_sample_variance() {
    use cxm_sdk::TestBasis;
    // [1..5]: mean 3, s² = (55 − 15²/5) / 4 = 2.5, n = 5.
    let mut h = bind("{}").unwrap();
    h.update(&[numbers(&[1.0, 2.0, 3.0, 4.0, 5.0])], None, None)
        .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(
        r.basis,
        Some(TestBasis::Mean {
            mean: 3.0,
            variance: 2.5,
            n: 5.0
        })
    );
    // Frequency weights (2, ×3), (5, ×1), (7, ×2): Σw = 6, Σw·x = 25, Σw·x² = 135:
    // mean 25/6, s² = (135 − 625/6) / 5 = 37/6; the basis mean is the value.
    let mut w = bind("{}").unwrap();
    w.update(&[numbers(&[2.0, 5.0, 7.0])], Some(&[3.0, 1.0, 2.0]), None)
        .unwrap();
    let r = w.finish(0).unwrap();
    let Some(TestBasis::Mean { mean, variance, n }) = r.basis else {
        panic!("expected a Mean basis, got {:?}", r.basis)
    };
    close(mean, 25.0 / 6.0, 1e-12);
    close(variance, 37.0 / 6.0, 1e-12);
    assert_eq!((Some(mean), n), (r.value, r.n));
    assert_eq!(n, 6.0);
    // One observation (the zero-weight row is none): a mean, no variance, no basis.
    let m = Mean::new(MeanParams::default()).unwrap();
    let mut s = MeanState::default();
    m.tally(&mut s, Some(100.0), 0.0).unwrap();
    m.tally(&mut s, Some(4.0), 1.0).unwrap();
    let r = m.result(&s);
    assert_eq!((r.value, &r.basis), (Some(4.0), &None));
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}
