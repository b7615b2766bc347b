//! `cxm plugin new NAME [--dir DIR] [--sdk PATH]`: writes a standalone metric plugin crate
//! to start from, outside any Cargo workspace, that builds with `cargo build --release` and
//! loads in cxm: `Cargo.toml` (a `cdylib` on `cxm-sdk` by path, with the release settings of
//! a fast row loop), `src/lib.rs` (a metric with an interval, a significance-test basis and
//! unit tests through the SDK's harness), `plugins.toml` (a registry with the library),
//! `client.toml` (a config that runs it) and a short `README.md`.
//!
//! cxm-sdk is not on crates.io, so the crate depends on it by path: by default the SDK of the
//! checkout this binary was built from (`CARGO_MANIFEST_DIR` at compile time), or `--sdk`.
//! The templates are the files under `plugin_template/`, with `{{…}}` placeholders.

use crate::exit::Usage;
use anyhow::Context;
use std::fs;
use std::path::{Path, PathBuf};

const CARGO_TOML: &str = include_str!("plugin_template/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("plugin_template/lib.rs.tmpl");
const PLUGINS_TOML: &str = include_str!("plugin_template/plugins.toml.tmpl");
const CLIENT_TOML: &str = include_str!("plugin_template/client.toml.tmpl");
const README_MD: &str = include_str!("plugin_template/README.md.tmpl");
const GITIGNORE: &str = include_str!("plugin_template/gitignore.tmpl");

/// The checkout this binary was built from: its SDK is the default `--sdk`, its demo survey
/// the data of the generated `client.toml`.
const BUILT_FROM: &str = env!("CARGO_MANIFEST_DIR");

/// Names a crate cannot take: Rust keywords (the library name is an identifier), the
/// standard crates, `test`, Cargo's build-directory names and Windows device names.
const RESERVED: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "alloc",
    "core",
    "proc_macro",
    "std",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
];

/// Type names the generated `src/lib.rs` already uses (from the SDK's prelude or its own).
const TAKEN_TYPES: &[&str] = &[
    "BoundInputs",
    "Deserialize",
    "Input",
    "InputType",
    "Interval",
    "Metric",
    "MetricResult",
    "Moments",
    "Param",
    "Params",
    "Reject",
    "Row",
    "Table",
    "TestBasis",
];

/// Checks that `name` can be the new crate's package name, returning why not.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let fix = "a plugin name is a Cargo package name: lowercase letters, digits, '-' and '_', \
               starting with a letter, at most 64 characters (e.g. acme-effort)";
    let Some(first) = name.chars().next() else {
        return Err(format!("the plugin name is empty: {fix}"));
    };
    if !first.is_ascii_lowercase() {
        return Err(format!("invalid plugin name \"{name}\": {fix}"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "invalid plugin name \"{name}\": '{bad}' is not allowed; {fix}"
        ));
    }
    if name.len() > 64 {
        return Err(format!("invalid plugin name \"{name}\": {fix}"));
    }
    let snake = name.replace('-', "_");
    if RESERVED.contains(&snake.as_str()) {
        return Err(format!(
            "invalid plugin name \"{name}\": it is reserved (a Rust keyword, a standard crate \
             or a name Cargo or Windows gives a meaning); choose another, e.g. {name}-metric"
        ));
    }
    Ok(())
}

/// The metric's type: `acme-effort` → `AcmeEffort` (with `Metric` appended where that name
/// is taken in the generated code).
fn type_name(name: &str) -> String {
    let mut out: String = name
        .split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    if TAKEN_TYPES.contains(&out.as_str()) {
        out.push_str("Metric");
    }
    out
}

/// `text` as a TOML string: literal (`'…'`) when it can be, else basic with escapes.
fn toml_string(text: &str) -> String {
    if !text.contains(['\'', '\n', '\r']) {
        return format!("'{text}'");
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `path` as UTF-8, or a usage error naming what it is.
fn utf8<'p>(path: &'p Path, what: &str) -> anyhow::Result<&'p str> {
    path.to_str().ok_or_else(|| {
        Usage(format!(
            "the {what} {} is not valid UTF-8, so it cannot go into Cargo.toml",
            path.display()
        ))
        .into()
    })
}

