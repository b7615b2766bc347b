//! Streaming behaviour: rejected rows, line numbers, batch boundaries,
//! hashing, raw values, and robustness against malformed input.

use sha2::{Digest, Sha256};

use super::*;
use crate::hashing::hex;
use crate::{DatasetStats, RowRejection};

#[test]
fn wrong_field_count_rows_are_rejected() {
    let csv = "a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n13,14,15\n";
    let (_d, path) = fixture("w.csv", csv.as_bytes());
    let mut src = open(
        &path,
        vec![spec("a", FieldType::Integer), spec("c", FieldType::Integer)],
    );
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(b.num_rows(), 3);
    assert_eq!(b.lines, [2, 4, 6]);
    assert_eq!(ints(&b, 0), [Some(1), Some(6), Some(13)]);
    assert_eq!(ints(&b, 1), [Some(3), Some(8), Some(15)]);
    assert_eq!(
        b.rejected_rows,
        [
            RowRejection {
                line: 3,
                record: 2,
                reason: "wrong_field_count".into(),
                detail: "expected 3 fields, found 2".into(),
                raw: "4,5".into(),
                // a and c are mapped; b is not, and may have shifted into c's place.
                mapped: vec![],
            },
            RowRejection {
                line: 5,
                record: 4,
                reason: "wrong_field_count".into(),
                detail: "expected 3 fields, found 4".into(),
                raw: "9,10,11,12".into(),
                mapped: vec![(0, "9".into())],
            },
        ]
    );
    assert!(src.next_batch().expect("ok").is_none());
    let stats = src.finish().expect("finish");
    assert_eq!(stats.rows_read, 5);
    assert_eq!(stats.rows_accepted, 3);
    assert_eq!(stats.rows_rejected, 2);
    assert_eq!(stats.rows_read, stats.rows_accepted + stats.rows_rejected);
}

#[test]
fn rejected_raw_is_capped_at_500_chars() {
    let long = "é".repeat(600);
    let csv = format!("a,b\n{long}\n");
    let (_d, path) = fixture("long.csv", csv.as_bytes());
    let mut src = open(&path, vec![spec("a", FieldType::String)]);
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(b.num_rows(), 0);
    assert_eq!(b.columns[0].len(), 0);
    assert_eq!(b.rejected_rows[0].raw.chars().count(), 500);
    assert_eq!(b.rejected_rows[0].detail, "expected 2 fields, found 1");
}

#[test]
fn quoted_comma_and_newline_keep_line_numbers() {
    let csv = "id,comment,score\n\
               1,\"hello, world\",5\n\
               2,\"line one\nline two\nline three\",6\n\
               3,plain,7\n\
               4,\"x\"\"y\",8\n";
    let (_d, path) = fixture("q.csv", csv.as_bytes());
    let mut src = open(
        &path,
        vec![
            spec("comment", FieldType::String),
            spec("score", FieldType::Integer),
        ],
    );
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(b.lines, [2, 3, 6, 7]);
    assert_eq!(
        strs(&b, 0),
        [
            Some("hello, world".into()),
            Some("line one\nline two\nline three".into()),
            Some("plain".into()),
            Some("x\"y".into()),
        ]
    );
    assert_eq!(ints(&b, 1), [Some(5), Some(6), Some(7), Some(8)]);
}

#[test]
fn line_numbers_with_crlf_blank_lines_and_bom() {
    let csv = b"\xEF\xBB\xBF\r\nid,v\r\n1,a\r\n\r\n2,\"x\r\ny\"\r\n3\r\n\n4,z";
    let (_d, path) = fixture("crlf.csv", csv);
    let mut src = open(
        &path,
        vec![spec("id", FieldType::Integer), spec("v", FieldType::String)],
    );
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(b.lines, [3, 5, 9]);
    assert_eq!(
        strs(&b, 1),
        [Some("a".into()), Some("x\r\ny".into()), Some("z".into())]
    );
    assert_eq!(b.rejected_rows.len(), 1);
    assert_eq!((b.rejected_rows[0].line, b.rejected_rows[0].record), (7, 3));
}

#[test]
fn semicolon_delimiter_and_crlf() {
    let csv = "name;score\r\nAnna;1,5\r\nBen;2\r\n";
    let (_d, path) = fixture("semi.csv", csv.as_bytes());
    let options = CsvOptions {
        delimiter: b';',
        ..CsvOptions::default()
    };
    let fields = vec![
        spec("name", FieldType::String),
        spec("score", FieldType::Number),
    ];
    let mut src = CsvSource::open(&path, fields, options).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(strs(&b, 0), [Some("Anna".into()), Some("Ben".into())]);
    assert_eq!(floats(&b, 1), [None, Some(2.0)]);
    assert_eq!(b.lines, [2, 3]);
    assert_eq!(b.cell_errors[0].value, "1,5");
    assert_eq!(b.cell_errors[0].reason, crate::CellErrorReason::NotANumber);
}

