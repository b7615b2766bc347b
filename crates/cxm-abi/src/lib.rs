//! The cxm plugin ABI, version 1.1: the `#[repr(C)]` contract between the `cxm` host and a
//! metric plugin library. This crate is data only (types, constants, function-pointer
//! signatures); it has no dependencies and no behaviour, so a plugin written in any language
//! can be built against the same layout (see `cxm.h` in this crate's folder).
//!
//! # Versioning
//! The ABI is versioned on its own, independently of any crate version.
//! - The **major** version is part of the entry symbol's name ([`ENTRY_SYMBOL`],
//!   `cxm_plugin_entry_v1`). A change that breaks layout or meaning bumps the major, and with
//!   it the symbol, so an old host never misreads a new library.
//! - The **minor** version grows when fields are appended to the end of a struct. Every
//!   struct that can grow starts with (or contains) its `struct_size`, so a reader never reads
//!   past what the writer wrote.
//! - Arrays of growable structs are walked by the writer's `struct_size` (the stride of an
//!   array of [`CxmMetric`] built for minor 0 is [`METRIC_SIZE_V1_0`]), and a field
//!   appended in minor `m` is read only from a library with `abi_minor >= m` whose
//!   `struct_size` covers it.
//! - The host accepts a library when `abi_major == ABI_MAJOR` and `abi_minor <= ABI_MINOR`,
//!   and it checks this *before calling anything else* in the library: the first three
//!   fields of [`CxmModule`] are `abi_major`, `abi_minor` and `struct_size`, and they will
//!   stay first in every future version.
//!
//! # Call order
//! 1. `cxm_plugin_entry_v1()` → `*const CxmModule`, a static descriptor that stays valid for
//!    the life of the process (libraries are never unloaded). Null means the library failed
//!    to initialise.
//! 2. For each metric the host wants: [`CxmMetric::bind`] with the params (UTF-8 JSON) and
//!    the input schema (an Arrow C Data Interface struct schema whose children are the
//!    metric's inputs, by name, in the order the host will send them). Bind validates params
//!    and types; configuration errors surface here, before any data flows.
//! 3. Any number of [`CxmMetric::update`] calls, one per batch.
//! 4. Optionally [`CxmMetric::merge`] calls, folding one instance's groups into another's.
//! 5. [`CxmMetric::finish`] once per group that the host wants a result for, or (ABI 1.1)
//!    [`CxmMetric::finish_many`] once per list of groups, when the metric provides it.
//!    Neither consumes the state; they may be called again, and `update` and `merge` may
//!    follow.
//! 6. [`CxmMetric::release`] exactly once per instance.
//!
//! # Groups
//! An instance holds one accumulator state per *group*, numbered densely from 0. Every
//! batch carries a `group_ids` vector (one `u32` per row; null means every row is in group
//! 0) and `num_groups`, an upper bound on the ids in the batch; the plugin grows its state
//! vector as needed. `merge(dst, src, group_map, src_groups)` folds group `g` of `src` into
//! group `group_map[g]` of `dst`: the host uses it both to combine per-thread instances and
//! to roll fine groups up into totals. Because roll-ups merge *state* (counts, sums), ratio
//! metrics are always recomputed from counts, never averaged.
//!
//! # Ownership and lifetimes of every pointer
//! - [`CxmStr`] fields of the descriptor point into the library's static memory; valid for
//!   the life of the process.
//! - `params` passed to `bind`: borrowed, valid during the call only.
//! - `input_schema` passed to `bind`: borrowed (the plugin must not call its `release`);
//!   valid during the call only. A plugin that needs it later copies what it needs.
//! - [`CxmBatch`] and everything it points to (the Arrow array, weights, group ids, row
//!   status): owned by the host, borrowed for the duration of `update` only. The plugin must
//!   not call the array's `release`, must not keep any pointer after returning, and writes
//!   only to `row_status`.
//! - The instance pointer: allocated by the plugin in `bind`, freed by the plugin in
//!   `release`. The host never dereferences it.
//! - `groups` passed to `finish_many`: borrowed, valid during the call only.
//! - [`CxmOwnedBytes`] written by `finish` (the result) or `finish_many` (the results) and [`CxmError`] messages: allocated
//!   by the plugin; the host copies the bytes and then calls the struct's own `release`
//!   exactly once, so memory is always freed by the allocator that produced it.
//!
//! # Threading
//! Descriptor functions may be called from any thread. One instance is used by one thread
//! at a time (the host never calls into the same instance concurrently); different
//! instances may be used concurrently from different threads. The host parallelises by
//! creating several instances and merging them.
//!
//! # Errors and panics
//! Every function returns a [`CxmStatusCode`] (an `int32_t`; see [`CxmStatus`]). On anything
//! but `Ok` the plugin fills the `error` out-parameter with a UTF-8 message (the host makes
//! one up if it is left empty). By convention the message starts with
//! `plugin '<library>' metric '<metric>': ` (the SDK does this; a plugin in another language
//! should too), because the host adds only the config location. Every exported function must catch
//! panics (unwinding across `extern "C"` aborts the process); the SDK does this and reports
//! [`CxmStatus::Panic`] with a message naming the plugin and metric. After an error or a
//! panic in `update` or `merge`, the host stops using the instance (it only releases it).
//!
//! # Details that matter to plugins in other languages
//! - Arrays and strings with a count or length of 0 may have a null pointer.
//! - The batch's struct array may have a non-zero `offset`: row `i` of a child is at child
//!   offset + parent offset + `i`. The parent has no validity bitmap (all rows are present).
//!   A child whose `null_count` is 0 may have a null validity buffer.
//! - `num_groups` of 0 means 1: group 0 always exists.
//! - `merge` is never called with `dst == src`; a plugin may reject it.
//! - Result JSON: numbers as JSON numbers written independently of the C locale; NaN and
//!   infinities as `null`; an empty group has `"value": null` and `"n": 0`.
//! - Structs carry `struct_size` so that later minor versions can append fields; a plugin
//!   built for minor 0 may ignore them.
//!
//! # Many results at once (ABI 1.1)
//! `finish_many(instance, groups, num_groups, out_results, out_error)` writes the results of
//! `groups` (in that order) in one binary block instead of one JSON document each; the
//! `cxm-result` crate (`many` module) writes and reads it, and `cxm.h` describes it byte by
//! byte for plugins in other languages. The block holds exactly what the JSON of each result
//! would hold (numbers as IEEE doubles, the integers of `details` as 64-bit integers, every
//! text once, in a table of strings), and reads back into the same result. Providing it is
//! optional: the host calls `finish` per group when a library's `abi_minor` is 0, its
//! metric's `struct_size` does not reach the field, or the field is null.
//!
//! # Row status
//! `update` receives `row_status`, one byte per row, in and out. On entry, a non-zero byte
//! means the host has already rejected the row for this metric (for example, a mapped value
//! could not be parsed); the plugin must skip such rows. For every row it reads, the plugin
//! writes [`ROW_USED`] or a rejection code: one of the `ROW_*` reasons below, or
//! `ROW_PLUGIN_REASON_BASE + i` for the metric's own reason `reasons[i]`. The host counts
//! rows per reason from these bytes; a plugin never drops a row silently.

