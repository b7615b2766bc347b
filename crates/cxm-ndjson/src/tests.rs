//! Tests of [`NdjsonSource`] on fixture files.

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrowPrimitiveType};
use chrono::FixedOffset;
use cxm_ingest::{CellErrorReason, FieldType};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use super::*;

/// 2025-03-01 as days since the epoch, and 10:00 that day in microseconds.
const DAY: i32 = 20_148;
const TEN_AM_US: i64 = 1_740_823_200_000_000;

fn fixture(dir: &TempDir, content: &[u8]) -> PathBuf {
    let path = dir.path().join("data.ndjson");
    std::fs::write(&path, content).unwrap();
    path
}

fn open(
    path: &Path,
    fields: Vec<FieldSpec>,
    batch_rows: usize,
) -> Result<NdjsonSource, IngestError> {
    NdjsonSource::open(
        path,
        fields,
        &[String::new(), "NA".to_owned()],
        Zone::Utc,
        batch_rows,
    )
}

fn read_all(source: NdjsonSource) -> (Vec<Batch>, DatasetStats) {
    let mut source: Box<dyn RecordSource> = Box::new(source);
    let mut batches = Vec::new();
    while let Some(batch) = source.next_batch().unwrap() {
        batches.push(batch);
    }
    assert!(source.next_batch().unwrap().is_none());
    assert_eq!(Some(source.bytes_read()), source.total_bytes());
    let stats = source.finish().unwrap();
    (batches, stats)
}

