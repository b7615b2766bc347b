//! Tests of the `share` metric. Wilson bounds: with z = 1.959963984540054,
//! center = (p + z²/2n)/(1 + z²/n), half = z/(1 + z²/n)·√(p(1−p)/n + z²/4n²), times 100
//! (computed in Python 3.11 with `statistics.NormalDist`).

use super::{close, warnings};
use crate::share::{Cell, Share, ShareParams, ShareState};
use cxm_sdk::testing::{Column, Harness};
use serde_json::json;

fn text_share(params: &str) -> Result<Harness<Share>, String> {
    Harness::<Share>::bind(params, &[("text", Column::Text(vec![]))])
}

fn number_share(params: &str) -> Result<Harness<Share>, String> {
    Harness::<Share>::bind(params, &[("number", Column::Number(vec![]))])
}

fn channels() -> Column {
    Column::text(&[Some("chat"), Some("Chat"), Some("email"), None, Some(" ")])
}

#[test]
fn share_of_text_equal_to_chat_is_exact_by_default() {
    // chat, Chat, email used (2 empty rejected); exact match: 1 of 3 = 33.33…,
    // Wilson (6.149194472039632, 79.23403991979524).
    let mut h = text_share(r#"{"equals": "chat"}"#).unwrap();
    assert_eq!(
        h.update(&[channels()], None, None).unwrap(),
        ["used", "used", "used", "empty", "empty"]
    );
    let r = h.finish(0).unwrap();
    close(r.value.unwrap(), 100.0 / 3.0, 1e-12);
    assert_eq!(r.n, 3.0);
    let ci = r.ci.clone().unwrap();
    close(ci.low, 6.149_194_472_039_632, 1e-9);
    close(ci.high, 79.234_039_919_795_24, 1e-9);
    assert_eq!(ci.method, "wilson");
    assert_eq!(r.details["matching"], json!(1.0));
    assert_eq!(r.details["n"], json!(3.0));
    assert_eq!(r.details["empty_values"], json!("rejected (not in n)"));
    assert_eq!(r.unit, r#"% of rows where the value is "chat""#);
    assert_eq!(warnings(&r), ["low_sample"]);
}

#[test]
fn case_insensitive_text_comparison() {
    // chat and Chat match: 2 of 3.
    let mut h =
        text_share(r#"{"equals": "CHAT", "case_insensitive": true, "unit": "orders"}"#).unwrap();
    h.update(&[channels()], None, None).unwrap();
    let r = h.finish(0).unwrap();
    close(r.value.unwrap(), 200.0 / 3.0, 1e-12);
    assert_eq!(
        r.unit,
        r#"% of orders where the value is "CHAT" (ignoring case)"#
    );
}

#[test]
fn empty_counts_as_no_keeps_empty_rows_in_n() {
    // chat, Chat, email, null, blank all used; 1 of 5 matches = 20.
    let mut h = text_share(r#"{"equals": "chat", "empty_counts_as_no": true}"#).unwrap();
    assert_eq!(h.update(&[channels()], None, None).unwrap(), ["used"; 5]);
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (Some(20.0), 5.0));
    assert_eq!(r.details["empty_values"], json!("counted as not matching"));
}

#[test]
fn text_lists_and_negations() {
    let cases = [
        (
            r#"{"in": ["chat", "email"]}"#,
            2.0,
            r#"is one of "chat", "email""#,
        ),
        (
            r#"{"not_in": ["chat", "email"]}"#,
            1.0,
            r#"is none of "chat", "email""#,
        ),
        (r#"{"not_equals": "chat"}"#, 2.0, r#"is not "chat""#),
    ];
    for (params, matching, words) in cases {
        // Of chat, Chat, email: in -> chat, email; not_in -> Chat; not_equals -> Chat, email.
        let mut h = text_share(params).unwrap();
        h.update(&[channels()], None, None).unwrap();
        let r = h.finish(0).unwrap();
        assert_eq!(r.details["matching"], json!(matching), "{params}");
        assert_eq!(r.details["condition"], json!(words), "{params}");
    }
}

#[test]
fn numeric_conditions() {
    // Values 120, 80, 100, 99.5, null (empty), NaN (not_a_number): 4 used.
    let col = Column::Number(vec![
        Some(120.0),
        Some(80.0),
        Some(100.0),
        Some(99.5),
        None,
        Some(f64::NAN),
    ]);
    let cases = [
        (r#"{"at_least": 100}"#, 2.0, "is at least 100"),
        (r#"{"at_most": 100}"#, 3.0, "is at most 100"),
        (r#"{"greater_than": 100}"#, 1.0, "is greater than 100"),
        (r#"{"less_than": 100}"#, 2.0, "is less than 100"),
        (
            r#"{"between": [80, 100]}"#,
            3.0,
            "is between 80 and 100 (inclusive)",
        ),
        (r#"{"equals": 100}"#, 1.0, "is 100"),
        (r#"{"not_equals": 100}"#, 3.0, "is not 100"),
        (r#"{"in": [80, 99.5]}"#, 2.0, "is one of 80, 99.5"),
        (r#"{"not_in": [80, 99.5]}"#, 2.0, "is none of 80, 99.5"),
    ];
    for (params, matching, words) in cases {
        let mut h = number_share(params).unwrap();
        assert_eq!(
            h.update(std::slice::from_ref(&col), None, None).unwrap(),
            ["used", "used", "used", "used", "empty", "not_a_number"],
            "{params}"
        );
        let r = h.finish(0).unwrap();
        assert_eq!(r.n, 4.0, "{params}");
        assert_eq!(r.value, Some(100.0 * matching / 4.0), "{params}");
        assert_eq!(r.details["condition"], json!(words), "{params}");
        assert_eq!(r.unit, format!("% of rows where the value {words}"));
    }
}

#[test]
fn spec_example_370_of_500_is_74_with_wilson() {
    // METRICS.md (CSAT): 370 of 500 -> 74.0; Wilson (69.98260397638378, 77.65142768146172).
    let mut h = text_share(r#"{"equals": "yes"}"#).unwrap();
    h.update(
        &[Column::text(&[Some("yes"), Some("no")])],
        Some(&[370.0, 130.0]),
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(74.0));
    assert_eq!(r.n, 500.0);
    let ci = r.ci.clone().unwrap();
    close(ci.low, 69.982_603_976_383_78, 1e-9);
    close(ci.high, 77.651_427_681_461_72, 1e-9);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn weights_equal_expanded_rows() {
    // (150, 2), (50, 3) == 150, 150, 50, 50, 50: at_least 100 -> 2 of 5 = 40.
    let mut w = number_share(r#"{"at_least": 100}"#).unwrap();
    w.update(
        &[Column::Number(vec![Some(150.0), Some(50.0)])],
        Some(&[2.0, 3.0]),
        None,
    )
    .unwrap();
    let mut e = number_share(r#"{"at_least": 100}"#).unwrap();
    let expanded = [150.0, 150.0, 50.0, 50.0, 50.0].map(Some).to_vec();
    e.update(&[Column::Number(expanded)], None, None).unwrap();
    assert_eq!(w.finish(0).unwrap(), e.finish(0).unwrap());
    assert_eq!(w.finish(0).unwrap().value, Some(40.0));
}

#[test]
fn empty_and_all_invalid_input_have_no_value() {
    let h = text_share(r#"{"equals": "chat"}"#).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n, r.ci.clone()), (None, 0.0, None));
    assert_eq!(warnings(&r), ["no_data", "low_sample"]);

    let mut h = number_share(r#"{"at_least": 1}"#).unwrap();
    let status = h
        .update(&[Column::Number(vec![None, Some(f64::NAN)])], None, None)
        .unwrap();
    assert_eq!(status, ["empty", "not_a_number"]);
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn merging_equals_one_instance_over_all_rows() {
    let s = Share::new(
        serde_json::from_str(r#"{"equals": "chat"}"#).unwrap(),
        true,
        false,
    )
    .unwrap();
    let (mut a, mut b, mut all) = (
        ShareState::default(),
        ShareState::default(),
        ShareState::default(),
    );
    let rows = [("chat", 1.0), ("email", 2.0), ("chat", 0.5), ("phone", 1.0)];
    for (i, (v, w)) in rows.iter().enumerate() {
        let part = if i < 2 { &mut a } else { &mut b };
        s.tally(part, Cell::Text(Some(v)), *w).unwrap();
        s.tally(&mut all, Cell::Text(Some(v)), *w).unwrap();
    }
    let mut h = text_share(r#"{"equals": "chat"}"#).unwrap();
    let mut h2 = text_share(r#"{"equals": "chat"}"#).unwrap();
    let col = |vs: &[&str]| Column::Text(vs.iter().map(|v| Some(v.to_string())).collect());
    h.update(&[col(&["chat", "email"])], Some(&[1.0, 2.0]), None)
        .unwrap();
    h2.update(&[col(&["chat", "phone"])], Some(&[0.5, 1.0]), None)
        .unwrap();
    h.merge(&h2, &[0]).unwrap();
    // 1.5 of 4.5 = 33.33…
    assert_eq!(h.finish(0).unwrap(), s.result(&all));
    let mut merged = a;
    merged.matching += b.matching;
    merged.n += b.n;
    assert_eq!(merged, all);
    close(s.result(&all).value.unwrap(), 100.0 / 3.0, 1e-12);
}

#[test]
fn bind_errors() {
    let both = Harness::<Share>::bind(
        r#"{"equals": "chat"}"#,
        &[
            ("text", Column::Text(vec![])),
            ("number", Column::Number(vec![])),
        ],
    );
    assert!(both.err().unwrap().contains("map only one of the inputs"));
    let none = Share::new(ShareParams::default(), false, false);
    assert!(none.err().unwrap().contains("map the field to test"));

    let text_err = |p: &str| text_share(p).err().unwrap();
    let number_err = |p: &str| number_share(p).err().unwrap();
    assert!(text_err("{}").contains("give the condition"));
    assert!(text_err(r#"{"equals": "a", "in": ["b"]}"#)
        .contains("exactly one condition, found equals, in"));
    assert!(text_err(r#"{"at_least": 100}"#).contains("at_least is a numeric condition"));
    assert!(text_err(r#"{"between": [1, 2]}"#).contains("numeric condition"));
    assert!(
        text_err(r#"{"equals": 100}"#).contains("compares numbers, but the mapped input is text")
    );
    assert!(number_err(r#"{"equals": "chat"}"#)
        .contains("compares text, but the mapped input is number"));
    assert!(number_err(r#"{"in": ["a", "b"]}"#).contains("compares text"));
    assert!(text_err(r#"{"in": ["a", 1]}"#).contains("mixes texts and numbers"));
    assert!(text_err(r#"{"in": []}"#).contains("is empty"));
    assert!(text_err(r#"{"in": "chat"}"#).contains("must be a list"));
    assert!(text_err(r#"{"equals": ""}"#).contains("never matches"));
    assert!(text_err(r#"{"equals": true}"#).contains("must be a text"));
    assert!(number_err(r#"{"at_least": 1, "case_insensitive": true}"#).contains("applies to text"));
    assert!(number_err(r#"{"between": [10, 1]}"#).contains("runs backwards"));
    assert!(number_err(r#"{"at_least": 1, "confidence": 95}"#).contains("write 0.95"));
    assert!(number_err(r#"{"at_least": 1, "unit": ""}"#).contains("unit is blank"));
    assert!(number_err(r#"{"at_leest": 1}"#).contains("unknown field `at_leest`"));
    let nan = Share::new(
        ShareParams {
            at_least: Some(f64::NAN),
            ..ShareParams::default()
        },
        false,
        true,
    );
    assert!(nan.err().unwrap().contains("finite"));
}

#[test]
fn between_needs_two_numbers() {
    let e = number_share(r#"{"between": [1, 2, 3]}"#).err().unwrap();
    assert!(e.contains("between = [1, 2, 3] must be two numbers"), "{e}");
}

#[test]
fn basis_is_matching_of_n() {
    use cxm_sdk::TestBasis;
    // chat ×1.5, Chat ×1, email ×2.5 (the two empty rows are rejected, not in n);
    // exact "chat": 1.5 of 5 = 30 %.
    let mut h = text_share(r#"{"equals": "chat"}"#).unwrap();
    h.update(&[channels()], Some(&[1.5, 1.0, 2.5, 4.0, 4.0]), None)
        .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(30.0));
    assert_eq!(
        r.basis,
        Some(TestBasis::Proportion {
            successes: 1.5,
            n: 5.0
        })
    );
    let Some(TestBasis::Proportion { successes, n }) = r.basis else {
        unreachable!()
    };
    close(r.value.unwrap(), 100.0 * successes / n, 1e-12);
    assert_eq!(n, r.n);
    // With empty_counts_as_no the empty rows are in n (unweighted): 1 of 5 = 20 %.
    let mut h = text_share(r#"{"equals": "chat", "empty_counts_as_no": true}"#).unwrap();
    h.update(&[channels()], None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(
        r.basis,
        Some(TestBasis::Proportion {
            successes: 1.0,
            n: 5.0
        })
    );
    assert_eq!(r.value, Some(20.0));
    // No rows: no value, no basis.
    let r = text_share(r#"{"equals": "chat"}"#)
        .unwrap()
        .finish(0)
        .unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}

#[test]
fn not_empty_counts_filled_in_values_of_all_rows() {
    // channels(): chat, Chat, email filled in; None and " " empty. not_empty: 3 of 5 = 60 %,
    // empty rows in n as not matching. Wilson at 95 % (z² = 3.841458820694124, n = 5):
    // centre = (0.6 + z²/10) / (1 + z²/5) = 0.9841458820694124 / 1.7682917641388248
    //        = 0.556552…; half = z / 1.76829… · √(0.24/5 + z²/100) = 1.108394… · 0.293964…
    //        = 0.325826…; (23.0724 %, 88.2379 %).
    let mut h = text_share(r#"{"not_empty": true}"#).unwrap();
    assert_eq!(
        h.update(&[channels()], None, None).unwrap(),
        ["used", "used", "used", "used", "used"]
    );
    let r = h.finish(0).unwrap();
    close(r.value.unwrap(), 60.0, 1e-12);
    assert_eq!(r.n, 5.0);
    let ci = r.ci.clone().unwrap();
    close(ci.low, 23.0724, 1e-3);
    close(ci.high, 88.2379, 1e-3);
    assert_eq!(r.unit, "% of rows where the value is not empty");
    assert_eq!(r.details["matching"], json!(3.0));
    assert_eq!(r.details["condition"], json!("is not empty"));
    assert_eq!(
        r.details["empty_values"],
        json!("counted as not matching (the condition is not_empty)")
    );
}

#[test]
fn not_empty_on_numbers_counts_zero_as_filled_in_and_still_rejects_nan() {
    // 0, 12.5, empty, NaN (rejected): 2 of 3 filled in.
    let mut h = number_share(r#"{"not_empty": true}"#).unwrap();
    assert_eq!(
        h.update(
            &[Column::Number(vec![
                Some(0.0),
                Some(12.5),
                None,
                Some(f64::NAN)
            ])],
            None,
            None
        )
        .unwrap(),
        ["used", "used", "used", "not_a_number"]
    );
    let r = h.finish(0).unwrap();
    close(r.value.unwrap(), 200.0 / 3.0, 1e-12);
    assert_eq!(r.n, 3.0);
}

#[test]
fn not_empty_must_be_true_and_alone() {
    let e = text_share(r#"{"not_empty": false}"#).err().unwrap();
    assert!(e.contains("not_empty = true"), "{e}");
    let e = text_share(r#"{"not_empty": true, "equals": "chat"}"#)
        .err()
        .unwrap();
    assert!(e.contains("exactly one condition"), "{e}");
    let e = text_share(r#"{"not_empty": true, "case_insensitive": true}"#)
        .err()
        .unwrap();
    assert!(e.contains("case_insensitive"), "{e}");
}
