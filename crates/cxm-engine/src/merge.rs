//! Folding chunks into a dataset's run, strictly in chunk order: rejections are reported
//! with their absolute line numbers, counts are added, each chunk's groups are mapped onto
//! the run's groups and each chunk's metric state is merged into the plan's instance. The
//! order never depends on which thread parsed which chunk, so results are identical whatever
//! the number of threads.

use crate::chunk::ChunkState;
use crate::context::DatasetContext;
use crate::error::EngineError;
use crate::grouping::Grouper;
use crate::plan::MetricPlan;
use cxm_config::RejectedValues;
use cxm_host::PendingMerge;
use cxm_ingest::ResolvedTimes;
use cxm_report::Rejection;
use std::collections::BTreeMap;

/// One metric's totals over the chunks merged so far.
pub(crate) struct MetricTotals {
    pub(crate) used: u64,
    pub(crate) rejected: BTreeMap<String, u64>,
    pub(crate) filtered: u64,
    /// Per run group of the metric's grouping: whether a row of the metric reached it.
    pub(crate) reached: Vec<bool>,
    /// Per run group, with survey weights: Σm, Σm·s, Σm·s² of the rows used.
    pub(crate) design: Vec<[f64; 3]>,
    pub(crate) error: Option<String>,
}

/// A dataset's totals over the chunks merged so far.
pub(crate) struct DatasetTotals {
    /// The run's groupers (one per grouping).
    pub(crate) groupers: Vec<Grouper>,
    pub(crate) metrics: Vec<MetricTotals>,
    pub(crate) invalid_values: BTreeMap<String, u64>,
    pub(crate) rows_seen: u64,
    pub(crate) structural_rejected: u64,
    pub(crate) duplicates: u64,
    pub(crate) rows_with_invalid_values: u64,
    /// Timestamps resolved by the daylight-saving rule, with absolute lines.
    pub(crate) resolved_times: ResolvedTimes,
    /// Per lookup: rows without a match, with absolute lines.
    pub(crate) unmatched: Vec<crate::lookup::Misses>,
}

impl DatasetTotals {
    pub(crate) fn new(ctx: &DatasetContext) -> DatasetTotals {
        DatasetTotals {
            groupers: ctx.groupers.iter().map(Grouper::fresh).collect(),
            metrics: ctx
                .metrics
                .iter()
                .map(|_| MetricTotals {
                    used: 0,
                    reached: Vec::new(),
                    design: Vec::new(),
                    rejected: BTreeMap::new(),
                    filtered: 0,
                    error: None,
                })
                .collect(),
            invalid_values: BTreeMap::new(),
            rows_seen: 0,
            structural_rejected: 0,
            duplicates: 0,
            rows_with_invalid_values: 0,
            resolved_times: ResolvedTimes::default(),
            unmatched: vec![crate::lookup::Misses::default(); ctx.lookups.len()],
        }
    }

    /// Rows rejected for the dataset as a whole so far (structure, duplicates, values).
    pub(crate) fn rows_rejected(&self) -> u64 {
        self.structural_rejected + self.duplicates + self.rows_with_invalid_values
    }

