//! Opening a Parquet file to read some of its columns: the checks shared by
//! [`crate::ParquetSource`] and [`crate::ParquetChunks`] (each field's column exists once
//! among the top-level columns and has a type that can be read), the projection of the
//! mapped columns, the errors both report, and the hashing of the file's bytes.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use arrow_schema::DataType;
use cxm_ingest::{FieldSpec, IngestError};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use parquet::arrow::ProjectionMask;
use sha2::{Digest, Sha256};

/// Read buffer used to hash the file.
const HASH_BUFFER: usize = 64 * 1024;

/// A Parquet file whose metadata was read and whose mapped columns were checked.
pub(crate) struct Projected {
    /// The file the metadata was read from (its position is unspecified).
    pub(crate) file: File,
    pub(crate) metadata: ArrowReaderMetadata,
    /// The top-level columns mapped by at least one field.
    pub(crate) mask: ProjectionMask,
    /// For each field, the index of its column among the projected columns (the columns
    /// of the record batches read with `mask`).
    pub(crate) sources: Vec<usize>,
    /// For each field, the Arrow type of its column.
    pub(crate) types: Vec<DataType>,
    /// Number of projected columns.
    pub(crate) projected: usize,
    /// Size of the file.
    pub(crate) total_bytes: u64,
}

/// Opens `path`, reads its metadata, and checks that every field's `column` is a
/// top-level column of the file with a type that can be read as text.
pub(crate) fn project(path: &Path, fields: &[FieldSpec]) -> Result<Projected, IngestError> {
    let file = open_file(path)?;
    let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let metadata = load_metadata(path, &file)?;
    check_row_counts(path, metadata.metadata())?;
    let schema = metadata.schema().clone();
    let available: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let roots = resolve_columns(path, &available, fields)?;
    let mut types = Vec::with_capacity(fields.len());
    for (field, &root) in fields.iter().zip(&roots) {
        let ty = schema.field(root).data_type();
        if !cxm_arrow::supported(ty) {
            return Err(source_error(
                path,
                None,
                format!(
                    "column \"{}\" (field \"{}\") has type {ty}, which cannot be read \
                     (supported: strings, integers, floats, decimals, booleans, dates, \
                     times, timestamps and dictionaries of these)",
                    field.column, field.name
                ),
            ));
        }
        types.push(ty.clone());
    }
    let mut projected = roots.clone();
    projected.sort_unstable();
    projected.dedup();
    let sources = roots
        .iter()
        .map(|r| projected.partition_point(|p| p < r))
        .collect();
    let mask = ProjectionMask::roots(metadata.parquet_schema(), projected.iter().copied());
    Ok(Projected {
        file,
        metadata,
        mask,
        sources,
        types,
        projected: projected.len(),
        total_bytes,
    })
}

/// The names of the top-level columns of the Parquet file at `path`, in file order.
pub(crate) fn column_names(path: &Path) -> Result<Vec<String>, IngestError> {
    let metadata = load_metadata(path, &open_file(path)?)?;
    Ok(metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect())
}

pub(crate) fn open_file(path: &Path) -> Result<File, IngestError> {
    File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The file's footer, parsed (page indexes are not read).
fn load_metadata(path: &Path, file: &File) -> Result<ArrowReaderMetadata, IngestError> {
    guarded(path, None, "not a readable Parquet file", || {
        ArrowReaderMetadata::load(file, ArrowReaderOptions::default())
            .map_err(|e| source_error(path, None, format!("not a readable Parquet file: {e}")))
    })
}

/// Runs a call into the `parquet` crate, which can panic on malformed data (a corrupt
/// page, definition levels past the end of a buffer): the panic becomes an error that
/// starts with `what` (the call's state is not used again).
pub(crate) fn guarded<T>(
    path: &Path,
    line: Option<u64>,
    what: &str,
    f: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "malformed data".to_owned());
            Err(source_error(path, line, format!("{what}: {detail}")))
        }
    }
}

