//! Reading values, cell errors, codecs and progress.

use super::*;

#[test]
fn reads_every_type_in_batches() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let (batches, stats) = read_all(open(&path, specs(), Zone::Utc, 2).unwrap());
    assert_eq!(
        batches.iter().map(Batch::num_rows).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    assert_eq!(
        batches
            .iter()
            .flat_map(|b| b.lines.clone())
            .collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert!(batches
        .iter()
        .all(|b| b.cell_errors.is_empty() && b.rejected_rows.is_empty()));
    assert_eq!(
        strings(&batches, 0),
        vec![
            Some("Ann".into()),
            None,
            Some("Bo".into()),
            None,
            Some("Cy".into())
        ]
    );
    assert_eq!(
        primitives::<Int64Type>(&batches, 1),
        vec![Some(9), Some(-3), None, Some(0), Some(10)]
    );
    assert_eq!(
        primitives::<Float64Type>(&batches, 2),
        vec![Some(7.0), Some(2.5), None, Some(-0.125), Some(1000.0)]
    );
    assert_eq!(
        primitives::<Float64Type>(&batches, 3),
        vec![Some(0.1), Some(1.5), Some(2.0), Some(3.25), Some(-1.0)]
    );
    let flags: Vec<Option<bool>> = batches
        .iter()
        .flat_map(|b| b.columns[4].as_boolean().iter().collect::<Vec<_>>())
        .collect();
    assert_eq!(
        flags,
        vec![Some(true), Some(false), None, Some(true), Some(false)]
    );
    assert_eq!(
        primitives::<Date32Type>(&batches, 5),
        vec![Some(DAY), Some(0), None, Some(DAY + 1), Some(-1)]
    );
    assert_eq!(
        primitives::<Date32Type>(&batches, 6),
        vec![Some(DAY), None, Some(0), Some(0), Some(0)]
    );
    assert_eq!(
        primitives::<TimestampMicrosecondType>(&batches, 7),
        vec![
            Some(TEN_AM_US),
            Some(TEN_AM_US + 1),
            None,
            Some(0),
            Some(TEN_AM_US)
        ]
    );
    assert_eq!(
        primitives::<TimestampMicrosecondType>(&batches, 8),
        vec![
            Some(TEN_AM_US),
            Some(TEN_AM_US + 250_000),
            None,
            Some(0),
            Some(0)
        ]
    );
    assert_eq!(
        primitives::<Float64Type>(&batches, 9),
        vec![Some(123.45), Some(-0.05), None, Some(0.0), Some(1.0)]
    );
    assert_eq!(
        strings(&batches, 10),
        vec![
            Some("north".into()),
            Some("south".into()),
            None,
            Some("north".into()),
            Some("east".into())
        ]
    );
    // The text handed to the parsers is kept as the raw value.
    assert_eq!(batches[0].raw_value(0, 7), "2025-03-01T10:00:00+00:00");
    assert_eq!(batches[0].raw_value(1, 8), "2025-03-01 10:00:00.250");
    assert_eq!(batches[0].raw_value(1, 9), "-0.05");
    assert_eq!(batches[0].raw_value(0, 2), "7");

    let bytes = std::fs::read(&path).unwrap();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        stats,
        DatasetStats {
            rows_read: 5,
            rows_accepted: 5,
            rows_rejected: 0,
            bytes: bytes.len() as u64,
            sha256: sha
        }
    );
}

#[test]
fn naive_timestamps_are_in_the_configured_zone() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let plus_one = Zone::Fixed(FixedOffset::east_opt(3600).unwrap());
    let fields = vec![
        FieldSpec::new("utc", "at_utc", FieldType::Datetime),
        FieldSpec::new("local", "at_local", FieldType::Datetime),
    ];
    let (batches, _) = read_all(open(&path, fields, plus_one, 10).unwrap());
    // One batch per row group at least: row groups are read (and counted) one at a time.
    let rows: usize = batches.iter().map(|b| b.lines.len()).sum();
    assert_eq!(rows, 5);
    let utc = primitives::<TimestampMicrosecondType>(&batches, 0);
    let local = primitives::<TimestampMicrosecondType>(&batches, 1);
    assert_eq!(utc[0], Some(TEN_AM_US));
    assert_eq!(local[0], Some(TEN_AM_US - 3_600_000_000));
}

#[test]
fn unparseable_cells_are_cell_errors() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "bad.parquet",
        vec![
            (
                "code",
                Arc::new(StringArray::from(vec!["1", "x", "3"])) as ArrayRef,
            ),
            ("ratio", Arc::new(Float64Array::from(vec![1.0, 2.0, 2.5]))),
        ],
        small_row_groups(),
    );
    let fields = vec![
        FieldSpec::new("code", "code", FieldType::Integer),
        FieldSpec::new("ratio", "ratio", FieldType::Integer),
        // The same column may feed two fields.
        FieldSpec::new("ratio_text", "ratio", FieldType::String),
    ];
    let (batches, stats) = read_all(open(&path, fields, Zone::Utc, 100).unwrap());
    let errors: Vec<_> = batches
        .iter()
        .flat_map(|b| {
            b.cell_errors
                .iter()
                .map(|e| (e.line, e.field, e.value.clone(), e.reason))
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (2, 0, "x".to_owned(), CellErrorReason::NotANumber),
            (3, 1, "2.5".to_owned(), CellErrorReason::NotAnInteger),
        ]
    );
    assert_eq!(
        primitives::<Int64Type>(&batches, 0),
        vec![Some(1), None, Some(3)]
    );
    assert_eq!(
        primitives::<Int64Type>(&batches, 1),
        vec![Some(1), Some(2), None]
    );
    assert_eq!(
        strings(&batches, 2),
        vec![Some("1".into()), Some("2".into()), Some("2.5".into())]
    );
    assert_eq!(
        (stats.rows_read, stats.rows_accepted, stats.rows_rejected),
        (3, 3, 0)
    );
}

#[test]
fn compressed_files_are_readable() {
    let dir = TempDir::new().unwrap();
    for (name, codec) in [
        ("zstd.parquet", Compression::ZSTD(Default::default())),
        ("lz4.parquet", Compression::LZ4_RAW),
        ("gzip.parquet", Compression::GZIP(Default::default())),
        ("plain.parquet", Compression::UNCOMPRESSED),
    ] {
        let props = WriterProperties::builder().set_compression(codec).build();
        let path = write(
            &dir,
            name,
            vec![("v", Arc::new(Int32Array::from(vec![4, 5])) as ArrayRef)],
            props,
        );
        let fields = vec![FieldSpec::new("v", "v", FieldType::Integer)];
        let (batches, stats) = read_all(open(&path, fields, Zone::Utc, 10).unwrap());
        assert_eq!(
            primitives::<Int64Type>(&batches, 0),
            vec![Some(4), Some(5)],
            "{name}"
        );
        assert_eq!(stats.rows_read, 2);
    }
}

#[test]
fn progress_follows_rows() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let mut source = open(&path, specs(), Zone::Utc, 2).unwrap();
    let total = source.total_bytes().unwrap();
    assert_eq!((source.total_rows(), source.bytes_read()), (5, 0));
    source.next_batch().unwrap();
    assert_eq!(source.bytes_read(), total * 2 / 5);
    // Finishing early counts only the rows pulled but hashes the whole file.
    let stats = Box::new(source).finish().unwrap();
    assert_eq!((stats.rows_read, stats.bytes), (2, total));
}
