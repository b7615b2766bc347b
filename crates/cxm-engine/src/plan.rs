//! Building the plan: resolve each metric's plugin, settle every field's type from its
//! declaration or its use, check the dataset headers, and bind every metric instance so
//! that params and inputs are validated before any data flows.

use crate::error::EngineError;
use arrow_schema::DataType;
use cxm_config::{ClientConfig, DatasetConfig, Location, MetricConfig};
use cxm_host::{
    load_library, load_library_isolated, HostError, Instance, Isolation, Library, MetricDef,
};
use cxm_ingest::{FieldSpec, FieldType};
use cxm_period::{PeriodRule, Zone};
use std::collections::BTreeMap;
use std::sync::Arc;

mod fields;
use fields::{period_cuts, settle_derived};

/// A client config with its plugins loaded and bound, ready to run.
pub struct Plan {
    /// The validated config.
    pub config: ClientConfig,
    /// One entry per dataset that at least one metric reads.
    pub datasets: Vec<DatasetPlan>,
}

/// How one dataset is read and which metrics it feeds.
pub struct DatasetPlan {
    /// The dataset's config.
    pub config: DatasetConfig,
    /// The fields, with settled types: the fields parsed from the source, then the fields
    /// looked up in other datasets, then the derived fields (see
    /// [`DatasetPlan::parsed_fields`]).
    pub fields: Vec<FieldSpec>,
    /// How many of `fields` are parsed from the source.
    pub(crate) num_parsed: usize,
    /// The lookups whose fields the run uses, in field order.
    pub(crate) lookups: Vec<crate::lookup::LookupPlan>,
    /// The derived fields, computed after each batch is parsed (the last fields).
    pub(crate) derived: Vec<crate::derive::DerivedColumn>,
    /// Per parsed field: for a timestamp used only as metrics' period, what pushdown may
    /// cut it to (its local day, or its month when every such period is made of months).
    pub(crate) cuts: Vec<Option<cxm_sql::Cut>>,
    /// The distinct groupings of this dataset's metrics.
    pub groupings: Vec<GroupingPlan>,
    /// Time zone of periods and naive timestamps.
    pub zone: Zone,
    /// Field index of the weight, if any.
    pub weight: Option<usize>,
    /// The metrics reading this dataset, in config order.
    pub metrics: Vec<MetricPlan>,
    /// The metrics whose isolated plugin process died before data flowed: they fail alone,
    /// named in the report, while the others run.
    pub failed: Vec<FailedMetric>,
}

impl DatasetPlan {
    /// The fields read from the source (neither looked up nor derived).
    pub fn parsed_fields(&self) -> Vec<FieldSpec> {
        self.fields[..self.num_parsed].to_vec()
    }

    /// Every field whose unreadable value leaves `field` empty: its source, and the source
    /// of that (a derived field computed from a looked-up field, whose key is the source).
    pub(crate) fn sources_of(&self, field: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.source_of(field).into_iter().collect();
        if let Some(next) = out.first().and_then(|&s| self.source_of(s)) {
            out.push(next);
        }
        out
    }

    /// The field whose unreadable value leaves `field` empty: for a derived field the field
    /// it is computed from, for a looked-up field its lookup's key (`None` for a parsed
    /// field).
    pub(crate) fn source_of(&self, field: usize) -> Option<usize> {
        self.derived
            .iter()
            .find(|d| d.field == field)
            .map(|d| d.from)
            .or_else(|| {
                self.lookups
                    .iter()
                    .find(|l| l.outputs.iter().any(|o| o.field == field))
                    .map(|l| l.key_field)
            })
    }
}

/// A metric whose plugin's isolated process died (signal, exit, timeout, memory limit)
/// while its library was loaded or the metric was bound. A plugin that *refuses* to bind
/// (bad params) is a config error instead, and stops the run before any data flows.
pub struct FailedMetric {
    /// The metric's config.
    pub config: MetricConfig,
    /// The metric's name in its library (the config's `plugin` when the library never
    /// described itself).
    pub plugin: String,
    /// The library's name and version, or its registry name.
    pub library: String,
    /// The plugin's description of the metric, when known.
    pub description: String,
    /// What happened: the host's error, then where the metric is declared.
    pub message: String,
    /// The error as a plan error (what `cxm validate` reports).
    pub error: EngineError,
}

