//! The plugin registry (`config/plugins.toml`): registered plugin names and the library
//! file each one lives in.

use crate::error::{parse_toml, read_file, ConfigError, Location};
use crate::raw::RawRegistry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A validated registry.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The registry file.
    pub path: PathBuf,
    /// Entries by registered name.
    pub entries: BTreeMap<String, RegistryEntry>,
}

/// One registered library.
#[derive(Debug, Clone)]
pub struct RegistryEntry {
    /// Registered name.
    pub name: String,
    /// The library file, resolved (platform prefix and suffix added when the registry
    /// leaves them out).
    pub library: PathBuf,
    /// Expected SHA-256 of the library, verified before loading.
    pub sha256: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Where the entry's `path` is in the registry file.
    pub location: Location,
}

impl Registry {
    /// An error located at an entry.
    pub fn error_at(&self, entry: &RegistryEntry, message: impl Into<String>) -> ConfigError {
        ConfigError::at(&self.path, Some(entry.location), message)
    }
}

/// Candidates for a library path: as written, then with the platform's prefix and suffix
/// (`lib…so`, `lib…dylib`, `….dll`) when the registry leaves them out.
fn candidates(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![path.to_path_buf()];
    if let Some(file) = path.file_name().and_then(|f| f.to_str()) {
        let prefix = std::env::consts::DLL_PREFIX;
        let suffix = std::env::consts::DLL_SUFFIX;
        let mut name = file.to_string();
        if !name.starts_with(prefix) {
            name = format!("{prefix}{name}");
        }
        if !name.ends_with(suffix) {
            name.push_str(suffix);
        }
        out.push(path.with_file_name(name));
    }
    out
}

/// Resolves a registry path to an existing library file, or lists what was tried.
pub fn resolve_library_path(path: &Path) -> Result<PathBuf, String> {
    let tried = candidates(path);
    tried.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        let list: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
        format!(
            "plugin library not found (tried {}); build the plugins first",
            list.join(", ")
        )
    })
}

/// Reads and validates a registry file. Library files are resolved here; a missing file is
/// reported when a metric uses that plugin, so an unrelated broken entry does not stop a run.
pub fn load_registry(path: &Path) -> Result<Registry, ConfigError> {
    let source = read_file(path, "plugin registry")?;
    let raw: RawRegistry = parse_toml(path, &source)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut entries = BTreeMap::new();
    for (name, entry) in raw.plugins {
        let location = Location::of_offset(&source, entry.path.span().start);
        let written = base.join(entry.path.get_ref());
        let library = resolve_library_path(&written).unwrap_or(written);
        let sha256 = match entry.sha256 {
            Some(s) => {
                let hex = s.get_ref().trim().to_ascii_lowercase();
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    let at = Location::of_offset(&source, s.span().start);
                    return Err(ConfigError::at(
                        path,
                        Some(at),
                        "sha256 must be 64 hexadecimal digits",
                    ));
                }
                Some(hex)
            }
            None => None,
        };
        let name = name.into_inner();
        entries.insert(
            name.clone(),
            RegistryEntry {
                name,
                library,
                sha256,
                description: entry.description,
                location,
            },
        );
    }
    Ok(Registry {
        path: path.to_path_buf(),
        entries,
    })
}

/// The registry a file refers to: the file itself when it is a registry, or the one a
/// client config names.
pub fn registry_of(path: &Path) -> Result<Registry, ConfigError> {
    let source = read_file(path, "config")?;
    let table: toml::Table = parse_toml(path, &source)?;
    if table.contains_key("client") {
        Ok(crate::load_client(path)?.registry)
    } else {
        load_registry(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_platform_prefix_and_suffix() {
        let c = candidates(Path::new("/x/target/release/cxm_plugin_nps"));
        let expected = format!(
            "/x/target/release/{}cxm_plugin_nps{}",
            std::env::consts::DLL_PREFIX,
            std::env::consts::DLL_SUFFIX
        );
        assert_eq!(c[1], PathBuf::from(expected));
    }

    #[test]
    fn unknown_keys_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plugins.toml");
        std::fs::write(&file, "[plugins.nps]\npath = \"x\"\nsha = \"y\"\n").unwrap();
        let err = load_registry(&file).unwrap_err();
        assert_eq!(err.location, Some(Location { line: 3, column: 1 }));
        assert!(
            err.message.contains("unknown field `sha`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_sha256_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plugins.toml");
        std::fs::write(&file, "[plugins.nps]\npath = \"x\"\nsha256 = \"abc\"\n").unwrap();
        let err = load_registry(&file).unwrap_err();
        assert_eq!(
            err.location,
            Some(Location {
                line: 3,
                column: 10
            })
        );
    }
}
