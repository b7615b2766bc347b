//! The two "one record, two timestamps" duration metrics: `first_response_time` (first agent
//! reply − ticket creation) and `resolution_time` (resolved − created), as defined in
//! METRICS.md "Support metrics".
//!
//! A record whose ending timestamp is empty has no duration: it is rejected with the
//! metric's own reason (`no_response`, `unresolved`) so the row accounting shows it, and it
//! is counted in `details.without_end_event`.

use crate::duration::{
    between, check_confidence, check_weight, result, unit_param, Durations, Reporting, TimeUnit,
    CONFIDENCE_PARAM, EXACT_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;
use cxm_stats::QuantilePolicy;
use std::marker::PhantomData;

/// Index of the starting timestamp in the inputs.
const START: usize = 0;
/// Index of the ending timestamp in the inputs.
const END: usize = 1;

/// What distinguishes one span metric from the other.
pub trait SpanKind: Send + 'static {
    /// Metric name.
    const NAME: &'static str;
    /// One sentence for `cxm plugins`.
    const DESCRIPTION: &'static str;
    /// The start (required) and end (optional) timestamps.
    const INPUTS: &'static [Input];
    /// The reason of a record without the ending timestamp (the only element).
    const REASONS: &'static [&'static str];
    /// What a record without the ending timestamp is, in words (for messages).
    const MISSING_WORDS: &'static str;
}

/// Marker of `first_response_time`.
#[derive(Debug)]
pub struct FirstResponse;

impl SpanKind for FirstResponse {
    const NAME: &'static str = "first_response_time";
    const DESCRIPTION: &'static str =
        "First response time: first agent reply minus ticket creation, over tickets with a reply (mean, median, p90, p95).";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "created_at",
            InputType::Timestamp,
            "when the ticket was created",
        ),
        Input::optional(
            "first_response_at",
            InputType::Timestamp,
            "when an agent first replied; empty = no reply yet (reason no_response)",
        ),
    ];
    const REASONS: &'static [&'static str] = &["no_response"];
    const MISSING_WORDS: &'static str = "tickets without a reply";
}

/// Marker of `resolution_time`.
#[derive(Debug)]
pub struct Resolution;

impl SpanKind for Resolution {
    const NAME: &'static str = "resolution_time";
    const DESCRIPTION: &'static str =
        "Resolution time: resolved minus created, over resolved tickets (mean, median, p90, p95).";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "created_at",
            InputType::Timestamp,
            "when the ticket was raised",
        ),
        Input::optional(
            "resolved_at",
            InputType::Timestamp,
            "when the ticket was resolved; empty = not resolved yet (reason unresolved)",
        ),
    ];
    const REASONS: &'static [&'static str] = &["unresolved"];
    const MISSING_WORDS: &'static str = "unresolved tickets";
}

/// The `params` table of `first_response_time` and `resolution_time`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpanParams {
    /// Unit of the reported durations.
    pub unit: TimeUnit,
    /// Confidence level of the t interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
    /// Keep every duration (exact quantiles) instead of a 1% sketch beyond 4096 per group.
    pub exact: bool,
}

impl Default for SpanParams {
    fn default() -> Self {
        SpanParams {
            unit: TimeUnit::Hours,
            confidence: 0.95,
            min_n: 30,
            exact: false,
        }
    }
}

/// A bound span metric.
#[derive(Debug)]
pub struct Span<K: SpanKind> {
    reporting: Reporting,
    kind: PhantomData<K>,
}

/// `first_response_time`.
pub type FirstResponseTime = Span<FirstResponse>;
/// `resolution_time`.
pub type ResolutionTime = Span<Resolution>;

impl<K: SpanKind> Span<K> {
    /// Validates params; `end_mapped` says whether the ending timestamp is mapped.
    pub fn new(params: SpanParams, end_mapped: bool) -> Result<Self, String> {
        if !end_mapped {
            return Err(format!(
                "input '{}' is not mapped: map it to the field with the ending timestamp \
                 (leave the cell empty for {}; they are counted, not dropped)",
                K::INPUTS[END].name,
                K::MISSING_WORDS
            ));
        }
        check_confidence(params.confidence)?;
        Ok(Span {
            reporting: Reporting {
                unit: params.unit,
                confidence: params.confidence,
                min_n: params.min_n,
                quantiles: QuantilePolicy::from_exact(params.exact),
            },
            kind: PhantomData,
        })
    }

    /// Folds one record into `state` (what `update` does with a row).
    pub fn tally(
        &self,
        state: &mut Durations,
        start: Option<i64>,
        end: Option<i64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let start = start.ok_or(Reject::Empty)?;
        check_weight(weight)?;
        let Some(end) = end else {
            state.missing_end(weight);
            return Err(Reject::Own(K::REASONS[0]));
        };
        let duration = between(start, end, self.reporting.unit)?;
        state.add(duration, weight, self.reporting.quantiles);
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &Durations) -> MetricResult {
        result(state, self.reporting)
    }
}

impl<K: SpanKind> Metric for Span<K> {
    const NAME: &'static str = K::NAME;
    const DESCRIPTION: &'static str = K::DESCRIPTION;
    const INPUTS: &'static [Input] = K::INPUTS;
    const PARAMS: &'static [Param] = &[
        unit_param("\"hours\""),
        CONFIDENCE_PARAM,
        MIN_N_PARAM,
        EXACT_PARAM,
    ];
    const REASONS: &'static [&'static str] = K::REASONS;

    type Params = SpanParams;
    type State = Durations;

    fn bind(params: SpanParams, inputs: &BoundInputs) -> Result<Self, String> {
        Span::new(params, inputs.is_mapped(END))
    }

    #[inline]
    fn update(&self, state: &mut Durations, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(
            state,
            row.timestamp(START),
            row.timestamp(END),
            row.weight(),
        )
    }

    fn merge(&self, into: &mut Durations, from: &Durations) {
        into.merge(from, self.reporting.quantiles);
    }

    fn finish(&self, state: &Durations) -> MetricResult {
        self.result(state)
    }
}
