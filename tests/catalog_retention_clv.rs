//! End-to-end tests of the `retention` plugins (`retention`, `churn`, `snapshot_churn`) and the `clv` plugins
//! (`clv`, `cac`, `ltv_cac`) through the real binary: the spec examples of METRICS.md
//! (CRR 90.0 from S = 200, N = 20, E = 200; churn 8.0 from 20 lost of 250) over monthly
//! periods, the three CLV methods on one orders file with exact values, and CAC / LTV:CAC
//! grouped by channel, with per-metric row accounting.

mod common;
use common::*;
use serde_json::{json, Value};

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

/// One row per customer. January 2025: 180 + 20 leavers at start, 20 join; February: 50
/// join; March: 20 of the original customers leave.
fn customers_csv() -> String {
    let mut csv = String::from("customer_id,start_date,end_date\n");
    let mut id = 0;
    let mut push = |csv: &mut String, count: usize, start: &str, end: &str| {
        for _ in 0..count {
            id += 1;
            csv.push_str(&format!("C{id},{start},{end}\n"));
        }
    };
    push(&mut csv, 160, "2024-06-01", "");
    push(&mut csv, 20, "2024-06-01", "2025-01-15");
    push(&mut csv, 20, "2024-06-01", "2025-03-10");
    push(&mut csv, 20, "2025-01-10", "");
    push(&mut csv, 50, "2025-02-05", "");
    // Left before the range: used, in no period.
    push(&mut csv, 1, "2023-01-01", "2024-12-01");
    // Rejected: end before start, and no start date.
    push(&mut csv, 1, "2025-02-10", "2025-02-01");
    push(&mut csv, 1, "", "2025-02-01");
    csv
}

