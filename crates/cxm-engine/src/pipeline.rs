//! The threads that run one dataset: a producer hands out chunks in file order (and hashes
//! the input), workers parse and process chunks in parallel, and the calling thread merges
//! their results strictly in chunk order. A counting semaphore bounds the chunks in flight,
//! so memory stays bounded whatever the input size.
//!
//! When the dataset has a unique_key, duplicates must be found in file order: workers then
//! only parse, and the merging thread processes each chunk's batches itself.

use crate::chunk::{ChunkState, ChunkWork, SeenKeys};
use crate::context::DatasetContext;
use crate::error::EngineError;
use crate::merge::DatasetTotals;
use crate::plan::MetricPlan;
use crate::Progress;
use cxm_ingest::{
    Batch, Chunk, ChunkSummary, ChunkedSource, DataWarning, IngestError, SourceDigest,
};
use cxm_report::Rejection;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::Mutex;

/// The producer keeps going.
const RUNNING: u8 = 0;
/// The rest of the input is read sequentially; the producer only finishes hashing.
const SEQUENTIAL_REST: u8 = 1;
/// The run failed; every thread stops.
const ABORTED: u8 = 2;

/// How a dataset is run.
pub(crate) struct PipelineOptions {
    /// Worker threads (at least 1).
    pub(crate) threads: usize,
    /// Fail once more rows than this are rejected.
    pub(crate) max_rejected: Option<u64>,
}

/// A chunk handed to a worker.
struct Work {
    index: usize,
    chunk: Box<dyn Chunk>,
    bytes_read: u64,
    bytes_total: Option<u64>,
}

/// What a worker made of a chunk.
enum Parsed {
    /// Processed by the worker.
    Processed(ChunkState),
    /// Parsed only (the merging thread processes the batches in order).
    Batches(Vec<Batch>),
}

struct Outcome {
    index: usize,
    bytes_read: u64,
    bytes_total: Option<u64>,
    result: Result<(ChunkSummary, Parsed), IngestError>,
}

/// Runs every chunk of `source` through the dataset's metrics and folds the results into
/// `totals` and the plans' instances; returns the input's digest and what reading found
/// that may make figures or texts wrong (the source's warnings, timestamps resolved at a
/// daylight-saving change).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_chunks(
    ctx: &DatasetContext,
    source: Box<dyn ChunkedSource>,
    plans: &mut [MetricPlan],
    totals: &mut DatasetTotals,
    options: &PipelineOptions,
    on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(SourceDigest, Vec<DataWarning>), EngineError> {
    let data_error = |source| EngineError::Data {
        dataset: ctx.name.clone(),
        source,
    };
    let ordered = !ctx.key_fields.is_empty();
    let threads = options.threads.max(1);
    let first_line = source.first_line();
    let state = AtomicU8::new(RUNNING);
    // Two chunks per worker plus two: enough to keep every worker fed while one chunk is
    // slow, few enough to bound memory (chunks in flight x chunk size).
    let (token_tx, token_rx) = sync_channel::<()>(2 * threads + 2);
    let (work_tx, work_rx) = channel::<Work>();
    let work_rx = Mutex::new(work_rx);
    let (outcome_tx, outcome_rx) = channel::<Outcome>();
    std::thread::scope(|scope| {
        let producer = {
            let (state, outcome_tx) = (&state, outcome_tx.clone());
            scope.spawn(move || produce(source, state, token_tx, work_tx, outcome_tx))
        };
        for _ in 0..threads {
            let (state, work_rx, outcome_tx) = (&state, &work_rx, outcome_tx.clone());
            scope.spawn(move || work(ctx, ordered, state, work_rx, outcome_tx));
        }
        drop(outcome_tx);
        let merged = merge_in_order(
            ctx,
            plans,
            totals,
            options,
            first_line,
            &outcome_rx,
            &token_rx,
            &state,
            on_reject,
            on_progress,
        );
        if merged.is_err() {
            state.store(ABORTED, Ordering::SeqCst);
        }
        // Unblock the producer (it may wait for a token) and let workers drain.
        drop(token_rx);
        drop(outcome_rx);
        let produced = producer.join();
        merged?;
        match produced {
            Ok(Some(Ok((digest, mut warnings)))) => {
                warnings.extend(totals.resolved_times.warning(&ctx.zone));
                Ok((digest, warnings))
            }
            Ok(Some(Err(e))) => Err(data_error(e)),
            Ok(None) => Err(EngineError::Internal(format!(
                "dataset \"{}\": the reader stopped early",
                ctx.name
            ))),
            Err(_) => Err(EngineError::Internal(format!(
                "dataset \"{}\": the reading thread panicked",
                ctx.name
            ))),
        }
    })
}

