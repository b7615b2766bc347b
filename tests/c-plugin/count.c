/*
 * cxm-c-count: a cxm metric plugin written in plain C11 against crates/cxm-abi/cxm.h only.
 *
 * One metric, "c_count": the weighted number of rows with a non-negative integer "score",
 * per group. Empty scores are rejected as `empty`, negative ones as `out_of_scale`.
 * Params: none, except that a params object mentioning "fail" (e.g. `{ fail = true }`)
 * makes bind fail with CXM_STATUS_INVALID_PARAMS (used by tests/c_plugin.rs).
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I crates/cxm-abi \
 *           tests/c-plugin/count.c -o libcxm_c_count.so
 *
 * Every byte this library allocates is freed by this library: instances in c_release,
 * results and error messages by owned_bytes_release (their CxmOwnedBytes.release).
 *
 * Built on its own, it is a plugin of ABI 1.0, as written before 1.1 existed: its CxmMetric
 * ends at release and the host finishes one group at a time (JSON). tests/c-plugin/many.c
 * includes it with CXM_C_COUNT_MANY defined: "cxm-c-count-many", the same metric at ABI 1.1
 * with finish_many (and, for tests, params mentioning "garbage", "short" or "late" make its block
 * malformed; "late": only blocks starting at group 4096 or later).
 */

#ifndef CXM_C_COUNT_MANY
#define CXM_ABI_MINOR 0 /* a plugin of ABI 1.0 */
#endif
#include "cxm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CXM_C_COUNT_MANY
#define LIBRARY_NAME "cxm-c-count-many"
#else
#define LIBRARY_NAME "cxm-c-count"
#endif
#define LIBRARY_VERSION "0.1.0"
#define METRIC_NAME "c_count"
#define MESSAGE_PREFIX "plugin '" LIBRARY_NAME "' metric '" METRIC_NAME "': "

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

/* ------------------------------------------------------------------------------------ */
/* Owned bytes (results and error messages)                                              */
/* ------------------------------------------------------------------------------------ */

/* The release callback of every CxmOwnedBytes this library hands out: private_data is the
 * malloc'd buffer that ptr points into. */
static void owned_bytes_release(CxmOwnedBytes* bytes) {
  if (bytes == NULL || bytes->release == NULL) {
    return;
  }
  free(bytes->private_data);
  bytes->ptr = NULL;
  bytes->len = 0;
  bytes->private_data = NULL;
  bytes->release = NULL;
}

/* Formats into a malloc'd buffer and hands it to *out. Returns 0 on success, -1 when
 * formatting or allocation failed (then *out is left untouched). */
static int owned_printf(CxmOwnedBytes* out, const char* format, ...) PRINTF_LIKE(2, 3);

static int owned_printf(CxmOwnedBytes* out, const char* format, ...) {
  if (out == NULL) {
    return -1;
  }
  va_list args;
  va_start(args, format);
  int needed = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (needed < 0) {
    return -1;
  }
  char* text = (char*)malloc((size_t)needed + 1);
  if (text == NULL) {
    return -1;
  }
  va_start(args, format);
  int written = vsnprintf(text, (size_t)needed + 1, format, args);
  va_end(args);
  if (written != needed) {
    free(text);
    return -1;
  }
  out->ptr = (const uint8_t*)text;
  out->len = (size_t)needed; /* not counting the NUL: the ABI uses lengths */
  out->private_data = text;
  out->release = owned_bytes_release;
  return 0;
}

/* Writes "plugin '...' metric '...': <message>" to *out_error and returns status. If the
 * message cannot be allocated, the host reports the bare status instead. */
static CxmStatus fail_with(CxmStatus status, CxmError* out_error, const char* format, ...)
    PRINTF_LIKE(3, 4);

static CxmStatus fail_with(CxmStatus status, CxmError* out_error, const char* format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(message, sizeof message, format, args);
  va_end(args);
  if (n < 0) {
    message[0] = '\0';
  }
  (void)owned_printf(out_error, MESSAGE_PREFIX "%s", message);
  return status;
}

/* ------------------------------------------------------------------------------------ */
/* Instance: one weighted count per group                                                */
/* ------------------------------------------------------------------------------------ */

typedef struct Counter {
  double* counts; /* counts[g] for g < len */
  size_t len;
  size_t cap;
  int malformed; /* finish_many: 0 a good block, 1 garbage, 2 one result short, 3 garbage
                    for a block whose first group id is 4096 or more (a later block) */
} Counter;