fn primitives<T: ArrowPrimitiveType>(batches: &[Batch], field: usize) -> Vec<Option<T::Native>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.columns[field].as_primitive::<T>();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i)))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn strings(batches: &[Batch], field: usize) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.columns[field].as_string::<i32>();
            (0..a.len())
                .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn lines(batches: &[Batch]) -> Vec<u64> {
    batches.iter().flat_map(|b| b.lines.clone()).collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn reads_every_type_exactly() {
    let dir = TempDir::new().unwrap();
    let content = concat!(
        r#"{"score":9,"ratio":1.5,"name":" Ann ","ok":true,"day":"2025-03-01","at":"2025-03-01T10:00:00Z"}"#,
        "\n",
        r#"{"score":"7","ratio":2,"name":"Bo\u00e9","ok":false,"day":"01.03.2025","at":"2025-03-01 10:00:00"}"#,
        "\n",
        r#"{"score":null,"ratio":-1e2,"ok":null,"name":"NA","day":"2025-03-02"}"#,
        "\n",
        r#"{"score":7.0,"ratio":0.125,"name":"","ok":"true","day":null,"at":"2025-03-01T12:00:00+02:00"}"#,
        "\n",
    );
    let path = fixture(&dir, content.as_bytes());
    let fields = vec![
        FieldSpec::new("score", "score", FieldType::Integer),
        FieldSpec::new("ratio", "ratio", FieldType::Number),
        FieldSpec::new("name", "name", FieldType::String),
        FieldSpec::new("ok", "ok", FieldType::Boolean),
        FieldSpec::new("day", "day", FieldType::Date),
        FieldSpec::new("at", "at", FieldType::Datetime),
    ];
    let plus_one = Zone::Fixed(FixedOffset::east_opt(3600).unwrap());
    let source = NdjsonSource::open(
        &path,
        fields,
        &[String::new(), "NA".to_owned()],
        plus_one,
        100,
    )
    .unwrap();
    let (batches, stats) = read_all(source);
    assert_eq!(batches.len(), 1);
    assert!(
        batches[0].cell_errors.is_empty(),
        "{:?}",
        batches[0].cell_errors
    );
    assert_eq!(lines(&batches), vec![1, 2, 3, 4]);
    assert_eq!(
        primitives::<Int64Type>(&batches, 0),
        vec![Some(9), Some(7), None, Some(7)]
    );
    assert_eq!(
        primitives::<Float64Type>(&batches, 1),
        vec![Some(1.5), Some(2.0), Some(-100.0), Some(0.125)]
    );
    assert_eq!(
        strings(&batches, 2),
        vec![Some("Ann".into()), Some("Boé".into()), None, None]
    );
    let ok: Vec<Option<bool>> = batches[0].columns[3].as_boolean().iter().collect();
    assert_eq!(ok, vec![Some(true), Some(false), None, Some(true)]);
    assert_eq!(
        primitives::<Date32Type>(&batches, 4),
        vec![Some(DAY), Some(DAY), Some(DAY + 1), None]
    );
    // Without an offset the configured zone (+01:00) applies.
    assert_eq!(
        primitives::<TimestampMicrosecondType>(&batches, 5),
        vec![
            Some(TEN_AM_US),
            Some(TEN_AM_US - 3_600_000_000),
            None,
            Some(TEN_AM_US)
        ]
    );
    // Numbers keep their JSON text.
    assert_eq!(batches[0].raw_value(2, 1), "-1e2");
    assert_eq!(batches[0].raw_value(3, 0), "7.0");
    assert_eq!(
        stats,
        DatasetStats {
            rows_read: 4,
            rows_accepted: 4,
            rows_rejected: 0,
            bytes: content.len() as u64,
            sha256: sha256(content.as_bytes()),
        }
    );
}

#[test]
fn nested_keys_arrays_and_objects() {
    let dir = TempDir::new().unwrap();
    let content = concat!(
        r#"{"customer":{"id":7,"tags":["a", "b"]},"score":[1, 2],"meta":{"k": {"x": null}}}"#,
        "\n",
        r#"{"customer":{"id":8},"customer.id":"9","score":3}"#,
        "\n",
        r#"{"customer":"flat","score":{"v":1}}"#,
        "\n",
    );
    let path = fixture(&dir, content.as_bytes());
    let fields = vec![
        FieldSpec::new("customer_id", "customer.id", FieldType::Integer),
        FieldSpec::new("tags", "customer.tags", FieldType::String),
        FieldSpec::new("score", "score", FieldType::Number),
        FieldSpec::new("meta", "meta", FieldType::String),
    ];
    let (batches, _) = read_all(open(&path, fields, 100).unwrap());
    // A member literally named "customer.id" wins over the nested path.
    assert_eq!(
        primitives::<Int64Type>(&batches, 0),
        vec![Some(7), Some(9), None]
    );
    assert_eq!(
        strings(&batches, 1),
        vec![Some(r#"["a","b"]"#.into()), None, None]
    );
    assert_eq!(
        primitives::<Float64Type>(&batches, 2),
        vec![None, Some(3.0), None]
    );
    assert_eq!(
        strings(&batches, 3),
        vec![Some(r#"{"k":{"x":null}}"#.into()), None, None]
    );
    let errors: Vec<_> = batches[0]
        .cell_errors
        .iter()
        .map(|e| (e.line, e.field, e.value.as_str(), e.reason))
        .collect();
    assert_eq!(
        errors,
        vec![
            (1, 2, "[1,2]", CellErrorReason::NotANumber),
            (3, 2, r#"{"v":1}"#, CellErrorReason::NotANumber)
        ]
    );
}

#[test]
fn invalid_lines_are_rejected_and_counted() {
    let dir = TempDir::new().unwrap();
    let long = format!("{{\"score\": \"{}", "x".repeat(600));
    let content = format!("{{\"score\":1}}\nnot json\n[1,2]\n\n{{\"score\":2}}\n{{\"score\": \n{long}\n{{\"score\":3}}\n");
    let path = fixture(&dir, content.as_bytes());
    let fields = vec![FieldSpec::new("score", "score", FieldType::Integer)];
    let (batches, stats) = read_all(open(&path, fields, 100).unwrap());
    assert_eq!(
        primitives::<Int64Type>(&batches, 0),
        vec![Some(1), Some(2), Some(3)]
    );
    assert_eq!(lines(&batches), vec![1, 5, 8]);
    let rejected: Vec<_> = batches[0]
        .rejected_rows
        .iter()
        .map(|r| {
            (
                r.line,
                r.record,
                r.reason.as_str(),
                r.detail.as_str(),
                r.raw.chars().count(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        vec![
            (2, 2, "invalid_json", "expected ident at line 1 column 2", 8),
            (
                3,
                3,
                "invalid_json",
                "invalid type: sequence, expected a JSON object at line 1 column 0",
                5
            ),
            (
                6,
                5,
                "invalid_json",
                "EOF while parsing a value at line 1 column 10",
                10
            ),
            (
                7,
                6,
                "invalid_json",
                "EOF while parsing a string at line 1 column 611",
                500
            ),
        ]
    );
    assert_eq!(batches[0].rejected_rows[0].raw, "not json");
    assert_eq!(
        (stats.rows_read, stats.rows_accepted, stats.rows_rejected),
        (7, 3, 4)
    );
}

#[test]
fn blank_lines_crlf_and_bom() {
    let dir = TempDir::new().unwrap();
    let content = b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n   \r\n{\"a\":\"2\"}\r\n\n{\"a\":3}";
    let path = fixture(&dir, content);
    let fields = vec![FieldSpec::new("a", "a", FieldType::Integer)];
    let (batches, stats) = read_all(open(&path, fields, 100).unwrap());
    assert_eq!(
        primitives::<Int64Type>(&batches, 0),
        vec![Some(1), Some(2), Some(3)]
    );
    assert_eq!(lines(&batches), vec![1, 4, 6]);
    assert!(batches[0].rejected_rows.is_empty());
    assert_eq!((stats.rows_read, stats.bytes), (3, content.len() as u64));
    assert_eq!(stats.sha256, sha256(content));
    assert_eq!(columns(&path).unwrap(), ["a"]);
}

#[test]
fn batches_hold_batch_rows_records() {
    let dir = TempDir::new().unwrap();
    let content = "{\"a\":1}\n{\"a\":2}\n\nbad\n{\"a\":4}\n{\"a\":5}\n\n{\"a\":6}\n{\"a\":7}\n";
    let path = fixture(&dir, content.as_bytes());
    let mut source = open(&path, vec![FieldSpec::new("a", "a", FieldType::Integer)], 3).unwrap();
    let mut sizes = Vec::new();
    while let Some(b) = source.next_batch().unwrap() {
        sizes.push((b.num_rows(), b.rejected_rows.len()));
        assert!(source.bytes_read() <= content.len() as u64);
    }
    assert_eq!(sizes, vec![(2, 1), (3, 0), (1, 0)]);
    assert_eq!(Box::new(source).finish().unwrap().rows_read, 7);
}

#[test]
fn unseen_keys_are_missing_columns() {
    let dir = TempDir::new().unwrap();
    let path = fixture(&dir, b"{\"a\":1,\"b\":{\"c\":2}}\nnot json\n{\"d\":null}\n");
    let fields = vec![
        FieldSpec::new("a", "a", FieldType::Integer),
        FieldSpec::new("c", "b.c", FieldType::Integer),
        FieldSpec::new("d", " d ", FieldType::Integer),
        FieldSpec::new("nps", "nps", FieldType::Integer),
        FieldSpec::new("x", "b.x", FieldType::Integer),
    ];
    match open(&path, fields, 10).unwrap_err() {
        IngestError::MissingColumns {
            path: p,
            missing,
            available,
        } => {
            assert_eq!(p, path);
            assert_eq!(missing, ["nps", "b.x"]);
            assert_eq!(available, ["a", "b", "b.c", "d"]);
        }
        other => panic!("unexpected {other:?}"),
    }
    // Keys present in some records only are fine (null elsewhere).
    let fields = vec![FieldSpec::new("d", " d ", FieldType::Integer)];
    let (batches, _) = read_all(open(&path, fields, 10).unwrap());
    assert_eq!(primitives::<Int64Type>(&batches, 0), vec![None, None]);
}

#[test]
fn only_the_first_records_are_scanned() {
    let dir = TempDir::new().unwrap();
    let mut content = "{\"a\":1}\n".repeat(SCAN_RECORDS);
    content.push_str("{\"a\":1,\"late\":2}\n");
    let path = fixture(&dir, content.as_bytes());
    let fields = vec![FieldSpec::new("late", "late", FieldType::Integer)];
    assert!(matches!(
        open(&path, fields, 10),
        Err(IngestError::MissingColumns { .. })
    ));
    assert_eq!(columns(&path).unwrap(), ["a"]);
}

#[test]
fn empty_files_have_no_rows() {
    let dir = TempDir::new().unwrap();
    let path = fixture(&dir, b"\n\r\n");
    let fields = vec![FieldSpec::new("a", "a", FieldType::Integer)];
    let (batches, stats) = read_all(open(&path, fields, 10).unwrap());
    assert!(batches.is_empty());
    assert_eq!((stats.rows_read, stats.bytes), (0, 3));
    assert!(columns(&path).unwrap().is_empty());
    let absent = dir.path().join("absent.ndjson");
    assert!(matches!(columns(&absent), Err(IngestError::Io { .. })));
}

#[test]
fn overlong_lines_are_rejected() {
    let dir = TempDir::new().unwrap();
    let path = fixture(&dir, b"{\"a\":1}\n{\"a\":\"0123456789\"}\n{\"a\":3}\n");
    let fields = vec![FieldSpec::new("a", "a", FieldType::Integer)];
    let source = NdjsonSource::open_with_limit(&path, fields, &[], Zone::Utc, 10, 12).unwrap();
    let (batches, stats) = read_all(source);
    assert_eq!(primitives::<Int64Type>(&batches, 0), vec![Some(1), Some(3)]);
    let r = &batches[0].rejected_rows[0];
    assert_eq!(
        (
            r.line,
            r.record,
            r.reason.as_str(),
            r.detail.as_str(),
            r.raw.as_str()
        ),
        (
            2,
            2,
            "line_too_long",
            "line is longer than 12 bytes",
            "{\"a\":\"012345"
        )
    );
    assert_eq!(stats.rows_rejected, 1);
}
