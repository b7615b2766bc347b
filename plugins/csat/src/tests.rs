//! Unit tests of the `csat` plugin, through the plain methods that `bind`, `update` and
//! `finish` call. Expected intervals were computed in Python 3.11: z with
//! `statistics.NormalDist().inv_cdf`, t quantiles by root-finding the t CDF written with
//! `mpmath.betainc`, everything else with plain float arithmetic.

use super::*;
use serde_json::json;

const TOL: f64 = 1e-9;

fn csat() -> Csat {
    Csat::new(CsatParams::default()).unwrap()
}

fn with(params: Value) -> Result<Csat, String> {
    let params: CsatParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Csat::new(params)
}

/// Tallies one row per score value, weighted by its count.
fn tally_counts(m: &Csat, counts: &[(i64, u32)]) -> CsatState {
    let mut s = CsatState::default();
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

/// 500 answers, 370 of them 4 or 5.
const FIVE_HUNDRED: [(i64, u32); 5] = [(5, 200), (4, 170), (3, 60), (2, 40), (1, 30)];
/// 50 answers, 30 of them 4 or 5.
const FIFTY: [(i64, u32); 5] = [(5, 20), (4, 10), (3, 5), (2, 5), (1, 10)];

#[test]
fn empty_params_are_the_spec_defaults() {
    let params: CsatParams = serde_json::from_value(json!({})).unwrap();
    assert_eq!(params, CsatParams::default());
    assert_eq!(params.scale, [1, 5]);
    assert_eq!(params.satisfied, [4, 5]);
    assert_eq!(params.confidence, 0.95);
    assert_eq!(params.min_n, 30);
}

#[test]
fn spec_example_370_of_500_is_74() {
    // CSAT = 100 * 370 / 500 = 74.0 (not 64, and not the mean score 3.94).
    // Wilson, z = 1.9599639845400536, p = 0.74, n = 500
    // -> 100 * (0.6998260397638378, 0.7765142768146172).
    let m = csat();
    let r = m.result(&tally_counts(&m, &FIVE_HUNDRED));
    assert_eq!(r.value, Some(74.0));
    assert_eq!(r.n, 500.0);
    assert_eq!(r.unit, "% satisfied (4-5 on a 1-5 scale)");
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, 69.982_603_976_383_78);
    close(ci.high, 77.651_427_681_461_72);
    assert_eq!((ci.level, ci.method.as_str()), (0.95, "wilson"));
    assert_eq!(r.details["satisfied"], json!(370.0));
    assert_eq!(r.details["scale"], json!("1-5"));
    assert_eq!(r.details["satisfied_range"], json!("4-5"));
    assert!(r.warnings.is_empty());
}

#[test]
fn mean_is_a_secondary_figure_with_a_t_interval() {
    // Scores 5x200, 4x170, 3x60, 2x40, 1x30: mean = 1970 / 500 = 3.94,
    // s^2 = (8450 - 1970^2 / 500) / 499 = 1.3791583166332695, t(0.975, 499) =
    // 1.9647293909876887, half = t * sqrt(s^2 / 500) -> (3.8368130439799258, 4.0431869560200741).
    let m = csat();
    let r = m.result(&tally_counts(&m, &FIVE_HUNDRED));
    close_json(&r.details["mean"], 3.94);
    let mean_ci = &r.details["mean_ci"];
    close_json(&mean_ci["low"], 3.836_813_043_979_925_8);
    close_json(&mean_ci["high"], 4.043_186_956_020_074);
    assert_eq!(mean_ci["level"], json!(0.95));
    assert_eq!(mean_ci["method"], json!("t"));
}

