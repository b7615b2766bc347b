//! The `composite` metric plugin: customer health score and any other weighted composite
//! of normalized signals, as defined in METRICS.md ("Customer health score").
//!
//! Each row is one customer (`entity`) at one `snapshot` with any number of numeric signals,
//! mapped by name in the config's `inputs`. Every signal is normalized onto 0-100 (linear
//! or by bands) and the score is Σ weight · normalized / Σ weight over the present signals
//! (`missing = "renormalize"`), with missing signals counted as 0 (`"zero"`) or the row
//! rejected (`"skip"`). The state keeps one entry per (customer, snapshot), merged by key,
//! so the portfolio (the latest snapshot per customer), bands and cooling flags are all
//! computed in `finish` from merged state.
//!
//! The math lives in plain methods ([`Composite::new`], [`Composite::tally`],
//! [`Composite::result`]) that the [`Metric`] impl calls, so it can be tested without the
//! plugin ABI.

use cxm_sdk::prelude::*;
use std::collections::BTreeMap;

mod params;
mod report;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_abi;
#[cfg(test)]
mod tests_params;

pub use params::{Bands, CompositeParams, Missing, Normalize, NormalizeSpec, Signal, SignalSpec};

/// The unit of the headline value.
pub const UNIT: &str = "health score (0-100)";
/// Index of the `entity` input in [`Metric::INPUTS`].
const ENTITY: usize = 0;
/// Index of the `snapshot` input in [`Metric::INPUTS`].
const SNAPSHOT: usize = 1;
/// Own reason: `missing = "skip"` and a signal is empty.
pub const MISSING_SIGNAL: &str = "missing_signal";
/// Own reason: `missing = "renormalize"` and every signal is empty.
pub const NO_SIGNALS: &str = "no_signals";
/// Own reason: a second row for the same customer and snapshot.
pub const DUPLICATE_ENTITY: &str = "duplicate_entity";

/// The scored row of one customer at one snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The composite score, 0-100.
    pub score: f64,
    /// Each signal's normalized value (0-100), in signal order; `None` when missing.
    pub normalized: Vec<Option<f64>>,
    /// The row's weight.
    pub weight: f64,
}

/// The accumulator of one group: one entry per (customer, snapshot); the snapshot is
/// `None` when the `snapshot` input is not mapped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompositeState {
    /// Scored rows by (customer, snapshot).
    pub rows: BTreeMap<(String, Option<i32>), Entry>,
    /// Entries dropped while merging because the destination already had their key.
    pub merge_duplicates: u64,
}

impl CompositeState {
    /// Adds the entries of `other`; on a key present in both, `self`'s entry wins and the
    /// collision is counted in `merge_duplicates`.
    pub fn merge(&mut self, other: &CompositeState) {
        self.merge_duplicates += other.merge_duplicates;
        for (key, entry) in &other.rows {
            if self.rows.contains_key(key) {
                self.merge_duplicates += 1;
            } else {
                self.rows.insert(key.clone(), entry.clone());
            }
        }
    }
}

/// The bound `composite` metric: validated signals (in input order) and params.
#[derive(Clone, Debug)]
pub struct Composite {
    signals: Vec<Signal>,
    params: CompositeParams,
    snapshot_mapped: bool,
}

impl Composite {
    /// Validates params against the mapped signal inputs (`extra`, in bound order).
    pub fn new(
        params: CompositeParams,
        extra: &[String],
        snapshot_mapped: bool,
    ) -> Result<Self, String> {
        let signals = params::check_signals(&params.signals, extra)?;
        params::check_thresholds(&params)?;
        Ok(Composite {
            signals,
            params,
            snapshot_mapped,
        })
    }

    /// The validated signals, in input order.
    pub fn signals(&self) -> &[Signal] {
        &self.signals
    }

    /// The validated params.
    pub fn params(&self) -> &CompositeParams {
        &self.params
    }

