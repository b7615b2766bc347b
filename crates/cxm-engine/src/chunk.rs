//! Processing the batches of one chunk of a dataset, on any thread: rows are grouped with
//! the chunk's own groupers and fed to the chunk's own metric instances, and every row is
//! counted as used or rejected with a reason. The result, a [`ChunkState`], is merged into
//! the run in chunk order by [`crate::merge`].

use crate::context::{DatasetContext, MetricContext};
use crate::grouping::Grouper;
use crate::in_flight::{settle, Flights, InFlight, Pending, SetAside};
use crate::row_weights::{weights_of, RowWeights, Sampled, Survey};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Float64Array};
use arrow_schema::DataType;
use cxm_config::RejectedValues;
use cxm_host::{HostError, Instance, InstanceBatch, PendingUpdate};
use cxm_ingest::{Batch, CellErrorReason, ResolvedTimes, RowRejection};
use cxm_report::Rejection;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Row status the host sets for rows outside a metric's filter (never seen by a plugin's
/// update, which skips non-zero statuses).
const ROW_FILTERED: u8 = 8;

/// One metric's share of a chunk.
pub(crate) struct MetricPart {
    /// The chunk's instance (bound at the first batch).
    pub(crate) instance: Option<Instance>,
    pub(crate) used: u64,
    pub(crate) rejected: BTreeMap<String, u64>,
    pub(crate) filtered: u64,
    /// Per chunk group: whether a row of this metric reached it (used, or rejected by the
    /// plugin; not rows the host set aside, outside the filter or unreadable). Kept only
    /// once a batch had rows set aside for this metric: until then every group of the
    /// chunk was reached (`reaches_all`), which costs nothing to track.
    pub(crate) reached: Vec<bool>,
    /// No row of this metric has been set aside in this chunk so far.
    pub(crate) reaches_all: bool,
    /// Per chunk group, with survey weights: Σm, Σm·s, Σm·s² of the rows used (m: the
    /// row's multiplicity, s: its sampling weight).
    pub(crate) design: Vec<[f64; 3]>,
    /// A failure of the plugin; later batches are not fed to it.
    pub(crate) error: Option<String>,
    /// Per row status code: the rejections made of the rows its plugin rejected in this
    /// chunk (sized when the first is made; counted only under a cap, see
    /// [`MetricContext::rejections`]).
    pub(crate) examples: Vec<u32>,
}

/// Everything one chunk contributes to a run.
pub(crate) struct ChunkState {
    /// One grouper per grouping, holding the chunk's groups.
    pub(crate) groupers: Vec<Grouper>,
    pub(crate) metrics: Vec<MetricPart>,
    /// Rejections in the order found, lines relative to the chunk's line base and without
    /// the dataset name (both filled in when merged).
    pub(crate) rejections: Vec<Rejection>,
    /// Unreadable values per field name.
    pub(crate) invalid_values: BTreeMap<String, u64>,
    /// Records read (accepted plus structurally rejected).
    pub(crate) rows_seen: u64,
    /// Records rejected as structurally broken.
    pub(crate) structural_rejected: u64,
    /// Rows dropped as duplicates of an earlier unique_key.
    pub(crate) duplicates: u64,
    /// Accepted rows with at least one unreadable value.
    pub(crate) rows_with_invalid_values: u64,
    /// Timestamps resolved by the daylight-saving rule, lines relative like `rejections`.
    pub(crate) resolved_times: ResolvedTimes,
    /// Per lookup: rows without a match, lines relative like `rejections`.
    pub(crate) unmatched: Vec<crate::lookup::Misses>,
}

/// The first line of each unique_key seen so far (by a 128-bit hash of the key's text).
#[derive(Default)]
pub(crate) struct SeenKeys {
    /// Absolute line of each key's first row.
    first_line: HashMap<u128, u64>,
    /// Added to the (chunk-relative) lines of the batches being processed.
    pub(crate) line_base: u64,
}

/// Reusable per-batch vectors.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) group_ids: Vec<Vec<u32>>,
    /// Per grouping: the chunk's groups before this batch.
    pub(crate) groups_before: Vec<usize>,
    /// Per metric: the rows' statuses and which the host filled in (kept per metric while
    /// isolated children work on the batch).
    pub(crate) status: Vec<Vec<u8>>,
    pub(crate) prefilled: Vec<Vec<bool>>,
    ungroupable: Vec<bool>,
    dropped: Vec<bool>,
}

