//! Malformed files: unterminated quotes, binary data, empty files — each a
//! clear error or rejected row naming the file and line, never a panic.

use super::*;
use crate::{IngestError, RowRejection};

#[test]
fn unterminated_quote_at_the_end_is_a_rejected_row() {
    // Field a is mapped; the field with the open quote ran to the end and is never shown.
    for (csv, line, raw, mapped) in [
        (
            &b"a,b\n1,2\n3,\"open"[..],
            3,
            "3,open",
            vec![(0, "3".to_string())],
        ),
        (
            b"a,b\n1,2\n3,\"open\n4,5\n",
            3,
            "3,open\n4,5\n",
            vec![(0, "3".to_string())],
        ),
        (b"a,b\r\n1,2\r\n\r\n\"x\"\"y,4\r\n", 4, "x\"y,4\r\n", vec![]),
    ] {
        let (_d, path) = fixture("q.csv", csv);
        let mut src = open(&path, vec![spec("a", FieldType::Integer)]);
        let all = batches(&mut src);
        assert_eq!(all.len(), 1);
        assert_eq!(ints(&all[0], 0), [Some(1)]);
        assert_eq!(
            all[0].rejected_rows,
            [RowRejection {
                line,
                record: 2,
                reason: "unterminated_quote".into(),
                detail: "a quoted field is not closed before the end of the file".into(),
                raw: raw.into(),
                mapped: mapped.clone(),
            }]
        );
        let stats = src.finish().expect("finish");
        assert_eq!((stats.rows_read, stats.rows_rejected), (2, 1));
    }
    // Closed quotes at the end of the file are fine.
    for csv in [&b"a,b\n1,\"x\""[..], b"a,b\n1,\"x\"\"\"\n", b"a,b\n1,x\"\n"] {
        let (_d, path) = fixture("ok.csv", csv);
        let mut src = open(&path, vec![spec("b", FieldType::String)]);
        let all = batches(&mut src);
        assert!(all[0].rejected_rows.is_empty(), "{csv:?}");
    }
}

#[test]
fn unterminated_quote_in_the_header_is_an_error() {
    let (_d, path) = fixture("h.csv", b"title\n\"a,b\n1,2\n");
    let opts = CsvOptions {
        header_row: 2,
        ..CsvOptions::default()
    };
    let err = CsvSource::open(&path, vec![], opts).expect_err("open quote");
    assert!(
        matches!(err, IngestError::Csv { line: Some(2), .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2: a quoted field of the header is not closed before the end of the file",
            path.display()
        )
    );
}

fn garbage(len: usize, seed: u32, no_nul: bool) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let b = (x >> 16) as u8;
            if no_nul && b == 0 {
                1
            } else {
                b
            }
        })
        .collect()
}

#[test]
fn binary_garbage_has_no_valid_header() {
    let (_d, path) = fixture("g.bin", &garbage(5000, 7, false));
    let err = CsvSource::open(
        &path,
        vec![spec("id", FieldType::Integer)],
        CsvOptions::default(),
    )
    .expect_err("binary");
    assert!(matches!(err, IngestError::NotText { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with(&format!("{}: not a CSV text file", path.display())));

    // Without NUL bytes, printable garbage: no such column.
    let bytes: Vec<u8> = garbage(5000, 11, true)
        .into_iter()
        .map(|b| b | 0x80)
        .collect();
    let (_d, path) = fixture("g2.bin", &bytes);
    let err = CsvSource::open(
        &path,
        vec![spec("id", FieldType::Integer)],
        CsvOptions::default(),
    )
    .expect_err("garbage");
    assert!(matches!(err, IngestError::MissingColumns { .. }), "{err:?}");

    // UTF-16 without a byte-order mark, read as a single-byte encoding.
    let bytes: Vec<u8> = "id,v\n1,2\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let (_d, path) = fixture("u16.csv", &bytes);
    let err = CsvSource::open(&path, vec![], CsvOptions::default()).expect_err("nul");
    assert!(err.to_string().contains("\"utf-16le\""), "{err}");
}

#[test]
fn empty_files_in_any_encoding_have_no_header() {
    for (bytes, encoding) in [
        (&b""[..], None),
        (b"\xFF\xFE", None),
        (b"\xFE\xFF", Some("utf-16be")),
        (b"\r\n\r\n", Some("windows-1251")),
    ] {
        let (_d, path) = fixture("e.csv", bytes);
        let opts = CsvOptions {
            encoding: encoding.map(str::to_owned),
            ..CsvOptions::default()
        };
        let err = CsvSource::open(&path, vec![], opts).expect_err("empty");
        assert!(matches!(err, IngestError::NoHeader { .. }), "{bytes:?}");
    }
}

#[test]
fn malformed_input_with_any_options_never_panics() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for seed in 0..12 {
        let mut g = garbage(3000, seed, seed % 2 == 0);
        if seed % 3 == 0 {
            g.splice(0..0, b"a;b,c\n".iter().copied());
        }
        inputs.push(g);
    }
    inputs.push(b"a,b\n\"\n\"\"\"\n".to_vec());
    inputs.push(b"\xFF\xFEa\x00,\x00\"".to_vec());
    inputs.push(b"\xFE\xFF\x00a\x00\n\xD8\x00".to_vec());
    for input in &inputs {
        let (_d, path) = fixture("m.csv", input);
        for (sniff, encoding, header_row) in [
            (false, None, 1),
            (true, None, 2),
            (true, Some("utf-16le"), 1),
            (false, Some("utf-8"), 3),
            (true, Some("windows-1251"), 1),
        ] {
            let opts = CsvOptions {
                sniff_delimiter: sniff,
                encoding: encoding.map(str::to_owned),
                header_row,
                batch_rows: 5,
                ..CsvOptions::default()
            };
            let fields = vec![spec("a", FieldType::Number)];
            let Ok(mut src) = CsvSource::open(&path, fields, opts.clone()) else {
                continue;
            };
            while let Ok(Some(b)) = src.next_batch() {
                assert!(b.columns.iter().all(|c| c.len() == b.num_rows()));
            }
            let stats = src.finish().expect("finish");
            assert_eq!(stats.bytes, input.len() as u64);
            assert_eq!(stats.rows_read, stats.rows_accepted + stats.rows_rejected);
        }
        let _ = crate::inspect::inspect_csv(&path, 10);
    }
}
