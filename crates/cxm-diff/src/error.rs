//! Why a comparison could not be made or written.

use std::path::PathBuf;

/// Why reading a run folder or writing a comparison failed. Every variant that concerns a
/// file names it.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The folder does not exist or is not a folder.
    #[error("{}: no such folder (give a folder written by `cxm run CONFIG --out DIR`)", dir.display())]
    NoFolder {
        /// The folder given.
        dir: PathBuf,
    },
    /// The folder lacks a file every `--out` folder has.
    #[error(
        "{} is not a cxm --out folder: {} is missing (write one with `cxm run CONFIG --out DIR`)",
        dir.display(),
        missing.display()
    )]
    NotAnOutFolder {
        /// The folder given.
        dir: PathBuf,
        /// The file that is missing.
        missing: PathBuf,
    },
    /// A file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `results.json` is not a cxm report this version reads.
    #[error("{}: {source}", path.display())]
    Results {
        /// The file.
        path: PathBuf,
        /// The cause (JSON position or schema).
        source: cxm_report::RenderError,
    },
    /// `manifest.json` is not valid JSON of the manifest layout.
    #[error("{}: not a cxm manifest.json: {source}", path.display())]
    Manifest {
        /// The file.
        path: PathBuf,
        /// The cause, with line and column.
        source: serde_json::Error,
    },
    /// `manifest.json` has another layout version.
    #[error("{}: manifest schema \"{found}\"; this cxm reads \"{expected}\"", path.display())]
    ManifestSchema {
        /// The file.
        path: PathBuf,
        /// The schema it declares.
        found: String,
        /// The schema this version reads.
        expected: &'static str,
    },
    /// Writing the comparison failed.
    #[error("cannot write the comparison: {0}")]
    Io(#[from] std::io::Error),
    /// Writing the CSV comparison failed.
    #[error("cannot write the comparison as CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing the JSON comparison failed.
    #[error("cannot write the comparison as JSON: {0}")]
    Json(#[from] serde_json::Error),
}
