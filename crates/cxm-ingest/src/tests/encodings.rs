//! Encodings: byte-order marks, UTF-16, legacy code pages declared and
//! detected; the hash always covers the bytes as stored.

use encoding_rs::{WINDOWS_1251, WINDOWS_1252};
use sha2::{Digest, Sha256};

use super::*;
use crate::hashing::hex;
use crate::IngestError;

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        out.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

fn with_encoding(encoding: Option<&str>) -> CsvOptions {
    CsvOptions {
        encoding: encoding.map(str::to_owned),
        ..CsvOptions::default()
    }
}

/// Opens `bytes` with `options`, reads every batch, and checks the hash.
fn read(bytes: &[u8], fields: Vec<FieldSpec>, options: CsvOptions) -> (Vec<Batch>, String) {
    let (_d, path) = fixture("enc.csv", bytes);
    let mut src = CsvSource::open(&path, fields, options).expect("open");
    let encoding = src.encoding().to_owned();
    let all = batches(&mut src);
    assert_eq!(src.bytes_read(), bytes.len() as u64);
    let stats = src.finish().expect("finish");
    assert_eq!(stats.bytes, bytes.len() as u64);
    assert_eq!(stats.sha256, hex(&Sha256::digest(bytes)));
    (all, encoding)
}

#[test]
fn utf16_with_bom_both_byte_orders() {
    let text = "name,city\r\nZoë,\"Köln,\r\nDeutz\"\r\n€uro,Zürich\r\n";
    for (big_endian, name) in [(false, "utf-16le"), (true, "utf-16be")] {
        let bytes = utf16(text, big_endian);
        let fields = vec![
            spec("name", FieldType::String),
            spec("city", FieldType::String),
        ];
        for declared in [None, Some(name)] {
            let (all, encoding) = read(&bytes, fields.clone(), with_encoding(declared));
            assert_eq!(encoding, name);
            let b = &all[0];
            assert_eq!(strs(b, 0), [Some("Zoë".into()), Some("€uro".into())]);
            assert_eq!(
                strs(b, 1),
                [Some("Köln,\r\nDeutz".into()), Some("Zürich".into())]
            );
            assert_eq!(b.lines, [2, 4]);
        }
    }
}

#[test]
fn utf8_bom_declared_or_detected() {
    let bytes = "\u{feff}id,name\n1,Ærø\n".as_bytes();
    for declared in [None, Some("utf-8"), Some("UTF8")] {
        let (all, encoding) = read(
            bytes,
            vec![
                spec("id", FieldType::Integer),
                spec("name", FieldType::String),
            ],
            with_encoding(declared),
        );
        assert_eq!(encoding, "utf-8");
        assert_eq!(ints(&all[0], 0), [Some(1)]);
        assert_eq!(strs(&all[0], 1), [Some("Ærø".into())]);
    }
}

#[test]
fn windows_1251_declared_and_detected() {
    let text = "Имя;Город;Сумма\nИван;Москва;10\nПётр;Санкт-Петербург;20\nЁжик;Тверь;30\n";
    let (bytes, _, _) = WINDOWS_1251.encode(text);
    let fields = vec![
        FieldSpec::new("name", "Имя", FieldType::String),
        FieldSpec::new("city", "Город", FieldType::String),
        FieldSpec::new("sum", "Сумма", FieldType::Integer),
    ];
    for declared in [None, Some("windows-1251"), Some("cp1251")] {
        let opts = CsvOptions {
            delimiter: b';',
            ..with_encoding(declared)
        };
        let (all, encoding) = read(&bytes, fields.clone(), opts);
        assert_eq!(encoding, "windows-1251");
        let b = &all[0];
        assert!(b.cell_errors.is_empty());
        assert_eq!(
            strs(b, 0),
            [
                Some("Иван".into()),
                Some("Пётр".into()),
                Some("Ёжик".into())
            ]
        );
        assert_eq!(strs(b, 1)[1], Some("Санкт-Петербург".into()));
        assert_eq!(ints(b, 2), [Some(10), Some(20), Some(30)]);
        assert_eq!(b.raw_value(0, 1), "Москва");
    }
}

