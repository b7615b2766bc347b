//! A result's `details`: named figures ([`Detail`]s) in the order the plugin gave them, as
//! a JSON object on the wire and in reports.
//!
//! A run keeps one result per metric and group until the report is written, so with many
//! groups (200 000 customers) the size of a result is most of the run's memory. serde_json's
//! own `Map` (an index map) cost about 1.3 KB and a dozen allocations for the eight figures
//! of an NPS: a hash index, a key `String` per entry, a doubled entry vector. Here the
//! values lie in one vector with exactly their room, and the keys are a shared list of
//! shared texts: a block of many results ([`crate::many`]) names each key once, and the
//! results of the block with the same keys in the same order (all the groups of a metric,
//! usually) hold one list of them. Lookups are linear, which for the dozen keys a result has
//! is as fast as hashing.

use crate::Detail;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// The keys of some details, in order. Shared: results read from one block with the same
/// keys in the same order (every group of a metric, usually) hold one list of them.
pub(crate) type Keys = Arc<Vec<Arc<str>>>;

/// Named figures in insertion order; a key appears once (inserting it again replaces its
/// value in place, as serde_json's map does).
#[derive(Clone, Default)]
pub struct Details {
    /// The keys in order (`None` while there are none); changed copy-on-write. The list may
    /// be longer than `values`: then only its first `values.len()` keys are these details'
    /// (a list shared with details that have more keys, see [`Details::insert`]).
    keys: Option<Keys>,
    /// The value of each key.
    values: Vec<Detail>,
}

thread_local! {
    /// The keys of the last result this thread wrote into a block of results
    /// ([`crate::many::ManyWriter`]): a plugin makes the results of all its groups one
    /// after the other, nearly always with the same keys in the same order, so the next
    /// result's details can share that list instead of building their own, key by key.
    static LAST_KEYS: RefCell<Option<Keys>> = const { RefCell::new(None) };
}

impl Details {
    /// No details.
    pub fn new() -> Self {
        Details::default()
    }

