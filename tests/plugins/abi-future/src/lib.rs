//! Test fixture: a library exporting the v1 entry symbol but claiming ABI minor 99, with
//! every other descriptor field null. The host must refuse it from the version fields alone,
//! before reading anything else (reading further would crash on the null pointers).

use cxm_abi::{CxmModule, CxmStr};

struct Module(CxmModule);
// SAFETY: immutable static data.
unsafe impl Sync for Module {}

static MODULE: Module = Module(CxmModule {
    abi_major: 1,
    abi_minor: 99,
    struct_size: 0,
    flags: 0,
    name: CxmStr {
        ptr: std::ptr::null(),
        len: 7,
    },
    version: CxmStr {
        ptr: std::ptr::null(),
        len: 7,
    },
    metrics: std::ptr::null(),
    num_metrics: 1_000_000,
});

/// The v1 entry symbol, returning a descriptor from a future minor version.
#[no_mangle]
pub extern "C" fn cxm_plugin_entry_v1() -> *const CxmModule {
    &MODULE.0
}
