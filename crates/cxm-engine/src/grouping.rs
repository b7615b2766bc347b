//! Assigning rows to groups (group_by dimensions × period) without per-row allocation,
//! folding the groups found in one chunk into the run's groups, and projecting fine groups
//! onto coarser grouping sets for roll-ups.

use crate::fxhash::FxBuildHasher;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, BooleanArray, PrimitiveArray, StringArray};
use arrow_schema::DataType;
use cxm_period::PeriodRule;
use std::collections::HashMap;

/// The labels of one group: (key name, value) pairs, `None` for a missing value.
pub(crate) type GroupLabels = Vec<(String, Option<String>)>;

/// What a key value is, independently of the id an interner gave it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyValue {
    Null,
    Text(Box<str>),
    Period(i64),
    Integer(i64),
    Boolean(bool),
    /// A date dimension (days since 1970-01-01).
    Date(i32),
}

/// Where a key value sorts among the segments of its key: empty first, then the labels of
/// an explicit order (or a banded field's bands) in that order, then the other values in
/// their natural order: numbers as numbers, false before true, dates by date, texts and
/// periods by their label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SortKey {
    Null,
    Ranked(usize),
    Integer(i64),
    Boolean(bool),
    Date(i32),
    Label(String),
}

/// The label of a date dimension: YYYY-MM-DD.
fn date_label(days: i32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
        .map_or_else(|| days.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// Distinct values of one grouping key, numbered densely in order of first appearance.
struct Interner {
    /// Values of at most 7 bytes, packed with their length into one word: no string
    /// comparison, no pointer to follow (most grouping values are short codes and names).
    short_text: HashMap<u64, u32, FxBuildHasher>,
    /// 64 recently used packed values and their ids (`u64::MAX` is never a packed value:
    /// its length byte would be 255).
    recent: Vec<(u64, u32)>,
    text: HashMap<Box<str>, u32, FxBuildHasher>,
    periods: HashMap<i64, u32, FxBuildHasher>,
    /// Integer, boolean and date dimension values.
    scalars: HashMap<KeyValue, u32, FxBuildHasher>,
    null_id: Option<u32>,
    /// The value of each id.
    values: Vec<KeyValue>,
    /// The label of each id.
    labels: Vec<Option<String>>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            short_text: HashMap::default(),
            recent: vec![(u64::MAX, 0); 64],
            text: HashMap::default(),
            periods: HashMap::default(),
            scalars: HashMap::default(),
            null_id: None,
            values: Vec::new(),
            labels: Vec::new(),
        }
    }
}

impl Interner {
    fn add(&mut self, value: KeyValue, label: Option<String>) -> u32 {
        let id = self.values.len() as u32;
        self.values.push(value);
        self.labels.push(label);
        id
    }

    fn null(&mut self) -> u32 {
        match self.null_id {
            Some(id) => id,
            None => {
                let id = self.add(KeyValue::Null, None);
                self.null_id = Some(id);
                id
            }
        }
    }