#![no_std]

use core::ffi::c_void;

/// ABI major version spoken by this crate; part of the entry symbol's name.
pub const ABI_MAJOR: u32 = 1;
/// ABI minor version: the number of append-only extensions to version 1.
/// Minor 1 appended [`CxmMetric::finish_many`].
pub const ABI_MINOR: u32 = 1;
/// Name of the one symbol a plugin library exports (NUL-terminated for `dlsym`).
pub const ENTRY_SYMBOL: &[u8] = b"cxm_plugin_entry_v1\0";
/// Prefix of the entry symbol of any ABI major, e.g. `cxm_plugin_entry_v2`; the host probes
/// other majors only to say which ABI a rejected library was built for.
pub const ENTRY_SYMBOL_PREFIX: &str = "cxm_plugin_entry_v";

/// Signature of the entry symbol.
pub type EntryFn = unsafe extern "C" fn() -> *const CxmModule;

/// Module flag: the library was compiled with `panic = "unwind"`, so its panics can be
/// caught at the boundary. A library without it aborts the process on a panic.
pub const FLAG_PANIC_UNWIND: u64 = 1 << 0;

/// Row status: the row entered the metric's formula.
pub const ROW_USED: u8 = 0;
/// Row status: a required input was empty.
pub const ROW_EMPTY: u8 = 1;
/// Row status: a numeric input could not be parsed (set by the host during ingestion).
pub const ROW_NOT_A_NUMBER: u8 = 2;
/// Row status: the value is outside the metric's scale.
pub const ROW_OUT_OF_SCALE: u8 = 3;
/// Row status: a non-numeric input (date, boolean, text) could not be parsed (set by the host).
pub const ROW_INVALID_VALUE: u8 = 4;
/// Row status: a duration came out negative.
pub const ROW_NEGATIVE_DURATION: u8 = 5;
/// Row status: the row's weight is missing, negative or not a number (set by the host).
pub const ROW_INVALID_WEIGHT: u8 = 6;
/// Row status: a value used for grouping (a dimension or the period field) could not be
/// parsed, so the row cannot be placed in a group (set by the host).
pub const ROW_INVALID_GROUP: u8 = 7;
/// Row status codes from this value up name the metric's own reasons:
/// `ROW_PLUGIN_REASON_BASE + i` is `reasons[i]` of its [`CxmMetric`].
pub const ROW_PLUGIN_REASON_BASE: u8 = 64;

