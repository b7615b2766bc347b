//! The cross-product state: weighted sums from which every correlation and mean is
//! recomputed in `finish`, so merging two states is adding them element by element.
//!
//! Variables are `[outcome, attribute_1, …, attribute_p]` (m = p + 1). Pairs (i ≤ j) are
//! packed row by row: pair (i, j) has index i·(2m − i + 1)/2 + (j − i), P = m(m+1)/2 pairs.
//!
//! - **Listwise** (complete rows only): `[Σw, Σw·x_i (m), Σw·x_i·x_j (P)]`, 1 + m + P sums.
//! - **Pairwise** (each pair over the rows where both are present, as R's
//!   `cor(use = "pairwise.complete.obs")`): per pair `[Σw, Σw·x_i, Σw·x_j, Σw·x_i², Σw·x_j²,
//!   Σw·x_i·x_j]` over those rows, 6P sums. The diagonal pair (i, i) gives variable i's own
//!   count and mean. Six sums per pair rather than shared marginals, because each pair's
//!   means and variances must come from the same rows as its cross-product.
//!
//! With integer ratings and integer weights (the usual survey data) every sum is an
//! integer below 2⁵³, so addition is exact and the merged state is bit-identical whatever
//! the split of the rows or the order of the merges.

/// How rows with a missing attribute rating are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// A row with any empty rating is rejected (`missing_rating`).
    #[default]
    Listwise,
    /// Each correlation uses the rows where both of its variables are present.
    Pairwise,
}

impl Missing {
    /// The name in results.
    pub fn name(self) -> &'static str {
        match self {
            Missing::Listwise => "listwise",
            Missing::Pairwise => "pairwise",
        }
    }
}

/// The layout of one cross-product block for m variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Variables: the outcome and the p attributes.
    pub m: usize,
    /// Missing-rating policy, which fixes the layout.
    pub missing: Missing,
}

impl Layout {
    /// Number of packed pairs (i ≤ j).
    pub fn pairs(&self) -> usize {
        self.m * (self.m + 1) / 2
    }

    /// Index of pair (i, j), i ≤ j.
    fn pair(&self, i: usize, j: usize) -> usize {
        i * (2 * self.m - i + 1) / 2 + (j - i)
    }

    /// Length of one block.
    pub fn block_len(&self) -> usize {
        match self.missing {
            Missing::Listwise => 1 + self.m + self.pairs(),
            Missing::Pairwise => 6 * self.pairs(),
        }
    }

    /// Adds one row (`x[i]` is variable i; `None` is missing: listwise callers pass
    /// complete rows only) with weight `w` to `block`.
    #[inline]
    pub fn add(&self, block: &mut [f64], x: &[Option<f64>], w: f64) {
        let m = self.m;
        match self.missing {
            Missing::Listwise => {
                block[0] += w;
                let (sums, products) = block[1..].split_at_mut(m);
                let mut k = 0;
                for i in 0..m {
                    let xi = x[i].unwrap_or(0.0);
                    sums[i] += w * xi;
                    let wxi = w * xi;
                    for xj in &x[i..] {
                        products[k] += wxi * xj.unwrap_or(0.0);
                        k += 1;
                    }
                }
            }
            Missing::Pairwise => {
                let mut k = 0;
                for i in 0..m {
                    for j in i..m {
                        if let (Some(xi), Some(xj)) = (x[i], x[j]) {
                            let s = &mut block[6 * k..6 * k + 6];
                            s[0] += w;
                            s[1] += w * xi;
                            s[2] += w * xj;
                            s[3] += w * xi * xi;
                            s[4] += w * xj * xj;
                            s[5] += w * xi * xj;
                        }
                        k += 1;
                    }
                }
            }
        }
    }

    /// The six sums of pair (i, j), i ≤ j: [n, Σx_i, Σx_j, Σx_i², Σx_j², Σx_i·x_j].
    fn sums(&self, block: &[f64], i: usize, j: usize) -> [f64; 6] {
        match self.missing {
            Missing::Listwise => {
                let products = &block[1 + self.m..];
                [
                    block[0],
                    block[1 + i],
                    block[1 + j],
                    products[self.pair(i, i)],
                    products[self.pair(j, j)],
                    products[self.pair(i, j)],
                ]
            }
            Missing::Pairwise => {
                let k = self.pair(i, j);
                let mut s = [0.0; 6];
                s.copy_from_slice(&block[6 * k..6 * k + 6]);
                s
            }
        }
    }

    /// Correlations, means and counts of one block.
    pub fn stats(&self, block: &[f64]) -> Stats {
        let m = self.m;
        let mut stats = Stats {
            m,
            r: vec![f64::NAN; m * m],
            mean: vec![f64::NAN; m],
            n: vec![0.0; m],
            n_pair: vec![0.0; m * m],
        };
        for i in 0..m {
            for j in i..m {
                let [n, si, sj, sii, sjj, sij] = self.sums(block, i, j);
                stats.n_pair[i * m + j] = n;
                stats.n_pair[j * m + i] = n;
                if i == j {
                    stats.n[i] = n;
                    if n > 0.0 {
                        stats.mean[i] = si / n;
                    }
                }
                // n² times the covariances, centred in one step.
                let cxx = n * sii - si * si;
                let cyy = n * sjj - sj * sj;
                let cxy = n * sij - si * sj;
                // A constant variable: what is left is rounding of n·Σx² against (Σx)².
                let flat = |c: f64, ss: f64| c <= 1e-12 * n * ss.abs();
                let r = if n <= 1.0 || flat(cxx, sii) || flat(cyy, sjj) {
                    f64::NAN
                } else if i == j {
                    1.0
                } else {
                    (cxy / (cxx.sqrt() * cyy.sqrt())).clamp(-1.0, 1.0)
                };
                stats.r[i * m + j] = r;
                stats.r[j * m + i] = r;
            }
        }
        stats
    }
}

