//! The `sum` metric: Σ w·x over the rows' `value`, with w the row weight.
//!
//! An empty value is rejected as `empty` (by the SDK, the input being required), a NaN or
//! infinite one as `not_a_number`. The state holds Σw and Σw·x, merged by addition.

use crate::common::{check_unit, check_weight, finite_number, sample_warnings, DEFAULT_MIN_N};
use cxm_sdk::prelude::*;

/// Index of the `value` input in [`Metric::INPUTS`].
const VALUE: usize = 0;
/// Default unit of the sum.
pub const DEFAULT_UNIT: &str = "sum";

/// The `params` table of the `sum` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SumParams {
    /// Unit of the values and so of the sum (`"EUR"`).
    pub unit: Option<String>,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for SumParams {
    fn default() -> Self {
        SumParams {
            unit: None,
            min_n: DEFAULT_MIN_N,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SumState {
    /// Σw: the weighted number of values.
    pub n: f64,
    /// Σw·x.
    pub sum: f64,
}

/// The bound `sum` metric.
#[derive(Clone, Debug)]
pub struct Sum {
    params: SumParams,
}

impl Sum {
    /// Validates params.
    pub fn new(params: SumParams) -> Result<Self, String> {
        check_unit(params.unit.as_deref())?;
        Ok(Sum { params })
    }

    /// Folds one value with its weight into `state`.
    pub fn tally(
        &self,
        state: &mut SumState,
        value: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let x = finite_number(value)?;
        let w = check_weight(weight)?;
        state.n += w;
        state.sum += w * x;
        Ok(())
    }

    /// The unit of the sum: the `unit` param, or `sum`.
    pub fn unit(&self) -> String {
        self.params
            .unit
            .clone()
            .unwrap_or_else(|| DEFAULT_UNIT.to_string())
    }

    /// The result of one group: value = Σw·x (no value when no row was used).
    pub fn result(&self, state: &SumState) -> MetricResult {
        let result = MetricResult {
            value: (state.n > 0.0).then_some(state.sum),
            unit: self.unit(),
            n: state.n,
            // No test basis: a sum is not a mean, share or NPS.
            ..Default::default()
        };
        sample_warnings(result, self.params.min_n)
    }
}

impl Metric for Sum {
    const NAME: &'static str = "sum";
    const DESCRIPTION: &'static str = "Weighted sum of a number: sum of weight x value.";
    const INPUTS: &'static [Input] = &[Input::required(
        "value",
        InputType::Number,
        "the number to add up",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "unit",
            "string",
            "\"sum\"",
            "Unit of the values and so of the sum (e.g. \"EUR\").",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) values carry the warning low_sample.",
        ),
    ];

    type Params = SumParams;
    type State = SumState;

    fn bind(params: SumParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Sum::new(params)
    }

    #[inline]
    fn update(&self, state: &mut SumState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.number(VALUE), row.weight())
    }

    fn merge(&self, into: &mut SumState, from: &SumState) {
        into.n += from.n;
        into.sum += from.sum;
    }

    fn finish(&self, state: &SumState) -> MetricResult {
        self.result(state)
    }
}
