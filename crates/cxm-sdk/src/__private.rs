//! The code `export_plugin!` expands to: the module descriptor and the `extern "C"`
//! functions of ABI v1.1, generic over a [`Metric`]. Not part of the public API.

use crate::columns::{ColumnView, Mismatch, ProbeValue, Row};
use crate::metric::{BoundInputs, InputType, Metric, Reject};
use cxm_abi::{
    ArrowSchema, CxmBatch, CxmError, CxmInput, CxmMetric, CxmModule, CxmOwnedBytes, CxmStatus,
    CxmStatusCode, CxmStr, ABI_MAJOR, ABI_MINOR, FLAG_PANIC_UNWIND,
};
use std::cell::RefCell;
use std::ffi::{c_void, CStr};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

/// Holds the leaked, immutable module descriptor of a library.
pub struct ModuleCell(OnceLock<ModulePtr>);

struct ModulePtr(&'static CxmModule);

impl ModuleCell {
    /// An empty cell, for a `static`.
    pub const fn new() -> Self {
        ModuleCell(OnceLock::new())
    }
}

impl Default for ModuleCell {
    fn default() -> Self {
        Self::new()
    }
}

static LIBRARY_NAME: OnceLock<&'static str> = OnceLock::new();

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn leak_str(s: String) -> CxmStr {
    let s: &'static str = Box::leak(s.into_boxed_str());
    CxmStr::from_static(s)
}

/// The body of the generated entry symbol: builds the descriptor once and returns it; null
/// if building it panicked.
pub fn entry(
    cell: &'static ModuleCell,
    name: &'static str,
    version: &'static str,
    metrics: fn() -> Vec<CxmMetric>,
) -> *const CxmModule {
    let built = catch_unwind(|| {
        cell.0
            .get_or_init(|| {
                let _ = LIBRARY_NAME.set(name);
                // Record where a panic happened instead of printing it: the host reports it.
                std::panic::set_hook(Box::new(|info| {
                    let at = info
                        .location()
                        .map(|l| format!("{}:{}", l.file(), l.line()));
                    PANIC_LOCATION.with(|p| *p.borrow_mut() = at);
                }));
                let metrics: &'static [CxmMetric] = Box::leak(metrics().into_boxed_slice());
                let flags = if cfg!(panic = "unwind") {
                    FLAG_PANIC_UNWIND
                } else {
                    0
                };
                ModulePtr(Box::leak(Box::new(CxmModule {
                    abi_major: ABI_MAJOR,
                    abi_minor: ABI_MINOR,
                    struct_size: std::mem::size_of::<CxmModule>(),
                    flags,
                    name: CxmStr::from_static(name),
                    version: CxmStr::from_static(version),
                    metrics: metrics.as_ptr(),
                    num_metrics: metrics.len(),
                })))
            })
            .0 as *const CxmModule
    });
    built.unwrap_or(std::ptr::null())
}

/// The descriptor of one metric.
pub fn describe<M: Metric>() -> CxmMetric {
    let inputs: Vec<CxmInput> = M::INPUTS
        .iter()
        .map(|i| CxmInput {
            name: CxmStr::from_static(i.name),
            arrow_format: CxmStr::from_static(i.ty.arrow_format()),
            required: u8::from(i.required),
            description: CxmStr::from_static(i.description),
        })
        .collect();
    let inputs: &'static [CxmInput] = Box::leak(inputs.into_boxed_slice());
    let params: Vec<serde_json::Value> = M::PARAMS
        .iter()
        .map(|p| {
            serde_json::json!({"name": p.name, "type": p.ty, "default": p.default,
                               "description": p.description})
        })
        .collect();
    let params_doc = leak_str(serde_json::Value::Array(params).to_string());
    let reasons: Vec<CxmStr> = M::REASONS.iter().map(|r| CxmStr::from_static(r)).collect();
    let reasons: &'static [CxmStr] = Box::leak(reasons.into_boxed_slice());
    CxmMetric {
        struct_size: std::mem::size_of::<CxmMetric>(),
        name: CxmStr::from_static(M::NAME),
        description: CxmStr::from_static(M::DESCRIPTION),
        inputs: inputs.as_ptr(),
        num_inputs: inputs.len(),
        params_doc,
        reasons: reasons.as_ptr(),
        num_reasons: reasons.len(),
        bind: bind::<M>,
        update: update::<M>,
        merge: merge::<M>,
        finish: finish::<M>,
        release: release::<M>,
        finish_many: Some(finish_many::<M>),
    }
}

/// A bound metric with one state per group.
struct Instance<M: Metric> {
    metric: M,
    states: Vec<M::State>,
    /// For each declared input, then each extra input: its child index in the bound
    /// struct, if mapped.
    slots: Vec<Option<usize>>,
    /// The type of each slot.
    kinds: Vec<InputType>,
    /// The name of each slot's input.
    names: Vec<String>,
}

type Failure = (CxmStatus, String);

/// Runs `body`, turning an error or a panic into a status and a plugin-owned message.
fn guarded<M: Metric>(
    stage: &str,
    out_error: *mut CxmError,
    body: impl FnOnce() -> Result<(), Failure>,
) -> CxmStatusCode {
    let (status, message) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return CxmStatus::Ok.code(),
        Ok(Err(failure)) => failure,
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".into());
            let at = PANIC_LOCATION.with(|p| p.borrow_mut().take());
            let at = at.map(|a| format!(" (at {a})")).unwrap_or_default();
            (CxmStatus::Panic, format!("panicked in {stage}: {text}{at}"))
        }
    };
    let library = LIBRARY_NAME.get().copied().unwrap_or("?");
    write_bytes(
        out_error,
        format!("plugin '{library}' metric '{}': {message}", M::NAME).into_bytes(),
    );
    status.code()
}

