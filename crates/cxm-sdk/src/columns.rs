//! Zero-copy, read-only views of the Arrow C Data Interface columns of one batch, and the
//! [`Row`] through which a metric reads one row of them.
//!
//! An accessor that does not match its input's declared type (`row.number()` on an
//! [`InputType::Integer`] input) is a plugin bug: it panics with a [`Mismatch`], located
//! (`#[track_caller]`) at the plugin's call, which the SDK turns into an error naming the
//! input, its declared type and the accessor. [`crate::testing::Harness::bind`] finds such a
//! read before any data is sent, by calling `update` on made-up rows ([`ColumnView::probe`]).
//! The check costs the row loop what it always did: one compare and a cold call.

use crate::metric::InputType;
use cxm_abi::ArrowArray;
use std::ffi::c_void;
use std::panic::Location;

/// A validated view of one borrowed Arrow column. The pointers stay valid for the duration
/// of the `update` call that created the view, which outlives every `Row` built on it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ColumnView {
    kind: InputType,
    /// Offset of row 0 in the buffers (array offset plus parent offset).
    offset: usize,
    validity: *const u8,
    values: *const c_void,
    /// Utf8 only: the character data.
    data: *const u8,
}

/// The value every column of a made-up probe row holds (see [`ColumnView::probe`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProbeValue {
    /// 0, 0.0, "", false, 1970-01-01, the epoch.
    Zero,
    /// 1, 1.0, "1", true, 1970-01-02, one second after the epoch.
    One,
}

/// Zero bytes enough for one value of every type, and for the two offsets of a Utf8 value.
static ZEROS: [u64; 2] = [0; 2];
static ONE_I64: i64 = 1;
static ONE_F64: f64 = 1.0;
static ONE_I32: i32 = 1;
static ONE_BIT: u8 = 1;
static ONE_MICROSECONDS: i64 = 1_000_000;
static ONE_TEXT_OFFSETS: [i32; 2] = [0, 1];
static ONE_TEXT: [u8; 1] = *b"1";

/// The [`Row`] accessor of a type.
fn accessor(kind: InputType) -> &'static str {
    match kind {
        InputType::Integer => "int",
        InputType::Number => "number",
        InputType::Text => "text",
        InputType::Boolean => "boolean",
        InputType::Date => "date",
        InputType::Timestamp => "timestamp",
    }
}

/// The panic payload of an accessor that does not match its input's declared type.
#[derive(Debug)]
pub(crate) struct Mismatch {
    /// The row index of the input read.
    pub(crate) input: usize,
    /// Its declared type.
    pub(crate) declared: InputType,
    /// The type of the accessor used.
    pub(crate) read_as: InputType,
    /// The plugin's call of the accessor.
    pub(crate) at: &'static Location<'static>,
}

impl Mismatch {
    /// What went wrong and how to fix it, for the input called `name`: `input 'x' is
    /// declared InputType::Integer, but {read}: read it with row.int(), or …`, where `read`
    /// says how it was read (and where, for a message without a panic location).
    pub(crate) fn message(&self, name: &str, located: bool) -> String {
        let (declared, read_as) = (self.declared, self.read_as);
        let read = if located {
            format!(
                "update reads it with row.{}() at {}:{}:{}",
                accessor(read_as),
                self.at.file(),
                self.at.line(),
                self.at.column()
            )
        } else {
            format!("was read with row.{}()", accessor(read_as))
        };
        format!(
            "input '{name}' is declared InputType::{declared:?}, but {read}: read it with \
             row.{}(), or declare it InputType::{read_as:?}",
            accessor(declared)
        )
    }
}

/// An accessor of type `read_as` was called on input `input`, declared `declared` (a plugin
/// bug): panics with a [`Mismatch`] located at the plugin's call.
#[cold]
#[inline(never)]
#[track_caller]
fn kind_mismatch(input: usize, declared: InputType, read_as: InputType) -> ! {
    std::panic::panic_any(Mismatch {
        input,
        declared,
        read_as,
        at: Location::caller(),
    })
}

