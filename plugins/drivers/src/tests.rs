//! Tests of `drivers` through its ABI functions (`cxm_sdk::testing`) and its plain
//! methods: row statuses, params errors, exact merging, and a bootstrap that does not
//! depend on how rows are split.

use super::*;
use cxm_sdk::testing::{Column, Harness};

fn inputs(with_id: bool) -> Vec<(&'static str, Column)> {
    let mut v = vec![("outcome", Column::Number(vec![]))];
    if with_id {
        v.push(("id", Column::text(&[])));
    }
    v.extend([
        ("price", Column::Number(vec![])),
        ("speed", Column::Number(vec![])),
    ]);
    v
}

/// A small survey: (id, outcome, price, speed).
fn data() -> Vec<(String, f64, Option<f64>, Option<f64>)> {
    (0..60)
        .map(|i| {
            let price = f64::from((i * 7) % 5 + 1);
            let speed = f64::from((i * 3 + i / 4) % 5 + 1);
            let noise = f64::from((i * 11) % 3) - 1.0;
            let y = (0.8 * speed + 0.4 * price + noise).round().clamp(0.0, 10.0);
            let price = if i % 13 == 5 { None } else { Some(price) };
            (format!("r{i}"), y, price, Some(speed))
        })
        .collect()
}

fn batch(rows: &[(String, f64, Option<f64>, Option<f64>)], with_id: bool) -> Vec<Column> {
    let mut cols = vec![Column::Number(rows.iter().map(|r| Some(r.1)).collect())];
    if with_id {
        let ids: Vec<Option<&str>> = rows.iter().map(|r| Some(r.0.as_str())).collect();
        cols.push(Column::text(&ids));
    }
    cols.push(Column::Number(rows.iter().map(|r| r.2).collect()));
    cols.push(Column::Number(rows.iter().map(|r| r.3).collect()));
    cols
}