/// What `finish` needs from one block: correlations (NaN where undefined), means and
/// counts, for variables `[outcome, attributes…]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Variables.
    pub m: usize,
    /// Correlation matrix, m × m row-major.
    pub r: Vec<f64>,
    /// Weighted mean of each variable over the rows where it is present (NaN if none).
    pub mean: Vec<f64>,
    /// Weighted rows where each variable is present.
    pub n: Vec<f64>,
    /// Weighted rows where both variables of a pair are present, m × m.
    pub n_pair: Vec<f64>,
}

impl Stats {
    /// R_xx, the attributes' correlation matrix (p × p row-major).
    pub fn rxx(&self) -> Vec<f64> {
        let m = self.m;
        (1..m)
            .flat_map(|i| (1..m).map(move |j| (i, j)))
            .map(|(i, j)| self.r[i * m + j])
            .collect()
    }

    /// r_xy, each attribute's correlation with the outcome.
    pub fn rxy(&self) -> Vec<f64> {
        self.r[1..self.m].to_vec()
    }

    /// The attributes' means.
    pub fn attribute_means(&self) -> Vec<f64> {
        self.mean[1..].to_vec()
    }

    /// Smallest count of any pair (the smallest n behind a correlation).
    pub fn min_pair_n(&self) -> f64 {
        self.n_pair.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(Vec<Option<f64>>, f64)> {
        vec![
            (vec![Some(9.0), Some(4.0), Some(5.0)], 1.0),
            (vec![Some(6.0), Some(2.0), None], 2.0),
            (vec![Some(10.0), Some(5.0), Some(4.0)], 1.0),
            (vec![Some(3.0), None, Some(1.0)], 1.0),
            (vec![Some(7.0), Some(3.0), Some(3.0)], 3.0),
            (vec![Some(8.0), Some(4.0), Some(2.0)], 1.0),
        ]
    }

    #[test]
    fn merging_split_data_equals_all_data_exactly() {
        for missing in [Missing::Listwise, Missing::Pairwise] {
            let l = Layout { m: 3, missing };
            let usable =
                |x: &[Option<f64>]| missing == Missing::Pairwise || x.iter().all(Option::is_some);
            let mut all = vec![0.0; l.block_len()];
            for (x, w) in rows() {
                if usable(&x) {
                    l.add(&mut all, &x, w);
                }
            }
            for cut in 0..=rows().len() {
                let (mut a, mut b) = (vec![0.0; l.block_len()], vec![0.0; l.block_len()]);
                for (k, (x, w)) in rows().into_iter().enumerate() {
                    if usable(&x) {
                        l.add(if k < cut { &mut a } else { &mut b }, &x, w);
                    }
                }
                // Merge in both orders.
                let ab: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
                let ba: Vec<f64> = b.iter().zip(&a).map(|(x, y)| x + y).collect();
                assert_eq!(ab, all, "{missing:?} cut {cut}");
                assert_eq!(ba, all, "{missing:?} cut {cut}");
            }
        }
    }

    #[test]
    fn weights_are_multiplicities() {
        // A row of weight 3 is the same as three rows of weight 1.
        for missing in [Missing::Listwise, Missing::Pairwise] {
            let l = Layout { m: 3, missing };
            let x = [Some(7.0), Some(3.0), Some(3.0)];
            let (mut once, mut thrice) = (vec![0.0; l.block_len()], vec![0.0; l.block_len()]);
            l.add(&mut once, &x, 3.0);
            for _ in 0..3 {
                l.add(&mut thrice, &x, 1.0);
            }
            assert_eq!(once, thrice);
        }
    }

    #[test]
    fn listwise_stats_are_the_textbook_correlations() {
        let l = Layout {
            m: 2,
            missing: Missing::Listwise,
        };
        let mut s = vec![0.0; l.block_len()];
        // x = 1, 2, 3; y = 2, 4, 7: r = 6.5/√(2·12.6667) = 0.9933992677987828.
        for (x, y) in [(1.0, 2.0), (2.0, 4.0), (3.0, 7.0)] {
            l.add(&mut s, &[Some(x), Some(y)], 1.0);
        }
        let st = l.stats(&s);
        assert!((st.r[1] - 5.0 / (2.0f64 * 12.666_666_666_666_666).sqrt()).abs() < 1e-15);
        assert_eq!(st.mean, vec![2.0, 13.0 / 3.0]);
        assert_eq!(st.r[0], 1.0);
    }

    #[test]
    fn pairwise_uses_the_rows_of_each_pair() {
        let l = Layout {
            m: 3,
            missing: Missing::Pairwise,
        };
        let mut s = vec![0.0; l.block_len()];
        for (x, w) in rows() {
            l.add(&mut s, &x, w);
        }
        let st = l.stats(&s);
        // Attribute 1 is present in 5 rows of total weight 8, attribute 2 in 5 of weight 7,
        // both in 4 of weight 6.
        assert_eq!(st.n, vec![9.0, 8.0, 7.0]);
        assert_eq!(st.n_pair[3 + 2] /* (1, 2) */, 6.0);
        assert_eq!(st.min_pair_n(), 6.0);
        assert_eq!(st.mean[1], (4.0 + 4.0 + 5.0 + 9.0 + 4.0) / 8.0);
        // A constant variable has no correlation.
        let mut c = vec![0.0; l.block_len()];
        for y in [1.0, 2.0, 4.0] {
            l.add(&mut c, &[Some(y), Some(0.1), Some(y)], 1.0);
        }
        assert!(l.stats(&c).r[1].is_nan());
        assert!((l.stats(&c).r[2] - 1.0).abs() < 1e-15);
    }
}