/// The names of the standard row-status codes, indexed by code (`ROW_USED` is "used").
pub const STANDARD_REASONS: [&str; 8] = [
    "used",
    "empty",
    "not_a_number",
    "out_of_scale",
    "invalid_value",
    "negative_duration",
    "invalid_weight",
    "invalid_group",
];

/// What every plugin function returns across the boundary: a plain 32-bit integer, one of
/// the [`CxmStatus`] codes. (An integer, not a Rust enum, so that a value outside the known
/// codes from a plugin in any language is an error the host reports, never undefined
/// behaviour; unknown codes read as [`CxmStatus::Failed`].)
pub type CxmStatusCode = i32;

/// The meaning of a [`CxmStatusCode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CxmStatus {
    /// Success.
    Ok = 0,
    /// Params were rejected in `bind` (bad value, unknown key, wrong type).
    InvalidParams = 1,
    /// The input schema does not fit the metric (missing input, wrong Arrow type).
    InvalidInput = 2,
    /// The metric failed while processing data.
    Failed = 3,
    /// The plugin panicked; the message says where.
    Panic = 4,
}

impl CxmStatus {
    /// The code that crosses the boundary.
    pub const fn code(self) -> CxmStatusCode {
        self as CxmStatusCode
    }

    /// The status of a code; codes outside the known ones mean [`CxmStatus::Failed`].
    pub const fn from_code(code: CxmStatusCode) -> CxmStatus {
        match code {
            0 => CxmStatus::Ok,
            1 => CxmStatus::InvalidParams,
            2 => CxmStatus::InvalidInput,
            4 => CxmStatus::Panic,
            _ => CxmStatus::Failed,
        }
    }
}

/// A borrowed UTF-8 string: pointer and length, not NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CxmStr {
    /// First byte; may be dangling when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

// SAFETY: a CxmStr only ever points at immutable bytes (static strings of a library that is
// never unloaded, or bytes borrowed for the duration of one call).
unsafe impl Send for CxmStr {}
// SAFETY: see above; the bytes are never mutated.
unsafe impl Sync for CxmStr {}

