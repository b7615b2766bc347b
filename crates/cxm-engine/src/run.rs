//! Running a plan: each dataset is streamed once, in chunks parsed and processed in
//! parallel (see [`crate::pipeline`]) and merged in order; every row is counted as used or
//! rejected with a reason; totals are rolled up by merging state.

use crate::context::DatasetContext;
use crate::error::EngineError;
use crate::finish::finish_groups;
use crate::grouping::{GroupLabels, Grouper, SortKey};
use crate::merge::DatasetTotals;
use crate::pipeline::{run_chunks, PipelineOptions};
use crate::plan::{DatasetPlan, MetricPlan, Plan};
use cxm_report::{
    DataNotice, DatasetSummary, Design, Grouping, MetricSummary, Name, PeriodSpec, Rejection,
    ReportSettings, ResultRow, RunReport, REPORT_SCHEMA,
};

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Rows per batch (default: the ingestion default).
    pub batch_rows: Option<usize>,
    /// Worker threads (default: one per core). Results do not depend on it.
    pub threads: Option<usize>,
    /// Bytes per chunk of a CSV file read in parallel (default 2 MiB); for tests.
    pub chunk_bytes: Option<usize>,
    /// Run every plugin library in child processes (as `isolation = "process"` does for
    /// one registry entry); read by the binary before it builds the plan.
    pub isolate: bool,
    /// Of the rows a metric's plugin rejects, give `on_reject` at most this many per metric
    /// and reason from each chunk of data: enough for the first N per dataset, metric and
    /// reason in file order (a chunk's rejections come in file order, chunks in file
    /// order), which is all a caller that keeps examples needs. `None`: every rejected row
    /// (for a caller that writes them all). The counts are exact either way.
    pub rejections: Option<usize>,
}

/// Progress of the dataset being read.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Dataset name.
    pub dataset: String,
    /// Bytes read so far.
    pub bytes_read: u64,
    /// File size, when known.
    pub bytes_total: Option<u64>,
    /// Records read so far.
    pub rows: u64,
}

