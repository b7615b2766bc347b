//! A hand-built report (NPS-like with trend, CI, band and benchmark; CSAT-like with nested
//! and array details; a metric with a named table) and helpers to read a rendered workbook
//! back with calamine.
#![allow(dead_code)]

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use cxm_report::{
    BenchmarkComparison, DatasetSummary, Details, Grouping, Interval, MetricResult, MetricSummary,
    PeriodSpec, ResultRow, RunReport, Table, Trend, REPORT_SCHEMA,
};
use cxm_workbook::{render_xlsx, Lang};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Cursor;

pub fn grouping() -> Grouping {
    Grouping {
        dimensions: vec!["region".into()],
        period: Some(PeriodSpec {
            field: "submitted_at".into(),
            grain: "month".into(),
        }),
    }
}

/// The one place a report is assembled (fields added to the model later default).
pub fn report_of(metrics: Vec<MetricSummary>, results: Vec<ResultRow>) -> RunReport {
    RunReport {
        schema: REPORT_SCHEMA.into(),
        client: "Acme Retail".into(),
        config: "config/clients/acme.toml".into(),
        cxm_version: "0.1.0".into(),
        grouping: grouping(),
        datasets: vec![DatasetSummary {
            name: "survey".into(),
            path: "data/demo/survey.csv".into(),
            sha256: "ab".repeat(32),
            bytes: 123_456,
            rows_read: 3012,
            rows_accepted: 3008,
            rows_rejected: 4,
            duplicates: 1,
            invalid_values: BTreeMap::new(),
            warnings: Vec::new(),
            weighting: None,
        }],
        metrics,
        results,
        ..Default::default()
    }
}

pub fn summary(id: &str, plugin: &str, rejected: &[(&str, u64)]) -> MetricSummary {
    MetricSummary {
        metric: id.into(),
        plugin: plugin.into(),
        library: format!("cxm-plugin-{plugin} 0.1.0"),
        dataset: "survey".into(),
        rows_used: 2950,
        rows_rejected: rejected.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        grouping: grouping(),
        ..Default::default()
    }
}

pub fn row(metric: &str, group: &[(&str, &str)], result: MetricResult) -> ResultRow {
    ResultRow {
        metric: metric.into(),
        plugin: metric.into(),
        group: group
            .iter()
            .map(|(k, v)| (cxm_report::Name::from(*k), Some(v.to_string())))
            .collect(),
        result,
        trend: None,
        benchmark: None,
        design: None,
    }
}

fn details(v: Value) -> Details {
    match v {
        Value::Object(m) => m.into(),
        _ => Details::new(),
    }
}

fn ci(low: f64, high: f64) -> Option<Interval> {
    Some(Interval {
        low,
        high,
        level: 0.95,
        method: "wald".into(),
    })
}