/// Processes the batches of one chunk.
pub(crate) struct ChunkWork<'c> {
    ctx: &'c DatasetContext,
    state: ChunkState,
    scratch: Scratch,
    /// Batches whose updates went to isolated children, not counted yet.
    flights: Flights,
}

impl<'c> ChunkWork<'c> {
    pub(crate) fn new(ctx: &'c DatasetContext) -> ChunkWork<'c> {
        let state = ChunkState {
            groupers: ctx.groupers.iter().map(Grouper::fresh).collect(),
            metrics: ctx
                .metrics
                .iter()
                .map(|_| MetricPart {
                    instance: None,
                    used: 0,
                    rejected: BTreeMap::new(),
                    filtered: 0,
                    reached: Vec::new(),
                    reaches_all: true,
                    design: Vec::new(),
                    error: None,
                    examples: Vec::new(),
                })
                .collect(),
            rejections: Vec::new(),
            invalid_values: BTreeMap::new(),
            rows_seen: 0,
            structural_rejected: 0,
            duplicates: 0,
            rows_with_invalid_values: 0,
            resolved_times: ResolvedTimes::default(),
            unmatched: Vec::new(),
        };
        ChunkWork {
            ctx,
            state,
            scratch: Scratch::default(),
            flights: Flights::new(ctx),
        }
    }

    /// The chunk's contribution, its rejections in line order (a stable sort: one row's
    /// rejections keep the order they were found in), so rejected rows are reported in
    /// file order however the file was cut into batches.
    pub(crate) fn finish(mut self) -> ChunkState {
        self.flights.settle(self.ctx, &mut self.state, true);
        self.state.rejections.sort_by_key(|r| r.line);
        self.state
    }

    /// Whether batches of the chunk are still with isolated children: [`ChunkWork::finish`]
    /// would wait for them.
    pub(crate) fn in_flight(&self) -> bool {
        self.flights.any()
    }

    /// Sends the batches still gathered for a request to the children at once (the chunk
    /// is complete: no more will come to fill the request).
    pub(crate) fn flush(&mut self) {
        self.flights.flush();
    }

    /// Processes one batch. `seen_keys` is the run's unique_key register: given only when
    /// batches are processed in file order (required when the dataset has a unique_key).
    pub(crate) fn process(&mut self, mut input: Batch, seen_keys: Option<&mut SeenKeys>) {
        let ctx = self.ctx;
        crate::lookup::apply(&ctx.lookups, &mut input, &mut self.state.unmatched);
        crate::derive::apply(&ctx.derived, &mut input);
        let batch = &input;
        let st = &mut self.state;
        let sc = &mut self.scratch;
        st.rows_seen += rows_of(batch) + batch.rejected_rows.len() as u64;
        st.structural_rejected += batch.rejected_rows.len() as u64;
        st.resolved_times.add_batch(&batch.resolved_times);
        for r in &batch.rejected_rows {
            st.rejections.push(Rejection {
                dataset: String::new(),
                line: r.line,
                scope: "row".into(),
                field: String::new(),
                value: row_value(ctx.rejected_values, &ctx.field_names, r),
                reason: r.reason.clone(),
                detail: r.detail.clone(),
            });
        }
        for e in &batch.cell_errors {
            *st.invalid_values
                .entry(ctx.field_names[e.field].clone())
                .or_default() += count(batch, e.row);
            st.rejections.push(Rejection {
                dataset: String::new(),
                line: e.line,
                scope: ctx.users[e.field].clone(),
                field: ctx.field_names[e.field].clone(),
                value: e.value.clone(),
                reason: e.reason.as_str().into(),
                detail: match e.reason {
                    CellErrorReason::UnmappedValue => "not in the map of this derived field".into(),
                    CellErrorReason::UnmatchedKey => {
                        "no row with this key in the dataset looked up".into()
                    }
                    CellErrorReason::OutsideBands => {
                        "above the last band of this derived field".into()
                    }
                    _ => format!("cannot read as {}", ctx.field_types[e.field]),
                },
            });
        }
        let rows = batch.num_rows();
        sc.dropped.clear();
        sc.dropped.resize(rows, false);
        if let Some(seen) = seen_keys.filter(|_| !ctx.key_fields.is_empty()) {
            mark_duplicates(ctx, batch, seen, &mut sc.dropped, st);
        }
        let mut invalid_rows: Vec<usize> = batch
            .cell_errors
            .iter()
            .filter(|e| !sc.dropped[e.row])
            .map(|e| e.row)
            .collect();
        invalid_rows.dedup();
        st.rows_with_invalid_values += invalid_rows.iter().map(|&r| count(batch, r)).sum::<u64>();
        sc.group_ids.resize_with(st.groupers.len(), Vec::new);
        sc.groups_before.clear();
        sc.groups_before
            .extend(st.groupers.iter().map(Grouper::group_count));
        for ((grouper, ids), guards) in st
            .groupers
            .iter_mut()
            .zip(sc.group_ids.iter_mut())
            .zip(&ctx.key_guards)
        {
            sc.ungroupable.clear();
            sc.ungroupable.extend_from_slice(&sc.dropped);
            for e in batch
                .cell_errors
                .iter()
                .filter(|e| guards.get(e.field).copied().unwrap_or(false))
            {
                sc.ungroupable[e.row] = true;
            }
            grouper.assign(&batch.columns, rows, &sc.ungroupable, ids);
        }
        let RowWeights {
            weights,
            bad: bad_weights,
            survey,
        } = weights_of(batch, ctx.weight, ctx.sampling.as_deref());
        // Memory an in-process plugin overwrote in this batch (a field, or `None` for the
        // weights or group ids) and the metric whose plugin did: the metrics fed after it
        // that read it fail too, since their figures would be computed from altered data.
        let mut overwritten: Vec<(Option<usize>, String)> = Vec::new();
        // Updates sent to isolated children, finished after every metric has been fed, so
        // the children of several metrics work on this batch at the same time.
        let mut pending: Vec<Pending> = Vec::new();
        // The batches sent are counted first: a metric that failed on one is not fed this
        // batch.
        self.flights.settle(ctx, st, false);
        let completes_request = self.flights.completes_request();
        sc.status.resize_with(ctx.metrics.len(), Vec::new);
        sc.prefilled.resize_with(ctx.metrics.len(), Vec::new);
        for (i, metric) in ctx.metrics.iter().enumerate() {
            if st.metrics.get(i).is_none_or(|p| p.error.is_some()) {
                continue;
            }
            // One request in flight per child: finish the batch's earlier updates before a
            // second metric of the same plugin metric is sent.
            if pending
                .iter()
                .any(|p| ctx.metrics[p.metric].def.same_metric(&metric.def))
            {
                let waiting = std::mem::take(&mut pending);
                let sampled = survey.as_ref().map(Survey::rows);
                settle(
                    waiting,
                    ctx,
                    (&mut st.metrics, &mut st.rejections, &mut 0),
                    sc,
                    (batch, sampled),
                    &mut vec![false; ctx.metrics.len()],
                );
            }
            let part = &mut st.metrics[i];
            let spoiled = overwritten
                .iter()
                .find(|(field, _)| field.is_none_or(|f| metric.dependent[f]));
            if let Some((field, culprit)) = spoiled {
                let what = match field {
                    Some(f) => format!("field \"{}\"", ctx.field_names[*f]),
                    None => "the row weights or group ids".into(),
                };
                part.error = Some(format!(
                    "{what} was overwritten in memory by the in-process plugin of metric \"{culprit}\" before this metric read it, so its figures cannot be trusted; run that plugin with isolation = \"process\""
                ));
                continue;
            }
            let grouping = metric.grouping;
            let group_ids = &sc.group_ids[grouping];
            let num_groups = st.groupers[grouping].num_groups();
            let mark = st.rejections.len();
            match feed(
                metric,
                part,
                batch,
                MetricRows {
                    dropped: &sc.dropped,
                    bad_weights: &bad_weights,
                    weights: weights.as_ref().map(|w| w.values().as_ref()),
                    survey: survey.as_ref().map(Survey::rows),
                    group_ids,
                    num_groups,
                    groups_before: sc.groups_before[grouping],
                },
                (&mut sc.status[i], &mut sc.prefilled[i]),
                &mut st.rejections,
            ) {
                Ok(Some((update, aside))) => {
                    if completes_request {
                        update.send();
                    }
                    pending.push(Pending {
                        metric: i,
                        update,
                        aside,
                        mark,
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    if let Some(field) = e.wrote {
                        overwritten.push((field, metric.id.clone()));
                    }
                    part.error = Some(e.message);
                }
            }
        }
        if pending.is_empty() {
            return;
        }
        let scratch = std::mem::replace(&mut self.scratch, self.flights.scratch());
        self.flights.push(InFlight {
            batch: input,
            pending,
            scratch,
            survey,
        });
    }
}

/// What a row rejected whole shows of its data: the record as read (`full`), its
/// identifiable mapped fields as `field=value; field=value` (`mapped`), or nothing (`none`,
/// which [`crate::merge`] applies to every other rejection's value too).
fn row_value(policy: RejectedValues, field_names: &[String], r: &RowRejection) -> String {
    match policy {
        RejectedValues::Full => r.raw.clone(),
        RejectedValues::None => String::new(),
        RejectedValues::Mapped => {
            let parts: Vec<String> = r
                .mapped
                .iter()
                .filter_map(|(field, text)| {
                    let name = field_names.get(*field)?;
                    Some(format!("{name}={text}"))
                })
                .collect();
            parts.join("; ")
        }
    }
}

/// The per-row inputs shared by every metric of a batch.
struct MetricRows<'a> {
    dropped: &'a [bool],
    /// Rows whose weight cannot be used, with the reason.
    bad_weights: &'a [(usize, &'static str)],
    weights: Option<&'a [f64]>,
    /// The survey weights, when the dataset has them.
    survey: Option<Sampled<'a>>,
    group_ids: &'a [u32],
    num_groups: u32,
    /// The chunk's groups of this grouping before this batch.
    groups_before: usize,
}

