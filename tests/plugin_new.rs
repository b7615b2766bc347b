//! `cxm plugin new`: the crate it writes builds on its own, outside this workspace, passes
//! its own tests, and runs in cxm through its registry and client config; and the command
//! refuses bad names and folders it must not write into.
//!
//! The build runs `cargo build --release --offline` (the dependencies are in the local
//! registry cache, since this workspace builds them) with `CARGO_TARGET_DIR` at
//! `target/plugin-new-test`, kept between runs: the first build compiles the SDK and its
//! dependencies (about 40 s of CPU), later ones little more than the new crate, whose own
//! artifacts are removed afterwards.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The plugin's crate name; its library and metric are `acme_effort`.
const NAME: &str = "acme-effort";

/// The cargo running these tests.
fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
}

/// Runs cargo `args` in the crate `dir`, building into `target`; returns stdout.
fn cargo_in(dir: &Path, target: &Path, args: &[&str]) -> String {
    let o = cargo()
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs");
    assert!(
        o.status.success(),
        "cargo {args:?} in {} failed:\n{}\n{}",
        dir.display(),
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Removes the scaffolded crate's own artifacts from the shared target folder (its
/// dependencies stay for the next run).
fn remove_crate_artifacts(target: &Path) {
    let lib = NAME.replace('-', "_");
    let release = target.join("release");
    for (folder, prefixes) in [
        (
            release.join("deps"),
            vec![format!("{lib}-"), format!("lib{lib}-")],
        ),
        (release.join(".fingerprint"), vec![format!("{NAME}-")]),
    ] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
                let path = entry.path();
                let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
            }
        }
    }
}

/// Mean, sample variance and n of the demo survey's valid Satisfaction answers (1-5) in
/// rows with a valid timestamp, overall and for Q1 and Q2 of 2025, from the CSV itself.
fn demo_satisfaction() -> [(f64, f64, f64); 3] {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(repo().join("data/demo/survey.csv"))
        .expect("demo survey");
    let mut sums = [(0.0, 0.0, 0.0); 3];
    for record in reader.records() {
        let r = record.expect("record");
        if r.len() != 8 {
            continue;
        }
        let Ok(at) = chrono::NaiveDateTime::parse_from_str(&r[1], "%Y-%m-%d %H:%M:%S") else {
            continue;
        };
        let Ok(x) = r[5].parse::<f64>() else {
            continue;
        };
        if !(1.0..=5.0).contains(&x) {
            continue;
        }
        let quarter = if chrono::Datelike::month(&at.date()) <= 3 {
            1
        } else {
            2
        };
        for i in [0, quarter] {
            sums[i].0 += 1.0;
            sums[i].1 += x;
            sums[i].2 += x * x;
        }
    }
    sums.map(|(n, sum, sum_sq)| (sum / n, (sum_sq - sum * sum / n) / (n - 1.0), n))
}

fn close(actual: &serde_json::Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual}"));
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{what}: {actual}, expected {expected}"
    );
}

