//! A batch in a channel's shared file ([`super::shm`]): the host copies every Arrow buffer
//! of the input columns, the weights, the group ids and the row statuses into the file once,
//! each at a 64-byte boundary, and sends only where they are (a list of u64s, the layout)
//! over the pipe; the child rebuilds the arrays over the mapping without copying, with the
//! data types it was bound with. The row statuses are updated in place and read back by the
//! host after the reply.
//!
//! Layout, little-endian u64s: the column count, each column as an *array*, then the
//! position of the weights, of the group ids (`u64::MAX`: none) and of the row statuses.
//! An *array* is `len, offset, nulls position (u64::MAX: none), nulls bit offset, nulls
//! length, buffer count, (position, length) per buffer, child count, each child array`.

use super::shm::{HostMap, Mapping};
use crate::InstanceBatch;
use arrow_array::{Array, ArrayRef};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer, ToByteSlice};
use arrow_data::{ArrayData, ArrayDataBuilder};
use arrow_schema::{DataType, Fields};
use std::io;
use std::sync::Arc;

/// Alignment of every buffer in the file (Arrow's own).
const ALIGN: usize = 64;
/// No weights or no group ids.
const NONE: u64 = u64::MAX;
/// Deepest nesting of arrays accepted.
const MAX_DEPTH: usize = 64;

fn align(pos: usize) -> usize {
    pos.div_ceil(ALIGN) * ALIGN
}

/// The child arrays' types for an array of type `dt`, as arrow-rs lays them out.
fn child_types(dt: &DataType) -> Vec<DataType> {
    match dt {
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::Map(f, _) => vec![f.data_type().clone()],
        DataType::Struct(fs) => fs.iter().map(|f| f.data_type().clone()).collect(),
        DataType::Union(fs, _) => fs.iter().map(|(_, f)| f.data_type().clone()).collect(),
        DataType::Dictionary(_, v) => vec![(**v).clone()],
        DataType::RunEndEncoded(r, v) => vec![r.data_type().clone(), v.data_type().clone()],
        _ => Vec::new(),
    }
}

/// Whether `d` has type `dt` all the way down, as the child will rebuild it.
fn types_match(d: &ArrayData, dt: &DataType) -> bool {
    d.data_type() == dt && {
        let types = child_types(dt);
        types.len() == d.child_data().len()
            && d.child_data()
                .iter()
                .zip(&types)
                .all(|(c, t)| types_match(c, t))
    }
}

/// The bytes of the null bitmap that cover `nulls`: (first byte, byte count, bit offset).
fn null_bytes(nulls: &NullBuffer) -> (usize, usize, usize) {
    let first = nulls.offset() / 8;
    let bit = nulls.offset() % 8;
    (first, (bit + nulls.len()).div_ceil(8), bit)
}

/// Bytes `d` takes in the file, alignment included.
fn size(d: &ArrayData) -> usize {
    let nulls = d.nulls().map_or(0, |n| align(null_bytes(n).1));
    let buffers: usize = d.buffers().iter().map(|b| align(b.len())).sum();
    nulls + buffers + d.child_data().iter().map(size).sum::<usize>()
}

/// `d`, or a compact copy of it when it is a slice that keeps much more memory than it
/// shows (a zero-copy slice of a string column keeps all of its characters).
fn compacted(d: ArrayData) -> ArrayData {
    let Ok(needed) = d.get_slice_memory_size() else {
        return d;
    };
    if size(&d) <= 2 * needed + (1 << 16) {
        return d;
    }
    let compact = {
        let mut copy = arrow_data::transform::MutableArrayData::new(vec![&d], true, d.len());
        copy.try_extend(0, 0, d.len()).ok().map(|()| copy.freeze())
    };
    compact.unwrap_or(d)
}

/// Where [`write_batch`] put a batch.
pub(crate) struct Written {
    /// The layout (bytes, for the pipe).
    pub layout: Vec<u8>,
    /// Position of the row statuses.
    pub status: usize,
    /// End of the batch's last byte in the file.
    pub end: usize,
}