/// Marks the rows whose unique_key was seen before (the first one is kept) and records
/// them as rejected.
fn mark_duplicates(
    ctx: &DatasetContext,
    batch: &Batch,
    seen: &mut SeenKeys,
    dropped: &mut [bool],
    st: &mut ChunkState,
) {
    for (row, drop) in dropped.iter_mut().enumerate() {
        let key = key_hash(batch, row, &ctx.key_fields);
        match seen.first_line.get(&key) {
            Some(first) => {
                *drop = true;
                st.duplicates += 1;
                let value: Vec<String> = ctx
                    .key_fields
                    .iter()
                    .map(|&f| batch.raw_value(row, f))
                    .collect();
                st.rejections.push(Rejection {
                    dataset: String::new(),
                    line: batch.lines[row],
                    scope: "row".into(),
                    field: ctx.key_names.clone(),
                    value: value.join(";"),
                    reason: "duplicate".into(),
                    detail: format!("same unique_key as line {first}; the first one is kept"),
                });
            }
            None => {
                seen.first_line
                    .insert(key, seen.line_base + batch.lines[row]);
            }
        }
    }
}

/// A 128-bit hash of a row's unique_key values (trimmed original text), from two SipHash
/// passes with different prefixes: collisions are negligible at any realistic row count.
pub(crate) fn key_hash(batch: &Batch, row: usize, fields: &[usize]) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut a = std::collections::hash_map::DefaultHasher::new();
    let mut b = std::collections::hash_map::DefaultHasher::new();
    0xA5u8.hash(&mut b);
    let mut text = Vec::new();
    for &f in fields {
        batch.raw_into(row, f, &mut text);
        let value = text.trim_ascii();
        value.hash(&mut a);
        value.hash(&mut b);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// Why feeding a metric failed.
struct Failure {
    message: String,
    /// Set when an in-process plugin wrote into memory it was lent: the dataset field it
    /// overwrote, or `None` for the weights or group ids (shared by every metric).
    wrote: Option<Option<usize>>,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            message,
            wrote: None,
        }
    }
}

