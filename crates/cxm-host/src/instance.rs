//! A bound metric instance: the safe wrapper around a plugin's bind, update, merge, finish
//! and release. Columns cross as the Arrow C Data Interface without copying the data.

use crate::error::HostError;
use crate::fingerprint::{Borrowed, Changed};
use crate::library::{Backend, MetricDef};
use crate::remote::{wire, Child, Sent, Stream};
use arrow_array::{Array, ArrayRef, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field, Fields};
use cxm_abi::{CxmBatch, CxmError, CxmOwnedBytes, CxmStatus, CxmStr};
use cxm_result::MetricResult;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, MutexGuard};

// The ABI crate declares the C Data Interface structs itself (it has no dependencies);
// arrow-rs's FFI structs must have exactly the same layout for the pointer casts below.
const _: () =
    assert!(std::mem::size_of::<FFI_ArrowArray>() == std::mem::size_of::<cxm_abi::ArrowArray>());
const _: () =
    assert!(std::mem::size_of::<FFI_ArrowSchema>() == std::mem::size_of::<cxm_abi::ArrowSchema>());

/// Groups per `finish_many` call: bounds the plugin's block, and the host's memory while
/// reading it, whatever the number of groups.
pub const FINISH_MANY_CHUNK: usize = 4096;

/// One batch for [`Instance::update`]: the input columns in the order bound, and the
/// per-row vectors. `row_status` is read and written (see the ABI docs).
pub struct InstanceBatch<'a> {
    /// One column per bound input, all of the same length.
    pub columns: &'a [ArrayRef],
    /// Row weights; `None` means every row weighs 1.
    pub weights: Option<&'a [f64]>,
    /// Group of each row; `None` means every row is in group 0.
    pub group_ids: Option<&'a [u32]>,
    /// Upper bound on the group ids.
    pub num_groups: u32,
    /// Per-row status, in and out.
    pub row_status: &'a mut [u8],
    /// Which of the lent memory other metrics in this process read too.
    pub shared: Shared<'a>,
}

/// Which memory lent to an in-process plugin during `update` other metrics read too: only
/// that is fingerprinted around the call (see [`Instance::update`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Shared<'a> {
    /// Per input column, in bound order (missing entries count as shared).
    pub columns: &'a [bool],
    /// The row weights.
    pub weights: bool,
    /// The group ids.
    pub group_ids: bool,
}

impl Shared<'_> {
    /// Everything lent is read by others too (the safe default).
    pub const ALL: Shared<'static> = Shared {
        columns: &[],
        weights: true,
        group_ids: true,
    };
    /// Nothing lent is read by anyone else.
    pub const NONE: Shared<'static> = Shared {
        columns: &[],
        weights: false,
        group_ids: false,
    };
}

