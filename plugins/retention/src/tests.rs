//! Unit tests of `retention` and `churn` through the plain methods `bind`, `update` and
//! `finish` call: the spec examples, period boundaries, grains and labels, weights, empty
//! input, param validation, and the Wilson intervals. Expected values are derived by hand
//! in the comments.

use super::*;
use chrono::NaiveDate;
use serde_json::json;

/// "YYYY-MM-DD" as days since 1970-01-01.
fn d(text: &str) -> i32 {
    params::days_of(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
}

fn core(params: serde_json::Value) -> Result<Core, String> {
    let params: RetentionParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Core::new(params)
}

fn monthly(from: &str, to: &str) -> Core {
    core(json!({"period": {"from": from, "to": to, "grain": "month"}})).unwrap()
}

/// Adds `w` customers with life [start, end).
fn add(c: &Core, s: &mut RetentionState, start: &str, end: Option<&str>, w: f64) {
    c.tally(s, Some(d(start)), end.map(d), w).unwrap();
}

#[test]
fn date_conversion_matches_the_epoch() {
    assert_eq!(d("1970-01-01"), 0);
    assert_eq!(d("1970-01-02"), 1);
    assert_eq!(d("1969-12-31"), -1);
    assert_eq!(
        params::date_of(d("2025-03-01")).unwrap().to_string(),
        "2025-03-01"
    );
}

#[test]
fn spec_example_retention_200_start_20_new_200_end_is_90() {
    // January 2025: 180 stay throughout, 20 leave on 2025-01-15, 20 join on 2025-01-10.
    // S = 200, N = 20, E = 180 + 20 = 200, L = 20: CRR = 100 · (200 − 20) / 200 = 90.0;
    // churn = 100 · 20 / 200 = 10.0.
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 180.0);
    add(&c, &mut s, "2024-06-01", Some("2025-01-15"), 20.0);
    add(&c, &mut s, "2025-01-10", None, 20.0);
    let r = c.result(Kind::Retention, &s);
    assert_eq!(r.value, Some(90.0));
    assert_eq!(r.n, 200.0);
    assert_eq!(r.unit, "% of customers at start retained");
    // 180 of 200 retained: Wilson 95 % [85.06, 93.43] (derived in wilson_intervals_by_hand).
    assert_ci(&r, 85.059_418_756_728_26, 93.432_955_133_090_4, 0.95);
    assert_eq!(r.details["period"], json!("2025-01"));
    assert_eq!(r.details["start"], json!("2025-01-01"));
    assert_eq!(r.details["end"], json!("2025-02-01"));
    assert_eq!(r.details["customers_at_start"], json!(200.0));
    assert_eq!(r.details["new"], json!(20.0));
    assert_eq!(r.details["at_end"], json!(200.0));
    assert_eq!(r.details["lost"], json!(20.0));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let churn = c.result(Kind::Churn, &s);
    assert_eq!(churn.value, Some(10.0));
    assert_eq!(churn.unit, "% of customers at start lost");
}

#[test]
fn spec_example_churn_250_start_20_lost_is_8() {
    // S = 250 (230 stay + 20 leave on 2025-03-10), L = 20: churn = 100 · 20 / 250 = 8.0;
    // E = 230, N = 0: CRR = 100 · 230 / 250 = 92.0.
    let c = monthly("2025-03-01", "2025-04-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-01-01", None, 230.0);
    add(&c, &mut s, "2024-01-01", Some("2025-03-10"), 20.0);
    let r = c.result(Kind::Churn, &s);
    assert_eq!(r.value, Some(8.0));
    assert_eq!(r.n, 250.0);
    assert_eq!(c.result(Kind::Retention, &s).value, Some(92.0));
}