/// Feeds one batch to one metric's chunk instance and counts its rows; an error stops the
/// metric. An isolated metric's update comes back pending, with the rows the host set
/// aside, to be counted when the child has answered.
fn feed(
    metric: &MetricContext,
    part: &mut MetricPart,
    batch: &Batch,
    rows_in: MetricRows<'_>,
    (status, prefilled): (&mut Vec<u8>, &mut Vec<bool>),
    rejections: &mut Vec<Rejection>,
) -> Result<Option<(PendingUpdate, SetAside)>, Failure> {
    let mut aside = SetAside::default();
    let started = start(
        metric,
        part,
        batch,
        &rows_in,
        (&mut *status, &mut *prefilled),
        &mut aside,
    );
    match started {
        Ok(Some(update)) => return Ok(Some((update, aside))),
        Ok(None) => tally(
            metric,
            part,
            batch,
            (status, prefilled, rows_in.group_ids, rows_in.groups_before),
            rows_in.survey,
            rejections,
        ),
        Err(_) => {}
    }
    aside.add_to(part);
    started.map(|_| None)
}

/// Sets the host's row statuses of a batch for a metric (noting the rows set aside in
/// `aside`) and starts its update.
fn start(
    metric: &MetricContext,
    part: &mut MetricPart,
    batch: &Batch,
    rows_in: &MetricRows<'_>,
    (status, prefilled): (&mut Vec<u8>, &mut Vec<bool>),
    aside: &mut SetAside,
) -> Result<Option<PendingUpdate>, Failure> {
    let rows = batch.num_rows();
    status.clear();
    status.resize(rows, 0u8);
    prefilled.clear();
    prefilled.extend_from_slice(rows_in.dropped);
    for (st, d) in status.iter_mut().zip(rows_in.dropped) {
        if *d {
            *st = ROW_FILTERED;
        }
    }
    for e in batch
        .cell_errors
        .iter()
        .filter(|e| metric.dependent[e.field])
    {
        if !prefilled[e.row] {
            prefilled[e.row] = true;
            status[e.row] = if e.reason.is_numeric() {
                cxm_abi::ROW_NOT_A_NUMBER
            } else {
                cxm_abi::ROW_INVALID_VALUE
            };
            *aside
                .rejected
                .entry(e.reason.as_str().to_string())
                .or_default() += count(batch, e.row);
        }
    }
    for &(row, reason) in rows_in.bad_weights {
        if !prefilled[row] {
            prefilled[row] = true;
            status[row] = cxm_abi::ROW_INVALID_WEIGHT;
            *aside.rejected.entry(reason.into()).or_default() += count(batch, row);
        }
    }
    if !metric.filters.is_empty() {
        for row in 0..rows {
            if !prefilled[row]
                && !metric
                    .filters
                    .iter()
                    .all(|f| f.matches(&batch.columns, row))
            {
                prefilled[row] = true;
                status[row] = ROW_FILTERED;
                aside.filtered += count(batch, row);
            }
        }
    }
    let columns = input_columns(batch, &metric.inputs)
        .map_err(|e| Failure::from(format!("metric \"{}\": {e}", metric.id)))?;
    let instance = match &mut part.instance {
        Some(instance) => instance,
        slot => slot.insert(
            metric
                .template
                .bind(&metric.params_json)
                .map_err(|e| Failure::from(e.to_string()))?,
        ),
    };
    let sent = instance
        .update_start(InstanceBatch {
            columns: &columns,
            weights: rows_in.weights,
            group_ids: Some(rows_in.group_ids),
            num_groups: rows_in.num_groups,
            row_status: status,
            shared: metric.shared(),
        })
        .map_err(|e| {
            let wrote = match &e {
                HostError::WroteIntoInput { input, .. } => Some(input.as_ref().and_then(|name| {
                    metric
                        .inputs
                        .iter()
                        .find(|(n, _, _)| n == name)
                        .map(|(_, field, _)| *field)
                })),
                _ => None,
            };
            Failure {
                message: e.to_string(),
                wrote,
            }
        })?;
    Ok(sent)
}

