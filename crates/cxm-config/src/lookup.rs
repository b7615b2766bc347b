//! Lookups (joins): a dataset takes fields from another dataset by key, many-to-one.
//!
//! ```toml
//! # Each survey answer gets its customer's plan, MRR and churn flag.
//! [[datasets.responses.lookups]]
//! dataset = "customers"        # the dataset looked up (one row per key)
//! key = "customer_id"          # the field of this dataset that holds the key
//! lookup_key = "id"            # the key field of `customers` (default: the same name as `key`)
//! fields = ["plan", "mrr", "churned"]   # or a table: { customer_plan = "plan" } (new name = field)
//! unmatched = "keep"           # rows without a match: "keep" (empty looked-up fields) or "reject"
//!
//! # One value per customer from the many side: the dataset looked up is first reduced per key.
//! [[datasets.customers.lookups]]
//! dataset = "responses"
//! key = "customer_id"
//! aggregate = { latest_score = { latest = "score", by = "answered_at" }, answers = "count" }
//! ```
//!
//! The fields a lookup adds are fields of the dataset like any other (inputs, group_by,
//! filters, weight, and the source of derived fields). A plain lookup needs one row per key
//! on the looked-up side (a duplicate key is an error naming both lines); an aggregate lookup
//! reduces every row of a key: `count` (rows with that key; 0 for a key without rows), `sum`
//! and `mean` (of the non-empty values; empty when there are none), `latest` and `first` (the
//! value of the row with the latest or earliest non-empty `by`, among rows whose value is not
//! empty; ties go to the later, respectively the earlier, row of the file). Keys match by
//! their text (an integer key `42` matches the text `42`, not `042`). Only fields read from a
//! column can be looked up, so lookups never chain.

use crate::error::{ConfigError, Location};
use crate::validate::{Ctx, DatasetConfig, FieldConfig};
use serde::Deserialize;
use toml::Spanned;

/// `[[datasets.<name>.lookups]]` as written.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLookup {
    pub dataset: Spanned<String>,
    pub key: Spanned<String>,
    #[serde(default)]
    pub lookup_key: Option<Spanned<String>>,
    #[serde(default)]
    pub fields: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub aggregate: Option<Spanned<toml::Table>>,
    #[serde(default)]
    pub unmatched: Option<Spanned<String>>,
}

/// One lookup of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupConfig {
    /// The dataset looked up.
    pub dataset: String,
    /// The field of this dataset holding the key.
    pub key: String,
    /// The key field of the dataset looked up.
    pub lookup_key: String,
    /// The fields the lookup adds to this dataset.
    pub outputs: Vec<LookupOutput>,
    /// What happens to rows whose key has no match.
    pub unmatched: Unmatched,
    /// Whether the looked-up dataset is reduced per key (`aggregate`) rather than read as
    /// one row per key (`fields`).
    pub aggregate: bool,
    /// Where the lookup is declared.
    pub location: Location,
}

/// A field added by a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupOutput {
    /// Its name in this dataset.
    pub name: String,
    /// How its value comes from the rows of the key.
    pub reduce: Reduce,
    /// Where it is declared.
    pub location: Location,
}

/// How a looked-up value is computed from the looked-up dataset's rows with the key.
#[derive(Debug, Clone, PartialEq)]
pub enum Reduce {
    /// The field's value in the one row with the key.
    Value(String),
    /// The number of rows with the key.
    Count,
    /// The sum of the field's non-empty values.
    Sum(String),
    /// The mean of the field's non-empty values.
    Mean(String),
    /// The field's value in the row with the latest `by`.
    Latest {
        /// The field whose value is taken.
        field: String,
        /// The date or datetime field that orders the rows.
        by: String,
    },
    /// The field's value in the row with the earliest `by`.
    First {
        /// The field whose value is taken.
        field: String,
        /// The date or datetime field that orders the rows.
        by: String,
    },
}