impl FailedMetric {
    fn new(
        config: &ClientConfig,
        m: &MetricConfig,
        plugin: String,
        library: String,
        description: String,
        at: Location,
        source: HostError,
    ) -> FailedMetric {
        let message = format!(
            "{source} (metric declared at {}:{}:{})",
            config.path.display(),
            at.line,
            at.column
        );
        FailedMetric {
            config: m.clone(),
            plugin,
            library,
            description,
            message,
            error: plugin_error(config, at, &m.id, source),
        }
    }
}

/// How a metric's rows are grouped: dimension fields and an optional period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupingPlan {
    /// Field indices of the group_by dimensions, in order.
    pub dimensions: Vec<usize>,
    /// Per dimension: the labels that sort first, in this order (an explicit `order`, or a
    /// banded field's bands); empty for the natural order of the values.
    pub orders: Vec<Vec<String>>,
    /// Field index and rule of the period, if grouped by period.
    pub period: Option<(usize, PeriodRule)>,
}

impl GroupingPlan {
    /// The grouping fields (dimensions, then the period field).
    pub fn fields(&self) -> impl Iterator<Item = usize> + '_ {
        self.dimensions
            .iter()
            .copied()
            .chain(self.period.map(|(f, _)| f))
    }
}

/// One bound metric.
pub struct MetricPlan {
    /// The metric's config.
    pub config: MetricConfig,
    /// The library it comes from.
    pub library: Arc<Library>,
    /// Its definition in the library.
    pub def: MetricDef,
    /// The mapped inputs in bound order: input name, field index, Arrow type sent.
    pub inputs: Vec<(String, usize, DataType)>,
    /// The instance bound at plan time; it accumulates the run.
    pub instance: Instance,
    /// Index of its grouping in [`DatasetPlan::groupings`].
    pub grouping: usize,
    /// Its filters: only rows meeting all of them are in scope.
    pub filters: Vec<crate::filter::CompiledFilter>,
}

