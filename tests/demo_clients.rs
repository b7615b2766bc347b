//! Every shipped client config runs with one command, every metric produces results, and
//! every metric's row accounting adds up to its dataset's accepted rows.

mod common;
use common::*;
use serde_json::{json, Value};

fn run_client(name: &str) -> Value {
    let o = run(&[
        "run",
        &format!("config/clients/{name}.toml"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
    json(&o)
}

fn check_accounting(report: &Value) {
    let accepted = |dataset: &str| -> u64 {
        report["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == dataset)
            .unwrap()["rows_accepted"]
            .as_u64()
            .unwrap()
    };
    for m in report["metrics"].as_array().unwrap() {
        assert!(m["error"].is_null(), "{m}");
        let rejected: u64 = m["rows_rejected"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            m["rows_used"].as_u64().unwrap() + rejected + m["rows_filtered"].as_u64().unwrap(),
            accepted(m["dataset"].as_str().unwrap()),
            "every accepted row is used, rejected or outside the filter: {m}"
        );
        let overall = result(report, m["metric"].as_str().unwrap(), json!({}));
        assert!(overall["value"].is_number(), "{}: {overall}", m["metric"]);
    }
}

#[test]
fn saas_client_runs_every_metric() {
    let report = run_client("saas");
    check_accounting(&report);
    assert_eq!(report["metrics"].as_array().unwrap().len(), 8);
    let health = result(&report, "health", json!({}));
    let customers = &health["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "customers")
        .unwrap()["rows"];
    assert_eq!(
        customers.as_array().unwrap().len() as f64,
        health["n"].as_f64().unwrap()
    );
    assert!(result(&report, "iqs", json!({"agent": "Ana"}))["value"].is_number());
    assert!(result(&report, "churn", json!({"plan": "Enterprise"}))["value"].is_number());
    assert!(result(
        &report,
        "first_response",
        json!({"channel": "email", "period": "2025-Q2"})
    )["value"]
        .is_number());
}

#[test]
fn retail_client_runs_every_metric() {
    let report = run_client("retail");
    check_accounting(&report);
    let csi = result(&report, "csi", json!({}));
    let attributes = &csi["tables"][0];
    assert_eq!(attributes["name"], "attributes");
    assert_eq!(attributes["rows"].as_array().unwrap().len(), 6);
    assert!(result(&report, "cac", json!({"channel": "search"}))["value"].is_number());
}

#[test]
fn demo_client_accounting_adds_up() {
    check_accounting(&run_client("demo"));
}

#[test]
fn out_dir_has_one_csv_per_metric_table() {
    let s = Scratch::new();
    let out = s.path("saas");
    let o = run(&[
        "run",
        "config/clients/saas.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let customers = std::fs::read_to_string(out.join("health.customers.csv")).unwrap();
    assert!(
        customers.starts_with("customer,score,band,"),
        "{}",
        &customers[..80]
    );
    let criteria = std::fs::read_to_string(out.join("iqs.criteria.csv")).unwrap();
    assert!(
        criteria.starts_with("agent,criterion,weight,critical,mean_score,n\n"),
        "{criteria}"
    );
    assert!(
        criteria.contains("\nAna,accuracy,"),
        "per-agent rows: {criteria}"
    );
    assert!(
        criteria.contains("\n(all),accuracy,"),
        "overall rows: {criteria}"
    );
}

#[test]
fn survey_analytics_client_uses_every_survey_analysis() {
    let report = run_client("survey_analytics");
    check_accounting(&report);
    // Raking converged and moved the sample to the population's margins.
    let w = &report["datasets"][0]["weighting"];
    assert_eq!(w["sampling_weight"], "design_weight");
    assert_eq!(w["raking"]["converged"], true);
    assert_eq!(w["raking"]["rows_outside_margins"], 1.0);
    let mut largest_gap: f64 = 0.0;
    for m in w["raking"]["margins"].as_array().unwrap() {
        let (t, s, x) = (
            m["target_pct"].as_f64().unwrap(),
            m["sample_pct"].as_f64().unwrap(),
            m["weighted_pct"].as_f64().unwrap(),
        );
        assert!((x - t).abs() < 1e-3, "{m}");
        largest_gap = largest_gap.max((s - t).abs());
    }
    assert!(
        largest_gap > 5.0,
        "raking moved a margin by {largest_gap} points"
    );
    // Every NPS result carries its design, with an effective n below the answers.
    let nps = result(&report, "nps", json!({}));
    let d = &nps["design"];
    assert!(d["n_effective"].as_f64().unwrap() < d["n_unweighted"].as_f64().unwrap());
    assert!(d["design_effect"].as_f64().unwrap() > 1.0);
    // Segment tests with letters, trends with MDC, shift-share by plan and region.
    let west = result(&report, "nps_region", json!({"region": "West"}));
    assert_eq!(west["segment_test"]["vs_rest"]["direction"], "below");
    assert_eq!(west["segment_test"]["vs_rest"]["significant"], true);
    let june = result(&report, "nps", json!({"period": "2025-06"}));
    assert!(june["trend"]["mdc"].as_f64().unwrap() > 0.0);
    let dims: Vec<&str> = june["trend"]["decomposition"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dimension"].as_str().unwrap())
        .collect();
    assert_eq!(dims, ["plan"]);
    // Key drivers: Support matters most, with bootstrap intervals and quadrant stability.
    let drivers = result(&report, "drivers", json!({}));
    let table = &drivers["tables"][0];
    let col = |name: &str| {
        table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == name)
            .unwrap()
    };
    let top = &table["rows"][0];
    assert_eq!(top[col("attribute")], "support");
    assert!(top[col("importance_low")].is_number());
    assert!(top[col("quadrant_stability")].is_number());
    // The experience index has an interval of its mean.
    let experience = result(&report, "experience", json!({}));
    assert!(experience["ci"]["low"].is_number(), "{experience}");
}