impl Reduce {
    /// The looked-up dataset's field whose values are read (`None` for a count).
    pub fn field(&self) -> Option<&str> {
        match self {
            Reduce::Value(f) | Reduce::Sum(f) | Reduce::Mean(f) => Some(f),
            Reduce::Latest { field, .. } | Reduce::First { field, .. } => Some(field),
            Reduce::Count => None,
        }
    }

    /// The ordering field of `latest` and `first`.
    pub fn by(&self) -> Option<&str> {
        match self {
            Reduce::Latest { by, .. } | Reduce::First { by, .. } => Some(by),
            _ => None,
        }
    }

    /// The name of the reduction as written in the config.
    pub fn name(&self) -> &'static str {
        match self {
            Reduce::Value(_) => "value",
            Reduce::Count => "count",
            Reduce::Sum(_) => "sum",
            Reduce::Mean(_) => "mean",
            Reduce::Latest { .. } => "latest",
            Reduce::First { .. } => "first",
        }
    }
}

/// What happens to rows whose key has no match in the looked-up dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// Kept, with empty looked-up fields (counts and sums of an aggregate lookup are 0 and
    /// empty as described in the module docs).
    Keep,
    /// Rejected for every metric of the dataset, with reason `unmatched_key`.
    Reject,
}

const AGGREGATES: &str = "\"count\", { sum = \"field\" }, { mean = \"field\" }, { latest = \"field\", by = \"date field\" } or { first = \"field\", by = \"date field\" }";

/// Checks the shape of a dataset's lookups and adds the fields they define to `fields`
/// (their types are settled by [`link_lookups`] once every dataset is known).
pub(crate) fn parse_lookups(
    ctx: &Ctx<'_>,
    dataset: &str,
    raw: Vec<Spanned<RawLookup>>,
    fields: &mut Vec<FieldConfig>,
) -> Result<Vec<LookupConfig>, ConfigError> {
    let mut lookups = Vec::new();
    for (index, l) in raw.into_iter().enumerate() {
        let span = l.span();
        let l = l.into_inner();
        let whose = format!(
            "dataset \"{dataset}\", lookup of \"{}\"",
            l.dataset.get_ref()
        );
        let unmatched = match l
            .unmatched
            .as_ref()
            .map(|u| (u.get_ref().as_str(), u.span()))
        {
            None | Some(("keep", _)) => Unmatched::Keep,
            Some(("reject", _)) => Unmatched::Reject,
            Some((other, s)) => {
                return Err(ctx.err(
                    s,
                    format!(
                        "{whose}: unknown unmatched = \"{other}\" (use \"keep\" or \"reject\")"
                    ),
                ))
            }
        };
        let (outputs, aggregate) = match (l.fields, l.aggregate) {
            (Some(_), Some(a)) => {
                return Err(ctx.err(
                    a.span(),
                    format!("{whose}: give fields (one row per key) or aggregate (rows reduced per key), not both; write a second lookup for the other"),
                ))
            }
            (None, None) => {
                return Err(ctx.err(
                    span,
                    format!("{whose}: add fields = [\"field\", …] (one row per key) or aggregate = {{ name = {AGGREGATES} }}"),
                ))
            }
            (Some(f), None) => (plain_fields(ctx, &whose, f)?, false),
            (None, Some(a)) => (aggregates(ctx, &whose, a)?, true),
        };
        for out in &outputs {
            if let Some(existing) = fields.iter().find(|f| f.name == out.name) {
                return Err(ConfigError::at(
                    ctx.file,
                    Some(out.location),
                    format!(
                        "{whose}: field \"{}\" is already defined in dataset \"{dataset}\" (line {}); give the looked-up field another name, e.g. fields = {{ {}_{} = \"{}\" }}",
                        out.name,
                        existing.location.line,
                        l.dataset.get_ref(),
                        out.name,
                        out.reduce.field().unwrap_or(&out.name)
                    ),
                ));
            }
            fields.push(FieldConfig {
                name: out.name.clone(),
                column: String::new(),
                ty: match out.reduce {
                    Reduce::Count => Some("integer".into()),
                    Reduce::Sum(_) | Reduce::Mean(_) => Some("number".into()),
                    _ => None,
                },
                format: None,
                location: out.location,
                derived: None,
                lookup: Some(index),
                quantize: None,
            });
        }
        lookups.push(LookupConfig {
            dataset: l.dataset.get_ref().clone(),
            lookup_key: l
                .lookup_key
                .as_ref()
                .map_or_else(|| l.key.get_ref().clone(), |k| k.get_ref().clone()),
            key: l.key.into_inner(),
            outputs,
            unmatched,
            aggregate,
            location: ctx.loc(span),
        });
    }
    Ok(lookups)
}

