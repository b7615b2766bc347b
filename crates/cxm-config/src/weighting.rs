//! Survey weights of a dataset: design weights from a field, and raking to population
//! margins. Distinct from `weight` (a row's multiplicity: a row with weight 3 is three
//! identical answers): sampling weights change the estimates but not the information, so
//! every interval and test of a weighted dataset uses Kish's effective sample size.
//!
//! ```toml
//! [datasets.survey]
//! sampling_weight = "design_weight"   # optional: a field of design (sampling) weights
//!
//! [datasets.survey.raking]            # optional: rake to the population's margins
//! margins.region = { North = 30, South = 25, East = 25, West = 20 }  # shares, % or counts
//! margins.plan = { Basic = 60, Pro = 40 }
//! tolerance = 0.0001                  # largest gap of a weighted share (0-1); default 1e-6
//! max_iterations = 100                # default 100
//! trim = [0.3, 3.0]                   # bounds of the raking factor (mean 1); default none
//! ```
//!
//! A raking variable is a mapped field (text, integer or boolean, or a derived field);
//! categories match its values by their text. Each variable's targets are normalised to
//! sum to 1, so shares, percentages and population counts all work.

use crate::error::ConfigError;
use crate::validate::{Ctx, FieldConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The targets of one raking variable as written: category → share, % or count.
type RawTargets = BTreeMap<String, Spanned<toml::Value>>;

/// `[datasets.<name>.raking]` as written.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRaking {
    pub margins: Spanned<BTreeMap<Spanned<String>, Spanned<RawTargets>>>,
    #[serde(default)]
    pub tolerance: Option<Spanned<f64>>,
    #[serde(default)]
    pub max_iterations: Option<Spanned<i64>>,
    #[serde(default)]
    pub trim: Option<Spanned<Vec<f64>>>,
}

/// The survey weighting of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingConfig {
    /// Field of design weights; `None`: every row starts at 1.
    pub weight: Option<String>,
    /// Raking to margins, if asked for.
    pub raking: Option<RakingConfig>,
}

/// Raking to population margins.
#[derive(Debug, Clone, PartialEq)]
pub struct RakingConfig {
    /// Each variable (a field) with its categories and their targets, as written (not
    /// normalised), in name order.
    pub margins: Vec<(String, Vec<(String, f64)>)>,
    /// Largest accepted gap of a weighted share (0–1).
    pub tolerance: f64,
    /// Most sweeps.
    pub max_iterations: usize,
    /// Bounds of the raking factor relative to its mean of 1.
    pub trim: Option<(f64, f64)>,
}

/// Field types a raking variable may have (or none declared: text).
const RAKING_TYPES: [&str; 3] = ["text", "integer", "boolean"];

/// Validates `sampling_weight` and `[raking]` of dataset `dataset`.
pub(crate) fn parse(
    ctx: &Ctx<'_>,
    dataset: &str,
    sampling_weight: Option<Spanned<String>>,
    raking: Option<Spanned<RawRaking>>,
    fields: &[FieldConfig],
) -> Result<Option<SamplingConfig>, ConfigError> {
    if sampling_weight.is_none() && raking.is_none() {
        return Ok(None);
    }
    let weight = sampling_weight
        .map(|w| numeric_field(ctx, dataset, "sampling_weight", w, fields))
        .transpose()?;
    let raking = match raking {
        None => None,
        Some(r) => Some(parse_raking(ctx, dataset, r, fields)?),
    };
    Ok(Some(SamplingConfig { weight, raking }))
}

