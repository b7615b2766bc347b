//! Tests of `first_response_time` and `resolution_time`.

use super::*;
use crate::duration::Durations;
use crate::span::{FirstResponseTime, ResolutionTime, SpanParams};
use cxm_sdk::testing::Harness;
use cxm_sdk::{Interval, Reject};

type Frt = Harness<FirstResponseTime>;

fn bind_frt(params: &str) -> Result<Frt, String> {
    Frt::bind(
        params,
        &[("created_at", ts(&[])), ("first_response_at", ts(&[]))],
    )
}

/// Tickets created Monday 08:00 and answered after 1, 2, 3 and 4 hours, one without a reply
/// and one "answered" an hour before it was created.
fn tickets() -> [Column; 2] {
    [
        ts(&[
            Some(at(0, 8, 0)),
            Some(at(0, 8, 0)),
            Some(at(0, 8, 0)),
            Some(at(0, 8, 0)),
            Some(at(0, 8, 0)),
            Some(at(0, 8, 0)),
            None,
        ]),
        ts(&[
            Some(at(0, 9, 0)),
            Some(at(0, 10, 0)),
            Some(at(0, 11, 0)),
            Some(at(0, 12, 0)),
            None,
            Some(at(0, 7, 0)),
            Some(at(0, 9, 0)),
        ]),
    ]
}

#[test]
fn spec_example_monday_to_wednesday_is_two_days() {
    // Raised Monday 10:00, resolved Wednesday 10:00: 48 h = 2 days.
    let cols = [ts(&[Some(at(0, 10, 0))]), ts(&[Some(at(2, 10, 0))])];
    let inputs = [("created_at", ts(&[])), ("resolved_at", ts(&[]))];
    let mut days = Harness::<ResolutionTime>::bind(r#"{"unit": "days"}"#, &inputs).unwrap();
    assert_eq!(days.update(&cols, None, None).unwrap(), ["used"]);
    let r = days.finish(0).unwrap();
    assert_eq!(r.value, Some(2.0));
    assert_eq!(r.unit, "days");
    assert_eq!(r.n, 1.0);
    assert_eq!(r.details["median"], 2.0);
    assert_eq!(r.ci, None, "no interval from one duration");
    let mut hours = Harness::<ResolutionTime>::bind("{}", &inputs).unwrap();
    hours.update(&cols, None, None).unwrap();
    let r = hours.finish(0).unwrap();
    assert_eq!((r.value, r.unit.as_str()), (Some(48.0), "hours"));
}

#[test]
fn unresolved_tickets_are_rejected_and_counted() {
    let inputs = [("created_at", ts(&[])), ("resolved_at", ts(&[]))];
    let mut h = Harness::<ResolutionTime>::bind("{}", &inputs).unwrap();
    let cols = [
        ts(&[Some(at(0, 10, 0)), Some(at(0, 10, 0))]),
        ts(&[None, Some(at(0, 16, 0))]),
    ];
    assert_eq!(
        h.update(&cols, Some(&[3.0, 1.0]), None).unwrap(),
        ["unresolved", "used"]
    );
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(6.0));
    assert_eq!(r.details["without_end_event"], 3.0);
}

#[test]
fn first_response_mean_quantiles_interval_and_row_accounting() {
    let mut h = bind_frt("{}").unwrap();
    let status = h.update(&tickets(), None, None).unwrap();
    assert_eq!(
        statuses(&status),
        [
            "used",
            "used",
            "used",
            "used",
            "no_response",
            "negative_duration",
            "empty"
        ]
    );
    let r = h.finish(0).unwrap();
    // Durations 1, 2, 3, 4 h: mean 2.5; median: W = 4, target 2 = C(2) exactly → (2 + 3) / 2
    // = 2.5; p90: target 3.6 → 4; p95: target 3.8 → 4.
    assert_eq!(r.value, Some(2.5));
    assert_eq!(r.n, 4.0);
    assert_eq!(r.unit, "hours");
    assert_eq!(detail(&r, "mean"), 2.5);
    assert_eq!(detail(&r, "median"), 2.5);
    assert_eq!(detail(&r, "p90"), 4.0);
    assert_eq!(detail(&r, "p95"), 4.0);
    assert_eq!(r.details["unit"], "hours");
    assert_eq!(detail(&r, "without_end_event"), 1.0);
    // s² = (30 − 10²/4) / 3 = 5/3, t(0.975, 3) = 3.182446305284263,
    // half = t · √(5/12) → (0.4457397432394787, 4.5542602567605215).
    let Some(Interval {
        low,
        high,
        level,
        method,
    }) = r.ci.clone()
    else {
        panic!("no ci")
    };
    close(low, 0.445_739_743_239_478_7);
    close(high, 4.554_260_256_760_521_5);
    assert_eq!((level, method.as_str()), (0.95, "t"));
    assert_eq!(r.warnings, ["low_sample"]);
}