fn plain_fields(
    ctx: &Ctx<'_>,
    whose: &str,
    fields: Spanned<toml::Value>,
) -> Result<Vec<LookupOutput>, ConfigError> {
    let location = ctx.loc(fields.span());
    let shape = || {
        ctx.err(
            fields.span(),
            format!("{whose}: fields is a list of field names ([\"plan\", \"mrr\"]) or a table of new names ({{ customer_plan = \"plan\" }})"),
        )
    };
    let pairs: Vec<(String, String)> = match fields.get_ref() {
        toml::Value::Array(list) => list
            .iter()
            .map(|v| v.as_str().map(|s| (s.to_string(), s.to_string())))
            .collect::<Option<_>>()
            .ok_or_else(shape)?,
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect::<Option<_>>()
            .ok_or_else(shape)?,
        _ => return Err(shape()),
    };
    if pairs.is_empty() {
        return Err(ctx.err(fields.span(), format!("{whose}: fields is empty")));
    }
    let mut out: Vec<LookupOutput> = Vec::new();
    for (name, field) in pairs {
        if out.iter().any(|o| o.name == name) {
            return Err(ctx.err(
                fields.span(),
                format!("{whose}: field \"{name}\" is listed twice"),
            ));
        }
        out.push(LookupOutput {
            name,
            reduce: Reduce::Value(field),
            location,
        });
    }
    Ok(out)
}

fn aggregates(
    ctx: &Ctx<'_>,
    whose: &str,
    table: Spanned<toml::Table>,
) -> Result<Vec<LookupOutput>, ConfigError> {
    let location = ctx.loc(table.span());
    if table.get_ref().is_empty() {
        return Err(ctx.err(table.span(), format!("{whose}: aggregate is empty")));
    }
    let mut out = Vec::new();
    for (name, spec) in table.get_ref() {
        let bad = |what: String| {
            ConfigError::at(
                ctx.file,
                Some(location),
                format!("{whose}: aggregate \"{name}\": {what}"),
            )
        };
        let reduce = match spec {
            toml::Value::String(s) if s == "count" => Reduce::Count,
            toml::Value::Table(t) => {
                let text = |key: &str| -> Result<Option<String>, ConfigError> {
                    match t.get(key) {
                        None => Ok(None),
                        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                        Some(_) => Err(bad(format!("{key} names a field (a text)"))),
                    }
                };
                if let Some(unknown) = t
                    .keys()
                    .find(|k| !["sum", "mean", "latest", "first", "by"].contains(&k.as_str()))
                {
                    return Err(bad(format!("unknown key \"{unknown}\" (use {AGGREGATES})")));
                }
                let given: Vec<&str> = ["sum", "mean", "latest", "first"]
                    .into_iter()
                    .filter(|k| t.contains_key(*k))
                    .collect();
                if given.len() != 1 {
                    return Err(bad(format!(
                        "give exactly one of sum, mean, latest, first (use {AGGREGATES})"
                    )));
                }
                let field = text(given[0])?.unwrap_or_default();
                let by = text("by")?;
                match (given[0], by) {
                    ("sum", None) => Reduce::Sum(field),
                    ("mean", None) => Reduce::Mean(field),
                    ("latest", Some(by)) => Reduce::Latest { field, by },
                    ("first", Some(by)) => Reduce::First { field, by },
                    (_, None) => {
                        return Err(bad(format!(
                            "{} needs by = \"<date or datetime field>\" to order the rows",
                            given[0]
                        )))
                    }
                    (_, Some(_)) => {
                        return Err(bad(format!(
                            "by applies to latest and first, not to {}",
                            given[0]
                        )))
                    }
                }
            }
            _ => return Err(bad(format!("use {AGGREGATES}"))),
        };
        out.push(LookupOutput {
            name: name.clone(),
            reduce,
            location,
        });
    }
    Ok(out)
}

