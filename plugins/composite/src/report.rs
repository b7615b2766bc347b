//! The `finish` side of the `composite` metric: the portfolio of latest scores per
//! customer, bands, cooling flags, the interval of the mean score, and the `customers` and
//! `signals` tables — all computed from the merged state.

use crate::{Composite, CompositeState, Entry, UNIT};
use cxm_sdk::prelude::*;
use cxm_stats::Moments;
use serde_json::Value;
use std::collections::BTreeMap;

/// Tolerance of the cooling comparison, so a drop of exactly `cooling_drop` points that
/// floating point renders as 9.999999999999998 still counts.
const COOLING_EPSILON: f64 = 1e-9;

/// One customer of the portfolio: its latest scored snapshot and the one before, if any.
struct Customer<'a> {
    id: &'a str,
    latest: &'a Entry,
    previous: Option<&'a Entry>,
}

/// The customers of `state`, each with its latest two snapshots (keys sort by customer,
/// then snapshot date ascending).
fn customers(state: &CompositeState) -> Vec<Customer<'_>> {
    let mut by_id: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for ((id, _), entry) in &state.rows {
        by_id.entry(id.as_str()).or_default().push(entry);
    }
    by_id
        .into_iter()
        .filter_map(|(id, entries)| {
            let (latest, earlier) = entries.split_last()?;
            Some(Customer {
                id,
                latest,
                previous: earlier.last().copied(),
            })
        })
        .collect()
}

/// A share in % of `n`, or null when n = 0.
fn pct(count: f64, n: f64) -> Value {
    if n > 0.0 {
        number(100.0 * count / n)
    } else {
        Value::Null
    }
}

fn optional(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

/// The test basis of the mean score over customers (each at its latest snapshot): mean,
/// sample variance with the row weights as frequency weights, and n; `None` when n <= 1,
/// where the sample variance is undefined.
fn mean_basis(moments: &Moments) -> Option<TestBasis> {
    Some(TestBasis::Mean {
        mean: moments.mean()?,
        variance: moments.sample_variance()?,
        n: moments.weight,
    })
}

impl Composite {
    /// Whether a customer whose score went from `previous` to `latest` is cooling: it fell
    /// by at least `cooling_drop` points.
    pub fn is_cooling(&self, previous: f64, latest: f64) -> bool {
        previous - latest >= self.params.cooling_drop - COOLING_EPSILON
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &CompositeState) -> MetricResult {
        let customers = customers(state);
        let compared = customers.iter().any(|c| c.previous.is_some());
        let bands = self.params.bands;
        let mut moments = Moments::default();
        let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
        let mut cooling_count = 0.0;
        let mut rows = Vec::with_capacity(customers.len());
        for c in &customers {
            let score = c.latest.score;
            let weight = c.latest.weight;
            let band = bands.of(score);
            moments.add(score, weight);
            *counts.entry(band).or_default() += weight;
            let mut row = vec![json!(c.id), number(score), json!(band)];
            row.extend(c.latest.normalized.iter().map(|v| optional(*v)));
            if compared {
                match c.previous {
                    Some(previous) => {
                        let cooling = self.is_cooling(previous.score, score);
                        if cooling {
                            cooling_count += weight;
                        }
                        row.extend([
                            number(previous.score),
                            number(score - previous.score),
                            json!(cooling),
                        ]);
                    }
                    // Not compared: no earlier snapshot of this customer.
                    None => row.extend([Value::Null, Value::Null, Value::Null]),
                }
            }
            rows.push((score, c.id, row));
        }
        // Most at risk first; ties by customer id for a stable order.
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));

        let n = moments.weight;
        let level = self.params.confidence;
        let ci = cxm_stats::t_interval(&moments, level).map(|(low, high)| Interval {
            low,
            high,
            level,
            method: "t".to_string(),
        });
        let count = |band: &str| counts.get(band).copied().unwrap_or(0.0);
        let mut result = MetricResult {
            value: moments.mean(),
            unit: UNIT.to_string(),
            n,
            ci,
            basis: mean_basis(&moments),
            ..Default::default()
        }
        .detail("customers", number(n))
        .detail("red", number(count("red")))
        .detail("yellow", number(count("yellow")))
        .detail("green", number(count("green")))
        .detail("red_pct", pct(count("red"), n))
        .detail("yellow_pct", pct(count("yellow"), n))
        .detail("green_pct", pct(count("green"), n));
        if compared {
            result = result.detail("cooling", number(cooling_count));
        }
        let snapshots: std::collections::BTreeSet<Option<i32>> =
            state.rows.keys().map(|(_, s)| *s).collect();
        result = result.detail("snapshots", snapshots.len());
        if state.merge_duplicates > 0 {
            result = result
                .detail("merge_duplicates", state.merge_duplicates)
                .warn("duplicate_entity");
        }
        result.tables = vec![
            self.customers_table(compared, rows.into_iter().map(|r| r.2).collect()),
            self.signals_table(),
        ];
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        if n < self.params.min_n as f64 || n <= 0.0 {
            result = result.warn("low_sample");
        }
        result
    }

    fn customers_table(&self, compared: bool, rows: Vec<Vec<Value>>) -> Table {
        let mut columns = vec!["customer".to_string(), "score".into(), "band".into()];
        columns.extend(self.signals.iter().map(|s| s.name.clone()));
        if compared {
            columns.extend(["previous_score".into(), "change".into(), "cooling".into()]);
        }
        Table {
            name: "customers".to_string(),
            columns,
            rows,
        }
    }

    fn signals_table(&self) -> Table {
        let total: f64 = self.signals.iter().map(|s| s.weight).sum();
        Table {
            name: "signals".to_string(),
            columns: ["signal", "weight", "normalized_weight", "normalize"]
                .map(String::from)
                .to_vec(),
            rows: self
                .signals
                .iter()
                .map(|s| {
                    vec![
                        json!(s.name),
                        number(s.weight),
                        number(s.weight / total),
                        json!(s.normalize.describe()),
                    ]
                })
                .collect(),
        }
    }
}
