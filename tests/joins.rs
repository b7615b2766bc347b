//! Lookups (issue 14) through the real binary: survey answers take their customer's plan
//! and MRR from the customers file (NPS by plan, revenue-weighted NPS), customers take their
//! latest NPS answer and their number of answers from the survey file (churn by latest NPS
//! category), unmatched rows counted and kept or rejected, a duplicate key refused with both
//! lines, and located config mistakes.
//!
//! Every expected figure is worked out by hand in the comments from the two files below.

mod common;
use common::*;
use serde_json::{json, Value};

/// Five customers; C5 never answered.
const CUSTOMERS: &str = "customer_id,plan,mrr,churned\n\
                         C1,Pro,100,Yes\n\
                         C2,Pro,300,No\n\
                         C3,Basic,20,No\n\
                         C4,Basic,10,Yes\n\
                         C5,Basic,30,No\n";

/// Eight answers; R7's customer is not in the customers file, R8 has none (lines 8, 9).
const RESPONSES: &str = "response_id,customer_id,answered_at,score\n\
                         R1,C1,2024-01-05,10\n\
                         R2,C1,2024-03-01,6\n\
                         R3,C2,2024-02-10,9\n\
                         R4,C3,2024-01-20,3\n\
                         R5,C3,2024-02-20,8\n\
                         R6,C4,2024-03-15,10\n\
                         R7,C9,2024-03-16,9\n\
                         R8,,2024-03-17,7\n";

const DATASETS: &str = r#"
[datasets.customers]
path = "customers.csv"
[datasets.customers.fields]
customer_id = "customer_id"
plan = "plan"
mrr = { column = "mrr", type = "number" }
Churned = "churned"
churned = { from = "Churned", map = { Yes = true, No = false } }
category = { from = "latest_score", bands = [
    { label = "detractor", max = 6 }, { label = "passive", max = 8 }, { label = "promoter" } ] }

[[datasets.customers.lookups]]
dataset = "responses"
key = "customer_id"
aggregate = { latest_score = { latest = "score", by = "answered_at" }, answers = "count", mean_score = { mean = "score" } }

[datasets.responses]
path = "responses.csv"
[datasets.responses.fields]
response_id = "response_id"
customer_id = "customer_id"
answered_at = { column = "answered_at", type = "date" }
score = { column = "score", type = "integer" }

[[datasets.responses.lookups]]
dataset = "customers"
key = "customer_id"
fields = ["plan", "mrr"]

# The same answers weighted by their customer's MRR; answers without a customer are out.
[datasets.weighted]
path = "responses.csv"
weight = "mrr"
[datasets.weighted.fields]
customer_id = "customer_id"
score = { column = "score", type = "integer" }

[[datasets.weighted.lookups]]
dataset = "customers"
key = "customer_id"
fields = ["mrr"]
unmatched = "reject"
"#;

const METRICS: &str = r#"
[[metrics]]
id = "nps_by_plan"
plugin = "nps"
dataset = "responses"
inputs = { score = "score" }
group_by = ["plan"]

[[metrics]]
id = "nps_by_mrr"
plugin = "nps"
dataset = "weighted"
inputs = { score = "score" }

[[metrics]]
id = "churn_by_category"
plugin = "basic/share"
dataset = "customers"
inputs = { text = "Churned" }
params = { equals = "Yes" }
group_by = ["category"]

[[metrics]]
id = "answers_per_customer"
plugin = "basic/mean"
dataset = "customers"
inputs = { value = "answers" }

[[metrics]]
id = "mean_score"
plugin = "basic/mean"
dataset = "customers"
inputs = { value = "mean_score" }
"#;

fn client(s: &Scratch, datasets: &str, metrics: &str) -> std::path::PathBuf {
    let registry = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("basic", "cxm-plugin-basic", None),
    ]);
    s.write("customers.csv", CUSTOMERS);
    s.write("responses.csv", RESPONSES);
    let text = format!(
        "client = \"SaaS\"\nplugins = {:?}\n{datasets}{metrics}",
        registry.display().to_string()
    );
    s.write("client.toml", &text)
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() <= 1e-9, "expected {expected}, got {a}");
}

fn metric<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == id)
        .unwrap_or_else(|| panic!("no metric {id}"))
}

fn dataset<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["datasets"]
        .as_array()
        .expect("datasets")
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no dataset {name}"))
}

fn notice<'a>(report: &'a Value, name: &str, kind: &str) -> &'a Value {
    dataset(report, name)["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .find(|w| w["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} notice on {name}: {report}"))
}

