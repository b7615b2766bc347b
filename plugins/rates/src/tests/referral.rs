//! Tests of `referral_rate`.

use super::*;
use crate::common::Proportion;
use crate::referral::{ReferralForm, ReferralParams, ReferralRate};
use cxm_sdk::testing::{Column, Harness};
use cxm_sdk::Reject;

type Ref = Harness<ReferralRate>;

fn by_source(params: &str) -> Result<Ref, String> {
    Ref::bind(params, &[("source", Column::text(&[]))])
}

fn by_flag(params: &str) -> Result<Ref, String> {
    Ref::bind(params, &[("referred", Column::Bool(vec![]))])
}

#[test]
fn sources_match_case_insensitively() {
    let mut h = by_source(r#"{"referral_sources": ["referral", "Friend"]}"#).unwrap();
    let status = h
        .update(
            &[Column::text(&[
                Some("Referral"),
                Some(" referral "),
                Some("ads"),
                Some("FRIEND"),
                Some("  "),
                None,
            ])],
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        statuses(&status),
        ["used", "used", "used", "used", "empty", "empty"]
    );
    let r = h.finish(0).unwrap();
    // 3 referred of 4 new customers: 75 %; Wilson(3, 4) → (30.0641842582402,
    // 95.44127391902994).
    assert_eq!((r.value, r.n), (Some(75.0), 4.0));
    assert_eq!(r.unit, "% of new customers acquired by referral");
    wilson(&r, 30.064_184_258_240_2, 95.441_273_919_029_94);
    assert_eq!(detail(&r, "referred"), 3.0);
    assert_eq!(detail(&r, "new_customers"), 4.0);

    // Default sources: only "referral".
    let mut d = by_source("{}").unwrap();
    d.update(
        &[Column::text(&[Some("REFERRAL"), Some("friend")])],
        None,
        None,
    )
    .unwrap();
    assert_eq!(d.finish(0).unwrap().value, Some(50.0));
}

#[test]
fn flag_form_with_weights_equals_raw_rows() {
    // (referred, ×2), (not, ×1) against three raw rows: 2 of 3 → 66.666…%;
    // Wilson(2, 3) → (20.76596008020478, 93.85080552796038).
    let mut weighted = by_flag("{}").unwrap();
    let status = weighted
        .update(
            &[Column::Bool(vec![Some(true), Some(false), None])],
            Some(&[2.0, 1.0, 4.0]),
            None,
        )
        .unwrap();
    assert_eq!(statuses(&status), ["used", "used", "empty"]);
    let mut raw = by_flag("{}").unwrap();
    raw.update(
        &[Column::Bool(vec![Some(true), Some(true), Some(false)])],
        None,
        None,
    )
    .unwrap();
    let r = weighted.finish(0).unwrap();
    assert_eq!(r, raw.finish(0).unwrap());
    close(r.value.unwrap(), 200.0 / 3.0);
    wilson(&r, 20.765_960_080_204_78, 93.850_805_527_960_38);
}

#[test]
fn merging_two_instances_equals_one() {
    let rows = [Some("referral"), Some("ads"), Some("seo"), Some("referral")];
    let mut all = by_source("{}").unwrap();
    all.update(&[Column::text(&rows)], None, None).unwrap();
    let mut a = by_source("{}").unwrap();
    a.update(&[Column::text(&rows[..1])], None, None).unwrap();
    let mut b = by_source("{}").unwrap();
    b.update(&[Column::text(&rows[1..])], None, None).unwrap();
    a.merge(&b, &[0]).unwrap();
    assert_eq!(a.finish(0).unwrap(), all.finish(0).unwrap());
    assert_eq!(all.finish(0).unwrap().value, Some(50.0));
}

#[test]
fn empty_and_all_invalid_input_give_no_value() {
    let r = by_flag("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    let mut h = by_source("{}").unwrap();
    h.update(&[Column::text(&[None, Some("")])], None, None)
        .unwrap();
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn bind_needs_exactly_one_input_and_sensible_sources() {
    let both = Ref::bind(
        "{}",
        &[
            ("referred", Column::Bool(vec![])),
            ("source", Column::text(&[])),
        ],
    )
    .err()
    .unwrap_or_default();
    assert!(both.contains("not both"), "{both}");
    let none = Ref::bind("{}", &[]).err().unwrap_or_default();
    assert!(none.contains("no referral input"), "{none}");
    let stray = by_flag(r#"{"referral_sources": ["x"]}"#)
        .err()
        .unwrap_or_default();
    assert!(stray.contains("only when 'source'"), "{stray}");
    let empty = by_source(r#"{"referral_sources": []}"#)
        .err()
        .unwrap_or_default();
    assert!(empty.contains("referral_sources is empty"), "{empty}");
    assert!(by_source(r#"{"referral_sources": [""]}"#).is_err());
    assert!(by_source(r#"{"confidence": 0}"#).is_err());
}

#[test]
fn plain_methods() {
    let m = ReferralRate::new(ReferralParams::default(), false, true).unwrap();
    assert_eq!(m.form(), &ReferralForm::Source(vec!["referral".into()]));
    let mut s = Proportion::default();
    assert_eq!(m.tally(&mut s, None, None, 1.0), Err(Reject::Empty));
    assert_eq!(m.tally(&mut s, None, Some("referral"), 1.0), Ok(()));
    assert_eq!(
        s,
        Proportion {
            hits: 1.0,
            total: 1.0
        }
    );
}

#[test]
fn basis_is_referred_of_new_customers() {
    // Flag form: referred ×2, not ×1 (the empty row is rejected): 2 of 3.
    let mut h = by_flag("{}").unwrap();
    h.update(
        &[Column::Bool(vec![Some(true), Some(false), None])],
        Some(&[2.0, 1.0, 4.0]),
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(proportion_basis(&r), (2.0, 3.0));
    // Source form: "referral" ×1 of 4 sources: 25 %.
    let mut h = by_source("{}").unwrap();
    h.update(
        &[Column::text(&[
            Some("referral"),
            Some("ads"),
            Some("ads"),
            Some("seo"),
        ])],
        None,
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(25.0));
    assert_eq!(proportion_basis(&r), (1.0, 4.0));
    let r = by_flag("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}
