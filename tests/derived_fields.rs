//! Derived fields (issue 14) through the real binary, on a small file shaped like the IBM
//! Telco churn export (customerID, tenure, Contract, Churn, MonthlyCharges): churn share by
//! tenure band, a contract map as a number, a Yes/No map as a boolean, bands in declared
//! order, an integer group_by in numeric order, an explicit segment order, unmapped values
//! rejected with their reason, and located config errors.

mod common;
use common::*;
use serde_json::{json, Value};

/// 14 customers. Row 13 has a contract the map does not know ("Weekly"); row 14 a churn
/// flag that is neither Yes nor No ("Maybe"), and row 15 a tenure that is not a number.
const TELCO: &str = "customerID,tenure,Contract,Churn,MonthlyCharges\n\
                     0001-A,1,Month-to-month,Yes,29.85\n\
                     0002-B,34,One year,No,56.95\n\
                     0003-C,2,Month-to-month,Yes,53.85\n\
                     0004-D,45,One year,No,42.30\n\
                     0005-E,2,Month-to-month,No,70.70\n\
                     0006-F,8,Month-to-month,Yes,99.65\n\
                     0007-G,22,Month-to-month,No,89.10\n\
                     0008-H,10,Month-to-month,No,29.75\n\
                     0009-I,28,Two year,No,104.80\n\
                     0010-J,62,One year,No,56.15\n\
                     0011-K,13,Month-to-month,Yes,49.95\n\
                     0012-L,16,Two year,No,18.95\n\
                     0013-M,58,Weekly,No,100.35\n\
                     0014-N,10,Two year,Maybe,20.00\n\
                     0015-O,soon,One year,No,20.00\n";

const FIELDS: &str = r#"[datasets.telco.fields]
customer = "customerID"
tenure = { column = "tenure", type = "integer" }
Contract = "Contract"
Churn = "Churn"
charges = { column = "MonthlyCharges", type = "number" }
tenure_band = { from = "tenure", bands = [
    { label = "new", max = 12 },
    { label = "growing", max = 24 },
    { label = "loyal" },
] }
contract_score = { from = "Contract", map = { "Month-to-month" = 0, "One year" = 50, "Two year" = 100 } }
churned = { from = "Churn", map = { Yes = true, No = false } }
"#;

const METRICS: &str = r#"
[[metrics]]
id = "churn_by_band"
plugin = "basic/share"
dataset = "telco"
inputs = { text = "Churn" }
params = { equals = "Yes" }
group_by = ["tenure_band"]

[[metrics]]
id = "contract_health"
plugin = "basic/mean"
dataset = "telco"
inputs = { value = "contract_score" }

[[metrics]]
id = "by_tenure"
plugin = "basic/count"
dataset = "telco"
group_by = ["tenure"]

[[metrics]]
id = "by_churned"
plugin = "basic/count"
dataset = "telco"
group_by = ["churned"]

[[metrics]]
id = "charges_of_churned"
plugin = "basic/mean"
dataset = "telco"
inputs = { value = "charges" }
filter = { churned = true }

[[metrics]]
id = "by_contract"
plugin = "basic/count"
dataset = "telco"
group_by = ["Contract"]
order = { Contract = ["Two year", "One year"] }
"#;

/// Writes the data, a registry with the basic plugins and a config with `fields` and
/// `metrics`; returns the config.
fn client(s: &Scratch, fields: &str, metrics: &str) -> std::path::PathBuf {
    let registry = s.registry(&[("basic", "cxm-plugin-basic", None)]);
    s.write("telco.csv", TELCO);
    let text = format!(
        "client = \"Telco\"\nplugins = {:?}\n\n[datasets.telco]\npath = \"telco.csv\"\n\n{fields}{metrics}",
        registry.display().to_string()
    );
    s.write("client.toml", &text)
}

/// The segments of `metric` grouped by `key`, in result order.
fn segments(report: &Value, metric: &str, key: &str) -> Vec<String> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["metric"] == metric)
        .filter_map(|r| {
            r["group"]
                .get(key)
                .map(|v| v.as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn metric<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == id)
        .unwrap_or_else(|| panic!("no metric {id}"))
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() <= 1e-9, "expected {expected}, got {a}");
}

