//! Arrow record batches into cxm [`cxm_ingest::Batch`]es, for sources that decode to Arrow
//! (Parquet files, ADBC warehouse connections): a [`Plan`] says which column feeds each field
//! and how it is converted (see `fast` for the typed paths, `text` for the rest), and a
//! [`Converter`] turns each record batch into a batch with typed columns, cell errors and
//! the cells' raw text written on demand.

mod convert;
mod fast;
mod text;

use std::path::Path;

use cxm_ingest::IngestError;

pub use convert::{Converter, Plan};
pub use fast::Conversion;
pub use text::{fill, supported, write_cell, TextColumn};

/// Most rows a text-path builder preallocates, whatever the batch size asked for.
pub const MAX_PREALLOC_ROWS: usize = 65_536;

/// An error of the source named `path` (a file, or a label such as `adbc:<table>`), at a
/// 1-based row when known.
pub fn source_error(path: &Path, line: Option<u64>, message: String) -> IngestError {
    IngestError::Source {
        source_name: path.display().to_string(),
        line,
        message,
    }
}