/* Grows the counter to at least `groups` groups (new groups start at 0). */
static int counter_reserve(Counter* c, size_t groups) {
  if (groups <= c->len) {
    return 0;
  }
  if (groups > c->cap) {
    size_t cap = c->cap ? c->cap : 8;
    while (cap < groups) {
      if (cap > SIZE_MAX / 2 / sizeof(double)) {
        return -1;
      }
      cap *= 2;
    }
    double* grown = (double*)realloc(c->counts, cap * sizeof(double));
    if (grown == NULL) {
      return -1;
    }
    c->counts = grown;
    c->cap = cap;
  }
  memset(c->counts + c->len, 0, (groups - c->len) * sizeof(double));
  c->len = groups;
  return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Helpers for borrowed data                                                             */
/* ------------------------------------------------------------------------------------ */

static int str_contains(CxmStr haystack, const char* needle) {
  size_t n = strlen(needle);
  if (haystack.ptr == NULL || n > haystack.len) {
    return 0;
  }
  for (size_t i = 0; i + n <= haystack.len; i++) {
    if (memcmp(haystack.ptr + i, needle, n) == 0) {
      return 1;
    }
  }
  return 0;
}

static const char* or_empty(const char* s) { return s ? s : ""; }

/* Bit `i` of an Arrow validity bitmap (LSB first); a NULL bitmap means all valid. */
static int is_valid(const uint8_t* bitmap, int64_t i) {
  return bitmap == NULL || ((bitmap[i / 8] >> (i % 8)) & 1) != 0;
}

/* The validity bitmap of an array, or NULL when every slot is valid. */
static const uint8_t* validity_of(const struct ArrowArray* a) {
  if (a->null_count == 0 || a->n_buffers < 1 || a->buffers == NULL) {
    return NULL;
  }
  return (const uint8_t*)a->buffers[0];
}

/* ------------------------------------------------------------------------------------ */
/* The metric's functions                                                                */
/* ------------------------------------------------------------------------------------ */

static CxmStatus c_bind(CxmStr params_json, const struct ArrowSchema* input_schema,
                        void** out_instance, CxmError* out_error) {
  if (str_contains(params_json, "\"fail\"")) {
    return fail_with(CXM_STATUS_INVALID_PARAMS, out_error, "invalid params: fail requested");
  }
  if (input_schema == NULL || out_instance == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "bind called without schema or out_instance");
  }
  if (strcmp(or_empty(input_schema->format), "+s") != 0) {
    return fail_with(CXM_STATUS_INVALID_INPUT, out_error,
                     "input schema must be a struct (+s), got '%s'",
                     or_empty(input_schema->format));
  }
  if (input_schema->n_children != 1 || input_schema->children == NULL ||
      input_schema->children[0] == NULL) {
    return fail_with(CXM_STATUS_INVALID_INPUT, out_error,
                     "expected exactly one input 'score', got %lld",
                     (long long)input_schema->n_children);
  }
  const struct ArrowSchema* score = input_schema->children[0];
  if (strcmp(or_empty(score->name), "score") != 0) {
    return fail_with(CXM_STATUS_INVALID_INPUT, out_error, "unknown input '%s'",
                     or_empty(score->name));
  }
  if (strcmp(or_empty(score->format), "l") != 0) {
    return fail_with(CXM_STATUS_INVALID_INPUT, out_error, "input 'score' must be Arrow 'l', got '%s'",
                     or_empty(score->format));
  }
  Counter* counter = (Counter*)calloc(1, sizeof(Counter));
  if (counter == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "out of memory in bind");
  }
  counter->malformed = str_contains(params_json, "late") ? 3
                      : str_contains(params_json, "garbage") ? 1
                      : str_contains(params_json, "short") ? 2
                                                             : 0;
  *out_instance = counter;
  return CXM_STATUS_OK;
}

