/*
 * cxm.h - the cxm plugin ABI, version 1.1, for plugins written in C (C11) or C++.
 *
 * This header mirrors crates/cxm-abi/src/lib.rs field for field. The Rust crate and its
 * documentation (`cargo doc -p cxm-abi`) are the reference; where this header and the
 * crate disagree, the crate is right and this header has a bug.
 *
 * A plugin library exports one symbol, CXM_ENTRY_SYMBOL ("cxm_plugin_entry_v1"), of type
 * CxmEntryFn, which returns a pointer to a static CxmModule describing the library's
 * metrics. Every metric provides bind/update/merge/finish/release.
 *
 * Call order (per metric instance):
 *   1. entry()   -> const CxmModule*, static, valid for the life of the process (libraries
 *                   are never unloaded). NULL means initialisation failed.
 *   2. bind()    with params (UTF-8 JSON object, possibly "{}") and an Arrow C Data
 *                Interface struct schema ("+s") whose children are the mapped inputs, by
 *                name, in the order update() will receive them. Validate here.
 *   3. update()  any number of times, one batch each.
 *   4. merge()   optionally, folding groups of one instance into another.
 *   5. finish()  once per group the host wants; does not consume the state (update and
 *                merge may follow, finish may be called again).
 *   6. release() exactly once per instance.
 *
 * Groups: an instance keeps one state per group, numbered densely from 0. A batch carries
 * group_ids (NULL = every row in group 0) and num_groups (upper bound on the ids in the
 * batch); the plugin grows its state as needed. merge(dst, src, map, n) folds group g < n
 * of src into group map[g] of dst.
 *
 * Ownership:
 *   - CxmStr fields of the descriptor point into the library's static memory.
 *   - params and input_schema passed to bind: borrowed for the call only. Never call the
 *     schema's release.
 *   - CxmBatch and everything it points to: owned by the host, borrowed for the update call
 *     only. Never call the array's release; write only to row_status.
 *   - The instance pointer: allocated by the plugin in bind, freed by the plugin in release.
 *   - CxmOwnedBytes written by finish (result JSON) and CxmError messages: allocated by the
 *     plugin, which also sets `release`; the host copies the bytes and calls
 *     `release(&bytes)` exactly once. release must set bytes->release = NULL.
 *
 * Threading: descriptor functions may be called from any thread; one instance is used by
 * one thread at a time; different instances may run concurrently.
 *
 * Errors: every function returns a CxmStatus. On anything but CXM_STATUS_OK, fill
 * *out_error with a message, by convention "plugin '<library>' metric '<metric>': ...".
 * After an error in update or merge the host only releases the instance.
 *
 * Row status: update receives one byte per row, in and out. A non-zero byte on entry means
 * the host already rejected the row: skip it. For every row it reads, the plugin writes
 * CXM_ROW_USED or a rejection code (a CXM_ROW_* reason, or CXM_ROW_PLUGIN_REASON_BASE + i
 * for the metric's own reasons[i]). Never drop a row silently.
 *
 * The result JSON written by finish is described in crates/cxm-result/src/lib.rs, e.g.
 *   {"value": 20.0, "unit": "NPS points", "n": 2000}
 * (optional keys: "ci", "details", "warnings", "tables"; unknown keys are ignored).
 *
 * ABI 1.1 appended an optional finish_many to CxmMetric: the results of many groups in one
 * call, as one binary block instead of a JSON document each (much cheaper with many
 * groups). The host calls it only when the library says abi_minor >= 1, the metric's
 * struct_size covers the field and it is not NULL; otherwise it calls finish per group.
 * Block layout (crates/cxm-result/src/many.rs is the reference; integers little-endian,
 * doubles as IEEE 754 binary64, strings UTF-8 and referred to by index in the table):
 *   block  := "CXMR" u32 version (1) u32 count u32 num_strings string[num_strings]
 *             result[count]                      (count = the number of groups asked for)
 *   string := u32 len, len bytes
 *   result := u8 flags, u32 unit, double n,
 *             [double value]                      if flags & 1 (not finite: no value)
 *             [double low, high, level; u32 method]   if flags & 2 (the interval)
 *             [u8 kind; double x3 or x2]          if flags & 4 (the basis: 0 nps promoters
 *                                                 detractors n, 1 proportion successes n,
 *                                                 2 mean mean variance n)
 *             u32 num_details, (u32 key, value)[num_details]
 *             u32 num_warnings, u32 warning[num_warnings]
 *             u32 num_tables, (u32 name, u32 ncols, u32 col[ncols], u32 nrows,
 *                              (u32 len, value[len])[nrows])[num_tables]
 *   value  := u8 tag: 0 null, 1 false, 2 true, 3 + uint64, 4 + int64, 5 + double,
 *             6 + u32 string, 7 + u32 len + value[len] (array),
 *             8 + u32 len + (u32 key, value)[len] (object)
 * The smallest result, {"value": v, "unit": u, "n": n}, is: 1, u, n, v, 0, 0, 0.
 *
 * Building against ABI 1.0: define CXM_ABI_MINOR 0 before including this header; CxmMetric
 * then ends at release, as it did in 1.0.
 */