/// What the producer leaves: the input's digest and the source's warnings.
type Produced = Result<(SourceDigest, Vec<DataWarning>), IngestError>;

/// Hands out chunks until the end of the input (or until told to stop), then hashes the
/// rest of the input. Returns `None` when the run was aborted.
fn produce(
    mut source: Box<dyn ChunkedSource>,
    state: &AtomicU8,
    tokens: std::sync::mpsc::SyncSender<()>,
    work: std::sync::mpsc::Sender<Work>,
    outcomes: std::sync::mpsc::Sender<Outcome>,
) -> Option<Produced> {
    let mut index = 0;
    while state.load(Ordering::SeqCst) == RUNNING {
        // One token per chunk in flight; the merging thread returns it once merged.
        if tokens.send(()).is_err() {
            break;
        }
        match source.next_chunk() {
            Ok(Some(chunk)) => {
                let item = Work {
                    index,
                    chunk,
                    bytes_read: source.bytes_read(),
                    bytes_total: source.total_bytes(),
                };
                if work.send(item).is_err() {
                    break;
                }
                index += 1;
            }
            Ok(None) => break,
            Err(e) => {
                let _ = outcomes.send(Outcome {
                    index,
                    bytes_read: 0,
                    bytes_total: None,
                    result: Err(e),
                });
                return None;
            }
        }
    }
    drop(work);
    if state.load(Ordering::SeqCst) == ABORTED {
        return None;
    }
    let warnings = source.warnings();
    Some(source.finish().map(|digest| (digest, warnings)))
}

/// Parses (and, unless `ordered`, processes) chunks until there are none left.
///
/// A chunk whose last batches are still with isolated children when it has been parsed is
/// not waited for at once: the worker parses the next chunk's first batch while the
/// children finish, and counts the held chunk just before it feeds that batch (so it holds
/// at most one channel of each child, as before), then hands it over. Without isolated
/// metrics nothing is ever held.
fn work(
    ctx: &DatasetContext,
    ordered: bool,
    state: &AtomicU8,
    queue: &Mutex<Receiver<Work>>,
    outcomes: std::sync::mpsc::Sender<Outcome>,
) {
    let mut held: Option<Held<'_>> = None;
    let mut closed = false;
    let hand_over = |held: Held<'_>, closed: &mut bool| {
        let outcome = held.finish();
        if outcomes.send(outcome).is_err() {
            *closed = true;
        }
    };
    loop {
        // Never wait for work while holding a chunk: the merging thread may be waiting for
        // it, with every token taken (the producer then waits too). Take work at once if
        // there is some; else hand the held chunk over first.
        let ready = match held {
            Some(_) => queue.try_lock().ok().and_then(|r| r.try_recv().ok()),
            None => None,
        };
        let item = match ready {
            Some(item) => item,
            None => {
                if let Some(h) = held.take() {
                    hand_over(h, &mut closed);
                }
                let next = match queue.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(_) => break,
                };
                let Ok(item) = next else { break };
                item
            }
        };
        if closed {
            return;
        }
        if state.load(Ordering::SeqCst) != RUNNING {
            continue;
        }
        process_chunk(ctx, ordered, item, &mut held, &mut closed, &hand_over);
        if closed {
            return;
        }
    }
    if let Some(h) = held.take() {
        hand_over(h, &mut closed);
    }
}

/// Parses (and processes) one chunk; hands the held chunk over once the new one has a
/// batch to feed, and holds the new one if its last batches are still with children.
fn process_chunk<'c>(
    ctx: &'c DatasetContext,
    ordered: bool,
    item: Work,
    held: &mut Option<Held<'c>>,
    closed: &mut bool,
    hand_over: &dyn Fn(Held<'c>, &mut bool),
) {
    let Work {
        index,
        chunk,
        bytes_read,
        bytes_total,
    } = item;
    let mut chunk_work = ChunkWork::new(ctx);
    let mut batches = Vec::new();
    let summary = chunk.parse(&mut |batch| {
        if ordered {
            batches.push(batch);
        } else {
            if let Some(h) = held.take() {
                hand_over(h, closed);
            }
            chunk_work.process(batch, None);
        }
    });
    if let Some(h) = held.take() {
        hand_over(h, closed);
    }
    let chunk = Held {
        index,
        bytes_read,
        bytes_total,
        summary,
        parsed: if ordered {
            Some(Parsed::Batches(batches))
        } else {
            None
        },
        work: chunk_work,
    };
    if !ordered && chunk.summary.is_ok() && chunk.work.in_flight() {
        let mut chunk = chunk;
        chunk.work.flush();
        *held = Some(chunk);
    } else {
        hand_over(chunk, closed);
    }
}

