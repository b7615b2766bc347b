//! Assigning rows to groups (group_by dimensions × period) without per-row allocation,
//! folding the groups found in one chunk into the run's groups, and projecting fine groups
//! onto coarser grouping sets for roll-ups.

use crate::fxhash::FxBuildHasher;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, BooleanArray, PrimitiveArray, StringArray};
use arrow_schema::DataType;
use cxm_period::PeriodRule;
use std::borrow::Cow;
use std::collections::HashMap;

mod str_set;
pub(crate) use str_set::StrSet;

/// The labels of one group: (key name, value) pairs, `None` for a missing value.
pub(crate) type GroupLabels = Vec<(cxm_report::Name, Option<String>)>;

/// What a key value is, independently of the id an interner gave it. Texts and period
/// labels live in the interner ([`Interner::label`] gives a value's label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyValue {
    Null,
    /// A text of at most 7 bytes, packed (see [`pack_short`]).
    Short(u64),
    /// A longer text: its number in the interner's [`StrSet`].
    Long(u32),
    /// A period key and the index of its label in the interner's period labels.
    Period(i64, u32),
    Integer(i64),
    Boolean(bool),
    /// A date dimension (days since 1970-01-01).
    Date(i32),
}

/// Where a key value sorts among the segments of its key: empty first, then the labels of
/// an explicit order (or a banded field's bands) in that order, then the other values in
/// their natural order: numbers as numbers, false before true, dates by date, texts and
/// periods by their label. `Label` says only that: the label itself is the group's, at the
/// same position (not copied here: with 200,000 customers that was a copy of every id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SortKey {
    Null,
    Ranked(usize),
    Integer(i64),
    Boolean(bool),
    Date(i32),
    Label,
}

/// The label of a date dimension: YYYY-MM-DD.
fn date_label(days: i32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
        .map_or_else(|| days.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// Distinct values of one grouping key, numbered densely in order of first appearance.
/// Adding a value allocates nothing of its own: texts go into one buffer ([`StrSet`]) or
/// are packed into a word, and labels are made when asked for ([`Interner::label`]).
struct Interner {
    /// Values of at most 7 bytes, packed with their length into one word: no string
    /// comparison, no pointer to follow (most grouping values are short codes and names).
    short_text: HashMap<u64, u32, FxBuildHasher>,
    /// 64 recently used packed values and their ids (`u64::MAX` is never a packed value:
    /// its length byte would be 255).
    recent: Vec<(u64, u32)>,
    /// Longer texts, numbered in order of first appearance, each with its id as its value.
    long_text: StrSet,
    periods: HashMap<i64, u32, FxBuildHasher>,
    /// The label of each period, in order of first appearance.
    period_labels: Vec<String>,
    /// Integer, boolean and date dimension values.
    scalars: HashMap<KeyValue, u32, FxBuildHasher>,
    null_id: Option<u32>,
    /// The value of each id.
    values: Vec<KeyValue>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            short_text: HashMap::default(),
            recent: vec![(u64::MAX, 0); 64],
            long_text: StrSet::default(),
            periods: HashMap::default(),
            period_labels: Vec::new(),
            scalars: HashMap::default(),
            null_id: None,
            values: Vec::new(),
        }
    }
}

impl Interner {
    fn add(&mut self, value: KeyValue) -> u32 {
        let id = self.values.len() as u32;
        self.values.push(value);
        id
    }

    fn null(&mut self) -> u32 {
        match self.null_id {
            Some(id) => id,
            None => {
                let id = self.add(KeyValue::Null);
                self.null_id = Some(id);
                id
            }
        }
    }

    fn text(&mut self, value: &str) -> u32 {
        match pack_short(value.as_bytes()) {
            Some(packed) => self.short(packed),
            None => self.long(value),
        }
    }

    /// The id of a packed short text.
    #[inline]
    fn short(&mut self, packed: u64) -> u32 {
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
        let id = self.add(KeyValue::Short(packed));
        self.short_text.insert(packed, id);
        id
    }

    /// The id of a text of more than 7 bytes.
    fn long(&mut self, value: &str) -> u32 {
        let next = self.values.len() as u32;
        let (id, new) = self.long_text.insert_valued(value, next);
        if new {
            let number = self.long_text.len() as u32 - 1;
            self.add(KeyValue::Long(number));
        }
        id
    }