#ifndef CXM_H
#define CXM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * Versions, entry symbol, flags
 * ------------------------------------------------------------------------------------- */

/* ABI major version; part of the entry symbol's name. */
#define CXM_ABI_MAJOR 1
/* ABI minor version: number of append-only extensions to version 1 (1: finish_many).
 * Defined before including this header, 0 builds a plugin of ABI 1.0. */
#ifndef CXM_ABI_MINOR
#define CXM_ABI_MINOR 1
#endif

/* Name of the one symbol a plugin library exports. */
#define CXM_ENTRY_SYMBOL "cxm_plugin_entry_v1"
/* Prefix of the entry symbol of any ABI major (cxm_plugin_entry_v2, ...). */
#define CXM_ENTRY_SYMBOL_PREFIX "cxm_plugin_entry_v"

/* Module flag: the library's panics unwind and are caught at the boundary (Rust only; a C
 * library leaves it clear). */
#define CXM_FLAG_PANIC_UNWIND (UINT64_C(1) << 0)

/* Marks the entry function as exported from the shared library. */
#if defined(_WIN32) || defined(__CYGWIN__)
#define CXM_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define CXM_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CXM_PLUGIN_EXPORT
#endif

/* ---------------------------------------------------------------------------------------
 * Row status codes (one uint8_t per row of a batch). The host reports code i < 8 under
 * the i-th name of CXM_STANDARD_REASONS.
 * ------------------------------------------------------------------------------------- */

#define CXM_ROW_USED 0              /* the row entered the metric's formula */
#define CXM_ROW_EMPTY 1             /* a required input was empty (null) */
#define CXM_ROW_NOT_A_NUMBER 2      /* a numeric input did not parse (set by the host) */
#define CXM_ROW_OUT_OF_SCALE 3      /* the value is outside the metric's scale */
#define CXM_ROW_INVALID_VALUE 4     /* a date/boolean/text input did not parse (host) */
#define CXM_ROW_NEGATIVE_DURATION 5 /* a duration came out negative */
#define CXM_ROW_INVALID_WEIGHT 6    /* weight missing, negative or NaN (set by the host) */
#define CXM_ROW_INVALID_GROUP 7     /* a grouping value did not parse (set by the host) */
/* Codes from here up name the metric's own reasons: BASE + i is CxmMetric.reasons[i]. At
 * most 191 own reasons. */
#define CXM_ROW_PLUGIN_REASON_BASE 64

/* Initializer for the names of the standard codes, indexed by code:
 *   static const char* const names[] = CXM_STANDARD_REASONS;  */
#define CXM_STANDARD_REASONS                                                    \
  {"used",          "empty",             "not_a_number",   "out_of_scale",       \
   "invalid_value", "negative_duration", "invalid_weight", "invalid_group"}

/* ---------------------------------------------------------------------------------------
 * Status codes
 *
 * Every function returns an int32_t status code (CxmStatusCode in Rust). The host reads a
 * code outside these five as CXM_STATUS_FAILED.
 * ------------------------------------------------------------------------------------- */

typedef int32_t CxmStatus;

#define CXM_STATUS_OK ((CxmStatus)0)             /* success */
#define CXM_STATUS_INVALID_PARAMS ((CxmStatus)1) /* bind: bad value, unknown key, wrong type */
#define CXM_STATUS_INVALID_INPUT ((CxmStatus)2)  /* bind: missing input, wrong Arrow type */
#define CXM_STATUS_FAILED ((CxmStatus)3)         /* failed while processing data */
#define CXM_STATUS_PANIC ((CxmStatus)4)          /* the plugin panicked / crashed internally */

/* ---------------------------------------------------------------------------------------
 * Arrow C Data Interface, exactly as specified by Apache Arrow
 * (https://arrow.apache.org/docs/format/CDataInterface.html), with its standard guard so
 * it coexists with arrow/c/abi.h, nanoarrow and others.
 * ------------------------------------------------------------------------------------- */

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

/* ---------------------------------------------------------------------------------------
 * Strings and owned bytes
 * ------------------------------------------------------------------------------------- */

