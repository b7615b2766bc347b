//! Opening a workbook: reading and hashing the file's bytes, checking its parts against
//! the [`XlsxLimits`] ([`crate::audit`]), opening it with calamine, and choosing the sheet.

use std::fmt::Write as _;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use calamine::{Reader, Xlsx};
use cxm_ingest::IngestError;
use sha2::{Digest, Sha256};

use crate::{SheetRef, XlsxLimits};

pub(crate) type Book = Xlsx<Cursor<Arc<[u8]>>>;

/// A workbook file read into memory.
pub(crate) struct File {
    pub(crate) bytes: Arc<[u8]>,
    /// Lowercase hex SHA-256 of the bytes.
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

/// The message of a caught panic.
pub(crate) fn panic_detail(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "malformed content".to_owned())
}

/// Runs a calamine call, turning its errors (and, defensively, a panic on malformed input)
/// into an [`IngestError::Source`] that starts with `what`.
pub(crate) fn guarded<T, E: std::fmt::Display>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, IngestError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(source_error(path, None, format!("{what}: {e}"))),
        Err(panic) => Err(source_error(
            path,
            None,
            format!("{what}: {}", panic_detail(&*panic)),
        )),
    }
}

/// Reads the whole file and hashes it.
pub(crate) fn read_file(path: &Path) -> Result<File, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut sha256 = String::with_capacity(64);
    for b in Sha256::digest(&bytes) {
        let _ = write!(sha256, "{b:02x}");
    }
    Ok(File {
        bytes: bytes.into(),
        sha256,
    })
}

/// Checks the parts calamine will read (the worksheets too when `sheets`) against
/// `limits`, then opens the workbook. The worksheets are measured on another thread while
/// calamine reads the shared strings and styles.
pub(crate) fn open_book(
    path: &Path,
    bytes: Arc<[u8]>,
    limits: &XlsxLimits,
    sheets: bool,
) -> Result<Book, IngestError> {
    use crate::audit::{audit, Parts};
    audit(path, &bytes, limits, Parts::Whole)?;
    let open = || {
        guarded(path, "not a readable .xlsx workbook", || {
            Xlsx::new(Cursor::new(Arc::clone(&bytes)))
        })
    };
    if !sheets {
        return open();
    }
    std::thread::scope(|scope| {
        let measured = scope.spawn(|| audit(path, &bytes, limits, Parts::Sheets));
        let book = open();
        let measured = measured
            .join()
            .unwrap_or_else(|panic| Err(source_error(path, None, panic_detail(&*panic))));
        measured?;
        book
    })
}

/// The names of the workbook's sheets, in workbook order.
pub(crate) fn sheet_names(path: &Path) -> Result<Vec<String>, IngestError> {
    let file = read_file(path)?;
    let book = open_book(path, file.bytes, &XlsxLimits::default(), false)?;
    Ok(book.sheet_names())
}

/// `"a", "b"` for error messages.
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

/// The name of the sheet `sheet` selects (`None`: the first one).
pub(crate) fn resolve_sheet(
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
