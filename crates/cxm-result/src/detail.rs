//! One value of a result's `details`: what a JSON value can be, in 24 bytes.
//!
//! serde_json's `Value` takes 72 bytes with the order-keeping maps this workspace uses (its
//! object variant holds an index map inline), so an NPS result's eleven score counts alone
//! took 792 bytes, and a run keeps a result per group until the report is written. Here a
//! list or a nested map is boxed, a text is shared (a block of many results names each text
//! once), and the accessors and comparisons are those of `Value`, so code that read details
//! as JSON values reads these the same way. Numbers keep JSON's three kinds (non-negative
//! integer, negative integer, float), as serde_json does, so a detail written as `3` stays
//! `3` and one written as `3.0` stays `3.0` in every output.

use crate::Details;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use std::fmt;
use std::sync::Arc;

/// A JSON value: null, a boolean, a number, a text, a list or a map of details.
#[derive(Clone, Debug, Default)]
pub enum Detail {
    /// JSON `null` (also what a number that is not finite becomes).
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer.
    U64(u64),
    /// A negative integer (a non-negative one is always [`Detail::U64`], as in serde_json).
    I64(i64),
    /// A finite float.
    F64(f64),
    /// A text.
    Text(Arc<str>),
    /// A list (shared: the results read from one block share equal lists, see
    /// [`crate::many`]).
    List(Arc<[Detail]>),
    /// A map of named values, in order.
    Map(Box<Details>),
}

/// `Null`, for indexing that finds nothing (as serde_json's `Value` gives).
static NULL: Detail = Detail::Null;