/* A borrowed UTF-8 string: pointer and length, NOT NUL-terminated. ptr may be dangling
 * (but, for descriptor strings, should not be NULL) when len is 0. */
typedef struct CxmStr {
  const uint8_t* ptr;
  size_t len;
} CxmStr;

/* A CxmStr over a string literal (static storage), for static descriptors. */
#define CXM_STR(literal) \
  { (const uint8_t*)(literal), sizeof(literal) - 1 }

/* Bytes allocated by one side and handed to the other, with the allocator's own release
 * callback (the Arrow pattern). The receiver copies what it needs and calls
 * release(self) exactly once; release sets self->release to NULL. release is NULL when
 * there is nothing to free. The host passes out-parameters zeroed (all NULL / 0). */
typedef struct CxmOwnedBytes {
  const uint8_t* ptr;
  size_t len;
  void* private_data; /* allocator-private data for release */
  void (*release)(struct CxmOwnedBytes* self);
} CxmOwnedBytes;

/* An error message: UTF-8 text owned by the plugin. */
typedef CxmOwnedBytes CxmError;

/* ---------------------------------------------------------------------------------------
 * Batches
 * ------------------------------------------------------------------------------------- */

/* One batch of rows, owned by the host and borrowed for the duration of update. */
typedef struct CxmBatch {
  size_t struct_size;               /* sizeof(CxmBatch) as the host was built */
  size_t num_rows;                  /* number of rows */
  const struct ArrowArray* columns; /* struct array ("+s", as bound); children = inputs */
  const double* weights;            /* num_rows finite non-negative weights; NULL = all 1 */
  const uint32_t* group_ids;        /* num_rows ids below num_groups; NULL = all group 0 */
  uint32_t num_groups;              /* upper bound on group ids in this batch */
  uint8_t* row_status;              /* num_rows bytes, in and out (see CXM_ROW_*) */
} CxmBatch;

/* ---------------------------------------------------------------------------------------
 * Function signatures of a metric. None of these pointers may be NULL.
 * ------------------------------------------------------------------------------------- */

/* Validates params (UTF-8 JSON object, not NUL-terminated) and the input schema (format
 * "+s", children = mapped inputs); on success writes a new instance to *out_instance. */
typedef CxmStatus (*CxmBindFn)(CxmStr params_json, const struct ArrowSchema* input_schema,
                               void** out_instance, CxmError* out_error);

/* Folds one batch into the instance. */
typedef CxmStatus (*CxmUpdateFn)(void* instance, const CxmBatch* batch, CxmError* out_error);

/* Folds group g < src_groups of src into group group_map[g] of dst. src is only read. */
typedef CxmStatus (*CxmMergeFn)(void* dst, const void* src, const uint32_t* group_map,
                                uint32_t src_groups, CxmError* out_error);

/* Writes the result of one group as UTF-8 JSON to *out_result. A group that never
 * received a row yields the metric's empty result (n = 0). */
typedef CxmStatus (*CxmFinishFn)(const void* instance, uint32_t group, CxmOwnedBytes* out_result,
                                 CxmError* out_error);

/* Frees an instance. Never fails. */
typedef void (*CxmReleaseFn)(void* instance);

/* ABI 1.1: writes the results of groups[0..num_groups], in that order, as one block (see
 * the top of this file) to *out_results. Groups that never received a row yield the
 * metric's empty result, as with finish. */
typedef CxmStatus (*CxmFinishManyFn)(const void* instance, const uint32_t* groups,
                                     size_t num_groups, CxmOwnedBytes* out_results,
                                     CxmError* out_error);

/* ---------------------------------------------------------------------------------------
 * Descriptors (static, immutable; pointed into for the life of the process)
 * ------------------------------------------------------------------------------------- */

/* Name of a variadic input declaration: a metric that declares an input named "*"
 * accepts any number of further inputs of that input's type, named by the config. They
 * follow the declared inputs in the bound schema (in config order). */
#define CXM_VARIADIC_INPUT "*"

/* One declared input of a metric. */
typedef struct CxmInput {
  CxmStr name;         /* as the config's `inputs = { name = "field" }` uses it */
  CxmStr arrow_format; /* "l" int64, "g" float64, "u" utf8, "b" boolean, "tdD" date32,
                          "tsu:UTC" timestamp[us, UTC] */
  uint8_t required;    /* 1 = must be mapped, 0 = optional */
  CxmStr description;  /* one sentence for `cxm plugins` */
} CxmInput;

