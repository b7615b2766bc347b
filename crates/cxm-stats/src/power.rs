//! Minimum detectable change (MDC) of a two-sample comparison: the smallest true
//! difference a two-sided test at level α detects with a given power, for the two samples'
//! sizes.
//!
//! MDC = (z₁₋α/₂ + z_power) · SE, with SE the standard error of the difference of the two
//! estimates (normal approximation; Cohen, *Statistical Power Analysis for the Behavioral
//! Sciences*, 2nd ed., 1988, ch. 6 for proportions; Fleiss, Levin & Paik, *Statistical
//! Methods for Rates and Proportions*, 3rd ed., 2003, §4.2; the same formula gives the
//! "minimum detectable effect" of survey-design texts). The variance of one answer is taken
//! from the earlier (reference) sample:
//!
//! - a proportion p: SE = √(p(1 − p) · (1/n₁ + 1/n₂)), in percentage points (× 100);
//! - an NPS with promoter and detractor shares p, d: one answer's variance on the −1…1
//!   scale is p + d − (p − d)² (as in the Wald interval), SE = √(var · (1/n₁ + 1/n₂)), in
//!   NPS points (× 100);
//! - a mean: SE = √(v₁/n₁ + v₂/n₂) with each sample's own variance (the Welch test's SE).
//!
//! Every function returns `None` when α or the power is outside (0, 1), a sample size is
//! not positive, or the standard error is zero (a sample with no spread — every answer a
//! promoter, say — cannot say how small a change would be seen).

use statrs::distribution::{ContinuousCDF, Normal};

/// The power the reports use for the MDC: 80%, the conventional level (Cohen 1988, §2.4).
pub const DEFAULT_POWER: f64 = 0.8;

/// z₁₋α/₂ + z_power: the multiplier of the standard error. For α = 0.05 and 80% power,
/// 1.959963984540054 + 0.8416212335729143 = 2.8015852181129683.
pub fn mdc_multiplier(alpha: f64, power: f64) -> Option<f64> {
    let inside = |x: f64| x > 0.0 && x < 1.0;
    if !inside(alpha) || !inside(power) {
        return None;
    }
    let normal = Normal::standard();
    Some(normal.inverse_cdf(1.0 - alpha / 2.0) + normal.inverse_cdf(power))
}

/// The MDC for a standard error `se` of the difference: `None` unless `se` is finite and
/// positive.
fn from_se(se: f64, alpha: f64, power: f64) -> Option<f64> {
    (se.is_finite() && se > 0.0)
        .then_some(())
        .and(mdc_multiplier(alpha, power))
        .map(|k| k * se)
}

/// Whether both sample sizes are finite and positive.
fn sizes(n1: f64, n2: f64) -> bool {
    n1.is_finite() && n2.is_finite() && n1 > 0.0 && n2 > 0.0
}

