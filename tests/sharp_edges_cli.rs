//! Sharp edges a new user hit (issue 14), each through the real binary: rejection reasons
//! labelled in the table (1), exit codes of a missing data file and a misspelt column (3),
//! plugin params errors located only in the TOML (4), `cxm plugins` from any folder (5),
//! and several plugin registries per client (12). `plan-sample`'s units (6) are tested in
//! `plan_sample.rs`.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// A client config over `survey.csv` (columns id, score, csat) with one NPS metric; `extra`
/// goes into the dataset section, `body` after the metric.
fn client(s: &Scratch, plugins: &str, extra: &str, body: &str) -> PathBuf {
    let text = format!(
        "client = \"Test\"\nplugins = {plugins}\n\n[datasets.survey]\npath = \"survey.csv\"\n{extra}\n[datasets.survey.fields]\nid = \"id\"\nscore = {{ column = \"score\", type = \"integer\" }}\ncsat = \"csat\"\n\n[[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = {{ score = \"score\" }}\n{body}"
    );
    s.write("client.toml", &text)
}

/// The default client: the scratch registry with the survey plugins.
fn survey_client(s: &Scratch, extra: &str, body: &str) -> PathBuf {
    let reg = s.survey_registry();
    client(s, &format!("{:?}", reg.display().to_string()), extra, body)
}

/// 1-based line of the first line of `file` that starts with `prefix`.
fn line_of(file: &Path, prefix: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("config");
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in {text}"))
        + 1
}