impl CxmStr {
    /// A `CxmStr` over a static string.
    pub const fn from_static(s: &'static str) -> Self {
        CxmStr {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// An empty string.
    pub const fn empty() -> Self {
        Self::from_static("")
    }
}

/// Bytes allocated by one side and handed to the other, with the allocator's own release
/// callback (the same pattern as the Arrow C Data Interface). The receiver copies what it
/// needs and calls `release(self)` exactly once; `release` is null once released.
#[repr(C)]
#[derive(Debug)]
pub struct CxmOwnedBytes {
    /// First byte.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
    /// Allocator-private data for `release`.
    pub private_data: *mut c_void,
    /// Frees the bytes; sets `release` to null. Null when there is nothing to free.
    pub release: Option<unsafe extern "C" fn(*mut CxmOwnedBytes)>,
}

impl CxmOwnedBytes {
    /// An empty value with nothing to release (what the host passes as an out-parameter).
    pub const fn empty() -> Self {
        CxmOwnedBytes {
            ptr: core::ptr::null(),
            len: 0,
            private_data: core::ptr::null_mut(),
            release: None,
        }
    }
}

/// An error message: UTF-8 text owned by the plugin (see [`CxmOwnedBytes`]).
pub type CxmError = CxmOwnedBytes;

/// Name of a variadic input declaration: a metric that declares an input named `*`
/// accepts any number of further inputs of that input's type, named by the config (the
/// signals of a composite score, say). They follow the declared inputs in the bound
/// schema.
pub const VARIADIC_INPUT: &str = "*";

/// One declared input of a metric.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CxmInput {
    /// The input's name, as the config's `inputs = { name = "field" }` uses it.
    pub name: CxmStr,
    /// Arrow C Data Interface format string of the type the metric reads: `l` (int64),
    /// `g` (float64), `u` (utf8), `b` (boolean), `tdD` (date32, days), `tsu:UTC`
    /// (timestamp, microseconds, UTC).
    pub arrow_format: CxmStr,
    /// 1 when the input must be mapped; 0 when optional.
    pub required: u8,
    /// One sentence for `cxm plugins`.
    pub description: CxmStr,
}

/// One metric exported by a library.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CxmMetric {
    /// `size_of::<CxmMetric>()` as the library was built; fields past it are absent.
    pub struct_size: usize,
    /// The metric's name, unique within the library (`nps`).
    pub name: CxmStr,
    /// One sentence for `cxm plugins`.
    pub description: CxmStr,
    /// Declared inputs.
    pub inputs: *const CxmInput,
    /// Number of declared inputs.
    pub num_inputs: usize,
    /// Description of the params as UTF-8 JSON: an array of
    /// `{"name", "type", "default", "description"}` objects.
    pub params_doc: CxmStr,
    /// The metric's own rejection reasons, addressed as `ROW_PLUGIN_REASON_BASE + index`.
    pub reasons: *const CxmStr,
    /// Number of own reasons (at most 191).
    pub num_reasons: usize,
    /// Validates params and the input schema; on success writes a new instance.
    pub bind: BindFn,
    /// Folds one batch into the instance.
    pub update: UpdateFn,
    /// Folds the groups of `src` into `dst` (both bound from this same metric).
    pub merge: MergeFn,
    /// Writes the result of one group as UTF-8 JSON (see the `cxm-result` crate).
    pub finish: FinishFn,
    /// Frees an instance.
    pub release: ReleaseFn,
    /// ABI 1.1: writes the results of many groups in one binary block (see the crate docs);
    /// `None` (null) when the metric does not provide it. Absent from libraries built for
    /// minor 0: read it only when `abi_minor >= 1` and `struct_size >=` [`METRIC_SIZE_V1_1`].
    pub finish_many: Option<FinishManyFn>,
}

/// `size_of::<CxmMetric>()` in ABI 1.0, before `finish_many` was appended.
pub const METRIC_SIZE_V1_0: usize = core::mem::offset_of!(CxmMetric, finish_many);
/// `size_of::<CxmMetric>()` in ABI 1.1.
pub const METRIC_SIZE_V1_1: usize = core::mem::size_of::<CxmMetric>();

// The layouts `cxm.h` asserts too: 16 pointer-sized fields in 1.0, one more in 1.1.
const _: () = assert!(METRIC_SIZE_V1_0 == 16 * core::mem::size_of::<usize>());
const _: () = assert!(METRIC_SIZE_V1_1 == 17 * core::mem::size_of::<usize>());

/// `bind(params_json, input_schema, out_instance, out_error)`.
///
/// `params_json` is a UTF-8 JSON object (possibly `{}`); `input_schema` is an Arrow C Data
/// Interface schema of format `+s` (struct) whose children are the mapped inputs.
pub type BindFn = unsafe extern "C" fn(
    params_json: CxmStr,
    input_schema: *const ArrowSchema,
    out_instance: *mut *mut c_void,
    out_error: *mut CxmError,
) -> CxmStatusCode;

/// `update(instance, batch, out_error)`.
pub type UpdateFn = unsafe extern "C" fn(
    instance: *mut c_void,
    batch: *const CxmBatch,
    out_error: *mut CxmError,
) -> CxmStatusCode;

/// `merge(dst, src, group_map, src_groups, out_error)`: group `g < src_groups` of `src` is
/// folded into group `group_map[g]` of `dst`. `src` is only read.
pub type MergeFn = unsafe extern "C" fn(
    dst: *mut c_void,
    src: *const c_void,
    group_map: *const u32,
    src_groups: u32,
    out_error: *mut CxmError,
) -> CxmStatusCode;

/// `finish(instance, group, out_result, out_error)`: the result of one group as UTF-8 JSON.
/// A group that never received a row yields the metric's empty result (n = 0).
pub type FinishFn = unsafe extern "C" fn(
    instance: *const c_void,
    group: u32,
    out_result: *mut CxmOwnedBytes,
    out_error: *mut CxmError,
) -> CxmStatusCode;

