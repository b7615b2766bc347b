//! Reading a Parquet file one row group at a time, checking that each row group decodes
//! to the number of rows its metadata declares. A corrupt file can decode more or fewer
//! rows than that (found by fuzzing); rows would then be numbered twice, or not at all,
//! by the reader that numbers each row group from the metadata. Both readers refuse such
//! a file instead, naming the row group.

use std::path::Path;

use arrow_array::RecordBatch;
use cxm_ingest::IngestError;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;

use crate::open;

/// What decoding a row group needs.
#[derive(Clone)]
pub(crate) struct Projection {
    pub(crate) metadata: ArrowReaderMetadata,
    pub(crate) mask: ProjectionMask,
    pub(crate) batch_rows: usize,
}

/// The rows each row group declares.
pub(crate) fn declared_rows(metadata: &ArrowReaderMetadata) -> Vec<u64> {
    metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|rg| u64::try_from(rg.num_rows()).unwrap_or(0))
        .collect()
}

/// A reader of the projected columns of one row group.
pub(crate) fn reader(
    path: &Path,
    projection: &Projection,
    row_group: usize,
) -> Result<ParquetRecordBatchReader, IngestError> {
    let file = open::open_file(path)?;
    open::guarded(path, None, "cannot read Parquet file", || {
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, projection.metadata.clone())
            .with_row_groups(vec![row_group])
            .with_projection(projection.mask.clone())
            .with_batch_size(projection.batch_rows)
            .build()
            .map_err(|e| open::build_error(path, e))
    })
}

/// The next record batch of `reader`; `line` is the row number of its first row.
pub(crate) fn next(
    path: &Path,
    reader: &mut ParquetRecordBatchReader,
    line: u64,
) -> Result<Option<RecordBatch>, IngestError> {
    let what = "cannot decode Parquet data";
    match open::guarded(path, Some(line), what, || Ok(reader.next()))? {
        None => Ok(None),
        Some(Ok(batch)) => Ok(Some(batch)),
        Some(Err(e)) => Err(open::decode_error(path, line, e)),
    }
}

/// The error unless row group `row_group` (whose first row is `first_line`) decoded to the
/// `declared` number of rows.
pub(crate) fn check_count(
    path: &Path,
    row_group: usize,
    first_line: u64,
    decoded: u64,
    declared: u64,
) -> Result<(), IngestError> {
    if decoded == declared {
        return Ok(());
    }
    let message = format!(
        "cannot decode Parquet data: row group {row_group} holds {decoded} rows where the \
         file's metadata declares {declared} (the file is corrupt)"
    );
    Err(open::source_error(path, Some(first_line), message))
}

/// The row groups of a file, read in order.
pub(crate) struct RowGroups {
    projection: Projection,
    declared: Vec<u64>,
    next: usize,
    current: Option<ParquetRecordBatchReader>,
    /// Rows decoded from the current row group, and the line of its first row.
    decoded: u64,
    first_line: u64,
}

impl RowGroups {
    pub(crate) fn new(projection: Projection) -> RowGroups {
        RowGroups {
            declared: declared_rows(&projection.metadata),
            projection,
            next: 0,
            current: None,
            decoded: 0,
            first_line: 1,
        }
    }

    /// The next record batch, row group after row group; `None` at the end.
    pub(crate) fn next_batch(&mut self, path: &Path) -> Result<Option<RecordBatch>, IngestError> {
        loop {
            let Some(&declared) = self.declared.get(self.next) else {
                return Ok(None);
            };
            if self.current.is_none() {
                self.current = Some(reader(path, &self.projection, self.next)?);
                self.decoded = 0;
            }
            let Some(reader) = self.current.as_mut() else {
                continue;
            };
            let line = self.first_line + self.decoded;
            if let Some(batch) = next(path, reader, line)? {
                self.decoded += batch.num_rows() as u64;
                return Ok(Some(batch));
            }
            check_count(path, self.next, self.first_line, self.decoded, declared)?;
            self.current = None;
            self.first_line += declared;
            self.next += 1;
        }
    }
}
