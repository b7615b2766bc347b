//! Loading a workbook: reading and hashing the file's bytes, choosing the sheet, and
//! reading the header row.

use std::fmt::Write as _;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx};
use cxm_ingest::IngestError;
use sha2::{Digest, Sha256};

use crate::cells::header_text;
use crate::SheetRef;

type Book = Xlsx<Cursor<Vec<u8>>>;

/// A sheet loaded in memory.
pub(crate) struct Loaded {
    /// Name of the selected sheet.
    pub(crate) sheet: String,
    /// The sheet's used cells.
    pub(crate) range: Range<Data>,
    /// Size of the file in bytes.
    pub(crate) bytes: u64,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub(crate) sha256: String,
}

/// An [`IngestError::Source`] naming `path`.
pub(crate) fn source_error(
    path: &Path,
    line: Option<u64>,
    message: impl Into<String>,
) -> IngestError {
    IngestError::Source {
        source_name: path.display().to_string(),
        line,
        message: message.into(),
    }
}

/// Runs a calamine call, turning its errors (and, defensively, a panic on malformed input)
/// into an [`IngestError::Source`] that starts with `what`.
fn guarded<T, E: std::fmt::Display>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, IngestError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(source_error(path, None, format!("{what}: {e}"))),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "malformed content".to_owned());
            Err(source_error(path, None, format!("{what}: {detail}")))
        }
    }
}

/// Reads the whole file and opens it as a workbook; also returns its size and SHA-256.
fn open_book(path: &Path) -> Result<(Book, u64, String), IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let size = bytes.len() as u64;
    let mut sha256 = String::with_capacity(64);
    for b in Sha256::digest(&bytes) {
        let _ = write!(sha256, "{b:02x}");
    }
    let book = guarded(path, "not a readable .xlsx workbook", || {
        Xlsx::new(Cursor::new(bytes))
    })?;
    Ok((book, size, sha256))
}

/// The names of the workbook's sheets, in workbook order.
pub(crate) fn sheet_names(path: &Path) -> Result<Vec<String>, IngestError> {
    let (book, _, _) = open_book(path)?;
    Ok(book.sheet_names())
}

/// `"a", "b"` for error messages.
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

/// The name of the sheet `sheet` selects (`None`: the first one).
fn resolve_sheet(
    path: &Path,
    names: &[String],
    sheet: Option<&SheetRef>,
) -> Result<String, IngestError> {
    let found = match sheet {
        None => names.first(),
        Some(SheetRef::Name(name)) => names.iter().find(|n| *n == name),
        Some(SheetRef::Index(i)) => names.get(*i),
    };
    if let Some(name) = found {
        return Ok(name.clone());
    }
    let wanted = match sheet {
        None => "the workbook has no sheets".to_owned(),
        Some(SheetRef::Name(name)) => format!("sheet \"{name}\" not found"),
        Some(SheetRef::Index(i)) => format!("sheet index {i} out of range (0-based)"),
    };
    Err(source_error(
        path,
        None,
        format!("{wanted} (sheets: {})", quoted(names)),
    ))
}

/// Reads the file, hashes it, and loads the selected sheet into memory.
pub(crate) fn load(path: &Path, sheet: Option<&SheetRef>) -> Result<Loaded, IngestError> {
    let (mut book, bytes, sha256) = open_book(path)?;
    let names = book.sheet_names();
    let sheet = resolve_sheet(path, &names, sheet)?;
    let what = format!("cannot read sheet \"{sheet}\"");
    let range = guarded(path, &what, || book.worksheet_range(&sheet))?;
    Ok(Loaded {
        sheet,
        range,
        bytes,
        sha256,
    })
}

/// Index in `range.rows()` of the 1-based Excel row `row`, if it lies inside the range
/// (calamine's range starts at the first used row).
pub(crate) fn row_index(range: &Range<Data>, row: usize) -> Option<usize> {
    let (start, _) = range.start()?;
    let idx = row.checked_sub(1)?.checked_sub(start as usize)?;
    (idx < range.height()).then_some(idx)
}

/// The 1-based Excel row number of index `idx` in `range.rows()`.
pub(crate) fn excel_row(range: &Range<Data>, idx: usize) -> u64 {
    let start = range.start().map_or(0, |(row, _)| u64::from(row));
    start + idx as u64 + 1
}

/// The trimmed header names in row `header_row` (1-based), without trailing empty cells.
/// An empty (or absent) header row is an error naming the sheet and row.
pub(crate) fn header(
    path: &Path,
    loaded: &Loaded,
    header_row: usize,
) -> Result<Vec<String>, IngestError> {
    let line = Some(header_row as u64);
    if header_row == 0 {
        return Err(source_error(
            path,
            None,
            "header row must be 1 or more (rows are 1-based)",
        ));
    }
    let mut names: Vec<String> = row_index(&loaded.range, header_row)
        .and_then(|idx| loaded.range.rows().nth(idx))
        .map(|cells| cells.iter().map(header_text).collect())
        .unwrap_or_default();
    while names.last().is_some_and(String::is_empty) {
        names.pop();
    }
    if names.is_empty() {
        let message = format!(
            "sheet \"{}\": header row {header_row} is empty",
            loaded.sheet
        );
        return Err(source_error(path, line, message));
    }
    Ok(names)
}