/// Runs the plan; rejected rows and values go to `on_reject` as they are found.
pub fn run(
    plan: &mut Plan,
    options: &RunOptions,
    on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<RunReport, EngineError> {
    let config = &plan.config;
    let mut report = RunReport {
        schema: REPORT_SCHEMA.to_string(),
        client: config.client.clone(),
        config: config.path.display().to_string(),
        cxm_version: env!("CARGO_PKG_VERSION").to_string(),
        grouping: report_grouping(config),
        datasets: Vec::new(),
        metrics: Vec::new(),
        results: Vec::new(),
        analysis: None,
        settings: ReportSettings {
            language: config.report.language.clone(),
            timezone: config
                .report
                .timezone
                .as_ref()
                .map_or_else(|| "UTC".to_string(), |(tz, _)| tz.clone()),
            fiscal_year_start: config.report.fiscal_year_start,
            generated_at: None,
        },
        rejection_examples: Vec::new(),
    };
    let rejected_values = plan.config.report.rejected_values;
    for dataset in &mut plan.datasets {
        let mut ctx = DatasetContext::new(dataset, rejected_values, options.rejections);
        // The datasets it looks up are read first, each into a table by key.
        for lookup in &dataset.lookups {
            let join = crate::lookup::Join::load(lookup.clone(), dataset.zone, options.batch_rows)?;
            ctx.lookups.push(std::sync::Arc::new(join));
        }
        // Survey weights are fitted in a first pass over the dataset.
        let weighting = match crate::weighting::Sampling::new(dataset) {
            None => None,
            Some(mut sampling) => {
                let summary = sampling.fit(dataset, &ctx, options.batch_rows)?;
                ctx.sampling = Some(std::sync::Arc::new(sampling));
                Some(summary)
            }
        };
        run_dataset(dataset, ctx, options, on_reject, on_progress, &mut report)?;
        if let Some(summary) = report.datasets.last_mut() {
            summary.weighting = weighting;
        }
    }
    // Metrics in config order, whatever the dataset order.
    let order: Vec<&str> = plan.config.metrics.iter().map(|m| m.id.as_str()).collect();
    let rank = |id: &str| order.iter().position(|o| *o == id).unwrap_or(usize::MAX);
    report.metrics.sort_by_key(|m| rank(&m.metric));
    // Usually in that order already (one dataset, or datasets in metric order): then left
    // as is, without the scratch space of a stable sort (half the results' size).
    if !report.results.is_sorted_by_key(|r| rank(&r.metric)) {
        report.results.sort_by_key(|r| rank(&r.metric));
    }
    Ok(report)
}

fn describe_filters(filters: &[cxm_config::FilterConfig]) -> Option<String> {
    (!filters.is_empty()).then(|| {
        filters
            .iter()
            .map(|f| f.describe())
            .collect::<Vec<_>>()
            .join(" and ")
    })
}

fn grouping_of(dimensions: &[String], period: Option<&cxm_config::PeriodConfig>) -> Grouping {
    Grouping {
        dimensions: dimensions.to_vec(),
        period: period.map(|p| PeriodSpec {
            field: p.field.clone(),
            grain: p.grain.name().into(),
        }),
    }
}

/// The report-wide grouping: every metric's dimensions (in first-use order) and the
/// report's period, else the first metric period.
fn report_grouping(config: &cxm_config::ClientConfig) -> Grouping {
    let mut dimensions: Vec<String> = Vec::new();
    for d in config.metrics.iter().flat_map(|m| &m.group_by) {
        if !dimensions.contains(d) {
            dimensions.push(d.clone());
        }
    }
    let period = config
        .report
        .period
        .as_ref()
        .or_else(|| config.metrics.iter().find_map(|m| m.period.as_ref()));
    grouping_of(&dimensions, period)
}

/// Most worker threads used by default: each keeps about two chunks in flight (2 MiB each
/// for CSV), so this bounds memory on machines with many cores. `--threads` can go higher.
pub const MAX_DEFAULT_THREADS: usize = 8;

/// The number of worker threads a run uses unless told: one per core, at most
/// [`MAX_DEFAULT_THREADS`].
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_DEFAULT_THREADS)
}

