//! A test harness for plugin authors: drives a [`Metric`] through the very `extern "C"`
//! functions `export_plugin!` generates (bind, update, merge, finish and finish_many,
//! release), with in-memory columns passed as Arrow C Data Interface structs, exactly as the host does.
//!
//! ```ignore
//! let mut h = Harness::<MyMetric>::bind(r#"{"scale": [1, 5]}"#, &[("score", Column::Int(vec![Some(4), None, Some(9)]))])?;
//! let status = h.update(&[Column::Int(vec![Some(4), None, Some(9)])], None, None)?;
//! assert_eq!(status, ["used", "empty", "out_of_scale"]);
//! let result = h.finish(0)?;
//! ```

use crate::__private::{describe, probe_accessors};
use crate::metric::Metric;
use cxm_abi::{ArrowArray, ArrowSchema, CxmBatch, CxmMetric, CxmOwnedBytes, CxmStatus, CxmStr};
use cxm_result::MetricResult;
use std::ffi::{c_void, CString};
use std::marker::PhantomData;

/// One input column of a test batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// `InputType::Integer`.
    Int(Vec<Option<i64>>),
    /// `InputType::Number`.
    Number(Vec<Option<f64>>),
    /// `InputType::Text`.
    Text(Vec<Option<String>>),
    /// `InputType::Boolean`.
    Bool(Vec<Option<bool>>),
    /// `InputType::Date` (days since 1970-01-01).
    Date(Vec<Option<i32>>),
    /// `InputType::Timestamp` (microseconds since the Unix epoch, UTC).
    Timestamp(Vec<Option<i64>>),
}

impl Column {
    /// A text column from string slices.
    pub fn text(values: &[Option<&str>]) -> Column {
        Column::Text(values.iter().map(|v| v.map(str::to_string)).collect())
    }

    fn len(&self) -> usize {
        match self {
            Column::Int(v) | Column::Timestamp(v) => v.len(),
            Column::Number(v) => v.len(),
            Column::Text(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Date(v) => v.len(),
        }
    }

    fn format(&self) -> &'static str {
        match self {
            Column::Int(_) => "l",
            Column::Number(_) => "g",
            Column::Text(_) => "u",
            Column::Bool(_) => "b",
            Column::Date(_) => "tdD",
            Column::Timestamp(_) => "tsu:UTC",
        }
    }
}

fn bits(values: impl Iterator<Item = bool>, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len.div_ceil(8)];
    for (i, v) in values.enumerate() {
        if v {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    out
}

fn le_bytes<T: Copy + Default, const N: usize>(
    values: &[Option<T>],
    to: fn(T) -> [u8; N],
) -> Vec<u8> {
    values
        .iter()
        .flat_map(|v| to(v.unwrap_or_default()))
        .collect()
}

/// The buffers of one column, kept alive while the arrays point into them.
struct OwnedColumn {
    buffers: Vec<Vec<u8>>,
    pointers: Vec<*const c_void>,
    array: ArrowArray,
}

fn owned_column(column: &Column) -> Box<OwnedColumn> {
    let len = column.len();
    let (validity, mut values): (Vec<bool>, Vec<Vec<u8>>) = match column {
        Column::Int(v) | Column::Timestamp(v) => (
            v.iter().map(Option::is_some).collect(),
            vec![le_bytes(v, i64::to_le_bytes)],
        ),
        Column::Number(v) => (
            v.iter().map(Option::is_some).collect(),
            vec![le_bytes(v, f64::to_le_bytes)],
        ),
        Column::Date(v) => (
            v.iter().map(Option::is_some).collect(),
            vec![le_bytes(v, i32::to_le_bytes)],
        ),
        Column::Bool(v) => (
            v.iter().map(Option::is_some).collect(),
            vec![bits(v.iter().map(|b| b.unwrap_or(false)), len)],
        ),
        Column::Text(v) => {
            let mut offsets = vec![0i32];
            let mut data = Vec::new();
            for s in v {
                data.extend_from_slice(s.as_deref().unwrap_or("").as_bytes());
                offsets.push(i32::try_from(data.len()).unwrap_or(i32::MAX));
            }
            let offsets = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
            (v.iter().map(Option::is_some).collect(), vec![offsets, data])
        }
    };
    let nulls = validity.iter().filter(|v| !**v).count();
    let mut buffers = vec![bits(validity.into_iter(), len)];
    buffers.append(&mut values);
    let mut owned = Box::new(OwnedColumn {
        buffers,
        pointers: Vec::new(),
        array: ArrowArray {
            length: len as i64,
            null_count: nulls as i64,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: std::ptr::null_mut(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        },
    });
    owned.pointers = owned
        .buffers
        .iter()
        .map(|b| b.as_ptr() as *const c_void)
        .collect();
    owned.array.n_buffers = owned.pointers.len() as i64;
    owned.array.buffers = owned.pointers.as_mut_ptr();
    owned
}

fn take_text(bytes: &mut CxmOwnedBytes) -> String {
    let text = if bytes.ptr.is_null() {
        String::new()
    } else {
        // SAFETY: the plugin wrote `len` bytes at `ptr`, valid until released.
        String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(bytes.ptr, bytes.len) })
            .into_owned()
    };
    if let Some(release) = bytes.release {
        // SAFETY: released once, with the struct the plugin filled.
        unsafe { release(bytes) };
    }
    text
}

