//! Weighted quantiles over a mergeable sample.
//!
//! Definition: Hyndman & Fan (1996), "Sample quantiles in statistical packages", definition
//! 2 (inverse of the empirical distribution function, averaging at discontinuities),
//! generalised to weights: with values sorted and cumulative weight C_i, the p-quantile is
//! the smallest x_i with C_i ≥ p·W; when C_i equals p·W exactly, it is the mean of x_i and
//! the next value. With integer weights this equals definition 2 on the expanded rows, so
//! pre-aggregated input gives the same quantiles as raw rows, and the median of an even
//! number of values is the mean of the two middle ones.
//!
//! A [`WeightedSample`] keeps every value: 16 bytes each. [`crate::Quantiles`] keeps one
//! only while a group is small and estimates the same definition from a
//! [`crate::QuantileSketch`] beyond that.

/// Values with weights; merging concatenates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WeightedSample {
    values: Vec<(f64, f64)>,
}

impl WeightedSample {
    /// Adds a value with its weight; zero, negative and non-finite weights or values are
    /// ignored (callers reject such rows before).
    pub fn add(&mut self, x: f64, w: f64) {
        if x.is_finite() && w.is_finite() && w > 0.0 {
            self.values.push((x, w));
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &WeightedSample) {
        self.values.extend_from_slice(&other.values);
    }

    /// Total weight.
    pub fn total_weight(&self) -> f64 {
        self.values.iter().map(|(_, w)| w).sum()
    }

    /// The stored (value, weight) pairs, in the order they were added.
    pub fn values(&self) -> &[(f64, f64)] {
        &self.values
    }

    /// Number of pairs the sample has room for without reallocating.
    pub fn capacity(&self) -> usize {
        self.values.capacity()
    }

    /// Number of stored values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The quantiles at each `p` in [0, 1] (one sort for all); `None` when empty or p is
    /// outside [0, 1].
    pub fn quantiles(&self, ps: &[f64]) -> Vec<Option<f64>> {
        let mut sorted = self.values.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total = sorted.iter().map(|(_, w)| w).sum::<f64>();
        ps.iter()
            .map(|&p| quantile_sorted(&sorted, total, p))
            .collect()
    }
}

/// The p-quantile of values sorted ascending, with their total weight.
pub fn quantile_sorted(sorted: &[(f64, f64)], total: f64, p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) || total <= 0.0 {
        return None;
    }
    if p == 0.0 {
        return Some(sorted[0].0);
    }
    let target = p * total;
    let tolerance = 1e-12 * total;
    let mut cumulative = 0.0;
    for (i, &(x, w)) in sorted.iter().enumerate() {
        cumulative += w;
        if cumulative >= target - tolerance {
            if (cumulative - target).abs() <= tolerance {
                if let Some(&(next, _)) = sorted.get(i + 1) {
                    return Some((x + next) / 2.0);
                }
            }
            return Some(x);
        }
    }
    sorted.last().map(|(x, _)| *x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(values: &[(f64, f64)]) -> WeightedSample {
        let mut s = WeightedSample::default();
        for &(x, w) in values {
            s.add(x, w);
        }
        s
    }

    #[test]
    fn unweighted_definition_2() {
        // n = 4, p = 0.5: n·p = 2 is whole, so the mean of x(2) and x(3) = (2 + 3) / 2.
        let s = sample(&[(4.0, 1.0), (1.0, 1.0), (3.0, 1.0), (2.0, 1.0)]);
        assert_eq!(s.quantiles(&[0.5]), vec![Some(2.5)]);
        // n = 10 values 1..10: p = 0.9 → n·p = 9 whole → (9 + 10) / 2 = 9.5;
        // p = 0.95 → n·p = 9.5 → x(10) = 10; p = 0.25 → 2.5 → x(3) = 3.
        let s = sample(&(1..=10).map(|x| (x as f64, 1.0)).collect::<Vec<_>>());
        assert_eq!(
            s.quantiles(&[0.9, 0.95, 0.25, 0.0, 1.0]),
            vec![Some(9.5), Some(10.0), Some(3.0), Some(1.0), Some(10.0)]
        );
    }

    #[test]
    fn integer_weights_equal_expanded_rows() {
        let weighted = sample(&[(1.0, 2.0), (5.0, 1.0), (7.0, 3.0)]);
        let expanded = sample(&[
            (1.0, 1.0),
            (1.0, 1.0),
            (5.0, 1.0),
            (7.0, 1.0),
            (7.0, 1.0),
            (7.0, 1.0),
        ]);
        let ps = [0.1, 0.25, 1.0 / 3.0, 0.5, 0.9, 0.95];
        assert_eq!(weighted.quantiles(&ps), expanded.quantiles(&ps));
        // W = 6, p = 0.5 → target 3 = C(5.0) exactly → mean of 5 and 7 = 6.
        assert_eq!(weighted.quantiles(&[0.5]), vec![Some(6.0)]);
    }

    #[test]
    fn merge_concatenates_and_empty_has_no_quantile() {
        let mut a = sample(&[(1.0, 1.0)]);
        a.merge(&sample(&[(3.0, 1.0)]));
        assert_eq!(a.quantiles(&[0.5]), vec![Some(2.0)]);
        assert_eq!(WeightedSample::default().quantiles(&[0.5]), vec![None]);
        assert_eq!(a.quantiles(&[1.5]), vec![None]);
        let mut z = WeightedSample::default();
        z.add(1.0, 0.0);
        assert!(z.is_empty());
    }
}
