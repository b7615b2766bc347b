//! One batch of ingested rows: the typed Arrow columns of the accepted rows,
//! their source lines and raw text, and the cell errors and rejected rows
//! found while reading them, and the local times a daylight-saving change
//! made ambiguous or skipped (accepted, resolved by rule, listed for warnings).
//!
//! The raw text of the cells is either stored as bytes (text sources: CSV, NDJSON, ...)
//! or written on demand by a function given to [`Batch::with_raw_text`] (typed sources
//! such as Parquet, whose cells only need their text for the few values a report shows).

use std::fmt;
use std::sync::OnceLock;

use arrow_array::ArrayRef;

use crate::types::CellErrorReason;
use cxm_period::LocalTime;

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

/// A datetime cell without an offset whose local time the zone's daylight-saving change
/// made ambiguous (the repeated hour) or skipped (the gap): it was accepted, resolved by
/// the rule of `cxm_period::Zone::local_to_utc` (the earlier instant; shifted forward by
/// the gap), and is listed so the run can warn about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedTime {
    /// Index into the source's field specs.
    pub field: usize,
    /// 1-based source line where the row starts (numbered like [`CellError::line`]).
    pub line: u64,
    /// [`LocalTime::Ambiguous`] or [`LocalTime::Skipped`].
    pub kind: LocalTime,
}

/// A structurally broken record, excluded from the batch's columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// The mapped cells that can still be identified in the broken record, as
    /// `(index into the field specs, text)` in column order: a column that may have shifted
    /// from an unmapped one is left out (see `rejected_cells.rs`). Empty when none can be
    /// (e.g. a line that is not JSON).
    pub mapped: Vec<(usize, String)>,
}

/// Writes the raw text of a batch's cells on demand (see [`Batch::with_raw_text`]).
pub(crate) type RawText = dyn Fn(usize, usize, &mut Vec<u8>) -> bool + Send + Sync;

/// A [`RawText`] and, once [`Batch::raw_bytes`] asked for it, the text of every cell.
struct OnDemandRaw {
    text: Box<RawText>,
    /// Every cell's text, concatenated, and the end offset of each (row-major).
    materialized: OnceLock<(Vec<u8>, Vec<usize>)>,
}

impl fmt::Debug for OnDemandRaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnDemandRaw")
            .field("materialized", &self.materialized.get().is_some())
            .finish_non_exhaustive()
    }
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
    /// Datetime cells of accepted rows resolved by the daylight-saving rule, in row order.
    pub resolved_times: Vec<ResolvedTime>,
    /// How many source rows each accepted row stands for, when the rows are a weighted
    /// histogram a warehouse computed (pushdown); `None`: one each. Row accounting adds
    /// these counts, and metrics see them as a multiplicity (times any weight field).
    pub row_counts: Option<Vec<u64>>,
    /// Raw bytes of the mapped cells of the accepted rows, concatenated.
    raw: Vec<u8>,
    /// End offset in `raw` of each mapped cell, row-major
    /// (`row * num_fields + field`).
    raw_ends: Vec<usize>,
    num_fields: usize,
    /// Produces the raw text instead of `raw` / `raw_ends` when set.
    on_demand: Option<OnDemandRaw>,
    /// For each column appended by [`Batch::push_derived`] (fields `num_fields..`): the
    /// parsed field it was computed from, whose text is its raw text.
    derived_from: Vec<usize>,
}

impl Batch {
    pub(crate) fn new(num_fields: usize, capacity: usize) -> Batch {
        Batch {
            columns: Vec::with_capacity(num_fields),
            lines: Vec::with_capacity(capacity),
            cell_errors: Vec::new(),
            rejected_rows: Vec::new(),
            resolved_times: Vec::new(),
            raw: Vec::new(),
            raw_ends: Vec::with_capacity(capacity.saturating_mul(num_fields)),
            num_fields,
            on_demand: None,
            derived_from: Vec::new(),
            row_counts: None,
        }
    }

