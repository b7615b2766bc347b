//! Dialects: delimiters (declared and sniffed), decimal commas, thousands
//! separators, the header line and trimming.

use super::*;
use crate::{CellErrorReason, IngestError};

fn options() -> CsvOptions {
    CsvOptions::default()
}

#[test]
fn semicolon_with_decimal_comma() {
    let csv = "name;score;count;note\n\
               Anna;4,5;1.234;\"a; b\nc\"\n\
               Ben;1.234,5;7;x\n\
               Cleo;4.5;12;y\n";
    let (_d, path) = fixture("semi.csv", csv.as_bytes());
    let opts = CsvOptions {
        delimiter: b';',
        decimal_comma: true,
        ..options()
    };
    let fields = vec![
        spec("score", FieldType::Number),
        spec("count", FieldType::Integer),
        spec("note", FieldType::String),
    ];
    let mut src = CsvSource::open(&path, fields, opts).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(floats(&b, 0), [Some(4.5), Some(1234.5), None]);
    assert_eq!(ints(&b, 1), [Some(1234), Some(7), Some(12)]);
    assert_eq!(
        strs(&b, 2),
        [Some("a; b\nc".into()), Some("x".into()), Some("y".into())]
    );
    assert_eq!(b.lines, [2, 4, 5]);
    // A decimal point is not accepted when the decimal mark is a comma.
    assert_eq!(b.cell_errors.len(), 1);
    assert_eq!(
        (b.cell_errors[0].line, b.cell_errors[0].value.as_str()),
        (5, "4.5")
    );
    assert_eq!(b.cell_errors[0].reason, CellErrorReason::NotANumber);
}

