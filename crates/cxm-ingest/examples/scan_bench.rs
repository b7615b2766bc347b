//! Throughput of the fast CSV chunk scanner (`src/scan.rs`) against the `csv` crate on
//! the same bytes, single-threaded. Run by hand:
//!
//! ```text
//! cargo run -p cxm-ingest --release --example scan_bench -- bench/data/survey.csv
//! ```
//!
//! The file is read into memory, its header line skipped, and the rest scanned: as one
//! chunk; as one chunk unescaping every field with `field_text`; in ~4 MB chunks cut at
//! record boundaries by quote parity (as the parallel reader does); then with
//! `csv::Reader`. Each pass counts records and sums the length of field 6; the best of
//! three runs is printed.

use std::error::Error;
use std::time::{Duration, Instant};

// The scanner is crate-private: include its source here.
#[allow(dead_code)]
#[path = "../src/scan.rs"]
mod scan;

/// Index of the field whose lengths are summed.
const FIELD: usize = 6;
/// Target size of a chunk in the chunked pass.
const CHUNK: usize = 4 << 20;
/// Runs per pass; the fastest is reported.
const RUNS: usize = 3;

/// Records and the summed length of field [`FIELD`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    records: u64,
    field_bytes: u64,
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: scan_bench <file.csv>")?;
    let bytes = std::fs::read(&path)?;
    let body_start = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    let body = &bytes[body_start..];
    println!("{path}: {} bytes after the header", body.len());

    let whole = report("scanner, one chunk", body.len(), || scan_whole(body))?;
    let unescaped = report("scanner + field_text, all fields", body.len(), || {
        scan_unescaping(body)
    })?;
    let bounds = chunk_bounds(body);
    let chunked = report("scanner, 4 MB chunks", body.len(), || {
        scan_chunked(body, &bounds)
    })?;
    let csv = report("csv crate", body.len(), || read_with_csv(body))?;
    if whole != csv || unescaped != csv || chunked != csv {
        return Err(format!(
            "results differ: scanner {whole:?}, unescaping {unescaped:?}, chunked {chunked:?}, \
             csv {csv:?}"
        )
        .into());
    }
    println!("all passes agree: {csv:?}");
    Ok(())
}

/// Runs `pass` [`RUNS`] times and prints the best time and throughput.
fn report(
    name: &str,
    len: usize,
    mut pass: impl FnMut() -> Result<Tally, Box<dyn Error>>,
) -> Result<Tally, Box<dyn Error>> {
    let mut best = Duration::MAX;
    let mut tally = Tally::default();
    for _ in 0..RUNS {
        let started = Instant::now();
        tally = pass()?;
        best = best.min(started.elapsed());
    }
    let secs = best.as_secs_f64();
    println!(
        "{name:<34} {secs:>7.3} s  {:>6.2} GB/s  {:>6.3} s/GB",
        len as f64 / secs / 1e9,
        secs / (len as f64 / 1e9)
    );
    Ok(tally)
}

fn dirty(error: scan::Dirty) -> Box<dyn Error> {
    format!("chunk is dirty at byte {}", error.offset).into()
}

fn scan_whole(body: &[u8]) -> Result<Tally, Box<dyn Error>> {
    let mut tally = Tally::default();
    scan::scan_chunk(body, b',', true, &mut |record| {
        tally.records += 1;
        if let Some(&(start, end)) = record.fields.get(FIELD) {
            tally.field_bytes += u64::from(end - start);
        }
    })
    .map_err(dirty)?;
    Ok(tally)
}

fn scan_unescaping(body: &[u8]) -> Result<Tally, Box<dyn Error>> {
    let mut tally = Tally::default();
    let mut scratch = Vec::new();
    let mut all_bytes = 0u64;
    scan::scan_chunk(body, b',', true, &mut |record| {
        tally.records += 1;
        for (index, &(start, end)) in record.fields.iter().enumerate() {
            let text = scan::field_text(&body[start as usize..end as usize], &mut scratch);
            all_bytes += text.len() as u64;
            if index == FIELD {
                tally.field_bytes += text.len() as u64;
            }
        }
    })
    .map_err(dirty)?;
    std::hint::black_box(all_bytes);
    Ok(tally)
}

/// Ends of the chunks (not timed): each chunk ends just after the first `\n` at or
/// beyond [`CHUNK`] bytes from its start preceded by an even number of quotes since its
/// start.
fn chunk_bounds(body: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let (mut start, mut quotes) = (0, 0usize);
    for (i, &b) in body.iter().enumerate() {
        quotes += usize::from(b == b'"');
        if b == b'\n' && i >= start + CHUNK && quotes % 2 == 0 {
            ends.push(i + 1);
            (start, quotes) = (i + 1, 0);
        }
    }
    if start < body.len() {
        ends.push(body.len());
    }
    ends
}

fn scan_chunked(body: &[u8], ends: &[usize]) -> Result<Tally, Box<dyn Error>> {
    let mut tally = Tally::default();
    let mut start = 0;
    for &end in ends {
        let at_eof = end == body.len();
        scan::scan_chunk(&body[start..end], b',', at_eof, &mut |record| {
            tally.records += 1;
            if let Some(&(a, b)) = record.fields.get(FIELD) {
                tally.field_bytes += u64::from(b - a);
            }
        })
        .map_err(|e| {
            dirty(scan::Dirty {
                offset: start + e.offset,
            })
        })?;
        start = end;
    }
    Ok(tally)
}

fn read_with_csv(body: &[u8]) -> Result<Tally, Box<dyn Error>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b',')
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut record = csv::ByteRecord::new();
    let mut tally = Tally::default();
    while reader.read_byte_record(&mut record)? {
        tally.records += 1;
        if let Some(field) = record.get(FIELD) {
            tally.field_bytes += field.len() as u64;
        }
    }
    Ok(tally)
}
