//! Missing columns, unreadable types and corrupt files.

use super::*;

#[test]
fn missing_column_lists_available_ones() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let mut fields = specs();
    fields.push(FieldSpec::new("nps", "nope", FieldType::Integer));
    match open(&path, fields, Zone::Utc, 10).unwrap_err() {
        IngestError::MissingColumns {
            path: p,
            missing,
            available,
        } => {
            assert_eq!(p, path);
            assert_eq!(missing, vec!["nope".to_owned()]);
            assert_eq!(available, columns(&path).unwrap());
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn columns_lists_top_level_names() {
    let dir = TempDir::new().unwrap();
    let names = columns(&all_types(&dir)).unwrap();
    assert_eq!(
        names,
        [
            "name", "score", "ratio", "small", "flag", "day", "day64", "at_utc", "at_local",
            "amount", "region", "tags"
        ]
    );
}

#[test]
fn mapping_a_nested_column_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let err = open(
        &path,
        vec![FieldSpec::new("tags", "tags", FieldType::String)],
        Zone::Utc,
        10,
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{}: column \"tags\"", path.display())),
        "{message}"
    );
    assert!(message.contains("cannot be read"), "{message}");
}

#[test]
fn corrupt_and_truncated_files_are_errors() {
    let dir = TempDir::new().unwrap();
    let garbage = dir.path().join("garbage.parquet");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&garbage, noise).unwrap();
    let err = open(&garbage, specs(), Zone::Utc, 10).unwrap_err();
    assert!(
        matches!(err, IngestError::Source { line: None, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "{}: not a readable Parquet file",
            garbage.display()
        )),
        "{message}"
    );
    assert!(columns(&garbage).is_err());

    let empty = dir.path().join("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        open(&empty, specs(), Zone::Utc, 10),
        Err(IngestError::Source { .. })
    ));

    // A valid file with its middle overwritten: the footer still parses, the data does not.
    let path = all_types(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(4).take(200) {
        *b = 0xAB;
    }
    std::fs::write(&path, bytes).unwrap();
    let mut source = open(&path, specs(), Zone::Utc, 10).unwrap();
    let err = source.next_batch().unwrap_err();
    assert!(
        matches!(err, IngestError::Source { line: Some(1), .. }),
        "{err:?}"
    );
    let message = err.to_string();
    let prefix = format!("{}:1: cannot decode Parquet data: ", path.display());
    assert!(message.starts_with(&prefix), "{message}");
    assert!(source.next_batch().unwrap().is_none());

    let missing = dir.path().join("absent.parquet");
    assert!(matches!(
        open(&missing, specs(), Zone::Utc, 10),
        Err(IngestError::Io { .. })
    ));
}
