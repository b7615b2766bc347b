//! Tests of the renderers on a hand-built report, with in-memory buffers.

use crate::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn group(
    region: Option<&str>,
    channel: Option<&str>,
    period: &str,
) -> Vec<(crate::Name, Option<String>)> {
    vec![
        ("region".into(), region.map(String::from)),
        ("channel".into(), channel.map(String::from)),
        ("period".into(), Some(period.into())),
    ]
}

fn test_grouping() -> Grouping {
    Grouping {
        dimensions: vec!["region".into(), "channel".into()],
        period: Some(PeriodSpec {
            field: "submitted_at".into(),
            grain: "month".into(),
        }),
    }
}

fn report() -> RunReport {
    let unit = "NPS points (-100 to 100)";
    let overall = MetricResult {
        value: Some(20.0),
        unit: unit.into(),
        n: 2000.0,
        ci: Some(Interval {
            low: 16.94,
            high: 23.06,
            level: 0.95,
            method: "wald".into(),
        }),
        ..Default::default()
    }
    .detail("promoters", 1000)
    .detail("detractors", 600);
    let north = MetricResult {
        value: Some(25.5),
        unit: unit.into(),
        n: 1234.5,
        ci: Some(Interval {
            low: 10.26,
            high: 40.75,
            level: 0.95,
            method: "wald".into(),
        }),
        ..Default::default()
    }
    .warn("low_sample");
    let empty = MetricResult::empty(unit).warn("no_data");
    RunReport {
        schema: REPORT_SCHEMA.into(),
        client: "Acme Retail".into(),
        config: "config/clients/acme.toml".into(),
        cxm_version: "0.1.0".into(),
        grouping: test_grouping(),
        datasets: vec![DatasetSummary {
            name: "survey".into(),
            path: "data/demo/survey.csv".into(),
            sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            bytes: 123_456,
            rows_read: 3012,
            rows_accepted: 3008,
            rows_rejected: 4,
            duplicates: 0,
            invalid_values: BTreeMap::from([("nps".into(), 3), ("submitted_at".into(), 1)]),
            warnings: Vec::new(),
            weighting: None,
        }],
        metrics: vec![
            MetricSummary {
                metric: "NPS".into(),
                plugin: "nps".into(),
                library: "cxm-plugin-nps 0.1.0".into(),
                dataset: "survey".into(),
                rows_used: 2950,
                rows_rejected: BTreeMap::from([
                    ("empty".into(), 40),
                    ("not_a_number".into(), 2),
                    ("out_of_scale".into(), 3),
                ]),
                rows_filtered: 0,
                filter: None,
                error: None,
                grouping: test_grouping(),
                ..Default::default()
            },
            MetricSummary {
                metric: "csat".into(),
                plugin: "csat".into(),
                library: "cxm-plugin-csat 0.1.0".into(),
                dataset: "survey".into(),
                rows_used: 0,
                rows_rejected: BTreeMap::new(),
                rows_filtered: 0,
                filter: None,
                error: Some("plugin panicked in update".into()),
                grouping: test_grouping(),
                ..Default::default()
            },
        ],
        results: vec![
            ResultRow {
                metric: "NPS".into(),
                plugin: "nps".into(),
                group: vec![],
                result: overall,
                trend: None,
                benchmark: None,
                design: None,
            },
            ResultRow {
                metric: "NPS".into(),
                plugin: "nps".into(),
                group: group(Some("north"), Some("web"), "2025-03"),
                result: north,
                trend: None,
                benchmark: None,
                design: None,
            },
            ResultRow {
                metric: "NPS".into(),
                plugin: "nps".into(),
                group: group(None, Some("web"), "2025-04"),
                result: empty,
                trend: None,
                benchmark: None,
                design: None,
            },
        ],
        analysis: None,
        ..Default::default()
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn json_keeps_key_order_and_values() {
    let mut buf = Vec::new();
    render_json(&report(), &mut buf).unwrap();
    let out = text(buf);

    let top = [
        "schema",
        "client",
        "config",
        "cxm_version",
        "grouping",
        "datasets",
        "metrics",
        "results",
    ];
    let positions: Vec<usize> = top
        .iter()
        .map(|k| out.find(&format!("\n  \"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");

    // Group keys in grouping order (serde_json's own maps would sort them), `{}` overall.
    assert!(out.contains(
        "\"group\": {\n        \"region\": \"north\",\n        \"channel\": \"web\",\n        \
         \"period\": \"2025-03\"\n      },"
    ));
    assert!(out.contains("\"region\": null,\n        \"channel\": \"web\""));
    assert!(out.contains("\"group\": {},"));
    // Whole n as an integer; the keys of a result in order.
    assert!(out.contains("\"n\": 2000,"));
    assert!(!out.contains("2000.0"));
    let keys = [
        "metric", "plugin", "group", "value", "unit", "n", "ci", "details", "warnings", "tables",
    ];
    let first = &out[out.find("\"results\"").unwrap()..];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(out.ends_with("}\n"));

    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "cxm.report/1");
    assert_eq!(v["client"], "Acme Retail");
    assert_eq!(
        v["grouping"],
        json!({"dimensions": ["region", "channel"],
        "period": {"field": "submitted_at", "grain": "month"}})
    );
    assert_eq!(
        v["datasets"][0]["invalid_values"],
        json!({"nps": 3, "submitted_at": 1})
    );
    assert_eq!(v["datasets"][0]["rows_read"], 3012);
    assert_eq!(v["metrics"][0]["rows_rejected"]["empty"], 40);
    assert_eq!(v["metrics"][0]["error"], Value::Null);
    assert_eq!(v["metrics"][1]["error"], "plugin panicked in update");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["group"], json!({}));
    assert_eq!(results[0]["value"], 20.0);
    assert!(results[0]["n"].is_u64());
    assert_eq!(
        results[0]["ci"],
        json!({"low": 16.94, "high": 23.06, "level": 0.95, "method": "wald"})
    );
    assert_eq!(
        results[0]["details"],
        json!({"promoters": 1000, "detractors": 600})
    );
    assert_eq!(results[0]["tables"], json!([]));
    assert_eq!(results[1]["n"], 1234.5);
    assert_eq!(results[1]["warnings"], json!(["low_sample"]));
    assert_eq!(results[2]["value"], Value::Null);
    assert_eq!(results[2]["ci"], Value::Null);
    assert_eq!(results[2]["n"], 0);
    assert!(results[2]["n"].is_u64());
}

#[test]
fn json_without_grouping_has_null_period() {
    let mut r = report();
    r.grouping = Grouping::default();
    let mut buf = Vec::new();
    render_json(&r, &mut buf).unwrap();
    let v: Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(v["grouping"], json!({"dimensions": [], "period": null}));
}

#[test]
fn csv_header_and_rows() {
    let mut buf = Vec::new();
    render_csv(&report(), &mut buf).unwrap();
    let out = text(buf);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "metric,plugin,region,channel,period,value,unit,n,ci_low,ci_high,ci_level,ci_method,\
         warnings,previous_period,delta,p_value,p_adjusted,significant,mdc,benchmark,\
         benchmark_value,benchmark_delta,benchmark_p_value,benchmark_significant,\
         details.promoters,details.detractors,letter,above,vs_rest_p_adjusted,vs_rest_significant"
    );
    // Details last, one column each; a result without a detail has an empty cell.
    assert_eq!(
        lines[1],
        "NPS,nps,(all),(all),(all),20,NPS points (-100 to 100),2000,16.94,23.06,0.95,wald,,\
         ,,,,,,,,,,,1000,600,,,,"
    );
    assert_eq!(
        lines[2],
        "NPS,nps,north,web,2025-03,25.5,NPS points (-100 to 100),1234.5,10.26,40.75,0.95,wald,\
         low_sample,,,,,,,,,,,,,,,,,"
    );
    assert_eq!(
        lines[3],
        "NPS,nps,,web,2025-04,,NPS points (-100 to 100),0,,,,,no_data,,,,,,,,,,,,,,,,,"
    );
    assert_eq!(lines.len(), 4);
}

#[test]
fn csv_without_period_has_no_period_column() {
    let mut r = report();
    r.grouping.period = None;
    r.results.truncate(1);
    let mut buf = Vec::new();
    render_csv(&r, &mut buf).unwrap();
    let out = text(buf);
    assert!(out.starts_with("metric,plugin,region,channel,value,unit,n,"));
    assert!(out
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("NPS,nps,(all),(all),20,"));
}

#[test]
fn table_text() {
    let mut buf = Vec::new();
    render_table(&report(), &mut buf, &TableOptions { color: false }).unwrap();
    let out = text(buf);
    assert!(!out.contains('\x1b'), "{out}");
    let expected = "\
Acme Retail — config/clients/acme.toml
cxm 0.1.0; grouping: region, channel; period month of submitted_at

Dataset survey: data/demo/survey.csv — 3,012 rows read, 3,008 accepted, 4 rejected (wrong structure); invalid values: nps 3, submitted_at 1
  sha256 0123456789ab, 123,456 bytes

NPS (nps) — NPS points (-100 to 100)
  region     channel  period   value        n  95% CI        notes
  ---------  -------  -------  -----  -------  ------------  ----------
  (overall)                     20.0    2,000  [16.9, 23.1]
  north      web      2025-03   25.5  1,234.5  [10.3, 40.8]  low sample
  (missing)  web      2025-04      —        0                no data
  rows used 2,950; rejected: empty 40, out_of_scale 3, not_a_number 2

csat (csat)
  FAILED: plugin panicked in update
  rows used 0; rejected: none
";
    assert_eq!(out, expected, "\n{out}");
}

/// The dataset line of the table for a dataset with `rejected` rows, `duplicates` of them
/// duplicates of the unique_key.
fn dataset_line(rejected: u64, duplicates: u64) -> String {
    let mut r = report();
    r.datasets[0].rows_rejected = rejected;
    r.datasets[0].rows_accepted = r.datasets[0].rows_read - rejected;
    r.datasets[0].duplicates = duplicates;
    let mut buf = Vec::new();
    render_table(&r, &mut buf, &TableOptions { color: false }).unwrap();
    let out = text(buf);
    out.lines()
        .find(|l| l.starts_with("Dataset survey:"))
        .unwrap()
        .to_string()
}

#[test]
fn table_labels_each_reason_a_row_was_rejected_whole() {
    // Only duplicates: not "wrong structure" (issue 14, sharp edge 1).
    let only_duplicates = dataset_line(5, 5);
    assert!(
        only_duplicates.contains("5 rejected (duplicate unique_key);"),
        "{only_duplicates}"
    );
    assert!(!only_duplicates.contains("structure"), "{only_duplicates}");
    // Both reasons: each with its count.
    let both = dataset_line(1_204, 1_200);
    assert!(
        both.contains("1,204 rejected (4 wrong structure, 1,200 duplicate unique_key);"),
        "{both}"
    );
    // Only broken records.
    assert!(dataset_line(4, 0).contains("4 rejected (wrong structure);"));
    // Nothing rejected: no reason at all.
    let none = dataset_line(0, 0);
    assert!(none.contains("0 rejected; invalid values"), "{none}");
}

#[test]
fn table_color_uses_escape_codes() {
    let mut buf = Vec::new();
    render_table(&report(), &mut buf, &TableOptions { color: true }).unwrap();
    let out = text(buf);
    assert!(out.contains("\x1b[1mNPS (nps) — NPS points (-100 to 100)\x1b[0m"));
    assert!(out.contains("\x1b[33mlow sample\x1b[0m"));
    assert!(out.contains("FAILED: plugin panicked in update"));
}

#[test]
fn table_shows_control_characters_from_the_data_as_placeholders() {
    let mut r = report();
    r.results[1].group[0].1 = Some("\x1b[31mRED\x07".into());
    r.results[1].result.unit = "pts\x1b[2J".into();
    r.results[0].result.unit = "pts\x1b[2J".into();
    r.results[1].result.warnings = vec!["\x1b]0;owned\x07".into()];
    r.metrics[1].error = Some("boom\x1b[H\nsecond line".into());
    r.results[0].result.tables.push(Table {
        name: "t\x1b[1m".into(),
        columns: vec!["a\x1b".into()],
        rows: vec![vec![json!("x\u{9b}2J")]],
    });
    for color in [false, true] {
        let mut buf = Vec::new();
        render_table(&r, &mut buf, &TableOptions { color }).unwrap();
        let out = text(buf);
        for bad in ["\x1b[31m", "\x1b[2J", "\x1b]0", "\x07", "\x1b[H", "\u{9b}"] {
            assert!(!out.contains(bad), "{bad:?} in {out}");
        }
        assert!(out.contains("␛[31mRED␇"), "{out}");
        assert!(out.contains("pts␛[2J"), "{out}");
        assert!(out.contains("␛]0;owned␇"), "{out}");
        assert!(out.contains("boom␛[H second line"), "{out}");
        assert!(out.contains("table t␛[1m (1 rows"), "{out}");
        assert!(out.contains("x\u{fffd}2J"), "{out}");
        if !color {
            assert!(!out.contains('\x1b'), "{out}");
        }
    }
}

#[test]
fn table_without_grouping_labels_overall() {
    let mut r = report();
    r.grouping = Grouping::default();
    r.results.truncate(1);
    r.metrics.truncate(1);
    r.metrics[0].grouping = Grouping::default();
    let mut buf = Vec::new();
    render_table(&r, &mut buf, &TableOptions::default()).unwrap();
    let out = text(buf);
    assert!(out.contains("grouping: none (overall only)"));
    assert!(
        out.contains("\n  group      value      n  95% CI\n"),
        "{out}"
    );
    assert!(
        out.contains("\n  (overall)   20.0  2,000  [16.9, 23.1]\n"),
        "{out}"
    );
}

#[test]
fn render_errors_surface() {
    struct Failing;
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let r = report();
    assert!(render_table(&r, &mut Failing, &TableOptions::default()).is_err());
    assert!(render_json(&r, &mut Failing).is_err());
    assert!(render_csv(&r, &mut Failing).is_err());
    assert!(render_plugins(&crate::plugins::tests::sample(), &mut Failing).is_err());
}

#[test]
fn json_reads_back_into_the_same_report() {
    let mut r = report();
    r.settings.language = "ru".into();
    r.settings.generated_at = Some("2026-01-01T00:00:00Z".into());
    r.rejection_examples.push(Rejection {
        dataset: "survey".into(),
        line: 7,
        scope: "NPS".into(),
        field: "nps".into(),
        value: "11".into(),
        reason: "out_of_scale".into(),
        detail: "11 is outside 0-10".into(),
    });
    let mut first = Vec::new();
    render_json(&r, &mut first).unwrap();
    let back = parse_json(&first).unwrap();
    let mut second = Vec::new();
    render_json(&back, &mut second).unwrap();
    assert_eq!(text(first), text(second));
    assert_eq!(back.settings.language, "ru");
    assert_eq!(back.results.len(), r.results.len());
    assert_eq!(back.results[1].group, r.results[1].group);
}

#[test]
fn json_of_another_schema_or_not_json_is_refused() {
    let err = parse_json(br#"{"schema": "cxm.report/9", "client": "x"}"#).unwrap_err();
    assert!(err.to_string().contains("cxm.report/9"), "{err}");
    let err = parse_json(b"{ not json").unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn json_numbers_read_back_to_the_same_bits() {
    // Without serde_json's float_roundtrip, this reads back one unit in the last place off.
    let mut r = report();
    r.results[0].result.value = Some(0.390_957_446_808_513_96);
    let mut first = Vec::new();
    render_json(&r, &mut first).unwrap();
    let back = parse_json(&first).unwrap();
    assert_eq!(
        back.results[0].result.value.map(f64::to_bits),
        Some(0.390_957_446_808_513_96_f64.to_bits())
    );
}

/// The report with a segment test on its second result (north, web, 2025-03).
fn with_segment_test() -> RunReport {
    let mut r = report();
    r.analysis = Some(AnalysisSettings {
        alpha: 0.05,
        adjustment: "holm".into(),
        segment_tests: 3,
        segments: vec![SegmentEntry {
            metric: "NPS".into(),
            group: r.results[1].group.clone(),
            test: SegmentTest {
                dimension: "region".into(),
                letter: "A".into(),
                above: vec!["B".into()],
                vs_rest: Some(VsRest {
                    test: "nps_difference_z".into(),
                    statistic: 2.5,
                    p_value: 0.0125,
                    p_adjusted: 0.025,
                    significant: true,
                    rest_value: Some(10.0),
                    rest_n: 500.0,
                    direction: "above".into(),
                }),
            },
        }],
        ..Default::default()
    });
    r
}

#[test]
fn segment_tests_in_json_table_and_csv() {
    let r = with_segment_test();
    assert!(r.segment_test(&r.results[1]).is_some());
    assert!(r.segment_test(&r.results[0]).is_none());
    let mut buf = Vec::new();
    render_json(&r, &mut buf).unwrap();
    let doc: Value = serde_json::from_slice(&buf).unwrap();
    let t = &doc["results"][1]["segment_test"];
    assert_eq!(t["letter"], "A");
    assert_eq!(t["above"], json!(["B"]));
    assert_eq!(t["vs_rest"]["p_adjusted"], 0.025);
    assert_eq!(t["vs_rest"]["direction"], "above");
    assert!(doc["results"][0].get("segment_test").is_none());
    assert!(doc["analysis"].get("segments").is_none());
    assert_eq!(doc["analysis"]["segment_tests"], 3);
    // Read back: the same report, the same bytes.
    let back = parse_json(&buf).unwrap();
    assert_eq!(back.analysis, r.analysis);
    let mut again = Vec::new();
    render_json(&back, &mut again).unwrap();
    assert_eq!(buf, again);

    let mut buf = Vec::new();
    render_table(&r, &mut buf, &TableOptions { color: false }).unwrap();
    let out = text(buf);
    let north = out.lines().find(|l| l.contains("north")).unwrap();
    assert!(north.contains("25.5  (A) B ▲"), "{out}");
    assert!(out.contains("  sig.: (A) the segment's letter"), "{out}");

    let mut buf = Vec::new();
    render_csv(&r, &mut buf).unwrap();
    let out = text(buf);
    let line = out.lines().nth(2).unwrap();
    assert!(line.ends_with(",A,B,0.025,true"), "{line}");
    assert!(out.lines().nth(1).unwrap().ends_with(",,,,"), "{out}");
}
