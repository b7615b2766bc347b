//! Log-bucket quantization of continuous inputs, so that durations or revenue compress into
//! few groups while percentiles keep a stated relative error (the DDSketch mapping: Masson,
//! Rim and Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with Relative-Error
//! Guarantees", VLDB 2019).
//!
//! With relative error α, γ = (1 + α) / (1 − α). A non-zero value x falls in bucket
//! i = ⌈ln|x| / ln γ⌉, the interval (γ^(i−1), γ^i] of |x|, and is replaced by the bucket
//! representative sign(x) · 2γ^i / (γ + 1), whose relative distance to every value of the
//! bucket is at most α. Zero stays zero. [`representative`] computes in Rust what
//! [`sql`] computes in SQL, with the same constants.

use crate::dialect::Dialect;
use crate::shape::{Quantize, Real};
use crate::Error;

/// A [`Quantize`] for relative error `alpha`; fails unless `0 < alpha < 1`.
pub fn checked(alpha: f64) -> Result<Quantize, Error> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(Quantize {
            relative_error: Real::new(alpha)?,
        })
    } else {
        Err(Error::InvalidRelativeError { value: alpha })
    }
}

/// γ = (1 + α) / (1 − α).
pub fn gamma(q: Quantize) -> f64 {
    let a = q.relative_error.get();
    (1.0 + a) / (1.0 - a)
}

/// The two constants the SQL uses: ln γ, and 2 / (γ + 1).
fn constants(q: Quantize) -> (f64, f64) {
    let g = gamma(q);
    (g.ln(), 2.0 / (g + 1.0))
}

/// The bucket index ⌈ln|x| / ln γ⌉ of a non-zero finite `x`; `None` for zero or non-finite.
pub fn bucket(q: Quantize, x: f64) -> Option<i64> {
    if x == 0.0 || !x.is_finite() {
        return None;
    }
    let (ln_gamma, _) = constants(q);
    // The index of any finite f64 fits easily: |ln x| < 745.
    Some((x.abs().ln() / ln_gamma).ceil() as i64)
}

/// The representative of `x`'s bucket: sign(x) · exp(i · ln γ) · 2/(γ + 1); 0 for 0.
pub fn representative(q: Quantize, x: f64) -> f64 {
    match bucket(q, x) {
        None => x,
        Some(i) => {
            let (ln_gamma, scale) = constants(q);
            x.signum() * (i as f64 * ln_gamma).exp() * scale
        }
    }
}

/// A float literal that reads back to the same `f64` (Rust's shortest round-trip form).
pub(crate) fn float_literal(d: &dyn Dialect, x: f64) -> String {
    let text = format!("{x:?}");
    format!("CAST({text} AS {})", d.double_type())
}

/// SQL for the representative of the numeric expression `v` (a column reference): NULL stays
/// NULL, 0 stays 0.
pub(crate) fn sql(d: &dyn Dialect, q: Quantize, v: &str) -> String {
    let (ln_gamma, scale) = constants(q);
    let lg = float_literal(d, ln_gamma);
    format!(
        "CASE WHEN {v} = 0 THEN {zero} ELSE SIGN({v}) * EXP(CEIL({ln} / {lg}) * {lg}) * {scale} END",
        zero = float_literal(d, 0.0),
        ln = d.ln(&format!("ABS({v})")),
        scale = float_literal(d, scale),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(a: f64) -> Quantize {
        checked(a).expect("valid alpha")
    }

    #[test]
    fn buckets_and_representatives_at_one_percent() {
        let q = q(0.01);
        // γ = 1.01 / 0.99; ln γ = 0.0200006667066694...
        assert!((gamma(q) - 1.020_202_020_202_02).abs() < 1e-15);
        // ln(100) / ln γ = 230.25...; ceil = 231.
        assert_eq!(bucket(q, 100.0), Some(231));
        assert_eq!(bucket(q, -100.0), Some(231));
        assert_eq!(bucket(q, 1.0), Some(0));
        // Just above 1: bucket 1 = (1, γ], representative 2γ/(γ+1) = 1 + α.
        assert_eq!(bucket(q, 1.000_1), Some(1));
        assert!((representative(q, 1.000_1) - 1.01).abs() < 1e-12);
        // Bucket 0 = (1/γ, 1]: representative 2/(γ+1) = 1 − α.
        assert!((representative(q, 1.0) - 0.99).abs() < 1e-12);
        assert_eq!(representative(q, 0.0), 0.0);
        assert!((representative(q, -1.0) + 0.99).abs() < 1e-12);
        // 100 → 2γ^231/(γ+1) = 100.4946... (0.49 % away, within 1 %); 100.5 shares it.
        let r = representative(q, 100.0);
        assert!((r - 100.494_567_708_565).abs() < 1e-9, "{r}");
        assert_eq!(representative(q, 100.5), r);
        // -350 → bucket 293, −347.2847...
        assert_eq!(bucket(q, -350.0), Some(293));
        assert!((representative(q, -350.0) + 347.284_736_309_625).abs() < 1e-9);
        assert_eq!(bucket(q, 0.0), None);
    }

    #[test]
    fn relative_error_is_bounded() {
        for alpha in [0.001, 0.01, 0.05, 0.2] {
            let q = q(alpha);
            let mut x = 1e-6;
            while x < 1e9 {
                let r = representative(q, x);
                assert!((r - x).abs() <= alpha * x * (1.0 + 1e-9), "{alpha} {x} {r}");
                x *= 1.013_7;
            }
        }
    }

    #[test]
    fn equal_values_share_a_bucket_and_few_buckets_cover_a_range() {
        let q = q(0.01);
        assert_eq!(representative(q, 3600.0), representative(q, 3600.0));
        // Durations from 1 s to 30 days (2,592,000 s): 739 buckets after bucket 0.
        let lo = bucket(q, 1.0).expect("bucket");
        let hi = bucket(q, 2_592_000.0).expect("bucket");
        assert_eq!(hi - lo, 739);
    }

    #[test]
    fn invalid_relative_errors() {
        for a in [0.0, 1.0, -0.1, f64::NAN] {
            assert!(checked(a).is_err(), "{a}");
        }
    }
}
