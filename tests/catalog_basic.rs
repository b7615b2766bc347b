//! End-to-end test of the `basic` plugin library (count, sum, mean, share, percentile)
//! through the real binary: one orders CSV with a text `channel` and a numeric `value`,
//! exact values, per-metric row accounting, a grouped sum, weighted rows equal to expanded
//! rows, and a bind error for a condition that does not suit the mapped input.

mod common;
use common::*;
use serde_json::json;

/// 12 orders. `value`: row 5 empty, row 8 not a number; `channel`: row 6 empty, row 10
/// "Chat" (text comparisons are exact, so it is not "chat").
const ORDERS: &str = "order_id,channel,value\n\
                      1,chat,120\n\
                      2,email,80\n\
                      3,chat,40\n\
                      4,phone,200\n\
                      5,chat,\n\
                      6,,60\n\
                      7,email,100\n\
                      8,chat,abc\n\
                      9,phone,150\n\
                      10,Chat,90\n\
                      11,email,70\n\
                      12,phone,300\n";

const METRICS: &str = r#"
[[metrics]]
id = "share_chat"
plugin = "basic/share"
dataset = "orders"
inputs = { text = "channel" }
params = { equals = "chat" }

[[metrics]]
id = "share_big"
plugin = "share"
dataset = "orders"
inputs = { number = "value" }
params = { at_least = 100, unit = "orders" }

[[metrics]]
id = "p90"
plugin = "percentile"
dataset = "orders"
inputs = { value = "value" }
params = { p = 0.9, unit = "EUR" }

[[metrics]]
id = "mean_value"
plugin = "mean"
dataset = "orders"
inputs = { value = "value" }
params = { range = [0, 250], unit = "EUR" }

[[metrics]]
id = "rows"
plugin = "count"
dataset = "orders"

[[metrics]]
id = "orders_with_channel"
plugin = "count"
dataset = "orders"
inputs = { value = "channel" }
params = { unit = "orders" }

[[metrics]]
id = "revenue"
plugin = "sum"
dataset = "orders"
inputs = { value = "value" }
params = { unit = "EUR" }
group_by = ["channel"]
"#;

/// Writes the CSV `data` as `orders.csv` and a client config with `metrics`; `weight`
/// names the dataset's weight field, if any.
fn client(s: &Scratch, data: &str, weight: Option<&str>, metrics: &str) -> std::path::PathBuf {
    let registry = s.registry(&[("basic", "cxm-plugin-basic", None)]);
    s.write("orders.csv", data);
    let weight_line = weight.map_or(String::new(), |w| format!("weight = \"{w}\"\n"));
    let weight_field = weight.map_or(String::new(), |w| {
        format!("{w} = {{ column = \"{w}\", type = \"number\" }}\n")
    });
    let text = format!(
        "client = \"Basic\"\nplugins = {:?}\n\n[datasets.orders]\npath = \"orders.csv\"\n\
         {weight_line}[datasets.orders.fields]\n\
         channel = {{ column = \"channel\", type = \"string\" }}\n\
         value = {{ column = \"value\", type = \"number\" }}\n{weight_field}{metrics}",
        registry.display().to_string()
    );
    s.write("client.toml", &text)
}