/// The name of the field `w` a `role` key (`weight`, `sampling_weight`) names: it must be
/// mapped in the dataset and, when its type is declared, a number.
pub(crate) fn numeric_field(
    ctx: &Ctx<'_>,
    dataset: &str,
    role: &str,
    w: Spanned<String>,
    fields: &[FieldConfig],
) -> Result<String, ConfigError> {
    let Some(field) = fields.iter().find(|f| &f.name == w.get_ref()) else {
        return Err(ctx.err(
            w.span(),
            format!(
                "{role} field \"{}\" is not mapped in dataset \"{dataset}\"",
                w.get_ref()
            ),
        ));
    };
    if field
        .ty
        .as_deref()
        .is_some_and(|t| t != "number" && t != "integer")
    {
        return Err(ctx.err(
            w.span(),
            format!("{role} field \"{}\" must be a number", w.get_ref()),
        ));
    }
    Ok(w.into_inner())
}

fn parse_raking(
    ctx: &Ctx<'_>,
    dataset: &str,
    raw: Spanned<RawRaking>,
    fields: &[FieldConfig],
) -> Result<RakingConfig, ConfigError> {
    let raw = raw.into_inner();
    let whose = format!("dataset \"{dataset}\", raking");
    if raw.margins.get_ref().is_empty() {
        return Err(ctx.err(
            raw.margins.span(),
            format!("{whose}: margins is empty; give at least one variable, e.g. margins.region = {{ North = 40, South = 60 }}"),
        ));
    }
    let mut margins = Vec::new();
    for (variable, categories) in raw.margins.into_inner() {
        let Some(field) = fields.iter().find(|f| &f.name == variable.get_ref()) else {
            return Err(ctx.err(
                variable.span(),
                format!(
                    "{whose}: \"{}\" is not a field of the dataset",
                    variable.get_ref()
                ),
            ));
        };
        if let Some(ty) = field.ty.as_deref().filter(|t| !RAKING_TYPES.contains(t)) {
            return Err(ctx.err(
                variable.span(),
                format!(
                    "{whose}: field \"{}\" is a {ty}; a raking variable must be text, integer or boolean (use a derived field with bands for numbers)",
                    variable.get_ref()
                ),
            ));
        }
        let cat_span = categories.span();
        let mut targets = Vec::new();
        for (category, value) in categories.into_inner() {
            let target = match value.get_ref() {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => f64::NAN,
            };
            if !target.is_finite() || target < 0.0 {
                return Err(ctx.err(
                    value.span(),
                    format!(
                        "{whose}: the target of {}={category} must be a number ≥ 0 (a share, a percentage or a population count)",
                        variable.get_ref()
                    ),
                ));
            }
            targets.push((category, target));
        }
        if targets.iter().map(|(_, t)| t).sum::<f64>() <= 0.0 {
            return Err(ctx.err(
                cat_span,
                format!(
                    "{whose}: the targets of \"{}\" add up to 0",
                    variable.get_ref()
                ),
            ));
        }
        margins.push((variable.into_inner(), targets));
    }
    let tolerance = match raw.tolerance {
        None => 1e-6,
        Some(t) if *t.get_ref() > 0.0 && *t.get_ref() <= 0.05 => t.into_inner(),
        Some(t) => {
            return Err(ctx.err(
                t.span(),
                format!(
                "{whose}: tolerance is a gap of a share, above 0 and at most 0.05 (e.g. 0.0001)"
            ),
            ))
        }
    };
    let max_iterations = match raw.max_iterations {
        None => 100,
        Some(m) if (1..=100_000).contains(m.get_ref()) => *m.get_ref() as usize,
        Some(m) => {
            return Err(ctx.err(
                m.span(),
                format!("{whose}: max_iterations must be from 1 to 100000"),
            ))
        }
    };
    let trim = match raw.trim {
        None => None,
        Some(t) => match t.get_ref().as_slice() {
            [low, high] if *low > 0.0 && *low < 1.0 && *high > 1.0 && high.is_finite() => {
                Some((*low, *high))
            }
            _ => {
                return Err(ctx.err(
                    t.span(),
                    format!("{whose}: trim is [low, high] with 0 < low < 1 < high, bounds of the raking factor around its mean of 1 (e.g. [0.3, 3.0])"),
                ))
            }
        },
    };
    Ok(RakingConfig {
        margins,
        tolerance,
        max_iterations,
        trim,
    })
}
