//! Loading a plugin library and reading its descriptor into owned Rust values.

use crate::error::HostError;
use crate::instance::Instance;
use crate::remote::{Child, Isolation, RemoteMetric};
use cxm_abi::{CxmMetric, CxmModule, CxmStr, ABI_MAJOR, ABI_MINOR, ENTRY_SYMBOL_PREFIX};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::os::fd::FromRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// A loaded plugin library with its metrics.
#[derive(Debug)]
pub struct Library {
    /// Canonical path of the file.
    pub path: PathBuf,
    /// Library name from the descriptor.
    pub name: String,
    /// Library version from the descriptor.
    pub version: String,
    /// ABI the library was built for, `major.minor`.
    pub abi: String,
    /// Whether panics in the library unwind (and so can be reported instead of aborting).
    pub panic_unwind: bool,
    /// SHA-256 of the file (lowercase hex).
    pub sha256: String,
    /// Exported metrics.
    pub metrics: Vec<MetricDef>,
}

/// One metric exported by a library.
#[derive(Debug, Clone)]
pub struct MetricDef {
    /// Library name (for messages).
    pub library: String,
    /// Metric name.
    pub name: String,
    /// One-sentence description.
    pub description: String,
    /// Declared inputs.
    pub inputs: Vec<InputDef>,
    /// Params documentation (JSON array of `{name, type, default, description}`).
    pub params_doc: serde_json::Value,
    /// The metric's own rejection reasons.
    pub reasons: Vec<String>,
    pub(crate) backend: Backend,
}

/// Where a metric's code runs.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// In this process, through the library's function table.
    Local(CxmMetric),
    /// In a child process of its own ([`crate::remote`]).
    Remote(Arc<RemoteMetric>),
}

// SAFETY: the vtable holds function pointers and pointers into the immutable static memory
// of a library that is never unloaded; descriptor functions may be called from any thread.
// A remote metric holds only owned data and a mutex-guarded connection.
unsafe impl Send for MetricDef {}
// SAFETY: as above.
unsafe impl Sync for MetricDef {}

/// One declared input of a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDef {
    /// Input name.
    pub name: String,
    /// Arrow C Data Interface format (`l`, `g`, `u`, `b`, `tdD`, `tsu:UTC`).
    pub arrow_format: String,
    /// Whether the config must map it.
    pub required: bool,
    /// One-sentence description.
    pub description: String,
}

impl MetricDef {
    /// Whether two definitions are the same metric of the same library run the same way
    /// (isolated instances of one share its child process).
    pub fn same_metric(&self, other: &MetricDef) -> bool {
        match (&self.backend, &other.backend) {
            (Backend::Remote(a), Backend::Remote(b)) => Arc::ptr_eq(a, b),
            (Backend::Local(_), Backend::Local(_)) => {
                self.library == other.library && self.name == other.name
            }
            _ => false,
        }
    }

    /// Binds an instance: see [`Instance::bind`].
    pub fn bind(
        &self,
        params_json: &str,
        inputs: &[(String, arrow_schema::DataType)],
    ) -> Result<Instance, HostError> {
        Instance::bind(self, params_json, inputs)
    }

    /// The reason name of a row-status code.
    pub fn reason_name(&self, code: u8) -> String {
        let code = usize::from(code);
        let base = usize::from(cxm_abi::ROW_PLUGIN_REASON_BASE);
        if let Some(name) = cxm_abi::STANDARD_REASONS.get(code) {
            name.to_string()
        } else if let Some(name) = code.checked_sub(base).and_then(|i| self.reasons.get(i)) {
            name.clone()
        } else {
            format!("reason_{code}")
        }
    }
}

/// SHA-256 of a file, lowercase hex.
pub fn file_sha256(path: &Path) -> Result<String, std::io::Error> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Loaded libraries by canonical path and whether isolated.
type Loaded = Mutex<HashMap<(PathBuf, bool), Arc<Library>>>;

/// Libraries loaded so far.
fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(Default::default)
}

/// Children describing a library, started ahead by [`prestart_isolated`]: by canonical
/// path, with the SHA-256 they were started for.
type Starting = Mutex<HashMap<PathBuf, (String, Child)>>;

fn starting() -> &'static Starting {
    static STARTING: OnceLock<Starting> = OnceLock::new();
    STARTING.get_or_init(Default::default)
}

