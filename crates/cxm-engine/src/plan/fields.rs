//! The plan's view of a dataset's fields: which fields the metrics read and how (as a
//! period, or otherwise), what pushdown may cut a period timestamp to, and the types of
//! derived fields settled from their use.

use crate::error::EngineError;
use cxm_config::{ClientConfig, DatasetConfig, MetricConfig};
use cxm_host::{Library, MetricDef};
use cxm_ingest::{FieldSpec, FieldType};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The fields the metrics of a dataset read: as a period (with its grain), and otherwise
/// (inputs, filters, dimensions, the unique_key and the weight).
fn field_uses<'a>(
    ds: &'a DatasetConfig,
    metrics: &'a [(MetricConfig, Arc<Library>, MetricDef)],
) -> (Vec<(&'a str, cxm_period::Grain)>, Vec<&'a str>) {
    let mut periods = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    for (m, _, _) in metrics {
        periods.extend(m.period.iter().map(|p| (p.field.as_str(), p.grain)));
        other.extend(m.inputs.iter().map(|(_, f, _)| f.as_str()));
        other.extend(m.filters.iter().map(|f| f.field.as_str()));
        other.extend(m.group_by.iter().map(String::as_str));
    }
    other.extend(ds.unique_key.iter().map(String::as_str));
    other.extend(ds.weight.as_deref());
    if let Some(sampling) = &ds.sampling {
        other.extend(sampling.weight.as_deref());
        other.extend(
            sampling
                .raking
                .iter()
                .flat_map(|r| r.margins.iter().map(|(v, _)| v.as_str())),
        );
    }
    (periods, other)
}

/// Per parsed field: for a timestamp that only serves as metrics' period (no input, filter,
/// dimension, key, weight, lookup key or derived field reads it), what pushdown may cut it
/// to: its local month when every period of it is made of months (month, quarter, year,
/// fiscal or not), else its local day (day and ISO week periods).
pub(super) fn period_cuts(
    ds: &DatasetConfig,
    metrics: &[(MetricConfig, Arc<Library>, MetricDef)],
    parsed: &[FieldSpec],
    lookups: &[crate::lookup::LookupPlan],
    fields: &[FieldSpec],
) -> Vec<Option<cxm_sql::Cut>> {
    let (periods, mut other) = field_uses(ds, metrics);
    other.extend(
        ds.fields
            .iter()
            .filter_map(|f| f.derived.as_ref().map(|d| d.from.as_str())),
    );
    other.extend(
        lookups
            .iter()
            .filter_map(|l| fields.get(l.key_field).map(|f| f.name.as_str())),
    );
    parsed
        .iter()
        .map(|f| {
            let name = f.name.as_str();
            let grains: Vec<cxm_period::Grain> = periods
                .iter()
                .filter(|(p, _)| *p == name)
                .map(|(_, g)| *g)
                .collect();
            if f.ty != FieldType::Datetime || grains.is_empty() || other.contains(&name) {
                return None;
            }
            let months = grains.iter().all(|g| {
                matches!(
                    g,
                    cxm_period::Grain::Month | cxm_period::Grain::Quarter | cxm_period::Grain::Year
                )
            });
            Some(if months {
                cxm_sql::Cut::Month
            } else {
                cxm_sql::Cut::Day
            })
        })
        .collect()
}

/// Settles the types of derived fields: an unused derived field is not computed, and the
/// field a used one reads is parsed as a number (bands) or as text (maps) unless declared
/// or used otherwise; a source of another type is an error located at `from`.
pub(super) fn settle_derived(
    config: &ClientConfig,
    ds: &DatasetConfig,
    metrics: &[(MetricConfig, Arc<Library>, MetricDef)],
    types: &mut BTreeMap<String, FieldType>,
) -> Result<(), EngineError> {
    let (periods, mut used) = field_uses(ds, metrics);
    used.extend(periods.iter().map(|(f, _)| *f));
    for f in &ds.fields {
        let Some(d) = &f.derived else { continue };
        if !used.contains(&f.name.as_str()) {
            types.remove(&f.name);
            continue;
        }
        let (wanted, ok): (FieldType, fn(FieldType) -> bool) = match &d.rule {
            cxm_config::DerivedRule::Bands(_) => (FieldType::Number, |t| {
                matches!(t, FieldType::Integer | FieldType::Number)
            }),
            cxm_config::DerivedRule::Map(_) => (FieldType::String, |t| {
                matches!(
                    t,
                    FieldType::String | FieldType::Integer | FieldType::Number | FieldType::Boolean
                )
            }),
        };
        let current = *types.entry(d.from.clone()).or_insert(wanted);
        if !ok(current) {
            let what = match &d.rule {
                cxm_config::DerivedRule::Bands(_) => "bands read numbers",
                cxm_config::DerivedRule::Map(_) => "a map reads text, numbers or true/false",
            };
            return Err(config
                .error_at(
                    d.from_location,
                    format!(
                        "derived field \"{}\": {what}, but field \"{}\" has type {}",
                        f.name,
                        d.from,
                        current.name()
                    ),
                )
                .into());
        }
    }
    Ok(())
}
