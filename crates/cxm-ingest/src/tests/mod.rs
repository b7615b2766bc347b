//! Tests of the whole reader against CSV fixtures written to temporary
//! directories.

mod dialects;
mod encodings;
mod header;
mod malformed;
mod parsing;
mod record_limits;
mod streaming;
mod zones;

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use tempfile::TempDir;

use crate::{Batch, CsvOptions, CsvSource, FieldSpec, FieldType};

/// Writes `bytes` to `name` inside a fresh temporary directory.
pub(crate) fn fixture(name: &str, bytes: &[u8]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    (dir, path)
}

/// A field whose canonical name equals its source column.
pub(crate) fn spec(column: &str, ty: FieldType) -> FieldSpec {
    FieldSpec::new(column, column, ty)
}

pub(crate) fn open(path: &Path, fields: Vec<FieldSpec>) -> CsvSource {
    CsvSource::open(path, fields, CsvOptions::default()).expect("open")
}

/// Reads every batch.
pub(crate) fn batches(src: &mut CsvSource) -> Vec<Batch> {
    let mut out = Vec::new();
    while let Some(b) = src.next_batch().expect("next_batch") {
        out.push(b);
    }
    out
}

fn collect<T, A: Array>(arr: &A, value: impl Fn(&A, usize) -> T) -> Vec<Option<T>> {
    (0..arr.len())
        .map(|i| (!arr.is_null(i)).then(|| value(arr, i)))
        .collect()
}

pub(crate) fn ints(b: &Batch, f: usize) -> Vec<Option<i64>> {
    collect(b.columns[f].as_primitive::<Int64Type>(), |a, i| a.value(i))
}

pub(crate) fn floats(b: &Batch, f: usize) -> Vec<Option<f64>> {
    collect(b.columns[f].as_primitive::<Float64Type>(), |a, i| {
        a.value(i)
    })
}

pub(crate) fn strs(b: &Batch, f: usize) -> Vec<Option<String>> {
    collect(b.columns[f].as_string::<i32>(), |a, i| {
        a.value(i).to_owned()
    })
}

pub(crate) fn bools(b: &Batch, f: usize) -> Vec<Option<bool>> {
    collect(b.columns[f].as_boolean(), |a, i| a.value(i))
}

pub(crate) fn dates(b: &Batch, f: usize) -> Vec<Option<i32>> {
    collect(b.columns[f].as_primitive::<Date32Type>(), |a, i| a.value(i))
}

pub(crate) fn stamps(b: &Batch, f: usize) -> Vec<Option<i64>> {
    collect(
        b.columns[f].as_primitive::<TimestampMicrosecondType>(),
        |a, i| a.value(i),
    )
}

#[test]
fn source_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<CsvSource>();
    assert_send::<Batch>();
}