/// Starts the child that [`load_library_isolated`] will have describe the library at
/// `path`, without waiting for it: a caller about to load several isolated libraries starts
/// them all first, so that their processes start at the same time rather than one after
/// the other. Nothing is reported here; the load reports what went wrong.
pub fn prestart_isolated(path: &Path, expected_sha256: Option<&str>, limits: &Isolation) {
    let Ok((canonical, _, sha256)) = read_verified(path, expected_sha256) else {
        return;
    };
    let key = (canonical, true);
    if loaded()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains_key(&key)
    {
        return;
    }
    let mut started = starting().lock().unwrap_or_else(|p| p.into_inner());
    if started.contains_key(&key.0) {
        return;
    }
    if let Ok(child) = Child::start_describing(&key.0, &sha256, limits) {
        started.insert(key.0, (sha256, child));
    }
}

/// The file's bytes, read once, and their SHA-256, checked against the registry's.
fn read_verified(
    path: &Path,
    expected_sha256: Option<&str>,
) -> Result<(PathBuf, Vec<u8>, String), HostError> {
    let io = |source| HostError::Io {
        path: path.to_path_buf(),
        source,
    };
    let canonical = path.canonicalize().map_err(io)?;
    let bytes = std::fs::read(&canonical).map_err(io)?;
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Some(expected) = expected_sha256 {
        if !expected.eq_ignore_ascii_case(&sha256) {
            return Err(HostError::Sha256Mismatch {
                path: canonical,
                expected: expected.to_string(),
                actual: sha256,
            });
        }
    }
    Ok((canonical, bytes, sha256))
}

/// Loads the library at `path` to run in child processes, one per metric, with `limits`:
/// a child describes it (so its initialisers never run in this process), and each metric's
/// child loads exactly the bytes hashed here (it checks the SHA-256 again).
pub fn load_library_isolated(
    path: &Path,
    expected_sha256: Option<&str>,
    limits: &Isolation,
) -> Result<Arc<Library>, HostError> {
    let (canonical, _, sha256) = read_verified(path, expected_sha256)?;
    let key = (canonical.clone(), true);
    if let Some(lib) = loaded().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(lib.clone());
    }
    let started = starting()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&canonical)
        .filter(|(started_for, _)| *started_for == sha256)
        .map(|(_, child)| child);
    let (d, child) = Child::describe(&canonical, &sha256, limits, started)?;
    let spare: crate::remote::Spare = Arc::new(std::sync::Mutex::new(Some(child)));
    let invalid = |message: &str| HostError::InvalidDescriptor {
        path: canonical.clone(),
        message: message.to_string(),
    };
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let name = text(&d["name"]);
    let metrics = d["metrics"]
        .as_array()
        .ok_or_else(|| invalid("no metrics"))?
        .iter()
        .map(|m| MetricDef {
            library: name.clone(),
            name: text(&m["name"]),
            description: text(&m["description"]),
            inputs: m["inputs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|i| InputDef {
                            name: text(&i["name"]),
                            arrow_format: text(&i["arrow_format"]),
                            required: i["required"].as_bool().unwrap_or(false),
                            description: text(&i["description"]),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            params_doc: m["params_doc"].clone(),
            reasons: m["reasons"]
                .as_array()
                .map(|a| a.iter().map(text).collect())
                .unwrap_or_default(),
            backend: Backend::Remote(Arc::new(RemoteMetric::new(
                &canonical,
                &sha256,
                &text(&m["name"]),
                limits,
                &spare,
            ))),
        })
        .collect();
    let lib = Arc::new(Library {
        path: canonical,
        name,
        version: text(&d["version"]),
        abi: text(&d["abi"]),
        panic_unwind: d["panic_unwind"].as_bool().unwrap_or(false),
        sha256,
        metrics,
    });
    loaded()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, lib.clone());
    Ok(lib)
}

/// Loads the library at `path` into this process (once per canonical path; never
/// unloaded).
///
/// The file is read once; its SHA-256 is checked against `expected_sha256` (when given)
/// and exactly those bytes are loaded (through an anonymous memory file), so a file swapped
/// on disk between the check and the load cannot run. The library's own dependencies are
/// found by the dynamic loader as usual and are not covered by the hash.
pub fn load_library(path: &Path, expected_sha256: Option<&str>) -> Result<Arc<Library>, HostError> {
    let (canonical, bytes, sha256) = read_verified(path, expected_sha256)?;
    let mut cache = loaded().lock().unwrap_or_else(|p| p.into_inner());
    let key = (canonical.clone(), false);
    if let Some(lib) = cache.get(&key) {
        return Ok(lib.clone());
    }
    let lib = Arc::new(open(&canonical, &bytes, sha256)?);
    cache.insert(key, lib.clone());
    Ok(lib)
}

