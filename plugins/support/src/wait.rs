//! The `wait_time` metric: average queue wait = total wait / customers served (METRICS.md
//! "Support metrics"; 500 minutes over 200 calls → 2.5 minutes).
//!
//! The wait is read either as a number (`wait`, in `input_unit`) or as the difference of two
//! timestamps (`queued_at`, `answered_at`); exactly one form must be mapped. A contact with
//! an empty wait or an empty `answered_at` was not served: it is rejected as `not_served`
//! and counted in `details.without_end_event`.

use crate::duration::{
    between, check_confidence, check_weight, result, unit_param, Durations, Reporting, TimeUnit,
    CONFIDENCE_PARAM, EXACT_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;
use cxm_stats::QuantilePolicy;

/// Index of the `wait` input.
const WAIT: usize = 0;
/// Index of the `queued_at` input.
const QUEUED: usize = 1;
/// Index of the `answered_at` input.
const ANSWERED: usize = 2;
/// The reason of a contact that was not served.
const NOT_SERVED: &str = "not_served";

/// The `params` table of `wait_time`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaitParams {
    /// Unit of the reported durations.
    pub unit: TimeUnit,
    /// Unit of the `wait` input (only with the `wait` form; minutes when not given).
    pub input_unit: Option<TimeUnit>,
    /// Confidence level of the t interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
    /// Keep every wait (exact quantiles) instead of a 1% sketch beyond 4096 per group.
    pub exact: bool,
}

impl Default for WaitParams {
    fn default() -> Self {
        WaitParams {
            unit: TimeUnit::Minutes,
            input_unit: None,
            confidence: 0.95,
            min_n: 30,
            exact: false,
        }
    }
}

/// How the wait is read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WaitForm {
    /// A number in some unit, multiplied by this factor into the reporting unit.
    Number(f64),
    /// `answered_at − queued_at`.
    Timestamps,
}

/// The bound `wait_time` metric.
#[derive(Clone, Debug)]
pub struct WaitTime {
    form: WaitForm,
    reporting: Reporting,
}

impl WaitTime {
    /// Validates params against which of `wait`, `queued_at`, `answered_at` are mapped.
    pub fn new(params: WaitParams, mapped: [bool; 3]) -> Result<Self, String> {
        let [wait, queued, answered] = mapped;
        let form =
            match (wait, queued || answered) {
                (true, true) => return Err(
                    "map either 'wait' (the wait as a number) or 'queued_at' and 'answered_at' \
                     (two timestamps), not both"
                        .into(),
                ),
                (false, false) => {
                    return Err(
                        "no wait is mapped: map 'wait' to a field with the wait as a number (in \
                     input_unit, minutes by default), or map both 'queued_at' and 'answered_at' \
                     to timestamp fields"
                            .into(),
                    )
                }
                (true, false) => {
                    let input = params.input_unit.unwrap_or(TimeUnit::Minutes);
                    WaitForm::Number(input.seconds() / params.unit.seconds())
                }
                (false, true) => {
                    if !(queued && answered) {
                        let (have, lack) = if queued {
                            ("queued_at", "answered_at")
                        } else {
                            ("answered_at", "queued_at")
                        };
                        return Err(format!(
                            "'{have}' is mapped but '{lack}' is not: the wait is answered_at − \
                         queued_at, so map both (leave answered_at empty for contacts not served)"
                        ));
                    }
                    if let Some(unit) = params.input_unit {
                        return Err(format!(
                        "input_unit = \"{}\" applies only to the 'wait' number; with queued_at \
                         and answered_at timestamps remove it (set 'unit' for the reported unit)",
                        unit.name()
                    ));
                    }
                    WaitForm::Timestamps
                }
            };
        check_confidence(params.confidence)?;
        Ok(WaitTime {
            form,
            reporting: Reporting {
                unit: params.unit,
                confidence: params.confidence,
                min_n: params.min_n,
                quantiles: QuantilePolicy::from_exact(params.exact),
            },
        })
    }

    /// How the wait is read.
    pub fn form(&self) -> WaitForm {
        self.form
    }

    /// Folds a wait given as a number (in the input unit) into `state`.
    pub fn tally_number(
        &self,
        state: &mut Durations,
        wait: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        check_weight(weight)?;
        let WaitForm::Number(factor) = self.form else {
            return Err(Reject::InvalidValue);
        };
        let Some(wait) = wait else {
            state.missing_end(weight);
            return Err(Reject::Own(NOT_SERVED));
        };
        if !wait.is_finite() {
            return Err(Reject::NotANumber);
        }
        if wait < 0.0 {
            return Err(Reject::NegativeDuration);
        }
        state.add(wait * factor, weight, self.reporting.quantiles);
        Ok(())
    }

    /// Folds a wait given as two timestamps into `state`.
    pub fn tally_timestamps(
        &self,
        state: &mut Durations,
        queued: Option<i64>,
        answered: Option<i64>,
        weight: f64,
    ) -> Result<(), Reject> {
        check_weight(weight)?;
        if self.form != WaitForm::Timestamps {
            return Err(Reject::InvalidValue);
        }
        let queued = queued.ok_or(Reject::Empty)?;
        let Some(answered) = answered else {
            state.missing_end(weight);
            return Err(Reject::Own(NOT_SERVED));
        };
        state.add(
            between(queued, answered, self.reporting.unit)?,
            weight,
            self.reporting.quantiles,
        );
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &Durations) -> MetricResult {
        result(state, self.reporting)
    }
}

impl Metric for WaitTime {
    const NAME: &'static str = "wait_time";
    const DESCRIPTION: &'static str =
        "Average wait time: total queue wait / customers served (mean, median, p90, p95).";
    const INPUTS: &'static [Input] = &[
        Input::optional(
            "wait",
            InputType::Number,
            "the wait as a number in input_unit; empty = not served (or map queued_at + answered_at)",
        ),
        Input::optional("queued_at", InputType::Timestamp, "when the contact entered the queue"),
        Input::optional(
            "answered_at",
            InputType::Timestamp,
            "when the contact was answered; empty = not served",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        unit_param("\"minutes\""),
        Param::new(
            "input_unit",
            "\"seconds\" | \"minutes\" | \"hours\" | \"days\"",
            "\"minutes\"",
            "Unit of the 'wait' input (only when 'wait' is mapped).",
        ),
        CONFIDENCE_PARAM,
        MIN_N_PARAM,
        EXACT_PARAM,
    ];
    const REASONS: &'static [&'static str] = &[NOT_SERVED];

    type Params = WaitParams;
    type State = Durations;

    fn bind(params: WaitParams, inputs: &BoundInputs) -> Result<Self, String> {
        WaitTime::new(
            params,
            [
                inputs.is_mapped(WAIT),
                inputs.is_mapped(QUEUED),
                inputs.is_mapped(ANSWERED),
            ],
        )
    }

    #[inline]
    fn update(&self, state: &mut Durations, row: &Row<'_>) -> Result<(), Reject> {
        match self.form {
            WaitForm::Number(_) => self.tally_number(state, row.number(WAIT), row.weight()),
            WaitForm::Timestamps => self.tally_timestamps(
                state,
                row.timestamp(QUEUED),
                row.timestamp(ANSWERED),
                row.weight(),
            ),
        }
    }

    fn merge(&self, into: &mut Durations, from: &Durations) {
        into.merge(from, self.reporting.quantiles);
    }

    fn finish(&self, state: &Durations) -> MetricResult {
        self.result(state)
    }
}