/// An update of an isolated instance whose batch was written for its child; see
/// [`Instance::update_start`]. Dropped unfinished, its answer is read and ignored.
pub struct PendingUpdate {
    stream: Arc<Mutex<Stream>>,
    seq: u64,
    taken: bool,
    before: Vec<u8>,
    library: String,
    metric: String,
    reasons: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl PendingUpdate {
    /// Sends the batch to the child, with every batch of the same instance written since
    /// the last request, as one request (nothing when it went already).
    pub fn send(&self) {
        lock(&self.stream).send();
    }

    /// Waits for the child's row statuses (sending the batch first if needed), writes them
    /// into `row_status` (the batch's, as written) and checks them against the ABI.
    pub fn finish(mut self, row_status: &mut [u8]) -> Result<(), HostError> {
        self.taken = true;
        let contract = |message: String| HostError::Contract {
            library: self.library.clone(),
            metric: self.metric.clone(),
            message,
        };
        let rows = self.before.len();
        let status = lock(&self.stream).take(self.seq)?;
        if status.len() != rows || row_status.len() != rows {
            return Err(contract(format!(
                "returned {} row statuses for {rows} rows",
                status.len()
            )));
        }
        row_status.copy_from_slice(&status);
        check_row_status(&self.before, row_status, self.reasons).map_err(contract)
    }
}

impl Drop for PendingUpdate {
    fn drop(&mut self) {
        if !self.taken {
            lock(&self.stream).forget(self.seq);
        }
    }
}

/// A merge sent to an isolated child; see [`Instance::absorb_start`]. Dropped unfinished,
/// its answer is read and ignored.
pub struct PendingMerge {
    sent: Sent,
}

impl PendingMerge {
    /// Waits for the child's answer (at most the call timeout).
    pub fn finish(self) -> Result<(), HostError> {
        self.sent.receive().map(|_| ())
    }
}

/// A metric and its bound inputs: binds fresh instances (one per chunk of data, say) from
/// any thread, without touching an existing instance.
#[derive(Debug, Clone)]
pub struct InstanceTemplate {
    def: MetricDef,
    inputs: Vec<(String, DataType)>,
}

impl InstanceTemplate {
    /// Binds a fresh, empty instance with `params_json`. An isolated one is bound by its
    /// child with its first batches, in the same request (no round trip of its own: a
    /// worker binds one per metric and chunk); a failure to bind is then the error of the
    /// first update (or of whatever asks for the instance first). The params were checked
    /// when the first instance of the metric was bound, with [`Instance::bind`].
    pub fn bind(&self, params_json: &str) -> Result<Instance, HostError> {
        if let Backend::Remote(remote) = &self.def.backend {
            let child = remote.child()?;
            let fields = Instance::input_fields(&self.inputs);
            let schema = Instance::remote_schema(&self.def, &self.inputs)?;
            let id = child.name_instance();
            let stream = Stream::lazy(
                child.clone(),
                id,
                fields.clone(),
                params_json.to_string(),
                schema,
            );
            return Ok(Instance {
                def: self.def.clone(),
                inner: Inner::Remote {
                    child,
                    id,
                    stream: Arc::new(Mutex::new(stream)),
                    released: false,
                },
                fields,
            });
        }
        Instance::bind(&self.def, params_json, &self.inputs)
    }
}

/// A bound instance of a metric; released when dropped.
pub struct Instance {
    def: MetricDef,
    inner: Inner,
    fields: Fields,
}

/// Where the instance's state lives.
enum Inner {
    /// In this process: the plugin's handle.
    Local(*mut c_void),
    /// In the metric's isolated child: its id there, and its batches on their way.
    Remote {
        child: Arc<Child>,
        id: u64,
        stream: Arc<Mutex<Stream>>,
        /// The child released it already (merged into another with `release`).
        released: bool,
    },
}

// SAFETY: ABI v1 allows an instance to be used from any thread as long as one thread at a
// time uses it; `&mut self` on update and merge enforces that.
unsafe impl Send for Instance {}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Instance({}::{})", self.def.library, self.def.name)
    }
}

/// Takes the bytes out of a plugin-owned buffer and frees it with the plugin's release.
fn take_bytes(error: &mut CxmError) -> Vec<u8> {
    let bytes = if error.ptr.is_null() {
        Vec::new()
    } else {
        // SAFETY: the plugin wrote `len` bytes at `ptr`, valid until release is called.
        unsafe { std::slice::from_raw_parts(error.ptr, error.len) }.to_vec()
    };
    if let Some(release) = error.release {
        // SAFETY: called once, with the struct the plugin filled.
        unsafe { release(error) };
    }
    bytes
}

/// Takes a plugin-owned message (invalid UTF-8 shown as U+FFFD: it is only shown).
fn take_message(error: &mut CxmError) -> String {
    String::from_utf8_lossy(&take_bytes(error)).into_owned()
}

impl Instance {
    fn call_error(def: &MetricDef, status: CxmStatus, error: &mut CxmError) -> HostError {
        let mut message = take_message(error);
        if message.is_empty() {
            message = format!(
                "plugin '{}' metric '{}' failed with status {status:?}",
                def.library, def.name
            );
        }
        HostError::Call {
            library: def.library.clone(),
            metric: def.name.clone(),
            status,
            message,
        }
    }

    fn check(&self, status: CxmStatus, error: &mut CxmError) -> Result<(), HostError> {
        match status {
            CxmStatus::Ok => Ok(()),
            _ => Err(Self::call_error(&self.def, status, error)),
        }
    }

    /// The fields of the mapped inputs (name, Arrow type), in bound order.
    fn input_fields(inputs: &[(String, DataType)]) -> Fields {
        inputs
            .iter()
            .map(|(name, ty)| Field::new(name, ty.clone(), true))
            .collect()
    }

