use super::*;
use serde_json::{json, Value};

/// A result with every part the format has.
fn full() -> MetricResult {
    MetricResult {
        value: Some(-7.25),
        unit: "NPS points (-100 to 100)".into(),
        n: 989_892.0,
        ci: Some(Interval {
            low: -7.8,
            high: -6.7,
            level: 0.95,
            method: "wald".into(),
        }),
        basis: Some(TestBasis::Nps {
            promoters: 3.0,
            detractors: 1.0,
            n: 5.0,
        }),
        tables: vec![Table {
            name: "attributes".into(),
            columns: vec!["name".into(), "share".into()],
            rows: vec![
                vec![json!("speed"), json!(0.5)],
                vec![json!("é"), Value::Null],
            ],
        }],
        ..Default::default()
    }
    .detail("promoters", crate::number(326_435.0))
    .detail("count", 12)
    .detail("delta", -3)
    .detail("big", u64::MAX)
    .detail("flag", true)
    .detail("off", false)
    .detail("band", "critical")
    .detail("none", Value::Null)
    .detail("score_counts", json!([0.0, 1.5, -0.0, 2]))
    .detail("nested", json!({"z": [1, {"a": "critical"}], "e": {}}))
    .warn("low_sample")
}

/// What the JSON wire format reads back for `r`.
fn via_json(r: &MetricResult) -> MetricResult {
    MetricResult::from_json(&r.to_json().unwrap()).unwrap()
}

fn block(results: &[MetricResult]) -> Vec<u8> {
    let mut w = ManyWriter::with_capacity(results.len());
    results.iter().for_each(|r| w.push(r));
    w.finish()
}

#[test]
fn reads_back_what_json_reads_back() {
    let mut empty = MetricResult::empty("rows");
    empty.value = Some(f64::NAN); // JSON writes null: read as none
    let mut proportion = full();
    proportion.basis = Some(TestBasis::Proportion {
        successes: 1.0,
        n: 2.0,
    });
    proportion.value = Some(f64::INFINITY);
    let mut mean = full();
    mean.basis = Some(TestBasis::Mean {
        mean: 1.0,
        variance: 0.5,
        n: 2.0,
    });
    let results = vec![full(), empty, proportion, mean, MetricResult::default()];
    let back = read_many(&block(&results), results.len()).unwrap();
    let expected: Vec<MetricResult> = results.iter().map(via_json).collect();
    assert_eq!(back, expected);
    // Not only equal: the same kinds of numbers, the same order of keys, and -0.0 kept.
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
    assert_eq!(back[0].details["count"], json!(12));
    assert!(back[0].details["count"].is_u64());
    assert!(back[0].details["delta"].is_i64());
    assert!(back[0].details["promoters"].is_f64());
    let Some(counts) = back[0].details["score_counts"].as_array() else {
        panic!("an array");
    };
    assert_eq!(counts.len(), 4);
    assert!(counts[2].as_f64().unwrap().is_sign_negative());
    // Lists hold exactly their items (kept per group until the report is written).
    assert_eq!(back[0].warnings.capacity(), back[0].warnings.len());
    for t in &back[0].tables {
        assert_eq!(t.columns.capacity(), t.columns.len());
        assert!(t.rows.iter().all(|r| r.capacity() == r.len()));
    }
}

#[test]
fn results_with_the_same_keys_share_one_list_of_them() {
    let mut other = full();
    other.details.insert("extra", 1);
    let back = read_many(&block(&[full(), full(), other, full()]), 4).unwrap();
    assert!(back[1].details.shares_keys(&back[0].details));
    assert!(!back[2].details.shares_keys(&back[1].details));
    assert!(!back[3].details.shares_keys(&back[2].details));
    assert_eq!(back[3].details, back[0].details);
    assert_eq!(back[2].details.keys().last(), Some("extra"));
    // Changing one result's keys leaves the others' alone (copy on write).
    let mut changed = back[1].clone();
    changed.details.insert("new", 2);
    changed.details.remove("count");
    assert_eq!(back[1].details, back[0].details);
    assert!(back[1].details.contains_key("count") && !back[1].details.contains_key("new"));
    assert_eq!(changed.details.len(), back[1].details.len());
}