#[test]
fn boundaries_are_half_open() {
    // Period [2025-01-01, 2025-02-01):
    // a: starts on t0 → new, not at start; at end.
    // b: ends on t0 → at start (start < t0 ≤ end) and lost in January.
    // c: ends on t1 → at start and at end (left in February), not lost.
    // e: joins and leaves in January → new and lost, neither at start nor at end.
    // f: starts on t1 → nothing (outside the range).
    // g: left before t0 → nothing (outside the range).
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2025-01-01", None, 1.0);
    add(&c, &mut s, "2024-05-01", Some("2025-01-01"), 1.0);
    add(&c, &mut s, "2024-05-01", Some("2025-02-01"), 1.0);
    add(&c, &mut s, "2025-01-05", Some("2025-01-20"), 1.0);
    add(&c, &mut s, "2025-02-01", None, 1.0);
    add(&c, &mut s, "2024-05-01", Some("2024-12-31"), 1.0);
    let p = &s.periods(c.periods())[0];
    assert_eq!((p.at_start, p.new, p.at_end, p.lost), (2.0, 2.0, 2.0, 2.0));
    let r = c.result(Kind::Retention, &s);
    assert_eq!(r.details["customers"], json!(6.0));
    assert_eq!(r.details["customers_outside_range"], json!(2.0));
    // E = S + N − L holds for every period.
    assert_eq!(p.at_end, p.at_start + p.new - p.lost);
}

#[test]
fn monthly_periods_table_and_last_period_headline() {
    // Jan: S 200, N 20, L 20, E 200. Feb: 50 join → S 200, N 50, L 0, E 250.
    // Mar: 20 leave → S 250, N 0, L 20, E 230: churn 8.0, CRR 92.0 (the headline).
    let c = monthly("2025-01-01", "2025-04-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 160.0);
    add(&c, &mut s, "2024-06-01", Some("2025-01-15"), 20.0);
    add(&c, &mut s, "2024-06-01", Some("2025-03-10"), 20.0);
    add(&c, &mut s, "2025-01-10", None, 20.0);
    add(&c, &mut s, "2025-02-05", None, 50.0);
    let r = c.result(Kind::Churn, &s);
    assert_eq!(r.value, Some(8.0));
    assert_eq!(r.n, 250.0);
    assert_eq!(r.details["period"], json!("2025-03"));
    let t = &r.tables[0];
    assert_eq!(t.name, "periods");
    assert_eq!(t.columns, PERIOD_COLUMNS.map(String::from).to_vec());
    // Counts and rates, then each rate's Wilson 95 % bounds (see wilson_intervals_by_hand):
    // Jan 180 of 200 retained, 20 of 200 lost; Feb 200 of 200, 0 of 200; Mar 230 of 250,
    // 20 of 250.
    let want = [
        (
            ["2025-01", "2025-01-01", "2025-02-01"],
            [200.0, 20.0, 200.0, 20.0],
            [90.0, 85.059_418_756_728_26, 93.432_955_133_090_4],
            [10.0, 6.567_044_866_909_589, 14.940_581_243_271_737],
        ),
        (
            ["2025-02", "2025-02-01", "2025-03-01"],
            [200.0, 50.0, 250.0, 0.0],
            [100.0, 98.115_467_362_273_35, 100.0],
            [0.0, 0.0, 1.884_532_637_726_656_5],
        ),
        (
            ["2025-03", "2025-03-01", "2025-04-01"],
            [250.0, 0.0, 230.0, 20.0],
            [92.0, 87.967_035_679_615_83, 94.761_767_162_766_83],
            [8.0, 5.238_232_837_233_178, 12.032_964_320_384_165],
        ),
    ];
    assert_eq!(t.rows.len(), want.len());
    for (row, (texts, counts, retention, churn)) in t.rows.iter().zip(want) {
        assert_eq!(row.len(), PERIOD_COLUMNS.len());
        for (cell, text) in row.iter().zip(texts) {
            assert_eq!(cell, &json!(text));
        }
        let numbers: Vec<f64> = row[3..].iter().map(|v| v.as_f64().unwrap()).collect();
        let expected: Vec<f64> = counts.into_iter().chain(retention).chain(churn).collect();
        for (got, want) in numbers.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-9, "{row:?}");
        }
    }
    // The retention metric shares the table and reports the last period's CRR.
    let r = c.result(Kind::Retention, &s);
    assert_eq!(r.value, Some(92.0));
    assert_eq!(r.tables, c.result(Kind::Churn, &s).tables);
}

