//! `cxm init FILE… [--client NAME] [-o CONFIG]`: a starter client config from exports. Each
//! file becomes a dataset with its sniffed dialect; columns recognisable from their names and
//! values get canonical field names and types; confident score columns get metrics, the rest
//! commented-out suggestions. The config is validated as `cxm validate` would before it is
//! printed or written (atomically, never over an existing file).

mod recognise;
mod render;
mod sample;

use crate::exit::Usage;
use anyhow::Context;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The plugin registry to name: the one `cxm plugins` finds by default (`CXM_REGISTRY`,
/// ./config/plugins.toml, the checkout holding the executable, the checkout cxm was built
/// from).
fn registry() -> anyhow::Result<PathBuf> {
    super::plugins::default_registry()
}

/// `target` relative to the folder `base` when they share a root; else (or without a
/// base) `target` absolute.
fn relative(target: &Path, base: Option<&Path>) -> anyhow::Result<String> {
    let target = std::fs::canonicalize(target)
        .with_context(|| format!("cannot resolve {}", target.display()))?;
    let Some(base) = base else {
        return Ok(target.display().to_string());
    };
    let base = std::fs::canonicalize(base)
        .with_context(|| format!("cannot resolve {}", base.display()))?;
    let t: Vec<Component> = target.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return Ok(target.display().to_string());
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    // Forward slashes read the same on every platform in a config.
    Ok(out.to_string_lossy().replace('\\', "/"))
}

/// A dataset name from a file stem, unique among `taken`.
fn dataset_name(file: &Path, taken: &[render::Dataset]) -> String {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("data");
    let base = recognise::snake(stem).unwrap_or_else(|| "data".into());
    let mut name = base.clone();
    let mut k = 2;
    while taken.iter().any(|d| d.name == name) {
        name = format!("{base}_{k}");
        k += 1;
    }
    name
}

/// The config text with paths relative to `base` (the config's folder).
fn config_text(
    files: &[PathBuf],
    sampled: &[sample::Sampled],
    client: &str,
    registry: &Path,
    base: Option<&Path>,
) -> anyhow::Result<String> {
    let mut datasets: Vec<render::Dataset> = Vec::new();
    for (file, s) in files.iter().zip(sampled) {
        let (fields, left_out) = recognise::mappings(&s.columns);
        datasets.push(render::Dataset {
            name: dataset_name(file, &datasets),
            path: relative(file, base)?,
            dialect: s.dialect.clone(),
            fields,
            left_out,
            rows: s.rows,
        });
    }
    let sources: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into())
        })
        .collect();
    Ok(render::render(
        client,
        &relative(registry, base)?,
        &sources,
        &datasets,
    ))
}

/// What `cxm validate` checks, on the written config.
fn validate(config: &Path) -> anyhow::Result<()> {
    let client = cxm_config::load_client(config)?;
    let mut plan = cxm_engine::build_plan(client)?;
    if let Some(failed) = plan.datasets.iter_mut().find_map(|d| d.failed.pop()) {
        return Err(failed.error.into());
    }
    cxm_engine::check_sample(&plan)?;
    Ok(())
}

/// Writes a starter config for `files` to `output`, or prints it.
pub fn init(files: &[PathBuf], client: Option<&str>, output: Option<&Path>) -> anyhow::Result<i32> {
    if let Some(out) = output {
        if out.exists() {
            return Err(Usage(format!(
                "{} already exists: cxm init does not overwrite a config; name another file with -o, or remove it first",
                out.display()
            ))
            .into());
        }
    }
    for f in files {
        if !f.is_file() {
            return Err(Usage(format!("{} is not a file", f.display())).into());
        }
    }
    let registry = registry()?;
    let client = client.map_or_else(
        || {
            files
                .first()
                .and_then(|f| f.file_stem())
                .map_or_else(|| "Client".into(), |s| s.to_string_lossy().into_owned())
        },
        str::to_string,
    );
    let sampled = files
        .iter()
        .map(|f| sample::sample(f).with_context(|| format!("cannot read {}", f.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let generated = "the config cxm init generated does not validate";
    match output {
        Some(out) => {
            let dir = match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let text = config_text(files, &sampled, &client, &registry, Some(&dir))?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".cxm-init-")
                .suffix(".toml")
                .tempfile_in(&dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            tmp.write_all(text.as_bytes())?;
            tmp.as_file().sync_all()?;
            validate(tmp.path()).context(generated)?;
            tmp.persist_noclobber(out).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    anyhow::Error::from(Usage(format!(
                        "{} already exists: cxm init does not overwrite a config",
                        out.display()
                    )))
                } else {
                    anyhow::Error::from(e.error).context(format!("cannot write {}", out.display()))
                }
            })?;
            eprintln!(
                "wrote {}: check the guessed fields and metrics, then `cxm run {}`",
                out.display(),
                out.display()
            );
        }
        None => {
            // Validated with absolute paths from a scratch folder; printed relative to here.
            let scratch = tempfile::tempdir()?;
            let check = config_text(files, &sampled, &client, &registry, None)?;
            let path = scratch.path().join("config.toml");
            std::fs::write(&path, check)?;
            validate(&path).context(generated)?;
            let text = config_text(files, &sampled, &client, &registry, Some(Path::new(".")))?;
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
    }
    Ok(0)
}
