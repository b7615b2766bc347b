//! The `finish` side of the `csi` metric: the index, its interval, the `attributes` table
//! and the warnings, all computed from a (merged) [`CsiState`].

use crate::params::{range_text, WeightSource};
use crate::{Csi, CsiState};
use cxm_sdk::prelude::*;
use serde_json::Value;

/// Name of the per-attribute table.
pub const TABLE: &str = "attributes";
/// Columns of the per-attribute table.
pub const COLUMNS: [&str; 7] = [
    "attribute",
    "weight",
    "normalized_weight",
    "mean_satisfaction",
    "satisfaction_share",
    "priority_gap",
    "n",
];

/// One attribute that enters the index.
#[derive(Clone, Debug)]
struct Line {
    name: String,
    /// w_i.
    weight: f64,
    /// S̄_i.
    mean: f64,
    /// Weighted number of rows.
    n: f64,
    /// Sample variance of the satisfaction ratings (None when n <= 1).
    variance: Option<f64>,
}

/// One row of the table, before sorting.
struct TableRow {
    line: Line,
    normalized: Option<f64>,
    share: Option<f64>,
    gap: Option<f64>,
}

fn opt_number(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

impl Csi {
    /// The attributes that enter the index, and the names of those without any importance.
    fn lines(&self, state: &CsiState) -> (Vec<Line>, Vec<String>) {
        let mut lines = Vec::new();
        let mut without_importance = Vec::new();
        for (name, a) in &state.attributes {
            // Only zero-weight rows: nothing of this attribute entered any sum.
            let Some(mean) = a.satisfaction.mean() else {
                continue;
            };
            let weight = match &self.params.weights {
                WeightSource::Fixed(weights) => weights.get(name).copied(),
                WeightSource::Importance => a.importance.mean(),
            };
            match weight {
                Some(weight) => lines.push(Line {
                    name: name.clone(),
                    weight,
                    mean,
                    n: a.satisfaction.weight,
                    variance: a.satisfaction.sample_variance(),
                }),
                None => without_importance.push(name.clone()),
            }
        }
        (lines, without_importance)
    }

    /// The interval of the index, treating the weights as fixed and the attributes as
    /// independent samples: CSI = Σ c_i·S̄_i with c_i = 100·w_i / (S_max·Σw), so
    /// Var = Σ c_i²·s_i²/n_i (the variance of a stratified mean, Cochran, Sampling
    /// Techniques, 3rd ed., §5.3) with Welch-Satterthwaite degrees of freedom
    /// df = (Σ a_i)² / Σ a_i²/(n_i − 1), a_i = c_i²·s_i²/n_i (Cochran §5.4). Long-format
    /// rows carry no respondent id, so the correlation of one respondent's ratings across
    /// attributes cannot be estimated. `None` when an attribute with positive weight has
    /// n <= 1. Clamped to [0, 100].
    fn interval(&self, lines: &[Line], total: f64, value: f64) -> Option<(f64, f64)> {
        let s_max = self.params.scale[1];
        let (mut var, mut denom) = (0.0, 0.0);
        for l in lines.iter().filter(|l| l.weight > 0.0) {
            let c = 100.0 * l.weight / (s_max * total);
            let a = c * c * l.variance? / l.n;
            var += a;
            denom += a * a / (l.n - 1.0);
        }
        if var <= 0.0 {
            return Some((value, value));
        }
        let t = cxm_stats::t_for_confidence(self.params.confidence, var * var / denom)?;
        let half = t * var.sqrt();
        Some(((value - half).max(0.0), (value + half).min(100.0)))
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &CsiState) -> MetricResult {
        let p = &self.params;
        let (lines, without_importance) = self.lines(state);
        let total: f64 = lines.iter().map(|l| l.weight).sum();
        let n: f64 = lines.iter().map(|l| l.n).sum();
        let weighted: f64 = lines.iter().map(|l| l.weight * l.mean).sum();
        let value = (total > 0.0).then(|| 100.0 * weighted / (p.scale[1] * total));
        let ci = value
            .and_then(|v| self.interval(&lines, total, v))
            .map(|(low, high)| Interval {
                low,
                high,
                level: p.confidence,
                method: "t_satterthwaite".to_string(),
            });

        let sum_means: f64 = lines.iter().map(|l| l.mean).sum();
        let mut rows: Vec<TableRow> = lines
            .iter()
            .map(|l| {
                let normalized = (total > 0.0).then(|| l.weight / total);
                let share = (sum_means > 0.0).then(|| l.mean / sum_means);
                let gap = normalized.zip(share).map(|(w, s)| w - s);
                TableRow {
                    line: l.clone(),
                    normalized,
                    share,
                    gap,
                }
            })
            .collect();
        // Largest gap first (None last); ties by name, so the order is stable.
        rows.sort_by(|a, b| {
            let key = |r: &TableRow| r.gap.unwrap_or(f64::NEG_INFINITY);
            key(b)
                .total_cmp(&key(a))
                .then_with(|| a.line.name.cmp(&b.line.name))
        });
        let table = Table {
            name: TABLE.to_string(),
            columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        Value::String(r.line.name.clone()),
                        number(r.line.weight),
                        opt_number(r.normalized),
                        number(r.line.mean),
                        opt_number(r.share),
                        opt_number(r.gap),
                        number(r.line.n),
                    ]
                })
                .collect(),
        };

        let mut result = MetricResult {
            value,
            unit: self.unit(),
            n,
            ci,
            tables: vec![table],
            // No test basis (`basis` stays None): the index is a weighted combination of
            // per-attribute means over different rows, not one NPS, proportion or mean of
            // observations; its variance needs the Satterthwaite approximation above, which
            // none of the standard tests (NPS z, two-proportion z, Welch t) takes.
            ..Default::default()
        }
        .detail("attributes", lines.len())
        .detail("scale", range_text(p.scale));
        let mut without_data = Vec::new();
        match &p.weights {
            WeightSource::Fixed(weights) => {
                without_data = weights
                    .iter()
                    .filter(|(name, &w)| w > 0.0 && !lines.iter().any(|l| &l.name == *name))
                    .map(|(name, _)| name.clone())
                    .collect();
                result = result
                    .detail("weight_source", "weights")
                    .detail("attributes_without_data", without_data.clone());
            }
            WeightSource::Importance => {
                result = result
                    .detail("weight_source", "importance")
                    .detail("importance_scale", range_text(p.importance_scale))
                    .detail("attributes_without_importance", without_importance.clone());
            }
        }
        if n <= 0.0 {
            result = result.warn("no_data");
        } else if value.is_none() {
            result = result.warn("zero_total_weight");
        }
        let min_n = p.min_n as f64;
        if n <= 0.0 || n < min_n || lines.iter().any(|l| l.n < min_n) {
            result = result.warn("low_sample");
        }
        if !without_importance.is_empty() {
            result = result.warn("attributes_without_importance");
        }
        if !without_data.is_empty() {
            result = result.warn("attributes_without_data");
        }
        result
    }
}