/// A chunk parsed by a worker, not handed over yet.
struct Held<'c> {
    index: usize,
    bytes_read: u64,
    bytes_total: Option<u64>,
    summary: Result<ChunkSummary, IngestError>,
    /// Its batches, when the merging thread processes them (else `work` did).
    parsed: Option<Parsed>,
    work: ChunkWork<'c>,
}

impl Held<'_> {
    /// Counts what is still in flight and makes the outcome.
    fn finish(self) -> Outcome {
        let parsed = match self.parsed {
            Some(parsed) => parsed,
            None => Parsed::Processed(self.work.finish()),
        };
        Outcome {
            index: self.index,
            bytes_read: self.bytes_read,
            bytes_total: self.bytes_total,
            result: self.summary.map(|s| (s, parsed)),
        }
    }
}

/// Receives outcomes and folds them into the totals in chunk order.
#[allow(clippy::too_many_arguments)]
fn merge_in_order(
    ctx: &DatasetContext,
    plans: &mut [MetricPlan],
    totals: &mut DatasetTotals,
    options: &PipelineOptions,
    first_line: u64,
    outcomes: &Receiver<Outcome>,
    tokens: &Receiver<()>,
    state: &AtomicU8,
    on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(), EngineError> {
    let data_error = |source| EngineError::Data {
        dataset: ctx.name.clone(),
        source,
    };
    let mut seen_keys = SeenKeys::default();
    let mut pending: BTreeMap<usize, (u64, Option<u64>, ChunkSummary, Parsed)> = BTreeMap::new();
    let mut next = 0usize;
    let mut line_base = first_line;
    for outcome in outcomes.iter() {
        let (summary, parsed) = outcome.result.map_err(data_error)?;
        let ready = (outcome.bytes_read, outcome.bytes_total, summary, parsed);
        pending.insert(outcome.index, ready);
        while let Some((bytes_read, bytes_total, summary, parsed)) = pending.remove(&next) {
            next += 1;
            // Every chunk took a token before it was made; merged, it gives it back.
            let _ = tokens.try_recv();
            let progress = |totals: &DatasetTotals| Progress {
                dataset: ctx.name.clone(),
                bytes_read,
                bytes_total,
                rows: totals.rows_seen,
            };
            if let Some(mut rest) = summary.rest {
                // The fast reader could not split this chunk safely: read from its start
                // to the end of the input in order, dropping what the workers did after it.
                state.store(SEQUENTIAL_REST, Ordering::SeqCst);
                seen_keys.line_base = line_base;
                while let Some(batch) = rest.next_batch().map_err(data_error)? {
                    let mut chunk_work = ChunkWork::new(ctx);
                    chunk_work.process(batch, Some(&mut seen_keys));
                    totals.absorb(ctx, plans, chunk_work.finish(), line_base, on_reject)?;
                    check_rejected(ctx, totals, options)?;
                    on_progress(&progress(totals));
                }
                return Ok(());
            }
            let chunk = match parsed {
                Parsed::Processed(chunk) => chunk,
                Parsed::Batches(batches) => {
                    seen_keys.line_base = line_base;
                    let mut chunk_work = ChunkWork::new(ctx);
                    for batch in batches {
                        chunk_work.process(batch, Some(&mut seen_keys));
                    }
                    chunk_work.finish()
                }
            };
            totals.absorb(ctx, plans, chunk, line_base, on_reject)?;
            line_base += summary.lines;
            check_rejected(ctx, totals, options)?;
            on_progress(&progress(totals));
        }
    }
    Ok(())
}

/// Fails the run once more rows were rejected than max_rejected (a count) allows.
fn check_rejected(
    ctx: &DatasetContext,
    totals: &DatasetTotals,
    options: &PipelineOptions,
) -> Result<(), EngineError> {
    match options.max_rejected {
        Some(limit) if totals.rows_rejected() > limit => Err(EngineError::TooManyRejected {
            dataset: ctx.name.clone(),
            rejected: totals.rows_rejected(),
            limit: limit.to_string(),
        }),
        _ => Ok(()),
    }
}