fn run_dataset(
    ds: &mut DatasetPlan,
    ctx: DatasetContext,
    options: &RunOptions,
    on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
    on_progress: &mut dyn FnMut(&Progress),
    report: &mut RunReport,
) -> Result<(), EngineError> {
    let name = ctx.name.clone();
    let source = crate::sources::open_chunked(
        &ds.config,
        ds.parsed_fields(),
        ds.zone,
        options,
        crate::sources::Mode::Pushdown(&ds.cuts),
    )?;
    let mut totals = DatasetTotals::new(&ctx);
    let pipeline = PipelineOptions {
        threads: options.threads.unwrap_or_else(default_threads),
        max_rejected: match ds.config.max_rejected {
            Some(cxm_config::MaxRejected::Count(limit)) => Some(limit),
            _ => None,
        },
    };
    let (digest, warnings) = run_chunks(
        &ctx,
        source,
        &mut ds.metrics,
        &mut totals,
        &pipeline,
        on_reject,
        on_progress,
    )?;
    return_freed_memory();
    let rows_read = totals.rows_seen;
    if let Some(cxm_config::MaxRejected::Percent(limit)) = ds.config.max_rejected {
        let total = totals.rows_rejected();
        let pct = if rows_read == 0 {
            0.0
        } else {
            100.0 * total as f64 / rows_read as f64
        };
        if pct > limit {
            return Err(EngineError::TooManyRejected {
                dataset: name.clone(),
                rejected: total,
                limit: format!("{limit}% of {rows_read} rows read ({pct:.2}% rejected)"),
            });
        }
    }
    report.datasets.push(DatasetSummary {
        name: name.clone(),
        path: ds.config.path.display().to_string(),
        sha256: digest.sha256,
        bytes: digest.bytes,
        rows_read,
        rows_accepted: rows_read - totals.structural_rejected - totals.duplicates,
        rows_rejected: totals.structural_rejected + totals.duplicates,
        duplicates: totals.duplicates,
        invalid_values: std::mem::take(&mut totals.invalid_values),
        warnings: warnings
            .into_iter()
            .map(|w| DataNotice {
                kind: w.kind.to_string(),
                count: w.count,
                lines: w.lines,
                message: w.message,
            })
            .chain(
                ctx.lookups
                    .iter()
                    .zip(&totals.unmatched)
                    .flat_map(|(j, misses)| j.notices(misses)),
            )
            .chain(quantized_notices(ds, rows_read))
            .collect(),
        weighting: None,
    });
    let sampled = ctx.sampling.is_some();
    for (plan, metric) in ds.metrics.iter().zip(std::mem::take(&mut totals.metrics)) {
        let mut error = metric.error;
        if error.is_none() {
            let design = sampled.then_some(metric.design.as_slice());
            let start = report.results.len();
            if let Err(e) = results_of(
                plan,
                &totals.groupers[plan.grouping],
                &metric.reached,
                design,
                pipeline.threads,
                &mut report.results,
            ) {
                // A failed metric has no results, not some of them.
                report.results.truncate(start);
                error = Some(e.to_string());
            }
        }
        report.metrics.push(MetricSummary {
            metric: plan.config.id.clone(),
            label: plan.config.label.clone(),
            description: plan.def.description.clone(),
            min_n: plan.config.min_n,
            suppress_below_min_n: plan.config.suppress_below_min_n,
            plugin: plan.def.name.clone(),
            library: format!("{} {}", plan.library.name, plan.library.version),
            dataset: name.clone(),
            rows_used: metric.used,
            rows_rejected: metric.rejected,
            rows_filtered: metric.filtered,
            filter: describe_filters(&plan.config.filters),
            error,
            grouping: grouping_of(&plan.config.group_by, plan.config.period.as_ref()),
        });
    }
    for failed in &ds.failed {
        let m = &failed.config;
        report.metrics.push(MetricSummary {
            metric: m.id.clone(),
            label: m.label.clone(),
            description: failed.description.clone(),
            min_n: m.min_n,
            suppress_below_min_n: m.suppress_below_min_n,
            plugin: failed.plugin.clone(),
            library: failed.library.clone(),
            dataset: name.clone(),
            rows_used: 0,
            rows_rejected: Default::default(),
            rows_filtered: 0,
            filter: describe_filters(&m.filters),
            error: Some(failed.message.clone()),
            grouping: grouping_of(&m.group_by, m.period.as_ref()),
        });
    }
    Ok(())
}

