//! Sample sizes for a target margin of error: the half-width of the two-sided confidence
//! interval at a level, with an optional finite population correction.
//!
//! n0 = (z · σ / margin)² with z the two-sided normal critical value and σ the standard
//! deviation of one answer in the margin's units; with a population of N,
//! n = n0 / (1 + (n0 − 1)/N). The result is rounded up to a whole number of responses (at
//! least 1); a relative slack of 1e-12 keeps a value like 385.0000000000001 (rounding noise)
//! from becoming 386.

use crate::z_for_confidence;

/// Rounds a required sample size up; see the module docs.
fn round_up(n: f64) -> Option<u64> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let rounded = (n * (1.0 - 1e-12)).ceil().max(1.0);
    // f64 → u64 saturates; sizes beyond 2^53 are not meaningful anyway.
    (rounded < 9.0e15).then_some(rounded as u64)
}

/// n0 = (z · sd / margin)², then the finite population correction when `population` is
/// given, rounded up.
fn required(margin: f64, level: f64, sd: f64, population: Option<u64>) -> Option<u64> {
    if !margin.is_finite() || margin <= 0.0 || !sd.is_finite() || sd < 0.0 {
        return None;
    }
    let z = z_for_confidence(level)?;
    let n0 = (z * sd / margin).powi(2);
    match population {
        None => round_up(n0),
        Some(0) => None,
        Some(size) => {
            let size = size as f64;
            round_up(n0 / (1.0 + (n0 - 1.0) / size))
        }
    }
}

