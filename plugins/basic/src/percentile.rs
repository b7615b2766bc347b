//! The `percentile` metric: the weighted p-quantile of `value`.
//!
//! Definition: Hyndman & Fan (1996) definition 2 (inverse of the empirical distribution
//! function, averaging at discontinuities), generalised to frequency weights by
//! [`cxm_stats::WeightedSample`]: with values sorted and cumulative weight C_i, the
//! p-quantile is the smallest x_i with C_i ≥ p·W, or the mean of x_i and the next value
//! when C_i = p·W exactly. With integer weights this equals definition 2 on the expanded
//! rows. Details: `p`, `median` (same definition), `min`, `max`, `definition`,
//! `quantile_method` and, when the quantiles were estimated, `relative_error`.
//!
//! No confidence interval is reported. A distribution-free interval for a quantile exists
//! (the order-statistic method: ranks from the Binomial(n, p) distribution), but it is
//! defined for a count of independent observations; with fractional weights the binomial
//! n is undefined, and with integer weights it needs the ranks of the expanded rows. That
//! is out of scope here, so `ci` stays empty rather than being approximated.
//!
//! Memory: by default the state is a [`cxm_stats::Quantiles`], which keeps every (value,
//! weight) pair while a group has at most 4096 values (and a total weight of at most 4096),
//! so results on such groups are exact, and beyond that folds them into a DDSketch (Masson,
//! Rim & Lee, VLDB 2019) of 1% relative accuracy: `value` and `median` are then each within
//! 1% of the exact definition-2 value (`details.quantile_method` = `"DDSketch (relative
//! error 1%)"`, `details.relative_error` = 0.01), in a few KB per group whatever the number
//! of rows. `min` and `max` stay exact. `exact = true` keeps every pair instead
//! (`"exact (Hyndman-Fan definition 2)"`), at 16 bytes per value plus the vector's growth
//! (up to twice that while it grows, and a sorted copy when the result is computed).
//! Either way merging is exact: merged states give the quantiles of the union, in any
//! order.

use crate::common::{
    check_unit, check_weight, detail_number, finite_number, number_text, sample_warnings, Extremes,
    DEFAULT_MIN_N,
};
use cxm_sdk::prelude::*;
use cxm_stats::{QuantilePolicy, Quantiles};

/// Index of the `value` input in [`Metric::INPUTS`].
const VALUE: usize = 0;
/// The quantile definition, in words, as reported in `details.definition`.
pub const DEFINITION: &str = "Hyndman-Fan definition 2 (inverse of the weighted empirical \
                              distribution function, averaging at discontinuities)";

/// The `params` table of the `percentile` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PercentileParams {
    /// The quantile as a fraction strictly between 0 and 1 (0.9 = 90th percentile).
    pub p: Option<f64>,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
    /// Unit of the values (`"EUR"`).
    pub unit: Option<String>,
    /// Keep every value (exact quantiles, 16 bytes per value) instead of switching to a 1%
    /// sketch beyond 4096 values per group.
    pub exact: bool,
}

