//! The same logical dataset as CSV, Parquet, NDJSON, Excel, a PostgreSQL table (read by
//! cxm's own client and through the ADBC PostgreSQL driver) and a SQLite table (through the
//! ADBC SQLite driver) gives identical metric results and row accounting through the real
//! binary.

mod common;
use common::*;
use serde_json::Value;
use std::sync::Arc;

/// (region, submitted, nps, csat): text exactly as every format carries it.
fn rows() -> Vec<[&'static str; 4]> {
    let mut rows = Vec::new();
    let regions = ["north", "south", "east"];
    let scores = ["10", "9", "8", "7", "6", "3", "0", "10", "9", "x", "", "11"];
    let csat = ["5", "4", "3", "2", "1", "4", "5", "5", "0", "4", "", "3"];
    let times = [
        "2025-01-15 10:00:00",
        "2025-02-03 08:30:00",
        "2025-02-28 23:59:59",
    ];
    for i in 0..36 {
        rows.push([
            regions[i % 3],
            times[i % 3],
            scores[i % 12],
            csat[(i * 5) % 12],
        ]);
    }
    rows
}

const HEADER: [&str; 4] = ["region", "submitted", "nps", "csat"];

fn write_csv(s: &Scratch) -> String {
    let mut text = HEADER.join(",") + "\n";
    for r in rows() {
        text.push_str(&r.join(","));
        text.push('\n');
    }
    s.write("survey.csv", &text);
    "path = \"survey.csv\"".into()
}

fn write_ndjson(s: &Scratch) -> String {
    let mut text = String::new();
    for r in rows() {
        let mut obj = serde_json::Map::new();
        for (k, v) in HEADER.iter().zip(r) {
            if !v.is_empty() {
                obj.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
        text.push_str(&Value::Object(obj).to_string());
        text.push('\n');
    }
    s.write("survey.ndjson", &text);
    "path = \"survey.ndjson\"".into()
}

fn write_parquet(s: &Scratch) -> String {
    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    let columns: Vec<ArrayRef> = (0..4)
        .map(|c| {
            let values: Vec<Option<&str>> = rows()
                .iter()
                .map(|r| Some(r[c]).filter(|v| !v.is_empty()))
                .collect();
            Arc::new(StringArray::from(values)) as ArrayRef
        })
        .collect();
    let batch =
        RecordBatch::try_from_iter(HEADER.iter().zip(columns).map(|(n, c)| (*n, c))).unwrap();
    let file = std::fs::File::create(s.path("survey.parquet")).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    "path = \"survey.parquet\"".into()
}

fn write_xlsx(s: &Scratch) -> String {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Responses").unwrap();
    sheet.write_string(0, 0, "Survey export (test)").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows().iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 2, c as u16);
            match v.parse::<f64>() {
                Ok(n) if c >= 2 => sheet.write_number(r, c, n).map(|_| ()),
                _ if v.is_empty() => Ok(()),
                _ => sheet.write_string(r, c, *v).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save(s.path("survey.xlsx")).unwrap();
    "path = \"survey.xlsx\"\nsheet = \"Responses\"\nheader_row = 2".into()
}

/// The path of an ADBC driver library from `var` (set by scripts/adbc-drivers.sh), or None
/// outside CI when it is not set.
fn adbc_driver(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(path) => Some(path),
        Err(_) if std::env::var("CI").is_ok() => panic!("{var} must be set in CI"),
        Err(_) => {
            eprintln!("skipping ADBC: {var} not set (eval \"$(scripts/adbc-drivers.sh)\")");
            None
        }
    }
}

/// A SQLite database with the rows (written by Python's sqlite3 module), read through the
/// ADBC SQLite driver; None when the driver is not available.
fn write_adbc_sqlite(s: &Scratch) -> Option<String> {
    let driver = adbc_driver("CXM_TEST_ADBC_SQLITE")?;
    let db = s.path("survey.sqlite");
    let mut script = String::from(
        "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute('CREATE TABLE answers (id INTEGER PRIMARY KEY, region TEXT, submitted TEXT, nps TEXT, csat INTEGER)')\n",
    );
    for r in rows() {
        let nps = if r[2].is_empty() {
            "None".to_string()
        } else {
            format!("'{}'", r[2])
        };
        let csat = if r[3].is_empty() {
            "None".to_string()
        } else {
            r[3].to_string()
        };
        script.push_str(&format!(
            "c.execute('INSERT INTO answers (region, submitted, nps, csat) VALUES (?, ?, ?, ?)', ('{}', '{}', {nps}, {csat}))\n",
            r[0], r[1]
        ));
    }
    script.push_str("c.commit()\n");
    python(&script, &[&db]);
    Some(format!(
        "format = \"adbc\"\ndriver = {driver:?}\nconnection = {:?}\nquery = \"SELECT region, submitted, nps, csat FROM answers ORDER BY id\"",
        db.display().to_string()
    ))
}

/// A PostgreSQL table with the rows, or None when no test server is configured (CI
/// always has one: .ci/run starts it).
fn write_postgres() -> Option<String> {
    let url = match std::env::var("CXM_TEST_PG_URL") {
        Ok(u) => u,
        Err(_) if std::env::var("CI").is_ok() => panic!("CXM_TEST_PG_URL must be set in CI"),
        Err(_) => {
            eprintln!("skipping PostgreSQL: CXM_TEST_PG_URL not set (eval \"$(scripts/pg-test-server.sh)\")");
            return None;
        }
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let table = format!("survey_formats_{}", std::process::id());
    client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id serial, region text, submitted timestamp, nps text, csat integer)"
        ))
        .unwrap();
    for r in rows() {
        let csat: Option<i32> = r[3].parse().ok();
        let nps: Option<&str> = Some(r[2]).filter(|v| !v.is_empty());
        client
            .execute(&format!("INSERT INTO {table} (region, submitted, nps, csat) VALUES ($1, CAST($2::text AS timestamp), $3, $4)"), &[&r[0], &r[1], &nps, &csat])
            .unwrap();
    }
    Some(format!(
        "format = \"postgres\"\nconnection_env = \"CXM_TEST_PG_URL\"\nquery = \"SELECT region, submitted, nps, csat FROM {table} ORDER BY id\""
    ))
}