#[test]
fn texts_that_change_from_one_result_to_the_next_read_back_as_written() {
    // The writer first compares each text with the one in the same place of the last
    // result: units that are prefixes of each other, come back, or are new must all be
    // told apart.
    let units = ["ab", "a", "abc", "ab", "", "b", "ab", "ba"];
    let results: Vec<MetricResult> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut r = full();
            r.unit = (*u).into();
            r.warnings = vec![units[units.len() - 1 - i].into()];
            r
        })
        .collect();
    let back = read_many(&block(&results), results.len()).unwrap();
    let read: Vec<(&str, &str)> = back
        .iter()
        .map(|r| (r.unit.as_str(), r.warnings[0].as_str()))
        .collect();
    let written: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r.unit.as_str(), r.warnings[0].as_str()))
        .collect();
    assert_eq!(read, written);
}

#[test]
fn equal_lists_in_a_block_are_read_once_and_shared() {
    let with = |counts: Value| {
        let mut r = MetricResult::default();
        r.details.insert("score_counts", counts);
        r.details.insert("label", json!(["a", "b"]));
        r
    };
    let results = [
        with(json!([0.0, 1.0, 4.0])),
        with(json!([0.0, 1.0, 4.0])),
        with(json!([0.0, 1.0, 5.0])),
        with(json!([0.0, 1, 4.0])), // 1 and 1.0 are different numbers
        with(json!([0.0, 1.0, 4.0])),
    ];
    let back = read_many(&block(&results), results.len()).unwrap();
    let list = |i: usize, key: &str| match &back[i].details[key] {
        Detail::List(items) => Arc::clone(items),
        other => panic!("{other:?} is not a list"),
    };
    assert!(Arc::ptr_eq(
        &list(0, "score_counts"),
        &list(1, "score_counts")
    ));
    assert!(Arc::ptr_eq(
        &list(0, "score_counts"),
        &list(4, "score_counts")
    ));
    assert!(!Arc::ptr_eq(
        &list(0, "score_counts"),
        &list(2, "score_counts")
    ));
    assert!(!Arc::ptr_eq(
        &list(0, "score_counts"),
        &list(3, "score_counts")
    ));
    assert!(Arc::ptr_eq(&list(0, "label"), &list(3, "label")));
    // Shared or not, each reads back as written.
    let expected: Vec<MetricResult> = results.iter().map(via_json).collect();
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        serde_json::to_string(&expected).unwrap()
    );
}

#[test]
fn repeated_texts_are_written_once() {
    let one = block(&[full()]).len();
    let many = block(&vec![full(); 100]).len();
    let unit = "NPS points (-100 to 100)".len();
    assert!((many - one) / 99 < one - unit, "{one} {many}");
    assert_eq!(read_many(&block(&[]), 0).unwrap(), vec![]);
}

#[test]
fn malformed_blocks_are_refused_with_a_reason() {
    let good = block(&[full(), full()]);
    let err = |bytes: &[u8], n: usize| read_many(bytes, n).unwrap_err();
    assert!(err(&good, 3).contains("holds 2 results for 3 groups"));
    assert!(err(b"{\"value\":1}", 1).contains("CXMR"));
    let mut version = good.clone();
    version[4] = 2;
    assert!(err(&version, 2).contains("version 2"));
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(err(&trailing, 2).contains("1 bytes follow"));
    // Every truncation is an error, never a panic.
    for len in 0..good.len() {
        assert!(read_many(&good[..len], 2).is_err(), "{len}");
    }
    // Every single corrupted byte is either read or refused, never a panic.
    for at in 0..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0xff;
        let _ = read_many(&bad, 2);
    }
    // A string index outside the table, a tag and a basis kind that do not exist.
    let mut w = ManyWriter::default();
    w.push(&MetricResult::empty("u"));
    let mut bad = w.finish();
    let unit_at = 4 + 4 + 4 + 4 + (4 + 1) + 1;
    bad[unit_at] = 9;
    assert!(err(&bad, 1).contains("string 9 is not in the table"));
    let mut nan_ci = full();
    nan_ci.ci.as_mut().unwrap().level = f64::NAN;
    assert!(err(&block(&[nan_ci]), 1).contains("level is NaN"));
    let mut not_utf8 = block(&[MetricResult::empty("u")]);
    not_utf8[16 + 4] = 0xff;
    assert!(err(&not_utf8, 1).contains("not UTF-8"));
}
