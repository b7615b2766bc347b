//! Unit tests of the `ces` plugin, through the plain methods that `bind`, `update` and
//! `finish` call. Expected intervals were computed in Python 3.11: z with
//! `statistics.NormalDist().inv_cdf`, t quantiles by root-finding the t CDF written with
//! `mpmath.betainc`, everything else with plain float arithmetic.

use super::*;
use serde_json::json;

const TOL: f64 = 1e-9;

fn ces() -> Ces {
    Ces::new(CesParams::default()).unwrap()
}

fn with(params: Value) -> Result<Ces, String> {
    let params: CesParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Ces::new(params)
}

/// Tallies one row per score value, weighted by its count.
fn tally_counts(m: &Ces, counts: &[(i64, u32)]) -> CesState {
    let mut s = CesState::default();
    for &(score, count) in counts {
        m.tally(&mut s, Some(score), f64::from(count)).unwrap();
    }
    s
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= TOL,
        "expected {expected}, got {actual}"
    );
}

fn close_json(actual: &cxm_sdk::Detail, expected: f64) {
    close(actual.as_f64().unwrap_or(f64::NAN), expected);
}

/// 40 answers on the 1-7 agreement scale; 30 of them are 5-7.
const FORTY: [(i64, u32); 7] = [(7, 10), (6, 12), (5, 8), (4, 5), (3, 3), (2, 1), (1, 1)];

#[test]
fn empty_params_are_the_spec_defaults() {
    let params: CesParams = serde_json::from_value(json!({})).unwrap();
    assert_eq!(params, CesParams::default());
    assert_eq!(params.scale, [1, 7]);
    assert!(params.higher_is_easier);
    assert_eq!(params.confidence, 0.95);
    assert_eq!(params.min_n, 30);
    assert_eq!(ces().easy(), [5, 7]);
}

#[test]
fn ces_is_the_weighted_mean_with_a_t_interval() {
    // Sum = 70 + 72 + 40 + 20 + 9 + 2 + 1 = 214, n = 40: CES = 5.35.
    // s^2 = (1236 - 214^2 / 40) / 39 = 2.284615384615385, t(0.975, 39) = 2.0226909200367607,
    // half = t * sqrt(s^2 / 40) -> (4.866600632593713, 5.833399367406286).
    let m = ces();
    let r = m.result(&tally_counts(&m, &FORTY));
    close(r.value.unwrap(), 5.35);
    assert_eq!(r.n, 40.0);
    assert_eq!(r.unit, "mean effort score (1-7, higher = easier)");
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, 4.866_600_632_593_713);
    close(ci.high, 5.833_399_367_406_286);
    assert_eq!((ci.level, ci.method.as_str()), (0.95, "t"));
    assert!(r.warnings.is_empty());
}

#[test]
fn easy_share_with_a_wilson_interval() {
    // easy = 30 of 40 -> 75.0; Wilson p = 0.75, n = 40, z = 1.9599639845400536
    // -> 100 * (0.5980603857923198, 0.8581288136090369).
    let m = ces();
    let r = m.result(&tally_counts(&m, &FORTY));
    assert_eq!(r.details["easy"], json!(30.0));
    assert_eq!(r.details["easy_pct"], json!(75.0));
    let ci = &r.details["easy_pct_ci"];
    close_json(&ci["low"], 59.806_038_579_231_98);
    close_json(&ci["high"], 85.812_881_360_903_69);
    assert_eq!(ci["level"], json!(0.95));
    assert_eq!(ci["method"], json!("wilson"));
    assert_eq!(r.details["direction"], json!("higher is easier"));
    assert_eq!(r.details["scale"], json!("1-7"));
    assert_eq!(r.details["easy_range"], json!("5-7"));
}

#[test]
fn legacy_effort_scale_with_explicit_easy() {
    // Mirror of FORTY (score -> 8 - score) on a scale where 1 = no effort, easy = [1, 3]:
    // CES = 8 - 5.35 = 2.65, same s^2 and t -> (2.1666006325937134, 3.1333993674062864);
    // easy 30 of 40 -> 75.0.
    let m = with(json!({"higher_is_easier": false, "easy": [1, 3]})).unwrap();
    let mirrored: Vec<(i64, u32)> = FORTY.iter().map(|&(s, c)| (8 - s, c)).collect();
    let r = m.result(&tally_counts(&m, &mirrored));
    close(r.value.unwrap(), 2.65);
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, 2.166_600_632_593_713_4);
    close(ci.high, 3.133_399_367_406_286_4);
    assert_eq!(r.details["easy_pct"], json!(75.0));
    assert_eq!(r.details["direction"], json!("lower is easier"));
    assert_eq!(r.unit, "mean effort score (1-7, lower = easier)");
}

#[test]
fn pre_aggregated_rows_equal_raw_rows() {
    let m = ces();
    let mut raw = CesState::default();
    for (score, count) in FORTY {
        for _ in 0..count {
            m.tally(&mut raw, Some(score), 1.0).unwrap();
        }
    }
    let weighted = tally_counts(&m, &FORTY);
    assert_eq!(raw, weighted);
    assert_eq!(m.result(&raw), m.result(&weighted));
}

#[test]
fn merged_states_equal_the_whole() {
    let m = ces();
    let mut a = tally_counts(&m, &FORTY[..3]);
    let b = tally_counts(&m, &FORTY[3..]);
    Metric::merge(&m, &mut a, &b);
    assert_eq!(a, tally_counts(&m, &FORTY));
    assert_eq!(Metric::finish(&m, &a), m.result(&tally_counts(&m, &FORTY)));
}

