//! `cxm init`: a starter config from export files, for every format, that validates and runs.

mod common;
use common::*;
use std::path::Path;
use std::sync::Arc;

/// The demo survey's header and rows.
fn demo() -> (Vec<String>, Vec<Vec<String>>) {
    // The demo has a few short rows on purpose: they are padded with empty cells.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(repo().join("data/demo/survey.csv"))
        .unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let mut row: Vec<String> = r.unwrap().iter().map(String::from).collect();
            row.resize(header.len(), String::new());
            row
        })
        .collect();
    (header, rows)
}

/// `cxm init FILE -o CONFIG`, asserting success; the config's text.
fn init(file: &Path, config: &Path) -> String {
    let o = cxm()
        .arg("init")
        .arg(file)
        .arg("-o")
        .arg(config)
        .args(["--client", "Test"])
        .output()
        .unwrap();
    assert!(o.status.success(), "init failed: {}", stderr(&o));
    std::fs::read_to_string(config).unwrap()
}

/// `cxm run CONFIG --format json`, asserting success.
fn run_json(config: &Path) -> serde_json::Value {
    let o = cxm()
        .arg("run")
        .arg(config)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    json(&o)
}

/// The config maps the demo's score columns and computes NPS and CSAT from them.
fn assert_survey(text: &str, config: &Path) {
    assert!(
        text.contains("nps = { column = \"Likelihood to recommend\", type = \"integer\" }"),
        "{text}"
    );
    assert!(
        text.contains("csat = { column = \"Satisfaction\", type = \"integer\" }"),
        "{text}"
    );
    assert!(
        text.contains("params = { scale = [1, 5], satisfied = [4, 5] }"),
        "{text}"
    );
    let report = run_json(config);
    for metric in ["nps", "csat"] {
        let r = result(&report, metric, serde_json::json!({}));
        assert!(r["value"].is_number(), "{metric}: {r}");
    }
}

#[test]
fn demo_csv_gives_nps_and_csat_that_validate_and_run() {
    let s = Scratch::new();
    let config = s.path("demo.toml");
    let text = init(&repo().join("data/demo/survey.csv"), &config);
    assert!(text.contains("client = \"Test\""), "{text}");
    assert!(
        text.contains("submitted = { column = \"Submitted\", type = \"datetime\" }"),
        "{text}"
    );
    assert!(text.contains("response_id = \"Response ID\""), "{text}");
    let o = cxm().arg("validate").arg(&config).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_survey(&text, &config);
}

#[test]
fn prints_to_stdout_without_output() {
    let o = run(&["init", "data/demo/survey.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("path = \"data/demo/survey.csv\""), "{text}");
    assert!(text.contains("plugins = \"config/plugins.toml\""), "{text}");
    assert!(text.contains("[[metrics]]\nid = \"nps\""), "{text}");
}

#[test]
fn refuses_to_overwrite_an_existing_config() {
    let s = Scratch::new();
    let config = s.write("client.toml", "# mine\n");
    let o = cxm()
        .args(["init", "data/demo/survey.csv", "-o"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
}

#[test]
fn semicolon_csv_with_decimal_commas() {
    let s = Scratch::new();
    let (header, rows) = demo();
    let mut text = header.join(";") + ";Amount\n";
    for (i, r) in rows.iter().enumerate() {
        let quoted: Vec<String> = r
            .iter()
            .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
            .collect();
        text.push_str(&format!("{};{},{}\n", quoted.join(";"), i % 90, i % 10));
    }
    let data = s.write("umfrage.csv", &text);
    let config = s.path("client.toml");
    let text = init(&data, &config);
    assert!(text.contains("delimiter = \";\""), "{text}");
    assert!(text.contains("decimal_comma = true"), "{text}");
    assert!(
        text.contains("amount = { column = \"Amount\", type = \"number\" }"),
        "{text}"
    );
    assert!(text.contains("path = \"umfrage.csv\""), "{text}");
    assert_survey(&text, &config);
}

#[test]
fn ndjson() {
    let s = Scratch::new();
    let (header, rows) = demo();
    let mut text = String::new();
    for r in &rows {
        let mut obj = serde_json::Map::new();
        for (k, v) in header.iter().zip(r) {
            if !v.is_empty() {
                obj.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
        text.push_str(&serde_json::Value::Object(obj).to_string());
        text.push('\n');
    }
    let data = s.write("survey.ndjson", &text);
    let config = s.path("client.toml");
    let text = init(&data, &config);
    assert!(text.contains("# ndjson"), "{text}");
    assert_survey(&text, &config);
}

#[test]
fn parquet() {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    let s = Scratch::new();
    let (header, rows) = demo();
    let columns: Vec<ArrayRef> = (0..header.len())
        .map(|c| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| Some(r[c].as_str()).filter(|v| !v.is_empty()))
                .collect();
            Arc::new(StringArray::from(values)) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_from_iter(header.iter().zip(columns)).unwrap();
    let data = s.path("survey.parquet");
    let file = std::fs::File::create(&data).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let config = s.path("client.toml");
    let text = init(&data, &config);
    assert!(text.contains("# parquet"), "{text}");
    assert_survey(&text, &config);
}

#[test]
fn xlsx_with_a_title_row() {
    let s = Scratch::new();
    let (header, rows) = demo();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Responses").unwrap();
    sheet.write_string(0, 0, "Survey export").unwrap();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 2, c as u16);
            match v.parse::<f64>() {
                Ok(n) => sheet.write_number(r, c, n).map(|_| ()),
                _ if v.is_empty() => Ok(()),
                _ => sheet.write_string(r, c, v).map(|_| ()),
            }
            .unwrap();
        }
    }
    let data = s.path("survey.xlsx");
    book.save(&data).unwrap();
    let config = s.path("client.toml");
    let text = init(&data, &config);
    assert!(text.contains("sheet = \"Responses\""), "{text}");
    assert!(text.contains("header_row = 2"), "{text}");
    assert_survey(&text, &config);
}

#[test]
fn a_churn_flag_gets_a_churn_metric_suggested_that_runs() {
    let s = Scratch::new();
    let mut csv = String::from("customerID,tenure,Churn\n");
    for i in 0..40 {
        let churn = if i % 4 == 0 { "Yes" } else { "No" };
        csv.push_str(&format!("C{i:03},{},{churn}\n", i % 13));
    }
    let file = s.write("telco.csv", &csv);
    let config = s.path("telco.toml");
    let text = init(&file, &config);
    assert!(
        text.contains("churn = { column = \"Churn\", type = \"boolean\" }"),
        "{text}"
    );
    let suggestion = "# plugin = \"retention/snapshot_churn\"\n# dataset = \"telco\"\n# inputs = { churned = \"churn\", customer_id = \"customer_id\" }";
    assert!(text.contains(suggestion), "{text}");
    // Uncommented, it validates and runs: 10 of the 40 customers churned.
    let uncommented = text.replace(
        &format!("# [[metrics]]\n# id = \"telco_churn\"\n{suggestion}"),
        "[[metrics]]\nid = \"telco_churn\"\nplugin = \"retention/snapshot_churn\"\ndataset = \"telco\"\ninputs = { churned = \"churn\", customer_id = \"customer_id\" }",
    );
    assert_ne!(uncommented, text, "{text}");
    std::fs::write(&config, uncommented).unwrap();
    let report = run_json(&config);
    let r = result(&report, "telco_churn", serde_json::json!({}));
    assert_eq!(r["value"], 25.0, "{r}");
}
