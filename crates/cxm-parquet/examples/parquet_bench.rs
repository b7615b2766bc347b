//! Times reading the benchmark Parquet file (run by hand):
//!
//! ```text
//! cargo run -p cxm-parquet --release --example parquet_bench -- [file] [batch_rows] [runs] [threads]
//! ```
//!
//! With `threads`, only ParquetChunks on that many threads is timed (for profiling); with
//! `verify` instead, its batches are compared with the text path's.
//!
//! Maps the five benchmark fields (`submitted` datetime, `region` string, `nps`, `csat`,
//! `ces` integer; null values `[""]`, UTC) and prints the best wall time of `runs` runs
//! (default 3) of: decoding the five columns only (no conversion, one thread);
//! [`ParquetChunks`] with chunks handed out (and the file hashed) on the main thread and
//! parsed by 1 and 2 worker threads; the text path ([`ParquetSource`]) on one thread.

use std::error::Error;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use cxm_ingest::{
    Batch, Chunk, ChunkedSource, FieldSpec, FieldType, IngestError, RecordSource, Zone,
};
use cxm_parquet::{ParquetChunks, ParquetSource};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("submitted", "submitted", FieldType::Datetime),
        FieldSpec::new("region", "region", FieldType::String),
        FieldSpec::new("nps", "nps", FieldType::Integer),
        FieldSpec::new("csat", "csat", FieldType::Integer),
        FieldSpec::new("ces", "ces", FieldType::Integer),
    ]
}

/// Rows decoded, without any conversion.
fn decode_only(path: &Path, batch_rows: usize) -> Result<u64> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path)?)?;
    let names = ["submitted", "region", "nps", "csat", "ces"];
    let roots: Vec<usize> = builder
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| names.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(batch_rows)
        .build()?;
    let mut rows = 0;
    for batch in reader {
        rows += batch?.num_rows() as u64;
    }
    Ok(rows)
}

/// Rows read by `threads` workers parsing the chunks handed out on this thread.
fn chunked(path: &Path, batch_rows: usize, threads: usize) -> Result<u64> {
    let null_values = [String::new()];
    let mut source = ParquetChunks::open(path, fields(), &null_values, Zone::Utc, batch_rows)?;
    let rows = AtomicU64::new(0);
    let (sender, receiver) = mpsc::sync_channel::<Box<dyn Chunk>>(threads * 2);
    let receiver = Mutex::new(receiver);
    let worker = || -> std::result::Result<(), IngestError> {
        loop {
            let next = match receiver.lock() {
                Ok(r) => r.recv(),
                Err(_) => return Ok(()),
            };
            let Ok(chunk) = next else { return Ok(()) };
            let mut n = 0;
            chunk.parse(&mut |batch| n += batch.num_rows() as u64)?;
            rows.fetch_add(n, Ordering::Relaxed);
        }
    };
    std::thread::scope(|scope| -> Result<()> {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        while let Some(chunk) = source.next_chunk()? {
            sender.send(chunk)?;
        }
        drop(sender);
        for w in workers {
            w.join().map_err(|_| "worker panicked")??;
        }
        Ok(())
    })?;
    let digest = Box::new(source).finish()?;
    if digest.sha256.len() != 64 {
        return Err("no digest".into());
    }
    Ok(rows.into_inner())
}

/// Chunks handed out (so the whole file hashed) without parsing them.
fn hash_only(path: &Path, batch_rows: usize) -> Result<u64> {
    let null_values = [String::new()];
    let mut source = ParquetChunks::open(path, fields(), &null_values, Zone::Utc, batch_rows)?;
    let mut chunks = 0;
    while source.next_chunk()?.is_some() {
        chunks += 1;
    }
    Box::new(source).finish()?;
    Ok(chunks)
}

/// Rows read by the text path on this thread.
fn text_path(path: &Path, batch_rows: usize) -> Result<u64> {
    let null_values = [String::new()];
    let mut source: Box<dyn RecordSource> = Box::new(ParquetSource::open(
        path,
        fields(),
        &null_values,
        Zone::Utc,
        batch_rows,
    )?);
    let mut rows = 0;
    while let Some(batch) = source.next_batch()? {
        rows += batch.num_rows() as u64;
    }
    source.finish()?;
    Ok(rows)
}

