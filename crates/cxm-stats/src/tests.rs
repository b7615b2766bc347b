//! Unit tests of cxm-stats. Expected values were computed independently in Python 3.11:
//! normal quantiles with `statistics.NormalDist().inv_cdf`, Student t quantiles with closed
//! forms (df = 1, 2) or by root-finding the t CDF written with `mpmath.betainc` at 40
//! digits, and everything else with plain float arithmetic.

use super::*;

const TOL: f64 = 1e-12;

fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (diff {})",
        (actual - expected).abs()
    );
}

fn close_pair(actual: Option<(f64, f64)>, expected: (f64, f64), tol: f64) {
    let Some((low, high)) = actual else {
        panic!("expected {expected:?}, got None")
    };
    close(low, expected.0, tol);
    close(high, expected.1, tol);
}

#[test]
fn z_matches_the_normal_quantile() {
    // z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    // 0.95 -> inv_cdf(0.975) = 1.9599639845400536
    close(
        z_for_confidence(0.95).unwrap(),
        1.959_963_984_540_053_6,
        TOL,
    );
    // 0.90 -> inv_cdf(0.95) = 1.6448536269514715
    close(
        z_for_confidence(0.90).unwrap(),
        1.644_853_626_951_471_5,
        TOL,
    );
    // 0.99 -> inv_cdf(0.995) = 2.5758293035489
    close(z_for_confidence(0.99).unwrap(), 2.575_829_303_548_9, TOL);
    // 0.80 -> inv_cdf(0.90) = 1.2815515655446008
    close(
        z_for_confidence(0.80).unwrap(),
        1.281_551_565_544_600_8,
        TOL,
    );
}

#[test]
fn z_rejects_levels_outside_the_open_unit_interval() {
    for level in [0.0, 1.0, -0.5, 1.5, 95.0, f64::NAN, f64::INFINITY] {
        assert_eq!(z_for_confidence(level), None, "level {level}");
    }
}

#[test]
fn t_matches_closed_forms_for_one_and_two_degrees_of_freedom() {
    // p = 1 - (1 - 0.95) / 2 = 0.975.
    // df = 1 (Cauchy): t = tan(pi * (p - 0.5)) = 12.706204736174696
    close(
        t_for_confidence(0.95, 1.0).unwrap(),
        12.706_204_736_174_696,
        1e-9,
    );
    // df = 2: t = (2p - 1) / sqrt(2p(1 - p)) = 0.95 / sqrt(0.04875) = 4.302652729749462
    close(
        t_for_confidence(0.95, 2.0).unwrap(),
        4.302_652_729_749_462,
        1e-10,
    );
}

#[test]
fn t_matches_numerically_inverted_cdf() {
    // Root of 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2 = p (mpmath, 40 digits), p = 0.975 unless
    // stated: (df, t)
    let cases = [
        (4.0, 2.776_445_105_197_793_5),
        (10.0, 2.228_138_851_986_274_2),
        (29.0, 2.045_229_642_132_704),
        (39.0, 2.022_690_920_036_761),
        (499.0, 1.964_729_390_987_688_7),
        // fractional df from weighted data
        (2.5, 3.574_654_842_003_681_8),
        // either side of the switch to the Cornish-Fisher expansion at df = 1000
        (999.0, 1.962_341_461_133_449_6),
        (1000.0, 1.962_339_080_826_408),
        // large df, where statrs 0.18 alone is off by 1e-4 (df = 1e6)
        (1e6, 1.959_966_356_814_106_7),
        (1e9, 1.959_963_986_912_325),
    ];
    for (df, expected) in cases {
        close(t_for_confidence(0.95, df).unwrap(), expected, 1e-10);
    }
    // level 0.99, df 10: p = 0.995 -> 3.1692726726169507
    close(
        t_for_confidence(0.99, 10.0).unwrap(),
        3.169_272_672_616_951,
        1e-10,
    );
    // level 0.99, df 3000: p = 0.995 -> 2.577469134838608
    close(
        t_for_confidence(0.99, 3000.0).unwrap(),
        2.577_469_134_838_608,
        1e-12,
    );
    // level 0.80, df 50000: p = 0.90 -> 1.2815684974683014
    close(
        t_for_confidence(0.80, 50000.0).unwrap(),
        1.281_568_497_468_301_4,
        1e-12,
    );
}

