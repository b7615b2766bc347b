//! Tests of `wait_time`.

use super::*;
use crate::duration::{Durations, TimeUnit};
use crate::wait::{WaitForm, WaitParams, WaitTime};
use cxm_sdk::testing::Harness;
use cxm_sdk::Reject;

type Wait = Harness<WaitTime>;

fn number(values: &[Option<f64>]) -> Column {
    Column::Number(values.to_vec())
}

fn bind_number(params: &str) -> Result<Wait, String> {
    Wait::bind(params, &[("wait", number(&[]))])
}

fn bind_stamps(params: &str) -> Result<Wait, String> {
    Wait::bind(params, &[("queued_at", ts(&[])), ("answered_at", ts(&[]))])
}

#[test]
fn spec_example_500_minutes_over_200_calls_is_2_5() {
    // 100 calls waited 2 min and 100 waited 3 min: 500 min / 200 calls = 2.5 min.
    // Median: W = 200, target 100 = C(2) exactly → (2 + 3) / 2 = 2.5; p90, p95 → 3.
    // s² = (100·4 + 100·9 − 500²/200) / 199 = 50/199; t(0.975, 199) → (2.430105853434337,
    // 2.569894146565663).
    let mut h = bind_number("{}").unwrap();
    let status = h
        .update(
            &[number(&[Some(2.0), Some(3.0)])],
            Some(&[100.0, 100.0]),
            None,
        )
        .unwrap();
    assert_eq!(status, ["used", "used"]);
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(2.5));
    assert_eq!(r.n, 200.0);
    assert_eq!(r.unit, "minutes");
    assert_eq!(detail(&r, "median"), 2.5);
    assert_eq!(detail(&r, "p90"), 3.0);
    assert_eq!(detail(&r, "p95"), 3.0);
    let ci = r.ci.clone().unwrap();
    close(ci.low, 2.430_105_853_434_337);
    close(ci.high, 2.569_894_146_565_663);
    assert!(r.warnings.is_empty());

    // The same 200 calls as raw rows give the identical result.
    let mut raw = bind_number("{}").unwrap();
    let mut values = vec![Some(2.0); 100];
    values.extend(vec![Some(3.0); 100]);
    raw.update(&[number(&values)], None, None).unwrap();
    assert_eq!(raw.finish(0).unwrap(), r);
}

#[test]
fn timestamps_form_and_units() {
    // Waits 2 min and 3 min from two timestamps; reported in seconds: 150 s.
    let mut h = bind_stamps(r#"{"unit": "seconds"}"#).unwrap();
    let status = h
        .update(
            &[
                ts(&[
                    Some(at(0, 9, 0)),
                    Some(at(0, 9, 0)),
                    Some(at(0, 9, 0)),
                    None,
                ]),
                ts(&[
                    Some(at(0, 9, 2)),
                    Some(at(0, 9, 3)),
                    None,
                    Some(at(0, 9, 1)),
                ]),
            ],
            None,
            None,
        )
        .unwrap();
    assert_eq!(statuses(&status), ["used", "used", "not_served", "empty"]);
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(150.0));
    assert_eq!(r.unit, "seconds");
    assert_eq!(detail(&r, "without_end_event"), 1.0);

    // input_unit = seconds, reported in minutes: 150 s → 2.5 min.
    let mut s = bind_number(r#"{"input_unit": "seconds"}"#).unwrap();
    s.update(&[number(&[Some(120.0), Some(180.0)])], None, None)
        .unwrap();
    assert_eq!(s.finish(0).unwrap().value, Some(2.5));
}

#[test]
fn not_served_negative_and_non_numeric_waits_are_rejected() {
    let mut h = bind_number("{}").unwrap();
    let status = h
        .update(
            &[number(&[None, Some(-1.0), Some(f64::NAN), Some(4.0)])],
            Some(&[2.0, 1.0, 1.0, 1.0]),
            None,
        )
        .unwrap();
    assert_eq!(
        statuses(&status),
        ["not_served", "negative_duration", "not_a_number", "used"]
    );
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (Some(4.0), 1.0));
    assert_eq!(detail(&r, "without_end_event"), 2.0);
}

