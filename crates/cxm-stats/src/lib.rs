//! Interval statistics shared by the cxm metric plugins: two-sided normal and Student t
//! quantiles, frequency-weighted moments, the t interval of a mean, the Wilson score
//! interval of a proportion and the Wald interval of an NPS. Plugin authors reach the
//! interval helpers through `cxm_sdk::stats`.
//!
//! Comparisons build on them: normal and t CDFs ([`normal_cdf`], [`student_t_cdf`]),
//! period-over-period tests ([`nps_difference_z`], [`two_proportion_z`], [`welch_t`]),
//! one-sided tests against a benchmark ([`nps_vs_benchmark`], [`proportion_vs_benchmark`],
//! [`mean_vs_benchmark`]), multiple-testing adjustment ([`holm`], [`benjamini_hochberg`])
//! sample sizes for a target margin of error ([`sample_size_nps`],
//! [`sample_size_proportion`], [`sample_size_mean`]) and the minimum detectable change of a
//! comparison at a power ([`mdc_nps`], [`mdc_proportion`], [`mdc_mean`]).
//!
//! Survey weights: [`rake`] fits weights to population margins (iterative proportional
//! fitting) and [`kish_effective_n`] gives the effective sample size of weighted data.
//!
//! Quantiles: [`WeightedSample`] keeps every value (exact Hyndman–Fan definition 2),
//! [`QuantileSketch`] estimates the same definition within a relative error in bounded
//! memory (DDSketch), and [`Quantiles`] is exact while a group is small and a sketch beyond
//! a limit, as its [`QuantilePolicy`] says.
//!
//! Every function returns `None` instead of panicking when its inputs do not define a
//! result (a confidence level outside (0, 1), no observations, no degrees of freedom), so a
//! plugin can report "undefined" rather than a made-up number.
//!
//! Weights are frequency weights (row multiplicities): a row with weight 3 counts exactly as
//! three identical rows, so pre-aggregated input gives the same result as the raw rows.

mod adjust;
mod distribution;
mod hybrid;
mod power;
mod quantile;
mod raking;
mod sample_size;
mod significance;
mod sketch;
pub use adjust::{benjamini_hochberg, holm};
pub use distribution::{normal_cdf, student_t_cdf};
pub use hybrid::{
    QuantileEstimates, QuantileMethod, QuantilePolicy, Quantiles, DEFAULT_EXACT_LIMIT,
};
pub use power::{mdc_mean, mdc_multiplier, mdc_nps, mdc_proportion, DEFAULT_POWER};
pub use quantile::{quantile_sorted, WeightedSample};
pub use raking::{kish_effective_n, rake, RakeError, RakeOptions, Raked};
pub use sample_size::{sample_size_mean, sample_size_nps, sample_size_proportion};
pub use significance::{
    mean_vs_benchmark, nps_difference_z, nps_vs_benchmark, proportion_vs_benchmark,
    two_proportion_z, welch_t, TestOutcome,
};
pub use sketch::{
    QuantileSketch, DEFAULT_RELATIVE_ACCURACY, MAX_RELATIVE_ACCURACY, MIN_RELATIVE_ACCURACY,
};

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

#[cfg(test)]
mod sketch_tests;
#[cfg(test)]
mod tests;

/// The upper quantile `1 − (1 − level) / 2` of a two-sided interval, or `None` unless
/// `0 < level < 1` (NaN included).
fn upper_tail_probability(level: f64) -> Option<f64> {
    (level > 0.0 && level < 1.0).then(|| 1.0 - (1.0 - level) / 2.0)
}

/// The two-sided normal critical value for a `confidence` param, or the message a plugin
/// shows when it is not a fraction strictly between 0 and 1 (with a hint for `95`).
pub fn check_confidence(confidence: f64) -> Result<f64, String> {
    z_for_confidence(confidence).ok_or_else(|| {
        let hint = if confidence > 1.0 && confidence < 100.0 {
            format!("for a {confidence}% interval write {}", confidence / 100.0)
        } else {
            "0.95 for a 95% interval".to_string()
        };
        format!("confidence = {confidence} must be a fraction strictly between 0 and 1 ({hint})")
    })
}

/// The two-sided standard normal critical value Φ⁻¹(1 − (1 − level) / 2).
///
/// `z_for_confidence(0.95)` is 1.959963984540054. `None` unless `0 < level < 1`.
pub fn z_for_confidence(level: f64) -> Option<f64> {
    let p = upper_tail_probability(level)?;
    Some(Normal::standard().inverse_cdf(p))
}

/// From this many degrees of freedom on, [`t_for_confidence`] uses the Cornish–Fisher
/// expansion instead of statrs: statrs 0.18's `StudentsT::inverse_cdf` loses accuracy for
/// large df (about 1e-7 at df = 1e5, 1e-4 at df = 1e6, returning values below the normal
/// quantile), while the expansion's error at df >= 1000 is below 1e-13 for levels up to
/// 0.9999 and shrinks as df grows.
const EXPANSION_MIN_DF: f64 = 1000.0;

