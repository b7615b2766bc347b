//! The messages between the host and an isolated plugin's child process: one frame per
//! message (`kind: u8`, `header_len: u32`, `body_len: u64`, then a JSON header and a binary
//! body, integers little-endian), and Arrow IPC for the input schema and for the columns of a
//! batch that does not go through the channel's shared file, so data crosses with its types
//! and without a text round trip.

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, UInt32Array};
use arrow_buffer::{Buffer, ScalarBuffer};
use arrow_ipc::reader::{StreamDecoder, StreamReader};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{DataType, Field, Schema};
use serde_json::Value;
use std::io::{self, Read, Write};
use std::sync::Arc;

/// Request: bind an instance (header `params`; body the input schema as Arrow IPC).
pub const BIND: u8 = 1;
/// Request: merge one instance into another (body: the group map, u32 LE each).
pub const MERGE: u8 = 3;
/// Request: the result of one group (response body: the result JSON).
pub const FINISH: u8 = 4;
/// Request: release an instance.
pub const RELEASE: u8 = 5;
/// Request: fold one or more batches into an instance, in order (header `id`, `map_len`:
/// the size of the channel's shared file, `batches`: per batch `rows`, `num_groups`, `len`
/// of its part of the body, and `ipc_len` when it is sent as Arrow IPC; body: the parts one
/// after the other). A part is a batch's layout in the shared file (see `remote::layout`),
/// whose row statuses are updated in the file, or Arrow IPC of `ipc_len` bytes followed by
/// the row statuses. Answered by one response per batch, in order, each sent as soon as
/// the batch is done: `OK` (with the row statuses of an IPC batch as body), or `ERR`, after
/// which the rest of the request is skipped. (Kind 2 was a single IPC batch.)
pub const UPDATE_BATCHES: u8 = 6;
/// Request: the results of several groups of an instance (header `id`; body: the groups,
/// u32 LE each). Answered in order by responses each sent as soon as it is ready: `OK` with
/// one group's result JSON, or, when the metric has `finish_many` (ABI 1.1), `OK` with header
/// `{"many": k}` and the plugin's block of the next `k` results; or `ERR`, after which no
/// more come.
pub const FINISH_MANY: u8 = 7;
/// Request to a child that described its library: serve the metric named in the header
/// (`metric`) from now on, as a child started for it would (no response).
pub const SERVE: u8 = 8;
/// Response: done.
pub const OK: u8 = 100;
/// Response: the plugin reported an error (header `status`, `message`).
pub const ERR: u8 = 101;
/// The child's first message in `--describe` mode: the library's descriptor.
pub const DESCRIPTOR: u8 = 102;

/// Largest header accepted (a header is a small JSON object).
const MAX_HEADER: u32 = 1 << 24;
/// Largest body accepted.
const MAX_BODY: u64 = 1 << 36;

/// Writes one frame.
pub fn write_frame(w: &mut impl Write, kind: u8, header: &Value, body: &[u8]) -> io::Result<()> {
    let header = serde_json::to_vec(header).map_err(io::Error::other)?;
    let mut head = Vec::with_capacity(13 + header.len());
    head.push(kind);
    head.extend_from_slice(&(header.len() as u32).to_le_bytes());
    head.extend_from_slice(&(body.len() as u64).to_le_bytes());
    head.extend_from_slice(&header);
    // One system call for both parts where the pipe takes them, so the reader wakes once
    // per message, not once for the head and again for the body.
    let written = if body.is_empty() {
        0
    } else {
        w.write_vectored(&[io::IoSlice::new(&head), io::IoSlice::new(body)])?
    };
    if written < head.len() {
        w.write_all(&head[written..])?;
        w.write_all(body)?;
    } else {
        w.write_all(&body[written - head.len()..])?;
    }
    w.flush()
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(u8, Value, Vec<u8>)>> {
    let mut head = [0u8; 13];
    match r.read_exact(&mut head[..1]) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    r.read_exact(&mut head[1..])?;
    let kind = head[0];
    let header_len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
    let mut body_len_bytes = [0u8; 8];
    body_len_bytes.copy_from_slice(&head[5..13]);
    let body_len = u64::from_le_bytes(body_len_bytes);
    if header_len > MAX_HEADER || body_len > MAX_BODY {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame too large: header {header_len} bytes, body {body_len} bytes"),
        ));
    }
    let mut header = vec![0u8; header_len as usize];
    r.read_exact(&mut header)?;
    let header: Value = serde_json::from_slice(&header)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    // Read straight into the body's own allocation (no zeroing, no intermediate buffer).
    let mut body = Vec::with_capacity(body_len as usize);
    r.take(body_len).read_to_end(&mut body)?;
    if body.len() as u64 != body_len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("frame body cut short: {} of {body_len} bytes", body.len()),
        ));
    }
    Ok(Some((kind, header, body)))
}