    /// The score of one row from its raw signal values (in signal order), with each
    /// signal's normalized value; rejects per the `missing` policy.
    pub fn score(&self, raw: &[Option<f64>]) -> Result<(f64, Vec<Option<f64>>), Reject> {
        let mut weighted = 0.0;
        let mut total_weight = 0.0;
        let mut normalized = Vec::with_capacity(self.signals.len());
        for (signal, value) in self.signals.iter().zip(raw) {
            match value {
                Some(x) if !x.is_finite() => return Err(Reject::NotANumber),
                Some(x) => {
                    let v = signal.normalize.apply(*x);
                    weighted += signal.weight * v;
                    total_weight += signal.weight;
                    normalized.push(Some(v));
                }
                None => {
                    match self.params.missing {
                        Missing::Skip => return Err(Reject::Own(MISSING_SIGNAL)),
                        // Counts as 0 points with its full weight.
                        Missing::Zero => total_weight += signal.weight,
                        Missing::Renormalize => {}
                    }
                    normalized.push(None);
                }
            }
        }
        if total_weight <= 0.0 {
            return Err(Reject::Own(NO_SIGNALS));
        }
        Ok((weighted / total_weight, normalized))
    }

    /// Folds one row into `state` (what `update` does): `snapshot` is `None` only when the
    /// `snapshot` input is not mapped. A second row for the same (customer, snapshot) is
    /// rejected as `duplicate_entity`; the first valid row wins.
    pub fn tally(
        &self,
        state: &mut CompositeState,
        entity: Option<&str>,
        snapshot: Option<i32>,
        raw: &[Option<f64>],
        weight: f64,
    ) -> Result<(), Reject> {
        let entity = entity.ok_or(Reject::Empty)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        let (score, normalized) = self.score(raw)?;
        let key = (entity.to_string(), snapshot);
        if state.rows.contains_key(&key) {
            return Err(Reject::Own(DUPLICATE_ENTITY));
        }
        state.rows.insert(
            key,
            Entry {
                score,
                normalized,
                weight,
            },
        );
        Ok(())
    }
}

impl Metric for Composite {
    const NAME: &'static str = "composite";
    const DESCRIPTION: &'static str =
        "Customer health score (or any weighted composite): normalized signals, weighted per customer, with red/yellow/green bands and cooling flags.";
    const INPUTS: &'static [Input] = &[
        Input::required("entity", InputType::Text, "customer (or account) id"),
        Input::optional(
            "snapshot",
            InputType::Date,
            "date the signals were measured; with two or more snapshots the latest two are compared",
        ),
        Input::variadic(
            InputType::Number,
            "the signals, each mapped under its own name and described in params.signals",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "signals",
            "{ name = { weight, normalize = { linear = [lo, hi], invert = false } | { bands = [[upper_bound, points], ...] } } }",
            "(required)",
            "One entry per mapped signal: relative weight and normalization onto 0-100. A value gets the points of the first band whose upper bound is >= the value; above the last bound, the last band's points.",
        ),
        Param::new(
            "missing",
            "\"renormalize\" | \"zero\" | \"skip\"",
            "\"renormalize\"",
            "Missing signal: rescale the present weights, count it as 0, or reject the row (missing_signal).",
        ),
        Param::new(
            "bands",
            "{ red = number, yellow = number }",
            "{ red = 40, yellow = 70 }",
            "Score below red is red, below yellow is yellow, else green.",
        ),
        Param::new(
            "cooling_drop",
            "number",
            "10",
            "A customer whose score fell by at least this many points between the latest two snapshots is flagged cooling.",
        ),
        Param::new(
            "confidence",
            "number",
            "0.95",
            "Confidence level of the t-interval of the mean score, between 0 and 1.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) customers carry the warning low_sample.",
        ),
    ];
    const REASONS: &'static [&'static str] = &[MISSING_SIGNAL, NO_SIGNALS, DUPLICATE_ENTITY];

    type Params = CompositeParams;
    type State = CompositeState;

    fn bind(params: CompositeParams, inputs: &BoundInputs) -> Result<Self, String> {
        Composite::new(params, inputs.extra(), inputs.is_mapped(SNAPSHOT))
    }

    #[inline]
    fn update(&self, state: &mut CompositeState, row: &Row<'_>) -> Result<(), Reject> {
        let snapshot = if self.snapshot_mapped {
            Some(row.date(SNAPSHOT).ok_or(Reject::Empty)?)
        } else {
            None
        };
        let base = Self::INPUTS.len();
        let raw: Vec<Option<f64>> = (0..self.signals.len())
            .map(|k| row.number(base + k))
            .collect();
        self.tally(state, row.text(ENTITY), snapshot, &raw, row.weight())
    }

    fn merge(&self, into: &mut CompositeState, from: &CompositeState) {
        into.merge(from);
    }

    fn finish(&self, state: &CompositeState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Composite);
