//! [`XlsxLimits`]: what reading one worksheet may cost, so a small or hostile file cannot
//! take the machine's memory (a cell at `XFD1048576`, a decompression bomb, a shared
//! string repeated in every cell).

use cxm_ingest::DEFAULT_MAX_RECORD_BYTES;

/// The deepest element nesting accepted in a workbook part (real parts nest fewer than
/// ten deep).
pub(crate) const MAX_XML_DEPTH: usize = 1_000;
/// Excel's last row (1-based): `1048576`.
pub(crate) const EXCEL_ROWS: u32 = 1 << 20;
/// Excel's last column (1-based): `XFD` = 16384.
pub(crate) const EXCEL_COLUMNS: u32 = 1 << 14;
/// Text (in bytes) of the mapped cells after which a batch is handed out even if it has
/// fewer than `batch_rows` rows: shared strings let a few bytes of XML stand for a long
/// text in every cell, so rows alone do not bound a batch.
pub(crate) const BATCH_TEXT_BYTES: usize = 64 << 20;

/// Limits on reading an `.xlsx` workbook. Each default is far above what a real workbook
/// needs; passing one is an [`cxm_ingest::IngestError::Source`] naming the file and the
/// part, sheet, row or cell, never an abort.
///
/// Independently of these, cells must lie in Excel's grid (`A1:XFD1048576`) and rows
/// must come in ascending order, as in every file Excel writes; a sheet's cells are
/// streamed, so its used range (even `A1:XFD1048576`) costs nothing by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlsxLimits {
    /// Largest text of one row's mapped cells (and of the header row), and largest XML
    /// token or cell value in the parts read. Default
    /// [`cxm_ingest::DEFAULT_MAX_RECORD_BYTES`] (16 MiB; Excel itself keeps a cell to
    /// 32,767 characters).
    pub max_record_bytes: u64,
    /// Largest `xl/sharedStrings.xml` once decompressed: every shared string is held in
    /// memory while the sheet is read. Default 512 MiB.
    pub max_shared_strings_bytes: u64,
    /// Largest other part read whole (the workbook, its relationships, the styles), once
    /// decompressed. Default 64 MiB.
    pub max_part_bytes: u64,
}

impl Default for XlsxLimits {
    fn default() -> Self {
        XlsxLimits {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_shared_strings_bytes: 512 << 20,
            max_part_bytes: 64 << 20,
        }
    }
}

/// `16 MiB`, `1.5 KiB` or `100 bytes`.
pub(crate) fn show_bytes(n: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    if n >= MIB && n.is_multiple_of(MIB / 4) {
        format!("{} MiB", n as f64 / MIB as f64)
    } else if n >= KIB && n.is_multiple_of(KIB / 4) {
        format!("{} KiB", n as f64 / KIB as f64)
    } else {
        format!("{n} bytes")
    }
}

/// `B7` for the 0-based `(row, column)`, or `row R, column C` (1-based) outside Excel's
/// grid.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    if row >= EXCEL_ROWS || col >= EXCEL_COLUMNS {
        return format!("row {}, column {}", u64::from(row) + 1, u64::from(col) + 1);
    }
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let d = ((n - 1) % 26) as u8;
        letters.push(b'A' + d);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 1), "B7");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(1_048_576, 0), "row 1048577, column 1");
        assert_eq!(cell_name(0, 16_384), "row 1, column 16385");
        assert_eq!(show_bytes(16 << 20), "16 MiB");
        assert_eq!(show_bytes(1536), "1.5 KiB");
        assert_eq!(show_bytes(100), "100 bytes");
    }
}
