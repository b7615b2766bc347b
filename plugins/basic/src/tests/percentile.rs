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

/// `n` positive values with a long right tail (2·e^(1.5·z), z from a fixed hash of i),
/// like order values or durations.
fn skewed(n: usize) -> Vec<f64> {
    (0..n as u64)
        .map(|i| {
            let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
            z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let u = ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            // A rough normal from the logit of u (sd ≈ 1.8); only the spread matters here.
            let logit = (u / (1.0 - u)).ln();
            2.0 * (1.5 * logit / 1.8).exp()
        })
        .collect()
}

/// The exact definition-2 quantiles of unweighted values.
fn exact_quantiles(values: &[f64], ps: &[f64]) -> Vec<f64> {
    let mut s = cxm_stats::WeightedSample::default();
    for &x in values {
        s.add(x, 1.0);
    }
    s.quantiles(ps).into_iter().map(|q| q.unwrap()).collect()
}

/// One instance over `values`, fed in batches of 1000 rows.
fn run(params: &str, values: &[f64]) -> cxm_sdk::MetricResult {
    let mut h = bind(params).unwrap();
    for chunk in values.chunks(1000) {
        h.update(&[numbers(chunk)], None, None).unwrap();
    }
    h.finish(0).unwrap()
}

#[test]
fn groups_up_to_4096_values_are_exact_and_say_so() {
    let r = run(r#"{"p": 0.9}"#, &[3.0, 1.0, 2.0]);
    assert_eq!(
        r.details["quantile_method"],
        json!("exact (Hyndman-Fan definition 2)")
    );
    assert!(r.details.get("relative_error").is_none(), "{:?}", r.details);
    // 4096 values: still every value, so the very definition-2 figures.
    let values = skewed(4096);
    let want = exact_quantiles(&values, &[0.9, 0.5]);
    let r = run(r#"{"p": 0.9}"#, &values);
    assert_eq!(
        (r.value, r.details["median"].as_f64()),
        (Some(want[0]), Some(want[1]))
    );
    assert_eq!(
        r.details["quantile_method"],
        json!("exact (Hyndman-Fan definition 2)")
    );
}

#[test]
fn larger_groups_are_sketched_within_one_percent() {
    let values = skewed(50_001);
    for p in [0.5, 0.9, 0.95, 0.99] {
        let want = exact_quantiles(&values, &[p, 0.5]);
        let r = run(&format!(r#"{{"p": {p}}}"#), &values);
        let (value, median) = (r.value.unwrap(), r.details["median"].as_f64().unwrap());
        assert!(
            (value - want[0]).abs() <= 0.01 * want[0],
            "p = {p}: {value} vs {}",
            want[0]
        );
        assert!(
            (median - want[1]).abs() <= 0.01 * want[1],
            "{median} vs {}",
            want[1]
        );
        assert_eq!(
            r.details["quantile_method"],
            json!("DDSketch (relative error 1%)")
        );
        assert_eq!(r.details["relative_error"], json!(0.01));
        // min, max and n stay exact.
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(0.0, f64::max);
        assert_eq!(
            (r.details["min"].as_f64(), r.details["max"].as_f64(), r.n),
            (Some(min), Some(max), 50_001.0)
        );
    }
}

#[test]
fn exact_true_keeps_every_value() {
    let values = skewed(50_001);
    let want = exact_quantiles(&values, &[0.95, 0.5]);
    let r = run(r#"{"p": 0.95, "exact": true}"#, &values);
    assert_eq!(r.value, Some(want[0]));
    assert_eq!(r.details["median"].as_f64(), Some(want[1]));
    assert_eq!(
        r.details["quantile_method"],
        json!("exact (Hyndman-Fan definition 2)")
    );
    assert!(r.details.get("relative_error").is_none());
    let err = bind(r#"{"p": 0.9, "exact": "yes"}"#).err().unwrap();
    assert!(err.contains("invalid type"), "{err}");
}

#[test]
fn merging_across_the_limit_equals_one_instance() {
    // Two exact halves of 3000 values each merge into a sketch of 6000: the same result as
    // one instance over all of them, in either order.
    let values = skewed(6000);
    let (a_rows, b_rows) = values.split_at(3000);
    let one = run(r#"{"p": 0.9}"#, &values);
    for (first, second) in [(a_rows, b_rows), (b_rows, a_rows)] {
        let mut a = bind(r#"{"p": 0.9}"#).unwrap();
        a.update(&[numbers(first)], None, None).unwrap();
        let mut b = bind(r#"{"p": 0.9}"#).unwrap();
        b.update(&[numbers(second)], None, None).unwrap();
        a.merge(&b, &[0]).unwrap();
        assert_eq!(a.finish(0).unwrap(), one);
    }
    assert_eq!(one.details["relative_error"], json!(0.01));
    // Weighted rows that stand for more than 4096 rows are sketched as those rows are.
    let mut w = bind(r#"{"p": 0.9}"#).unwrap();
    w.update(&[numbers(&values[..3000])], Some(&[2.0; 3000]), None)
        .unwrap();
    let doubled: Vec<f64> = values[..3000].iter().flat_map(|&x| [x, x]).collect();
    assert_eq!(w.finish(0).unwrap(), run(r#"{"p": 0.9}"#, &doubled));
}