#[test]
fn grains_and_labels() {
    let labels = |grain: &str, from: &str, to: &str| {
        core(json!({"period": {"from": from, "to": to, "grain": grain}}))
            .unwrap()
            .periods()
            .labels
            .clone()
    };
    assert_eq!(
        labels("quarter", "2024-10-01", "2025-07-01"),
        ["2024-Q4", "2025-Q1", "2025-Q2"]
    );
    assert_eq!(labels("year", "2024-01-01", "2026-01-01"), ["2024", "2025"]);
    // 2025-02-24 is the Monday of ISO week 9; 2024-12-30 starts ISO week 1 of 2025.
    assert_eq!(
        labels("week", "2025-02-24", "2025-03-10"),
        ["2025-W09", "2025-W10"]
    );
    assert_eq!(
        labels("week", "2024-12-23", "2025-01-06"),
        ["2024-W52", "2025-W01"]
    );
    assert_eq!(
        labels("month", "2024-12-01", "2025-02-01"),
        ["2024-12", "2025-01"]
    );
    let quarters =
        core(json!({"period": {"from": "2025-01-01", "to": "2025-07-01", "grain": "quarter"}}))
            .unwrap();
    assert_eq!(
        quarters.periods().bounds,
        [d("2025-01-01"), d("2025-04-01"), d("2025-07-01")]
    );
    // Without grain: one period [from, to), in any alignment.
    let one = core(json!({"period": {"from": "2025-01-15", "to": "2025-03-15"}})).unwrap();
    assert_eq!(one.periods().labels, ["2025-01-15/2025-03-15"]);
    assert_eq!(one.periods().bounds, [d("2025-01-15"), d("2025-03-15")]);
}

#[test]
fn weights_equal_expanded_rows() {
    // The same customers once as weighted rows and once one row each.
    let c = monthly("2025-01-01", "2025-04-01");
    let rows = [
        ("2024-06-01", None, 3.0),
        ("2024-06-01", Some("2025-02-10"), 2.0),
        ("2025-01-10", Some("2025-03-01"), 4.0),
        ("2025-03-03", None, 1.0),
    ];
    let (mut weighted, mut expanded) = (RetentionState::default(), RetentionState::default());
    for (start, end, w) in rows {
        add(&c, &mut weighted, start, end, w);
        for _ in 0..w as usize {
            add(&c, &mut expanded, start, end, 1.0);
        }
    }
    for kind in [Kind::Retention, Kind::Churn] {
        assert_eq!(c.result(kind, &weighted), c.result(kind, &expanded));
    }
    // Mar: S = 3 + 4 = 7 (the 4 leave on 2025-03-01, i.e. in March), L = 4, N = 1, E = 4.
    let r = c.result(Kind::Churn, &weighted);
    assert_eq!(r.n, 7.0);
    assert_eq!(r.value, Some(100.0 * 4.0 / 7.0));
}

#[test]
fn fractional_weights_leave_no_residue() {
    // 0.1 + 0.2 customers who all left in January: February's S must be exactly 0.
    let c = monthly("2025-01-01", "2025-03-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-01-01", Some("2025-01-05"), 0.1);
    add(&c, &mut s, "2024-02-01", Some("2025-01-25"), 0.2);
    let r = c.result(Kind::Retention, &s);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.value, None);
    assert!(r.warnings.contains(&"no_customers_at_start".to_string()));
}

#[test]
fn empty_input_has_no_value() {
    let c = monthly("2025-01-01", "2025-03-01");
    let r = c.result(Kind::Churn, &RetentionState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(
        r.warnings,
        ["no_data", "no_customers_at_start", "low_sample"]
    );
    let t = &r.tables[0];
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0][3], json!(0.0));
    assert_eq!(t.rows[0][7], serde_json::Value::Null);
    assert_eq!(t.rows[0][8], serde_json::Value::Null);
}

