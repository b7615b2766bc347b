//! Helpers for the integration tests: the real `cxm` binary, the real plugin libraries built
//! beside it, and temporary configs, registries and datasets.
#![allow(dead_code)]

pub mod limited;
pub mod warehouse;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `cxm` binary under test, with a fixed run date (`SOURCE_DATE_EPOCH`, 2026-01-01) so
/// that two runs of the same input give the same bytes.
pub fn cxm() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cxm"));
    c.current_dir(repo()).env("SOURCE_DATE_EPOCH", "1767225600");
    c
}

/// Runs `cxm` with arguments.
pub fn run(args: &[&str]) -> Output {
    cxm().args(args).output().expect("cxm runs")
}

/// The directory the binary (and so the plugin libraries) was built into.
pub fn build_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_cxm"))
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

/// Path of a plugin library built in this workspace (crate `name`, dashes allowed).
pub fn library(name: &str) -> PathBuf {
    let file = format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    );
    let path = build_dir().join(file);
    assert!(
        path.is_file(),
        "{} is missing: build the plugins first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary workspace for one test: a registry listing libraries, datasets and configs.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Writes `plugins.toml` registering `entries` (registry name, crate name, sha256).
    pub fn registry(&self, entries: &[(&str, &str, Option<&str>)]) -> PathBuf {
        let mut text = String::new();
        for (name, krate, sha) in entries {
            text.push_str(&format!(
                "[plugins.{name}]\npath = {:?}\n",
                library(krate).display().to_string()
            ));
            if let Some(sha) = sha {
                text.push_str(&format!("sha256 = \"{sha}\"\n"));
            }
        }
        self.write("plugins.toml", &text)
    }

    /// The standard NPS/CSAT/CES registry.
    pub fn survey_registry(&self) -> PathBuf {
        self.registry(&[
            ("nps", "cxm-plugin-nps", None),
            ("csat", "cxm-plugin-csat", None),
            ("ces", "cxm-plugin-ces", None),
            ("panicky", "cxm-test-panicky", None),
            ("mean-score", "cxm-example-mean-score", None),
        ])
    }
}

/// Parses stdout as JSON.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(o)))
}

/// The result object of `metric` with exactly this group (`{}` for overall).
pub fn result<'a>(
    report: &'a serde_json::Value,
    metric: &str,
    group: serde_json::Value,
) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["metric"] == metric && r["group"] == group)
        .unwrap_or_else(|| panic!("no result for {metric} {group}"))
}

/// Compiles the C plugin `tests/c-plugin/<source>.c` against `crates/cxm-abi/cxm.h` with the
/// system C compiler (`CC`, default `cc`) into `dir` as library `name`; returns its path.
pub fn build_c_plugin(source: &str, name: &str, dir: &Path) -> PathBuf {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let out = dir.join(format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let mut cmd = Command::new(&cc);
    cmd.args([
        "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
    ])
    .arg("-I")
    .arg(repo().join("crates/cxm-abi"))
    .arg(repo().join(format!("tests/c-plugin/{source}.c")))
    .arg("-o")
    .arg(&out);
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}` (set CC): {e}"));
    assert!(
        o.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.is_file(), "{} was not produced", out.display());
    out
}

/// Runs a Python 3 script (`python3 -c`) with `args`; returns its standard output and fails
/// the test, with its standard error, when it fails.
pub fn python(script: &str, args: &[&Path]) -> String {
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What must be identical however a dataset was read (file format, streamed or pushed
/// down): every result, and each metric's and dataset's counts.
pub fn figures_and_counts(report: &serde_json::Value) -> serde_json::Value {
    let pick = |part: &str, keys: &[&str]| -> Vec<serde_json::Value> {
        report[part]
            .as_array()
            .expect(part)
            .iter()
            .map(|item| keys.iter().map(|k| item[*k].clone()).collect())
            .collect()
    };
    serde_json::json!({
        "results": pick("results", &["metric", "group", "value", "n", "ci", "details", "trend"]),
        "metrics": pick("metrics", &["metric", "rows_used", "rows_rejected", "rows_filtered", "error"]),
        "datasets": pick("datasets", &["name", "rows_read", "rows_accepted", "invalid_values"]),
    })
}
