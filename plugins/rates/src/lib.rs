//! The rate plugins: `review_response_rate` (METRICS.md "Support metrics"),
//! `conversion_rate` and `referral_rate` (METRICS.md "Conversion rate and referral rate").
//!
//! Every rate is 100 · successes / trials on weighted counts, with a Wilson score interval
//! (the same interval CSAT uses for its share), n = the weighted denominator, and the
//! `low_sample` warning below `min_n`. States hold weighted counts (and, for review answer
//! times, the answer times themselves), so totals and roll-ups are recomputed from merged
//! counts, never averaged.

pub mod common;
pub mod conversion;
pub mod referral;
pub mod review;

#[cfg(test)]
mod tests;

pub use common::Proportion;
pub use conversion::{ConversionParams, ConversionRate};
pub use referral::{ReferralForm, ReferralParams, ReferralRate};
pub use review::{ReviewParams, ReviewResponseRate, ReviewState, TimeUnit};

cxm_sdk::export_plugin!(ReviewResponseRate, ConversionRate, ReferralRate);
