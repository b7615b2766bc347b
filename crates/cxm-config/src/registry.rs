//! The plugin registry (`config/plugins.toml`): registered plugin names and the library
//! file each one lives in. A client config may list several registry files (company plugins
//! beside the built-ins); they are merged into one [`Registry`], each entry remembering its
//! own file, and a name registered in two of them is an error naming both.

use crate::error::{parse_toml, read_file, ConfigError, Location};
use crate::raw::{RawPlugins, RawRegistry};
use crate::validate::Ctx;

type Span = std::ops::Range<usize>;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A validated registry: one registry file, or the merged entries of several.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The registry file; with several, the first one listed.
    pub path: PathBuf,
    /// Every registry file, in the order the client config lists them (`path` first).
    pub paths: Vec<PathBuf>,
    /// Entries by registered name.
    pub entries: BTreeMap<String, RegistryEntry>,
}

/// One registered library.
#[derive(Debug, Clone)]
pub struct RegistryEntry {
    /// Registered name.
    pub name: String,
    /// The registry file the entry is in.
    pub file: PathBuf,
    /// Where the entry's name (the `NAME` of `[plugins.NAME]`) is in that file.
    pub name_location: Location,
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
    /// An error located at an entry (in the registry file that defines it).
    pub fn error_at(&self, entry: &RegistryEntry, message: impl Into<String>) -> ConfigError {
        ConfigError::at(&entry.file, Some(entry.location), message)
    }

    /// The registry files for messages: `plugins.toml`, or `plugins.toml and acme.toml`.
    pub fn files(&self) -> String {
        let names: Vec<String> = self.paths.iter().map(|p| p.display().to_string()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => self.path.display().to_string(),
        }
    }

    /// Merges further registries into this one, in order. A name registered in two of them
    /// is an error located at the second definition and naming the first (file, line and
    /// column).
    pub fn merge(
        mut self,
        others: impl IntoIterator<Item = Registry>,
    ) -> Result<Registry, ConfigError> {
        for registry in others {
            for (name, entry) in registry.entries {
                if let Some(first) = self.entries.get(&name) {
                    return Err(ConfigError::at(
                        &entry.file,
                        Some(entry.name_location),
                        format!(
                            "plugin \"{name}\" is also registered in {}:{}:{}; a name must be unique across the registries a client config lists: rename one of them",
                            first.file.display(),
                            first.name_location.line,
                            first.name_location.column
                        ),
                    ));
                }
                self.entries.insert(name, entry);
            }
            self.paths.extend(registry.paths);
        }
        Ok(self)
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
        let name_location = Location::of_offset(&source, name.span().start);
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
                file: path.to_path_buf(),
                name_location,
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
        paths: vec![path.to_path_buf()],
        entries,
    })
}