#[test]
fn spec_example_30_of_50_is_60() {
    // CSAT = 100 * 30 / 50 = 60.0. Wilson: p = 0.6, n = 50
    // -> 100 * (0.46181437747589366, 0.7239161026974346).
    // Mean: (100 + 40 + 15 + 10 + 10) / 50 = 3.5, s^2 = 2.5, t(0.975, 49) = 2.009575237129239
    // -> (3.0506453163878762, 3.9493546836121238).
    let m = csat();
    let r = m.result(&tally_counts(&m, &FIFTY));
    assert_eq!(r.value, Some(60.0));
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, 46.181_437_747_589_366);
    close(ci.high, 72.391_610_269_743_46);
    close_json(&r.details["mean"], 3.5);
    close_json(&r.details["mean_ci"]["low"], 3.050_645_316_387_876);
    close_json(&r.details["mean_ci"]["high"], 3.949_354_683_612_124);
}

#[test]
fn custom_scale_and_range() {
    // 0-10 scale, satisfied 9-10; scores 10x3, 9x2, 7x4, 2x1: CSAT = 50.0,
    // Wilson p = 0.5, n = 10 -> (23.659309051256404, 76.3406909487436); mean 7.8,
    // s^2 = 5.955555555555557, t(0.975, 9) = 2.262157162798205 -> (6.054242508997953, 9.545757491002046).
    let m = with(json!({"scale": [0, 10], "satisfied": [9, 10], "min_n": 5})).unwrap();
    let r = m.result(&tally_counts(&m, &[(10, 3), (9, 2), (7, 4), (2, 1)]));
    assert_eq!(r.value, Some(50.0));
    assert_eq!(r.unit, "% satisfied (9-10 on a 0-10 scale)");
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, 23.659_309_051_256_404);
    close(ci.high, 76.340_690_948_743_6);
    close_json(&r.details["mean_ci"]["low"], 6.054_242_508_997_953);
    close_json(&r.details["mean_ci"]["high"], 9.545_757_491_002_046);
    assert!(r.warnings.is_empty());
}

#[test]
fn pre_aggregated_rows_equal_raw_rows() {
    let m = csat();
    let mut raw = CsatState::default();
    for (score, count) in FIVE_HUNDRED {
        for _ in 0..count {
            m.tally(&mut raw, Some(score), 1.0).unwrap();
        }
    }
    let weighted = tally_counts(&m, &FIVE_HUNDRED);
    assert_eq!(raw, weighted);
    assert_eq!(m.result(&raw), m.result(&weighted));
}

#[test]
fn merged_states_equal_the_whole() {
    let m = csat();
    let mut a = tally_counts(&m, &FIVE_HUNDRED[..2]);
    let b = tally_counts(&m, &FIVE_HUNDRED[2..]);
    Metric::merge(&m, &mut a, &b);
    assert_eq!(a, tally_counts(&m, &FIVE_HUNDRED));
    assert_eq!(Metric::finish(&m, &a).value, Some(74.0));
}

#[test]
fn empty_state_has_no_value_and_warns() {
    let r = Metric::finish(&csat(), &CsatState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.ci, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.details["mean"], Value::Null);
    assert_eq!(r.details["mean_ci"], Value::Null);
    assert_eq!(
        r.warnings,
        vec!["no_data".to_string(), "low_sample".to_string()]
    );
}

#[test]
fn small_samples_warn_and_mean_ci_needs_two_answers() {
    let m = csat();
    // One answer: CSAT defined, mean defined, no mean interval.
    let r = m.result(&tally_counts(&m, &[(5, 1)]));
    assert_eq!(r.value, Some(100.0));
    close_json(&r.details["mean"], 5.0);
    assert_eq!(r.details["mean_ci"], Value::Null);
    assert_eq!(r.warnings, vec!["low_sample".to_string()]);
    // Scores 5 and 2: CSAT 50, Wilson p = 0.5, n = 2 -> (9.453120573423075, 90.54687942657694);
    // mean 3.5, s^2 = 4.5, t(0.975, 1) = 12.706204736174696 -> (-15.559307104262040, 22.559307104262040).
    let r = m.result(&tally_counts(&m, &[(5, 1), (2, 1)]));
    assert_eq!(r.value, Some(50.0));
    close(r.ci.as_ref().unwrap().low, 9.453_120_573_423_075);
    close(r.ci.as_ref().unwrap().high, 90.546_879_426_576_94);
    close_json(&r.details["mean_ci"]["low"], -15.559_307_104_262_04);
    close_json(&r.details["mean_ci"]["high"], 22.559_307_104_262_04);
    // 29 answers are a low sample, 30 are not.
    assert_eq!(
        m.result(&tally_counts(&m, &[(4, 29)])).warnings,
        vec!["low_sample".to_string()]
    );
    assert!(m.result(&tally_counts(&m, &[(4, 30)])).warnings.is_empty());
}