    /// A batch of accepted rows (one column per field spec, all of `lines.len()` rows)
    /// whose raw text is written by `text` when asked for, instead of being stored.
    /// `cell_errors` refer to rows and fields of this batch.
    ///
    /// `text(row, field, out)` appends the text of the cell of `field` in `row` to `out`
    /// (nothing for a null cell, whose text is empty) and returns `true`, or returns
    /// `false` when `row` or `field` is out of range (what it wrote is then dropped).
    pub fn with_raw_text(
        columns: Vec<ArrayRef>,
        lines: Vec<u64>,
        cell_errors: Vec<CellError>,
        text: Box<RawText>,
    ) -> Batch {
        Batch {
            num_fields: columns.len(),
            columns,
            lines,
            cell_errors,
            rejected_rows: Vec::new(),
            resolved_times: Vec::new(),
            raw: Vec::new(),
            raw_ends: Vec::new(),
            on_demand: Some(OnDemandRaw {
                text,
                materialized: OnceLock::new(),
            }),
            derived_from: Vec::new(),
            row_counts: None,
        }
    }

    /// Appends a column computed from the parsed field `from` (a derived field): it becomes
    /// field `columns.len()`, and its raw text is the text of `from` in the same row.
    /// `column` must have one value per accepted row, and `from` be a parsed field.
    /// A column computed from another appended column takes the raw text of that one's
    /// parsed field.
    pub fn push_derived(&mut self, column: ArrayRef, from: usize) {
        debug_assert_eq!(column.len(), self.num_rows());
        let from = self.raw_field(from);
        debug_assert!(from < self.num_fields);
        self.columns.push(column);
        self.derived_from.push(from);
    }

    /// Number of parsed fields (columns appended by [`Batch::push_derived`] excluded).
    pub fn num_parsed_fields(&self) -> usize {
        self.num_fields
    }

