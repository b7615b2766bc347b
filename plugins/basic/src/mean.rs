//! The `mean` metric: the weighted mean Σw·x / Σw of `value`, with a t interval.
//!
//! The interval is mean ± t(level, df = n − 1) · s / √n, with s the sample standard
//! deviation under frequency weights, s² = (Σw·x² − (Σw·x)²/Σw) / (Σw − 1), so weighted rows
//! give exactly the interval of the expanded rows. Details: `sd`, `min`, `max`. With
//! `range = [lo, hi]`, values outside the inclusive range are rejected as `out_of_scale`.
//! The state holds weighted moments and extremes, merged by addition and by extremes.

use crate::common::{
    check_confidence, check_unit, check_weight, detail_number, finite_number, low_high,
    sample_warnings, Extremes, DEFAULT_CONFIDENCE, DEFAULT_MIN_N,
};
use cxm_sdk::prelude::*;
use cxm_stats::Moments;
use serde_json::Value;

/// Index of the `value` input in [`Metric::INPUTS`].
const VALUE: usize = 0;
/// Default unit of the mean.
pub const DEFAULT_UNIT: &str = "mean, in the unit of the input";

/// The `params` table of the `mean` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeanParams {
    /// Inclusive valid range of the values; others are rejected as `out_of_scale`.
    pub range: Option<Vec<f64>>,
    /// Confidence level of the interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
    /// Unit of the values and so of the mean (`"EUR"`).
    pub unit: Option<String>,
}

impl Default for MeanParams {
    fn default() -> Self {
        MeanParams {
            range: None,
            confidence: DEFAULT_CONFIDENCE,
            min_n: DEFAULT_MIN_N,
            unit: None,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanState {
    /// Σw, Σw·x, Σw·x²; `moments.weight` is n.
    pub moments: Moments,
    /// Smallest and largest value.
    pub extremes: Extremes,
}

impl MeanState {
    /// Adds the sums and extremes of `other`.
    pub fn merge(&mut self, other: &MeanState) {
        self.moments.merge(&other.moments);
        self.extremes.merge(&other.extremes);
    }
}

/// The test basis of the mean: mean, sample variance (frequency weights) and n; `None`
/// when n <= 1, where the sample variance is undefined.
fn mean_basis(m: &Moments) -> Option<TestBasis> {
    Some(TestBasis::Mean {
        mean: m.mean()?,
        variance: m.sample_variance()?,
        n: m.weight,
    })
}

/// The bound `mean` metric.
#[derive(Clone, Debug)]
pub struct Mean {
    params: MeanParams,
    /// The validated `range`.
    range: Option<[f64; 2]>,
}

impl Mean {
    /// Validates params: a finite range from low to high, a confidence in (0, 1), a
    /// non-blank unit.
    pub fn new(params: MeanParams) -> Result<Self, String> {
        let range = params
            .range
            .as_deref()
            .map(|r| low_high("range", r))
            .transpose()?;
        check_confidence(params.confidence)?;
        check_unit(params.unit.as_deref())?;
        Ok(Mean { params, range })
    }

    /// Folds one value with its weight into `state`.
    pub fn tally(
        &self,
        state: &mut MeanState,
        value: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let x = finite_number(value)?;
        if let Some([lo, hi]) = self.range {
            if !(lo..=hi).contains(&x) {
                return Err(Reject::OutOfScale);
            }
        }
        let w = check_weight(weight)?;
        state.moments.add(x, w);
        state.extremes.add(x, w);
        Ok(())
    }

    /// The unit of the mean: the `unit` param, or a reminder that it is the input's unit.
    pub fn unit(&self) -> String {
        self.params
            .unit
            .clone()
            .unwrap_or_else(|| DEFAULT_UNIT.to_string())
    }

    /// The result of one group.
    pub fn result(&self, state: &MeanState) -> MetricResult {
        let m = &state.moments;
        let level = self.params.confidence;
        let ci = cxm_stats::t_interval(m, level).map(|(low, high)| Interval {
            low,
            high,
            level,
            method: "t".to_string(),
        });
        let range = self
            .range
            .map_or(Value::Null, |[lo, hi]| json!([number(lo), number(hi)]));
        let result = MetricResult {
            value: m.mean(),
            unit: self.unit(),
            n: m.weight,
            ci,
            basis: mean_basis(m),
            ..Default::default()
        }
        .detail("sd", detail_number(m.sample_variance().map(f64::sqrt)))
        .detail("min", detail_number(state.extremes.min))
        .detail("max", detail_number(state.extremes.max))
        .detail("range", range);
        sample_warnings(result, self.params.min_n)
    }
}

impl Metric for Mean {
    const NAME: &'static str = "mean";
    const DESCRIPTION: &'static str =
        "Weighted mean of a number, with a t interval, the standard deviation, min and max.";
    const INPUTS: &'static [Input] = &[Input::required(
        "value",
        InputType::Number,
        "the number to average",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "range",
            "[number, number]",
            "none",
            "Inclusive valid range [lowest, highest]; values outside are rejected as out_of_scale.",
        ),
        Param::new(
            "confidence",
            "number",
            "0.95",
            "Confidence level of the t interval, between 0 and 1.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) values carry the warning low_sample.",
        ),
        Param::new(
            "unit",
            "string",
            "\"mean, in the unit of the input\"",
            "Unit of the values and so of the mean (e.g. \"EUR\").",
        ),
    ];

    type Params = MeanParams;
    type State = MeanState;

    fn bind(params: MeanParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Mean::new(params)
    }

    #[inline]
    fn update(&self, state: &mut MeanState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.number(VALUE), row.weight())
    }

    fn merge(&self, into: &mut MeanState, from: &MeanState) {
        into.merge(from);
    }

    fn finish(&self, state: &MeanState) -> MetricResult {
        self.result(state)
    }
}
