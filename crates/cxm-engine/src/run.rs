//! Running a plan: each dataset is streamed once in batches; every batch goes to every
//! metric bound to the dataset with per-row group ids, weights and a row-status vector; every
//! row is counted as used or rejected with a reason; totals are rolled up by merging state.

use crate::error::EngineError;
use crate::grouping::Grouper;
use crate::plan::{DatasetPlan, MetricPlan, Plan};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array};
use arrow_schema::DataType;
use cxm_host::InstanceBatch;
use cxm_ingest::Batch;
use cxm_report::{
    DatasetSummary, Grouping, MetricSummary, PeriodSpec, Rejection, ResultRow, RunReport,
    REPORT_SCHEMA,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Rows per batch (default: the ingestion default).
    pub batch_rows: Option<usize>,
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

/// Per-metric bookkeeping during a run.
struct MetricRun<'p> {
    plan: &'p mut MetricPlan,
    /// Whether each dataset field makes a row invalid for this metric when unparsable.
    dependent: Vec<bool>,
    used: u64,
    rejected: BTreeMap<String, u64>,
    filtered: u64,
    reason_names: Vec<Option<String>>,
    error: Option<String>,
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
    };
    for dataset in &mut plan.datasets {
        run_dataset(dataset, options, on_reject, on_progress, &mut report)?;
    }
    // Metrics in config order, whatever the dataset order.
    let order: Vec<&str> = plan.config.metrics.iter().map(|m| m.id.as_str()).collect();
    let rank = |id: &str| order.iter().position(|o| *o == id).unwrap_or(usize::MAX);
    report.metrics.sort_by_key(|m| rank(&m.metric));
    report.results.sort_by_key(|r| rank(&r.metric));
    Ok(report)
}

/// A batch with the reader's progress when it was read.
struct FedBatch {
    batch: Batch,
    bytes_read: u64,
    bytes_total: Option<u64>,
}

