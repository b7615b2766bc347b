//! The `nps` metric plugin: Net Promoter Score on the 11-point (0-10) scale, as defined in
//! METRICS.md.
//!
//! NPS = 100 · (P − D) / n, where P, D and n are weighted counts of promoters, detractors
//! and all valid answers. The confidence interval is Wald or adjusted Wald (add 0.75
//! promoters, 1.5 passives and 0.75 detractors), clamped to [−100, 100]. The state holds
//! only weighted counts, so totals and roll-ups are recomputed from merged counts.
//!
//! The math lives in plain methods ([`Nps::new`], [`Nps::tally`], [`Nps::result`]) that
//! the [`Metric`] impl calls, so it can be tested without the plugin ABI.

use cxm_sdk::prelude::*;
use serde_json::Value;

mod params;
#[cfg(test)]
mod tests;

pub use params::{band, Bands, CiMethod, NpsParams, SCALE};
use params::{check_bands, check_partition, critical_value};

/// The unit of the headline value.
pub const UNIT: &str = "NPS points (-100 to 100)";
/// Index of the `score` input in [`Metric::INPUTS`].
const SCORE: usize = 0;

/// The accumulator of one group: weighted counts of the three groups.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NpsState {
    /// Weighted count of promoters.
    pub promoters: f64,
    /// Weighted count of passives.
    pub passives: f64,
    /// Weighted count of detractors.
    pub detractors: f64,
    /// Weighted count of each answer 0-10 (the distribution the report charts).
    pub scores: [f64; 11],
}

impl NpsState {
    /// Weighted number of valid answers.
    pub fn n(&self) -> f64 {
        self.promoters + self.passives + self.detractors
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &NpsState) {
        self.promoters += other.promoters;
        self.passives += other.passives;
        self.detractors += other.detractors;
        for (into, from) in self.scores.iter_mut().zip(&other.scores) {
            *into += from;
        }
    }
}

/// The group an answer falls into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// A promoter (9-10 by default).
    Promoter,
    /// A passive (7-8 by default).
    Passive,
    /// A detractor (0-6 by default).
    Detractor,
}

/// The bound `nps` metric: validated params and the normal critical value.
#[derive(Clone, Debug)]
pub struct Nps {
    params: NpsParams,
    z: f64,
}

/// The Wald-type interval of an NPS with promoter and detractor counts out of `n`:
/// 100·(p − d) ± z·√((p + d − (p − d)²) / n)·100, clamped to [−100, 100].
pub fn nps_interval(promoters: f64, detractors: f64, n: f64, z: f64) -> (f64, f64) {
    let p = promoters / n;
    let d = detractors / n;
    let variance = ((p + d - (p - d).powi(2)) / n).max(0.0);
    let center = 100.0 * (p - d);
    let margin = z * variance.sqrt() * 100.0;
    ((center - margin).max(-100.0), (center + margin).min(100.0))
}

impl Nps {
    /// Validates params: the ranges must partition 0-10, the bands must rise and the
    /// confidence must lie strictly between 0 and 1.
    pub fn new(params: NpsParams) -> Result<Self, String> {
        check_partition(&params)?;
        check_bands(&params.bands)?;
        let z = critical_value(params.confidence)?;
        Ok(Nps { params, z })
    }

    /// The validated params.
    pub fn params(&self) -> &NpsParams {
        &self.params
    }

    /// The group of a score, or `OutOfScale` outside 0-10.
    #[inline]
    pub fn classify(&self, score: i64) -> Result<Group, Reject> {
        let within = |[lo, hi]: [i64; 2]| (lo..=hi).contains(&score);
        if !(SCALE[0]..=SCALE[1]).contains(&score) {
            Err(Reject::OutOfScale)
        } else if within(self.params.promoters) {
            Ok(Group::Promoter)
        } else if within(self.params.passives) {
            Ok(Group::Passive)
        } else if within(self.params.detractors) {
            Ok(Group::Detractor)
        } else {
            // Unreachable after `check_partition`; reject rather than panic.
            Err(Reject::OutOfScale)
        }
    }

