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
    /// A dataset could not be read.
    #[error("dataset \"{dataset}\": {source}")]
    Data {
        /// Dataset name.
        dataset: String,
        /// The ingestion error.
        source: IngestError,
    },
}
