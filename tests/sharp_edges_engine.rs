//! Issue 14's sharp edges that live in the engine: a text column mapped to a numeric input
//! (edge 2: `validate` reads a sample and fails with the mapping's location; `run` warns
//! loudly when a metric used no row), and a filtered metric's empty groups (edge 9: groups
//! that none of its rows reached are omitted, the overall figure stays).

mod common;

use common::{json, run, stderr, Scratch};

/// A client on the demo survey: `fields` and `metrics` are TOML lines.
fn client(s: &Scratch, fields: &str, metrics: &str) -> String {
    let text = format!(
        "client = \"X\"\nplugins = {:?}\n[datasets.survey]\npath = {:?}\n\
         [datasets.survey.fields]\n{fields}\n{metrics}",
        common::repo()
            .join("config/plugins.toml")
            .display()
            .to_string(),
        common::repo()
            .join("data/demo/survey.csv")
            .display()
            .to_string(),
    );
    s.write("client.toml", &text).display().to_string()
}

const NPS_ON_REGION: &str = "nps = \"Region\"";
const NPS_METRIC: &str =
    "[[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = { score = \"nps\" }\n";

#[test]
fn validate_fails_on_a_text_column_mapped_to_a_numeric_input() {
    let s = Scratch::new();
    let config = client(&s, NPS_ON_REGION, NPS_METRIC);
    let o = run(&["validate", &config]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("client.toml:6:1: dataset \"survey\": field \"nps\" (column \"Region\") is read as integer by metric \"nps\", but 2999 of the first 2999 non-empty values are not (line 2: \"East\", line 3: \"South\", line 4: \"East\")"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn validate_passes_a_column_with_a_few_bad_cells() {
    // The demo survey's score column has a few unreadable cells (they are rejected by a
    // run, with reasons): that is data, not a wrong mapping.
    let s = Scratch::new();
    let config = client(
        &s,
        "nps = { column = \"Likelihood to recommend\", type = \"integer\" }",
        NPS_METRIC,
    );
    let o = run(&["validate", &config]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn run_warns_loudly_when_a_metric_used_no_row() {
    let s = Scratch::new();
    let config = client(&s, NPS_ON_REGION, NPS_METRIC);
    let o = run(&["run", &config, "--format", "json"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: metric \"nps\" used none of the 3000 rows of dataset \"survey\": 2999 rejected (not_a_number); its figures are empty"),
        "{err}"
    );
    let report = json(&o);
    assert_eq!(report["metrics"][0]["rows_used"], 0);
}

#[test]
fn a_filtered_metric_lists_no_empty_groups() {
    let s = Scratch::new();
    let metrics = format!(
        "{NPS_METRIC}group_by = [\"channel\"]\n\
         [[metrics]]\nid = \"nps_web\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
         inputs = {{ score = \"nps\" }}\ngroup_by = [\"channel\"]\nfilter = {{ channel = \"web\" }}\n"
    );
    let config = client(
        &s,
        "nps = { column = \"Likelihood to recommend\", type = \"integer\" }\nchannel = \"Channel\"",
        &metrics,
    );
    let o = run(&["run", &config, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let groups = |id: &str| -> Vec<String> {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["metric"] == id)
            .map(|r| r["group"].to_string())
            .collect()
    };
    // The unfiltered metric has a group per channel; the filtered one the overall figure
    // and "web" only.
    assert!(groups("nps").len() > 2, "{:?}", groups("nps"));
    assert_eq!(
        groups("nps_web"),
        vec!["{}".to_string(), "{\"channel\":\"web\"}".to_string()]
    );
    for r in report["results"].as_array().unwrap() {
        if r["group"] != serde_json::json!({}) {
            assert!(r["n"].as_f64().unwrap() > 0.0, "{r}");
        }
    }
}