    /// Folds one answer with its weight into `state` (what `update` does with a row).
    #[inline]
    pub fn tally(
        &self,
        state: &mut NpsState,
        score: Option<i64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let score = score.ok_or(Reject::Empty)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        match self.classify(score)? {
            Group::Promoter => state.promoters += weight,
            Group::Passive => state.passives += weight,
            Group::Detractor => state.detractors += weight,
        }
        // `classify` accepted it, so the score is within 0-10.
        if let Some(slot) = state.scores.get_mut(score as usize) {
            *slot += weight;
        }
        Ok(())
    }

    /// The confidence interval of the NPS of `state`; `None` when n = 0.
    pub fn interval(&self, state: &NpsState) -> Option<Interval> {
        let n = state.n();
        if n <= 0.0 {
            return None;
        }
        let (low, high) = match self.params.ci_method {
            CiMethod::Wald => nps_interval(state.promoters, state.detractors, n, self.z),
            CiMethod::AdjustedWald => nps_interval(
                state.promoters + 0.75,
                state.detractors + 0.75,
                n + 3.0,
                self.z,
            ),
        };
        Some(Interval {
            low,
            high,
            level: self.params.confidence,
            method: self.params.ci_method.name().to_string(),
        })
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &NpsState) -> MetricResult {
        let n = state.n();
        let value = (n > 0.0).then(|| 100.0 * (state.promoters - state.detractors) / n);
        let pct = |count: f64| {
            if n > 0.0 {
                number(100.0 * count / n)
            } else {
                Value::Null
            }
        };
        let band = value.map_or(Value::Null, |v| band(v, &self.params.bands).into());
        let mut result = MetricResult {
            value,
            unit: UNIT.to_string(),
            n,
            ci: self.interval(state),
            basis: (n > 0.0).then_some(TestBasis::Nps {
                promoters: state.promoters,
                detractors: state.detractors,
                n,
            }),
            ..Default::default()
        }
        .detail("promoters", number(state.promoters))
        .detail("passives", number(state.passives))
        .detail("detractors", number(state.detractors))
        .detail("promoters_pct", pct(state.promoters))
        .detail("passives_pct", pct(state.passives))
        .detail("detractors_pct", pct(state.detractors))
        .detail("band", band)
        .detail(
            "score_counts",
            Value::Array(state.scores.iter().map(|c| number(*c)).collect()),
        );
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        if n < self.params.min_n as f64 || n <= 0.0 {
            result = result.warn("low_sample");
        }
        result
    }
}

impl Metric for Nps {
    const NAME: &'static str = "nps";
    const DESCRIPTION: &'static str =
        "Net Promoter Score: 100 x (promoters - detractors) / answers on the 0-10 scale, with a confidence interval.";
    const INPUTS: &'static [Input] = &[Input::required(
        "score",
        InputType::Integer,
        "likelihood to recommend, an integer from 0 to 10",
    )];
    const PARAMS: &'static [Param] = &[
        Param::new("promoters", "[int, int]", "[9, 10]", "Scores counted as promoters (inclusive)."),
        Param::new("passives", "[int, int]", "[7, 8]", "Scores counted as passives (inclusive)."),
        Param::new(
            "detractors",
            "[int, int]",
            "[0, 6]",
            "Scores counted as detractors (inclusive). The three ranges must cover 0-10 exactly once.",
        ),
        Param::new(
            "ci_method",
            "\"wald\" | \"adjusted_wald\"",
            "\"wald\"",
            "Confidence interval: Wald, or adjusted Wald (adds 0.75 promoters, 1.5 passives, \
             0.75 detractors; better for small samples).",
        ),
        Param::new(
            "bands",
            "{ needs_work = number, good = number, excellent = number }",
            "{ needs_work = 0, good = 30, excellent = 70 }",
            "Lowest NPS of each band; below needs_work the band is \"critical\".",
        ),
        Param::new("confidence", "number", "0.95", "Confidence level of the interval, between 0 and 1."),
        Param::new("min_n", "int", "30", "Results with fewer (weighted) answers carry the warning low_sample."),
    ];

    type Params = NpsParams;
    type State = NpsState;

    fn bind(params: NpsParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Nps::new(params)
    }

    #[inline]
    fn update(&self, state: &mut NpsState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.int(SCORE), row.weight())
    }

    fn merge(&self, into: &mut NpsState, from: &NpsState) {
        into.merge(from);
    }

    fn finish(&self, state: &NpsState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Nps);