unsafe extern "C" fn release_bytes(bytes: *mut CxmOwnedBytes) {
    if bytes.is_null() {
        return;
    }
    // SAFETY: `bytes` was filled by `write_bytes`, whose private_data is a leaked
    // Box<Vec<u8>>; release is cleared so it is freed once.
    unsafe {
        if (*bytes).release.take().is_some() && !(*bytes).private_data.is_null() {
            drop(Box::from_raw((*bytes).private_data as *mut Vec<u8>));
            (*bytes).private_data = std::ptr::null_mut();
        }
    }
}

fn write_bytes(out: *mut CxmOwnedBytes, bytes: Vec<u8>) {
    if out.is_null() {
        return;
    }
    let boxed = Box::new(bytes);
    let value = CxmOwnedBytes {
        ptr: boxed.as_ptr(),
        len: boxed.len(),
        private_data: Box::into_raw(boxed) as *mut c_void,
        release: Some(release_bytes),
    };
    // SAFETY: the host passes a valid, writable out-parameter.
    unsafe { out.write(value) };
}

fn input_kind(format: &str) -> Option<InputType> {
    [
        InputType::Integer,
        InputType::Number,
        InputType::Text,
        InputType::Boolean,
        InputType::Date,
        InputType::Timestamp,
    ]
    .into_iter()
    .find(|k| {
        k.arrow_format() == format || (*k == InputType::Timestamp && format.starts_with("tsu:"))
    })
}

