//! `cxm diff`: the demo client run twice, the second time on a copy of its data with late
//! rows for January 2025 (restating 2025-Q1) and rows for a new quarter (2025-Q3).

mod common;
#[path = "support/demo_months.rs"]
mod demo_months;
use common::*;
use demo_months::{baseline_and_config, LATE_ROWS};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs the demo into `old`, and a copy of it on the extended data into `new`.
fn two_runs(s: &Scratch) -> (PathBuf, PathBuf) {
    let (old, config) = baseline_and_config(s);
    let new = s.path("new");
    let o = run(&[
        "run",
        config.to_str().unwrap(),
        "--out",
        new.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (old, new)
}

fn diff(args: &[&Path], extra: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = vec!["diff"];
    all.extend(args.iter().map(|p| p.to_str().unwrap()));
    all.extend(extra);
    run(&all)
}

/// (metric, segment without period, period) of each figure of a JSON list.
fn keys(list: &Value) -> Vec<(String, String, String)> {
    let mut keys: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let segment = f["group"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| *k != "period")
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(";");
            (
                f["metric"].as_str().unwrap().to_string(),
                segment,
                f["period"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn expected(metrics: &[&str], segment: &str, period: &str) -> Vec<(String, String, String)> {
    let mut v = Vec::new();
    for m in metrics {
        v.push((m.to_string(), String::new(), period.to_string()));
        v.push((m.to_string(), segment.to_string(), period.to_string()));
    }
    v.sort();
    v
}

#[test]
fn late_rows_restate_the_closed_quarter_and_a_new_quarter_is_new() {
    let s = Scratch::new();
    let (old, new) = two_runs(&s);

    let o = diff(&[&old, &new], &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(d["schema"], "cxm.diff/1");
    for key in [
        "old",
        "new",
        "alpha",
        "adjustment",
        "summary",
        "restated",
        "changed",
        "unchanged",
        "only_old",
        "only_new",
        "drift",
    ] {
        assert!(d.get(key).is_some(), "no {key} in {d}");
    }

    // Restated history: exactly 2025-Q1 overall and East, for the three unfiltered metrics
    // (the late rows are web answers, outside nps_in_store's filter).
    assert_eq!(
        keys(&d["restated"]),
        expected(&["ces", "csat", "nps"], "region=East", "2025-Q1")
    );
    let old_report: Value =
        serde_json::from_slice(&std::fs::read(old.join("results.json")).unwrap()).unwrap();
    for f in d["restated"].as_array().unwrap() {
        assert_eq!(f["status"], "restated");
        assert_eq!(f["delta_n"].as_f64().unwrap(), LATE_ROWS as f64, "{f}");
        assert!(f["p_value"].as_f64().is_some(), "{f}");
        assert!(!f["unit"].as_str().unwrap().is_empty());
        if f["metric"] == "nps" {
            // The late rows are all promoters: P + 40 and n + 40 on the old counts.
            let basis = &result(&old_report, "nps", f["group"].clone())["basis"];
            let (p, dd, n) = (
                basis["promoters"].as_f64().unwrap(),
                basis["detractors"].as_f64().unwrap(),
                basis["n"].as_f64().unwrap(),
            );
            let late = LATE_ROWS as f64;
            let new_value = 100.0 * (p + late - dd) / (n + late);
            assert!(
                (f["new"]["value"].as_f64().unwrap() - new_value).abs() < 1e-9,
                "{f}"
            );
            assert!(
                (f["delta"].as_f64().unwrap() - (new_value - 100.0 * (p - dd) / n)).abs() < 1e-9
            );
            assert_eq!(f["test"], "nps_difference_z");
        }
    }
    // Other regions' Q1 and all of Q2 did not move.
    let unchanged = keys(&d["unchanged"]);
    assert!(unchanged.contains(&("nps".into(), "region=West".into(), "2025-Q1".into())));
    assert!(unchanged.contains(&("csat".into(), String::new(), "2025-Q2".into())));

    // New figures: 2025-Q3 overall and North.
    let only_new: Vec<_> = keys(&d["only_new"])
        .into_iter()
        .filter(|(m, _, _)| m != "nps_in_store")
        .collect();
    assert_eq!(
        only_new,
        expected(&["ces", "csat", "nps"], "region=North", "2025-Q3")
    );
    assert_eq!(d["only_old"], serde_json::json!([]));

    // Drift: the data changed, and the config (both files are still there) by these keys.
    let drift = &d["drift"];
    assert_eq!(drift["datasets"][0]["name"], "survey");
    assert_eq!(drift["config"]["changed"], true);
    let changed_keys: Vec<&str> = drift["config"]["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("{drift}"))
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert!(
        changed_keys.contains(&"datasets.survey.path"),
        "{changed_keys:?}"
    );
    assert_eq!(drift["cxm_version"], Value::Null);
    assert_eq!(drift["plugins"], serde_json::json!([]));

    // The table puts restated history first.
    let o = diff(&[&old, &new], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("RESTATED HISTORY: 6 figure(s)"), "{table}");
    assert!(table.find("RESTATED").unwrap() < table.find("Only in the new run").unwrap());

    // CSV: one row per figure of either run.
    let o = diff(&[&old, &new], &["--format", "csv"]);
    let csv = stdout(&o);
    let summary = &d["summary"];
    let figures = ["compared", "only_old", "only_new"]
        .iter()
        .map(|k| summary[*k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(csv.lines().count() as u64, figures + 1, "{csv}");
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("restated,")).count(),
        6
    );

    // Scripted checks.
    let o = diff(&[&old, &new], &["--fail-on", "restated"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("6 figure(s) restated"),
        "{}",
        stderr(&o)
    );
    let o = diff(&[&old, &old], &["--fail-on", "changed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Drift: none"), "{}", stdout(&o));
}

#[test]
fn a_folder_that_is_not_an_out_folder_is_named() {
    let s = Scratch::new();
    let empty = s.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = diff(&[&empty, &empty], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("is not a cxm --out folder"), "{err}");
    assert!(
        err.contains(&empty.join("results.json").display().to_string()),
        "{err}"
    );

    let o = diff(&[&s.path("missing"), &empty], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("missing: no such folder"),
        "{}",
        stderr(&o)
    );

    std::fs::write(empty.join("results.json"), "{}").unwrap();
    std::fs::write(empty.join("manifest.json"), "{}").unwrap();
    let o = diff(&[&empty, &empty], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("results.json"), "{}", stderr(&o));
}
