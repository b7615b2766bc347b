//! What every worker needs to process a dataset's batches, shared read-only across threads:
//! field names and types, which metric depends on which field, how each metric binds a fresh
//! instance, its inputs, filters and grouping.

use crate::filter::CompiledFilter;
use crate::grouping::Grouper;
use crate::plan::DatasetPlan;
use arrow_schema::DataType;
use cxm_config::RejectedValues;
use cxm_host::Shared;
use cxm_host::{InstanceTemplate, MetricDef};

/// One metric as a worker sees it.
pub(crate) struct MetricContext {
    /// The metric's id in the config.
    pub(crate) id: String,
    /// Binds the per-chunk instances.
    pub(crate) template: InstanceTemplate,
    /// Its params, as bound.
    pub(crate) params_json: String,
    /// Its definition (name, reason names).
    pub(crate) def: MetricDef,
    /// Mapped inputs in bound order: input name, field index, Arrow type sent.
    pub(crate) inputs: Vec<(String, usize, DataType)>,
    /// Name of the field of its first input (shown with the rows it rejects).
    pub(crate) first_input_field: String,
    /// Index of its grouping.
    pub(crate) grouping: usize,
    pub(crate) filters: Vec<CompiledFilter>,
    /// Whether each dataset field makes a row invalid for this metric when unparsable.
    pub(crate) dependent: Vec<bool>,
    /// Which memory lent to its plugin other metrics read too (see [`Shared`]).
    pub(crate) shared_inputs: Vec<bool>,
    /// Whether another metric has the same grouping (and so reads the same group ids).
    pub(crate) shares_group_ids: bool,
    /// Whether another metric reads the row weights.
    pub(crate) shares_weights: bool,
    /// At most this many of the rows its plugin rejects, per reason, become rejections in
    /// each chunk ([`crate::RunOptions::rejections`]); `None`: every one.
    pub(crate) rejections: Option<usize>,
}

impl MetricContext {
    /// What of the memory lent to this metric's plugin other metrics read too: only that
    /// is fingerprinted around an in-process update, since a plugin writing into memory
    /// only it reads can only spoil its own figures.
    pub(crate) fn shared(&self) -> Shared<'_> {
        Shared {
            columns: &self.shared_inputs,
            weights: self.shares_weights,
            group_ids: self.shares_group_ids,
        }
    }
}

/// One dataset as a worker sees it.
pub(crate) struct DatasetContext {
    /// Dataset name.
    pub(crate) name: String,
    /// Field names, in field order.
    pub(crate) field_names: Vec<String>,
    /// Field type names, in field order.
    pub(crate) field_types: Vec<&'static str>,
    /// The ids of the metrics that read each field, joined with `;`.
    pub(crate) users: Vec<String>,
    /// The weight field, if any.
    pub(crate) weight: Option<usize>,
    /// The unique_key fields (empty: no duplicate check).
    pub(crate) key_fields: Vec<usize>,
    /// The unique_key field names joined with `;`.
    pub(crate) key_names: String,
    /// What rejections show of the data (`[report] rejected_values`).
    pub(crate) rejected_values: RejectedValues,
    /// Time zone of naive timestamps (named in the daylight-saving warning).
    pub(crate) zone: cxm_period::Zone,
    /// An empty grouper per grouping; every chunk starts from a copy.
    pub(crate) groupers: Vec<Grouper>,
    /// Per grouping, per field: whether an unreadable value makes a row ungroupable (the
    /// grouping's keys and the fields derived keys are computed from).
    pub(crate) key_guards: Vec<Vec<bool>>,
    /// The derived fields, appended to each batch before it is processed.
    pub(crate) derived: Vec<crate::derive::DerivedColumn>,
    /// The lookups, whose columns are appended to each batch before the derived fields
    /// (loaded by the run; empty until then).
    pub(crate) lookups: Vec<std::sync::Arc<crate::lookup::Join>>,
    /// The survey weights, fitted by the run before the dataset is read (`None` without
    /// them).
    pub(crate) sampling: Option<std::sync::Arc<crate::weighting::Sampling>>,
    pub(crate) metrics: Vec<MetricContext>,
}

impl DatasetContext {
    /// The context of one dataset of the plan; `rejections` caps the rejections each metric
    /// makes per chunk (see [`MetricContext::rejections`]).
    pub(crate) fn new(
        ds: &DatasetPlan,
        rejected_values: RejectedValues,
        rejections: Option<usize>,
    ) -> DatasetContext {
        let field_names: Vec<String> = ds.fields.iter().map(|f| f.name.clone()).collect();
        let users = (0..ds.fields.len())
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
        let groupers = ds
            .groupings
            .iter()
            .map(|g| {
                let dims: Vec<(usize, String)> = g
                    .dimensions
                    .iter()
                    .map(|&i| (i, field_names[i].clone()))
                    .collect();
                Grouper::new(&dims, g.period).with_orders(g.orders.clone())
            })
            .collect();
        let key_guards = ds
            .groupings
            .iter()
            .map(|g| {
                let keys: Vec<usize> = g.fields().collect();
                (0..ds.fields.len())
                    .map(|f| {
                        keys.contains(&f) || keys.iter().any(|&k| ds.sources_of(k).contains(&f))
                    })
                    .collect()
            })
            .collect();
        let metrics = ds
            .metrics
            .iter()
            .map(|m| {
                let deps = m.dependent_fields(ds);
                MetricContext {
                    id: m.config.id.clone(),
                    template: m.instance.template(),
                    params_json: m.config.params_json.clone(),
                    def: m.def.clone(),
                    inputs: m.inputs.clone(),
                    first_input_field: m
                        .config
                        .inputs
                        .first()
                        .map(|(_, f, _)| f.clone())
                        .unwrap_or_default(),
                    grouping: m.grouping,
                    filters: m.filters.clone(),
                    dependent: (0..ds.fields.len()).map(|f| deps.contains(&f)).collect(),
                    shared_inputs: Vec::new(),
                    shares_group_ids: false,
                    shares_weights: false,
                    rejections,
                }
            })
            .collect();
        let metrics = lent_sharing(metrics);
        DatasetContext {
            name: ds.config.name.clone(),
            field_types: ds.fields.iter().map(|f| f.ty.name()).collect(),
            users,
            weight: ds.weight,
            key_fields: ds
                .config
                .unique_key
                .iter()
                .filter_map(|k| field_names.iter().position(|f| f == k))
                .collect(),
            key_names: ds.config.unique_key.join(";"),
            rejected_values,
            zone: ds.zone,
            groupers,
            key_guards,
            derived: ds.derived.clone(),
            lookups: Vec::new(),
            sampling: None,
            metrics,
            field_names,
        }
    }
}

/// Marks, for each metric, the lent memory that another metric of the dataset reads.
fn lent_sharing(mut metrics: Vec<MetricContext>) -> Vec<MetricContext> {
    let facts: Vec<(Vec<bool>, usize)> = metrics
        .iter()
        .map(|m| (m.dependent.clone(), m.grouping))
        .collect();
    let several = metrics.len() > 1;
    for (i, m) in metrics.iter_mut().enumerate() {
        let others = || facts.iter().enumerate().filter(move |(j, _)| *j != i);
        m.shared_inputs = m
            .inputs
            .iter()
            .map(|(_, field, _)| others().any(|(_, (dependent, _))| dependent[*field]))
            .collect();
        m.shares_group_ids = others().any(|(_, (_, grouping))| *grouping == m.grouping);
        m.shares_weights = several;
    }
    metrics
}