    /// The input schema as sent to an isolated child.
    fn remote_schema(def: &MetricDef, inputs: &[(String, DataType)]) -> Result<Vec<u8>, HostError> {
        wire::encode_schema(inputs).map_err(|e| HostError::Host {
            library: def.library.clone(),
            metric: def.name.clone(),
            message: format!("cannot encode the input schema: {e}"),
        })
    }

    /// For an isolated instance bound lazily ([`InstanceTemplate::bind`]): makes sure its
    /// child has bound it before a request other than an update names it.
    fn ensure_bound(&self) -> Result<(), HostError> {
        match &self.inner {
            Inner::Remote { stream, .. } => lock(stream).ensure_bound(),
            Inner::Local(_) => Ok(()),
        }
    }

    /// Binds the metric with params (a JSON object) and the mapped inputs (name, Arrow
    /// type), in the order columns will be passed to [`Instance::update`].
    pub fn bind(
        def: &MetricDef,
        params_json: &str,
        inputs: &[(String, DataType)],
    ) -> Result<Self, HostError> {
        let fields = Instance::input_fields(inputs);
        let vtable = match &def.backend {
            Backend::Local(vtable) => vtable,
            Backend::Remote(remote) => {
                let child = remote.child()?;
                let schema = Instance::remote_schema(def, inputs)?;
                let (header, _) = child.call(
                    "bind",
                    wire::BIND,
                    &serde_json::json!({"params": params_json}),
                    &schema,
                )?;
                let id = header["id"].as_u64().unwrap_or(0);
                let stream = Arc::new(Mutex::new(Stream::new(child.clone(), id, fields.clone())));
                return Ok(Instance {
                    def: def.clone(),
                    inner: Inner::Remote {
                        child,
                        id,
                        stream,
                        released: false,
                    },
                    fields,
                });
            }
        };
        let schema = FFI_ArrowSchema::try_from(DataType::Struct(fields.clone())).map_err(|e| {
            HostError::Host {
                library: def.library.clone(),
                metric: def.name.clone(),
                message: format!("cannot export input schema: {e}"),
            }
        })?;
        let params = CxmStr {
            ptr: params_json.as_ptr(),
            len: params_json.len(),
        };
        let mut handle: *mut c_void = std::ptr::null_mut();
        let mut error = CxmOwnedBytes::empty();
        let _scope = crate::guard::CallScope::enter(&def.library, &def.name, "bind");
        // SAFETY: the schema and params live across the call; the casts are between
        // layout-identical C Data Interface structs (asserted above).
        let status = CxmStatus::from_code(unsafe {
            (vtable.bind)(
                params,
                &schema as *const FFI_ArrowSchema as *const cxm_abi::ArrowSchema,
                &mut handle,
                &mut error,
            )
        });
        if status != CxmStatus::Ok {
            return Err(Self::call_error(def, status, &mut error));
        }
        if handle.is_null() {
            return Err(HostError::Host {
                library: def.library.clone(),
                metric: def.name.clone(),
                message: "bind returned no instance".into(),
            });
        }
        Ok(Instance {
            def: def.clone(),
            inner: Inner::Local(handle),
            fields,
        })
    }

    /// The metric this instance was bound from.
    pub fn def(&self) -> &MetricDef {
        &self.def
    }

    /// Binds a fresh, empty instance with the same params and inputs (for roll-ups and
    /// per-thread partial states).
    pub fn bind_like(&self, params_json: &str) -> Result<Self, HostError> {
        self.template().bind(params_json)
    }