static CxmStatus c_update(void* instance, const CxmBatch* batch, CxmError* out_error) {
  Counter* counter = (Counter*)instance;
  if (counter == NULL || batch == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "update called without instance or batch");
  }
  size_t rows = batch->num_rows;
  if (rows == 0) {
    return CXM_STATUS_OK;
  }
  const struct ArrowArray* parent = batch->columns;
  if (parent == NULL || batch->row_status == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "batch without columns or row status");
  }
  if (parent->n_children < 1 || parent->children == NULL || parent->children[0] == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "batch lacks input 'score'");
  }
  const struct ArrowArray* score = parent->children[0];
  if (parent->offset < 0 || score->offset < 0 || score->length < 0 || score->n_buffers < 2 ||
      score->buffers == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "input 'score': malformed Arrow array");
  }
  /* A child of a struct array is read at child offset + parent offset (Arrow spec). */
  int64_t base = score->offset + parent->offset;
  if (score->length < parent->offset + (int64_t)rows) {
    return fail_with(CXM_STATUS_FAILED, out_error,
                     "input 'score': %lld values, need %lld", (long long)score->length,
                     (long long)(parent->offset + (int64_t)rows));
  }
  const int64_t* values = (const int64_t*)score->buffers[1];
  if (values == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "input 'score': no values buffer");
  }
  const uint8_t* score_valid = validity_of(score);
  const uint8_t* row_valid = validity_of(parent);

  size_t groups = batch->num_groups > 0 ? (size_t)batch->num_groups : 1;
  if (counter_reserve(counter, groups) != 0) {
    return fail_with(CXM_STATUS_FAILED, out_error, "out of memory for %zu groups", groups);
  }

  uint8_t* status = batch->row_status;
  for (size_t row = 0; row < rows; row++) {
    if (status[row] != CXM_ROW_USED) {
      continue; /* already rejected by the host */
    }
    int64_t i = base + (int64_t)row;
    if (!is_valid(row_valid, parent->offset + (int64_t)row) || !is_valid(score_valid, i)) {
      status[row] = CXM_ROW_EMPTY;
      continue;
    }
    if (values[i] < 0) {
      status[row] = CXM_ROW_OUT_OF_SCALE;
      continue;
    }
    size_t group = batch->group_ids ? (size_t)batch->group_ids[row] : 0;
    if (group >= counter->len) {
      return fail_with(CXM_STATUS_FAILED, out_error, "group id %zu out of range (num_groups %u)",
                       group, (unsigned)batch->num_groups);
    }
    counter->counts[group] += batch->weights ? batch->weights[row] : 1.0;
    status[row] = CXM_ROW_USED;
  }
  return CXM_STATUS_OK;
}

static CxmStatus c_merge(void* dst, const void* src, const uint32_t* group_map, uint32_t src_groups,
                         CxmError* out_error) {
  Counter* into = (Counter*)dst;
  const Counter* from = (const Counter*)src;
  if (into == NULL || from == NULL || (group_map == NULL && src_groups > 0)) {
    return fail_with(CXM_STATUS_FAILED, out_error, "merge called with a null argument");
  }
  if (into == from) {
    return fail_with(CXM_STATUS_FAILED, out_error, "cannot merge an instance into itself");
  }
  for (uint32_t g = 0; g < src_groups; g++) {
    size_t target = group_map[g];
    if (counter_reserve(into, target + 1) != 0) {
      return fail_with(CXM_STATUS_FAILED, out_error, "out of memory in merge");
    }
    if (g < from->len) {
      into->counts[target] += from->counts[g];
    }
  }
  return CXM_STATUS_OK;
}

static CxmStatus c_finish(const void* instance, uint32_t group, CxmOwnedBytes* out_result,
                          CxmError* out_error) {
  const Counter* counter = (const Counter*)instance;
  if (counter == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "finish called without instance");
  }
  double n = group < counter->len ? counter->counts[group] : 0.0;
  if (owned_printf(out_result, "{\"value\":%.17g,\"unit\":\"rows (C plugin)\",\"n\":%.17g}", n, n) !=
      0) {
    return fail_with(CXM_STATUS_FAILED, out_error, "cannot format the result");
  }
  return CXM_STATUS_OK;
}

#ifdef CXM_C_COUNT_MANY
/* Appends `len` bytes to the block being built (grown by doubling); -1 when out of memory. */
static int put(uint8_t** buf, size_t* len, size_t* cap, const void* bytes, size_t n) {
  if (*len + n > *cap) {
    size_t grown = *cap ? *cap * 2 : 256;
    while (grown < *len + n) {
      grown *= 2;
    }
    uint8_t* more = (uint8_t*)realloc(*buf, grown);
    if (more == NULL) {
      return -1;
    }
    *buf = more;
    *cap = grown;
  }
  memcpy(*buf + *len, bytes, n);
  *len += n;
  return 0;
}

