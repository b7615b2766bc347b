//! Building batches from any source's cells: every format (CSV, Parquet, NDJSON, Excel,
//! PostgreSQL) hands the text of each mapped cell to the same typed parsers, so a field's
//! type, null values, date formats and time zone mean the same thing whatever the source,
//! and an unreadable value is recorded the same way.

use crate::batch::{Batch, CellError, RowRejection};
use crate::columns::ColumnParser;
use crate::reader::validate_fields;
use crate::{FieldSpec, IngestError, Zone};
use std::path::Path;

/// Accumulates rows into a [`Batch`].
#[derive(Debug)]
pub struct BatchBuilder {
    parsers: Vec<ColumnParser>,
    null_values: Vec<Vec<u8>>,
    batch: Batch,
    capacity: usize,
}

impl BatchBuilder {
    /// A builder for `fields` (in order). `path` names the source in errors; `null_values`
    /// are the cell texts that mean empty (compared after trimming); `zone` applies to
    /// timestamps without an offset.
    pub fn new(
        path: &Path,
        fields: &[FieldSpec],
        null_values: &[String],
        zone: Zone,
        capacity: usize,
    ) -> Result<BatchBuilder, IngestError> {
        let formats = validate_fields(path, fields)?;
        let parsers = fields
            .iter()
            .zip(formats)
            .enumerate()
            .map(|(i, (f, fmt))| ColumnParser::new(f.ty, i, fmt, capacity).with_zone(zone))
            .collect();
        Ok(BatchBuilder {
            parsers,
            null_values: null_values.iter().map(|n| n.as_bytes().trim_ascii().to_vec()).collect(),
            batch: Batch::new(fields.len(), capacity),
            capacity,
        })
    }

    /// Adds an accepted row: one cell per field, `None` for a missing value. `line` is the
    /// row's position in the source (line, record or row number) as reports should show it.
    pub fn push_row(&mut self, line: u64, cells: &[Option<&[u8]>]) {
        let row = self.batch.num_rows();
        self.batch.lines.push(line);
        for (field, parser) in self.parsers.iter_mut().enumerate() {
            let cell = cells.get(field).copied().flatten();
            self.batch.push_raw(cell.unwrap_or_default());
            let trimmed = cell.map(<[u8]>::trim_ascii);
            match trimmed {
                None => parser.append_null(),
                Some(t) if self.null_values.iter().any(|n| n.as_slice() == t) => parser.append_null(),
                Some(t) => {
                    if let Err(reason) = parser.append(t) {
                        self.batch.cell_errors.push(CellError {
                            row,
                            field,
                            line,
                            value: String::from_utf8_lossy(cell.unwrap_or_default()).into_owned(),
                            reason,
                        });
                    }
                }
            }
        }
    }

    /// Records a row rejected whole (structurally broken, duplicate, …).
    pub fn reject_row(&mut self, rejection: RowRejection) {
        self.batch.rejected_rows.push(rejection);
    }

    /// Rows in the current batch, accepted and rejected.
    pub fn len(&self) -> usize {
        self.batch.num_rows() + self.batch.rejected_rows.len()
    }

    /// Whether the current batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the batch built so far and starts a new one.
    pub fn finish(&mut self) -> Batch {
        let fields = self.parsers.len();
        let mut batch = std::mem::replace(&mut self.batch, Batch::new(fields, self.capacity));
        batch.columns = self.parsers.iter_mut().map(ColumnParser::finish).collect();
        batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CellErrorReason, FieldType};
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::Array;

    #[test]
    fn parses_cells_like_csv_and_records_errors() {
        let fields = [
            FieldSpec::new("score", "score", FieldType::Integer),
            FieldSpec::new("region", "region", FieldType::String),
        ];
        let mut b = BatchBuilder::new(Path::new("x"), &fields, &["".into(), "NA".into()], Zone::Utc, 4).unwrap();
        b.push_row(1, &[Some(b" 7 "), Some(b"north")]);
        b.push_row(2, &[Some(b"NA"), None]);
        b.push_row(3, &[Some(b"x"), Some(b"south")]);
        assert_eq!(b.len(), 3);
        let batch = b.finish();
        assert!(b.is_empty());
        let scores = batch.columns[0].as_primitive::<Int64Type>();
        assert_eq!(scores.value(0), 7);
        assert!(scores.is_null(1) && scores.is_null(2));
        assert!(batch.columns[1].is_null(1));
        assert_eq!(batch.cell_errors.len(), 1);
        assert_eq!(batch.cell_errors[0].reason, CellErrorReason::NotANumber);
        assert_eq!((batch.cell_errors[0].row, batch.cell_errors[0].line), (2, 3));
        assert_eq!(batch.raw_value(0, 0), " 7 ");
        assert_eq!(batch.lines, vec![1, 2, 3]);
    }
}