#[test]
fn units_and_min_n_params() {
    let mut h = bind_frt(r#"{"unit": "minutes", "min_n": 4, "confidence": 0.9}"#).unwrap();
    h.update(&tickets(), None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(150.0));
    assert_eq!(r.unit, "minutes");
    assert_eq!(detail(&r, "p95"), 240.0);
    assert!(r.warnings.is_empty(), "n = 4 is not below min_n = 4");
    assert_eq!(r.ci.map(|c| c.level), Some(0.9));
}

#[test]
fn weights_equal_expanded_rows() {
    // (1 h, ×2), (5 h, ×1), (7 h, ×3), (unanswered, ×2) against the six + two raw rows.
    let created = at(0, 0, 0);
    let answered = |h: i64| Some(at(0, h, 0));
    let mut weighted = bind_frt("{}").unwrap();
    weighted
        .update(
            &[
                ts(&[Some(created); 4]),
                ts(&[answered(1), answered(5), answered(7), None]),
            ],
            Some(&[2.0, 1.0, 3.0, 2.0]),
            None,
        )
        .unwrap();
    let mut raw = bind_frt("{}").unwrap();
    let ends = [1, 1, 5, 7, 7, 7].map(answered);
    let mut ends = ends.to_vec();
    ends.extend([None, None]);
    raw.update(&[ts(&[Some(created); 8]), ts(&ends)], None, None)
        .unwrap();
    let (w, r) = (weighted.finish(0).unwrap(), raw.finish(0).unwrap());
    assert_eq!(w, r);
    // mean = (2 + 5 + 21) / 6 = 14/3; median: target 3 = C(5) exactly → (5 + 7) / 2 = 6.
    close(w.value.unwrap(), 14.0 / 3.0);
    assert_eq!(detail(&w, "median"), 6.0);
    assert_eq!(detail(&w, "without_end_event"), 2.0);
    assert_eq!(w.n, 6.0);
}

#[test]
fn merging_two_instances_equals_one_over_all_rows() {
    let [created, answered] = tickets();
    let split = |c: &Column, range: std::ops::Range<usize>| match c {
        Column::Timestamp(v) => Column::Timestamp(v[range].to_vec()),
        _ => unreachable!(),
    };
    let mut a = bind_frt("{}").unwrap();
    a.update(&[split(&created, 0..3), split(&answered, 0..3)], None, None)
        .unwrap();
    let mut b = bind_frt("{}").unwrap();
    b.update(&[split(&created, 3..7), split(&answered, 3..7)], None, None)
        .unwrap();
    a.merge(&b, &[0]).unwrap();
    let mut all = bind_frt("{}").unwrap();
    all.update(&tickets(), None, None).unwrap();
    assert_eq!(a.finish(0).unwrap(), all.finish(0).unwrap());
}

#[test]
fn empty_and_all_invalid_input_give_no_value() {
    let empty = bind_frt("{}").unwrap();
    let r = empty.finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    assert_eq!(detail(&r, "without_end_event"), 0.0);

    let mut invalid = bind_frt("{}").unwrap();
    let status = invalid
        .update(
            &[
                ts(&[Some(at(0, 9, 0)), Some(at(0, 9, 0))]),
                ts(&[None, Some(at(0, 8, 0))]),
            ],
            None,
            None,
        )
        .unwrap();
    assert_eq!(statuses(&status), ["no_response", "negative_duration"]);
    let r = invalid.finish(0).unwrap();
    assert_eq!((r.value, r.n, &r.ci), (None, 0.0, &None));
    assert_eq!(detail(&r, "without_end_event"), 1.0);
    assert_eq!(r.details["median"], Value::Null);
}

#[test]
fn param_and_mapping_errors_explain_the_fix() {
    let err = |p: &str| bind_frt(p).err().unwrap_or_default();
    assert!(err(r#"{"unit": "weeks"}"#).contains("unknown variant"));
    assert!(err(r#"{"confidence": 95}"#).contains("write 0.95"));
    assert!(err(r#"{"units": "hours"}"#).contains("unknown field"));
    let unmapped = Frt::bind("{}", &[("created_at", ts(&[]))])
        .err()
        .unwrap_or_default();
    assert!(
        unmapped.contains("'first_response_at' is not mapped"),
        "{unmapped}"
    );
    let resolved = Harness::<ResolutionTime>::bind("{}", &[("created_at", ts(&[]))])
        .err()
        .unwrap_or_default();
    assert!(resolved.contains("'resolved_at'"), "{resolved}");
    assert!(Frt::bind("{}", &[("first_response_at", ts(&[]))]).is_err());
}

#[test]
fn plain_methods_reject_like_the_abi() {
    let m = FirstResponseTime::new(SpanParams::default(), true).unwrap();
    let mut s = Durations::default();
    assert_eq!(m.tally(&mut s, None, Some(1), 1.0), Err(Reject::Empty));
    assert_eq!(
        m.tally(&mut s, Some(1), Some(2), f64::NAN),
        Err(Reject::InvalidValue)
    );
    assert_eq!(m.tally(&mut s, Some(0), Some(3_600_000_000), 1.0), Ok(()));
    assert_eq!(m.result(&s).value, Some(1.0));
}

#[test]
fn first_response_basis_is_the_mean_and_sample_variance_in_the_unit() {
    // Durations 1, 2, 3, 4 h: mean 2.5, s² = (30 − 10²/4) / 3 = 5/3, n = 4.
    let mut h = bind_frt("{}").unwrap();
    h.update(&tickets(), None, None).unwrap();
    let (mean, variance, n) = mean_basis(&h.finish(0).unwrap());
    assert_eq!((mean, n), (2.5, 4.0));
    close(variance, 5.0 / 3.0);
    // In minutes: 60..240, mean 150, s² = 5/3 · 60² = 6000.
    let mut h = bind_frt(r#"{"unit": "minutes"}"#).unwrap();
    h.update(&tickets(), None, None).unwrap();
    let (mean, variance, n) = mean_basis(&h.finish(0).unwrap());
    assert_eq!((mean, n), (150.0, 4.0));
    close(variance, 6000.0);
    // Frequency weights: (1 h ×2, 5 h ×1, 7 h ×3): Σw = 6, Σw·x = 28, Σw·x² = 174,
    // s² = (174 − 28²/6) / 5 = 26/3.
    let created = at(0, 0, 0);
    let mut w = bind_frt("{}").unwrap();
    w.update(
        &[
            ts(&[Some(created); 3]),
            ts(&[Some(at(0, 1, 0)), Some(at(0, 5, 0)), Some(at(0, 7, 0))]),
        ],
        Some(&[2.0, 1.0, 3.0]),
        None,
    )
    .unwrap();
    let (mean, variance, n) = mean_basis(&w.finish(0).unwrap());
    close(mean, 14.0 / 3.0);
    close(variance, 26.0 / 3.0);
    assert_eq!(n, 6.0);
    // No durations: no value and no basis.
    let r = bind_frt("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}

#[test]
fn resolution_basis_needs_two_durations() {
    let inputs = [("created_at", ts(&[])), ("resolved_at", ts(&[]))];
    // Resolved after 6 h and 24 h, in days: 0.25 and 1; mean 0.625,
    // s² = (0.0625 + 1 − 1.25²/2) / 1 = 0.28125.
    let mut h = Harness::<ResolutionTime>::bind(r#"{"unit": "days"}"#, &inputs).unwrap();
    h.update(
        &[
            ts(&[Some(at(0, 10, 0)), Some(at(0, 10, 0))]),
            ts(&[Some(at(0, 16, 0)), Some(at(1, 10, 0))]),
        ],
        None,
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(
        r.basis,
        Some(cxm_sdk::TestBasis::Mean {
            mean: 0.625,
            variance: 0.28125,
            n: 2.0
        })
    );
    mean_basis(&r);
    // One duration: a mean but no sample variance, so no basis.
    let mut one = Harness::<ResolutionTime>::bind("{}", &inputs).unwrap();
    one.update(
        &[ts(&[Some(at(0, 10, 0))]), ts(&[Some(at(2, 10, 0))])],
        None,
        None,
    )
    .unwrap();
    let r = one.finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (Some(48.0), &None));
}