#[test]
fn out_of_scale_and_bad_rows_are_rejected() {
    let m = csat();
    let mut s = CsatState::default();
    assert_eq!(m.tally(&mut s, Some(0), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, Some(6), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, Some(10), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, None, 1.0), Err(Reject::Empty));
    assert_eq!(m.tally(&mut s, Some(4), -2.0), Err(Reject::InvalidValue));
    assert_eq!(s, CsatState::default());
}

#[test]
fn satisfied_must_lie_inside_the_scale() {
    let err = with(json!({"satisfied": [4, 7]})).unwrap_err();
    assert!(
        err.contains("satisfied = [4, 7] must lie inside the scale 1-5"),
        "{err}"
    );
    let err = with(json!({"scale": [1, 10]})).map(|_| ()).err();
    assert_eq!(err, None, "default satisfied 4-5 lies inside 1-10");
    let err = with(json!({"scale": [0, 3]})).unwrap_err();
    assert!(err.contains("must lie inside the scale 0-3"), "{err}");
    let err = with(json!({"satisfied": [5, 4]})).unwrap_err();
    assert!(err.contains("runs backwards"), "{err}");
    let err = with(json!({"scale": [5, 1]})).unwrap_err();
    assert!(err.contains("lowest < highest"), "{err}");
}

#[test]
fn unknown_params_and_bad_confidence_are_refused() {
    let err = with(json!({"satisifed": [4, 5]})).unwrap_err();
    assert!(err.contains("unknown field `satisifed`"), "{err}");
    let err = with(json!({"confidence": 95})).unwrap_err();
    assert!(err.contains("for a 95% interval write 0.95"), "{err}");
    assert!(with(json!({"confidence": 0.0})).is_err());
    assert!(with(json!({"confidence": 1.0})).is_err());
}

#[test]
fn confidence_applies_to_both_intervals() {
    // 30 of 50 at 0.90: z = 1.6448536269514715 -> 100 * (0.4837527059352331, 0.7059806569075129).
    let m = with(json!({"confidence": 0.9})).unwrap();
    let r = m.result(&tally_counts(&m, &FIFTY));
    let ci = r.ci.as_ref().unwrap();
    close(ci.low, 48.375_270_593_523_31);
    close(ci.high, 70.598_065_690_751_29);
    assert_eq!(ci.level, 0.9);
    assert_eq!(r.details["mean_ci"]["level"], json!(0.9));
}

#[test]
fn basis_is_the_satisfied_proportion_and_matches_the_value() {
    // Weighted: 2 × score 5, 1.5 × score 4, 0.5 × score 2 → 3.5 satisfied of n = 4:
    // CSAT = 100 · 3.5 / 4 = 87.5.
    let m = csat();
    let mut s = CsatState::default();
    m.tally(&mut s, Some(5), 2.0).unwrap();
    m.tally(&mut s, Some(4), 1.5).unwrap();
    m.tally(&mut s, Some(2), 0.5).unwrap();
    let r = m.result(&s);
    assert_eq!(r.value, Some(87.5));
    assert_eq!(
        r.basis,
        Some(TestBasis::Proportion {
            successes: 3.5,
            n: 4.0
        })
    );
    let Some(TestBasis::Proportion { successes, n }) = r.basis else {
        unreachable!()
    };
    close(r.value.unwrap(), 100.0 * successes / n);
    assert_eq!(n, r.n);
    // No answers: no value, no basis.
    let r = m.result(&CsatState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.basis, None);
}