#[test]
fn retention_and_churn_spec_examples_over_monthly_periods() {
    let s = Scratch::new();
    let reg = s.registry(&[("retention", "cxm-plugin-retention", None)]);
    s.write("customers.csv", &customers_csv());
    let metric_block = |id: &str, plugin: &str, period: &str| {
        format!(
            "[[metrics]]\nid = \"{id}\"\nplugin = \"{plugin}\"\ndataset = \"customers\"\n\
             inputs = {{ customer_id = \"customer_id\", start_date = \"start\", end_date = \"end\" }}\n\
             params = {{ period = {period} }}\n\n"
        )
    };
    let config = format!(
        "client = \"Retention\"\nplugins = {:?}\n\n\
         [datasets.customers]\npath = \"customers.csv\"\n\
         [datasets.customers.fields]\ncustomer_id = \"customer_id\"\n\
         start = {{ column = \"start_date\", type = \"date\" }}\n\
         end = {{ column = \"end_date\", type = \"date\" }}\n\n{}{}{}",
        reg.display().to_string(),
        metric_block(
            "retention_jan",
            "retention/retention",
            "{ from = \"2025-01-01\", to = \"2025-02-01\", grain = \"month\" }"
        ),
        metric_block(
            "churn_q1",
            "churn",
            "{ from = \"2025-01-01\", to = \"2025-04-01\", grain = \"month\" }"
        ),
        metric_block(
            "retention_quarter",
            "retention",
            "{ from = \"2025-01-01\", to = \"2025-04-01\", grain = \"quarter\" }"
        ),
    );
    let report = run_json(&s, &config);
    for id in ["retention_jan", "churn_q1", "retention_quarter"] {
        let m = metric(&report, id);
        // 160 + 20 + 20 + 20 + 50 + 1 outside the range.
        assert_eq!(m["rows_used"], 271, "{id}: {m}");
        assert_eq!(
            m["rows_rejected"],
            json!({"empty": 1, "end_before_start": 1}),
            "{id}: {m}"
        );
    }

    // January: S = 200, N = 20, E = 200 → CRR = 100 · (200 − 20) / 200 = 90.0.
    let r = result(&report, "retention_jan", json!({}));
    assert_eq!(r["value"], 90.0);
    assert_eq!(r["n"], 200.0);
    assert_eq!(r["unit"], "% of customers at start retained");
    // Wilson 95 % on 180 retained of 200 (plugins/retention/src/tests.rs derives it).
    assert_eq!(r["ci"]["method"], "wilson");
    assert_eq!(r["ci"]["level"], 0.95);
    assert!((r["ci"]["low"].as_f64().unwrap() - 85.059_418_756_728_26).abs() < 1e-9);
    assert!((r["ci"]["high"].as_f64().unwrap() - 93.432_955_133_090_4).abs() < 1e-9);
    assert_eq!(r["details"]["period"], "2025-01");
    assert_eq!(r["details"]["start"], "2025-01-01");
    assert_eq!(r["details"]["end"], "2025-02-01");
    assert_eq!(r["details"]["customers_at_start"], 200.0);
    assert_eq!(r["details"]["new"], 20.0);
    assert_eq!(r["details"]["at_end"], 200.0);
    assert_eq!(r["details"]["lost"], 20.0);
    // The one who left in 2024 and the 50 who joined in February, after this range.
    assert_eq!(r["details"]["customers_outside_range"], 51.0);
    assert_eq!(r["warnings"], json!([]));

    // March (the last month): 250 at start, 20 lost → churn = 100 · 20 / 250 = 8.0.
    let r = result(&report, "churn_q1", json!({}));
    assert_eq!(r["value"], 8.0);
    assert_eq!(r["n"], 250.0);
    assert_eq!(r["unit"], "% of customers at start lost");
    assert_eq!(r["details"]["period"], "2025-03");
    let table = &r["tables"][0];
    assert_eq!(table["name"], "periods");
    assert_eq!(
        table["columns"],
        json!([
            "period",
            "start",
            "end",
            "customers_at_start",
            "new",
            "at_end",
            "lost",
            "retention_pct",
            "retention_ci_low",
            "retention_ci_high",
            "churn_pct",
            "churn_ci_low",
            "churn_ci_high"
        ])
    );
    // Each rate's Wilson bounds follow it: Mar, 20 of 250 lost → [5.2382, 12.0330].
    let mar = &table["rows"][2];
    assert!((mar[11].as_f64().unwrap() - 5.238_232_837_233_178).abs() < 1e-9);
    assert!((mar[12].as_f64().unwrap() - 12.032_964_320_384_165).abs() < 1e-9);
    let without_bounds: Vec<Value> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let row = row.as_array().unwrap();
            Value::Array([&row[..8], &row[10..11]].concat())
        })
        .collect();
    // Jan: 200, 20, 200, 20 → 90 / 10; Feb: 200, 50, 250, 0 → 100 / 0;
    // Mar: 250, 0, 230, 20 → 92 / 8.
    assert_eq!(
        Value::Array(without_bounds),
        json!([
            [
                "2025-01",
                "2025-01-01",
                "2025-02-01",
                200.0,
                20.0,
                200.0,
                20.0,
                90.0,
                10.0
            ],
            [
                "2025-02",
                "2025-02-01",
                "2025-03-01",
                200.0,
                50.0,
                250.0,
                0.0,
                100.0,
                0.0
            ],
            [
                "2025-03",
                "2025-03-01",
                "2025-04-01",
                250.0,
                0.0,
                230.0,
                20.0,
                92.0,
                8.0
            ]
        ])
    );

    // The quarter: S = 200, N = 70, E = 230, L = 40 → CRR = 100 · 160 / 200 = 80.0.
    let r = result(&report, "retention_quarter", json!({}));
    assert_eq!(r["value"], 80.0);
    assert_eq!(r["details"]["period"], "2025-Q1");
    assert_eq!(r["details"]["lost"], 40.0);
}

/// A: 60 on 2021-01-01 and 19 × 60 on 2022-06-15; B: 19 × 40 on 2023-03-01 and 40 on
/// 2024-12-31; one refund. Customers 2, orders 40, revenue 2000, AOV 50; the span is 1461
/// days inclusive = 4 years of 365.25 days (48 months).
fn orders_csv() -> String {
    let mut csv = String::from("customer_id,order_date,amount\nA,2021-01-01,60\n");
    for _ in 0..19 {
        csv.push_str("A,2022-06-15,60\nB,2023-03-01,40\n");
    }
    csv.push_str("B,2024-12-31,40\nB,2024-06-01,-40\n");
    csv
}

