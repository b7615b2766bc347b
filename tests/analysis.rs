//! End-to-end analysis: period-over-period tests with hand-computed expectations, Holm
//! adjustment, benchmark comparison, min_n suppression, filters, time zones, fiscal years
//! and ISO weeks, through the real binary and plugins.

mod common;
use common::*;
use serde_json::{json, Value};

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

fn registry(s: &Scratch) -> String {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("csat", "cxm-plugin-csat", None),
    ]);
    format!(
        "client = \"Analysis\"\nplugins = {:?}\n",
        reg.display().to_string()
    )
}

fn run_json(s: &Scratch, config: &str) -> Value {
    let cfg = s.write("client.toml", config);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

/// Pre-aggregated NPS answers: (month, score, count).
const NPS_ROWS: &str = "month,score,count\n2025-01-15,10,50\n2025-01-15,8,30\n2025-01-15,3,20\n\
                        2025-02-15,9,60\n2025-02-15,7,30\n2025-02-15,0,10\n";
/// Pre-aggregated CSAT answers: (region, month, score, count).
const CSAT_ROWS: &str = "region,month,score,count\nnorth,2025-01-10,5,70\nnorth,2025-01-10,2,30\n\
                         north,2025-02-10,4,82\nnorth,2025-02-10,1,18\nsouth,2025-01-10,4,50\n\
                         south,2025-01-10,3,50\nsouth,2025-02-10,5,65\nsouth,2025-02-10,2,35\n";

fn config(s: &Scratch, report: &str, nps_extra: &str) -> String {
    s.write("nps.csv", NPS_ROWS);
    s.write("csat.csv", CSAT_ROWS);
    s.write("bench.toml", "[[benchmark]]\nid = \"b\"\nmetric = \"nps\"\nsegment = \"Test\"\nvalue = 40\nsource = \"test\"\n");
    format!(
        "{}benchmarks = [\"bench.toml\"]\n\
         [datasets.n]\npath = \"nps.csv\"\nweight = \"count\"\n[datasets.n.fields]\nmonth = {{ column = \"month\", type = \"date\" }}\nscore = \"score\"\ncount = \"count\"\n\
         [datasets.c]\npath = \"csat.csv\"\nweight = \"count\"\n[datasets.c.fields]\nregion = \"region\"\nmonth = {{ column = \"month\", type = \"date\" }}\nscore = \"score\"\ncount = \"count\"\n\
         [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"n\"\ninputs = {{ score = \"score\" }}\nbenchmark = \"b\"\n{nps_extra}\
         [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"c\"\ninputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n\
         [report]\nperiod = {{ field = \"month\", grain = \"month\" }}\n{report}",
        registry(s)
    )
}

#[test]
fn nps_difference_z_test_between_months() {
    // January: P = 50, D = 20, n = 100 (NPS 30); February: P = 60, D = 10, n = 100 (NPS 50).
    // Var = (p + d - (p - d)^2) / n: 0.0061 and 0.0045. z = 0.2 / sqrt(0.0106) = 1.94257...,
    // two-sided p = 2 (1 - Phi(z)) = 0.052068 -> not significant at alpha 0.05.
    let s = Scratch::new();
    let report = run_json(&s, &config(&s, "", ""));
    let feb = result(&report, "nps", json!({"period": "2025-02"}));
    let t = &feb["trend"];
    assert_eq!(t["previous_period"], "2025-01");
    assert!(close(&t["delta"], 20.0), "{t}");
    assert_eq!(t["test"], "nps_difference_z");
    assert!(
        (t["statistic"].as_f64().unwrap() - 1.9425717247145284).abs() < 1e-9,
        "{t}"
    );
    assert!(
        (t["p_value"].as_f64().unwrap() - 0.05206792601582633).abs() < 1e-9,
        "{t}"
    );
    assert_eq!(t["significant"], false);
    assert!(result(&report, "nps", json!({"period": "2025-01"}))["trend"].is_null());
    assert_eq!(report["analysis"]["adjustment"], "none");
}

#[test]
fn two_proportion_tests_with_holm_adjustment() {
    // CSAT north 70/100 -> 82/100, south 50/100 -> 65/100, all regions 120/200 -> 147/200.
    // Pooled two-proportion z-tests: p = 0.0469447 (north), 0.0319053 (south), 0.0041625 (all).
    // Holm over the metric's 3 tests: all 3 x 0.0041625 = 0.0124874; south 2 x 0.0319053 =
    // 0.0638105; north max(0.0638105, 1 x 0.0469447) = 0.0638105.
    let s = Scratch::new();
    let report = run_json(&s, &config(&s, "adjustment = \"holm\"\n", ""));
    let trend = |group: Value| result(&report, "csat", group)["trend"].clone();
    let north = trend(json!({"region": "north", "period": "2025-02"}));
    assert!(
        (north["p_value"].as_f64().unwrap() - 0.04694472697848173).abs() < 1e-9,
        "{north}"
    );
    assert!(
        (north["p_adjusted"].as_f64().unwrap() - 0.0638105104731932).abs() < 1e-9,
        "{north}"
    );
    assert_eq!(
        north["significant"], false,
        "significant unadjusted, not after Holm"
    );
    let all = trend(json!({"period": "2025-02"}));
    assert!(
        (all["p_adjusted"].as_f64().unwrap() - 0.01248744208878172).abs() < 1e-9,
        "{all}"
    );
    assert_eq!(all["significant"], true);
    assert_eq!(report["analysis"]["adjustment"], "holm");
    assert_eq!(report["analysis"]["tests"], 4, "1 NPS test + 3 CSAT tests");
}

#[test]
fn benchmark_comparison_is_one_sided() {
    // February NPS 50 vs benchmark 40: z = (0.5 - 0.4) / sqrt(0.0045) = 1.490712,
    // one-sided p = 1 - Phi(z) = 0.068019 -> above, not significant.
    let s = Scratch::new();
    let report = run_json(&s, &config(&s, "", ""));
    let b = &result(&report, "nps", json!({"period": "2025-02"}))["benchmark"];
    assert_eq!(b["direction"], "above");
    assert!(close(&b["delta"], 10.0), "{b}");
    assert!(
        (b["p_value"].as_f64().unwrap() - 0.06801856405707185).abs() < 1e-9,
        "{b}"
    );
    assert_eq!(b["significant"], false);
    assert_eq!(b["value"], 40.0);
}

#[test]
fn values_below_min_n_are_suppressed() {
    let s = Scratch::new();
    let report = run_json(
        &s,
        &config(&s, "", "min_n = 150\nsuppress_below_min_n = true\n"),
    );
    let jan = result(&report, "nps", json!({"period": "2025-01"}));
    assert!(jan["value"].is_null() && jan["ci"].is_null(), "{jan}");
    assert_eq!(jan["n"], 100);
    let warnings: Vec<&str> = jan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.contains(&"low_sample") && warnings.contains(&"suppressed_below_min_n"),
        "{warnings:?}"
    );
    let overall = result(&report, "nps", json!({}));
    assert!(
        close(&overall["value"], 40.0),
        "n = 200 is shown: {overall}"
    );
}