fn run_json(config: &std::path::Path) -> serde_json::Value {
    let o = run(&["run", config.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

fn close(actual: &serde_json::Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() <= 1e-9, "expected {expected}, got {a}");
}

/// The per-metric row accounting: (rows_used, rows_rejected).
fn accounting(report: &serde_json::Value, metric: &str) -> (serde_json::Value, serde_json::Value) {
    let m = report["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == metric)
        .unwrap_or_else(|| panic!("no metric {metric}"));
    assert!(m["error"].is_null(), "{m}");
    (m["rows_used"].clone(), m["rows_rejected"].clone())
}

#[test]
fn every_basic_metric_with_exact_values_and_row_accounting() {
    let s = Scratch::new();
    let report = run_json(&client(&s, ORDERS, None, METRICS));
    let valid_values = json!({"empty": 1, "not_a_number": 1});

    // share of channel = "chat": 11 rows with a channel, 4 exactly "chat" -> 100·4/11;
    // Wilson 4 of 11 (Python, statistics.NormalDist): (15.166471095367582, 64.6198825492151).
    assert_eq!(
        accounting(&report, "share_chat"),
        (json!(11), json!({"empty": 1}))
    );
    let r = result(&report, "share_chat", json!({}));
    close(&r["value"], 400.0 / 11.0);
    assert_eq!(r["n"], 11);
    close(&r["ci"]["low"], 15.166_471_095_367_582);
    close(&r["ci"]["high"], 64.619_882_549_215_1);
    assert_eq!(r["ci"]["method"], "wilson");
    assert_eq!(r["details"]["matching"], 4.0);
    assert_eq!(r["unit"], "% of rows where the value is \"chat\"");
    assert_eq!(r["warnings"], json!(["low_sample"]));

    // share of value >= 100: values 40 60 70 80 90 100 120 150 200 300 -> 5 of 10 = 50;
    // Wilson 5 of 10: (23.659309051256404, 76.3406909487436).
    assert_eq!(
        accounting(&report, "share_big"),
        (json!(10), valid_values.clone())
    );
    let r = result(&report, "share_big", json!({}));
    assert_eq!(r["value"], 50.0);
    close(&r["ci"]["low"], 23.659_309_051_256_404);
    close(&r["ci"]["high"], 76.340_690_948_743_6);
    assert_eq!(r["unit"], "% of orders where the value is at least 100");

    // p90, Hyndman-Fan 2: n·p = 9 is whole -> (x9 + x10)/2 = (200 + 300)/2 = 250;
    // median n·0.5 = 5 -> (90 + 100)/2 = 95.
    assert_eq!(
        accounting(&report, "p90"),
        (json!(10), valid_values.clone())
    );
    let r = result(&report, "p90", json!({}));
    assert_eq!(r["value"], 250.0);
    assert_eq!(r["n"], 10);
    assert!(r["ci"].is_null(), "{r}");
    assert_eq!(r["unit"], "EUR, 90th percentile (Hyndman-Fan definition 2)");
    assert_eq!(
        (
            &r["details"]["median"],
            &r["details"]["min"],
            &r["details"]["max"]
        ),
        (&json!(95.0), &json!(40.0), &json!(300.0))
    );

    // mean with range [0, 250]: 300 is out_of_scale; mean of the other 9 = 910/9,
    // sd 49.356976316536155 (statistics.stdev), t(0.975, 8) = 2.306004135204166
    // -> (63.17198061540896, 139.05024160681327).
    assert_eq!(
        accounting(&report, "mean_value"),
        (
            json!(9),
            json!({"empty": 1, "not_a_number": 1, "out_of_scale": 1})
        )
    );
    let r = result(&report, "mean_value", json!({}));
    close(&r["value"], 910.0 / 9.0);
    close(&r["details"]["sd"], 49.356_976_316_536_155);
    close(&r["ci"]["low"], 63.171_980_615_408_96);
    close(&r["ci"]["high"], 139.050_241_606_813_27);
    assert_eq!(r["details"]["max"], 200.0);
    assert_eq!(r["unit"], "EUR");

    // count without inputs: every row; with value = channel: the 11 with a channel.
    assert_eq!(accounting(&report, "rows"), (json!(12), json!({})));
    let r = result(&report, "rows", json!({}));
    assert_eq!((&r["value"], &r["unit"]), (&json!(12.0), &json!("rows")));
    assert_eq!(
        accounting(&report, "orders_with_channel"),
        (json!(11), json!({"empty": 1}))
    );
    let r = result(&report, "orders_with_channel", json!({}));
    assert_eq!((&r["value"], &r["unit"]), (&json!(11.0), &json!("orders")));

    // sum grouped by channel: chat 120 + 40, email 80 + 100 + 70, phone 200 + 150 + 300,
    // Chat 90, no channel 60; total 1210.
    assert_eq!(accounting(&report, "revenue"), (json!(10), valid_values));
    let sums = [
        (json!({}), 1210.0, 10),
        (json!({"channel": "chat"}), 160.0, 2),
        (json!({"channel": "email"}), 250.0, 3),
        (json!({"channel": "phone"}), 650.0, 3),
        (json!({"channel": "Chat"}), 90.0, 1),
        (json!({"channel": null}), 60.0, 1),
    ];
    for (group, value, n) in sums {
        let r = result(&report, "revenue", group.clone());
        assert_eq!(r["value"], value, "{group}");
        assert_eq!(r["n"], n, "{group}");
        assert_eq!(r["unit"], "EUR", "{group}");
    }
    let revenue_results = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["metric"] == "revenue")
        .count();
    assert_eq!(revenue_results, 6, "overall and five channels");
}

#[test]
fn weighted_rows_equal_expanded_rows() {
    // Pre-aggregated (channel, value, count) rows against the same rows written out.
    let rows = [
        ("chat", 120, 3),
        ("email", 80, 2),
        ("phone", 300, 1),
        ("chat", 40, 4),
    ];
    let mut raw = String::from("channel,value\n");
    let mut agg = String::from("channel,value,count\n");
    for (channel, value, count) in rows {
        for _ in 0..count {
            raw.push_str(&format!("{channel},{value}\n"));
        }
        agg.push_str(&format!("{channel},{value},{count}\n"));
    }
    let (a, b) = (Scratch::new(), Scratch::new());
    let raw = run_json(&client(&a, &raw, None, METRICS));
    let agg = run_json(&client(&b, &agg, Some("count"), METRICS));
    for metric in [
        "share_chat",
        "share_big",
        "p90",
        "mean_value",
        "rows",
        "revenue",
    ] {
        let (ra, rb) = (
            result(&raw, metric, json!({})),
            result(&agg, metric, json!({})),
        );
        for key in ["value", "n", "ci", "details", "warnings"] {
            assert_eq!(ra[key], rb[key], "{metric}.{key}");
        }
    }
    // 7 of 10 rows are chat -> 70; p90 of [40×4, 80×2, 120×3, 300]: W·0.9 = 9 = C(120)
    // exactly -> (120 + 300)/2 = 210.
    assert_eq!(result(&agg, "share_chat", json!({}))["value"], 70.0);
    assert_eq!(result(&agg, "p90", json!({}))["value"], 210.0);
    assert_eq!(result(&agg, "rows", json!({}))["value"], 10.0);
}

#[test]
fn numeric_condition_on_a_text_input_is_a_config_error() {
    let s = Scratch::new();
    let metrics = "[[metrics]]\nid = \"bad\"\nplugin = \"share\"\ndataset = \"orders\"\n\
                   inputs = { text = \"channel\" }\nparams = { at_least = 100 }\n";
    let cfg = client(&s, ORDERS, None, metrics);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("at_least is a numeric condition, but the mapped input is text"),
        "{}",
        stderr(&o)
    );
}

/// `share` with `not_empty = true`: of the 12 orders, 11 have a channel (row 6 is empty) and
/// 10 a readable value (row 5 is empty, counted as not filled in; row 8 "abc" is an
/// unreadable value, rejected before the metric sees it, so not in n).
#[test]
fn share_not_empty_counts_filled_in_values_of_every_row() {
    let s = Scratch::new();
    let config = client(
        &s,
        ORDERS,
        None,
        r#"
[[metrics]]
id = "with_channel"
plugin = "basic/share"
dataset = "orders"
inputs = { text = "channel" }
params = { not_empty = true, unit = "orders" }

[[metrics]]
id = "with_value"
plugin = "share"
dataset = "orders"
inputs = { number = "value" }
params = { not_empty = true }
"#,
    );
    let report = run_json(&config);
    let r = result(&report, "with_channel", json!({}));
    // 11 of 12.
    close(&r["value"], 1100.0 / 12.0);
    assert_eq!(r["n"], 12.0);
    assert_eq!(r["unit"], "% of orders where the value is not empty");
    assert_eq!(r["details"]["matching"], 11.0);
    let (used, rejected) = accounting(&report, "with_channel");
    assert_eq!(used, 12, "{rejected}");
    let r = result(&report, "with_value", json!({}));
    let (used, rejected) = accounting(&report, "with_value");
    assert_eq!(used, 11);
    assert_eq!(rejected, json!({"not_a_number": 1}));
    // 10 of 11.
    assert_eq!(r["n"], 11.0);
    assert_eq!(r["details"]["matching"], 10.0);
    close(&r["value"], 1000.0 / 11.0);
}
