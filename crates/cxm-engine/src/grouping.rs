//! Assigning rows to groups (group_by dimensions × period) without per-row allocation, and
//! projecting fine groups onto coarser grouping sets for roll-ups.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use cxm_period::PeriodRule;
use std::collections::HashMap;

/// The labels of one group: (key name, value) pairs, `None` for a missing value.
pub(crate) type GroupLabels = Vec<(String, Option<String>)>;

/// Distinct values of one grouping key, numbered densely.
#[derive(Default)]
struct Interner {
    text: HashMap<String, u32>,
    periods: HashMap<i64, u32>,
    null_id: Option<u32>,
    labels: Vec<Option<String>>,
}

impl Interner {
    fn null(&mut self) -> u32 {
        *self.null_id.get_or_insert_with(|| {
            self.labels.push(None);
            (self.labels.len() - 1) as u32
        })
    }

    fn text(&mut self, value: &str) -> u32 {
        if let Some(id) = self.text.get(value) {
            return *id;
        }
        let id = self.labels.len() as u32;
        self.labels.push(Some(value.to_string()));
        self.text.insert(value.to_string(), id);
        id
    }

    fn period(&mut self, key: i64, label: impl FnOnce() -> String) -> u32 {
        *self.periods.entry(key).or_insert_with(|| {
            self.labels.push(Some(label()));
            (self.labels.len() - 1) as u32
        })
    }
}

/// Assigns group ids to rows; one group per distinct combination of key values seen.
pub(crate) struct Grouper {
    /// Field index of each key: the dimensions, then the period field.
    key_fields: Vec<usize>,
    /// Name of each key (dimension names, then `period`).
    key_names: Vec<String>,
    rule: Option<PeriodRule>,
    interners: Vec<Interner>,
    groups: HashMap<Vec<u32>, u32>,
    keys: Vec<Vec<u32>>,
}

impl Grouper {
    pub(crate) fn new(dimensions: &[(usize, String)], period: Option<(usize, PeriodRule)>) -> Self {
        let mut key_fields: Vec<usize> = dimensions.iter().map(|(i, _)| *i).collect();
        let mut key_names: Vec<String> = dimensions.iter().map(|(_, n)| n.clone()).collect();
        if let Some((field, _)) = period {
            key_fields.push(field);
            key_names.push("period".into());
        }
        let interners = key_fields.iter().map(|_| Interner::default()).collect();
        Grouper {
            key_fields,
            key_names,
            rule: period.map(|(_, r)| r),
            interners,
            groups: HashMap::new(),
            keys: Vec::new(),
        }
    }

    /// Number of grouping keys (dimensions plus the period).
    pub(crate) fn num_keys(&self) -> usize {
        self.key_fields.len()
    }

    /// Number of groups seen so far (at least 1).
    pub(crate) fn num_groups(&self) -> u32 {
        self.keys.len().max(1) as u32
    }

    /// Whether a field is a grouping key.
    pub(crate) fn is_key_field(&self, field: usize) -> bool {
        self.key_fields.contains(&field)
    }

    /// Writes the group id of every row of `columns` into `out`. Rows flagged in `skip`
    /// (their grouping values could not be read; every metric rejects them) get group 0
    /// without creating a group.
    pub(crate) fn assign(
        &mut self,
        columns: &[ArrayRef],
        rows: usize,
        skip: &[bool],
        out: &mut Vec<u32>,
    ) {
        out.clear();
        if self.key_fields.is_empty() {
            out.resize(rows, 0);
            return;
        }
        let period_key = self.rule.map(|_| self.key_fields.len() - 1);
        let mut scratch = vec![0u32; self.key_fields.len()];
        for row in 0..rows {
            if skip.get(row).copied().unwrap_or(false) {
                out.push(0);
                continue;
            }
            for (k, &field) in self.key_fields.iter().enumerate() {
                let column = &columns[field];
                let interner = &mut self.interners[k];
                scratch[k] = if column.is_null(row) {
                    interner.null()
                } else if Some(k) == period_key {
                    match self
                        .rule
                        .and_then(|rule| Some((rule, period_key_at(&rule, column, row)?)))
                    {
                        // The label is built only when the period is first seen.
                        Some((rule, key)) => interner
                            .period(key, || rule.label(key).unwrap_or_else(|| key.to_string())),
                        None => interner.null(),
                    }
                } else {
                    interner.text(column.as_string::<i32>().value(row))
                };
            }
            let id = match self.groups.get(scratch.as_slice()) {
                Some(id) => *id,
                None => {
                    let id = self.keys.len() as u32;
                    self.keys.push(scratch.clone());
                    self.groups.insert(scratch.clone(), id);
                    id
                }
            };
            out.push(id);
        }
    }

    /// Projects the groups onto the keys in `subset`: returns the map from each fine group
    /// to its coarse group, and the labels of each coarse group.
    pub(crate) fn project(&self, subset: &[usize]) -> (Vec<u32>, Vec<GroupLabels>) {
        let mut coarse: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut labels = Vec::new();
        let mut map = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let projected: Vec<u32> = subset.iter().map(|&k| key[k]).collect();
            let next = coarse.len() as u32;
            let id = *coarse.entry(projected.clone()).or_insert_with(|| {
                labels.push(
                    subset
                        .iter()
                        .zip(&projected)
                        .map(|(&k, &v)| {
                            (
                                self.key_names[k].clone(),
                                self.interners[k].labels[v as usize].clone(),
                            )
                        })
                        .collect(),
                );
                next
            });
            map.push(id);
        }
        if self.keys.is_empty() {
            map.push(0);
            labels.push(Vec::new());
        }
        (map, labels)
    }
}

/// The period key of row `row` of a date or timestamp column (no label: that is built
/// once per period).
fn period_key_at(rule: &PeriodRule, column: &ArrayRef, row: usize) -> Option<i64> {
    match column.data_type() {
        DataType::Date32 => rule.key_of_date(column.as_primitive::<Date32Type>().value(row)),
        DataType::Timestamp(_, _) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            rule.key_of_date(rule.zone.local_days(micros)?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{StringArray, TimestampMicrosecondArray};
    use std::sync::Arc;

    #[test]
    fn assigns_groups_and_projects_rollups() {
        let region: ArrayRef = Arc::new(StringArray::from(vec![
            Some("N"),
            Some("S"),
            Some("N"),
            None,
        ]));
        // 2025-03-01, 2025-03-02, 2025-04-01, 2025-04-02 (UTC), in microseconds.
        let day = 86_400_000_000i64;
        let march = 20_148 * day;
        let ts: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from(vec![
                march,
                march + day,
                march + 31 * day,
                march + 32 * day,
            ])
            .with_timezone("UTC"),
        );
        let rule = PeriodRule::new(cxm_period::Grain::Month, cxm_period::Zone::Utc, 1).unwrap();
        let mut g = Grouper::new(&[(0, "region".into())], Some((1, rule)));
        let mut ids = Vec::new();
        g.assign(&[region, ts], 4, &[], &mut ids);
        assert_eq!(ids, vec![0, 1, 2, 3]);
        let (map, labels) = g.project(&[]);
        assert_eq!(map, vec![0, 0, 0, 0]);
        assert_eq!(labels, vec![vec![]]);
        let (map, labels) = g.project(&[1]);
        assert_eq!(map, vec![0, 0, 1, 1]);
        assert_eq!(
            labels[0],
            vec![("period".to_string(), Some("2025-03".to_string()))]
        );
        let (map, labels) = g.project(&[0]);
        assert_eq!(map, vec![0, 1, 0, 2]);
        assert_eq!(labels[2], vec![("region".to_string(), None)]);
    }
}
