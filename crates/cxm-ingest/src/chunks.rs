//! Datasets split into chunks that can be parsed on any thread: a [`ChunkedSource`] hands
//! out [`Chunk`]s in file order (cheaply, on one thread), and each chunk parses itself into
//! [`Batch`]es wherever it is sent. The engine parses chunks in parallel and merges their
//! results in chunk order, so results do not depend on the number of threads.
//!
//! Chunks may number their rows relative to their own start, because a chunk parsed on
//! another thread cannot know how many lines came before it: see [`ChunkSummary`].

use crate::{Batch, DataWarning, FieldSpec, IngestError, RecordSource};

/// A dataset read as a sequence of independently parseable chunks.
pub trait ChunkedSource: Send {
    /// The fields being read, in column order.
    fn fields(&self) -> &[FieldSpec];
    /// The next chunk in file order, or `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Box<dyn Chunk>>, IngestError>;
    /// The line number of the first line of the first chunk; `0` when chunks number their
    /// rows absolutely (see [`ChunkSummary`]).
    fn first_line(&self) -> u64;
    /// Bytes (or another unit of progress) handed out in chunks so far.
    fn bytes_read(&self) -> u64;
    /// Total bytes, when known.
    fn total_bytes(&self) -> Option<u64>;
    /// Finishes reading (the whole input is hashed) and returns its size and SHA-256.
    fn finish(self: Box<Self>) -> Result<SourceDigest, IngestError>;
    /// What reading found that may make figures or texts wrong without stopping the run
    /// (see [`RecordSource::warnings`]), complete once every chunk was handed out; none
    /// by default.
    fn warnings(&self) -> Vec<DataWarning> {
        Vec::new()
    }
}

/// Size and content hash of a dataset's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDigest {
    /// Bytes of input.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the input's bytes.
    pub sha256: String,
}

/// One piece of a dataset, parseable on any thread.
pub trait Chunk: Send {
    /// Parses the chunk, handing each batch to `sink` in order.
    ///
    /// Line numbers in the batches ([`Batch::lines`], cell errors, rejected rows) are
    /// `line_base + n` and record numbers of rejected rows `record_base + n`, where the
    /// reader of the chunks keeps both bases: `line_base` starts at
    /// [`ChunkedSource::first_line`] and grows by [`ChunkSummary::lines`] after each chunk;
    /// `record_base` starts at 0 and grows by [`ChunkSummary::records`]. A chunk that
    /// numbers rows absolutely reports `lines = records = 0` (with `first_line = 0`).
    fn parse(self: Box<Self>, sink: &mut dyn FnMut(Batch)) -> Result<ChunkSummary, IngestError>;
}

/// What parsing a chunk found beyond its batches.
pub struct ChunkSummary {
    /// Line breaks in the chunk (0 for absolutely numbered chunks).
    pub lines: u64,
    /// Data records in the chunk (0 for absolutely numbered chunks).
    pub records: u64,
    /// The chunk could not be split safely (for CSV: a quote the fast scanner cannot prove
    /// well-formed). When set, the batches already handed to `sink` must be discarded,
    /// along with every later chunk, and this source read instead, to the end of the
    /// input; its rows are numbered relative to the chunk like a chunk's.
    pub rest: Option<Box<dyn RecordSource>>,
}

impl std::fmt::Debug for ChunkSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSummary")
            .field("lines", &self.lines)
            .field("records", &self.records)
            .field("rest", &self.rest.is_some())
            .finish()
    }
}

/// Any [`RecordSource`] as a [`ChunkedSource`] whose chunks are its batches, read (and
/// parsed) in `next_chunk`, numbered absolutely.
pub struct SequentialChunks {
    source: Box<dyn RecordSource>,
}

impl SequentialChunks {
    /// Wraps `source`.
    pub fn new(source: Box<dyn RecordSource>) -> Self {
        SequentialChunks { source }
    }
}

/// A batch already parsed.
struct ReadyBatch(Batch);

impl Chunk for ReadyBatch {
    fn parse(self: Box<Self>, sink: &mut dyn FnMut(Batch)) -> Result<ChunkSummary, IngestError> {
        sink(self.0);
        Ok(ChunkSummary {
            lines: 0,
            records: 0,
            rest: None,
        })
    }
}

impl ChunkedSource for SequentialChunks {
    fn fields(&self) -> &[FieldSpec] {
        self.source.fields()
    }
    fn next_chunk(&mut self) -> Result<Option<Box<dyn Chunk>>, IngestError> {
        Ok(self
            .source
            .next_batch()?
            .map(|b| Box::new(ReadyBatch(b)) as Box<dyn Chunk>))
    }
    fn first_line(&self) -> u64 {
        0
    }
    fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }
    fn total_bytes(&self) -> Option<u64> {
        self.source.total_bytes()
    }
    fn warnings(&self) -> Vec<DataWarning> {
        self.source.warnings()
    }
    fn finish(self: Box<Self>) -> Result<SourceDigest, IngestError> {
        let stats = self.source.finish()?;
        Ok(SourceDigest {
            bytes: stats.bytes,
            sha256: stats.sha256,
        })
    }
}