/// Copies a batch into `map` from position `at` on (growing the file as needed; what lies
/// before `at` is kept) and says where. `None` when the batch cannot be shared: a column of
/// another type than bound, or a file that cannot grow; the caller then sends it through the
/// pipe.
pub(crate) fn write_batch(
    map: &mut HostMap,
    at: usize,
    batch: &InstanceBatch<'_>,
    fields: &Fields,
) -> Option<Written> {
    if batch.columns.len() != fields.len() {
        return None;
    }
    let mut arrays = Vec::with_capacity(batch.columns.len());
    for (column, field) in batch.columns.iter().zip(fields.iter()) {
        let data = compacted(column.to_data());
        if !types_match(&data, field.data_type()) {
            return None;
        }
        arrays.push(data);
    }
    let rows = batch.row_status.len();
    let weights = batch.weights.map(ToByteSlice::to_byte_slice);
    let groups = batch.group_ids.map(ToByteSlice::to_byte_slice);
    let needed = arrays.iter().map(size).sum::<usize>()
        + weights.map_or(0, |w| align(w.len()))
        + groups.map_or(0, |g| align(g.len()))
        + rows;
    map.reserve(align(at).checked_add(needed)?).ok()?;
    let mut w = Writer {
        map,
        pos: at,
        words: vec![arrays.len() as u64],
    };
    for a in &arrays {
        w.array(a)?;
    }
    for part in [weights, groups] {
        match part {
            Some(bytes) => {
                let pos = w.put(bytes)?;
                w.words.push(pos as u64);
            }
            None => w.words.push(NONE),
        }
    }
    let status = w.put(batch.row_status)?;
    w.words.push(status as u64);
    Some(Written {
        layout: w.words.iter().flat_map(|v| v.to_le_bytes()).collect(),
        status,
        end: w.pos,
    })
}

/// Writes buffers at aligned positions and notes the layout.
struct Writer<'a> {
    map: &'a mut HostMap,
    pos: usize,
    words: Vec<u64>,
}

impl Writer<'_> {
    /// Copies `bytes` to the next aligned position and returns it.
    fn put(&mut self, bytes: &[u8]) -> Option<usize> {
        let at = align(self.pos);
        if !self.map.write(at, bytes) {
            return None;
        }
        self.pos = at + bytes.len();
        Some(at)
    }

    fn array(&mut self, d: &ArrayData) -> Option<()> {
        self.words.extend([d.len() as u64, d.offset() as u64]);
        match d.nulls() {
            Some(nulls) => {
                let (first, count, bit) = null_bytes(nulls);
                let bytes = nulls.buffer().as_slice().get(first..first + count)?;
                let at = self.put(bytes)?;
                self.words
                    .extend([at as u64, bit as u64, nulls.len() as u64]);
            }
            None => self.words.extend([NONE, 0, 0]),
        }
        self.words.push(d.buffers().len() as u64);
        for b in d.buffers() {
            let at = self.put(b.as_slice())?;
            self.words.extend([at as u64, b.len() as u64]);
        }
        self.words.push(d.child_data().len() as u64);
        for c in d.child_data() {
            self.array(c)?;
        }
        Some(())
    }
}

/// A batch rebuilt over the child's mapping.
pub(crate) struct SharedBatch {
    /// The input columns, in bind order.
    pub columns: Vec<ArrayRef>,
    /// Row weights, if sent.
    pub weights: Option<ScalarBuffer<f64>>,
    /// Group ids, if sent.
    pub groups: Option<ScalarBuffer<u32>>,
    /// Position of the row statuses (`rows` bytes, after every other buffer).
    pub status: usize,
}