impl Default for PercentileParams {
    fn default() -> Self {
        PercentileParams {
            p: None,
            min_n: DEFAULT_MIN_N,
            unit: None,
            exact: false,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PercentileState {
    /// The values with their weights: exact while few, a sketch beyond (see the module
    /// documentation).
    pub quantiles: Quantiles,
    /// Σw: the weighted number of values.
    pub n: f64,
    /// Smallest and largest value.
    pub extremes: Extremes,
}

impl PercentileState {
    /// Adds the values of `other`; `policy` is the metric's (see [`Percentile::policy`]).
    pub fn merge(&mut self, other: &PercentileState, policy: QuantilePolicy) {
        self.quantiles.merge(&other.quantiles, policy);
        self.n += other.n;
        self.extremes.merge(&other.extremes);
    }
}

/// The bound `percentile` metric.
#[derive(Clone, Debug)]
pub struct Percentile {
    p: f64,
    params: PercentileParams,
    policy: QuantilePolicy,
}

/// `p` as an ordinal percentile: 0.9 → `90th`, 0.5 → `50th`, 0.01 → `1st`, 0.925 → `92.5th`.
pub fn ordinal(p: f64) -> String {
    // Rounded to 10 decimals so 0.07 · 100 = 7.000000000000001 prints as 7.
    let pct = (p * 100.0 * 1e10).round() / 1e10;
    let text = number_text(pct);
    let suffix = if pct.fract() != 0.0 {
        "th"
    } else {
        match (pct as i64 % 10, pct as i64 % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        }
    };
    format!("{text}{suffix}")
}

/// Checks `p`: required, strictly between 0 and 1.
fn check_p(p: Option<f64>) -> Result<f64, String> {
    let Some(p) = p else {
        return Err(
            "p is required: the percentile as a fraction, e.g. p = 0.9 for the 90th percentile"
                .to_string(),
        );
    };
    if p > 0.0 && p < 1.0 {
        return Ok(p);
    }
    let hint = if p > 1.0 && p < 100.0 {
        format!(
            "write {} for the {} percentile",
            number_text(p / 100.0),
            ordinal(p / 100.0)
        )
    } else if p == 1.0 {
        "p = 1 is the maximum, reported as details.max; write 0.9 for the 90th percentile"
            .to_string()
    } else {
        "write 0.9 for the 90th percentile".to_string()
    };
    Err(format!(
        "p = {p} must be a fraction strictly between 0 and 1: {hint}"
    ))
}

impl Percentile {
    /// Validates params: `p` in (0, 1), a non-blank unit.
    pub fn new(params: PercentileParams) -> Result<Self, String> {
        let p = check_p(params.p)?;
        check_unit(params.unit.as_deref())?;
        let policy = QuantilePolicy::from_exact(params.exact);
        Ok(Percentile { p, params, policy })
    }

    /// When the state switches from every value to a sketch (never with `exact = true`).
    pub fn policy(&self) -> QuantilePolicy {
        self.policy
    }

    /// Folds one value with its weight into `state`.
    pub fn tally(
        &self,
        state: &mut PercentileState,
        value: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let x = finite_number(value)?;
        let w = check_weight(weight)?;
        state.quantiles.add(x, w, self.policy);
        state.n += w;
        state.extremes.add(x, w);
        Ok(())
    }

    /// The unit: which percentile, by which definition, in which unit.
    pub fn unit(&self) -> String {
        let what = format!("{} percentile (Hyndman-Fan definition 2)", ordinal(self.p));
        match &self.params.unit {
            Some(unit) => format!("{unit}, {what}"),
            None => format!("{what}, in the unit of the input"),
        }
    }

    /// The result of one group.
    pub fn result(&self, state: &PercentileState) -> MetricResult {
        let q = state.quantiles.quantiles(&[self.p, 0.5]);
        let mut result = MetricResult {
            value: q.get(0),
            unit: self.unit(),
            n: state.n,
            // No test basis: a percentile is not a mean, share or NPS (its difference
            // would need a different test).
            ..Default::default()
        }
        .detail("p", number(self.p))
        .detail("median", detail_number(q.get(1)))
        .detail("min", detail_number(state.extremes.min))
        .detail("max", detail_number(state.extremes.max))
        .detail("definition", DEFINITION)
        .detail("quantile_method", q.method.describe());
        if let Some(error) = q.method.relative_error() {
            result = result.detail("relative_error", number(error));
        }
        sample_warnings(result, self.params.min_n)
    }
}

impl Metric for Percentile {
    const NAME: &'static str = "percentile";
    const DESCRIPTION: &'static str =
        "Weighted percentile of a number (Hyndman-Fan definition 2), with median, min and max.";
    const INPUTS: &'static [Input] = &[Input::required(
        "value",
        InputType::Number,
        "the number whose percentile is taken",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "p",
            "number",
            "required",
            "The percentile as a fraction strictly between 0 and 1: 0.9 for the 90th percentile.",
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
            "none",
            "Unit of the values (e.g. \"EUR\"), put in front of the percentile's description.",
        ),
        Param::new(
            "exact",
            "bool",
            "false",
            "Keep every value for exact quantiles (16 bytes per value, plus growth). By default a group keeps its values exactly up to 4096, then a DDSketch within 1% relative error (details.quantile_method, details.relative_error).",
        ),
    ];

    type Params = PercentileParams;
    type State = PercentileState;

    fn bind(params: PercentileParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Percentile::new(params)
    }

    #[inline]
    fn update(&self, state: &mut PercentileState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.number(VALUE), row.weight())
    }

    fn merge(&self, into: &mut PercentileState, from: &PercentileState) {
        into.merge(from, self.policy);
    }

    fn finish(&self, state: &PercentileState) -> MetricResult {
        self.result(state)
    }
}