/// `finish_many(instance, groups, num_groups, out_results, out_error)` (ABI 1.1): the results
/// of `groups[0..num_groups]`, in that order, as one block of the many-results format (see
/// the crate docs and `cxm-result`'s `many` module). A group that never received a row
/// yields the metric's empty result, as with `finish`.
pub type FinishManyFn = unsafe extern "C" fn(
    instance: *const c_void,
    groups: *const u32,
    num_groups: usize,
    out_results: *mut CxmOwnedBytes,
    out_error: *mut CxmError,
) -> CxmStatusCode;

/// `release(instance)`: frees the instance. Never fails.
pub type ReleaseFn = unsafe extern "C" fn(instance: *mut c_void);

/// One batch of rows, borrowed for the duration of `update`.
#[repr(C)]
#[derive(Debug)]
pub struct CxmBatch {
    /// `size_of::<CxmBatch>()` as the host was built.
    pub struct_size: usize,
    /// Number of rows.
    pub num_rows: usize,
    /// A struct array (format `+s`, as bound) whose children are the inputs. Borrowed.
    pub columns: *const ArrowArray,
    /// Row weights (multiplicities), `num_rows` finite non-negative values; null = all 1.
    pub weights: *const f64,
    /// Group of each row, `num_rows` values below `num_groups`; null = all group 0.
    pub group_ids: *const u32,
    /// Upper bound on group ids in this batch (the instance grows to at least this many).
    pub num_groups: u32,
    /// Per-row status, in and out (see the crate docs).
    pub row_status: *mut u8,
}

/// The module descriptor returned by the entry symbol.
#[repr(C)]
#[derive(Debug)]
pub struct CxmModule {
    /// Must stay the first field in every ABI version.
    pub abi_major: u32,
    /// Must stay the second field in every ABI version.
    pub abi_minor: u32,
    /// `size_of::<CxmModule>()` as the library was built; must stay the third field.
    pub struct_size: usize,
    /// `FLAG_*` bits.
    pub flags: u64,
    /// Library name (`cxm-plugin-nps`).
    pub name: CxmStr,
    /// Library version (`0.1.0`).
    pub version: CxmStr,
    /// Exported metrics.
    pub metrics: *const CxmMetric,
    /// Number of exported metrics.
    pub num_metrics: usize,
}

// SAFETY: the descriptor is immutable after the entry function returns it and points only at
// immutable static data of a library that is never unloaded.
unsafe impl Sync for CxmModule {}
// SAFETY: as above.
unsafe impl Send for CxmModule {}
// SAFETY: as above.
unsafe impl Sync for CxmMetric {}
// SAFETY: as above.
unsafe impl Send for CxmMetric {}
// SAFETY: as above.
unsafe impl Sync for CxmInput {}
// SAFETY: as above.
unsafe impl Send for CxmInput {}

/// Arrow C Data Interface schema, exactly as specified by Apache Arrow
/// (<https://arrow.apache.org/docs/format/CDataInterface.html>).
#[repr(C)]
#[derive(Debug)]
pub struct ArrowSchema {
    /// Type format string (NUL-terminated).
    pub format: *const core::ffi::c_char,
    /// Field name (NUL-terminated), may be null.
    pub name: *const core::ffi::c_char,
    /// Binary metadata, may be null.
    pub metadata: *const core::ffi::c_char,
    /// `ARROW_FLAG_*` bits.
    pub flags: i64,
    /// Number of children.
    pub n_children: i64,
    /// Children schemas.
    pub children: *mut *mut ArrowSchema,
    /// Dictionary schema, may be null.
    pub dictionary: *mut ArrowSchema,
    /// Producer's release callback; null once released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    /// Producer-private data.
    pub private_data: *mut c_void,
}

/// Arrow C Data Interface array, exactly as specified by Apache Arrow.
#[repr(C)]
#[derive(Debug)]
pub struct ArrowArray {
    /// Logical length.
    pub length: i64,
    /// Number of nulls, or -1 if not computed.
    pub null_count: i64,
    /// Logical offset into the buffers.
    pub offset: i64,
    /// Number of buffers.
    pub n_buffers: i64,
    /// Number of children.
    pub n_children: i64,
    /// Buffers (validity first).
    pub buffers: *mut *const c_void,
    /// Children arrays.
    pub children: *mut *mut ArrowArray,
    /// Dictionary, may be null.
    pub dictionary: *mut ArrowArray,
    /// Producer's release callback; null once released.
    pub release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    /// Producer-private data.
    pub private_data: *mut c_void,
}
