//! The error every renderer returns.

/// Why a rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing to the output failed.
    #[error("cannot write report output: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("cannot write CSV output: {0}")]
    Csv(#[from] csv::Error),
    /// JSON serialisation failed.
    #[error("cannot write JSON output: {0}")]
    Json(#[from] serde_json::Error),
    /// A saved report could not be read (line and column inside the JSON).
    #[error("not a cxm results.json: {0}")]
    Parse(serde_json::Error),
    /// A saved report has another layout version.
    #[error("results.json has schema \"{found}\"; this cxm reads \"{expected}\"")]
    Schema {
        /// The schema the file declares.
        found: String,
        /// The schema this version reads.
        expected: &'static str,
    },
}