/// The two-sided Student t critical value with `df` degrees of freedom:
/// F⁻¹(1 − (1 − level) / 2).
///
/// Computed with statrs `StudentsT::inverse_cdf` below 1000 df and with the
/// Cornish–Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5, four terms) from 1000 df
/// on. `df` may be fractional (weighted data); an infinite `df` gives the normal value.
/// `None` for `df <= 0`, a NaN `df`, or a level outside (0, 1).
pub fn t_for_confidence(level: f64, df: f64) -> Option<f64> {
    let p = upper_tail_probability(level)?;
    if df.is_nan() || df <= 0.0 {
        return None;
    }
    if df >= EXPANSION_MIN_DF {
        return Some(cornish_fisher_t(z_for_confidence(level)?, df));
    }
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(p);
    t.is_finite().then_some(t)
}

/// The t quantile with `nu` degrees of freedom whose normal quantile is `x`:
/// x + g1/ν + g2/ν² + g3/ν³ + g4/ν⁴ with (A&S 26.7.5)
/// g1 = (x³ + x)/4, g2 = (5x⁵ + 16x³ + 3x)/96, g3 = (3x⁷ + 19x⁵ + 17x³ − 15x)/384,
/// g4 = (79x⁹ + 776x⁷ + 1482x⁵ − 1920x³ − 945x)/92160. Exact (= x) for infinite ν.
fn cornish_fisher_t(x: f64, nu: f64) -> f64 {
    let x2 = x * x;
    let g1 = (x2 + 1.0) * x / 4.0;
    let g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
    let g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
    let g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
    x + (g1 + (g2 + (g3 + g4 / nu) / nu) / nu) / nu
}

/// Frequency-weighted first and second moments: Σw, Σw·x and Σw·x².
///
/// States built from different parts of the data combine with [`Moments::merge`], so a
/// mean or variance over merged groups is recomputed from the sums, never averaged.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    /// Σw: the weighted number of observations.
    pub weight: f64,
    /// Σw·x.
    pub sum: f64,
    /// Σw·x².
    pub sum_sq: f64,
}

impl Moments {
    /// Adds the observation `x` with weight (multiplicity) `w`.
    pub fn add(&mut self, x: f64, w: f64) {
        self.weight += w;
        self.sum += w * x;
        self.sum_sq += w * x * x;
    }

    /// Adds every observation of `other`.
    pub fn merge(&mut self, other: &Moments) {
        self.weight += other.weight;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// The weighted mean Σw·x / Σw; `None` when Σw <= 0.
    pub fn mean(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }

    /// The sample variance with frequency weights, (Σw·x² − (Σw·x)² / Σw) / (Σw − 1);
    /// `None` when Σw <= 1. Rounding below zero is reported as zero.
    pub fn sample_variance(&self) -> Option<f64> {
        if self.weight.is_nan() || self.weight <= 1.0 {
            return None;
        }
        let centered = self.sum_sq - self.sum * self.sum / self.weight;
        Some((centered / (self.weight - 1.0)).max(0.0))
    }
}

/// The t interval of the mean: mean ± t(level, df = Σw − 1) · s / √Σw.
///
/// `None` when Σw <= 1 or the level is outside (0, 1).
pub fn t_interval(m: &Moments, level: f64) -> Option<(f64, f64)> {
    let mean = m.mean()?;
    let variance = m.sample_variance()?;
    let t = t_for_confidence(level, m.weight - 1.0)?;
    let half = t * (variance / m.weight).sqrt();
    Some((mean - half, mean + half))
}

/// The Wilson score interval of the proportion `successes / n`, as fractions in [0, 1].
///
/// With p = successes / n and z the two-sided normal critical value:
/// center = (p + z²/(2n)) / (1 + z²/n), half = z / (1 + z²/n) · √(p(1−p)/n + z²/(4n²)).
/// `None` when `n <= 0`, `successes` is outside `[0, n]`, or the level is outside (0, 1).
pub fn wilson(successes: f64, n: f64, level: f64) -> Option<(f64, f64)> {
    if !n.is_finite() || n <= 0.0 || !(0.0..=n).contains(&successes) {
        return None;
    }
    let z = z_for_confidence(level)?;
    let p = successes / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

/// The Wald interval of an NPS, in NPS points: with p = promoters / n, d = detractors / n
/// and z the two-sided normal critical value,
/// 100·(p − d) ± z·100·√((p + d − (p − d)²) / n), clamped to [−100, 100].
///
/// This is the interval the `nps` plugin reports with `ci_method = "wald"`; for its
/// adjusted Wald interval pass `promoters + 0.75`, `detractors + 0.75` and `n + 3`.
/// `None` when `n <= 0`, the counts are negative or add up to more than `n`, or the level is
/// outside (0, 1).
pub fn nps_interval(promoters: f64, detractors: f64, n: f64, level: f64) -> Option<(f64, f64)> {
    let counts_fit = promoters >= 0.0 && detractors >= 0.0 && promoters + detractors <= n;
    if !n.is_finite() || n <= 0.0 || !counts_fit {
        return None;
    }
    let z = z_for_confidence(level)?;
    let p = promoters / n;
    let d = detractors / n;
    let variance = ((p + d - (p - d).powi(2)) / n).max(0.0);
    let center = 100.0 * (p - d);
    let margin = z * variance.sqrt() * 100.0;
    Some(((center - margin).max(-100.0), (center + margin).min(100.0)))
}