/// Reads the children (name, format) of a struct schema.
///
/// # Safety
/// `schema` must be a live Arrow C Data Interface schema.
unsafe fn schema_children(schema: *const ArrowSchema) -> Result<Vec<(String, String)>, String> {
    if schema.is_null() {
        return Err("null input schema".into());
    }
    // SAFETY: live for the call, per the contract.
    let s = unsafe { &*schema };
    let text = |p: *const std::ffi::c_char| -> String {
        if p.is_null() {
            String::new()
        } else {
            // SAFETY: Arrow C strings are NUL-terminated.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    };
    if text(s.format) != "+s" {
        return Err(format!(
            "input schema must be a struct (+s), got {}",
            text(s.format)
        ));
    }
    let n = usize::try_from(s.n_children).map_err(|_| "negative n_children")?;
    (0..n)
        .map(|i| {
            // SAFETY: `children` holds n_children live schemas.
            let child = unsafe { &**s.children.add(i) };
            Ok((text(child.name), text(child.format)))
        })
        .collect()
}

/// The message of a params error without serde_json's ` at line L column C`: that position
/// is in the JSON the host made from the config, which the user never sees; the host
/// locates the error at `params` in the TOML instead.
pub(crate) fn params_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let message = match text.strip_suffix(&position) {
        Some(message) if e.line() > 0 => message,
        _ => &text,
    };
    format!("invalid params: {message}")
}

unsafe extern "C" fn bind<M: Metric>(
    params_json: CxmStr,
    input_schema: *const ArrowSchema,
    out_instance: *mut *mut c_void,
    out_error: *mut CxmError,
) -> CxmStatusCode {
    guarded::<M>("bind", out_error, || {
        // SAFETY: the host passes params bytes valid for the call.
        let params = unsafe { std::slice::from_raw_parts(params_json.ptr, params_json.len) };
        let params: M::Params =
            serde_json::from_slice(if params.is_empty() { b"{}" } else { params })
                .map_err(|e| (CxmStatus::InvalidParams, params_error(&e)))?;
        // SAFETY: the host passes a live schema.
        let children =
            unsafe { schema_children(input_schema) }.map_err(|e| (CxmStatus::InvalidInput, e))?;
        let mut slots = vec![None; M::INPUTS.len()];
        let mut extra = Vec::new();
        let variadic = M::INPUTS.iter().find(|i| i.name == cxm_abi::VARIADIC_INPUT);
        for (child, (name, format)) in children.iter().enumerate() {
            let position = M::INPUTS
                .iter()
                .position(|i| i.name == name && i.name != cxm_abi::VARIADIC_INPUT);
            let declared = match (position, variadic) {
                (Some(pos), _) => {
                    slots[pos] = Some(child);
                    M::INPUTS[pos].ty
                }
                (None, Some(v)) => {
                    extra.push((name.clone(), child));
                    v.ty
                }
                (None, None) => {
                    return Err((CxmStatus::InvalidInput, format!("unknown input '{name}'")))
                }
            };
            if input_kind(format) != Some(declared) {
                return Err((
                    CxmStatus::InvalidInput,
                    format!(
                        "input '{name}' is declared InputType::{declared:?}, so it must be \
                         Arrow '{}', got '{format}'",
                        declared.arrow_format()
                    ),
                ));
            }
        }
        if let Some(missing) = M::INPUTS
            .iter()
            .zip(&slots)
            .find(|(i, s)| i.required && s.is_none())
        {
            return Err((
                CxmStatus::InvalidInput,
                format!("required input '{}' is not mapped", missing.0.name),
            ));
        }
        let bound = BoundInputs {
            mapped: slots.iter().map(Option::is_some).collect(),
            extra: extra.iter().map(|(n, _)| n.clone()).collect(),
        };
        let metric = M::bind(params, &bound).map_err(|e| (CxmStatus::InvalidParams, e))?;
        let variadic_type = variadic.map_or(InputType::Number, |v| v.ty);
        let kinds = M::INPUTS
            .iter()
            .map(|i| i.ty)
            .chain(extra.iter().map(|_| variadic_type))
            .collect();
        let names = M::INPUTS
            .iter()
            .map(|i| i.name.to_string())
            .chain(extra.iter().map(|(name, _)| name.clone()))
            .collect();
        slots.extend(extra.into_iter().map(|(_, child)| Some(child)));
        let instance = Box::new(Instance {
            metric,
            states: Vec::new(),
            slots,
            kinds,
            names,
        });
        // SAFETY: the host passes a writable out-parameter.
        unsafe { out_instance.write(Box::into_raw(instance) as *mut c_void) };
        Ok(())
    })
}

fn reject_code<M: Metric>(reason: Reject) -> Result<u8, Failure> {
    use cxm_abi::*;
    Ok(match reason {
        Reject::Empty => ROW_EMPTY,
        Reject::NotANumber => ROW_NOT_A_NUMBER,
        Reject::OutOfScale => ROW_OUT_OF_SCALE,
        Reject::InvalidValue => ROW_INVALID_VALUE,
        Reject::NegativeDuration => ROW_NEGATIVE_DURATION,
        Reject::Own(name) => {
            let index = M::REASONS.iter().position(|r| *r == name).ok_or_else(|| {
                (
                    CxmStatus::Failed,
                    format!("rejection reason '{name}' is not declared in REASONS"),
                )
            })?;
            ROW_PLUGIN_REASON_BASE + u8::try_from(index).unwrap_or(u8::MAX - ROW_PLUGIN_REASON_BASE)
        }
    })
}

unsafe extern "C" fn update<M: Metric>(
    instance: *mut c_void,
    batch: *const CxmBatch,
    out_error: *mut CxmError,
) -> CxmStatusCode {
    guarded::<M>("update", out_error, || {
        // SAFETY: `instance` came from `bind::<M>` and is used by one thread at a time;
        // `batch` is live for the call.
        let (inst, batch) = unsafe { (&mut *(instance as *mut Instance<M>), &*batch) };
        let rows = batch.num_rows;
        let fail = |m: String| (CxmStatus::Failed, m);
        if batch.columns.is_null() || batch.row_status.is_null() {
            return Err(fail("batch without columns or row status".into()));
        }
        // SAFETY: the struct array is live for the call.
        let parent = unsafe { &*batch.columns };
        let parent_offset =
            usize::try_from(parent.offset).map_err(|_| fail("negative offset".into()))?;
        let mut columns = Vec::with_capacity(inst.slots.len());
        for (index, (slot, kind)) in inst.slots.iter().zip(&inst.kinds).enumerate() {
            columns.push(match slot {
                None => None,
                Some(child) => {
                    if *child as i64 >= parent.n_children {
                        return Err(fail(format!("batch lacks input {index}")));
                    }
                    // SAFETY: `children` holds n_children live arrays of the bound types.
                    let array = unsafe { *parent.children.add(*child) };
                    // SAFETY: as above.
                    let view = unsafe { ColumnView::new(array, *kind, parent_offset, rows) }
                        .map_err(|e| fail(format!("input {index}: {e}")))?;
                    Some(view)
                }
            });
        }
        // SAFETY: the host passes `rows` elements in each non-null vector.
        let status = unsafe { std::slice::from_raw_parts_mut(batch.row_status, rows) };
        let weights = (!batch.weights.is_null())
            // SAFETY: as above.
            .then(|| unsafe { std::slice::from_raw_parts(batch.weights, rows) });
        let groups = (!batch.group_ids.is_null())
            // SAFETY: as above.
            .then(|| unsafe { std::slice::from_raw_parts(batch.group_ids, rows) });
        let num_groups = (batch.num_groups as usize).max(1);
        if inst.states.len() < num_groups {
            inst.states.resize_with(num_groups, Default::default);
        }
        // Rows with an empty required input are rejected here, a column at a time. `update`
        // never sees those rows, so the column's view drops its bitmap and reads skip it.
        for (input, column) in M::INPUTS.iter().zip(columns.iter_mut()) {
            if let (true, Some(column)) = (input.required, column.as_mut()) {
                mark_empty(column, status);
                column.forget_nulls();
            }
        }
        // One monomorphised row loop per shape of batch, so the per-row work is only the
        // metric's own: no per-row test of whether groups or weights were given.
        let fold = RowFold {
            metric: &inst.metric,
            columns: &columns,
            status,
        };
        // Group ids are checked against `num_groups` as rows are folded (a bad id is a host
        // bug and fails the batch).
        let states = &mut inst.states[..num_groups];
        let folded = catch_unwind(AssertUnwindSafe(|| match (groups, weights) {
            (Some(g), Some(w)) => fold.run(states, |r| g[r] as usize, |r| w[r]),
            (Some(g), None) => fold.run(states, |r| g[r] as usize, |_| 1.0),
            (None, Some(w)) => fold.run(states, |_| 0, |r| w[r]),
            (None, None) => fold.run(states, |_| 0, |_| 1.0),
        }));
        // A read with the wrong accessor: named here, where the inputs' names are known.
        folded.unwrap_or_else(|payload| match payload.downcast::<Mismatch>() {
            Ok(mismatch) => {
                PANIC_LOCATION.with(|p| p.borrow_mut().take());
                let name = inst.names.get(mismatch.input).map_or("?", String::as_str);
                let at = mismatch.at;
                Err((
                    CxmStatus::Panic,
                    format!(
                        "panicked in update: {} (at {}:{})",
                        mismatch.message(name, false),
                        at.file(),
                        at.line()
                    ),
                ))
            }
            Err(other) => resume_unwind(other),
        })
    })
}

/// Marks rows whose `required` input is null as `ROW_EMPTY`; rows already rejected keep
/// their reason.
fn mark_empty(required: &ColumnView, status: &mut [u8]) {
    required.for_each_null(status.len(), |row| {
        if status[row] == cxm_abi::ROW_USED {
            status[row] = cxm_abi::ROW_EMPTY;
        }
    });
}

/// The rows of one batch, folded into per-group states by one metric.
struct RowFold<'a, M: Metric> {
    metric: &'a M,
    columns: &'a [Option<ColumnView>],
    status: &'a mut [u8],
}