    /// What it takes to bind more instances like this one, from any thread.
    pub fn template(&self) -> InstanceTemplate {
        InstanceTemplate {
            def: self.def.clone(),
            inputs: self
                .fields
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone()))
                .collect(),
        }
    }

    /// The local handle and function table, or `None` for an isolated instance.
    fn local(&self) -> Option<(*mut c_void, &cxm_abi::CxmMetric)> {
        match (&self.inner, &self.def.backend) {
            (Inner::Local(handle), Backend::Local(vtable)) => Some((*handle, vtable)),
            _ => None,
        }
    }

    fn contract(&self, message: String) -> HostError {
        HostError::Contract {
            library: self.def.library.clone(),
            metric: self.def.name.clone(),
            message,
        }
    }

    /// Folds one batch into the instance. In this process, the memory lent to the plugin
    /// (input columns, weights, group ids) is fingerprinted before and after the call, and
    /// a plugin that changed it fails with [`HostError::WroteIntoInput`].
    pub fn update(&mut self, batch: InstanceBatch<'_>) -> Result<(), HostError> {
        let rows = batch.row_status.len();
        self.check_lengths(&batch)?;
        let before = batch.row_status.to_vec();
        match &self.inner {
            Inner::Remote { .. } => match self.stage(&batch, before)? {
                Some(pending) => pending.finish(batch.row_status),
                None => Err(self.contract("instance and metric disagree on where they run".into())),
            },
            Inner::Local(_) => {
                self.update_local(&batch, rows, true)?;
                check_row_status(&before, batch.row_status, self.def.reasons.len())
                    .map_err(|m| self.contract(m))
            }
        }
    }

    /// [`Instance::update`] in an isolated child, of its own copy of a batch that no other
    /// metric reads: a plugin writing into it only spoils its own input, so the lent memory
    /// is not fingerprinted; and the row statuses are not checked here but by the host, in
    /// [`PendingUpdate::finish`], when it gets them back.
    pub fn update_unshared(&mut self, batch: InstanceBatch<'_>) -> Result<(), HostError> {
        let rows = batch.row_status.len();
        self.check_lengths(&batch)?;
        self.update_local(&batch, rows, false)
    }

    /// Every vector of the batch has one entry per row.
    fn check_lengths(&self, batch: &InstanceBatch<'_>) -> Result<(), HostError> {
        let rows = batch.row_status.len();
        if batch.columns.iter().any(|c| c.len() != rows)
            || batch.weights.is_some_and(|w| w.len() != rows)
            || batch.group_ids.is_some_and(|g| g.len() != rows)
        {
            return Err(HostError::Host {
                library: self.def.library.clone(),
                metric: self.def.name.clone(),
                message: "batch vectors differ in length".into(),
            });
        }
        Ok(())
    }

    /// Starts [`Instance::update`]: in this process it runs to the end (`None`); for an
    /// isolated instance it writes the batch for the child (the caller may reuse the
    /// batch's memory at once) and returns. [`PendingUpdate::send`] sends it, with the
    /// instance's other batches written since its last request, as one request;
    /// [`PendingUpdate::finish`] waits for the child's row statuses. So the children of
    /// several metrics work on one batch at the same time, and on several batches a
    /// request. Finish the pending updates of a metric in order; send them before starting
    /// an update of another instance of the same plugin metric (each instance holds a
    /// channel of the child until its updates are finished).
    pub fn update_start(
        &mut self,
        batch: InstanceBatch<'_>,
    ) -> Result<Option<PendingUpdate>, HostError> {
        match &self.inner {
            Inner::Local(_) => self.update(batch).map(|()| None),
            Inner::Remote { .. } => {
                self.check_lengths(&batch)?;
                let before = batch.row_status.to_vec();
                self.stage(&batch, before)
            }
        }
    }

    /// Writes a batch for the isolated child (`None` for a local instance).
    fn stage(
        &self,
        batch: &InstanceBatch<'_>,
        before: Vec<u8>,
    ) -> Result<Option<PendingUpdate>, HostError> {
        let Inner::Remote { stream, .. } = &self.inner else {
            return Ok(None);
        };
        let seq = lock(stream).stage(batch)?;
        Ok(Some(PendingUpdate {
            stream: stream.clone(),
            seq,
            taken: false,
            before,
            library: self.def.library.clone(),
            metric: self.def.name.clone(),
            reasons: self.def.reasons.len(),
        }))
    }

    fn update_local(
        &self,
        batch: &InstanceBatch<'_>,
        rows: usize,
        shared: bool,
    ) -> Result<(), HostError> {
        let Some((handle, vtable)) = self.local() else {
            return Err(self.contract("instance and metric disagree on where they run".into()));
        };
        let host_error = |message: String| HostError::Host {
            library: self.def.library.clone(),
            metric: self.def.name.clone(),
            message,
        };
        let array = StructArray::try_new_with_length(
            self.fields.clone(),
            batch.columns.to_vec(),
            None,
            rows,
        )
        .map_err(|e| host_error(format!("cannot assemble batch: {e}")))?;
        let ffi = FFI_ArrowArray::new(&array.to_data());
        let abi_batch = CxmBatch {
            struct_size: std::mem::size_of::<CxmBatch>(),
            num_rows: rows,
            columns: &ffi as *const FFI_ArrowArray as *const cxm_abi::ArrowArray,
            weights: batch.weights.map_or(std::ptr::null(), <[f64]>::as_ptr),
            group_ids: batch.group_ids.map_or(std::ptr::null(), <[u32]>::as_ptr),
            num_groups: batch.num_groups,
            row_status: batch.row_status.as_ptr() as *mut u8,
        };
        let mut error = CxmOwnedBytes::empty();
        let lent = shared
            .then(|| Borrowed::take(batch.columns, batch.weights, batch.group_ids, batch.shared));
        let _scope = crate::guard::CallScope::enter(&self.def.library, &self.def.name, "update");
        // SAFETY: the batch and everything it points to live across the call; the plugin
        // borrows them and never releases the array (the host drops `ffi` afterwards).
        // `row_status` is the caller's exclusive `&mut [u8]`, written only during the call.
        let status =
            CxmStatus::from_code(unsafe { (vtable.update)(handle, &abi_batch, &mut error) });
        let changed = lent.and_then(|lent| {
            lent.changed(&Borrowed::take(
                batch.columns,
                batch.weights,
                batch.group_ids,
                batch.shared,
            ))
        });
        if let Some(changed) = changed {
            let input = match changed {
                Changed::Column(i) => self.fields.get(i).map(|f| f.name().clone()),
                Changed::Weights | Changed::GroupIds => None,
            };
            let what = match (changed, &input) {
                (Changed::Column(_), Some(name)) => format!("its input column \"{name}\""),
                (Changed::Weights, _) => "the row weights".into(),
                _ => "the group ids".into(),
            };
            return Err(HostError::WroteIntoInput {
                library: self.def.library.clone(),
                metric: self.def.name.clone(),
                what,
                input,
            });
        }
        self.check(status, &mut error)
    }

    /// Folds group `g` of `other` into group `group_map[g]` of `self`.
    pub fn merge(&mut self, other: &Instance, group_map: &[u32]) -> Result<(), HostError> {
        let different = || HostError::Host {
            library: self.def.library.clone(),
            metric: self.def.name.clone(),
            message: "cannot merge instances of different metrics".into(),
        };
        match (&self.inner, &other.inner) {
            (
                Inner::Remote { child, id, .. },
                Inner::Remote {
                    child: theirs,
                    id: from,
                    ..
                },
            ) => {
                if !Arc::ptr_eq(child, theirs) {
                    return Err(different());
                }
                self.ensure_bound()?;
                other.ensure_bound()?;
                child.call(
                    "merge",
                    wire::MERGE,
                    &serde_json::json!({"id": id, "from": from}),
                    &wire::encode_u32s(group_map),
                )?;
                Ok(())
            }
            _ => {
                let (Some((handle, vtable)), Some((theirs, their_vtable))) =
                    (self.local(), other.local())
                else {
                    return Err(different());
                };
                if !std::ptr::fn_addr_eq(vtable.update, their_vtable.update) {
                    return Err(different());
                }
                let groups = u32::try_from(group_map.len()).unwrap_or(u32::MAX);
                let mut error = CxmOwnedBytes::empty();
                let _scope =
                    crate::guard::CallScope::enter(&self.def.library, &self.def.name, "merge");
                // SAFETY: both handles come from this metric's bind; the map lives across
                // the call.
                let status = CxmStatus::from_code(unsafe {
                    (vtable.merge)(handle, theirs, group_map.as_ptr(), groups, &mut error)
                });
                self.check(status, &mut error)
            }
        }
    }

    /// Merges `other` into this instance, as [`Instance::merge`], and releases `other`.
    /// For isolated instances this is one request (the child answers the merge, then
    /// releases `other` whether or not the merge worked and answers that), sent and not
    /// awaited: the returned [`PendingMerge`] says how
    /// it went, so that a caller can send the merges of several metrics (to several
    /// children) before waiting for any. Finish it before sending another request to the
    /// same child from this thread (as for [`PendingUpdate`]). `None`: done already (local).
    pub fn absorb_start(
        &mut self,
        mut other: Instance,
        group_map: &[u32],
    ) -> Result<Option<PendingMerge>, HostError> {
        self.ensure_bound()?;
        other.ensure_bound()?;
        let (
            Inner::Remote { child, id, .. },
            Inner::Remote {
                child: theirs,
                id: from,
                released,
                ..
            },
        ) = (&self.inner, &mut other.inner)
        else {
            return self.merge(&other, group_map).map(|()| None);
        };
        if !Arc::ptr_eq(child, theirs) {
            return self.merge(&other, group_map).map(|()| None);
        }
        let sent = child
            .send(
                "merge",
                wire::MERGE,
                &serde_json::json!({"id": id, "from": from, "release": true}),
                &wire::encode_u32s(group_map),
            )
            .map(|sent| sent.then("release"));
        // Sent or not, the child no longer holds it (or is dead): nothing to release.
        *released = true;
        Ok(Some(PendingMerge { sent: sent? }))
    }

    /// The result of one group, checked: UTF-8 JSON of the result format, `n` finite and
    /// not negative, a finite value, an interval with finite ends, low ≤ high.
    pub fn finish(&self, group: u32) -> Result<MetricResult, HostError> {
        self.ensure_bound()?;
        let bytes = match &self.inner {
            Inner::Remote { child, id, .. } => {
                child
                    .call(
                        "finish",
                        wire::FINISH,
                        &serde_json::json!({"id": id, "group": group}),
                        &[],
                    )?
                    .1
            }
            Inner::Local(_) => self.finish_raw(group)?,
        };
        self.checked_result(bytes)
    }

    /// The results of `groups`, in order: as [`Instance::finish`] of each, stopping at the
    /// first error. A metric with `finish_many` (ABI 1.1) is asked for
    /// [`FINISH_MANY_CHUNK`] groups per call, in one binary block each; others once per
    /// group. For an isolated instance this is one request, the child sending the results
    /// as they are ready (no round trip per group).
    pub fn finish_many(&self, groups: &[u32]) -> Result<Vec<MetricResult>, HostError> {
        self.ensure_bound()?;
        match &self.inner {
            Inner::Remote { child, id, .. } => {
                let mut results = Vec::with_capacity(groups.len());
                let mut done = 0;
                child.call_each(
                    "finish",
                    wire::FINISH_MANY,
                    &serde_json::json!({ "id": id }),
                    &wire::encode_u32s(groups),
                    groups.len(),
                    |header, bytes| {
                        // A frame of `{"many": k}` is a block of the next k results; any
                        // other frame is one result's JSON.
                        let many = header["many"].as_u64();
                        let k = many.map_or(1, |k| k as usize).min(groups.len() - done);
                        if many.is_some() {
                            results.extend(self.checked_block(&bytes, k)?);
                        } else {
                            results.push(self.checked_result(bytes)?);
                        }
                        done += k;
                        Ok(k)
                    },
                )?;
                Ok(results)
            }
            Inner::Local(_) => {
                if !self.has_finish_many() {
                    return groups.iter().map(|&g| self.finish(g)).collect();
                }
                if groups.len() <= FINISH_MANY_CHUNK {
                    let bytes = self.finish_many_raw(groups)?;
                    return self.checked_block(&bytes, groups.len());
                }
                self.finish_many_pipelined(groups)
            }
        }
    }

    /// [`Instance::finish_many`] of more groups than one call asks for, in this process:
    /// while the plugin makes the block of the next [`FINISH_MANY_CHUNK`] groups (on this
    /// thread, as every call of it), another thread reads and checks the last one. Reading
    /// a block costs about half of making it, so with many groups this takes a third off
    /// the time of the results. A failure on either side stops both; the first one (in
    /// the order of the groups) is the error.
    fn finish_many_pipelined(&self, groups: &[u32]) -> Result<Vec<MetricResult>, HostError> {
        let (library, metric) = (self.def.library.as_str(), self.def.name.as_str());
        std::thread::scope(|scope| {
            let (blocks, received) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(2);
            let reader = scope.spawn(move || {
                let mut results = Vec::with_capacity(groups.len());
                for (bytes, count) in received {
                    results.extend(read_block(library, metric, &bytes, count)?);
                }
                Ok::<_, HostError>(results)
            });
            let mut made = Ok(());
            for chunk in groups.chunks(FINISH_MANY_CHUNK) {
                match self.finish_many_raw(chunk) {
                    Ok(bytes) => {
                        if blocks.send((bytes, chunk.len())).is_err() {
                            // The reader stopped at a malformed block: its error is the
                            // one to give.
                            break;
                        }
                    }
                    Err(e) => {
                        made = Err(e);
                        break;
                    }
                }
            }
            drop(blocks);
            let read = reader
                .join()
                .unwrap_or_else(|_| Err(self.contract("reading its results failed".to_string())));
            // The blocks read came before the one the plugin failed on.
            let results = read?;
            made.map(|()| results)
        })
    }

    /// Whether the metric, in this process, provides `finish_many` (ABI 1.1).
    pub(crate) fn has_finish_many(&self) -> bool {
        self.local().is_some_and(|(_, v)| v.finish_many.is_some())
    }

    /// The plugin's block of the results of `groups`, as its `finish_many` wrote it (in
    /// this process; the metric must provide it).
    pub(crate) fn finish_many_raw(&self, groups: &[u32]) -> Result<Vec<u8>, HostError> {
        let Some((handle, vtable)) = self.local() else {
            return Err(self.contract("instance and metric disagree on where they run".into()));
        };
        let Some(finish_many) = vtable.finish_many else {
            return Err(self.contract("the metric has no finish_many".into()));
        };
        let mut out = CxmOwnedBytes::empty();
        let mut error = CxmOwnedBytes::empty();
        let _scope = crate::guard::CallScope::enter(&self.def.library, &self.def.name, "finish");
        // SAFETY: the handle comes from bind; `groups` lives across the call; the
        // out-parameters are valid.
        let status = CxmStatus::from_code(unsafe {
            finish_many(handle, groups.as_ptr(), groups.len(), &mut out, &mut error)
        });
        self.check(status, &mut error)?;
        Ok(take_bytes(&mut out))
    }

    /// A block of `count` results as the plugin wrote it, read and each checked (see
    /// [`Instance::finish`]).
    pub(crate) fn checked_block(
        &self,
        bytes: &[u8],
        count: usize,
    ) -> Result<Vec<MetricResult>, HostError> {
        read_block(&self.def.library, &self.def.name, bytes, count)
    }

    /// A result as the plugin wrote it, read and checked (see [`Instance::finish`]).
    fn checked_result(&self, bytes: Vec<u8>) -> Result<MetricResult, HostError> {
        let text = String::from_utf8(bytes).map_err(|e| {
            self.contract(format!("finish returned a result that is not UTF-8 ({e})"))
        })?;
        let result = MetricResult::from_json(text.as_bytes())
            .map_err(|e| self.contract(format!("finish returned invalid result JSON: {e}")))?;
        check_result(&result).map_err(|m| self.contract(format!("finish returned {m}")))?;
        Ok(result)
    }

    /// The plugin's result bytes of one group, as it wrote them (in this process).
    pub(crate) fn finish_raw(&self, group: u32) -> Result<Vec<u8>, HostError> {
        let Some((handle, vtable)) = self.local() else {
            return Err(self.contract("instance and metric disagree on where they run".into()));
        };
        let mut out = CxmOwnedBytes::empty();
        let mut error = CxmOwnedBytes::empty();
        let _scope = crate::guard::CallScope::enter(&self.def.library, &self.def.name, "finish");
        // SAFETY: the handle comes from bind; out-parameters are valid.
        let status =
            CxmStatus::from_code(unsafe { (vtable.finish)(handle, group, &mut out, &mut error) });
        self.check(status, &mut error)?;
        Ok(take_bytes(&mut out))
    }
}