impl MetricPlan {
    /// Fields whose unparsable values make a row invalid for this metric: its inputs plus
    /// the dataset's grouping and weight fields.
    pub fn dependent_fields(&self, dataset: &DatasetPlan) -> Vec<usize> {
        let mut out: Vec<usize> = self.inputs.iter().map(|(_, f, _)| *f).collect();
        out.extend(dataset.groupings[self.grouping].fields());
        out.extend(self.filters.iter().map(|f| f.field));
        out.extend(dataset.weight);
        // A lookup that rejects unmatched rows rejects them for every metric.
        out.extend(
            dataset
                .lookups
                .iter()
                .filter(|l| l.rejects())
                .map(|l| l.key_field),
        );
        // A derived or looked-up field's value is empty when its source (or key) could not
        // be read: that error rejects the row.
        let sources: Vec<usize> = out.iter().flat_map(|&f| dataset.sources_of(f)).collect();
        out.extend(sources);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The time zone of the report (UTC unless configured).
fn report_zone(config: &ClientConfig) -> Result<Zone, EngineError> {
    match &config.report.timezone {
        None => Ok(Zone::Utc),
        Some((name, at)) => {
            cxm_period::parse_zone(name).map_err(|e| config.error_at(*at, e.to_string()).into())
        }
    }
}

fn field_type_of_format(format: &str) -> Option<FieldType> {
    Some(match format {
        "l" => FieldType::Integer,
        "g" => FieldType::Number,
        "u" => FieldType::String,
        "b" => FieldType::Boolean,
        "tdD" => FieldType::Date,
        f if f.starts_with("tsu:") => FieldType::Datetime,
        _ => return None,
    })
}

/// Whether a field of type `field` can feed an input of type `input` (integers widen to
/// numbers; nothing narrows).
fn compatible(field: FieldType, input: FieldType) -> bool {
    field == input || (field == FieldType::Integer && input == FieldType::Number)
}

/// The limits of an isolated registry entry.
fn isolation_of(entry: &cxm_config::RegistryEntry) -> Isolation {
    Isolation {
        timeout: entry.timeout.map(std::time::Duration::from_secs_f64),
        max_memory: entry.max_memory,
    }
}

fn plugin_error(
    config: &ClientConfig,
    at: Location,
    metric: &str,
    source: HostError,
) -> EngineError {
    EngineError::Plugin {
        context: format!(
            "{}:{}:{}: metric \"{metric}\"",
            config.path.display(),
            at.line,
            at.column
        ),
        source,
    }
}

/// Finds the library and metric a config's `plugin` names: `library/metric`, a registry
/// entry exporting one metric or a metric of the same name, or a metric name exported by
/// exactly one registered library.
fn resolve_plugin(
    config: &ClientConfig,
    m: &MetricConfig,
) -> Result<(Arc<Library>, MetricDef), EngineError> {
    let registry = &config.registry;
    let load = |name: &str| -> Result<Arc<Library>, EngineError> {
        let entry = registry.entries.get(name).ok_or_else(|| {
            let known: Vec<&str> = registry.entries.keys().map(String::as_str).collect();
            config.error_at(
                m.plugin_location,
                format!(
                    "metric \"{}\": unknown plugin \"{name}\" (registered in {}: {})",
                    m.id,
                    registry.files(),
                    known.join(", ")
                ),
            )
        })?;
        if !entry.library.is_file() {
            let message = cxm_config::resolve_library_path(&entry.library)
                .err()
                .unwrap_or_default();
            return Err(registry
                .error_at(entry, format!("plugin \"{name}\": {message}"))
                .into());
        }
        let loaded = if entry.isolated {
            load_library_isolated(
                &entry.library,
                entry.sha256.as_deref(),
                &isolation_of(entry),
            )
        } else {
            load_library(&entry.library, entry.sha256.as_deref())
        };
        loaded.map_err(|e| plugin_error(config, m.plugin_location, &m.id, e))
    };
    let find =
        |lib: &Arc<Library>, metric: &str| lib.metrics.iter().find(|d| d.name == metric).cloned();
    if let Some((lib_name, metric)) = m.plugin.split_once('/') {
        let lib = load(lib_name)?;
        let def = find(&lib, metric).ok_or_else(|| {
            config.error_at(
                m.plugin_location,
                format!(
                    "plugin \"{lib_name}\" exports no metric \"{metric}\" ({})",
                    metric_names(&lib)
                ),
            )
        })?;
        return Ok((lib, def));
    }
    if registry.entries.contains_key(&m.plugin) {
        let lib = load(&m.plugin)?;
        let def = find(&lib, &m.plugin)
            .or_else(|| (lib.metrics.len() == 1).then(|| lib.metrics[0].clone()));
        return match def {
            Some(def) => Ok((lib, def)),
            None => Err(config
                .error_at(
                    m.plugin_location,
                    format!(
                        "plugin \"{}\" exports several metrics; name one as \"{}/<metric>\" ({})",
                        m.plugin,
                        m.plugin,
                        metric_names(&lib)
                    ),
                )
                .into()),
        };
    }
    // Search every registered library's descriptor; one that cannot be described is skipped
    // here (it may be unrelated) but named if the metric is not found. Each is described by
    // a child process, so only the library the metric is found in runs in this process.
    let mut found = Vec::new();
    let mut unloadable = Vec::new();
    let describe = |name: &str| -> Result<Arc<Library>, String> {
        let entry = registry.entries.get(name).ok_or_else(|| name.to_string())?;
        let limits = isolation_of(entry);
        load_library_isolated(&entry.library, entry.sha256.as_deref(), &limits)
            .map_err(|e| e.to_string())
    };
    for name in registry.entries.keys() {
        let described = match describe(name) {
            Ok(lib) if lib.metrics.iter().any(|d| d.name == m.plugin) => load(name),
            Ok(_) => continue,
            Err(e) => {
                unloadable.push(format!("{name}: {e}"));
                continue;
            }
        };
        match described {
            Ok(lib) => {
                if let Some(def) = find(&lib, &m.plugin) {
                    found.push((name.clone(), lib, def));
                }
            }
            Err(e) => unloadable.push(format!("{name}: {e}")),
        }
    }
    match found.len() {
        1 => {
            let (_, lib, def) = found.remove(0);
            Ok((lib, def))
        }
        0 => {
            let known: Vec<&str> = registry.entries.keys().map(String::as_str).collect();
            let mut message = format!(
                "metric \"{}\": unknown plugin \"{}\" (registered in {}: {})",
                m.id,
                m.plugin,
                registry.files(),
                known.join(", ")
            );
            if !unloadable.is_empty() {
                message.push_str(&format!("; could not load: {}", unloadable.join("; ")));
            }
            Err(config.error_at(m.plugin_location, message).into())
        }
        _ => {
            let libs: Vec<String> = found
                .iter()
                .map(|(n, _, _)| format!("{n}/{}", m.plugin))
                .collect();
            Err(config
                .error_at(
                    m.plugin_location,
                    format!(
                        "plugin \"{}\" is ambiguous; write one of: {}",
                        m.plugin,
                        libs.join(", ")
                    ),
                )
                .into())
        }
    }
}

/// The declaration an input name matches: its own, or the metric's variadic one.
fn declared_input<'d>(def: &'d MetricDef, input: &str) -> Option<&'d cxm_host::InputDef> {
    def.inputs
        .iter()
        .find(|i| i.name == input && i.name != cxm_abi::VARIADIC_INPUT)
        .or_else(|| {
            def.inputs
                .iter()
                .find(|i| i.name == cxm_abi::VARIADIC_INPUT)
        })
}

