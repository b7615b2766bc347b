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
