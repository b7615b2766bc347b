//! The checks themselves: they pass on good files, read rows at all, and fail when two
//! readings disagree.

use super::*;
use crate::read::{compare, read_chunks, read_csv, Outcome, Read};

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn both_csv_readers_read_the_demo_rows_alike() {
    let path = repo().join("data/demo/survey.csv");
    let header = cxm_ingest::CsvSource::check_header(&path, &[], &Default::default()).unwrap();
    let fields = vec![FieldSpec::new("a", header[0].clone(), FieldType::String)];
    let options = cxm_ingest::CsvOptions {
        batch_rows: 100,
        ..Default::default()
    };
    let sequential = read_csv(&path, fields.clone(), options.clone()).unwrap();
    let chunked = read_chunks(&path, || {
        cxm_ingest::open_csv_chunks(&path, fields.clone(), options.clone(), 4096)
    })
    .unwrap();
    let Outcome::Read(read) = &sequential else {
        panic!("{sequential:?}")
    };
    assert!(read.accepted.len() + read.rejected.len() >= 3000);
    compare(&sequential, &chunked).unwrap();
    let fewer = Outcome::Read(Read {
        accepted: read.accepted[1..].to_vec(),
        ..Read::default()
    });
    assert!(compare(&sequential, &fewer).is_err());
    assert!(compare(&sequential, &Outcome::Failed("Csv".into())).is_err());
}

#[test]
fn every_target_passes_its_seeds() {
    let seeds = crate::seeds::load(&repo());
    let dir = tempfile::tempdir().unwrap();
    let lists = [
        (Target::Config, &seeds.toml),
        (Target::Csv, &seeds.csv),
        (Target::Ndjson, &seeds.ndjson),
        (Target::Parquet, &seeds.parquet),
        (Target::Xlsx, &seeds.xlsx),
    ];
    for (target, list) in lists {
        assert!(list.len() >= 5, "{} seeds of {}", list.len(), target.name());
        for (i, seed) in list.iter().enumerate() {
            let path = dir.path().join(format!("{i}.{}", target.ext()));
            std::fs::write(&path, seed).unwrap();
            run_case(target, &path, &repo(), dir.path()).unwrap();
        }
    }
}

#[test]
fn ndjson_lines_are_counted_as_the_reader_counts_them() {
    let text = b"\xEF\xBB\xBF{\"a\":1}\n\n  \r\n{\"a\":2}\r\nnot json\n   x";
    assert_eq!(nonblank_lines(text, 1000), [1, 4, 5, 6]);
    // A line of blanks longer than the limit counts (rejected as too long).
    assert_eq!(nonblank_lines(b"        \n{}\n", 4), [1, 2]);
}
