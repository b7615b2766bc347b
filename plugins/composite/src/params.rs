//! The params of the `composite` metric (signals with weights and normalizations, missing
//! policy, bands, cooling drop, confidence, min_n), their spec defaults, and their
//! validation into [`Signal`]s with messages a consultant can act on.

use cxm_sdk::prelude::*;
use std::collections::BTreeMap;

/// What a missing signal does to a customer's score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Weights of the present signals are rescaled to sum to 1.
    #[default]
    Renormalize,
    /// A missing signal counts as 0 with its full weight.
    Zero,
    /// A row with any missing signal is rejected as `missing_signal`.
    Skip,
}

/// Upper limits of the red and yellow bands of the score.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bands {
    /// A score below this is "red" (default 40).
    pub red: f64,
    /// A score below this (and not red) is "yellow" (default 70); else "green".
    pub yellow: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            red: 40.0,
            yellow: 70.0,
        }
    }
}

impl Bands {
    /// The band of a score: below `red` "red", below `yellow` "yellow", else "green".
    pub fn of(&self, score: f64) -> &'static str {
        if score < self.red {
            "red"
        } else if score < self.yellow {
            "yellow"
        } else {
            "green"
        }
    }
}

/// How one signal is normalized, as written in the config (validated by [`Signal::new`]).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeSpec {
    /// `[lo, hi]`: 0 at lo, 100 at hi, clamped.
    pub linear: Option<[f64; 2]>,
    /// With `linear`: 100 at lo, 0 at hi.
    pub invert: Option<bool>,
    /// `[[upper_bound, points], ...]`.
    pub bands: Option<Vec<[f64; 2]>>,
}

/// One entry of `signals`, as written in the config.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalSpec {
    /// Relative weight (> 0).
    pub weight: Option<f64>,
    /// How the raw value maps onto 0-100.
    pub normalize: Option<NormalizeSpec>,
}

/// The `params` table of the `composite` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompositeParams {
    /// One entry per mapped signal input, by name.
    pub signals: BTreeMap<String, SignalSpec>,
    /// What a missing signal does.
    pub missing: Missing,
    /// Band thresholds of the score.
    pub bands: Bands,
    /// A fall of at least this many points between the latest two snapshots is `cooling`.
    pub cooling_drop: f64,
    /// Confidence level of the interval of the mean score, as a fraction.
    pub confidence: f64,
    /// Below this weighted number of customers the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for CompositeParams {
    fn default() -> Self {
        CompositeParams {
            signals: BTreeMap::new(),
            missing: Missing::Renormalize,
            bands: Bands::default(),
            cooling_drop: 10.0,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// A validated normalization onto 0-100.
#[derive(Clone, Debug, PartialEq)]
pub enum Normalize {
    /// 0 at `lo`, 100 at `hi` (lo < hi), linear in between, clamped; `invert` flips it.
    Linear { lo: f64, hi: f64, invert: bool },
    /// `(upper_bound, points)` sorted by upper bound: a value gets the points of the first
    /// band whose upper bound is ≥ the value; above the last bound, the last band's points.
    Bands(Vec<(f64, f64)>),
}

impl Normalize {
    /// The normalized value (0-100) of a finite raw value.
    pub fn apply(&self, x: f64) -> f64 {
        match self {
            Normalize::Linear { lo, hi, invert } => {
                // 100·(x − lo)/(hi − lo): multiplying first keeps round inputs exact.
                let v = (100.0 * (x - lo) / (hi - lo)).clamp(0.0, 100.0);
                if *invert {
                    100.0 - v
                } else {
                    v
                }
            }
            Normalize::Bands(bands) => bands
                .iter()
                .find(|(upper, _)| *upper >= x)
                .or(bands.last())
                .map_or(0.0, |(_, points)| *points),
        }
    }

    /// The normalization in words, for the `signals` table.
    pub fn describe(&self) -> String {
        match self {
            Normalize::Linear { lo, hi, invert } => {
                let (zero, hundred) = if *invert { (hi, lo) } else { (lo, hi) };
                format!(
                    "linear {lo} to {hi}{} (0 at {zero}, 100 at {hundred})",
                    if *invert { ", inverted" } else { "" }
                )
            }
            Normalize::Bands(bands) => {
                let last = bands.len().saturating_sub(1);
                let parts: Vec<String> = bands
                    .iter()
                    .enumerate()
                    .map(|(i, (upper, points))| {
                        let above = if i == last { " and above" } else { "" };
                        format!("<= {upper}{above}: {points}")
                    })
                    .collect();
                format!("bands {}", parts.join(", "))
            }
        }
    }
}

/// A validated signal: its input name, weight and normalization.
#[derive(Clone, Debug, PartialEq)]
pub struct Signal {
    /// The name it is mapped under in `inputs` and keyed by in `signals`.
    pub name: String,
    /// Relative weight (> 0).
    pub weight: f64,
    /// How its raw value maps onto 0-100.
    pub normalize: Normalize,
}

/// An example entry for messages.
const EXAMPLE: &str = "{ weight = 1, normalize = { linear = [0, 30] } }";

impl Signal {
    /// Validates the entry `signals.<name>`.
    pub fn new(name: &str, spec: &SignalSpec) -> Result<Signal, String> {
        let at = format!("signals.{name}");
        let weight = spec
            .weight
            .ok_or_else(|| format!("{at} needs a weight, e.g. {at} = {EXAMPLE}"))?;
        if !(weight.is_finite() && weight > 0.0) {
            return Err(format!(
                "{at}.weight = {weight} must be a positive number (weights are relative: \
                 0.5 and 0.25 weigh the same as 2 and 1)"
            ));
        }
        let spec = spec.normalize.as_ref().ok_or_else(|| {
            format!("{at} needs a normalize table (linear or bands), e.g. {at} = {EXAMPLE}")
        })?;
        let normalize = match (&spec.linear, &spec.bands) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "{at}.normalize has both linear and bands: choose one"
                ))
            }
            (None, None) => {
                return Err(format!(
                    "{at}.normalize needs linear = [lo, hi] or bands = [[upper_bound, points], ...]"
                ))
            }
            (Some([lo, hi]), None) => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    return Err(format!(
                        "{at}.normalize.linear = [{lo}, {hi}] must be [lo, hi] with lo < hi \
                         (0 points at lo, 100 at hi); for a signal where less is better write \
                         linear = [{}, {}], invert = true",
                        lo.min(*hi),
                        lo.max(*hi)
                    ));
                }
                Normalize::Linear {
                    lo: *lo,
                    hi: *hi,
                    invert: spec.invert.unwrap_or(false),
                }
            }
            (None, Some(bands)) => {
                if spec.invert.is_some() {
                    return Err(format!(
                        "{at}.normalize.invert applies to linear only; with bands give each \
                         band the points it earns"
                    ));
                }
                Normalize::Bands(check_bands(&at, bands)?)
            }
        };
        Ok(Signal {
            name: name.to_string(),
            weight,
            normalize,
        })
    }
}

