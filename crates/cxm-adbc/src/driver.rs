//! Loading ADBC driver libraries: by path (checked against a sha256 pin when one is given,
//! before the library is opened) or by name through ADBC driver manifests (`ADBC_DRIVER_PATH`,
//! the user's and the system's driver folders, as the driver manager searches them). Each
//! library is loaded once per process and kept loaded.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use adbc_core::options::{AdbcVersion, OptionDatabase, OptionValue};
use adbc_core::Driver;
use adbc_driver_manager::{ManagedDatabase, ManagedDriver};
use sha2::{Digest, Sha256};

/// Which driver to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverRef {
    /// A name the driver manager resolves through driver manifests (`postgresql`, `sqlite`).
    Name(String),
    /// A driver library, with the lowercase hex sha256 it must have, if pinned.
    Path {
        /// The library file.
        path: PathBuf,
        /// The expected sha256 of the file.
        sha256: Option<String>,
    },
}

impl std::fmt::Display for DriverRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DriverRef::Name(n) => write!(f, "driver \"{n}\""),
            DriverRef::Path { path, .. } => write!(f, "driver {}", path.display()),
        }
    }
}

/// The drivers loaded so far, by what named them: never dropped, so never unloaded.
fn loaded() -> &'static Mutex<HashMap<String, ManagedDriver>> {
    static LOADED: OnceLock<Mutex<HashMap<String, ManagedDriver>>> = OnceLock::new();
    LOADED.get_or_init(|| Mutex::new(HashMap::new()))
}

fn sha256_of(path: &std::path::Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Loads a driver (or returns the one already loaded), trying ADBC 1.1 and then 1.0. The
/// error says which driver and why, in words for the person running cxm.
pub fn load_driver(driver: &DriverRef) -> Result<ManagedDriver, String> {
    let key = match driver {
        DriverRef::Name(n) => format!("name:{n}"),
        DriverRef::Path { path, .. } => format!("path:{}", path.display()),
    };
    if let DriverRef::Path { path, sha256 } = driver {
        if !path.is_file() {
            return Err(format!("{driver}: no such file"));
        }
        if let Some(expected) = sha256 {
            let actual = sha256_of(path)?;
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(format!(
                    "{driver}: sha256 is {actual}, but the config pins {expected}; the library changed since it was pinned: check where it came from, then update driver_sha256"
                ));
            }
        }
    }
    let mut cache = loaded()
        .lock()
        .map_err(|_| "driver cache poisoned".to_string())?;
    if let Some(d) = cache.get(&key) {
        return Ok(d.clone());
    }
    let load = |version| match driver {
        DriverRef::Name(n) => {
            ManagedDriver::load_from_name(n, None, version, adbc_core::LOAD_FLAG_DEFAULT, None)
        }
        DriverRef::Path { path, .. } => {
            ManagedDriver::load_dynamic_from_filename(path, None, version)
        }
    };
    let d = load(AdbcVersion::V110)
        .or_else(|_| load(AdbcVersion::V100))
        .map_err(|e| {
            let hint = match driver {
                DriverRef::Name(_) => "; give the library's path as driver = \"…/libadbc_driver_….so\", or install a driver manifest (see the README)",
                DriverRef::Path { .. } => "; is it an ADBC driver built for this system?",
            };
            format!("{driver} could not be loaded: {}{hint}", e.message.trim())
        })?;
    cache.insert(key, d.clone());
    Ok(d)
}

/// A database handle for `uri`.
pub(crate) fn database(
    driver: &ManagedDriver,
    uri: &str,
) -> Result<ManagedDatabase, adbc_core::error::Error> {
    let mut driver = driver.clone();
    driver.new_database_with_opts([(OptionDatabase::Uri, OptionValue::String(uri.to_string()))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_mispinned_libraries_are_refused_before_loading() {
        let e = load_driver(&DriverRef::Path {
            path: "/nonexistent/libadbc_driver_x.so".into(),
            sha256: None,
        })
        .unwrap_err();
        assert!(e.contains("no such file"), "{e}");
        let dir = std::env::temp_dir().join(format!("cxm-adbc-pin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lib = dir.join("libfake.so");
        std::fs::write(&lib, b"not a library").unwrap();
        let e = load_driver(&DriverRef::Path {
            path: lib.clone(),
            sha256: Some("00".repeat(32)),
        })
        .unwrap_err();
        assert!(e.contains("sha256 is") && e.contains("pins 0000"), "{e}");
        // Not pinned: it is opened, and is not a library.
        let e = load_driver(&DriverRef::Path {
            path: lib,
            sha256: None,
        })
        .unwrap_err();
        assert!(e.contains("could not be loaded"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
