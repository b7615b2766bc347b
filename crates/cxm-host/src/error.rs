//! Errors of loading and calling plugins; each names the library file or the plugin.

use std::path::PathBuf;

/// What went wrong while loading or calling a plugin.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The library file could not be read.
    #[error("plugin library {path}: {source}")]
    Io {
        /// The library file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The library's SHA-256 differs from the one in the registry.
    #[error("plugin library {path}: sha256 mismatch: registry says {expected}, file has {actual}; refusing to load it")]
    Sha256Mismatch {
        /// The library file.
        path: PathBuf,
        /// Digest in the registry.
        expected: String,
        /// Digest of the file.
        actual: String,
    },
    /// The dynamic loader refused the file.
    #[error("plugin library {path}: cannot load: {message}")]
    Load {
        /// The library file.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// The library exports no cxm entry symbol of any ABI version.
    #[error("plugin library {path}: no entry symbol `cxm_plugin_entry_v{host_major}`; is it a cxm plugin built with cxm_sdk::export_plugin!?")]
    NoEntry {
        /// The library file.
        path: PathBuf,
        /// The ABI major the host looked for.
        host_major: u32,
    },
    /// The library was built for an ABI this host does not speak.
    #[error("plugin library {path} was built for cxm plugin ABI v{built}, but this cxm speaks ABI v{host}; rebuild the plugin against a matching cxm-sdk")]
    AbiMismatch {
        /// The library file.
        path: PathBuf,
        /// The ABI the library was built for (`2` or `1.3`).
        built: String,
        /// The ABI of this host (`1.0`).
        host: String,
    },
    /// The descriptor is malformed.
    #[error("plugin library {path}: invalid descriptor: {message}")]
    InvalidDescriptor {
        /// The library file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A plugin function returned an error or panicked.
    #[error("{message}")]
    Call {
        /// Library name.
        library: String,
        /// Metric name.
        metric: String,
        /// The status the plugin returned.
        status: cxm_abi::CxmStatus,
        /// The plugin's message (it names the plugin and metric).
        message: String,
    },
    /// An isolated plugin's process died, timed out or ran out of memory.
    #[error("plugin library {file}{}: its isolated process failed during {call}: {cause}", if metric.is_empty() { String::new() } else { format!(" (metric \"{metric}\")") })]
    Isolated {
        /// The library file's name.
        file: String,
        /// The plugin's metric name (empty while loading the library).
        metric: String,
        /// The call: `load`, `bind`, `update`, `merge`, `finish`.
        call: &'static str,
        /// `SIGSEGV`, `exit status 0`, `timeout after 30 s`, `memory limit 512 MiB exceeded`.
        cause: String,
    },
    /// A plugin returned something the ABI does not allow (a result that is not UTF-8 JSON,
    /// a negative n, an interval upside down, an unknown row status).
    #[error("plugin '{library}' metric '{metric}' broke the plugin contract: {message}")]
    Contract {
        /// Library name.
        library: String,
        /// Metric name.
        metric: String,
        /// What it returned.
        message: String,
    },
    /// An in-process plugin wrote into memory it was lent read-only during `update` (an
    /// input column, the weights or the group ids), which other metrics in the process
    /// read too.
    #[error("plugin '{library}' metric '{metric}' wrote into {what}, which the host lends read-only during update; metrics that read it after this one in the same process would see the change (run the plugin with isolation = \"process\" to contain it)")]
    WroteIntoInput {
        /// Library name.
        library: String,
        /// Metric name.
        metric: String,
        /// `input "score"`, `the row weights`, `the group ids`.
        what: String,
        /// The bound input it wrote into; `None` for the weights or the group ids, which
        /// every metric of the batch shares.
        input: Option<String>,
    },
    /// The host could not prepare data for a call.
    #[error("plugin '{library}' metric '{metric}': {message}")]
    Host {
        /// Library name.
        library: String,
        /// Metric name.
        metric: String,
        /// What went wrong.
        message: String,
    },
}

impl HostError {
    /// Whether the error is a panic inside the plugin.
    pub fn is_panic(&self) -> bool {
        matches!(
            self,
            HostError::Call {
                status: cxm_abi::CxmStatus::Panic,
                ..
            }
        )
    }
}