#[test]
fn no_customers_at_start_of_last_period() {
    // Everyone joins in the last period: S = 0 there, so no value, but data exist.
    let c = monthly("2025-01-01", "2025-03-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2025-02-03", None, 40.0);
    let r = c.result(Kind::Retention, &s);
    assert_eq!(r.value, None);
    assert_eq!(r.warnings, ["no_customers_at_start", "low_sample"]);
    assert_eq!(r.details["new"], json!(40.0));
}

#[test]
fn low_sample_below_min_n() {
    // S = 10 < 30 → low_sample; with min_n = 10 none.
    let mut s = RetentionState::default();
    let c = monthly("2025-01-01", "2025-02-01");
    add(&c, &mut s, "2024-01-01", None, 10.0);
    assert_eq!(c.result(Kind::Retention, &s).warnings, ["low_sample"]);
    let c = core(json!({"min_n": 10, "period": {"from": "2025-01-01", "to": "2025-02-01", "grain": "month"}})).unwrap();
    assert!(c.result(Kind::Retention, &s).warnings.is_empty());
}

#[test]
fn rows_are_rejected_with_reasons() {
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    assert_eq!(c.tally(&mut s, None, None, 1.0), Err(Reject::Empty));
    assert_eq!(
        c.tally(&mut s, Some(d("2025-01-10")), Some(d("2025-01-09")), 1.0),
        Err(Reject::Own(END_BEFORE_START))
    );
    assert_eq!(
        c.tally(&mut s, Some(d("2025-01-10")), None, -1.0),
        Err(Reject::InvalidValue)
    );
    assert_eq!(s, RetentionState::default());
}

#[test]
fn merge_equals_one_state() {
    let c = monthly("2025-01-01", "2025-04-01");
    let rows = [
        ("2024-06-01", None),
        ("2024-06-01", Some("2025-02-10")),
        ("2025-01-10", Some("2025-03-01")),
        ("2025-03-03", None),
        ("2023-01-01", Some("2024-01-01")),
    ];
    let (mut all, mut a, mut b) = Default::default();
    for (i, (start, end)) in rows.iter().enumerate() {
        add(&c, &mut all, start, *end, 1.0);
        add(
            &c,
            if i % 2 == 0 { &mut a } else { &mut b },
            start,
            *end,
            1.0,
        );
    }
    let mut merged = RetentionState::default();
    merged.merge(&a);
    merged.merge(&b);
    assert_eq!(merged, all);
    assert_eq!(c.result(Kind::Churn, &merged), c.result(Kind::Churn, &all));
    // Merging an empty state changes nothing.
    let before = a.clone();
    a.merge(&RetentionState::default());
    assert_eq!(a, before);
}

#[test]
fn param_errors_explain_the_fix() {
    let err = |p: serde_json::Value| core(p).unwrap_err();
    assert!(err(json!({})).contains("period is required"));
    let e = err(json!({"period": {"from": "01/01/2025", "to": "2025-02-01"}}));
    assert!(
        e.contains("period.from = \"01/01/2025\" is not a date"),
        "{e}"
    );
    let e = err(json!({"period": {"from": "2025-02-01", "to": "2025-02-01"}}));
    assert!(e.contains("must be after"), "{e}");
    let e = err(json!({"period": {"from": "2025-01-15", "to": "2025-03-01", "grain": "month"}}));
    assert!(e.contains("is not the first day of a month"), "{e}");
    assert!(e.contains("\"2025-01-01\" or \"2025-02-01\""), "{e}");
    let e = err(json!({"period": {"from": "2025-01-01", "to": "2025-03-31", "grain": "month"}}));
    assert!(e.contains("period.to = \"2025-03-31\""), "{e}");
    assert!(e.contains("\"2025-04-01\""), "{e}");
    let e = err(json!({"period": {"from": "2025-01-01", "to": "2025-03-01", "grain": "week"}}));
    assert!(e.contains("is not a Monday"), "{e}");
    let e = err(json!({"period": {"from": "2025-02-01", "to": "2025-06-01", "grain": "quarter"}}));
    assert!(e.contains("first day of a quarter"), "{e}");
    let e = err(json!({"period": {"from": "1900-01-01", "to": "2200-01-06", "grain": "week"}}));
    assert!(e.contains("more than 10000 periods"), "{e}");
    assert!(
        err(json!({"period": {"from": "2025-01-01", "to": "2025-02-01", "grain": "day"}}))
            .contains("unknown variant")
    );
    assert!(
        err(json!({"period": {"from": "2025-01-01", "to": "2025-02-01", "step": 1}}))
            .contains("unknown field")
    );
    assert!(err(json!({"periods": {}})).contains("unknown field"));
}

