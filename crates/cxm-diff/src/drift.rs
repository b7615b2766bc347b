//! What else changed between the runs: the cxm version, the config (down to the keys, when
//! both configs can still be read), the plugin registries, the datasets' bytes and the
//! plugin libraries.

use crate::load::{ConfigSource, RunFolder};
use serde::Serialize;
use std::collections::BTreeMap;

/// A value that changed (`None`: absent on that side).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Change {
    /// What changed: a config key, a dataset or registry name, a metric id.
    pub name: String,
    /// The old run's value.
    pub old: Option<String>,
    /// The new run's value.
    pub new: Option<String>,
}

/// How the config changed.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ConfigDrift {
    /// The old run's config path (as recorded).
    pub old_path: String,
    /// The new run's config path.
    pub new_path: String,
    /// The old config's SHA-256.
    pub old_sha256: String,
    /// The new config's SHA-256.
    pub new_sha256: String,
    /// Whether the hashes differ.
    pub changed: bool,
    /// Keys that changed (dotted TOML paths; `[[metrics]]` entries by their `id`), when both
    /// configs could be read; `None` otherwise (see `keys_unavailable`).
    pub keys: Option<Vec<Change>>,
    /// Why the keys could not be compared.
    pub keys_unavailable: Option<String>,
}

/// Everything besides the figures that differs between the runs.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Drift {
    /// The cxm version, if it changed.
    pub cxm_version: Option<Change>,
    /// The config.
    pub config: ConfigDrift,
    /// Plugin registries whose SHA-256 changed (`name`: position in the config's list; a
    /// registry that only moved is no change).
    pub registries: Vec<Change>,
    /// Datasets whose SHA-256 changed, or that one run lacks (value: `sha256 (bytes)`).
    pub datasets: Vec<Change>,
    /// Metrics whose plugin library changed (value: `library version sha256:<first 12>`).
    pub plugins: Vec<Change>,
}

impl Drift {
    /// Whether anything drifted.
    pub fn any(&self) -> bool {
        self.cxm_version.is_some()
            || self.config.changed
            || !self.registries.is_empty()
            || !self.datasets.is_empty()
            || !self.plugins.is_empty()
    }
}

/// The changes between two maps of name → value, in name order.
fn changes(old: BTreeMap<String, String>, mut new: BTreeMap<String, String>) -> Vec<Change> {
    let mut out = Vec::new();
    for (name, o) in old {
        match new.remove(&name) {
            Some(n) if n == o => {}
            n => out.push(Change {
                name,
                old: Some(o),
                new: n,
            }),
        }
    }
    out.extend(new.into_iter().map(|(name, n)| Change {
        name,
        old: None,
        new: Some(n),
    }));
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Compares the manifests (and configs) of two runs.
pub fn compare_drift(old: &RunFolder, new: &RunFolder) -> Drift {
    let (om, nm) = (&old.manifest, &new.manifest);
    let cxm_version = (om.cxm_version != nm.cxm_version).then(|| Change {
        name: "cxm".to_string(),
        old: Some(om.cxm_version.clone()),
        new: Some(nm.cxm_version.clone()),
    });
    let changed = om.config.sha256 != nm.config.sha256;
    let (keys, keys_unavailable) = if !changed {
        (None, None)
    } else {
        match (&old.config, &new.config) {
            (ConfigSource::Found { text: a, .. }, ConfigSource::Found { text: b, .. }) => {
                match config_keys(a, b) {
                    Ok(keys) => (Some(keys), None),
                    Err(e) => (None, Some(e)),
                }
            }
            (a, b) => {
                let why = [("old", a), ("new", b)]
                    .iter()
                    .filter_map(|(side, s)| match s {
                        ConfigSource::Unavailable(why) => Some(format!("{side} config: {why}")),
                        ConfigSource::Found { .. } => None,
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                (None, Some(why))
            }
        }
    };
    let registries = |m: &crate::load::Manifest| -> BTreeMap<String, String> {
        m.registries
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    format!("registry {}", i + 1),
                    format!("sha256:{}", short(&r.sha256)),
                )
            })
            .collect()
    };
    let datasets = |m: &crate::load::Manifest| -> BTreeMap<String, String> {
        m.datasets
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    format!("sha256:{} ({} bytes)", short(&d.sha256), d.bytes),
                )
            })
            .collect()
    };
    let plugins = |m: &crate::load::Manifest| -> BTreeMap<String, String> {
        m.plugins
            .iter()
            .map(|p| {
                (
                    p.metric.clone(),
                    format!("{} {} sha256:{}", p.library, p.version, short(&p.sha256)),
                )
            })
            .collect()
    };
    Drift {
        cxm_version,
        config: ConfigDrift {
            old_path: om.config.path.clone(),
            new_path: nm.config.path.clone(),
            old_sha256: om.config.sha256.clone(),
            new_sha256: nm.config.sha256.clone(),
            changed,
            keys,
            keys_unavailable,
        },
        registries: changes(registries(om), registries(nm)),
        datasets: changes(datasets(om), datasets(nm)),
        plugins: changes(plugins(om), plugins(nm)),
    }
}

