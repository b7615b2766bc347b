//! Unit tests of the `nps` plugin, through the plain methods that `bind`, `update` and
//! `finish` call. Expected intervals were computed in Python 3.11 with
//! `statistics.NormalDist().inv_cdf` for z and plain float arithmetic for the rest.

use super::*;
use serde_json::json;

const TOL: f64 = 1e-9;

fn nps() -> Nps {
    Nps::new(NpsParams::default()).unwrap()
}

fn with(params: serde_json::Value) -> Result<Nps, String> {
    let params: NpsParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Nps::new(params)
}

fn counts(promoters: f64, passives: f64, detractors: f64) -> NpsState {
    NpsState {
        promoters,
        passives,
        detractors,
        ..Default::default()
    }
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= TOL,
        "expected {expected}, got {actual}"
    );
}

fn close_ci(result: &MetricResult, low: f64, high: f64, method: &str) {
    let ci = result.ci.as_ref().unwrap();
    close(ci.low, low);
    close(ci.high, high);
    assert_eq!(ci.method, method);
}

#[test]
fn empty_params_are_the_spec_defaults() {
    let params: NpsParams = serde_json::from_value(json!({})).unwrap();
    assert_eq!(params, NpsParams::default());
    assert_eq!(params.promoters, [9, 10]);
    assert_eq!(params.passives, [7, 8]);
    assert_eq!(params.detractors, [0, 6]);
    assert_eq!(params.ci_method, CiMethod::Wald);
    assert_eq!(params.confidence, 0.95);
    assert_eq!(params.min_n, 30);
}

#[test]
fn spec_example_2000_responses_is_20() {
    // P = 1000, passives = 400, D = 600, n = 2000: NPS = 100 * (1000 - 600) / 2000 = 20.
    // Wald: p = 0.5, d = 0.3, Var = (0.8 - 0.04) / 2000 = 0.00038, z = 1.9599639845400536,
    // margin = z * sqrt(Var) * 100 -> (16.179326823891152, 23.820673176108848).
    let r = nps().result(&counts(1000.0, 400.0, 600.0));
    assert_eq!(r.value, Some(20.0));
    assert_eq!(r.n, 2000.0);
    assert_eq!(r.unit, "NPS points (-100 to 100)");
    close_ci(&r, 16.179_326_823_891_152, 23.820_673_176_108_848, "wald");
    assert_eq!(r.ci.as_ref().unwrap().level, 0.95);
    assert_eq!(r.details["promoters"], json!(1000.0));
    assert_eq!(r.details["passives"], json!(400.0));
    assert_eq!(r.details["detractors"], json!(600.0));
    assert_eq!(r.details["promoters_pct"], json!(50.0));
    assert_eq!(r.details["passives_pct"], json!(20.0));
    assert_eq!(r.details["detractors_pct"], json!(30.0));
    assert_eq!(r.details["band"], json!("needs work"));
    assert!(r.warnings.is_empty());
}

#[test]
fn spec_example_2000_responses_adjusted_wald() {
    // P' = 1000.75, D' = 600.75, n' = 2003; same formula on p' = P'/n', d' = D'/n', z for
    // 0.95 -> (16.153061982258365, 23.787027882943825). The headline stays 20.
    let m = with(json!({"ci_method": "adjusted_wald"})).unwrap();
    let r = m.result(&counts(1000.0, 400.0, 600.0));
    assert_eq!(r.value, Some(20.0));
    close_ci(
        &r,
        16.153_061_982_258_365,
        23.787_027_882_943_825,
        "adjusted_wald",
    );
}

#[test]
fn spec_example_70_percent_promoters_10_percent_detractors_is_60() {
    // 70 promoters, 20 passives, 10 detractors: NPS = 60.
    // Wald: p = 0.7, d = 0.1, Var = (0.8 - 0.36) / 100 = 0.0044
    // -> (46.99906972134142, 73.00093027865859).
    let r = nps().result(&counts(70.0, 20.0, 10.0));
    close(r.value.unwrap(), 60.0);
    close_ci(&r, 46.999_069_721_341_42, 73.000_930_278_658_59, "wald");
    assert_eq!(r.details["band"], json!("good"));
    // Adjusted: P' = 70.75, D' = 10.75, n' = 103 -> (45.26976025384827, 71.2350941150838).
    let r = with(json!({"ci_method": "adjusted_wald"}))
        .unwrap()
        .result(&counts(70.0, 20.0, 10.0));
    close_ci(
        &r,
        45.269_760_253_848_27,
        71.235_094_115_083_8,
        "adjusted_wald",
    );
    // Same shares out of 1000 answers give the same NPS.
    close(
        nps().result(&counts(700.0, 200.0, 100.0)).value.unwrap(),
        60.0,
    );
}

#[test]
fn confidence_level_changes_the_interval() {
    // 0.90: z = 1.6448536269514715, Var as above (0.0044)
    // -> (49.089275368693514, 70.9107246313065)
    let r = with(json!({"confidence": 0.9}))
        .unwrap()
        .result(&counts(70.0, 20.0, 10.0));
    close_ci(&r, 49.089_275_368_693_514, 70.910_724_631_306_5, "wald");
    assert_eq!(r.ci.unwrap().level, 0.9);
}

