//! Derived fields, computed right after a batch is parsed (before grouping and feeding):
//! each derived field's column is appended to the batch, with its cell errors, so the rest
//! of the pipeline sees it as an ordinary field. A source value that cannot be read leaves
//! the derived value empty (the source's own cell error rejects the rows of the metrics
//! reading the derived field, see [`crate::plan::MetricPlan::dependent_fields`]); a value
//! outside the bands or not in the map is a cell error of the derived field
//! (`outside_bands`, `unmapped_value`) whose value is the source's original text.

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use cxm_config::{band_of, DerivedRule, MapValue};
use cxm_ingest::{Batch, CellError, CellErrorReason, FieldType};
use std::sync::Arc;

/// One derived field of a dataset plan.
#[derive(Debug, Clone)]
pub(crate) struct DerivedColumn {
    /// Its index among the plan's fields (after every parsed field).
    pub(crate) field: usize,
    /// The index of the parsed field it is computed from.
    pub(crate) from: usize,
    /// Its type (the rule's result type).
    pub(crate) ty: FieldType,
    pub(crate) rule: DerivedRule,
}

/// The text of a source value a map looks up (`None` for an empty value).
fn text_of(column: &ArrayRef, row: usize) -> Option<String> {
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(row).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float64 => column.as_primitive::<Float64Type>().value(row).to_string(),
        DataType::Boolean => column.as_boolean().value(row).to_string(),
        _ => return None,
    })
}

/// The number a band rule (or a weight) reads: an integer or float cell, `None` when empty.
pub(crate) fn number_of(column: &ArrayRef, row: usize) -> Option<f64> {
    if column.is_null(row) {
        return None;
    }
    match column.data_type() {
        DataType::Int64 => Some(column.as_primitive::<Int64Type>().value(row) as f64),
        DataType::Float64 => Some(column.as_primitive::<Float64Type>().value(row)),
        _ => None,
    }
}

/// The builder of a derived column.
enum Out {
    Integer(Int64Builder),
    Number(Float64Builder),
    Boolean(BooleanBuilder),
    Text(StringBuilder),
}

impl Out {
    fn new(ty: FieldType, rows: usize) -> Out {
        match ty {
            FieldType::Integer => Out::Integer(Int64Builder::with_capacity(rows)),
            FieldType::Number => Out::Number(Float64Builder::with_capacity(rows)),
            FieldType::Boolean => Out::Boolean(BooleanBuilder::with_capacity(rows)),
            _ => Out::Text(StringBuilder::with_capacity(rows, rows * 8)),
        }
    }

    fn null(&mut self) {
        match self {
            Out::Integer(b) => b.append_null(),
            Out::Number(b) => b.append_null(),
            Out::Boolean(b) => b.append_null(),
            Out::Text(b) => b.append_null(),
        }
    }

    fn value(&mut self, v: &MapValue) {
        match (self, v) {
            (Out::Integer(b), MapValue::Integer(i)) => b.append_value(*i),
            (Out::Number(b), v) => match v.as_f64() {
                Some(x) => b.append_value(x),
                None => b.append_null(),
            },
            (Out::Boolean(b), MapValue::Boolean(x)) => b.append_value(*x),
            (Out::Text(b), MapValue::Text(t)) => b.append_value(t),
            (out, _) => out.null(),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Out::Integer(mut b) => Arc::new(b.finish()),
            Out::Number(mut b) => Arc::new(b.finish()),
            Out::Boolean(mut b) => Arc::new(b.finish()),
            Out::Text(mut b) => Arc::new(b.finish()),
        }
    }
}