/// Every row status the plugin wrote is one the ABI defines (used, a standard reason, or
/// one of the metric's own), and rows the host had rejected are left as they were.
fn check_row_status(before: &[u8], after: &[u8], own_reasons: usize) -> Result<(), String> {
    let own = usize::from(cxm_abi::ROW_PLUGIN_REASON_BASE)
        ..usize::from(cxm_abi::ROW_PLUGIN_REASON_BASE) + own_reasons;
    let standard = cxm_abi::STANDARD_REASONS.len();
    // The common case, all rows fine, in one branch-free pass the compiler vectorizes; the
    // loop below finds and names the first bad row only when there is one.
    let (std_max, own_lo, own_hi) = (standard as u16, own.start as u16, own.end as u16);
    let bad = before.iter().zip(after).fold(false, |bad, (&b, &a)| {
        let (b, a) = (u16::from(b), u16::from(a));
        let known = (a < std_max) | ((a >= own_lo) & (a < own_hi));
        bad | ((b != 0) & (a != b)) | ((b == 0) & !known)
    });
    if !bad {
        return Ok(());
    }
    for (row, (&b, &a)) in before.iter().zip(after).enumerate() {
        if b != 0 {
            if a != b {
                return Err(format!(
                    "row {row} was rejected by the host (status {b}) but the plugin changed its status to {a}"
                ));
            }
            continue;
        }
        let code = usize::from(a);
        if !(code < standard || own.contains(&code)) {
            return Err(format!(
                "row {row} has status {a}, which is neither a standard code (0-{}) nor one of the metric's {own_reasons} own reason(s) ({}..)",
                standard - 1,
                cxm_abi::ROW_PLUGIN_REASON_BASE
            ));
        }
    }
    Ok(())
}

