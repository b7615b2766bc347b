//! The eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method
//! (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5.2–8.5.3).
//!
//! Why our own and not a crate: the matrices here are correlation matrices of a handful of
//! attributes (p ≤ ~50), for which Jacobi is accurate to a few ulps of the largest
//! eigenvalue (and often better for small ones), needs about 6–10 sweeps, and is some 80
//! lines with no dependency; `nalgebra` would add a large build to a plugin that needs one
//! function. Each rotation zeroes one off-diagonal element, choosing the smaller rotation
//! angle so the process converges (quadratically once the matrix is nearly diagonal).

/// The eigen-decomposition A = Q · diag(values) · Qᵀ of a symmetric matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Eigen {
    /// The order p of the matrix.
    pub p: usize,
    /// Eigenvalues, ascending.
    pub values: Vec<f64>,
    /// Eigenvectors as the columns of Q, row-major: Q[i][k] = `vectors[i * p + k]` is
    /// component i of the eigenvector of `values[k]`.
    pub vectors: Vec<f64>,
}

/// Sweeps after which the method gives up (it converges in about 10 for p ≤ 50).
const MAX_SWEEPS: usize = 100;

/// Decomposes the symmetric p × p matrix `a` (row-major; only symmetry is assumed, not
/// definiteness). `None` when `a` is not p × p, holds a non-finite number, or (never seen
/// in practice) the sweeps do not converge.
pub fn symmetric_eigen(a: &[f64], p: usize) -> Option<Eigen> {
    if a.len() != p * p || a.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mut a = a.to_vec();
    let mut v = vec![0.0; p * p];
    for i in 0..p {
        v[i * p + i] = 1.0;
    }
    let norm2: f64 = a.iter().map(|x| x * x).sum();
    let mut converged = false;
    for _ in 0..MAX_SWEEPS {
        let off2: f64 = (0..p)
            .flat_map(|i| (0..p).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * p + j] * a[i * p + j])
            .sum();
        if off2 <= f64::EPSILON * f64::EPSILON * norm2 * 1e-2 {
            converged = true;
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                rotate(&mut a, &mut v, p, i, j);
            }
        }
    }
    if !converged {
        return None;
    }
    let mut order: Vec<usize> = (0..p).collect();
    order.sort_by(|&x, &y| a[x * p + x].total_cmp(&a[y * p + y]));
    let values = order.iter().map(|&k| a[k * p + k]).collect();
    let mut vectors = vec![0.0; p * p];
    for (new, &old) in order.iter().enumerate() {
        for i in 0..p {
            vectors[i * p + new] = v[i * p + old];
        }
    }
    Some(Eigen { p, values, vectors })
}

