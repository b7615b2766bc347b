//! End-to-end tests of the `csi` and `iqs` plugins through the real binary: the CSI worked
//! example of METRICS.md with fixed weights and with mean importances, and an IQS scorecard
//! with N/A cells, an auto-fail and an unknown criterion, grouped by agent, with exact
//! values and per-metric row accounting.

mod common;
use common::*;
use serde_json::{json, Value};

fn close(actual: &Value, expected: f64) {
    let a = actual.as_f64().unwrap_or(f64::NAN);
    assert!(
        (a - expected).abs() <= 1e-9,
        "expected {expected}, got {actual}"
    );
}

/// Long format, one row per respondent × attribute.
const SURVEY: &str = "respondent,attribute,satisfaction,importance\n\
                      1,price,4,6\n\
                      1,delivery,7,1\n\
                      2,price,6,\n\
                      2,delivery,7,3\n\
                      3,speed,5,4\n\
                      3,price,9,6\n\
                      4,delivery,,5\n\
                      5,price,5,12\n";

fn run_json(s: &Scratch, config: &str) -> Value {
    let cfg = s.write("client.toml", config);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

fn metric<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == id)
        .unwrap_or_else(|| panic!("no metric {id}: {report}"))
}

#[test]
fn csi_worked_example_with_fixed_weights_and_with_importances() {
    let s = Scratch::new();
    let reg = s.registry(&[("csi", "cxm-plugin-csi", None)]);
    s.write("survey.csv", SURVEY);
    let report = run_json(
        &s,
        &format!(
            "client = \"CSI\"\nplugins = {:?}\n\n\
             [datasets.survey]\npath = \"survey.csv\"\n\
             [datasets.survey.fields]\nattribute = \"attribute\"\n\
             satisfaction = {{ column = \"satisfaction\", type = \"number\" }}\n\
             importance = {{ column = \"importance\", type = \"number\" }}\n\n\
             [[metrics]]\nid = \"csi_fixed\"\nplugin = \"csi\"\ndataset = \"survey\"\n\
             inputs = {{ attribute = \"attribute\", satisfaction = \"satisfaction\" }}\n\
             params = {{ weights = {{ price = 6, delivery = 2 }}, min_n = 1 }}\n\n\
             [[metrics]]\nid = \"csi_importance\"\nplugin = \"csi\"\ndataset = \"survey\"\n\
             inputs = {{ attribute = \"attribute\", satisfaction = \"satisfaction\", importance = \"importance\" }}\n\
             params = {{ min_n = 1 }}\n",
            reg.display().to_string()
        ),
    );

    // Fixed weights: price 4, 6, 5 (mean 5; the importance 12 is not read), delivery 7, 7
    // (mean 7). speed has no weight, price 9 is off the 1-7 scale, one satisfaction is
    // empty. CSI = 100 · (6·5 + 2·7) / (7 · 8) = 78.571428…
    let m = metric(&report, "csi_fixed");
    assert_eq!(m["rows_used"], 5);
    assert_eq!(
        m["rows_rejected"],
        json!({"attribute_without_weight": 1, "out_of_scale": 1, "empty": 1})
    );
    let r = result(&report, "csi_fixed", json!({}));
    close(&r["value"], 4400.0 / 56.0);
    assert_eq!(r["n"], 5.0);
    assert_eq!(r["unit"], "CSI (0-100, importance-weighted, scale 1-7)");
    assert_eq!(r["details"]["attributes"], 2);
    assert_eq!(r["details"]["weight_source"], "weights");
    let table = &r["tables"][0];
    assert_eq!(table["name"], "attributes");
    assert_eq!(
        table["columns"],
        json!([
            "attribute",
            "weight",
            "normalized_weight",
            "mean_satisfaction",
            "satisfaction_share",
            "priority_gap",
            "n"
        ])
    );
    // Normalised weights 0.75 / 0.25, satisfaction shares 5/12 / 7/12: price's gap 1/3
    // comes first, delivery's −1/3 last.
    let rows = table["rows"].as_array().expect("rows");
    assert_eq!(rows[0][0], "price");
    assert_eq!(rows[1][0], "delivery");
    for (row, want) in rows.iter().zip([
        [6.0, 0.75, 5.0, 5.0 / 12.0, 0.75 - 5.0 / 12.0, 3.0],
        [2.0, 0.25, 7.0, 7.0 / 12.0, 0.25 - 7.0 / 12.0, 2.0],
    ]) {
        for (cell, w) in row.as_array().expect("row")[1..].iter().zip(want) {
            close(cell, w);
        }
    }

    // Mean importances: price 6 (the row without importance counts for satisfaction
    // only; 12 is off the scale and rejects its row), delivery (1 + 3) / 2 = 2, speed 4.
    // CSI = 100 · (6·5 + 2·7 + 4·5) / (7 · 12) = 6400 / 84 = 76.190476…
    let m = metric(&report, "csi_importance");
    assert_eq!(m["rows_used"], 5);
    assert_eq!(
        m["rows_rejected"],
        json!({"out_of_scale": 1, "empty": 1, "importance_out_of_scale": 1})
    );
    let r = result(&report, "csi_importance", json!({}));
    close(&r["value"], 6400.0 / 84.0);
    assert_eq!(r["n"], 5.0);
    assert_eq!(r["details"]["attributes"], 3);
    assert_eq!(r["details"]["weight_source"], "importance");
}