impl ColumnView {
    /// Builds a view of `array`, which must have the type `kind` and at least
    /// `parent_offset + rows` logical rows.
    ///
    /// # Safety
    /// `array` must point to a live Arrow C Data Interface array whose buffers match `kind`,
    /// as the producer (the host) guarantees for the schema bound at `bind`.
    pub(crate) unsafe fn new(
        array: *const ArrowArray,
        kind: InputType,
        parent_offset: usize,
        rows: usize,
    ) -> Result<Self, String> {
        if array.is_null() {
            return Err("null child array".into());
        }
        // SAFETY: non-null and live for the call, per this function's contract.
        let a = unsafe { &*array };
        let expected_buffers = if kind == InputType::Text { 3 } else { 2 };
        if a.n_buffers != expected_buffers || a.buffers.is_null() {
            return Err(format!(
                "expected {expected_buffers} buffers, found {}",
                a.n_buffers
            ));
        }
        let (Ok(offset), Ok(length)) = (usize::try_from(a.offset), usize::try_from(a.length))
        else {
            return Err("negative offset or length".into());
        };
        if length < parent_offset + rows {
            return Err(format!(
                "child has {length} rows, batch needs {}",
                parent_offset + rows
            ));
        }
        // SAFETY: `buffers` holds `n_buffers` pointers (checked above).
        let buffer = |i: usize| unsafe { *a.buffers.add(i) };
        let validity = if a.null_count == 0 {
            std::ptr::null()
        } else {
            buffer(0) as *const u8
        };
        let values = buffer(1);
        let data = if kind == InputType::Text {
            buffer(2) as *const u8
        } else {
            std::ptr::null()
        };
        if values.is_null() && length > 0 {
            return Err("missing values buffer".into());
        }
        Ok(ColumnView {
            kind,
            offset: offset + parent_offset,
            validity,
            values,
            data,
        })
    }

    /// A one-row view of a column of type `kind` whose value is `value`, for a probe row.
    pub(crate) fn probe(kind: InputType, value: ProbeValue) -> Self {
        let zeros = ZEROS.as_ptr() as *const c_void;
        let (values, data): (*const c_void, *const u8) = match (value, kind) {
            (ProbeValue::Zero, _) => (zeros, zeros as *const u8),
            (ProbeValue::One, InputType::Integer) => {
                (std::ptr::from_ref(&ONE_I64).cast(), zeros.cast())
            }
            (ProbeValue::One, InputType::Number) => {
                (std::ptr::from_ref(&ONE_F64).cast(), zeros.cast())
            }
            (ProbeValue::One, InputType::Date) => {
                (std::ptr::from_ref(&ONE_I32).cast(), zeros.cast())
            }
            (ProbeValue::One, InputType::Boolean) => {
                (std::ptr::from_ref(&ONE_BIT).cast(), zeros.cast())
            }
            (ProbeValue::One, InputType::Timestamp) => {
                (std::ptr::from_ref(&ONE_MICROSECONDS).cast(), zeros.cast())
            }
            (ProbeValue::One, InputType::Text) => {
                (ONE_TEXT_OFFSETS.as_ptr().cast(), ONE_TEXT.as_ptr())
            }
        };
        ColumnView {
            kind,
            offset: 0,
            validity: std::ptr::null(),
            values,
            data,
        }
    }

    #[inline]
    fn is_valid(&self, row: usize) -> bool {
        if self.validity.is_null() {
            return true;
        }
        let bit = self.offset + row;
        // SAFETY: the validity bitmap covers offset + length bits and row < rows.
        unsafe { (*self.validity.add(bit / 8) >> (bit % 8)) & 1 == 1 }
    }

    /// Drops the validity bitmap, for a column whose null rows are never read: every value
    /// then reads as present.
    pub(crate) fn forget_nulls(&mut self) {
        self.validity = std::ptr::null();
    }

    /// Calls `on_null` with every null row below `rows`, skipping whole bytes of the
    /// validity bitmap that hold no null.
    pub(crate) fn for_each_null(&self, rows: usize, mut on_null: impl FnMut(usize)) {
        if self.validity.is_null() {
            return;
        }
        let mut row = 0;
        while row < rows {
            let bit = self.offset + row;
            if bit.is_multiple_of(8) && row + 8 <= rows {
                // SAFETY: the bitmap covers offset + length bits, and bits bit..bit + 8 are
                // below offset + rows.
                if unsafe { *self.validity.add(bit / 8) } == u8::MAX {
                    row += 8;
                    continue;
                }
            }
            if self.is_null(row) {
                on_null(row);
            }
            row += 1;
        }
    }

    /// Whether the value at `row` is null.
    #[inline]
    pub(crate) fn is_null(&self, row: usize) -> bool {
        !self.is_valid(row)
    }

    #[inline]
    fn read<T: Copy>(&self, row: usize) -> T {
        // SAFETY: `values` holds offset + length elements of T (checked kind and length in
        // `new`); read_unaligned makes no alignment assumption.
        unsafe {
            (self.values as *const T)
                .add(self.offset + row)
                .read_unaligned()
        }
    }
}

/// One row of a batch, as [`crate::Metric::update`] sees it. Inputs are addressed by their
/// index in [`crate::Metric::INPUTS`]; an unmapped optional input reads as `None`.
///
/// Read each input with the accessor of its declared [`InputType`]: another accessor
/// (`row.number()` on an [`InputType::Integer`] input) panics, naming the input, its type
/// and the accessor, at your call's line; [`crate::testing::Harness::bind`] reports it
/// before any row is sent.
pub struct Row<'a> {
    pub(crate) columns: &'a [Option<ColumnView>],
    pub(crate) index: usize,
    pub(crate) weight: f64,
}

