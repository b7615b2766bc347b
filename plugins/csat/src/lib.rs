//! The `csat` metric plugin: Customer Satisfaction Score as defined in METRICS.md.
//!
//! CSAT % = 100 · satisfied / n, where "satisfied" answers are those in the `satisfied`
//! range (top-two-box 4-5 on 1-5 by default), with a Wilson score interval. It is NOT the
//! mean score: the weighted mean is reported as a secondary figure (`mean`) with its own
//! t interval. The state holds weighted counts and sums, merged by addition.
//!
//! The math lives in plain methods ([`Csat::new`], [`Csat::tally`], [`Csat::result`]) that
//! the [`Metric`] impl calls, so it can be tested without the plugin ABI.

use cxm_sdk::prelude::*;
use cxm_stats::Moments;
use serde_json::Value;

#[cfg(test)]
mod tests;

/// Index of the `score` input in [`Metric::INPUTS`].
const SCORE: usize = 0;

/// The `params` table of the `csat` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsatParams {
    /// Lowest and highest valid score.
    pub scale: [i64; 2],
    /// Inclusive range of scores that count as satisfied.
    pub satisfied: [i64; 2],
    /// Confidence level of the intervals, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for CsatParams {
    fn default() -> Self {
        CsatParams {
            scale: [1, 5],
            satisfied: [4, 5],
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CsatState {
    /// Weighted count of satisfied answers.
    pub satisfied: f64,
    /// Weighted moments of all valid scores; `moments.weight` is n.
    pub moments: Moments,
}

impl CsatState {
    /// Adds the counts and sums of `other`.
    pub fn merge(&mut self, other: &CsatState) {
        self.satisfied += other.satisfied;
        self.moments.merge(&other.moments);
    }
}

/// The bound `csat` metric: validated params.
#[derive(Clone, Debug)]
pub struct Csat {
    params: CsatParams,
}

/// `[4, 5]` as `4-5`, `[5, 5]` as `5`.
fn range_text([lo, hi]: [i64; 2]) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

/// Checks that `confidence` is a fraction strictly between 0 and 1.
fn check_confidence(confidence: f64) -> Result<(), String> {
    cxm_stats::check_confidence(confidence).map(|_| ())
}

/// An interval as a JSON detail: `{low, high, level, method}`.
fn interval_detail((low, high): (f64, f64), level: f64, method: &str) -> Value {
    serde_json::json!({"low": number(low), "high": number(high), "level": number(level), "method": method})
}

impl Csat {
    /// Validates params: the scale must run from low to high, `satisfied` must lie inside
    /// it, and the confidence must lie strictly between 0 and 1.
    pub fn new(params: CsatParams) -> Result<Self, String> {
        let [lo, hi] = params.scale;
        if lo >= hi {
            return Err(format!(
                "scale = [{lo}, {hi}] must be [lowest score, highest score] with lowest < highest, \
                 e.g. [1, 5]"
            ));
        }
        let [s_lo, s_hi] = params.satisfied;
        if s_lo > s_hi {
            return Err(format!(
                "satisfied = [{s_lo}, {s_hi}] runs backwards: write the lowest score first \
                 ([{s_hi}, {s_lo}])"
            ));
        }
        if s_lo < lo || s_hi > hi {
            return Err(format!(
                "satisfied = [{s_lo}, {s_hi}] must lie inside the scale {}: \
                 set satisfied to the top scores of your scale (e.g. [{}, {hi}] for top-two-box)",
                range_text(params.scale),
                (hi - 1).max(lo),
            ));
        }
        check_confidence(params.confidence)?;
        Ok(Csat { params })
    }

    /// The validated params.
    pub fn params(&self) -> &CsatParams {
        &self.params
    }

    /// Folds one answer with its weight into `state` (what `update` does with a row).
    #[inline]
    pub fn tally(
        &self,
        state: &mut CsatState,
        score: Option<i64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let score = score.ok_or(Reject::Empty)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        let [lo, hi] = self.params.scale;
        if !(lo..=hi).contains(&score) {
            return Err(Reject::OutOfScale);
        }
        let [s_lo, s_hi] = self.params.satisfied;
        if (s_lo..=s_hi).contains(&score) {
            state.satisfied += weight;
        }
        state.moments.add(score as f64, weight);
        Ok(())
    }

    /// The unit of the headline value, e.g. `% satisfied (4-5 on a 1-5 scale)`.
    pub fn unit(&self) -> String {
        format!(
            "% satisfied ({} on a {} scale)",
            range_text(self.params.satisfied),
            range_text(self.params.scale)
        )
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &CsatState) -> MetricResult {
        let level = self.params.confidence;
        let n = state.moments.weight;
        let value = (n > 0.0).then(|| 100.0 * state.satisfied / n);
        let ci = cxm_stats::wilson(state.satisfied, n, level).map(|(low, high)| Interval {
            low: 100.0 * low,
            high: 100.0 * high,
            level,
            method: "wilson".to_string(),
        });
        let mean_ci = if n >= 2.0 {
            cxm_stats::t_interval(&state.moments, level)
        } else {
            None
        };
        let mut result = MetricResult {
            value,
            unit: self.unit(),
            n,
            ci,
            basis: (n > 0.0).then_some(TestBasis::Proportion {
                successes: state.satisfied,
                n,
            }),
            ..Default::default()
        }
        .detail("satisfied", number(state.satisfied))
        .detail("mean", state.moments.mean().map_or(Value::Null, number))
        .detail(
            "mean_ci",
            mean_ci.map_or(Value::Null, |ci| interval_detail(ci, level, "t")),
        )
        .detail("scale", range_text(self.params.scale))
        .detail("satisfied_range", range_text(self.params.satisfied));
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        if n < self.params.min_n as f64 || n <= 0.0 {
            result = result.warn("low_sample");
        }
        result
    }
}

impl Metric for Csat {
    const NAME: &'static str = "csat";
    const DESCRIPTION: &'static str =
        "Customer Satisfaction Score: % of answers in the satisfied range (top-two-box by default), with a Wilson interval.";
    const INPUTS: &'static [Input] = &[Input::required(
        "score",
        InputType::Integer,
        "satisfaction rating, an integer on the declared scale (1-5 by default)",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "scale",
            "[int, int]",
            "[1, 5]",
            "Lowest and highest valid score; others are rejected as out_of_scale.",
        ),
        Param::new(
            "satisfied",
            "[int, int]",
            "[4, 5]",
            "Scores that count as satisfied (inclusive, inside scale); the default is top-two-box.",
        ),
        Param::new(
            "confidence",
            "number",
            "0.95",
            "Confidence level of the intervals, between 0 and 1.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) answers carry the warning low_sample.",
        ),
    ];

    type Params = CsatParams;
    type State = CsatState;

    fn bind(params: CsatParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Csat::new(params)
    }

    #[inline]
    fn update(&self, state: &mut CsatState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.int(SCORE), row.weight())
    }

    fn merge(&self, into: &mut CsatState, from: &CsatState) {
        into.merge(from);
    }

    fn finish(&self, state: &CsatState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Csat);