    /// Folds the next chunk in. `line_base` turns the chunk's relative line numbers into
    /// absolute ones; rejections go to `on_reject` in order.
    pub(crate) fn absorb(
        &mut self,
        ctx: &DatasetContext,
        plans: &mut [MetricPlan],
        chunk: ChunkState,
        line_base: u64,
        on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
    ) -> Result<(), EngineError> {
        for mut rejection in chunk.rejections {
            rejection.dataset = ctx.name.clone();
            rejection.line += line_base;
            if ctx.rejected_values == RejectedValues::None {
                rejection.value.clear();
            }
            on_reject(&rejection).map_err(|e| output_error(&ctx.name, e))?;
        }
        for (field, n) in chunk.invalid_values {
            *self.invalid_values.entry(field).or_default() += n;
        }
        self.rows_seen += chunk.rows_seen;
        self.structural_rejected += chunk.structural_rejected;
        self.duplicates += chunk.duplicates;
        self.rows_with_invalid_values += chunk.rows_with_invalid_values;
        self.resolved_times.absorb(&chunk.resolved_times, line_base);
        for (ours, theirs) in self.unmatched.iter_mut().zip(&chunk.unmatched) {
            ours.absorb(theirs, line_base);
        }
        let chunk_groups: Vec<usize> = chunk.groupers.iter().map(|g| g.group_count()).collect();
        let maps: Vec<Vec<u32>> = self
            .groupers
            .iter_mut()
            .zip(&chunk.groupers)
            .map(|(ours, theirs)| ours.absorb(theirs))
            .collect();
        // Merges sent to isolated children, finished after all are sent (one wait for
        // every child instead of one round trip per metric after another).
        let mut pending: Vec<(usize, PendingMerge)> = Vec::new();
        let mut failed: Vec<(usize, String)> = Vec::new();
        for (i, ((totals, part), plan)) in self
            .metrics
            .iter_mut()
            .zip(chunk.metrics)
            .zip(plans)
            .enumerate()
        {
            if totals.error.is_some() {
                continue;
            }
            totals.used += part.used;
            totals.filtered += part.filtered;
            let map = &maps[plan.grouping];
            // Every group of the chunk, or those marked (see `MetricPart::reaches_all`).
            let reached: Vec<usize> = if part.reaches_all {
                (0..chunk_groups[plan.grouping]).collect()
            } else {
                (0..part.reached.len())
                    .filter(|&g| part.reached[g])
                    .collect()
            };
            for g in reached {
                let to = map.get(g).map_or(0, |&t| t as usize);
                if to >= totals.reached.len() {
                    totals.reached.resize(to + 1, false);
                }
                totals.reached[to] = true;
            }
            for (g, sums) in part.design.iter().enumerate() {
                let to = map.get(g).map_or(0, |&t| t as usize);
                if to >= totals.design.len() {
                    totals.design.resize(to + 1, [0.0; 3]);
                }
                (0..3).for_each(|i| totals.design[to][i] += sums[i]);
            }
            for (reason, n) in part.rejected {
                *totals.rejected.entry(reason).or_default() += n;
            }
            // A failure during the chunk (in update, say) is the cause to report; merging
            // what it left would only fail again, less clearly.
            if part.error.is_some() {
                totals.error = part.error;
                continue;
            }
            if let Some(instance) = part.instance {
                // Two instances of one plugin metric share a child: one merge of it at a
                // time from this thread (each holds a channel of the child until answered).
                let shares = pending
                    .iter()
                    .any(|(j, _)| ctx.metrics[*j].def.same_metric(&ctx.metrics[i].def));
                if shares {
                    failed.extend(finish_merges(&mut pending));
                }
                match plan.instance.absorb_start(instance, &maps[plan.grouping]) {
                    Ok(Some(merge)) => pending.push((i, merge)),
                    Ok(None) => {}
                    Err(e) => totals.error = Some(e.to_string()),
                }
            }
        }
        failed.extend(finish_merges(&mut pending));
        for (i, e) in failed {
            if let Some(totals) = self.metrics.get_mut(i) {
                totals.error.get_or_insert(e);
            }
        }
        Ok(())
    }
}

/// Waits for the merges sent; the failures, by metric.
fn finish_merges(pending: &mut Vec<(usize, PendingMerge)>) -> Vec<(usize, String)> {
    pending
        .drain(..)
        .filter_map(|(i, merge)| merge.finish().err().map(|e| (i, e.to_string())))
        .collect()
}

pub(crate) fn output_error(dataset: &str, e: std::io::Error) -> EngineError {
    EngineError::Config(cxm_config::ConfigError::at(
        std::path::Path::new(dataset),
        None,
        format!("cannot write rejected rows: {e}"),
    ))
}
