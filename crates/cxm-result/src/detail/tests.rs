use super::*;
use serde_json::json;

/// JSON texts covering every kind of value, nested.
const TEXTS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "3",
    "-3",
    "3.0",
    "-0.0",
    "2.5e-300",
    "18446744073709551615",
    "-9223372036854775808",
    "\"\"",
    "\"Größe \\\"x\\\"\"",
    "[]",
    "[1, 2.5, null, \"x\", [true]]",
    "{}",
    "{\"b\": 1, \"a\": {\"z\": [0, 1.5]}, \"b\": 2}",
];

#[test]
fn reads_and_writes_every_value_as_serde_json_does() {
    for text in TEXTS {
        let value: Value = serde_json::from_str(text).unwrap();
        let detail: Detail = serde_json::from_str(text).unwrap();
        assert_eq!(detail, value, "{text}");
        assert_eq!(Detail::from(value.clone()), detail, "{text}");
        assert_eq!(detail.to_value(), value, "{text}");
        // Written back byte for byte as serde_json writes the value.
        assert_eq!(
            serde_json::to_string(&detail).unwrap(),
            serde_json::to_string(&value).unwrap(),
            "{text}"
        );
        assert_eq!(detail.to_string(), value.to_string(), "{text}");
        // The accessors agree with `Value`'s.
        assert_eq!(detail.as_f64(), value.as_f64(), "{text}");
        assert_eq!(detail.as_u64(), value.as_u64(), "{text}");
        assert_eq!(detail.as_i64(), value.as_i64(), "{text}");
        assert_eq!(detail.as_str(), value.as_str(), "{text}");
        assert_eq!(detail.as_bool(), value.as_bool(), "{text}");
        assert_eq!(detail.is_null(), value.is_null(), "{text}");
        assert_eq!(detail.is_string(), value.is_string(), "{text}");
        assert_eq!(detail.is_number(), value.is_number(), "{text}");
        assert_eq!(detail.is_u64(), value.is_u64(), "{text}");
        assert_eq!(detail.is_i64(), value.is_i64(), "{text}");
        assert_eq!(detail.is_f64(), value.is_f64(), "{text}");
        assert_eq!(detail.is_array(), value.is_array(), "{text}");
        assert_eq!(detail.is_object(), value.is_object(), "{text}");
        assert_eq!(
            detail.as_array().map(<[_]>::len),
            value.as_array().map(Vec::len)
        );
        assert_eq!(detail.as_number(), value.as_number().cloned(), "{text}");
    }
}

#[test]
fn numbers_keep_their_kind_and_non_finite_floats_are_null() {
    assert_eq!(Detail::from(3_i64), Detail::U64(3));
    assert_eq!(Detail::from(-3_i32), Detail::I64(-3));
    assert_ne!(Detail::from(3_u64), Detail::from(3.0));
    assert_ne!(Detail::from(3_u64), json!(3.0));
    assert_eq!(Detail::from(3.0), json!(3.0));
    assert_eq!(Detail::from(f64::NAN), Detail::Null);
    assert_eq!(Detail::float(f64::INFINITY), json!(null));
    assert_eq!(Detail::from(7_usize), 7_u64);
    assert_eq!(Detail::from(1.5), 1.5);
    assert_eq!(Detail::from(-2_i64), -2_i64);
    assert_eq!(Detail::from("x"), "x");
    assert_eq!(Detail::from(String::from("y")), String::from("y"));
    assert_eq!(Detail::from(true), true);
    assert_ne!(Detail::from("1"), 1.0);
    assert_eq!(json!(2), Detail::from(2_u32));
}

#[test]
fn indexing_finds_nothing_as_null() {
    let d: Detail = serde_json::from_str(r#"{"a": {"b": [10, 20]}}"#).unwrap();
    assert_eq!(d["a"]["b"][1], 20_u64);
    assert!(d["a"]["c"].is_null());
    assert!(d["a"]["b"][5].is_null());
    assert!(d["a"][0].is_null());
    assert_eq!(
        d.get("a").and_then(|a| a.get("b")).map(Detail::is_array),
        Some(true)
    );
    assert!(Detail::from(1_u64).get("a").is_none());
}

#[test]
fn lists_and_maps_hold_exactly_their_items() {
    assert_eq!(std::mem::size_of::<Detail>(), 24);
    let d: Detail = serde_json::from_str(r#"{"z": [0, 1, 2, 3, 4]}"#).unwrap();
    let Some(z) = d["z"].as_array() else {
        panic!("z is a list");
    };
    // A boxed slice has no spare room by construction.
    assert_eq!(z.len(), 5);
    assert!(serde_json::from_str::<Detail>("[1, 2").is_err());
    // As serde_json: deeper than 128 levels is refused.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(serde_json::from_str::<Detail>(&deep).is_err());
}