    /// The id of a period key; its label is built only when the period is first seen.
    fn period(&mut self, key: i64, label: impl FnOnce() -> String) -> u32 {
        if let Some(id) = self.periods.get(&key) {
            return *id;
        }
        let id = self.add(KeyValue::Period(key, self.period_labels.len() as u32));
        self.period_labels.push(label());
        self.periods.insert(key, id);
        id
    }

    /// The id of an integer, boolean or date dimension value.
    fn scalar(&mut self, value: KeyValue) -> u32 {
        if let Some(id) = self.scalars.get(&value) {
            return *id;
        }
        let id = self.add(value);
        self.scalars.insert(value, id);
        id
    }

    /// The ids here of every value of `other` (an interner of the same key), in order.
    /// Long texts are looked up with their slots asked for sixteen values ahead and their
    /// texts eight ahead: with a million distinct texts, each lookup is otherwise two waits
    /// for memory.
    fn values_of(&mut self, other: &Interner) -> Vec<u32> {
        const SLOTS_AHEAD: usize = 16;
        const TEXTS_AHEAD: usize = 8;
        let n = other.values.len();
        let mut ids = Vec::with_capacity(n);
        for id in 0..n {
            if let Some(KeyValue::Long(number)) = other.values.get(id + SLOTS_AHEAD) {
                self.long_text.prefetch_slot(other.long_text.get(*number));
            }
            if let Some(KeyValue::Long(number)) = other.values.get(id + TEXTS_AHEAD) {
                self.long_text.prefetch_text(other.long_text.get(*number));
            }
            ids.push(self.value_of(other, id as u32));
        }
        ids
    }

    /// The id here of value `id` of `other` (an interner of the same key).
    fn value_of(&mut self, other: &Interner, id: u32) -> u32 {
        match other.values.get(id as usize) {
            None | Some(KeyValue::Null) => self.null(),
            Some(KeyValue::Short(packed)) => self.short(*packed),
            Some(KeyValue::Long(number)) => self.long(other.long_text.get(*number)),
            Some(KeyValue::Period(key, label)) => self.period(*key, || {
                other
                    .period_labels
                    .get(*label as usize)
                    .cloned()
                    .unwrap_or_default()
            }),
            Some(value) => self.scalar(*value),
        }
    }

