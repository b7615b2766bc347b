//! The minimum detectable change beside every period-over-period Δ: the smallest true
//! change the period's test would detect at the report's α (two-sided, as the trend tests)
//! with 80% power, for the two periods' n. The variance of one answer comes from the earlier
//! period's basis (its promoter and detractor shares for NPS, its share for a proportion);
//! for a mean each period's own variance enters, as in Welch's test. Formulas and sources
//! are in `cxm_stats::mdc_nps` and its siblings (Cohen 1988; Fleiss, Levin & Paik 2003).

use cxm_result::TestBasis;
use cxm_stats::DEFAULT_POWER;

/// The MDC of the change from `a` (earlier) to `b`, in the metric's unit (NPS points,
/// percentage points, the mean's unit); `None` when the bases differ in kind or do not
/// define one.
pub fn minimum_detectable_change(a: &TestBasis, b: &TestBasis, alpha: f64) -> Option<f64> {
    match (a, b) {
        (
            TestBasis::Nps {
                promoters,
                detractors,
                n: n1,
            },
            TestBasis::Nps { n: n2, .. },
        ) => cxm_stats::mdc_nps(*promoters, *detractors, *n1, *n2, alpha, DEFAULT_POWER),
        (TestBasis::Proportion { successes, n: n1 }, TestBasis::Proportion { n: n2, .. }) => {
            cxm_stats::mdc_proportion(*successes, *n1, *n2, alpha, DEFAULT_POWER)
        }
        (
            TestBasis::Mean {
                variance: v1,
                n: n1,
                ..
            },
            TestBasis::Mean {
                variance: v2,
                n: n2,
                ..
            },
        ) => cxm_stats::mdc_mean(*v1, *n1, *v2, *n2, alpha, DEFAULT_POWER),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// z_0.975 + z_0.8.
    const K: f64 = 2.801_585_218_112_968_3;

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn nps_uses_the_earlier_shares_and_both_sizes() {
        // January P = 50, D = 20 of 100; February n = 100 (its shares do not enter).
        // var = 0.5 + 0.2 − 0.3² = 0.61; SE = 100·√(0.61 · 0.02) = 11.045361017187261.
        let jan = TestBasis::Nps {
            promoters: 50.0,
            detractors: 20.0,
            n: 100.0,
        };
        let feb = TestBasis::Nps {
            promoters: 60.0,
            detractors: 10.0,
            n: 100.0,
        };
        close(
            minimum_detectable_change(&jan, &feb, 0.05),
            11.045_361_017_187_261 * K,
        );
        // Reversed, February's shares: var = 0.7 − 0.5² = 0.45; SE = 100·√0.009.
        close(
            minimum_detectable_change(&feb, &jan, 0.05),
            100.0 * 0.009_f64.sqrt() * K,
        );
    }

    #[test]
    fn proportion_and_mean() {
        // 70 of 100, then n = 100: SE = 100·√(0.21 · 0.02) = 6.48074069840786 points.
        let a = TestBasis::Proportion {
            successes: 70.0,
            n: 100.0,
        };
        let b = TestBasis::Proportion {
            successes: 82.0,
            n: 100.0,
        };
        close(
            minimum_detectable_change(&a, &b, 0.05),
            6.480_740_698_407_86 * K,
        );
        // Means: v = 4 (n 100) and 9 (n 100): SE = √0.13.
        let m1 = TestBasis::Mean {
            mean: 3.0,
            variance: 4.0,
            n: 100.0,
        };
        let m2 = TestBasis::Mean {
            mean: 3.5,
            variance: 9.0,
            n: 100.0,
        };
        close(
            minimum_detectable_change(&m1, &m2, 0.05),
            0.13_f64.sqrt() * K,
        );
        assert_eq!(minimum_detectable_change(&a, &m2, 0.05), None);
    }
}
