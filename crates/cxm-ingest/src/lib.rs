//! Streaming CSV ingestion for cxm: reads a CSV file once, in bounded memory,
//! and turns it into typed Arrow record batches while recording every cell it
//! cannot parse and every structurally broken row.
//!
//! The entry point is [`CsvSource`]: open it with the [`FieldSpec`]s to
//! extract, pull [`Batch`]es with [`CsvSource::next_batch`], and call
//! [`CsvSource::finish`] to obtain [`DatasetStats`] (row counts and the
//! SHA-256 of the whole file).
//!
//! [`CsvOptions`] describe the dialect: delimiter (declared or sniffed),
//! character encoding (declared or detected; non-UTF-8 text is decoded while
//! streaming, the hash always covers the bytes as stored; besides the WHATWG
//! encodings, `cp850` and `windows-1252+cp850` for DOS-era files), the line of
//! the header, decimal commas and thousands separators, and trimming. What
//! reading found that may make figures or texts wrong without stopping the
//! run (bytes that look like another encoding, local times at a
//! daylight-saving change) comes back as [`DataWarning`]s.
//! [`inspect::inspect_csv`] reports what a file looks like before any field
//! is mapped.

mod batch;
mod builder;
mod charset;
mod chunks;
mod columns;
mod csv_chunks;
mod datetime;
mod dialect;
mod error;
mod fields;
mod hashing;
pub mod inspect;
mod lines;
mod numbers;
mod reader;
mod record_limit;
mod rejected_cells;
mod scan;
mod source;
mod suspect;
mod text;
mod types;
mod warnings;

#[cfg(test)]
mod tests;

pub use batch::{Batch, CellError, ResolvedTime, RowRejection};
pub use builder::BatchBuilder;
pub use chunks::{Chunk, ChunkSummary, ChunkedSource, SequentialChunks, SourceDigest};
pub use csv_chunks::{open_csv_chunks, DEFAULT_CHUNK_BYTES};
pub use cxm_period::Zone;
pub use datetime::DATE_FORMAT_NAMES;
pub use error::IngestError;
pub use numbers::NumberFormat;
pub use reader::CsvSource;
pub use source::RecordSource;
pub use types::{CellErrorReason, FieldType};
pub use warnings::{DataWarning, LineSample, ResolvedTimes, WARNING_LINES};

/// Default number of data rows per batch.
pub const DEFAULT_BATCH_ROWS: usize = 16_384;

/// Default largest record a reader holds in memory (see [`CsvOptions::max_record_bytes`]):
/// 16 MiB. No export from a survey tool, CRM or helpdesk comes near it (Excel keeps a cell
/// to 32,767 characters, about 128 KiB of UTF-8, and a record is a few of them), and it
/// still bounds what one runaway record costs: a quote never closed, a binary file, a
/// 300 MB cell.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 16 << 20;

/// Maximum number of characters kept in [`RowRejection::raw`].
pub const MAX_RAW_CHARS: usize = 500;

/// One column to extract from the CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Canonical name of the field (the Arrow field name).
    pub name: String,
    /// Name of the source column in the CSV header (matched exactly after
    /// trimming whitespace).
    pub column: String,
    /// Type the cell text is parsed into.
    pub ty: FieldType,
    /// Format of `Date` / `Datetime` fields; ignored for other types. Either
    /// a chrono strftime string (`%d/%m/%Y %H:%M`) or one of the friendly
    /// names in [`DATE_FORMAT_NAMES`] (`iso`, `dd.mm.yyyy`, `dd/mm/yyyy`,
    /// `mm/dd/yyyy`, `yyyy-mm-dd hh:mm:ss`, `dd.mm.yyyy hh:mm`, ...; ASCII
    /// case-insensitive). A name without any `%` that is not a friendly name
    /// is an [`IngestError::InvalidFormat`]. Without a format, ISO 8601 /
    /// RFC 3339 values and the dotted `dd.mm.yyyy[ hh:mm[:ss]]` form are
    /// accepted; slashed dates are ambiguous and need a declared format.
    pub format: Option<String>,
}

impl FieldSpec {
    /// A field without a format string.
    pub fn new(name: impl Into<String>, column: impl Into<String>, ty: FieldType) -> Self {
        FieldSpec {
            name: name.into(),
            column: column.into(),
            ty,
            format: None,
        }
    }

    /// Sets the format (strftime or friendly name, see [`FieldSpec::format`])
    /// used for `Date` / `Datetime` fields.
    pub fn with_format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }
}