#[test]
fn interval_is_clamped_to_plus_minus_100() {
    // 5 promoters: Wald Var = (1 - 1) / 5 = 0 -> (100, 100).
    let r = nps().result(&counts(5.0, 0.0, 0.0));
    close_ci(&r, 100.0, 100.0, "wald");
    // Adjusted: P' = 5.75, D' = 0.75, n' = 8: center 62.5, Var = (0.8125 - 0.390625) / 8,
    // margin = z * sqrt(Var) * 100 = 45.008546965831023 -> (17.491453034168977, 107.5...)
    // clamped to 100.
    let adjusted = with(json!({"ci_method": "adjusted_wald"})).unwrap();
    let r = adjusted.result(&counts(5.0, 0.0, 0.0));
    assert_eq!(r.value, Some(100.0));
    close_ci(&r, 17.491_453_034_168_977, 100.0, "adjusted_wald");
    // Mirror image for 5 detractors.
    let r = adjusted.result(&counts(0.0, 0.0, 5.0));
    close_ci(&r, -100.0, -17.491_453_034_168_977, "adjusted_wald");
    assert_eq!(r.details["band"], json!("critical"));
}

#[test]
fn tally_classifies_with_default_ranges() {
    let m = nps();
    let mut s = NpsState::default();
    for score in 0..=10 {
        m.tally(&mut s, Some(score), 1.0).unwrap();
    }
    // 0-6 detractors, 7-8 passives, 9-10 promoters.
    assert_eq!((s.promoters, s.passives, s.detractors), (2.0, 2.0, 7.0));
    assert_eq!(s.scores, [1.0; 11]);
}

#[test]
fn pre_aggregated_rows_equal_raw_rows() {
    // 2000 raw answers vs one row per score value weighted by its count.
    let per_score = [
        (10, 600),
        (9, 400),
        (8, 250),
        (7, 150),
        (6, 200),
        (3, 300),
        (0, 100),
    ];
    let m = nps();
    let mut raw = NpsState::default();
    let mut weighted = NpsState::default();
    for (score, count) in per_score {
        for _ in 0..count {
            m.tally(&mut raw, Some(score), 1.0).unwrap();
        }
        m.tally(&mut weighted, Some(score), f64::from(count))
            .unwrap();
    }
    assert_eq!(raw, weighted);
    assert_eq!(
        (raw.promoters, raw.passives, raw.detractors),
        (1000.0, 400.0, 600.0)
    );
    assert_eq!(m.result(&raw), m.result(&weighted));
    assert_eq!(m.result(&raw).value, Some(20.0));
}

#[test]
fn merged_states_equal_the_whole() {
    let m = nps();
    let (mut a, mut b, mut whole) = (
        NpsState::default(),
        NpsState::default(),
        NpsState::default(),
    );
    for (i, score) in [10, 9, 8, 3, 10, 6, 7, 9, 0, 10].into_iter().enumerate() {
        m.tally(if i % 3 == 0 { &mut a } else { &mut b }, Some(score), 1.0)
            .unwrap();
        m.tally(&mut whole, Some(score), 1.0).unwrap();
    }
    Metric::merge(&m, &mut a, &b);
    assert_eq!(a, whole);
    assert_eq!(Metric::finish(&m, &a), m.result(&whole));
}