/// Results of one metric, appended to `out`: overall, each single key (when there are
/// several), and the full grouping; totals are recomputed by merging group states into a
/// fresh instance. Each result row is made once, in its final place (no second list of
/// rows to sort and copy: with many groups those are most of the memory of a run).
fn results_of(
    plan: &MetricPlan,
    grouper: &Grouper,
    reached: &[bool],
    design: Option<&[[f64; 3]]>,
    threads: usize,
    out: &mut Vec<ResultRow>,
) -> Result<(), cxm_host::HostError> {
    let keys = grouper.num_keys();
    // One text of each, shared by all the metric's rows.
    let (metric, plugin) = (Name::from(&plan.config.id), Name::from(&plan.def.name));
    let mut sets: Vec<Vec<usize>> = vec![Vec::new()];
    if keys > 1 {
        sets.extend((0..keys).map(|k| vec![k]));
    }
    if keys > 0 {
        sets.push((0..keys).collect());
    }
    for set in sets {
        let (map, mut labels, sort_keys) = grouper.project_sorted(&set);
        // A group no row of this metric reached (only other metrics' rows, or rows outside
        // this metric's filter, created it) is not a result of it: omitted, unlike the
        // overall figure, which is always shown.
        let mut kept = vec![set.is_empty(); labels.len()];
        for (fine, &coarse) in map.iter().enumerate() {
            if reached.get(fine).copied().unwrap_or(false) {
                if let Some(k) = kept.get_mut(coarse as usize) {
                    *k = true;
                }
            }
        }
        // The design totals (Σm, Σm·s, Σm·s²) of each group of this set.
        let designs: Vec<Option<Design>> = match design {
            None => Vec::new(),
            Some(fine) => {
                let mut sums = vec![[0.0; 3]; labels.len()];
                for (totals, &coarse) in fine.iter().zip(&map) {
                    if let Some(s) = sums.get_mut(coarse as usize) {
                        (0..3).for_each(|i| s[i] += totals[i]);
                    }
                }
                sums.iter().map(|s| Design::of(s[0], s[1], s[2])).collect()
            }
        };
        let rollup;
        let instance = if set.len() == keys {
            &plan.instance
        } else {
            let mut merged = plan.instance.bind_like(&plan.config.params_json)?;
            merged.merge(&plan.instance, &map)?;
            rollup = merged;
            &rollup
        };
        let groups = kept_in_order(&kept, &sort_keys, &labels);
        drop(sort_keys);
        out.reserve(groups.len());
        // The kept groups' results, in the order of the rows (`finish_many` takes group ids
        // in any order), a few thousand groups per call (one request to an isolated child):
        // the results read but not yet in their rows stay few.
        let num_groups = labels.len();
        finish_groups(
            instance,
            &plan.config.params_json,
            &groups,
            num_groups,
            threads,
            |chunk, results| {
                for (&group, result) in chunk.iter().zip(results) {
                    let g = group as usize;
                    out.push(ResultRow {
                        metric: metric.clone(),
                        plugin: plugin.clone(),
                        group: labels.get_mut(g).map(std::mem::take).unwrap_or_default(),
                        result,
                        trend: None,
                        benchmark: None,
                        design: designs.get(g).copied().flatten().map(Box::new),
                    });
                }
            },
        )?;
    }
    Ok(())
}

/// Gives the memory the data pass freed back to the system before the results are made.
///
/// glibc's allocator gives each worker thread an arena of its own, and what a worker frees
/// (chunk buffers, chunk-local group tables, batches) stays in that arena, out of reach of
/// the thread that then builds the results: with many groups the two added up (NPS of 1M
/// rows by 200k customers peaked 30–50 MB higher, 10M by 1M customers 50–80 MB). Other
/// allocators and systems return memory on their own terms: nothing to do there.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own arenas; it takes
    // their locks, so it is safe while other threads (plugins, readers) allocate.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The ids of the kept groups in the order of their rows: segments in natural order (see
/// `SortKey`): texts and periods by label; numbers, booleans and dates by value; bands and
/// explicit orders as declared; ties (never between distinct groups) by label, then id.
fn kept_in_order(kept: &[bool], sort_keys: &[Vec<SortKey>], labels: &[GroupLabels]) -> Vec<u32> {
    let mut groups: Vec<u32> = (0..kept.len() as u32)
        .filter(|&g| kept[g as usize])
        .collect();
    let keys = |g: usize| sort_keys.get(g).map_or(&[][..], Vec::as_slice);
    let label = |g: usize| labels.get(g).map_or(&[][..], Vec::as_slice);
    groups.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        compare_sort_keys(keys(a), label(a), keys(b), label(b))
            .then_with(|| labels.get(a).cmp(&labels.get(b)))
    });
    groups
}

