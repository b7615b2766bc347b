//! One NDJSON line as a JSON object whose member values stay unparsed text
//! ([`RawValue`]s borrowed from the line), the lookup of a field's key in it (dotted
//! paths into nested objects), and the text of a value as handed to the batch builder.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Depth up to which nested objects contribute dotted paths to the keys seen.
const MAX_KEY_DEPTH: usize = 8;
/// Most distinct keys remembered while scanning for the column check.
const MAX_KEYS: usize = 10_000;

/// A JSON string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// The members of one JSON object, in order, values unparsed.
#[derive(Debug)]
pub(crate) struct Object<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(Text(key)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key, value));
                }
                Ok(Object(members))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

impl<'a> Object<'a> {
    /// Parses a line that must hold exactly one JSON object.
    pub(crate) fn parse(line: &'a [u8]) -> Result<Object<'a>, serde_json::Error> {
        serde_json::from_slice(line)
    }

    /// The nested object `value`, if it is one.
    fn nested(value: &'a RawValue) -> Option<Object<'a>> {
        let text = value.get();
        if text.starts_with('{') {
            serde_json::from_str(text).ok()
        } else {
            None
        }
    }

    /// The value of the member named `key` (the last one if repeated).
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The value at `path`: the member named `path` itself when present, else a member
    /// named by a dot-separated prefix of `path` that is an object holding the rest
    /// (`customer.id` in `{"customer": {"id": 7}}`).
    pub(crate) fn lookup(&self, path: &str) -> Option<&'a RawValue> {
        if let Some(value) = self.get(path) {
            return Some(value);
        }
        path.match_indices('.').find_map(|(dot, _)| {
            let head = path.get(..dot)?;
            let rest = path.get(dot + 1..)?;
            Object::nested(self.get(head)?)?.lookup(rest)
        })
    }

    /// Adds the keys of this object, and the dotted paths of nested objects' keys, to
    /// `keys`.
    pub(crate) fn collect_keys(&self, keys: &mut KeySet) {
        self.collect_under("", 0, keys);
    }

    fn collect_under(&self, prefix: &str, depth: usize, keys: &mut KeySet) {
        for (key, value) in &self.0 {
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            let inner = if depth < MAX_KEY_DEPTH {
                Object::nested(value)
            } else {
                None
            };
            match inner {
                Some(inner) => {
                    keys.insert(path.clone());
                    inner.collect_under(&path, depth + 1, keys);
                }
                None => keys.insert(path),
            }
        }
    }
}

/// Distinct keys in the order first seen (at most [`MAX_KEYS`]).
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    order: Vec<String>,
    seen: HashSet<String>,
}

impl KeySet {
    fn insert(&mut self, key: String) {
        if self.order.len() < MAX_KEYS && !self.seen.contains(&key) {
            self.seen.insert(key.clone());
            self.order.push(key);
        }
    }

    pub(crate) fn contains(&self, key: &str) -> bool {
        self.seen.contains(key)
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.order
    }
}

/// The cell text of a value: `None` for `null`; a string's unescaped text; a number's
/// or boolean's JSON text as written; an array's or object's compact JSON text.
pub(crate) fn cell_text(value: &RawValue) -> Option<Cow<'_, [u8]>> {
    let text = value.get();
    match text.as_bytes().first() {
        None | Some(b'n') => None,
        Some(b'"') => match serde_json::from_str::<Text<'_>>(text) {
            Ok(Text(Cow::Borrowed(s))) => Some(Cow::Borrowed(s.as_bytes())),
            Ok(Text(Cow::Owned(s))) => Some(Cow::Owned(s.into_bytes())),
            Err(_) => Some(Cow::Borrowed(text.as_bytes())),
        },
        Some(b'[' | b'{') => Some(Cow::Owned(compact(text))),
        Some(_) => Some(Cow::Borrowed(text.as_bytes())),
    }
}

/// Valid JSON text without the whitespace outside strings.
fn compact(json: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in json.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_at(line: &str, path: &str) -> Option<String> {
        let obj = Object::parse(line.as_bytes()).unwrap();
        obj.lookup(path)
            .and_then(cell_text)
            .map(|t| String::from_utf8(t.into_owned()).unwrap())
    }

    #[test]
    fn values_become_cell_text() {
        let line = r#"{"s":"a\"b\u00e9","n":1.50,"e":-2E3,"t":true,"z":null,"a":[1, "x y", {"k" : 2}],"o":{ "p": [ ] }}"#;
        assert_eq!(text_at(line, "s").as_deref(), Some("a\"bé"));
        assert_eq!(text_at(line, "n").as_deref(), Some("1.50"));
        assert_eq!(text_at(line, "e").as_deref(), Some("-2E3"));
        assert_eq!(text_at(line, "t").as_deref(), Some("true"));
        assert_eq!(text_at(line, "z"), None);
        assert_eq!(text_at(line, "missing"), None);
        assert_eq!(text_at(line, "a").as_deref(), Some(r#"[1,"x y",{"k":2}]"#));
        assert_eq!(text_at(line, "o").as_deref(), Some(r#"{"p":[]}"#));
    }

    #[test]
    fn dotted_paths_reach_nested_members() {
        let line =
            r#"{"customer":{"id":7,"geo":{"city":"Köln"}},"a.b":1,"a":{"b":2},"x":{"y.z":3}}"#;
        assert_eq!(text_at(line, "customer.id").as_deref(), Some("7"));
        assert_eq!(text_at(line, "customer.geo.city").as_deref(), Some("Köln"));
        // A member named with the dots wins over the path.
        assert_eq!(text_at(line, "a.b").as_deref(), Some("1"));
        assert_eq!(text_at(line, "x.y.z").as_deref(), Some("3"));
        assert_eq!(text_at(line, "customer.name"), None);
        assert_eq!(text_at(line, "customer.id.x"), None);
        let mut keys = KeySet::default();
        Object::parse(line.as_bytes())
            .unwrap()
            .collect_keys(&mut keys);
        assert_eq!(
            keys.into_vec(),
            [
                "customer",
                "customer.id",
                "customer.geo",
                "customer.geo.city",
                "a.b",
                "a",
                "x",
                "x.y.z"
            ]
        );
    }

    #[test]
    fn only_objects_parse() {
        let bad: [&[u8]; 6] = [
            b"[1]",
            b"42",
            b"\"s\"",
            b"{\"a\":1} x",
            b"{\"a\":}",
            b"{\"a\":\"\xff\"}",
        ];
        for line in bad {
            assert!(Object::parse(line).is_err(), "{line:?}");
        }
        let err = Object::parse(b"[1]").unwrap_err().to_string();
        assert!(err.contains("expected a JSON object"), "{err}");
    }
}
