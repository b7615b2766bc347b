//! The `retention` and `churn` metric plugins: customer retention rate (CRR) and churn rate
//! per calendar period, as defined in METRICS.md ("Retention rate (CRR) and churn rate"),
//! and `snapshot_churn` ([`snapshot`]): churn from a churned flag, one row per customer.
//!
//! Input: one row per customer with `start_date` and `end_date` (empty = still active); a
//! customer's life is [start, end), end being the day they left. For each half-open period
//! [t0, t1) of the `period` param: S = customers active at t0 (start < t0 ≤ end),
//! N = customers whose start is in the period, E = customers active at t1 (start < t1 ≤ end),
//! L = customers whose end is in the period. CRR = 100 · (E − N) / S and
//! churn = 100 · L / S; S = 0 gives no value and the warning `no_customers_at_start`.
//! Since E = S + N − L, CRR = 100 − churn: a customer who joins and leaves within one
//! period counts in both N and L, as the spec's formula implies.
//!
//! The headline is the last period of the range; every period is in the table `periods`.
//! Counts are weighted; the state holds per-period weighted counts merged by addition.
//!
//! Both rates are shares of S (retained E − N of S, lost L of S), so each comes with a
//! Wilson score interval on those counts (Wilson 1927), as every other share in cxm does,
//! at the `confidence` level: the headline's in `ci`, each period's in the table. Where a
//! rate is not a share of S (customers who join and leave within the period can make
//! L > S) it has no interval and no test basis.

use cxm_sdk::prelude::*;

pub mod params;
pub mod report;
pub mod snapshot;
pub mod state;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_abi;

pub use params::{Grain, PeriodSpec, Periods, RetentionParams};
pub use report::{Kind, PERIOD_COLUMNS};
pub use snapshot::{SnapshotChurn, SnapshotParams, SnapshotState};
pub use state::{PeriodCounts, RetentionState};

/// Index of the `start_date` input.
const START: usize = 0;
/// Index of the `end_date` input.
const END: usize = 1;
/// Own reason: the customer's end date is before their start date.
pub const END_BEFORE_START: &str = "end_before_start";

const INPUTS: &[Input] = &[
    Input::required(
        "start_date",
        InputType::Date,
        "the day the customer started (first day as a customer)",
    ),
    Input::optional(
        "end_date",
        InputType::Date,
        "the day the customer left; empty = still a customer",
    ),
    Input::optional(
        "customer_id",
        InputType::Text,
        "the customer's id (optional; not needed for the counts, one row per customer)",
    ),
];

const PARAMS: &[Param] = &[
    Param::new(
        "period",
        "{ from = \"YYYY-MM-DD\", to = \"YYYY-MM-DD\", grain = \"week\" | \"month\" | \"quarter\" | \"year\" }",
        "(required)",
        "The range measured, [from, to) with to exclusive, cut into calendar periods of the grain \
         (from and to must start a period; weeks are ISO weeks from Monday). Without grain the \
         range is one period. The headline is the last period; the table lists them all, with \
         each period's end as the exclusive day after it.",
    ),
    Param::new(
        "confidence",
        "number",
        "0.95",
        "Confidence level of the Wilson interval of the rates, between 0 and 1.",
    ),
    Param::new(
        "min_n",
        "int",
        "30",
        "Results with fewer (weighted) customers at the start of the last period carry the \
         warning low_sample.",
    ),
];

/// What `retention` and `churn` share: the bound periods, `confidence` and `min_n`.
#[derive(Clone, Debug)]
pub struct Core {
    periods: Periods,
    confidence: f64,
    min_n: u64,
}

impl Core {
    /// Validates params and builds the periods.
    pub fn new(params: RetentionParams) -> Result<Self, String> {
        Ok(Core {
            periods: Periods::new(params.period.as_ref())?,
            confidence: cxm_sdk::stats::check_confidence(params.confidence)
                .map(|_z| params.confidence)?,
            min_n: params.min_n,
        })
    }

    /// The bound periods.
    pub fn periods(&self) -> &Periods {
        &self.periods
    }

    /// Folds one customer (what `update` does with a row).
    pub fn tally(
        &self,
        state: &mut RetentionState,
        start: Option<i32>,
        end: Option<i32>,
        weight: f64,
    ) -> Result<(), Reject> {
        let start = start.ok_or(Reject::Empty)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        if end.is_some_and(|e| e < start) {
            return Err(Reject::Own(END_BEFORE_START));
        }
        state.add(&self.periods, start, end, weight);
        Ok(())
    }

    /// The result of one group for `kind`.
    pub fn result(&self, kind: Kind, state: &RetentionState) -> MetricResult {
        report::result(kind, &self.periods, self.confidence, self.min_n, state)
    }
}

/// The `retention` metric: CRR = 100 · (E − N) / S of the last period.
#[derive(Clone, Debug)]
pub struct Retention(pub Core);

/// The `churn` metric: churn = 100 · L / S of the last period.
#[derive(Clone, Debug)]
pub struct Churn(pub Core);

macro_rules! period_metric {
    ($ty:ident, $name:literal, $kind:expr, $description:literal) => {
        impl Metric for $ty {
            const NAME: &'static str = $name;
            const DESCRIPTION: &'static str = $description;
            const INPUTS: &'static [Input] = INPUTS;
            const PARAMS: &'static [Param] = PARAMS;
            const REASONS: &'static [&'static str] = &[END_BEFORE_START];

            type Params = RetentionParams;
            type State = RetentionState;

            fn bind(params: RetentionParams, _inputs: &BoundInputs) -> Result<Self, String> {
                Core::new(params).map($ty)
            }

            #[inline]
            fn update(&self, state: &mut RetentionState, row: &Row<'_>) -> Result<(), Reject> {
                self.0
                    .tally(state, row.date(START), row.date(END), row.weight())
            }

            fn merge(&self, into: &mut RetentionState, from: &RetentionState) {
                into.merge(from);
            }

            fn finish(&self, state: &RetentionState) -> MetricResult {
                self.0.result($kind, state)
            }
        }
    };
}

period_metric!(
    Retention,
    "retention",
    Kind::Retention,
    "Customer retention rate per period: 100 x (customers at end - new) / customers at start."
);
period_metric!(
    Churn,
    "churn",
    Kind::Churn,
    "Churn rate per period: 100 x customers lost / customers at start."
);

cxm_sdk::export_plugin!(Retention, Churn, SnapshotChurn);
