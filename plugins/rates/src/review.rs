//! The `review_response_rate` metric: 100 · reviews answered / reviews received (METRICS.md
//! "Support metrics"), with a Wilson interval, plus the review answer time
//! (answered_at − received_at) as mean, median, p90 and p95 in a configurable unit.
//!
//! A review with an empty `answered_at` is received but not answered (used). A review
//! answered before it was received is rejected entirely as `negative_duration`: it enters
//! neither the rate nor the answer time, so both figures describe the same reviews.

use crate::common::{
    check_weight, rate_result, Proportion, RateSettings, CONFIDENCE_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;
use cxm_stats::{Moments, WeightedSample};
use serde_json::Value;

/// Index of the `received_at` input.
const RECEIVED: usize = 0;
/// Index of the `answered_at` input.
const ANSWERED: usize = 1;
/// The unit of the rate.
pub const UNIT: &str = "% of reviews answered";

/// The unit of the answer time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days of 24 hours.
    Days,
}

impl TimeUnit {
    /// Microseconds in one unit (timestamps are microseconds since the epoch).
    pub fn micros(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1e6,
            TimeUnit::Minutes => 6e7,
            TimeUnit::Hours => 3.6e9,
            TimeUnit::Days => 8.64e10,
        }
    }

    /// The unit in words.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }
}

/// The `params` table of `review_response_rate`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewParams {
    /// Unit of the answer time.
    pub unit: TimeUnit,
    /// Confidence level of the Wilson interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted number of reviews the result carries `low_sample`.
    pub min_n: u64,
}

impl Default for ReviewParams {
    fn default() -> Self {
        ReviewParams {
            unit: TimeUnit::Hours,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReviewState {
    /// Answered of received.
    pub rate: Proportion,
    /// Moments of the answer times (in the reporting unit).
    pub moments: Moments,
    /// The answer times with their weights, for the quantiles.
    pub answer_times: WeightedSample,
}

impl ReviewState {
    /// Adds everything of `other`.
    pub fn merge(&mut self, other: &ReviewState) {
        self.rate.merge(&other.rate);
        self.moments.merge(&other.moments);
        self.answer_times.merge(&other.answer_times);
    }
}

/// The bound `review_response_rate` metric.
#[derive(Clone, Debug)]
pub struct ReviewResponseRate {
    unit: TimeUnit,
    settings: RateSettings,
}

impl ReviewResponseRate {
    /// Validates params; `answered_mapped` says whether `answered_at` is mapped.
    pub fn new(params: ReviewParams, answered_mapped: bool) -> Result<Self, String> {
        if !answered_mapped {
            return Err(
                "input 'answered_at' is not mapped: map it to the field with the time of the \
                 reply (leave the cell empty for unanswered reviews)"
                    .into(),
            );
        }
        Ok(ReviewResponseRate {
            unit: params.unit,
            settings: RateSettings::new(params.confidence, params.min_n)?,
        })
    }

    /// Folds one review into `state` (what `update` does with a row).
    pub fn tally(
        &self,
        state: &mut ReviewState,
        received: Option<i64>,
        answered: Option<i64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let received = received.ok_or(Reject::Empty)?;
        check_weight(weight)?;
        if let Some(answered) = answered {
            // i128: the difference of two i64 cannot overflow.
            let micros = i128::from(answered) - i128::from(received);
            if micros < 0 {
                return Err(Reject::NegativeDuration);
            }
            let time = micros as f64 / self.unit.micros();
            state.moments.add(time, weight);
            state.answer_times.add(time, weight);
        }
        state.rate.add(answered.is_some(), weight);
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &ReviewState) -> MetricResult {
        let quantiles = state.answer_times.quantiles(&[0.5, 0.9, 0.95]);
        let q = |i: usize| {
            quantiles
                .get(i)
                .copied()
                .flatten()
                .map_or(Value::Null, number)
        };
        rate_result(&state.rate, UNIT, self.settings)
            .detail("answered", number(state.rate.hits))
            .detail("received", number(state.rate.total))
            .detail(
                "answer_time_mean",
                state.moments.mean().map_or(Value::Null, number),
            )
            .detail("answer_time_median", q(0))
            .detail("answer_time_p90", q(1))
            .detail("answer_time_p95", q(2))
            .detail("answer_time_unit", self.unit.name())
    }
}

impl Metric for ReviewResponseRate {
    const NAME: &'static str = "review_response_rate";
    const DESCRIPTION: &'static str =
        "Review response rate: % of received reviews that were answered (Wilson interval), plus the answer time (mean, median, p90, p95).";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "received_at",
            InputType::Timestamp,
            "when the review was posted",
        ),
        Input::optional(
            "answered_at",
            InputType::Timestamp,
            "when it was answered; empty = not answered",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "unit",
            "\"seconds\" | \"minutes\" | \"hours\" | \"days\"",
            "\"hours\"",
            "Unit of the answer time.",
        ),
        CONFIDENCE_PARAM,
        MIN_N_PARAM,
    ];

    type Params = ReviewParams;
    type State = ReviewState;

    fn bind(params: ReviewParams, inputs: &BoundInputs) -> Result<Self, String> {
        ReviewResponseRate::new(params, inputs.is_mapped(ANSWERED))
    }

    #[inline]
    fn update(&self, state: &mut ReviewState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(
            state,
            row.timestamp(RECEIVED),
            row.timestamp(ANSWERED),
            row.weight(),
        )
    }

    fn merge(&self, into: &mut ReviewState, from: &ReviewState) {
        into.merge(from);
    }

    fn finish(&self, state: &ReviewState) -> MetricResult {
        self.result(state)
    }
}
