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
    /// Whether the library runs in a child process of its own (`isolation = "process"`).
    pub isolated: bool,
    /// Wall time per call of an isolated library, seconds.
    pub timeout: Option<f64>,
    /// Memory limit of an isolated library's process, bytes.
    pub max_memory: Option<u64>,
}

/// Parses a memory size: `512 MiB`, `2 GiB`, `1.5 GB`, `100000000` (bytes).
pub fn parse_memory(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
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
        let at = |offset: usize| Some(Location::of_offset(&source, offset));
        let isolated = match &entry.isolation {
            None => false,
            Some(i) => match i.get_ref().as_str() {
                "process" => true,
                "none" | "in-process" => false,
                other => {
                    return Err(ConfigError::at(
                        path,
                        at(i.span().start),
                        format!("isolation \"{other}\": use \"process\" (a child process per metric) or \"in-process\""),
                    ))
                }
            },
        };
        let timeout = match &entry.timeout {
            Some(t) if !(*t.get_ref() > 0.0 && t.get_ref().is_finite()) => {
                return Err(ConfigError::at(
                    path,
                    at(t.span().start),
                    "timeout is the wall time a call may take, in seconds (e.g. 30)",
                ))
            }
            Some(t) => Some(*t.get_ref()),
            None => None,
        };
        let max_memory = match &entry.max_memory {
            Some(m) => Some(parse_memory(m.get_ref()).ok_or_else(|| {
                ConfigError::at(
                    path,
                    at(m.span().start),
                    format!(
                        "max_memory \"{}\": write a size such as \"512 MiB\" or \"2 GiB\"",
                        m.get_ref()
                    ),
                )
            })?),
            None => None,
        };
        if !isolated && (timeout.is_some() || max_memory.is_some()) {
            let offset = entry
                .timeout
                .as_ref()
                .map(|t| t.span().start)
                .or(entry.max_memory.as_ref().map(|m| m.span().start))
                .unwrap_or(entry.path.span().start);
            return Err(ConfigError::at(
                path,
                at(offset),
                "timeout and max_memory apply to an isolated plugin: add isolation = \"process\"",
            ));
        }
        let name = name.into_inner();
        entries.insert(
            name.clone(),
            RegistryEntry {
                name,
                library,
                sha256,
                description: entry.description,
                location,
                isolated,
                timeout,
                max_memory,
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
    fn memory_sizes() {
        assert_eq!(parse_memory("512 MiB"), Some(512 << 20));
        assert_eq!(parse_memory("2GiB"), Some(2 << 30));
        assert_eq!(parse_memory("1.5 GB"), Some(1_500_000_000));
        assert_eq!(parse_memory("100000"), Some(100_000));
        assert_eq!(parse_memory("lots"), None);
        assert_eq!(parse_memory("5 parsecs"), None);
        assert_eq!(parse_memory("0"), None);
    }

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
