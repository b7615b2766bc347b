//! The support duration plugins, as defined in METRICS.md "Support metrics":
//! `first_response_time`, `average_response_time`, `resolution_time` and `wait_time`.
//!
//! Every metric reports the weighted mean duration as its value, in a configurable unit,
//! with the median, p90 and p95 (weighted quantiles, Hyndman-Fan definition 2), the t
//! interval of the mean, and the weighted count of records without the ending event
//! (unanswered, unresolved, not served). Negative durations are rejected as
//! `negative_duration`. States keep the moments of the durations and their quantile state
//! (every duration up to 4096 per group, then a DDSketch within 1%, or every duration with
//! `exact = true`: see [`duration`]), and for `average_response_time` the messages by
//! ticket, so every figure is computed from the merged state.

pub mod duration;
pub mod response;
pub mod span;
pub mod wait;

#[cfg(test)]
mod tests;

pub use duration::{Durations, TimeUnit};
pub use response::{AverageResponseTime, Conversations, ResponseParams};
pub use span::{FirstResponseTime, ResolutionTime, SpanParams};
pub use wait::{WaitParams, WaitTime};

cxm_sdk::export_plugin!(
    FirstResponseTime,
    AverageResponseTime,
    ResolutionTime,
    WaitTime
);
