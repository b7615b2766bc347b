//! Turning one decoded record batch into a [`Batch`]: each field's column goes through
//! its typed fast path when it has one (see the `fast` module), else through the text
//! path (`text` + a one-field [`BatchBuilder`]), so one batch may mix both. The raw text
//! of the cells is not stored: the batch writes it on demand from the decoded columns,
//! with the same function that writes the text path's cells.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use cxm_ingest::{Batch, BatchBuilder, CellError, FieldSpec, IngestError, Zone};

use crate::fast::{self, Conversion, NullValues};
use crate::source_error;
use crate::text::{self, TextColumn};
use crate::MAX_PREALLOC_ROWS;

/// How the fields of a file are read: their columns among the projected ones and the
/// conversion of each.
#[derive(Debug)]
pub struct Plan {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    /// For each field, the index of its column in the record batches.
    sources: Arc<[usize]>,
    conversions: Vec<Conversion>,
    null_values: Vec<String>,
    nulls: NullValues,
    zone: Zone,
    /// Rows preallocated by text-path builders.
    capacity: usize,
}

impl Plan {
    /// The plan for `fields`, whose columns have the Arrow types `types` and are the
    /// columns `sources` of the record batches.
    pub fn new(
        path: &Path,
        fields: Vec<FieldSpec>,
        sources: Vec<usize>,
        types: &[arrow_schema::DataType],
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Plan {
        let nulls = NullValues::new(null_values);
        let conversions = fields
            .iter()
            .zip(types)
            .map(|(field, ty)| fast::plan(field, ty, &nulls))
            .collect();
        Plan {
            path: path.to_path_buf(),
            fields,
            sources: sources.into(),
            conversions,
            null_values: null_values.to_vec(),
            nulls,
            zone,
            capacity: batch_rows.clamp(1, MAX_PREALLOC_ROWS),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    /// The conversion of each field.
    pub fn conversions(&self) -> &[Conversion] {
        &self.conversions
    }
}

/// Converts record batches as a [`Plan`] says, keeping the text-path state between them.
pub struct Converter<'p> {
    plan: &'p Plan,
    /// The text-path builder of each field, made when first needed.
    builders: Vec<Option<BatchBuilder>>,
    /// The text of each record batch column, when written for the current batch.
    texts: Vec<TextColumn>,
    written: Vec<bool>,
}

impl<'p> Converter<'p> {
    pub fn new(plan: &'p Plan) -> Converter<'p> {
        let columns = plan.sources.iter().max().map_or(0, |m| m + 1);
        Converter {
            plan,
            builders: plan.fields.iter().map(|_| None).collect(),
            texts: (0..columns).map(|_| TextColumn::default()).collect(),
            written: vec![false; columns],
        }
    }

    /// The batch of `record`'s rows, the first of which is row `first_line` of the file.
    pub fn convert(&mut self, record: &RecordBatch, first_line: u64) -> Result<Batch, IngestError> {
        let plan = self.plan;
        let rows = record.num_rows();
        self.written.fill(false);
        let mut columns = Vec::with_capacity(plan.fields.len());
        let mut cell_errors = Vec::new();
        for (field, (&source, &conversion)) in
            plan.sources.iter().zip(&plan.conversions).enumerate()
        {
            let Some(column) = record.columns().get(source) else {
                return Err(source_error(
                    &plan.path,
                    Some(first_line),
                    format!("column {source} missing from the decoded data"),
                ));
            };
            match fast::convert(conversion, column, &plan.nulls, &plan.zone) {
                Some(converted) => {
                    for (row, reason) in converted.errors {
                        let mut value = Vec::new();
                        text::write_cell(column.as_ref(), row, &mut value);
                        cell_errors.push(CellError {
                            row,
                            field,
                            line: first_line + row as u64,
                            value: String::from_utf8_lossy(&value).into_owned(),
                            reason,
                        });
                    }
                    columns.push(converted.array);
                }
                None => {
                    let (array, errors) = self.through_text(field, column, rows, first_line)?;
                    cell_errors.extend(errors);
                    columns.push(array);
                }
            }
        }
        // Row-major, as a row-by-row builder records them (each field's are in row order).
        cell_errors.sort_by_key(|e| (e.row, e.field));
        let lines = (first_line..first_line + rows as u64).collect();
        let decoded: Vec<ArrayRef> = record.columns().to_vec();
        let sources = Arc::clone(&plan.sources);
        let raw = move |row: usize, field: usize, out: &mut Vec<u8>| match sources
            .get(field)
            .and_then(|&s| decoded.get(s))
        {
            Some(column) if row < column.len() => {
                text::write_cell(column.as_ref(), row, out);
                true
            }
            _ => false,
        };
        Ok(Batch::with_raw_text(
            columns,
            lines,
            cell_errors,
            Box::new(raw),
        ))
    }

    /// The column of `field` (decoded as `column`) and its cell errors, through the text
    /// of each cell.
    fn through_text(
        &mut self,
        field: usize,
        column: &ArrayRef,
        rows: usize,
        first_line: u64,
    ) -> Result<(ArrayRef, Vec<CellError>), IngestError> {
        let plan = self.plan;
        let source = plan.sources.get(field).copied().unwrap_or_default();
        let (Some(text), Some(written), Some(slot), Some(spec)) = (
            self.texts.get_mut(source),
            self.written.get_mut(source),
            self.builders.get_mut(field),
            plan.fields.get(field),
        ) else {
            return Err(source_error(
                &plan.path,
                Some(first_line),
                format!("no column for field {field}"),
            ));
        };
        if !*written {
            text::fill(column.as_ref(), text)
                .map_err(|message| source_error(&plan.path, Some(first_line), message))?;
            *written = true;
        }
        let builder = match slot {
            Some(builder) => builder,
            None => slot.insert(BatchBuilder::new(
                &plan.path,
                std::slice::from_ref(spec),
                &plan.null_values,
                plan.zone,
                plan.capacity,
            )?),
        };
        for row in 0..rows {
            builder.push_row(first_line + row as u64, &[text.get(row)]);
        }
        let mut batch = builder.finish();
        let Some(array) = batch.columns.pop() else {
            return Err(source_error(
                &plan.path,
                Some(first_line),
                format!("no column built for field {field}"),
            ));
        };
        for error in &mut batch.cell_errors {
            error.field = field;
        }
        Ok((array, batch.cell_errors))
    }
}
