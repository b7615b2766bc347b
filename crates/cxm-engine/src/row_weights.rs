//! The weights a batch's rows are given: the row weight (multiplicity) field, times a
//! pushed-down histogram's counts, times the survey (sampling) weight when the dataset has
//! one (see [`crate::weighting`]); and, with survey weights, the per-group sums of the rows
//! used that Kish's effective n is computed from.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, Float64Array};
use arrow_schema::DataType;
use cxm_ingest::Batch;

/// A batch's survey weights: each row's sampling weight and its multiplicity (row weight ×
/// pushed-down count; `None`: every row counts once).
pub(crate) struct Survey {
    sampling: Vec<f64>,
    multiplicity: Option<Vec<f64>>,
}

impl Survey {
    /// The rows' weights, borrowed.
    pub(crate) fn rows(&self) -> Sampled<'_> {
        Sampled {
            sampling: &self.sampling,
            multiplicity: self.multiplicity.as_deref(),
        }
    }
}

/// A batch's survey weights, borrowed (see [`Survey`]).
#[derive(Clone, Copy)]
pub(crate) struct Sampled<'a> {
    sampling: &'a [f64],
    multiplicity: Option<&'a [f64]>,
}

impl Sampled<'_> {
    /// Adds Σm, Σm·s, Σm·s² of the rows used (status 0) to their groups' `design` sums
    /// (m: the row's multiplicity, s: its sampling weight).
    pub(crate) fn add_design(&self, design: &mut Vec<[f64; 3]>, status: &[u8], group_ids: &[u32]) {
        for (row, ((&code, &g), &s)) in status.iter().zip(group_ids).zip(self.sampling).enumerate()
        {
            if code != 0 {
                continue;
            }
            let g = g as usize;
            if design.len() <= g {
                design.resize(g + 1, [0.0; 3]);
            }
            let m = self.multiplicity.map_or(1.0, |m| m[row]);
            let d = &mut design[g];
            d[0] += m;
            d[1] += m * s;
            d[2] += m * s * s;
        }
    }
}

/// The weights of a batch's rows.
pub(crate) struct RowWeights {
    /// The weight of each row (None without a weight field, counts or survey weights):
    /// its multiplicity (row weight × pushed-down count) times its sampling weight.
    pub(crate) weights: Option<Float64Array>,
    /// Rows whose weight cannot be used (missing, negative or not finite; outside the
    /// raking margins), with the reason; their weight is 0 and they are rejected.
    pub(crate) bad: Vec<(usize, &'static str)>,
    /// The survey weights, when the dataset has them.
    pub(crate) survey: Option<Survey>,
}

/// The weights of a batch: a pushed-down histogram's counts multiply the row weights (or
/// are the weights), and survey weights multiply both.
pub(crate) fn weights_of(
    batch: &Batch,
    field: Option<usize>,
    survey: Option<&crate::weighting::Sampling>,
) -> RowWeights {
    let (weights, bad) = field_weights(batch, field);
    let mut bad: Vec<(usize, &'static str)> = bad
        .into_iter()
        .map(|row| (row, crate::weighting::INVALID_WEIGHT))
        .collect();
    let counted = match (&batch.row_counts, weights) {
        (None, weights) => weights,
        (Some(counts), weights) => Some(Float64Array::from(match &weights {
            Some(w) => w
                .values()
                .iter()
                .zip(counts)
                .map(|(w, &c)| w * c as f64)
                .collect::<Vec<f64>>(),
            None => counts.iter().map(|&c| c as f64).collect(),
        })),
    };
    let Some(survey) = survey else {
        return RowWeights {
            weights: counted,
            bad,
            survey: None,
        };
    };
    // Rows with an unusable row weight stay under that reason (`bad` is in row order).
    let already_bad = std::mem::take(&mut bad);
    let mut known = already_bad.iter().peekable();
    let mut buf = String::new();
    let rows = batch.num_rows();
    let mut sampling = Vec::with_capacity(rows);
    for row in 0..rows {
        let known_bad = known.next_if(|(r, _)| *r == row);
        match survey.row_weight(batch, row, &mut buf) {
            Ok(s) => sampling.push(s),
            Err(reason) => {
                sampling.push(0.0);
                if known_bad.is_none() {
                    bad.push((row, reason));
                    continue;
                }
            }
        }
        bad.extend(known_bad.copied());
    }
    let multiplicity: Option<Vec<f64>> = counted.map(|m| m.values().to_vec());
    let weights: Vec<f64> = match &multiplicity {
        Some(m) => m.iter().zip(&sampling).map(|(m, s)| m * s).collect(),
        None => sampling.clone(),
    };
    RowWeights {
        weights: Some(Float64Array::from(weights)),
        bad,
        survey: Some(Survey {
            sampling,
            multiplicity,
        }),
    }
}

/// Whether a row weight can be used: finite and not negative.
pub(crate) fn usable_weight(w: f64) -> bool {
    w.is_finite() && w >= 0.0
}

fn field_weights(batch: &Batch, field: Option<usize>) -> (Option<Float64Array>, Vec<usize>) {
    let Some(field) = field else {
        return (None, Vec::new());
    };
    let column = &batch.columns[field];
    let raw: Vec<Option<f64>> = match column.data_type() {
        DataType::Int64 => column
            .as_primitive::<Int64Type>()
            .iter()
            .map(|v| v.map(|x| x as f64))
            .collect(),
        _ => column.as_primitive::<Float64Type>().iter().collect(),
    };
    let mut bad = Vec::new();
    let values: Vec<f64> = raw
        .into_iter()
        .enumerate()
        .map(|(row, w)| match w {
            Some(w) if usable_weight(w) => w,
            _ => {
                bad.push(row);
                0.0
            }
        })
        .collect();
    (Some(Float64Array::from(values)), bad)
}
