//! Significance tests for comparisons of survey metrics: period over period (two-sided,
//! "b minus a") and against a fixed benchmark (one-sided in the direction of the observed
//! difference).
//!
//! Every test returns `None` when its inputs do not define a statistic (no observations,
//! counts outside `[0, n]`, a zero standard error), never a made-up p-value.

use crate::distribution::{normal_two_sided, normal_upper_tail, student_t_upper_tail, t_two_sided};

/// The result of a significance test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TestOutcome {
    /// The test statistic (z or t); positive when the second (or observed) value is larger.
    pub statistic: f64,
    /// The p-value: two-sided for period-over-period tests, one-sided for benchmark tests.
    pub p_value: f64,
    /// Degrees of freedom of a t statistic; `None` for z statistics.
    pub df: Option<f64>,
    /// Which test: `nps_difference_z`, `two_proportion_z`, `welch_t`, `nps_vs_benchmark_z`,
    /// `proportion_vs_benchmark_z` or `mean_vs_benchmark_t`.
    pub method: &'static str,
}

/// Whether `n` is a usable number of observations and `count` lies in `[0, n]`.
fn valid_count(count: f64, n: f64) -> bool {
    n.is_finite() && n > 0.0 && count.is_finite() && (0.0..=n).contains(&count)
}

/// NPS in share units, (P − D) / n, and the Wald variance of that estimate,
/// (p + d − (p − d)²) / n, from (promoters, detractors, n).
fn nps_share_and_variance((promoters, detractors, n): (f64, f64, f64)) -> Option<(f64, f64)> {
    if !valid_count(promoters, n) || !valid_count(detractors, n) || promoters + detractors > n {
        return None;
    }
    let p = promoters / n;
    let d = detractors / n;
    let variance = ((p + d - (p - d) * (p - d)) / n).max(0.0);
    Some((p - d, variance))
}

/// A z outcome with a two-sided p-value.
fn two_sided_z(z: f64, method: &'static str) -> Option<TestOutcome> {
    z.is_finite().then(|| TestOutcome {
        statistic: z,
        p_value: normal_two_sided(z),
        df: None,
        method,
    })
}

/// A z outcome with the one-sided p-value in the direction of the statistic, 1 − Φ(|z|).
fn one_sided_z(z: f64, method: &'static str) -> Option<TestOutcome> {
    z.is_finite().then(|| TestOutcome {
        statistic: z,
        p_value: normal_upper_tail(z.abs()),
        df: None,
        method,
    })
}

/// Two-sided test of the NPS difference between periods `a` and `b` (b minus a).
///
/// Each tuple is (promoters, detractors, n); NPS_i = 100(P − D)/n and
/// Var_i = (p + d − (p − d)²)/n in share units (as in the Wald CI);
/// z = (NPS_b − NPS_a)/100 / √(Var_a + Var_b), p = 2(1 − Φ(|z|)).
/// `None` if an n is not positive, a count is outside `[0, n]`, P + D > n, or both
/// variances are 0.
pub fn nps_difference_z(a: (f64, f64, f64), b: (f64, f64, f64)) -> Option<TestOutcome> {
    let (nps_a, var_a) = nps_share_and_variance(a)?;
    let (nps_b, var_b) = nps_share_and_variance(b)?;
    let se = (var_a + var_b).sqrt();
    if se <= 0.0 {
        return None;
    }
    two_sided_z((nps_b - nps_a) / se, "nps_difference_z")
}

/// Two-sided pooled two-proportion z-test of x2/n2 against x1/n1 (second minus first).
///
/// p̂ = (x1 + x2)/(n1 + n2), se = √(p̂(1 − p̂)(1/n1 + 1/n2)), z = (x2/n2 − x1/n1)/se.
/// `None` if an n is not positive, a count is outside `[0, n]`, or p̂ is 0 or 1.
pub fn two_proportion_z(x1: f64, n1: f64, x2: f64, n2: f64) -> Option<TestOutcome> {
    if !valid_count(x1, n1) || !valid_count(x2, n2) {
        return None;
    }
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se.is_nan() || se <= 0.0 {
        return None;
    }
    two_sided_z((x2 / n2 - x1 / n1) / se, "two_proportion_z")
}

