//! Reading one `cxm run --out` folder: its results, its manifest and, when it can still be
//! found unchanged, the config the run read.

use crate::DiffError;
use cxm_report::RunReport;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The manifest layout this version reads.
pub const MANIFEST_SCHEMA: &str = "cxm.manifest/1";

/// The name under which an `--out` folder may hold a copy of the run's config. `cxm run`
/// does not write it yet; when it does, config drift no longer depends on the config file
/// still being where the run read it.
pub const CONFIG_COPY: &str = "config.toml";

/// A file and its hash, as the manifest records it.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct FileRef {
    /// Path as the run resolved it (relative to the folder cxm ran in, unless absolute).
    pub path: String,
    /// SHA-256 of the bytes read (lowercase hex).
    pub sha256: String,
}

/// A dataset in the manifest.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct DatasetRef {
    /// Dataset name in the config.
    pub name: String,
    /// File path as resolved.
    pub path: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// A metric's plugin library in the manifest.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct PluginRef {
    /// Metric id.
    pub metric: String,
    /// Metric name inside the library.
    pub plugin: String,
    /// Library (crate) name.
    pub library: String,
    /// Library version.
    pub version: String,
    /// ABI version.
    pub abi: String,
    /// Library path.
    pub path: String,
    /// SHA-256 of the library.
    pub sha256: String,
}

/// The parts of `manifest.json` a comparison reads.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct Manifest {
    /// Layout version, [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// The cxm version of the run.
    pub cxm_version: String,
    /// The client config.
    pub config: FileRef,
    /// Every plugin registry the config lists.
    pub registries: Vec<FileRef>,
    /// Every dataset read.
    pub datasets: Vec<DatasetRef>,
    /// One entry per metric.
    pub plugins: Vec<PluginRef>,
}

/// The config text of a run, or why it is not available.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigSource {
    /// The bytes the run read (their SHA-256 equals the manifest's), and where they are.
    Found {
        /// Where the text was read.
        path: PathBuf,
        /// The text.
        text: String,
    },
    /// Not available, in words (missing, or changed since the run).
    Unavailable(String),
}

