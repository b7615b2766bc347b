//! Reading a dataset to its end the way the engine does (a [`RecordSource`] batch by
//! batch, or a [`ChunkedSource`] chunk by chunk with a possible sequential rest), checking
//! each batch and the totals, and comparing two readings of the same file.

use std::path::Path;

use cxm_ingest::{Batch, ChunkedSource, CsvOptions, FieldSpec, IngestError, RecordSource};

/// What reading a file gave.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Read {
    /// The line of every accepted row, in reading order.
    pub accepted: Vec<u64>,
    /// The line and reason of every rejected row.
    pub rejected: Vec<(u64, String)>,
    /// The line, field and reason of every unreadable value.
    pub cell_errors: Vec<(u64, usize, String)>,
    /// Bytes hashed.
    pub bytes: u64,
    pub sha256: String,
}

/// A reading: to the end, or stopped by an error (named by its kind).
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Read(Read),
    Failed(String),
}

/// The kind of an error (and the line of a record too long, which both CSV readers must
/// agree on).
pub fn kind(e: &IngestError) -> String {
    let debug = format!("{e:?}");
    let name = debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned();
    match e {
        IngestError::RecordTooLong { line, .. } => format!("{name} at line {line}"),
        _ => name,
    }
}

impl Read {
    /// Checks a batch and adds its rows, numbered from `base`.
    fn absorb(&mut self, b: &Batch, base: u64, batch_rows: usize) -> Result<(), String> {
        let rows = b.lines.len();
        if b.columns.iter().any(|c| c.len() != rows) {
            return Err(format!(
                "a batch of {rows} lines has columns of other lengths"
            ));
        }
        if rows + b.rejected_rows.len() > batch_rows.max(1) {
            return Err(format!(
                "a batch holds {} rows, more than batch_rows = {batch_rows}",
                rows + b.rejected_rows.len()
            ));
        }
        for e in &b.cell_errors {
            if b.lines.get(e.row) != Some(&e.line) {
                return Err(format!(
                    "a cell error of row {} names line {}, the row is on line {:?}",
                    e.row,
                    e.line,
                    b.lines.get(e.row)
                ));
            }
            self.cell_errors
                .push((e.line + base, e.field, format!("{:?}", e.reason)));
        }
        self.accepted.extend(b.lines.iter().map(|l| l + base));
        self.rejected.extend(
            b.rejected_rows
                .iter()
                .map(|r| (r.line + base, r.reason.clone())),
        );
        Ok(())
    }
}

/// Reads `source` to its end; checks its totals against the rows handed out.
pub fn read_source(
    mut source: Box<dyn RecordSource>,
    batch_rows: usize,
) -> Result<Outcome, String> {
    let mut read = Read::default();
    if let Some(failed) = read_rest(&mut source, &mut read, 0, batch_rows)? {
        return Ok(failed);
    }
    let stats = match source.finish() {
        Ok(stats) => stats,
        Err(e) => return Ok(Outcome::Failed(kind(&e))),
    };
    let (accepted, rejected) = (read.accepted.len() as u64, read.rejected.len() as u64);
    if stats.rows_read != stats.rows_accepted + stats.rows_rejected
        || stats.rows_accepted != accepted
        || stats.rows_rejected != rejected
    {
        return Err(format!(
            "totals say {} read = {} accepted + {} rejected; the batches held {accepted} \
             accepted and {rejected} rejected rows",
            stats.rows_read, stats.rows_accepted, stats.rows_rejected
        ));
    }
    read.bytes = stats.bytes;
    read.sha256 = stats.sha256;
    Ok(Outcome::Read(read))
}

/// Reads the batches of `source` into `read` (numbered from `base`); `Some` when it
/// stopped with an error.
fn read_rest(
    source: &mut Box<dyn RecordSource>,
    read: &mut Read,
    base: u64,
    batch_rows: usize,
) -> Result<Option<Outcome>, String> {
    loop {
        match source.next_batch() {
            Ok(Some(b)) => read.absorb(&b, base, batch_rows)?,
            Ok(None) => return Ok(None),
            Err(e) => return Ok(Some(Outcome::Failed(kind(&e)))),
        }
    }
}

/// Reads a CSV file with the sequential reader.
pub fn read_csv(
    path: &Path,
    fields: Vec<FieldSpec>,
    options: CsvOptions,
) -> Result<Outcome, String> {
    let rows = options.batch_rows;
    match cxm_ingest::CsvSource::open(path, fields, options) {
        Ok(source) => read_source(Box::new(source), rows),
        Err(e) => Ok(Outcome::Failed(kind(&e))),
    }
}

