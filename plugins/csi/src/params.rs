//! The params of the `csi` metric (rating scales, fixed attribute weights, confidence,
//! min_n), their spec defaults, and their validation with messages a consultant can act on.

use cxm_sdk::prelude::*;
use std::collections::BTreeMap;

/// The `params` table of the `csi` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsiParams {
    /// Lowest and highest valid satisfaction rating; the highest is S_max of the formula.
    pub scale: [f64; 2],
    /// Lowest and highest valid importance rating; `None` means the same as `scale`.
    pub importance_scale: Option<[f64; 2]>,
    /// Fixed attribute weights (e.g. from a separate importance study); when given they
    /// replace the row importances.
    pub weights: Option<BTreeMap<String, f64>>,
    /// Confidence level of the interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n (overall or for any attribute) the result carries the warning
    /// `low_sample`.
    pub min_n: u64,
}

impl Default for CsiParams {
    fn default() -> Self {
        CsiParams {
            scale: [1.0, 7.0],
            importance_scale: None,
            weights: None,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// Where the attribute weights w_i come from.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightSource {
    /// Configured weights by attribute name (trimmed).
    Fixed(BTreeMap<String, f64>),
    /// The weighted mean importance of each attribute, read from the `importance` input.
    Importance,
}

/// Params after validation, with defaults resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Validated {
    /// Satisfaction scale.
    pub scale: [f64; 2],
    /// Importance scale.
    pub importance_scale: [f64; 2],
    /// Weight source.
    pub weights: WeightSource,
    /// Confidence level.
    pub confidence: f64,
    /// Minimum sample.
    pub min_n: u64,
}

/// A number as short text: `7` rather than `7.0`, `2.5` as is.
pub fn num_text(x: f64) -> String {
    format!("{x}")
}

/// `[1, 7]` as `1-7`.
pub fn range_text([lo, hi]: [f64; 2]) -> String {
    format!("{}-{}", num_text(lo), num_text(hi))
}

/// Checks that a rating scale runs from a non-negative low to a higher high.
///
/// The CSI divides by the scale's highest value (100 · Σ w·S̄ / (S_max · Σ w)), so it is a
/// percentage of the maximum only for a scale that starts at zero or above; importances are
/// weights, which cannot be negative either.
fn check_scale(name: &str, [lo, hi]: [f64; 2]) -> Result<(), String> {
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return Err(format!(
            "{name} = [{lo}, {hi}] must be [lowest rating, highest rating] with lowest < highest, \
             e.g. [1, 7]"
        ));
    }
    if lo < 0.0 {
        return Err(format!(
            "{name} = [{lo}, {hi}] starts below 0: the CSI expresses ratings as a share of the \
             highest rating and uses importances as weights, so recode the ratings to start at \
             0 or 1 (e.g. [1, 7])"
        ));
    }
    Ok(())
}

/// Checks that `confidence` is a fraction strictly between 0 and 1.
fn check_confidence(confidence: f64) -> Result<(), String> {
    cxm_stats::check_confidence(confidence).map(|_| ())
}

/// Checks the fixed weights and returns them keyed by trimmed attribute name.
fn check_weights(weights: &BTreeMap<String, f64>) -> Result<BTreeMap<String, f64>, String> {
    if weights.is_empty() {
        return Err(
            "weights = {} is empty: list a weight per attribute, e.g. weights = { price = 6, \
             delivery = 2 }, or leave weights out to weight attributes by their mean importance"
                .to_string(),
        );
    }
    let mut out = BTreeMap::new();
    for (name, &w) in weights {
        let key = name.trim();
        if key.is_empty() {
            return Err("weights has an empty attribute name".to_string());
        }
        if !(w.is_finite() && w >= 0.0) {
            return Err(format!(
                "weights.{key} = {w} must be a number of 0 or more (weights are relative; \
                 they need not sum to 1)"
            ));
        }
        if out.insert(key.to_string(), w).is_some() {
            return Err(format!(
                "weights names attribute '{key}' twice (names are compared without surrounding \
                 spaces)"
            ));
        }
    }
    if out.values().all(|&w| w == 0.0) {
        return Err("weights are all 0: at least one attribute needs a positive weight".into());
    }
    Ok(out)
}

impl CsiParams {
    /// Validates the params; `importance_mapped` tells whether the config maps the
    /// `importance` input.
    pub fn validate(self, importance_mapped: bool) -> Result<Validated, String> {
        check_scale("scale", self.scale)?;
        let importance_scale = self.importance_scale.unwrap_or(self.scale);
        check_scale("importance_scale", importance_scale)?;
        check_confidence(self.confidence)?;
        let weights = match &self.weights {
            Some(w) => WeightSource::Fixed(check_weights(w)?),
            None if importance_mapped => WeightSource::Importance,
            None => {
                return Err("the CSI needs attribute weights: map the importance input \
                     (inputs = { ..., importance = \"<field>\" }) or give fixed weights \
                     (params.weights = { <attribute> = <weight>, ... })"
                    .to_string())
            }
        };
        Ok(Validated {
            scale: self.scale,
            importance_scale,
            weights,
            confidence: self.confidence,
            min_n: self.min_n,
        })
    }
}
