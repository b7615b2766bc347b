//! A bound metric instance: the safe wrapper around a plugin's bind, update, merge, finish
//! and release. Columns cross as the Arrow C Data Interface without copying the data.

use crate::error::HostError;
use crate::library::MetricDef;
use arrow_array::{Array, ArrayRef, StructArray};
use arrow_data::ffi::FFI_ArrowArray;
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field, Fields};
use cxm_abi::{CxmBatch, CxmError, CxmOwnedBytes, CxmStatus, CxmStr};
use cxm_result::MetricResult;
use std::ffi::c_void;

// The ABI crate declares the C Data Interface structs itself (it has no dependencies);
// arrow-rs's FFI structs must have exactly the same layout for the pointer casts below.
const _: () =
    assert!(std::mem::size_of::<FFI_ArrowArray>() == std::mem::size_of::<cxm_abi::ArrowArray>());
const _: () =
    assert!(std::mem::size_of::<FFI_ArrowSchema>() == std::mem::size_of::<cxm_abi::ArrowSchema>());

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
}

/// A metric and its bound inputs: binds fresh instances (one per chunk of data, say) from
/// any thread, without touching an existing instance.
#[derive(Debug, Clone)]
pub struct InstanceTemplate {
    def: MetricDef,
    inputs: Vec<(String, DataType)>,
}

impl InstanceTemplate {
    /// Binds a fresh, empty instance with `params_json`.
    pub fn bind(&self, params_json: &str) -> Result<Instance, HostError> {
        Instance::bind(&self.def, params_json, &self.inputs)
    }
}

/// A bound instance of a metric; released when dropped.
pub struct Instance {
    def: MetricDef,
    handle: *mut c_void,
    fields: Fields,
}

// SAFETY: ABI v1 allows an instance to be used from any thread as long as one thread at a
// time uses it; `&mut self` on update and merge enforces that.
unsafe impl Send for Instance {}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Instance({}::{})", self.def.library, self.def.name)
    }
}

/// Takes the message out of a plugin-owned error and frees it with the plugin's release.
fn take_message(error: &mut CxmError) -> String {
    let text = if error.ptr.is_null() {
        String::new()
    } else {
        // SAFETY: the plugin wrote `len` bytes at `ptr`, valid until release is called.
        String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(error.ptr, error.len) })
            .into_owned()
    };
    if let Some(release) = error.release {
        // SAFETY: called once, with the struct the plugin filled.
        unsafe { release(error) };
    }
    text
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

    /// Binds the metric with params (a JSON object) and the mapped inputs (name, Arrow
    /// type), in the order columns will be passed to [`Instance::update`].
    pub fn bind(
        def: &MetricDef,
        params_json: &str,
        inputs: &[(String, DataType)],
    ) -> Result<Self, HostError> {
        let fields: Fields = inputs
            .iter()
            .map(|(name, ty)| Field::new(name, ty.clone(), true))
            .collect();
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
        // SAFETY: the schema and params live across the call; the casts are between
        // layout-identical C Data Interface structs (asserted above).
        let status = CxmStatus::from_code(unsafe {
            (def.vtable.bind)(
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
            handle,
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

    /// Folds one batch into the instance.
    pub fn update(&mut self, batch: InstanceBatch<'_>) -> Result<(), HostError> {
        let rows = batch.row_status.len();
        let host_error = |message: String| HostError::Host {
            library: self.def.library.clone(),
            metric: self.def.name.clone(),
            message,
        };
        if batch.columns.iter().any(|c| c.len() != rows)
            || batch.weights.is_some_and(|w| w.len() != rows)
            || batch.group_ids.is_some_and(|g| g.len() != rows)
        {
            return Err(host_error("batch vectors differ in length".into()));
        }
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
            row_status: batch.row_status.as_mut_ptr(),
        };
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: the batch and everything it points to live across the call; the plugin
        // borrows them and never releases the array (the host drops `ffi` afterwards).
        let status = CxmStatus::from_code(unsafe {
            (self.def.vtable.update)(self.handle, &abi_batch, &mut error)
        });
        self.check(status, &mut error)
    }

    /// Folds group `g` of `other` into group `group_map[g]` of `self`.
    pub fn merge(&mut self, other: &Instance, group_map: &[u32]) -> Result<(), HostError> {
        if !std::ptr::fn_addr_eq(self.def.vtable.update, other.def.vtable.update) {
            return Err(HostError::Host {
                library: self.def.library.clone(),
                metric: self.def.name.clone(),
                message: "cannot merge instances of different metrics".into(),
            });
        }
        let groups = u32::try_from(group_map.len()).unwrap_or(u32::MAX);
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: both handles come from this metric's bind; the map lives across the call.
        let status = CxmStatus::from_code(unsafe {
            (self.def.vtable.merge)(
                self.handle,
                other.handle,
                group_map.as_ptr(),
                groups,
                &mut error,
            )
        });
        self.check(status, &mut error)
    }

    /// The result of one group.
    pub fn finish(&self, group: u32) -> Result<MetricResult, HostError> {
        let mut out = CxmOwnedBytes::empty();
        let mut error = CxmOwnedBytes::empty();
        // SAFETY: the handle comes from bind; out-parameters are valid.
        let status = CxmStatus::from_code(unsafe {
            (self.def.vtable.finish)(self.handle, group, &mut out, &mut error)
        });
        self.check(status, &mut error)?;
        let text = take_message(&mut out);
        MetricResult::from_json(text.as_bytes()).map_err(|e| HostError::Host {
            library: self.def.library.clone(),
            metric: self.def.name.clone(),
            message: format!("finish returned invalid result JSON: {e}"),
        })
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the handle comes from bind and is released exactly once, here.
        unsafe { (self.def.vtable.release)(self.handle) };
    }
}
