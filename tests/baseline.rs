//! `cxm run --baseline OLD_DIR [--fail-on ...]`: the demo client run twice, the second time
//! on a copy of its data with late rows for January 2025 (restating 2025-Q1) and rows for a
//! new quarter (2025-Q3), compared with the first run while it runs: the comparison on
//! stderr, diff.json in --out (the same as `cxm diff` of the two folders), the section
//! "Changes since the baseline" in report.html (and again from `cxm report`), and --fail-on
//! giving exit code 1 with every file still written.

mod common;
#[path = "support/demo_months.rs"]
mod demo_months;
use common::*;
use demo_months::{baseline_and_config, DEMO, LATE_ROWS};
use serde_json::Value;
use std::path::Path;

fn run_with_baseline(
    config: &Path,
    out: &Path,
    old: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "run",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--baseline",
        old.to_str().unwrap(),
    ];
    args.extend(extra);
    run(&args)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// The parts of a comparison that do not name the folders or the time of the run.
fn figures_of(d: &Value) -> Value {
    let mut d = d.clone();
    for key in ["old", "new"] {
        d.as_object_mut().unwrap().remove(key);
    }
    d
}

#[test]
fn baseline_writes_diff_json_and_the_report_section_and_prints_the_table() {
    let s = Scratch::new();
    let (old, config) = baseline_and_config(&s);
    let new = s.path("new");
    let o = run_with_baseline(&config, &new, &old, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("RESTATED HISTORY: 6 figure(s)"), "{err}");
    assert!(err.contains("Only in the new run"), "{err}");
    // The report alone is on stdout.
    assert!(!stdout(&o).contains("RESTATED HISTORY"));
    assert!(err.contains("diff.json"), "{err}");

    let d = read_json(&new.join("diff.json"));
    assert_eq!(d["schema"], "cxm.diff/1");
    assert_eq!(d["summary"]["restated"], 6);
    assert!(
        d["summary"]["only_new"].as_u64().unwrap() > 0,
        "{}",
        d["summary"]
    );
    assert_eq!(d["old"]["dir"], old.to_str().unwrap());
    assert_eq!(d["new"]["dir"], new.to_str().unwrap());
    for f in d["restated"].as_array().unwrap() {
        assert_eq!(f["period"], "2025-Q1", "{f}");
        assert_eq!(f["delta_n"].as_f64().unwrap(), LATE_ROWS as f64, "{f}");
    }
    // The data file changed; the config differs only in paths.
    assert!(!d["drift"]["datasets"].as_array().unwrap().is_empty());

    // The same comparison as `cxm diff` of the two folders afterwards.
    let o = run(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(figures_of(&json(&o)), figures_of(&d));

    // The report's section: restated history first, then the other lists and drift.
    let html = std::fs::read_to_string(new.join("report.html")).unwrap();
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in report.html"))
    };
    let section = at("<section class=\"changes\" id=\"changes\">");
    assert!(at("<h2>Changes since the baseline</h2>") > section);
    assert!(at("href=\"#changes\"") < section, "the contents link to it");
    let restated = at("<h3 class=\"restated\" data-count=\"6\">Restated history</h3>");
    let changed = at("<h3 class=\"changed\"");
    let only_new = at("<h3 class=\"only_new\"");
    let drift = at("<h3 class=\"drift\">");
    assert!(section < restated && restated < changed && changed < only_new && only_new < drift);
    assert!(
        at("id=\"summary\"") < section,
        "after the executive summary"
    );
    assert!(section < at("id=\"methods\""));
    // Under the same CSP as any report: one script, allowed by its hash.
    assert_eq!(html.matches("<script").count(), 1);
    let baseline_html = std::fs::read_to_string(old.join("report.html")).unwrap();
    assert!(!baseline_html.contains("id=\"changes\""));

    // `cxm report` renders the section again from the diff.json beside results.json, in
    // either language.
    let again = s.path("again.html");
    let o = run(&[
        "report",
        new.join("results.json").to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), html);
    let ru = s.path("ru.html");
    let o = run(&[
        "report",
        new.join("results.json").to_str().unwrap(),
        "-o",
        ru.to_str().unwrap(),
        "--language",
        "ru",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ru = std::fs::read_to_string(&ru).unwrap();
    assert!(ru.contains("<h2>Изменения с базового расчёта</h2>"));
    assert!(ru.contains("Пересмотренная история"));
}

#[test]
fn fail_on_restated_exits_1_and_still_writes_every_file() {
    let s = Scratch::new();
    let (old, config) = baseline_and_config(&s);
    let new = s.path("new");
    let o = run_with_baseline(&config, &new, &old, &["--fail-on", "restated"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("6 figure(s) restated since the baseline (--fail-on restated)"),
        "{err}"
    );
    for file in [
        "results.json",
        "manifest.json",
        "report.html",
        "diff.json",
        "config.toml",
    ] {
        assert!(new.join(file).is_file(), "{file} not written");
    }

    // The baseline compared with itself (as --out too: it is read before it is replaced):
    // nothing restated or changed, exit code 0 even with --fail-on changed.
    let o = run_with_baseline(Path::new(DEMO), &old, &old, &["--fail-on", "changed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = read_json(&old.join("diff.json"));
    assert_eq!(d["summary"]["restated"], 0);
    assert_eq!(d["summary"]["changed"], 0);
    assert_eq!(d["summary"]["only_new"], 0);
    assert_eq!(d["summary"]["only_old"], 0);
    let html = std::fs::read_to_string(old.join("report.html")).unwrap();
    assert!(html.contains("No figure of a period both runs cover changed."));
}

#[test]
fn without_out_the_comparison_is_printed_and_a_bad_baseline_is_a_usage_error() {
    let s = Scratch::new();
    let (old, config) = baseline_and_config(&s);
    let o = run(&[
        "run",
        config.to_str().unwrap(),
        "--baseline",
        old.to_str().unwrap(),
        "--fail-on",
        "changed",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("RESTATED HISTORY"), "{}", stderr(&o));
    assert!(stderr(&o).contains("(this run)"), "{}", stderr(&o));

    let empty = s.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(&["run", DEMO, "--baseline", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not a cxm --out folder"),
        "{}",
        stderr(&o)
    );

    // --fail-on needs --baseline.
    let o = run(&["run", DEMO, "--fail-on", "restated"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