/// Sorts the bands of `signals.<name>.normalize.bands` by upper bound and checks them.
fn check_bands(at: &str, bands: &[[f64; 2]]) -> Result<Vec<(f64, f64)>, String> {
    if bands.is_empty() {
        return Err(format!(
            "{at}.normalize.bands is empty: give [[upper_bound, points], ...], \
             e.g. [[0, 100], [2, 50], [5, 0]]"
        ));
    }
    let mut sorted: Vec<(f64, f64)> = bands.iter().map(|[u, p]| (*u, *p)).collect();
    for (upper, points) in &sorted {
        if !upper.is_finite() {
            return Err(format!(
                "{at}.normalize.bands: upper bound {upper} must be a finite number"
            ));
        }
        if !(0.0..=100.0).contains(points) {
            return Err(format!(
                "{at}.normalize.bands: points {points} must lie on 0-100 (the score's scale)"
            ));
        }
    }
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!(
            "{at}.normalize.bands: upper bound {} appears twice; each band needs its own bound",
            w[0].0
        ));
    }
    Ok(sorted)
}

/// Checks that every mapped extra input has a signal entry and every entry is mapped, and
/// returns the validated signals in the order of the mapped inputs.
pub fn check_signals(
    specs: &BTreeMap<String, SignalSpec>,
    mapped: &[String],
) -> Result<Vec<Signal>, String> {
    if specs.is_empty() && mapped.is_empty() {
        return Err(format!(
            "signals is required: map each signal in inputs (e.g. inputs = {{ entity = \
             \"customer_id\", logins = \"logins_30d\" }}) and describe it in params \
             (signals.logins = {EXAMPLE})"
        ));
    }
    if let Some(name) = mapped.iter().find(|n| !specs.contains_key(*n)) {
        return Err(format!(
            "input '{name}' is mapped but signals has no entry for it: add \
             signals.{name} = {EXAMPLE}"
        ));
    }
    if let Some(name) = specs.keys().find(|n| !mapped.contains(n)) {
        return Err(format!(
            "signal '{name}' has no input: map it to a field in inputs \
             (e.g. inputs = {{ {name} = \"<column>\" }}) or remove signals.{name}"
        ));
    }
    mapped
        .iter()
        .filter_map(|name| specs.get(name).map(|spec| Signal::new(name, spec)))
        .collect()
}

/// Checks the band thresholds and the cooling drop.
pub fn check_thresholds(params: &CompositeParams) -> Result<(), String> {
    let Bands { red, yellow } = params.bands;
    if !(red.is_finite() && yellow.is_finite() && 0.0 <= red && red <= yellow && yellow <= 100.0) {
        return Err(format!(
            "bands = {{ red = {red}, yellow = {yellow} }} must satisfy 0 <= red <= yellow <= 100 \
             (score < red is red, < yellow is yellow, else green), e.g. {{ red = 40, yellow = 70 }}"
        ));
    }
    let drop = params.cooling_drop;
    if !(drop.is_finite() && drop > 0.0) {
        return Err(format!(
            "cooling_drop = {drop} must be a positive number of score points (default 10)"
        ));
    }
    if cxm_stats::z_for_confidence(params.confidence).is_none() {
        return Err(format!(
            "confidence = {} must be a fraction strictly between 0 and 1 (0.95 for a 95% interval)",
            params.confidence
        ));
    }
    Ok(())
}
