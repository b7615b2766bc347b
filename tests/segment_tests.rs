//! End to end through the real binary and plugin: segment significance (issue 17) — each
//! segment against the rest of its dimension and the pairwise letters, Holm-adjusted per
//! metric and dimension, in JSON, the terminal table, CSV and the HTML report, with
//! expected values computed by hand on data small enough to follow.

mod common;
use common::*;
use serde_json::{json, Value};

/// Pre-aggregated CSAT answers (1–5, satisfied 4–5): North 45/50 (90%), South 30/50 (60%),
/// West 32/50 (64%). North is clearly above both; West and South cannot be told apart.
const ROWS: &str = "region,score,count\n\
    North,5,45\nNorth,2,5\nSouth,4,30\nSouth,1,20\nWest,5,32\nWest,3,18\n";

fn config(s: &Scratch, adjustment: &str) -> std::path::PathBuf {
    let reg = s.registry(&[("csat", "cxm-plugin-csat", None)]);
    s.write("csat.csv", ROWS);
    s.write(
        "client.toml",
        &format!(
            "client = \"Segments\"\nplugins = {:?}\n\
             [datasets.c]\npath = \"csat.csv\"\nweight = \"count\"\n\
             [datasets.c.fields]\nregion = \"region\"\nscore = \"score\"\ncount = \"count\"\n\
             [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"c\"\n\
             inputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n\
             [report]\nadjustment = \"{adjustment}\"\n",
            reg.display().to_string(),
        ),
    )
}

fn close(a: &Value, b: f64) {
    let x = a.as_f64().unwrap_or(f64::NAN);
    assert!((x - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} vs {b}");
}

/// Two-sided p-values of the z statistics below, 2(1 − Φ(|z|)), to the precision of the
/// normal distribution cxm uses.
fn close_p(a: &Value, b: f64) {
    let x = a.as_f64().unwrap_or(f64::NAN);
    assert!((x - b).abs() <= 1e-6 * b, "{a} vs {b}");
}

fn run_json(s: &Scratch, adjustment: &str) -> Value {
    let cfg = config(s, adjustment);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

#[test]
fn letters_and_tests_against_the_rest_with_holm() {
    let s = Scratch::new();
    let report = run_json(&s, "holm");
    let test =
        |region: &str| result(&report, "csat", json!({ "region": region }))["segment_test"].clone();
    let (north, south, west) = (test("North"), test("South"), test("West"));
    // Letters in display order: North A, South B, West C.
    assert_eq!(north["letter"], "A");
    assert_eq!(south["letter"], "B");
    assert_eq!(west["letter"], "C");
    assert_eq!(north["dimension"], "region");
    // Pairs (two-proportion z, pooled p̂):
    //   North−South: p̂ = 75/100, z = 0.3/√(0.75·0.25·0.04) = 2√3 = 3.4641, p = 0.000532;
    //   North−West: p̂ = 77/100, z = 0.26/√(0.77·0.23·0.04) = 3.0891, p = 0.002008;
    //   West−South: p̂ = 62/100, z = 0.04/√(0.62·0.38·0.04) = 0.4120, p = 0.6803.
    // Holm: 3·0.000532, 2·0.002008, 1·0.6803 → North above South and West; West is not
    // above South.
    assert_eq!(north["above"], json!(["B", "C"]));
    assert_eq!(south["above"], json!([]));
    assert_eq!(west["above"], json!([]));
    // North against the rest (South + West = 62/100): p̂ = 107/150,
    // se = √(107/150 · 43/150 · (1/50 + 1/100)) = 0.0783243; z = (0.90 − 0.62)/se =
    // 3.574888875424886, p = 0.0003503766810654546. The rest's figure is 62%.
    let r = &north["vs_rest"];
    assert_eq!(r["test"], "two_proportion_z");
    close(&r["statistic"], 3.574_888_875_424_886);
    close_p(&r["p_value"], 0.000_350_376_681_065_454_6);
    close(&r["rest_value"], 62.0);
    close(&r["rest_n"], 100.0);
    assert_eq!(r["direction"], "above");
    assert_eq!(r["significant"], true);
    // South against North + West (77/100): the same se (p̂ = 107/150 again);
    // z = (0.60 − 0.77)/se = −2.170468245793681, p = 0.02997139166795163: significant
    // alone, but Holm doubles it (second smallest of three) to 0.0599 > 0.05.
    let r = &south["vs_rest"];
    close(&r["statistic"], -2.170_468_245_793_681);
    close_p(&r["p_value"], 0.029_971_391_667_951_63);
    close_p(&r["p_adjusted"], 2.0 * 0.029_971_391_667_951_63);
    assert_eq!(r["direction"], "below");
    assert_eq!(r["significant"], false);
    // West against North + South (75/100): z = (0.64 − 0.75)/se = −1.404420629631205.
    close(&west["vs_rest"]["statistic"], -1.404_420_629_631_205);
    assert_eq!(west["vs_rest"]["significant"], false);
    // The overall result is no segment.
    assert!(result(&report, "csat", json!({}))
        .get("segment_test")
        .is_none());
    let a = &report["analysis"];
    assert_eq!(a["segment_tests"], 6, "3 against the rest + 3 pairs: {a}");
}

#[test]
fn without_adjustment_south_is_below_the_rest() {
    let s = Scratch::new();
    let report = run_json(&s, "none");
    let south = &result(&report, "csat", json!({"region": "South"}))["segment_test"];
    close_p(&south["vs_rest"]["p_adjusted"], 0.029_971_391_667_951_63);
    assert_eq!(south["vs_rest"]["significant"], true);
    assert_eq!(south["above"], json!([]));
}

#[test]
fn table_csv_and_html_show_the_letters() {
    let s = Scratch::new();
    let cfg = config(&s, "holm");
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    let line = |region: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(region))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("North").contains("(A) BC ▲"), "{table}");
    assert!(
        line("South").contains("(B)") && !line("South").contains('▼'),
        "{table}"
    );
    assert!(line("West").contains("(C)"), "{table}");
    assert!(table.contains("sig.: (A) the segment's letter"), "{table}");

    let o = run(&["run", cfg.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let header: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
    let n = header.len();
    assert_eq!(
        header[n - 4..],
        [
            "letter",
            "above",
            "vs_rest_p_adjusted",
            "vs_rest_significant"
        ]
    );
    let row = |region: &str| -> Vec<String> {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("csat,csat,{region},")))
            .unwrap_or_default();
        line.split(',').map(str::to_string).collect()
    };
    let north = row("North");
    assert_eq!(north.len(), n, "{csv}");
    assert_eq!(north[n - 4..n - 2], ["A", "B;C"]);
    assert_eq!(north[n - 1], "true");
    assert_eq!(row("South")[n - 1], "false");

    let out = s.path("out");
    let o = run(&["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<span class=\"letters\">(A) BC</span> <span class=\"up\""),
        "{html}"
    );
    assert!(html.contains("<dt>Segment significance</dt>"));
    assert!(html.contains(">North (A)</text>"));
}
