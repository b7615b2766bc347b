//! Stage one: serde types that mirror the TOML files exactly. Unknown keys are errors.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// `config/clients/<client>.toml`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClient {
    pub client: String,
    pub plugins: Spanned<RawPlugins>,
    #[serde(default)]
    pub datasets: BTreeMap<Spanned<String>, RawDataset>,
    #[serde(default)]
    pub metrics: Vec<Spanned<RawMetric>>,
    #[serde(default)]
    pub report: Option<RawReport>,
    #[serde(default)]
    pub benchmarks: Vec<Spanned<String>>,
}

/// `plugins`: one registry file, or a list of them (company plugins beside the built-ins).
#[derive(Debug)]
pub(crate) enum RawPlugins {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawPlugins {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PluginsVisitor;
        impl<'de> Visitor<'de> for PluginsVisitor {
            type Value = RawPlugins;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a plugin registry file (\"plugins.toml\"), or a list of them ([\"plugins.toml\", \"acme.toml\"])",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPlugins, E> {
                Ok(RawPlugins::One(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawPlugins, A::Error> {
                let mut files = Vec::new();
                while let Some(file) = seq.next_element::<Spanned<String>>()? {
                    files.push(file);
                }
                Ok(RawPlugins::Many(files))
            }
        }
        deserializer.deserialize_any(PluginsVisitor)
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDataset {
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    #[serde(default)]
    pub encoding: Option<Spanned<String>>,
    #[serde(default)]
    pub header_row: Option<Spanned<i64>>,
    #[serde(default)]
    pub decimal_comma: Option<bool>,
    #[serde(default)]
    pub thousands_separator: Option<Spanned<String>>,
    #[serde(default)]
    pub trim: Option<bool>,
    #[serde(default)]
    pub sheet: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub table: Option<Spanned<String>>,
    #[serde(default)]
    pub query: Option<Spanned<String>>,
    #[serde(default)]
    pub connection: Option<Spanned<String>>,
    #[serde(default)]
    pub connection_env: Option<Spanned<String>>,
    #[serde(default)]
    pub driver: Option<Spanned<String>>,
    #[serde(default)]
    pub driver_sha256: Option<Spanned<String>>,
    #[serde(default)]
    pub pushdown: Option<Spanned<bool>>,
    #[serde(default)]
    pub dialect: Option<Spanned<String>>,
    #[serde(default)]
    pub pushdown_max_groups: Option<Spanned<i64>>,
    #[serde(default)]
    pub unique_key: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub max_rejected: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub max_record_bytes: Option<Spanned<i64>>,
    #[serde(default)]
    pub delimiter: Option<Spanned<String>>,
    #[serde(default)]
    pub null_values: Option<Vec<String>>,
    #[serde(default)]
    pub weight: Option<Spanned<String>>,
    #[serde(default)]
    pub sampling_weight: Option<Spanned<String>>,
    #[serde(default)]
    pub raking: Option<Spanned<crate::weighting::RawRaking>>,
    pub fields: BTreeMap<Spanned<String>, Spanned<RawField>>,
    #[serde(default)]
    pub lookups: Vec<Spanned<crate::lookup::RawLookup>>,
}

/// A field mapping: a column name, or a table with the column and its type, or a derived
/// field (`from` another field, with `bands` or a value `map`; see `derived.rs`).
#[derive(Debug, Default)]
pub(crate) struct RawField {
    pub column: Option<String>,
    pub ty: Option<String>,
    pub format: Option<String>,
    pub from: Option<Spanned<String>>,
    pub bands: Option<Spanned<Vec<Spanned<RawBand>>>>,
    pub map: Option<Spanned<toml::Table>>,
    pub default: Option<Spanned<toml::Value>>,
    pub quantize: Option<Spanned<RawQuantize>>,
}

/// `quantize = { relative_error = 0.01 }` on a number field of a pushed-down warehouse
/// dataset (see `quantize.rs`).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuantize {
    pub relative_error: f64,
}

/// One band of a derived `bands` field: values up to `max` (inclusive) get `label`; the
/// last band may leave `max` out (open-ended).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBand {
    pub label: String,
    #[serde(default)]
    pub max: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldTable {
    #[serde(default)]
    column: Option<String>,
    #[serde(rename = "type", default)]
    ty: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    bands: Option<Spanned<Vec<Spanned<RawBand>>>>,
    #[serde(default)]
    map: Option<Spanned<toml::Table>>,
    #[serde(default)]
    default: Option<Spanned<toml::Value>>,
    #[serde(default)]
    quantize: Option<Spanned<RawQuantize>>,
}

impl<'de> Deserialize<'de> for RawField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = RawField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a column name, a table { column = \"…\", type = \"…\", format = \"…\" }, or a derived field { from = \"…\", bands = [...] } / { from = \"…\", map = { … } }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawField, E> {
                Ok(RawField {
                    column: Some(v.to_string()),
                    ..RawField::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawField, A::Error> {
                let t = RawFieldTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawField {
                    column: t.column,
                    ty: t.ty,
                    format: t.format,
                    from: t.from,
                    bands: t.bands,
                    map: t.map,
                    default: t.default,
                    quantize: t.quantize,
                })
            }
        }
        deserializer.deserialize_any(FieldVisitor)
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMetric {
    pub id: Spanned<String>,
    pub plugin: Spanned<String>,
    pub dataset: Spanned<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub inputs: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub params: Option<Spanned<toml::Table>>,
    #[serde(default)]
    pub group_by: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub period: Option<Spanned<RawMetricPeriod>>,
    #[serde(default)]
    pub filter: Option<Spanned<toml::Table>>,
    #[serde(default)]
    pub min_n: Option<Spanned<f64>>,
    #[serde(default)]
    pub suppress_below_min_n: Option<bool>,
    #[serde(default)]
    pub benchmark: Option<Spanned<String>>,
    #[serde(default)]
    pub bands: Option<Spanned<Vec<(String, f64)>>>,
    #[serde(default)]
    pub order: Option<Spanned<BTreeMap<String, Vec<String>>>>,
}

/// A metric's period override: `false` (no period grouping) or `{ field, grain }`.
#[derive(Debug)]
pub(crate) enum RawMetricPeriod {
    Off,
    On(RawPeriod),
}

impl<'de> Deserialize<'de> for RawMetricPeriod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PeriodVisitor;
        impl<'de> Visitor<'de> for PeriodVisitor {
            type Value = RawMetricPeriod;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "false (no period grouping) or a table { field = \"…\", grain = \"…\" }",
                )
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawMetricPeriod, E> {
                if v {
                    Err(E::custom("period = true is not meaningful: write false, or { field = \"…\", grain = \"…\" }"))
                } else {
                    Ok(RawMetricPeriod::Off)
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawMetricPeriod, A::Error> {
                RawPeriod::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawMetricPeriod::On)
            }
        }
        deserializer.deserialize_any(PeriodVisitor)
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    #[serde(default)]
    pub group_by: Vec<Spanned<String>>,
    #[serde(default)]
    pub period: Option<Spanned<RawPeriod>>,
    #[serde(default)]
    pub timezone: Option<Spanned<String>>,
    #[serde(default)]
    pub fiscal_year_start: Option<Spanned<i64>>,
    #[serde(default)]
    pub alpha: Option<Spanned<f64>>,
    #[serde(default)]
    pub adjustment: Option<Spanned<String>>,
    #[serde(default)]
    pub min_n: Option<Spanned<f64>>,
    #[serde(default)]
    pub suppress_below_min_n: Option<bool>,
    #[serde(default)]
    pub language: Option<Spanned<String>>,
    #[serde(default)]
    pub rejected_values: Option<Spanned<String>>,
    #[serde(default)]
    pub order: Option<Spanned<BTreeMap<String, Vec<String>>>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPeriod {
    pub field: String,
    pub grain: String,
}

/// `config/plugins.toml`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegistry {
    #[serde(default)]
    pub plugins: BTreeMap<Spanned<String>, RawRegistryEntry>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegistryEntry {
    pub path: Spanned<String>,
    #[serde(default)]
    pub sha256: Option<Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub isolation: Option<Spanned<String>>,
    #[serde(default)]
    pub timeout: Option<Spanned<f64>>,
    #[serde(default)]
    pub max_memory: Option<Spanned<String>>,
}

/// `config/benchmarks/<name>.toml`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBenchmarkFile {
    #[serde(default)]
    pub benchmark: Vec<Spanned<RawBenchmark>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBenchmark {
    pub id: String,
    pub metric: String,
    pub segment: String,
    pub value: f64,
    pub source: String,
    #[serde(default)]
    pub year: Option<i64>,
}
