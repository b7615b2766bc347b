//! The host side of the cxm plugin ABI: loads plugin libraries (each canonical path once,
//! never unloaded), verifies an optional SHA-256 before `dlopen`, checks the ABI version
//! before calling anything else, and wraps every plugin function in a safe API.

mod error;
mod fingerprint;
pub mod guard;
mod instance;
mod library;
pub mod remote;

pub use cxm_abi::CxmStatus;
pub use error::HostError;
pub use instance::{
    Instance, InstanceBatch, InstanceTemplate, PendingMerge, PendingUpdate, Shared,
};
pub use library::{
    file_sha256, load_library, load_library_isolated, prestart_isolated, InputDef, Library,
    MetricDef,
};
pub use remote::Isolation;

/// The ABI version this host speaks, as `major.minor`.
pub fn abi_version() -> String {
    format!("{}.{}", cxm_abi::ABI_MAJOR, cxm_abi::ABI_MINOR)
}