/// How the CSV file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Field delimiter byte (default `b','`).
    pub delimiter: u8,
    /// Detect the delimiter among `,` `;` tab `|` from the first records
    /// (from the header on, honouring quotes): the candidate giving the most
    /// records with one shared field count greater than 1 wins, ties going
    /// to `,`. When no candidate splits the records, `delimiter` is used.
    /// Default `false`.
    pub sniff_delimiter: bool,
    /// Character encoding: any label of the WHATWG Encoding Standard
    /// (`utf-8`, `utf-16le`, `utf-16be`, `windows-1252`, `windows-1251`,
    /// `latin1` / `iso-8859-1` (read as windows-1252), `koi8-r`, ...; ASCII
    /// case-insensitive), or `cp850` (IBM code page 850, DOS Latin 1) or
    /// `windows-1252+cp850` (windows-1252 with the bytes 0x80–0x9F read as
    /// CP850 letters, for files mixing both). A byte-order mark of that
    /// encoding is skipped.
    /// `None` (the default) detects it: a UTF-8 or UTF-16 byte-order mark,
    /// else UTF-8 if the first 64 KiB are valid UTF-8, else the legacy
    /// encoding `chardetng` guesses from them. UTF-8 is passed through as
    /// is (invalid bytes make `invalid_utf8` cells); other encodings are
    /// decoded, malformed sequences becoming U+FFFD. A file read as
    /// windows-1252 is checked for bytes that look like CP850 letters
    /// ([`CsvSource::warnings`]).
    pub encoding: Option<String>,
    /// 1-based physical line of the header (`0` is treated as `1`); the
    /// lines above it (a preamble, quotes not honoured) are skipped and not
    /// counted as data. Default `1`.
    pub header_row: usize,
    /// Numbers are written with a decimal comma: `4,5` is 4.5 and, unless
    /// `thousands_separator` says otherwise, `.` groups thousands (`1.234,5`
    /// is 1234.5). Affects `Integer` and `Number` fields only; needs a
    /// delimiter other than `,` ([`IngestError::InvalidOptions`] otherwise).
    /// Default `false`.
    pub decimal_comma: bool,
    /// Byte grouping thousands in `Integer` and `Number` fields (`b','`,
    /// `b'.'`, `b' '`): with `Some(b',')`, `1,234` is 1234. See
    /// [`NumberFormat`]. Default `None`.
    pub thousands_separator: Option<u8>,
    /// Trim ASCII whitespace around `String` cells (default `true`); with
    /// `false` they keep it. Other types, null values and header names are
    /// always compared trimmed.
    pub trim: bool,
    /// Maximum number of data records (accepted plus rejected) per batch;
    /// `0` is treated as `1`. Default [`DEFAULT_BATCH_ROWS`].
    pub batch_rows: usize,
    /// Cells equal to one of these (after trimming ASCII whitespace from both)
    /// are null, not errors. Default `[""]`.
    pub null_values: Vec<String>,
    /// Time zone of `Datetime` values without a UTC offset: they are local
    /// wall-clock times there (a time repeated when clocks fall back is the
    /// earlier instant; a time skipped when clocks spring forward is shifted
    /// forward by the gap). Values with an offset or `Z` keep their own;
    /// `Date` fields are unaffected. `None` (the default) is UTC.
    pub timezone: Option<Zone>,
    /// Largest record, in bytes of its fields' text (UTF-8) and the delimiters between
    /// them: a longer one stops the reading with [`IngestError::RecordTooLong`] naming the
    /// line where it starts, before it is held in memory whole (both readers, the parallel
    /// one and the sequential one). Default [`DEFAULT_MAX_RECORD_BYTES`].
    pub max_record_bytes: u64,
}

impl CsvOptions {
    /// The number format these options describe.
    pub fn number_format(&self) -> NumberFormat {
        NumberFormat {
            decimal_comma: self.decimal_comma,
            thousands: self.thousands_separator,
        }
    }
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            sniff_delimiter: false,
            encoding: None,
            header_row: 1,
            decimal_comma: false,
            thousands_separator: None,
            trim: true,
            batch_rows: DEFAULT_BATCH_ROWS,
            null_values: vec![String::new()],
            timezone: None,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Totals for one fully read dataset, returned by [`CsvSource::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetStats {
    /// Data records read (header excluded); always
    /// `rows_accepted + rows_rejected`.
    pub rows_read: u64,
    /// Records that made it into a batch.
    pub rows_accepted: u64,
    /// Records rejected as structurally broken.
    pub rows_rejected: u64,
    /// Size of the file in bytes (every byte was hashed).
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the whole file's bytes.
    pub sha256: String,
}