fn run_with(s: &Scratch, source: &str) -> Value {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("csat", "cxm-plugin-csat", None),
    ]);
    let config = format!(
        "client = \"Formats\"\nplugins = {:?}\n[datasets.s]\n{source}\n[datasets.s.fields]\nregion = \"region\"\n\
         submitted = {{ column = \"submitted\", type = \"datetime\" }}\nnps = {{ column = \"nps\", type = \"integer\" }}\ncsat = {{ column = \"csat\", type = \"integer\" }}\n\
         [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"s\"\ninputs = {{ score = \"nps\" }}\n\
         [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"s\"\ninputs = {{ score = \"csat\" }}\n\
         [report]\ngroup_by = [\"region\"]\nperiod = {{ field = \"submitted\", grain = \"month\" }}\n",
        reg.display().to_string()
    );
    let cfg = s.write("client.toml", &config);
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--batch-rows",
        "7",
    ]);
    assert_eq!(o.status.code(), Some(0), "{source}: {}", stderr(&o));
    json(&o)
}

#[test]
fn every_format_gives_identical_results() {
    let s = Scratch::new();
    let csv = figures_and_counts(&run_with(&s, &write_csv(&s)));
    // Sanity: the bad values are counted, not dropped.
    assert_eq!(csv["datasets"][0][1], 36);
    assert_eq!(
        csv["datasets"][0][3]["nps"], 3,
        "three \"x\" values: {}",
        csv["datasets"]
    );
    let mut sources = vec![
        ("ndjson", write_ndjson(&s)),
        ("parquet", write_parquet(&s)),
        ("xlsx", write_xlsx(&s)),
    ];
    if let Some(pg) = write_postgres() {
        // The same table through the ADBC PostgreSQL driver.
        if let Some(driver) = adbc_driver("CXM_TEST_ADBC_POSTGRESQL") {
            let adbc = pg.replace(
                "format = \"postgres\"",
                &format!("format = \"adbc\"\ndriver = {driver:?}"),
            );
            sources.push((
                "adbc postgresql streamed",
                format!("{adbc}\npushdown = false"),
            ));
            sources.push(("adbc postgresql pushed down", adbc));
        }
        sources.push(("postgres", pg));
    }
    if let Some(sqlite) = write_adbc_sqlite(&s) {
        sources.push((
            "adbc sqlite streamed",
            format!("{sqlite}\npushdown = false"),
        ));
        sources.push(("adbc sqlite pushed down", sqlite));
    }
    for (name, source) in sources {
        let other = figures_and_counts(&run_with(&s, &source));
        assert_eq!(other, csv, "{name} differs from CSV");
    }
}