fn check(code: cxm_abi::CxmStatusCode, error: &mut CxmOwnedBytes) -> Result<(), String> {
    let status = CxmStatus::from_code(code);
    let message = take_text(error);
    if status == CxmStatus::Ok {
        Ok(())
    } else {
        Err(format!("{status:?}: {message}"))
    }
}

/// A bound instance of `M`, driven through its ABI functions.
pub struct Harness<M: Metric> {
    vtable: CxmMetric,
    instance: *mut c_void,
    reasons: Vec<String>,
    _metric: PhantomData<M>,
}

impl<M: Metric> Harness<M> {
    /// Binds `M` with params (JSON) and the inputs the config would map, named and typed
    /// by example columns (only their type is used).
    ///
    /// Then, unlike the host, it calls `update` on two made-up rows (every mapped input
    /// present: zeros, then ones) into a scratch state, and fails if `update` reads an input
    /// with the accessor of another type (`row.number()` on an `InputType::Integer` input),
    /// naming the input, its declared type and the file, line and column of the read (in a
    /// run, the first such read fails the metric). What `update` does with the made-up
    /// values is otherwise ignored.
    pub fn bind(params_json: &str, inputs: &[(&str, Column)]) -> Result<Self, String> {
        let vtable = describe::<M>();
        let names: Vec<CString> = inputs
            .iter()
            .map(|(n, _)| CString::new(*n).unwrap_or_default())
            .collect();
        let formats: Vec<CString> = inputs
            .iter()
            .map(|(_, c)| CString::new(c.format()).unwrap_or_default())
            .collect();
        let mut children: Vec<ArrowSchema> = names
            .iter()
            .zip(&formats)
            .map(|(n, f)| ArrowSchema {
                format: f.as_ptr(),
                name: n.as_ptr(),
                metadata: std::ptr::null(),
                flags: 2,
                n_children: 0,
                children: std::ptr::null_mut(),
                dictionary: std::ptr::null_mut(),
                release: None,
                private_data: std::ptr::null_mut(),
            })
            .collect();
        let mut child_ptrs: Vec<*mut ArrowSchema> =
            children.iter_mut().map(|c| c as *mut ArrowSchema).collect();
        let struct_format = CString::new("+s").unwrap_or_default();
        let schema = ArrowSchema {
            format: struct_format.as_ptr(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: child_ptrs.len() as i64,
            children: child_ptrs.as_mut_ptr(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        };
        let mut instance = std::ptr::null_mut();
        let mut error = CxmOwnedBytes::empty();
        let params = CxmStr {
            ptr: params_json.as_ptr(),
            len: params_json.len(),
        };
        // SAFETY: everything passed lives across the call.
        let status = unsafe { (vtable.bind)(params, &schema, &mut instance, &mut error) };
        check(status, &mut error)?;
        // SAFETY: `instance` was just bound by `bind::<M>` and is used by this thread only.
        if let Some(mismatch) = unsafe { probe_accessors::<M>(instance) } {
            // SAFETY: released exactly once.
            unsafe { (vtable.release)(instance) };
            return Err(format!("Failed: metric '{}': {mismatch}", M::NAME));
        }
        Ok(Harness {
            vtable,
            instance,
            reasons: M::REASONS.iter().map(|r| r.to_string()).collect(),
            _metric: PhantomData,
        })
    }

    /// Sends one batch; returns each row's status as a reason name (`used`, `empty`, …).
    pub fn update(
        &mut self,
        columns: &[Column],
        weights: Option<&[f64]>,
        groups: Option<&[u32]>,
    ) -> Result<Vec<String>, String> {
        let num_groups = groups.and_then(|g| g.iter().max()).map_or(1, |m| m + 1);
        self.update_declaring_groups(columns, weights, groups, num_groups)
    }

    /// [`Harness::update`] with the batch's `num_groups` given, as a host might get it wrong.
    pub(crate) fn update_declaring_groups(
        &mut self,
        columns: &[Column],
        weights: Option<&[f64]>,
        groups: Option<&[u32]>,
        num_groups: u32,
    ) -> Result<Vec<String>, String> {
        let rows = columns.first().map_or(0, Column::len);
        let mut owned: Vec<Box<OwnedColumn>> = columns.iter().map(owned_column).collect();
        let mut child_ptrs: Vec<*mut ArrowArray> = owned
            .iter_mut()
            .map(|c| &mut c.array as *mut ArrowArray)
            .collect();
        let mut parent_buffers: Vec<*const c_void> = vec![std::ptr::null()];
        let parent = ArrowArray {
            length: rows as i64,
            null_count: 0,
            offset: 0,
            n_buffers: 1,
            n_children: child_ptrs.len() as i64,
            buffers: parent_buffers.as_mut_ptr(),
            children: child_ptrs.as_mut_ptr(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        };
        let mut status = vec![0u8; rows];
        let batch = CxmBatch {
            struct_size: std::mem::size_of::<CxmBatch>(),
            num_rows: rows,
            columns: &parent,
            weights: weights.map_or(std::ptr::null(), <[f64]>::as_ptr),
            group_ids: groups.map_or(std::ptr::null(), <[u32]>::as_ptr),
            num_groups,
            row_status: status.as_mut_ptr(),
        };
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: the batch and every buffer it points to live across the call.
        let code = unsafe { (self.vtable.update)(self.instance, &batch, &mut error) };
        check(code, &mut error)?;
        Ok(status.iter().map(|&c| self.reason_name(c)).collect())
    }

    fn reason_name(&self, code: u8) -> String {
        let base = cxm_abi::ROW_PLUGIN_REASON_BASE;
        match cxm_abi::STANDARD_REASONS.get(usize::from(code)) {
            Some(name) => name.to_string(),
            None if code >= base => self
                .reasons
                .get(usize::from(code - base))
                .cloned()
                .unwrap_or_default(),
            None => format!("reason_{code}"),
        }
    }

    /// Folds group `g` of `other` into group `map[g]` of `self`.
    pub fn merge(&mut self, other: &Harness<M>, map: &[u32]) -> Result<(), String> {
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: both instances come from bind of the same metric.
        let code = unsafe {
            (self.vtable.merge)(
                self.instance,
                other.instance,
                map.as_ptr(),
                map.len() as u32,
                &mut error,
            )
        };
        check(code, &mut error)
    }

    /// The result of one group, through `finish`; and the same group through `finish_many`
    /// (ABI 1.1), which must give the very same result (an error says how they differ).
    pub fn finish(&self, group: u32) -> Result<MetricResult, String> {
        let mut out = CxmOwnedBytes::empty();
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: the instance comes from bind; out-parameters are valid.
        let code = unsafe { (self.vtable.finish)(self.instance, group, &mut out, &mut error) };
        check(code, &mut error)?;
        let result =
            MetricResult::from_json(take_text(&mut out).as_bytes()).map_err(|e| e.to_string())?;
        let many = self.finish_many(&[group])?;
        if many.as_slice() != std::slice::from_ref(&result) {
            return Err(format!(
                "finish_many differs from finish for group {group}: {many:?} vs {result:?}"
            ));
        }
        Ok(result)
    }

    /// The results of `groups`, in order, through `finish_many` (ABI 1.1) in one call.
    pub fn finish_many(&self, groups: &[u32]) -> Result<Vec<MetricResult>, String> {
        let Some(finish_many) = self.vtable.finish_many else {
            return Err("the metric has no finish_many".into());
        };
        let mut out = CxmOwnedBytes::empty();
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: the instance comes from bind; `groups` lives across the call; the
        // out-parameters are valid.
        let code = unsafe {
            finish_many(
                self.instance,
                groups.as_ptr(),
                groups.len(),
                &mut out,
                &mut error,
            )
        };
        check(code, &mut error)?;
        let bytes = if out.ptr.is_null() {
            Vec::new()
        } else {
            // SAFETY: the plugin wrote `len` bytes at `ptr`, valid until released.
            unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec()
        };
        if let Some(release) = out.release {
            // SAFETY: released once, with the struct the plugin filled.
            unsafe { release(&mut out) };
        }
        cxm_result::many::read_many(&bytes, groups.len())
    }
}

impl<M: Metric> Drop for Harness<M> {
    fn drop(&mut self) {
        // SAFETY: released exactly once.
        unsafe { (self.vtable.release)(self.instance) };
    }
}