/// Appends the derived columns (and their cell errors) to a freshly parsed batch. A batch
/// that already has them (more columns than parsed fields) is left alone.
pub(crate) fn apply(derived: &[DerivedColumn], batch: &mut Batch) {
    if derived
        .first()
        .is_none_or(|d| d.field != batch.columns.len())
    {
        return;
    }
    let rows = batch.num_rows();
    let mut errors = Vec::new();
    for d in derived {
        if d.field != batch.columns.len() || d.from >= d.field {
            break;
        }
        let source = batch.columns[d.from].clone();
        let mut out = Out::new(d.ty, rows);
        for row in 0..rows {
            let reason = match &d.rule {
                DerivedRule::Bands(bands) => match number_of(&source, row) {
                    None => {
                        out.null();
                        None
                    }
                    Some(x) => match band_of(bands, x) {
                        Some(i) => {
                            out.value(&MapValue::Text(bands[i].label.clone()));
                            None
                        }
                        None => Some(CellErrorReason::OutsideBands),
                    },
                },
                DerivedRule::Map(map) => match text_of(&source, row) {
                    None => {
                        out.null();
                        None
                    }
                    Some(text) => match map.get(&text) {
                        Some(v) => {
                            out.value(v);
                            None
                        }
                        None => Some(CellErrorReason::UnmappedValue),
                    },
                },
            };
            if let Some(reason) = reason {
                out.null();
                errors.push(CellError {
                    row,
                    field: d.field,
                    line: batch.lines[row],
                    // A looked-up source has no text of its own in the file.
                    value: if d.from < batch.num_parsed_fields() {
                        batch.raw_value(row, d.from)
                    } else {
                        text_of(&source, row).unwrap_or_default()
                    },
                    reason,
                });
            }
        }
        batch.push_derived(out.finish(), d.from);
    }
    if !errors.is_empty() {
        batch.cell_errors.extend(errors);
        // Row order, as the readers give them (rows with errors are counted once).
        batch.cell_errors.sort_by_key(|e| (e.row, e.field));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxm_config::{Band, ValueMap};
    use cxm_ingest::FieldSpec;

    fn batch(csv: &str, fields: Vec<FieldSpec>) -> Batch {
        let path = std::env::temp_dir().join(format!("cxm-derive-{}.csv", std::process::id()));
        std::fs::write(&path, csv).unwrap();
        let mut source =
            cxm_ingest::CsvSource::open(&path, fields, cxm_ingest::CsvOptions::default()).unwrap();
        let batch = source.next_batch().unwrap().unwrap();
        let _ = std::fs::remove_file(&path);
        batch
    }

    #[test]
    fn bands_and_maps_become_columns_with_errors() {
        let mut b = batch(
            "tenure,Contract\n3,One year\n30,Two year\n,Weekly\nx,\n13,One year\n",
            vec![
                FieldSpec::new("tenure", "tenure", FieldType::Integer),
                FieldSpec::new("contract", "Contract", FieldType::String),
            ],
        );
        assert_eq!(b.cell_errors.len(), 1);
        let bands = DerivedRule::Bands(vec![
            Band {
                label: "0-12".into(),
                max: Some(12.0),
            },
            Band {
                label: "13-24".into(),
                max: Some(24.0),
            },
        ]);
        let map = DerivedRule::Map(ValueMap {
            entries: vec![
                ("One year".into(), MapValue::Number(50.0)),
                ("Two year".into(), MapValue::Number(100.0)),
            ],
            default: None,
        });
        let derived = vec![
            DerivedColumn {
                field: 2,
                from: 0,
                ty: FieldType::String,
                rule: bands,
            },
            DerivedColumn {
                field: 3,
                from: 1,
                ty: FieldType::Number,
                rule: map,
            },
        ];
        apply(&derived, &mut b);
        apply(&derived, &mut b); // once only
        assert_eq!(b.columns.len(), 4);
        let band = b.columns[2].as_string::<i32>();
        assert_eq!(
            band.iter().collect::<Vec<_>>(),
            vec![Some("0-12"), None, None, None, Some("13-24")]
        );
        let score = b.columns[3].as_primitive::<Float64Type>();
        assert_eq!(
            score.iter().collect::<Vec<_>>(),
            vec![Some(50.0), Some(100.0), None, None, Some(50.0)]
        );
        let errors: Vec<(usize, usize, &str, &str)> = b
            .cell_errors
            .iter()
            .map(|e| (e.row, e.field, e.value.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            errors,
            vec![
                (1, 2, "30", "outside_bands"),
                (2, 3, "Weekly", "unmapped_value"),
                (3, 0, "x", "not_a_number"),
            ]
        );
        assert_eq!(b.cell_errors[1].line, 4);
        // The raw text of a derived field is its source's.
        assert_eq!(b.raw_value(1, 2), "30");
        assert_eq!(b.raw_value(4, 3), "One year");
    }
}
