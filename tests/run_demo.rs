//! End-to-end runs of the shipped demo client: results, row accounting, grouping,
//! rejected rows and the manifest, checked against a plain row-by-row computation.

mod common;
use common::*;
use serde_json::{json, Value};

const DEMO: &str = "config/clients/demo.toml";

fn demo_json() -> Value {
    let o = run(&["run", DEMO, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

/// Reads the demo CSV row by row, as a person would by hand: rows with all 8 fields and a
/// readable timestamp, NPS answers that are integers 0-10.
fn expected_nps_counts() -> (u64, u64, u64) {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(repo().join("data/demo/survey.csv"))
        .unwrap();
    let (mut p, mut d, mut n) = (0, 0, 0);
    for record in reader.records() {
        let r = record.unwrap();
        if r.len() != 8 || r[1].starts_with("2025-13") {
            continue;
        }
        let Ok(score) = r[4].trim().parse::<i64>() else {
            continue;
        };
        if !(0..=10).contains(&score) {
            continue;
        }
        n += 1;
        if score >= 9 {
            p += 1;
        } else if score <= 6 {
            d += 1;
        }
    }
    (p, d, n)
}

#[test]
fn demo_overall_nps_matches_a_row_by_row_count() {
    let report = demo_json();
    let (p, d, n) = expected_nps_counts();
    let overall = result(&report, "nps", json!({}));
    assert_eq!(overall["n"], json!(n));
    let expected = 100.0 * (p as f64 - d as f64) / n as f64;
    assert!(
        (overall["value"].as_f64().unwrap() - expected).abs() < 1e-9,
        "{overall}"
    );
    assert_eq!(overall["details"]["promoters"].as_f64().unwrap(), p as f64);
    assert_eq!(overall["details"]["detractors"].as_f64().unwrap(), d as f64);
    let ci = &overall["ci"];
    assert_eq!(ci["level"], 0.95);
    assert!(ci["low"].as_f64().unwrap() < expected && expected < ci["high"].as_f64().unwrap());
}

#[test]
fn demo_report_has_schema_datasets_and_row_accounting() {
    let report = demo_json();
    assert_eq!(report["schema"], "cxm.report/1");
    assert_eq!(report["client"], "Demo Retail");
    let ds = &report["datasets"][0];
    assert_eq!(ds["name"], "survey");
    assert_eq!(ds["rows_read"], 3000);
    assert_eq!(ds["rows_accepted"], 2999);
    assert_eq!(ds["rows_rejected"], 1);
    assert_eq!(ds["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(ds["invalid_values"], json!({"nps": 1, "submitted_at": 1}));
    for m in report["metrics"].as_array().unwrap() {
        let rejected: u64 = m["rows_rejected"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            m["rows_used"].as_u64().unwrap() + rejected + m["rows_filtered"].as_u64().unwrap(),
            2999,
            "every accepted row counted once: {m}"
        );
        assert!(m["error"].is_null());
    }
    let nps = &report["metrics"][0];
    assert_eq!(nps["metric"], "nps");
    assert_eq!(
        nps["rows_rejected"],
        json!({"empty": 1, "invalid_datetime": 1, "not_a_number": 1, "out_of_scale": 1})
    );
    let csat = &report["metrics"][1];
    assert_eq!(csat["rows_rejected"]["out_of_scale"], 1);
}

#[test]
fn demo_groups_roll_up_to_the_overall_counts() {
    let report = demo_json();
    let results = report["results"].as_array().unwrap();
    let nps: Vec<&Value> = results.iter().filter(|r| r["metric"] == "nps").collect();
    let overall_n = result(&report, "nps", json!({}))["n"].as_f64().unwrap();
    let fine: Vec<&&Value> = nps
        .iter()
        .filter(|r| r["group"].as_object().unwrap().len() == 2)
        .collect();
    assert_eq!(fine.len(), 8, "4 regions x 2 quarters");
    let sum: f64 = fine.iter().map(|r| r["n"].as_f64().unwrap()).sum();
    assert_eq!(sum, overall_n);
    // A region total is recomputed from merged counts, not averaged across quarters.
    let north = result(&report, "nps", json!({"region": "North"}));
    let q: Vec<&&Value> = fine
        .iter()
        .copied()
        .filter(|r| r["group"]["region"] == "North")
        .collect();
    let (p, d, n) = q.iter().fold((0.0, 0.0, 0.0), |acc, r| {
        (
            acc.0 + r["details"]["promoters"].as_f64().unwrap(),
            acc.1 + r["details"]["detractors"].as_f64().unwrap(),
            acc.2 + r["n"].as_f64().unwrap(),
        )
    });
    assert!((north["value"].as_f64().unwrap() - 100.0 * (p - d) / n).abs() < 1e-9);
    assert!(result(&report, "csat", json!({"period": "2025-Q2"}))["value"].is_number());
    assert!(result(
        &report,
        "ces",
        json!({"region": "West", "period": "2025-Q1"})
    )["value"]
        .is_number());
}

#[test]
fn demo_out_dir_has_results_rejections_and_manifest() {
    let s = Scratch::new();
    let out = s.path("out/demo");
    let o = run(&["run", DEMO, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "results.json",
        "results.csv",
        "rejected.csv",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(rejected.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["dataset", "line", "scope", "field", "value", "reason", "detail"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let find = |reason: &str, value: &str| {
        rows.iter()
            .find(|r| r[5] == reason && r[4] == value)
            .unwrap_or_else(|| panic!("no {reason} row for {value:?} in {rejected}"))
    };
    // Data row 18 of the generator is line 19 (the header is line 1).
    assert_eq!(
        find("not_a_number", "ten")[..4],
        ["survey", "19", "nps;nps_in_store", "nps"]
    );
    assert_eq!(
        find("out_of_scale", "11")[..4],
        ["survey", "44", "nps", "nps"]
    );
    assert_eq!(
        find("out_of_scale", "0")[..4],
        ["survey", "232", "csat", "csat"]
    );
    assert_eq!(
        find("invalid_datetime", "2025-13-45 10:00:00")[..4],
        ["survey", "514", "nps;csat;ces;nps_in_store", "submitted_at"]
    );
    let broken = rows
        .iter()
        .find(|r| r[5] == "wrong_field_count")
        .expect("structural rejection");
    assert_eq!(broken[1..3], ["779".to_string(), "row".to_string()]);

    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["host_abi"], "1.1");
    assert_eq!(manifest["config"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        manifest["plugins"].as_array().unwrap().len(),
        4,
        "nps, csat, ces, nps_in_store"
    );
    assert_eq!(manifest["plugins"][0]["abi"], "1.1");
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["datasets"][0]["rows_read"], 3000);
}

#[test]
fn demo_table_and_csv_formats() {
    let o = run(&["run", DEMO]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("Demo Retail"), "{table}");
    assert!(table.contains("3,000 rows read"), "{table}");
    assert!(table.contains("NPS points"), "units stated: {table}");
    assert!(!table.contains('\u{1b}'), "no colour when not a terminal");

    let o = run(&["run", DEMO, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv_text = stdout(&o);
    assert!(
        csv_text.starts_with(
            "metric,plugin,region,period,value,unit,n,ci_low,ci_high,ci_level,ci_method,warnings,\
             previous_period,delta,p_value,p_adjusted,significant,mdc,benchmark,benchmark_value,benchmark_delta,\
             benchmark_p_value,benchmark_significant,details.promoters,"
        ),
        "{csv_text}"
    );
}

#[test]
fn demo_trends_compare_quarters_with_holm_adjustment() {
    let report = demo_json();
    assert_eq!(report["analysis"]["adjustment"], "holm");
    let q2 = result(
        &report,
        "nps",
        json!({"region": "North", "period": "2025-Q2"}),
    );
    let trend = &q2["trend"];
    assert_eq!(trend["previous_period"], "2025-Q1");
    assert_eq!(trend["test"], "nps_difference_z");
    let (p, q) = (
        trend["p_value"].as_f64().unwrap(),
        trend["p_adjusted"].as_f64().unwrap(),
    );
    assert!(q >= p, "Holm never lowers a p-value: {trend}");
    let q1 = result(
        &report,
        "nps",
        json!({"region": "North", "period": "2025-Q1"}),
    );
    let delta = q2["value"].as_f64().unwrap() - q1["value"].as_f64().unwrap();
    assert!((trend["delta"].as_f64().unwrap() - delta).abs() < 1e-9);
    assert_eq!(q2["benchmark"]["id"], "retail-nps");
    assert_eq!(q2["band"], q2["details"]["band"]);
}
