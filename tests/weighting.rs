//! Survey weights through the real binary and the `nps` plugin: raking to population margins
//! from design weights, checked against an independent computation (the PyPI package `ipfn`
//! for the raking, pandas/numpy for weighted NPS, Kish's effective n and the Wald interval at
//! that n; tests/fixtures/weighting/make_expected.py made expected.json), and the failure
//! paths: margins that cannot be met, values outside the margins, config mistakes.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/weighting").join(name)
}

/// The fixture's client: design weights, raked by region and plan, NPS by region.
fn client(s: &Scratch, raking: &str) -> PathBuf {
    let text = format!(
        r#"client = "Weighted"
plugins = {reg:?}
[datasets.survey]
path = {data:?}
sampling_weight = "design_weight"
[datasets.survey.fields]
region = "region"
plan = "plan"
score = {{ column = "score", type = "integer" }}
design_weight = {{ column = "design_weight", type = "number" }}
{raking}
[[metrics]]
id = "nps"
plugin = "nps"
dataset = "survey"
inputs = {{ score = "score" }}
group_by = ["region"]
"#,
        reg = s.survey_registry().display().to_string(),
        data = fixture("survey.csv").display().to_string(),
    );
    s.write("client.toml", &text)
}

const RAKING: &str = r#"[datasets.survey.raking]
margins.region = { North = 30, South = 30, East = 40 }
margins.plan = { Basic = 70, Pro = 30 }
tolerance = 1e-12
max_iterations = 1000
"#;

fn close(a: &Value, b: &Value, what: &str) {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    assert!(
        (a - b).abs() <= 1e-7 * b.abs().max(1.0),
        "{what}: cxm {a} vs expected {b}"
    );
}

#[test]
fn raked_nps_matches_an_independent_computation() {
    let s = Scratch::new();
    let cfg = client(&s, RAKING);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    for (name, group) in [
        ("overall", json!({})),
        ("North", json!({"region": "North"})),
        ("South", json!({"region": "South"})),
        ("East", json!({"region": "East"})),
    ] {
        let r = result(&report, "nps", group);
        let e = &expected["results"][name];
        close(&r["value"], &e["value"], &format!("{name} NPS"));
        close(&r["n"], &e["n"], &format!("{name} weighted n"));
        close(&r["design"]["n_unweighted"], &e["n_unweighted"], name);
        close(&r["design"]["n_effective"], &e["n_effective"], name);
        close(&r["ci"]["low"], &e["ci_low"], &format!("{name} CI low"));
        close(&r["ci"]["high"], &e["ci_high"], &format!("{name} CI high"));
        assert_eq!(r["ci"]["method"], "wald");
    }
    let w = &report["datasets"][0]["weighting"];
    assert_eq!(w["sampling_weight"], "design_weight");
    assert_eq!(w["raking"]["converged"], true);
    close(&w["min_weight"], &expected["min_weight"], "smallest weight");
    close(&w["max_weight"], &expected["max_weight"], "largest weight");
    close(&w["n_effective"], &expected["n_effective"], "dataset n_eff");
    for m in w["raking"]["margins"].as_array().unwrap() {
        let (var, cat) = (
            m["variable"].as_str().unwrap(),
            m["category"].as_str().unwrap(),
        );
        close(&m["weighted_pct"], &expected["weighted_pct"][var][cat], var);
        close(
            &m["weighted_pct"],
            &m["target_pct"],
            "weighted share = target",
        );
    }
}

#[test]
fn weighted_results_show_both_ns_in_csv_and_the_weighting_in_the_table() {
    let s = Scratch::new();
    let cfg = client(&s, RAKING);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let header = text.lines().next().unwrap();
    for column in ["n_unweighted", "n_effective", "design_effect"] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} in {header}"
        );
    }
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("n eff."), "{table}");
    assert!(table.contains("raked to plan, region"), "{table}");
    assert!(
        table.contains("n (wtd)") && table.contains("base"),
        "{table}"
    );
}

#[test]
fn rows_outside_the_margins_are_rejected_and_counted() {
    let s = Scratch::new();
    // West has no target: its rows cannot be weighted.
    let data = s.write(
        "survey.csv",
        "id,region,plan,score,design_weight\n1,North,Basic,9,1\n2,South,Pro,3,1\n3,West,Basic,10,1\n4,East,Basic,7,2\n5,,Pro,8,1\n6,North,Pro,10,-1\n",
    );
    let text = std::fs::read_to_string(client(&s, RAKING))
        .unwrap()
        .replace(
            &fixture("survey.csv").display().to_string(),
            &data.display().to_string(),
        );
    let cfg = s.write("client.toml", &text);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let nps = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "nps")
        .unwrap();
    assert_eq!(nps["rows_used"], 3);
    assert_eq!(nps["rows_rejected"]["outside_raking_margins"], 2);
    assert_eq!(nps["rows_rejected"]["invalid_weight"], 1);
    assert_eq!(
        report["datasets"][0]["weighting"]["raking"]["rows_outside_margins"],
        2.0
    );
}

