//! Batches whose updates went to isolated children and are not counted yet. A worker
//! writes each batch for the children of its isolated metrics and goes on reading the next
//! one; the batches of [`BATCHES_PER_REQUEST`] reads go to each child as one request (one
//! wake-up, one read and one answer stream instead of one round trip per batch), and are
//! counted, in order, once the next batch has been read and grouped (or when the chunk
//! ends), so the children work while the worker reads. The rows the host set aside for a
//! metric ([`SetAside`]) are counted with the batch, so that a metric whose plugin failed on
//! a batch has counted exactly the batches up to that one, as in-process, where the later
//! batches would not have been fed to it.

use crate::chunk::{tally, ChunkState, MetricPart, Scratch};
use crate::context::DatasetContext;
use crate::row_weights::{Sampled, Survey};
use cxm_host::PendingUpdate;
use cxm_ingest::Batch;
use cxm_report::Rejection;
use std::collections::BTreeMap;

/// Batches a worker writes for an isolated child before it sends them as one request.
/// More means fewer wake-ups of the children, and more batches kept in memory until the
/// children have answered.
pub(crate) const BATCHES_PER_REQUEST: usize = 4;

/// Rows of one batch the host set aside for one metric (unreadable values, unusable
/// weights, outside the metric's filter), added to the metric's counts with the batch.
#[derive(Default)]
pub(crate) struct SetAside {
    pub(crate) rejected: BTreeMap<String, u64>,
    pub(crate) filtered: u64,
}

impl SetAside {
    pub(crate) fn add_to(self, part: &mut MetricPart) {
        for (reason, n) in self.rejected {
            *part.rejected.entry(reason).or_default() += n;
        }
        part.filtered += self.filtered;
    }
}

/// An update written for a metric's child.
pub(crate) struct Pending {
    /// The metric's index.
    pub(crate) metric: usize,
    pub(crate) update: PendingUpdate,
    /// The rows the host set aside.
    pub(crate) aside: SetAside,
    /// Where its plugin's rejections go in the chunk's list: where they would have been
    /// had the batch been counted at once (so in metric order within the batch).
    pub(crate) mark: usize,
}

/// One batch in flight.
pub(crate) struct InFlight {
    pub(crate) batch: Batch,
    pub(crate) pending: Vec<Pending>,
    /// The batch's statuses, group ids and groups before it.
    pub(crate) scratch: Scratch,
    /// Its survey weights, if the dataset has them.
    pub(crate) survey: Option<Survey>,
}

/// The batches in flight of one chunk, oldest first.
pub(crate) struct Flights {
    batches: Vec<InFlight>,
    /// Whether they were sent (else they are still being gathered for one request).
    sent: bool,
    /// Batches per request: 1 when two metrics of the dataset use the same plugin metric,
    /// whose instances then share a child (each instance of it holds a channel of the
    /// child until its updates are counted, so one worker must not hold two).
    per_request: usize,
    /// The vectors of batches counted, for reuse.
    spare: Vec<Scratch>,
}

impl Flights {
    pub(crate) fn new(ctx: &DatasetContext) -> Flights {
        let shared_child = ctx.metrics.iter().enumerate().any(|(i, m)| {
            ctx.metrics[..i]
                .iter()
                .any(|earlier| earlier.def.same_metric(&m.def))
        });
        Flights {
            batches: Vec::new(),
            sent: false,
            per_request: if shared_child { 1 } else { BATCHES_PER_REQUEST },
            spare: Vec::new(),
        }
    }

    /// Whether batches are in flight (their updates not counted yet).
    pub(crate) fn any(&self) -> bool {
        !self.batches.is_empty()
    }

    /// Sends the batches gathered so far for a request now, without waiting for more.
    pub(crate) fn flush(&mut self) {
        if !self.batches.is_empty() {
            self.send();
        }
    }

    /// Whether the batch being fed completes a request: its updates are then sent at once.
    pub(crate) fn completes_request(&self) -> bool {
        self.batches.len() + 1 >= self.per_request
    }

    /// Vectors for the next batch.
    pub(crate) fn scratch(&mut self) -> Scratch {
        self.spare.pop().unwrap_or_default()
    }

    /// Keeps a batch whose updates were written for the children; sends the request once
    /// it holds enough batches.
    pub(crate) fn push(&mut self, flight: InFlight) {
        self.batches.push(flight);
        if self.batches.len() >= self.per_request {
            self.send();
        }
    }

    fn send(&mut self) {
        for flight in &self.batches {
            for pending in &flight.pending {
                pending.update.send();
            }
        }
        self.sent = true;
    }

    /// Counts the batches in flight once they were sent (`all`: in any case, sending them
    /// first), their plugins' rejections placed where they would have been had each batch
    /// been counted at once.
    pub(crate) fn settle(&mut self, ctx: &DatasetContext, st: &mut ChunkState, all: bool) {
        if self.batches.is_empty() || !(self.sent || all) {
            return;
        }
        self.send();
        // Metrics whose plugin failed on one of these batches: not counted for the later
        // ones, which the child skipped.
        let mut failed = vec![false; ctx.metrics.len()];
        let mut shift = 0;
        for InFlight {
            batch,
            pending,
            mut scratch,
            survey,
        } in std::mem::take(&mut self.batches)
        {
            settle(
                pending,
                ctx,
                (&mut st.metrics, &mut st.rejections, &mut shift),
                &mut scratch,
                (&batch, survey.as_ref().map(Survey::rows)),
                &mut failed,
            );
            self.spare.push(scratch);
        }
        self.sent = false;
    }
}

/// Finishes updates written for isolated children and counts their rows, their plugins'
/// rejections put at their marks in the chunk's list, moved on by `shift` (the rejections
/// inserted before them so far, which this adds to). A metric marked in `failed` (its
/// plugin failed on an earlier batch) is not counted; one that fails here is marked.
pub(crate) fn settle(
    pending: Vec<Pending>,
    ctx: &DatasetContext,
    (parts, rejections, shift): (&mut [MetricPart], &mut Vec<Rejection>, &mut usize),
    sc: &mut Scratch,
    (batch, sampled): (&Batch, Option<Sampled<'_>>),
    failed: &mut [bool],
) {
    for Pending {
        metric: i,
        update,
        aside,
        mark,
    } in pending
    {
        let (Some(metric), Some(part)) = (ctx.metrics.get(i), parts.get_mut(i)) else {
            continue;
        };
        if failed.get(i).copied().unwrap_or(false) {
            continue;
        }
        let finished = update.finish(&mut sc.status[i]);
        aside.add_to(part);
        match finished {
            Ok(()) => {
                let mut own = Vec::new();
                tally(
                    metric,
                    part,
                    batch,
                    (
                        &sc.status[i],
                        &sc.prefilled[i],
                        &sc.group_ids[metric.grouping],
                        sc.groups_before[metric.grouping],
                    ),
                    sampled,
                    &mut own,
                );
                let at = (mark + *shift).min(rejections.len());
                *shift += own.len();
                rejections.splice(at..at, own);
            }
            Err(e) => {
                // The first failure in batch order is the cause (a later batch may have
                // failed to be written for the child already, when it had died).
                part.error = Some(e.to_string());
                if let Some(f) = failed.get_mut(i) {
                    *f = true;
                }
            }
        }
    }
}