/// Asserts the result's interval is Wilson at `level` with these bounds (to 1e-9).
fn assert_ci(r: &MetricResult, low: f64, high: f64, level: f64) {
    let ci = r.ci.as_ref().expect("an interval");
    assert_eq!((ci.method.as_str(), ci.level), ("wilson", level));
    assert!((ci.low - low).abs() < 1e-9, "{ci:?}");
    assert!((ci.high - high).abs() < 1e-9, "{ci:?}");
}

#[test]
fn wilson_intervals_by_hand() {
    // Churn, spec example: L = 20 of S = 250 at 95 %. With p = 0.08, z = 1.959964
    // (Φ⁻¹(0.975)), z² = 3.841459 and 1 + z²/n = 1.0153658:
    // center = (p + z²/2n) / 1.0153658 = (0.08 + 0.0076829) / 1.0153658 = 0.0863560,
    // half = z / 1.0153658 · √(p(1 − p)/n + z²/4n²) = 1.9303027 · √(0.0002944 + 0.0000154)
    //      = 1.9303027 · 0.0176002 = 0.0339737,
    // so [5.2382, 12.0330] %.
    let c = monthly("2025-03-01", "2025-04-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-01-01", None, 230.0);
    add(&c, &mut s, "2024-01-01", Some("2025-03-10"), 20.0);
    let churn = c.result(Kind::Churn, &s);
    assert_ci(&churn, 5.238_232_837_233_178, 12.032_964_320_384_165, 0.95);
    // Retention is E − N = 230 of 250: the mirror image, [100 − 12.0330, 100 − 5.2382].
    let retention = c.result(Kind::Retention, &s);
    assert_ci(
        &retention,
        87.967_035_679_615_83,
        94.761_767_162_766_83,
        0.95,
    );
    // At 90 % (z = 1.644854, z² = 2.705543): center = (0.08 + 0.0054111) / 1.0108222
    // = 0.0844966, half = 1.6272448 · √(0.0002944 + 0.00001082) = 0.0284289:
    // [5.6068, 11.2926] %.
    let c90 = core(json!({
        "period": {"from": "2025-03-01", "to": "2025-04-01", "grain": "month"},
        "confidence": 0.9
    }))
    .unwrap();
    assert_ci(
        &c90.result(Kind::Churn, &s),
        5.606_771_797_612_131,
        11.292_558_098_509_828,
        0.9,
    );
    // No one lost, 200 at start: p = 0, center = half = (z²/2n) / (1 + z²/n)
    // = 0.0096037 / 1.0192073 = 0.0094227: [0, 1.8845] %; retention [98.1155, 100] %.
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-01-01", None, 200.0);
    assert_ci(
        &c.result(Kind::Churn, &s),
        0.0,
        1.884_532_637_726_656_5,
        0.95,
    );
    assert_ci(
        &c.result(Kind::Retention, &s),
        98.115_467_362_273_35,
        100.0,
        0.95,
    );
    // Weighted counts as the rate plugins treat them: 0.5 of 2.5 lost → [2.1246, 74.2215] %.
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 2.0);
    add(&c, &mut s, "2024-06-01", Some("2025-01-15"), 0.5);
    assert_ci(
        &c.result(Kind::Churn, &s),
        2.124_618_655_914_112_3,
        74.221_518_054_695_11,
        0.95,
    );
    // The confidence level is checked when binding.
    let e = core(json!({
        "period": {"from": "2025-01-01", "to": "2025-02-01"},
        "confidence": 95
    }))
    .unwrap_err();
    assert!(e.contains("write 0.95"), "{e}");
}

