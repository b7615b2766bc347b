//! End-to-end tests of the `drivers` key driver plugin through the real binary and library:
//! the figures of the committed fixture (computed independently by
//! `plugins/drivers/fixtures/make_fixtures.py`), row accounting, bootstrap output that does
//! not change with threads, chunks or batches, and params errors.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    repo().join("plugins/drivers/fixtures").join(name)
}

const ATTRIBUTES: [&str; 5] = ["app", "delivery", "price", "speed", "staff"];

/// A client on the fixture survey with one `drivers` metric per `(id, params)`.
fn config(s: &Scratch, metrics: &[(&str, &str)]) -> PathBuf {
    let reg = s.registry(&[("drivers", "cxm-plugin-drivers", None)]);
    let mut text = format!(
        "client = \"Drivers\"\nplugins = {:?}\n\n[datasets.survey]\npath = {:?}\nweight = \"weight\"\n\
         [datasets.survey.fields]\nid = \"id\"\nltr = {{ column = \"ltr\", type = \"number\" }}\n\
         weight = {{ column = \"weight\", type = \"number\" }}\n",
        reg.display().to_string(),
        fixture("drivers.csv").display().to_string()
    );
    for a in ATTRIBUTES {
        text.push_str(&format!(
            "{a} = {{ column = \"{a}\", type = \"number\" }}\n"
        ));
    }
    let inputs: Vec<String> = ATTRIBUTES
        .iter()
        .map(|a| format!("{a} = \"{a}\""))
        .collect();
    for (id, params) in metrics {
        text.push_str(&format!(
            "\n[[metrics]]\nid = \"{id}\"\nplugin = \"drivers\"\ndataset = \"survey\"\n\
             inputs = {{ outcome = \"ltr\", id = \"id\", {} }}\nparams = {params}\n",
            inputs.join(", ")
        ));
    }
    s.write("client.toml", &text)
}

fn run_json(cfg: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["run", cfg.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

fn close(actual: &Value, expected: &Value, what: &str) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    assert!((a - e).abs() <= 1e-9, "{what}: expected {e}, got {a}");
}

#[test]
fn figures_match_the_independent_fixture_and_do_not_depend_on_threads() {
    let s = Scratch::new();
    let cfg = config(
        &s,
        &[
            ("drivers", "{ replicates = 200, seed = 7 }"),
            ("drivers_pairwise", "{ missing = \"pairwise\" }"),
        ],
    );
    let report = run_json(&cfg, &["--threads", "1"]);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    for (metric, case) in [
        ("drivers", "weighted_listwise"),
        ("drivers_pairwise", "weighted_pairwise"),
    ] {
        let e = &expected["cases"][case];
        let r = result(&report, metric, json!({}));
        close(&r["value"], &e["r2"], "R²");
        close(&r["n"], &e["n"], "n");
        assert_eq!(r["unit"], "R² (0-1)");
        let t = r["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "drivers")
            .unwrap();
        let columns: Vec<&str> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let col = |name: &str| columns.iter().position(|c| *c == name).unwrap();
        for (j, a) in ATTRIBUTES.iter().enumerate() {
            let row = t["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row[0] == *a)
                .unwrap();
            close(&row[col("importance")], &e["raw"][j], a);
            close(&row[col("importance_pct")], &e["pct"][j], a);
            close(&row[col("mean")], &e["mean"][j], a);
            assert_eq!(row[col("quadrant")], e["quadrant"][j], "{metric} {a}");
        }
        if metric == "drivers" {
            // The bootstrap: an interval of R² around it and per attribute.
            let (low, high) = (
                r["ci"]["low"].as_f64().unwrap(),
                r["ci"]["high"].as_f64().unwrap(),
            );
            let r2 = r["value"].as_f64().unwrap();
            assert!(low < r2 && r2 < high, "{low} {r2} {high}");
            assert_eq!(r["ci"]["method"], "poisson_bootstrap_percentile");
            assert_eq!(r["details"]["replicates_used"], 200);
            for row in t["rows"].as_array().unwrap() {
                let stable = row[col("quadrant_stability")].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&stable));
                assert!(row[col("importance_low")].as_f64() <= row[col("importance")].as_f64());
            }
        }
    }
    // Rows with a blank rating are rejected listwise, counted by reason.
    let m = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "drivers")
        .unwrap();
    let rejected = m["rows_rejected"]["missing_rating"].as_u64().unwrap();
    assert!(rejected > 0);
    assert_eq!(m["rows_used"].as_u64().unwrap() + rejected, 240);

    // The same figures, bootstrap included, with two threads, tiny chunks and batches.
    for extra in [
        &["--threads", "2"][..],
        &[
            "--threads",
            "2",
            "--chunk-bytes",
            "1024",
            "--batch-rows",
            "7",
        ][..],
    ] {
        let again = run_json(&cfg, extra);
        assert_eq!(again["results"], report["results"], "{extra:?}");
    }
}

#[test]
fn bad_params_fail_with_a_clear_message() {
    for (params, message) in [
        (
            "{ replicates = 0 }",
            "replicates must be between 2 and 100000",
        ),
        ("{ missing = \"mean\" }", "unknown variant `mean`"),
    ] {
        let s = Scratch::new();
        let cfg = config(&s, &[("drivers", params)]);
        let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
        assert_ne!(o.status.code(), Some(0));
        let err = stderr(&o);
        assert!(err.contains(message), "{params}: {err}");
        assert!(err.contains("drivers"), "{err}");
    }
}
