//! Tests of how the duration metrics keep their quantiles: exact (and saying so) up to 4096
//! durations per group, a DDSketch within 1% beyond, every duration with `exact = true`,
//! and merges across the limit equal to one instance over all rows. The expected values
//! are the exact definition-2 quantiles of the same durations (`cxm_stats::WeightedSample`).

use super::*;
use crate::response::AverageResponseTime;
use crate::span::ResolutionTime;
use crate::wait::WaitTime;
use cxm_sdk::testing::Harness;
use serde_json::json;

const EXACT: &str = "exact (Hyndman-Fan definition 2)";
const SKETCH: &str = "DDSketch (relative error 1%)";

/// `n` resolution times in whole seconds, lognormal-like (median about 5 h, a tail of weeks),
/// from a fixed hash of the ticket number.
fn seconds(n: usize) -> Vec<i64> {
    (0..n as u64)
        .map(|i| {
            let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5851_F42D_4C95_7F2D;
            z = (z ^ (z >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB);
            let u = ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            let logit = (u / (1.0 - u)).ln();
            (18_000.0 * (logit * 0.8).exp()).round() as i64
        })
        .collect()
}

/// Tickets created a minute apart from Monday 00:00, resolved `durations` seconds later.
fn tickets(durations: &[i64]) -> [Column; 2] {
    let created: Vec<Option<i64>> = (0..durations.len() as i64)
        .map(|i| Some(MONDAY + i * 60_000_000))
        .collect();
    let resolved = created
        .iter()
        .zip(durations)
        .map(|(c, d)| c.map(|c| c + d * 1_000_000))
        .collect::<Vec<_>>();
    [ts(&created), ts(&resolved)]
}

fn resolution(params: &str, durations: &[i64]) -> Harness<ResolutionTime> {
    let inputs = [("created_at", ts(&[])), ("resolved_at", ts(&[]))];
    let mut h = Harness::<ResolutionTime>::bind(params, &inputs).unwrap();
    for chunk in durations.chunks(4000) {
        h.update(&tickets(chunk), None, None).unwrap();
    }
    h
}

/// Exact median, p90 and p95 of the durations, in hours.
fn exact_hours(durations: &[i64]) -> [f64; 3] {
    let mut s = cxm_stats::WeightedSample::default();
    for &d in durations {
        s.add(d as f64 / 3600.0, 1.0);
    }
    let q = s.quantiles(&[0.5, 0.9, 0.95]);
    [q[0].unwrap(), q[1].unwrap(), q[2].unwrap()]
}

fn figures(r: &MetricResult) -> [f64; 3] {
    [detail(r, "median"), detail(r, "p90"), detail(r, "p95")]
}

#[test]
fn up_to_4096_durations_the_quantiles_are_exact() {
    let durations = seconds(4096);
    let r = resolution("{}", &durations).finish(0).unwrap();
    assert_eq!(figures(&r), exact_hours(&durations));
    assert_eq!(r.details["quantile_method"], json!(EXACT));
    assert!(r.details.get("relative_error").is_none());
}

#[test]
fn beyond_4096_each_quantile_is_within_one_percent() {
    let durations = seconds(60_001);
    let r = resolution("{}", &durations).finish(0).unwrap();
    for (got, want) in figures(&r).into_iter().zip(exact_hours(&durations)) {
        assert!((got - want).abs() <= 0.01 * want, "{got} vs {want}");
    }
    assert_eq!(r.details["quantile_method"], json!(SKETCH));
    assert_eq!(r.details["relative_error"], json!(0.01));
    // The mean, its interval and n do not depend on the quantile method.
    let all = resolution(r#"{"exact": true}"#, &durations)
        .finish(0)
        .unwrap();
    assert_eq!((r.value, &r.ci, r.n), (all.value, &all.ci, all.n));
    assert_eq!(r.n, 60_001.0);
}

#[test]
fn exact_true_keeps_every_duration() {
    let durations = seconds(60_001);
    let r = resolution(r#"{"exact": true, "unit": "hours"}"#, &durations)
        .finish(0)
        .unwrap();
    assert_eq!(figures(&r), exact_hours(&durations));
    assert_eq!(r.details["quantile_method"], json!(EXACT));
    assert!(r.details.get("relative_error").is_none());
}

#[test]
fn merging_across_the_limit_equals_one_instance() {
    let durations = seconds(9000);
    let one = resolution("{}", &durations).finish(0).unwrap();
    assert_eq!(one.details["quantile_method"], json!(SKETCH));
    let (a_rows, b_rows) = durations.split_at(4000);
    for (first, second) in [(a_rows, b_rows), (b_rows, a_rows)] {
        let mut a = resolution("{}", first);
        a.merge(&resolution("{}", second), &[0]).unwrap();
        let merged = a.finish(0).unwrap();
        // The quantiles are the same to the bit; the mean only to rounding (its sums are
        // added in another order).
        assert_eq!(figures(&merged), figures(&one));
        assert_eq!(
            merged.details["quantile_method"],
            one.details["quantile_method"]
        );
        assert_eq!(merged.n, one.n);
        close(merged.value.unwrap(), one.value.unwrap());
    }
}

#[test]
fn wait_time_and_response_time_take_the_param_too() {
    // 5000 waits of 1..=5000 minutes: sketched by default, exact with exact = true
    // (median: n·0.5 = 2500 is whole → (2500 + 2501)/2 = 2500.5).
    let waits: Vec<Option<f64>> = (1..=5000).map(|m| Some(f64::from(m))).collect();
    let mut sketched =
        Harness::<WaitTime>::bind("{}", &[("wait", Column::Number(vec![]))]).unwrap();
    sketched
        .update(&[Column::Number(waits.clone())], None, None)
        .unwrap();
    let r = sketched.finish(0).unwrap();
    assert!((detail(&r, "median") - 2500.5).abs() <= 0.01 * 2500.5);
    assert_eq!(r.details["quantile_method"], json!(SKETCH));
    let mut exact =
        Harness::<WaitTime>::bind(r#"{"exact": true}"#, &[("wait", Column::Number(vec![]))])
            .unwrap();
    exact.update(&[Column::Number(waits)], None, None).unwrap();
    let r = exact.finish(0).unwrap();
    assert_eq!(detail(&r, "median"), 2500.5);
    assert_eq!(r.details["quantile_method"], json!(EXACT));

    let inputs = [
        ("ticket", Column::text(&[])),
        ("role", Column::text(&[])),
        ("sent_at", ts(&[])),
    ];
    let h = Harness::<AverageResponseTime>::bind(r#"{"exact": true}"#, &inputs).unwrap();
    assert_eq!(
        h.finish(0).unwrap().details["quantile_method"],
        json!(EXACT)
    );
    let e = Harness::<AverageResponseTime>::bind(r#"{"exact": 1}"#, &inputs)
        .err()
        .unwrap_or_default();
    assert!(e.contains("invalid type"), "{e}");
}