/// One `--out` folder, read.
#[derive(Debug, Clone)]
pub struct RunFolder {
    /// The folder as given.
    pub dir: PathBuf,
    /// Its `results.json`.
    pub report: RunReport,
    /// Its `manifest.json`.
    pub manifest: Manifest,
    /// The run's config, for key-level drift.
    pub config: ConfigSource,
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read(path: &Path) -> Result<Vec<u8>, DiffError> {
    std::fs::read(path).map_err(|source| DiffError::Read {
        path: path.to_path_buf(),
        source,
    })
}

impl RunFolder {
    /// Reads `dir/results.json` and `dir/manifest.json`, and looks for the config the run
    /// read: `dir/config.toml` first, then the path in the manifest (relative paths are
    /// taken from the current folder, as `cxm run` recorded them). A config whose bytes no
    /// longer match the manifest's SHA-256 is not used.
    pub fn read(dir: &Path) -> Result<RunFolder, DiffError> {
        if !dir.is_dir() {
            return Err(DiffError::NoFolder {
                dir: dir.to_path_buf(),
            });
        }
        let results_path = dir.join("results.json");
        let manifest_path = dir.join("manifest.json");
        for missing in [&results_path, &manifest_path] {
            if !missing.is_file() {
                return Err(DiffError::NotAnOutFolder {
                    dir: dir.to_path_buf(),
                    missing: missing.clone(),
                });
            }
        }
        let report =
            cxm_report::parse_json(&read(&results_path)?).map_err(|source| DiffError::Results {
                path: results_path.clone(),
                source,
            })?;
        let manifest: Manifest =
            serde_json::from_slice(&read(&manifest_path)?).map_err(|source| {
                DiffError::Manifest {
                    path: manifest_path.clone(),
                    source,
                }
            })?;
        let manifest = checked_schema(manifest, manifest_path)?;
        let config = find_config(dir, &manifest.config);
        Ok(RunFolder {
            dir: dir.to_path_buf(),
            report,
            manifest,
            config,
        })
    }
}

impl RunFolder {
    /// The new side of a comparison made by `cxm run --baseline`, built from the run in
    /// memory instead of a folder: `report` is the run's report, `manifest` the
    /// `manifest.json` it writes (or would write), `config_text` the config as run (used
    /// only when its SHA-256 is the manifest's). `dir` names the run in the comparison
    /// (its `--out` folder, or a description).
    ///
    /// The report goes through its JSON form, as `results.json` would, so that the
    /// comparison is exactly the one `cxm diff` makes between the two folders afterwards.
    pub fn from_run(
        dir: &Path,
        report: &RunReport,
        manifest: &serde_json::Value,
        config_path: &Path,
        config_text: &str,
    ) -> Result<RunFolder, DiffError> {
        let results_path = dir.join("results.json");
        let manifest_path = dir.join("manifest.json");
        let mut json = Vec::new();
        cxm_report::render_json(report, &mut json).map_err(|source| DiffError::Results {
            path: results_path.clone(),
            source,
        })?;
        let report = cxm_report::parse_json(&json).map_err(|source| DiffError::Results {
            path: results_path,
            source,
        })?;
        let manifest: Manifest =
            serde_json::from_value(manifest.clone()).map_err(|source| DiffError::Manifest {
                path: manifest_path.clone(),
                source,
            })?;
        let manifest = checked_schema(manifest, manifest_path)?;
        let config = if sha256_hex(config_text.as_bytes()) == manifest.config.sha256 {
            ConfigSource::Found {
                path: config_path.to_path_buf(),
                text: config_text.to_string(),
            }
        } else {
            ConfigSource::Unavailable(format!(
                "{} changed while the run read it (its SHA-256 is not the manifest's)",
                config_path.display()
            ))
        };
        Ok(RunFolder {
            dir: dir.to_path_buf(),
            report,
            manifest,
            config,
        })
    }
}

/// The config text whose hash is the manifest's, from the copy in the folder or the
/// recorded path.
fn find_config(dir: &Path, recorded: &FileRef) -> ConfigSource {
    let mut reasons = Vec::new();
    for path in [dir.join(CONFIG_COPY), PathBuf::from(&recorded.path)] {
        if recorded.path.is_empty() && path != dir.join(CONFIG_COPY) {
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) if sha256_hex(&bytes) == recorded.sha256 => {
                return match String::from_utf8(bytes) {
                    Ok(text) => ConfigSource::Found { path, text },
                    Err(_) => {
                        ConfigSource::Unavailable(format!("{} is not UTF-8 text", path.display()))
                    }
                };
            }
            Ok(_) => reasons.push(format!(
                "{} has changed since the run (its SHA-256 is not the manifest's)",
                path.display()
            )),
            Err(_) if path == dir.join(CONFIG_COPY) => {}
            Err(e) if path.is_relative() => reasons.push(format!(
                "{}: {e} (the manifest's path is relative to the folder `cxm run` ran in: run \
                 `cxm diff` from there)",
                path.display()
            )),
            Err(e) => reasons.push(format!("{}: {e}", path.display())),
        }
    }
    if reasons.is_empty() {
        reasons.push("the manifest records no config path".to_string());
    }
    ConfigSource::Unavailable(reasons.join("; "))
}

/// The manifest, if it is of the schema this version reads.
fn checked_schema(manifest: Manifest, path: PathBuf) -> Result<Manifest, DiffError> {
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(DiffError::ManifestSchema {
            path,
            found: manifest.schema,
            expected: MANIFEST_SCHEMA,
        });
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_published_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_folder_without_results_is_named_with_the_missing_file() {
        let dir = std::env::temp_dir().join(format!("cxm-diff-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = RunFolder::read(&dir).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("is not a cxm --out folder"), "{text}");
        assert!(text.contains("results.json"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
        let err = RunFolder::read(&dir).unwrap_err();
        assert!(matches!(err, DiffError::NoFolder { .. }), "{err}");
    }

    #[test]
    fn the_config_copy_in_the_folder_wins_when_its_hash_matches() {
        let dir = std::env::temp_dir().join(format!("cxm-diff-copy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(CONFIG_COPY), "client = \"A\"\n").unwrap();
        let recorded = FileRef {
            path: "/nonexistent/client.toml".into(),
            sha256: sha256_hex(b"client = \"A\"\n"),
        };
        assert!(matches!(
            find_config(&dir, &recorded),
            ConfigSource::Found { .. }
        ));
        let stale = FileRef {
            path: "/nonexistent/client.toml".into(),
            sha256: sha256_hex(b"other"),
        };
        match find_config(&dir, &stale) {
            ConfigSource::Unavailable(why) => assert!(why.contains("changed since the run")),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