/* One metric exported by a library. */
typedef struct CxmMetric {
  size_t struct_size;    /* sizeof(CxmMetric) as the library was built */
  CxmStr name;           /* unique within the library */
  CxmStr description;    /* one sentence for `cxm plugins` */
  const CxmInput* inputs;
  size_t num_inputs;
  CxmStr params_doc;     /* JSON array of {"name","type","default","description"}; "" = [] */
  const CxmStr* reasons; /* own rejection reasons, CXM_ROW_PLUGIN_REASON_BASE + index */
  size_t num_reasons;    /* at most 191 */
  CxmBindFn bind;
  CxmUpdateFn update;
  CxmMergeFn merge;
  CxmFinishFn finish;
  CxmReleaseFn release;
#if CXM_ABI_MINOR >= 1
  CxmFinishManyFn finish_many; /* ABI 1.1; NULL = finish per group */
#endif
} CxmMetric;

/* The module descriptor returned by the entry symbol. The first three fields stay first
 * in every ABI version; the host checks them before reading anything else. */
typedef struct CxmModule {
  uint32_t abi_major; /* CXM_ABI_MAJOR */
  uint32_t abi_minor; /* CXM_ABI_MINOR */
  size_t struct_size; /* sizeof(CxmModule) */
  uint64_t flags;     /* CXM_FLAG_* bits */
  CxmStr name;        /* library name */
  CxmStr version;     /* library version */
  const CxmMetric* metrics;
  size_t num_metrics;
} CxmModule;

/* Signature of the entry symbol:
 *   CXM_PLUGIN_EXPORT const CxmModule* cxm_plugin_entry_v1(void);  */
typedef const CxmModule* (*CxmEntryFn)(void);

/* ---------------------------------------------------------------------------------------
 * Layout checks against the Rust definitions
 * ------------------------------------------------------------------------------------- */

#ifdef __cplusplus
#define CXM_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define CXM_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

CXM_STATIC_ASSERT(sizeof(size_t) == sizeof(void*), "usize must be pointer-sized");
CXM_STATIC_ASSERT(sizeof(CxmStatus) == 4, "CxmStatus is an int32_t");
CXM_STATIC_ASSERT(sizeof(CxmStr) == 2 * sizeof(void*), "CxmStr layout");
CXM_STATIC_ASSERT(sizeof(CxmOwnedBytes) == 4 * sizeof(void*), "CxmOwnedBytes layout");
CXM_STATIC_ASSERT(offsetof(CxmModule, abi_major) == 0, "abi_major must be first");
CXM_STATIC_ASSERT(offsetof(CxmModule, abi_minor) == 4, "abi_minor must be second");
CXM_STATIC_ASSERT(offsetof(CxmModule, struct_size) == 8, "struct_size must be third");
#if CXM_ABI_MINOR >= 1
CXM_STATIC_ASSERT(sizeof(CxmMetric) == 17 * sizeof(void*), "CxmMetric layout (1.1)");
CXM_STATIC_ASSERT(offsetof(CxmMetric, finish_many) == 16 * sizeof(void*), "CxmMetric layout");
#else
CXM_STATIC_ASSERT(sizeof(CxmMetric) == 16 * sizeof(void*), "CxmMetric layout (1.0)");
#endif
CXM_STATIC_ASSERT(offsetof(CxmBatch, row_status) == 6 * sizeof(void*), "CxmBatch layout");
CXM_STATIC_ASSERT(sizeof(CxmBatch) == 7 * sizeof(void*), "CxmBatch layout");

#if UINTPTR_MAX == UINT64_MAX
/* Exact sizes and offsets of the Rust structs on 64-bit targets. */
CXM_STATIC_ASSERT(sizeof(CxmInput) == 56 && offsetof(CxmInput, required) == 32 &&
                      offsetof(CxmInput, description) == 40,
                  "CxmInput layout");
CXM_STATIC_ASSERT(offsetof(CxmMetric, params_doc) == 56 && offsetof(CxmMetric, bind) == 88 &&
                      offsetof(CxmMetric, release) == 120,
                  "CxmMetric layout");
CXM_STATIC_ASSERT(offsetof(CxmBatch, num_groups) == 40, "CxmBatch layout");
CXM_STATIC_ASSERT(sizeof(CxmModule) == 72 && offsetof(CxmModule, flags) == 16 &&
                      offsetof(CxmModule, name) == 24 && offsetof(CxmModule, metrics) == 56 &&
                      offsetof(CxmModule, num_metrics) == 64,
                  "CxmModule layout");
CXM_STATIC_ASSERT(sizeof(struct ArrowSchema) == 72, "ArrowSchema layout");
CXM_STATIC_ASSERT(sizeof(struct ArrowArray) == 80, "ArrowArray layout");
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CXM_H */
