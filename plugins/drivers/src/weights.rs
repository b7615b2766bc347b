//! Johnson's relative weights and the importance × performance quadrant.
//!
//! Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
//! predictor variables in multiple regression. *Multivariate Behavioral Research* 35(1),
//! 1–19; in correlation form as in Tonidandel & LeBreton (2011), *Journal of Business and
//! Psychology* 26(1), 1–9. With R_xx the attributes' correlation matrix and r_xy their
//! correlations with the outcome:
//!
//! 1. R_xx = QΛQᵀ (eigen-decomposition); Λ^{1/2} := Q diag(√λ) Qᵀ is the symmetric square
//!    root, i.e. the correlations between the attributes and their closest orthogonal
//!    counterparts Z.
//! 2. β = Λ^{-1/2} r_xy: the standardized regression of the outcome on Z (Z is orthonormal,
//!    so these are also Z's correlations with the outcome).
//! 3. raw_j = Σ_k (Λ^{1/2})_jk² · β_k²: attribute j's share of each Z_k's contribution.
//!
//! Since Σ_j (Λ^{1/2})_jk² = (R_xx)_kk = 1, Σ_j raw_j = Σ_k β_k² = r_xyᵀ R_xx⁻¹ r_xy = R².

use crate::eigen::symmetric_eigen;

/// Eigenvalues below this (relative to p, the trace of a correlation matrix) make R_xx
/// singular for our purpose: an attribute is (nearly) a linear combination of the others.
const SINGULAR: f64 = 1e-10;

/// Why relative weights are undefined for a correlation matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undefined {
    /// Fewer than two weighted rows, or an attribute (or the outcome) without variance.
    NoVariance,
    /// R_xx is singular: an attribute is a linear combination of the others.
    Collinear,
    /// R_xx has a negative eigenvalue (possible with pairwise deletion only).
    NotPositiveDefinite,
}

impl Undefined {
    /// The warning a result carries.
    pub fn warning(self) -> &'static str {
        match self {
            Undefined::NoVariance => "no_variance",
            Undefined::Collinear => "collinear_attributes",
            Undefined::NotPositiveDefinite => "not_positive_definite",
        }
    }
}

/// Relative weights of p attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// R² of the outcome on all attributes (= Σ raw).
    pub r2: f64,
    /// Raw relative weight of each attribute, in attribute order.
    pub raw: Vec<f64>,
}

impl Weights {
    /// Each weight as a percentage of R² (`None` when R² is 0).
    pub fn rescaled(&self) -> Vec<Option<f64>> {
        self.raw
            .iter()
            .map(|w| (self.r2 > 0.0).then(|| 100.0 * w / self.r2))
            .collect()
    }
}

/// Johnson's relative weights from R_xx (p × p, row-major) and r_xy (p).
pub fn relative_weights(rxx: &[f64], rxy: &[f64]) -> Result<Weights, Undefined> {
    let p = rxy.len();
    if rxx.iter().chain(rxy).any(|x| !x.is_finite()) {
        return Err(Undefined::NoVariance);
    }
    let e = symmetric_eigen(rxx, p).ok_or(Undefined::NoVariance)?;
    let tol = SINGULAR * p as f64;
    if e.values.iter().any(|&l| l < -tol) {
        return Err(Undefined::NotPositiveDefinite);
    }
    if e.values.iter().any(|&l| l <= tol) {
        return Err(Undefined::Collinear);
    }
    let q = |i: usize, k: usize| e.vectors[i * p + k];
    // Λ^{1/2} and Λ^{-1/2}, both Q diag(f(λ)) Qᵀ.
    let mut half = vec![0.0; p * p];
    let mut inv_half = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            let (mut h, mut ih) = (0.0, 0.0);
            for (k, &l) in e.values.iter().enumerate() {
                let qq = q(i, k) * q(j, k);
                h += qq * l.sqrt();
                ih += qq / l.sqrt();
            }
            half[i * p + j] = h;
            inv_half[i * p + j] = ih;
        }
    }
    let beta: Vec<f64> = (0..p)
        .map(|k| (0..p).map(|j| inv_half[k * p + j] * rxy[j]).sum())
        .collect();
    let raw: Vec<f64> = (0..p)
        .map(|j| {
            (0..p)
                .map(|k| half[j * p + k] * half[j * p + k] * beta[k] * beta[k])
                .sum()
        })
        .collect();
    let r2 = beta.iter().map(|b| b * b).sum();
    Ok(Weights { r2, raw })
}

/// The cell of the importance × performance matrix (Martilla & James, "Importance-
/// performance analysis", *Journal of Marketing* 41(1), 1977, 77–79), with the names CX
/// practice uses for their four quadrants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quadrant {
    /// High importance, low performance: M&J's "concentrate here".
    Priority,
    /// High importance, high performance: "keep up the good work".
    Strength,
    /// Low importance, high performance: "possible overkill".
    Maintain,
    /// Low importance, low performance: "low priority".
    LowPriority,
}

