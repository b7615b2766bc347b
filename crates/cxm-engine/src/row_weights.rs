//! The weights a batch's rows are given: the row weight (multiplicity) field, times a
//! pushed-down histogram's counts, times the survey (sampling) weight when the dataset has
//! one (see [`crate::weighting`]); and, with survey weights, the per-group sums of the rows
//! used that Kish's effective n is computed from.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, Float64Array};
use arrow_schema::DataType;
use cxm_ingest::Batch;

/// With survey weights, the weight each row was given (multiplicity × sampling weight) and
/// its sampling weight alone.
#[derive(Clone, Copy)]
pub(crate) struct Sampled<'a> {
    pub(crate) weights: &'a [f64],
    pub(crate) sampling: &'a [f64],
}

impl<'a> Sampled<'a> {
    pub(crate) fn of(
        weights: &'a Option<Float64Array>,
        sampling: &'a Option<Vec<f64>>,
    ) -> Option<Self> {
        Some(Sampled {
            weights: weights.as_ref()?.values().as_ref(),
            sampling: sampling.as_deref()?,
        })
    }
}

impl Sampled<'_> {
    /// Adds Σm, Σm·s, Σm·s² of the rows used (status 0) to their groups' `design` sums
    /// (m = w / s is the row's multiplicity; a row of sampling weight 0 adds the
    /// multiplicity of its count).
    pub(crate) fn add_design(
        &self,
        design: &mut Vec<[f64; 3]>,
        status: &[u8],
        group_ids: &[u32],
        batch: &Batch,
    ) {
        for (row, ((&code, &g), (&w, &s))) in status
            .iter()
            .zip(group_ids)
            .zip(self.weights.iter().zip(self.sampling))
            .enumerate()
        {
            if code != 0 {
                continue;
            }
            let g = g as usize;
            if design.len() <= g {
                design.resize(g + 1, [0.0; 3]);
            }
            let m = if s > 0.0 {
                w / s
            } else {
                crate::chunk::count(batch, row) as f64
            };
            let d = &mut design[g];
            d[0] += m;
            d[1] += w;
            d[2] += w * s;
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
    /// Each row's sampling weight alone, with survey weights.
    pub(crate) sampling: Option<Vec<f64>>,
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
            sampling: None,
        };
    };
    let mut buf = String::new();
    let rows = batch.num_rows();
    let mut sampling = Vec::with_capacity(rows);
    for row in 0..rows {
        match survey.row_weight(batch, row, &mut buf) {
            Ok(s) => sampling.push(s),
            Err(reason) => {
                sampling.push(0.0);
                if !bad.iter().any(|(r, _)| *r == row) {
                    bad.push((row, reason));
                }
            }
        }
    }
    bad.sort_by_key(|(row, _)| *row);
    let weights: Vec<f64> = match &counted {
        Some(m) => m
            .values()
            .iter()
            .zip(&sampling)
            .map(|(m, s)| m * s)
            .collect(),
        None => sampling.clone(),
    };
    RowWeights {
        weights: Some(Float64Array::from(weights)),
        bad,
        sampling: Some(sampling),
    }
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
            Some(w) if w.is_finite() && w >= 0.0 => w,
            _ => {
                bad.push(row);
                0.0
            }
        })
        .collect();
    (Some(Float64Array::from(values)), bad)
}