fn ipc_error(e: arrow_schema::ArrowError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// The input schema (names and types, in bind order) as an Arrow IPC stream.
pub fn encode_schema(inputs: &[(String, DataType)]) -> io::Result<Vec<u8>> {
    let schema = Schema::new(
        inputs
            .iter()
            .map(|(n, t)| Field::new(n, t.clone(), true))
            .collect::<Vec<_>>(),
    );
    let mut buf = Vec::new();
    let mut w = StreamWriter::try_new(&mut buf, &schema).map_err(ipc_error)?;
    w.finish().map_err(ipc_error)?;
    drop(w);
    Ok(buf)
}

/// Reads [`encode_schema`]'s bytes back.
pub fn decode_schema(bytes: &[u8]) -> io::Result<Vec<(String, DataType)>> {
    let reader = StreamReader::try_new(bytes, None).map_err(ipc_error)?;
    Ok(reader
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect())
}

/// Name of the weights column of an encoded batch.
const WEIGHTS: &str = "__cxm_weights";
/// Name of the group ids column of an encoded batch.
const GROUPS: &str = "__cxm_groups";

/// A batch's columns, weights and group ids as one Arrow IPC record batch, in a buffer with
/// room for `extra` more bytes.
pub fn encode_batch(
    columns: &[ArrayRef],
    names: &[String],
    weights: Option<&[f64]>,
    groups: Option<&[u32]>,
    extra: usize,
) -> io::Result<Vec<u8>> {
    let mut fields: Vec<Field> = columns
        .iter()
        .zip(names)
        .map(|(c, n)| Field::new(n, c.data_type().clone(), true))
        .collect();
    let mut arrays: Vec<ArrayRef> = columns.to_vec();
    if let Some(w) = weights {
        fields.push(Field::new(WEIGHTS, DataType::Float64, false));
        arrays.push(Arc::new(Float64Array::from(w.to_vec())));
    }
    if let Some(g) = groups {
        fields.push(Field::new(GROUPS, DataType::UInt32, false));
        arrays.push(Arc::new(UInt32Array::from(g.to_vec())));
    }
    let rows = columns.first().map_or_else(
        || weights.map_or_else(|| groups.map_or(0, <[u32]>::len), <[f64]>::len),
        |c| c.len(),
    );
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new_with_options(
        schema.clone(),
        arrays,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(ipc_error)?;
    // Sized once for the columns, the IPC framing and `extra` bytes the caller appends (the
    // row statuses), so that neither the writer nor the caller reallocates and copies.
    let payload: usize = batch
        .columns()
        .iter()
        .map(|c| c.get_buffer_memory_size())
        .sum();
    let mut buf = Vec::with_capacity(payload + 64 * batch.num_columns() + 4096 + extra);
    let mut w = StreamWriter::try_new(&mut buf, &schema).map_err(ipc_error)?;
    w.write(&batch).map_err(ipc_error)?;
    w.finish().map_err(ipc_error)?;
    drop(w);
    Ok(buf)
}

/// A decoded batch: input columns, weights, group ids.
pub struct DecodedBatch {
    /// The input columns, in bind order.
    pub columns: Vec<ArrayRef>,
    /// Row weights, if sent.
    pub weights: Option<ScalarBuffer<f64>>,
    /// Group ids, if sent.
    pub groups: Option<ScalarBuffer<u32>>,
    /// Rows.
    pub rows: usize,
}

/// Reads [`encode_batch`]'s bytes back. The arrays point into `bytes` (no copy) where its
/// buffers are aligned for their types, as they are in a frame body read whole.
pub fn decode_batch(bytes: Buffer) -> io::Result<DecodedBatch> {
    let mut decoder = StreamDecoder::new();
    let mut rest = bytes;
    let mut batch = None;
    while batch.is_none() && !rest.is_empty() {
        batch = decoder.decode(&mut rest).map_err(ipc_error)?;
    }
    let batch = batch
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no batch in the stream"))?;
    let schema = batch.schema();
    let mut out = DecodedBatch {
        columns: Vec::new(),
        weights: None,
        groups: None,
        rows: batch.num_rows(),
    };
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        match field.name().as_str() {
            WEIGHTS => {
                let w = column
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad weights"))?;
                out.weights = Some(w.values().clone());
            }
            GROUPS => {
                let g = column
                    .as_any()
                    .downcast_ref::<UInt32Array>()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad groups"))?;
                out.groups = Some(g.values().clone());
            }
            _ => out.columns.push(column.clone()),
        }
    }
    Ok(out)
}

/// A group map as little-endian u32s.
pub fn encode_u32s(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Reads [`encode_u32s`]'s bytes back.
pub fn decode_u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};

    #[test]
    fn frames_round_trip() {
        let mut buf = Vec::new();
        write_frame(&mut buf, MERGE, &serde_json::json!({"id": 3}), b"abc").unwrap();
        write_frame(&mut buf, OK, &Value::Null, b"").unwrap();
        let mut r = buf.as_slice();
        let (k, h, b) = read_frame(&mut r).unwrap().unwrap();
        assert_eq!(
            (k, h["id"].as_u64(), b.as_slice()),
            (MERGE, Some(3), &b"abc"[..])
        );
        let (k, _, b) = read_frame(&mut r).unwrap().unwrap();
        assert_eq!((k, b.len()), (OK, 0));
        assert!(read_frame(&mut r).unwrap().is_none());
    }

    #[test]
    fn a_truncated_frame_is_an_error_not_an_end() {
        let mut buf = Vec::new();
        write_frame(&mut buf, MERGE, &Value::Null, b"abcdef").unwrap();
        buf.truncate(buf.len() - 2);
        assert!(read_frame(&mut buf.as_slice()).is_err());
    }

    #[test]
    fn batches_and_schemas_round_trip() {
        let inputs = vec![
            ("score".to_string(), DataType::Int64),
            ("text".to_string(), DataType::Utf8),
        ];
        assert_eq!(
            decode_schema(&encode_schema(&inputs).unwrap()).unwrap(),
            inputs
        );
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![Some(1), None, Some(10)])),
            Arc::new(StringArray::from(vec![Some("a"), Some("b"), None])),
        ];
        let names = vec!["score".to_string(), "text".to_string()];
        let bytes = encode_batch(
            &columns,
            &names,
            Some(&[1.0, 2.0, 0.5]),
            Some(&[0, 1, 0]),
            0,
        )
        .unwrap();
        let back = decode_batch(Buffer::from_vec(bytes)).unwrap();
        assert_eq!(back.rows, 3);
        assert_eq!(back.columns.len(), 2);
        assert_eq!(back.columns[0].to_data(), columns[0].to_data());
        assert_eq!(back.columns[1].to_data(), columns[1].to_data());
        assert_eq!(back.weights.as_deref(), Some(&[1.0, 2.0, 0.5][..]));
        assert_eq!(back.groups.as_deref(), Some(&[0u32, 1, 0][..]));
        let bare = decode_batch(Buffer::from_vec(
            encode_batch(&columns, &names, None, None, 0).unwrap(),
        ))
        .unwrap();
        assert!(bare.weights.is_none() && bare.groups.is_none());
        assert_eq!(
            decode_u32s(&encode_u32s(&[7, 0, u32::MAX])),
            vec![7, 0, u32::MAX]
        );
    }
}
