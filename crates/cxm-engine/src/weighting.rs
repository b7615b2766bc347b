//! Survey weights of a dataset (`sampling_weight`, `[datasets.X.raking]`): a first pass
//! over the dataset tallies the cells of the raking variables (every combination of their
//! categories, with the rows' design weights), [`cxm_stats::rake`] fits a factor per cell,
//! and the run then gives every row the sampling weight
//!
//! ```text
//! s = design weight × cell factor × k,   k = Σm / Σ(m · design weight)
//! ```
//!
//! (m: the row's multiplicity), so the weights have mean 1 and weighted counts stay on the
//! sample's scale. A metric receives m·s as the row's weight, so its estimates are weighted;
//! the run also sums m, m·s and m·s² per group (see `chunk::tally`), from which every
//! weighted result gets Kish's effective n, used by all its intervals and tests.
//!
//! Rows whose design weight is missing, negative or not finite are rejected for every
//! metric as `invalid_weight`; rows whose raking value is empty or has no target as
//! `outside_raking_margins`. Neither enters the raking. Reading the dataset twice is the
//! cost of raking (and of scaling design weights to mean 1).

use crate::context::DatasetContext;
use crate::error::EngineError;
use crate::plan::DatasetPlan;
use cxm_config::SamplingConfig;
use cxm_ingest::Batch;
use cxm_report::{Margin, RakingSummary, WeightingSummary};
use std::collections::{HashMap, HashSet};

/// Reason of rows whose raking value has no target.
pub(crate) const OUTSIDE_MARGINS: &str = "outside_raking_margins";
/// Reason of rows whose design weight cannot be used.
pub(crate) const INVALID_WEIGHT: &str = "invalid_weight";

/// One raking variable: its field and its categories' indices by text.
struct Variable {
    field: usize,
    categories: HashMap<String, u32>,
}

/// The survey weights of a dataset, fitted by [`Sampling::fit`].
pub(crate) struct Sampling {
    config: SamplingConfig,
    /// Field of the design weights.
    weight: Option<usize>,
    variables: Vec<Variable>,
    /// Factor of each cell, by its key (16 bits per variable's category index; 0 for the
    /// one cell without raking variables), times `k` of the module docs.
    factors: HashMap<u64, f64>,
}

/// A cell's totals in the first pass.
#[derive(Clone, Copy)]
struct Cell {
    /// Σ m
    rows: f64,
    /// Σ m·b
    base: f64,
    /// Σ m·b²
    base_sq: f64,
    min: f64,
    max: f64,
}

impl Sampling {
    /// The dataset's survey weighting, if it has one.
    pub(crate) fn new(plan: &DatasetPlan) -> Option<Sampling> {
        let config = plan.config.sampling.clone()?;
        let index = |name: &str| plan.fields.iter().position(|f| f.name == name);
        let weight = config.weight.as_deref().and_then(index);
        let variables = config
            .raking
            .iter()
            .flat_map(|r| &r.margins)
            .filter_map(|(name, targets)| {
                Some(Variable {
                    field: index(name)?,
                    categories: targets
                        .iter()
                        .enumerate()
                        .map(|(i, (c, _))| (c.clone(), i as u32))
                        .collect(),
                })
            })
            .collect();
        Some(Sampling {
            config,
            weight,
            variables,
            factors: HashMap::new(),
        })
    }

    /// The cell key of `row`, or `None` when a raking value is empty or has no target.
    fn cell(&self, batch: &Batch, row: usize, buf: &mut String) -> Option<u64> {
        let mut key = 0u64;
        for v in &self.variables {
            let text = crate::lookup::cell_text(&batch.columns[v.field], row, buf)?;
            let c = *v.categories.get(text)?;
            // Categories are fewer than 2^16 per variable (checked in `fit`).
            key = (key << 16) | u64::from(c);
        }
        Some(key)
    }

    /// The design weight of `row` (1 without a field), or `None` when it cannot be used.
    fn base(&self, batch: &Batch, row: usize) -> Option<f64> {
        let Some(field) = self.weight else {
            return Some(1.0);
        };
        crate::derive::number_of(&batch.columns[field], row)
            .filter(|&w| crate::row_weights::usable_weight(w))
    }