impl Detail {
    /// A float: finite ones as they are, others as `null` (JSON has no NaN or infinity).
    pub fn float(x: f64) -> Detail {
        if x.is_finite() {
            Detail::F64(x)
        } else {
            Detail::Null
        }
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Detail::Null)
    }

    /// Whether it is a text.
    pub fn is_string(&self) -> bool {
        matches!(self, Detail::Text(_))
    }

    /// Whether it is a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Detail::U64(_) | Detail::I64(_) | Detail::F64(_))
    }

    /// Whether it is an integer that fits `u64`.
    pub fn is_u64(&self) -> bool {
        matches!(self, Detail::U64(_))
    }

    /// Whether it is an integer that fits `i64`.
    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }

    /// Whether it is a float.
    pub fn is_f64(&self) -> bool {
        matches!(self, Detail::F64(_))
    }

    /// Whether it is a list.
    pub fn is_array(&self) -> bool {
        matches!(self, Detail::List(_))
    }

    /// Whether it is a map.
    pub fn is_object(&self) -> bool {
        matches!(self, Detail::Map(_))
    }

    /// Any number as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Detail::U64(u) => Some(u as f64),
            Detail::I64(i) => Some(i as f64),
            Detail::F64(x) => Some(x),
            _ => None,
        }
    }

    /// An integer that fits `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Detail::U64(u) => Some(u),
            _ => None,
        }
    }

    /// An integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Detail::U64(u) => i64::try_from(u).ok(),
            Detail::I64(i) => Some(i),
            _ => None,
        }
    }

    /// The text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Detail::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Detail::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The items of a list.
    pub fn as_array(&self) -> Option<&[Detail]> {
        match self {
            Detail::List(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map.
    pub fn as_object(&self) -> Option<&Details> {
        match self {
            Detail::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The value of `key` in a map (`None` for anything else).
    pub fn get(&self, key: &str) -> Option<&Detail> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// The number as serde_json writes it.
    pub fn as_number(&self) -> Option<Number> {
        match *self {
            Detail::U64(u) => Some(Number::from(u)),
            Detail::I64(i) => Some(Number::from(i)),
            Detail::F64(x) => Number::from_f64(x),
            _ => None,
        }
    }

    /// The same value as serde_json's `Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Detail::Null => Value::Null,
            Detail::Bool(b) => Value::Bool(*b),
            Detail::U64(_) | Detail::I64(_) | Detail::F64(_) => {
                self.as_number().map_or(Value::Null, Value::Number)
            }
            Detail::Text(s) => Value::String(s.to_string()),
            Detail::List(items) => Value::Array(items.iter().map(Detail::to_value).collect()),
            Detail::Map(map) => Value::Object(map.to_map()),
        }
    }
}

impl From<Value> for Detail {
    fn from(value: Value) -> Detail {
        match value {
            Value::Null => Detail::Null,
            Value::Bool(b) => Detail::Bool(b),
            Value::Number(n) => Detail::from(&n),
            Value::String(s) => Detail::Text(s.into()),
            Value::Array(items) => Detail::List(items.into_iter().map(Detail::from).collect()),
            Value::Object(map) => Detail::Map(Box::new(map.into())),
        }
    }
}

impl From<&Number> for Detail {
    fn from(n: &Number) -> Detail {
        if let Some(u) = n.as_u64() {
            Detail::U64(u)
        } else if let Some(i) = n.as_i64() {
            Detail::I64(i)
        } else {
            Detail::float(n.as_f64().unwrap_or(f64::NAN))
        }
    }
}

impl From<f64> for Detail {
    fn from(x: f64) -> Detail {
        Detail::float(x)
    }
}

impl From<i64> for Detail {
    fn from(i: i64) -> Detail {
        u64::try_from(i).map_or(Detail::I64(i), Detail::U64)
    }
}

impl From<u64> for Detail {
    fn from(u: u64) -> Detail {
        Detail::U64(u)
    }
}

impl From<i32> for Detail {
    fn from(i: i32) -> Detail {
        Detail::from(i64::from(i))
    }
}

impl From<u32> for Detail {
    fn from(u: u32) -> Detail {
        Detail::U64(u64::from(u))
    }
}

impl From<usize> for Detail {
    fn from(u: usize) -> Detail {
        Detail::U64(u as u64)
    }
}

impl From<bool> for Detail {
    fn from(b: bool) -> Detail {
        Detail::Bool(b)
    }
}

impl From<&str> for Detail {
    fn from(s: &str) -> Detail {
        Detail::Text(s.into())
    }
}

impl From<String> for Detail {
    fn from(s: String) -> Detail {
        Detail::Text(s.into())
    }
}

impl std::ops::Index<&str> for Detail {
    type Output = Detail;

    /// The value of `key` in a map; `null` when there is none or this is not a map (as
    /// serde_json's `Value` indexes).
    fn index(&self, key: &str) -> &Detail {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Detail {
    type Output = Detail;

    /// Item `i` of a list; `null` when there is none or this is not a list.
    fn index(&self, i: usize) -> &Detail {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

/// Equal as the serde_json values would be: numbers of different kinds (`3` and `3.0`)
/// differ, maps compare in any order.
impl PartialEq for Detail {
    fn eq(&self, other: &Detail) -> bool {
        match (self, other) {
            (Detail::Null, Detail::Null) => true,
            (Detail::Bool(a), Detail::Bool(b)) => a == b,
            (Detail::U64(a), Detail::U64(b)) => a == b,
            (Detail::I64(a), Detail::I64(b)) => a == b,
            (Detail::F64(a), Detail::F64(b)) => a == b,
            (Detail::Text(a), Detail::Text(b)) => a == b,
            (Detail::List(a), Detail::List(b)) => a == b,
            (Detail::Map(a), Detail::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq<Value> for Detail {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Detail::Null, Value::Null) => true,
            (Detail::Bool(a), Value::Bool(b)) => a == b,
            (Detail::U64(_) | Detail::I64(_) | Detail::F64(_), Value::Number(n)) => {
                self.as_number().as_ref() == Some(n)
            }
            (Detail::Text(a), Value::String(b)) => **a == **b,
            (Detail::List(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Detail::Map(a), Value::Object(b)) => **a == *b,
            _ => false,
        }
    }
}

impl PartialEq<Detail> for Value {
    fn eq(&self, other: &Detail) -> bool {
        other == self
    }
}

/// Comparisons with plain numbers, texts and booleans, as serde_json's `Value` has them.
macro_rules! eq_primitive {
    ($($t:ty => $as:ident: $target:ty),* $(,)?) => {$(
        impl PartialEq<$t> for Detail {
            #[allow(clippy::cast_lossless, clippy::unnecessary_cast)]
            fn eq(&self, other: &$t) -> bool {
                self.$as().is_some_and(|x| x == *other as $target)
            }
        }
    )*};
}

eq_primitive!(f64 => as_f64: f64, f32 => as_f64: f64, i64 => as_i64: i64, i32 => as_i64: i64,
    u64 => as_u64: u64, u32 => as_u64: u64, usize => as_u64: u64);

impl PartialEq<bool> for Detail {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<str> for Detail {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Detail {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Detail {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl fmt::Display for Detail {
    /// Compact JSON, as serde_json's `Value` displays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Detail {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Detail::Null => serializer.serialize_unit(),
            Detail::Bool(b) => serializer.serialize_bool(*b),
            Detail::U64(u) => serializer.serialize_u64(*u),
            Detail::I64(i) => serializer.serialize_i64(*i),
            Detail::F64(x) => serializer.serialize_f64(*x),
            Detail::Text(s) => serializer.serialize_str(s),
            Detail::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Detail::Map(map) => map.serialize(serializer),
        }
    }
}

/// Read as serde_json reads a `Value` (a float that is not finite reads as `null`), lists
/// and maps with exactly the room their items need.
impl<'de> Deserialize<'de> for Detail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DetailVisitor)
    }
}

struct DetailVisitor;

impl<'de> Visitor<'de> for DetailVisitor {
    type Value = Detail;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Detail, E> {
        Ok(Detail::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Detail, E> {
        Ok(Detail::from(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Detail, E> {
        Ok(Detail::U64(u))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Detail, E> {
        Ok(Detail::float(x))
    }

    fn visit_str<E>(self, s: &str) -> Result<Detail, E> {
        Ok(Detail::from(s))
    }

    fn visit_string<E>(self, s: String) -> Result<Detail, E> {
        Ok(Detail::from(s))
    }

    fn visit_unit<E>(self) -> Result<Detail, E> {
        Ok(Detail::Null)
    }

    fn visit_none<E>(self) -> Result<Detail, E> {
        Ok(Detail::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Detail, D::Error> {
        Detail::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Detail, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element::<Detail>()? {
            items.push(item);
        }
        Ok(Detail::List(items.into()))
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Detail, A::Error> {
        crate::details::read_map(access).map(|m| Detail::Map(Box::new(m)))
    }
}

#[cfg(test)]
mod tests;
