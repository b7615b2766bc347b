//! Quantiles in bounded memory: a group's values are kept exactly while they are few, and
//! folded into a [`QuantileSketch`] once they are many.
//!
//! A [`Quantiles`] accumulator holds a [`WeightedSample`] (16 bytes per value) while the
//! group has at most `exact_limit` values *and* a total weight of at most `exact_limit`
//! (default [`DEFAULT_EXACT_LIMIT`] = 4096), and converts itself to a sketch of relative
//! accuracy α (default 1%) the moment either is exceeded. With [`QuantilePolicy::EXACT`] it
//! never converts.
//!
//! Why 4096: the exact part then costs at most 64 KiB per group (about what a sketch of
//! values spanning the whole f64 range costs, and 10× a typical sketch), sorting it at the
//! end is instant, and every shipped demo and test data set stays exact. Beyond it, the
//! sketch's 1% is smaller than the sampling error of the figures it estimates: at n = 4096
//! the standard error of a median or p95 of exponentially distributed durations is ≈ 2.3%
//! of the value (√(p(1−p)/n) / f(q_p)), so the quantization is below the noise.
//!
//! Why the weight counts too: a row of weight 3 must give the result of three rows
//! (METRICS.md: pre-aggregated input gives exactly the result of the raw rows). Raw rows
//! convert once there are more than 4096 of them; counting the weight makes their
//! pre-aggregated form convert at the same point, and a sketch of integer weights equals
//! the sketch of the expanded rows, so both give the same quantiles.
//!
//! Determinism: the value count and the total weight only grow, so a state is a sketch
//! exactly when the union of everything it saw exceeds the limit, whatever the order of
//! adds and merges; an exact state is the multiset of its values (the order is forgotten by
//! the sort), and a sketch is the sum of its buckets, so a merge of states equals the state
//! of the union: the same quantiles in any merge order, bit for bit with integer weights.
//! (With fractional weights the sums are added in another order, which can change the last
//! bit of a bucket, or the switch when the total weight lands within rounding of the limit.)

use crate::quantile::WeightedSample;
use crate::sketch::{QuantileSketch, DEFAULT_RELATIVE_ACCURACY};

/// The default number of values (and total weight) a group keeps exactly: 4096.
pub const DEFAULT_EXACT_LIMIT: u64 = 4096;

/// When a [`Quantiles`] accumulator switches to a sketch, and how accurate the sketch is.
/// Every state of one metric must be driven by the same policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantilePolicy {
    /// Values (and total weight) kept exactly; `None` = never sketch.
    exact_limit: Option<u64>,
    /// Relative accuracy α of the sketch.
    relative_accuracy: f64,
}

impl Default for QuantilePolicy {
    fn default() -> Self {
        QuantilePolicy::HYBRID
    }
}

impl QuantilePolicy {
    /// Exact up to [`DEFAULT_EXACT_LIMIT`], then a sketch with 1% relative error.
    pub const HYBRID: QuantilePolicy = QuantilePolicy {
        exact_limit: Some(DEFAULT_EXACT_LIMIT),
        relative_accuracy: DEFAULT_RELATIVE_ACCURACY,
    };

    /// Every value kept: exact Hyndman–Fan definition 2, 16 bytes per value.
    pub const EXACT: QuantilePolicy = QuantilePolicy {
        exact_limit: None,
        relative_accuracy: DEFAULT_RELATIVE_ACCURACY,
    };

    /// [`QuantilePolicy::EXACT`] when `exact` (a plugin's `exact = true` param), else
    /// [`QuantilePolicy::HYBRID`].
    pub const fn from_exact(exact: bool) -> QuantilePolicy {
        if exact {
            QuantilePolicy::EXACT
        } else {
            QuantilePolicy::HYBRID
        }
    }

    /// Exact up to `exact_limit` values (and total weight), then a sketch of accuracy
    /// `relative_accuracy` (checked as by [`QuantileSketch::new`]).
    pub fn new(exact_limit: u64, relative_accuracy: f64) -> Result<QuantilePolicy, String> {
        QuantileSketch::new(relative_accuracy)?;
        Ok(QuantilePolicy {
            exact_limit: Some(exact_limit),
            relative_accuracy,
        })
    }

    /// Whether every value is kept.
    pub fn is_exact(&self) -> bool {
        self.exact_limit.is_none()
    }

    /// Whether a state with `values` values of total weight `weight` must be a sketch.
    fn exceeded(&self, values: u64, weight: f64) -> bool {
        self.exact_limit
            .is_some_and(|limit| values > limit || weight > limit as f64)
    }
}

/// How a set of quantiles was computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantileMethod {
    /// From every value: Hyndman–Fan definition 2, weighted.
    Exact,
    /// From a [`QuantileSketch`]: each within this relative error of the exact value.
    Sketch {
        /// The relative accuracy α.
        relative_error: f64,
    },
}

impl QuantileMethod {
    /// In words, as the plugins report it in `details.quantile_method`:
    /// `exact (Hyndman-Fan definition 2)` or `DDSketch (relative error 1%)`.
    pub fn describe(&self) -> String {
        match self {
            QuantileMethod::Exact => "exact (Hyndman-Fan definition 2)".to_string(),
            QuantileMethod::Sketch { relative_error } => {
                // Rounded to 10 decimals so 0.07 · 100 prints as 7.
                let pct = (relative_error * 100.0 * 1e10).round() / 1e10;
                format!("DDSketch (relative error {pct}%)")
            }
        }
    }

