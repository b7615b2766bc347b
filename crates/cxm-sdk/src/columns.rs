//! Zero-copy, read-only views of the Arrow C Data Interface columns of one batch, and the
//! [`Row`] through which a metric reads one row of them.

use crate::metric::InputType;
use cxm_abi::ArrowArray;
use std::ffi::c_void;

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

    fn is_valid(&self, row: usize) -> bool {
        if self.validity.is_null() {
            return true;
        }
        let bit = self.offset + row;
        // SAFETY: the validity bitmap covers offset + length bits and row < rows.
        unsafe { (*self.validity.add(bit / 8) >> (bit % 8)) & 1 == 1 }
    }

    /// Whether the column can hold nulls at all (it has a validity bitmap).
    pub(crate) fn has_nulls(&self) -> bool {
        !self.validity.is_null()
    }

    /// Whether the value at `row` is null.
    pub(crate) fn is_null(&self, row: usize) -> bool {
        !self.is_valid(row)
    }

    fn read<T: Copy>(&self, row: usize) -> T {
        // SAFETY: `values` holds offset + length elements of T (checked kind and length in
        // `new`); read_unaligned makes no alignment assumption.
        unsafe {
            (self.values as *const T)
                .add(self.offset + row)
                .read_unaligned()
        }
    }

    fn expect_kind(&self, wanted: InputType, accessor: &str) {
        if self.kind != wanted {
            panic!("input is {:?} but was read with {accessor}()", self.kind);
        }
    }
}

/// One row of a batch, as [`crate::Metric::update`] sees it. Inputs are addressed by their
/// index in [`crate::Metric::INPUTS`]; an unmapped optional input reads as `None`.
pub struct Row<'a> {
    pub(crate) columns: &'a [Option<ColumnView>],
    pub(crate) index: usize,
    pub(crate) weight: f64,
}

impl<'a> Row<'a> {
    /// The row's weight (multiplicity); 1 unless the dataset declares a weight field.
    pub fn weight(&self) -> f64 {
        self.weight
    }

    fn column(&self, input: usize) -> Option<&ColumnView> {
        let column = self.columns.get(input)?.as_ref()?;
        column.is_valid(self.index).then_some(column)
    }

    /// An [`InputType::Integer`] input.
    pub fn int(&self, input: usize) -> Option<i64> {
        let c = self.column(input)?;
        c.expect_kind(InputType::Integer, "int");
        Some(c.read::<i64>(self.index))
    }

    /// An [`InputType::Number`] input.
    pub fn number(&self, input: usize) -> Option<f64> {
        let c = self.column(input)?;
        c.expect_kind(InputType::Number, "number");
        Some(c.read::<f64>(self.index))
    }

    /// An [`InputType::Date`] input, as days since 1970-01-01.
    pub fn date(&self, input: usize) -> Option<i32> {
        let c = self.column(input)?;
        c.expect_kind(InputType::Date, "date");
        Some(c.read::<i32>(self.index))
    }

    /// An [`InputType::Timestamp`] input, as microseconds since the Unix epoch (UTC).
    pub fn timestamp(&self, input: usize) -> Option<i64> {
        let c = self.column(input)?;
        c.expect_kind(InputType::Timestamp, "timestamp");
        Some(c.read::<i64>(self.index))
    }

    /// An [`InputType::Boolean`] input.
    pub fn boolean(&self, input: usize) -> Option<bool> {
        let c = self.column(input)?;
        c.expect_kind(InputType::Boolean, "boolean");
        let bit = c.offset + self.index;
        // SAFETY: a boolean values buffer holds offset + length bits.
        Some(unsafe { (*(c.values as *const u8).add(bit / 8) >> (bit % 8)) & 1 == 1 })
    }

    /// An [`InputType::Text`] input.
    pub fn text(&self, input: usize) -> Option<&'a str> {
        let c = *self.column(input)?;
        c.expect_kind(InputType::Text, "text");
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