impl Quadrant {
    /// The label in results.
    pub fn label(self) -> &'static str {
        match self {
            Quadrant::Priority => "priority",
            Quadrant::Strength => "strength",
            Quadrant::Maintain => "maintain",
            Quadrant::LowPriority => "low priority",
        }
    }

    /// The quadrant of each attribute, with data-centred crosshairs: importance is high at
    /// or above the mean raw weight (R²/p), performance at or above the mean of the
    /// attributes' means. The lines are returned too.
    pub fn classify(raw: &[f64], means: &[f64]) -> (Vec<Quadrant>, f64, f64) {
        let p = raw.len().max(1) as f64;
        let importance_line = raw.iter().sum::<f64>() / p;
        let performance_line = means.iter().sum::<f64>() / p;
        let cells = raw
            .iter()
            .zip(means)
            .map(
                |(&w, &m)| match (w >= importance_line, m >= performance_line) {
                    (true, false) => Quadrant::Priority,
                    (true, true) => Quadrant::Strength,
                    (false, true) => Quadrant::Maintain,
                    (false, false) => Quadrant::LowPriority,
                },
            )
            .collect();
        (cells, importance_line, performance_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two attributes have a closed form. With R_xx = [1 r; r 1] the eigenvalues are 1 ± r
    /// with eigenvectors (1, ±1)/√2, so
    ///   Λ^{1/2} = [a b; b a],  a = (√(1+r) + √(1−r))/2,  b = (√(1+r) − √(1−r))/2,
    /// with a² − b² = √(1−r²) (its determinant), a² = (1 + √(1−r²))/2, b² = (1 − √(1−r²))/2.
    /// Its inverse is [a −b; −b a]/√(1−r²), so
    ///   β₁ = (a r₁ − b r₂)/√(1−r²),  β₂ = (a r₂ − b r₁)/√(1−r²),
    ///   raw₁ = a²β₁² + b²β₂²,  raw₂ = b²β₁² + a²β₂²,
    /// and raw₁ + raw₂ = (a² + b²)(β₁² + β₂²) = β₁² + β₂² = (r₁² + r₂² − 2 r r₁ r₂)/(1 − r²),
    /// the textbook R² of two predictors.
    fn closed_form(r: f64, r1: f64, r2: f64) -> (f64, f64, f64) {
        let s = (1.0 - r * r).sqrt();
        let (a2, b2) = ((1.0 + s) / 2.0, (1.0 - s) / 2.0);
        // b has the sign of r.
        let a = ((1.0 + r).sqrt() + (1.0 - r).sqrt()) / 2.0;
        let b = ((1.0 + r).sqrt() - (1.0 - r).sqrt()) / 2.0;
        let beta1 = (a * r1 - b * r2) / s;
        let beta2 = (a * r2 - b * r1) / s;
        let raw1 = a2 * beta1 * beta1 + b2 * beta2 * beta2;
        let raw2 = b2 * beta1 * beta1 + a2 * beta2 * beta2;
        let rsq = (r1 * r1 + r2 * r2 - 2.0 * r * r1 * r2) / (1.0 - r * r);
        (raw1, raw2, rsq)
    }

    #[test]
    fn two_attributes_match_the_closed_form() {
        for &(r, r1, r2) in &[
            (0.5, 0.6, 0.4),
            (-0.3, 0.2, 0.7),
            (0.9, 0.5, 0.45),
            (0.0, 0.3, -0.4),
        ] {
            let w = relative_weights(&[1.0, r, r, 1.0], &[r1, r2]).unwrap();
            let (raw1, raw2, rsq) = closed_form(r, r1, r2);
            assert!((w.raw[0] - raw1).abs() < 1e-14, "{r} {r1} {r2}: {w:?}");
            assert!((w.raw[1] - raw2).abs() < 1e-14, "{r} {r1} {r2}: {w:?}");
            assert!((w.r2 - rsq).abs() < 1e-14);
            assert!((raw1 + raw2 - rsq).abs() < 1e-14);
        }
        // Worked by hand: r = 0.5, r₁ = 0.6, r₂ = 0.4: R² = (0.36 + 0.16 − 0.24)/0.75 = 0.373…
        let w = relative_weights(&[1.0, 0.5, 0.5, 1.0], &[0.6, 0.4]).unwrap();
        assert!((w.r2 - 0.28 / 0.75).abs() < 1e-15);
        // Uncorrelated attributes: each weight is its squared correlation.
        let w = relative_weights(&[1.0, 0.0, 0.0, 1.0], &[0.3, -0.4]).unwrap();
        assert!((w.raw[0] - 0.09).abs() < 1e-15 && (w.raw[1] - 0.16).abs() < 1e-15);
        let pct = w.rescaled();
        assert!((pct[0].unwrap() - 36.0).abs() < 1e-12 && (pct[1].unwrap() - 64.0).abs() < 1e-12);
    }

    #[test]
    fn one_attribute_gets_its_squared_correlation() {
        let w = relative_weights(&[1.0], &[0.7]).unwrap();
        assert!((w.raw[0] - 0.49).abs() < 1e-15 && (w.r2 - 0.49).abs() < 1e-15);
    }

    #[test]
    fn singular_and_indefinite_matrices_are_refused() {
        assert_eq!(
            relative_weights(&[1.0, 1.0, 1.0, 1.0], &[0.5, 0.5]),
            Err(Undefined::Collinear)
        );
        // Pairwise deletion can give correlations no data set has together.
        let bad = [1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0];
        assert_eq!(
            relative_weights(&bad, &[0.1, 0.2, 0.3]),
            Err(Undefined::NotPositiveDefinite)
        );
        assert_eq!(
            relative_weights(&[1.0, f64::NAN, f64::NAN, 1.0], &[0.1, 0.2]),
            Err(Undefined::NoVariance)
        );
    }

    #[test]
    fn quadrants_use_the_mean_importance_and_mean_performance() {
        let (q, imp, perf) = Quadrant::classify(&[0.30, 0.05, 0.20, 0.05], &[6.0, 8.5, 8.0, 6.5]);
        assert!((imp - 0.15).abs() < 1e-15 && (perf - 7.25).abs() < 1e-15);
        assert_eq!(
            q,
            [
                Quadrant::Priority,
                Quadrant::Maintain,
                Quadrant::Strength,
                Quadrant::LowPriority
            ]
        );
        assert_eq!(Quadrant::LowPriority.label(), "low priority");
    }
}
