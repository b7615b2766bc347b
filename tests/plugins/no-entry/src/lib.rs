//! Test fixture: a dynamic library that is not a cxm plugin (no entry symbol at all).

/// Some unrelated export.
#[no_mangle]
pub extern "C" fn not_a_cxm_plugin() -> i32 {
    42
}
