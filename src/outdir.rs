//! Atomic output: files are written into a staging directory beside the target and moved
//! into place only when the whole run succeeded, so a failed run leaves no partial output.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// A staging directory for one run's output files.
pub struct Staging {
    dir: tempfile::TempDir,
    target: PathBuf,
}

impl Staging {
    /// Prepares staging for `target` (created on commit if missing).
    pub fn new(target: &Path) -> anyhow::Result<Self> {
        if target.exists() && !target.is_dir() {
            anyhow::bail!("--out {}: exists and is not a directory", target.display());
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(".cxm-staging-")
            .tempdir_in(&parent)
            .with_context(|| {
                format!("cannot create a staging directory in {}", parent.display())
            })?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    /// Path of a file inside staging.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Moves the named files into the target directory (each rename is atomic). The
    /// staging directory is removed afterwards, or on drop if this is never called.
    pub fn commit(self, names: &[&str]) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.target)
            .with_context(|| format!("cannot create {}", self.target.display()))?;
        for name in names {
            let to = self.target.join(name);
            std::fs::rename(self.file(name), &to)
                .with_context(|| format!("cannot move {name} into {}", self.target.display()))?;
        }
        Ok(())
    }
}
