//! The analysis settings of a client config: metric filters, minimum samples and
//! suppression, significance settings, and benchmark files.

use crate::error::{parse_toml, read_file, ConfigError, Location};
use crate::raw::RawBenchmarkFile;
use std::path::{Path, PathBuf};

/// How p-values of many simultaneous tests are adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Adjustment {
    /// Each test at alpha on its own.
    #[default]
    None,
    /// Holm's step-down method (controls the family-wise error rate).
    Holm,
    /// Benjamini–Hochberg (controls the false discovery rate).
    BenjaminiHochberg,
}

impl Adjustment {
    /// Parses `none`, `holm` or `bh`.
    pub fn parse(s: &str) -> Option<Adjustment> {
        Some(match s {
            "none" => Adjustment::None,
            "holm" => Adjustment::Holm,
            "bh" | "benjamini-hochberg" => Adjustment::BenjaminiHochberg,
            _ => return None,
        })
    }

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Adjustment::None => "none",
            Adjustment::Holm => "holm",
            Adjustment::BenjaminiHochberg => "benjamini-hochberg",
        }
    }
}

/// One value a filter compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    /// Text (compared with text fields).
    Text(String),
    /// A number (compared with integer and number fields).
    Number(f64),
    /// A boolean.
    Bool(bool),
}

/// What a filter keeps.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterCondition {
    /// The value is one of these.
    In(Vec<FilterValue>),
    /// The value is none of these.
    NotIn(Vec<FilterValue>),
    /// The value is at least this (numbers, dates as "YYYY-MM-DD").
    AtLeast(FilterValue),
    /// The value is at most this.
    AtMost(FilterValue),
}

/// One filter of a metric: only rows whose field meets the condition are in scope.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterConfig {
    /// Canonical field.
    pub field: String,
    /// The condition.
    pub condition: FilterCondition,
    /// Where it is written.
    pub location: Location,
}

impl FilterConfig {
    /// The filter in words, for reports (`channel = "chat"`).
    pub fn describe(&self) -> String {
        let show = |v: &FilterValue| match v {
            FilterValue::Text(t) => format!("{t:?}"),
            FilterValue::Number(n) => n.to_string(),
            FilterValue::Bool(b) => b.to_string(),
        };
        let list = |vs: &[FilterValue]| vs.iter().map(show).collect::<Vec<_>>().join(", ");
        match &self.condition {
            FilterCondition::In(vs) if vs.len() == 1 => {
                format!("{} = {}", self.field, show(&vs[0]))
            }
            FilterCondition::In(vs) => format!("{} in [{}]", self.field, list(vs)),
            FilterCondition::NotIn(vs) => format!("{} not in [{}]", self.field, list(vs)),
            FilterCondition::AtLeast(v) => format!("{} >= {}", self.field, show(v)),
            FilterCondition::AtMost(v) => format!("{} <= {}", self.field, show(v)),
        }
    }
}

fn filter_value(v: &toml::Value) -> Option<FilterValue> {
    Some(match v {
        toml::Value::String(s) => FilterValue::Text(s.clone()),
        toml::Value::Integer(i) => FilterValue::Number(*i as f64),
        toml::Value::Float(f) => FilterValue::Number(*f),
        toml::Value::Boolean(b) => FilterValue::Bool(*b),
        _ => return None,
    })
}

fn filter_values(v: &toml::Value) -> Option<Vec<FilterValue>> {
    match v {
        toml::Value::Array(items) => items
            .iter()
            .map(filter_value)
            .collect::<Option<Vec<_>>>()
            .filter(|l| !l.is_empty()),
        other => filter_value(other).map(|v| vec![v]),
    }
}

/// Parses a metric's `filter` table: `field = value`, `field = [values]`, or
/// `field = { not = value-or-list }`, `{ at_least = x }`, `{ at_most = x }`,
/// `{ at_least = x, at_most = y }`.
pub(crate) fn parse_filters(
    table: &toml::Table,
    location: Location,
) -> Result<Vec<FilterConfig>, String> {
    let mut out = Vec::new();
    for (field, value) in table {
        let mut push = |condition| {
            out.push(FilterConfig {
                field: field.clone(),
                condition,
                location,
            })
        };
        match value {
            toml::Value::Table(t) => {
                if t.is_empty() {
                    return Err(format!("filter on \"{field}\" is an empty table"));
                }
                for (key, v) in t {
                    let bad = || format!("filter on \"{field}\": {key} needs a value (text, number or true/false)");
                    match key.as_str() {
                        "not" => push(FilterCondition::NotIn(filter_values(v).ok_or_else(bad)?)),
                        "at_least" => push(FilterCondition::AtLeast(filter_value(v).ok_or_else(bad)?)),
                        "at_most" => push(FilterCondition::AtMost(filter_value(v).ok_or_else(bad)?)),
                        other => {
                            return Err(format!(
                                "filter on \"{field}\": unknown condition `{other}` (use a value, a list, or not / at_least / at_most)"
                            ))
                        }
                    }
                }
            }
            other => push(FilterCondition::In(filter_values(other).ok_or_else(|| {
                format!("filter on \"{field}\" needs a value, a non-empty list, or a table of conditions")
            })?)),
        }
    }
    Ok(out)
}

/// A published benchmark figure a result can be compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// Unique id a metric refers to.
    pub id: String,
    /// The metric it is a benchmark for (plugin metric name, e.g. `nps`).
    pub metric: String,
    /// Segment or industry.
    pub segment: String,
    /// The benchmark value, on the metric's scale.
    pub value: f64,
    /// Where the figure comes from.
    pub source: String,
    /// Year of the figure, when known.
    pub year: Option<i64>,
    /// The file it was read from.
    pub file: PathBuf,
}

/// Reads a benchmark file.
pub(crate) fn load_benchmarks(path: &Path) -> Result<Vec<Benchmark>, ConfigError> {
    let source = read_file(path, "benchmark file")?;
    let raw: RawBenchmarkFile = parse_toml(path, &source)?;
    let mut out: Vec<Benchmark> = Vec::new();
    for b in raw.benchmark {
        let at = Location::of_offset(&source, b.span().start);
        let b = b.into_inner();
        if out.iter().any(|o| o.id == b.id) {
            return Err(ConfigError::at(
                path,
                Some(at),
                format!("benchmark id \"{}\" is used twice", b.id),
            ));
        }
        if !b.value.is_finite() {
            return Err(ConfigError::at(
                path,
                Some(at),
                "benchmark value must be a finite number",
            ));
        }
        out.push(Benchmark {
            id: b.id,
            metric: b.metric,
            segment: b.segment,
            value: b.value,
            source: b.source,
            year: b.year,
            file: path.to_path_buf(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn filters_parse_values_lists_and_conditions() {
        let at = Location { line: 1, column: 1 };
        let f = parse_filters(
            &table("channel = \"chat\"\nnps = { at_least = 9 }\nregion = { not = [\"N\", \"S\"] }"),
            at,
        )
        .unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].describe(), "channel = \"chat\"");
        assert_eq!(
            f[1].condition,
            FilterCondition::AtLeast(FilterValue::Number(9.0))
        );
        assert_eq!(f[2].describe(), "region not in [\"N\", \"S\"]");
        let err = parse_filters(&table("x = { above = 1 }"), at).unwrap_err();
        assert!(err.contains("unknown condition `above`"), "{err}");
        assert!(parse_filters(&table("x = []"), at).is_err());
    }
}
