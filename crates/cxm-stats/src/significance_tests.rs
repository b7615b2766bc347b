//! Unit tests of the significance tests. Expected values were computed independently in
//! Python with mpmath at 40 digits: two-sided normal p = erfc(|z|/√2), one-sided
//! p = erfc(|z|/√2)/2, Student t tails as ½·betainc(df/2, ½, 0, df/(df + t²), regularized).

use super::*;

fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (diff {})",
        (actual - expected).abs()
    );
}

fn check(
    outcome: Option<TestOutcome>,
    statistic: f64,
    p_value: f64,
    df: Option<f64>,
    method: &str,
) {
    let Some(o) = outcome else {
        panic!("expected {method} statistic {statistic}, got None")
    };
    close(o.statistic, statistic, 1e-12);
    // z p-values (libm erfc) agree to 1e-16; t p-values (statrs incomplete beta) to ~1e-13.
    let tol = if df.is_some() { 1e-12 } else { 1e-15 };
    close(o.p_value, p_value, tol);
    match (o.df, df) {
        (Some(a), Some(e)) => close(a, e, 1e-12),
        (a, e) => assert_eq!(a, e),
    }
    assert_eq!(o.method, method);
}

#[test]
fn nps_difference_between_two_periods() {
    // a = (500 promoters, 200 detractors, n 1000): NPS 30, p = .5, d = .2,
    //   Var_a = (.5 + .2 − .3²)/1000 = 0.00061.
    // b = (550, 150, 1000): NPS 40, Var_b = (.55 + .15 − .4²)/1000 = 0.00054.
    // z = (0.40 − 0.30)/√0.00115 = 2.9488391230979427; p = 2(1 − Φ(z)) = 0.0031896997062168691.
    let z = 2.948_839_123_097_942_7;
    let p = 0.003_189_699_706_216_869;
    check(
        nps_difference_z((500.0, 200.0, 1000.0), (550.0, 150.0, 1000.0)),
        z,
        p,
        None,
        "nps_difference_z",
    );
    // Swapping the periods flips the sign and keeps the p-value.
    check(
        nps_difference_z((550.0, 150.0, 1000.0), (500.0, 200.0, 1000.0)),
        -z,
        p,
        None,
        "nps_difference_z",
    );
}

#[test]
fn nps_difference_rejects_undefined_input() {
    // All promoters in both periods: both variances 0.
    assert_eq!(nps_difference_z((10.0, 0.0, 10.0), (20.0, 0.0, 20.0)), None);
    assert_eq!(nps_difference_z((0.0, 0.0, 0.0), (5.0, 1.0, 10.0)), None);
    // P + D > n, negative counts.
    assert_eq!(nps_difference_z((8.0, 5.0, 10.0), (5.0, 1.0, 10.0)), None);
    assert_eq!(nps_difference_z((-1.0, 5.0, 10.0), (5.0, 1.0, 10.0)), None);
    // One variance 0 is enough to test: a all promoters, b (5, 1, 10).
    assert!(nps_difference_z((10.0, 0.0, 10.0), (5.0, 1.0, 10.0)).is_some());
}

#[test]
fn two_proportions_pooled() {
    // 370/500 = .74 vs 400/500 = .80: pooled p̂ = 770/1000 = .77,
    // se = √(.77 · .23 · (1/500 + 1/500)) = √0.0007084; z = .06/se = 2.2543013656323855,
    // p = 0.024177215486301685.
    check(
        two_proportion_z(370.0, 500.0, 400.0, 500.0),
        2.254_301_365_632_385_5,
        0.024_177_215_486_301_685,
        None,
        "two_proportion_z",
    );
    // Equal proportions: z = 0, p = 1.
    check(
        two_proportion_z(30.0, 50.0, 60.0, 100.0),
        0.0,
        1.0,
        None,
        "two_proportion_z",
    );
    // Everything satisfied in both periods: p̂ = 1, se = 0.
    assert_eq!(two_proportion_z(50.0, 50.0, 60.0, 60.0), None);
    assert_eq!(two_proportion_z(1.0, 0.0, 1.0, 2.0), None);
    assert_eq!(two_proportion_z(3.0, 2.0, 1.0, 2.0), None);
}

