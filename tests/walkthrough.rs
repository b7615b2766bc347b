//! The README's "write your own plugin" walkthrough is tested: its code and config blocks
//! must be the very files the workspace builds and runs, and running them must work.

mod common;
use common::*;

/// The fenced block that follows the marker `<!-- file: PATH -->` in the README.
fn block_after(readme: &str, path: &str) -> String {
    let marker = format!("<!-- file: {path} -->");
    let start = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README has no block for {path}"));
    let rest = &readme[start + marker.len()..];
    let open = rest.find("```").expect("fence");
    let body_start = open + rest[open..].find('\n').expect("fence line") + 1;
    let close = rest[body_start..].find("\n```").expect("closing fence");
    format!("{}\n", &rest[body_start..body_start + close])
}

#[test]
fn readme_blocks_are_the_shipped_files() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for path in [
        "plugins/examples/mean-score/src/lib.rs",
        "plugins/examples/mean-score/Cargo.toml",
        "config/clients/walkthrough.toml",
    ] {
        let shipped = std::fs::read_to_string(repo().join(path)).unwrap();
        assert_eq!(
            block_after(&readme, path),
            shipped,
            "README block for {path} differs from the file"
        );
    }
    let registry = std::fs::read_to_string(repo().join("config/plugins.toml")).unwrap();
    assert!(
        registry.contains(&block_after(&readme, "config/plugins.toml (excerpt)")),
        "registry excerpt"
    );
}

#[test]
fn walkthrough_config_runs_the_example_plugin() {
    let o = run(&["run", "config/clients/walkthrough.toml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let overall = result(&report, "mean_csat", serde_json::json!({}));
    // Independent check: the mean of the valid Satisfaction answers (1-5) of the demo data.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(repo().join("data/demo/survey.csv"))
        .unwrap();
    let (mut n, mut sum) = (0.0, 0.0);
    for r in reader.records() {
        let r = r.unwrap();
        if r.len() != 8 {
            continue;
        }
        if let Ok(x) = r[5].parse::<f64>() {
            if (1.0..=5.0).contains(&x) {
                n += 1.0;
                sum += x;
            }
        }
    }
    assert_eq!(overall["n"].as_f64().unwrap(), n);
    assert!((overall["value"].as_f64().unwrap() - sum / n).abs() < 1e-12);
    assert_eq!(overall["unit"], "mean score (1-5)");
}
