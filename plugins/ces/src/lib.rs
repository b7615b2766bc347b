//! The `ces` metric plugin: Customer Effort Score as defined in METRICS.md.
//!
//! CES = weighted mean score (Σw·score / n) with a t interval. Beside it the plugin reports
//! `easy_pct` = 100 · easy / n with a Wilson interval, and the scale's direction in words:
//! by default the CES 2.0 agreement scale 1-7 where higher is easier and 5-7 counts as easy;
//! legacy effort scales (1 = no effort) set `higher_is_easier = false` and must say which
//! scores are easy. The state holds weighted counts and sums, merged by addition.
//!
//! The math lives in plain methods ([`Ces::new`], [`Ces::tally`], [`Ces::result`]) that the
//! [`Metric`] impl calls, so it can be tested without the plugin ABI.

use cxm_sdk::prelude::*;
use cxm_stats::Moments;
use serde_json::Value;

#[cfg(test)]
mod tests;

/// Index of the `score` input in [`Metric::INPUTS`].
const SCORE: usize = 0;
/// The `easy` range when `higher_is_easier = true` and none is given.
pub const DEFAULT_EASY: [i64; 2] = [5, 7];

/// The `params` table of the `ces` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CesParams {
    /// Lowest and highest valid score.
    pub scale: [i64; 2],
    /// Whether higher scores mean less effort (CES 2.0 agreement scale).
    pub higher_is_easier: bool,
    /// Inclusive range of scores that count as easy; `None` means [`DEFAULT_EASY`], which
    /// is only allowed when `higher_is_easier` is true.
    pub easy: Option<[i64; 2]>,
    /// Confidence level of the intervals, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for CesParams {
    fn default() -> Self {
        CesParams {
            scale: [1, 7],
            higher_is_easier: true,
            easy: None,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CesState {
    /// Weighted count of easy answers.
    pub easy: f64,
    /// Weighted moments of all valid scores; `moments.weight` is n.
    pub moments: Moments,
}

impl CesState {
    /// Adds the counts and sums of `other`.
    pub fn merge(&mut self, other: &CesState) {
        self.easy += other.easy;
        self.moments.merge(&other.moments);
    }
}

/// The bound `ces` metric: validated params with the `easy` range resolved.
#[derive(Clone, Debug)]
pub struct Ces {
    params: CesParams,
    easy: [i64; 2],
}

/// `[5, 7]` as `5-7`, `[1, 1]` as `1`.
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

/// The test basis of a mean score: mean, sample variance (frequency weights) and n;
/// `None` when n <= 1, where the sample variance is undefined.
fn mean_basis(moments: &Moments) -> Option<TestBasis> {
    Some(TestBasis::Mean {
        mean: moments.mean()?,
        variance: moments.sample_variance()?,
        n: moments.weight,
    })
}

/// Resolves and checks the `easy` range against the scale and direction.
fn resolve_easy(params: &CesParams) -> Result<[i64; 2], String> {
    let (easy, given) = match (params.easy, params.higher_is_easier) {
        (Some(easy), _) => (easy, "easy"),
        (None, true) => (DEFAULT_EASY, "easy (default)"),
        (None, false) => {
            return Err(
                "higher_is_easier = false describes a legacy effort scale where low \
                        scores mean little effort, so the default easy = [5, 7] would count \
                        the hardest answers as easy; set `easy` explicitly to the scores that \
                        count as easy (for example easy = [1, 3] on a 1-7 scale)"
                    .to_string(),
            );
        }
    };
    let [lo, hi] = easy;
    if lo > hi {
        return Err(format!(
            "{given} = [{lo}, {hi}] runs backwards: write the lowest score first ([{hi}, {lo}])"
        ));
    }
    let [s_lo, s_hi] = params.scale;
    if lo < s_lo || hi > s_hi {
        return Err(format!(
            "{given} = [{lo}, {hi}] must lie inside the scale {}; set `easy` to the scores \
             of this scale that count as easy",
            range_text(params.scale)
        ));
    }
    Ok(easy)
}

impl Ces {
    /// Validates params: the scale must run from low to high, `easy` (given, or the default
    /// when higher is easier) must lie inside it, and the confidence must lie strictly
    /// between 0 and 1.
    pub fn new(params: CesParams) -> Result<Self, String> {
        let [lo, hi] = params.scale;
        if lo >= hi {
            return Err(format!(
                "scale = [{lo}, {hi}] must be [lowest score, highest score] with lowest < highest, \
                 e.g. [1, 7]"
            ));
        }
        let easy = resolve_easy(&params)?;
        check_confidence(params.confidence)?;
        Ok(Ces { params, easy })
    }

    /// The validated params.
    pub fn params(&self) -> &CesParams {
        &self.params
    }

    /// The resolved range of easy scores.
    pub fn easy(&self) -> [i64; 2] {
        self.easy
    }

    /// The scale's direction in words.
    pub fn direction(&self) -> &'static str {
        if self.params.higher_is_easier {
            "higher is easier"
        } else {
            "lower is easier"
        }
    }

    /// The unit of the headline value, e.g. `mean effort score (1-7, higher = easier)`.
    pub fn unit(&self) -> String {
        let easier = if self.params.higher_is_easier {
            "higher"
        } else {
            "lower"
        };
        format!(
            "mean effort score ({}, {easier} = easier)",
            range_text(self.params.scale)
        )
    }

    /// Folds one answer with its weight into `state` (what `update` does with a row).
    #[inline]
    pub fn tally(
        &self,
        state: &mut CesState,
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
        let [e_lo, e_hi] = self.easy;
        if (e_lo..=e_hi).contains(&score) {
            state.easy += weight;
        }
        state.moments.add(score as f64, weight);
        Ok(())
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &CesState) -> MetricResult {
        let level = self.params.confidence;
        let n = state.moments.weight;
        let value = if n > 0.0 { state.moments.mean() } else { None };
        let ci = if n >= 2.0 {
            cxm_stats::t_interval(&state.moments, level)
        } else {
            None
        };
        let ci = ci.map(|(low, high)| Interval {
            low,
            high,
            level,
            method: "t".to_string(),
        });
        let easy_pct = if n > 0.0 {
            number(100.0 * state.easy / n)
        } else {
            Value::Null
        };
        let easy_pct_ci = cxm_stats::wilson(state.easy, n, level)
            .map_or(Value::Null, |(low, high)| {
                interval_detail((100.0 * low, 100.0 * high), level, "wilson")
            });
        let mut result = MetricResult {
            value,
            unit: self.unit(),
            n,
            ci,
            basis: mean_basis(&state.moments),
            ..Default::default()
        }
        .detail("easy", number(state.easy))
        .detail("easy_pct", easy_pct)
        .detail("easy_pct_ci", easy_pct_ci)
        .detail("easy_range", range_text(self.easy))
        .detail("direction", self.direction())
        .detail("scale", range_text(self.params.scale));
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        if n < self.params.min_n as f64 || n <= 0.0 {
            result = result.warn("low_sample");
        }
        result
    }
}

impl Metric for Ces {
    const NAME: &'static str = "ces";
    const DESCRIPTION: &'static str =
        "Customer Effort Score: mean effort score with a t interval, plus the % of easy answers.";
    const INPUTS: &'static [Input] = &[Input::required(
        "score",
        InputType::Integer,
        "effort rating, an integer on the declared scale (1-7 by default)",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new("scale", "[int, int]", "[1, 7]", "Lowest and highest valid score; others are rejected as out_of_scale."),
        Param::new(
            "higher_is_easier",
            "bool",
            "true",
            "true for the CES 2.0 agreement scale (\"the company made it easy\"); false for legacy \
             effort scales where 1 = no effort, which then require `easy`.",
        ),
        Param::new(
            "easy",
            "[int, int]",
            "[5, 7]",
            "Scores that count as easy (inclusive, inside scale), for easy_pct. The default \
             applies only when higher_is_easier = true; otherwise easy is required.",
        ),
        Param::new("confidence", "number", "0.95", "Confidence level of the intervals, between 0 and 1."),
        Param::new("min_n", "int", "30", "Results with fewer (weighted) answers carry the warning low_sample."),
    ];

    type Params = CesParams;
    type State = CesState;

    fn bind(params: CesParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Ces::new(params)
    }

    #[inline]
    fn update(&self, state: &mut CesState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.int(SCORE), row.weight())
    }

    fn merge(&self, into: &mut CesState, from: &CesState) {
        into.merge(from);
    }

    fn finish(&self, state: &CesState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Ces);