    /// The sampling weight of `row`, or the reason it has none.
    pub(crate) fn row_weight(
        &self,
        batch: &Batch,
        row: usize,
        buf: &mut String,
    ) -> Result<f64, &'static str> {
        let base = self.base(batch, row).ok_or(INVALID_WEIGHT)?;
        // Without raking variables every row is in the one cell 0.
        let cell = self.cell(batch, row, buf).ok_or(OUTSIDE_MARGINS)?;
        let factor = self.factors.get(&cell).copied().ok_or(OUTSIDE_MARGINS)?;
        Ok(base * factor)
    }

    /// The first pass: tallies the cells, rakes them and keeps the factors; returns the
    /// weighting report.
    pub(crate) fn fit(
        &mut self,
        plan: &DatasetPlan,
        ctx: &DatasetContext,
        batch_rows: Option<usize>,
    ) -> Result<WeightingSummary, EngineError> {
        let name = &plan.config.name;
        if self.variables.iter().any(|v| v.categories.len() >= 1 << 16) || self.variables.len() > 4
        {
            return Err(EngineError::Weighting {
                dataset: name.clone(),
                message: "raking takes at most 4 variables of fewer than 65,536 categories each"
                    .into(),
            });
        }
        let mut source =
            crate::sources::open_source(&plan.config, plan.parsed_fields(), plan.zone, batch_rows)?;
        let mut cells: HashMap<u64, Cell> = HashMap::new();
        let mut outside = 0.0;
        let mut seen: HashSet<u128> = HashSet::new();
        let mut misses = vec![crate::lookup::Misses::default(); ctx.lookups.len()];
        let mut buf = String::new();
        let data_error = |e| EngineError::Data {
            dataset: name.clone(),
            source: e,
        };
        while let Some(mut batch) = source.next_batch().map_err(data_error)? {
            crate::lookup::apply(&ctx.lookups, &mut batch, &mut misses);
            crate::derive::apply(&ctx.derived, &mut batch);
            for row in 0..batch.num_rows() {
                if !ctx.key_fields.is_empty()
                    && !seen.insert(crate::chunk::key_hash(&batch, row, &ctx.key_fields))
                {
                    continue; // a duplicate, rejected by the run
                }
                let Some(m) = multiplicity(&batch, row, ctx.weight) else {
                    continue; // an invalid row weight, rejected by the run
                };
                let Some(b) = self.base(&batch, row) else {
                    continue;
                };
                let Some(key) = self.cell(&batch, row, &mut buf) else {
                    outside += m;
                    continue;
                };
                let c = cells.entry(key).or_insert(Cell {
                    rows: 0.0,
                    base: 0.0,
                    base_sq: 0.0,
                    min: f64::INFINITY,
                    max: f64::NEG_INFINITY,
                });
                c.rows += m;
                c.base += m * b;
                c.base_sq += m * b * b;
                if m > 0.0 {
                    c.min = c.min.min(b);
                    c.max = c.max.max(b);
                }
            }
        }
        self.settle(name, cells, outside)
    }

    /// Rakes the tallied cells and keeps their factors.
    fn settle(
        &mut self,
        dataset: &str,
        cells: HashMap<u64, Cell>,
        outside: f64,
    ) -> Result<WeightingSummary, EngineError> {
        let error = |message: String| EngineError::Weighting {
            dataset: dataset.to_string(),
            message,
        };
        let mut cells: Vec<(u64, Cell)> = cells.into_iter().collect();
        cells.sort_by_key(|(k, _)| *k);
        let rows: f64 = cells.iter().map(|(_, c)| c.rows).sum();
        let base: f64 = cells.iter().map(|(_, c)| c.base).sum();
        if rows <= 0.0 || base <= 0.0 {
            return Err(error(
                "no row has a usable weight and raking values with targets".into(),
            ));
        }
        let nvars = self.variables.len();
        let categories = |key: u64| -> Vec<usize> {
            (0..nvars)
                .map(|v| ((key >> (16 * (nvars - 1 - v))) & 0xFFFF) as usize)
                .collect()
        };
        let table: Vec<(Vec<usize>, f64)> = cells
            .iter()
            .map(|(k, c)| (categories(*k), c.base))
            .collect();
        let raking = self.config.raking.clone();
        let (factors, summary) = match &raking {
            None => (vec![1.0; cells.len()], None),
            Some(r) => {
                let targets: Vec<Vec<f64>> = r
                    .margins
                    .iter()
                    .map(|(_, t)| t.iter().map(|(_, x)| *x).collect())
                    .collect();
                let options = cxm_stats::RakeOptions {
                    tolerance: r.tolerance,
                    max_iterations: r.max_iterations,
                    trim: r.trim,
                };
                let raked = cxm_stats::rake(&table, &targets, &options).map_err(|e| {
                    error(match e {
                        cxm_stats::RakeError::EmptyCategory(v, c) => {
                            let (var, t) = &r.margins[v];
                            format!(
                                "{var} = {} has a target of {} but no usable row in the data, so no weights can give it its share; remove it from margins.{var} or check the values",
                                t[c].0, t[c].1
                            )
                        }
                        cxm_stats::RakeError::NoWeight => "the rows carry no weight".into(),
                        cxm_stats::RakeError::BadTargets(v) => {
                            format!("the targets of {} add up to 0", r.margins[v].0)
                        }
                    })
                })?;
                if !raked.converged {
                    return Err(error(format!(
                        "raking did not converge in {} iterations: a weighted share is still {:.4} % away from its target (tolerance {} %){}; raise max_iterations, loosen the tolerance{}",
                        raked.iterations,
                        100.0 * raked.max_gap,
                        100.0 * r.tolerance,
                        if raked.trimmed_cells > 0 { format!(", with {} cells at a trim bound", raked.trimmed_cells) } else { String::new() },
                        if r.trim.is_some() { " or widen trim" } else { "" },
                    )));
                }
                let mut margins = Vec::new();
                for (v, (variable, t)) in r.margins.iter().enumerate() {
                    let total: f64 = t.iter().map(|(_, x)| x).sum();
                    for (c, (category, target)) in t.iter().enumerate() {
                        let share = |weights: &dyn Fn(usize) -> f64| {
                            let (mut part, mut all) = (0.0, 0.0);
                            for (i, (cats, b)) in table.iter().enumerate() {
                                let w = b * weights(i);
                                all += w;
                                if cats[v] == c {
                                    part += w;
                                }
                            }
                            100.0 * part / all
                        };
                        margins.push(Margin {
                            variable: variable.clone(),
                            category: category.clone(),
                            target_pct: 100.0 * target / total,
                            sample_pct: share(&|_| 1.0),
                            weighted_pct: share(&|i| raked.factors[i]),
                        });
                    }
                }
                let summary = RakingSummary {
                    iterations: raked.iterations,
                    converged: raked.converged,
                    tolerance: r.tolerance,
                    max_gap: raked.max_gap,
                    trim: r.trim,
                    trimmed_cells: raked.trimmed_cells,
                    rows_outside_margins: outside,
                    margins,
                };
                (raked.factors, Some(summary))
            }
        };
        // Scale to mean 1: Σ m·b·f = Σ m·b (raking keeps it), so k = Σm / Σ m·b.
        let weighted: f64 = cells
            .iter()
            .zip(&factors)
            .map(|((_, c), f)| c.base * f)
            .sum();
        let scale = rows / weighted;
        self.factors = cells
            .iter()
            .zip(&factors)
            .map(|((k, _), f)| (*k, f * scale))
            .collect();
        let (mut min, mut max, mut sum_sq) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
        for ((_, c), f) in cells.iter().zip(&factors) {
            let k = f * scale;
            if c.rows > 0.0 {
                min = min.min(c.min * k);
                max = max.max(c.max * k);
            }
            sum_sq += c.base_sq * k * k;
        }
        let n_effective = cxm_stats::kish_effective_n(rows, sum_sq).unwrap_or(0.0);
        Ok(WeightingSummary {
            sampling_weight: self.config.weight.clone(),
            raking: summary,
            rows,
            min_weight: min,
            max_weight: max,
            design_effect: if n_effective > 0.0 {
                rows / n_effective
            } else {
                f64::NAN
            },
            n_effective,
        })
    }
}

/// The multiplicity of `row`: its pushed-down count times its row weight (`weight`), or
/// `None` when the row weight cannot be used.
fn multiplicity(batch: &Batch, row: usize, weight: Option<usize>) -> Option<f64> {
    let count = crate::chunk::count(batch, row) as f64;
    match weight {
        None => Some(count),
        Some(f) => crate::derive::number_of(&batch.columns[f], row)
            .filter(|&w| crate::row_weights::usable_weight(w))
            .map(|w| w * count),
    }
}