/// `bytes` in an anonymous memory file, opened by the dynamic loader through
/// `/proc/self/fd`; the file stays open for the life of the process.
fn load_bytes(path: &Path, bytes: &[u8]) -> Result<libloading::Library, HostError> {
    let load = |message: String| HostError::Load {
        path: path.to_path_buf(),
        message,
    };
    let name = c"cxm-plugin";
    // SAFETY: a valid NUL-terminated name and flags; the result is checked.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), 0) };
    if fd < 0 {
        return Err(load(format!(
            "cannot create a memory file to load the verified bytes: {}",
            std::io::Error::last_os_error()
        )));
    }
    // SAFETY: memfd_create returned a new descriptor that nothing else owns.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    std::io::Write::write_all(&mut file, bytes)
        .map_err(|e| load(format!("cannot write the memory file: {e}")))?;
    let proc_path = format!("/proc/self/fd/{fd}");
    // SAFETY: loading a library runs its initialisers; the user listed it in the plugin
    // registry (optionally pinned by SHA-256, checked on these very bytes).
    let library =
        unsafe { libloading::Library::new(&proc_path) }.map_err(|e| load(e.to_string()))?;
    // The loader keeps its own mapping; the descriptor stays open so /proc names stay
    // unique for the life of the process.
    std::mem::forget(file);
    Ok(library)
}

fn open(path: &Path, bytes: &[u8], sha256: String) -> Result<Library, HostError> {
    let invalid = |message: String| HostError::InvalidDescriptor {
        path: path.to_path_buf(),
        message,
    };
    let library = load_bytes(path, bytes)?;
    // Libraries are never unloaded: unloading while any pointer into them lives is unsound.
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    // SAFETY: the entry symbol's type is fixed by ABI v1.
    let entry = match unsafe { library.get::<cxm_abi::EntryFn>(cxm_abi::ENTRY_SYMBOL) } {
        Ok(entry) => *entry,
        Err(_) => return Err(missing_entry(library, path)),
    };
    // SAFETY: the SDK's entry catches panics and returns a static descriptor or null.
    let module = unsafe { entry() };
    if module.is_null() {
        return Err(invalid(
            "the entry function returned null (initialisation failed)".into(),
        ));
    }
    // Check the version fields, which stay first in every ABI version, before reading
    // anything else.
    // SAFETY: every ABI version starts with abi_major: u32, abi_minor: u32, struct_size.
    let (major, minor, size) = unsafe {
        (
            (*module).abi_major,
            (*module).abi_minor,
            (*module).struct_size,
        )
    };
    if major != ABI_MAJOR || minor > ABI_MINOR {
        return Err(HostError::AbiMismatch {
            path: path.to_path_buf(),
            built: format!("{major}.{minor}"),
            host: crate::abi_version(),
        });
    }
    if size < std::mem::size_of::<CxmModule>() {
        return Err(invalid(format!(
            "module struct_size {size} is smaller than ABI v1.0's"
        )));
    }
    // SAFETY: version and size checked; the descriptor is static and immutable.
    let module = unsafe { &*module };
    // SAFETY: as above; the descriptor comes from a library of ABI 1.0 to 1.ABI_MINOR.
    let metrics = unsafe { read_metrics(module, minor) }.map_err(&invalid)?;
    Ok(Library {
        path: path.to_path_buf(),
        version: read_str(module.version).map_err(&invalid)?,
        name: read_str(module.name).map_err(&invalid)?,
        abi: format!("{major}.{minor}"),
        panic_unwind: module.flags & cxm_abi::FLAG_PANIC_UNWIND != 0,
        sha256,
        metrics,
    })
}