/// Reads every batch of `source` into `sender`, then finishes the source. Returns `None`
/// when it stopped early (the consumer hung up, or a read error was sent).
fn read_ahead(
    mut source: Box<dyn cxm_ingest::RecordSource>,
    sender: std::sync::mpsc::SyncSender<Result<FedBatch, cxm_ingest::IngestError>>,
) -> Option<Result<cxm_ingest::DatasetStats, cxm_ingest::IngestError>> {
    loop {
        match source.next_batch() {
            Ok(Some(batch)) => {
                let fed = FedBatch {
                    batch,
                    bytes_read: source.bytes_read(),
                    bytes_total: source.total_bytes(),
                };
                if sender.send(Ok(fed)).is_err() {
                    return None;
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = sender.send(Err(e));
                return None;
            }
        }
    }
    drop(sender);
    Some(source.finish())
}

/// A 128-bit hash of a row's unique_key values (trimmed original text), from two SipHash
/// passes with different prefixes: collisions are negligible at any realistic row count.
fn key_hash(batch: &Batch, row: usize, fields: &[usize]) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut a = std::collections::hash_map::DefaultHasher::new();
    let mut b = std::collections::hash_map::DefaultHasher::new();
    0xA5u8.hash(&mut b);
    for &f in fields {
        let value = batch.raw_bytes(row, f).unwrap_or_default().trim_ascii();
        value.hash(&mut a);
        value.hash(&mut b);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// Row status the host sets for rows outside a metric's filter (never seen by a plugin's
/// update, which skips non-zero statuses).
const ROW_FILTERED: u8 = 8;

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

fn output_error(dataset: &str, e: std::io::Error) -> EngineError {
    EngineError::Config(cxm_config::ConfigError::at(
        std::path::Path::new(dataset),
        None,
        format!("cannot write rejected rows: {e}"),
    ))
}

fn run_dataset(
    ds: &mut DatasetPlan,
    options: &RunOptions,
    on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
    on_progress: &mut dyn FnMut(&Progress),
    report: &mut RunReport,
) -> Result<(), EngineError> {
    let name = ds.config.name.clone();
    let data_error = |source| EngineError::Data {
        dataset: name.clone(),
        source,
    };
    let source =
        crate::sources::open_source(&ds.config, ds.fields.clone(), ds.zone, options.batch_rows)?;
    let key_fields: Vec<usize> = ds
        .config
        .unique_key
        .iter()
        .filter_map(|k| ds.fields.iter().position(|f| &f.name == k))
        .collect();
    let mut seen_keys: std::collections::HashMap<u128, u64> = std::collections::HashMap::new();
    let mut duplicates = 0u64;
    let mut rows_with_invalid_values = 0u64;
    let mut dropped: Vec<bool> = Vec::new();
    let mut structural_rejected = 0u64;
    let mut groupers: Vec<Grouper> = ds
        .groupings
        .iter()
        .map(|g| {
            let dims: Vec<(usize, String)> = g
                .dimensions
                .iter()
                .map(|&i| (i, ds.fields[i].name.clone()))
                .collect();
            Grouper::new(&dims, g.period)
        })
        .collect();
    let field_names: Vec<String> = ds.fields.iter().map(|f| f.name.clone()).collect();
    let users: Vec<String> = (0..ds.fields.len())
        .map(|f| {
            let ids: Vec<&str> = ds
                .metrics
                .iter()
                .filter(|m| m.dependent_fields(ds).contains(&f))
                .map(|m| m.config.id.as_str())
                .collect();
            ids.join(";")
        })
        .collect();
    let dependents: Vec<Vec<bool>> = ds
        .metrics
        .iter()
        .map(|m| {
            let deps = m.dependent_fields(ds);
            (0..ds.fields.len()).map(|f| deps.contains(&f)).collect()
        })
        .collect();
    let weight_field = ds.weight;
    let mut runs: Vec<MetricRun<'_>> = ds
        .metrics
        .iter_mut()
        .zip(dependents)
        .map(|(plan, dependent)| MetricRun {
            plan,
            dependent,
            used: 0,
            rejected: BTreeMap::new(),
            filtered: 0,
            reason_names: vec![None; 256],
            error: None,
        })
        .collect();

    let mut invalid_values: BTreeMap<String, u64> = BTreeMap::new();
    let mut group_ids: Vec<Vec<u32>> = vec![Vec::new(); ds.groupings.len()];
    let mut status = Vec::new();
    let mut prefilled = Vec::new();
    let mut ungroupable = Vec::new();
    let mut rows_seen = 0u64;
    // Reading and parsing run on their own thread, one or two batches ahead of grouping and
    // the metrics (a bounded channel keeps memory bounded); batches arrive in file order, so
    // results are identical to a single-threaded run.
    let (sender, receiver) =
        std::sync::mpsc::sync_channel::<Result<FedBatch, cxm_ingest::IngestError>>(2);
    let stats = std::thread::scope(|scope| -> Result<cxm_ingest::DatasetStats, EngineError> {
        let reader = scope.spawn(move || read_ahead(source, sender));
        for fed in receiver.iter() {
            let FedBatch {
                batch,
                bytes_read,
                bytes_total,
            } = fed.map_err(&data_error)?;
            rows_seen += (batch.num_rows() + batch.rejected_rows.len()) as u64;
            for r in &batch.rejected_rows {
                let rejection = Rejection {
                    dataset: name.clone(),
                    line: r.line,
                    scope: "row".into(),
                    field: String::new(),
                    value: r.raw.clone(),
                    reason: r.reason.clone(),
                    detail: r.detail.clone(),
                };
                on_reject(&rejection).map_err(|e| output_error(&name, e))?;
            }
            for e in &batch.cell_errors {
                *invalid_values
                    .entry(field_names[e.field].clone())
                    .or_default() += 1;
                let rejection = Rejection {
                    dataset: name.clone(),
                    line: e.line,
                    scope: users[e.field].clone(),
                    field: field_names[e.field].clone(),
                    value: e.value.clone(),
                    reason: e.reason.as_str().into(),
                    detail: format!("cannot read as {}", ds.fields[e.field].ty.name()),
                };
                on_reject(&rejection).map_err(|e| output_error(&name, e))?;
            }
            let rows = batch.num_rows();
            dropped.clear();
            dropped.resize(rows, false);
            if !key_fields.is_empty() {
                for (row, drop) in dropped.iter_mut().enumerate() {
                    let key = key_hash(&batch, row, &key_fields);
                    match seen_keys.get(&key) {
                        Some(first) => {
                            *drop = true;
                            duplicates += 1;
                            let value: Vec<String> = key_fields
                                .iter()
                                .map(|&f| batch.raw_value(row, f))
                                .collect();
                            on_reject(&Rejection {
                                dataset: name.clone(),
                                line: batch.lines[row],
                                scope: "row".into(),
                                field: ds.config.unique_key.join(";"),
                                value: value.join(";"),
                                reason: "duplicate".into(),
                                detail: format!(
                                    "same unique_key as line {first}; the first one is kept"
                                ),
                            })
                            .map_err(|e| output_error(&name, e))?;
                        }
                        None => {
                            seen_keys.insert(key, batch.lines[row]);
                        }
                    }
                }
            }
            let mut invalid_rows: Vec<usize> = batch
                .cell_errors
                .iter()
                .filter(|e| !dropped[e.row])
                .map(|e| e.row)
                .collect();
            invalid_rows.dedup();
            rows_with_invalid_values += invalid_rows.len() as u64;
            structural_rejected += batch.rejected_rows.len() as u64;
            if let Some(cxm_config::MaxRejected::Count(limit)) = ds.config.max_rejected {
                let total = structural_rejected + duplicates + rows_with_invalid_values;
                if total > limit {
                    return Err(EngineError::TooManyRejected {
                        dataset: name.clone(),
                        rejected: total,
                        limit: limit.to_string(),
                    });
                }
            }
            for (grouper, ids) in groupers.iter_mut().zip(group_ids.iter_mut()) {
                ungroupable.clear();
                ungroupable.resize(rows, false);
                for e in batch
                    .cell_errors
                    .iter()
                    .filter(|e| grouper.is_key_field(e.field))
                {
                    ungroupable[e.row] = true;
                }
                for (u, d) in ungroupable.iter_mut().zip(&dropped) {
                    *u |= *d;
                }
                grouper.assign(&batch.columns, rows, &ungroupable, ids);
            }
            let (weights, bad_weights) = weights_of(&batch, weight_field);
            for run in runs.iter_mut().filter(|r| r.error.is_none()) {
                status.clear();
                status.resize(rows, 0u8);
                prefilled.clear();
                prefilled.extend_from_slice(&dropped);
                for (st, d) in status.iter_mut().zip(&dropped) {
                    if *d {
                        *st = ROW_FILTERED;
                    }
                }
                for e in batch.cell_errors.iter().filter(|e| run.dependent[e.field]) {
                    if !prefilled[e.row] {
                        prefilled[e.row] = true;
                        status[e.row] = if e.reason.is_numeric() {
                            cxm_abi::ROW_NOT_A_NUMBER
                        } else {
                            cxm_abi::ROW_INVALID_VALUE
                        };
                        *run.rejected
                            .entry(e.reason.as_str().to_string())
                            .or_default() += 1;
                    }
                }
                for &row in &bad_weights {
                    if !prefilled[row] {
                        prefilled[row] = true;
                        status[row] = cxm_abi::ROW_INVALID_WEIGHT;
                        *run.rejected.entry("invalid_weight".into()).or_default() += 1;
                    }
                }
                if !run.plan.filters.is_empty() {
                    for row in 0..rows {
                        if !prefilled[row]
                            && !run
                                .plan
                                .filters
                                .iter()
                                .all(|f| f.matches(&batch.columns, row))
                        {
                            prefilled[row] = true;
                            status[row] = ROW_FILTERED;
                            run.filtered += 1;
                        }
                    }
                }
                let columns = match input_columns(&batch, &run.plan.inputs) {
                    Ok(c) => c,
                    Err(e) => {
                        run.error = Some(format!("metric \"{}\": {e}", run.plan.config.id));
                        continue;
                    }
                };
                let update = run.plan.instance.update(InstanceBatch {
                    columns: &columns,
                    weights: weights.as_ref().map(|w| w.values().as_ref()),
                    group_ids: Some(&group_ids[run.plan.grouping]),
                    num_groups: groupers[run.plan.grouping].num_groups(),
                    row_status: &mut status,
                });
                if let Err(e) = update {
                    run.error = Some(e.to_string());
                    continue;
                }
                tally(run, &batch, &status, &prefilled, &name, on_reject)?;
            }
            on_progress(&Progress {
                dataset: name.clone(),
                bytes_read,
                bytes_total,
                rows: rows_seen,
            });
        }
        match reader.join() {
            Ok(Some(finished)) => finished.map_err(&data_error),
            // The reader stopped after sending an error, which the loop returned already.
            Ok(None) => Err(EngineError::Internal(format!(
                "dataset \"{name}\": reader stopped early"
            ))),
            Err(_) => Err(EngineError::Internal(format!(
                "dataset \"{name}\": the reading thread panicked"
            ))),
        }
    })?;
    if let Some(cxm_config::MaxRejected::Percent(limit)) = ds.config.max_rejected {
        let total = stats.rows_rejected + duplicates + rows_with_invalid_values;
        let pct = if stats.rows_read == 0 {
            0.0
        } else {
            100.0 * total as f64 / stats.rows_read as f64
        };
        if pct > limit {
            return Err(EngineError::TooManyRejected {
                dataset: name.clone(),
                rejected: total,
                limit: format!(
                    "{limit}% of {} rows read ({pct:.2}% rejected)",
                    stats.rows_read
                ),
            });
        }
    }
    report.datasets.push(DatasetSummary {
        name: name.clone(),
        path: ds.config.path.display().to_string(),
        sha256: stats.sha256,
        bytes: stats.bytes,
        rows_read: stats.rows_read,
        rows_accepted: stats.rows_accepted - duplicates,
        rows_rejected: stats.rows_rejected + duplicates,
        duplicates,
        invalid_values,
    });
    for run in runs {
        let mut error = run.error;
        if error.is_none() {
            match results_of(run.plan, &groupers[run.plan.grouping]) {
                Ok(rows) => report.results.extend(rows),
                Err(e) => error = Some(e.to_string()),
            }
        }
        report.metrics.push(MetricSummary {
            metric: run.plan.config.id.clone(),
            plugin: run.plan.def.name.clone(),
            library: format!("{} {}", run.plan.library.name, run.plan.library.version),
            dataset: name.clone(),
            rows_used: run.used,
            rows_rejected: run.rejected,
            rows_filtered: run.filtered,
            filter: describe_filters(&run.plan.config.filters),
            error,
            grouping: grouping_of(&run.plan.config.group_by, run.plan.config.period.as_ref()),
        });
    }
    Ok(())
}

/// The weight vector of a batch (None without a weight field) and the rows whose weight is
/// missing, negative or not finite (their weight is set to 0 and they are rejected).
fn weights_of(batch: &Batch, field: Option<usize>) -> (Option<Float64Array>, Vec<usize>) {
    let Some(field) = field else {
        return (None, Vec::new());
    };
    let column = &batch.columns[field];
    let raw: Vec<Option<f64>> = match column.data_type() {
        DataType::Int64 => column
            .as_primitive::<Int64Type>()
            .iter()
            .map(|v| v.map(|x| x as f64))
            .collect(),
        _ => column.as_primitive::<Float64Type>().iter().collect(),
    };
    let mut bad = Vec::new();
    let values: Vec<f64> = raw
        .into_iter()
        .enumerate()
        .map(|(row, w)| match w {
            Some(w) if w.is_finite() && w >= 0.0 => w,
            _ => {
                bad.push(row);
                0.0
            }
        })
        .collect();
    (Some(Float64Array::from(values)), bad)
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

/// Counts the rows of one batch for one metric and reports the plugin's rejections.
fn tally(
    run: &mut MetricRun<'_>,
    batch: &Batch,
    status: &[u8],
    prefilled: &[bool],
    dataset: &str,
    on_reject: &mut dyn FnMut(&Rejection) -> std::io::Result<()>,
) -> Result<(), EngineError> {
    let first_input = run.plan.inputs.first().map(|(_, f, _)| *f);
    let field_name = run
        .plan
        .config
        .inputs
        .first()
        .map(|(_, f, _)| f.clone())
        .unwrap_or_default();
    for (row, &code) in status.iter().enumerate() {
        if code == 0 {
            run.used += 1;
            continue;
        }
        if prefilled[row] {
            continue;
        }
        let reason = run.reason_names[usize::from(code)]
            .get_or_insert_with(|| run.plan.def.reason_name(code))
            .clone();
        *run.rejected.entry(reason.clone()).or_default() += 1;
        let (field, value) = match first_input {
            Some(f) => (field_name.clone(), batch.raw_value(row, f)),
            None => (String::new(), String::new()),
        };
        let rejection = Rejection {
            dataset: dataset.to_string(),
            line: batch.lines[row],
            scope: run.plan.config.id.clone(),
            field,
            value,
            reason,
            detail: format!("rejected by {}", run.plan.def.name),
        };
        on_reject(&rejection).map_err(|e| output_error(dataset, e))?;
    }
    Ok(())
}

/// Results of one metric: overall, each single key (when there are several), and the full
/// grouping; totals are recomputed by merging group states into a fresh instance.
fn results_of(plan: &MetricPlan, grouper: &Grouper) -> Result<Vec<ResultRow>, cxm_host::HostError> {
    let keys = grouper.num_keys();
    let mut sets: Vec<Vec<usize>> = vec![Vec::new()];
    if keys > 1 {
        sets.extend((0..keys).map(|k| vec![k]));
    }
    if keys > 0 {
        sets.push((0..keys).collect());
    }
    let mut out = Vec::new();
    for set in sets {
        let (map, labels) = grouper.project(&set);
        let mut rows = Vec::with_capacity(labels.len());
        if set.len() == keys {
            for (fine, group) in labels.into_iter().enumerate() {
                rows.push((group, plan.instance.finish(fine as u32)?));
            }
        } else {
            let mut rollup = plan.instance.bind_like(&plan.config.params_json)?;
            rollup.merge(&plan.instance, &map)?;
            for (coarse, group) in labels.into_iter().enumerate() {
                rows.push((group, rollup.finish(coarse as u32)?));
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(rows.into_iter().map(|(group, result)| ResultRow {
            metric: plan.config.id.clone(),
            plugin: plan.def.name.clone(),
            group,
            result,
            trend: None,
            benchmark: None,
        }));
    }
    Ok(out)
}