    /// The label of the value of `id` (`None` for a missing value).
    fn label(&self, id: u32) -> Option<Cow<'_, str>> {
        Some(match self.values.get(id as usize)? {
            KeyValue::Null => return None,
            KeyValue::Short(packed) => Cow::Owned(unpack_short(*packed)),
            KeyValue::Long(number) => Cow::Borrowed(self.long_text.get(*number)),
            KeyValue::Period(_, label) => {
                Cow::Borrowed(self.period_labels.get(*label as usize).map_or("", |l| l))
            }
            KeyValue::Integer(i) => Cow::Owned(i.to_string()),
            KeyValue::Boolean(b) => Cow::Owned(b.to_string()),
            KeyValue::Date(d) => Cow::Owned(date_label(*d)),
        })
    }

    /// Where the value of `id`, whose label is `label`, sorts, given the labels ranked
    /// first.
    fn sort_key(&self, id: u32, label: Option<&str>, ranked: &[String]) -> SortKey {
        let Some(label) = label else {
            return SortKey::Null;
        };
        if let Some(rank) = ranked.iter().position(|r| *r == label) {
            return SortKey::Ranked(rank);
        }
        match self.values.get(id as usize) {
            Some(KeyValue::Integer(i)) => SortKey::Integer(*i),
            Some(KeyValue::Boolean(b)) => SortKey::Boolean(*b),
            Some(KeyValue::Date(d)) => SortKey::Date(*d),
            _ => SortKey::Label,
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

/// The text [`pack_short`] packed.
fn unpack_short(packed: u64) -> String {
    let len = ((packed >> 56) as usize).min(7);
    let bytes = packed.to_le_bytes();
    // The bytes came from a `&str`, so they are UTF-8; lossy only to avoid a panic path.
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

/// Group ids by key tuple: the id of the only key's value when there is one key (a dense
/// vector, no hashing), else packed into a `u128` when there are at most four keys.
enum GroupIndex {
    /// Group of each value id of the only key (`u32::MAX`: none yet).
    Single(Vec<u32>),
    Packed(HashMap<u128, u32, FxBuildHasher>),
    Wide(HashMap<Vec<u32>, u32, FxBuildHasher>),
}

impl GroupIndex {
    fn for_keys(keys: usize) -> GroupIndex {
        match keys {
            1 => GroupIndex::Single(Vec::new()),
            0..=4 => GroupIndex::Packed(HashMap::default()),
            _ => GroupIndex::Wide(HashMap::default()),
        }
    }

    /// The id of `key`, or `next` after inserting it (returns whether it was new).
    fn get_or_insert(&mut self, key: &[u32], next: u32) -> (u32, bool) {
        match self {
            GroupIndex::Single(groups) => {
                let value = key.first().copied().unwrap_or(0) as usize;
                if value >= groups.len() {
                    groups.resize(value + 1, u32::MAX);
                }
                match groups[value] {
                    u32::MAX => {
                        groups[value] = next;
                        (next, true)
                    }
                    id => (id, false),
                }
            }
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
    key_names: Vec<cxm_report::Name>,
    rule: Option<PeriodRule>,
    interners: Vec<Interner>,
    index: GroupIndex,
    /// The key tuple of each group, end to end (`key_fields.len()` ids per group).
    keys: Vec<u32>,
    /// Number of groups.
    groups: usize,
    /// The last day seen by the period key and its interned id (rows often come in time
    /// order).
    last_day: Option<(i32, u32)>,
    /// The instants (UTC microseconds, from inclusive, until exclusive) of the last local
    /// day a timestamp period key fell in, with its id: set only in zones of a constant
    /// offset, where that day is one span of instants.
    last_span: Option<(i64, i64, u32)>,
    /// Recently seen key tuples (packed as in [`GroupIndex::Packed`]) and their groups.
    recent_groups: Vec<(u128, u32)>,
    /// Scratch: the interned ids of each key of a batch's rows (see [`Grouper::assign`]).
    key_ids: Vec<u32>,
    /// Per dimension: labels sorted first, in this order (see [`SortKey`]).
    orders: Vec<Vec<String>>,
}

impl Grouper {
    pub(crate) fn new(dimensions: &[(usize, String)], period: Option<(usize, PeriodRule)>) -> Self {
        let mut key_fields: Vec<usize> = dimensions.iter().map(|(i, _)| *i).collect();
        let mut key_names: Vec<cxm_report::Name> =
            dimensions.iter().map(|(_, n)| n.as_str().into()).collect();
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
            groups: 0,
            last_day: None,
            last_span: None,
            recent_groups: vec![(u128::MAX, 0); 1 << RECENT_GROUP_BITS],
            key_ids: Vec::new(),
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
            groups: 0,
            last_day: None,
            last_span: None,
            recent_groups: vec![(u128::MAX, 0); 1 << RECENT_GROUP_BITS],
            key_ids: Vec::new(),
            orders: self.orders.clone(),
        }
    }

    /// Number of grouping keys (dimensions plus the period).
    pub(crate) fn num_keys(&self) -> usize {
        self.key_fields.len()
    }

    /// Number of groups created so far (0 when none was).
    pub(crate) fn group_count(&self) -> usize {
        self.groups
    }

    /// Number of groups seen so far (at least 1).
    pub(crate) fn num_groups(&self) -> u32 {
        self.groups.max(1) as u32
    }

    fn group_of(&mut self, key: &[u32]) -> u32 {
        let next = self.groups as u32;
        let (id, new) = self.index.get_or_insert(key, next);
        if new {
            self.keys.extend_from_slice(key);
            self.groups += 1;
        }
        id
    }

    /// The key tuple of each group, in group order.
    fn key_tuples(&self) -> impl Iterator<Item = &[u32]> {
        let width = self.key_fields.len();
        (0..self.groups).map(move |g| self.keys.get(g * width..(g + 1) * width).unwrap_or(&[]))
    }

    /// Writes the group id of every row of `columns` into `out`. Rows flagged in `skip`
    /// (their grouping values could not be read; every metric rejects them) get group 0
    /// without creating a group.
    ///
    /// Key by key, then row by row: each key column's values are interned in one pass
    /// (the column's type dispatched once), then the tuples are looked up, the last few
    /// hundred of them in a direct-mapped cache in front of the index. Ids are still given
    /// in order of first appearance (per key, and to groups), so the result is the same as
    /// a row-at-a-time pass.
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
        let keys = self.key_fields.len();
        let skipped = |row: usize| skip.get(row).copied().unwrap_or(false);
        let mut ids = std::mem::take(&mut self.key_ids);
        ids.clear();
        ids.resize(rows * keys, 0);
        for (k, column_ids) in ids.chunks_exact_mut(rows.max(1)).enumerate().take(keys) {
            let column = key_column(&columns[self.key_fields[k]], Some(k) == period_key);
            self.fill_key_ids(k, &column, &skipped, column_ids);
        }
        out.reserve(rows);
        let mut scratch = [0u32; 4];
        for row in 0..rows {
            if skipped(row) {
                out.push(0);
                continue;
            }
            let id = if keys <= 4 {
                for (k, slot) in scratch.iter_mut().enumerate().take(keys) {
                    *slot = ids[k * rows + row];
                }
                self.group_of_cached(&scratch[..keys])
            } else {
                let key: Vec<u32> = (0..keys).map(|k| ids[k * rows + row]).collect();
                self.group_of(&key)
            };
            out.push(id);
        }
        self.key_ids = ids;
    }

    /// [`Grouper::group_of`] through the cache of recent key tuples (at most four keys).
    #[inline]
    fn group_of_cached(&mut self, key: &[u32]) -> u32 {
        let packed = key
            .iter()
            .fold(0u128, |acc, &k| (acc << 32) | u128::from(k));
        let slot = ((packed as u64 ^ (packed >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            >> (64 - RECENT_GROUP_BITS)) as usize;
        if let Some(&(cached, id)) = self.recent_groups.get(slot) {
            if cached == packed {
                return id;
            }
        }
        let id = self.group_of(key);
        if let Some(entry) = self.recent_groups.get_mut(slot) {
            *entry = (packed, id);
        }
        id
    }

    /// Interns key `k` of every row not `skipped` into `out` (one id per row; skipped rows
    /// keep whatever `out` held).
    fn fill_key_ids(
        &mut self,
        k: usize,
        column: &KeyColumn<'_>,
        skipped: &dyn Fn(usize) -> bool,
        out: &mut [u32],
    ) {
        match column {
            KeyColumn::Text(strings) => {
                let interner = &mut self.interners[k];
                let (data, offsets) = (strings.value_data(), strings.value_offsets());
                for (row, slot) in out.iter_mut().enumerate() {
                    if skipped(row) {
                        continue;
                    }
                    if strings.is_null(row) {
                        *slot = interner.null();
                        continue;
                    }
                    // A short value packed from one 8-byte load where the buffer allows
                    // (the same word as `pack_short`), else through its text.
                    let start = offsets.get(row).map_or(0, |&o| o as usize);
                    let len = strings.value_length(row) as usize;
                    *slot = match data.get(start..start + 8) {
                        Some(word) if len <= 7 => {
                            let mut bytes = [0u8; 8];
                            bytes.copy_from_slice(word);
                            let mask = (1u64 << (8 * len)) - 1;
                            interner.short(u64::from_le_bytes(bytes) & mask | (len as u64) << 56)
                        }
                        _ => interner.text(strings.value(row)),
                    };
                }
            }
            KeyColumn::Timestamp(stamps) => {
                for (row, slot) in out.iter_mut().enumerate() {
                    if skipped(row) {
                        continue;
                    }
                    if !stamps.is_null(row) {
                        // Rows often come in time order: most fall in the last local day.
                        let stamp = stamps.value(row);
                        if let Some((from, until, id)) = self.last_span {
                            if from <= stamp && stamp < until {
                                *slot = id;
                                continue;
                            }
                        }
                    }
                    *slot = self.key_id(k, column, row);
                }
            }
            _ => {
                for (row, slot) in out.iter_mut().enumerate() {
                    if !skipped(row) {
                        *slot = self.key_id(k, column, row);
                    }
                }
            }
        }
    }

    /// The interned id of key `k` in `row`.
    fn key_id(&mut self, k: usize, column: &KeyColumn<'_>, row: usize) -> u32 {
        let interner = &mut self.interners[k];
        let mut stamp = None;
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
                (false, Some(rule)) => {
                    stamp = Some(stamps.value(row));
                    rule.zone.local_days(stamps.value(row))
                }
                _ => None,
            },
        };
        let (Some(day), Some(rule)) = (day, self.rule) else {
            return interner.null();
        };
        if let Some((last, id)) = self.last_day {
            if last == day {
                self.last_span = stamp.and_then(|_| day_span(rule.zone, day, id));
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
        self.last_span = stamp.and_then(|_| day_span(rule.zone, day, id));
        id
    }

    /// Folds the groups of `other` (a grouper with the same keys, filled from one chunk)
    /// into this one; returns the id here of each group of `other`.
    pub(crate) fn absorb(&mut self, other: &Grouper) -> Vec<u32> {
        let value_maps: Vec<Vec<u32>> = other
            .interners
            .iter()
            .zip(self.interners.iter_mut())
            .map(|(theirs, ours)| ours.values_of(theirs))
            .collect();
        let mut scratch = vec![0u32; self.key_fields.len()];
        let mut map = Vec::with_capacity(other.groups.max(1));
        for key in other.key_tuples() {
            for (k, &v) in key.iter().enumerate() {
                scratch[k] = value_maps[k][v as usize];
            }
            map.push(self.group_of(&scratch));
        }
        if other.groups == 0 {
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

    /// The labels and sort keys of a group whose key tuple is `key`, over the keys in
    /// `subset` (`key` holds the ids of those keys only).
    fn describe(&self, subset: &[usize], key: &[u32]) -> (GroupLabels, Vec<SortKey>) {
        let labels: GroupLabels = subset
            .iter()
            .zip(key)
            .map(|(&k, &v)| {
                let label = self.interners[k].label(v).map(Cow::into_owned);
                (self.key_names[k].clone(), label)
            })
            .collect();
        let sort_keys = subset
            .iter()
            .zip(key)
            .zip(&labels)
            .map(|((&k, &v), (_, label))| {
                let ranked = self.orders.get(k).map_or(&[][..], Vec::as_slice);
                self.interners[k].sort_key(v, label.as_deref(), ranked)
            })
            .collect();
        (labels, sort_keys)
    }

    /// [`Grouper::project`], with where each coarse group sorts (its keys' [`SortKey`]s).
    pub(crate) fn project_sorted(
        &self,
        subset: &[usize],
    ) -> (Vec<u32>, Vec<GroupLabels>, Vec<Vec<SortKey>>) {
        let mut labels = Vec::new();
        let mut sort_keys = Vec::new();
        let mut map = Vec::with_capacity(self.groups.max(1));
        let all =
            subset.len() == self.key_fields.len() && subset.iter().copied().eq(0..subset.len());
        if subset.is_empty() {
            // The overall figure: every group in one.
            map.resize(self.groups.max(1), 0);
            labels.push(Vec::new());
            sort_keys.push(Vec::new());
        } else if all {
            // The full grouping: every group is its own coarse group.
            labels.reserve(self.groups);
            sort_keys.reserve(self.groups);
            for (g, key) in self.key_tuples().enumerate() {
                let (l, s) = self.describe(subset, key);
                labels.push(l);
                sort_keys.push(s);
                map.push(g as u32);
            }
        } else {
            let mut coarse: HashMap<Vec<u32>, u32, FxBuildHasher> = HashMap::default();
            let mut projected = Vec::with_capacity(subset.len());
            for key in self.key_tuples() {
                projected.clear();
                projected.extend(subset.iter().map(|&k| key[k]));
                let id = match coarse.get(&projected) {
                    Some(&id) => id,
                    None => {
                        let id = coarse.len() as u32;
                        coarse.insert(projected.clone(), id);
                        let (l, s) = self.describe(subset, &projected);
                        labels.push(l);
                        sort_keys.push(s);
                        id
                    }
                };
                map.push(id);
            }
        }
        if self.groups == 0 && !subset.is_empty() {
            map.push(0);
            labels.push(Vec::new());
            sort_keys.push(Vec::new());
        }
        (map, labels, sort_keys)
    }
}

/// Slots of [`Grouper`]'s cache of recent key tuples (`u128::MAX` is never a packed
/// tuple: its ids would be `u32::MAX`, which no interner reaches).
const RECENT_GROUP_BITS: u32 = 8;

/// Microseconds in a day.
const MICROS_PER_DAY: i64 = 86_400 * 1_000_000;

/// The span of instants of local day `day` in `zone`, with `id`, when the zone's offset is
/// constant (UTC or a fixed offset); `None` for named zones (their days can have 23 or 25
/// hours) or out of range.
fn day_span(zone: cxm_period::Zone, day: i32, id: u32) -> Option<(i64, i64, u32)> {
    let offset_micros = match zone {
        cxm_period::Zone::Utc => 0,
        cxm_period::Zone::Fixed(offset) => i64::from(offset.local_minus_utc()) * 1_000_000,
        cxm_period::Zone::Named(_) => return None,
    };
    let from = i64::from(day)
        .checked_mul(MICROS_PER_DAY)?
        .checked_sub(offset_micros)?;
    let until = from.checked_add(MICROS_PER_DAY)?;
    Some((from, until, id))
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
mod tests;