/// The metrics of a module built for ABI `1.minor`. The array is walked by the library's
/// own `struct_size` (a library built for 1.0 has shorter descriptors), and only the fields
/// the library wrote are read: the rest stay null (`finish_many` of a 1.0 library).
///
/// # Safety
/// `module` must be a live descriptor whose `metrics` hold `num_metrics` descriptors of
/// `struct_size` bytes each, all the same.
pub(crate) unsafe fn read_metrics(
    module: &CxmModule,
    minor: u32,
) -> Result<Vec<MetricDef>, String> {
    let name = read_str(module.name)?;
    if module.num_metrics == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: there is at least one descriptor; struct_size is its first field in every
    // version.
    let stride = unsafe { (*module.metrics).struct_size };
    if stride < cxm_abi::METRIC_SIZE_V1_0 {
        return Err(format!(
            "metric struct_size {stride} is smaller than ABI v1.0's"
        ));
    }
    // Fields appended in minor m are read only from libraries built for m or later.
    let known = if minor >= 1 {
        cxm_abi::METRIC_SIZE_V1_1
    } else {
        cxm_abi::METRIC_SIZE_V1_0
    };
    let readable = stride.min(known);
    (0..module.num_metrics)
        .map(|i| {
            let mut m = std::mem::MaybeUninit::<CxmMetric>::zeroed();
            // SAFETY: descriptor `i` starts `i * stride` bytes into the array and holds at
            // least `readable` bytes; the fields of the v1.0 prefix are always written, and
            // the fields past `readable` are `Option`s of function pointers, for which all
            // zero bytes are `None`.
            let m = unsafe {
                let from = (module.metrics as *const u8).add(i * stride);
                std::ptr::copy_nonoverlapping(from, m.as_mut_ptr() as *mut u8, readable);
                m.assume_init()
            };
            read_metric(&name, m)
        })
        .collect()
}

/// The error for a library without a v1 entry: names the ABI it was built for, if any.
fn missing_entry(library: &libloading::Library, path: &Path) -> HostError {
    for major in (1..=32u32).filter(|m| *m != ABI_MAJOR) {
        let symbol = format!("{ENTRY_SYMBOL_PREFIX}{major}\0");
        // SAFETY: only the symbol's presence is checked; it is never called.
        if unsafe { library.get::<*const ()>(symbol.as_bytes()) }.is_ok() {
            return HostError::AbiMismatch {
                path: path.to_path_buf(),
                built: major.to_string(),
                host: crate::abi_version(),
            };
        }
    }
    HostError::NoEntry {
        path: path.to_path_buf(),
        host_major: ABI_MAJOR,
    }
}

fn read_str(s: CxmStr) -> Result<String, String> {
    if s.len == 0 {
        return Ok(String::new());
    }
    if s.ptr.is_null() {
        return Err("null string".into());
    }
    // SAFETY: descriptor strings point into the library's static memory.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    String::from_utf8(bytes.to_vec()).map_err(|_| "string is not UTF-8".into())
}