#[test]
fn t_decreases_with_df_and_stays_above_z() {
    // The t quantile falls strictly towards z as df grows, including across df = 1000.
    let z = z_for_confidence(0.95).unwrap();
    let grid = [
        1.0, 3.0, 30.0, 300.0, 998.0, 999.999, 1000.0, 1e4, 1e5, 1e7, 1e12,
    ];
    let ts: Vec<f64> = grid
        .iter()
        .map(|&df| t_for_confidence(0.95, df).unwrap())
        .collect();
    for pair in ts.windows(2) {
        assert!(pair[0] > pair[1], "not decreasing: {pair:?}");
    }
    assert!(ts.iter().all(|&t| t > z));
}

#[test]
fn t_with_infinite_df_is_the_normal_value_and_bad_inputs_give_none() {
    assert_eq!(
        t_for_confidence(0.95, f64::INFINITY),
        z_for_confidence(0.95)
    );
    for df in [0.0, -1.0, f64::NAN, f64::NEG_INFINITY] {
        assert_eq!(t_for_confidence(0.95, df), None, "df {df}");
    }
    for level in [0.0, 1.0, f64::NAN] {
        assert_eq!(t_for_confidence(level, 10.0), None, "level {level}");
    }
}

#[test]
fn moments_with_count_weights_equal_the_expanded_rows() {
    // Rows (x, w): (2, 3), (5, 1), (7, 2) expand to [2, 2, 2, 5, 7, 7].
    let mut weighted = Moments::default();
    for (x, w) in [(2.0, 3.0), (5.0, 1.0), (7.0, 2.0)] {
        weighted.add(x, w);
    }
    let mut raw = Moments::default();
    for x in [2.0, 2.0, 2.0, 5.0, 7.0, 7.0] {
        raw.add(x, 1.0);
    }
    assert_eq!(weighted, raw);
    assert_eq!(
        weighted,
        Moments {
            weight: 6.0,
            sum: 25.0,
            sum_sq: 135.0
        }
    );
    // mean = 25 / 6 = 4.166666666666667
    close(weighted.mean().unwrap(), 25.0 / 6.0, TOL);
    // s^2 = sum((x - mean)^2) / 5 = (135 - 625/6) / 5 = 6.166666666666667
    close(
        weighted.sample_variance().unwrap(),
        6.166_666_666_666_667,
        TOL,
    );
}

#[test]
fn moments_merge_by_addition() {
    let mut a = Moments::default();
    a.add(2.0, 3.0);
    let mut b = Moments::default();
    b.add(5.0, 1.0);
    b.add(7.0, 2.0);
    a.merge(&b);
    assert_eq!(
        a,
        Moments {
            weight: 6.0,
            sum: 25.0,
            sum_sq: 135.0
        }
    );
}

#[test]
fn moments_are_undefined_without_enough_weight() {
    let empty = Moments::default();
    assert_eq!(empty.mean(), None);
    assert_eq!(empty.sample_variance(), None);
    let mut one = Moments::default();
    one.add(4.0, 1.0);
    assert_eq!(one.mean(), Some(4.0));
    assert_eq!(one.sample_variance(), None);
    // Constant data: variance exactly 0, never negative through rounding.
    let mut constant = Moments::default();
    constant.add(0.1, 7.0);
    assert_eq!(constant.sample_variance(), Some(0.0));
}

#[test]
fn t_interval_of_one_to_five() {
    // [1, 2, 3, 4, 5]: mean 3, s^2 = 2.5, n = 5, df = 4, t = 2.7764451051977935.
    // half = t * sqrt(2.5 / 5) = 1.963243161477557 -> (1.036756838522443, 4.963243161477557)
    let mut m = Moments::default();
    for x in 1..=5 {
        m.add(f64::from(x), 1.0);
    }
    close_pair(
        t_interval(&m, 0.95),
        (1.036_756_838_522_443, 4.963_243_161_477_557),
        1e-10,
    );
}

#[test]
fn t_interval_is_undefined_for_one_observation_or_a_bad_level() {
    let mut m = Moments::default();
    m.add(3.0, 1.0);
    assert_eq!(t_interval(&m, 0.95), None);
    m.add(5.0, 1.0);
    assert!(t_interval(&m, 0.95).is_some());
    assert_eq!(t_interval(&m, 1.0), None);
}

