//! Survey weights in the analysis: every interval and test of a weighted result uses
//! Kish's effective sample size n_eff = (Σw)²/Σw² instead of the weighted n (Kish 1965,
//! *Survey Sampling* §11.7; the approximation Qualtrics, SPSS Complex Samples' "Kish" design
//! effect and the R `survey` package's `deff = "replace"` report).
//!
//! - **Tests** (trends, segments against the rest and each other, benchmarks, minimum
//!   detectable changes) take the basis rescaled to n_eff: NPS and proportion counts keep
//!   their shares with n = n_eff; a mean keeps its mean and variance with n = n_eff. A
//!   pooled rest pools the rows' weight sums too, so its n_eff is the rest's own.
//! - **Intervals** are recomputed with n_eff when the method is known from the basis:
//!   `wald` and `adjusted_wald` (NPS), `wilson` (proportions), `t` (means). Any other
//!   interval is widened about the value by √(n / n_eff), the square root of the design
//!   effect relative to the metric's weighted n, which is exact for intervals of the
//!   form value ± c/√n — except bootstrap intervals, left as they are: resampling the
//!   weighted rows already reflects the unequal weights.
//! - **Only where n is the rows' weight.** Kish's formula treats each row used as one
//!   observation. A metric whose n is something else (customers counted once over several
//!   snapshots, a ratio of two sums) keeps its own interval and tests; its design is
//!   dropped and it carries the warning `no_design_effect`, so nobody reads an n_eff that
//!   does not describe it.

use cxm_report::{Design, RunReport};
use cxm_result::{Interval, TestBasis};

/// Warning of a weighted result whose n is not the weight of its rows (see the module docs).
pub(crate) const NO_DESIGN_EFFECT: &str = "no_design_effect";

/// `basis` as a simple random sample of n_eff answers with the same shares or moments; the
/// basis itself without a design (also used by `cxm diff`).
pub fn effective(basis: &TestBasis, design: Option<&Design>) -> TestBasis {
    let Some(d) = design else {
        return basis.clone();
    };
    let n_eff = d.n_effective;
    match *basis {
        TestBasis::Nps {
            promoters,
            detractors,
            n,
        } if n > 0.0 => TestBasis::Nps {
            promoters: promoters / n * n_eff,
            detractors: detractors / n * n_eff,
            n: n_eff,
        },
        TestBasis::Proportion { successes, n } if n > 0.0 => TestBasis::Proportion {
            successes: successes / n * n_eff,
            n: n_eff,
        },
        TestBasis::Mean { mean, variance, .. } => TestBasis::Mean {
            mean,
            variance,
            n: n_eff,
        },
        ref other => other.clone(),
    }
}

/// Recomputes or widens the interval of every weighted result (see the module docs).
pub(crate) fn apply_intervals(report: &mut RunReport) {
    for row in &mut report.results {
        let Some(design) = row.design.as_deref().copied() else {
            continue;
        };
        let n = row.result.n;
        if !crate::shift_share::same(n, design.sum_weights) {
            row.design = None;
            row.result.warnings.push(NO_DESIGN_EFFECT.to_string());
            continue;
        }
        let Some(ci) = row
            .result
            .ci
            .as_ref()
            .filter(|c| !c.method.contains("bootstrap"))
        else {
            continue;
        };
        let recomputed = row
            .result
            .basis
            .as_ref()
            .and_then(|b| recompute(&effective(b, Some(&design)), ci));
        let interval = recomputed.or_else(|| {
            let value = row.result.value?;
            (n > 0.0 && design.n_effective > 0.0).then(|| {
                let k = (n / design.n_effective).sqrt();
                (value - k * (value - ci.low), value + k * (ci.high - value))
            })
        });
        if let (Some((low, high)), Some(ci)) = (interval, row.result.ci.as_mut()) {
            ci.low = low;
            ci.high = high;
        }
    }
}

/// The interval of `basis` (already at n_eff) by the method of `ci`, in the unit of the
/// result's value; `None` for a method not known here.
fn recompute(basis: &TestBasis, ci: &Interval) -> Option<(f64, f64)> {
    match (basis, ci.method.as_str()) {
        (
            TestBasis::Nps {
                promoters,
                detractors,
                n,
            },
            "wald",
        ) => cxm_stats::nps_interval(*promoters, *detractors, *n, ci.level),
        (
            TestBasis::Nps {
                promoters,
                detractors,
                n,
            },
            "adjusted_wald",
        ) => cxm_stats::nps_interval(promoters + 0.75, detractors + 0.75, n + 3.0, ci.level),
        (TestBasis::Proportion { successes, n }, "wilson") => {
            let (low, high) = cxm_stats::wilson(*successes, *n, ci.level)?;
            Some((100.0 * low, 100.0 * high))
        }
        (TestBasis::Mean { mean, variance, n }, "t") => {
            let t = cxm_stats::t_for_confidence(ci.level, n - 1.0)?;
            let half = t * (variance / n).sqrt();
            Some((mean - half, mean + half))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(n_unweighted: f64, sum_w: f64, sum_w2: f64) -> Design {
        Design::of(n_unweighted, sum_w, sum_w2).expect("a design")
    }

    #[test]
    fn bases_keep_their_shares_at_the_effective_n() {
        // 100 rows with weights summing to 100 and squares to 125: n_eff = 10000/125 = 80.
        let d = design(100.0, 100.0, 125.0);
        assert_eq!(d.n_effective, 80.0);
        assert_eq!(d.design_effect, 1.25);
        let nps = TestBasis::Nps {
            promoters: 50.0,
            detractors: 20.0,
            n: 100.0,
        };
        assert_eq!(
            effective(&nps, Some(&d)),
            TestBasis::Nps {
                promoters: 40.0,
                detractors: 16.0,
                n: 80.0
            }
        );
        let share = TestBasis::Proportion {
            successes: 25.0,
            n: 100.0,
        };
        assert_eq!(
            effective(&share, Some(&d)),
            TestBasis::Proportion {
                successes: 20.0,
                n: 80.0
            }
        );
        assert_eq!(effective(&share, None), share);
    }

    #[test]
    fn a_wald_interval_widens_by_the_root_of_the_design_effect() {
        // NPS 30 from P 50 %, D 20 %: variance (0.7 − 0.09) = 0.61; at n_eff 80 the half
        // width is 1.959963984540054·√(0.61/80)·100 = 17.114….
        let d = design(100.0, 100.0, 125.0);
        let basis = TestBasis::Nps {
            promoters: 50.0,
            detractors: 20.0,
            n: 100.0,
        };
        let ci = Interval {
            low: 0.0,
            high: 0.0,
            level: 0.95,
            method: "wald".into(),
        };
        let (low, high) = recompute(&effective(&basis, Some(&d)), &ci).expect("an interval");
        let half = 1.959_963_984_540_054 * (0.61f64 / 80.0).sqrt() * 100.0;
        assert!((low - (30.0 - half)).abs() < 1e-9 && (high - (30.0 + half)).abs() < 1e-9);
        // The same as the unweighted half width × √1.25.
        let plain = 1.959_963_984_540_054 * (0.61f64 / 100.0).sqrt() * 100.0;
        assert!((half - plain * 1.25f64.sqrt()).abs() < 1e-9);
    }
}
