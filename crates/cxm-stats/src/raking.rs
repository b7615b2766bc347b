//! Raking (iterative proportional fitting) of survey weights to population margins, and the
//! Kish effective sample size of weighted data.
//!
//! Raking (Deming and Stephan 1940; the `rake()` of the R `survey` package, rim weighting in
//! SPSS/Quantipy) adjusts the weights so that, for each raking variable (region, plan, …),
//! the weighted shares of its categories equal the population's. It works on the table of
//! *cells*: every combination of the variables' categories that occurs in the sample, with
//! the total base weight of its rows. One sweep scales, variable after variable, each
//! category's cells by `target share / current weighted share`; sweeps repeat until every
//! category of every variable is within `tolerance` of its target (in shares, 0–1). The
//! result is one factor per cell; a row's weight is its base weight times its cell's factor.
//!
//! The factors are scaled to a weighted mean of 1 (Σ base·factor = Σ base), so weighted
//! counts stay on the sample's scale. Trimming (`trim = (low, high)`) clamps the factors to
//! `[low, high]` after every sweep (trimming inside the raking loop, as in Izrael,
//! Battaglia and Frankel 2009, "Extreme survey weight adjustment as a component of sample
//! balancing"), so the final factors respect both the margins and the bounds when such
//! factors exist; when they do not, the run reports that raking did not converge.

/// How to rake.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RakeOptions {
    /// Largest accepted gap between a category's weighted share and its target (0–1).
    pub tolerance: f64,
    /// Most sweeps.
    pub max_iterations: usize,
    /// Bounds of the factors, relative to their weighted mean of 1 (e.g. `(0.3, 3.0)`).
    pub trim: Option<(f64, f64)>,
}

impl Default for RakeOptions {
    fn default() -> Self {
        RakeOptions {
            tolerance: 1e-6,
            max_iterations: 100,
            trim: None,
        }
    }
}

/// The outcome of raking.
#[derive(Debug, Clone, PartialEq)]
pub struct Raked {
    /// One factor per cell, in the cells' order; weighted mean 1.
    pub factors: Vec<f64>,
    /// Sweeps made.
    pub iterations: usize,
    /// The largest gap between a category's weighted share and its target after the last
    /// sweep.
    pub max_gap: f64,
    /// Whether `max_gap` is within the tolerance.
    pub converged: bool,
    /// Cells whose factor was clamped by the last sweep's trimming.
    pub trimmed_cells: usize,
}

/// Why raking cannot start.
#[derive(Debug, Clone, PartialEq)]
pub enum RakeError {
    /// A category with a positive target has no weight in the sample: no factor can give it
    /// its share. (variable index, category index)
    EmptyCategory(usize, usize),
    /// The cells carry no weight at all.
    NoWeight,
    /// A variable's targets are not finite, negative or sum to 0 (variable index).
    BadTargets(usize),
}

/// Rakes `cells` — each the category index of every variable and the total base weight of
/// its rows — to `targets`, one list of category targets per variable (any positive scale:
/// shares, percentages or population counts; each variable's are normalised to sum to 1).
pub fn rake(
    cells: &[(Vec<usize>, f64)],
    targets: &[Vec<f64>],
    options: &RakeOptions,
) -> Result<Raked, RakeError> {
    let shares: Vec<Vec<f64>> = targets
        .iter()
        .enumerate()
        .map(|(v, t)| {
            let sum: f64 = t.iter().sum();
            let fine = sum.is_finite() && sum > 0.0 && t.iter().all(|x| x.is_finite() && *x >= 0.0);
            if fine {
                Ok(t.iter().map(|x| x / sum).collect())
            } else {
                Err(RakeError::BadTargets(v))
            }
        })
        .collect::<Result<_, _>>()?;
    let total: f64 = cells.iter().map(|(_, b)| b).sum();
    if total.is_nan() || total <= 0.0 {
        return Err(RakeError::NoWeight);
    }
    // Every category with a target must have weight in the sample.
    for (v, share) in shares.iter().enumerate() {
        let mut present = vec![0.0; share.len()];
        for (cats, base) in cells {
            if let Some(p) = cats.get(v).and_then(|&c| present.get_mut(c)) {
                *p += base;
            }
        }
        if let Some(c) = (0..share.len()).find(|&c| share[c] > 0.0 && present[c] <= 0.0) {
            return Err(RakeError::EmptyCategory(v, c));
        }
    }
    let mut factors = vec![1.0; cells.len()];
    let mut raked = Raked {
        factors: Vec::new(),
        iterations: 0,
        max_gap: f64::INFINITY,
        converged: false,
        trimmed_cells: 0,
    };
    while raked.iterations < options.max_iterations {
        raked.iterations += 1;
        for (v, share) in shares.iter().enumerate() {
            let current = weighted(cells, &factors, v, share.len());
            for ((cats, _), f) in cells.iter().zip(factors.iter_mut()) {
                let c = cats[v];
                if current[c] > 0.0 {
                    *f *= share[c] * total / current[c];
                }
            }
        }
        normalise(cells, &mut factors, total);
        raked.trimmed_cells = 0;
        if let Some((low, high)) = options.trim {
            for f in factors.iter_mut() {
                if *f < low || *f > high {
                    *f = f.clamp(low, high);
                    raked.trimmed_cells += 1;
                }
            }
        }
        raked.max_gap = gap(cells, &factors, &shares);
        if raked.max_gap <= options.tolerance {
            raked.converged = true;
            break;
        }
    }
    raked.factors = factors;
    Ok(raked)
}

/// The weighted total of each category of variable `v`.
fn weighted(cells: &[(Vec<usize>, f64)], factors: &[f64], v: usize, categories: usize) -> Vec<f64> {
    let mut out = vec![0.0; categories];
    for ((cats, base), f) in cells.iter().zip(factors) {
        out[cats[v]] += base * f;
    }
    out
}

/// Scales the factors to a weighted mean of 1.
fn normalise(cells: &[(Vec<usize>, f64)], factors: &mut [f64], total: f64) {
    let now: f64 = cells
        .iter()
        .zip(factors.iter())
        .map(|((_, b), f)| b * f)
        .sum();
    if now > 0.0 {
        let k = total / now;
        factors.iter_mut().for_each(|f| *f *= k);
    }
}

/// The largest gap between a category's weighted share and its target share.
fn gap(cells: &[(Vec<usize>, f64)], factors: &[f64], shares: &[Vec<f64>]) -> f64 {
    let mut worst: f64 = 0.0;
    for (v, share) in shares.iter().enumerate() {
        let current = weighted(cells, factors, v, share.len());
        let sum: f64 = current.iter().sum();
        for (c, target) in share.iter().enumerate() {
            worst = worst.max((current[c] / sum - target).abs());
        }
    }
    worst
}

/// Kish's effective sample size (Σw)² / Σw² of weights with sum `sum_w` and sum of squares
/// `sum_w2` (Kish 1965, *Survey Sampling*, §11.7); `None` without weight. Each row counted
/// `m` times contributes m·w and m·w².
pub fn kish_effective_n(sum_w: f64, sum_w2: f64) -> Option<f64> {
    (sum_w > 0.0 && sum_w2 > 0.0 && sum_w.is_finite() && sum_w2.is_finite())
        .then(|| sum_w * sum_w / sum_w2)
}

#[cfg(test)]
#[path = "raking_tests.rs"]
mod tests;