/// How many source rows row `row` of a batch stands for: one, or its count in a pushed-down
/// histogram.
pub(crate) fn count(batch: &Batch, row: usize) -> u64 {
    batch
        .row_counts
        .as_ref()
        .and_then(|c| c.get(row).copied())
        .unwrap_or(1)
}

/// How many source rows a batch stands for.
fn rows_of(batch: &Batch) -> u64 {
    match &batch.row_counts {
        Some(counts) => counts.iter().sum(),
        None => batch.num_rows() as u64,
    }
}

/// The columns a metric reads, converted to the types it declared (integers widen to
/// floats; nothing else is converted).
fn input_columns(
    batch: &Batch,
    inputs: &[(String, usize, DataType)],
) -> Result<Vec<ArrayRef>, String> {
    inputs
        .iter()
        .map(|(name, field, ty)| {
            let column = &batch.columns[*field];
            if column.data_type() == ty {
                Ok(column.clone())
            } else if column.data_type() == &DataType::Int64 && ty == &DataType::Float64 {
                let ints = column.as_primitive::<Int64Type>();
                let floats: Float64Array = ints.unary(|x| x as f64);
                Ok(Arc::new(floats) as ArrayRef)
            } else {
                Err(format!(
                    "input \"{name}\" needs {ty}, field is {}",
                    column.data_type()
                ))
            }
        })
        .collect()
}

