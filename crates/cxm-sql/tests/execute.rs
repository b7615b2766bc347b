//! Runs generated queries for real on SQLite (Python's `sqlite3`) and DuckDB (the `duckdb`
//! Python package) over a small all-text table (`tests/exec/run.py`) and checks histogram
//! weights, period labels and uncastable counts computed by hand. Skips, saying so, when
//! Python or the `duckdb` package is missing. The Python used for DuckDB is
//! `CXM_DUCKDB_PYTHON`, else `bench/.venv/bin/python` when it exists, else `python3`.

mod cases;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cxm_period::Grain;
use cxm_sql::{
    group_count_query, histogram_query, quantize, Condition, Engine, Input, Shape, ValueType,
};
use serde_json::{json, Value};

fn python_for(engine: Engine) -> PathBuf {
    if engine == Engine::DuckDb {
        if let Some(p) = std::env::var_os("CXM_DUCKDB_PYTHON") {
            return p.into();
        }
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/.venv/bin/python");
        if venv.exists() {
            return venv;
        }
    }
    "python3".into()
}

/// The rows, or `None` (with a message) when the engine is not available.
fn run(engine: Engine, sql: &str) -> Option<Vec<Value>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exec/run.py");
    let module = if engine == Engine::DuckDb {
        "duckdb"
    } else {
        "sqlite3"
    };
    let python = python_for(engine);
    let probe = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        eprintln!(
            "SKIPPED: {} cannot import {module}; {} queries not executed",
            python.display(),
            engine.key()
        );
        return None;
    }
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(engine.key())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("write sql");
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "{}:\n{sql}\n{}",
        engine.key(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("json"))
}

/// Rows in a canonical order (by their JSON with sorted keys).
fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    let key = |r: &Value| {
        let map: std::collections::BTreeMap<String, Value> = r
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        serde_json::to_string(&map).unwrap_or_default()
    };
    rows.sort_by_key(key);
    rows
}

#[test]
fn scores_by_region_and_quarter() {
    let mut s = Shape::table("t");
    s.group_keys.push("region".into());
    s.period = Some(cases::period(
        "submitted",
        ValueType::Datetime,
        Grain::Quarter,
        "UTC",
        1,
    ));
    s.inputs
        .push(Input::new("score", "score", ValueType::Integer));
    let row = |region: &str, p: Value, score: Value, unc: i64, unc_p: i64, w: i64| {
        json!({"region": region, "cxm_period": p, "score": score, "cxm_uncastable_score": unc,
               "cxm_uncastable_period": unc_p, "cxm_weight": w})
    };
    let expected = sorted(vec![
        row("North", json!("2025-Q1"), json!(10), 0, 0, 1),
        // 23:30+02:00 is 21:30Z: still Q1.
        row("North", json!("2025-Q1"), json!(9), 0, 0, 1),
        row("North", json!("2025-Q1"), json!(7), 0, 0, 1),
        // 30 February: present, not a date.
        row("North", Value::Null, json!(10), 0, 1, 1),
        // "x" and "not a date" (uncastable) with an absent row (empty score, NULL date).
        row("South", Value::Null, Value::Null, 1, 1, 2),
        // 23:59:59.123456-05:00 on 31 December is 2026 in UTC.
        row("South", json!("2026-Q1"), json!(8), 0, 0, 1),
        // 20 digits: not a 64-bit integer.
        row("South", json!("2025-Q2"), Value::Null, 1, 0, 1),
    ]);
    for engine in [Engine::Sqlite, Engine::DuckDb] {
        let d = engine.dialect();
        let Some(rows) = run(engine, &histogram_query(d, &s).expect("sql")) else {
            continue;
        };
        assert_eq!(sorted(rows.clone()), expected, "{}", engine.key());
        let total: i64 = rows
            .iter()
            .map(|r| r["cxm_weight"].as_i64().expect("weight"))
            .sum();
        assert_eq!(total, 8, "rows read = sum of weights");
        let Some(groups) = run(engine, &group_count_query(d, &s).expect("sql")) else {
            continue;
        };
        assert_eq!(groups, vec![json!({"cxm_groups": 7})], "{}", engine.key());
    }
}

#[test]
fn fiscal_quarters_with_weights_and_booleans() {
    let mut s = Shape::table("t");
    s.period = Some(cases::period(
        "submitted",
        ValueType::Datetime,
        Grain::Quarter,
        "+02:00",
        4,
    ));
    s.inputs
        .push(Input::new("flag", "flag", ValueType::Boolean));
    s.weight = Some("w".into());
    let row = |p: Value, flag: Value, unc: f64, unc_p: f64, w: f64, rows: i64, bad: i64| {
        json!({"cxm_period": p, "flag": flag, "cxm_uncastable_flag": unc, "cxm_uncastable_period": unc_p,
               "cxm_weight": w, "cxm_rows": rows, "cxm_invalid_weight": bad})
    };
    let expected = sorted(vec![
        // 22:30Z is 00:30 on 1 April at +02:00: FY2026-Q1; with 15 June (weight 0).
        row(json!("FY2026-Q1"), json!(true), 0.0, 0.0, 2.0, 2, 0),
        row(json!("FY2025-Q4"), json!(false), 0.0, 0.0, 1.0, 1, 0),
        row(json!("FY2025-Q4"), Value::Null, 1.5, 0.0, 1.5, 1, 0),
        // "not a date", empty flag, weight "x": counted as an invalid weight.
        row(Value::Null, Value::Null, 0.0, 0.0, 0.0, 1, 1),
        // NULL date with weight -1 (invalid), 30 February with weight 3.
        row(Value::Null, json!(true), 0.0, 3.0, 3.0, 2, 1),
        row(json!("FY2026-Q4"), json!(false), 0.0, 0.0, 0.0, 1, 1),
    ]);
    for engine in [Engine::Sqlite, Engine::DuckDb] {
        let Some(rows) = run(engine, &histogram_query(engine.dialect(), &s).expect("sql")) else {
            continue;
        };
        // SQLite returns booleans as 1/0: normalise.
        let rows: Vec<Value> = rows
            .into_iter()
            .map(|mut r| {
                if let Some(b) = r["flag"].as_i64() {
                    r["flag"] = json!(b == 1);
                }
                for k in ["cxm_uncastable_flag", "cxm_uncastable_period", "cxm_weight"] {
                    r[k] = json!(r[k].as_f64().expect("number"));
                }
                r
            })
            .collect();
        assert_eq!(sorted(rows), expected, "{}", engine.key());
    }
}