/// Loads the registry file or files `plugins` names (relative to the config) and merges
/// them; a file listed twice or missing is located at its mention in the config.
pub(crate) fn client_registries(
    ctx: &Ctx<'_>,
    base: &Path,
    plugins: &toml::Spanned<RawPlugins>,
) -> Result<Registry, ConfigError> {
    let files: Vec<(&str, Span)> = match plugins.get_ref() {
        RawPlugins::One(file) => vec![(file.as_str(), plugins.span())],
        RawPlugins::Many(list) => list
            .iter()
            .map(|f| (f.get_ref().as_str(), f.span()))
            .collect(),
    };
    if files.is_empty() {
        return Err(ctx.err(
            plugins.span(),
            "plugins lists no registry file: name one, e.g. plugins = \"../plugins.toml\"",
        ));
    }
    let mut loaded: Vec<Registry> = Vec::new();
    let mut seen: Vec<(PathBuf, Span)> = Vec::new();
    for (file, span) in files {
        let path = base.join(file);
        if !path.is_file() {
            return Err(ctx.err(
                span,
                format!("plugin registry {} not found", path.display()),
            ));
        }
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == canonical) {
            let at = ctx.loc(first.clone());
            return Err(ctx.err(
                span,
                format!(
                    "plugin registry {} is listed twice (first at line {}, column {})",
                    path.display(),
                    at.line,
                    at.column
                ),
            ));
        }
        seen.push((canonical, span));
        loaded.push(load_registry(&path)?);
    }
    let mut loaded = loaded.into_iter();
    match loaded.next() {
        Some(first) => first.merge(loaded),
        None => Err(ctx.err(plugins.span(), "plugins lists no registry file")),
    }
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

    /// A folder with `base.toml` (nps, csat), `acme.toml` (acme, and `extra`) and a client
    /// config listing `plugins`.
    fn client_with(
        plugins: &str,
        extra: &str,
    ) -> (tempfile::TempDir, Result<crate::ClientConfig, ConfigError>) {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "base.toml",
            "[plugins.nps]\npath = \"nps\"\n\n[plugins.csat]\npath = \"csat\"\n",
        );
        write(
            "acme.toml",
            &format!("[plugins.acme]\npath = \"acme\"\n{extra}"),
        );
        write("survey.csv", "score\n9\n");
        write(
            "client.toml",
            &format!("client = \"T\"\nplugins = {plugins}\n[datasets.s]\npath = \"survey.csv\"\n[datasets.s.fields]\nscore = \"score\"\n[[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"s\"\n"),
        );
        let loaded = crate::load_client(&dir.path().join("client.toml"));
        (dir, loaded)
    }

    #[test]
    fn a_client_may_list_several_registries() {
        let (dir, loaded) = client_with("[\"base.toml\", \"acme.toml\"]", "");
        let registry = loaded.unwrap().registry;
        let (base, acme) = (dir.path().join("base.toml"), dir.path().join("acme.toml"));
        assert_eq!(registry.path, base);
        assert_eq!(registry.paths, [base.clone(), acme.clone()]);
        assert_eq!(
            registry.entries.keys().collect::<Vec<_>>(),
            ["acme", "csat", "nps"]
        );
        // Each entry remembers its file, and errors at it are located there.
        assert_eq!(registry.entries["acme"].file, acme);
        assert_eq!(registry.entries["nps"].file, base);
        let err = registry.error_at(&registry.entries["acme"], "bad");
        assert_eq!(err.file, acme);
        assert_eq!(err.location, Some(Location { line: 2, column: 8 }));
        assert_eq!(
            registry.files(),
            format!("{} and {}", base.display(), acme.display())
        );

        // A single file, as before.
        let (_dir, loaded) = client_with("\"base.toml\"", "");
        let registry = loaded.unwrap().registry;
        assert_eq!(registry.paths.len(), 1);
        assert_eq!(registry.files(), registry.path.display().to_string());
    }

    #[test]
    fn a_name_in_two_registries_names_both_places() {
        let (dir, loaded) = client_with(
            "[\"base.toml\", \"acme.toml\"]",
            "\n[plugins.csat]\npath = \"other\"\n",
        );
        let err = loaded.unwrap_err();
        assert_eq!(err.file, dir.path().join("acme.toml"));
        assert_eq!(
            err.location,
            Some(Location {
                line: 4,
                column: 10
            })
        );
        let first = format!("{}:4:10", dir.path().join("base.toml").display());
        assert!(
            err.message
                .starts_with(&format!("plugin \"csat\" is also registered in {first}; ")),
            "{}",
            err.message
        );
    }

    #[test]
    fn registry_lists_are_checked() {
        for (plugins, column, words) in [
            ("[]", 11, "lists no registry file"),
            ("[\"base.toml\", \"nope.toml\"]", 25, "nope.toml not found"),
            (
                "[\"base.toml\", \"./base.toml\"]",
                25,
                "is listed twice (first at line 2, column 12)",
            ),
            ("[\"base.toml\", 7]", 25, "invalid type: integer `7`"),
            ("{ file = \"base.toml\" }", 11, "or a list of them"),
        ] {
            let (_dir, loaded) = client_with(plugins, "");
            let err = loaded.unwrap_err();
            assert_eq!(
                err.location,
                Some(Location { line: 2, column }),
                "{plugins}: {err}"
            );
            assert!(err.message.contains(words), "{plugins}: {err}");
            assert_eq!(err.kind, crate::ErrorKind::Config);
        }
    }
}
