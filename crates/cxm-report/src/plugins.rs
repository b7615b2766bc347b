//! The `cxm plugins` listing: what each plugin library provides, as text or JSON.

use crate::error::RenderError;
use crate::format::wrap;
use serde::Serialize;
use std::io::Write;

/// One loaded plugin library.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PluginInfo {
    /// Registry name (the name configs refer to).
    pub name: String,
    /// The library's own name.
    pub library: String,
    /// The library's version.
    pub version: String,
    /// ABI version it was built against (`1.0`).
    pub abi: String,
    /// Path of the shared library file.
    pub path: String,
    /// The metrics it provides.
    pub metrics: Vec<MetricInfo>,
}

/// One metric a plugin provides.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MetricInfo {
    /// Metric name inside the library.
    pub name: String,
    /// What it computes, in words.
    pub description: String,
    /// The columns it reads.
    pub inputs: Vec<InputInfo>,
    /// Its parameters.
    pub params: Vec<ParamInfo>,
}

/// One input column of a metric.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct InputInfo {
    /// Input name.
    pub name: String,
    /// Arrow type name (`int64`, `float64`, `utf8`, ...).
    pub arrow_type: String,
    /// Whether the config must map it to a field.
    pub required: bool,
    /// What it holds.
    pub description: String,
}

/// One parameter of a metric.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ParamInfo {
    /// Parameter name.
    pub name: String,
    /// Its type, in words (`int`, `float`, `string`, ...).
    pub ty: String,
    /// Default value as text; empty when there is none.
    pub default: String,
    /// What it controls.
    pub description: String,
}

/// Total width the listing is wrapped to.
const WIDTH: usize = 80;
/// Narrowest description column worth keeping beside the other columns.
const MIN_DESCRIPTION: usize = 30;

/// Writes the human-readable listing of `list`. Names and descriptions come from the
/// libraries: their control characters are shown as visible symbols
/// ([`crate::terminal_text`]).
pub fn render_plugins(list: &[PluginInfo], out: &mut impl Write) -> Result<(), RenderError> {
    let mut text = Vec::new();
    write_listing(list, &mut text)?;
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "{}", crate::format::terminal_text(line))?;
    }
    out.flush()?;
    Ok(())
}