fn assert_one_line(o: &std::process::Output) -> String {
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

// 1. Rejection reasons.

/// The table's dataset line.
fn dataset_line(o: &std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    stdout(o)
        .lines()
        .find(|l| l.starts_with("Dataset survey:"))
        .unwrap_or_else(|| panic!("no dataset line in {}", stdout(o)))
        .to_string()
}

#[test]
fn duplicates_are_labelled_duplicates_not_wrong_structure() {
    let s = Scratch::new();
    s.write("survey.csv", "id,score,csat\n1,9,5\n2,3,2\n1,10,4\n2,7,3\n");
    let cfg = survey_client(&s, "unique_key = \"id\"", "");
    let line = dataset_line(&run(&["run", cfg.to_str().unwrap()]));
    assert!(
        line.contains("4 rows read, 2 accepted, 2 rejected (duplicate unique_key)"),
        "{line}"
    );
    assert!(!line.contains("structure"), "{line}");

    // A broken record as well: each reason with its count.
    s.write(
        "survey.csv",
        "id,score,csat\n1,9,5\n2,3,2\n1,10,4\n3,7\n2,7,3\n",
    );
    let line = dataset_line(&run(&["run", cfg.to_str().unwrap()]));
    assert!(
        line.contains("3 rejected (1 wrong structure, 2 duplicate unique_key)"),
        "{line}"
    );
}

// 3. Exit codes.

#[test]
fn help_documents_the_exit_code_rule() {
    let text = stdout(&run(&["--help"]));
    assert!(
        text.contains("1  a data file the config names is missing or unreadable"),
        "{text}"
    );
    assert!(
        text.contains("3  the configuration is wrong, including a mapped column"),
        "{text}"
    );
}

#[test]
fn a_missing_data_file_exits_1_naming_the_file_and_the_config_line() {
    let s = Scratch::new();
    let cfg = survey_client(&s, "", "");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("survey.csv", "march.csv");
    std::fs::write(&cfg, text).unwrap();
    let line = line_of(&cfg, "path = \"march.csv\"");
    for command in ["run", "validate"] {
        let o = run(&[command, cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{command}: {}", stderr(&o));
        let err = assert_one_line(&o);
        assert!(
            err.contains(&format!("client.toml:{line}:8: dataset \"survey\": file ")),
            "{command}: {err}"
        );
        assert!(err.contains("march.csv not found"), "{command}: {err}");
    }
    // There but unreadable as data (empty), or a folder: the same rule.
    s.write("march.csv", "");
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = assert_one_line(&o);
    assert!(
        err.contains(&format!("client.toml:{line}:8: dataset \"survey\": "))
            && err.contains("march.csv: file is empty or has no header row"),
        "{err}"
    );
    std::fs::remove_file(s.path("march.csv")).unwrap();
    std::fs::create_dir(s.path("march.csv")).unwrap();
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("march.csv is a folder, not a file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_misspelt_column_exits_3_located_at_its_mapping() {
    let s = Scratch::new();
    s.write("survey.csv", "id,score,csat\n1,9,5\n2,3,2\n");
    let cfg = survey_client(&s, "", "");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("column = \"score\"", "column = \"Score\"");
    std::fs::write(&cfg, text).unwrap();
    let line = line_of(&cfg, "score = {");
    for command in ["run", "validate"] {
        let o = run(&[command, cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{command}: {}", stderr(&o));
        let err = assert_one_line(&o);
        assert!(
            err.contains(&format!(
                "client.toml:{line}:1: dataset \"survey\", field \"score\": "
            )),
            "{command}: {err}"
        );
        assert!(
            err.contains("column \"Score\" not found in header")
                && err.contains("survey.csv")
                && err.contains("(available: \"id\", \"score\", \"csat\")"),
            "{command}: {err}"
        );
    }
}

// 4. Params errors.

#[test]
fn a_misspelt_param_shows_only_the_toml_location() {
    let s = Scratch::new();
    s.write("survey.csv", "id,score,csat\n1,9,5\n2,3,2\n");
    let cfg = survey_client(&s, "", "params = { ci_metod = \"wald\" }\n");
    let line = line_of(&cfg, "params = ");
    for command in ["run", "validate"] {
        let o = run(&[command, cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{command}: {}", stderr(&o));
        let err = assert_one_line(&o);
        assert!(
            err.contains(&format!("client.toml:{line}:10: metric \"nps\"")),
            "{command}: {err}"
        );
        assert!(err.contains("unknown field `ci_metod`"), "{command}: {err}");
        // The JSON the host hands the plugin is internal: no position in it.
        assert!(
            !err.contains(" at line ") && !err.contains(" column "),
            "{command}: {err}"
        );
    }
    // A param of the wrong type likewise.
    let cfg = survey_client(&s, "", "params = { confidence = \"high\" }\n");
    let err = stderr(&run(&["validate", cfg.to_str().unwrap()]));
    assert!(err.contains("invalid type: string \"high\""), "{err}");
    assert!(!err.contains(" at line "), "{err}");
}

// 5. `cxm plugins` from any folder.

#[test]
fn plugins_works_outside_the_repository() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let o = cxm()
        .arg("plugins")
        .current_dir(elsewhere.path())
        .env_remove("CXM_REGISTRY")
        .output()
        .expect("cxm runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Plugin nps: cxm-plugin-nps"), "{text}");
    assert!(text.contains("Plugin csat: cxm-plugin-csat"), "{text}");
}

#[test]
fn plugins_takes_the_registry_from_cxm_registry() {
    let s = Scratch::new();
    let reg = s.registry(&[("only-this", "cxm-plugin-ces", None)]);
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let o = cxm()
        .args(["plugins", "--format", "json"])
        .current_dir(elsewhere.path())
        .env("CXM_REGISTRY", &reg)
        .output()
        .expect("cxm runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<String> = json(&o)
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["only-this"]);

    let missing = s.path("nowhere.toml");
    let o = cxm()
        .arg("plugins")
        .current_dir(elsewhere.path())
        .env("CXM_REGISTRY", &missing)
        .output()
        .expect("cxm runs");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = assert_one_line(&o);
    assert!(
        err.contains(&format!("CXM_REGISTRY={}", missing.display()))
            && err.contains("is not a file"),
        "{err}"
    );
}

// 12. Several registries.

/// `base.toml` registers nps and csat; `company/acme.toml` registers the company's
/// `acme-effort` (the CES library) and, with `clash`, `nps` again.
fn two_registries(s: &Scratch, clash: bool) -> (PathBuf, PathBuf) {
    let entry = |name: &str, krate: &str| {
        format!(
            "[plugins.{name}]\npath = {:?}\n",
            library(krate).display().to_string()
        )
    };
    let base = s.write(
        "base.toml",
        &format!(
            "# built-ins\n{}\n{}",
            entry("nps", "cxm-plugin-nps"),
            entry("csat", "cxm-plugin-csat")
        ),
    );
    let mut acme = format!(
        "# company plugins\n{}",
        entry("acme-effort", "cxm-plugin-ces")
    );
    if clash {
        acme.push('\n');
        acme.push_str(&entry("nps", "cxm-plugin-nps"));
    }
    std::fs::create_dir_all(s.path("company")).expect("company folder");
    (base, s.write("company/acme.toml", &acme))
}

#[test]
fn a_client_lists_company_plugins_beside_the_built_ins() {
    let s = Scratch::new();
    s.write("survey.csv", "id,score,csat\n1,9,5\n2,3,2\n3,10,7\n");
    two_registries(&s, false);
    let cfg = client(
        &s,
        "[\"base.toml\", \"company/acme.toml\"]",
        "",
        "\n[[metrics]]\nid = \"effort\"\nplugin = \"acme-effort\"\ndataset = \"survey\"\ninputs = { score = \"csat\" }\nparams = { scale = [1, 7], easy = [5, 7] }\n",
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
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    for metric in ["nps", "effort"] {
        let n = result(&report, metric, serde_json::json!({}))["n"].as_f64();
        assert_eq!(n, Some(3.0), "{metric}");
    }

    // Both registry files are inputs of the run, with their hashes in the manifest.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    let registries = manifest["registries"].as_array().expect("registries");
    let paths: Vec<&str> = registries
        .iter()
        .map(|r| r["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(paths.len(), 2, "{manifest}");
    assert!(paths[0].ends_with("base.toml") && paths[1].ends_with("acme.toml"));
    assert!(registries
        .iter()
        .all(|r| r["sha256"].as_str().is_some_and(|h| h.len() == 64)));
    assert_eq!(manifest["registry"]["path"], registries[0]["path"]);

    // `cxm plugins CONFIG` lists the plugins of both.
    let o = run(&["plugins", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["Plugin nps:", "Plugin csat:", "Plugin acme-effort:"] {
        assert!(stdout(&o).contains(name), "{name} in {}", stdout(&o));
    }

    // --out may not be the folder holding the second registry, even with --force.
    let company = s.path("company");
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--out",
        company.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("acme.toml"), "{}", stderr(&o));
    assert!(company.join("acme.toml").is_file());
}

#[test]
fn a_plugin_name_in_two_registries_is_an_error_naming_both() {
    let s = Scratch::new();
    s.write("survey.csv", "id,score,csat\n1,9,5\n");
    let (base, acme) = two_registries(&s, true);
    let cfg = client(&s, "[\"base.toml\", \"company/acme.toml\"]", "", "");
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = assert_one_line(&o);
    let second = line_of(&acme, "[plugins.nps]");
    let first = line_of(&base, "[plugins.nps]");
    assert!(
        err.contains(&format!(
            "acme.toml:{second}:10: plugin \"nps\" is also registered in "
        )) && err.contains(&format!("base.toml:{first}:10")),
        "{err}"
    );
}

#[test]
fn a_registry_list_is_checked_entry_by_entry() {
    let s = Scratch::new();
    s.write("survey.csv", "id,score,csat\n1,9,5\n");
    two_registries(&s, false);
    let cases = [
        (
            "[\"base.toml\", \"missing.toml\"]",
            "2:25",
            "missing.toml not found",
        ),
        ("[\"base.toml\", \"base.toml\"]", "2:25", "is listed twice"),
        ("[]", "2:11", "plugins lists no registry file"),
        ("3", "2:11", "or a list of them"),
    ];
    for (plugins, at, words) in cases {
        let cfg = client(&s, plugins, "", "");
        let o = run(&["validate", cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{plugins}: {}", stderr(&o));
        let err = assert_one_line(&o);
        assert!(
            err.contains(&format!("client.toml:{at}: ")) && err.contains(words),
            "{plugins}: {err}"
        );
    }
}
