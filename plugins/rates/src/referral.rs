//! The `referral_rate` metric: 100 · new customers acquired by referral / all new customers
//! (METRICS.md "Conversion rate and referral rate"), with a Wilson interval. One row per new
//! customer; the referral is read either from a boolean (`referred`) or from the acquisition
//! source (`source`, a referral when it is one of `referral_sources`, case-insensitive).

use crate::common::{
    check_weight, rate_result, Proportion, RateSettings, CONFIDENCE_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;

/// Index of the `referred` input.
const REFERRED: usize = 0;
/// Index of the `source` input.
const SOURCE: usize = 1;
/// The unit of the rate.
pub const UNIT: &str = "% of new customers acquired by referral";

/// The `params` table of `referral_rate`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralParams {
    /// Source values that mean "referral" (only with `source`; `["referral"]` when not
    /// given).
    pub referral_sources: Option<Vec<String>>,
    /// Confidence level of the Wilson interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted number of new customers the result carries `low_sample`.
    pub min_n: u64,
}

impl Default for ReferralParams {
    fn default() -> Self {
        ReferralParams {
            referral_sources: None,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// How a referral is recognised.
#[derive(Clone, Debug, PartialEq)]
pub enum ReferralForm {
    /// The `referred` boolean.
    Flag,
    /// The `source` text is one of these (trimmed, lower-cased).
    Source(Vec<String>),
}

/// The bound `referral_rate` metric.
#[derive(Clone, Debug)]
pub struct ReferralRate {
    form: ReferralForm,
    settings: RateSettings,
}

impl ReferralRate {
    /// Validates params against which of `referred` and `source` are mapped.
    pub fn new(params: ReferralParams, referred: bool, source: bool) -> Result<Self, String> {
        let form = match (referred, source) {
            (true, true) => {
                return Err(
                    "map either 'referred' (a true/false field) or 'source' (the acquisition \
                     source), not both"
                        .into(),
                )
            }
            (false, false) => {
                return Err(
                    "no referral input is mapped: map 'referred' to a true/false field, or \
                     'source' to the acquisition source (with referral_sources listing the \
                     values that mean referral)"
                        .into(),
                )
            }
            (true, false) => {
                if params.referral_sources.is_some() {
                    return Err(
                        "referral_sources applies only when 'source' is mapped; with \
                         'referred' remove it"
                            .into(),
                    );
                }
                ReferralForm::Flag
            }
            (false, true) => {
                let sources = params
                    .referral_sources
                    .unwrap_or_else(|| vec!["referral".to_string()]);
                if sources.is_empty() {
                    return Err(
                        "referral_sources is empty: list the source values that mean \
                         referral, e.g. [\"referral\", \"friend\"]"
                            .into(),
                    );
                }
                let sources = sources
                    .iter()
                    .map(|s| {
                        let s = s.trim().to_lowercase();
                        if s.is_empty() {
                            Err("referral_sources contains an empty value".to_string())
                        } else {
                            Ok(s)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                ReferralForm::Source(sources)
            }
        };
        Ok(ReferralRate {
            form,
            settings: RateSettings::new(params.confidence, params.min_n)?,
        })
    }

    /// How a referral is recognised.
    pub fn form(&self) -> &ReferralForm {
        &self.form
    }

    /// Folds one new customer into `state`, from the `referred` flag or the `source`.
    pub fn tally(
        &self,
        state: &mut Proportion,
        referred: Option<bool>,
        source: Option<&str>,
        weight: f64,
    ) -> Result<(), Reject> {
        let hit = match &self.form {
            ReferralForm::Flag => referred.ok_or(Reject::Empty)?,
            ReferralForm::Source(sources) => {
                let source = source
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .ok_or(Reject::Empty)?
                    .to_lowercase();
                sources.contains(&source)
            }
        };
        check_weight(weight)?;
        state.add(hit, weight);
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &Proportion) -> MetricResult {
        rate_result(state, UNIT, self.settings)
            .detail("referred", number(state.hits))
            .detail("new_customers", number(state.total))
    }
}

impl Metric for ReferralRate {
    const NAME: &'static str = "referral_rate";
    const DESCRIPTION: &'static str =
        "Referral rate: % of new customers acquired by referral, with a Wilson interval.";
    const INPUTS: &'static [Input] = &[
        Input::optional(
            "referred",
            InputType::Boolean,
            "whether the new customer came by referral (or map source instead)",
        ),
        Input::optional(
            "source",
            InputType::Text,
            "acquisition source; a referral when it is one of referral_sources",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "referral_sources",
            "[string, ...]",
            "[\"referral\"]",
            "Source values that mean referral (case-insensitive; only with the source input).",
        ),
        CONFIDENCE_PARAM,
        MIN_N_PARAM,
    ];

    type Params = ReferralParams;
    type State = Proportion;

    fn bind(params: ReferralParams, inputs: &BoundInputs) -> Result<Self, String> {
        ReferralRate::new(params, inputs.is_mapped(REFERRED), inputs.is_mapped(SOURCE))
    }

    #[inline]
    fn update(&self, state: &mut Proportion, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.boolean(REFERRED), row.text(SOURCE), row.weight())
    }

    fn merge(&self, into: &mut Proportion, from: &Proportion) {
        into.merge(from);
    }

    fn finish(&self, state: &Proportion) -> MetricResult {
        self.result(state)
    }
}
