//! The params of the `clv` metric (method, margin, lifespan, observation span, min_n) and
//! their validation into a [`Plan`], with messages a consultant can act on.

use cxm_sdk::prelude::*;

/// How the lifetime value is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Average purchase value × purchases per year × lifespan in years.
    Simple,
    /// Mean over customers of the customer's total revenue, × margin.
    Historical,
    /// Monthly transactions per customer × average order value × lifespan in months.
    Predictive,
}

impl Method {
    /// The name used in the config.
    pub fn name(self) -> &'static str {
        match self {
            Method::Simple => "simple",
            Method::Historical => "historical",
            Method::Predictive => "predictive",
        }
    }
}

/// The `params` table of `clv`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClvParams {
    /// The method (required).
    pub method: Option<Method>,
    /// Gross margin as a fraction in (0, 1]; 1 = revenue.
    pub margin: f64,
    /// Average customer lifespan in years (simple; predictive when months are not given).
    pub lifespan_years: Option<f64>,
    /// Average customer lifespan in months (predictive).
    pub lifespan_months: Option<f64>,
    /// The span the orders cover, in years; default: first to last order date, inclusive.
    pub observation_years: Option<f64>,
    /// Below this number of customers the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for ClvParams {
    fn default() -> Self {
        ClvParams {
            method: None,
            margin: 1.0,
            lifespan_years: None,
            lifespan_months: None,
            observation_years: None,
            min_n: 30,
        }
    }
}

/// The validated method with its lifespan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Plan {
    /// `simple` with the lifespan in years.
    Simple {
        /// Average lifespan, years.
        lifespan_years: f64,
    },
    /// `historical`.
    Historical,
    /// `predictive` with the lifespan in months.
    Predictive {
        /// Average lifespan, months.
        lifespan_months: f64,
    },
}

impl Plan {
    /// The method of this plan.
    pub fn method(self) -> Method {
        match self {
            Plan::Simple { .. } => Method::Simple,
            Plan::Historical => Method::Historical,
            Plan::Predictive { .. } => Method::Predictive,
        }
    }
}

fn positive(key: &str, value: Option<f64>, example: &str) -> Result<Option<f64>, String> {
    match value {
        Some(v) if !(v.is_finite() && v > 0.0) => Err(format!(
            "{key} = {v} must be a positive number, e.g. {key} = {example}"
        )),
        other => Ok(other),
    }
}

/// Checks the margin is a fraction in (0, 1].
pub fn check_margin(margin: f64) -> Result<(), String> {
    if margin.is_finite() && margin > 0.0 && margin <= 1.0 {
        return Ok(());
    }
    let hint = if margin > 1.0 && margin <= 100.0 {
        format!(" (for a {margin}% margin write {})", margin / 100.0)
    } else {
        " (e.g. 0.3 for a 30% gross margin; 1 = use revenue as is)".to_string()
    };
    Err(format!(
        "margin = {margin} must be a fraction greater than 0 and at most 1{hint}"
    ))
}

/// Validates the params into the plan, the margin, and the optional observation span.
pub fn validate(params: &ClvParams) -> Result<(Plan, f64, Option<f64>), String> {
    let method = params.method.ok_or(
        "method is required: \"simple\" (average purchase value × purchases per year × \
         lifespan_years), \"historical\" (mean revenue per customer × margin) or \"predictive\" \
         (monthly transactions × average order value × lifespan_months × margin)",
    )?;
    check_margin(params.margin)?;
    let years = positive("lifespan_years", params.lifespan_years, "3")?;
    let months = positive("lifespan_months", params.lifespan_months, "36")?;
    let observation = positive("observation_years", params.observation_years, "2")?;
    let plan = match method {
        Method::Simple => {
            if months.is_some() {
                return Err("lifespan_months is used by method = \"predictive\"; for \
                            method = \"simple\" give the lifespan as lifespan_years"
                    .into());
            }
            let lifespan_years = years.ok_or(
                "method = \"simple\" needs the average customer lifespan: add lifespan_years, \
                 e.g. lifespan_years = 3",
            )?;
            Plan::Simple { lifespan_years }
        }
        Method::Historical => {
            let unused = [
                ("lifespan_years", years.is_some()),
                ("lifespan_months", months.is_some()),
                ("observation_years", observation.is_some()),
            ];
            if let Some((key, _)) = unused.iter().find(|(_, given)| *given) {
                return Err(format!(
                    "{key} is not used by method = \"historical\" (the mean revenue each \
                     customer has brought so far, × margin): remove it, or choose method = \
                     \"simple\" or \"predictive\" to project over a lifespan"
                ));
            }
            Plan::Historical
        }
        Method::Predictive => match (years, months) {
            (Some(y), Some(m)) => {
                return Err(format!(
                    "give the lifespan once: lifespan_months = {m} or lifespan_years = {y} \
                     (= {} months), not both",
                    y * 12.0
                ))
            }
            (None, None) => {
                return Err(
                    "method = \"predictive\" needs the average customer lifespan: add \
                            lifespan_months (e.g. 36) or lifespan_years (e.g. 3)"
                        .into(),
                )
            }
            (Some(y), None) => Plan::Predictive {
                lifespan_months: y * 12.0,
            },
            (None, Some(m)) => Plan::Predictive { lifespan_months: m },
        },
    };
    Ok((plan, params.margin, observation))
}
