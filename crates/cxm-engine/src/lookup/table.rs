//! The in-memory side of a lookup: the dataset looked up, read once and reduced to one row
//! per key (a plain lookup refuses a second row with the same key), plus a last row that
//! rows without a match take (empty values; 0 for counts).
//!
//! Memory: one entry per key (the key's text in one shared buffer, plus about 24 bytes of
//! table and offsets) and one value per looked-up field (8 bytes for a number, date or integer, the
//! text plus 4 bytes for a text); `latest` and `first` also keep the values that led at some
//! point of the file (usually few).

use super::{key, LookupPlan};
use crate::error::EngineError;
use crate::grouping::StrSet;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, UInt32Array};
use arrow_schema::{DataType, TimeUnit};
use cxm_config::Reduce;
use cxm_report::DataNotice;
use std::sync::Arc;

/// A lookup's table: key text → row, and one column per looked-up field.
#[derive(Debug)]
pub(crate) struct LookupTable {
    index: StrSet,
    /// One column per planned output, `keys + 1` rows (the last for rows without a match).
    columns: Vec<ArrayRef>,
    rows_read: u64,
    rows_rejected: u64,
    rows_without_key: u64,
    /// Per field read (index into the plan's specs): values that could not be read.
    unreadable: Vec<u64>,
}

impl LookupTable {
    /// The row of a key.
    pub(crate) fn find(&self, key: &str) -> Option<u32> {
        self.index.find(key)
    }

    /// The row that rows without a match take.
    pub(crate) fn no_match(&self) -> u32 {
        self.index.len() as u32
    }

    /// The looked-up columns, one per planned output.
    pub(crate) fn columns(&self) -> &[ArrayRef] {
        &self.columns
    }

    /// Rows of the dataset looked up that could not be used, and values it could not read.
    pub(crate) fn notices(&self, plan: &LookupPlan) -> Vec<DataNotice> {
        let l = &plan.config;
        let mut out = Vec::new();
        let skipped = self.rows_rejected + self.rows_without_key;
        if skipped > 0 {
            out.push(DataNotice {
                kind: "lookup_rows_skipped".into(),
                count: skipped,
                lines: Vec::new(),
                message: format!(
                    "{skipped} of the {} rows of dataset \"{}\" were not used by the lookup by {} ({} rejected for their structure, {} with an empty or unreadable {}); its own rejected.csv lists them when a metric reads it",
                    self.rows_read, l.dataset, l.key, self.rows_rejected, self.rows_without_key, l.lookup_key
                ),
            });
        }
        for (spec, &n) in plan.specs.iter().zip(&self.unreadable).skip(1) {
            if n > 0 {
                out.push(DataNotice {
                    kind: "lookup_values_unreadable".into(),
                    count: n,
                    lines: Vec::new(),
                    message: format!(
                        "{n} values of field \"{}\" of dataset \"{}\" could not be read as {}; the lookup by {} treats them as empty",
                        spec.name, l.dataset, spec.ty.name(), l.key
                    ),
                });
            }
        }
        out
    }
}

/// How one looked-up field is being built.
enum Acc {
    /// A plain lookup's values, one part per batch, in key order.
    Value(Vec<ArrayRef>),
    Count(Vec<i64>),
    /// Compensated (Neumaier) sums and counts of the non-empty values.
    Sum {
        sum: Vec<(f64, f64)>,
        n: Vec<u64>,
        mean: bool,
    },
    /// The leading row of each key: its `by`, and where its value is kept.
    Pick {
        latest: bool,
        best: Vec<Option<(i64, u32, u32)>>,
        parts: Vec<ArrayRef>,
    },
}

fn number(column: &ArrayRef, row: usize) -> Option<f64> {
    if column.is_null(row) {
        return None;
    }
    match column.data_type() {
        DataType::Float64 => Some(column.as_primitive::<Float64Type>().value(row)),
        DataType::Int64 => Some(column.as_primitive::<Int64Type>().value(row) as f64),
        _ => None,
    }
}