/// The order of two groups by their sort keys, key by key; two [`SortKey::Label`]s compare
/// the groups' labels at that position.
fn compare_sort_keys(
    a: &[SortKey],
    a_labels: &[(Name, Option<String>)],
    b: &[SortKey],
    b_labels: &[(Name, Option<String>)],
) -> std::cmp::Ordering {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let order = match (x, y) {
            (SortKey::Label, SortKey::Label) => {
                label_text(a_labels, i).cmp(&label_text(b_labels, i))
            }
            _ => x.cmp(y),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// The text of the `i`-th label of a group (`None`: missing).
fn label_text(labels: &[(Name, Option<String>)], i: usize) -> Option<&str> {
    labels.get(i).and_then(|(_, v)| v.as_deref())
}

/// One notice per field the warehouse quantized (`quantize = { relative_error = … }`), so
/// the report says that its figures are within a stated error, not exact; its count is
/// the rows read, each of whose values (an empty one stays empty) was quantized.
fn quantized_notices(ds: &DatasetPlan, rows_read: u64) -> Vec<DataNotice> {
    ds.parsed_fields()
        .iter()
        .filter_map(|f| {
            let alpha = ds
                .config
                .fields
                .iter()
                .find(|c| c.name == f.name)
                .and_then(|c| c.quantize)?;
            let pct = 100.0 * alpha;
            Some(DataNotice {
                kind: "quantized_in_warehouse".to_string(),
                count: rows_read,
                lines: Vec::new(),
                message: format!(
                    "field \"{}\" was quantized in the warehouse to log buckets of {pct}% relative error (quantize = {{ relative_error = {alpha} }}): each value, and so each percentile of it, is within {pct}% of the exact one, as is a mean or sum of values of one sign",
                    f.name
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(value: Option<&str>) -> GroupLabels {
        vec![("k".into(), value.map(str::to_string))]
    }

    #[test]
    fn kept_groups_come_in_the_order_of_their_rows() {
        // Group ids in order of first appearance; rows by sort key, then label.
        let sort_keys = vec![
            vec![SortKey::Label],
            vec![SortKey::Null],
            vec![SortKey::Ranked(1)],
            vec![SortKey::Label],
            vec![SortKey::Ranked(0)],
            vec![SortKey::Label],
        ];
        let labels = vec![
            label(Some("b")),
            label(None),
            label(Some("low")),
            label(Some("a")),
            label(Some("high")),
            label(Some("c")),
        ];
        let all = [true; 6];
        assert_eq!(kept_in_order(&all, &sort_keys, &labels), [1, 4, 2, 3, 0, 5]);
        // Groups not kept have no row.
        let some = [true, false, true, true, false, false];
        assert_eq!(kept_in_order(&some, &sort_keys, &labels), [2, 3, 0]);
        // Equal sort keys (integers of one key in two spellings' labels) fall back to labels.
        let same = vec![vec![SortKey::Integer(1)], vec![SortKey::Integer(1)]];
        let labels = vec![label(Some("01")), label(Some("1"))];
        assert_eq!(kept_in_order(&[true, true], &same, &labels), [0, 1]);
        let labels = vec![label(Some("1")), label(Some("01"))];
        assert_eq!(kept_in_order(&[true, true], &same, &labels), [1, 0]);
        // The overall figure: one group, kept.
        assert_eq!(kept_in_order(&[true], &[Vec::new()], &[Vec::new()]), [0]);
        // Two keys: the first key's labels decide before the second key's dates.
        let two = |region: &str| {
            vec![
                ("region".into(), Some(region.to_string())),
                ("day".into(), Some("d".to_string())),
            ]
        };
        let sort_keys = vec![
            vec![SortKey::Label, SortKey::Date(1)],
            vec![SortKey::Label, SortKey::Date(2)],
            vec![SortKey::Label, SortKey::Date(0)],
        ];
        let labels = vec![two("b"), two("a"), two("b")];
        assert_eq!(kept_in_order(&[true; 3], &sort_keys, &labels), [1, 2, 0]);
    }
}
