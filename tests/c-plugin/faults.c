/*
 * cxm-c-faults: a cxm metric plugin in plain C11 (against crates/cxm-abi/cxm.h only) that
 * counts rows, and does one bad thing in one call when its params say so, for
 * tests/plugin_faults.rs: `params = { fault = "segfault", call = "update" }`.
 *
 * Faults that take the process down (only process isolation contains them):
 *   segfault        a write to an address in the never-mapped first page
 *   abort           abort()
 *   stack_overflow  unbounded recursion
 *   exit0           exit(0)
 *   endless_loop    a loop that never ends
 *   alloc           malloc + touch 16 MiB chunks until malloc fails, then abort() (xmalloc)
 *   oob_row_status  (update) writes past the end of row_status until the process dies
 * Faults the process survives, or does not notice:
 *   oob_input       (update) overwrites the borrowed input column with 10s: every other
 *                   metric reading the same column in this process sees 10s
 *   stdout          printf to stdout (a line, and a partial line left in stdio's buffer)
 *   bad_utf8        (finish) a result whose unit is not UTF-8
 *   n_negative      (finish) "n": -1
 *   n_null          (finish) "n": null (what NaN becomes in JSON)
 *   ci_inverted     (finish) a confidence interval with low > high
 *   status_200      (update) row status 200 (no such reason: the metric declares none)
 *   status_9        (update) row status 9 (not a standard code)
 *
 * `call` is bind, update, merge, finish or release (default update); the faults marked
 * (update) or (finish) happen there whatever it says. Every fault happens at the first such
 * call.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I crates/cxm-abi \
 *           tests/c-plugin/faults.c -o libcxm_c_faults.so
 */

#define _POSIX_C_SOURCE 200809L

#include "cxm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIBRARY_NAME "cxm-c-faults"
#define METRIC_NAME "c_fault"
#define MESSAGE_PREFIX "plugin '" LIBRARY_NAME "' metric '" METRIC_NAME "': "

/* ------------------------------------------------------------------------------------ */
/* Owned bytes                                                                           */
/* ------------------------------------------------------------------------------------ */

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

/* Hands a malloc'd copy of `len` bytes to *out. */
static int owned_copy(CxmOwnedBytes* out, const char* text, size_t len) {
  char* copy = (char*)malloc(len + 1);
  if (copy == NULL) {
    return -1;
  }
  memcpy(copy, text, len);
  copy[len] = '\0';
  out->ptr = (const uint8_t*)copy;
  out->len = len;
  out->private_data = copy;
  out->release = owned_bytes_release;
  return 0;
}

static CxmStatus fail_with(CxmStatus status, CxmError* out_error, const char* message) {
  char text[512];
  int n = snprintf(text, sizeof text, MESSAGE_PREFIX "%s", message);
  if (n > 0 && out_error != NULL) {
    (void)owned_copy(out_error, text, strlen(text));
  }
  return status;
}

/* ------------------------------------------------------------------------------------ */
/* The faults                                                                            */
/* ------------------------------------------------------------------------------------ */

typedef struct Faults {
  char fault[32];
  char call[16];
  double* counts; /* counts[g] for g < len */
  size_t len;
} Faults;

/* Recurses until the stack runs out; the depth test and the use of `frame` after the call
 * keep the compiler from removing the recursion or turning it into a loop. */
static size_t recurse(size_t depth) {
  volatile char frame[512];
  frame[depth % sizeof frame] = (char)depth;
  if (depth == (size_t)-1) {
    return 0;
  }
  return recurse(depth + 1) + (size_t)frame[depth % sizeof frame];
}

/* The faults that do not depend on the call's arguments; most never return. */
static void crash(const char* fault) {
  if (strcmp(fault, "segfault") == 0) {
    volatile int* volatile address = (volatile int*)(uintptr_t)16;
    *address = 1;
  } else if (strcmp(fault, "abort") == 0) {
    abort();
  } else if (strcmp(fault, "stack_overflow") == 0) {
    volatile size_t sink = recurse(0);
    (void)sink;
  } else if (strcmp(fault, "exit0") == 0) {
    exit(0);
  } else if (strcmp(fault, "endless_loop") == 0) {
    volatile unsigned long spins = 0;
    for (;;) {
      spins = spins + 1;
    }
  } else if (strcmp(fault, "alloc") == 0) {
    for (;;) {
      size_t size = (size_t)16 << 20;
      char* chunk = (char*)malloc(size);
      if (chunk == NULL) {
        abort(); /* what an xmalloc does */
      }
      memset(chunk, 1, size);
    }
  } else if (strcmp(fault, "stdout") == 0) {
    printf("c fault plugin: this line went to stdout\n");
    printf("{\"not\": \"the report\""); /* no newline: stays in stdio's buffer */
  }
}

