//! Reading a result's `details` with exactly the room its figures need. serde_json grows a
//! map and an array by doubling as it reads them, which left a read result of the `nps`
//! plugin half again as big as its figures; a run keeps a result per group until the report
//! is written, so with many groups that slack was a large share of its memory.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// `details` as serde_json's own `Map` reads it (a map; a later duplicate key replaces the
/// value in the first one's place), with arrays and maps at
/// any depth holding no more room than their elements.
pub(crate) fn details<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    deserializer.deserialize_map(DetailsVisitor)
}

struct DetailsVisitor;

impl<'de> Visitor<'de> for DetailsVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a map")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Map::new())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::with_capacity(16);
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            entries.push((key, value));
        }
        Ok(exact_map(entries))
    }
}

/// A map of `entries` in order, with room for exactly them.
fn exact_map(entries: Vec<(String, Value)>) -> Map<String, Value> {
    let mut map = Map::with_capacity(entries.len());
    for (key, value) in entries {
        map.insert(key, compact(value));
    }
    map
}

/// `value` with no spare room in its arrays and maps, at any depth.
fn compact(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(compact).collect();
            items.shrink_to_fit();
            Value::Array(items)
        }
        Value::Object(map) if !map.is_empty() => {
            Value::Object(exact_map(map.into_iter().collect()))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::MetricResult;
    use serde_json::{json, Value};

    #[test]
    fn details_read_as_before_with_no_spare_room() {
        let text = br#"{"details": {"b": 1, "a": [1.0, 2.5, null, "x", [1, 2, 3]],
            "nested": {"z": [0, 1, 2, 3, 4]}, "b": 3, "empty": {}}}"#;
        let r = MetricResult::from_json(text).unwrap();
        // The same map serde_json reads: order of first appearance, the later `b` wins.
        let expected: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "b": 3, "a": [1.0, 2.5, null, "x", [1, 2, 3]],
            "nested": {"z": [0, 1, 2, 3, 4]}, "empty": {}
        }))
        .unwrap();
        assert_eq!(r.details, expected);
        let keys: Vec<&str> = r.details.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["b", "a", "nested", "empty"]);
        let Some(Value::Array(a)) = r.details.get("a") else {
            panic!("a is an array");
        };
        assert_eq!(a.capacity(), 5);
        let Some(Value::Array(inner)) = a.get(4) else {
            panic!("an inner array");
        };
        assert_eq!(inner.capacity(), 3);
        let Some(Value::Array(z)) = r.details.get("nested").and_then(|n| n.get("z")) else {
            panic!("nested.z is an array");
        };
        assert_eq!(z.capacity(), 5);
        // As serde_json's own map: anything but a map is refused, `null` included.
        assert!(MetricResult::from_json(br#"{"details": null}"#).is_err());
        assert!(serde_json::from_slice::<serde_json::Map<String, Value>>(b"null").is_err());
        assert!(MetricResult::from_json(br#"{"details": [1]}"#).is_err());
    }
}
