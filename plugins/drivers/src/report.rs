//! The `finish` side of `drivers`: relative weights, quadrants and the bootstrap summaries
//! of one group, all recomputed from the merged cross-product blocks.
//!
//! The result's `value` is R² with the replicates' percentile interval as `ci`; the table
//! `drivers` has one row per attribute, most important first.

use crate::bootstrap::quantile;
use crate::cross::{Missing, Stats};
use crate::weights::{relative_weights, Quadrant, Undefined, Weights};
use crate::{Drivers, DriversState};
use cxm_sdk::prelude::*;
use serde_json::Value;

/// The unit of the headline value.
pub const UNIT: &str = "R² (0-1)";
/// The method of every interval.
const METHOD: &str = "poisson_bootstrap_percentile";

/// The analysis of one cross-product block.
struct Analysis {
    weights: Weights,
    quadrants: Vec<Quadrant>,
    importance_line: f64,
    performance_line: f64,
}

fn analyse(stats: &Stats) -> Result<Analysis, Undefined> {
    let means = stats.attribute_means();
    if means.iter().any(|m| !m.is_finite()) {
        return Err(Undefined::NoVariance);
    }
    let weights = relative_weights(&stats.rxx(), &stats.rxy())?;
    let (quadrants, importance_line, performance_line) = Quadrant::classify(&weights.raw, &means);
    Ok(Analysis {
        weights,
        quadrants,
        importance_line,
        performance_line,
    })
}

/// Per-replicate figures of the replicates whose analysis is defined.
#[derive(Default)]
struct Replicates {
    r2: Vec<f64>,
    /// `raw[j]`: attribute j's raw weight in each replicate.
    raw: Vec<Vec<f64>>,
    pct: Vec<Vec<f64>>,
    /// Replicates in which attribute j is in its full-sample quadrant.
    same_quadrant: Vec<usize>,
}

impl Replicates {
    fn used(&self) -> usize {
        self.r2.len()
    }
}

/// The (low, high) percentile interval of `values` at `level`.
fn interval(values: &mut [f64], level: f64) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let a = (1.0 - level) / 2.0;
    Some((quantile(values, a)?, quantile(values, 1.0 - a)?))
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

impl Drivers {
    fn replicates(&self, data: &[f64], full: &Analysis) -> Replicates {
        let len = self.layout.block_len();
        let p = self.attributes.len();
        let mut reps = Replicates {
            raw: vec![Vec::new(); p],
            pct: vec![Vec::new(); p],
            same_quadrant: vec![0; p],
            ..Default::default()
        };
        for block in data.chunks_exact(len).skip(1) {
            let Ok(a) = analyse(&self.layout.stats(block)) else {
                continue;
            };
            reps.r2.push(a.weights.r2);
            for (j, pct) in a.weights.rescaled().into_iter().enumerate() {
                reps.raw[j].push(a.weights.raw[j]);
                reps.pct[j].push(pct.unwrap_or(f64::NAN));
                if a.quadrants[j] == full.quadrants[j] {
                    reps.same_quadrant[j] += 1;
                }
            }
        }
        reps
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &DriversState) -> MetricResult {
        let p = self.attributes.len();
        let mut details = cxm_sdk::Details::new();
        details.insert("missing", json!(self.params.missing.name()));
        details.insert("attributes", json!(p));
        if self.replicates > 0 {
            details.insert("replicates", json!(self.replicates));
            details.insert("seed", json!(self.params.seed));
        }
        let len = self.layout.block_len();
        let Some(main) = state.data.get(..len) else {
            let mut r = MetricResult::empty(UNIT);
            r.details = details;
            return r;
        };
        let stats = self.layout.stats(main);
        let n = stats.n[0];
        if self.params.missing == Missing::Pairwise {
            details.insert("n_min_pair", number(stats.min_pair_n()));
        }
        let mut warnings = Vec::new();
        if n < self.params.min_n {
            warnings.push("low_sample".to_string());
        }
        let analysis = analyse(&stats);
        let mut reps = Replicates::default();
        let mut ci = None;
        match &analysis {
            Err(why) => warnings.push(why.warning().to_string()),
            Ok(a) => {
                details.insert("importance_line", number(a.importance_line));
                details.insert("performance_line", number(a.performance_line));
                if self.replicates > 0 {
                    reps = self.replicates(&state.data, a);
                    details.insert("replicates_used", json!(reps.used()));
                    if reps.used() < self.replicates as usize {
                        warnings.push("bootstrap_replicates_undefined".to_string());
                    }
                    let level = self.params.confidence;
                    ci = interval(&mut reps.r2, level).map(|(low, high)| Interval {
                        low,
                        high,
                        level,
                        method: METHOD.to_string(),
                    });
                }
            }
        }
        let table = self.table(&stats, analysis.as_ref().ok(), &mut reps);
        MetricResult {
            value: analysis.as_ref().ok().map(|a| a.weights.r2),
            unit: UNIT.to_string(),
            n,
            ci,
            details,
            warnings,
            tables: vec![table],
            basis: None,
        }
    }

    /// The `drivers` table: one row per attribute, most important first (input order when
    /// the weights are undefined).
    fn table(&self, stats: &Stats, analysis: Option<&Analysis>, reps: &mut Replicates) -> Table {
        let p = self.attributes.len();
        let m = stats.m;
        let bootstrap = self.replicates > 0 && analysis.is_some();
        let mut columns: Vec<String> = [
            "attribute",
            "rank",
            "importance",
            "importance_pct",
            "correlation",
            "mean",
            "n",
            "quadrant",
        ]
        .map(String::from)
        .to_vec();
        if bootstrap {
            columns.extend(
                [
                    "importance_low",
                    "importance_high",
                    "importance_pct_low",
                    "importance_pct_high",
                    "quadrant_stability",
                ]
                .map(String::from),
            );
        }
        let mut order: Vec<usize> = (0..p).collect();
        if let Some(a) = analysis {
            // Most important first; ties in input order (the sort is stable).
            order.sort_by(|&x, &y| a.weights.raw[y].total_cmp(&a.weights.raw[x]));
        }
        let level = self.params.confidence;
        let used = reps.used();
        let rows = order
            .iter()
            .enumerate()
            .map(|(rank, &j)| {
                let pct = analysis.map(|a| a.weights.rescaled()[j]);
                let mut row = vec![
                    json!(self.attributes[j]),
                    analysis.map_or(Value::Null, |_| json!(rank + 1)),
                    opt(analysis.map(|a| a.weights.raw[j])),
                    opt(pct.flatten()),
                    number(stats.r[j + 1]),
                    number(stats.mean[j + 1]),
                    number(stats.n_pair[j + 1]),
                    analysis.map_or(Value::Null, |a| json!(a.quadrants[j].label())),
                ];
                debug_assert_eq!(stats.n_pair.len(), m * m);
                if bootstrap {
                    let raw = interval(&mut reps.raw[j], level);
                    let pct = interval(&mut reps.pct[j], level);
                    row.extend([
                        opt(raw.map(|r| r.0)),
                        opt(raw.map(|r| r.1)),
                        opt(pct.map(|r| r.0)),
                        opt(pct.map(|r| r.1)),
                        if used > 0 {
                            number(reps.same_quadrant[j] as f64 / used as f64)
                        } else {
                            Value::Null
                        },
                    ]);
                }
                row
            })
            .collect();
        Table {
            name: "drivers".to_string(),
            columns,
            rows,
        }
    }
}
