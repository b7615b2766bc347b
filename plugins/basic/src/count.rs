//! The `count` metric: the weighted number of rows, optionally only rows with a non-empty
//! `value`.
//!
//! Without inputs every row counts (weight w counts as w rows). When the optional text input
//! `value` is mapped, a row whose value is empty (null, or only whitespace) is rejected as
//! `empty` and so reported, not counted. The state is one weighted count, merged by addition.

use crate::common::{check_unit, check_weight, is_blank, sample_warnings, DEFAULT_MIN_N};
use cxm_sdk::prelude::*;

/// Index of the optional `value` input in [`Metric::INPUTS`].
const VALUE: usize = 0;
/// Default unit of the count.
pub const DEFAULT_UNIT: &str = "rows";

/// The `params` table of the `count` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CountParams {
    /// What one row is, in words (`"orders"`); the unit of the count.
    pub unit: Option<String>,
    /// Below this weighted count the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for CountParams {
    fn default() -> Self {
        CountParams {
            unit: None,
            min_n: DEFAULT_MIN_N,
        }
    }
}

/// The bound `count` metric.
#[derive(Clone, Debug)]
pub struct Count {
    params: CountParams,
    /// Whether `value` is mapped, so an empty value rejects the row.
    value_mapped: bool,
}

impl Count {
    /// Validates params; `value_mapped` tells whether the optional `value` input is mapped.
    pub fn new(params: CountParams, value_mapped: bool) -> Result<Self, String> {
        check_unit(params.unit.as_deref())?;
        Ok(Count {
            params,
            value_mapped,
        })
    }

    /// Folds one row (its `value`, if mapped, and weight) into the count.
    pub fn tally(&self, count: &mut f64, value: Option<&str>, weight: f64) -> Result<(), Reject> {
        if self.value_mapped && value.is_none_or(is_blank) {
            return Err(Reject::Empty);
        }
        *count += check_weight(weight)?;
        Ok(())
    }

    /// The unit of the count: the `unit` param, or `rows`.
    pub fn unit(&self) -> String {
        self.params
            .unit
            .clone()
            .unwrap_or_else(|| DEFAULT_UNIT.to_string())
    }

    /// The result of one group: value = n = the weighted count (no value when it is 0).
    pub fn result(&self, count: f64) -> MetricResult {
        let result = MetricResult {
            value: (count > 0.0).then_some(count),
            unit: self.unit(),
            n: count,
            // No test basis: a count is not a mean, share or NPS.
            ..Default::default()
        };
        sample_warnings(result, self.params.min_n)
    }
}

impl Metric for Count {
    const NAME: &'static str = "count";
    const DESCRIPTION: &'static str =
        "Weighted number of rows; with `value` mapped, only rows whose value is not empty.";
    const INPUTS: &'static [Input] = &[Input::optional(
        "value",
        InputType::Text,
        "optional: when mapped, rows with an empty value are rejected as empty instead of counted",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "unit",
            "string",
            "\"rows\"",
            "What one row is, in words (e.g. \"orders\"): the unit of the count.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Counts below this carry the warning low_sample.",
        ),
    ];

    type Params = CountParams;
    type State = f64;

    fn bind(params: CountParams, inputs: &BoundInputs) -> Result<Self, String> {
        Count::new(params, inputs.is_mapped(VALUE))
    }

    #[inline]
    fn update(&self, count: &mut f64, row: &Row<'_>) -> Result<(), Reject> {
        let value = if self.value_mapped {
            row.text(VALUE)
        } else {
            None
        };
        self.tally(count, value, row.weight())
    }

    fn merge(&self, into: &mut f64, from: &f64) {
        *into += from;
    }

    fn finish(&self, count: &f64) -> MetricResult {
        self.result(*count)
    }
}