#[test]
fn decimal_comma_needs_another_delimiter() {
    let (_d, path) = fixture("c.csv", b"a,b\n1,2\n");
    let opts = CsvOptions {
        decimal_comma: true,
        ..options()
    };
    let err = CsvSource::open(&path, vec![spec("a", FieldType::Number)], opts.clone())
        .expect_err("invalid");
    assert!(matches!(err, IngestError::InvalidOptions { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: decimal_comma needs a delimiter other than ',' (such as ';')",
            path.display()
        )
    );
    // check_header applies the same rule.
    assert!(CsvSource::check_header(&path, &[], &opts).is_err());
    // Clashing separators are rejected too.
    let opts = CsvOptions {
        delimiter: b';',
        decimal_comma: true,
        thousands_separator: Some(b','),
        ..options()
    };
    let err = CsvSource::open(&path, vec![], opts).expect_err("invalid");
    assert!(err
        .to_string()
        .ends_with("thousands separator ',' is also the decimal mark"));
}

#[test]
fn tab_and_pipe_delimiters() {
    for (delimiter, csv) in [
        (
            b'\t',
            "id\tcomment\tscore\n1\t\"tab\there\"\t5\n2\tplain, text\t6\n",
        ),
        (
            b'|',
            "id|comment|score\n1|\"pipe|here\"|5\n2|plain, text|6\n",
        ),
    ] {
        let (_d, path) = fixture("d.csv", csv.as_bytes());
        let opts = CsvOptions {
            delimiter,
            ..options()
        };
        let fields = vec![
            spec("comment", FieldType::String),
            spec("score", FieldType::Integer),
        ];
        let mut src = CsvSource::open(&path, fields, opts).expect("open");
        assert_eq!(src.delimiter(), delimiter);
        let b = src.next_batch().expect("ok").expect("batch");
        let quoted = if delimiter == b'|' {
            "pipe|here"
        } else {
            "tab\there"
        };
        assert_eq!(
            strs(&b, 0),
            [Some(quoted.into()), Some("plain, text".into())]
        );
        assert_eq!(ints(&b, 1), [Some(5), Some(6)]);
    }
}

#[test]
fn sniffed_delimiters() {
    for (csv, want) in [
        ("a;b;c\n1,5;2;\"x;y\"\n3;4,5;z\n", b';'),
        ("a\tb\tc\n1,5\t2\tx\n3\t4\tz\n", b'\t'),
        ("a|b|c\n1|2|x,y\n3|4|z\n", b'|'),
        ("a,b,c\n\"1;2\",2,x\n3,4,z\n", b','),
    ] {
        let (_d, path) = fixture("s.csv", csv.as_bytes());
        let opts = CsvOptions {
            sniff_delimiter: true,
            ..options()
        };
        let src = CsvSource::open(&path, vec![spec("c", FieldType::String)], opts).expect("open");
        assert_eq!(src.delimiter(), want, "{csv:?}");
        assert_eq!(src.header(), ["a", "b", "c"]);
    }
    // Nothing splits a single column: the declared delimiter stays.
    let (_d, path) = fixture("one.csv", b"a\n1\n");
    let opts = CsvOptions {
        sniff_delimiter: true,
        delimiter: b';',
        ..options()
    };
    let src = CsvSource::open(&path, vec![], opts).expect("open");
    assert_eq!(src.delimiter(), b';');
}

#[test]
fn sniffing_starts_at_the_header_row() {
    let csv = "Report, generated 2025-03-01, by admin\n\
               \n\
               id;v\n1;2,5\n2;3\n";
    let (_d, path) = fixture("p.csv", csv.as_bytes());
    let opts = CsvOptions {
        sniff_delimiter: true,
        decimal_comma: true,
        header_row: 3,
        ..options()
    };
    let mut src = CsvSource::open(&path, vec![spec("v", FieldType::Number)], opts).expect("open");
    assert_eq!(src.delimiter(), b';');
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(floats(&b, 0), [Some(2.5), Some(3.0)]);
}

#[test]
fn header_row_skips_the_preamble() {
    let csv = "Export \"Q1\", all regions\r\n\
               generated;2025-04-01\r\n\
               id;region\r\n\
               1;north\r\n\
               \r\n\
               2;\"south\r\nwest\"\r\n\
               3\r\n";
    let (_d, path) = fixture("h.csv", csv.as_bytes());
    let opts = CsvOptions {
        delimiter: b';',
        header_row: 3,
        ..options()
    };
    let fields = vec![
        spec("id", FieldType::Integer),
        spec("region", FieldType::String),
    ];
    let mut src = CsvSource::open(&path, fields, opts).expect("open");
    assert_eq!(src.header(), ["id", "region"]);
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(ints(&b, 0), [Some(1), Some(2)]);
    assert_eq!(b.lines, [4, 6]);
    assert_eq!(b.rejected_rows.len(), 1);
    assert_eq!((b.rejected_rows[0].line, b.rejected_rows[0].record), (8, 3));
    let stats = src.finish().expect("finish");
    assert_eq!((stats.rows_read, stats.rows_accepted), (3, 2));
    assert_eq!(stats.bytes, csv.len() as u64);

    // header_row 0 is line 1; past the end of the file there is no header.
    let (_d, path) = fixture("h0.csv", b"a\n1\n");
    let opts = CsvOptions {
        header_row: 0,
        ..options()
    };
    assert_eq!(
        CsvSource::open(&path, vec![], opts).expect("open").header(),
        ["a"]
    );
    let opts = CsvOptions {
        header_row: 5,
        ..options()
    };
    let err = CsvSource::open(&path, vec![], opts).expect_err("no header");
    assert!(matches!(err, IngestError::NoHeader { .. }));
}

#[test]
fn thousands_separators() {
    let csv = "n;i\n\"1,234.5\";\"1,234\"\n7.25;1,234,567\n12,34;1.5\n";
    let (_d, path) = fixture("t.csv", csv.as_bytes());
    let fields = vec![spec("n", FieldType::Number), spec("i", FieldType::Integer)];
    let opts = CsvOptions {
        delimiter: b';',
        thousands_separator: Some(b','),
        ..options()
    };
    let mut src = CsvSource::open(&path, fields.clone(), opts).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(floats(&b, 0), [Some(1234.5), Some(7.25), None]);
    assert_eq!(ints(&b, 1), [Some(1234), Some(1_234_567), None]);
    let reasons: Vec<_> = b
        .cell_errors
        .iter()
        .map(|e| (e.value.as_str(), e.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("12,34", CellErrorReason::NotANumber),
            ("1.5", CellErrorReason::NotAnInteger)
        ]
    );
    // Undeclared, "1,234" is not a number.
    let mut src = CsvSource::open(
        &path,
        fields,
        CsvOptions {
            delimiter: b';',
            ..options()
        },
    )
    .expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(ints(&b, 1), [None, None, None]);

    // Spaces with a decimal comma.
    let (_d, path) = fixture("s.csv", "v\n1 234 567,5\n".as_bytes());
    let opts = CsvOptions {
        delimiter: b';',
        decimal_comma: true,
        thousands_separator: Some(b' '),
        ..options()
    };
    let mut src = CsvSource::open(&path, vec![spec("v", FieldType::Number)], opts).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(floats(&b, 0), [Some(1_234_567.5)]);
}

#[test]
fn trim_false_keeps_spaces_in_text_only() {
    let csv = "s,i,q\n  a b  , 7 ,\" x \"\n   , 8 ,y\n";
    let (_d, path) = fixture("trim.csv", csv.as_bytes());
    let fields = vec![
        spec("s", FieldType::String),
        spec("i", FieldType::Integer),
        spec("q", FieldType::String),
    ];
    let opts = CsvOptions {
        trim: false,
        ..options()
    };
    let mut src = CsvSource::open(&path, fields.clone(), opts).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert_eq!(strs(&b, 0), [Some("  a b  ".into()), None]);
    assert_eq!(ints(&b, 1), [Some(7), Some(8)]);
    assert_eq!(strs(&b, 2), [Some(" x ".into()), Some("y".into())]);
    // Trimmed by default.
    let mut src = CsvSource::open(&path, fields, options()).expect("open");
    let b = src.next_batch().expect("ok").expect("batch");
    assert_eq!(strs(&b, 0), [Some("a b".into()), None]);
    assert_eq!(strs(&b, 2), [Some("x".into()), Some("y".into())]);
}
