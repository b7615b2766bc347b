/*
 * cxm-c-count-many: tests/c-plugin/count.c built as a plugin of ABI 1.1, with finish_many
 * (the results of many groups in one binary block; see the top of cxm.h), for
 * tests/c_plugin.rs.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I crates/cxm-abi \
 *           tests/c-plugin/many.c -o libcxm_c_count_many.so
 */

#define CXM_C_COUNT_MANY 1
#include "count.c"