/// The results of a block `finish_many` of `metric` (of `library`) wrote for `count`
/// groups, read and checked.
fn read_block(
    library: &str,
    metric: &str,
    bytes: &[u8],
    count: usize,
) -> Result<Vec<MetricResult>, HostError> {
    let contract = |message: String| HostError::Contract {
        library: library.to_string(),
        metric: metric.to_string(),
        message,
    };
    let results = cxm_result::many::read_many(bytes, count).map_err(|e| {
        contract(format!(
            "finish_many returned a malformed block of results: {e}"
        ))
    })?;
    for r in &results {
        check_result(r).map_err(|m| contract(format!("finish_many returned {m}")))?;
    }
    Ok(results)
}

/// What a result must satisfy beyond its JSON form.
fn check_result(r: &MetricResult) -> Result<(), String> {
    if !(r.n.is_finite() && r.n >= 0.0) {
        return Err(format!("n = {} (must be a finite number, 0 or more)", r.n));
    }
    if let Some(v) = r.value {
        if !v.is_finite() {
            return Err(format!("value = {v}"));
        }
    }
    if let Some(ci) = &r.ci {
        if !(ci.low.is_finite() && ci.high.is_finite()) || ci.low > ci.high {
            return Err(format!(
                "a confidence interval [{}, {}] (ends must be finite, low <= high)",
                ci.low, ci.high
            ));
        }
    }
    Ok(())
}