/// NPS (trend, band, benchmark), CSAT (nested and array details, weighted n) and CLV (a
/// per-customer table whose texts look like formulas).
pub fn report() -> RunReport {
    let nps = |value: f64, n: f64, p: u64, d: u64| MetricResult {
        value: Some(value),
        unit: "NPS points (-100 to 100)".into(),
        n,
        ci: ci(value - 3.061_234_5, value + 3.061_234_5),
        details: details(json!({
            "promoters": p, "passives": n as u64 - p - d, "detractors": d,
            "promoters_pct": 100.0 * p as f64 / n, "band": "good"
        })),
        ..Default::default()
    };
    let mut overall = row("nps", &[], nps(20.0, 2000.0, 1000, 600));
    overall.benchmark = Some(Box::new(BenchmarkComparison {
        id: "retail_nps".into(),
        segment: "Retail".into(),
        source: "illustrative".into(),
        value: 31.5,
        delta: Some(-11.5),
        direction: "below".into(),
        test: Some("one_sample_z".into()),
        p_value: Some(1.234_567e-9),
        significant: Some(true),
    }));
    let jan = row(
        "nps",
        &[("region", "North"), ("period", "2025-01")],
        nps(10.0, 300.0, 120, 90),
    );
    let mut feb = row(
        "nps",
        &[("region", "North"), ("period", "2025-02")],
        nps(26.666_666_666_666_668, 300.0, 140, 60),
    );
    feb.trend = Some(Box::new(Trend {
        previous_period: "2025-01".into(),
        previous_value: Some(10.0),
        delta: Some(16.666_666_666_666_668),
        test: Some("nps_difference_z".into()),
        statistic: Some(2.5),
        p_value: Some(0.012_345_678_9),
        p_adjusted: Some(0.024_691_357_8),
        significant: Some(true),
        mdc: Some(12.5),
        decomposition: Vec::new(),
    }));
    let csat = MetricResult {
        value: Some(82.5),
        unit: "% satisfied (4-5 on 1-5)".into(),
        n: 1234.5,
        ci: ci(80.1, 84.9),
        details: details(json!({
            "satisfied": 1018.5,
            "by_score": {"5": 700, "4": 318.5, "low": {"1": 10}},
            "cuts": [4, 5], "weighted": true, "note": null
        })),
        warnings: vec!["low_sample".into(), "weighted".into()],
        ..Default::default()
    };
    let clv = MetricResult {
        value: Some(1_234.567_8),
        unit: "currency".into(),
        n: 3.0,
        tables: vec![Table {
            name: "customers".into(),
            columns: vec!["customer".into(), "clv".into(), "orders".into()],
            rows: vec![
                vec![json!("=HYPERLINK(\"x\")"), json!(1500.25), json!(3)],
                vec![json!("+7"), json!(-12.5), json!(0)],
                vec![json!("-1"), json!(0.1), Value::Null],
                vec![json!("@SUM(A1)"), json!(2203.4534), json!(12)],
            ],
        }],
        ..Default::default()
    };
    report_of(
        vec![
            summary("nps", "nps", &[("empty", 40), ("out_of_scale", 3)]),
            summary("csat", "csat", &[("not_a_number", 2)]),
            summary("clv", "clv", &[]),
        ],
        vec![
            overall,
            jan,
            feb,
            row("csat", &[], csat),
            row("clv", &[], clv),
        ],
    )
}

pub fn render(report: &RunReport, lang: Lang) -> Vec<u8> {
    let mut buf = Vec::new();
    render_xlsx(report, lang, &mut buf).unwrap();
    buf
}

/// A rendered workbook read back.
pub struct Book(pub Xlsx<Cursor<Vec<u8>>>);

impl Book {
    pub fn open(bytes: Vec<u8>) -> Book {
        Book(open_workbook_from_rs(Cursor::new(bytes)).unwrap())
    }

    pub fn names(&self) -> Vec<String> {
        self.0.sheet_names()
    }

    /// All rows of a sheet from A1 (every sheet writes A1).
    pub fn rows(&mut self, sheet: &str) -> Vec<Vec<Data>> {
        let range = self.0.worksheet_range(sheet).unwrap();
        assert_eq!(range.start(), Some((0, 0)), "{sheet} starts at A1");
        range.rows().map(<[Data]>::to_vec).collect()
    }

    /// Formulas in a sheet (none expected).
    pub fn formulas(&mut self, sheet: &str) -> usize {
        let range = self.0.worksheet_formula(sheet).unwrap();
        range.used_cells().filter(|(_, _, f)| !f.is_empty()).count()
    }
}

/// The index of a header in a header row.
pub fn col(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|h| matches!(h, Data::String(s) if s == name))
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
}

/// A numeric cell's value (panics on any other kind of cell).
pub fn num(cell: &Data) -> f64 {
    match cell {
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, found {other:?}"),
    }
}

/// A numeric cell or an empty one.
pub fn opt_num(cell: Option<&Data>) -> Option<f64> {
    match cell {
        None | Some(Data::Empty) => None,
        Some(c) => Some(num(c)),
    }
}

/// A text cell's value ("" for an empty cell).
pub fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => panic!("expected text, found {other:?}"),
    }
}