/// Checks every lookup against the dataset it looks up, and settles the types and formats
/// of the fields it adds from the fields they read.
pub(crate) fn link_lookups(
    file: &std::path::Path,
    datasets: &mut [DatasetConfig],
) -> Result<(), ConfigError> {
    for d in 0..datasets.len() {
        for l in 0..datasets[d].lookups.len() {
            let lookup = datasets[d].lookups[l].clone();
            let name = datasets[d].name.clone();
            let whose = format!("dataset \"{name}\", lookup of \"{}\"", lookup.dataset);
            let err = |at: Location, msg: String| ConfigError::at(file, Some(at), msg);
            let Some(other) = datasets.iter().find(|o| o.name == lookup.dataset) else {
                let known: Vec<&str> = datasets.iter().map(|o| o.name.as_str()).collect();
                return Err(err(
                    lookup.location,
                    format!(
                        "{whose}: unknown dataset \"{}\" (defined: {})",
                        lookup.dataset,
                        known.join(", ")
                    ),
                ));
            };
            if other.name == name {
                return Err(err(
                    lookup.location,
                    format!("{whose}: a dataset cannot look itself up"),
                ));
            }
            let column_field = |field: &str, role: &str| -> Result<&FieldConfig, ConfigError> {
                let mapped: Vec<&str> = other
                    .fields
                    .iter()
                    .filter(|f| f.is_column())
                    .map(|f| f.name.as_str())
                    .collect();
                match other.field(field) {
                    Some(f) if f.is_column() => Ok(f),
                    Some(_) => Err(err(lookup.location, format!("{whose}: {role} \"{field}\" of dataset \"{}\" is derived or looked up itself; only fields read from a column can be looked up (fields read from columns: {})", other.name, mapped.join(", ")))),
                    None => Err(err(lookup.location, format!("{whose}: {role} \"{field}\" is not a field of dataset \"{}\" (fields read from columns: {})", other.name, mapped.join(", ")))),
                }
            };
            column_field(&lookup.lookup_key, "lookup_key")?;
            let mut settled: Vec<(Option<String>, Option<String>)> = Vec::new();
            for out in &lookup.outputs {
                let Some(field) = out.reduce.field() else {
                    settled.push((Some("integer".into()), None));
                    continue;
                };
                let source = column_field(field, "field")?;
                if let Some(by) = out.reduce.by() {
                    let by_field = column_field(by, "by field")?;
                    if by_field
                        .ty
                        .as_deref()
                        .is_some_and(|t| t != "date" && t != "datetime")
                    {
                        return Err(err(out.location, format!("{whose}: aggregate \"{}\": by field \"{by}\" has type {}; it must be date or datetime", out.name, by_field.ty.as_deref().unwrap_or_default())));
                    }
                }
                match &out.reduce {
                    Reduce::Sum(_) | Reduce::Mean(_) => {
                        if source
                            .ty
                            .as_deref()
                            .is_some_and(|t| t != "number" && t != "integer")
                        {
                            return Err(err(out.location, format!("{whose}: aggregate \"{}\": {} needs numbers, but field \"{field}\" has type {}", out.name, out.reduce.name(), source.ty.as_deref().unwrap_or_default())));
                        }
                        settled.push((Some("number".into()), None));
                    }
                    _ => settled.push((source.ty.clone(), source.format.clone())),
                }
            }
            let ds = &mut datasets[d];
            let Some(key) = ds.fields.iter().find(|f| f.name == lookup.key) else {
                return Err(err(
                    lookup.location,
                    format!(
                        "{whose}: key \"{}\" is not a field of dataset \"{name}\"",
                        lookup.key
                    ),
                ));
            };
            if !key.is_column() {
                return Err(err(
                    lookup.location,
                    format!(
                        "{whose}: key \"{}\" must be read from a column (not derived or looked up)",
                        lookup.key
                    ),
                ));
            }
            for (out, (ty, format)) in lookup.outputs.iter().zip(settled) {
                if let Some(f) = ds.fields.iter_mut().find(|f| f.name == out.name) {
                    f.ty = ty;
                    f.format = format;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<Vec<LookupConfig>, ConfigError> {
        #[derive(Deserialize)]
        struct Wrap {
            lookups: Vec<Spanned<RawLookup>>,
        }
        let raw: Wrap = toml::from_str(toml_text).unwrap();
        let ctx = Ctx {
            file: std::path::Path::new("c.toml"),
            source: toml_text,
        };
        let mut fields = Vec::new();
        parse_lookups(&ctx, "responses", raw.lookups, &mut fields)
    }

    #[test]
    fn plain_and_aggregate_lookups_parse() {
        let l = parse(
            r#"
[[lookups]]
dataset = "customers"
key = "customer_id"
fields = ["plan", "mrr"]
unmatched = "reject"

[[lookups]]
dataset = "tickets"
key = "customer_id"
lookup_key = "cust"
aggregate = { n = "count", last = { latest = "score", by = "at" }, total = { sum = "amount" } }
"#,
        )
        .unwrap();
        assert_eq!(l[0].unmatched, Unmatched::Reject);
        assert_eq!(l[0].lookup_key, "customer_id");
        assert_eq!(l[0].outputs[1].reduce, Reduce::Value("mrr".into()));
        assert!(!l[0].aggregate);
        assert_eq!(l[1].lookup_key, "cust");
        let reduces: Vec<(&str, &Reduce)> = l[1]
            .outputs
            .iter()
            .map(|o| (o.name.as_str(), &o.reduce))
            .collect();
        assert_eq!(
            reduces,
            vec![
                (
                    "last",
                    &Reduce::Latest {
                        field: "score".into(),
                        by: "at".into()
                    }
                ),
                ("n", &Reduce::Count),
                ("total", &Reduce::Sum("amount".into())),
            ]
        );
    }

    #[test]
    fn shape_errors_are_located_and_say_what_to_write() {
        let cases = [
            ("dataset = \"c\"\nkey = \"k\"\n", "add fields"),
            (
                "dataset = \"c\"\nkey = \"k\"\nfields = [\"a\"]\nunmatched = \"drop\"",
                "use \"keep\" or \"reject\"",
            ),
            (
                "dataset = \"c\"\nkey = \"k\"\naggregate = { x = { latest = \"s\" } }",
                "needs by =",
            ),
            (
                "dataset = \"c\"\nkey = \"k\"\naggregate = { x = { median = \"s\" } }",
                "unknown key \"median\"",
            ),
            (
                "dataset = \"c\"\nkey = \"k\"\nfields = [\"a\", \"a\"]",
                "listed twice",
            ),
            (
                "dataset = \"c\"\nkey = \"k\"\nfields = [\"a\"]\naggregate = { n = \"count\" }",
                "not both",
            ),
        ];
        for (body, expected) in cases {
            let text = format!("[[lookups]]\n{body}\n");
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(expected), "{body}: {e}");
            assert!(e.starts_with("c.toml:"), "{e}");
        }
    }
}
