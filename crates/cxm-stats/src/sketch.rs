//! A mergeable quantile sketch with a relative-error guarantee, after DDSketch: Masson, Rim
//! & Lee, "DDSketch: a fast and fully-mergeable quantile sketch with relative-error
//! guarantees", PVLDB 12(12), 2019 (VLDB 2019), with its logarithmic mapping and without
//! bucket collapsing.
//!
//! # Buckets
//! With relative accuracy α (default 0.01) and γ = (1 + α) / (1 − α), a positive value x
//! falls in bucket i = ⌈log_γ x⌉, i.e. γ^(i−1) < x ≤ γ^i, represented by
//! r_i = 2γ^i / (γ + 1). Every x in the bucket is within relative error α of r_i:
//! r_i / x ranges from 2/(γ + 1) = 1 − α (x = γ^i) to 2γ/(γ + 1) = 1 + α (x → γ^(i−1)).
//! Negative values go to a second store by |x| (mirrored: bucket i holds −γ^i ≤ x <
//! −γ^(i−1), represented by −r_i); exact zeros have a bucket of their own, represented by 0.
//! A bucket keeps the sum of its values' weights (f64), so a sketch of integer weights
//! equals the sketch of the expanded rows, and merging adds buckets: the sketch of a union
//! is the merge of the sketches, exactly (for integer weights; fractional weights are added
//! in merge order, so they may differ in the last bit).
//!
//! # Store
//! Each sign has a dense store: one `Vec<f64>` of bucket weights with the index of its first
//! element, always trimmed to [lowest, highest] non-empty bucket. Durations, amounts and
//! scores span a few decades, and at α = 1% a decade is 115 buckets, so a store is a few
//! hundred buckets (a few KB) whatever the number of values. Such buckets are mostly
//! occupied between the extremes, so a dense vector costs 8 bytes a bucket where a sparse
//! map costs 16 or more, is addressed without hashing, and keeps the buckets ordered for
//! the quantile walk. The worst case is bounded too: every finite f64, subnormals
//! included, maps to −37,220 ≤ i ≤ 35,488 at α = 1%, so a store never exceeds 72,709
//! buckets (568 KiB) even for data spanning the whole f64 range. DDSketch's collapsing of the
//! lowest buckets (which bounds the count further but loses the guarantee on low
//! quantiles) is therefore not needed and not done. Extending a store below its first
//! bucket moves the buckets (once per new lowest bucket); conversion from a sample and
//! merging allocate the union of the ranges once.
//!
//! # Quantiles
//! The same definition as [`crate::WeightedSample`] (Hyndman & Fan definition 2,
//! generalised to weights), applied to the buckets in ascending order of value: the
//! p-quantile is the representative of the smallest bucket whose cumulative weight reaches
//! p·W; when it equals p·W exactly (within 1e-12·W), the mean of that bucket's and the next
//! non-empty bucket's representatives. p = 0 and p = 1 give the exact minimum and maximum,
//! which the sketch keeps, and every estimate is clamped to [min, max].
//!
//! Error bound: the exact definition picks the value x_k where the cumulative weight first
//! reaches p·W. Every bucket before the one holding x_k ends below p·W, and that bucket ends
//! at or after it, so the sketch picks the bucket of x_k: its representative is within α of
//! x_k. At an exact tie the exact value is (x_k + x_(k+1)) / 2; if x_k is the last value of
//! its bucket, x_(k+1) is the first of the next non-empty bucket and the sketch averages
//! the two representatives, each within α of its value: the error is at most
//! α·(|x_k| + |x_(k+1)|) / 2, which is α·|exact| when both have the same sign (a tie between
//! a negative and a positive value is the one case where the bound is absolute, not
//! relative); if x_(k+1) is in the same bucket the sketch returns that bucket's
//! representative, within α of both. Clamping to [min, max], which contains the exact
//! value, never moves an estimate further from it. The bucket index is computed in floating
//! point (`ln x / ln γ`), so a value within ~1e-13 of a bucket boundary may land in the
//! neighbouring bucket: the bound is α up to that rounding. It holds for normal f64 values;
//! subnormal ones (|x| < 2.2e-308) carry fewer significant bits than the bound needs.

use crate::quantile::quantile_sorted;

/// The default relative accuracy α of a sketch: 1%.
pub const DEFAULT_RELATIVE_ACCURACY: f64 = 0.01;

