//! [`ParquetChunks`]: a Parquet file read as one [`Chunk`] per row group. Handing out a
//! chunk decodes nothing; each chunk opens the file itself and decodes its row group
//! (with the footer parsed once, at open) wherever it is parsed, converting the columns
//! as the `convert` module does. Rows are numbered absolutely (1-based row of the file).
//! The file's SHA-256 is computed on the thread handing out the chunks, a proportional
//! share of the file per chunk, so hashing overlaps the parsing of earlier chunks.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use cxm_ingest::{
    Batch, BatchBuilder, Chunk, ChunkSummary, ChunkedSource, FieldSpec, IngestError, SourceDigest,
    Zone,
};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use crate::groups::{self, Projection};
use crate::open::{self, FileHash};
use cxm_arrow::{Converter, Plan};

/// A Parquet file read as one independently parseable chunk per row group.
pub struct ParquetChunks {
    shared: Arc<Shared>,
    /// Rows of each row group.
    row_group_rows: Vec<u64>,
    /// The next row group to hand out.
    next: usize,
    /// Row number of the first row of the next row group.
    next_line: u64,
    hash: FileHash,
    total_bytes: u64,
}

/// What every chunk needs to decode and convert its row group.
struct Shared {
    plan: Plan,
    metadata: ArrowReaderMetadata,
    mask: ProjectionMask,
    batch_rows: usize,
}

impl fmt::Debug for ParquetChunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParquetChunks")
            .field("path", &self.shared.plan.path())
            .field("fields", &self.shared.plan.fields())
            .field("row_groups", &self.row_group_rows.len())
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl ParquetChunks {
    /// Opens `path` like [`crate::ParquetSource::open`] (same checks, same errors) to
    /// read it as one chunk per row group, in batches of at most `batch_rows` rows (`0`
    /// is treated as `1`).
    pub fn open(
        path: &Path,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Result<ParquetChunks, IngestError> {
        let batch_rows = batch_rows.max(1);
        // Checks the fields (unique names, valid formats) as the text path will.
        BatchBuilder::new(path, &fields, null_values, zone, 1)?;
        let projected = open::project(path, &fields)?;
        // A reader of no row group: checks the projection as ParquetSource::open does.
        open::guarded(path, None, "cannot read Parquet file", || {
            ParquetRecordBatchReaderBuilder::new_with_metadata(
                projected.file,
                projected.metadata.clone(),
            )
            .with_projection(projected.mask.clone())
            .with_row_groups(Vec::new())
            .build()
            .map_err(|e| open::build_error(path, e))
        })?;
        let row_group_rows = projected
            .metadata
            .metadata()
            .row_groups()
            .iter()
            .map(|rg| u64::try_from(rg.num_rows()).unwrap_or(0))
            .collect();
        let plan = Plan::new(
            path,
            fields,
            projected.sources,
            &projected.types,
            null_values,
            zone,
            batch_rows,
        );
        Ok(ParquetChunks {
            shared: Arc::new(Shared {
                plan,
                metadata: projected.metadata,
                mask: projected.mask,
                batch_rows,
            }),
            row_group_rows,
            next: 0,
            next_line: 1,
            hash: FileHash::open(path)?,
            total_bytes: projected.total_bytes,
        })
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        self.shared.plan.path()
    }

    /// Number of rows the file's row groups declare.
    pub fn total_rows(&self) -> u64 {
        self.row_group_rows.iter().sum()
    }

    /// Number of row groups, i.e. of chunks.
    pub fn row_groups(&self) -> usize {
        self.row_group_rows.len()
    }

    /// The conversion planned for each field.
    #[cfg(test)]
    pub(crate) fn conversions(&self) -> &[cxm_arrow::Conversion] {
        self.shared.plan.conversions()
    }
}

impl ChunkedSource for ParquetChunks {
    fn fields(&self) -> &[FieldSpec] {
        self.shared.plan.fields()
    }

    /// The next row group, after hashing the file up to the same proportion of its
    /// bytes as of the row groups handed out.
    fn next_chunk(&mut self) -> Result<Option<Box<dyn Chunk>>, IngestError> {
        let row_group = self.next;
        let Some(&rows) = self.row_group_rows.get(row_group) else {
            return Ok(None);
        };
        self.next += 1;
        let share =
            u128::from(self.total_bytes) * self.next as u128 / self.row_group_rows.len() as u128;
        self.hash
            .hash_to(u64::try_from(share).unwrap_or(self.total_bytes))?;
        let first_line = self.next_line;
        self.next_line += rows;
        Ok(Some(Box::new(RowGroupChunk {
            shared: Arc::clone(&self.shared),
            row_group,
            first_line,
            rows,
        })))
    }

    fn first_line(&self) -> u64 {
        0
    }

    /// Bytes hashed so far.
    fn bytes_read(&self) -> u64 {
        self.hash.hashed()
    }

    fn total_bytes(&self) -> Option<u64> {
        Some(self.total_bytes)
    }

    fn finish(self: Box<Self>) -> Result<SourceDigest, IngestError> {
        let (bytes, sha256) = self.hash.finish()?;
        Ok(SourceDigest { bytes, sha256 })
    }
}

/// One row group of the file.
struct RowGroupChunk {
    shared: Arc<Shared>,
    row_group: usize,
    /// Row number (1-based, in the file) of the row group's first row.
    first_line: u64,
    /// Rows the row group's metadata declares.
    rows: u64,
}

impl Chunk for RowGroupChunk {
    fn parse(self: Box<Self>, sink: &mut dyn FnMut(Batch)) -> Result<ChunkSummary, IngestError> {
        let shared = &*self.shared;
        let path = shared.plan.path();
        let projection = Projection {
            metadata: shared.metadata.clone(),
            mask: shared.mask.clone(),
            batch_rows: shared.batch_rows,
        };
        let mut reader = groups::reader(path, &projection, self.row_group)?;
        let mut converter = Converter::new(&shared.plan);
        let mut line = self.first_line;
        while let Some(record) = groups::next(path, &mut reader, line)? {
            if record.num_rows() == 0 {
                continue;
            }
            let batch = converter.convert(&record, line)?;
            line += record.num_rows() as u64;
            sink(batch);
        }
        let decoded = line - self.first_line;
        groups::check_count(path, self.row_group, self.first_line, decoded, self.rows)?;
        Ok(ChunkSummary {
            lines: 0,
            records: 0,
            rest: None,
        })
    }
}