#[test]
fn empty_state_has_no_value_and_warns() {
    let r = Metric::finish(&ces(), &CesState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.ci, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.details["easy_pct"], Value::Null);
    assert_eq!(r.details["easy_pct_ci"], Value::Null);
    assert_eq!(r.details["direction"], json!("higher is easier"));
    assert_eq!(
        r.warnings,
        vec!["no_data".to_string(), "low_sample".to_string()]
    );
}

#[test]
fn small_samples_warn_and_the_interval_needs_two_answers() {
    let m = ces();
    let r = m.result(&tally_counts(&m, &[(6, 1)]));
    assert_eq!(r.value, Some(6.0));
    assert_eq!(r.ci, None);
    assert_eq!(r.warnings, vec!["low_sample".to_string()]);
    // Scores 7 and 3: mean 5, s^2 = 8, t(0.975, 1) = 12.706204736174696, half = t * sqrt(8 / 2)
    // -> (-20.412409472349387, 30.412409472349387); easy 1 of 2, Wilson
    // -> (9.453120573423075, 90.54687942657694).
    let r = m.result(&tally_counts(&m, &[(7, 1), (3, 1)]));
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, -20.412_409_472_349_39);
    close(ci.high, 30.412_409_472_349_39);
    close_json(&r.details["easy_pct_ci"]["low"], 9.453_120_573_423_075);
    close_json(&r.details["easy_pct_ci"]["high"], 90.546_879_426_576_94);
    assert_eq!(
        m.result(&tally_counts(&m, &[(5, 29)])).warnings,
        vec!["low_sample".to_string()]
    );
    assert!(m.result(&tally_counts(&m, &[(5, 30)])).warnings.is_empty());
}

#[test]
fn out_of_scale_and_bad_rows_are_rejected() {
    let m = ces();
    let mut s = CesState::default();
    assert_eq!(m.tally(&mut s, Some(0), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, Some(8), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, None, 1.0), Err(Reject::Empty));
    assert_eq!(
        m.tally(&mut s, Some(5), f64::INFINITY),
        Err(Reject::InvalidValue)
    );
    assert_eq!(s, CesState::default());
}

#[test]
fn legacy_scale_without_easy_is_refused() {
    let err = with(json!({"higher_is_easier": false})).unwrap_err();
    assert!(
        err.contains("higher_is_easier = false describes a legacy effort scale"),
        "{err}"
    );
    assert!(err.contains("set `easy` explicitly"), "{err}");
}

#[test]
fn easy_must_lie_inside_the_scale() {
    // The default easy = [5, 7] does not fit a 1-5 scale.
    let err = with(json!({"scale": [1, 5]})).unwrap_err();
    assert!(
        err.contains("easy (default) = [5, 7] must lie inside the scale 1-5"),
        "{err}"
    );
    assert!(with(json!({"scale": [1, 5], "easy": [4, 5]})).is_ok());
    let err = with(json!({"easy": [6, 9]})).unwrap_err();
    assert!(
        err.contains("easy = [6, 9] must lie inside the scale 1-7"),
        "{err}"
    );
    let err = with(json!({"easy": [7, 5]})).unwrap_err();
    assert!(err.contains("runs backwards"), "{err}");
    let err = with(json!({"scale": [7, 1]})).unwrap_err();
    assert!(err.contains("lowest < highest"), "{err}");
}

#[test]
fn unknown_params_and_bad_confidence_are_refused() {
    let err = with(json!({"higher_is_better": true})).unwrap_err();
    assert!(err.contains("unknown field `higher_is_better`"), "{err}");
    let err = with(json!({"confidence": 95})).unwrap_err();
    assert!(err.contains("for a 95% interval write 0.95"), "{err}");
    assert!(with(json!({"confidence": -1.0})).is_err());
}

#[test]
fn basis_is_the_mean_with_its_sample_variance() {
    // Weighted scores: 7 × 2, 5 × 1, 2 × 1 → n = 4, Σw·x = 21, Σw·x² = 98 + 25 + 4 = 127.
    // mean = 21/4 = 5.25; variance = (127 − 21²/4)/(4 − 1) = (127 − 110.25)/3 = 5.583333…
    let m = ces();
    let s = tally_counts(&m, &[(7, 2), (5, 1), (2, 1)]);
    let r = m.result(&s);
    assert_eq!(r.value, Some(5.25));
    let Some(TestBasis::Mean { mean, variance, n }) = r.basis else {
        panic!("expected a Mean basis, got {:?}", r.basis)
    };
    assert_eq!(mean, 5.25);
    close(variance, 16.75 / 3.0);
    assert_eq!(n, 4.0);
    assert_eq!(Some(mean), r.value);
    assert_eq!(n, r.n);
    // Fractional weights are frequency weights: 7 × 1.5 and 1 × 0.5 → n = 2,
    // Σw·x = 11, Σw·x² = 74; mean 5.5, variance = (74 − 60.5)/1 = 13.5.
    let mut s = CesState::default();
    m.tally(&mut s, Some(7), 1.5).unwrap();
    m.tally(&mut s, Some(1), 0.5).unwrap();
    let r = m.result(&s);
    assert_eq!(
        r.basis,
        Some(TestBasis::Mean {
            mean: 5.5,
            variance: 13.5,
            n: 2.0
        })
    );
    // n = 1: a mean but no sample variance, so no basis; n = 0: neither.
    let r = m.result(&tally_counts(&m, &[(6, 1)]));
    assert_eq!(r.value, Some(6.0));
    assert_eq!(r.basis, None);
    let r = m.result(&CesState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.basis, None);
}