/// The SDK directory to depend on: `--sdk`, or `crates/cxm-sdk` of the checkout this binary
/// was built from; checked to hold the `cxm-sdk` package.
fn find_sdk(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let (candidate, given) = match explicit {
        Some(path) => (path.to_path_buf(), true),
        None => (Path::new(BUILT_FROM).join("crates").join("cxm-sdk"), false),
    };
    let dir = if candidate.file_name().is_some_and(|f| f == "Cargo.toml") {
        candidate
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf)
    } else {
        candidate.clone()
    };
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    let is_sdk = manifest
        .lines()
        .any(|l| l.replace(' ', "") == "name=\"cxm-sdk\"");
    if !is_sdk {
        let message = if given {
            format!(
                "--sdk {}: no cxm-sdk package there; give the crates/cxm-sdk folder of a cxm \
                 checkout",
                candidate.display()
            )
        } else {
            format!(
                "cxm-sdk is not where this cxm was built ({}): the checkout has moved or this \
                 is an installed binary; pass --sdk PATH to the crates/cxm-sdk folder of the \
                 cxm checkout whose version you run",
                dir.display()
            )
        };
        return Err(Usage(message).into());
    }
    dir.canonicalize()
        .with_context(|| format!("resolving {}", dir.display()))
}

/// The folder above `dir` (which may not exist yet) whose `Cargo.toml` declares a Cargo
/// workspace, if any: a crate written below it would be claimed by it or clash with it.
fn enclosing_workspace(dir: &Path) -> Option<PathBuf> {
    let existing = dir.ancestors().find(|a| a.exists())?;
    let existing = existing.canonicalize().ok()?;
    existing.ancestors().find_map(|folder| {
        let manifest = folder.join("Cargo.toml");
        let text = fs::read_to_string(&manifest).ok()?;
        text.lines()
            .map(str::trim)
            .any(|l| l == "[workspace]" || l.starts_with("[workspace."))
            .then_some(manifest)
    })
}

/// The metric's data in `client.toml`: the demo survey of the checkout this binary was
/// built from when it is there, else a placeholder to replace.
fn dataset_line() -> String {
    let demo = Path::new(BUILT_FROM).join("data/demo/survey.csv");
    match demo.to_str() {
        Some(path) if demo.is_file() => format!(
            "# The demo survey of the cxm checkout: 3,000 answers over two quarters. Point it\n\
             # at your own export and map its columns below.\n\
             path = {}",
            toml_string(path)
        ),
        _ => "path = \"survey.csv\"   # your export (relative to this file); map its columns \
              below"
            .to_string(),
    }
}

/// Replaces each `{{key}}` of `template` with its value.
fn render(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(&format!("{{{{{key}}}}}"), value)
        })
}