    fn text(&mut self, value: &str) -> u32 {
        if let Some(packed) = pack_short(value.as_bytes()) {
            // A direct-mapped cache of recent short values in front of the map.
            let slot = (packed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize;
            if let Some(&(cached, id)) = self.recent.get(slot) {
                if cached == packed {
                    return id;
                }
            }
            if let Some(&id) = self.short_text.get(&packed) {
                if let Some(entry) = self.recent.get_mut(slot) {
                    *entry = (packed, id);
                }
                return id;
            }
            let id = self.add(KeyValue::Text(value.into()), Some(value.to_string()));
            self.short_text.insert(packed, id);
            return id;
        }
        if let Some(id) = self.text.get(value) {
            return *id;
        }
        let id = self.add(KeyValue::Text(value.into()), Some(value.to_string()));
        self.text.insert(value.into(), id);
        id
    }

    /// The id of a period key; its label is built only when the period is first seen.
    fn period(&mut self, key: i64, label: impl FnOnce() -> String) -> u32 {
        if let Some(id) = self.periods.get(&key) {
            return *id;
        }
        let id = self.add(KeyValue::Period(key), Some(label()));
        self.periods.insert(key, id);
        id
    }

    /// The id of an integer, boolean or date dimension value.
    fn scalar(&mut self, value: KeyValue) -> u32 {
        if let Some(id) = self.scalars.get(&value) {
            return *id;
        }
        let label = match &value {
            KeyValue::Integer(i) => i.to_string(),
            KeyValue::Boolean(b) => b.to_string(),
            KeyValue::Date(d) => date_label(*d),
            KeyValue::Text(t) => t.to_string(),
            KeyValue::Period(p) => p.to_string(),
            KeyValue::Null => return self.null(),
        };
        let id = self.add(value.clone(), Some(label));
        self.scalars.insert(value, id);
        id
    }

    /// The id of a value interned elsewhere, with its label.
    fn value(&mut self, value: &KeyValue, label: &Option<String>) -> u32 {
        match value {
            KeyValue::Null => self.null(),
            KeyValue::Text(text) => self.text(text),
            KeyValue::Period(key) => self.period(*key, || label.clone().unwrap_or_default()),
            KeyValue::Integer(_) | KeyValue::Boolean(_) | KeyValue::Date(_) => {
                self.scalar(value.clone())
            }
        }
    }

    /// Where the value of `id` sorts, given the labels ranked first.
    fn sort_key(&self, id: u32, ranked: &[String]) -> SortKey {
        let label = self.labels.get(id as usize).and_then(Option::as_ref);
        let Some(label) = label else {
            return SortKey::Null;
        };
        if let Some(rank) = ranked.iter().position(|r| r == label) {
            return SortKey::Ranked(rank);
        }
        match self.values.get(id as usize) {
            Some(KeyValue::Integer(i)) => SortKey::Integer(*i),
            Some(KeyValue::Boolean(b)) => SortKey::Boolean(*b),
            Some(KeyValue::Date(d)) => SortKey::Date(*d),
            _ => SortKey::Label(label.clone()),
        }
    }
}

/// A value of at most 7 bytes as one word: its bytes, then its length in the top byte (so
/// values differing only by trailing NUL bytes stay distinct).
fn pack_short(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    // A shift per byte rather than a copy (a call to memcpy for a variable length).
    let word = bytes
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, &b)| acc | u64::from(b) << (8 * i));
    Some(word | (bytes.len() as u64) << 56)
}

/// Group ids by key tuple: packed into a `u128` when there are at most four keys.
enum GroupIndex {
    Packed(HashMap<u128, u32, FxBuildHasher>),
    Wide(HashMap<Vec<u32>, u32, FxBuildHasher>),
}

impl GroupIndex {
    fn for_keys(keys: usize) -> GroupIndex {
        if keys <= 4 {
            GroupIndex::Packed(HashMap::default())
        } else {
            GroupIndex::Wide(HashMap::default())
        }
    }

    /// The id of `key`, or `next` after inserting it (returns whether it was new).
    fn get_or_insert(&mut self, key: &[u32], next: u32) -> (u32, bool) {
        match self {
            GroupIndex::Packed(map) => {
                let packed = key
                    .iter()
                    .fold(0u128, |acc, &k| (acc << 32) | u128::from(k));
                match map.entry(packed) {
                    std::collections::hash_map::Entry::Occupied(e) => (*e.get(), false),
                    std::collections::hash_map::Entry::Vacant(e) => (*e.insert(next), true),
                }
            }
            GroupIndex::Wide(map) => match map.get(key) {
                Some(id) => (*id, false),
                None => {
                    map.insert(key.to_vec(), next);
                    (next, true)
                }
            },
        }
    }
}

