//! The `review_response_rate` metric: 100 · reviews answered / reviews received (METRICS.md
//! "Support metrics"), with a Wilson interval, plus the review answer time
//! (answered_at − received_at) as mean, median, p90 and p95 in a configurable unit.
//!
//! A review with an empty `answered_at` is received but not answered (used). A review
//! answered before it was received is rejected entirely as `negative_duration`: it enters
//! neither the rate nor the answer time, so both figures describe the same reviews.
//!
//! The answer-time quantiles (weighted, Hyndman-Fan definition 2) come from a
//! [`cxm_stats::Quantiles`]: exact while a group has at most 4096 answered reviews (and a
//! total weight of at most 4096), then a DDSketch (Masson, Rim & Lee, VLDB 2019) with each
//! quantile within 1% of the exact value, in a few KB per group.
//! `details.answer_time_quantile_method` says which, with
//! `details.answer_time_relative_error` = 0.01 when sketched. `exact = true` keeps every
//! answer time: 16 bytes each, plus the vector's growth and a sorted copy at the end.

use crate::common::{
    check_weight, rate_result, Proportion, RateSettings, CONFIDENCE_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;
use cxm_stats::{Moments, QuantilePolicy, Quantiles};
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
    /// Keep every answer time (exact quantiles) instead of a 1% sketch beyond 4096.
    pub exact: bool,
}

impl Default for ReviewParams {
    fn default() -> Self {
        ReviewParams {
            unit: TimeUnit::Hours,
            confidence: 0.95,
            min_n: 30,
            exact: false,
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
    /// The answer times with their weights, for the quantiles: exact while few, a sketch
    /// beyond (see the module documentation).
    pub answer_times: Quantiles,
}

impl ReviewState {
    /// Adds everything of `other`; `policy` is the metric's
    /// ([`ReviewResponseRate::policy`]).
    pub fn merge(&mut self, other: &ReviewState, policy: QuantilePolicy) {
        self.rate.merge(&other.rate);
        self.moments.merge(&other.moments);
        self.answer_times.merge(&other.answer_times, policy);
    }
}

/// The bound `review_response_rate` metric.
#[derive(Clone, Debug)]
pub struct ReviewResponseRate {
    unit: TimeUnit,
    settings: RateSettings,
    policy: QuantilePolicy,
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
            policy: QuantilePolicy::from_exact(params.exact),
        })
    }

    /// When the answer times switch from every value to a sketch (never with
    /// `exact = true`).
    pub fn policy(&self) -> QuantilePolicy {
        self.policy
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
            state.answer_times.add(time, weight, self.policy);
        }
        state.rate.add(answered.is_some(), weight);
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &ReviewState) -> MetricResult {
        let quantiles = state.answer_times.quantiles(&[0.5, 0.9, 0.95]);
        let q = |i: usize| quantiles.get(i).map_or(Value::Null, number);
        let result = rate_result(&state.rate, UNIT, self.settings)
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
            .detail("answer_time_quantile_method", quantiles.method.describe());
        match quantiles.method.relative_error() {
            Some(error) => result.detail("answer_time_relative_error", number(error)),
            None => result,
        }
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
        Param::new(
            "exact",
            "bool",
            "false",
            "Keep every answer time for exact median/p90/p95 (16 bytes per review, plus growth). By default a group keeps them exactly up to 4096, then a DDSketch within 1% relative error (details.answer_time_quantile_method, details.answer_time_relative_error).",
        ),
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
        into.merge(from, self.policy);
    }

    fn finish(&self, state: &ReviewState) -> MetricResult {
        self.result(state)
    }
}

/// How the answer times keep their quantiles: exact up to 4096 answered reviews, a sketch
/// within 1% beyond, every value with `exact = true`. (The rest of the metric is tested in
/// `tests/review.rs`.)
#[cfg(test)]
mod answer_time_tests {
    use super::*;
    use cxm_sdk::testing::{Column, Harness};
    use serde_json::json;

    /// `n` answer times in whole minutes (1 to about 20 days, skewed), from a fixed hash.
    fn minutes(n: usize) -> Vec<i64> {
        (0..n as u64)
            .map(|i| {
                let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D;
                z = (z ^ (z >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let u = ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                1 + (28_800.0 * u * u * u) as i64
            })
            .collect()
    }

    /// One instance over reviews received at 0 and answered `minutes` later.
    fn run(params: &str, minutes: &[i64]) -> MetricResult {
        let column = |v: Vec<Option<i64>>| Column::Timestamp(v);
        let inputs = [
            ("received_at", column(vec![])),
            ("answered_at", column(vec![])),
        ];
        let mut h = Harness::<ReviewResponseRate>::bind(params, &inputs).unwrap();
        let received = column(vec![Some(0); minutes.len()]);
        let answered = column(minutes.iter().map(|m| Some(m * 60_000_000)).collect());
        h.update(&[received, answered], None, None).unwrap();
        h.finish(0).unwrap()
    }

    /// Exact median, p90 and p95 in hours.
    fn exact(minutes: &[i64]) -> Vec<f64> {
        let mut s = cxm_stats::WeightedSample::default();
        for &m in minutes {
            s.add(m as f64 / 60.0, 1.0);
        }
        s.quantiles(&[0.5, 0.9, 0.95])
            .into_iter()
            .flatten()
            .collect()
    }

    fn figures(r: &MetricResult) -> Vec<f64> {
        ["answer_time_median", "answer_time_p90", "answer_time_p95"]
            .iter()
            .filter_map(|k| r.details.get(k).and_then(cxm_sdk::Detail::as_f64))
            .collect()
    }

    #[test]
    fn exact_up_to_the_limit_then_within_one_percent() {
        let few = minutes(4096);
        let r = run("{}", &few);
        assert_eq!(figures(&r), exact(&few));
        assert_eq!(
            r.details["answer_time_quantile_method"],
            json!("exact (Hyndman-Fan definition 2)")
        );
        assert!(r.details.get("answer_time_relative_error").is_none());

        let many = minutes(20_001);
        let r = run("{}", &many);
        let (got, want) = (figures(&r), exact(&many));
        assert_eq!(got.len(), 3);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() <= 0.01 * w, "{g} vs {w}");
        }
        assert_eq!(
            r.details["answer_time_quantile_method"],
            json!("DDSketch (relative error 1%)")
        );
        assert_eq!(r.details["answer_time_relative_error"], json!(0.01));

        let r = run(r#"{"exact": true}"#, &many);
        assert_eq!(figures(&r), want);
        assert_eq!(
            r.details["answer_time_quantile_method"],
            json!("exact (Hyndman-Fan definition 2)")
        );
    }
}
