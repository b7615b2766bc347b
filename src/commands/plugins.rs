//! `cxm plugins`: the registered plugin libraries with their metrics, inputs and params.
//!
//! Without a file argument the registry is found, in this order, from `CXM_REGISTRY`,
//! `config/plugins.toml` in the current folder, the `config/plugins.toml` of a checkout
//! holding the `cxm` executable (e.g. `target/release/cxm`), and that of the checkout cxm was
//! built from; when none exists the error lists every place tried (exit code 2).

use crate::cli::ListFormat;
use crate::exit::Usage;
use cxm_report::{InputInfo, MetricInfo, ParamInfo, PluginInfo};
use std::path::{Path, PathBuf};

/// The environment variable naming the default registry (or client config) of `cxm plugins`.
pub const REGISTRY_ENV: &str = "CXM_REGISTRY";

/// The registry's path inside a cxm checkout.
const REGISTRY_IN_CHECKOUT: &str = "config/plugins.toml";

/// Where `cxm plugins` without an argument looks for the registry, in order.
fn default_candidates() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from(REGISTRY_IN_CHECKOUT)];
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        out.extend(dir.ancestors().map(|a| a.join(REGISTRY_IN_CHECKOUT)));
    }
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(REGISTRY_IN_CHECKOUT));
    let mut unique: Vec<PathBuf> = Vec::new();
    for p in out {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    unique
}

/// The registry (or client config) `cxm plugins` lists when no file is given (and the one
/// `cxm init` names).
pub(crate) fn default_registry() -> anyhow::Result<PathBuf> {
    if let Some(value) = std::env::var_os(REGISTRY_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(value);
        if path.is_file() {
            return Ok(path);
        }
        return Err(Usage(format!(
            "{REGISTRY_ENV}={} is not a file: set it to a plugin registry or a client config",
            path.display()
        ))
        .into());
    }
    let tried = default_candidates();
    if let Some(found) = tried.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let list: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    Err(Usage(format!(
        "no plugin registry found ({REGISTRY_ENV} is not set; tried {}): name one, `cxm plugins FILE` (a registry or a client config), or set {REGISTRY_ENV}=FILE",
        list.join(", ")
    ))
    .into())
}

fn arrow_type_name(format: &str) -> String {
    match format {
        "l" => "integer".into(),
        "g" => "number".into(),
        "u" => "string".into(),
        "b" => "boolean".into(),
        "tdD" => "date".into(),
        f if f.starts_with("tsu:") => "datetime".into(),
        f => format!("arrow:{f}"),
    }
}

fn param_text(value: &serde_json::Value, key: &str) -> String {
    value
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Lists the plugins of a registry (or of the registry a client config names).
pub fn plugins(config: Option<&Path>, format: ListFormat) -> anyhow::Result<i32> {
    let path = match config {
        Some(path) => path.to_path_buf(),
        None => default_registry()?,
    };
    let registry = cxm_config::registry_of(&path)?;
    let mut list = Vec::new();
    let mut failures = Vec::new();
    for entry in registry.entries.values() {
        match cxm_host::load_library(&entry.library, entry.sha256.as_deref()) {
            Ok(lib) => list.push(PluginInfo {
                name: entry.name.clone(),
                library: lib.name.clone(),
                version: lib.version.clone(),
                abi: lib.abi.clone(),
                path: lib.path.display().to_string(),
                metrics: lib
                    .metrics
                    .iter()
                    .map(|m| MetricInfo {
                        name: m.name.clone(),
                        description: m.description.clone(),
                        inputs: m
                            .inputs
                            .iter()
                            .map(|i| InputInfo {
                                name: i.name.clone(),
                                arrow_type: arrow_type_name(&i.arrow_format),
                                required: i.required,
                                description: i.description.clone(),
                            })
                            .collect(),
                        params: m
                            .params_doc
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .map(|p| ParamInfo {
                                        name: param_text(p, "name"),
                                        ty: param_text(p, "type"),
                                        default: param_text(p, "default"),
                                        description: param_text(p, "description"),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect(),
            }),
            Err(e) => failures.push(format!("{}: {e}", entry.name)),
        }
    }
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Table => cxm_report::render_plugins(&list, &mut out)?,
        ListFormat::Json => cxm_report::render_plugins_json(&list, &mut out)?,
    }
    for f in &failures {
        eprintln!("error: plugin {f}");
    }
    Ok(if failures.is_empty() { 0 } else { 4 })
}
