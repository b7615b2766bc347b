//! The params of the `iqs` metric (the scorecard's criteria with weight, scale and critical
//! flag; the auto-fail threshold; the pass score; confidence; min_n) and their validation
//! with messages a QA lead can act on.

use cxm_sdk::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The `params` table of the `iqs` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IqsParams {
    /// The scorecard: criterion name → `{ weight, scale, critical }`. Kept as JSON here so
    /// each criterion is checked (and named in errors) on its own, in config order.
    pub criteria: Map<String, Value>,
    /// A critical criterion scoring below this (percent of its range) fails the review.
    pub critical_threshold: f64,
    /// Reviews scoring at least this (0-100) pass.
    pub pass_score: f64,
    /// Confidence level of the interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted number of reviews the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for IqsParams {
    fn default() -> Self {
        IqsParams {
            criteria: Map::new(),
            critical_threshold: 50.0,
            pass_score: 80.0,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// One criterion as written in the config.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CriterionParams {
    weight: f64,
    scale: Option<[f64; 2]>,
    critical: bool,
}

impl Default for CriterionParams {
    fn default() -> Self {
        CriterionParams {
            weight: 1.0,
            scale: None,
            critical: false,
        }
    }
}

/// One validated criterion of the scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// Name, as rows spell it (without surrounding spaces).
    pub name: String,
    /// Weight w_c in the review score (> 0).
    pub weight: f64,
    /// Lowest and highest valid score.
    pub scale: [f64; 2],
    /// Whether a score below the critical threshold fails the whole review.
    pub critical: bool,
}

impl Criterion {
    /// The score on 0-100: 100 · (s − min) / (max − min).
    pub fn percent(&self, s: f64) -> f64 {
        let [lo, hi] = self.scale;
        100.0 * (s - lo) / (hi - lo)
    }
}

/// Params after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Validated {
    /// The criteria, in config order.
    pub criteria: Vec<Criterion>,
    /// Criterion name → index in `criteria`.
    pub index: BTreeMap<String, usize>,
    /// Auto-fail threshold, percent of a criterion's range.
    pub critical_threshold: f64,
    /// Pass score, 0-100.
    pub pass_score: f64,
    /// Confidence level.
    pub confidence: f64,
    /// Minimum number of reviews.
    pub min_n: u64,
}

/// Checks that `confidence` is a fraction strictly between 0 and 1.
fn check_confidence(confidence: f64) -> Result<(), String> {
    cxm_stats::check_confidence(confidence).map(|_| ())
}

/// Checks that a percentage param lies on 0-100.
fn check_percent(name: &str, x: f64) -> Result<(), String> {
    if (0.0..=100.0).contains(&x) {
        Ok(())
    } else {
        Err(format!(
            "{name} = {x} must lie between 0 and 100 (a percentage of the 0-100 score)"
        ))
    }
}

/// Parses and checks one criterion.
fn criterion(name: &str, value: &Value) -> Result<Criterion, String> {
    let key = name.trim();
    if key.is_empty() {
        return Err("criteria has an empty criterion name".to_string());
    }
    let p: CriterionParams = serde_json::from_value(value.clone())
        .map_err(|e| format!("criteria.{key}: {e} (expected {{ weight, scale, critical }})"))?;
    let Some([lo, hi]) = p.scale else {
        return Err(format!(
            "criteria.{key} needs scale = [lowest score, highest score], e.g. scale = [0, 5]"
        ));
    };
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return Err(format!(
            "criteria.{key}.scale = [{lo}, {hi}] must be [lowest score, highest score] with \
             lowest < highest"
        ));
    }
    if !(p.weight.is_finite() && p.weight > 0.0) {
        return Err(format!(
            "criteria.{key}.weight = {} must be a positive number (weights are relative; \
             leave a criterion out of the scorecard rather than weighting it 0)",
            p.weight
        ));
    }
    Ok(Criterion {
        name: key.to_string(),
        weight: p.weight,
        scale: [lo, hi],
        critical: p.critical,
    })
}

impl IqsParams {
    /// Validates the params.
    pub fn validate(self) -> Result<Validated, String> {
        if self.criteria.is_empty() {
            return Err(
                "criteria is required: list the scorecard's criteria, e.g. criteria = { \
                 accuracy = { weight = 2, scale = [0, 5], critical = true }, tone = { scale = \
                 [0, 5] } }"
                    .to_string(),
            );
        }
        let mut criteria = Vec::new();
        let mut index = BTreeMap::new();
        for (name, value) in &self.criteria {
            let c = criterion(name, value)?;
            if index.insert(c.name.clone(), criteria.len()).is_some() {
                return Err(format!(
                    "criteria names '{}' twice (names are compared without surrounding spaces)",
                    c.name
                ));
            }
            criteria.push(c);
        }
        check_percent("critical_threshold", self.critical_threshold)?;
        check_percent("pass_score", self.pass_score)?;
        check_confidence(self.confidence)?;
        Ok(Validated {
            criteria,
            index,
            critical_threshold: self.critical_threshold,
            pass_score: self.pass_score,
            confidence: self.confidence,
            min_n: self.min_n,
        })
    }
}