/// Checks that ParquetChunks gives the text path's batches: values, lines, cell errors,
/// and the raw text of every 997th row.
fn verify(path: &Path) -> Result<()> {
    let null_values = [String::new()];
    let mut text = ParquetSource::open(path, fields(), &null_values, Zone::Utc, 50_000)?;
    let mut source = ParquetChunks::open(path, fields(), &null_values, Zone::Utc, 16_384)?;
    let mut want = Batch::with_raw_text(
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Box::new(|_, _, _| false),
    );
    let mut offset = 0;
    let mut checked = 0;
    while let Some(chunk) = source.next_chunk()? {
        let mut got = Vec::new();
        chunk.parse(&mut |b| got.push(b))?;
        for batch in &got {
            let mut done = 0;
            while done < batch.num_rows() {
                if offset == want.num_rows() {
                    want = text.next_batch()?.ok_or("text path ended early")?;
                    offset = 0;
                }
                let n = (batch.num_rows() - done).min(want.num_rows() - offset);
                compare(&want, offset, batch, done, n)?;
                done += n;
                offset += n;
                checked += n;
            }
        }
    }
    if offset != want.num_rows() || text.next_batch()?.is_some() {
        return Err("the text path has more rows".into());
    }
    println!("identical: {checked} rows");
    Ok(())
}

/// Compares `n` rows of `want` from `w` with `n` rows of `got` from `g`.
fn compare(want: &Batch, w: usize, got: &Batch, g: usize, n: usize) -> Result<()> {
    let at = got.lines[g];
    if want.lines[w..w + n] != got.lines[g..g + n] {
        return Err(format!("lines differ from line {at}").into());
    }
    for (f, column) in got.columns.iter().enumerate() {
        if *want.columns[f].slice(w, n) != *column.slice(g, n) {
            return Err(format!("field {f} differs from line {at}").into());
        }
        for row in (0..n).step_by(997) {
            if want.raw_value(w + row, f) != got.raw_value(g + row, f) {
                return Err(format!("raw text differs at line {}", got.lines[g + row]).into());
            }
        }
    }
    let errors = |b: &Batch, from: usize| {
        b.cell_errors
            .iter()
            .filter(|e| (from..from + n).contains(&e.row))
            .map(|e| (e.line, e.field, e.value.clone(), e.reason))
            .collect::<Vec<_>>()
    };
    if errors(want, w) != errors(got, g) {
        return Err(format!("cell errors differ from line {at}").into());
    }
    Ok(())
}

/// The best time of `runs` runs of `f`, and the rows it read.
fn best(runs: usize, mut f: impl FnMut() -> Result<u64>) -> Result<(Duration, u64)> {
    let mut fastest = Duration::MAX;
    let mut rows = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        rows = f()?;
        fastest = fastest.min(start.elapsed());
    }
    Ok((fastest, rows))
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "bench/data/survey.parquet".to_owned()),
    );
    let batch_rows: usize = args.next().map_or(Ok(16_384), |a| a.parse())?;
    let runs: usize = args.next().map_or(Ok(3), |a| a.parse())?;
    match args.next().as_deref() {
        None => {}
        Some("verify") => return verify(&path),
        Some(threads) => {
            // Only ParquetChunks on that many threads (for profiling).
            let (time, rows) = best(runs, || chunked(&path, batch_rows, threads.parse()?))?;
            println!("{:.3} s  {rows} rows", time.as_secs_f64());
            return Ok(());
        }
    }
    let schema = ParquetRecordBatchReaderBuilder::try_new(File::open(&path)?)?
        .schema()
        .clone();
    for field in schema.fields() {
        println!("column {}: {}", field.name(), field.data_type());
    }
    println!("batch_rows {batch_rows}, best of {runs}");
    let report = |name: &str, (time, rows): (Duration, u64)| {
        println!("{name:<28} {:>8.3} s  {rows} rows", time.as_secs_f64());
    };
    report(
        "decode only, 1 thread",
        best(runs, || decode_only(&path, batch_rows))?,
    );
    report(
        "hand out chunks (hash) only",
        best(runs, || hash_only(&path, batch_rows))?,
    );
    for threads in [1, 2] {
        let name = format!("ParquetChunks, {threads} thread(s)");
        report(&name, best(runs, || chunked(&path, batch_rows, threads))?);
    }
    report(
        "ParquetSource (text), 1 thread",
        best(1, || text_path(&path, batch_rows))?,
    );
    Ok(())
}
