//! End-to-end failure paths of plugin loading and execution, with the real binary and real
//! libraries: wrong ABI, missing entry symbol, sha256 mismatch, a panicking plugin.

mod common;
use common::*;

const DATA: &str = "id,score,csat\n1,9,5\n2,3,2\n3,10,4\n4,7,3\n";

/// A config with one metric per (id, plugin) pair, all reading `score`.
fn config(
    s: &Scratch,
    registry: &std::path::Path,
    metrics: &[(&str, &str, &str)],
) -> std::path::PathBuf {
    s.write("survey.csv", DATA);
    let mut text = format!(
        "client = \"Test\"\nplugins = {:?}\n\n[datasets.survey]\npath = \"survey.csv\"\n\
         [datasets.survey.fields]\nscore = \"score\"\ncsat = \"csat\"\n",
        registry.display().to_string()
    );
    for (id, plugin, params) in metrics {
        text.push_str(&format!(
            "\n[[metrics]]\nid = \"{id}\"\nplugin = \"{plugin}\"\ndataset = \"survey\"\ninputs = {{ score = \"score\" }}\nparams = {params}\n"
        ));
    }
    s.write("client.toml", &text)
}

#[test]
fn library_built_for_another_abi_major_is_refused_with_both_versions() {
    let s = Scratch::new();
    let reg = s.registry(&[("future", "cxm-test-abi-v2", None)]);
    let cfg = config(&s, &reg, &[("x", "future", "{}")]);
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cxm_test_abi_v2"), "names the library: {err}");
    assert!(err.contains("built for cxm plugin ABI v2"), "{err}");
    assert!(err.contains("this cxm speaks ABI v1.1"), "{err}");
    assert_eq!(err.lines().count(), 1, "one-line cause: {err}");
}

#[test]
fn library_from_a_future_minor_is_refused_before_reading_the_rest() {
    // The fixture's descriptor has null pointers everywhere after the version fields: a host
    // that read further would crash instead of exiting with a message.
    let s = Scratch::new();
    let reg = s.registry(&[("future", "cxm-test-abi-future", None)]);
    let cfg = config(&s, &reg, &[("x", "future", "{}")]);
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("built for cxm plugin ABI v1.99, but this cxm speaks ABI v1.1"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn library_without_entry_symbol_is_refused() {
    let s = Scratch::new();
    let reg = s.registry(&[("plain", "cxm-test-no-entry", None)]);
    let cfg = config(&s, &reg, &[("x", "plain", "{}")]);
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cxm_test_no_entry"), "{err}");
    assert!(
        err.contains("no entry symbol `cxm_plugin_entry_v1`"),
        "{err}"
    );
}

#[test]
fn registry_sha256_mismatch_refuses_to_load() {
    let s = Scratch::new();
    let wrong = "0".repeat(64);
    let reg = s.registry(&[("nps", "cxm-plugin-nps", Some(&wrong))]);
    let cfg = config(&s, &reg, &[("nps", "nps", "{}")]);
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("sha256 mismatch"), "{err}");
    assert!(err.contains(&wrong), "{err}");
}

#[test]
fn registry_sha256_that_matches_loads() {
    let s = Scratch::new();
    let digest = cxm_sha256(&library("cxm-plugin-nps"));
    let reg = s.registry(&[("nps", "cxm-plugin-nps", Some(&digest))]);
    let cfg = config(&s, &reg, &[("nps", "nps", "{}")]);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// SHA-256 via the manifest-independent route: `sha256sum` is not assumed; compute with the
/// same algorithm through a small Rust implementation in the sha2 crate used by cxm.
fn cxm_sha256(path: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn panic_in_update_names_the_plugin_and_other_metrics_still_report() {
    let s = Scratch::new();
    let reg = s.survey_registry();
    let cfg = config(
        &s,
        &reg,
        &[
            ("nps", "nps", "{}"),
            ("boom", "panicky", "{ panic_in = \"update\" }"),
        ],
    );
    let out = s.path("out");
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("plugin 'cxm-test-panicky' metric 'panicky'"),
        "{err}"
    );
    assert!(
        err.contains("panicked in update: deliberate panic in update"),
        "{err}"
    );
    let report = json(&o);
    // 2 promoters (9, 10), 1 passive (7), 1 detractor (3) of 4: NPS = 100 * (2 - 1) / 4 = 25.
    assert_eq!(result(&report, "nps", serde_json::json!({}))["value"], 25.0);
    let boom = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "boom")
        .unwrap();
    assert!(boom["error"]
        .as_str()
        .unwrap()
        .contains("deliberate panic in update"));
    assert!(!out.exists(), "a failed run must leave no output directory");
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().starts_with(".cxm-staging")),
        "staging removed: {leftovers:?}"
    );
}

#[test]
fn panic_in_finish_and_bind_are_reported_too() {
    let s = Scratch::new();
    let reg = s.survey_registry();
    let cfg = config(
        &s,
        &reg,
        &[("boom", "panicky", "{ panic_in = \"finish\" }")],
    );
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("panicked in finish"), "{}", stderr(&o));

    let cfg = config(&s, &reg, &[("boom", "panicky", "{ panic_in = \"bind\" }")]);
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("client.toml:"), "located in the config: {err}");
    assert!(err.contains("panicked in bind"), "{err}");
}