impl<M: Metric> RowFold<'_, M> {
    /// Calls [`Metric::update`] for every row still unrejected, with its group's state and
    /// weight, and records the outcome in the row status; fails on a group id outside
    /// `states`.
    #[inline(always)]
    fn run(
        self,
        states: &mut [M::State],
        group_of: impl Fn(usize) -> usize,
        weight_of: impl Fn(usize) -> f64,
    ) -> Result<(), Failure> {
        for (row, code) in self.status.iter_mut().enumerate() {
            if *code != cxm_abi::ROW_USED {
                continue;
            }
            let group = group_of(row);
            let Some(state) = states.get_mut(group) else {
                return Err((
                    CxmStatus::Failed,
                    format!(
                        "group id {group} out of range (num_groups {})",
                        states.len()
                    ),
                ));
            };
            let r = Row {
                columns: self.columns,
                index: row,
                weight: weight_of(row),
            };
            if let Err(reason) = self.metric.update(state, &r) {
                *code = reject_code::<M>(reason)?;
            }
        }
        Ok(())
    }
}

/// Calls `update` of the bound instance on two made-up rows (every mapped input present:
/// zeros, then ones) with a scratch state, and returns the message of the first read with an
/// accessor of another type than the input's, located at the plugin's call. What `update`
/// returns, or another panic on the made-up values, is ignored; the instance is not changed.
///
/// # Safety
/// `instance` must come from `bind::<M>` and not be in use by another thread.
pub(crate) unsafe fn probe_accessors<M: Metric>(instance: *const c_void) -> Option<String> {
    // SAFETY: per the contract.
    let inst = unsafe { &*(instance as *const Instance<M>) };
    for value in [ProbeValue::Zero, ProbeValue::One] {
        let columns: Vec<Option<ColumnView>> = inst
            .slots
            .iter()
            .zip(&inst.kinds)
            .map(|(slot, kind)| slot.map(|_| ColumnView::probe(*kind, value)))
            .collect();
        let row = Row {
            columns: &columns,
            index: 0,
            weight: 1.0,
        };
        let probed = catch_unwind(AssertUnwindSafe(|| {
            let mut scratch = M::State::default();
            let _ = inst.metric.update(&mut scratch, &row);
        }));
        // A panic on the made-up values left its location for a report that never comes.
        PANIC_LOCATION.with(|p| p.borrow_mut().take());
        if let Some(mismatch) = probed.err().and_then(|p| p.downcast::<Mismatch>().ok()) {
            let name = inst.names.get(mismatch.input).map_or("?", String::as_str);
            return Some(mismatch.message(name, true));
        }
    }
    None
}

