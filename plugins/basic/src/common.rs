//! Params, row checks and result helpers shared by the basic metrics: the `unit` label and
//! `min_n` every metric takes, the confidence level of the metrics with an interval, the
//! checks of weights, numbers and empty text, the running minimum and maximum, and the
//! `no_data` / `low_sample` warnings.

use cxm_sdk::prelude::*;
use serde_json::Value;

/// Default of `min_n`: results with a smaller weighted n carry the warning `low_sample`.
pub const DEFAULT_MIN_N: u64 = 30;
/// Default confidence level of the intervals.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// Checks the optional free-text `unit` label: when given it must not be blank.
pub fn check_unit(unit: Option<&str>) -> Result<(), String> {
    match unit {
        Some(u) if u.trim().is_empty() => Err(
            "unit is blank: give a label such as unit = \"orders\", or leave unit out for the default"
                .to_string(),
        ),
        _ => Ok(()),
    }
}

/// Checks that `confidence` is a fraction strictly between 0 and 1.
pub fn check_confidence(confidence: f64) -> Result<(), String> {
    cxm_stats::check_confidence(confidence).map(|_| ())
}

/// A `[low, high]` param (`range`, `between`): exactly two finite numbers, low ≤ high.
pub fn low_high(name: &str, values: &[f64]) -> Result<[f64; 2], String> {
    let shown = values
        .iter()
        .map(|x| number_text(*x))
        .collect::<Vec<_>>()
        .join(", ");
    let &[lo, hi] = values else {
        return Err(format!(
            "{name} = [{shown}] must be two numbers [lowest, highest], e.g. {name} = [0, 100]"
        ));
    };
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(format!(
            "{name} = [{shown}] must be two finite numbers [lowest, highest]"
        ));
    }
    if lo > hi {
        return Err(format!(
            "{name} = [{shown}] runs backwards: write the lowest value first ([{}, {}])",
            number_text(hi),
            number_text(lo)
        ));
    }
    Ok([lo, hi])
}

/// A row weight (multiplicity) the formulas can use: finite and not negative. The host
/// already rejects such rows as `invalid_weight`; this is the plugin's own guard.
pub fn check_weight(weight: f64) -> Result<f64, Reject> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(weight)
    } else {
        Err(Reject::InvalidValue)
    }
}

/// A number input: `Empty` when missing, `NotANumber` when NaN or infinite.
pub fn finite_number(x: Option<f64>) -> Result<f64, Reject> {
    let x = x.ok_or(Reject::Empty)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Reject::NotANumber)
    }
}

/// Whether a text value is empty: no characters, or only whitespace (the CSV reader trims
/// cells the same way before matching `null_values`).
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// A float as a JSON detail, `null` when undefined.
pub fn detail_number(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

/// A number in words, as Rust prints it: shortest round-trip form, no exponent
/// (`100`, `0.5`, `-2.25`).
pub fn number_text(x: f64) -> String {
    format!("{x}")
}

/// Adds the warnings every basic metric reports: `no_data` when n = 0 (the value is then
/// `None`), `low_sample` when n = 0 or n < `min_n`.
pub fn sample_warnings(mut result: MetricResult, min_n: u64) -> MetricResult {
    let n = result.n;
    if n <= 0.0 {
        result = result.warn("no_data");
    }
    if n <= 0.0 || n < min_n as f64 {
        result = result.warn("low_sample");
    }
    result
}

/// The smallest and largest value seen with a positive weight (a zero-weight row stands for
/// no observation, so it cannot be the minimum); merged by taking the extremes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Extremes {
    /// Smallest value, `None` before the first observation.
    pub min: Option<f64>,
    /// Largest value, `None` before the first observation.
    pub max: Option<f64>,
}

impl Extremes {
    /// Adds the value `x` with weight `w`.
    pub fn add(&mut self, x: f64, w: f64) {
        if w > 0.0 {
            self.min = Some(self.min.map_or(x, |m| m.min(x)));
            self.max = Some(self.max.map_or(x, |m| m.max(x)));
        }
    }

    /// Adds the extremes of `other`.
    pub fn merge(&mut self, other: &Extremes) {
        for x in [other.min, other.max].into_iter().flatten() {
            self.add(x, 1.0);
        }
    }
}