impl Drop for Instance {
    fn drop(&mut self) {
        match &self.inner {
            Inner::Local(handle) => {
                if let Backend::Local(vtable) = &self.def.backend {
                    let _scope = crate::guard::CallScope::enter(
                        &self.def.library,
                        &self.def.name,
                        "release",
                    );
                    // SAFETY: the handle comes from bind and is released exactly once, here.
                    unsafe { (vtable.release)(*handle) };
                }
            }
            Inner::Remote {
                child,
                id,
                stream,
                released,
            } => {
                if *released || child.is_dead() {
                    return;
                }
                // An instance bound lazily and never sent to the child (or whose bind
                // failed) has nothing there.
                let bound = {
                    let mut stream = lock(stream);
                    stream.bind_sent() && stream.ensure_bound().is_ok()
                };
                if bound {
                    let _ = child.call(
                        "release",
                        wire::RELEASE,
                        &serde_json::json!({"id": id}),
                        &[],
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_statuses_outside_the_abi_are_refused() {
        assert!(check_row_status(&[0, 0, 3], &[0, 7, 3], 0).is_ok());
        assert!(check_row_status(&[0], &[64], 1).is_ok());
        let e = check_row_status(&[0, 0], &[0, 200], 1).unwrap_err();
        assert!(e.contains("row 1 has status 200"), "{e}");
        assert!(
            check_row_status(&[0], &[9], 0).is_err(),
            "9 is not a standard code"
        );
        assert!(
            check_row_status(&[0], &[65], 1).is_err(),
            "only one own reason"
        );
        let e = check_row_status(&[2], &[0], 0).unwrap_err();
        assert!(e.contains("rejected by the host"), "{e}");
    }

    #[test]
    fn results_outside_the_format_are_refused() {
        let ok = MetricResult {
            n: 3.0,
            ..Default::default()
        };
        assert!(check_result(&ok).is_ok());
        for n in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(check_result(&MetricResult {
                n,
                ..Default::default()
            })
            .is_err());
        }
        let upside_down = MetricResult {
            n: 3.0,
            ci: Some(cxm_result::Interval {
                low: 2.0,
                high: 1.0,
                level: 0.95,
                method: "t".into(),
            }),
            ..Default::default()
        };
        assert!(check_result(&upside_down)
            .unwrap_err()
            .contains("low <= high"));
    }
}