#[test]
fn wilson_matches_the_score_formula() {
    // z = 1.9599639845400536 (0.95); p = s/n; den = 1 + z^2/n;
    // center = (p + z^2/(2n)) / den; half = z/den * sqrt(p(1-p)/n + z^2/(4n^2)).
    // 370 of 500 -> (0.6998260397638378, 0.7765142768146172)
    close_pair(
        wilson(370.0, 500.0, 0.95),
        (0.699_826_039_763_837_8, 0.776_514_276_814_617_2),
        TOL,
    );
    // 30 of 50 -> (0.46181437747589366, 0.7239161026974346)
    close_pair(
        wilson(30.0, 50.0, 0.95),
        (0.461_814_377_475_893_66, 0.723_916_102_697_434_6),
        TOL,
    );
    // 30 of 40 -> (0.5980603857923198, 0.8581288136090369)
    close_pair(
        wilson(30.0, 40.0, 0.95),
        (0.598_060_385_792_319_8, 0.858_128_813_609_036_9),
        TOL,
    );
    // 30 of 50 at 0.90 (z = 1.6448536269514715) -> (0.4837527059352331, 0.7059806569075129)
    close_pair(
        wilson(30.0, 50.0, 0.90),
        (0.483_752_705_935_233_1, 0.705_980_656_907_512_9),
        TOL,
    );
}

#[test]
fn wilson_at_the_edges_stays_inside_zero_one() {
    // 0 of 10 -> (0, 0.27753279986288915); 10 of 10 -> (0.7224672001371109, 1)
    let (low, high) = wilson(0.0, 10.0, 0.95).unwrap();
    close(low, 0.0, TOL);
    assert!(low >= 0.0);
    close(high, 0.277_532_799_862_889_15, TOL);
    let (low, high) = wilson(10.0, 10.0, 0.95).unwrap();
    close(low, 0.722_467_200_137_110_9, TOL);
    assert!(high <= 1.0);
    close(high, 1.0, TOL);
}

#[test]
fn wilson_is_undefined_without_observations_or_with_impossible_counts() {
    assert_eq!(wilson(0.0, 0.0, 0.95), None);
    assert_eq!(wilson(1.0, -2.0, 0.95), None);
    assert_eq!(wilson(6.0, 5.0, 0.95), None);
    assert_eq!(wilson(-1.0, 5.0, 0.95), None);
    assert_eq!(wilson(f64::NAN, 5.0, 0.95), None);
    assert_eq!(wilson(1.0, 5.0, 0.0), None);
}

#[test]
fn wilson_with_fractional_weights_is_defined() {
    // p = 0.5, n = 0.5: z^2/n = 7.682917...; symmetric around 0.5.
    let (low, high) = wilson(0.25, 0.5, 0.95).unwrap();
    close(low + high, 1.0, TOL);
}

#[test]
fn nps_interval_matches_the_nps_plugins_wald_and_adjusted_wald() {
    // The examples of plugins/nps/src/tests.rs (Python 3.11, NormalDist().inv_cdf for z):
    // P = 1000, D = 600, n = 2000: p = 0.5, d = 0.3, Var = 0.00038.
    close_pair(
        nps_interval(1000.0, 600.0, 2000.0, 0.95),
        (16.179_326_823_891_152, 23.820_673_176_108_848),
        1e-9,
    );
    // Adjusted Wald: P + 0.75, D + 0.75, n + 3.
    close_pair(
        nps_interval(1000.75, 600.75, 2003.0, 0.95),
        (16.153_061_982_258_365, 23.787_027_882_943_825),
        1e-9,
    );
    // 70 / 20 / 10 at 0.95 and 0.90.
    close_pair(
        nps_interval(70.0, 10.0, 100.0, 0.95),
        (46.999_069_721_341_42, 73.000_930_278_658_59),
        1e-9,
    );
    close_pair(
        nps_interval(70.0, 10.0, 100.0, 0.90),
        (49.089_275_368_693_514, 70.910_724_631_306_5),
        1e-9,
    );
    // All promoters: no variance, clamped to 100.
    assert_eq!(nps_interval(5.0, 0.0, 5.0, 0.95), Some((100.0, 100.0)));
}

#[test]
fn nps_interval_is_undefined_without_answers_or_with_impossible_counts() {
    assert_eq!(nps_interval(0.0, 0.0, 0.0, 0.95), None);
    assert_eq!(nps_interval(3.0, 3.0, 5.0, 0.95), None);
    assert_eq!(nps_interval(-1.0, 0.0, 5.0, 0.95), None);
    assert_eq!(nps_interval(f64::NAN, 0.0, 5.0, 0.95), None);
    assert_eq!(nps_interval(1.0, 1.0, f64::INFINITY, 0.95), None);
    assert_eq!(nps_interval(1.0, 1.0, 5.0, 1.0), None);
}
