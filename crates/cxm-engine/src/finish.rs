//! The results of many groups, made on two threads.
//!
//! A plugin instance is called by one thread at a time (ABI v1), so the results of one
//! instance are made one after the other however many cores there are. With many groups
//! (NPS per customer: 200,000 results) that was the longest single-threaded stretch of a
//! run. Here the groups are cut into chunks of [`GROUPS_PER_FINISH`]; the odd chunks' states
//! are first merged into a *twin* instance (bound like the first, the merge the host
//! already uses for roll-ups), which makes their results on a second thread while the first
//! instance makes the even chunks'. The results come back in the order of the groups, one
//! chunk at a time, so at most two chunks of results wait to be placed.
//!
//! Results are the same: a group's result is computed from its merged state, and merging a
//! group's state into an empty one is what the roll-ups already rely on. Errors are those of
//! the order of the groups: the first failing chunk's. When the twin cannot be made (its
//! bind or merge fails, memory or a broken plugin), the results are made on one thread, as
//! before.

use cxm_host::{HostError, Instance};
use cxm_result::MetricResult;

/// Groups whose results are asked for at once: bounds the results waiting to be placed
/// (and, for an isolated plugin, a request).
pub(crate) const GROUPS_PER_FINISH: usize = 16_384;

/// Calls `place(chunk, results)` for `groups` (ids of `instance`, which has `num_groups`
/// groups), [`GROUPS_PER_FINISH`] at a time, in order, with the results of the chunk's
/// groups; on two threads when `threads > 1` and there are at least two chunks.
/// `params_json` are the params `instance` was bound with.
pub(crate) fn finish_groups(
    instance: &Instance,
    params_json: &str,
    groups: &[u32],
    num_groups: usize,
    threads: usize,
    mut place: impl FnMut(&[u32], Vec<MetricResult>),
) -> Result<(), HostError> {
    let chunks: Vec<&[u32]> = groups.chunks(GROUPS_PER_FINISH).collect();
    let twin = if threads > 1 && chunks.len() > 1 {
        twin(instance, params_json, &chunks, num_groups)
    } else {
        None
    };
    let Some(twin) = twin else {
        for chunk in chunks {
            place(chunk, instance.finish_many(chunk)?);
        }
        return Ok(());
    };
    std::thread::scope(|scope| {
        // One chunk of the twin's results ahead, at most.
        let (sender, received) = std::sync::mpsc::sync_channel(1);
        let chunks = &chunks;
        scope.spawn(move || {
            // The twin numbers its groups in the order of its chunks.
            let mut start = 0u32;
            for (_, chunk) in twins_chunks(chunks) {
                let end = start + chunk.len() as u32;
                let ids: Vec<u32> = (start..end).collect();
                start = end;
                let results = twin.finish_many(&ids);
                let failed = results.is_err();
                // The receiver is gone once the other thread stopped at an error.
                if sender.send(results).is_err() || failed {
                    break;
                }
            }
        });
        for (i, chunk) in chunks.iter().enumerate() {
            let results = if made_by_twin(i) {
                received.recv().map_err(|_| HostError::Host {
                    library: instance.def().library.clone(),
                    metric: instance.def().name.clone(),
                    message: "the thread making half of the results stopped".into(),
                })??
            } else {
                instance.finish_many(chunk)?
            };
            place(chunk, results);
        }
        Ok(())
    })
}

/// Whether the `i`-th chunk's results are made by the twin: every other one.
fn made_by_twin(i: usize) -> bool {
    i % 2 == 1
}

/// The chunks whose results the twin makes, with their positions.
fn twins_chunks<'c>(chunks: &'c [&'c [u32]]) -> impl Iterator<Item = (usize, &'c [u32])> {
    chunks
        .iter()
        .copied()
        .enumerate()
        .filter(|&(i, _)| made_by_twin(i))
}

/// A twin of `instance` holding the states of the groups of the twin's `chunks`, numbered
/// 0, 1, … in their order; `None` when it cannot be made.
fn twin(
    instance: &Instance,
    params_json: &str,
    chunks: &[&[u32]],
    num_groups: usize,
) -> Option<Instance> {
    const UNSET: u32 = u32::MAX;
    let mut map = vec![UNSET; num_groups];
    let mut next = 0u32;
    for (_, chunk) in twins_chunks(chunks) {
        for &g in chunk {
            *map.get_mut(g as usize)? = next;
            next += 1;
        }
    }
    // The other groups' states are folded into one more group, never asked for.
    let spare = next;
    map.iter_mut()
        .filter(|m| **m == UNSET)
        .for_each(|m| *m = spare);
    let mut twin = instance.bind_like(params_json).ok()?;
    twin.merge(instance, &map).ok()?;
    Some(twin)
}