/// Bucket weights of one sign: `weights[k]` is the weight of bucket `offset + k`.
#[derive(Clone, Debug, Default, PartialEq)]
struct Store {
    offset: i32,
    weights: Vec<f64>,
}

impl Store {
    /// Adds `w` to bucket `index`, extending the store as needed.
    fn add(&mut self, index: i32, w: f64) {
        self.cover(index, index);
        let k = (index - self.offset) as usize;
        if let Some(slot) = self.weights.get_mut(k) {
            *slot += w;
        }
    }

    /// Extends the store so it covers buckets `low..=high`.
    fn cover(&mut self, low: i32, high: i32) {
        if self.weights.is_empty() {
            self.offset = low;
            self.weights.resize((high - low) as usize + 1, 0.0);
            return;
        }
        if low < self.offset {
            let grow = (self.offset - low) as usize;
            self.weights.splice(0..0, std::iter::repeat_n(0.0, grow));
            self.offset = low;
        }
        let last = self.offset + self.weights.len() as i32 - 1;
        if high > last {
            self.weights.resize((high - self.offset) as usize + 1, 0.0);
        }
    }

    /// Adds every bucket of `other`.
    fn merge(&mut self, other: &Store) {
        if other.weights.is_empty() {
            return;
        }
        let other_last = other.offset + other.weights.len() as i32 - 1;
        self.cover(other.offset, other_last);
        let start = (other.offset - self.offset) as usize;
        for (slot, w) in self.weights[start..].iter_mut().zip(&other.weights) {
            *slot += w;
        }
    }

    /// The non-empty buckets as (index, weight), ascending by index.
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (i32, f64)> + '_ {
        self.weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0.0)
            .map(|(k, w)| (self.offset + k as i32, *w))
    }

    /// Number of buckets held (empty ones between the extremes included).
    fn len(&self) -> usize {
        self.weights.len()
    }
}

/// A DDSketch-style quantile sketch: log-spaced buckets with weights, exact zeros, exact
/// minimum and maximum. See the module documentation for the definition and error bound.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantileSketch {
    relative_accuracy: f64,
    /// ln γ.
    ln_gamma: f64,
    /// ln(2 / (γ + 1)): the representative of bucket i is exp(i·ln γ + this).
    ln_factor: f64,
    positive: Store,
    negative: Store,
    zero: f64,
    min: f64,
    max: f64,
}

impl Default for QuantileSketch {
    /// An empty sketch with the default relative accuracy of 1%.
    fn default() -> Self {
        Self::with_accuracy(DEFAULT_RELATIVE_ACCURACY)
    }
}

/// The smallest relative accuracy [`QuantileSketch::new`] accepts: at 1e-4 every finite f64
/// maps to |i| ≤ 3.8 million, so a store stays addressable by i32 and bounded.
pub const MIN_RELATIVE_ACCURACY: f64 = 1e-4;
/// The largest relative accuracy [`QuantileSketch::new`] accepts.
pub const MAX_RELATIVE_ACCURACY: f64 = 0.5;

impl QuantileSketch {
    /// An empty sketch with relative accuracy `alpha`, between [`MIN_RELATIVE_ACCURACY`]
    /// and [`MAX_RELATIVE_ACCURACY`].
    pub fn new(alpha: f64) -> Result<Self, String> {
        if !(MIN_RELATIVE_ACCURACY..=MAX_RELATIVE_ACCURACY).contains(&alpha) {
            return Err(format!(
                "relative accuracy {alpha} must be between {MIN_RELATIVE_ACCURACY} and \
                 {MAX_RELATIVE_ACCURACY}"
            ));
        }
        Ok(Self::with_accuracy(alpha))
    }