    /// No details yet, with room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Details {
            keys: None,
            values: Vec::with_capacity(n),
        }
    }

    /// Details with these keys (shared) and values, one for each key.
    pub(crate) fn with_keys(keys: Keys, values: Vec<Detail>) -> Self {
        debug_assert_eq!(keys.len(), values.len());
        Details {
            keys: (!keys.is_empty()).then_some(keys),
            values,
        }
    }

    fn key_list(&self) -> &[Arc<str>] {
        let all = self.keys.as_deref().map_or(&[][..], Vec::as_slice);
        &all[..self.values.len().min(all.len())]
    }

    /// The keys as a list of these details' own, of exactly their length (copied from a
    /// shared longer list first when it is one), to change.
    fn own_keys(&mut self) -> &mut Vec<Arc<str>> {
        let len = self.values.len();
        let keys = self
            .keys
            .get_or_insert_with(|| Arc::new(Vec::with_capacity(len.max(1))));
        if keys.len() > len {
            match Arc::get_mut(keys) {
                Some(own) => own.truncate(len),
                None => *keys = Arc::new(keys[..len].to_vec()),
            }
        }
        Arc::make_mut(keys)
    }

    /// Makes these details' keys the list the next result made on this thread starts from
    /// (see [`LAST_KEYS`]); called once a result is complete.
    pub(crate) fn remember_keys(&self) {
        if let Some(keys) = &self.keys {
            if keys.len() == self.values.len() {
                LAST_KEYS.with(|last| {
                    let mut last = last.borrow_mut();
                    if !last.as_ref().is_some_and(|l| Arc::ptr_eq(l, keys)) {
                        *last = Some(Arc::clone(keys));
                    }
                });
            }
        }
    }

    /// The number of details.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Removes every detail.
    pub fn clear(&mut self) {
        self.keys = None;
        self.values.clear();
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.key_list().iter().position(|k| &**k == key)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Detail> {
        self.position(key).and_then(|i| self.values.get(i))
    }

    /// The value of `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Detail> {
        self.position(key).and_then(|i| self.values.get_mut(i))
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`: a new key goes last, a present one keeps its place. Returns
    /// the value it replaced.
    pub fn insert(
        &mut self,
        key: impl Into<Arc<str>> + AsRef<str>,
        value: impl Into<Detail>,
    ) -> Option<Detail> {
        let value = value.into();
        let len = self.values.len();
        // The next key of a shared list: nothing to copy, and not one of the keys before
        // it (a list's keys are distinct), so not a replacement either.
        let next = self.keys.as_ref().and_then(|k| k.get(len));
        if next.is_some_and(|k| **k == *key.as_ref()) {
            self.values.push(value);
            return None;
        }
        if let Some(i) = self.position(key.as_ref()) {
            return Some(std::mem::replace(&mut self.values[i], value));
        }
        if self.keys.is_none() && len == 0 {
            // The first key: start from the keys of the thread's last result when it
            // starts with it (no list of our own, no key allocated).
            let last = LAST_KEYS.with(|last| {
                last.borrow()
                    .as_ref()
                    .filter(|l| l.first().is_some_and(|k| **k == *key.as_ref()))
                    .cloned()
            });
            if let Some(last) = last {
                self.values.reserve_exact(last.len());
                self.keys = Some(last);
                self.values.push(value);
                return None;
            }
        }
        let room = self.values.capacity().max(1);
        let keys = self.own_keys();
        keys.reserve(room.saturating_sub(keys.len()));
        keys.push(key.into());
        self.values.push(value);
        None
    }

    /// Removes `key`, keeping the order of the others; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Detail> {
        let i = self.position(key)?;
        self.own_keys().remove(i);
        Some(self.values.remove(i))
    }

    /// The details in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.key_list().iter().zip(self.values.iter()))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.key_list().iter().map(|k| &**k)
    }

    /// The values in order.
    pub fn values(&self) -> impl Iterator<Item = &Detail> {
        self.values.iter()
    }

    /// Drops spare room.
    pub fn shrink_to_fit(&mut self) {
        self.values.shrink_to_fit();
        let len = self.values.len();
        if let Some(keys) = self.keys.as_mut().and_then(Arc::get_mut) {
            keys.truncate(len);
            keys.shrink_to_fit();
        }
    }

    /// The details as a serde_json map (a copy), for code that wants a `Value`.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }

    /// Whether `other` has the same keys in the same order. Details that share their list
    /// of keys (the results of a metric read from one block, usually) are not compared key
    /// by key.
    pub fn same_keys(&self, other: &Details) -> bool {
        if self.len() != other.len() {
            return false;
        }
        match (&self.keys, &other.keys) {
            (Some(a), Some(b)) if Arc::ptr_eq(a, b) => true,
            _ => self
                .keys()
                .zip(other.keys())
                .all(|(a, b)| std::ptr::eq(a, b) || a == b),
        }
    }

    /// Whether these details' keys are `keys` itself (not only equal: the same list).
    #[cfg(test)]
    pub(crate) fn shares_keys(&self, keys: &Details) -> bool {
        match (&self.keys, &keys.keys) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The details of a result in order, as `(key, value)`.
pub struct Iter<'a>(std::iter::Zip<std::slice::Iter<'a, Arc<str>>, std::slice::Iter<'a, Detail>>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Detail);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&**k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Details {
    type Item = (&'a str, &'a Detail);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: Into<Arc<str>> + AsRef<str>, V: Into<Detail>> FromIterator<(K, V)> for Details {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut details = Details::new();
        for (k, v) in iter {
            details.insert(k, v);
        }
        details.shrink_to_fit();
        details
    }
}

impl From<Map<String, Value>> for Details {
    fn from(map: Map<String, Value>) -> Self {
        map.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Details {
    type Output = Detail;

    /// The value of `key`; panics when there is none (as serde_json's map does).
    fn index(&self, key: &str) -> &Detail {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no detail {key:?}"),
        }
    }
}

/// Equal when they hold the same keys with equal values, in any order (as serde_json's map
/// compares).
impl PartialEq for Details {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl PartialEq<Map<String, Value>> for Details {
    fn eq(&self, other: &Map<String, Value>) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|o| v == o))
    }
}

impl fmt::Debug for Details {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Details {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Read as serde_json reads its map (anything but a map is refused, `null` included; a later
/// duplicate key replaces the value in the first one's place), with exactly the room the
/// entries need at any depth.
impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DetailsVisitor)
    }
}

struct DetailsVisitor;

impl<'de> Visitor<'de> for DetailsVisitor {
    type Value = Details;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Details, A::Error> {
        read_map(access)
    }
}

/// The entries of a map being read.
pub(crate) fn read_map<'de, A: MapAccess<'de>>(mut access: A) -> Result<Details, A::Error> {
    let mut details = Details::with_capacity(access.size_hint().unwrap_or(8).min(4096));
    while let Some((key, value)) = access.next_entry::<String, Detail>()? {
        details.insert(key, value);
    }
    details.shrink_to_fit();
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MetricResult;
    use serde_json::json;

    #[test]
    fn details_read_as_serde_json_reads_a_map_with_no_spare_room() {
        let text = br#"{"details": {"b": 1, "a": [1.0, 2.5, null, "x", [1, 2, 3]],
            "nested": {"z": [0, 1, 2, 3, 4]}, "b": 3, "empty": {}}}"#;
        let r = MetricResult::from_json(text).unwrap();
        // The same map serde_json reads: order of first appearance, the later `b` wins.
        let expected: Map<String, Value> = serde_json::from_value(json!({
            "b": 3, "a": [1.0, 2.5, null, "x", [1, 2, 3]],
            "nested": {"z": [0, 1, 2, 3, 4]}, "empty": {}
        }))
        .unwrap();
        assert_eq!(r.details, expected);
        assert_eq!(r.details, Details::from(expected.clone()));
        assert_eq!(
            r.details.keys().collect::<Vec<_>>(),
            vec!["b", "a", "nested", "empty"]
        );
        assert_eq!(r.details.values.capacity(), 4);
        assert_eq!(r.details.key_list().len(), 4);
        let Some(a) = r.details.get("a").and_then(Detail::as_array) else {
            panic!("a is an array");
        };
        assert_eq!(a.len(), 5);
        assert_eq!(a[4].as_array().map(<[_]>::len), Some(3));
        assert_eq!(r.details["nested"]["z"].as_array().map(<[_]>::len), Some(5));
        // Written back as the same JSON object, in order.
        assert_eq!(
            serde_json::to_string(&r.details).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
        // As serde_json's own map: anything but a map is refused, `null` included.
        assert!(MetricResult::from_json(br#"{"details": null}"#).is_err());
        assert!(serde_json::from_slice::<Map<String, Value>>(b"null").is_err());
        assert!(MetricResult::from_json(br#"{"details": [1]}"#).is_err());
    }

    #[test]
    fn insert_replaces_in_place_and_remove_keeps_the_order() {
        let mut d = Details::new();
        assert_eq!(d.insert("a", json!(1)), None);
        assert_eq!(d.insert(String::from("b"), json!(2)), None);
        assert_eq!(d.insert("c", json!(3)), None);
        assert_eq!(d.insert("a", json!(4)), Some(Detail::U64(1)));
        assert_eq!(d.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(d["a"], json!(4));
        assert!(d.contains_key("b") && !d.contains_key("z"));
        assert_eq!(d.remove("b"), Some(Detail::U64(2)));
        assert_eq!(d.remove("b"), None);
        assert_eq!(
            d.iter().collect::<Vec<_>>(),
            [("a", &Detail::U64(4)), ("c", &Detail::U64(3))]
        );
        if let Some(v) = d.get_mut("c") {
            *v = Detail::from("x");
        }
        assert_eq!(format!("{d:?}"), r#"{"a": U64(4), "c": Text("x")}"#);
        // Equality ignores order, as serde_json's map does; values and keys must match.
        let other: Details = [("c", json!("x")), ("a", json!(4))].into_iter().collect();
        assert_eq!(d, other);
        let fewer: Details = [("c", json!("x"))].into_iter().collect();
        assert_ne!(d, fewer);
        assert_eq!(
            d.to_map(),
            json!({"a": 4, "c": "x"}).as_object().cloned().unwrap()
        );
        d.clear();
        assert!(d.is_empty());
    }

    /// Details of `keys`, each with its position as value.
    fn numbered(keys: &[&str]) -> Details {
        let mut d = Details::new();
        for (i, k) in keys.iter().enumerate() {
            d.insert(*k, i as u64);
        }
        d
    }

    #[test]
    fn same_keys_compares_shared_and_own_lists_alike() {
        let mut block = crate::many::ManyWriter::with_capacity(2);
        let first = numbered(&["a", "b", "c"]);
        block.push(&MetricResult {
            details: first.clone(),
            ..Default::default()
        });
        let shared = numbered(&["a", "b", "c"]);
        assert!(shared.shares_keys(&first));
        // A shared prefix is not the same keys: fewer of them.
        let prefix = numbered(&["a", "b"]);
        assert!(prefix.shares_keys(&first));
        let own = numbered(&["q"]);
        let mut abc = Details::new();
        for k in ["a", "b", "c"] {
            abc.insert(k, 0u64);
        }
        for (x, y, same) in [
            (&shared, &first, true),
            (&prefix, &first, false),
            (&first, &prefix, false),
            (&own, &first, false),
            (&abc, &first, true),
            (&numbered(&["a", "c", "b"]), &first, false),
            (&Details::new(), &Details::new(), true),
            (&Details::new(), &own, false),
        ] {
            assert_eq!(x.same_keys(y), same, "{x:?} {y:?}");
            assert_eq!(y.same_keys(x), same, "{y:?} {x:?}");
        }
    }

    #[test]
    fn results_made_one_after_another_share_the_keys_of_the_last_one_written() {
        let mut block = crate::many::ManyWriter::with_capacity(4);
        let first = MetricResult {
            details: numbered(&["a", "b", "c"]),
            ..Default::default()
        };
        block.push(&first);
        // The same keys: the list written last, not one of its own.
        let same = numbered(&["a", "b", "c"]);
        assert!(same.shares_keys(&first.details));
        assert_eq!(same, first.details);
        // Fewer keys: a prefix of it, and only that prefix is theirs.
        let mut fewer = numbered(&["a", "b"]);
        assert!(fewer.shares_keys(&first.details));
        assert_eq!(fewer.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(!fewer.contains_key("c") && fewer.get("c").is_none());
        assert_eq!(format!("{fewer:?}"), r#"{"a": U64(0), "b": U64(1)}"#);
        assert_eq!(serde_json::to_string(&fewer).unwrap(), r#"{"a":0,"b":1}"#);
        // Going another way from there: a list of its own, the shared one untouched.
        fewer.insert("z", 9u64);
        assert!(!fewer.shares_keys(&first.details));
        assert_eq!(fewer.keys().collect::<Vec<_>>(), ["a", "b", "z"]);
        assert_eq!(first.details.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        let mut diverging = numbered(&["a", "x"]);
        assert_eq!(diverging.keys().collect::<Vec<_>>(), ["a", "x"]);
        assert_eq!(same.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        // Removing from a shared list leaves the others as they were.
        let mut removed = numbered(&["a", "b", "c"]);
        assert_eq!(removed.remove("b"), Some(Detail::U64(1)));
        assert_eq!(removed.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(same.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        // Other first keys start a list of their own.
        let other = numbered(&["q", "b"]);
        assert!(!other.shares_keys(&first.details));
        assert_eq!(other.keys().collect::<Vec<_>>(), ["q", "b"]);
        // A result written with other keys becomes the list the next ones start from.
        diverging.insert("y", 2u64);
        block.push(&MetricResult {
            details: diverging.clone(),
            ..Default::default()
        });
        let next = numbered(&["a", "x", "y"]);
        assert!(next.shares_keys(&diverging));
        assert!(!next.shares_keys(&first.details));
        // A shared prefix shrunk to fit keeps its own keys.
        let mut prefix = numbered(&["a"]);
        prefix.shrink_to_fit();
        assert_eq!(prefix.keys().collect::<Vec<_>>(), ["a"]);
        assert!(!block.finish().is_empty());
    }

    #[test]
    #[should_panic(expected = "no detail \"missing\"")]
    fn indexing_a_missing_key_panics_with_its_name() {
        let _ = &Details::new()["missing"];
    }
}