fn metric_names(lib: &Library) -> String {
    let names: Vec<&str> = lib.metrics.iter().map(|d| d.name.as_str()).collect();
    format!("it exports: {}", names.join(", "))
}

/// Loads plugins, settles field types, checks headers and binds every metric.
pub fn build_plan(config: ClientConfig) -> Result<Plan, EngineError> {
    // The processes of the isolated libraries named start together, not one per load.
    for m in &config.metrics {
        let name = m
            .plugin
            .split_once('/')
            .map_or(m.plugin.as_str(), |(lib, _)| lib);
        if let Some(entry) = config.registry.entries.get(name) {
            if entry.isolated && entry.library.is_file() {
                let limits = isolation_of(entry);
                cxm_host::prestart_isolated(&entry.library, entry.sha256.as_deref(), &limits);
            }
        }
    }
    let mut resolved = Vec::new();
    let mut failed = Vec::new();
    for m in &config.metrics {
        let (lib, def) = match resolve_plugin(&config, m) {
            Ok(found) => found,
            Err(EngineError::Plugin {
                source: source @ HostError::Isolated { .. },
                ..
            }) => {
                let (plugin, library) = (m.plugin.clone(), m.plugin.clone());
                let at = m.plugin_location;
                failed.push(FailedMetric::new(
                    &config,
                    m,
                    plugin,
                    library,
                    String::new(),
                    at,
                    source,
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        for (input, _, at) in &m.inputs {
            if declared_input(&def, input).is_none() {
                let declared: Vec<&str> = def.inputs.iter().map(|i| i.name.as_str()).collect();
                return Err(config
                    .error_at(
                        *at,
                        format!(
                            "metric \"{}\": plugin \"{}\" has no input \"{input}\" (inputs: {})",
                            m.id,
                            def.name,
                            declared.join(", ")
                        ),
                    )
                    .into());
            }
        }
        for required in def.inputs.iter().filter(|i| i.required) {
            if !m.inputs.iter().any(|(name, _, _)| name == &required.name) {
                return Err(config
                    .error_at(m.location, format!("metric \"{}\": required input \"{}\" ({}) is not mapped; add inputs = {{ {} = \"<field>\" }}", m.id, required.name, required.description, required.name))
                    .into());
            }
        }
        resolved.push((m.clone(), lib, def));
    }

    let zone = report_zone(&config)?;
    let mut datasets = Vec::new();
    for ds in &config.datasets {
        let metrics: Vec<_> = resolved
            .iter()
            .filter(|(m, _, _)| m.dataset == ds.name)
            .cloned()
            .collect();
        let (dead, alive): (Vec<FailedMetric>, Vec<FailedMetric>) = std::mem::take(&mut failed)
            .into_iter()
            .partition(|f| f.config.dataset == ds.name);
        failed = alive;
        if metrics.is_empty() && dead.is_empty() {
            continue;
        }
        let mut plan = plan_dataset(&config, ds, zone, metrics)?;
        plan.failed.extend(dead);
        datasets.push(plan);
    }
    Ok(Plan { config, datasets })
}

fn plan_dataset(
    config: &ClientConfig,
    ds: &DatasetConfig,
    zone: Zone,
    metrics: Vec<(MetricConfig, Arc<Library>, MetricDef)>,
) -> Result<DatasetPlan, EngineError> {
    // Settle types: declared, else from the inputs that read the field, else by role.
    let mut types: BTreeMap<String, FieldType> = BTreeMap::new();
    for f in &ds.fields {
        if let Some(ty) = f.ty.as_deref().and_then(FieldType::parse) {
            types.insert(f.name.clone(), ty);
        }
    }
    for (m, _, def) in &metrics {
        for (input, field, at) in &m.inputs {
            let Some(decl) = declared_input(def, input) else {
                continue;
            };
            let Some(wanted) = field_type_of_format(&decl.arrow_format) else {
                return Err(config
                    .error_at(
                        *at,
                        format!(
                            "metric \"{}\": input \"{input}\" has unsupported Arrow type {}",
                            m.id, decl.arrow_format
                        ),
                    )
                    .into());
            };
            let declared = ds.field(field).and_then(|f| f.ty.as_deref()).is_some();
            let current = *types.entry(field.clone()).or_insert(wanted);
            if !compatible(current, wanted) {
                let how = if declared {
                    "is declared"
                } else {
                    "is read by another metric as"
                };
                return Err(config
                    .error_at(*at, format!("metric \"{}\": input \"{input}\" needs {} values, but field \"{field}\" {how} {}", m.id, wanted.name(), current.name()))
                    .into());
            }
        }
    }
    for key in &ds.unique_key {
        types.entry(key.clone()).or_insert(FieldType::String);
    }
    for l in &ds.lookups {
        types.entry(l.key.clone()).or_insert(FieldType::String);
    }
    for (m, _, _) in &metrics {
        for f in &m.filters {
            types
                .entry(f.field.clone())
                .or_insert_with(|| crate::filter::implied_type(f));
        }
    }
    let mut role_type = |name: &str, ty: FieldType, role: &str| -> Result<(), EngineError> {
        let current = *types.entry(name.to_string()).or_insert(ty);
        let ok = match role {
            "period" => matches!(current, FieldType::Date | FieldType::Datetime),
            "weight" => matches!(current, FieldType::Integer | FieldType::Number),
            _ => matches!(
                current,
                FieldType::String | FieldType::Integer | FieldType::Boolean | FieldType::Date
            ),
        };
        if ok {
            Ok(())
        } else {
            let at = ds.field(name).map(|f| f.location).unwrap_or(ds.location);
            Err(config
                .error_at(
                    at,
                    format!(
                        "field \"{name}\" is used as {role} but has type {}",
                        current.name()
                    ),
                )
                .into())
        }
    };
    for (m, _, _) in &metrics {
        for d in &m.group_by {
            role_type(d, FieldType::String, "a group_by dimension")?;
        }
        if let Some(p) = &m.period {
            role_type(&p.field, FieldType::Datetime, "period")?;
        }
    }
    if let Some(w) = &ds.weight {
        role_type(w, FieldType::Number, "weight")?;
    }
    if let Some(sampling) = &ds.sampling {
        if let Some(w) = &sampling.weight {
            role_type(w, FieldType::Number, "weight")?;
        }
        for (variable, _) in sampling.raking.iter().flat_map(|r| &r.margins) {
            role_type(variable, FieldType::String, "a raking variable")?;
        }
    }
    settle_derived(config, ds, &metrics, &mut types)?;

    // Only used fields are parsed, in a stable order; derived fields follow.
    let spec = |f: &cxm_config::FieldConfig| {
        let ty = *types.get(&f.name)?;
        let mut spec = FieldSpec::new(&f.name, &f.column, ty);
        spec.format = f.format.clone();
        Some(spec)
    };
    let mut fields: Vec<FieldSpec> = ds
        .fields
        .iter()
        .filter(|f| f.is_column())
        .filter_map(spec)
        .collect();
    let parsed = fields.len();
    fields.extend(
        ds.fields
            .iter()
            .filter(|f| f.lookup.is_some())
            .filter_map(spec),
    );
    fields.extend(
        ds.fields
            .iter()
            .filter(|f| f.derived.is_some())
            .filter_map(spec),
    );
    let index = |name: &str| fields.iter().position(|f| f.name == name);
    let derived: Vec<crate::derive::DerivedColumn> = ds
        .fields
        .iter()
        .filter_map(|f| {
            let d = f.derived.as_ref()?;
            let field = index(&f.name)?;
            Some(crate::derive::DerivedColumn {
                field,
                from: index(&d.from)?,
                ty: fields[field].ty,
                rule: d.rule.clone(),
            })
        })
        .collect();

    crate::sources::check_columns(ds, &fields[..parsed], zone)?;
    let lookups = crate::lookup::plan_lookups(config, ds, &fields, zone)?;
    let cuts = period_cuts(ds, &metrics, &fields[..parsed], &lookups, &fields);
    if let cxm_config::SourceConfig::Warehouse {
        pushdown: Some(_), ..
    } = &ds.source
    {
        if !ds.unique_key.is_empty() {
            return Err(config
                .error_at(
                    ds.location,
                    format!(
                        "dataset \"{}\": pushdown returns counts of identical rows, so duplicates of unique_key cannot be found; set pushdown = false to stream the rows, or remove unique_key",
                        ds.name
                    ),
                )
                .into());
        }
    }

    let mut metric_plans = Vec::new();
    let mut failed = Vec::new();
    let mut groupings: Vec<GroupingPlan> = Vec::new();
    for (m, library, def) in metrics {
        // Declared inputs in declared order, then extra (variadic) inputs in config order.
        let mut inputs = Vec::new();
        let extras = m
            .inputs
            .iter()
            .filter(|(name, _, _)| !def.inputs.iter().any(|d| &d.name == name));
        let declared = def
            .inputs
            .iter()
            .filter_map(|d| m.inputs.iter().find(|(i, _, _)| i == &d.name));
        for (name, field, _) in declared.chain(extras) {
            let Some(decl) = declared_input(&def, name) else {
                continue;
            };
            let Some(wanted) = field_type_of_format(&decl.arrow_format) else {
                continue;
            };
            let Some(idx) = index(field) else { continue };
            inputs.push((name.clone(), idx, wanted.arrow_type()));
        }
        let bind_inputs: Vec<(String, DataType)> = inputs
            .iter()
            .map(|(n, _, t)| (n.clone(), t.clone()))
            .collect();
        let instance = match def.bind(&m.params_json, &bind_inputs) {
            Ok(instance) => instance,
            Err(source @ HostError::Isolated { .. }) => {
                failed.push(FailedMetric::new(
                    config,
                    &m,
                    def.name.clone(),
                    format!("{} {}", library.name, library.version),
                    def.description.clone(),
                    m.params_location,
                    source,
                ));
                continue;
            }
            Err(e) => return Err(plugin_error(config, m.params_location, &m.id, e)),
        };
        let mut filters = Vec::new();
        for f in &m.filters {
            let Some(idx) = index(&f.field) else { continue };
            let compiled = crate::filter::compile(f, idx, fields[idx].ty)
                .map_err(|e| config.error_at(f.location, format!("metric \"{}\": {e}", m.id)))?;
            filters.push(compiled);
        }
        let dims: Vec<&String> = m.group_by.iter().filter(|d| index(d).is_some()).collect();
        let grouping = GroupingPlan {
            dimensions: dims.iter().filter_map(|d| index(d)).collect(),
            orders: dims
                .iter()
                .map(|d| match m.order.iter().find(|(o, _)| o == *d) {
                    Some((_, labels)) => labels.clone(),
                    None => ds
                        .field(d)
                        .and_then(|f| f.derived.as_ref())
                        .map(|f| f.band_labels())
                        .unwrap_or_default(),
                })
                .collect(),
            period: m.period.as_ref().and_then(|p| {
                let rule = PeriodRule::new(p.grain, zone, config.report.fiscal_year_start).ok()?;
                Some((index(&p.field)?, rule))
            }),
        };
        let grouping = match groupings.iter().position(|g| g == &grouping) {
            Some(i) => i,
            None => {
                groupings.push(grouping);
                groupings.len() - 1
            }
        };
        metric_plans.push(MetricPlan {
            config: m,
            library,
            def,
            inputs,
            instance,
            grouping,
            filters,
        });
    }

    Ok(DatasetPlan {
        cuts,
        groupings,
        zone,
        weight: ds.weight.as_deref().and_then(index),
        config: ds.clone(),
        fields,
        num_parsed: parsed,
        lookups,
        derived,
        metrics: metric_plans,
        failed,
    })
}