unsafe extern "C" fn merge<M: Metric>(
    dst: *mut c_void,
    src: *const c_void,
    group_map: *const u32,
    src_groups: u32,
    out_error: *mut CxmError,
) -> CxmStatusCode {
    guarded::<M>("merge", out_error, || {
        if std::ptr::eq(dst as *const c_void, src) {
            return Err((
                CxmStatus::Failed,
                "cannot merge an instance into itself".into(),
            ));
        }
        // SAFETY: both came from `bind::<M>` of this metric; distinct (checked above).
        let (dst, src) = unsafe {
            (
                &mut *(dst as *mut Instance<M>),
                &*(src as *const Instance<M>),
            )
        };
        // SAFETY: the host passes `src_groups` entries.
        let map = unsafe { std::slice::from_raw_parts(group_map, src_groups as usize) };
        let empty = M::State::default();
        for (g, &target) in map.iter().enumerate() {
            let target = target as usize;
            if dst.states.len() <= target {
                dst.states.resize_with(target + 1, Default::default);
            }
            let from = src.states.get(g).unwrap_or(&empty);
            dst.metric.merge(&mut dst.states[target], from);
        }
        Ok(())
    })
}

unsafe extern "C" fn finish<M: Metric>(
    instance: *const c_void,
    group: u32,
    out_result: *mut CxmOwnedBytes,
    out_error: *mut CxmError,
) -> CxmStatusCode {
    guarded::<M>("finish", out_error, || {
        // SAFETY: `instance` came from `bind::<M>`.
        let inst = unsafe { &*(instance as *const Instance<M>) };
        let empty = M::State::default();
        let state = inst.states.get(group as usize).unwrap_or(&empty);
        let result = inst.metric.finish(state);
        let json = result
            .to_json()
            .map_err(|e| (CxmStatus::Failed, format!("result is not JSON: {e}")))?;
        write_bytes(out_result, json);
        Ok(())
    })
}

