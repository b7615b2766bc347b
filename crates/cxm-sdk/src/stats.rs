//! Confidence intervals for [`crate::Metric::finish`], so a plugin does not hand-write one:
//! the helpers the built-in plugins use, re-exported from `cxm-stats`.
//!
//! | figure | accumulate | interval | [`crate::TestBasis`] |
//! |---|---|---|---|
//! | a mean | [`Moments`] (`add(x, row.weight())`, `merge`) | [`t_interval`] | `Mean { mean, variance: sample_variance, n: weight }` |
//! | a share | weighted successes and n | [`wilson`] (×100 for percent) | `Proportion { successes, n }` |
//! | an NPS | weighted promoters, detractors and n | [`nps_interval`] | `Nps { promoters, detractors, n }` |
//!
//! Give the result a `basis` too: without it the report can never mark a change between
//! periods, or a gap to a benchmark, as significant. Validate a `confidence` param in
//! `bind` with [`check_confidence`]. Every helper returns `None` where its figure is
//! undefined (no observations, n <= 1 for a variance, a level outside (0, 1)), never a
//! made-up number.
//!
//! ```
//! use cxm_sdk::stats::{t_interval, Moments};
//! use cxm_sdk::TestBasis;
//!
//! let mut m = Moments::default();
//! for (x, weight) in [(4.0, 1.0), (5.0, 2.0), (3.0, 1.0)] {
//!     m.add(x, weight);
//! }
//! let (low, high) = t_interval(&m, 0.95).expect("n > 1");
//! assert!(low < 4.25 && 4.25 < high);
//! let basis = TestBasis::Mean {
//!     mean: m.mean().expect("n > 0"),
//!     variance: m.sample_variance().expect("n > 1"),
//!     n: m.weight,
//! };
//! # let _ = basis;
//! ```

pub use cxm_stats::{
    check_confidence, nps_interval, t_interval, wilson, z_for_confidence, Moments,
};
