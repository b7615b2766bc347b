//! The `basic` metric plugin: generic metrics a consultant defines in the config, without
//! code: `count` (rows), `sum`, `mean` (with a t interval), `share` (% of rows meeting a
//! condition, with a Wilson interval) and `percentile` (weighted, Hyndman-Fan definition 2).
//!
//! Every metric honours row weights as frequency weights (weighted rows give the results of
//! the expanded rows), keeps a state that merges by addition or concatenation, rejects
//! rows it cannot use with a reason, takes a free-text `unit` label and `min_n` (default 30,
//! warning `low_sample`), and reports no value with `no_data` when no row was used.
//!
//! The math of each metric lives in plain methods (`new`, `tally`, `result`) that the
//! [`Metric`](cxm_sdk::Metric) impls call, so it can be tested without the plugin ABI.

pub mod common;
pub mod count;
pub mod mean;
pub mod percentile;
pub mod share;
pub mod sum;

#[cfg(test)]
mod tests;

pub use count::Count;
pub use mean::Mean;
pub use percentile::Percentile;
pub use share::Share;
pub use sum::Sum;

cxm_sdk::export_plugin!(Count, Sum, Mean, Share, Percentile);
