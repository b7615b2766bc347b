//! The client report without a browser: `cxm run --out` writes report.html and report.xlsx
//! with the other files; `cxm report` renders the same bytes from the saved results.json;
//! each demo client's report has the sections and charts recorded in
//! `tests/golden/report-<client>.txt` (regenerate with `CXM_UPDATE_GOLDEN=1` after a
//! deliberate change, and read the diff); and the failure paths of `cxm report`.

mod common;
#[path = "support/figures.rs"]
mod figures;

use common::{run, stderr};
use figures::{check_figures, figures_in_html, Lang};
use std::path::Path;

/// The config of a client: a shipped demo client, or `catalog`, the test config that uses
/// the rest of the catalog.
fn config_of(client: &str) -> String {
    match client {
        "catalog" => "tests/fixtures/catalog-extras.toml".to_string(),
        _ => format!("config/clients/{client}.toml"),
    }
}

/// Runs a client into `dir` with a fixed run date.
fn run_client(client: &str, dir: &Path) {
    let out = common::cxm()
        .args([
            "run",
            &config_of(client),
            "--out",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(out.status.success(), "{client}: {}", stderr(&out));
}

/// `section-id: chart kinds…` per section of the page, in order.
fn structure(html: &str) -> String {
    let mut lines = Vec::new();
    for section in html.split("<section ").skip(1) {
        let id = section
            .split("id=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("?");
        let body = section.split("</section>").next().unwrap_or("");
        let charts: Vec<&str> = body
            .split("<figure class=\"chart\" data-chart=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap_or("?"))
            .collect();
        let tables = body.matches("<table").count();
        lines.push(format!(
            "{id}: charts [{}], tables {tables}",
            charts.join(" ")
        ));
    }
    lines.join("\n") + "\n"
}

#[test]
fn every_demo_client_gets_its_report_and_the_same_bytes_again_from_results_json() {
    for client in ["demo", "saas", "retail", "catalog", "survey_analytics"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        run_client(client, &dir);
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let xlsx = std::fs::read(dir.join("report.xlsx")).unwrap();
        assert!(
            xlsx.starts_with(b"PK"),
            "{client}: report.xlsx is not a zip"
        );
        assert!(html.contains("<html lang=\"en\">"), "{client}");
        assert!(html.contains("default-src 'none'"), "{client}");
        // The manifest names each plugin's ABI version as text, not as a quoted JSON string.
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        let abi = format!("· ABI {}<", manifest["plugins"][0]["abi"].as_str().unwrap());
        assert!(
            html.contains(&abi),
            "{client}: no \"{abi}\" in the manifest"
        );

        // Same results, same bytes: re-rendered from the saved results.json.
        let again = tmp.path().join("again.html");
        let out = run(&[
            "report",
            dir.join("results.json").to_str().unwrap(),
            "-o",
            again.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(&again).unwrap(),
            html,
            "{client}: cxm report differs from cxm run --out"
        );
        let xlsx_again = tmp.path().join("again.xlsx");
        let out = run(&[
            "report",
            dir.join("results.json").to_str().unwrap(),
            "-o",
            xlsx_again.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            std::fs::read(&xlsx_again).unwrap(),
            xlsx,
            "{client}: xlsx differs"
        );

        // Every figure shown equals results.json, in both languages.
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap())
                .unwrap();
        let failures = check_figures(&figures_in_html(&html), &results, Lang::En, 20);
        assert!(failures.is_empty(), "{client}: {}", failures.join("\n"));
        let out = run(&[
            "report",
            dir.join("results.json").to_str().unwrap(),
            "--language",
            "ru",
        ]);
        let ru = String::from_utf8(out.stdout).unwrap();
        let failures = check_figures(&figures_in_html(&ru), &results, Lang::Ru, 20);
        assert!(
            failures.is_empty(),
            "{client} (ru): {}",
            failures.join("\n")
        );

        // The sections and charts.
        let got = structure(&html);
        let golden = common::repo().join(format!("tests/golden/report-{client}.txt"));
        if std::env::var_os("CXM_UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &got).unwrap();
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("{} is missing (CXM_UPDATE_GOLDEN=1)", golden.display()));
        assert_eq!(got, want, "{client}: the report's structure changed");
    }
}

#[test]
fn the_report_is_written_in_russian_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    run_client("demo", &dir);
    let out = run(&[
        "report",
        dir.join("results.json").to_str().unwrap(),
        "--language",
        "ru",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("<html lang=\"ru\">"));
    assert!(html.contains("Краткие итоги"));
    assert!(html.contains("Индекс потребительской лояльности (NPS)"));
    assert!(html.contains("2 кв. 2025"));
    assert!(
        html.contains("3\u{a0}000</data>"),
        "rows read in the Russian format"
    );
}

#[test]
fn the_config_chooses_the_language() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(common::repo().join("config/clients/demo.toml")).unwrap();
    let config = tmp.path().join("ru.toml");
    std::fs::write(
        &config,
        demo.replace(
            "../plugins.toml",
            &common::repo()
                .join("config/plugins.toml")
                .display()
                .to_string(),
        )
        .replace(
            "../benchmarks/",
            &format!("{}/", common::repo().join("config/benchmarks").display()),
        )
        .replace(
            "../../data/",
            &format!("{}/", common::repo().join("data").display()),
        )
        .replace("[report]\n", "[report]\nlanguage = \"ru\"\n"),
    )
    .unwrap();
    let dir = tmp.path().join("out");
    let out = run(&[
        "run",
        config.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"ru\">"));

    std::fs::write(
        &config,
        std::fs::read_to_string(&config)
            .unwrap()
            .replace("language = \"ru\"", "language = \"de\""),
    )
    .unwrap();
    let out = run(&["validate", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown report language \"de\" (use \"en\" or \"ru\")"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn report_failures_say_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.json");
    let out = run(&["report", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read") && stderr(&out).contains("nope.json"),
        "{}",
        stderr(&out)
    );

    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\"schema\": \"cxm.report/1\", \"client\": 3}").unwrap();
    let out = run(&["report", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a cxm results.json") && stderr(&out).contains("line 1"),
        "{}",
        stderr(&out)
    );

    let other = tmp.path().join("other.json");
    std::fs::write(&other, "{\"schema\": \"cxm.report/2\", \"client\": \"x\"}").unwrap();
    let out = run(&["report", other.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("schema \"cxm.report/2\""),
        "{}",
        stderr(&out)
    );

    let dir = tmp.path().join("out");
    run_client("demo", &dir);
    let results = dir.join("results.json");
    let out = run(&[
        "report",
        results.to_str().unwrap(),
        "-o",
        tmp.path().join("r.docx").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".html, .xlsx or .pdf"),
        "{}",
        stderr(&out)
    );

    let out = common::cxm()
        .args([
            "report",
            results.to_str().unwrap(),
            "-o",
            tmp.path().join("r.pdf").to_str().unwrap(),
        ])
        .env("CXM_CHROMIUM", tmp.path().join("no-such-browser"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("CXM_CHROMIUM names"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("r.pdf").exists());

    let out = common::cxm()
        .args([
            "run",
            "config/clients/demo.toml",
            "--out",
            tmp.path().join("pdf").to_str().unwrap(),
            "--pdf",
        ])
        .env("PATH", "/nonexistent")
        .env_remove("CXM_CHROMIUM")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--pdf needs Chromium or Google Chrome"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("pdf").exists(), "nothing is written");

    let out = run(&["run", "config/clients/demo.toml", "--pdf"]);
    assert_eq!(out.status.code(), Some(2), "--pdf needs --out");
}