/// The first 12 hex digits of a hash (enough to tell files apart in a table; the JSON
/// manifests keep the full hashes).
fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The keys that differ between two config texts.
pub fn config_keys(old: &str, new: &str) -> Result<Vec<Change>, String> {
    let parse = |text: &str, side: &str| {
        text.parse::<toml::Table>()
            .map_err(|e| format!("the {side} config is not valid TOML: {e}"))
    };
    let mut a = BTreeMap::new();
    let mut b = BTreeMap::new();
    flatten("", &toml::Value::Table(parse(old, "old")?), &mut a);
    flatten("", &toml::Value::Table(parse(new, "new")?), &mut b);
    Ok(changes(a, b))
}

/// Flattens a TOML value into dotted keys. Tables recurse; an array of tables whose every
/// entry has a string `id` (the `[[metrics]]` list) recurses by id (`metrics[nps].params`),
/// so reordering metrics is no change; any other array is one value.
fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&join(k), v, out);
            }
        }
        toml::Value::Array(items) => {
            let ids: Option<Vec<&str>> = items
                .iter()
                .map(|i| {
                    i.as_table()
                        .and_then(|t| t.get("id"))
                        .and_then(|v| v.as_str())
                })
                .collect();
            match ids {
                Some(ids) if !items.is_empty() => {
                    for (id, item) in ids.iter().zip(items) {
                        flatten(&format!("{prefix}[{id}]"), item, out);
                    }
                }
                _ => {
                    out.insert(prefix.to_string(), value.to_string());
                }
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_name_changed_added_and_removed_keys() {
        let old = r#"
client = "Demo"
[datasets.survey]
path = "a.csv"
[[metrics]]
id = "nps"
plugin = "nps"
[[metrics]]
id = "csat"
plugin = "csat"
params = { scale = [1, 5] }
[report]
alpha = 0.05
"#;
        let new = r#"
client = "Demo"
[datasets.survey]
path = "b.csv"
[[metrics]]
id = "csat"
plugin = "csat"
params = { scale = [1, 7] }
[[metrics]]
id = "nps"
plugin = "nps"
[report]
alpha = 0.05
min_n = 30
"#;
        let keys = config_keys(old, new).unwrap();
        let names: Vec<&str> = keys.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "datasets.survey.path",
                "metrics[csat].params.scale",
                "report.min_n"
            ]
        );
        assert_eq!(keys[0].old.as_deref(), Some("\"a.csv\""));
        assert_eq!(keys[0].new.as_deref(), Some("\"b.csv\""));
        assert_eq!(keys[1].old.as_deref(), Some("[1, 5]"));
        assert_eq!(keys[2].old, None);
        assert_eq!(keys[2].new.as_deref(), Some("30"));
    }

    #[test]
    fn invalid_toml_is_explained() {
        let err = config_keys("a = ", "a = 1").unwrap_err();
        assert!(err.contains("old config is not valid TOML"), "{err}");
    }

    #[test]
    fn changes_lists_removed_then_added_in_name_order() {
        let m = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let c = changes(m(&[("b", "1"), ("c", "2")]), m(&[("a", "0"), ("c", "2")]));
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].name.as_str(), c[0].old.as_deref(), c[0].new.as_deref()),
            ("a", None, Some("0"))
        );
        assert_eq!(
            (c[1].name.as_str(), c[1].old.as_deref(), c[1].new.as_deref()),
            ("b", Some("1"), None)
        );
    }
}