#[test]
fn rows_are_used_or_rejected_with_reasons() {
    let mut h = Harness::<Drivers>::bind("{}", &inputs(false)).unwrap();
    let cols = vec![
        Column::Number(vec![Some(9.0), None, Some(7.0), Some(f64::NAN), Some(5.0)]),
        Column::Number(vec![Some(4.0), Some(3.0), None, Some(3.0), Some(2.0)]),
        Column::Number(vec![Some(5.0), Some(3.0), Some(4.0), Some(3.0), Some(1.0)]),
    ];
    let status = h.update(&cols, None, None).unwrap();
    assert_eq!(
        status,
        ["used", "empty", "missing_rating", "not_a_number", "used"]
    );
    let mut h = Harness::<Drivers>::bind(r#"{"missing": "pairwise"}"#, &inputs(false)).unwrap();
    let cols = vec![
        Column::Number(vec![Some(9.0), Some(7.0), Some(6.0)]),
        Column::Number(vec![Some(4.0), None, None]),
        Column::Number(vec![Some(5.0), Some(4.0), None]),
    ];
    assert_eq!(
        h.update(&cols, None, None).unwrap(),
        ["used", "used", "missing_rating"]
    );
}

#[test]
fn bad_params_are_refused_with_a_reason() {
    let err = |params: &str, with_id: bool| {
        Harness::<Drivers>::bind(params, &inputs(with_id))
            .err()
            .unwrap()
    };
    assert!(err(r#"{"replicates": 0}"#, true).contains("replicates must be between 2 and 100000"));
    assert!(err(r#"{"replicates": 200}"#, false).contains("replicates needs the `id` input"));
    assert!(err(r#"{"missing": "mean"}"#, false).contains("unknown variant `mean`"));
    assert!(err(r#"{"confidence": 1.5}"#, false).contains("confidence"));
    assert!(err(r#"{"bootstrap": 5}"#, false).contains("unknown field `bootstrap`"));
    // The largest B is accepted when it fits.
    assert!(Harness::<Drivers>::bind(r#"{"replicates": 100000}"#, &inputs(true)).is_ok());
}

#[test]
fn memory_limit_names_the_size() {
    let many: Vec<String> = (0..60).map(|i| format!("a{i:02}")).collect();
    let params = DriversParams {
        missing: Missing::Pairwise,
        replicates: Some(10_000),
        ..Default::default()
    };
    let err = Drivers::new(params, &many, true).unwrap_err();
    assert!(
        err.contains("MiB per group") && err.contains("at most"),
        "{err}"
    );
    assert!(Drivers::new(DriversParams::default(), &[], false).is_err());
}

#[test]
fn merging_split_states_equals_all_rows_exactly() {
    for params in [
        r#"{}"#,
        r#"{"missing": "pairwise"}"#,
        r#"{"replicates": 50, "seed": 3}"#,
    ] {
        let with_id = params.contains("replicates");
        let rows = data();
        let mut all = Harness::<Drivers>::bind(params, &inputs(with_id)).unwrap();
        all.update(&batch(&rows, with_id), None, None).unwrap();
        let whole = all.finish(0).unwrap();
        for cut in [1, 17, 59] {
            let mut a = Harness::<Drivers>::bind(params, &inputs(with_id)).unwrap();
            let mut b = Harness::<Drivers>::bind(params, &inputs(with_id)).unwrap();
            a.update(&batch(&rows[..cut], with_id), None, None).unwrap();
            b.update(&batch(&rows[cut..], with_id), None, None).unwrap();
            // Merge the later part first: the order does not matter either.
            b.merge(&a, &[0]).unwrap();
            assert_eq!(b.finish(0).unwrap(), whole, "{params} cut at {cut}");
        }
    }
}

#[test]
fn row_weights_are_multiplicities() {
    let rows = data();
    let mut weighted = Harness::<Drivers>::bind("{}", &inputs(false)).unwrap();
    let weights: Vec<f64> = (0..rows.len()).map(|i| (i % 3 + 1) as f64).collect();
    weighted
        .update(&batch(&rows, false), Some(&weights), None)
        .unwrap();
    let mut expanded = Harness::<Drivers>::bind("{}", &inputs(false)).unwrap();
    let mut copies = Vec::new();
    for (row, w) in rows.iter().zip(&weights) {
        for _ in 0..*w as usize {
            copies.push(row.clone());
        }
    }
    expanded.update(&batch(&copies, false), None, None).unwrap();
    assert_eq!(weighted.finish(0).unwrap(), expanded.finish(0).unwrap());
}

#[test]
fn bootstrap_reports_intervals_and_quadrant_stability() {
    let rows = data();
    let mut h =
        Harness::<Drivers>::bind(r#"{"replicates": 400, "seed": 9}"#, &inputs(true)).unwrap();
    h.update(&batch(&rows, true), None, None).unwrap();
    let r = h.finish(0).unwrap();
    let r2 = r.value.unwrap();
    let ci = r.ci.clone().unwrap();
    assert!(ci.low < r2 && r2 < ci.high, "{ci:?} around {r2}");
    assert_eq!(ci.method, "poisson_bootstrap_percentile");
    assert_eq!(r.details["replicates"], 400);
    assert_eq!(r.details["replicates_used"], 400);
    let t = &r.tables[0];
    let col = |name: &str| t.columns.iter().position(|c| c == name).unwrap();
    for row in &t.rows {
        let (w, low, high) = (
            row[col("importance")].as_f64().unwrap(),
            row[col("importance_low")].as_f64().unwrap(),
            row[col("importance_high")].as_f64().unwrap(),
        );
        assert!(low <= w && w <= high, "{row:?}");
        let s = row[col("quadrant_stability")].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
    // Another seed gives other replicates, the same seed the same ones.
    let again = |seed: u64| {
        let mut h = Harness::<Drivers>::bind(
            &format!(r#"{{"replicates": 400, "seed": {seed}}}"#),
            &inputs(true),
        )
        .unwrap();
        h.update(&batch(&rows, true), None, None).unwrap();
        h.finish(0).unwrap()
    };
    assert_eq!(again(9), r);
    assert_ne!(again(10).ci, r.ci);
}

#[test]
fn bootstrap_needs_an_id_on_every_row() {
    let mut h = Harness::<Drivers>::bind(r#"{"replicates": 10}"#, &inputs(true)).unwrap();
    let cols = vec![
        Column::Number(vec![Some(9.0), Some(7.0)]),
        Column::text(&[Some("a"), None]),
        Column::Number(vec![Some(4.0), Some(3.0)]),
        Column::Number(vec![Some(5.0), Some(4.0)]),
    ];
    assert_eq!(h.update(&cols, None, None).unwrap(), ["used", "empty"]);
}

#[test]
fn empty_constant_and_collinear_groups_have_no_value() {
    let h = Harness::<Drivers>::bind("{}", &inputs(false)).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    // speed is constant: no correlation, no weights; the table still lists the attributes.
    let mut h = Harness::<Drivers>::bind("{}", &inputs(false)).unwrap();
    let cols = vec![
        Column::Number(vec![Some(9.0), Some(7.0), Some(3.0)]),
        Column::Number(vec![Some(4.0), Some(3.0), Some(1.0)]),
        Column::Number(vec![Some(5.0), Some(5.0), Some(5.0)]),
    ];
    h.update(&cols, None, None).unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, None);
    assert!(
        r.warnings.contains(&"no_variance".to_string())
            && r.warnings.contains(&"low_sample".to_string())
    );
    assert_eq!(r.tables[0].rows.len(), 2);
    // speed = 2 · price: collinear.
    let mut h = Harness::<Drivers>::bind("{}", &inputs(false)).unwrap();
    let cols = vec![
        Column::Number(vec![Some(9.0), Some(7.0), Some(3.0), Some(5.0)]),
        Column::Number(vec![Some(4.0), Some(3.0), Some(1.0), Some(2.0)]),
        Column::Number(vec![Some(8.0), Some(6.0), Some(2.0), Some(4.0)]),
    ];
    h.update(&cols, None, None).unwrap();
    assert!(h
        .finish(0)
        .unwrap()
        .warnings
        .contains(&"collinear_attributes".to_string()));
}