impl<'a> Row<'a> {
    /// The row's weight (multiplicity); 1 unless the dataset declares a weight field.
    #[inline]
    pub fn weight(&self) -> f64 {
        self.weight
    }

    #[inline]
    fn column(&self, input: usize) -> Option<&ColumnView> {
        let column = self.columns.get(input)?.as_ref()?;
        column.is_valid(self.index).then_some(column)
    }

    /// An [`InputType::Integer`] input.
    #[inline]
    #[track_caller]
    pub fn int(&self, input: usize) -> Option<i64> {
        let c = self.column(input)?;
        if c.kind != InputType::Integer {
            kind_mismatch(input, c.kind, InputType::Integer);
        }
        Some(c.read::<i64>(self.index))
    }

    /// An [`InputType::Number`] input.
    #[inline]
    #[track_caller]
    pub fn number(&self, input: usize) -> Option<f64> {
        let c = self.column(input)?;
        if c.kind != InputType::Number {
            kind_mismatch(input, c.kind, InputType::Number);
        }
        Some(c.read::<f64>(self.index))
    }

    /// An [`InputType::Date`] input, as days since 1970-01-01.
    #[inline]
    #[track_caller]
    pub fn date(&self, input: usize) -> Option<i32> {
        let c = self.column(input)?;
        if c.kind != InputType::Date {
            kind_mismatch(input, c.kind, InputType::Date);
        }
        Some(c.read::<i32>(self.index))
    }

    /// An [`InputType::Timestamp`] input, as microseconds since the Unix epoch (UTC).
    #[inline]
    #[track_caller]
    pub fn timestamp(&self, input: usize) -> Option<i64> {
        let c = self.column(input)?;
        if c.kind != InputType::Timestamp {
            kind_mismatch(input, c.kind, InputType::Timestamp);
        }
        Some(c.read::<i64>(self.index))
    }

    /// An [`InputType::Boolean`] input.
    #[inline]
    #[track_caller]
    pub fn boolean(&self, input: usize) -> Option<bool> {
        let c = self.column(input)?;
        if c.kind != InputType::Boolean {
            kind_mismatch(input, c.kind, InputType::Boolean);
        }
        let bit = c.offset + self.index;
        // SAFETY: a boolean values buffer holds offset + length bits.
        Some(unsafe { (*(c.values as *const u8).add(bit / 8) >> (bit % 8)) & 1 == 1 })
    }

    /// An [`InputType::Text`] input.
    #[inline]
    #[track_caller]
    pub fn text(&self, input: usize) -> Option<&'a str> {
        let c = *self.column(input)?;
        if c.kind != InputType::Text {
            kind_mismatch(input, c.kind, InputType::Text);
        }
        let start = c.read::<i32>(self.index);
        let end = c.read::<i32>(self.index + 1);
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
            panic!("negative string offset in input {input}");
        };
        // SAFETY: Utf8 offsets index into the data buffer, which lives for 'a (the update
        // call); the producer guarantees offsets are in bounds and ascending.
        let bytes =
            unsafe { std::slice::from_raw_parts(c.data.add(start), end.saturating_sub(start)) };
        std::str::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `for_each_null` skips whole bitmap bytes only where that is exact: for every array
    /// offset, parent offset and row count, it reports exactly the rows `is_null` reports.
    #[test]
    fn for_each_null_matches_the_bitmap_at_every_offset() {
        // 40 values; nulls at a scattered set of positions, including whole clean bytes.
        let valid = |i: usize| !matches!(i, 3 | 9 | 10 | 17 | 31 | 32 | 38);
        let mut bitmap = [0u8; 5];
        for i in (0..40).filter(|&i| valid(i)) {
            bitmap[i / 8] |= 1 << (i % 8);
        }
        let values = [0i64; 40];
        let mut buffers = [bitmap.as_ptr() as *const c_void, values.as_ptr().cast()];
        for array_offset in 0..10usize {
            let length = 40 - array_offset;
            let array = ArrowArray {
                length: length as i64,
                null_count: 1,
                offset: array_offset as i64,
                n_buffers: 2,
                n_children: 0,
                buffers: buffers.as_mut_ptr(),
                children: std::ptr::null_mut(),
                dictionary: std::ptr::null_mut(),
                release: None,
                private_data: std::ptr::null_mut(),
            };
            for parent_offset in 0..3 {
                for rows in 0..=(length - parent_offset) {
                    // SAFETY: `array` and its buffers live for this loop body.
                    let view =
                        unsafe { ColumnView::new(&array, InputType::Integer, parent_offset, rows) }
                            .expect("valid view");
                    let mut seen = Vec::new();
                    view.for_each_null(rows, |row| seen.push(row));
                    let expected: Vec<usize> = (0..rows)
                        .filter(|&row| !valid(array_offset + parent_offset + row))
                        .collect();
                    assert_eq!(seen, expected, "offsets {array_offset}+{parent_offset}");
                }
            }
        }
    }
}
