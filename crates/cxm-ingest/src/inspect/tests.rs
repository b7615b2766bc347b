//! `inspect_csv` on fixtures written to temporary directories.

use super::*;
use crate::tests::fixture;

fn column(
    name: &str,
    ty: FieldType,
    empty: usize,
    samples: &[&str],
    suggestion: Option<&str>,
) -> ColumnInspection {
    ColumnInspection {
        name: name.to_owned(),
        inferred_type: ty,
        empty,
        samples: samples.iter().map(|s| (*s).to_owned()).collect(),
        suggestion: suggestion.map(str::to_owned),
    }
}

#[test]
fn mixed_file_with_preamble() {
    let csv = "Survey export\n\
               \n\
               id;score;rating;when;visited;ok;region;note\n\
               1;4,5;7;01.03.2025;02/03/2025;yes;north;\n\
               2;3;8;15.03.2025;31/03/2025;no;south;x\n\
               3;1.234,5;;20.03.2025;01/04/2025;y; north ;\n\
               4;2;9;21.03.2025;02/04/2025;n;east;y\n";
    let (_d, path) = fixture("mixed.csv", csv.as_bytes());
    let got = inspect_csv(&path, 3).expect("inspect");
    use FieldType::*;
    let want = Inspection {
        format: "csv".into(),
        encoding: "utf-8".into(),
        encoding_detected: true,
        delimiter: ';',
        header_row: 3,
        rows_sampled: 3,
        columns: vec![
            column("id", Integer, 0, &["1", "2", "3"], None),
            column(
                "score",
                Number,
                0,
                &["4,5", "3", "1.234,5"],
                Some("decimal_comma = true"),
            ),
            column("rating", Integer, 1, &["7", "8"], None),
            column(
                "when",
                Date,
                0,
                &["01.03.2025", "15.03.2025", "20.03.2025"],
                Some("format = \"dd.mm.yyyy\""),
            ),
            column(
                "visited",
                String,
                0,
                &["02/03/2025", "31/03/2025", "01/04/2025"],
                Some("format = \"dd/mm/yyyy\""),
            ),
            column("ok", Boolean, 0, &["yes", "no", "y"], None),
            column("region", String, 0, &["north", "south"], None),
            column("note", String, 2, &["x"], None),
        ],
    };
    assert_eq!(got, want);
    // The whole file: the fourth row adds samples but changes no type.
    let all = inspect_csv(&path, 100).expect("inspect");
    assert_eq!(all.rows_sampled, 4);
    assert_eq!(all.columns[6].samples, ["north", "south", "east"]);
    assert_eq!(
        all.columns[1].suggestion.as_deref(),
        Some("decimal_comma = true")
    );
}

#[test]
fn serializes_to_json() {
    let (_d, path) = fixture("s.csv", b"a,b\n1,2025-01-01T10:00:00Z\n");
    let got = inspect_csv(&path, 10).expect("inspect");
    let json = serde_json::to_value(&got).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "format": "csv",
            "encoding": "utf-8",
            "encoding_detected": true,
            "delimiter": ",",
            "header_row": 1,
            "rows_sampled": 1,
            "columns": [
                {"name": "a", "inferred_type": "integer", "empty": 0, "samples": ["1"], "suggestion": null},
                {"name": "b", "inferred_type": "datetime", "empty": 0,
                 "samples": ["2025-01-01T10:00:00Z"], "suggestion": null},
            ]
        })
    );
}

#[test]
fn legacy_and_utf16_encodings_are_reported() {
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1251.encode("Имя\tГород\tСумма\nИван\tМосква\t1,5\nПётр\tТверь\t2\n");
    let (_d, path) = fixture("ru.tsv", &bytes);
    let got = inspect_csv(&path, 10).expect("inspect");
    assert_eq!(
        (got.encoding.as_str(), got.delimiter),
        ("windows-1251", '\t')
    );
    let names: Vec<&str> = got.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Имя", "Город", "Сумма"]);
    assert_eq!(got.columns[1].samples, ["Москва", "Тверь"]);
    assert_eq!(got.columns[2].inferred_type, FieldType::Number);

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("x|y\n1|é\n".encode_utf16().flat_map(u16::to_le_bytes));
    let (_d, path) = fixture("u16.csv", &utf16);
    let got = inspect_csv(&path, 10).expect("inspect");
    assert_eq!((got.encoding.as_str(), got.delimiter), ("utf-16le", '|'));
    assert_eq!(got.columns[1].samples, ["é"]);
}

#[test]
fn errors_and_edge_cases() {
    let (_d, path) = fixture("e.csv", b"");
    assert!(matches!(
        inspect_csv(&path, 5),
        Err(IngestError::NoHeader { .. })
    ));
    let (_d, path) = fixture("b.bin", b"\x00\x01\x02\x00\xff\xfe\x00\n\x00\x00");
    let err = inspect_csv(&path, 5).expect_err("binary");
    assert!(matches!(err, IngestError::NotText { .. }), "{err:?}");
    // A single column, no rows sampled.
    let (_d, path) = fixture("one.csv", b"only\nx\n");
    let got = inspect_csv(&path, 0).expect("inspect");
    assert_eq!(
        (got.delimiter, got.header_row, got.rows_sampled),
        (',', 1, 0)
    );
    assert_eq!(
        got.columns,
        [column("only", FieldType::String, 0, &[], None)]
    );
    // Short rows count their missing cells as empty.
    let (_d, path) = fixture("short.csv", b"a,b\n1\n2,3\n");
    let got = inspect_csv(&path, 5).expect("inspect");
    assert_eq!(
        got.columns[1],
        column("b", FieldType::Integer, 1, &["3"], None)
    );
}
