//! `results.csv` details: one `details.<key>` column per detail, the union over all results
//! metric by metric, nested objects as `parent.child`, arrays as JSON text.

use cxm_report::{
    detail_columns, flatten_details, flatten_result_details, render_csv, Details, Grouping,
    MetricResult, ResultRow, RunReport, REPORT_SCHEMA,
};
use serde_json::{json, Value};

fn details(v: Value) -> Details {
    match v {
        Value::Object(m) => m.into(),
        _ => Details::new(),
    }
}

fn row(metric: &str, value: f64, d: Value) -> ResultRow {
    ResultRow {
        metric: metric.into(),
        plugin: metric.into(),
        group: vec![],
        result: MetricResult {
            value: Some(value),
            unit: "points".into(),
            n: 10.0,
            details: details(d),
            ..Default::default()
        },
        trend: None,
        benchmark: None,
        design: None,
    }
}

/// The one place a test report is built (new report fields default).
fn report(results: Vec<ResultRow>) -> RunReport {
    RunReport {
        schema: REPORT_SCHEMA.into(),
        client: "Test".into(),
        config: "test.toml".into(),
        cxm_version: "0.1.0".into(),
        grouping: Grouping::default(),
        results,
        ..Default::default()
    }
}

/// The CSV's header and records.
fn csv_rows(r: &RunReport) -> (Vec<String>, Vec<Vec<String>>) {
    let mut buf = Vec::new();
    render_csv(r, &mut buf).unwrap();
    let mut reader = csv::Reader::from_reader(buf.as_slice());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn columns_are_the_union_in_first_seen_order_metric_by_metric() {
    let r = report(vec![
        row("nps", 20.0, json!({"promoters": 5, "band": "good"})),
        row("nps", 25.0, json!({"detractors": 2, "promoters": 6})),
        row(
            "csat",
            80.0,
            json!({"satisfied": 8, "n": 10, "value": null}),
        ),
    ]);
    assert_eq!(
        flatten_details(&r),
        [
            "details.promoters",
            "details.band",
            "details.detractors",
            "details.satisfied",
            "details.n",
            "details.value",
        ]
    );
    assert_eq!(
        detail_columns(r.results.iter().filter(|x| x.metric == "csat")),
        ["details.satisfied", "details.n", "details.value"]
    );
}

#[test]
fn csv_cells_are_flattened_and_typed_as_text() {
    let r = report(vec![
        row(
            "nps",
            20.0,
            json!({"promoters": 1000, "share": 33.5, "whole": 2000.0, "band": "good",
                   "by": {"web": {"n": 3}, "flag": true}, "cuts": [0, 6.5, "x"], "none": null}),
        ),
        row("csat", 80.0, json!({"satisfied": 8, "value": "=SUM(A1)"})),
    ]);
    let (header, rows) = csv_rows(&r);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Fixed columns come first and keep their names; details are always prefixed.
    assert_eq!(header[..3], ["metric", "plugin", "value"]);
    assert!(!header.iter().any(|h| h == "details"));
    let first = &rows[0];
    assert_eq!(first[at("details.promoters")], "1000");
    assert_eq!(first[at("details.share")], "33.5");
    assert_eq!(first[at("details.whole")], "2000");
    assert_eq!(first[at("details.band")], "good");
    assert_eq!(first[at("details.by.web.n")], "3");
    assert_eq!(first[at("details.by.flag")], "true");
    assert_eq!(first[at("details.cuts")], "[0,6.5,\"x\"]");
    assert_eq!(first[at("details.none")], "");
    assert_eq!(first[at("details.satisfied")], "");
    let second = &rows[1];
    assert_eq!(second[at("value")], "80");
    // Text that would start a spreadsheet formula is neutralised (see csv_safe_cell).
    assert_eq!(second[at("details.value")], "'=SUM(A1)");
    assert_eq!(second[at("details.promoters")], "");
    assert_eq!(second.len(), header.len());
}

#[test]
fn one_result_flattens_into_pairs() {
    let d = details(json!({"a": {"b": 1.25, "c": [true]}, "d": null}));
    let pairs: Vec<(String, String)> = flatten_result_details(&d)
        .into_iter()
        .map(|(c, v)| (c, v.to_text()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("details.a.b".to_string(), "1.25".to_string()),
            ("details.a.c".to_string(), "[true]".to_string()),
        ]
    );
}

#[test]
fn no_results_still_write_the_header() {
    let mut buf = Vec::new();
    render_csv(&report(vec![]), &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(
        text.trim_end()
            .ends_with("benchmark_significant,letter,above,vs_rest_p_adjusted,vs_rest_significant"),
        "{text}"
    );
}
