//! `cxm plugins`: the registered plugin libraries with their metrics, inputs and params.

use crate::cli::ListFormat;
use cxm_report::{InputInfo, MetricInfo, ParamInfo, PluginInfo};
use std::path::{Path, PathBuf};

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
    let path = config.map_or_else(|| PathBuf::from("config/plugins.toml"), Path::to_path_buf);
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