/// One key column of a batch, downcast once per batch.
enum KeyColumn<'a> {
    Text(&'a StringArray),
    Integer(&'a PrimitiveArray<Int64Type>),
    Boolean(&'a BooleanArray),
    /// A date dimension (not a period).
    Day(&'a PrimitiveArray<Date32Type>),
    Date(&'a PrimitiveArray<Date32Type>),
    Timestamp(&'a PrimitiveArray<TimestampMicrosecondType>),
    /// A period over a column that is neither a date nor a timestamp: no period.
    Unusable,
}

/// Assigns group ids to rows; one group per distinct combination of key values seen.
pub(crate) struct Grouper {
    /// Field index of each key: the dimensions, then the period field.
    key_fields: Vec<usize>,
    /// Name of each key (dimension names, then `period`).
    key_names: Vec<String>,
    rule: Option<PeriodRule>,
    interners: Vec<Interner>,
    index: GroupIndex,
    /// The key tuple of each group.
    keys: Vec<Vec<u32>>,
    /// The last day seen by the period key and its interned id (rows often come in time
    /// order).
    last_day: Option<(i32, u32)>,
    /// Per dimension: labels sorted first, in this order (see [`SortKey`]).
    orders: Vec<Vec<String>>,
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
            index: GroupIndex::for_keys(key_fields.len()),
            key_fields,
            key_names,
            rule: period.map(|(_, r)| r),
            interners,
            keys: Vec::new(),
            last_day: None,
            orders: Vec::new(),
        }
    }

    /// Sets the labels each dimension sorts first, in order (empty: natural order).
    pub(crate) fn with_orders(mut self, orders: Vec<Vec<String>>) -> Self {
        self.orders = orders;
        self
    }

    /// An empty grouper with the same keys.
    pub(crate) fn fresh(&self) -> Grouper {
        Grouper {
            key_fields: self.key_fields.clone(),
            key_names: self.key_names.clone(),
            rule: self.rule,
            interners: self
                .key_fields
                .iter()
                .map(|_| Interner::default())
                .collect(),
            index: GroupIndex::for_keys(self.key_fields.len()),
            keys: Vec::new(),
            last_day: None,
            orders: self.orders.clone(),
        }
    }

    /// Number of grouping keys (dimensions plus the period).
    pub(crate) fn num_keys(&self) -> usize {
        self.key_fields.len()
    }

    /// Number of groups created so far (0 when none was).
    pub(crate) fn group_count(&self) -> usize {
        self.keys.len()
    }

    /// Number of groups seen so far (at least 1).
    pub(crate) fn num_groups(&self) -> u32 {
        self.keys.len().max(1) as u32
    }

    fn group_of(&mut self, key: &[u32]) -> u32 {
        let next = self.keys.len() as u32;
        let (id, new) = self.index.get_or_insert(key, next);
        if new {
            self.keys.push(key.to_vec());
        }
        id
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
        let key_columns: Vec<KeyColumn<'_>> = self
            .key_fields
            .iter()
            .enumerate()
            .map(|(k, &field)| key_column(&columns[field], Some(k) == period_key))
            .collect();
        let mut scratch = vec![0u32; self.key_fields.len()];
        for row in 0..rows {
            if skip.get(row).copied().unwrap_or(false) {
                out.push(0);
                continue;
            }
            for (k, column) in key_columns.iter().enumerate() {
                scratch[k] = self.key_id(k, column, row);
            }
            out.push(self.group_of(&scratch));
        }
    }

    /// The interned id of key `k` in `row`.
    fn key_id(&mut self, k: usize, column: &KeyColumn<'_>, row: usize) -> u32 {
        let interner = &mut self.interners[k];
        let day = match column {
            KeyColumn::Text(strings) => {
                return if strings.is_null(row) {
                    interner.null()
                } else {
                    interner.text(strings.value(row))
                };
            }
            KeyColumn::Integer(ints) => {
                return if ints.is_null(row) {
                    interner.null()
                } else {
                    interner.scalar(KeyValue::Integer(ints.value(row)))
                };
            }
            KeyColumn::Boolean(bools) => {
                return if bools.is_null(row) {
                    interner.null()
                } else {
                    interner.scalar(KeyValue::Boolean(bools.value(row)))
                };
            }
            KeyColumn::Day(days) => {
                return if days.is_null(row) {
                    interner.null()
                } else {
                    interner.scalar(KeyValue::Date(days.value(row)))
                };
            }
            KeyColumn::Unusable => return interner.null(),
            KeyColumn::Date(dates) => (!dates.is_null(row)).then(|| dates.value(row)),
            KeyColumn::Timestamp(stamps) => match (stamps.is_null(row), self.rule) {
                (false, Some(rule)) => rule.zone.local_days(stamps.value(row)),
                _ => None,
            },
        };
        let (Some(day), Some(rule)) = (day, self.rule) else {
            return interner.null();
        };
        if let Some((last, id)) = self.last_day {
            if last == day {
                return id;
            }
        }
        let id = match rule.key_of_date(day) {
            // The label is built only when the period is first seen.
            Some(key) => {
                interner.period(key, || rule.label(key).unwrap_or_else(|| key.to_string()))
            }
            None => interner.null(),
        };
        self.last_day = Some((day, id));
        id
    }

    /// Folds the groups of `other` (a grouper with the same keys, filled from one chunk)
    /// into this one; returns the id here of each group of `other`.
    pub(crate) fn absorb(&mut self, other: &Grouper) -> Vec<u32> {
        let value_maps: Vec<Vec<u32>> = other
            .interners
            .iter()
            .zip(self.interners.iter_mut())
            .map(|(theirs, ours)| {
                theirs
                    .values
                    .iter()
                    .zip(&theirs.labels)
                    .map(|(value, label)| ours.value(value, label))
                    .collect()
            })
            .collect();
        let mut scratch = vec![0u32; self.key_fields.len()];
        let mut map = Vec::with_capacity(other.keys.len().max(1));
        for key in &other.keys {
            for (k, &v) in key.iter().enumerate() {
                scratch[k] = value_maps[k][v as usize];
            }
            map.push(self.group_of(&scratch));
        }
        if other.keys.is_empty() {
            // No group was created (no keys, or no groupable row): group 0 maps to group 0.
            map.push(0);
        }
        map
    }

    /// Projects the groups onto the keys in `subset`: returns the map from each fine group
    /// to its coarse group, and the labels of each coarse group.
    #[cfg(test)]
    pub(crate) fn project(&self, subset: &[usize]) -> (Vec<u32>, Vec<GroupLabels>) {
        let (map, labels, _) = self.project_sorted(subset);
        (map, labels)
    }

    /// [`Grouper::project`], with where each coarse group sorts (its keys' [`SortKey`]s).
    pub(crate) fn project_sorted(
        &self,
        subset: &[usize],
    ) -> (Vec<u32>, Vec<GroupLabels>, Vec<Vec<SortKey>>) {
        let mut coarse: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut labels = Vec::new();
        let mut sort_keys = Vec::new();
        let mut map = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let projected: Vec<u32> = subset.iter().map(|&k| key[k]).collect();
            let next = coarse.len() as u32;
            let id = *coarse.entry(projected.clone()).or_insert_with(|| {
                sort_keys.push(
                    subset
                        .iter()
                        .zip(&projected)
                        .map(|(&k, &v)| {
                            let ranked = self.orders.get(k).map_or(&[][..], Vec::as_slice);
                            self.interners[k].sort_key(v, ranked)
                        })
                        .collect(),
                );
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
            sort_keys.push(Vec::new());
        }
        (map, labels, sort_keys)
    }
}

/// Downcasts a key column once: text, integers, booleans or dates for dimensions; dates
/// or timestamps for the period.
fn key_column(column: &ArrayRef, is_period: bool) -> KeyColumn<'_> {
    if !is_period {
        return match column.data_type() {
            DataType::Utf8 => KeyColumn::Text(column.as_string::<i32>()),
            DataType::Int64 => KeyColumn::Integer(column.as_primitive::<Int64Type>()),
            DataType::Boolean => KeyColumn::Boolean(column.as_boolean()),
            DataType::Date32 => KeyColumn::Day(column.as_primitive::<Date32Type>()),
            _ => KeyColumn::Unusable,
        };
    }
    match column.data_type() {
        DataType::Date32 => KeyColumn::Date(column.as_primitive::<Date32Type>()),
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => {
            KeyColumn::Timestamp(column.as_primitive::<TimestampMicrosecondType>())
        }
        _ => KeyColumn::Unusable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{StringArray, TimestampMicrosecondArray};
    use std::sync::Arc;

    fn columns(regions: Vec<Option<&str>>, days: &[i64]) -> Vec<ArrayRef> {
        let day = 86_400_000_000i64;
        let region: ArrayRef = Arc::new(StringArray::from(regions));
        let ts: ArrayRef = Arc::new(
            TimestampMicrosecondArray::from(days.iter().map(|d| d * day).collect::<Vec<_>>())
                .with_timezone("UTC"),
        );
        vec![region, ts]
    }

    fn month_rule() -> PeriodRule {
        PeriodRule::new(cxm_period::Grain::Month, cxm_period::Zone::Utc, 1).unwrap()
    }

    #[test]
    fn assigns_groups_and_projects_rollups() {
        // 2025-03-01, 2025-03-02, 2025-04-01, 2025-04-02 (UTC).
        let cols = columns(
            vec![Some("N"), Some("S"), Some("N"), None],
            &[20_148, 20_149, 20_179, 20_180],
        );
        let mut g = Grouper::new(&[(0, "region".into())], Some((1, month_rule())));
        let mut ids = Vec::new();
        g.assign(&cols, 4, &[], &mut ids);
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

    #[test]
    fn absorbing_chunks_matches_one_pass() {
        let all = columns(
            vec![Some("N"), Some("S"), Some("N"), None, Some("S"), Some("E")],
            &[20_148, 20_149, 20_179, 20_180, 20_179, 20_148],
        );
        let mut whole = Grouper::new(&[(0, "region".into())], Some((1, month_rule())));
        let mut ids = Vec::new();
        whole.assign(&all, 6, &[], &mut ids);
        assert_eq!(ids, vec![0, 1, 2, 3, 4, 5]);

        // The same rows in two chunks, each with its own grouper, folded in order.
        let mut merged = whole.fresh();
        let first = columns(
            vec![Some("N"), Some("S"), Some("N")],
            &[20_148, 20_149, 20_179],
        );
        let second = columns(vec![None, Some("S"), Some("E")], &[20_180, 20_179, 20_148]);
        let mut maps = Vec::new();
        for cols in [first, second] {
            let mut local = merged.fresh();
            let mut local_ids = Vec::new();
            local.assign(&cols, 3, &[], &mut local_ids);
            let map = merged.absorb(&local);
            maps.push(
                local_ids
                    .iter()
                    .map(|&i| map[i as usize])
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(maps, vec![vec![0, 1, 2], vec![3, 4, 5]]);
        for subset in [vec![], vec![0], vec![1], vec![0, 1]] {
            assert_eq!(merged.project(&subset), whole.project(&subset));
        }
        // A chunk whose rows were all skipped maps its group 0 to group 0.
        let empty = merged.fresh();
        assert_eq!(merged.absorb(&empty), vec![0]);
    }

    #[test]
    fn short_and_long_values_intern_apart() {
        let mut interner = Interner::default();
        let values = [
            "",
            "a",
            "a\0",
            "North",
            "Central",
            "Southwest",
            "a\0\0\0\0\0\0",
        ];
        let ids: Vec<u32> = values.iter().map(|v| interner.text(v)).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 4, 5, 6]);
        let again: Vec<u32> = values.iter().map(|v| interner.text(v)).collect();
        assert_eq!(again, ids);
        assert_eq!(interner.labels[5].as_deref(), Some("Southwest"));
        assert_eq!(pack_short(b"abcdefgh"), None);
        assert_ne!(pack_short(b"a"), pack_short(b"a\0"));
    }

    #[test]
    fn typed_dimensions_sort_naturally() {
        use arrow_array::{BooleanArray, Date32Array, Int64Array};
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![Some(10), Some(2), None, Some(-1)])),
            Arc::new(BooleanArray::from(vec![true, false, true, false])),
            Arc::new(Date32Array::from(vec![20_148, 0, 20_148, -1])),
            Arc::new(StringArray::from(vec!["25+", "0-12", "x", "13-24"])),
        ];
        let dims: Vec<(usize, String)> = ["n", "b", "d", "band"]
            .iter()
            .enumerate()
            .map(|(i, n)| (i, n.to_string()))
            .collect();
        let orders = vec![
            vec![],
            vec![],
            vec![],
            vec!["0-12".to_string(), "13-24".into(), "25+".into()],
        ];
        let mut g = Grouper::new(&dims, None).with_orders(orders);
        let mut ids = Vec::new();
        g.assign(&cols, 4, &[], &mut ids);
        let sorted = |k: usize| {
            let (_, labels, keys) = g.project_sorted(&[k]);
            let mut rows: Vec<_> = keys.into_iter().zip(labels).collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            rows.into_iter()
                .map(|(_, l)| l[0].1.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(sorted(0), vec!["", "-1", "2", "10"]);
        assert_eq!(sorted(1), vec!["false", "true"]);
        assert_eq!(sorted(2), vec!["1969-12-31", "1970-01-01", "2025-03-01"]);
        assert_eq!(sorted(3), vec!["0-12", "13-24", "25+", "x"]);
        // Chunks fold typed values into the same groups.
        let mut merged = g.fresh();
        assert_eq!(merged.absorb(&g), vec![0, 1, 2, 3]);
        assert_eq!(merged.project(&[0]), g.project(&[0]));
    }

    #[test]
    fn skipped_rows_and_ungrouped_batches() {
        let cols = columns(vec![Some("N"), Some("S")], &[20_148, 20_149]);
        let mut g = Grouper::new(&[(0, "region".into())], None);
        let mut ids = Vec::new();
        g.assign(&cols, 2, &[true, false], &mut ids);
        assert_eq!(ids, vec![0, 0]);
        assert_eq!(g.num_groups(), 1);
        let mut none = Grouper::new(&[], None);
        none.assign(&cols, 2, &[], &mut ids);
        assert_eq!(ids, vec![0, 0]);
        assert_eq!(none.absorb(&none.fresh()), vec![0]);
    }
}