/// Two-sided Welch t-test of mean m2 against m1 (second minus first), from each group's
/// mean, sample variance and n.
///
/// t = (m2 − m1)/√(v1/n1 + v2/n2); Welch–Satterthwaite
/// df = (v1/n1 + v2/n2)² / ((v1/n1)²/(n1 − 1) + (v2/n2)²/(n2 − 1)); p from Student t.
/// `None` unless n1, n2 > 1, the variances are non-negative and not both 0, and all inputs
/// are finite.
pub fn welch_t(m1: f64, v1: f64, n1: f64, m2: f64, v2: f64, n2: f64) -> Option<TestOutcome> {
    let inputs = [m1, v1, n1, m2, v2, n2];
    if inputs.iter().any(|x| !x.is_finite()) || n1 <= 1.0 || n2 <= 1.0 || v1 < 0.0 || v2 < 0.0 {
        return None;
    }
    let s1 = v1 / n1;
    let s2 = v2 / n2;
    let se2 = s1 + s2;
    if se2 <= 0.0 {
        return None;
    }
    let t = (m2 - m1) / se2.sqrt();
    let df = se2 * se2 / (s1 * s1 / (n1 - 1.0) + s2 * s2 / (n2 - 1.0));
    Some(TestOutcome {
        statistic: t,
        p_value: t_two_sided(t, df)?,
        df: Some(df),
        method: "welch_t",
    })
}

/// One-sided test of an NPS against a benchmark in NPS points (−100..100).
///
/// z = (NPS − B)/100 / √Var with Var = (p + d − (p − d)²)/n, the sample (Wald) variance;
/// p = 1 − Φ(|z|), the probability of a difference at least this large in the observed
/// direction if the true NPS were B. `None` for invalid counts, a benchmark outside
/// [−100, 100], or a zero variance.
pub fn nps_vs_benchmark(counts: (f64, f64, f64), benchmark_points: f64) -> Option<TestOutcome> {
    if !(-100.0..=100.0).contains(&benchmark_points) {
        return None;
    }
    let (nps, variance) = nps_share_and_variance(counts)?;
    if variance <= 0.0 {
        return None;
    }
    one_sided_z(
        (nps - benchmark_points / 100.0) / variance.sqrt(),
        "nps_vs_benchmark_z",
    )
}

/// One-sided score test of a proportion against a benchmark percentage (0..100).
///
/// With b = B/100: z = (p̂ − b)/√(b(1 − b)/n), p = 1 − Φ(|z|) (direction of the observed
/// difference). `None` if n is not positive, successes are outside `[0, n]`, or B is not
/// strictly between 0 and 100 (the null variance would be 0).
pub fn proportion_vs_benchmark(successes: f64, n: f64, benchmark_pct: f64) -> Option<TestOutcome> {
    let benchmark_inside = benchmark_pct > 0.0 && benchmark_pct < 100.0;
    if !(valid_count(successes, n) && benchmark_inside) {
        return None;
    }
    let b = benchmark_pct / 100.0;
    one_sided_z(
        (successes / n - b) / (b * (1.0 - b) / n).sqrt(),
        "proportion_vs_benchmark_z",
    )
}

/// One-sided one-sample t-test of a mean against a benchmark value.
///
/// t = (mean − B)/√(variance/n) with df = n − 1; p = P(T ≥ |t|) (direction of the observed
/// difference). `None` unless n > 1, the variance is positive and all inputs are finite.
pub fn mean_vs_benchmark(mean: f64, variance: f64, n: f64, benchmark: f64) -> Option<TestOutcome> {
    if [mean, variance, n, benchmark]
        .iter()
        .any(|x| !x.is_finite())
        || n <= 1.0
        || variance <= 0.0
    {
        return None;
    }
    let t = (mean - benchmark) / (variance / n).sqrt();
    let df = n - 1.0;
    Some(TestOutcome {
        statistic: t,
        p_value: student_t_upper_tail(t.abs(), df)?,
        df: Some(df),
        method: "mean_vs_benchmark_t",
    })
}

#[cfg(test)]
#[path = "significance_tests.rs"]
mod tests;