#[test]
fn batches_split_at_batch_rows() {
    let csv = "n,x\n1,a\n2,b\n3\n4,d\n\n5,e\n6,f\n";
    let (_d, path) = fixture("b.csv", csv.as_bytes());
    let options = CsvOptions {
        batch_rows: 2,
        ..CsvOptions::default()
    };
    let mut src =
        CsvSource::open(&path, vec![spec("n", FieldType::Integer)], options).expect("open");
    let all = batches(&mut src);
    type Shape = (Vec<Option<i64>>, Vec<u64>, Vec<u64>);
    let shape: Vec<Shape> = all
        .iter()
        .map(|b| {
            (
                ints(b, 0),
                b.lines.clone(),
                b.rejected_rows.iter().map(|r| r.line).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (vec![Some(1), Some(2)], vec![2, 3], vec![]),
            (vec![Some(4)], vec![5], vec![4]),
            (vec![Some(5), Some(6)], vec![7, 8], vec![]),
        ]
    );
    assert_eq!(all[1].rejected_rows[0].record, 3);
    assert!(src.next_batch().expect("ok").is_none());
    let stats = src.finish().expect("finish");
    assert_eq!(
        (stats.rows_read, stats.rows_accepted, stats.rows_rejected),
        (6, 5, 1)
    );
}

#[test]
fn sha256_covers_the_whole_file() {
    let bytes = b"\xEF\xBB\xBFid,score\n1,5\n2,6\n3,7\n";
    let (_d, path) = fixture("h.csv", bytes);
    let expected = hex(&Sha256::digest(bytes));

    let mut src = open(&path, vec![spec("score", FieldType::Integer)]);
    assert_eq!(src.total_bytes(), Some(bytes.len() as u64));
    let _ = batches(&mut src);
    assert_eq!(src.bytes_read(), bytes.len() as u64);
    let stats = src.finish().expect("finish");
    assert_eq!(
        stats,
        DatasetStats {
            rows_read: 3,
            rows_accepted: 3,
            rows_rejected: 0,
            bytes: bytes.len() as u64,
            sha256: expected.clone(),
        }
    );

    // finish() without reading any batch still hashes everything.
    let src = open(&path, vec![spec("score", FieldType::Integer)]);
    let stats = src.finish().expect("finish");
    assert_eq!(stats.sha256, expected);
    assert_eq!(stats.rows_read, 0);
}

#[test]
fn finish_drains_a_large_partially_read_file() {
    let mut csv = String::from("id,v\n");
    for i in 0..50_000 {
        csv.push_str(&format!("{i},{}\n", i % 7));
    }
    let (_d, path) = fixture("big.csv", csv.as_bytes());
    let options = CsvOptions {
        batch_rows: 1000,
        ..CsvOptions::default()
    };
    let mut src =
        CsvSource::open(&path, vec![spec("v", FieldType::Integer)], options).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(b.num_rows(), 1000);
    assert_eq!(b.lines.last(), Some(&1001));
    assert!(src.bytes_read() < csv.len() as u64);
    let stats = src.finish().expect("finish");
    assert_eq!(stats.rows_read, 1000);
    assert_eq!(stats.bytes, csv.len() as u64);
    assert_eq!(stats.sha256, hex(&Sha256::digest(csv.as_bytes())));
}

#[test]
fn raw_value_returns_original_text() {
    let csv = "a,b,c\n  7.0 ,\"x, y \",ignored\n";
    let (_d, path) = fixture("r.csv", csv.as_bytes());
    let mut src = open(
        &path,
        vec![spec("b", FieldType::String), spec("a", FieldType::Integer)],
    );
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(b.raw_value(0, 0), "x, y ");
    assert_eq!(b.raw_value(0, 1), "  7.0 ");
    assert_eq!(strs(&b, 0), [Some("x, y".into())]);
    assert_eq!(ints(&b, 1), [Some(7)]);
    assert_eq!(b.raw_value(1, 0), "");
}

#[test]
fn invalid_utf8_in_unmapped_columns_is_ignored() {
    let (_d, path) = fixture("u.csv", b"id,blob\n1,\xff\xfe\x00\n2,\xc3\x28\n");
    let mut src = open(&path, vec![spec("id", FieldType::Integer)]);
    let b = src.next_batch().expect("ok").expect("batch");
    assert!(b.cell_errors.is_empty());
    assert_eq!(ints(&b, 0), [Some(1), Some(2)]);
}

#[test]
fn malformed_input_never_panics() {
    let mut garbage = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..20_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        garbage.push((x >> 16) as u8);
    }
    let inputs: Vec<Vec<u8>> = vec![
        [b"a,b\n".as_slice(), &garbage].concat(),
        b"a,b\n1,\"unterminated\n2,3\n".to_vec(),
        b"a,b\n1,\"unterminated".to_vec(),
        b"a,b\n\"1\"x,2\n".to_vec(),
        b"a,b\n\xff,\xff\n".to_vec(),
        b"a,b".to_vec(),
    ];
    for input in inputs {
        let (_d, path) = fixture("g.csv", &input);
        let fields = vec![spec("a", FieldType::Datetime), spec("b", FieldType::String)];
        let options = CsvOptions {
            batch_rows: 7,
            ..CsvOptions::default()
        };
        let mut src = CsvSource::open(&path, fields, options).expect("open");
        while let Ok(Some(b)) = src.next_batch() {
            for e in &b.cell_errors {
                assert!(e.row < b.num_rows());
            }
            for col in &b.columns {
                assert_eq!(col.len(), b.num_rows());
            }
        }
        let stats = src.finish().expect("finish");
        assert_eq!(stats.bytes, input.len() as u64);
        assert_eq!(stats.rows_read, stats.rows_accepted + stats.rows_rejected);
    }
}
