//! The error type returned by every fallible operation of the crate; each
//! message names the file (and the line where it is known).

use std::fmt::Write as _;
use std::path::PathBuf;

/// Maximum number of available header names listed in a
/// [`IngestError::MissingColumns`] message.
const MAX_LISTED_COLUMNS: usize = 30;

/// Errors that stop ingestion of a file.
#[derive(thiserror::Error, Debug)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is empty (or holds only empty lines): there is no header row.
    #[error("{}: file is empty or has no header row", .path.display())]
    NoHeader { path: PathBuf },
    /// One or more mapped columns are not in the header.
    #[error("{}: {}", .path.display(), missing_message(.missing, .available))]
    MissingColumns {
        path: PathBuf,
        missing: Vec<String>,
        available: Vec<String>,
    },
    /// A mapped column name appears more than once in the header.
    #[error("{}: column \"{column}\" appears more than once in header", .path.display())]
    DuplicateColumn { path: PathBuf, column: String },
    /// Two field specs share the same canonical name.
    #[error("{}: field name \"{field}\" is defined more than once", .path.display())]
    DuplicateField { path: PathBuf, field: String },
    /// A `Date`/`Datetime` format is neither a friendly format name nor a
    /// valid chrono strftime format.
    #[error(
        "{}: field \"{field}\" has an invalid date/time format \"{format}\" (expected a chrono \
         strftime format such as \"%d/%m/%Y %H:%M\", or one of: {})",
        .path.display(),
        crate::DATE_FORMAT_NAMES.join(", ")
    )]
    InvalidFormat {
        path: PathBuf,
        field: String,
        format: String,
    },
    /// Reading options that contradict each other or the file, e.g. a
    /// decimal comma with `,` as the delimiter.
    #[error("{}: {message}", .path.display())]
    InvalidOptions { path: PathBuf, message: String },
    /// The declared encoding is not a label known to the WHATWG Encoding
    /// Standard (as implemented by `encoding_rs`), nor `cp850` or
    /// `windows-1252+cp850`.
    #[error(
        "{}: unknown encoding \"{encoding}\" (expected a label such as \"utf-8\", \
         \"utf-16le\", \"utf-16be\", \"windows-1252\", \"windows-1251\", \"latin1\", \
         \"cp850\" or \"windows-1252+cp850\")",
        .path.display()
    )]
    UnknownEncoding { path: PathBuf, encoding: String },
    /// The header row holds control characters (NUL, ...; tabs and line
    /// breaks aside): the file is binary, or UTF-16 without a byte-order mark
    /// read as another encoding.
    #[error(
        "{}: not a CSV text file (its header row contains control characters when read as \
         {encoding}; \
         a UTF-16 file without a byte-order mark needs encoding \"utf-16le\" or \"utf-16be\")",
        .path.display()
    )]
    NotText { path: PathBuf, encoding: String },
    /// The CSV reader reported an error.
    #[error("{}{}: {message}", .path.display(), line_suffix(*.line))]
    Csv {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    /// A record longer than [`crate::CsvOptions::max_record_bytes`] starts on `line`.
    #[error(
        "{}:{line}: the record starting on this line is longer than {limit} bytes \
         (max_record_bytes; raise it in the dataset's config if such records are real)",
        .path.display()
    )]
    RecordTooLong {
        path: PathBuf,
        line: u64,
        limit: u64,
    },
    /// A non-CSV source (Parquet, NDJSON, Excel, PostgreSQL) failed; `source_name` names
    /// the file or the database query, `line` the record where known.
    #[error("{source_name}{}: {message}", line_suffix(*.line))]
    Source {
        source_name: String,
        line: Option<u64>,
        message: String,
    },
}

fn line_suffix(line: Option<u64>) -> String {
    match line {
        Some(l) => format!(":{l}"),
        None => String::new(),
    }
}

fn quoted_list(names: &[String], limit: usize) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().take(limit).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{name}\"");
    }
    if names.len() > limit {
        let _ = write!(out, ", ... ({} more)", names.len() - limit);
    }
    out
}

fn missing_message(missing: &[String], available: &[String]) -> String {
    let noun = if missing.len() == 1 {
        "column"
    } else {
        "columns"
    };
    format!(
        "{noun} {} not found in header (available: {})",
        quoted_list(missing, usize::MAX),
        quoted_list(available, MAX_LISTED_COLUMNS)
    )
}

impl IngestError {
    pub(crate) fn from_csv(path: &std::path::Path, err: csv::Error) -> IngestError {
        let line = err.position().map(|p| p.line());
        let message = err.to_string();
        match err.into_kind() {
            csv::ErrorKind::Io(source) => IngestError::Io {
                path: path.to_path_buf(),
                source,
            },
            _ => IngestError::Csv {
                path: path.to_path_buf(),
                line,
                message,
            },
        }
    }
}
