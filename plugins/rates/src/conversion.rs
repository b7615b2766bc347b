//! The `conversion_rate` metric: 100 · converted / leads (or visitors) in the period
//! (METRICS.md "Conversion rate and referral rate"), with a Wilson interval. One row per
//! lead; pre-aggregated data (one row per outcome with a count) uses the dataset weight.

use crate::common::{
    check_weight, rate_result, Proportion, RateSettings, CONFIDENCE_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;

/// Index of the `converted` input.
const CONVERTED: usize = 0;
/// The unit of the rate.
pub const UNIT: &str = "% of leads converted";

/// The `params` table of `conversion_rate`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConversionParams {
    /// Confidence level of the Wilson interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted number of leads the result carries `low_sample`.
    pub min_n: u64,
}

impl Default for ConversionParams {
    fn default() -> Self {
        ConversionParams {
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// The bound `conversion_rate` metric.
#[derive(Clone, Debug)]
pub struct ConversionRate {
    settings: RateSettings,
}

impl ConversionRate {
    /// Validates params.
    pub fn new(params: ConversionParams) -> Result<Self, String> {
        Ok(ConversionRate {
            settings: RateSettings::new(params.confidence, params.min_n)?,
        })
    }

    /// Folds one lead into `state`.
    pub fn tally(
        &self,
        state: &mut Proportion,
        converted: Option<bool>,
        weight: f64,
    ) -> Result<(), Reject> {
        let converted = converted.ok_or(Reject::Empty)?;
        check_weight(weight)?;
        state.add(converted, weight);
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &Proportion) -> MetricResult {
        rate_result(state, UNIT, self.settings)
            .detail("converted", number(state.hits))
            .detail("leads", number(state.total))
    }
}

impl Metric for ConversionRate {
    const NAME: &'static str = "conversion_rate";
    const DESCRIPTION: &'static str =
        "Conversion rate: % of leads (or visitors) that converted, with a Wilson interval.";
    const INPUTS: &'static [Input] = &[Input::required(
        "converted",
        InputType::Boolean,
        "whether the lead converted (one row per lead; use the dataset weight for counts)",
    )];
    const PARAMS: &'static [Param] = &[CONFIDENCE_PARAM, MIN_N_PARAM];

    type Params = ConversionParams;
    type State = Proportion;

    fn bind(params: ConversionParams, _inputs: &BoundInputs) -> Result<Self, String> {
        ConversionRate::new(params)
    }

    #[inline]
    fn update(&self, state: &mut Proportion, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.boolean(CONVERTED), row.weight())
    }

    fn merge(&self, into: &mut Proportion, from: &Proportion) {
        into.merge(from);
    }

    fn finish(&self, state: &Proportion) -> MetricResult {
        self.result(state)
    }
}