fn proportion(r: &MetricResult) -> (f64, f64) {
    match r.basis {
        Some(TestBasis::Proportion { successes, n }) => {
            let value = r.value.expect("a basis implies a value");
            assert!((value - 100.0 * successes / n).abs() < 1e-9, "{r:?}");
            assert_eq!(n, r.n);
            (successes, n)
        }
        ref other => panic!("expected a Proportion basis, got {other:?}"),
    }
}

#[test]
fn basis_is_a_share_of_the_customers_at_start() {
    // Spec example: S = 200, N = 20, E = 200, L = 20. Retention: E − N = 180 of 200 (90 %);
    // churn: L = 20 of 200 (10 %).
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 180.0);
    add(&c, &mut s, "2024-06-01", Some("2025-01-15"), 20.0);
    add(&c, &mut s, "2025-01-10", None, 20.0);
    assert_eq!(proportion(&c.result(Kind::Retention, &s)), (180.0, 200.0));
    assert_eq!(proportion(&c.result(Kind::Churn, &s)), (20.0, 200.0));
    // The headline period is the last one: March has S = 250, N = 0, E = 230, L = 20.
    let c = monthly("2025-01-01", "2025-04-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 160.0);
    add(&c, &mut s, "2024-06-01", Some("2025-01-15"), 20.0);
    add(&c, &mut s, "2024-06-01", Some("2025-03-10"), 20.0);
    add(&c, &mut s, "2025-01-10", None, 20.0);
    add(&c, &mut s, "2025-02-05", None, 50.0);
    assert_eq!(proportion(&c.result(Kind::Retention, &s)), (230.0, 250.0));
    assert_eq!(proportion(&c.result(Kind::Churn, &s)), (20.0, 250.0));
    // Fractional weights: S = 2.5 (0.5 leaves in January), N = 1.5 (stays):
    // E − N = 2 of 2.5 (80 %), L = 0.5 of 2.5 (20 %).
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 2.0);
    add(&c, &mut s, "2024-06-01", Some("2025-01-15"), 0.5);
    add(&c, &mut s, "2025-01-10", None, 1.5);
    assert_eq!(proportion(&c.result(Kind::Retention, &s)), (2.0, 2.5));
    assert_eq!(proportion(&c.result(Kind::Churn, &s)), (0.5, 2.5));
}

#[test]
fn no_basis_when_the_rate_is_not_a_share_of_the_customers_at_start() {
    // S = 2 stay; 10 join and leave within January: N = 10, L = 10, E = 2.
    // CRR = 100 · (2 − 10) / 2 = −400 and churn = 100 · 10 / 2 = 500: not proportions.
    let c = monthly("2025-01-01", "2025-02-01");
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", None, 2.0);
    add(&c, &mut s, "2025-01-05", Some("2025-01-20"), 10.0);
    let r = c.result(Kind::Retention, &s);
    assert_eq!((r.value, &r.basis, &r.ci), (Some(-400.0), &None, &None));
    let r = c.result(Kind::Churn, &s);
    assert_eq!((r.value, &r.basis, &r.ci), (Some(500.0), &None, &None));
    // The table leaves those bounds empty too.
    let row = &r.tables[0].rows[0];
    assert_eq!(
        &row[8..10],
        &[serde_json::Value::Null, serde_json::Value::Null]
    );
    assert_eq!(
        &row[11..13],
        &[serde_json::Value::Null, serde_json::Value::Null]
    );
    // L = S is still a share: the 2 at start leave: L = 2 of 2 (100 % churn), E − N = 0 of 2.
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", Some("2025-01-10"), 2.0);
    assert_eq!(proportion(&c.result(Kind::Churn, &s)), (2.0, 2.0));
    assert_eq!(proportion(&c.result(Kind::Retention, &s)), (0.0, 2.0));
    // No customers at start (S = 0): no value, no basis.
    let mut s = RetentionState::default();
    add(&c, &mut s, "2025-01-10", None, 3.0);
    let r = c.result(Kind::Retention, &s);
    assert_eq!((r.value, &r.basis, &r.ci), (None, &None, &None));
    let r = c.result(Kind::Churn, &RetentionState::default());
    assert_eq!((r.value, &r.basis, &r.ci), (None, &None, &None));
}