fn instant(column: &ArrayRef, row: usize) -> Option<i64> {
    if column.is_null(row) {
        return None;
    }
    match column.data_type() {
        DataType::Date32 => Some(column.as_primitive::<Date32Type>().value(row) as i64),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Some(column.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        _ => None,
    }
}

fn internal(e: arrow_schema::ArrowError) -> EngineError {
    EngineError::Internal(format!("building a lookup table: {e}"))
}

/// Reads the dataset looked up into a table.
pub(crate) fn load(
    plan: &LookupPlan,
    zone: cxm_period::Zone,
    batch_rows: Option<usize>,
) -> Result<LookupTable, EngineError> {
    let l = &plan.config;
    let mut source =
        crate::sources::open_source(&plan.dataset, plan.specs.clone(), zone, batch_rows)?;
    let mut index = StrSet::default();
    let mut first_line: Vec<u64> = Vec::new();
    let mut accs: Vec<Acc> = plan
        .outputs
        .iter()
        .map(|o| match &o.reduce {
            Reduce::Value(_) => Acc::Value(Vec::new()),
            Reduce::Count => Acc::Count(Vec::new()),
            Reduce::Sum(_) | Reduce::Mean(_) => Acc::Sum {
                sum: Vec::new(),
                n: Vec::new(),
                mean: matches!(o.reduce, Reduce::Mean(_)),
            },
            Reduce::Latest { .. } | Reduce::First { .. } => Acc::Pick {
                latest: matches!(o.reduce, Reduce::Latest { .. }),
                best: Vec::new(),
                parts: Vec::new(),
            },
        })
        .collect();
    let mut table = LookupTable {
        index: StrSet::default(),
        columns: Vec::new(),
        rows_read: 0,
        rows_rejected: 0,
        rows_without_key: 0,
        unreadable: vec![0; plan.specs.len()],
    };
    let mut buf = String::new();
    let data_error = |e| EngineError::Data {
        dataset: plan.dataset.name.clone(),
        source: e,
    };
    while let Some(batch) = source.next_batch().map_err(data_error)? {
        let rows = batch.num_rows();
        table.rows_read += (rows + batch.rejected_rows.len()) as u64;
        table.rows_rejected += batch.rejected_rows.len() as u64;
        for e in &batch.cell_errors {
            if let Some(n) = table.unreadable.get_mut(e.field) {
                *n += 1;
            }
        }
        let keys = &batch.columns[0];
        let mut ids: Vec<Option<u32>> = Vec::with_capacity(rows);
        let mut new_rows: Vec<u32> = Vec::new();
        for row in 0..rows {
            let Some(k) = key::text(keys, row, &mut buf) else {
                table.rows_without_key += 1;
                ids.push(None);
                continue;
            };
            if index.len() == u32::MAX as usize {
                return Err(EngineError::Lookup {
                    dataset: plan.dataset.name.clone(),
                    message: "more than 4 294 967 295 keys to look up".into(),
                });
            }
            let (id, new) = index.insert(k);
            if new {
                first_line.push(batch.lines[row]);
                new_rows.push(row as u32);
            } else if !l.aggregate {
                return Err(EngineError::Lookup {
                    dataset: plan.dataset.name.clone(),
                    message: format!(
                        "{} \"{k}\" is on line {} and on line {} of {}; dataset \"{}\" looks up one row per key (remove the duplicate row, or reduce the rows of each key with aggregate = {{ … }} in the lookup)",
                        l.lookup_key,
                        first_line[id as usize],
                        batch.lines[row],
                        plan.dataset.path.display(),
                        plan.owner,
                    ),
                });
            }
            ids.push(Some(id));
        }
        let keys_now = index.len();
        for (acc, o) in accs.iter_mut().zip(&plan.outputs) {
            let values = o.value.map(|v| &batch.columns[v]);
            let by = o.by.map(|b| &batch.columns[b]);
            match acc {
                Acc::Value(parts) => {
                    if let Some(values) = values {
                        let taken = arrow_select::take::take(
                            values.as_ref(),
                            &UInt32Array::from(new_rows.clone()),
                            None,
                        )
                        .map_err(internal)?;
                        parts.push(taken);
                    }
                }
                Acc::Count(counts) => {
                    counts.resize(keys_now, 0);
                    for id in ids.iter().flatten() {
                        counts[*id as usize] += 1;
                    }
                }
                Acc::Sum { sum, n, .. } => {
                    sum.resize(keys_now, (0.0, 0.0));
                    n.resize(keys_now, 0);
                    let Some(values) = values else { continue };
                    for (row, id) in ids.iter().enumerate() {
                        let (Some(id), Some(x)) = (id, number(values, row)) else {
                            continue;
                        };
                        let (s, c) = &mut sum[*id as usize];
                        let t = *s + x;
                        *c += if s.abs() >= x.abs() {
                            (*s - t) + x
                        } else {
                            (x - t) + *s
                        };
                        *s = t;
                        n[*id as usize] += 1;
                    }
                }
                Acc::Pick {
                    latest,
                    best,
                    parts,
                } => {
                    best.resize(keys_now, None);
                    let (Some(values), Some(by)) = (values, by) else {
                        continue;
                    };
                    let part = parts.len() as u32;
                    let mut winners: Vec<u32> = Vec::new();
                    for (row, id) in ids.iter().enumerate() {
                        let Some(id) = id else { continue };
                        if values.is_null(row) {
                            continue;
                        }
                        let Some(at) = instant(by, row) else { continue };
                        let slot = &mut best[*id as usize];
                        let wins = match slot {
                            None => true,
                            Some((lead, _, _)) => {
                                if *latest {
                                    at >= *lead
                                } else {
                                    at < *lead
                                }
                            }
                        };
                        if wins {
                            *slot = Some((at, part, winners.len() as u32));
                            winners.push(row as u32);
                        }
                    }
                    if !winners.is_empty() {
                        let taken = arrow_select::take::take(
                            values.as_ref(),
                            &UInt32Array::from(winners),
                            None,
                        )
                        .map_err(internal)?;
                        parts.push(taken);
                    }
                }
            }
        }
    }
    let keys = index.len();
    for (acc, o) in accs.into_iter().zip(&plan.outputs) {
        let ty = o.ty.arrow_type();
        let column: ArrayRef = match acc {
            Acc::Value(mut parts) => {
                parts.push(arrow_array::new_null_array(&ty, 1));
                let refs: Vec<&dyn Array> = parts.iter().map(|p| p.as_ref()).collect();
                arrow_select::concat::concat(&refs).map_err(internal)?
            }
            Acc::Count(mut counts) => {
                counts.resize(keys, 0);
                counts.push(0);
                Arc::new(Int64Array::from(counts))
            }
            Acc::Sum { sum, n, mean } => {
                let mut values: Vec<Option<f64>> = sum
                    .iter()
                    .zip(&n)
                    .map(|(&(s, c), &n)| match (n, mean) {
                        (0, _) => None,
                        (n, true) => Some((s + c) / n as f64),
                        (_, false) => Some(s + c),
                    })
                    .collect();
                values.resize(keys, None);
                values.push(None);
                Arc::new(Float64Array::from(values))
            }
            Acc::Pick {
                best, mut parts, ..
            } => {
                let none = parts.len();
                parts.push(arrow_array::new_null_array(&ty, 1));
                let mut picks: Vec<(usize, usize)> = best
                    .iter()
                    .map(|b| b.map_or((none, 0), |(_, p, i)| (p as usize, i as usize)))
                    .collect();
                picks.resize(keys + 1, (none, 0));
                let refs: Vec<&dyn Array> = parts.iter().map(|p| p.as_ref()).collect();
                arrow_select::interleave::interleave(&refs, &picks).map_err(internal)?
            }
        };
        if column.len() != keys + 1 {
            return Err(EngineError::Internal(format!(
                "lookup table column \"{}\" has {} rows for {keys} keys",
                o.name,
                column.len()
            )));
        }
        table.columns.push(column);
    }
    table.index = index;
    Ok(table)
}
