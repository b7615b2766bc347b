//! Test fixture: a library built for a hypothetical cxm plugin ABI v2. It exports only
//! `cxm_plugin_entry_v2`, so a v1 host must refuse it and say which ABI it was built for.

/// The v2 entry symbol; never called by a v1 host.
#[no_mangle]
pub extern "C" fn cxm_plugin_entry_v2() -> *const u8 {
    std::ptr::null()
}
