//! Unit tests of `retention` and `churn` through the plain methods `bind`, `update` and
//! `finish` call: the spec examples, period boundaries, grains and labels, weights, empty
//! input, and param validation. Expected values are derived by hand in the comments.

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
    assert_eq!(r.ci, None);
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
    assert_eq!(
        t.rows,
        vec![
            vec![
                json!("2025-01"),
                json!("2025-01-01"),
                json!("2025-02-01"),
                json!(200.0),
                json!(20.0),
                json!(200.0),
                json!(20.0),
                json!(90.0),
                json!(10.0)
            ],
            vec![
                json!("2025-02"),
                json!("2025-02-01"),
                json!("2025-03-01"),
                json!(200.0),
                json!(50.0),
                json!(250.0),
                json!(0.0),
                json!(100.0),
                json!(0.0)
            ],
            vec![
                json!("2025-03"),
                json!("2025-03-01"),
                json!("2025-04-01"),
                json!(250.0),
                json!(0.0),
                json!(230.0),
                json!(20.0),
                json!(92.0),
                json!(8.0)
            ],
        ]
    );
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
    assert_eq!((r.value, &r.basis), (Some(-400.0), &None));
    let r = c.result(Kind::Churn, &s);
    assert_eq!((r.value, &r.basis), (Some(500.0), &None));
    // L = S is still a share: the 2 at start leave: L = 2 of 2 (100 % churn), E − N = 0 of 2.
    let mut s = RetentionState::default();
    add(&c, &mut s, "2024-06-01", Some("2025-01-10"), 2.0);
    assert_eq!(proportion(&c.result(Kind::Churn, &s)), (2.0, 2.0));
    assert_eq!(proportion(&c.result(Kind::Retention, &s)), (0.0, 2.0));
    // No customers at start (S = 0): no value, no basis.
    let mut s = RetentionState::default();
    add(&c, &mut s, "2025-01-10", None, 3.0);
    let r = c.result(Kind::Retention, &s);
    assert_eq!((r.value, &r.basis), (None, &None));
    let r = c.result(Kind::Churn, &RetentionState::default());
    assert_eq!((r.value, &r.basis), (None, &None));
}