#[test]
fn csi_without_importance_or_weights_is_a_config_error() {
    let s = Scratch::new();
    let reg = s.registry(&[("csi", "cxm-plugin-csi", None)]);
    s.write("survey.csv", SURVEY);
    let cfg = s.write(
        "client.toml",
        &format!(
            "client = \"CSI\"\nplugins = {:?}\n[datasets.survey]\npath = \"survey.csv\"\n\
             [datasets.survey.fields]\nattribute = \"attribute\"\nsatisfaction = \"satisfaction\"\n\
             [[metrics]]\nid = \"csi\"\nplugin = \"csi\"\ndataset = \"survey\"\n\
             inputs = {{ attribute = \"attribute\", satisfaction = \"satisfaction\" }}\n",
            reg.display().to_string()
        ),
    );
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("map the importance input"),
        "{}",
        stderr(&o)
    );
}

/// QA reviews, one row per review × criterion; all rows of a review share the agent.
/// Criterion scores on 0-100: accuracy (0-5, weight 2, critical), tone (1-5), process (0-10).
/// - ana R1: 100, 75, 80 → (200 + 75 + 80) / 4 = 88.75 (pass)
/// - ana R2: accuracy 40 < 50 → auto-fail, 0
/// - ana R4: all N/A → no applicable criterion, left out
/// - ben R3: 80, N/A, 60 → 220 / 3 = 73.33… (fail)
/// - ben R5: N/A, 100, 60 (+ an unknown criterion, rejected) → 160 / 2 = 80 (pass)
const QA: &str = "review_id,agent,criterion,score\n\
                  R1,ana,accuracy,5\n\
                  R1,ana,tone,4\n\
                  R1,ana,process,8\n\
                  R2,ana,accuracy,2\n\
                  R2,ana,tone,5\n\
                  R2,ana,process,10\n\
                  R3,ben,accuracy,4\n\
                  R3,ben,tone,N/A\n\
                  R3,ben,process,6\n\
                  R4,ana,accuracy,N/A\n\
                  R4,ana,tone,\n\
                  R4,ana,process,N/A\n\
                  R5,ben,accuracy,N/A\n\
                  R5,ben,tone,5\n\
                  R5,ben,process,6\n\
                  R5,ben,empathy,3\n";