#[test]
fn filters_keep_only_rows_in_scope_and_count_the_rest() {
    let s = Scratch::new();
    let extra = "";
    let mut cfg = config(&s, "", extra);
    cfg = cfg.replace(
        "group_by = [\"region\"]\n",
        "group_by = [\"region\"]\nfilter = { region = \"north\" }\n",
    );
    let report = run_json(&s, &cfg);
    let csat = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "csat")
        .unwrap();
    assert_eq!(csat["rows_used"], 4);
    assert_eq!(csat["rows_filtered"], 4);
    assert_eq!(csat["filter"], "region = \"north\"");
    // North only: (70 + 82) / 200 satisfied.
    assert!(close(&result(&report, "csat", json!({}))["value"], 76.0));
}

#[test]
fn time_zone_fiscal_years_and_iso_weeks_assign_periods() {
    let s = Scratch::new();
    let reg = registry(&s);
    s.write(
        "t.csv",
        "at,score\n2025-03-31T22:30:00Z,10\n2025-03-31T21:30:00Z,0\n2021-01-03T12:00:00Z,9\n",
    );
    let cfg = |grain: &str, extra: &str| {
        format!(
            "{reg}[datasets.t]\npath = \"t.csv\"\n[datasets.t.fields]\nat = {{ column = \"at\", type = \"datetime\" }}\nscore = \"score\"\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"t\"\ninputs = {{ score = \"score\" }}\n\
             [report]\nperiod = {{ field = \"at\", grain = \"{grain}\" }}\n{extra}"
        )
    };
    // 22:30Z on 31 March is 00:30 on 1 April in Berlin (CEST, +02:00); 21:30Z is 23:30 on 31 March.
    let report = run_json(&s, &cfg("month", "timezone = \"Europe/Berlin\"\n"));
    assert_eq!(result(&report, "nps", json!({"period": "2025-04"}))["n"], 1);
    assert_eq!(result(&report, "nps", json!({"period": "2025-03"}))["n"], 1);
    let report = run_json(&s, &cfg("month", ""));
    assert_eq!(
        result(&report, "nps", json!({"period": "2025-03"}))["n"],
        2,
        "UTC by default"
    );
    // Fiscal year starting in April, named by the year it ends in.
    let report = run_json(
        &s,
        &cfg(
            "quarter",
            "timezone = \"Europe/Berlin\"\nfiscal_year_start = 4\n",
        ),
    );
    assert_eq!(
        result(&report, "nps", json!({"period": "FY2026-Q1"}))["n"],
        1
    );
    assert_eq!(
        result(&report, "nps", json!({"period": "FY2025-Q4"}))["n"],
        1
    );
    // 3 January 2021 is in ISO week 53 of 2020.
    let report = run_json(&s, &cfg("week", ""));
    assert_eq!(
        result(&report, "nps", json!({"period": "2020-W53"}))["n"],
        1
    );
}