#[test]
fn clv_three_methods_and_cac_by_channel() {
    let s = Scratch::new();
    let reg = s.registry(&[("value", "cxm-plugin-clv", None)]);
    s.write("orders.csv", &orders_csv());
    s.write(
        "spend.csv",
        "channel,month,spend,acquired\n\
         search,2025-01,1000,10\n\
         search,2025-02,500,15\n\
         social,2025-01,900,30\n\
         social,2025-02,600,20\n\
         referral,2025-01,0,0\n\
         social,2025-03,-50,2\n",
    );
    let clv = |id: &str, params: &str| {
        format!(
            "[[metrics]]\nid = \"{id}\"\nplugin = \"clv\"\ndataset = \"orders\"\n\
             inputs = {{ customer_id = \"customer_id\", order_date = \"order_date\", amount = \"amount\" }}\n\
             params = {{ min_n = 1, {params} }}\n\n"
        )
    };
    let spend = |id: &str, plugin: &str| {
        format!(
            "[[metrics]]\nid = \"{id}\"\nplugin = \"{plugin}\"\ndataset = \"spend\"\n\
             inputs = {{ spend = \"spend\", acquired = \"acquired\" }}\n\
             params = {{ ltv = 750, min_n = 1 }}\ngroup_by = [\"channel\"]\n\n"
        )
    };
    let config = format!(
        "client = \"Value\"\nplugins = {:?}\n\n\
         [datasets.orders]\npath = \"orders.csv\"\n\
         [datasets.orders.fields]\ncustomer_id = \"customer_id\"\n\
         order_date = {{ column = \"order_date\", type = \"date\" }}\n\
         amount = {{ column = \"amount\", type = \"number\" }}\n\n\
         [datasets.spend]\npath = \"spend.csv\"\n\
         [datasets.spend.fields]\nchannel = \"channel\"\n\
         spend = {{ column = \"spend\", type = \"number\" }}\n\
         acquired = {{ column = \"acquired\", type = \"number\" }}\n\n{}{}{}{}{}",
        reg.display().to_string(),
        clv("clv_simple", "method = \"simple\", lifespan_years = 3"),
        clv("clv_historical", "method = \"historical\", margin = 0.5"),
        clv(
            "clv_predictive",
            "method = \"predictive\", lifespan_months = 36, margin = 0.25"
        ),
        spend("cac", "value/cac"),
        spend("ltv_cac", "ltv_cac"),
    );
    let report = run_json(&s, &config);
    for id in ["clv_simple", "clv_historical", "clv_predictive"] {
        let m = metric(&report, id);
        assert_eq!(m["rows_used"], 40, "{id}: {m}");
        assert_eq!(
            m["rows_rejected"],
            json!({"negative_amount": 1}),
            "{id}: {m}"
        );
    }

    // Simple: 50 × (40 / 2 / 4 = 5 a year) × 3 = 750.
    let r = result(&report, "clv_simple", json!({}));
    assert_eq!(r["value"], 750.0);
    assert_eq!(r["n"], 2.0);
    assert_eq!(r["unit"], "currency units per customer (lifetime value)");
    assert_eq!(r["details"]["average_order_value"], 50.0);
    assert_eq!(r["details"]["purchases_per_year"], 5.0);
    assert_eq!(r["details"]["observation_years"], 4.0);
    assert_eq!(r["details"]["first_order"], "2021-01-01");
    assert_eq!(r["details"]["last_order"], "2024-12-31");
    // Historical: (1200 + 800) / 2 × 0.5 = 500.
    let r = result(&report, "clv_historical", json!({}));
    assert_eq!(r["value"], 500.0);
    assert_eq!(r["details"]["margin_applied"], true);
    // Predictive: (40 / 2 / 48) × 50 × 36 × 0.25 = 187.5.
    let r = result(&report, "clv_predictive", json!({}));
    assert_eq!(r["value"], 187.5);
    assert_eq!(r["details"]["observation_months"], 48.0);

    for id in ["cac", "ltv_cac"] {
        let m = metric(&report, id);
        assert_eq!(m["rows_used"], 5, "{id}: {m}");
        assert_eq!(
            m["rows_rejected"],
            json!({"negative_value": 1}),
            "{id}: {m}"
        );
    }
    // search: 1500 / 25 = 60; social: 1500 / 50 = 30; all: 3000 / 75 = 40 (ratio of
    // totals, not the mean of the channels); referral acquired nobody.
    let cac = |group: Value| result(&report, "cac", group);
    assert_eq!(cac(json!({"channel": "search"}))["value"], 60.0);
    assert_eq!(
        cac(json!({"channel": "search"}))["details"]["ltv_cac"],
        12.5
    );
    assert_eq!(cac(json!({"channel": "social"}))["value"], 30.0);
    assert_eq!(cac(json!({}))["value"], 40.0);
    assert_eq!(cac(json!({}))["n"], 75.0);
    let referral = cac(json!({"channel": "referral"}));
    assert_eq!(referral["value"], Value::Null);
    assert!(referral["warnings"]
        .as_array()
        .expect("warnings")
        .contains(&json!("no_customers_acquired")));
    // LTV:CAC = 750 / CAC.
    let ratio = |group: Value| result(&report, "ltv_cac", group)["value"].clone();
    assert_eq!(ratio(json!({"channel": "search"})), 12.5);
    assert_eq!(ratio(json!({"channel": "social"})), 25.0);
    assert_eq!(ratio(json!({})), 18.75);
    assert_eq!(ratio(json!({"channel": "referral"})), Value::Null);
    let r = result(&report, "ltv_cac", json!({}));
    assert_eq!(r["unit"], "ratio (lifetime value / acquisition cost)");
    assert_eq!(r["details"]["cac"], 40.0);
    assert_eq!(r["details"]["ltv"], 750.0);
}