static void fault_at(const Faults* f, const char* call) {
  if (strcmp(f->call, call) == 0) {
    crash(f->fault);
  }
}

/* Copies the string value of "key" in a flat JSON object into out (empty if absent). */
static void json_string(CxmStr json, const char* key, char* out, size_t cap) {
  out[0] = '\0';
  char quoted[40];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  size_t klen = strlen(quoted);
  const char* text = (const char*)json.ptr;
  for (size_t i = 0; text != NULL && i + klen <= json.len; i++) {
    if (memcmp(text + i, quoted, klen) != 0) {
      continue;
    }
    size_t j = i + klen;
    while (j < json.len && (text[j] == ' ' || text[j] == ':')) {
      j++;
    }
    if (j >= json.len || text[j] != '"') {
      return;
    }
    j++;
    size_t n = 0;
    while (j < json.len && text[j] != '"' && n + 1 < cap) {
      out[n++] = text[j++];
    }
    out[n] = '\0';
    return;
  }
}

/* ------------------------------------------------------------------------------------ */
/* The metric's functions                                                                */
/* ------------------------------------------------------------------------------------ */

static int reserve(Faults* f, size_t groups) {
  if (groups <= f->len) {
    return 0;
  }
  double* grown = (double*)realloc(f->counts, groups * sizeof(double));
  if (grown == NULL) {
    return -1;
  }
  memset(grown + f->len, 0, (groups - f->len) * sizeof(double));
  f->counts = grown;
  f->len = groups;
  return 0;
}

static CxmStatus f_bind(CxmStr params_json, const struct ArrowSchema* input_schema,
                        void** out_instance, CxmError* out_error) {
  if (input_schema == NULL || out_instance == NULL || input_schema->n_children != 1 ||
      input_schema->children == NULL || strcmp(input_schema->children[0]->format, "l") != 0) {
    return fail_with(CXM_STATUS_INVALID_INPUT, out_error, "expects one integer input 'score'");
  }
  Faults* f = (Faults*)calloc(1, sizeof(Faults));
  if (f == NULL) {
    return fail_with(CXM_STATUS_FAILED, out_error, "out of memory in bind");
  }
  json_string(params_json, "fault", f->fault, sizeof f->fault);
  json_string(params_json, "call", f->call, sizeof f->call);
  if (f->call[0] == '\0') {
    strcpy(f->call, "update");
  }
  fault_at(f, "bind");
  *out_instance = f;
  return CXM_STATUS_OK;
}

static CxmStatus f_update(void* instance, const CxmBatch* batch, CxmError* out_error) {
  Faults* f = (Faults*)instance;
  fault_at(f, "update");
  size_t rows = batch->num_rows;
  if (rows == 0) {
    return CXM_STATUS_OK;
  }
  const struct ArrowArray* parent = batch->columns;
  const struct ArrowArray* score = parent->children[0];
  int64_t base = score->offset + parent->offset;

  if (strcmp(f->fault, "oob_row_status") == 0) {
    /* Past the end of the host's row_status, on and on, until the process dies. */
    volatile uint8_t* status = batch->row_status;
    for (size_t i = rows;; i++) {
      status[i] = 0xAB;
    }
  }
  if (strcmp(f->fault, "oob_input") == 0) {
    /* The input column is borrowed read-only; write to it anyway. */
    int64_t* values = (int64_t*)(uintptr_t)score->buffers[1];
    for (size_t row = 0; row < rows; row++) {
      values[base + (int64_t)row] = 10;
    }
  }

  size_t groups = batch->num_groups > 0 ? (size_t)batch->num_groups : 1;
  if (reserve(f, groups) != 0) {
    return fail_with(CXM_STATUS_FAILED, out_error, "out of memory in update");
  }
  for (size_t row = 0; row < rows; row++) {
    if (batch->row_status[row] != CXM_ROW_USED) {
      continue;
    }
    size_t group = batch->group_ids ? (size_t)batch->group_ids[row] : 0;
    f->counts[group] += batch->weights ? batch->weights[row] : 1.0;
  }
  if (strcmp(f->fault, "status_200") == 0) {
    batch->row_status[0] = 200;
  } else if (strcmp(f->fault, "status_9") == 0) {
    batch->row_status[rows - 1] = 9;
  }
  return CXM_STATUS_OK;
}