/// One Jacobi rotation J in the (i, j) plane with A ← JᵀAJ, V ← VJ, choosing
/// t = tan φ as the smaller root of t² + 2θt − 1 = 0, θ = (a_jj − a_ii) / (2 a_ij), which
/// makes the new a_ij zero (Golub & Van Loan, Algorithm 8.5.1).
fn rotate(a: &mut [f64], v: &mut [f64], p: usize, i: usize, j: usize) {
    let aij = a[i * p + j];
    let (aii, ajj) = (a[i * p + i].abs(), a[j * p + j].abs());
    // Negligible beside both diagonal entries (Numerical Recipes' test): set it to zero, so
    // a converged matrix ends with exact zeros rather than rounding residue.
    let g = 100.0 * aij.abs();
    if aij == 0.0 || (aii + g == aii && ajj + g == ajj) {
        a[i * p + j] = 0.0;
        a[j * p + i] = 0.0;
        return;
    }
    let theta = (a[j * p + j] - a[i * p + i]) / (2.0 * aij);
    let t = if theta.abs() > 1e150 {
        // θ² would overflow; the root is 1/(2θ) to within rounding.
        0.5 / theta
    } else {
        let sign = if theta >= 0.0 { 1.0 } else { -1.0 };
        sign / (theta.abs() + (theta * theta + 1.0).sqrt())
    };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..p {
        let (aki, akj) = (a[k * p + i], a[k * p + j]);
        a[k * p + i] = c * aki - s * akj;
        a[k * p + j] = s * aki + c * akj;
    }
    for k in 0..p {
        let (aik, ajk) = (a[i * p + k], a[j * p + k]);
        a[i * p + k] = c * aik - s * ajk;
        a[j * p + k] = s * aik + c * ajk;
    }
    // Exactly zero by construction; set it so rounding leaves no residue.
    a[i * p + j] = 0.0;
    a[j * p + i] = 0.0;
    for k in 0..p {
        let (vki, vkj) = (v[k * p + i], v[k * p + j]);
        v[k * p + i] = c * vki - s * vkj;
        v[k * p + j] = s * vki + c * vkj;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Q · diag(values) · Qᵀ.
    fn rebuild(e: &Eigen) -> Vec<f64> {
        let p = e.p;
        let mut out = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                out[i * p + j] = (0..p)
                    .map(|k| e.vectors[i * p + k] * e.values[k] * e.vectors[j * p + k])
                    .sum();
            }
        }
        out
    }

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn two_by_two_correlation_has_eigenvalues_one_plus_and_minus_r() {
        let e = symmetric_eigen(&[1.0, 0.5, 0.5, 1.0], 2).unwrap();
        close(&e.values, &[0.5, 1.5], 1e-15);
        // Eigenvectors (1, -1)/√2 and (1, 1)/√2, up to sign.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((e.vectors[0].abs() - h).abs() < 1e-15);
        assert!((e.vectors[0] + e.vectors[2]).abs() < 1e-15);
        assert!((e.vectors[1] - e.vectors[3]).abs() < 1e-15);
    }

    #[test]
    fn known_three_by_three_spectrum() {
        // The tridiagonal [2 -1 0; -1 2 -1; 0 -1 2] has eigenvalues 2 - √2, 2, 2 + √2.
        let a = [2.0, -1.0, 0.0, -1.0, 2.0, -1.0, 0.0, -1.0, 2.0];
        let e = symmetric_eigen(&a, 3).unwrap();
        let r2 = std::f64::consts::SQRT_2;
        close(&e.values, &[2.0 - r2, 2.0, 2.0 + r2], 1e-14);
        close(&rebuild(&e), &a, 1e-14);
    }

    #[test]
    fn reconstructs_and_is_orthonormal_on_a_larger_matrix() {
        // A deterministic 12 × 12 symmetric matrix with a wide spread of entries.
        let p = 12;
        let mut a = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..=i {
                let x = ((i * 7 + j * 13) % 17) as f64 / 4.0 - 2.0 + if i == j { 5.0 } else { 0.0 };
                a[i * p + j] = x;
                a[j * p + i] = x;
            }
        }
        let e = symmetric_eigen(&a, p).unwrap();
        close(&rebuild(&e), &a, 1e-12);
        for k in 0..p {
            for l in 0..p {
                let dot: f64 = (0..p)
                    .map(|i| e.vectors[i * p + k] * e.vectors[i * p + l])
                    .sum();
                let want = if k == l { 1.0 } else { 0.0 };
                assert!(
                    (dot - want).abs() < 1e-13,
                    "Q is not orthonormal at ({k}, {l})"
                );
            }
        }
        // Trace is preserved.
        let trace: f64 = (0..p).map(|i| a[i * p + i]).sum();
        assert!((e.values.iter().sum::<f64>() - trace).abs() < 1e-12);
        assert!(e.values.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn diagonal_singular_and_bad_inputs() {
        let e = symmetric_eigen(&[3.0, 0.0, 0.0, 1.0], 2).unwrap();
        assert_eq!(e.values, vec![1.0, 3.0]);
        // A rank-one correlation matrix (perfectly collinear pair): eigenvalues 0 and 2.
        let e = symmetric_eigen(&[1.0, 1.0, 1.0, 1.0], 2).unwrap();
        close(&e.values, &[0.0, 2.0], 1e-15);
        assert!(symmetric_eigen(&[1.0, f64::NAN, f64::NAN, 1.0], 2).is_none());
        assert!(symmetric_eigen(&[1.0, 0.0, 0.0], 2).is_none());
        assert_eq!(symmetric_eigen(&[], 0).unwrap().values, Vec::<f64>::new());
    }
}
