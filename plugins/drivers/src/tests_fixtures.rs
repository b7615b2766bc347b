//! The plugin's figures against `fixtures/expected.json`, computed independently by
//! `fixtures/make_fixtures.py` (numpy's eigh, Johnson's SVD construction, weighted least
//! squares and the `dominance-analysis` package) on `fixtures/drivers.csv`.

use super::*;
use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The CSV's rows: id, ltr, the five ratings (None when blank), weight.
fn rows() -> Vec<(String, f64, Vec<Option<f64>>, f64)> {
    let text = fixture("drivers.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,ltr,app,delivery,price,speed,staff,weight")
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let ratings = cells[2..7]
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.parse::<f64>().unwrap()))
                .collect();
            (
                cells[0].to_string(),
                cells[1].parse().unwrap(),
                ratings,
                cells[7].parse().unwrap(),
            )
        })
        .collect()
}

fn close(actual: &Value, expected: &Value, what: &str) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    assert!((a - e).abs() <= 1e-9, "{what}: expected {e}, got {a}");
}

fn check(case: &str, missing: Missing, detractor: bool, weighted: bool) {
    let expected: Value = serde_json::from_str(&fixture("expected.json")).unwrap();
    let e = &expected["cases"][case];
    let names: Vec<String> = e["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let params = DriversParams {
        missing,
        ..Default::default()
    };
    let d = Drivers::new(params, &names, false).unwrap();
    let mut state = DriversState::default();
    for (_, ltr, ratings, weight) in rows() {
        let y = if detractor {
            f64::from(u8::from(ltr <= 6.0))
        } else {
            ltr
        };
        let mut x = vec![Some(y)];
        x.extend(ratings);
        let _ = d.tally(&mut state, &x, None, if weighted { weight } else { 1.0 });
    }
    let r = d.result(&state);
    close(&json!(r.value.unwrap()), &e["r2"], "R²");
    close(&json!(r.n), &e["n"], "n");
    close(
        &r.details["importance_line"].to_value(),
        &e["importance_line"],
        "importance line",
    );
    close(
        &r.details["performance_line"].to_value(),
        &e["performance_line"],
        "performance line",
    );
    let table = &r.tables[0];
    let col = |name: &str| table.columns.iter().position(|c| c == name).unwrap();
    assert_eq!(table.rows.len(), names.len());
    for (j, name) in names.iter().enumerate() {
        let row = table.rows.iter().find(|row| row[0] == json!(name)).unwrap();
        let at = |key: &str| &e[key][j];
        close(
            &row[col("importance")],
            at("raw"),
            &format!("{case} {name} raw"),
        );
        close(
            &row[col("importance_pct")],
            at("pct"),
            &format!("{case} {name} %"),
        );
        close(
            &row[col("correlation")],
            at("correlation"),
            &format!("{case} {name} r"),
        );
        close(
            &row[col("mean")],
            at("mean"),
            &format!("{case} {name} mean"),
        );
        close(&row[col("n")], at("n_attr"), &format!("{case} {name} n"));
        assert_eq!(row[col("quadrant")], *at("quadrant"), "{case} {name}");
    }
    // Ranks follow the importances.
    let ranks: Vec<u64> = table.rows.iter().map(|r| r[1].as_u64().unwrap()).collect();
    assert_eq!(ranks, (1..=names.len() as u64).collect::<Vec<_>>());
}

#[test]
fn weighted_listwise_matches_the_independent_implementation() {
    check("weighted_listwise", Missing::Listwise, false, true);
}

#[test]
fn weighted_pairwise_matches_the_independent_implementation() {
    check("weighted_pairwise", Missing::Pairwise, false, true);
}

#[test]
fn a_zero_one_outcome_matches_the_independent_implementation() {
    check(
        "detractor_unweighted_listwise",
        Missing::Listwise,
        true,
        false,
    );
}

#[test]
fn dominance_analysis_agrees_on_r2() {
    let expected: Value = serde_json::from_str(&fixture("expected.json")).unwrap();
    for case in ["weighted_listwise", "detractor_unweighted_listwise"] {
        let e = &expected["cases"][case];
        close(&e["dominance_analysis"]["r2"], &e["r2"], case);
    }
}