/// Runs the fixture's client with `raking`, expecting the run to fail with exit 1 and no
/// output; returns its stderr.
fn failed_run(raking: &str) -> String {
    let s = Scratch::new();
    let cfg = client(&s, raking);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    stderr(&o)
}

#[test]
fn margins_that_cannot_be_met_fail_the_run_naming_the_dataset() {
    // A category with a target and no answer.
    let err = failed_run(&RAKING.replace("East = 40 }", "East = 40, Central = 10 }"));
    let expected =
        "dataset \"survey\": weighting: region = Central has a target of 10 but no usable row";
    assert!(err.contains(expected), "{err}");
    // Trim bounds the margins cannot be met within.
    let trimmed = "max_iterations = 50\ntrim = [0.9, 1.1]";
    let err = failed_run(&RAKING.replace("max_iterations = 1000", trimmed));
    assert!(
        err.contains("raking did not converge in 50 iterations"),
        "{err}"
    );
    assert!(err.contains("or widen trim"), "{err}");
}

#[test]
fn weighting_config_mistakes_are_located() {
    let s = Scratch::new();
    for (raking, message) in [
        (
            RAKING.replace("margins.plan", "margins.tier"),
            "\"tier\" is not a field of the dataset",
        ),
        (
            RAKING.replace("tolerance = 1e-12", "tolerance = 0.5"),
            "tolerance is a gap of a share",
        ),
        (
            format!("{RAKING}trim = [2.0, 3.0]\n"),
            "trim is [low, high] with 0 < low < 1 < high",
        ),
        (
            RAKING.replace("North = 30", "North = -30"),
            "the target of region=North must be a number ≥ 0",
        ),
        (
            RAKING.replace("margins.region", "margin.region"),
            "unknown field `margin`",
        ),
    ] {
        let o = run(&["validate", client(&s, &raking).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{raking}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(message), "{err}");
        assert!(err.contains("client.toml:"), "located: {err}");
    }
}

#[test]
fn weighted_results_do_not_depend_on_threads_or_chunks() {
    let s = Scratch::new();
    let cfg = client(&s, RAKING);
    let outputs: Vec<String> = ["1", "2"]
        .iter()
        .map(|threads| {
            let args = ["run", cfg.to_str().unwrap(), "--format", "json"];
            let o = run(&[&args[..], &["--threads", threads]].concat());
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            stdout(&o)
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_metric_whose_n_is_not_its_rows_weight_keeps_its_own_interval() {
    // The composite's portfolio counts each customer once over their snapshots: with two
    // snapshots per customer its n (customers) is not the weight of its rows.
    let s = Scratch::new();
    let data = s.write(
        "h.csv",
        "customer,snapshot,region,plan,score,design_weight\n\
         a,2025-01-01,North,Basic,7,1\na,2025-02-01,North,Basic,8,1\n\
         b,2025-01-01,South,Pro,5,2\nb,2025-02-01,South,Pro,6,2\n\
         c,2025-01-01,East,Basic,9,1\nc,2025-02-01,East,Basic,9,1\n",
    );
    let text = format!(
        r#"client = "W"
plugins = {reg:?}
[datasets.h]
path = {data:?}
sampling_weight = "design_weight"
[datasets.h.fields]
customer = "customer"
snapshot = {{ column = "snapshot", type = "date" }}
region = "region"
plan = "plan"
score = {{ column = "score", type = "number" }}
design_weight = {{ column = "design_weight", type = "number" }}
[[metrics]]
id = "health"
plugin = "composite"
dataset = "h"
inputs = {{ entity = "customer", snapshot = "snapshot", score = "score" }}
params = {{ signals = {{ score = {{ weight = 1, normalize = {{ linear = [0, 10] }} }} }} }}
"#,
        reg = repo().join("config/plugins.toml").display().to_string(),
        data = data.display().to_string(),
    );
    let cfg = s.write("h.toml", &text);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let health = result(&report, "health", json!({}));
    assert!(health["design"].is_null(), "{health}");
    let warnings = health["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w == "no_design_effect"), "{health}");
}
