//! Engine errors: configuration problems found while binding, plugin failures, data errors.

use cxm_config::ConfigError;
use cxm_host::HostError;
use cxm_ingest::IngestError;

/// Why a plan could not be built or run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The config is wrong (located in the TOML where possible).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A plugin library could not be loaded or refused to bind.
    #[error("{context}: {source}")]
    Plugin {
        /// `file:line:column: metric "id"`.
        context: String,
        /// The host's error.
        source: HostError,
    },
    /// More rows were rejected than the dataset's max_rejected allows.
    #[error("dataset \"{dataset}\": {rejected} rows rejected (structure, duplicates or unreadable values), more than max_rejected = {limit}; see rejected.csv of a run without the limit, or fix the export")]
    TooManyRejected {
        /// Dataset name.
        dataset: String,
        /// Rows rejected so far.
        rejected: u64,
        /// The limit, in words.
        limit: String,
    },
    /// Something that should not happen did (a bug in cxm); the message says where.
    #[error("internal error: {0}")]
    Internal(String),
    /// A dataset looked up by another cannot serve as a lookup (e.g. a duplicate key).
    #[error("dataset \"{dataset}\": {message}")]
    Lookup {
        /// The dataset looked up.
        dataset: String,
        /// What is wrong, with the lines and what to do.
        message: String,
    },
    /// A dataset's survey weights cannot be made (raking did not converge, a margin has no
    /// rows).
    #[error("dataset \"{dataset}\": weighting: {message}")]
    Weighting {
        /// Dataset name.
        dataset: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A dataset could not be read.
    #[error("dataset \"{dataset}\": {source}")]
    Data {
        /// Dataset name.
        dataset: String,
        /// The ingestion error.
        source: IngestError,
    },
}