/// Whether `x` is a share in [0, 1].
fn is_share(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

/// Responses needed to estimate an NPS within ±`margin_points` NPS points at `level`.
///
/// Per-answer variance p + d − (p − d)² with the expected promoter and detractor shares
/// p, d in [0, 1]; without them the worst case p = d = 0.5 (variance 1).
/// n0 = (z · 100 · √var / margin)². `None` for a margin that is not positive, a level
/// outside (0, 1), only one of the two shares, a share outside [0, 1], shares summing
/// above 1, or a population of 0.
pub fn sample_size_nps(
    margin_points: f64,
    level: f64,
    promoters: Option<f64>,
    detractors: Option<f64>,
    population: Option<u64>,
) -> Option<u64> {
    let variance = match (promoters, detractors) {
        (None, None) => 1.0,
        (Some(p), Some(d)) if is_share(p) && is_share(d) && p + d <= 1.0 => {
            (p + d - (p - d) * (p - d)).max(0.0)
        }
        _ => return None,
    };
    required(margin_points, level, 100.0 * variance.sqrt(), population)
}

/// Responses needed to estimate a percentage (CSAT %, any share) within ±`margin_points`
/// percentage points at `level`.
///
/// n0 = (z · 100 · √(p(1 − p)) / margin)² with p = expected/100; worst case p = 0.5 when
/// no expectation is given. `None` for a margin that is not positive, a level outside
/// (0, 1), an expected percentage outside [0, 100], or a population of 0.
pub fn sample_size_proportion(
    margin_points: f64,
    level: f64,
    expected_pct: Option<f64>,
    population: Option<u64>,
) -> Option<u64> {
    let p = match expected_pct {
        None => 0.5,
        Some(pct) if (0.0..=100.0).contains(&pct) => pct / 100.0,
        Some(_) => return None,
    };
    required(
        margin_points,
        level,
        100.0 * (p * (1.0 - p)).sqrt(),
        population,
    )
}

/// Responses needed to estimate a mean (CES, any score) within ±`margin` in the score's
/// units at `level`, given the standard deviation `sd` of one answer.
///
/// n0 = (z · sd / margin)² (normal approximation). `None` for a margin that is not
/// positive, a negative or non-finite `sd`, a level outside (0, 1), or a population of 0.
pub fn sample_size_mean(margin: f64, level: f64, sd: f64, population: Option<u64>) -> Option<u64> {
    required(margin, level, sd, population)
}

#[cfg(test)]
mod tests {
    //! z = NormalDist().inv_cdf(0.975) = 1.959963984540054 for 95% (Python stdlib).
    use super::*;

    #[test]
    fn nps_worst_case_and_finite_population() {
        // Variance 1: n0 = (1.959963984540054 · 100 / 5)² = 1536.5835282776497 → 1537.
        assert_eq!(sample_size_nps(5.0, 0.95, None, None, None), Some(1537));
        // N = 2000: 1536.58352827765 / (1 + 1535.58352827765/2000) = 869.2107065145154 → 870.
        assert_eq!(
            sample_size_nps(5.0, 0.95, None, None, Some(2000)),
            Some(870)
        );
        // 99% (z = 2.5758293035489): n0 = 2653.958640408484 → 2654; N = 2000 →
        // 1140.7617584907193 → 1141. 90% (z = 1.6448536269514715): 1082.2173816381642 → 1083.
        assert_eq!(sample_size_nps(5.0, 0.99, None, None, None), Some(2654));
        assert_eq!(
            sample_size_nps(5.0, 0.99, None, None, Some(2000)),
            Some(1141)
        );
        assert_eq!(sample_size_nps(5.0, 0.90, None, None, None), Some(1083));
    }

    #[test]
    fn nps_with_expected_shares() {
        // p = .45, d = .20: var = .65 − .25² = 0.5875; n0 = (1.96… · 100 · √.5875 / 5)²
        // = 902.7428228631194 → 903; N = 2000 → 622.2073270934413 → 623.
        assert_eq!(
            sample_size_nps(5.0, 0.95, Some(0.45), Some(0.20), None),
            Some(903)
        );
        assert_eq!(
            sample_size_nps(5.0, 0.95, Some(0.45), Some(0.20), Some(2000)),
            Some(623)
        );
        // Everyone a promoter: variance 0 → at least one response.
        assert_eq!(
            sample_size_nps(5.0, 0.95, Some(1.0), Some(0.0), None),
            Some(1)
        );
    }

    #[test]
    fn nps_rejects_bad_input() {
        assert_eq!(sample_size_nps(0.0, 0.95, None, None, None), None);
        assert_eq!(sample_size_nps(-5.0, 0.95, None, None, None), None);
        assert_eq!(sample_size_nps(f64::NAN, 0.95, None, None, None), None);
        assert_eq!(sample_size_nps(5.0, 95.0, None, None, None), None);
        assert_eq!(sample_size_nps(5.0, 0.95, Some(0.4), None, None), None);
        assert_eq!(sample_size_nps(5.0, 0.95, Some(0.7), Some(0.4), None), None);
        assert_eq!(
            sample_size_nps(5.0, 0.95, Some(45.0), Some(20.0), None),
            None
        );
        assert_eq!(sample_size_nps(5.0, 0.95, None, None, Some(0)), None);
    }

    #[test]
    fn proportion_sizes() {
        // p = .5: n0 = (1.96… · 50 / 5)² = 384.14588206941244 → 385;
        // N = 2000 → 322.3855366636961 → 323.
        assert_eq!(sample_size_proportion(5.0, 0.95, None, None), Some(385));
        assert_eq!(
            sample_size_proportion(5.0, 0.95, None, Some(2000)),
            Some(323)
        );
        // Expected 80%, margin 3: n0 = (1.96… · 100 · √.16 / 3)² = 682.9260125678444 → 683;
        // N = 1000 → 406.03808221337977 → 407.
        assert_eq!(
            sample_size_proportion(3.0, 0.95, Some(80.0), None),
            Some(683)
        );
        assert_eq!(
            sample_size_proportion(3.0, 0.95, Some(80.0), Some(1000)),
            Some(407)
        );
        assert_eq!(sample_size_proportion(5.0, 0.95, Some(120.0), None), None);
        assert_eq!(sample_size_proportion(5.0, 1.0, None, None), None);
    }

    #[test]
    fn mean_sizes() {
        // sd 1.5, margin 0.1: n0 = (1.96… · 1.5 / 0.1)² = 864.3282346561778 → 865;
        // N = 2000 → 603.7227756111338 → 604; N = 500 → 316.9919806121215 → 317.
        assert_eq!(sample_size_mean(0.1, 0.95, 1.5, None), Some(865));
        assert_eq!(sample_size_mean(0.1, 0.95, 1.5, Some(2000)), Some(604));
        assert_eq!(sample_size_mean(0.1, 0.95, 1.5, Some(500)), Some(317));
        assert_eq!(sample_size_mean(0.1, 0.95, -1.0, None), None);
        assert_eq!(sample_size_mean(0.0, 0.95, 1.5, None), None);
    }

    #[test]
    fn rounding_is_up_and_tolerates_noise() {
        assert_eq!(round_up(384.146), Some(385));
        assert_eq!(round_up(385.0 * (1.0 + 1e-13)), Some(385));
        assert_eq!(round_up(0.2), Some(1));
        assert_eq!(round_up(f64::INFINITY), None);
    }
}