#[test]
fn iqs_with_na_auto_fail_and_unknown_criterion_grouped_by_agent() {
    let s = Scratch::new();
    let reg = s.registry(&[("iqs", "cxm-plugin-iqs", None)]);
    s.write("qa.csv", QA);
    let report = run_json(
        &s,
        &format!(
            "client = \"QA\"\nplugins = {:?}\n\n\
             [datasets.qa]\npath = \"qa.csv\"\nnull_values = [\"\", \"N/A\"]\n\
             [datasets.qa.fields]\nreview_id = \"review_id\"\nagent = \"agent\"\n\
             criterion = \"criterion\"\nscore = {{ column = \"score\", type = \"number\" }}\n\n\
             [[metrics]]\nid = \"iqs\"\nplugin = \"iqs\"\ndataset = \"qa\"\n\
             inputs = {{ review_id = \"review_id\", criterion = \"criterion\", score = \"score\" }}\n\
             params = {{ min_n = 1, criteria = {{ accuracy = {{ weight = 2, scale = [0, 5], critical = true }}, \
             tone = {{ scale = [1, 5] }}, process = {{ weight = 1, scale = [0, 10] }} }} }}\n\n\
             [report]\ngroup_by = [\"agent\"]\n",
            reg.display().to_string()
        ),
    );
    let m = metric(&report, "iqs");
    assert_eq!(m["rows_used"], 15);
    assert_eq!(m["rows_rejected"], json!({"unknown_criterion": 1}));

    // ana: (88.75 + 0) / 2; R4 left out; 3 N/A answers.
    let ana = result(&report, "iqs", json!({"agent": "ana"}));
    close(&ana["value"], 44.375);
    assert_eq!(ana["n"], 2.0);
    assert_eq!(ana["unit"], "IQS (0-100, mean review score)");
    close(&ana["details"]["pass_rate"], 50.0);
    close(&ana["details"]["passed"], 1.0);
    close(&ana["details"]["auto_fail"], 1.0);
    close(&ana["details"]["not_applicable"], 3.0);
    close(&ana["details"]["reviews_without_applicable_criteria"], 1.0);
    assert!(
        ana["warnings"]
            .as_array()
            .expect("warnings")
            .contains(&json!("reviews_without_applicable_criteria")),
        "{ana}"
    );

    // ben: (220/3 + 80) / 2 = 230 / 3; 2 N/A answers.
    let ben = result(&report, "iqs", json!({"agent": "ben"}));
    close(&ben["value"], 230.0 / 3.0);
    assert_eq!(ben["n"], 2.0);
    close(&ben["details"]["pass_rate"], 50.0);
    close(&ben["details"]["auto_fail"], 0.0);
    close(&ben["details"]["not_applicable"], 2.0);
    close(&ben["details"]["reviews_without_applicable_criteria"], 0.0);
    assert_eq!(ben["warnings"], json!([]));

    // Overall, recomputed from the reviews: (88.75 + 0 + 220/3 + 80) / 4 = 2905 / 48.
    let all = result(&report, "iqs", json!({}));
    close(&all["value"], 2905.0 / 48.0);
    assert_eq!(all["n"], 4.0);
    close(&all["details"]["pass_rate"], 50.0);
    close(&all["details"]["auto_fail"], 1.0);
    close(&all["details"]["not_applicable"], 5.0);
    let table = &all["tables"][0];
    assert_eq!(table["name"], "criteria");
    assert_eq!(
        table["columns"],
        json!(["criterion", "weight", "critical", "mean_score", "n"])
    );
    // Criterion means over applicable answers (the auto-failed review's raw scores count):
    // accuracy (100 + 40 + 80) / 3, process (80 + 100 + 60 + 60) / 4, tone (75 + 100 + 100) / 3.
    let mut rows: Vec<(String, f64, f64)> = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap_or_default().to_string(),
                r[3].as_f64().unwrap_or(f64::NAN),
                r[4].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let expected = [
        ("accuracy", 220.0 / 3.0, 3.0),
        ("process", 75.0, 4.0),
        ("tone", 275.0 / 3.0, 3.0),
    ];
    for ((name, mean, n), (want_name, want_mean, want_n)) in rows.iter().zip(expected) {
        assert_eq!(name, want_name);
        assert!((mean - want_mean).abs() <= 1e-9, "{name}: {mean}");
        assert_eq!(*n, want_n, "{name}");
    }
}
