//! `cxm run --out DIR` writes `report.xlsx`: for every shipped client, every number of every
//! metric sheet (and of every metric table sheet) equals the one in `results.json`, stored
//! as a numeric cell; rows are matched by metric and group.
//!
//! serde_json's default float parsing is best-effort (it can be one ULP off), so the
//! numbers of `results.json` are read from their text with Rust's correctly rounded parser.

mod common;
use calamine::{open_workbook, Data, Reader, Xlsx};
use common::*;
use serde_json::Value;
use std::collections::HashMap;

/// Column headers and markers of one workbook language.
struct Lang {
    period: &'static str,
    all: &'static str,
    value: &'static str,
    ci_low: &'static str,
    ci_high: &'static str,
    previous_value: &'static str,
    delta: &'static str,
    p_value: &'static str,
    p_adjusted: &'static str,
    benchmark_value: &'static str,
    benchmark_delta: &'static str,
    benchmark_p_value: &'static str,
}

const EN: Lang = Lang {
    period: "Period",
    all: "(all)",
    value: "Value",
    ci_low: "CI low",
    ci_high: "CI high",
    previous_value: "Previous value",
    delta: "Δ",
    p_value: "p-value",
    p_adjusted: "p adjusted",
    benchmark_value: "Benchmark value",
    benchmark_delta: "Benchmark Δ",
    benchmark_p_value: "Benchmark p-value",
};

const RU: Lang = Lang {
    period: "Период",
    all: "(все)",
    value: "Значение",
    ci_low: "ДИ, нижняя граница",
    ci_high: "ДИ, верхняя граница",
    previous_value: "Предыдущее значение",
    delta: "Δ",
    p_value: "p-значение",
    p_adjusted: "p с поправкой",
    benchmark_value: "Значение бенчмарка",
    benchmark_delta: "Δ к бенчмарку",
    benchmark_p_value: "p-значение к бенчмарку",
};

/// results.json, numbers read exactly (serde_json's `float_roundtrip`, enabled in the
/// workspace, reads every float to the same bits Rust wrote).
fn exact_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// A number of results.json (`None` for null or absent).
fn exact(v: &Value) -> Option<f64> {
    match v {
        Value::Null => None,
        Value::Number(n) => n.as_f64(),
        other => panic!("{other} is not a number"),
    }
}

/// Whether a value of results.json is a number.
fn is_number(v: &Value) -> bool {
    v.is_number()
}

