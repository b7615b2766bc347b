//! Tests of the `count` metric.

use super::warnings;
use crate::count::{Count, CountParams};
use cxm_sdk::testing::{Column, Harness};

fn texts(values: &[Option<&str>]) -> Column {
    Column::text(values)
}

#[test]
fn counts_weighted_rows_without_inputs() {
    // No input mapped: every row counts with its weight: 1 + 2 + 0.5 = 3.5.
    let c = Count::new(CountParams::default(), false).unwrap();
    let mut n = 0.0;
    for w in [1.0, 2.0, 0.5] {
        c.tally(&mut n, None, w).unwrap();
    }
    let r = c.result(n);
    assert_eq!(r.value, Some(3.5));
    assert_eq!(r.n, 3.5);
    assert_eq!(r.unit, "rows");
    assert_eq!(warnings(&r), ["low_sample"]);
}

#[test]
fn mapped_value_rejects_empty_rows_as_empty() {
    // "a", null, "  " (blank), "b" -> 2 rows counted, 2 rejected as empty.
    let col = texts(&[Some("a"), None, Some("  "), Some("b")]);
    let mut h = Harness::<Count>::bind("{}", &[("value", col.clone())]).unwrap();
    assert_eq!(
        h.update(&[col], None, None).unwrap(),
        ["used", "empty", "empty", "used"]
    );
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(2.0));
    assert_eq!(r.n, 2.0);
}

#[test]
fn weights_equal_expanded_rows() {
    // ("a", 3), ("b", 2) == a, a, a, b, b: 5 rows.
    let weighted = texts(&[Some("a"), Some("b")]);
    let mut w = Harness::<Count>::bind("{}", &[("value", weighted.clone())]).unwrap();
    w.update(&[weighted], Some(&[3.0, 2.0]), None).unwrap();
    let expanded = texts(&[Some("a"), Some("a"), Some("a"), Some("b"), Some("b")]);
    let mut e = Harness::<Count>::bind("{}", &[("value", expanded.clone())]).unwrap();
    e.update(&[expanded], None, None).unwrap();
    assert_eq!(w.finish(0).unwrap(), e.finish(0).unwrap());
    assert_eq!(w.finish(0).unwrap().value, Some(5.0));
}

#[test]
fn empty_and_all_invalid_input_have_no_value() {
    let c = Count::new(CountParams::default(), true).unwrap();
    let r = c.result(0.0);
    assert_eq!(r.value, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(warnings(&r), ["no_data", "low_sample"]);

    let col = texts(&[None, Some("")]);
    let mut h = Harness::<Count>::bind("{}", &[("value", col.clone())]).unwrap();
    assert_eq!(h.update(&[col], None, None).unwrap(), ["empty", "empty"]);
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, None);
    assert_eq!(warnings(&r), ["no_data", "low_sample"]);
}

#[test]
fn merging_equals_one_instance_over_all_rows() {
    let a = texts(&[Some("x"), None]);
    let b = texts(&[Some("y"), Some("z"), Some("w")]);
    let all = texts(&[Some("x"), None, Some("y"), Some("z"), Some("w")]);
    let mut ha = Harness::<Count>::bind("{}", &[("value", a.clone())]).unwrap();
    ha.update(&[a], None, None).unwrap();
    let mut hb = Harness::<Count>::bind("{}", &[("value", b.clone())]).unwrap();
    hb.update(&[b], Some(&[1.0, 2.0, 1.0]), None).unwrap();
    ha.merge(&hb, &[0]).unwrap();
    let mut one = Harness::<Count>::bind("{}", &[("value", all.clone())]).unwrap();
    one.update(&[all], Some(&[1.0, 1.0, 1.0, 2.0, 1.0]), None)
        .unwrap();
    // 1 + 1 + 2 + 1 = 5.
    assert_eq!(ha.finish(0).unwrap(), one.finish(0).unwrap());
    assert_eq!(ha.finish(0).unwrap().value, Some(5.0));
}

#[test]
fn unit_label_and_min_n() {
    let c = Count::new(
        CountParams {
            unit: Some("orders".into()),
            min_n: 2,
        },
        false,
    )
    .unwrap();
    let r = c.result(2.0);
    assert_eq!(r.unit, "orders");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(warnings(&c.result(1.0)), ["low_sample"]);
}

#[test]
fn param_errors() {
    let col = texts(&[Some("a")]);
    let blank = Harness::<Count>::bind(r#"{"unit": " "}"#, &[("value", col.clone())]);
    assert!(blank.err().unwrap().contains("unit is blank"));
    let typo = Harness::<Count>::bind(r#"{"units": "orders"}"#, &[("value", col)]);
    assert!(typo.err().unwrap().contains("unknown field `units`"));
}

#[test]
fn count_has_no_test_basis() {
    // A count is not a mean, share or NPS: no significance test, so no basis.
    let c = Count::new(CountParams::default(), false).unwrap();
    assert_eq!(c.result(3.5).basis, None);
}