    /// An empty sketch; `alpha` was checked by the caller.
    fn with_accuracy(alpha: f64) -> Self {
        let gamma = (1.0 + alpha) / (1.0 - alpha);
        QuantileSketch {
            relative_accuracy: alpha,
            ln_gamma: gamma.ln(),
            ln_factor: (2.0 / (gamma + 1.0)).ln(),
            positive: Store::default(),
            negative: Store::default(),
            zero: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// The relative accuracy α the sketch guarantees.
    pub fn relative_accuracy(&self) -> f64 {
        self.relative_accuracy
    }

    /// The bucket index ⌈log_γ |x|⌉ of a non-zero finite `x`.
    #[inline]
    fn index(&self, x: f64) -> i32 {
        // |ln x| ≤ 745 for every non-zero finite f64 and ln γ ≥ 2e-4 (α ≥ 1e-4), so
        // |i| ≤ 3.8e6 fits an i32.
        (x.abs().ln() / self.ln_gamma).ceil() as i32
    }

    /// The representative 2γ^i / (γ + 1) of bucket `i` (positive), capped at `f64::MAX`
    /// (the top bucket's representative can exceed it by up to α).
    fn representative(&self, i: i32) -> f64 {
        (f64::from(i) * self.ln_gamma + self.ln_factor)
            .exp()
            .min(f64::MAX)
    }

    /// Adds `x` with weight `w`; non-finite values and weights that are not positive and
    /// finite are ignored (as by [`crate::WeightedSample::add`]).
    #[inline]
    pub fn add(&mut self, x: f64, w: f64) {
        if !(x.is_finite() && w.is_finite() && w > 0.0) {
            return;
        }
        if x > 0.0 {
            let i = self.index(x);
            self.positive.add(i, w);
        } else if x < 0.0 {
            let i = self.index(x);
            self.negative.add(i, w);
        } else {
            self.zero += w;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Adds every (value, weight) of `values`, allocating each store's range once.
    pub fn extend(&mut self, values: &[(f64, f64)]) {
        let mut ranges = [(i32::MAX, i32::MIN); 2];
        for &(x, w) in values {
            if x.is_finite() && w.is_finite() && w > 0.0 && x != 0.0 {
                let i = self.index(x);
                let r = &mut ranges[usize::from(x < 0.0)];
                *r = (r.0.min(i), r.1.max(i));
            }
        }
        for (store, (low, high)) in [&mut self.positive, &mut self.negative]
            .into_iter()
            .zip(ranges)
        {
            if low <= high {
                store.cover(low, high);
            }
        }
        for &(x, w) in values {
            self.add(x, w);
        }
    }

    /// Adds every value of `other`. Sketches of the same accuracy merge exactly (bucket by
    /// bucket); with another accuracy, `other`'s buckets are re-added at their
    /// representatives, which compounds the two errors (the plugins never do this).
    pub fn merge(&mut self, other: &QuantileSketch) {
        if other.is_empty() {
            return;
        }
        if self.ln_gamma == other.ln_gamma {
            self.positive.merge(&other.positive);
            self.negative.merge(&other.negative);
            self.zero += other.zero;
        } else {
            for (x, w) in other.buckets() {
                self.add(x, w);
            }
        }
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.min > self.max
    }

    /// The total weight, summed over the buckets in ascending order of value.
    pub fn total_weight(&self) -> f64 {
        self.buckets().map(|(_, w)| w).sum()
    }

    /// The exact smallest value, or `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (!self.is_empty()).then_some(self.min)
    }

    /// The exact largest value, or `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (!self.is_empty()).then_some(self.max)
    }

    /// Number of buckets held across both signs (the memory is 8 bytes per bucket).
    pub fn bucket_count(&self) -> usize {
        self.positive.len() + self.negative.len()
    }

    /// The non-empty buckets as (representative, weight), ascending by value: negative
    /// buckets from the largest |x| down, the zero bucket, positive buckets upwards.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let negative = self
            .negative
            .buckets()
            .rev()
            .map(|(i, w)| (-self.representative(i), w));
        let zero = (self.zero > 0.0).then_some((0.0, self.zero));
        let positive = self
            .positive
            .buckets()
            .map(|(i, w)| (self.representative(i), w));
        negative.chain(zero).chain(positive)
    }

    /// The estimated quantiles at each `p` in [0, 1] (see the module documentation); `None`
    /// when empty or p is outside [0, 1].
    pub fn quantiles(&self, ps: &[f64]) -> Vec<Option<f64>> {
        if self.is_empty() {
            return vec![None; ps.len()];
        }
        let buckets: Vec<(f64, f64)> = self.buckets().collect();
        let total = buckets.iter().map(|(_, w)| w).sum::<f64>();
        ps.iter()
            .map(|&p| {
                if p == 0.0 {
                    Some(self.min)
                } else if p == 1.0 {
                    Some(self.max)
                } else {
                    quantile_sorted(&buckets, total, p).map(|q| q.clamp(self.min, self.max))
                }
            })
            .collect()
    }
}