/// Snapshot churn from a Yes/No flag, one row per customer (the IBM Telco layout), by plan.
/// basic: 3 of 4 churned (75 %); pro: 1 of 4 (25 %); overall 4 of 8 = 50 %. An empty flag
/// is rejected as empty.
#[test]
fn snapshot_churn_from_a_churned_flag_by_plan() {
    let s = Scratch::new();
    let reg = s.registry(&[("retention", "cxm-plugin-retention", None)]);
    s.write(
        "telco.csv",
        "customerID,plan,Churn\nA,basic,Yes\nB,basic,Yes\nC,basic,No\nD,basic,Yes\n\
         E,pro,No\nF,pro,No\nG,pro,Yes\nH,pro,No\nI,pro,\n",
    );
    let config = format!(
        "client = \"Telco\"\nplugins = {:?}\n\n\
         [datasets.telco]\npath = \"telco.csv\"\n\
         [datasets.telco.fields]\ncustomer_id = \"customerID\"\nplan = \"plan\"\n\
         churned = {{ column = \"Churn\", type = \"boolean\" }}\n\n\
         [[metrics]]\nid = \"churn_now\"\nplugin = \"retention/snapshot_churn\"\n\
         dataset = \"telco\"\ngroup_by = [\"plan\"]\n\
         inputs = {{ churned = \"churned\", customer_id = \"customer_id\" }}\n",
        reg.display().to_string()
    );
    let report = run_json(&s, &config);
    let m = metric(&report, "churn_now");
    assert_eq!(m["rows_used"], 8, "{m}");
    assert_eq!(m["rows_rejected"], json!({"empty": 1}), "{m}");
    let all = result(&report, "churn_now", json!({}));
    assert_eq!(all["value"], 50.0);
    assert_eq!(all["n"], 8.0);
    assert_eq!(all["unit"], "% of customers churned");
    assert_eq!(all["ci"]["method"], "wilson");
    // Wilson 95 % on 4 of 8: centre 0.5, half = z/(1 + z²/8) · √(0.25/8 + z²/256)
    // = 1.3241368 · 0.2150714 = 0.2847839 → (21.52161 %, 78.47839 %).
    assert!(
        (all["ci"]["low"].as_f64().unwrap() - 21.521_61).abs() < 1e-4,
        "{all}"
    );
    assert!(
        (all["ci"]["high"].as_f64().unwrap() - 78.478_39).abs() < 1e-4,
        "{all}"
    );
    assert_eq!(
        result(&report, "churn_now", json!({"plan": "basic"}))["value"],
        75.0
    );
    assert_eq!(
        result(&report, "churn_now", json!({"plan": "pro"}))["value"],
        25.0
    );
}