#[test]
fn lookups_feed_groups_weights_and_derived_fields() {
    let s = Scratch::new();
    let config = client(&s, DATASETS, METRICS);
    let out = s.path("out");
    let o = run(&[
        "run",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();

    // NPS by plan. Pro: 10, 6 (C1), 9 (C2): 2 promoters, 1 detractor of 3 = 33.33.
    // Basic: 3, 8 (C3), 10 (C4): 1 promoter, 1 detractor of 3 = 0.
    let nps = |group: Value| result(&report, "nps_by_plan", group)["value"].clone();
    close(&nps(json!({ "plan": "Pro" })), 100.0 / 3.0);
    close(&nps(json!({ "plan": "Basic" })), 0.0);
    // Overall, the two unmatched answers (kept) included: 10 6 9 3 8 10 9 7 → (4 − 2) / 8.
    close(&nps(json!({})), 25.0);
    let m = metric(&report, "nps_by_plan");
    assert_eq!(m["rows_used"], 8, "{m}");
    let unmatched = notice(&report, "responses", "unmatched");
    assert_eq!(unmatched["count"], 2, "{unmatched}");
    assert_eq!(unmatched["lines"], json!([8, 9]), "{unmatched}");

    // Revenue-weighted NPS, unmatched answers rejected: weights 100 100 300 20 20 10 (550);
    // promoters R1 100 + R3 300 + R6 10 = 410, detractors R2 100 + R4 20 = 120.
    close(
        &result(&report, "nps_by_mrr", json!({}))["value"],
        100.0 * (410.0 - 120.0) / 550.0,
    );
    let m = metric(&report, "nps_by_mrr");
    assert_eq!(m["rows_used"], 6, "{m}");
    assert_eq!(m["rows_rejected"], json!({ "unmatched_key": 2 }), "{m}");
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    let c9 = rejected
        .lines()
        .find(|l| l.contains("unmatched_key") && l.contains("C9"))
        .unwrap_or_else(|| panic!("{rejected}"));
    assert!(c9.starts_with("weighted,8,"), "{c9}");

    // Latest answer per customer: C1 6 (March, not 10 in January) → detractor, C2 9 →
    // promoter, C3 8 (February) → passive, C4 10 → promoter; C5 has none.
    // Churned: detractor C1 (1 of 1), passive C3 (0 of 1), promoter C2, C4 (1 of 2).
    let churn = |band: &str| {
        result(&report, "churn_by_category", json!({ "category": band }))["value"].clone()
    };
    close(&churn("detractor"), 100.0);
    close(&churn("passive"), 0.0);
    close(&churn("promoter"), 50.0);
    // Bands in declared order.
    let order: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["metric"] == "churn_by_category")
        .filter_map(|r| r["group"]["category"].as_str())
        .collect();
    assert_eq!(
        &order[..3],
        &["detractor", "passive", "promoter"],
        "{order:?}"
    );

    // Answers per customer: 2, 1, 2, 1 and 0 for C5 (a count of no rows is 0).
    close(
        &result(&report, "answers_per_customer", json!({}))["value"],
        6.0 / 5.0,
    );
    // Mean score per customer: 8, 9, 5.5, 10; C5 has none (empty).
    let m = metric(&report, "mean_score");
    assert_eq!(m["rows_used"], 4, "{m}");
    close(
        &result(&report, "mean_score", json!({}))["value"],
        (8.0 + 9.0 + 5.5 + 10.0) / 4.0,
    );
    let unmatched = notice(&report, "customers", "unmatched");
    assert_eq!(unmatched["count"], 1, "{unmatched}");
    assert_eq!(unmatched["lines"], json!([6]), "{unmatched}");

    // The notices are on stderr too.
    let err = stderr(&o);
    assert!(
        err.contains("dataset \"responses\": 2 rows have a customer_id with no match in dataset \"customers\""),
        "{err}"
    );
}

#[test]
fn a_duplicate_key_is_refused_with_both_lines() {
    let s = Scratch::new();
    let config = client(&s, DATASETS, METRICS);
    s.write("customers.csv", &format!("{CUSTOMERS}C3,Pro,99,No\n"));
    let o = run(&["run", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("dataset \"customers\": customer_id \"C3\" is on line 4 and on line 7"),
        "{err}"
    );
    assert!(err.contains("aggregate"), "{err}");
}

#[test]
fn lookup_mistakes_are_located() {
    let cases = [
        (
            DATASETS.replace(
                "dataset = \"customers\"\nkey = \"customer_id\"\nfields = [\"plan\", \"mrr\"]",
                "dataset = \"clients\"\nkey = \"customer_id\"\nfields = [\"plan\", \"mrr\"]",
            ),
            "unknown dataset \"clients\"",
        ),
        (
            DATASETS.replace(
                "fields = [\"plan\", \"mrr\"]",
                "fields = [\"plan\", \"revenue\"]",
            ),
            "field \"revenue\" is not a field of dataset \"customers\"",
        ),
        (
            DATASETS.replace(
                "fields = [\"plan\", \"mrr\"]",
                "fields = [\"plan\", \"score\"]",
            ),
            "field \"score\" is already defined in dataset \"responses\"",
        ),
        (
            DATASETS.replace(
                "latest = \"score\", by = \"answered_at\"",
                "latest = \"score\", by = \"score\"",
            ),
            "it must be date or datetime",
        ),
        (
            DATASETS.replace("unmatched = \"reject\"", "unmatched = \"drop\""),
            "use \"keep\" or \"reject\"",
        ),
    ];
    for (datasets, message) in cases {
        let s = Scratch::new();
        let config = client(&s, &datasets, METRICS);
        for command in ["validate", "run"] {
            let o = run(&[command, config.to_str().unwrap()]);
            assert_eq!(
                o.status.code(),
                Some(3),
                "{command} {message}: {}",
                stderr(&o)
            );
            let err = stderr(&o);
            assert!(
                err.contains("client.toml:") && err.contains(message),
                "{message}: {err}"
            );
        }
    }
    // A looked-up column missing from the file is found by validate, at the mapping.
    let s = Scratch::new();
    let config = client(&s, DATASETS, METRICS);
    s.write(
        "customers.csv",
        &CUSTOMERS.replace(
            "customer_id,plan,mrr,churned",
            "customer_id,tier,mrr,churned",
        ),
    );
    let o = run(&["validate", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("plan"), "{}", stderr(&o));
}
