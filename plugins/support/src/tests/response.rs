//! Tests of `average_response_time`.

use super::*;
use crate::response::{AverageResponseTime, Conversations, ResponseParams};
use cxm_sdk::testing::Harness;
use cxm_sdk::Reject;

type Art = Harness<AverageResponseTime>;

fn bind(params: &str) -> Result<Art, String> {
    Art::bind(
        params,
        &[
            ("ticket", Column::text(&[])),
            ("role", Column::text(&[])),
            ("sent_at", ts(&[])),
        ],
    )
}

/// Messages as (ticket, role, Monday hour, minute), as the three input columns.
fn messages(rows: &[(Option<&str>, &str, i64, i64)]) -> [Column; 3] {
    [
        Column::text(&rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::text(&rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>()),
        ts(&rows
            .iter()
            .map(|r| Some(at(0, r.2, r.3)))
            .collect::<Vec<_>>()),
    ]
}

/// Two conversations, out of order, with mixed-case roles and three invalid rows.
const ROWS: [(Option<&str>, &str, i64, i64); 12] = [
    (Some("A"), "agent", 10, 30),
    (Some("A"), "customer", 10, 0),
    (Some("A"), "Customer", 10, 5),
    (Some("A"), "AGENT", 10, 40),
    (Some("A"), " customer ", 11, 0),
    (Some("A"), "agent", 12, 0),
    (Some("B"), "customer", 9, 0),
    (Some("B"), "agent", 9, 15),
    (Some("B"), "customer", 9, 20),
    (Some("B"), "bot", 9, 21),
    (None, "agent", 9, 30),
    (Some("  "), "agent", 9, 30),
];

#[test]
fn reply_intervals_across_conversations() {
    let mut h = bind(r#"{"unit": "minutes"}"#).unwrap();
    let status = h.update(&messages(&ROWS), None, None).unwrap();
    let mut expected = vec!["used"; 9];
    expected.extend(["unknown_role", "empty", "empty"]);
    assert_eq!(statuses(&status), expected);
    let r = h.finish(0).unwrap();
    // A: wait from 10:00 (10:05 does not restart it) answered 10:30 → 30; 10:40 answers
    // nothing; 11:00 → 12:00 = 60. B: 09:00 → 09:15 = 15; 09:20 never answered.
    // mean (30 + 60 + 15) / 3 = 35; median: W = 3, target 1.5 → 30; p90 (2.7), p95 → 60.
    assert_eq!(r.value, Some(35.0));
    assert_eq!(r.n, 3.0);
    assert_eq!(r.unit, "minutes");
    assert_eq!(detail(&r, "median"), 30.0);
    assert_eq!(detail(&r, "p90"), 60.0);
    assert_eq!(detail(&r, "p95"), 60.0);
    assert_eq!(detail(&r, "without_end_event"), 1.0);
    assert_eq!(detail(&r, "tickets"), 2.0);
    // Agent messages: 10:30, 10:40, 12:00 in A and 09:15 in B.
    assert_eq!(detail(&r, "replies"), 4.0);
    // s² = (900 + 3600 + 225 − 105²/3) / 2 = 525, t(0.975, 2) = 4.302652729749464,
    // half = t·√175 → (−21.918745503951392, 91.91874550395138).
    let ci = r.ci.clone().unwrap();
    close(ci.low, -21.918_745_503_951_392);
    close(ci.high, 91.918_745_503_951_38);

    // Default unit: hours (35 min = 0.58333… h).
    let mut hours = bind("{}").unwrap();
    hours.update(&messages(&ROWS), None, None).unwrap();
    let r = hours.finish(0).unwrap();
    close(r.value.unwrap(), 35.0 / 60.0);
    assert_eq!(r.unit, "hours");
}

#[test]
fn simultaneous_messages_put_the_customer_first() {
    let mut h = bind(r#"{"unit": "minutes"}"#).unwrap();
    h.update(
        &messages(&[(Some("C"), "agent", 10, 0), (Some("C"), "customer", 10, 0)]),
        None,
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (Some(0.0), 1.0));
    assert_eq!(detail(&r, "without_end_event"), 0.0);
}

#[test]
fn the_interval_weighs_as_the_message_that_started_the_wait() {
    // Customer 10:00 (×3), customer 10:05 (×1), agent 10:30 (×1): one 30-minute interval of
    // weight 3.
    let mut h = bind(r#"{"unit": "minutes"}"#).unwrap();
    h.update(
        &messages(&[
            (Some("A"), "customer", 10, 0),
            (Some("A"), "customer", 10, 5),
            (Some("A"), "agent", 10, 30),
        ]),
        Some(&[3.0, 1.0, 1.0]),
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (Some(30.0), 3.0));
    assert_eq!(detail(&r, "replies"), 1.0);
}

#[test]
fn a_weighted_conversation_equals_repeated_conversations() {
    // Ticket A with every message weighted 2 equals tickets A and A2 with the same messages.
    let a: Vec<_> = ROWS[..6].to_vec();
    let mut weighted = bind("{}").unwrap();
    weighted
        .update(&messages(&a), Some(&[2.0; 6]), None)
        .unwrap();
    let mut repeated = bind("{}").unwrap();
    let mut twice = a.clone();
    twice.extend(a.iter().map(|r| (Some("A2"), r.1, r.2, r.3)));
    repeated.update(&messages(&twice), None, None).unwrap();
    let (w, r) = (weighted.finish(0).unwrap(), repeated.finish(0).unwrap());
    assert_eq!((w.value, w.n, &w.ci), (r.value, r.n, &r.ci));
    for key in [
        "mean",
        "median",
        "p90",
        "p95",
        "without_end_event",
        "replies",
    ] {
        assert_eq!(w.details[key], r.details[key], "{key}");
    }
    // Intervals 0.5 h and 1 h, each twice: mean 0.75.
    assert_eq!(w.value, Some(0.75));
    assert_eq!(detail(&w, "tickets"), 1.0);
    assert_eq!(detail(&r, "tickets"), 2.0);
}

#[test]
fn merging_splits_of_one_conversation_equals_one_instance() {
    // Ticket A's messages land in two instances (as across threads or batches).
    let mut all = bind("{}").unwrap();
    all.update(&messages(&ROWS), None, None).unwrap();
    let mut a = bind("{}").unwrap();
    a.update(&messages(&ROWS[..3]), None, None).unwrap();
    let mut b = bind("{}").unwrap();
    b.update(&messages(&ROWS[3..]), None, None).unwrap();
    b.merge(&a, &[0]).unwrap();
    assert_eq!(b.finish(0).unwrap(), all.finish(0).unwrap());
}

#[test]
fn empty_and_all_invalid_input_give_no_value() {
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    assert_eq!(detail(&r, "tickets"), 0.0);
    let mut h = bind("{}").unwrap();
    let status = h
        .update(
            &messages(&[(Some("A"), "bot", 9, 0), (Some(""), "agent", 9, 0)]),
            None,
            None,
        )
        .unwrap();
    assert_eq!(statuses(&status), ["unknown_role", "empty"]);
    assert_eq!(h.finish(0).unwrap().value, None);
    // Only customer messages: used, but every wait is unanswered.
    let mut waits = bind("{}").unwrap();
    waits
        .update(
            &messages(&[(Some("A"), "customer", 9, 0)]),
            Some(&[4.0]),
            None,
        )
        .unwrap();
    let r = waits.finish(0).unwrap();
    assert_eq!((r.value, detail(&r, "without_end_event")), (None, 4.0));
}

#[test]
fn custom_roles_and_param_errors() {
    let mut h = bind(
        r#"{"agent_roles": ["Support", "tier2"], "customer_roles": ["end-user"], "unit": "minutes"}"#,
    )
    .unwrap();
    let status = h
        .update(
            &messages(&[
                (Some("A"), "END-USER", 9, 0),
                (Some("A"), "Tier2", 9, 10),
                (Some("A"), "agent", 9, 20),
            ]),
            None,
            None,
        )
        .unwrap();
    assert_eq!(statuses(&status), ["used", "used", "unknown_role"]);
    assert_eq!(h.finish(0).unwrap().value, Some(10.0));

    let err = |p: &str| bind(p).err().unwrap_or_default();
    assert!(err(r#"{"agent_roles": []}"#).contains("agent_roles is empty"));
    assert!(err(r#"{"customer_roles": ["Agent"]}"#).contains("in both"));
    assert!(err(r#"{"agent_roles": [" "]}"#).contains("empty role"));
    assert!(err(r#"{"roles": ["x"]}"#).contains("unknown field"));
    assert!(err(r#"{"confidence": 0}"#).contains("confidence"));
}

#[test]
fn plain_methods() {
    let m = AverageResponseTime::new(ResponseParams::default()).unwrap();
    let mut s = Conversations::default();
    assert_eq!(
        m.tally(&mut s, Some("A"), Some("agent"), None, 1.0),
        Err(Reject::Empty)
    );
    assert_eq!(
        m.tally(&mut s, Some("A"), Some("agent"), Some(0), f64::INFINITY),
        Err(Reject::InvalidValue)
    );
    assert!(s.tickets.is_empty());
}

#[test]
fn basis_is_the_mean_reply_interval_and_its_sample_variance() {
    // Intervals 30, 60, 15 min: mean 35, s² = (900 + 3600 + 225 − 105²/3) / 2 = 525, n = 3.
    let mut h = bind(r#"{"unit": "minutes"}"#).unwrap();
    h.update(&messages(&ROWS), None, None).unwrap();
    let (mean, variance, n) = mean_basis(&h.finish(0).unwrap());
    assert_eq!((mean, n), (35.0, 3.0));
    close(variance, 525.0);
    // In hours (the default unit): mean 35/60, s² = 525/3600.
    let mut h = bind("{}").unwrap();
    h.update(&messages(&ROWS), None, None).unwrap();
    let (mean, variance, n) = mean_basis(&h.finish(0).unwrap());
    close(mean, 35.0 / 60.0);
    close(variance, 525.0 / 3600.0);
    assert_eq!(n, 3.0);
    // No conversation: no value, no basis.
    let r = bind("{}").unwrap().finish(0).unwrap();
    assert_eq!((r.value, &r.basis), (None, &None));
}