#[test]
fn windows_1252_declared_and_detected() {
    let text = "produit,prix,note\nCafé crème,3 €,très bon\nThé glacé,4 €,à revoir\n";
    let (bytes, _, _) = WINDOWS_1252.encode(text);
    assert!(bytes.contains(&0x80) && bytes.contains(&0xE9));
    let fields = vec![
        spec("produit", FieldType::String),
        spec("prix", FieldType::String),
    ];
    for declared in [
        None,
        Some("windows-1252"),
        Some("latin1"),
        Some("ISO-8859-1"),
    ] {
        let (all, encoding) = read(&bytes, fields.clone(), with_encoding(declared));
        assert_eq!(encoding, "windows-1252");
        assert_eq!(
            strs(&all[0], 0),
            [Some("Café crème".into()), Some("Thé glacé".into())]
        );
        assert_eq!(strs(&all[0], 1), [Some("3 €".into()), Some("4 €".into())]);
    }
}

#[test]
fn decoding_streams_across_buffers_and_batches() {
    let mut text = String::from("n;word\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i};слово{}\n", i % 10));
    }
    let (bytes, _, _) = WINDOWS_1251.encode(&text);
    assert!(bytes.len() > 200_000);
    let opts = CsvOptions {
        delimiter: b';',
        batch_rows: 3000,
        ..with_encoding(None)
    };
    let (all, encoding) = read(
        &bytes,
        vec![
            spec("n", FieldType::Integer),
            spec("word", FieldType::String),
        ],
        opts,
    );
    assert_eq!(encoding, "windows-1251");
    assert_eq!(all.len(), 7);
    let last = all.last().expect("last");
    assert_eq!(ints(last, 0).last(), Some(&Some(19_999)));
    assert_eq!(strs(last, 1).last(), Some(&Some("слово9".into())));
    assert_eq!(last.lines.last(), Some(&20_001));
    assert!(all.iter().all(|b| b.cell_errors.is_empty()));

    // UTF-16 with characters split across reads.
    let mut text = String::from("k|v\n");
    for i in 0..10_000 {
        text.push_str(&format!("{i}|ä€𝄞\n"));
    }
    let (all, _) = read(
        &utf16(&text, false),
        vec![spec("v", FieldType::String)],
        CsvOptions {
            delimiter: b'|',
            ..with_encoding(None)
        },
    );
    let values: Vec<_> = all.iter().flat_map(|b| strs(b, 0)).collect();
    assert_eq!(values.len(), 10_000);
    assert!(values.iter().all(|v| v.as_deref() == Some("ä€𝄞")));
}

#[test]
fn wrong_or_unknown_declared_encodings() {
    // Declared UTF-8 on windows-1252 bytes: string cells are invalid_utf8.
    let (bytes, _, _) = WINDOWS_1252.encode("a,b\n1,café\n");
    let (all, _) = read(
        &bytes,
        vec![spec("b", FieldType::String)],
        with_encoding(Some("utf-8")),
    );
    assert_eq!(
        all[0].cell_errors[0].reason,
        crate::CellErrorReason::InvalidUtf8
    );
    assert_eq!(all[0].cell_errors[0].value, "caf\u{fffd}");

    // Declared UTF-16 on a UTF-8 file: the header decodes to garbage.
    let (_d, path) = fixture("u8.csv", b"id,name\n1,a\n");
    let err = CsvSource::open(
        &path,
        vec![spec("id", FieldType::Integer)],
        with_encoding(Some("utf-16le")),
    )
    .expect_err("garbage header");
    match &err {
        IngestError::MissingColumns {
            missing, available, ..
        } => {
            assert_eq!(missing, &["id"]);
            assert_eq!(available.len(), 1);
            assert_ne!(available[0], "id,name");
        }
        other => panic!("unexpected {other:?}"),
    }

    let err =
        CsvSource::open(&path, vec![], with_encoding(Some("ebcdic-klingon"))).expect_err("unknown");
    assert!(matches!(err, IngestError::UnknownEncoding { .. }));
    assert!(err.to_string().starts_with(&format!(
        "{}: unknown encoding \"ebcdic-klingon\"",
        path.display()
    )));
}