/// Reads a file through the chunks `open` gives, as the engine does: chunk lines are
/// numbered from a base that grows chunk by chunk, and a chunk may hand the rest of the
/// file to a sequential reader.
pub fn read_chunks(
    _path: &Path,
    open: impl FnOnce() -> Result<Box<dyn ChunkedSource>, IngestError>,
) -> Result<Outcome, String> {
    let mut chunks = match open() {
        Ok(chunks) => chunks,
        Err(e) => return Ok(Outcome::Failed(kind(&e))),
    };
    let mut read = Read::default();
    let mut base = chunks.first_line();
    loop {
        let chunk = match chunks.next_chunk() {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Ok(Outcome::Failed(kind(&e))),
        };
        let mut batches = Vec::new();
        let summary = match chunk.parse(&mut |b| batches.push(b)) {
            Ok(summary) => summary,
            Err(e) => return Ok(Outcome::Failed(kind(&e))),
        };
        if let Some(mut rest) = summary.rest {
            let mut tail = Read::default();
            if let Some(failed) = read_rest(&mut rest, &mut tail, base, usize::MAX)? {
                return Ok(failed);
            }
            let stats = match rest.finish() {
                Ok(stats) => stats,
                Err(e) => return Ok(Outcome::Failed(kind(&e))),
            };
            if stats.rows_read != tail.accepted.len() as u64 + tail.rejected.len() as u64 {
                return Err("the sequential rest of a chunked file miscounted its rows".into());
            }
            read.accepted.extend(tail.accepted);
            read.rejected.extend(tail.rejected);
            read.cell_errors.extend(tail.cell_errors);
            break;
        }
        for b in &batches {
            read.absorb(b, base, usize::MAX)?;
        }
        base += summary.lines;
    }
    match chunks.finish() {
        Ok(digest) => {
            read.bytes = digest.bytes;
            read.sha256 = digest.sha256;
            Ok(Outcome::Read(read))
        }
        Err(e) => Ok(Outcome::Failed(kind(&e))),
    }
}

/// Two readings of the same file must agree: the same rows, rejections and unreadable
/// values (in any order), the same bytes hashed, or the same kind of error.
pub fn compare(a: &Outcome, b: &Outcome) -> Result<(), String> {
    match (a, b) {
        (Outcome::Read(a), Outcome::Read(b)) => {
            let sorted = |r: &Read| {
                let mut accepted = r.accepted.clone();
                accepted.sort_unstable();
                let mut rejected = r.rejected.clone();
                rejected.sort();
                let mut cells = r.cell_errors.clone();
                cells.sort();
                (accepted, rejected, cells)
            };
            let (x, y) = (sorted(a), sorted(b));
            if x.0 != y.0 {
                return Err(format!("accepted rows differ: {}", difference(&x.0, &y.0)));
            }
            if x.1 != y.1 {
                return Err(format!("rejected rows differ: {}", difference(&x.1, &y.1)));
            }
            if x.2 != y.2 {
                return Err(format!("cell errors differ: {}", difference(&x.2, &y.2)));
            }
            if a.accepted.windows(2).any(|w| w[0] >= w[1]) {
                return Err("rows out of order or counted twice".into());
            }
            if (a.bytes, &a.sha256) != (b.bytes, &b.sha256) {
                return Err(format!("hashed {} vs {} bytes", a.bytes, b.bytes));
            }
            Ok(())
        }
        (Outcome::Failed(x), Outcome::Failed(y)) if x == y => Ok(()),
        _ => Err(format!(
            "the readings disagree: {} vs {}",
            describe(a),
            describe(b)
        )),
    }
}

/// Where two sorted lists part: their lengths and a few items from the first difference.
fn difference<T: std::fmt::Debug + PartialEq>(x: &[T], y: &[T]) -> String {
    let at = x.iter().zip(y).take_while(|(a, b)| a == b).count();
    let window = |items: &[T]| {
        let shown: Vec<&T> = items.iter().skip(at).take(6).collect();
        format!("{shown:?}")
    };
    format!(
        "{} vs {} items; from item {at}: {} vs {}",
        x.len(),
        y.len(),
        window(x),
        window(y)
    )
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Read(r) => format!(
            "{} rows accepted, {} rejected",
            r.accepted.len(),
            r.rejected.len()
        ),
        Outcome::Failed(kind) => format!("error {kind}"),
    }
}
