//! One batch of ingested rows: the typed Arrow columns of the accepted rows,
//! their source lines and raw text, and the cell errors and rejected rows
//! found while reading them.

use arrow_array::ArrayRef;

use crate::types::CellErrorReason;

/// A value that could not be parsed; the cell is null in its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Index of the row within the batch.
    pub row: usize,
    /// Index into the source's field specs.
    pub field: usize,
    /// 1-based source line where the row starts.
    pub line: u64,
    /// Original cell text (untrimmed, lossy UTF-8).
    pub value: String,
    pub reason: CellErrorReason,
}

/// A structurally broken record, excluded from the batch's columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRejection {
    /// 1-based source line where the record starts.
    pub line: u64,
    /// 1-based data record number (the header is not counted).
    pub record: u64,
    /// Machine-readable reason, e.g. `"wrong_field_count"`.
    pub reason: String,
    /// Human-readable detail, e.g. `"expected 7 fields, found 5"`.
    pub detail: String,
    /// The record's fields re-joined with the delimiter (lossy UTF-8, at most
    /// [`crate::MAX_RAW_CHARS`] characters).
    pub raw: String,
}

/// Accepted rows plus the problems found while reading them.
#[derive(Debug)]
pub struct Batch {
    /// One array per field spec, in the same order; length = accepted rows.
    pub columns: Vec<ArrayRef>,
    /// 1-based physical line of the source where each accepted row starts
    /// (counting every line of the file, a preamble above the header included).
    pub lines: Vec<u64>,
    pub cell_errors: Vec<CellError>,
    pub rejected_rows: Vec<RowRejection>,
    /// Raw bytes of the mapped cells of the accepted rows, concatenated.
    raw: Vec<u8>,
    /// End offset in `raw` of each mapped cell, row-major
    /// (`row * num_fields + field`).
    raw_ends: Vec<usize>,
    num_fields: usize,
}

impl Batch {
    pub(crate) fn new(num_fields: usize, capacity: usize) -> Batch {
        Batch {
            columns: Vec::with_capacity(num_fields),
            lines: Vec::with_capacity(capacity),
            cell_errors: Vec::new(),
            rejected_rows: Vec::new(),
            raw: Vec::new(),
            raw_ends: Vec::with_capacity(capacity.saturating_mul(num_fields)),
            num_fields,
        }
    }

    /// Stores the raw bytes of the next mapped cell of the current row.
    pub(crate) fn push_raw(&mut self, cell: &[u8]) {
        self.raw.extend_from_slice(cell);
        self.raw_ends.push(self.raw.len());
    }

    /// Number of accepted rows.
    pub fn num_rows(&self) -> usize {
        self.lines.len()
    }

    /// Raw bytes of a mapped cell of an accepted row, as read from the file
    /// (untrimmed); `None` if out of range.
    pub fn raw_bytes(&self, row: usize, field: usize) -> Option<&[u8]> {
        if field >= self.num_fields {
            return None;
        }
        let idx = row.checked_mul(self.num_fields)?.checked_add(field)?;
        let end = *self.raw_ends.get(idx)?;
        let start = match idx.checked_sub(1) {
            Some(prev) => *self.raw_ends.get(prev)?,
            None => 0,
        };
        self.raw.get(start..end)
    }

    /// The original text of a mapped cell of an accepted row (lossy UTF-8,
    /// untrimmed); empty if `row` or `field` is out of range.
    pub fn raw_value(&self, row: usize, field: usize) -> String {
        self.raw_bytes(row, field)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_by_row_and_field() {
        let mut b = Batch::new(2, 2);
        for (line, cells) in [(2, [&b"a"[..], b" 1 "]), (3, [b"", b"\xffz"])] {
            b.lines.push(line);
            for c in cells {
                b.push_raw(c);
            }
        }
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.raw_value(0, 0), "a");
        assert_eq!(b.raw_value(0, 1), " 1 ");
        assert_eq!(b.raw_value(1, 0), "");
        assert_eq!(b.raw_value(1, 1), "\u{fffd}z");
        assert_eq!(b.raw_bytes(1, 1), Some(&b"\xffz"[..]));
        assert_eq!(b.raw_value(2, 0), "");
        assert_eq!(b.raw_bytes(0, 2), None);
    }
}
