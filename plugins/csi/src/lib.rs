//! The `csi` metric plugin: the importance-weighted Customer Satisfaction Index of
//! METRICS.md ("CSI").
//!
//! Input is long format, one row per respondent × attribute: `attribute`, `satisfaction`
//! and (optionally) `importance`. The weight of attribute i is the configured fixed weight,
//! else the weighted mean importance of i; S̄_i is the weighted mean satisfaction of i, and
//! CSI = 100 · Σ w_i·S̄_i / (S_max · Σ w_i). A table `attributes` lists, per attribute, the
//! weight, its normalised share, S̄_i, the satisfaction share S̄_i / Σ_j S̄_j and the priority
//! gap (normalised weight − satisfaction share), weakest high-importance attributes first.
//!
//! The state keeps weighted moments per attribute (keyed by name), merged key by key, so
//! every figure is recomputed from merged sums. The math lives in plain methods
//! ([`Csi::new`], [`Csi::tally`], [`Csi::result`]) that the [`Metric`] impl calls.

use cxm_sdk::prelude::*;
use cxm_stats::Moments;
use std::collections::BTreeMap;

mod params;
mod report;
#[cfg(test)]
mod tests;

pub use params::{num_text, range_text, CsiParams, Validated, WeightSource};

/// Index of the `attribute` input in [`Metric::INPUTS`].
const ATTRIBUTE: usize = 0;
/// Index of the `satisfaction` input.
const SATISFACTION: usize = 1;
/// Index of the `importance` input.
const IMPORTANCE: usize = 2;

/// Own reason: fixed weights are configured but not for this row's attribute.
pub const ATTRIBUTE_WITHOUT_WEIGHT: &str = "attribute_without_weight";
/// Own reason: the importance rating lies outside `importance_scale`.
pub const IMPORTANCE_OUT_OF_SCALE: &str = "importance_out_of_scale";

/// Weighted sums of one attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AttributeState {
    /// Moments of the satisfaction ratings of every used row.
    pub satisfaction: Moments,
    /// Moments of the importance ratings (rows with an importance only; unused with fixed
    /// weights).
    pub importance: Moments,
}

/// The accumulator of one group: sums per attribute name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsiState {
    /// Per attribute (trimmed name), in name order.
    pub attributes: BTreeMap<String, AttributeState>,
}

impl CsiState {
    /// Adds the sums of `other`, attribute by attribute.
    pub fn merge(&mut self, other: &CsiState) {
        for (name, from) in &other.attributes {
            let into = self.attributes.entry(name.clone()).or_default();
            into.satisfaction.merge(&from.satisfaction);
            into.importance.merge(&from.importance);
        }
    }
}

/// The bound `csi` metric: validated params.
#[derive(Clone, Debug)]
pub struct Csi {
    params: Validated,
}

impl Csi {
    /// Validates params; `importance_mapped` tells whether the `importance` input is mapped.
    pub fn new(params: CsiParams, importance_mapped: bool) -> Result<Self, String> {
        Ok(Csi {
            params: params.validate(importance_mapped)?,
        })
    }

    /// The validated params.
    pub fn params(&self) -> &Validated {
        &self.params
    }

    /// Folds one row into `state` (what `update` does).
    ///
    /// Checks, in order: attribute present, satisfaction a number inside `scale`, a usable
    /// row weight; then, with fixed weights, that the attribute has one (the importance is
    /// not read); otherwise an importance, when present, must be a number inside
    /// `importance_scale`. An empty importance leaves the row counting for the attribute's
    /// satisfaction mean but not for its importance mean.
    pub fn tally(
        &self,
        state: &mut CsiState,
        attribute: Option<&str>,
        satisfaction: Option<f64>,
        importance: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let attribute = attribute.map(str::trim).ok_or(Reject::InvalidValue)?;
        if attribute.is_empty() {
            return Err(Reject::Empty);
        }
        let s = satisfaction.ok_or(Reject::Empty)?;
        if !s.is_finite() {
            return Err(Reject::NotANumber);
        }
        let [lo, hi] = self.params.scale;
        if s < lo || s > hi {
            return Err(Reject::OutOfScale);
        }
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        let importance = match &self.params.weights {
            WeightSource::Fixed(weights) => {
                if !weights.contains_key(attribute) {
                    return Err(Reject::Own(ATTRIBUTE_WITHOUT_WEIGHT));
                }
                None
            }
            WeightSource::Importance => match importance {
                None => None,
                Some(i) if !i.is_finite() => return Err(Reject::NotANumber),
                Some(i) => {
                    let [lo, hi] = self.params.importance_scale;
                    if i < lo || i > hi {
                        return Err(Reject::Own(IMPORTANCE_OUT_OF_SCALE));
                    }
                    Some(i)
                }
            },
        };
        let entry = state.attributes.entry(attribute.to_string()).or_default();
        entry.satisfaction.add(s, weight);
        if let Some(i) = importance {
            entry.importance.add(i, weight);
        }
        Ok(())
    }

    /// The unit of the headline value.
    pub fn unit(&self) -> String {
        format!(
            "CSI (0-100, importance-weighted, scale {})",
            range_text(self.params.scale)
        )
    }
}

impl Metric for Csi {
    const NAME: &'static str = "csi";
    const DESCRIPTION: &'static str =
        "Customer Satisfaction Index: importance-weighted mean satisfaction as % of the scale maximum, with per-attribute priority gaps.";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "attribute",
            InputType::Text,
            "the rated attribute (price, delivery, ...); one row per respondent and attribute",
        ),
        Input::required(
            "satisfaction",
            InputType::Number,
            "satisfaction with the attribute, on `scale` (1-7 by default)",
        ),
        Input::optional(
            "importance",
            InputType::Number,
            "importance of the attribute to the respondent, on `importance_scale`; empty = \
             the row counts for satisfaction only. Not read when fixed `weights` are given",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "scale",
            "[number, number]",
            "[1, 7]",
            "Lowest and highest satisfaction rating; the highest is S_max. Others are rejected as out_of_scale.",
        ),
        Param::new(
            "importance_scale",
            "[number, number]",
            "same as scale",
            "Lowest and highest importance rating; others are rejected as importance_out_of_scale.",
        ),
        Param::new(
            "weights",
            "{ attribute = number, ... }",
            "none (mean importance)",
            "Fixed attribute weights that replace row importances; rows of other attributes are rejected as attribute_without_weight.",
        ),
        Param::new(
            "confidence",
            "number",
            "0.95",
            "Level of the interval: stratified-mean variance with Welch-Satterthwaite df, weights taken as fixed and attributes as independent samples.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) rows overall or for any attribute carry the warning low_sample.",
        ),
    ];
    const REASONS: &'static [&'static str] = &[ATTRIBUTE_WITHOUT_WEIGHT, IMPORTANCE_OUT_OF_SCALE];

    type Params = CsiParams;
    type State = CsiState;

    fn bind(params: CsiParams, inputs: &BoundInputs) -> Result<Self, String> {
        Csi::new(params, inputs.is_mapped(IMPORTANCE))
    }

    #[inline]
    fn update(&self, state: &mut CsiState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(
            state,
            row.text(ATTRIBUTE),
            row.number(SATISFACTION),
            row.number(IMPORTANCE),
            row.weight(),
        )
    }

    fn merge(&self, into: &mut CsiState, from: &CsiState) {
        into.merge(from);
    }

    fn finish(&self, state: &CsiState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Csi);