static CxmStatus f_merge(void* dst, const void* src, const uint32_t* group_map, uint32_t src_groups,
                         CxmError* out_error) {
  Faults* into = (Faults*)dst;
  const Faults* from = (const Faults*)src;
  fault_at(into, "merge");
  for (uint32_t g = 0; g < src_groups; g++) {
    size_t target = group_map[g];
    if (reserve(into, target + 1) != 0) {
      return fail_with(CXM_STATUS_FAILED, out_error, "out of memory in merge");
    }
    if (g < from->len) {
      into->counts[target] += from->counts[g];
    }
  }
  return CXM_STATUS_OK;
}

static CxmStatus f_finish(const void* instance, uint32_t group, CxmOwnedBytes* out_result,
                          CxmError* out_error) {
  const Faults* f = (const Faults*)instance;
  fault_at(f, "finish");
  double n = group < f->len ? f->counts[group] : 0.0;
  char text[256];
  if (strcmp(f->fault, "bad_utf8") == 0) {
    snprintf(text, sizeof text, "{\"value\":%.17g,\"unit\":\"rows \xff\xfe\",\"n\":%.17g}", n, n);
  } else if (strcmp(f->fault, "n_negative") == 0) {
    snprintf(text, sizeof text, "{\"value\":%.17g,\"unit\":\"rows\",\"n\":-1}", n);
  } else if (strcmp(f->fault, "n_null") == 0) {
    snprintf(text, sizeof text, "{\"value\":%.17g,\"unit\":\"rows\",\"n\":null}", n);
  } else if (strcmp(f->fault, "ci_inverted") == 0) {
    snprintf(text, sizeof text,
             "{\"value\":%.17g,\"unit\":\"rows\",\"n\":%.17g,"
             "\"ci\":{\"low\":%.17g,\"high\":%.17g,\"level\":0.95,\"method\":\"upside down\"}}",
             n, n, n + 1, n - 1);
  } else {
    snprintf(text, sizeof text, "{\"value\":%.17g,\"unit\":\"rows\",\"n\":%.17g}", n, n);
  }
  if (owned_copy(out_result, text, strlen(text)) != 0) {
    return fail_with(CXM_STATUS_FAILED, out_error, "cannot allocate the result");
  }
  return CXM_STATUS_OK;
}

static void f_release(void* instance) {
  Faults* f = (Faults*)instance;
  if (f != NULL) {
    fault_at(f, "release");
    free(f->counts);
    free(f);
  }
}

/* ------------------------------------------------------------------------------------ */
/* Static descriptor and entry symbol                                                    */
/* ------------------------------------------------------------------------------------ */

static const CxmInput f_inputs[] = {
    {CXM_STR("score"), CXM_STR("l"), 1, CXM_STR("Any integer.")},
};

static const CxmMetric f_metrics[] = {
    {
        sizeof(CxmMetric),
        CXM_STR(METRIC_NAME),
        CXM_STR("Counts rows, then crashes, hangs or lies where told to (test fixture)."),
        f_inputs,
        sizeof f_inputs / sizeof f_inputs[0],
        CXM_STR("[{\"name\":\"fault\",\"type\":\"string\",\"default\":\"\",\"description\":\"The "
                "fault.\"},{\"name\":\"call\",\"type\":\"string\",\"default\":\"update\","
                "\"description\":\"Where.\"}]"),
        NULL,
        0,
        f_bind,
        f_update,
        f_merge,
        f_finish,
        f_release,
        NULL, /* ABI 1.1 without finish_many: the host calls f_finish, where the faults are */
    },
};

static const CxmModule f_module = {
    CXM_ABI_MAJOR,
    CXM_ABI_MINOR,
    sizeof(CxmModule),
    0,
    CXM_STR(LIBRARY_NAME),
    CXM_STR("0.1.0"),
    f_metrics,
    sizeof f_metrics / sizeof f_metrics[0],
};

CXM_PLUGIN_EXPORT const CxmModule* cxm_plugin_entry_v1(void);

CXM_PLUGIN_EXPORT const CxmModule* cxm_plugin_entry_v1(void) { return &f_module; }