/// ABI 1.1: the results of many groups in one block of `cxm_result::many`'s format, each
/// exactly as `finish` would have returned it.
unsafe extern "C" fn finish_many<M: Metric>(
    instance: *const c_void,
    groups: *const u32,
    num_groups: usize,
    out_results: *mut CxmOwnedBytes,
    out_error: *mut CxmError,
) -> CxmStatusCode {
    guarded::<M>("finish", out_error, || {
        // SAFETY: `instance` came from `bind::<M>`.
        let inst = unsafe { &*(instance as *const Instance<M>) };
        let groups: &[u32] = if num_groups == 0 {
            &[]
        } else {
            // SAFETY: the host passes `num_groups` ids, live for the call.
            unsafe { std::slice::from_raw_parts(groups, num_groups) }
        };
        let empty = M::State::default();
        let mut block = cxm_result::many::ManyWriter::with_capacity(groups.len());
        for &group in groups {
            let state = inst.states.get(group as usize).unwrap_or(&empty);
            block.push(&inst.metric.finish(state));
        }
        write_bytes(out_results, block.finish());
        Ok(())
    })
}

unsafe extern "C" fn release<M: Metric>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: `instance` came from `bind::<M>`; the host releases it exactly once.
        drop(unsafe { Box::from_raw(instance as *mut Instance<M>) });
    });
}