#[test]
fn empty_and_all_invalid_input_give_no_value() {
    let r = bind_number("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    let mut h = bind_stamps("{}").unwrap();
    h.update(
        &[ts(&[Some(at(0, 9, 0))]), ts(&[Some(at(0, 8, 0))])],
        None,
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
}

#[test]
fn merging_two_instances_equals_one_over_all_rows() {
    let rows = [Some(1.0), Some(4.0), Some(2.5), None, Some(10.0)];
    let mut all = bind_number("{}").unwrap();
    all.update(&[number(&rows)], None, None).unwrap();
    let mut a = bind_number("{}").unwrap();
    a.update(&[number(&rows[..2])], None, None).unwrap();
    let mut b = bind_number("{}").unwrap();
    b.update(&[number(&rows[2..])], None, None).unwrap();
    a.merge(&b, &[0]).unwrap();
    let (merged, one) = (a.finish(0).unwrap(), all.finish(0).unwrap());
    assert_eq!(merged, one);
    // (1 + 4 + 2.5 + 10) / 4 = 4.375; median: target 2 = C(2.5) → (2.5 + 4) / 2 = 3.25.
    assert_eq!(one.value, Some(4.375));
    assert_eq!(detail(&one, "median"), 3.25);
}

#[test]
fn bind_needs_exactly_one_form() {
    let none = Wait::bind("{}", &[]).err().unwrap_or_default();
    assert!(none.contains("no wait is mapped"), "{none}");
    let both = Wait::bind(
        "{}",
        &[
            ("wait", number(&[])),
            ("queued_at", ts(&[])),
            ("answered_at", ts(&[])),
        ],
    )
    .err()
    .unwrap_or_default();
    assert!(both.contains("not both"), "{both}");
    let half = Wait::bind("{}", &[("queued_at", ts(&[]))])
        .err()
        .unwrap_or_default();
    assert!(half.contains("'answered_at' is not"), "{half}");
    let unit = bind_stamps(r#"{"input_unit": "seconds"}"#)
        .err()
        .unwrap_or_default();
    assert!(unit.contains("input_unit"), "{unit}");
    assert!(bind_number(r#"{"unit": "fortnights"}"#).is_err());
    assert!(bind_number(r#"{"confidence": 1.0}"#).is_err());
}

#[test]
fn plain_methods() {
    let m = WaitTime::new(
        WaitParams {
            unit: TimeUnit::Hours,
            input_unit: Some(TimeUnit::Minutes),
            ..WaitParams::default()
        },
        [true, false, false],
    )
    .unwrap();
    assert_eq!(m.form(), WaitForm::Number(60.0 / 3600.0));
    let mut s = Durations::default();
    assert_eq!(m.tally_number(&mut s, Some(90.0), 1.0), Ok(()));
    assert_eq!(
        m.tally_number(&mut s, Some(1.0), -1.0),
        Err(Reject::InvalidValue)
    );
    close(m.result(&s).value.unwrap(), 1.5);
    assert_eq!(
        m.tally_timestamps(&mut s, Some(0), Some(1), 1.0),
        Err(Reject::InvalidValue)
    );
}

#[test]
fn basis_is_the_mean_wait_and_its_sample_variance() {
    // 100 calls × 2 min and 100 × 3 min: mean 2.5, s² = (400 + 900 − 500²/200) / 199
    // = 50/199, n = 200.
    let mut h = bind_number("{}").unwrap();
    h.update(
        &[number(&[Some(2.0), Some(3.0)])],
        Some(&[100.0, 100.0]),
        None,
    )
    .unwrap();
    let (mean, variance, n) = mean_basis(&h.finish(0).unwrap());
    assert_eq!((mean, n), (2.5, 200.0));
    close(variance, 50.0 / 199.0);
    // Timestamps, reported in seconds: 120 s and 180 s; mean 150,
    // s² = (14400 + 32400 − 300²/2) / 1 = 1800.
    let mut h = bind_stamps(r#"{"unit": "seconds"}"#).unwrap();
    h.update(
        &[
            ts(&[Some(at(0, 9, 0)), Some(at(0, 9, 0))]),
            ts(&[Some(at(0, 9, 2)), Some(at(0, 9, 3))]),
        ],
        None,
        None,
    )
    .unwrap();
    let (mean, variance, n) = mean_basis(&h.finish(0).unwrap());
    assert_eq!((mean, n), (150.0, 2.0));
    close(variance, 1800.0);
    // Nothing served: no value, no basis.
    let r = bind_number("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}