    /// The parsed field holding the raw text of `field`: itself, or for a derived column the
    /// field it was computed from (`field` unchanged when out of range).
    fn raw_field(&self, field: usize) -> usize {
        field
            .checked_sub(self.num_fields)
            .and_then(|k| self.derived_from.get(k).copied())
            .unwrap_or(field)
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
    /// (untrimmed); `None` if out of range. A derived column's text is that of the field
    /// it was computed from.
    ///
    /// For a batch built with [`Batch::with_raw_text`], the first call writes the text
    /// of every cell of the batch (kept until the batch is dropped): prefer
    /// [`Batch::raw_into`], which works for every batch without that cost.
    pub fn raw_bytes(&self, row: usize, field: usize) -> Option<&[u8]> {
        let field = self.raw_field(field);
        if field >= self.num_fields {
            return None;
        }
        let (raw, ends) = match &self.on_demand {
            None => (&self.raw, &self.raw_ends),
            Some(on_demand) => {
                let (raw, ends) = on_demand
                    .materialized
                    .get_or_init(|| self.materialize(&on_demand.text));
                (raw, ends)
            }
        };
        let idx = row.checked_mul(self.num_fields)?.checked_add(field)?;
        let end = *ends.get(idx)?;
        let start = match idx.checked_sub(1) {
            Some(prev) => *ends.get(prev)?,
            None => 0,
        };
        raw.get(start..end)
    }

    /// Replaces the contents of `out` with the raw bytes of a mapped cell of an accepted
    /// row (untrimmed, as [`Batch::raw_bytes`] gives them) and returns `true`; returns
    /// `false`, leaving `out` empty, if `row` or `field` is out of range. Works for every
    /// batch without storing anything.
    pub fn raw_into(&self, row: usize, field: usize, out: &mut Vec<u8>) -> bool {
        out.clear();
        let field = self.raw_field(field);
        match &self.on_demand {
            Some(on_demand) => {
                if row >= self.num_rows() || field >= self.num_fields {
                    return false;
                }
                if let Some(bytes) = on_demand
                    .materialized
                    .get()
                    .and_then(|_| self.raw_bytes(row, field))
                {
                    out.extend_from_slice(bytes);
                    return true;
                }
                let found = (on_demand.text)(row, field, out);
                if !found {
                    out.clear();
                }
                found
            }
            None => match self.raw_bytes(row, field) {
                Some(bytes) => {
                    out.extend_from_slice(bytes);
                    true
                }
                None => false,
            },
        }
    }

    /// The original text of a mapped cell of an accepted row (lossy UTF-8,
    /// untrimmed); empty if `row` or `field` is out of range.
    pub fn raw_value(&self, row: usize, field: usize) -> String {
        let field = self.raw_field(field);
        if self.on_demand.is_some() {
            let mut bytes = Vec::new();
            self.raw_into(row, field, &mut bytes);
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        self.raw_bytes(row, field)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    /// The text of every cell, written by `text`, and the end offset of each.
    fn materialize(&self, text: &RawText) -> (Vec<u8>, Vec<usize>) {
        let mut raw = Vec::new();
        let mut ends = Vec::with_capacity(self.num_rows().saturating_mul(self.num_fields));
        for row in 0..self.num_rows() {
            for field in 0..self.num_fields {
                let start = raw.len();
                if !text(row, field, &mut raw) {
                    raw.truncate(start);
                }
                ends.push(raw.len());
            }
        }
        (raw, ends)
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
        let mut out = b"old".to_vec();
        assert!(b.raw_into(0, 1, &mut out));
        assert_eq!(out, b" 1 ");
        assert!(!b.raw_into(2, 0, &mut out));
        assert!(out.is_empty());
    }

    #[test]
    fn derived_columns_read_the_text_of_their_source() {
        let mut b = Batch::new(2, 2);
        for (line, cells) in [(2, [&b"a"[..], b" 1 "]), (3, [b"", b"7"])] {
            b.lines.push(line);
            for c in cells {
                b.push_raw(c);
            }
        }
        let column: ArrayRef = std::sync::Arc::new(arrow_array::Int64Array::from(vec![1, 2]));
        b.push_derived(column.clone(), 1);
        b.push_derived(column, 0);
        assert_eq!(b.columns.len(), 2);
        assert_eq!(b.num_parsed_fields(), 2);
        assert_eq!(b.raw_value(0, 2), " 1 ");
        assert_eq!(b.raw_value(1, 2), "7");
        assert_eq!(b.raw_value(0, 3), "a");
        assert_eq!(b.raw_bytes(1, 3), Some(&b""[..]));
        let mut out = Vec::new();
        assert!(b.raw_into(1, 2, &mut out));
        assert_eq!(out, b"7");
        assert!(!b.raw_into(0, 4, &mut out));
        assert_eq!(b.raw_value(0, 4), "");

        // On-demand text too.
        let column: ArrayRef = std::sync::Arc::new(arrow_array::Int64Array::from(vec![1, 2]));
        let mut b = Batch::with_raw_text(
            vec![column.clone(), column.clone()],
            vec![7, 8],
            Vec::new(),
            Box::new(numbered),
        );
        b.push_derived(column, 1);
        assert_eq!(b.raw_value(0, 2), "r0f1");
        assert!(b.raw_into(1, 2, &mut out));
        assert!(out.is_empty());
        assert!(!b.raw_into(0, 3, &mut out));
        assert_eq!(b.raw_bytes(0, 2), Some(&b"r0f1"[..]));
    }

    /// Cells whose text is `r<row>f<field>`, except (1, 1), which is null (empty).
    fn numbered(row: usize, field: usize, out: &mut Vec<u8>) -> bool {
        if row >= 2 || field >= 2 {
            return false;
        }
        if (row, field) != (1, 1) {
            out.extend_from_slice(format!("r{row}f{field}").as_bytes());
        }
        true
    }

    #[test]
    fn raw_text_on_demand() {
        let column: ArrayRef = std::sync::Arc::new(arrow_array::Int64Array::from(vec![1, 2]));
        let b = Batch::with_raw_text(
            vec![column.clone(), column],
            vec![7, 8],
            Vec::new(),
            Box::new(numbered),
        );
        assert_eq!(b.num_rows(), 2);
        let mut out = b"old".to_vec();
        assert!(b.raw_into(1, 0, &mut out));
        assert_eq!(out, b"r1f0");
        assert!(b.raw_into(1, 1, &mut out));
        assert!(out.is_empty());
        assert!(!b.raw_into(2, 0, &mut out));
        assert!(!b.raw_into(0, 2, &mut out));
        assert_eq!(b.raw_value(0, 1), "r0f1");
        assert_eq!(b.raw_value(5, 0), "");
        // raw_bytes materializes every cell once, then serves raw_into too.
        assert_eq!(b.raw_bytes(0, 0), Some(&b"r0f0"[..]));
        assert_eq!(b.raw_bytes(1, 1), Some(&b""[..]));
        assert_eq!(b.raw_bytes(1, 0), Some(&b"r1f0"[..]));
        assert_eq!(b.raw_bytes(2, 0), None);
        assert_eq!(b.raw_bytes(0, 2), None);
        assert!(b.raw_into(0, 1, &mut out));
        assert_eq!(out, b"r0f1");
        assert_eq!(b.raw_value(1, 1), "");
    }
}
