//! The interface every dataset reader implements, so the engine streams any format the
//! same way.

use crate::{Batch, CsvSource, DataWarning, DatasetStats, FieldSpec, IngestError};

/// A dataset read in batches.
pub trait RecordSource: Send {
    /// The fields being read, in column order.
    fn fields(&self) -> &[FieldSpec];
    /// The next batch, or `None` at the end.
    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError>;
    /// Bytes (or another unit of progress) read so far.
    fn bytes_read(&self) -> u64;
    /// Total bytes, when known.
    fn total_bytes(&self) -> Option<u64>;
    /// Finishes reading and returns the row accounting and the content hash.
    fn finish(self: Box<Self>) -> Result<DatasetStats, IngestError>;
    /// What reading found so far that may make figures or texts wrong without stopping
    /// the run (complete once every batch was read); none by default.
    fn warnings(&self) -> Vec<DataWarning> {
        Vec::new()
    }
}

impl RecordSource for CsvSource {
    fn fields(&self) -> &[FieldSpec] {
        CsvSource::fields(self)
    }
    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        CsvSource::next_batch(self)
    }
    fn bytes_read(&self) -> u64 {
        CsvSource::bytes_read(self)
    }
    fn total_bytes(&self) -> Option<u64> {
        CsvSource::total_bytes(self)
    }
    fn finish(self: Box<Self>) -> Result<DatasetStats, IngestError> {
        CsvSource::finish(*self)
    }
    fn warnings(&self) -> Vec<DataWarning> {
        CsvSource::warnings(self)
    }
}
