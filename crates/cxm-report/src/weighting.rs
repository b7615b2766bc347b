//! The report's side of survey weights: each weighted result's design (unweighted and
//! effective n), and each weighted dataset's weighting report (margins before and after
//! raking, weight range, design effect).

use serde::{Deserialize, Serialize};

/// The sampling design behind one weighted result: the rows it used and their weights
/// (a row's weight is its multiplicity times its sampling weight).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Rows used, unweighted (each row counted with its multiplicity).
    pub n_unweighted: f64,
    /// Σ of the rows' weights (the metric's own `n`).
    pub sum_weights: f64,
    /// Σ of multiplicity × sampling weight², for Kish's formula.
    pub sum_squared_weights: f64,
    /// Kish's effective sample size (Σw)² / Σw²: what every interval and test of the result
    /// uses as its n.
    pub n_effective: f64,
    /// Kish's design effect of unequal weights, n_unweighted / n_effective (1 = no loss).
    pub design_effect: f64,
}

impl Design {
    /// The design of rows with these totals; `None` when they carry no weight.
    pub fn of(n_unweighted: f64, sum_weights: f64, sum_squared_weights: f64) -> Option<Design> {
        let n_effective = cxm_stats::kish_effective_n(sum_weights, sum_squared_weights)?;
        Some(Design {
            n_unweighted,
            sum_weights,
            sum_squared_weights,
            n_effective,
            design_effect: n_unweighted / n_effective,
        })
    }

    /// The design of the union of two disjoint sets of rows.
    pub fn join(self, other: Design) -> Option<Design> {
        Design::of(
            self.n_unweighted + other.n_unweighted,
            self.sum_weights + other.sum_weights,
            self.sum_squared_weights + other.sum_squared_weights,
        )
    }
}

/// How a dataset was weighted.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct WeightingSummary {
    /// The field of design weights, if any.
    pub sampling_weight: Option<String>,
    /// Raking, if configured.
    pub raking: Option<RakingSummary>,
    /// Rows weighted (each with its multiplicity).
    pub rows: f64,
    /// Smallest and largest sampling weight (scaled to a mean of 1).
    pub min_weight: f64,
    /// Largest sampling weight.
    pub max_weight: f64,
    /// Kish's design effect of the weights over the whole dataset (n / n_effective).
    pub design_effect: f64,
    /// Kish's effective sample size of the whole dataset.
    pub n_effective: f64,
}

/// Raking to population margins: convergence and the margins before and after.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct RakingSummary {
    /// Sweeps made.
    pub iterations: usize,
    /// Whether every margin is within the tolerance.
    pub converged: bool,
    /// The tolerance (a gap of a share, 0–1).
    pub tolerance: f64,
    /// The largest gap left (0–1).
    pub max_gap: f64,
    /// Bounds of the raking factor, if trimmed.
    pub trim: Option<(f64, f64)>,
    /// Cells (combinations of the variables' categories) whose factor was clamped.
    pub trimmed_cells: usize,
    /// Rows set aside because a raking variable's value is empty or has no target
    /// (rejected for every metric as `outside_raking_margins`).
    pub rows_outside_margins: f64,
    /// Every category of every variable.
    pub margins: Vec<Margin>,
}

/// One category of a raking variable.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Margin {
    /// The raking variable (a field).
    pub variable: String,
    /// The category (the field's value as text).
    pub category: String,
    /// The population share asked for, % (0–100).
    pub target_pct: f64,
    /// The sample's share before raking (with design weights, if any), %.
    pub sample_pct: f64,
    /// The share after raking, %.
    pub weighted_pct: f64,
}