fn bad(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Rebuilds [`write_batch`]'s batch of `rows` rows from its `layout` over `map`, its
/// columns of the bound `types`.
pub(crate) fn read_batch(
    layout: &[u8],
    map: &Arc<Mapping>,
    types: &[DataType],
    rows: usize,
) -> io::Result<SharedBatch> {
    let words: Vec<u64> = layout
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect();
    let mut r = Reader {
        words: words.iter(),
        map,
        end: 0,
    };
    if r.usize()? != types.len() {
        return Err(bad("column count differs from the bound inputs"));
    }
    let mut columns = Vec::with_capacity(types.len());
    for dt in types {
        let data = r.array(dt, 0)?;
        if data.len() != rows {
            return Err(bad("column length differs from the batch"));
        }
        columns.push(arrow_array::make_array(data));
    }
    let weights = match r.word()? {
        NONE => None,
        pos => Some(ScalarBuffer::new(r.buffer(pos, rows * 8)?, 0, rows)),
    };
    let groups = match r.word()? {
        NONE => None,
        pos => Some(ScalarBuffer::new(r.buffer(pos, rows * 4)?, 0, rows)),
    };
    let status = r.usize()?;
    if status < r.end || map.range_ptr(status, rows).is_none() {
        return Err(bad(
            "row statuses overlap the columns or lie outside the file",
        ));
    }
    Ok(SharedBatch {
        columns,
        weights,
        groups,
        status,
    })
}

/// Reads the layout and hands out buffers over the mapping.
struct Reader<'a> {
    words: std::slice::Iter<'a, u64>,
    map: &'a Arc<Mapping>,
    /// End of the last buffer handed out.
    end: usize,
}