/// A sheet's header row and data rows.
struct Sheet {
    header: Vec<String>,
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn read(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Sheet {
        let range = book.worksheet_range(name).unwrap();
        assert_eq!(range.start(), Some((0, 0)), "{name}");
        let mut rows = range.rows().map(<[Data]>::to_vec);
        let header = rows
            .next()
            .unwrap()
            .iter()
            .map(|c| match c {
                Data::String(s) => s.clone(),
                other => panic!("{name}: header cell {other:?}"),
            })
            .collect();
        Sheet {
            header,
            rows: rows.collect(),
        }
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// The text of a group cell ("" when empty).
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => panic!("group cell {other:?} is not text"),
    }
}

/// Asserts that a cell holds exactly `want` as a number, or is empty when `want` is null.
fn check_number(c: Option<&Data>, want: Option<f64>, what: &str) {
    let got = match c {
        None | Some(Data::Empty) => None,
        Some(Data::Float(x)) => Some(*x),
        Some(Data::Int(i)) => Some(*i as f64),
        Some(other) => panic!("{what}: {other:?} is not a number"),
    };
    assert_eq!(got, want, "{what}");
}

/// The numeric leaves of a details object as `details.a.b` → number.
fn numeric_details(prefix: &str, v: &Value, out: &mut Vec<(String, f64)>) {
    if let Value::Object(map) = v {
        for (k, x) in map {
            let name = format!("{prefix}{k}");
            if x.is_object() {
                numeric_details(&format!("{name}."), x, out);
            } else if is_number(x) {
                out.push((name, exact(x).unwrap()));
            }
        }
    }
}

/// Key of a result: its group as the workbook writes it, one cell per grouping column.
fn group_key(grouping: &Value, group: &Value, l: &Lang) -> Vec<String> {
    let mut columns: Vec<&str> = grouping["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    if !grouping["period"].is_null() {
        columns.push("period");
    }
    columns
        .iter()
        .map(|c| match group.get(*c) {
            None => l.all.to_string(),
            Some(Value::Null) => String::new(),
            Some(v) => v.as_str().unwrap().to_string(),
        })
        .collect()
}

fn check_client(client: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let config = format!("config/clients/{client}.toml");
    let o = run(&["run", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{client}: {}", stderr(&o));
    let json = exact_json(&std::fs::read_to_string(out.join("results.json")).unwrap());
    let mut book: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let names = book.sheet_names();
    let l = if names.first().map(String::as_str) == Some("Сводка") {
        &RU
    } else {
        &EN
    };
    let results = json["results"].as_array().unwrap();
    let mut sheet_at = 1;
    let mut checked = 0usize;
    for m in json["metrics"].as_array().unwrap() {
        let id = m["metric"].as_str().unwrap();
        let mine: Vec<&Value> = results.iter().filter(|r| r["metric"] == id).collect();
        // The shipped ids are valid sheet names: the sheet is named by the id.
        assert_eq!(names[sheet_at], id, "{client}: sheet order {names:?}");
        sheet_at += 1;
        let sheet = Sheet::read(&mut book, id);
        assert_eq!(
            sheet.rows.len(),
            mine.len(),
            "{client}/{id}: one row per result"
        );
        let ngroup = group_key(&m["grouping"], &Value::Null, l).len();
        if ngroup > 0 && !m["grouping"]["period"].is_null() {
            assert_eq!(sheet.header[ngroup - 1], l.period);
        }
        let by_group: HashMap<Vec<String>, &Value> = mine
            .iter()
            .map(|r| (group_key(&m["grouping"], &r["group"], l), *r))
            .collect();
        assert_eq!(
            by_group.len(),
            mine.len(),
            "{client}/{id}: groups are unique"
        );
        for row in &sheet.rows {
            let key: Vec<String> = row[..ngroup].iter().map(cell_text).collect();
            let want = by_group
                .get(&key)
                .unwrap_or_else(|| panic!("{client}/{id}: no result for group {key:?}"));
            let what = |c: &str| format!("{client}/{id} {key:?} {c}");
            let at = |c: &str| sheet.col(c).and_then(|i| row.get(i));
            check_number(at(l.value), exact(&want["value"]), &what("value"));
            check_number(at("n"), exact(&want["n"]), &what("n"));
            check_number(at(l.ci_low), exact(&want["ci"]["low"]), &what("ci low"));
            check_number(at(l.ci_high), exact(&want["ci"]["high"]), &what("ci high"));
            let t = &want["trend"];
            if !t.is_null() {
                check_number(
                    at(l.previous_value),
                    exact(&t["previous_value"]),
                    &what("prev"),
                );
                check_number(at(l.delta), exact(&t["delta"]), &what("delta"));
                check_number(at(l.p_value), exact(&t["p_value"]), &what("p"));
                check_number(at(l.p_adjusted), exact(&t["p_adjusted"]), &what("p adj"));
            }
            let b = &want["benchmark"];
            if !b.is_null() {
                check_number(at(l.benchmark_value), exact(&b["value"]), &what("bench"));
                check_number(
                    at(l.benchmark_delta),
                    exact(&b["delta"]),
                    &what("bench delta"),
                );
                check_number(
                    at(l.benchmark_p_value),
                    exact(&b["p_value"]),
                    &what("bench p"),
                );
            }
            let mut details = Vec::new();
            numeric_details("details.", &want["details"], &mut details);
            for (column, x) in details {
                let i = sheet
                    .col(&column)
                    .unwrap_or_else(|| panic!("{}", what(&column)));
                check_number(row.get(i), Some(x), &what(&column));
            }
            checked += 1;
        }

        // The metric's tables follow its sheet, rows in result order.
        let mut tables: Vec<&str> = Vec::new();
        for r in &mine {
            for t in r["tables"].as_array().unwrap() {
                let name = t["name"].as_str().unwrap();
                if !tables.contains(&name) {
                    tables.push(name);
                }
            }
        }
        for table in tables {
            let name = format!("{id}.{table}");
            assert_eq!(names[sheet_at], name, "{client}");
            sheet_at += 1;
            let sheet = Sheet::read(&mut book, &name);
            let mut rows = sheet.rows.iter();
            for r in &mine {
                let Some(t) = r["tables"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["name"] == table)
                else {
                    continue;
                };
                let key = group_key(&m["grouping"], &r["group"], l);
                let columns = t["columns"].as_array().unwrap();
                for values in t["rows"].as_array().unwrap() {
                    let row = rows
                        .next()
                        .unwrap_or_else(|| panic!("{name}: too few rows"));
                    let got: Vec<String> = row[..ngroup].iter().map(cell_text).collect();
                    assert_eq!(got, key, "{client}/{name}");
                    for (c, v) in columns.iter().zip(values.as_array().unwrap()) {
                        let i = sheet.col(c.as_str().unwrap()).unwrap();
                        if v.is_null() || is_number(v) {
                            check_number(row.get(i), exact(v), &format!("{name} {c}"));
                        } else if let Some(s) = v.as_str() {
                            assert_eq!(cell_text(&row[i]), s, "{name} {c}");
                        }
                    }
                    checked += 1;
                }
            }
            assert!(rows.next().is_none(), "{client}/{name}: extra rows");
        }
    }
    assert!(checked > 0, "{client}: nothing compared");
    assert_eq!(
        names.len(),
        sheet_at + 1,
        "{client}: only the rejected sheet is left"
    );
}

#[test]
fn demo_workbook_matches_results_json() {
    check_client("demo");
}

#[test]
fn saas_workbook_matches_results_json() {
    check_client("saas");
}

#[test]
fn retail_workbook_matches_results_json() {
    check_client("retail");
}