fn write_listing(list: &[PluginInfo], out: &mut impl Write) -> Result<(), RenderError> {
    if list.is_empty() {
        writeln!(out, "No plugins found.")?;
    }
    for (i, plugin) in list.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "Plugin {}: {} {} (ABI {})",
            plugin.name, plugin.library, plugin.version, plugin.abi
        )?;
        writeln!(out, "  path: {}", plugin.path)?;
        if plugin.metrics.is_empty() {
            writeln!(out, "  (no metrics)")?;
        }
        for metric in &plugin.metrics {
            writeln!(out)?;
            write_metric(out, metric)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Writes `list` as a pretty-printed JSON array followed by a newline.
pub fn render_plugins_json(list: &[PluginInfo], out: &mut impl Write) -> Result<(), RenderError> {
    serde_json::to_writer_pretty(&mut *out, list)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn write_metric(out: &mut impl Write, metric: &MetricInfo) -> Result<(), RenderError> {
    writeln!(out, "  metric {}", metric.name)?;
    for line in wrap(&metric.description, WIDTH - 4) {
        writeln!(out, "    {line}")?;
    }

    let inputs: Vec<[&str; 4]> = metric
        .inputs
        .iter()
        .map(|input| {
            let required = if input.required {
                "required"
            } else {
                "optional"
            };
            [&input.name, &input.arrow_type, required, &input.description]
        })
        .collect();
    write_rows(out, "inputs", &inputs)?;

    let defaults: Vec<String> = metric
        .params
        .iter()
        .map(|p| {
            if p.default.is_empty() {
                "no default".to_string()
            } else {
                format!("default {}", p.default)
            }
        })
        .collect();
    let params: Vec<[&str; 4]> = metric
        .params
        .iter()
        .zip(&defaults)
        .map(|(p, default)| [&p.name, &p.ty, default.as_str(), &p.description])
        .collect();
    write_rows(out, "params", &params)
}

/// Writes a labelled list of rows: three aligned columns and a wrapped description, hanging
/// beside them when there is room, otherwise below them.
fn write_rows(out: &mut impl Write, label: &str, rows: &[[&str; 4]]) -> Result<(), RenderError> {
    if rows.is_empty() {
        writeln!(out, "    {label}: none")?;
        return Ok(());
    }
    writeln!(out, "    {label}:")?;
    let len = |s: &str| s.chars().count();
    let mut widths = [0usize; 3];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(len(cell));
        }
    }
    let indent = 6;
    let prefix = indent + widths.iter().map(|w| w + 2).sum::<usize>();
    let beside = WIDTH.saturating_sub(prefix) >= MIN_DESCRIPTION;
    for row in rows {
        let mut line = " ".repeat(indent);
        for (cell, w) in row.iter().zip(widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(w - len(cell) + 2));
        }
        if beside {
            let description = wrap(row[3], WIDTH - prefix);
            let mut lines = description.iter();
            if let Some(first) = lines.next() {
                line.push_str(first);
            }
            writeln!(out, "{}", line.trim_end())?;
            for rest in lines {
                writeln!(out, "{}{rest}", " ".repeat(prefix))?;
            }
        } else {
            writeln!(out, "{}", line.trim_end())?;
            for text in wrap(row[3], WIDTH - indent - 2) {
                writeln!(out, "{}{text}", " ".repeat(indent + 2))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value};

    pub(crate) fn sample() -> Vec<PluginInfo> {
        vec![PluginInfo {
            name: "nps".into(),
            library: "cxm-plugin-nps".into(),
            version: "0.1.0".into(),
            abi: "1.0".into(),
            path: "plugins/libcxm_plugin_nps.so".into(),
            metrics: vec![MetricInfo {
                name: "nps".into(),
                description:
                    "Net Promoter Score: the share of promoters (scores 9 and 10) minus the \
                              share of detractors (scores 0 to 6), in points from -100 to 100."
                        .into(),
                inputs: vec![
                    InputInfo {
                        name: "score".into(),
                        arrow_type: "int64".into(),
                        required: true,
                        description: "Likelihood to recommend, 0 to 10.".into(),
                    },
                    InputInfo {
                        name: "weight".into(),
                        arrow_type: "float64".into(),
                        required: false,
                        description: "Row weight; rows without a weight count once, and rows with \
                                      a negative weight are rejected."
                            .into(),
                    },
                ],
                params: vec![ParamInfo {
                    name: "promoter_min".into(),
                    ty: "int".into(),
                    default: "9".into(),
                    description: "Lowest promoter score.".into(),
                }],
            }],
        }]
    }

    #[test]
    fn plugins_text() {
        let mut buf = Vec::new();
        render_plugins(&sample(), &mut buf).unwrap();
        let out = String::from_utf8(buf).unwrap();
        let expected = "\
Plugin nps: cxm-plugin-nps 0.1.0 (ABI 1.0)
  path: plugins/libcxm_plugin_nps.so

  metric nps
    Net Promoter Score: the share of promoters (scores 9 and 10) minus the share
    of detractors (scores 0 to 6), in points from -100 to 100.
    inputs:
      score   int64    required  Likelihood to recommend, 0 to 10.
      weight  float64  optional  Row weight; rows without a weight count once,
                                 and rows with a negative weight are rejected.
    params:
      promoter_min  int  default 9  Lowest promoter score.
";
        assert_eq!(out, expected, "\n{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 80));

        let mut buf = Vec::new();
        render_plugins(&[], &mut buf).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "No plugins found.\n");
    }

    #[test]
    fn plugins_text_shows_control_characters_as_symbols() {
        let mut list = sample();
        list[0].metrics[0].description = "Scores \x1b[2J\x1b]0;owned\x07 here".into();
        list[0].metrics[0].params[0].name = "p\x1b[31m".into();
        let mut buf = Vec::new();
        render_plugins(&list, &mut buf).unwrap();
        let out = String::from_utf8(buf).unwrap();
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
        assert!(out.contains("Scores ␛[2J␛]0;owned␇ here"), "{out}");
        assert!(out.contains("p␛[31m"), "{out}");
    }

    #[test]
    fn plugins_json() {
        let mut buf = Vec::new();
        render_plugins_json(&sample(), &mut buf).unwrap();
        let v: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v[0]["name"], "nps");
        assert_eq!(v[0]["abi"], "1.0");
        assert_eq!(
            v[0]["metrics"][0]["inputs"][0],
            json!({"name": "score", "arrow_type": "int64", "required": true,
                   "description": "Likelihood to recommend, 0 to 10."})
        );
        assert_eq!(v[0]["metrics"][0]["params"][0]["default"], "9");
    }
}