#[test]
fn empty_state_has_no_value_and_warns() {
    let r = Metric::finish(&nps(), &NpsState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.ci, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(
        r.warnings,
        vec!["no_data".to_string(), "low_sample".to_string()]
    );
    assert_eq!(r.details["promoters"], json!(0.0));
    assert_eq!(r.details["promoters_pct"], serde_json::Value::Null);
    assert_eq!(r.details["band"], serde_json::Value::Null);
    // Even with min_n = 0, an empty group is a low sample.
    let r = with(json!({"min_n": 0}))
        .unwrap()
        .result(&NpsState::default());
    assert_eq!(
        r.warnings,
        vec!["no_data".to_string(), "low_sample".to_string()]
    );
}

#[test]
fn low_sample_below_min_n() {
    // 10 promoters, 10 passives, 9 detractors (n = 29): NPS = 100 / 29 = 3.4482758620689653;
    // Wald: p = 10/29, d = 9/29 -> (-25.984582392217526, 32.88113411635546).
    let m = nps();
    let r = m.result(&counts(10.0, 10.0, 9.0));
    close(r.value.unwrap(), 3.448_275_862_068_965_3);
    close_ci(&r, -25.984_582_392_217_526, 32.881_134_116_355_46, "wald");
    assert_eq!(r.warnings, vec!["low_sample".to_string()]);
    assert!(m.result(&counts(10.0, 10.0, 10.0)).warnings.is_empty());
    let strict = with(json!({"min_n": 100})).unwrap();
    assert_eq!(
        strict.result(&counts(70.0, 20.0, 9.5)).warnings,
        vec!["low_sample".to_string()]
    );
}

#[test]
fn out_of_scale_and_bad_rows_are_rejected() {
    let m = nps();
    let mut s = NpsState::default();
    assert_eq!(m.tally(&mut s, Some(11), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, Some(-1), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, Some(100), 1.0), Err(Reject::OutOfScale));
    assert_eq!(m.tally(&mut s, None, 1.0), Err(Reject::Empty));
    assert_eq!(m.tally(&mut s, Some(9), -1.0), Err(Reject::InvalidValue));
    assert_eq!(
        m.tally(&mut s, Some(9), f64::NAN),
        Err(Reject::InvalidValue)
    );
    assert_eq!(s, NpsState::default());
}

#[test]
fn ranges_must_partition_0_to_10() {
    let err = with(json!({"detractors": [0, 5]})).unwrap_err();
    assert!(
        err.contains("must partition 0-10 without gaps or overlaps; 6 is in none"),
        "{err}"
    );
    let err = with(json!({"promoters": [8, 10]})).unwrap_err();
    assert!(err.contains("8 is in both promoters and passives"), "{err}");
    let err = with(json!({"promoters": [10, 9]})).unwrap_err();
    assert!(err.contains("runs backwards"), "{err}");
    let err = with(json!({"promoters": [9, 11]})).unwrap_err();
    assert!(err.contains("outside the NPS answer scale 0-10"), "{err}");
}

#[test]
fn explicit_non_standard_ranges_are_honoured() {
    // The circulating "7 passive, 8-10 promoter" variant is reachable only explicitly.
    let m = with(json!({"promoters": [8, 10], "passives": [7, 7]})).unwrap();
    assert_eq!(m.classify(8), Ok(Group::Promoter));
    assert_eq!(nps().classify(8), Ok(Group::Passive));
}

#[test]
fn unknown_params_and_methods_are_refused() {
    let err = with(json!({"promotors": [9, 10]})).unwrap_err();
    assert!(err.contains("unknown field `promotors`"), "{err}");
    let err = with(json!({"ci_method": "wilson"})).unwrap_err();
    assert!(err.contains("unknown variant `wilson`"), "{err}");
}

#[test]
fn confidence_must_be_a_fraction() {
    let err = with(json!({"confidence": 95})).unwrap_err();
    assert!(
        err.contains("strictly between 0 and 1 (for a 95% interval write 0.95)"),
        "{err}"
    );
    for bad in [0.0, 1.0, -0.5, 100.0] {
        assert!(with(json!({ "confidence": bad })).is_err(), "{bad}");
    }
}

#[test]
fn bands_follow_the_thresholds() {
    let b = Bands::default();
    assert_eq!(band(-0.1, &b), "critical");
    assert_eq!(band(0.0, &b), "needs work");
    assert_eq!(band(29.99, &b), "needs work");
    assert_eq!(band(30.0, &b), "good");
    assert_eq!(band(69.99, &b), "good");
    assert_eq!(band(70.0, &b), "excellent");
    let m = with(json!({"bands": {"needs_work": -10, "good": 10, "excellent": 50}})).unwrap();
    assert_eq!(
        m.result(&counts(1000.0, 400.0, 600.0)).details["band"],
        json!("good")
    );
    let err = with(json!({"bands": {"good": 80}})).unwrap_err();
    assert!(err.contains("bands must rise"), "{err}");
}

#[test]
fn basis_carries_the_weighted_counts_and_matches_the_value() {
    // 7 promoters, 2.5 passives, 0.5 detractors (weighted): n = 10, NPS = 100·(7 − 0.5)/10 = 65.
    let r = nps().result(&counts(7.0, 2.5, 0.5));
    assert_eq!(r.value, Some(65.0));
    assert_eq!(
        r.basis,
        Some(TestBasis::Nps {
            promoters: 7.0,
            detractors: 0.5,
            n: 10.0
        })
    );
    let Some(TestBasis::Nps {
        promoters,
        detractors,
        n,
    }) = r.basis
    else {
        unreachable!()
    };
    close(r.value.unwrap(), 100.0 * (promoters - detractors) / n);
    assert_eq!(n, r.n);
    // No answers: no value, no basis.
    let r = nps().result(&NpsState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.basis, None);
}

#[test]
fn score_counts_hold_the_weighted_distribution_and_merge() {
    let nps = nps();
    let mut a = NpsState::default();
    let mut b = NpsState::default();
    nps.tally(&mut a, Some(10), 2.0).unwrap();
    nps.tally(&mut a, Some(0), 1.0).unwrap();
    nps.tally(&mut b, Some(7), 1.5).unwrap();
    nps.tally(&mut b, Some(10), 1.0).unwrap();
    assert!(nps.tally(&mut b, Some(11), 1.0).is_err());
    a.merge(&b);
    let mut expected = [0.0; 11];
    expected[0] = 1.0;
    expected[7] = 1.5;
    expected[10] = 3.0;
    assert_eq!(a.scores, expected);
    assert_eq!(a.scores.iter().sum::<f64>(), a.n());
    let r = nps.result(&a);
    assert_eq!(
        r.details["score_counts"],
        serde_json::json!([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 3.0])
    );
}
