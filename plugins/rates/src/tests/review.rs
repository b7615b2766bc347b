//! Tests of `review_response_rate`.

use super::*;
use crate::review::{ReviewParams, ReviewResponseRate, ReviewState};
use cxm_sdk::testing::{Column, Harness};
use cxm_sdk::Reject;

type Rrr = Harness<ReviewResponseRate>;

/// Monday 2025-03-03 08:00 UTC plus `minutes`, in microseconds.
fn t(minutes: i64) -> i64 {
    1_740_988_800_000_000 + minutes * 60_000_000
}

fn bind(params: &str) -> Result<Rrr, String> {
    Rrr::bind(
        params,
        &[
            ("received_at", Column::Timestamp(vec![])),
            ("answered_at", Column::Timestamp(vec![])),
        ],
    )
}

/// Reviews received at 08:00, answered after 1, 2, 3 and 5 hours, two unanswered, one
/// answered an hour before it arrived and one without a receipt time.
fn reviews() -> [Column; 2] {
    let mut received = vec![Some(t(0)); 7];
    received.push(None);
    [
        Column::Timestamp(received),
        Column::Timestamp(vec![
            Some(t(60)),
            Some(t(120)),
            Some(t(180)),
            Some(t(300)),
            None,
            None,
            Some(t(-60)),
            Some(t(0)),
        ]),
    ]
}

#[test]
fn rate_answer_time_and_row_accounting() {
    let mut h = bind("{}").unwrap();
    let status = h.update(&reviews(), None, None).unwrap();
    assert_eq!(
        statuses(&status),
        [
            "used",
            "used",
            "used",
            "used",
            "used",
            "used",
            "negative_duration",
            "empty"
        ]
    );
    let r = h.finish(0).unwrap();
    // 4 answered of 6 received: 66.666…%; Wilson(4, 6) → (29.999331513839213,
    // 90.32285888942197).
    close(r.value.unwrap(), 200.0 / 3.0);
    assert_eq!(r.n, 6.0);
    assert_eq!(r.unit, "% of reviews answered");
    wilson(&r, 29.999_331_513_839_213, 90.322_858_889_421_97);
    assert_eq!(detail(&r, "answered"), 4.0);
    assert_eq!(detail(&r, "received"), 6.0);
    // Answer times 1, 2, 3, 5 h: mean 11/4 = 2.75; median: W = 4, target 2 = C(2) → (2 +
    // 3) / 2 = 2.5; p90 (3.6) and p95 (3.8) → 5.
    assert_eq!(detail(&r, "answer_time_mean"), 2.75);
    assert_eq!(detail(&r, "answer_time_median"), 2.5);
    assert_eq!(detail(&r, "answer_time_p90"), 5.0);
    assert_eq!(detail(&r, "answer_time_p95"), 5.0);
    assert_eq!(r.details["answer_time_unit"], "hours");
    assert_eq!(r.warnings, ["low_sample"]);

    let mut minutes = bind(r#"{"unit": "minutes", "min_n": 6}"#).unwrap();
    minutes.update(&reviews(), None, None).unwrap();
    let r = minutes.finish(0).unwrap();
    assert_eq!(detail(&r, "answer_time_mean"), 165.0);
    assert_eq!(r.details["answer_time_unit"], "minutes");
    assert!(r.warnings.is_empty());
}

#[test]
fn weights_equal_expanded_rows() {
    // (answered after 1 h, ×3), (unanswered, ×2) against five raw rows.
    let mut weighted = bind("{}").unwrap();
    weighted
        .update(
            &[
                Column::Timestamp(vec![Some(t(0)); 2]),
                Column::Timestamp(vec![Some(t(60)), None]),
            ],
            Some(&[3.0, 2.0]),
            None,
        )
        .unwrap();
    let mut raw = bind("{}").unwrap();
    raw.update(
        &[
            Column::Timestamp(vec![Some(t(0)); 5]),
            Column::Timestamp(vec![Some(t(60)), Some(t(60)), Some(t(60)), None, None]),
        ],
        None,
        None,
    )
    .unwrap();
    let r = weighted.finish(0).unwrap();
    assert_eq!(r, raw.finish(0).unwrap());
    // 3 of 5 → 60 %; Wilson(3, 5) → (23.072428127601295, 88.2379225767352).
    assert_eq!(r.value, Some(60.0));
    wilson(&r, 23.072_428_127_601_295, 88.237_922_576_735_2);
}

#[test]
fn merging_two_instances_equals_one_over_all_rows() {
    let [received, answered] = reviews();
    let cut = |c: &Column, range: std::ops::Range<usize>| match c {
        Column::Timestamp(v) => Column::Timestamp(v[range].to_vec()),
        _ => unreachable!(),
    };
    let mut a = bind("{}").unwrap();
    a.update(&[cut(&received, 0..3), cut(&answered, 0..3)], None, None)
        .unwrap();
    let mut b = bind("{}").unwrap();
    b.update(&[cut(&received, 3..8), cut(&answered, 3..8)], None, None)
        .unwrap();
    a.merge(&b, &[0]).unwrap();
    let mut all = bind("{}").unwrap();
    all.update(&reviews(), None, None).unwrap();
    assert_eq!(a.finish(0).unwrap(), all.finish(0).unwrap());
}

#[test]
fn empty_and_all_invalid_input_give_no_value() {
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, r.n, &r.ci), (None, 0.0, &None));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    assert_eq!(r.details["answer_time_median"], Value::Null);
    let mut h = bind("{}").unwrap();
    let status = h
        .update(
            &[
                Column::Timestamp(vec![Some(t(0)), None]),
                Column::Timestamp(vec![Some(t(-1)), Some(t(0))]),
            ],
            None,
            None,
        )
        .unwrap();
    assert_eq!(statuses(&status), ["negative_duration", "empty"]);
    assert_eq!(h.finish(0).unwrap().value, None);
}

#[test]
fn param_and_mapping_errors() {
    let err = |p: &str| bind(p).err().unwrap_or_default();
    assert!(err(r#"{"unit": "weeks"}"#).contains("unknown variant"));
    assert!(err(r#"{"confidence": 95}"#).contains("write 0.95"));
    assert!(err(r#"{"scale": [1, 5]}"#).contains("unknown field"));
    let unmapped = Rrr::bind("{}", &[("received_at", Column::Timestamp(vec![]))])
        .err()
        .unwrap_or_default();
    assert!(
        unmapped.contains("'answered_at' is not mapped"),
        "{unmapped}"
    );
}

#[test]
fn plain_methods() {
    let m = ReviewResponseRate::new(ReviewParams::default(), true).unwrap();
    let mut s = ReviewState::default();
    assert_eq!(m.tally(&mut s, None, Some(0), 1.0), Err(Reject::Empty));
    assert_eq!(
        m.tally(&mut s, Some(0), None, -1.0),
        Err(Reject::InvalidValue)
    );
    assert_eq!(m.tally(&mut s, Some(0), Some(7_200_000_000), 1.0), Ok(()));
    let r = m.result(&s);
    assert_eq!(
        (r.value, detail(&r, "answer_time_mean")),
        (Some(100.0), 2.0)
    );
}

#[test]
fn basis_is_answered_of_received() {
    // 4 answered of 6 received (the negative and receipt-less rows are rejected).
    let mut h = bind("{}").unwrap();
    h.update(&reviews(), None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(proportion_basis(&r), (4.0, 6.0));
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}