/* ABI 1.1: the results of many groups in one block (layout at the top of cxm.h). This
 * assumes a little-endian machine, as the block is little-endian. */
static CxmStatus c_finish_many(const void* instance, const uint32_t* groups, size_t num_groups,
                               CxmOwnedBytes* out_results, CxmError* out_error) {
  const Counter* counter = (const Counter*)instance;
  if (counter == NULL || (groups == NULL && num_groups > 0)) {
    return fail_with(CXM_STATUS_FAILED, out_error, "finish_many called without instance");
  }
  static const char unit[] = "rows (C plugin)";
  int garbage = counter->malformed == 1 || (counter->malformed == 3 && num_groups > 0 && groups[0] >= 4096);
  uint32_t count = (uint32_t)num_groups - (counter->malformed == 2 && num_groups > 0);
  uint32_t header[5] = {0, 1, count, 1, (uint32_t)(sizeof unit - 1)};
  memcpy(header, "CXMR", 4);
  uint8_t* buf = NULL;
  size_t len = 0, cap = 0;
  int failed = garbage ? put(&buf, &len, &cap, "not a block", 11)
                                       : put(&buf, &len, &cap, header, sizeof header) ||
                                             put(&buf, &len, &cap, unit, sizeof unit - 1);
  for (uint32_t i = 0; i < count && !garbage && !failed; i++) {
    double n = groups[i] < counter->len ? counter->counts[groups[i]] : 0.0;
    /* flags (a value), unit (string 0), n, value; no details, warnings or tables */
    uint8_t flags = 1;
    uint32_t zero = 0;
    failed = put(&buf, &len, &cap, &flags, 1) || put(&buf, &len, &cap, &zero, 4) ||
             put(&buf, &len, &cap, &n, 8) || put(&buf, &len, &cap, &n, 8) ||
             put(&buf, &len, &cap, &zero, 4) || put(&buf, &len, &cap, &zero, 4) ||
             put(&buf, &len, &cap, &zero, 4);
  }
  if (failed) {
    free(buf);
    return fail_with(CXM_STATUS_FAILED, out_error, "out of memory in finish_many");
  }
  out_results->ptr = buf;
  out_results->len = len;
  out_results->private_data = buf;
  out_results->release = owned_bytes_release;
  return CXM_STATUS_OK;
}
#endif

static void c_release(void* instance) {
  Counter* counter = (Counter*)instance;
  if (counter == NULL) {
    return;
  }
  free(counter->counts);
  free(counter);
}

/* ------------------------------------------------------------------------------------ */
/* Static descriptor and entry symbol                                                    */
/* ------------------------------------------------------------------------------------ */

static const CxmInput c_count_inputs[] = {
    {CXM_STR("score"), CXM_STR("l"), 1, CXM_STR("Integer score; negative values are out of scale.")},
};

static const CxmMetric c_metrics[] = {
    {
        sizeof(CxmMetric),
        CXM_STR(METRIC_NAME),
        CXM_STR("Weighted number of rows with a non-negative score (a plugin written in C)."),
        c_count_inputs,
        sizeof c_count_inputs / sizeof c_count_inputs[0],
        CXM_STR("[{\"name\":\"fail\",\"type\":\"boolean\",\"default\":\"false\","
                "\"description\":\"Fail in bind (for tests).\"}]"),
        NULL, /* no own rejection reasons */
        0,
        c_bind,
        c_update,
        c_merge,
        c_finish,
        c_release,
#ifdef CXM_C_COUNT_MANY
        c_finish_many,
#endif
    },
};

static const CxmModule c_module = {
    CXM_ABI_MAJOR,
    CXM_ABI_MINOR,
    sizeof(CxmModule),
    0, /* flags: C has no unwinding panics */
    CXM_STR(LIBRARY_NAME),
    CXM_STR(LIBRARY_VERSION),
    c_metrics,
    sizeof c_metrics / sizeof c_metrics[0],
};

CXM_PLUGIN_EXPORT const CxmModule* cxm_plugin_entry_v1(void);

CXM_PLUGIN_EXPORT const CxmModule* cxm_plugin_entry_v1(void) { return &c_module; }
