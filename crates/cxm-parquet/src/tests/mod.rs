//! Tests of [`ParquetSource`] on fixtures written with the Arrow Parquet writer.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Date64Array, Decimal128Array, DictionaryArray,
    Float32Array, Float64Array, Int32Array, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray, TimestampMillisecondArray,
};
use chrono::FixedOffset;
use cxm_ingest::{CellErrorReason, FieldType};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use super::*;

/// 2025-03-01 as days since the epoch, and 10:00 that day in microseconds.
const DAY: i32 = 20_148;
const TEN_AM_US: i64 = 1_740_823_200_000_000;

fn write(
    dir: &TempDir,
    name: &str,
    columns: Vec<(&str, ArrayRef)>,
    props: WriterProperties,
) -> PathBuf {
    let path = dir.path().join(name);
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer =
        ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

fn small_row_groups() -> WriterProperties {
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(2))
        .set_compression(Compression::SNAPPY)
        .build()
}

/// Five rows of every supported type, in row groups of two rows, plus a column that
/// is never mapped (a list, which could not be read as text).
fn all_types(dir: &TempDir) -> PathBuf {
    let region: DictionaryArray<Int32Type> = vec![
        Some("north"),
        Some("south"),
        None,
        Some("north"),
        Some("east"),
    ]
    .into_iter()
    .collect();
    let amount = Decimal128Array::from(vec![Some(12_345), Some(-5), None, Some(0), Some(100)])
        .with_precision_and_scale(10, 2)
        .unwrap();
    let list =
        ListArray::from_iter_primitive::<Int32Type, _, _>((0..5).map(|i| Some(vec![Some(i)])));
    write(
        dir,
        "all.parquet",
        vec![
            (
                "name",
                Arc::new(StringArray::from(vec![
                    Some("Ann"),
                    None,
                    Some(" Bo "),
                    Some("NA"),
                    Some("Cy"),
                ])) as ArrayRef,
            ),
            (
                "score",
                Arc::new(Int32Array::from(vec![
                    Some(9),
                    Some(-3),
                    None,
                    Some(0),
                    Some(10),
                ])),
            ),
            (
                "ratio",
                Arc::new(Float64Array::from(vec![
                    Some(7.0),
                    Some(2.5),
                    None,
                    Some(-0.125),
                    Some(1e3),
                ])),
            ),
            (
                "small",
                Arc::new(Float32Array::from(vec![0.1f32, 1.5, 2.0, 3.25, -1.0])),
            ),
            (
                "flag",
                Arc::new(BooleanArray::from(vec![
                    Some(true),
                    Some(false),
                    None,
                    Some(true),
                    Some(false),
                ])),
            ),
            (
                "day",
                Arc::new(Date32Array::from(vec![
                    Some(DAY),
                    Some(0),
                    None,
                    Some(DAY + 1),
                    Some(-1),
                ])),
            ),
            (
                "day64",
                Arc::new(Date64Array::from(vec![
                    Some(i64::from(DAY) * 86_400_000),
                    None,
                    Some(0),
                    Some(0),
                    Some(0),
                ])),
            ),
            (
                "at_utc",
                Arc::new(
                    TimestampMicrosecondArray::from(vec![
                        Some(TEN_AM_US),
                        Some(TEN_AM_US + 1),
                        None,
                        Some(0),
                        Some(TEN_AM_US),
                    ])
                    .with_timezone("UTC"),
                ),
            ),
            (
                "at_local",
                Arc::new(TimestampMillisecondArray::from(vec![
                    Some(TEN_AM_US / 1000),
                    Some(TEN_AM_US / 1000 + 250),
                    None,
                    Some(0),
                    Some(0),
                ])),
            ),
            ("amount", Arc::new(amount)),
            ("region", Arc::new(region)),
            ("tags", Arc::new(list)),
        ],
        small_row_groups(),
    )
}

fn specs() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("name", "name", FieldType::String),
        FieldSpec::new("score", "score", FieldType::Integer),
        FieldSpec::new("ratio", "ratio", FieldType::Number),
        FieldSpec::new("small", "small", FieldType::Number),
        FieldSpec::new("flag", "flag", FieldType::Boolean),
        FieldSpec::new("day", "day", FieldType::Date),
        FieldSpec::new("day64", "day64", FieldType::Date),
        FieldSpec::new("at_utc", "at_utc", FieldType::Datetime),
        FieldSpec::new("at_local", "at_local", FieldType::Datetime),
        FieldSpec::new("amount", "amount", FieldType::Number),
        FieldSpec::new("region", "region", FieldType::String),
    ]
}

fn open(
    path: &Path,
    fields: Vec<FieldSpec>,
    zone: Zone,
    batch_rows: usize,
) -> Result<ParquetSource, IngestError> {
    ParquetSource::open(
        path,
        fields,
        &[String::new(), "NA".to_owned()],
        zone,
        batch_rows,
    )
}

/// Reads every batch; returns them with the final stats.
fn read_all(source: ParquetSource) -> (Vec<Batch>, DatasetStats) {
    let mut source: Box<dyn RecordSource> = Box::new(source);
    let mut batches = Vec::new();
    while let Some(batch) = source.next_batch().unwrap() {
        batches.push(batch);
    }
    assert_eq!(source.bytes_read(), source.total_bytes().unwrap());
    let stats = source.finish().unwrap();
    (batches, stats)
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

fn primitives<T: arrow_array::ArrowPrimitiveType>(
    batches: &[Batch],
    field: usize,
) -> Vec<Option<T::Native>> {
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

mod chunks;
mod errors;
mod fixture;
mod reading;