/// MDC of a percentage, in percentage points: `successes` of `n1` in the earlier sample
/// give p; the later sample has `n2`. SE = 100 · √(p(1 − p)(1/n₁ + 1/n₂)).
pub fn mdc_proportion(successes: f64, n1: f64, n2: f64, alpha: f64, power: f64) -> Option<f64> {
    if !sizes(n1, n2) || !(0.0..=n1).contains(&successes) {
        return None;
    }
    let p = successes / n1;
    let se = 100.0 * (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    from_se(se, alpha, power)
}

/// MDC of an NPS, in NPS points: `promoters` and `detractors` of `n1` in the earlier sample
/// give p and d; the later sample has `n2`. SE = 100 · √((p + d − (p − d)²)(1/n₁ + 1/n₂)).
pub fn mdc_nps(
    promoters: f64,
    detractors: f64,
    n1: f64,
    n2: f64,
    alpha: f64,
    power: f64,
) -> Option<f64> {
    let counts_fit = promoters >= 0.0 && detractors >= 0.0 && promoters + detractors <= n1;
    if !sizes(n1, n2) || !counts_fit {
        return None;
    }
    let (p, d) = (promoters / n1, detractors / n1);
    let variance = (p + d - (p - d) * (p - d)).max(0.0);
    let se = 100.0 * (variance * (1.0 / n1 + 1.0 / n2)).sqrt();
    from_se(se, alpha, power)
}

/// MDC of a mean, in the mean's unit: SE = √(v₁/n₁ + v₂/n₂) with the samples' variances.
pub fn mdc_mean(v1: f64, n1: f64, v2: f64, n2: f64, alpha: f64, power: f64) -> Option<f64> {
    if !(sizes(n1, n2) && v1 >= 0.0 && v2 >= 0.0) {
        return None;
    }
    from_se((v1 / n1 + v2 / n2).sqrt(), alpha, power)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn multiplier_is_the_sum_of_two_normal_quantiles() {
        // z_0.975 = 1.959963984540054, z_0.8 = 0.8416212335729143.
        close(mdc_multiplier(0.05, 0.8), 2.801_585_218_112_968_3);
        // z_0.995 = 2.5758293035489004.
        close(mdc_multiplier(0.01, 0.8), 3.417_450_537_121_814_7);
        assert_eq!(mdc_multiplier(0.0, 0.8), None);
        assert_eq!(mdc_multiplier(0.05, 1.0), None);
        assert_eq!(mdc_multiplier(f64::NAN, 0.8), None);
    }

    #[test]
    fn proportion_by_hand() {
        // p = 70/100 = 0.7; p(1 − p) = 0.21; 1/100 + 1/100 = 0.02; SE = √0.0042 =
        // 0.06480740698407860 → 6.480740698407860 points; × 2.8015852181129683 =
        // 18.156347497... points.
        close(
            mdc_proportion(70.0, 100.0, 100.0, 0.05, 0.8),
            6.480_740_698_407_86 * 2.801_585_218_112_968_3,
        );
        // Unequal sizes: p = 0.5, n = 50 and 200: 0.25 · (0.02 + 0.005) = 0.00625,
        // SE = 7.905694150420949 points.
        close(
            mdc_proportion(25.0, 50.0, 200.0, 0.05, 0.8),
            7.905_694_150_420_949 * 2.801_585_218_112_968_3,
        );
        assert_eq!(
            mdc_proportion(0.0, 100.0, 100.0, 0.05, 0.8),
            None,
            "no spread"
        );
        assert_eq!(mdc_proportion(5.0, 0.0, 100.0, 0.05, 0.8), None);
        assert_eq!(mdc_proportion(120.0, 100.0, 100.0, 0.05, 0.8), None);
    }

    #[test]
    fn nps_by_hand() {
        // p = 0.5, d = 0.2: var = 0.7 − 0.3² = 0.61; × 0.02 = 0.0122; SE = 0.11045361017187261
        // → 11.045361017187261 points; MDC = 30.944... points.
        close(
            mdc_nps(50.0, 20.0, 100.0, 100.0, 0.05, 0.8),
            11.045_361_017_187_261 * 2.801_585_218_112_968_3,
        );
        assert_eq!(mdc_nps(100.0, 0.0, 100.0, 100.0, 0.05, 0.8), None);
        assert_eq!(mdc_nps(60.0, 60.0, 100.0, 100.0, 0.05, 0.8), None);
    }

    #[test]
    fn mean_by_hand() {
        // v = 4 and 9, n = 100 each: SE = √(0.04 + 0.09) = √0.13 = 0.36055512754639896.
        close(
            mdc_mean(4.0, 100.0, 9.0, 100.0, 0.05, 0.8),
            0.360_555_127_546_398_96 * 2.801_585_218_112_968_3,
        );
        assert_eq!(mdc_mean(0.0, 10.0, 0.0, 10.0, 0.05, 0.8), None);
        assert_eq!(mdc_mean(-1.0, 10.0, 1.0, 10.0, 0.05, 0.8), None);
    }
}