/// The source rows of the rows with status 0 (each row standing for `counts` rows), and
/// whether the plugin rejected a row the host had not set aside.
fn used_and_rejected(
    status: &[u8],
    prefilled: &[bool],
    counts: impl Iterator<Item = u64>,
) -> (u64, bool) {
    status.iter().zip(prefilled).zip(counts).fold(
        (0u64, false),
        |(used, rejected), ((&code, &pre), count)| {
            (
                used + u64::from(code == 0) * count,
                rejected | ((code != 0) & !pre),
            )
        },
    )
}

/// Counts the rows of one batch for one metric and records the plugin's rejections.
pub(crate) fn tally(
    metric: &MetricContext,
    part: &mut MetricPart,
    batch: &Batch,
    (status, prefilled, group_ids, groups_before): (&[u8], &[bool], &[u32], usize),
    sampled: Option<Sampled<'_>>,
    rejections: &mut Vec<Rejection>,
) {
    if let Some(sampled) = sampled {
        sampled.add_design(&mut part.design, status, group_ids);
    }
    // Rows used (each row counting the source rows it stands for), and whether the plugin
    // rejected any: one branch-free pass.
    let (used, plugin_rejected) = match &batch.row_counts {
        Some(counts) => used_and_rejected(status, prefilled, counts.iter().copied()),
        None => used_and_rejected(status, prefilled, std::iter::repeat(1)),
    };
    // Groups this metric's rows reached (used, or rejected by the plugin; not rows the
    // host set aside): while no row was set aside, every group is, and nothing is marked.
    let set_aside = prefilled.iter().fold(false, |any, &p| any | p);
    if set_aside && part.reaches_all {
        part.reaches_all = false;
        part.reached = vec![true; groups_before];
    }
    if !part.reaches_all {
        let groups = group_ids.iter().max().map_or(1, |&g| g as usize + 1);
        if part.reached.len() < groups {
            part.reached.resize(groups, false);
        }
        for ((&code, &pre), &g) in status.iter().zip(prefilled).zip(group_ids) {
            if code == 0 || !pre {
                if let Some(r) = part.reached.get_mut(g as usize) {
                    *r = true;
                }
            }
        }
    }
    part.used += used;
    if !plugin_rejected {
        return;
    }
    let first_input = metric.inputs.first().map(|(_, f, _)| *f);
    // Rows rejected per status code, added to the counts by reason once at the end (not a
    // map lookup and a reason name per row).
    let mut by_code = [0u64; 256];
    for (row, &code) in status.iter().enumerate() {
        if code == 0 || prefilled[row] {
            continue;
        }
        by_code[usize::from(code)] += count(batch, row);
        if let Some(cap) = metric.rejections {
            if part.examples.is_empty() {
                part.examples = vec![0; 256];
            }
            let made = &mut part.examples[usize::from(code)];
            if *made as usize >= cap {
                continue;
            }
            *made += 1;
        }
        let (field, value) = match first_input {
            Some(f) => (metric.first_input_field.clone(), batch.raw_value(row, f)),
            None => (String::new(), String::new()),
        };
        rejections.push(Rejection {
            dataset: String::new(),
            line: batch.lines[row],
            scope: metric.id.clone(),
            field,
            value,
            reason: metric.def.reason_name(code),
            detail: format!("rejected by {}", metric.def.name),
        });
    }
    for (code, &n) in by_code.iter().enumerate() {
        if n > 0 {
            let reason = metric.def.reason_name(code as u8);
            *part.rejected.entry(reason).or_default() += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_row_shows_what_rejected_values_allows() {
        let names: Vec<String> = ["region", "response_id", "score"]
            .map(String::from)
            .to_vec();
        let r = RowRejection {
            raw: "R3,West,10,carol@example.com,Carol, Jones".into(),
            mapped: vec![(1, "R3".into()), (0, "West".into()), (2, "10".into())],
            ..Default::default()
        };
        assert_eq!(
            row_value(RejectedValues::Mapped, &names, &r),
            "response_id=R3; region=West; score=10"
        );
        assert_eq!(row_value(RejectedValues::Full, &names, &r), r.raw);
        assert_eq!(row_value(RejectedValues::None, &names, &r), "");
        let none = RowRejection {
            raw: "carol@example.com".into(),
            ..Default::default()
        };
        assert_eq!(row_value(RejectedValues::Mapped, &names, &none), "");
    }
}
