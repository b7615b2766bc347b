//! Reading real-world exports end to end: duplicates, rejection caps, dialects and
//! encodings, inspection, and clear errors for bad sources and malformed files.

mod common;
use common::*;
use serde_json::json;

fn config(s: &Scratch, dataset: &str) -> std::path::PathBuf {
    let reg = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    s.write(
        "client.toml",
        &format!(
            "client = \"Sources\"\nplugins = {:?}\n[datasets.s]\n{dataset}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"s\"\ninputs = {{ score = \"nps\" }}\n",
            reg.display().to_string()
        ),
    )
}

const FIELDS: &str =
    "[datasets.s.fields]\nid = \"id\"\nnps = { column = \"nps\", type = \"integer\" }";

#[test]
fn duplicates_of_the_unique_key_are_rejected_first_one_wins() {
    let s = Scratch::new();
    s.write("a.csv", "id,nps\nA,10\nB,0\nA,0\nC,9\nB,10\n");
    let cfg = config(
        &s,
        &format!("path = \"a.csv\"\nunique_key = \"id\"\n{FIELDS}"),
    );
    let out = s.path("out");
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let ds = &report["datasets"][0];
    assert_eq!(
        (
            ds["rows_read"].as_u64(),
            ds["rows_accepted"].as_u64(),
            ds["duplicates"].as_u64()
        ),
        (Some(5), Some(3), Some(2))
    );
    // A = 10, B = 0, C = 9: 2 promoters, 1 detractor of 3.
    let nps = result(&report, "nps", json!({}));
    assert_eq!(nps["n"], 3);
    assert!((nps["value"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(report["metrics"][0]["rows_used"], 3);
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(
        rejected.contains("s,4,row,id,A,duplicate,same unique_key as line 2"),
        "{rejected}"
    );
    assert!(
        rejected.contains("s,6,row,id,B,duplicate,same unique_key as line 3"),
        "{rejected}"
    );
}

#[test]
fn max_rejected_fails_the_run_clearly_and_writes_nothing() {
    let s = Scratch::new();
    s.write("a.csv", "id,nps\nA,10\nB,x\nC,y\nD,9\n");
    let out = s.path("out");
    let cfg = config(&s, &format!("path = \"a.csv\"\nmax_rejected = 1\n{FIELDS}"));
    let o = run(&["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("dataset \"s\": 2 rows rejected")
            && stderr(&o).contains("max_rejected = 1"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let cfg = config(
        &s,
        &format!("path = \"a.csv\"\nmax_rejected = \"40%\"\n{FIELDS}"),
    );
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "50% > 40%: {}", stderr(&o));
    assert!(
        stderr(&o).contains("40% of 4 rows read (50.00% rejected)"),
        "{}",
        stderr(&o)
    );
    let cfg = config(
        &s,
        &format!("path = \"a.csv\"\nmax_rejected = \"50%\"\n{FIELDS}"),
    );
    assert_eq!(run(&["run", cfg.to_str().unwrap()]).status.code(), Some(0));
}

#[test]
fn semicolon_decimal_comma_windows_1252_with_a_preamble() {
    let s = Scratch::new();
    // "Zufriedenheit" export: two title lines, ';', decimal comma, é in windows-1252 (0xE9).
    let mut bytes = b"Export 2025\r\nKunden\r\nid;nps;note\r\n".to_vec();
    bytes.extend_from_slice(b"A;10;tr\xE8s bien\r\nB;9,0;caf\xE9\r\nC;3;ok\r\n");
    std::fs::write(s.path("de.csv"), bytes).unwrap();
    let cfg = config(
        &s,
        &format!("path = \"de.csv\"\nheader_row = 3\ndecimal_comma = true\n{FIELDS}"),
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let nps = result(&report, "nps", json!({}));
    assert_eq!(nps["n"], 3, "9,0 is 9 with a decimal comma: {nps}");
    assert!((nps["value"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);
}

#[test]
fn inspect_shows_dialect_types_and_a_mapping() {
    let s = Scratch::new();
    s.write("x.csv", "Response ID;Submitted;Score;Comment\nR1;2025-03-01 10:00:00;9;ok\nR2;2025-03-02 11:00:00;4;\n");
    let o = run(&["inspect", s.path("x.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("delimiter ';'"), "{text}");
    assert!(
        text.contains("score = { column = \"Score\", type = \"integer\" }"),
        "{text}"
    );
    assert!(
        text.contains("submitted = { column = \"Submitted\", type = \"datetime\" }"),
        "{text}"
    );
    assert!(text.contains("response_id = \"Response ID\""), "{text}");
    let o = run(&[
        "inspect",
        s.path("x.csv").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let j = json(&o);
    assert_eq!(j["columns"][2]["inferred_type"], "integer");
}

#[test]
fn a_password_in_the_config_is_refused() {
    let s = Scratch::new();
    let cfg = config(
        &s,
        &format!("format = \"postgres\"\nconnection = \"host=127.0.0.1 user=x password=secret\"\ntable = \"t\"\n{FIELDS}"),
    );
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("never store a password"),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("secret"),
        "the password is not echoed: {}",
        stderr(&o)
    );
}

#[test]
fn malformed_files_give_clear_errors_not_panics() {
    let s = Scratch::new();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.csv", b"", "no header"),
        (
            "garbage.csv",
            b"\x00\x01\x02\xff\xfe\x00binary\x00\x10",
            "garbage.csv",
        ),
        (
            "garbage.parquet",
            b"PAR1 not really",
            "not a readable Parquet file",
        ),
        (
            "garbage.xlsx",
            b"PK\x03\x04 broken zip",
            "not a readable .xlsx workbook",
        ),
    ];
    for (file, bytes, words) in cases {
        std::fs::write(s.path(file), bytes).unwrap();
        let cfg = config(&s, &format!("path = \"{file}\"\n{FIELDS}"));
        let o = run(&["run", cfg.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(
            matches!(o.status.code(), Some(1) | Some(3)),
            "{file}: {err}"
        );
        assert!(
            err.to_lowercase().contains(&words.to_lowercase()),
            "{file}: {err}"
        );
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
    // A truncated quote: the unterminated record is rejected with its line, the rest counts.
    s.write("quote.csv", "id,nps\nA,10\nB,\"9\n");
    let cfg = config(&s, &format!("path = \"quote.csv\"\n{FIELDS}"));
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["datasets"][0]["rows_rejected"], 1);
    assert_eq!(report["metrics"][0]["rows_used"], 1);
}

#[test]
fn inspect_lists_the_columns_of_other_formats() {
    let s = Scratch::new();
    s.write(
        "e.ndjson",
        "{\"Ticket ID\": 1, \"customer\": {\"id\": \"C1\"}}\n",
    );
    let o = run(&["inspect", s.path("e.ndjson").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("format ndjson"), "{text}");
    assert!(text.contains("ticket_id = \"Ticket ID\""), "{text}");
    assert!(text.contains("customer_id = \"customer.id\""), "{text}");
}
