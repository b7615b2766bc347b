//! Pre-aggregated input (one row per score with a count in the weight column) must give
//! exactly the same results as the raw rows, through the real binary and plugins.

mod common;
use common::*;
use serde_json::json;

fn client(s: &Scratch, data: &str, weight: bool) -> std::path::PathBuf {
    let reg = s.survey_registry();
    let weight_line = if weight { "weight = \"count\"\n" } else { "" };
    let count_field = if weight { "count = \"count\"\n" } else { "" };
    let text = format!(
        "client = \"W\"\nplugins = {:?}\n[datasets.d]\npath = \"{data}\"\n{weight_line}[datasets.d.fields]\nscore = \"score\"\n{count_field}\
         [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"d\"\ninputs = {{ score = \"score\" }}\n\
         [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"d\"\ninputs = {{ score = \"score\" }}\nparams = {{ scale = [0, 10], satisfied = [8, 10] }}\n\
         [[metrics]]\nid = \"ces\"\nplugin = \"ces\"\ndataset = \"d\"\ninputs = {{ score = \"score\" }}\nparams = {{ scale = [0, 10], easy = [7, 10] }}\n",
        reg.display().to_string()
    );
    s.write(&format!("{data}.toml"), &text)
}

#[test]
fn weighted_rows_equal_expanded_rows() {
    let s = Scratch::new();
    let counts = [(10, 7), (9, 5), (8, 4), (7, 2), (5, 3), (2, 2), (0, 1)];
    let mut raw = String::from("score\n");
    let mut agg = String::from("score,count\n");
    for (score, count) in counts {
        for _ in 0..count {
            raw.push_str(&format!("{score}\n"));
        }
        agg.push_str(&format!("{score},{count}\n"));
    }
    s.write("raw.csv", &raw);
    s.write("agg.csv", &agg);
    let raw_cfg = client(&s, "raw.csv", false);
    let agg_cfg = client(&s, "agg.csv", true);
    let a = run(&["run", raw_cfg.to_str().unwrap(), "--format", "json"]);
    let b = run(&["run", agg_cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let (a, b) = (json(&a), json(&b));
    for metric in ["nps", "csat", "ces"] {
        let ra = result(&a, metric, json!({}));
        let rb = result(&b, metric, json!({}));
        for key in ["value", "n", "ci", "details", "warnings"] {
            assert_eq!(ra[key], rb[key], "{metric}.{key}");
        }
    }
    // 12 promoters, 6 passives, 6 detractors of 24: NPS = 100 * (12 - 6) / 24 = 25.
    assert_eq!(result(&a, "nps", json!({}))["value"], 25.0);
    assert_eq!(result(&a, "nps", json!({}))["n"], 24);
}

#[test]
fn negative_or_missing_weights_are_rejected_not_dropped() {
    let s = Scratch::new();
    s.write("agg.csv", "score,count\n10,3\n9,-1\n8,\n0,1\n");
    let cfg = client(&s, "agg.csv", true);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let nps = &report["metrics"][0];
    assert_eq!(nps["rows_used"], 2);
    assert_eq!(nps["rows_rejected"], json!({"invalid_weight": 2}));
    assert_eq!(result(&report, "nps", json!({}))["n"], 4);
}