impl Reader<'_> {
    fn word(&mut self) -> io::Result<u64> {
        self.words
            .next()
            .copied()
            .ok_or_else(|| bad("layout cut short"))
    }

    fn usize(&mut self) -> io::Result<usize> {
        usize::try_from(self.word()?).map_err(|_| bad("layout value out of range"))
    }

    /// The buffer at `pos` (64-byte aligned, inside the file).
    fn buffer(&mut self, pos: u64, len: usize) -> io::Result<arrow_buffer::Buffer> {
        let pos = usize::try_from(pos).map_err(|_| bad("buffer position out of range"))?;
        if pos % ALIGN != 0 {
            return Err(bad("unaligned buffer"));
        }
        let buffer = self
            .map
            .buffer(pos, len)
            .ok_or_else(|| bad("buffer outside the shared file"))?;
        self.end = self.end.max(pos + len);
        Ok(buffer)
    }

    fn array(&mut self, dt: &DataType, depth: usize) -> io::Result<ArrayData> {
        if depth > MAX_DEPTH {
            return Err(bad("arrays nested too deep"));
        }
        let len = self.usize()?;
        let offset = self.usize()?;
        let nulls = match self.word()? {
            NONE => {
                self.word()?;
                self.word()?;
                None
            }
            pos => {
                let bit = self.usize()?;
                let count = self.usize()?;
                let bytes = bit
                    .checked_add(count)
                    .ok_or_else(|| bad("null bitmap too long"))?
                    .div_ceil(8);
                let buffer = self.buffer(pos, bytes)?;
                Some(NullBuffer::new(BooleanBuffer::new(buffer, bit, count)))
            }
        };
        let count = self.usize()?;
        if count > 16 + self.words.len() / 2 {
            return Err(bad("too many buffers"));
        }
        let mut buffers = Vec::with_capacity(count);
        for _ in 0..count {
            let pos = self.word()?;
            let len = self.usize()?;
            buffers.push(self.buffer(pos, len)?);
        }
        let types = child_types(dt);
        if self.usize()? != types.len() {
            return Err(bad("child arrays differ from the bound type"));
        }
        let children = types
            .iter()
            .map(|t| self.array(t, depth + 1))
            .collect::<io::Result<Vec<_>>>()?;
        let builder = ArrayDataBuilder::new(dt.clone())
            .len(len)
            .offset(offset)
            .nulls(nulls)
            .buffers(buffers)
            .child_data(children);
        // SAFETY: the buffers are the host's own valid arrays of exactly this type, copied
        // byte for byte into the shared file, which only the host and this child map (the
        // host does not write it during the call). `validate` below checks everything that
        // is not values: buffer counts and sizes against length and offset, child types and
        // lengths, so even a wrong layout cannot make the arrays read outside their buffers.
        let data = unsafe { builder.build_unchecked() };
        data.validate().map_err(|e| bad(e.to_string()))?;
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::shm::ChildMap;
    use arrow_array::{
        DictionaryArray, Int32Array, Int64Array, ListArray, StringArray, StructArray,
    };
    use arrow_schema::Field;

    fn round_trip(columns: Vec<ArrayRef>, weights: Option<&[f64]>, groups: Option<&[u32]>) {
        let fields: Fields = columns
            .iter()
            .enumerate()
            .map(|(i, c)| Field::new(format!("c{i}"), c.data_type().clone(), true))
            .collect();
        let rows = columns[0].len();
        let mut status = vec![0u8; rows];
        status[0] = 3;
        let batch = InstanceBatch {
            columns: &columns,
            weights,
            group_ids: groups,
            num_groups: 2,
            row_status: &mut status,
            shared: crate::Shared::NONE,
        };
        let mut host = HostMap::create().unwrap();
        // Two copies one after the other, as batches of one request are written.
        let first = write_batch(&mut host, 0, &batch, &fields).unwrap();
        let second = write_batch(&mut host, first.end, &batch, &fields).unwrap();
        assert!(second.status > first.end);
        let mut child = ChildMap::new(host.fd());
        let map = child.view(host.len()).unwrap();
        let types: Vec<DataType> = fields.iter().map(|f| f.data_type().clone()).collect();
        for written in [first, second] {
            let back = read_batch(&written.layout, &map, &types, rows).unwrap();
            for (a, b) in back.columns.iter().zip(&columns) {
                assert_eq!(a.as_ref(), b.as_ref());
            }
            assert_eq!(back.weights.as_deref(), weights);
            assert_eq!(back.groups.as_deref(), groups);
            assert_eq!(back.status, written.status);
            assert_eq!(host.read(written.status, rows).unwrap(), status);
        }
    }

    #[test]
    fn columns_of_many_types_round_trip_in_place() {
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), None, Some(10), Some(-4)]));
        let text: ArrayRef = Arc::new(StringArray::from(vec![
            Some("a"),
            Some("bé"),
            None,
            Some(""),
        ]));
        let dict: ArrayRef = Arc::new(
            vec![Some("x"), None, Some("y"), Some("x")]
                .into_iter()
                .collect::<DictionaryArray<arrow_array::types::Int32Type>>(),
        );
        let list: ArrayRef = Arc::new(ListArray::from_iter_primitive::<
            arrow_array::types::Int32Type,
            _,
            _,
        >(vec![
            Some(vec![Some(1), None]),
            None,
            Some(vec![]),
            Some(vec![Some(3)]),
        ]));
        let strukt: ArrayRef = Arc::new(StructArray::from(vec![(
            Arc::new(Field::new("v", DataType::Int32, true)),
            Arc::new(Int32Array::from(vec![1, 2, 3, 4])) as ArrayRef,
        )]));
        round_trip(
            vec![ints, text, dict, list, strukt],
            Some(&[1.0, 0.5, 2.0, 1.0]),
            Some(&[0, 1, 1, 0]),
        );
    }

    #[test]
    fn slices_are_sent_as_they_show() {
        let big: Vec<Option<String>> = (0..100_000)
            .map(|i| (i % 7 != 0).then(|| format!("value {i}")))
            .collect();
        let text = StringArray::from(big);
        let ints = Int64Array::from_iter((0..100_000).map(|i| (i % 5 != 0).then_some(i)));
        let (off, len) = (33_333, 1000);
        let sliced_text: ArrayRef = Arc::new(text.slice(off, len));
        let sliced_ints: ArrayRef = Arc::new(ints.slice(off, len));
        assert!(size(&compacted(sliced_text.to_data())) < 100_000);
        round_trip(vec![sliced_text, sliced_ints], None, None);
    }
}