#[test]
fn a_scaffolded_plugin_builds_outside_the_workspace_passes_its_tests_and_runs() {
    let scratch = Scratch::new();
    let dir = scratch.path(NAME);
    let o = run(&["plugin", "new", NAME, "--dir", dir.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = stdout(&o);
    for next in ["cargo build --release", "cargo test", "run client.toml"] {
        assert!(said.contains(next), "next step {next:?} missing: {said}");
    }
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    let sdk = repo().join("crates/cxm-sdk").canonicalize().expect("sdk");
    for line in [
        "crate-type = [\"cdylib\", \"rlib\"]".to_string(),
        format!("cxm-sdk = {{ path = '{}' }}", sdk.display()),
        "panic = \"unwind\"".to_string(),
        "codegen-units = 1".to_string(),
        "[workspace]".to_string(),
    ] {
        assert!(manifest.contains(&line), "{line} missing: {manifest}");
    }
    let target = repo().join("target/plugin-new-test");
    let lib_rs = std::fs::read_to_string(dir.join("src/lib.rs")).expect("lib.rs");
    assert!(lib_rs.contains("    #[inline]\n    fn update("), "{lib_rs}");
    assert!(lib_rs.contains("Harness::bind"), "{lib_rs}");
    // Formatted as rustfmt formats it (where rustfmt is installed, as in CI).
    let has_rustfmt = cargo()
        .args(["fmt", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has_rustfmt {
        cargo_in(&dir, &target, &["fmt", "--check"]);
    }
    let started = std::time::Instant::now();
    cargo_in(&dir, &target, &["build", "--release", "--offline"]);
    let built = started.elapsed();
    let tested = cargo_in(&dir, &target, &["test", "--release", "--offline"]);
    eprintln!(
        "scaffold: build {:.1} s, test {:.1} s",
        built.as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    );
    assert!(tested.contains("test result: ok. 3 passed"), "{tested}");

    // The registry snippet, with the library where CARGO_TARGET_DIR put it.
    let library: PathBuf = target.join("release").join(format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        NAME.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    ));
    assert!(library.is_file(), "{} missing", library.display());
    let registry = std::fs::read_to_string(dir.join("plugins.toml")).expect("plugins.toml");
    let default_path = "path = \"target/release/acme_effort\"";
    assert!(registry.contains(default_path), "{registry}");
    let registry = registry.replace(default_path, &format!("path = {:?}", library));
    std::fs::write(dir.join("plugins.toml"), registry).expect("registry");
    // The client config snippet as written: it reads the demo survey of this checkout.
    let client = std::fs::read_to_string(dir.join("client.toml")).expect("client.toml");
    let demo = repo().join("data/demo/survey.csv");
    assert!(
        client.contains(&format!("path = '{}'", demo.display())),
        "{client}"
    );

    let config = dir.join("client.toml");
    let o = run(&["run", config.to_str().expect("utf-8"), "--format", "json"]);
    remove_crate_artifacts(&target);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let [overall, q1, q2] = demo_satisfaction();
    let all = result(&report, "acme_effort", serde_json::json!({}));
    close(&all["value"], overall.0, "mean");
    close(&all["n"], overall.2, "n");
    assert_eq!(all["unit"], "mean score (1-5)");
    // The t-interval of the SDK's helpers: mean ± t(0.975, n − 1) · s / √n.
    let t = cxm_stats::t_for_confidence(0.95, overall.2 - 1.0).expect("t");
    let half = t * (overall.1 / overall.2).sqrt();
    close(&all["ci"]["low"], overall.0 - half, "ci low");
    close(&all["ci"]["high"], overall.0 + half, "ci high");
    assert_eq!(all["ci"]["method"], "t");
    assert_eq!(all["basis"]["kind"], "mean");
    close(&all["basis"]["variance"], overall.1, "basis variance");
    // With a basis, the change from Q1 to Q2 is tested (Welch's t).
    let second = result(
        &report,
        "acme_effort",
        serde_json::json!({"period": "2025-Q2"}),
    );
    close(&second["value"], q2.0, "Q2 mean");
    let trend = &second["trend"];
    assert_eq!(trend["previous_period"], "2025-Q1");
    close(&trend["previous_value"], q1.0, "Q1 mean");
    assert_eq!(trend["test"], "welch_t", "{trend}");
    assert!(trend["p_value"].as_f64().is_some(), "{trend}");
}

#[test]
fn bad_names_and_folders_are_refused_with_exit_code_2() {
    let scratch = Scratch::new();
    let dir = |name: &str| scratch.path(name).to_str().expect("utf-8").to_string();
    for (name, why) in [
        ("Acme", "lowercase letters"),
        ("acme effort", "' ' is not allowed"),
        ("2fast", "starting with a letter"),
        ("fn", "reserved"),
        ("test", "reserved"),
    ] {
        let o = run(&["plugin", "new", name, "--dir", &dir("x")]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{name}: {}", stderr(&o));
    }
    assert!(!scratch.path("x").exists());

    // A folder that is not empty is never written into.
    let full = scratch.path("full");
    std::fs::create_dir(&full).expect("mkdir");
    std::fs::write(full.join("notes.txt"), "mine").expect("write");
    let o = run(&["plugin", "new", NAME, "--dir", &dir("full")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    let entries: Vec<_> = std::fs::read_dir(&full).expect("read").collect();
    assert_eq!(entries.len(), 1);

    // An empty one is filled.
    std::fs::create_dir(scratch.path("empty")).expect("mkdir");
    let o = run(&["plugin", "new", NAME, "--dir", &dir("empty")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(scratch.path("empty/src/lib.rs").is_file());

    // Inside a Cargo workspace (this repository's) it would be claimed: refused.
    let o = run(&["plugin", "new", NAME]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is inside the Cargo workspace at"),
        "{}",
        stderr(&o)
    );
    assert!(!repo().join(NAME).exists());

    // --sdk must name the SDK.
    let o = run(&["plugin", "new", NAME, "--dir", &dir("y"), "--sdk", &dir("")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no cxm-sdk package there"),
        "{}",
        stderr(&o)
    );
}