    /// The relative error bound as a fraction (0.01), or `None` when exact.
    pub fn relative_error(&self) -> Option<f64> {
        match self {
            QuantileMethod::Exact => None,
            QuantileMethod::Sketch { relative_error } => Some(*relative_error),
        }
    }
}

/// Quantile estimates with the method that produced them.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantileEstimates {
    /// One per requested p, `None` where undefined (no values, p outside [0, 1]).
    pub values: Vec<Option<f64>>,
    /// Exact, or sketched with its error bound.
    pub method: QuantileMethod,
}

impl QuantileEstimates {
    /// The estimate for the `i`-th requested p.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().flatten()
    }
}

/// What a [`Quantiles`] holds.
#[derive(Clone, Debug, PartialEq)]
enum Repr {
    Exact(WeightedSample),
    /// Boxed, so an exact (usually small) state costs no more than a vector.
    Sketch(Box<QuantileSketch>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Exact(WeightedSample::default())
    }
}

/// A mergeable quantile accumulator: exact while small, a sketch beyond the policy's limit
/// (see the module documentation). The policy is passed to every call rather than stored,
/// because states are created empty by `Default` before any params are known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quantiles {
    /// Number of values added.
    values: u64,
    /// Their total weight.
    weight: f64,
    repr: Repr,
}

impl Quantiles {
    /// Adds `x` with weight `w`; non-finite values and weights that are not positive and
    /// finite are ignored (callers reject such rows before).
    #[inline]
    pub fn add(&mut self, x: f64, w: f64, policy: QuantilePolicy) {
        if !(x.is_finite() && w.is_finite() && w > 0.0) {
            return;
        }
        self.values += 1;
        self.weight += w;
        if let Repr::Exact(sample) = &mut self.repr {
            if !policy.exceeded(self.values, self.weight) {
                sample.add(x, w);
                return;
            }
            // Converted before the value is pushed, so the sample never grows past the
            // limit (its vector would double, to 128 KiB, just before being dropped).
            self.convert(policy);
        }
        if let Repr::Sketch(sketch) = &mut self.repr {
            sketch.add(x, w);
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Quantiles, policy: QuantilePolicy) {
        self.values += other.values;
        self.weight += other.weight;
        match (&mut self.repr, &other.repr) {
            (Repr::Sketch(into), Repr::Sketch(from)) => into.merge(from),
            (Repr::Sketch(into), Repr::Exact(from)) => into.extend(from.values()),
            (Repr::Exact(into), Repr::Sketch(from)) => {
                let mut sketch = from.clone();
                sketch.extend(into.values());
                self.repr = Repr::Sketch(sketch);
            }
            (Repr::Exact(into), Repr::Exact(from)) => {
                if policy.exceeded(self.values, self.weight) {
                    let mut sketch = Box::new(sketch_for(policy));
                    sketch.extend(into.values());
                    sketch.extend(from.values());
                    self.repr = Repr::Sketch(sketch);
                } else {
                    into.merge(from);
                }
            }
        }
    }

    /// Replaces the exact sample by a sketch of its values (and frees the sample).
    fn convert(&mut self, policy: QuantilePolicy) {
        if let Repr::Exact(sample) = &self.repr {
            let mut sketch = Box::new(sketch_for(policy));
            sketch.extend(sample.values());
            self.repr = Repr::Sketch(sketch);
        }
    }

    /// Number of values added.
    pub fn len(&self) -> u64 {
        self.values
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.values == 0
    }

    /// Total weight of the values added.
    pub fn total_weight(&self) -> f64 {
        self.weight
    }

    /// How quantiles are computed from this state now.
    pub fn method(&self) -> QuantileMethod {
        match &self.repr {
            Repr::Exact(_) => QuantileMethod::Exact,
            Repr::Sketch(sketch) => QuantileMethod::Sketch {
                relative_error: sketch.relative_accuracy(),
            },
        }
    }

    /// The quantiles at each `p` in [0, 1], with the method used.
    pub fn quantiles(&self, ps: &[f64]) -> QuantileEstimates {
        let values = match &self.repr {
            Repr::Exact(sample) => sample.quantiles(ps),
            Repr::Sketch(sketch) => sketch.quantiles(ps),
        };
        QuantileEstimates {
            values,
            method: self.method(),
        }
    }

    /// Bytes held on the heap (the sample's capacity, or the sketch and its buckets): what
    /// the state costs beyond its own size.
    pub fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Exact(sample) => sample.capacity() * std::mem::size_of::<(f64, f64)>(),
            Repr::Sketch(sketch) => {
                std::mem::size_of::<QuantileSketch>() + sketch.bucket_count() * 8
            }
        }
    }
}

/// An empty sketch with the policy's accuracy (validated when the policy was made).
fn sketch_for(policy: QuantilePolicy) -> QuantileSketch {
    QuantileSketch::new(policy.relative_accuracy).unwrap_or_default()
}
