//! Multiple-testing adjustment of p-values: Holm's step-down (family-wise error rate) and
//! Benjamini–Hochberg's step-up (false discovery rate).
//!
//! Both return adjusted p-values in the input order, so "significant at α" is
//! `adjusted <= α` for each test. Inputs are assumed NaN-free; ties keep their input order.

/// Indices of `p` sorted by ascending p-value (stable for ties).
fn ascending_order(p: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    order
}

/// Holm–Bonferroni adjusted p-values.
///
/// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
/// adj₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎) — step-down, monotone, capped at 1.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut adjusted = vec![0.0; m];
    let mut running_max: f64 = 0.0;
    for (rank, &i) in ascending_order(p).iter().enumerate() {
        let scaled = (m - rank) as f64 * p[i];
        running_max = running_max.max(scaled).min(1.0);
        adjusted[i] = running_max;
    }
    adjusted
}

/// Benjamini–Hochberg adjusted p-values ("q-values").
///
/// With the m p-values sorted ascending: adj₍ᵢ₎ = min(1, min_{j ≥ i} m·p₍ⱼ₎ / j) — step-up,
/// monotone, capped at 1.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut adjusted = vec![0.0; m];
    let mut running_min: f64 = 1.0;
    for (rank, &i) in ascending_order(p).iter().enumerate().rev() {
        let scaled = m as f64 * p[i] / (rank + 1) as f64;
        running_min = running_min.min(scaled);
        adjusted[i] = running_min;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close_all(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len());
        for (a, e) in actual.iter().zip(expected) {
            assert!(
                (a - e).abs() <= 1e-15,
                "expected {expected:?}, got {actual:?}"
            );
        }
    }

    #[test]
    fn holm_on_four_p_values() {
        // p = [0.01, 0.04, 0.03, 0.005], m = 4. Sorted: 0.005 (#4), 0.01 (#1), 0.03 (#3),
        // 0.04 (#2); multiplied by 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04; running max:
        // 0.02, 0.03, 0.06, 0.06. In input order: [0.03, 0.06, 0.06, 0.02].
        close_all(&holm(&[0.01, 0.04, 0.03, 0.005]), &[0.03, 0.06, 0.06, 0.02]);
    }

    #[test]
    fn benjamini_hochberg_on_four_p_values() {
        // Sorted as above; m·p/rank: 4·0.005/1 = 0.02, 4·0.01/2 = 0.02, 4·0.03/3 = 0.04,
        // 4·0.04/4 = 0.04; running min from the top: 0.02, 0.02, 0.04, 0.04.
        // In input order: [0.02, 0.04, 0.04, 0.02].
        close_all(
            &benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]),
            &[0.02, 0.04, 0.04, 0.02],
        );
    }

    #[test]
    fn adjustments_are_capped_monotone_and_handle_edge_cases() {
        // Holm [0.4, 0.5, 0.6]: 3·0.4 = 1.2 → 1, then max keeps 1.
        close_all(&holm(&[0.4, 0.5, 0.6]), &[1.0, 1.0, 1.0]);
        // BH [0.04, 0.9, 0.03]: sorted 0.03, 0.04, 0.9 → 3·0.03/1 = 0.09, 3·0.04/2 = 0.06,
        // 3·0.9/3 = 0.9; running min from the top: 0.06, 0.06, 0.9.
        close_all(&benjamini_hochberg(&[0.04, 0.9, 0.03]), &[0.06, 0.9, 0.06]);
        // BH caps at 1: [0.8, 0.9] → 2·0.8 = 1.6 vs 0.9 → both 0.9.
        close_all(&benjamini_hochberg(&[0.8, 0.9]), &[0.9, 0.9]);
        close_all(&benjamini_hochberg(&[1.0, 1.0]), &[1.0, 1.0]);
        assert!(holm(&[]).is_empty());
        assert!(benjamini_hochberg(&[]).is_empty());
        close_all(&holm(&[0.2]), &[0.2]);
        close_all(&benjamini_hochberg(&[0.2]), &[0.2]);
        // Ties: [0.01, 0.01] → Holm 2·0.01 = 0.02 for both; BH 2·0.01/2 = 0.01 for both.
        close_all(&holm(&[0.01, 0.01]), &[0.02, 0.02]);
        close_all(&benjamini_hochberg(&[0.01, 0.01]), &[0.01, 0.01]);
    }
}
