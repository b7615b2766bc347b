//! Metric filters, compiled against the dataset's typed columns and evaluated per batch.
//! A row whose filter field is empty does not match (it is out of scope, like a row with
//! another value).

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use cxm_config::{FilterCondition, FilterConfig, FilterValue};
use cxm_ingest::FieldType;

/// A filter ready to evaluate on a column.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    /// Field index in the dataset plan.
    pub field: usize,
    test: Test,
}

#[derive(Debug, Clone)]
enum Test {
    TextIn(Vec<String>, bool),
    NumberIn(Vec<f64>, bool),
    BoolIn(Vec<bool>, bool),
    /// Numbers, dates (days) and timestamps (microseconds) compare as f64.
    AtLeast(f64),
    AtMost(f64),
}

fn date_days(text: &str) -> Option<f64> {
    let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((d - epoch).num_days() as f64)
}

/// The type a filter gives a field nobody else types: from its values.
pub fn implied_type(filter: &FilterConfig) -> FieldType {
    let first = match &filter.condition {
        FilterCondition::In(v) | FilterCondition::NotIn(v) => v.first().cloned(),
        FilterCondition::AtLeast(v) | FilterCondition::AtMost(v) => Some(v.clone()),
    };
    match first {
        Some(FilterValue::Number(_)) => FieldType::Number,
        Some(FilterValue::Bool(_)) => FieldType::Boolean,
        _ => FieldType::String,
    }
}

/// Compiles a filter for a field of type `ty`, or says why its values do not fit.
pub fn compile(
    filter: &FilterConfig,
    field: usize,
    ty: FieldType,
) -> Result<CompiledFilter, String> {
    let mismatch = || {
        format!(
            "filter on \"{}\" does not fit its type {}",
            filter.field,
            ty.name()
        )
    };
    let bound = |v: &FilterValue| -> Result<f64, String> {
        match (v, ty) {
            (FilterValue::Number(n), FieldType::Integer | FieldType::Number) => Ok(*n),
            (FilterValue::Text(t), FieldType::Date) => date_days(t).ok_or_else(|| {
                format!(
                    "filter on \"{}\": \"{t}\" is not a date YYYY-MM-DD",
                    filter.field
                )
            }),
            (FilterValue::Text(t), FieldType::Datetime) => {
                date_days(t).map(|d| d * 86_400_000_000.0).ok_or_else(|| {
                    format!(
                        "filter on \"{}\": \"{t}\" is not a date YYYY-MM-DD",
                        filter.field
                    )
                })
            }
            _ => Err(mismatch()),
        }
    };
    let list = |values: &[FilterValue], negate: bool| -> Result<Test, String> {
        match ty {
            FieldType::String => values
                .iter()
                .map(|v| {
                    if let FilterValue::Text(t) = v {
                        Ok(t.clone())
                    } else {
                        Err(mismatch())
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|l| Test::TextIn(l, negate)),
            FieldType::Integer | FieldType::Number => values
                .iter()
                .map(|v| {
                    if let FilterValue::Number(n) = v {
                        Ok(*n)
                    } else {
                        Err(mismatch())
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|l| Test::NumberIn(l, negate)),
            FieldType::Boolean => values
                .iter()
                .map(|v| {
                    if let FilterValue::Bool(b) = v {
                        Ok(*b)
                    } else {
                        Err(mismatch())
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|l| Test::BoolIn(l, negate)),
            _ => Err(format!(
                "filter on \"{}\": use at_least / at_most with dates",
                filter.field
            )),
        }
    };
    let test = match &filter.condition {
        FilterCondition::In(v) => list(v, false)?,
        FilterCondition::NotIn(v) => list(v, true)?,
        FilterCondition::AtLeast(v) => Test::AtLeast(bound(v)?),
        FilterCondition::AtMost(v) => Test::AtMost(bound(v)?),
    };
    Ok(CompiledFilter { field, test })
}

fn numeric(column: &ArrayRef, row: usize) -> Option<f64> {
    use arrow_schema::DataType;
    Some(match column.data_type() {
        DataType::Int64 => column.as_primitive::<Int64Type>().value(row) as f64,
        DataType::Float64 => column.as_primitive::<Float64Type>().value(row),
        DataType::Date32 => f64::from(column.as_primitive::<Date32Type>().value(row)),
        DataType::Timestamp(_, _) => {
            column.as_primitive::<TimestampMicrosecondType>().value(row) as f64
        }
        _ => return None,
    })
}

impl CompiledFilter {
    /// Whether row `row` of the dataset's columns is in scope.
    pub fn matches(&self, columns: &[ArrayRef], row: usize) -> bool {
        let column = &columns[self.field];
        if column.is_null(row) {
            return false;
        }
        match &self.test {
            Test::TextIn(values, negate) => {
                let v = column.as_string::<i32>().value(row);
                values.iter().any(|x| x == v) != *negate
            }
            Test::NumberIn(values, negate) => {
                numeric(column, row).is_some_and(|v| values.contains(&v)) != *negate
            }
            Test::BoolIn(values, negate) => {
                let v = column.as_boolean().value(row);
                values.contains(&v) != *negate
            }
            Test::AtLeast(b) => numeric(column, row).is_some_and(|v| v >= *b),
            Test::AtMost(b) => numeric(column, row).is_some_and(|v| v <= *b),
        }
    }
}