#[test]
fn quantized_amounts_dates_and_filters() {
    let mut s = Shape::table("t");
    s.inputs.push(
        Input::new("amount", "amount", ValueType::Number)
            .quantized(0.01)
            .expect("alpha"),
    );
    s.inputs.push(Input::new("day", "day", ValueType::Date));
    s.filters.push(cases::filter(
        "channel",
        Condition::In(vec![cases::text("web")]),
    ));
    let q = cxm_sql::quantize::checked(0.01).expect("alpha");
    let rep = |x: f64| quantize::representative(q, x);
    for engine in [Engine::Sqlite, Engine::DuckDb] {
        let Some(rows) = run(engine, &histogram_query(engine.dialect(), &s).expect("sql")) else {
            continue;
        };
        let got: Vec<(Option<f64>, Value, i64, i64, i64)> = rows
            .iter()
            .map(|r| {
                (
                    r["amount"].as_f64(),
                    r["day"].clone(),
                    r["cxm_uncastable_amount"].as_i64().expect("n"),
                    r["cxm_uncastable_day"].as_i64().expect("n"),
                    r["cxm_weight"].as_i64().expect("n"),
                )
            })
            .collect();
        let mut expected = vec![
            (Some(rep(100.0)), json!("2025-03-31"), 0, 0, 1),
            // 100.5 shares 100's bucket; 29 February 2025 does not exist.
            (Some(rep(100.5)), Value::Null, 0, 1, 1),
            (None, Value::Null, 0, 0, 1),
            (Some(rep(-350.0)), json!("2024-12-30"), 0, 0, 1),
            // 1e400 is not a (finite) number.
            (None, json!("2025-02-28"), 1, 0, 1),
            (Some(rep(12.0)), json!("2025-06-15"), 0, 0, 1),
        ];
        assert_eq!(got.len(), expected.len(), "{}: {rows:?}", engine.key());
        for g in &got {
            let i = expected
                .iter()
                .position(|e| {
                    e.1 == g.1
                        && e.2 == g.2
                        && e.3 == g.3
                        && e.4 == g.4
                        && match (e.0, g.0) {
                            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs(),
                            (None, None) => true,
                            _ => false,
                        }
                })
                .unwrap_or_else(|| panic!("{}: unexpected {g:?} in {rows:?}", engine.key()));
            expected.remove(i);
        }
    }
}

#[test]
fn week_and_day_labels_and_named_zones() {
    // ISO weeks of dates taken as is.
    let mut s = Shape::table("t");
    s.period = Some(cases::period("day", ValueType::Date, Grain::Week, "UTC", 1));
    for engine in [Engine::Sqlite, Engine::DuckDb] {
        let Some(rows) = run(engine, &histogram_query(engine.dialect(), &s).expect("sql")) else {
            continue;
        };
        let mut labels: Vec<Value> = rows.iter().map(|r| r["cxm_period"].clone()).collect();
        labels.sort_by_key(|v| v.to_string());
        assert_eq!(
            labels,
            vec![
                json!("2024-W52"),
                json!("2025-W01"),
                json!("2025-W09"),
                json!("2025-W14"),
                json!("2025-W24"),
                Value::Null
            ],
            "{}: {rows:?}",
            engine.key()
        );
    }
    // Berlin days and fiscal quarters (DuckDB only: SQLite has no named zones).
    for (grain, fy, want) in [
        (
            Grain::Day,
            1,
            [
                "2025-01-01",
                "2025-03-31",
                "2025-04-01",
                "2025-06-15",
                "2026-01-01",
            ],
        ),
        (
            Grain::Quarter,
            4,
            [
                "FY2025-Q4",
                "FY2025-Q4",
                "FY2026-Q1",
                "FY2026-Q1",
                "FY2026-Q4",
            ],
        ),
    ] {
        let mut s = Shape::table("t");
        s.period = Some(cases::period(
            "submitted",
            ValueType::Datetime,
            grain,
            "Europe/Berlin",
            fy,
        ));
        s.inputs
            .push(Input::new("score", "score", ValueType::String));
        let Some(rows) = run(
            Engine::DuckDb,
            &histogram_query(Engine::DuckDb.dialect(), &s).expect("sql"),
        ) else {
            continue;
        };
        let mut labels: Vec<String> = rows
            .iter()
            .filter_map(|r| r["cxm_period"].as_str().map(str::to_string))
            .collect();
        labels.sort();
        assert_eq!(labels, want, "{rows:?}");
    }
}