#[test]
fn welch_t_for_two_small_samples() {
    // Sample 1 = [3, 4, 5, 6, 7]: m1 = 5, v1 = 2.5, n1 = 5.
    // Sample 2 = [5, 6, 7, 8, 9, 10]: m2 = 7.5, v2 = 3.5, n2 = 6.
    // se² = 2.5/5 + 3.5/6 = 1.0833…; t = 2.5/√se² = 2.401922307076307;
    // df = se⁴ / ((0.5)²/4 + (0.58333…)²/5) = 8.98936170212766 (= 845/94);
    // two-sided p = 0.03980308202413629.
    check(
        welch_t(5.0, 2.5, 5.0, 7.5, 3.5, 6.0),
        2.401_922_307_076_307,
        0.039_803_082_024_136_29,
        Some(845.0 / 94.0),
        "welch_t",
    );
    assert_eq!(welch_t(5.0, 2.5, 1.0, 7.5, 3.5, 6.0), None);
    assert_eq!(welch_t(5.0, 0.0, 5.0, 7.5, 0.0, 6.0), None);
    assert_eq!(welch_t(5.0, -1.0, 5.0, 7.5, 3.5, 6.0), None);
    assert_eq!(welch_t(f64::NAN, 2.5, 5.0, 7.5, 3.5, 6.0), None);
}

#[test]
fn nps_against_a_benchmark_is_one_sided() {
    // (500, 200, 1000): NPS 30, Var = 0.00061. Benchmark 25:
    // z = (.30 − .25)/√0.00061 = 2.02444082544729; p = 1 − Φ(z) = 0.021462407372445809.
    let z = 2.024_440_825_447_29;
    let p = 0.021_462_407_372_445_81;
    check(
        nps_vs_benchmark((500.0, 200.0, 1000.0), 25.0),
        z,
        p,
        None,
        "nps_vs_benchmark_z",
    );
    // Benchmark 35: the same distance below, so z = −2.0244…, p = Φ(z), the same value.
    check(
        nps_vs_benchmark((500.0, 200.0, 1000.0), 35.0),
        -z,
        p,
        None,
        "nps_vs_benchmark_z",
    );
    // At the benchmark: z = 0, one-sided p = 0.5.
    check(
        nps_vs_benchmark((500.0, 200.0, 1000.0), 30.0),
        0.0,
        0.5,
        None,
        "nps_vs_benchmark_z",
    );
    assert_eq!(nps_vs_benchmark((10.0, 0.0, 10.0), 50.0), None);
    assert_eq!(nps_vs_benchmark((500.0, 200.0, 1000.0), 150.0), None);
}

#[test]
fn proportion_against_a_benchmark_is_a_one_sided_score_test() {
    // 370/500 = .74 vs benchmark 70%: z = (.74 − .70)/√(.7 · .3/500) = 1.9518001458970664;
    // p = 1 − Φ(z) = 0.02548096848388166.
    check(
        proportion_vs_benchmark(370.0, 500.0, 70.0),
        1.951_800_145_897_066_4,
        0.025_480_968_483_881_66,
        None,
        "proportion_vs_benchmark_z",
    );
    // 330/500 = .66 vs 70%: z = −1.9518…, same one-sided p (lower direction).
    check(
        proportion_vs_benchmark(330.0, 500.0, 70.0),
        -1.951_800_145_897_066_4,
        0.025_480_968_483_881_66,
        None,
        "proportion_vs_benchmark_z",
    );
    for b in [0.0, 100.0, -5.0, 120.0, f64::NAN] {
        assert_eq!(
            proportion_vs_benchmark(370.0, 500.0, b),
            None,
            "benchmark {b}"
        );
    }
    assert_eq!(proportion_vs_benchmark(600.0, 500.0, 70.0), None);
}

#[test]
fn mean_against_a_benchmark_is_a_one_sided_t_test() {
    // mean 5.4, variance 2.25, n 40 vs 5.0: t = 0.4/√(2.25/40) = 1.6865480854231371,
    // df 39, p = P(T₃₉ ≥ t) = 0.04983754442704311.
    check(
        mean_vs_benchmark(5.4, 2.25, 40.0, 5.0),
        1.686_548_085_423_137_1,
        0.049_837_544_427_043_11,
        Some(39.0),
        "mean_vs_benchmark_t",
    );
    check(
        mean_vs_benchmark(4.6, 2.25, 40.0, 5.0),
        -1.686_548_085_423_137_1,
        0.049_837_544_427_043_11,
        Some(39.0),
        "mean_vs_benchmark_t",
    );
    assert_eq!(mean_vs_benchmark(5.4, 2.25, 1.0, 5.0), None);
    assert_eq!(mean_vs_benchmark(5.4, 0.0, 40.0, 5.0), None);
}