#[test]
fn bad_time_zone_is_a_located_config_error() {
    let s = Scratch::new();
    let cfg = config(&s, "timezone = \"Mars/Olympus\"\n", "");
    let path = s.write("client.toml", &cfg);
    let o = run(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("client.toml:") && stderr(&o).contains("Mars/Olympus"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn configured_bands_label_any_metric() {
    let s = Scratch::new();
    let cfg = config(&s, "", "").replace(
        "group_by = [\"region\"]\n",
        "group_by = [\"region\"]\nbands = [[\"red\", 0], [\"amber\", 70], [\"green\", 80]]\n",
    );
    let report = run_json(&s, &cfg);
    // North: 82% in February (green), 70% in January (amber: 70 reaches amber's bound);
    // south 50% in January (red).
    assert_eq!(
        result(
            &report,
            "csat",
            json!({"region": "north", "period": "2025-02"})
        )["band"],
        "green"
    );
    assert_eq!(
        result(
            &report,
            "csat",
            json!({"region": "north", "period": "2025-01"})
        )["band"],
        "amber"
    );
    assert_eq!(
        result(
            &report,
            "csat",
            json!({"region": "south", "period": "2025-01"})
        )["band"],
        "red"
    );
    let bad = config(&s, "", "").replace(
        "group_by = [\"region\"]\n",
        "group_by = [\"region\"]\nbands = [[\"b\", 5], [\"a\", 1]]\n",
    );
    let path = s.write("bad.toml", &bad);
    let o = run(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("rising bounds"), "{}", stderr(&o));
}