fn read_metric(library: &str, m: CxmMetric) -> Result<MetricDef, String> {
    if m.struct_size < cxm_abi::METRIC_SIZE_V1_0 {
        return Err(format!(
            "metric struct_size {} is smaller than ABI v1.0's",
            m.struct_size
        ));
    }
    let name = read_str(m.name)?;
    let inputs = (0..m.num_inputs)
        .map(|i| {
            // SAFETY: `inputs` holds num_inputs entries.
            let input = unsafe { *m.inputs.add(i) };
            Ok(InputDef {
                name: read_str(input.name)?,
                arrow_format: read_str(input.arrow_format)?,
                required: input.required != 0,
                description: read_str(input.description)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let reasons = (0..m.num_reasons)
        // SAFETY: `reasons` holds num_reasons entries.
        .map(|i| read_str(unsafe { *m.reasons.add(i) }))
        .collect::<Result<Vec<_>, String>>()?;
    let params_text = read_str(m.params_doc)?;
    let params_doc = if params_text.is_empty() {
        serde_json::Value::Array(Vec::new())
    } else {
        serde_json::from_str(&params_text)
            .map_err(|e| format!("metric '{name}': params_doc is not JSON: {e}"))?
    };
    Ok(MetricDef {
        library: library.to_string(),
        description: read_str(m.description)?,
        name,
        inputs,
        params_doc,
        reasons,
        backend: Backend::Local(m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxm_abi::{ArrowSchema, CxmBatch, CxmError, CxmOwnedBytes, CxmStatusCode};
    use std::ffi::c_void;

    unsafe extern "C" fn bind(
        _: CxmStr,
        _: *const ArrowSchema,
        _: *mut *mut c_void,
        _: *mut CxmError,
    ) -> CxmStatusCode {
        0
    }
    unsafe extern "C" fn update(_: *mut c_void, _: *const CxmBatch, _: *mut CxmError) -> i32 {
        0
    }
    unsafe extern "C" fn merge(
        _: *mut c_void,
        _: *const c_void,
        _: *const u32,
        _: u32,
        _: *mut CxmError,
    ) -> CxmStatusCode {
        0
    }
    unsafe extern "C" fn finish(
        _: *const c_void,
        _: u32,
        _: *mut CxmOwnedBytes,
        _: *mut CxmError,
    ) -> CxmStatusCode {
        0
    }
    unsafe extern "C" fn finish_many(
        _: *const c_void,
        _: *const u32,
        _: usize,
        _: *mut CxmOwnedBytes,
        _: *mut CxmError,
    ) -> CxmStatusCode {
        0
    }
    unsafe extern "C" fn release(_: *mut c_void) {}

    fn metric(name: &'static str, struct_size: usize) -> CxmMetric {
        CxmMetric {
            struct_size,
            name: CxmStr::from_static(name),
            description: CxmStr::empty(),
            inputs: std::ptr::null(),
            num_inputs: 0,
            params_doc: CxmStr::empty(),
            reasons: std::ptr::null(),
            num_reasons: 0,
            bind,
            update,
            merge,
            finish,
            release,
            finish_many: Some(finish_many),
        }
    }

    fn module(minor: u32, metrics: *const CxmMetric, num_metrics: usize) -> CxmModule {
        CxmModule {
            abi_major: 1,
            abi_minor: minor,
            struct_size: std::mem::size_of::<CxmModule>(),
            flags: 0,
            name: CxmStr::from_static("lib"),
            version: CxmStr::from_static("1"),
            metrics,
            num_metrics,
        }
    }

    #[test]
    fn descriptors_of_abi_1_0_are_walked_by_their_own_size() {
        // Two metrics as a library built for 1.0 lays them out: 16 words each, back to back
        // (here in a buffer of 1.1 descriptors, so that what follows each is readable and
        // would be misread as `finish_many` if the host read past 1.0's fields).
        let full = [metric("a", 0), metric("b", 0), metric("c", 0)];
        let mut words = vec![0usize; 3 * cxm_abi::METRIC_SIZE_V1_1 / 8];
        for (i, m) in full.iter().enumerate() {
            let mut m = *m;
            m.struct_size = cxm_abi::METRIC_SIZE_V1_0;
            // SAFETY: a CxmMetric is plain words; `words` has room for it at this offset.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    &m as *const CxmMetric as *const u8,
                    (words.as_mut_ptr() as *mut u8).add(i * cxm_abi::METRIC_SIZE_V1_0),
                    cxm_abi::METRIC_SIZE_V1_1,
                );
            }
        }
        let old = module(0, words.as_ptr() as *const CxmMetric, 2);
        // SAFETY: two descriptors of METRIC_SIZE_V1_0 bytes each.
        let read = unsafe { read_metrics(&old, 0) }.unwrap();
        let names: Vec<&str> = read.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        for m in &read {
            let Backend::Local(v) = &m.backend else {
                panic!("local");
            };
            assert!(v.finish_many.is_none(), "a 1.0 library has no finish_many");
        }
        // A 1.1 library: the field is read.
        let new = module(1, full.as_ptr(), 3);
        // SAFETY: three descriptors of METRIC_SIZE_V1_1 bytes each.
        let read = unsafe { read_metrics(&new, 1) };
        let err = read.unwrap_err();
        assert!(err.contains("struct_size 0"), "{err}");
        let full = [
            metric("a", cxm_abi::METRIC_SIZE_V1_1),
            metric("b", cxm_abi::METRIC_SIZE_V1_1),
        ];
        let new = module(1, full.as_ptr(), 2);
        // SAFETY: as above.
        let read = unsafe { read_metrics(&new, 1) }.unwrap();
        assert_eq!(read[1].name, "b");
        assert!(read
            .iter()
            .all(|m| matches!(&m.backend, Backend::Local(v) if v.finish_many.is_some())));
        // A library that says 1.0 but lays out 1.1 descriptors: the field is not read.
        let liar = module(0, full.as_ptr(), 2);
        // SAFETY: as above.
        let read = unsafe { read_metrics(&liar, 0) }.unwrap();
        assert_eq!(read[1].name, "b");
        assert!(read
            .iter()
            .all(|m| matches!(&m.backend, Backend::Local(v) if v.finish_many.is_none())));
    }
}