#[test]
fn derived_fields_feed_metrics_groups_and_filters() {
    let s = Scratch::new();
    let config = client(&s, FIELDS, METRICS);
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

    // Churn share by tenure band, bands in declared order (not alphabetical).
    assert_eq!(
        segments(&report, "churn_by_band", "tenure_band"),
        vec!["new", "growing", "loyal"]
    );
    let share = |band: &str| {
        result(&report, "churn_by_band", json!({ "tenure_band": band }))["value"].clone()
    };
    close(&share("new"), 100.0 * 3.0 / 6.0);
    close(&share("growing"), 100.0 / 3.0);
    close(&share("loyal"), 0.0);
    // The unreadable tenure (row 15) makes its band unknown: rejected for that metric.
    let m = metric(&report, "churn_by_band");
    assert_eq!(m["rows_used"], 14, "{m}");
    assert_eq!(m["rows_rejected"], json!({ "not_a_number": 1 }), "{m}");

    // The contract map as a number: 7 × 0, 4 × 50, 3 × 100; "Weekly" is rejected.
    let health = result(&report, "contract_health", json!({}));
    close(&health["value"], (4.0 * 50.0 + 3.0 * 100.0) / 14.0);
    let m = metric(&report, "contract_health");
    assert_eq!(m["rows_used"], 14, "{m}");
    assert_eq!(m["rows_rejected"], json!({ "unmapped_value": 1 }), "{m}");

    // An integer group_by in numeric order (2 before 10), the unreadable one rejected.
    assert_eq!(
        segments(&report, "by_tenure", "tenure"),
        vec!["1", "2", "8", "10", "13", "16", "22", "28", "34", "45", "58", "62"]
    );
    close(
        &result(&report, "by_tenure", json!({ "tenure": "10" }))["value"],
        2.0,
    );

    // A boolean map: false before true; "Maybe" is not in the map.
    assert_eq!(
        segments(&report, "by_churned", "churned"),
        vec!["false", "true"]
    );
    close(
        &result(&report, "by_churned", json!({ "churned": "true" }))["value"],
        4.0,
    );
    let m = metric(&report, "by_churned");
    assert_eq!(m["rows_rejected"], json!({ "unmapped_value": 1 }), "{m}");

    // A filter on the boolean: the four churned customers' charges.
    close(
        &result(&report, "charges_of_churned", json!({}))["value"],
        (29.85 + 53.85 + 99.65 + 49.95) / 4.0,
    );

    // An explicit order first, the other segments after it in their natural order.
    assert_eq!(
        segments(&report, "by_contract", "Contract"),
        vec!["Two year", "One year", "Month-to-month", "Weekly"]
    );

    // The unmapped values are counted per field and listed with their original text.
    let telco = &report["datasets"][0];
    assert_eq!(telco["invalid_values"]["contract_score"], 1, "{telco}");
    assert_eq!(telco["invalid_values"]["churned"], 1, "{telco}");
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    let weekly = rejected
        .lines()
        .find(|l| l.contains("unmapped_value") && l.contains("contract_score"))
        .unwrap_or_else(|| panic!("{rejected}"));
    assert!(
        weekly.contains("Weekly") && weekly.contains(",14,"),
        "{weekly}"
    );
    let maybe = rejected
        .lines()
        .find(|l| l.contains("unmapped_value") && l.contains("churned"))
        .unwrap_or_else(|| panic!("{rejected}"));
    assert!(maybe.contains("Maybe") && maybe.contains(",15,"), "{maybe}");

    // The table shows the bands in the same order.
    let o = run(&["run", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    let at = |label: &str| {
        table
            .find(&format!("tenure_band={label}"))
            .or_else(|| table.find(label))
            .unwrap_or_else(|| panic!("{label} not in {table}"))
    };
    assert!(
        at("new") < at("growing") && at("growing") < at("loyal"),
        "{table}"
    );
}

#[test]
fn values_above_closed_bands_are_rejected() {
    let s = Scratch::new();
    let fields = FIELDS.replace("    { label = \"loyal\" },\n", "");
    let metrics = r#"
[[metrics]]
id = "by_band"
plugin = "basic/count"
dataset = "telco"
group_by = ["tenure_band"]
"#;
    let config = client(&s, &fields, metrics);
    let o = run(&["run", config.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let m = metric(&report, "by_band");
    // Tenures above 24 (34, 45, 28, 62, 58) and the unreadable one.
    assert_eq!(
        m["rows_rejected"],
        json!({ "outside_bands": 5, "not_a_number": 1 }),
        "{m}"
    );
    assert_eq!(
        segments(&report, "by_band", "tenure_band"),
        vec!["new", "growing"]
    );
}

#[test]
fn derived_field_mistakes_are_located() {
    let cases = [
        (
            FIELDS.replace("{ from = \"tenure\", bands", "{ from = \"tenur\", bands"),
            "client.toml:13:24:",
            "unknown field \"tenur\"",
        ),
        (
            FIELDS.replace(
                "{ label = \"growing\", max = 24 }",
                "{ label = \"growing\", max = 12 }",
            ),
            "client.toml:15:5:",
            "band bounds must rise",
        ),
        (
            FIELDS.replace("map = { Yes = true, No = false }", "map = {}"),
            "client.toml:19:35:",
            "map is empty",
        ),
        (
            FIELDS.replace(
                "map = { Yes = true, No = false }",
                "map = { Yes = true, No = 0 }",
            ),
            "client.toml:19:35:",
            "mixed types",
        ),
    ];
    for (fields, at, message) in cases {
        let s = Scratch::new();
        let config = client(&s, &fields, METRICS);
        for command in ["validate", "run"] {
            let o = run(&[command, config.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(3), "{command}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(
                err.contains(at) && err.contains(message),
                "{at} {message}: {err}"
            );
        }
    }
    // An order naming a field the metric does not group by.
    let s = Scratch::new();
    let metrics = METRICS.replace("order = { Contract = [", "order = { Churn = [");
    let config = client(&s, FIELDS, &metrics);
    let o = run(&["validate", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a group_by dimension"),
        "{}",
        stderr(&o)
    );
}
