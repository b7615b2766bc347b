//! Tests of `conversion_rate`.

use super::*;
use crate::common::Proportion;
use crate::conversion::{ConversionParams, ConversionRate};
use cxm_sdk::testing::{Column, Harness};
use cxm_sdk::Reject;

type Conv = Harness<ConversionRate>;

fn bind(params: &str) -> Result<Conv, String> {
    Conv::bind(params, &[("converted", Column::Bool(vec![]))])
}

fn leads(values: &[Option<bool>]) -> [Column; 1] {
    [Column::Bool(values.to_vec())]
}

#[test]
fn twelve_of_forty_leads_is_30_percent_weighted_or_raw() {
    // 100 · 12 / 40 = 30.0; Wilson(12, 40) → (18.07484522974653, 45.43001881814494).
    let mut weighted = bind("{}").unwrap();
    let status = weighted
        .update(
            &leads(&[Some(true), Some(false)]),
            Some(&[12.0, 28.0]),
            None,
        )
        .unwrap();
    assert_eq!(status, ["used", "used"]);
    let r = weighted.finish(0).unwrap();
    assert_eq!(r.value, Some(30.0));
    assert_eq!(r.n, 40.0);
    assert_eq!(r.unit, "% of leads converted");
    wilson(&r, 18.074_845_229_746_53, 45.430_018_818_144_94);
    assert_eq!(detail(&r, "converted"), 12.0);
    assert_eq!(detail(&r, "leads"), 40.0);
    assert!(r.warnings.is_empty());

    let mut raw = bind("{}").unwrap();
    let mut rows = vec![Some(true); 12];
    rows.extend(vec![Some(false); 28]);
    raw.update(&leads(&rows), None, None).unwrap();
    assert_eq!(raw.finish(0).unwrap(), r);
}

#[test]
fn empty_values_are_rejected_and_min_n_warns() {
    let mut h = bind(r#"{"min_n": 5}"#).unwrap();
    let status = h
        .update(&leads(&[Some(true), None, Some(false)]), None, None)
        .unwrap();
    assert_eq!(statuses(&status), ["used", "empty", "used"]);
    let r = h.finish(0).unwrap();
    // 1 of 2: 50 %; Wilson(1, 2) → (9.453120573423075, 90.54687942657694).
    assert_eq!((r.value, r.n), (Some(50.0), 2.0));
    wilson(&r, 9.453_120_573_423_075, 90.546_879_426_576_94);
    assert_eq!(r.warnings, ["low_sample"]);
}

#[test]
fn empty_and_all_invalid_input_give_no_value() {
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    let mut h = bind("{}").unwrap();
    assert_eq!(
        h.update(&leads(&[None, None]), None, None).unwrap(),
        ["empty", "empty"]
    );
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn merging_and_groups() {
    let rows = [Some(true), Some(false), Some(true), Some(true), Some(false)];
    let mut a = bind("{}").unwrap();
    a.update(&leads(&rows[..2]), None, None).unwrap();
    let mut b = bind("{}").unwrap();
    b.update(&leads(&rows[2..]), None, None).unwrap();
    a.merge(&b, &[0]).unwrap();
    let mut all = bind("{}").unwrap();
    all.update(&leads(&rows), None, None).unwrap();
    assert_eq!(a.finish(0).unwrap(), all.finish(0).unwrap());
    assert_eq!(all.finish(0).unwrap().value, Some(60.0));
    // Two groups in one batch: group 1 holds rows 3 and 4 (1 of 2).
    let mut g = bind("{}").unwrap();
    g.update(&leads(&rows), None, Some(&[0, 0, 0, 1, 1]))
        .unwrap();
    assert_eq!(g.finish(1).unwrap().value, Some(50.0));
}

#[test]
fn param_errors() {
    assert!(bind(r#"{"confidence": 1.5}"#).is_err());
    let e = bind(r#"{"leads": 10}"#).err().unwrap_or_default();
    assert!(e.contains("unknown field"), "{e}");
    assert!(Conv::bind("{}", &[]).is_err());
    let m = ConversionRate::new(ConversionParams::default()).unwrap();
    let mut s = Proportion::default();
    assert_eq!(m.tally(&mut s, None, 1.0), Err(Reject::Empty));
    assert_eq!(
        m.tally(&mut s, Some(true), f64::NAN),
        Err(Reject::InvalidValue)
    );
}

#[test]
fn basis_is_converted_of_leads() {
    // 12.5 converted (weighted) of 12.5 + 27.5 = 40 leads: 31.25 %.
    let mut h = bind("{}").unwrap();
    h.update(
        &leads(&[Some(true), Some(false), None]),
        Some(&[12.5, 27.5, 3.0]),
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(31.25));
    assert_eq!(proportion_basis(&r), (12.5, 40.0));
    // No leads: no value, no basis.
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}