/// Writes `files` (relative paths and contents) into `dir`, which is absent or empty:
/// an absent folder is filled beside it and renamed into place, so it appears complete or
/// not at all; in an empty folder, files already written are removed on failure.
fn write_crate(dir: &Path, files: &[(&str, String)]) -> anyhow::Result<()> {
    let write_all = |root: &Path| -> anyhow::Result<()> {
        for (relative, text) in files {
            let path = root.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    };
    if dir.exists() {
        let written = write_all(dir);
        if written.is_err() {
            for (relative, _) in files {
                let _ = fs::remove_file(dir.join(relative));
            }
            let _ = fs::remove_dir(dir.join("src"));
        }
        return written;
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.cxm-new-{}", std::process::id()));
    fs::create_dir(&staging).with_context(|| format!("creating {}", staging.display()))?;
    let done = write_all(&staging).and_then(|()| {
        fs::rename(&staging, dir).with_context(|| format!("creating {}", dir.display()))
    });
    if done.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    done
}

/// Runs `cxm plugin new`.
pub fn new(name: &str, dir: Option<&Path>, sdk: Option<&Path>) -> anyhow::Result<i32> {
    check_name(name).map_err(Usage)?;
    let sdk = find_sdk(sdk)?;
    let given = dir.map_or_else(|| PathBuf::from(name), Path::to_path_buf);
    let target =
        std::path::absolute(&given).with_context(|| format!("resolving {}", given.display()))?;
    if target.is_file() {
        return Err(Usage(format!("{} is a file, not a folder", given.display())).into());
    }
    if target.is_dir() {
        let mut entries =
            fs::read_dir(&target).with_context(|| format!("reading {}", target.display()))?;
        if entries.next().is_some() {
            return Err(Usage(format!(
                "{} is not empty: cxm plugin new writes a new crate into a new or empty folder \
                 and overwrites nothing; choose another --dir",
                given.display()
            ))
            .into());
        }
    }
    if let Some(workspace) = enclosing_workspace(&target) {
        let root = workspace.parent().unwrap_or(Path::new("/"));
        let outside = root.parent().unwrap_or(Path::new("/")).join(name);
        return Err(Usage(format!(
            "{} is inside the Cargo workspace at {} ({} has [workspace]): a plugin crate is \
             built on its own, as a workspace of its own, so write it outside, e.g. --dir {}",
            given.display(),
            root.display(),
            workspace.display(),
            outside.display()
        ))
        .into());
    }
    let lib = name.replace('-', "_");
    let ty = type_name(name);
    let sdk_text = utf8(&sdk, "SDK path")?;
    let sdk_toml = toml_string(sdk_text);
    let dataset = dataset_line();
    let values = [
        ("crate", name),
        ("lib", lib.as_str()),
        ("metric", lib.as_str()),
        ("Type", ty.as_str()),
        ("sdk", sdk_toml.as_str()),
        ("sdk_text", sdk_text),
        ("dataset", dataset.as_str()),
    ];
    let files = [
        ("Cargo.toml", render(CARGO_TOML, &values)),
        ("src/lib.rs", render(LIB_RS, &values)),
        ("plugins.toml", render(PLUGINS_TOML, &values)),
        ("client.toml", render(CLIENT_TOML, &values)),
        ("README.md", render(README_MD, &values)),
        (".gitignore", render(GITIGNORE, &values)),
    ];
    write_crate(&target, &files)?;
    let cxm = std::env::current_exe()
        .ok()
        .and_then(|p| p.to_str().map(str::to_string))
        .unwrap_or_else(|| "cxm".to_string());
    println!(
        "Created the plugin crate {name} (metric \"{lib}\", type {ty}) in {}:\n\
         \x20 Cargo.toml     cdylib on cxm-sdk ({sdk_text}), release profile for a fast row loop\n\
         \x20 src/lib.rs     the metric, with an interval, a test basis and unit tests\n\
         \x20 plugins.toml   a plugin registry with the built library\n\
         \x20 client.toml    a client config that runs the metric\n\
         \x20 README.md      what to change next\n\
         Next:\n\
         \x20 cd {}\n\
         \x20 cargo build --release\n\
         \x20 cargo test\n\
         \x20 {cxm} run client.toml",
        target.display(),
        given.display()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_crate_names() {
        for good in ["acme-effort", "nps2", "a", "my_metric", "x-1-y"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "1st",
            "-x",
            "_x",
            "Acme",
            "acme effort",
            "acme.effort",
            "métrique",
            "fn",
            "self",
            "test",
            "std",
            "con",
            "build",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_name(&"a".repeat(65)).is_err());
        let err = check_name("acme effort").unwrap_err();
        assert!(err.contains("' ' is not allowed"), "{err}");
    }

    #[test]
    fn type_names_avoid_the_generated_codes_names() {
        assert_eq!(type_name("acme-effort"), "AcmeEffort");
        assert_eq!(type_name("my__x_2"), "MyX2");
        assert_eq!(type_name("metric"), "MetricMetric");
        assert_eq!(type_name("params"), "ParamsMetric");
    }

    #[test]
    fn toml_strings_quote_any_path() {
        assert_eq!(toml_string("/a/b c"), "'/a/b c'");
        assert_eq!(toml_string(r"C:\it's"), r#""C:\\it's""#);
    }

    #[test]
    fn templates_have_no_unknown_placeholders() {
        let values = [
            ("crate", "x"),
            ("lib", "x"),
            ("metric", "x"),
            ("Type", "X"),
            ("sdk", "'s'"),
            ("sdk_text", "s"),
            ("dataset", "path = 'd'"),
        ];
        for template in [
            CARGO_TOML,
            LIB_RS,
            PLUGINS_TOML,
            CLIENT_TOML,
            README_MD,
            GITIGNORE,
        ] {
            let text = render(template, &values);
            assert!(!text.contains("{{"), "{text}");
        }
    }
}