/// Refuses a footer whose row counts cannot be true: a negative count (the decoder would
/// take it as a huge unsigned number and read without end), or row groups that do not add
/// up to the file's count.
fn check_row_counts(
    path: &Path,
    metadata: &parquet::file::metadata::ParquetMetaData,
) -> Result<(), IngestError> {
    let declared = metadata.file_metadata().num_rows();
    let mut sum: i128 = 0;
    for (i, rg) in metadata.row_groups().iter().enumerate() {
        if rg.num_rows() < 0 {
            return Err(source_error(
                path,
                None,
                format!(
                    "row group {i} declares {} rows: the file is damaged",
                    rg.num_rows()
                ),
            ));
        }
        sum += i128::from(rg.num_rows());
    }
    if declared < 0 || i128::from(declared) != sum {
        return Err(source_error(
            path,
            None,
            format!(
                "the footer declares {declared} rows but its row groups hold {sum}: the file is damaged"
            ),
        ));
    }
    Ok(())
}

pub(crate) use cxm_arrow::source_error;

/// The error for a reader that cannot be built.
pub(crate) fn build_error(path: &Path, error: impl std::fmt::Display) -> IngestError {
    source_error(path, None, format!("cannot read Parquet file: {error}"))
}

/// The error for data that cannot be decoded, at the 1-based row `line`.
pub(crate) fn decode_error(path: &Path, line: u64, error: impl std::fmt::Display) -> IngestError {
    source_error(
        path,
        Some(line),
        format!("cannot decode Parquet data: {error}"),
    )
}

/// Maps each field's column (trimmed) to its index among the file's top-level columns.
fn resolve_columns(
    path: &Path,
    available: &[String],
    fields: &[FieldSpec],
) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    for col in fields.iter().map(|f| f.column.trim()) {
        if !available.iter().any(|a| a == col) && !missing.iter().any(|m| m == col) {
            missing.push(col.to_owned());
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_path_buf(),
            missing,
            available: available.to_vec(),
        });
    }
    let mut roots = Vec::with_capacity(fields.len());
    for col in fields.iter().map(|f| f.column.trim()) {
        let mut found = available.iter().enumerate().filter(|(_, a)| *a == col);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => roots.push(i),
            _ => {
                return Err(IngestError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: col.to_owned(),
                })
            }
        }
    }
    Ok(roots)
}

/// The SHA-256 of a file, computed progressively from its start.
pub(crate) struct FileHash {
    path: PathBuf,
    file: File,
    hasher: Sha256,
    hashed: u64,
    buf: Vec<u8>,
    eof: bool,
}

impl FileHash {
    /// Opens `path` to hash it from its first byte.
    pub(crate) fn open(path: &Path) -> Result<FileHash, IngestError> {
        Ok(FileHash {
            path: path.to_path_buf(),
            file: open_file(path)?,
            hasher: Sha256::new(),
            hashed: 0,
            buf: vec![0; HASH_BUFFER],
            eof: false,
        })
    }

    /// Bytes hashed so far.
    pub(crate) fn hashed(&self) -> u64 {
        self.hashed
    }

    /// Hashes the file up to byte `target` (or its end, if sooner).
    pub(crate) fn hash_to(&mut self, target: u64) -> Result<(), IngestError> {
        while self.hashed < target && !self.eof {
            let want = usize::try_from(target - self.hashed).unwrap_or(usize::MAX);
            let len = want.min(self.buf.len());
            let Some(buf) = self.buf.get_mut(..len) else {
                break;
            };
            let n = match self.file.read(buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(IngestError::Io {
                        path: self.path.clone(),
                        source,
                    })
                }
            };
            if n == 0 {
                self.eof = true;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            self.hasher.update(chunk);
            self.hashed += n as u64;
        }
        Ok(())
    }

    /// Hashes the rest of the file; returns its size and lowercase hex SHA-256.
    pub(crate) fn finish(mut self) -> Result<(u64, String), IngestError> {
        self.hash_to(u64::MAX)?;
        let mut sha256 = String::with_capacity(64);
        for b in self.hasher.finalize() {
            let _ = write!(sha256, "{b:02x}");
        }
        Ok((self.hashed, sha256))
    }
}

/// Size and lowercase hex SHA-256 of the file's bytes.
pub(crate) fn hash_file(path: &Path) -> Result<(u64, String), IngestError> {
    FileHash::open(path)?.finish()
}
