//! Stage two: a client config with every reference checked and every path resolved.
//! Plugin-dependent checks (does the metric exist, do its inputs and params fit) happen when
//! the engine binds the plan; this module checks everything that needs only the TOML.

use crate::analysis::{load_benchmarks, parse_filters, Adjustment, Benchmark, FilterConfig};
use crate::error::{parse_toml, read_file, ConfigError, Location};
use crate::raw::{RawClient, RawDataset, RawMetric};
use crate::registry::Registry;
use crate::rejected::RejectedValues;
use crate::source::{MaxRejected, SourceConfig};
pub use cxm_period::Grain;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The field types a mapping may declare.
pub const FIELD_TYPES: [&str; 6] = ["integer", "number", "string", "boolean", "date", "datetime"];

/// A validated client config.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The config file, as given.
    pub path: PathBuf,
    /// Display name of the client.
    pub client: String,
    /// The plugin registry it uses (with several registry files, their merged entries).
    pub registry: Registry,
    /// Datasets by name, in name order.
    pub datasets: Vec<DatasetConfig>,
    /// Metrics, in config order.
    pub metrics: Vec<MetricConfig>,
    /// Grouping of results and analysis settings.
    pub report: ReportConfig,
    /// Benchmarks from the files the config lists.
    pub benchmarks: Vec<Benchmark>,
}

/// One dataset.
#[derive(Debug, Clone)]
pub struct DatasetConfig {
    /// Name in the config.
    pub name: String,
    /// File, resolved relative to the config (for PostgreSQL: `postgres:<table or query>`,
    /// a label for reports).
    pub path: PathBuf,
    /// The format and its options.
    pub source: SourceConfig,
    /// Fields whose values identify a record; later records with the same key are
    /// rejected as `duplicate` (first one wins). Empty: no check.
    pub unique_key: Vec<String>,
    /// A cap on rejected rows; beyond it the run fails.
    pub max_rejected: Option<MaxRejected>,
    /// Largest record read from the file (a CSV record, an NDJSON line, an Excel row's
    /// mapped text or one of its XML values), in bytes; `None`: the readers' default
    /// (16 MiB).
    pub max_record_bytes: Option<u64>,
    /// Cell texts that mean "empty".
    pub null_values: Vec<String>,
    /// Canonical field holding each row's weight (multiplicity), if any.
    pub weight: Option<String>,
    /// Survey weighting (design weights, raking), if any: intervals and tests then use
    /// Kish's effective n.
    pub sampling: Option<crate::weighting::SamplingConfig>,
    /// Mapped fields, in name order, then the fields added by lookups.
    pub fields: Vec<FieldConfig>,
    /// Fields taken from other datasets by key (see `lookup.rs`).
    pub lookups: Vec<crate::lookup::LookupConfig>,
    /// Where the dataset's `path` is.
    pub location: Location,
    /// The client config that defines the dataset (the file of `location`).
    pub config_file: PathBuf,
}

/// One canonical field mapped to a source column.
#[derive(Debug, Clone)]
pub struct FieldConfig {
    /// Canonical name.
    pub name: String,
    /// Source column header.
    pub column: String,
    /// Declared type (one of [`FIELD_TYPES`]); `None` lets the engine infer it from use.
    pub ty: Option<String>,
    /// Date/datetime format (chrono strftime).
    pub format: Option<String>,
    /// Where the mapping is.
    pub location: Location,
    /// For a derived field (computed from another field, see `derived.rs`): how. Its
    /// `column` is then that of the field it is derived from, and `ty` its result type.
    pub derived: Option<crate::derived::DerivedField>,
    /// For a field added by a lookup: the index of the lookup in
    /// [`DatasetConfig::lookups`]. Its `column` is then empty.
    pub lookup: Option<usize>,
    /// The relative error of the log buckets a pushed-down warehouse quantizes this number
    /// field to (`quantize = { relative_error = … }`), if any.
    pub quantize: Option<f64>,
}

impl FieldConfig {
    /// Whether the field is read from a column of the dataset's source (neither derived
    /// nor looked up).
    pub fn is_column(&self) -> bool {
        self.derived.is_none() && self.lookup.is_none()
    }
}

/// One configured metric.
#[derive(Debug, Clone)]
pub struct MetricConfig {
    /// Unique id.
    pub id: String,
    /// Display label (defaults to the id).
    pub label: String,
    /// Plugin reference: a metric name, or `library/metric`.
    pub plugin: String,
    /// Dataset name.
    pub dataset: String,
    /// Input name → canonical field, with the location of each mapping.
    pub inputs: Vec<(String, String, Location)>,
    /// Params as a JSON object.
    pub params_json: String,
    /// Where the metric's table starts.
    pub location: Location,
    /// Where `plugin` is.
    pub plugin_location: Location,
    /// Where `params` is (or the metric, when it has none).
    pub params_location: Location,
    /// Effective group_by dimensions (the metric's own, else the report's).
    pub group_by: Vec<String>,
    /// Effective period grouping (the metric's own, else the report's; `None` = off).
    pub period: Option<PeriodConfig>,
    /// Only rows meeting every filter are in the metric's scope.
    pub filters: Vec<FilterConfig>,
    /// Effective minimum sample (the metric's own, else the report's).
    pub min_n: Option<f64>,
    /// Whether values with n below `min_n` are withheld.
    pub suppress_below_min_n: bool,
    /// The benchmark the results are compared with.
    pub benchmark: Option<(Benchmark, Location)>,
    /// Bands as (label, lower bound), ascending: a value gets the label of the highest
    /// lower bound it reaches (below the first: the first label). Empty: the plugin's own.
    pub bands: Vec<(String, f64)>,
    /// Explicit segment orders of group_by dimensions (the metric's own `order`, else the
    /// report's): dimension → labels in order; labels not listed follow in natural order.
    pub order: Vec<(String, Vec<String>)>,
}

/// Grouping of results.
#[derive(Debug, Clone, Default)]
pub struct ReportConfig {
    /// Dimension fields.
    pub group_by: Vec<String>,
    /// Period grouping.
    pub period: Option<PeriodConfig>,
    /// Time zone of periods and of timestamps without an offset (`None` = UTC), with its
    /// location for errors.
    pub timezone: Option<(String, Location)>,
    /// First month of the fiscal year (1 = calendar year).
    pub fiscal_year_start: u32,
    /// Significance level of period-over-period and benchmark tests.
    pub alpha: f64,
    /// Adjustment of p-values when many tests are made at once.
    pub adjustment: Adjustment,
    /// Language of the HTML and Excel reports: `en` or `ru`.
    pub language: String,
    /// What rejected rows show of their data in `rejected.csv` and the reports.
    pub rejected_values: RejectedValues,
    /// Explicit segment orders of group_by dimensions (`[report] order`).
    pub order: Vec<(String, Vec<String>)>,
}

/// Period grouping.
#[derive(Debug, Clone)]
pub struct PeriodConfig {
    /// A date or datetime field.
    pub field: String,
    /// Period length.
    pub grain: Grain,
}

impl DatasetConfig {
    /// The mapping of a canonical field.
    pub fn field(&self, name: &str) -> Option<&FieldConfig> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl ClientConfig {
    /// An error located in the client config.
    pub fn error_at(&self, location: Location, message: impl Into<String>) -> ConfigError {
        ConfigError::at(&self.path, Some(location), message)
    }

    /// A dataset by name.
    pub fn dataset(&self, name: &str) -> Option<&DatasetConfig> {
        self.datasets.iter().find(|d| d.name == name)
    }
}

pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a Path,
    pub(crate) source: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn loc(&self, span: std::ops::Range<usize>) -> Location {
        Location::of_offset(self.source, span.start)
    }
    pub(crate) fn err(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::at(self.file, Some(self.loc(span)), message)
    }
}

/// Reads and validates a client config and the registry it names.
pub fn load_client(path: &Path) -> Result<ClientConfig, ConfigError> {
    let source = read_file(path, "client config")?;
    let raw: RawClient = parse_toml(path, &source)?;
    let ctx = Ctx {
        file: path,
        source: &source,
    };
    let base = path.parent().unwrap_or(Path::new("."));

    let registry = crate::registry::client_registries(&ctx, base, &raw.plugins)?;

    let mut datasets = Vec::new();
    for (name, ds) in raw.datasets {
        datasets.push(dataset(&ctx, base, name.into_inner(), ds)?);
    }
    crate::lookup::link_lookups(path, &mut datasets)?;
    if datasets.is_empty() {
        return Err(ConfigError::at(
            path,
            None,
            "no [datasets.<name>] section: nothing to read",
        ));
    }

    let mut report = ReportConfig {
        group_by: Vec::new(),
        period: None,
        timezone: None,
        fiscal_year_start: 1,
        alpha: 0.05,
        adjustment: Adjustment::None,
        language: "en".to_string(),
        rejected_values: RejectedValues::default(),
        order: Vec::new(),
    };
    let (mut default_min_n, mut default_suppress) = (None, false);
    let mut report_order = None;
    let defaults = match raw.report {
        None => Grouping {
            group_by: Vec::new(),
            period: None,
        },
        Some(r) => {
            if let Some(tz) = r.timezone {
                report.timezone = Some((tz.get_ref().clone(), ctx.loc(tz.span())));
            }
            if let Some(m) = r.fiscal_year_start {
                if !(1..=12).contains(m.get_ref()) {
                    return Err(ctx.err(
                        m.span(),
                        "fiscal_year_start is a month number, 1 (January) to 12",
                    ));
                }
                report.fiscal_year_start = *m.get_ref() as u32;
            }
            if let Some(a) = r.alpha {
                if !(*a.get_ref() > 0.0 && *a.get_ref() < 0.5) {
                    return Err(ctx.err(a.span(), "alpha must be between 0 and 0.5 (e.g. 0.05)"));
                }
                report.alpha = *a.get_ref();
            }
            if let Some(adj) = r.adjustment {
                report.adjustment = Adjustment::parse(adj.get_ref()).ok_or_else(|| {
                    ctx.err(
                        adj.span(),
                        format!(
                            "unknown adjustment \"{}\" (use none, holm or bh)",
                            adj.get_ref()
                        ),
                    )
                })?;
            }
            if let Some(m) = r.min_n {
                default_min_n = Some(check_min_n(&ctx, &m)?);
            }
            if let Some(lang) = r.language {
                if !REPORT_LANGUAGES.contains(&lang.get_ref().as_str()) {
                    return Err(ctx.err(
                        lang.span(),
                        format!(
                            "unknown report language \"{}\" (use \"en\" or \"ru\")",
                            lang.get_ref()
                        ),
                    ));
                }
                report.language = lang.get_ref().clone();
            }
            if let Some(v) = r.rejected_values {
                report.rejected_values = RejectedValues::parse(v.get_ref()).ok_or_else(|| {
                    ctx.err(
                        v.span(),
                        format!(
                            "unknown rejected_values \"{}\" (use \"mapped\", \"full\" or \"none\")",
                            v.get_ref()
                        ),
                    )
                })?;
            }
            default_suppress = r.suppress_below_min_n.unwrap_or(false);
            report_order = r.order;
            let period = r.period.map(|p| parse_period(&ctx, p)).transpose()?;
            Grouping {
                group_by: r.group_by,
                period,
            }
        }
    };
    report.group_by = check_dimensions(&ctx, &defaults.group_by)?;
    report.period = defaults.period.as_ref().map(|(p, _)| p.clone());

    let mut benchmarks: Vec<Benchmark> = Vec::new();
    for b in &raw.benchmarks {
        let file = base.join(b.get_ref());
        if !file.is_file() {
            return Err(ctx.err(
                b.span(),
                format!("benchmark file {} not found", file.display()),
            ));
        }
        for bench in load_benchmarks(&file)? {
            if let Some(other) = benchmarks.iter().find(|o| o.id == bench.id) {
                return Err(ctx.err(
                    b.span(),
                    format!(
                        "benchmark id \"{}\" is defined in {} and {}",
                        bench.id,
                        other.file.display(),
                        file.display()
                    ),
                ));
            }
            benchmarks.push(bench);
        }
    }

    let mut metrics = Vec::new();
    let mut seen = BTreeSet::new();
    for m in raw.metrics {
        let span = m.span();
        let mut m = m.into_inner();
        let own_filter = m.filter.take();
        let own_min_n = m.min_n.take();
        let own_suppress = m.suppress_below_min_n.take();
        let own_benchmark = m.benchmark.take();
        let own_bands = m.bands.take();
        let own_group_by = m.group_by.take();
        let own_order = m.order.take();
        let own_period = m.period.take().map(|p| (p.span(), p.into_inner()));
        let mut metric = metric(&ctx, span.clone(), m, &datasets)?;
        if !seen.insert(metric.id.clone()) {
            return Err(ctx.err(span, format!("metric id \"{}\" is used twice", metric.id)));
        }
        let inherited = own_group_by.is_none() && own_period.is_none();
        let period = match own_period {
            None => defaults.period.clone(),
            Some((_, crate::raw::RawMetricPeriod::Off)) => None,
            Some((span, crate::raw::RawMetricPeriod::On(p))) => {
                Some(parse_period(&ctx, toml::Spanned::new(span, p))?)
            }
        };
        let grouping = Grouping {
            group_by: own_group_by.unwrap_or_else(|| defaults.group_by.clone()),
            period,
        };
        let Some(ds) = datasets.iter().find(|d| d.name == metric.dataset) else {
            continue;
        };
        (metric.group_by, metric.period) = check_grouping(&ctx, &grouping, &metric, ds, inherited)?;
        if let Some(o) = &own_order {
            let whose = format!("metric \"{}\"", metric.id);
            metric.order = crate::derived::parse_order(&ctx, o, &metric.group_by, &whose)?;
        }
        if let Some(f) = own_filter {
            let at = ctx.loc(f.span());
            metric.filters = parse_filters(f.get_ref(), at)
                .map_err(|e| ctx.err(f.span(), format!("metric \"{}\": {e}", metric.id)))?;
            if let Some(bad) = metric.filters.iter().find(|f| ds.field(&f.field).is_none()) {
                return Err(ctx.err(
                    f.span(),
                    format!(
                        "metric \"{}\": filter field \"{}\" is not mapped in dataset \"{}\"",
                        metric.id, bad.field, ds.name
                    ),
                ));
            }
        }
        metric.min_n = match own_min_n {
            Some(m) => Some(check_min_n(&ctx, &m)?),
            None => default_min_n,
        };
        metric.suppress_below_min_n = own_suppress.unwrap_or(default_suppress);
        if let Some(b) = own_bands {
            let bands = b.get_ref();
            if bands.is_empty()
                || bands.windows(2).any(|w| w[0].1 >= w[1].1)
                || bands.iter().any(|(_, x)| !x.is_finite())
            {
                return Err(ctx.err(
                    b.span(),
                    format!("metric \"{}\": bands are [label, lower bound] pairs with rising bounds, e.g. [[\"red\", 0], [\"amber\", 60], [\"green\", 80]]", metric.id),
                ));
            }
            metric.bands = bands.clone();
        }
        if metric.suppress_below_min_n && metric.min_n.is_none() {
            metric.min_n = Some(30.0);
        }
        if let Some(b) = own_benchmark {
            let Some(found) = benchmarks.iter().find(|x| &x.id == b.get_ref()) else {
                let known: Vec<&str> = benchmarks.iter().map(|x| x.id.as_str()).collect();
                return Err(ctx.err(
                    b.span(),
                    format!(
                        "metric \"{}\": unknown benchmark \"{}\" (loaded: {})",
                        metric.id,
                        b.get_ref(),
                        if known.is_empty() {
                            "none; list files in benchmarks = [...]".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            };
            metric.benchmark = Some((found.clone(), ctx.loc(b.span())));
        }
        metrics.push(metric);
    }
    if metrics.is_empty() {
        return Err(ConfigError::at(
            path,
            None,
            "no [[metrics]] entry: nothing to compute",
        ));
    }
    if let Some(o) = &report_order {
        let mut used: Vec<String> = Vec::new();
        for d in metrics.iter().flat_map(|m| &m.group_by) {
            if !used.contains(d) {
                used.push(d.clone());
            }
        }
        report.order = crate::derived::parse_order(&ctx, o, &used, "[report]")?;
        for m in &mut metrics {
            for (dim, labels) in &report.order {
                if m.group_by.contains(dim) && !m.order.iter().any(|(d, _)| d == dim) {
                    m.order.push((dim.clone(), labels.clone()));
                }
            }
        }
    }

    Ok(ClientConfig {
        path: path.to_path_buf(),
        client: raw.client,
        registry,
        datasets,
        metrics,
        report,
        benchmarks,
    })
}

type Span = std::ops::Range<usize>;

/// A grouping as written: dimensions and an optional period, with spans for messages.
struct Grouping {
    group_by: Vec<toml::Spanned<String>>,
    period: Option<(PeriodConfig, Span)>,
}

fn check_dimensions(
    ctx: &Ctx<'_>,
    group_by: &[toml::Spanned<String>],
) -> Result<Vec<String>, ConfigError> {
    let mut names: Vec<String> = Vec::new();
    for g in group_by {
        if names.contains(g.get_ref()) {
            return Err(ctx.err(
                g.span(),
                format!("group_by lists \"{}\" twice", g.get_ref()),
            ));
        }
        names.push(g.get_ref().clone());
    }
    Ok(names)
}

/// Checks a metric's effective grouping against its dataset's fields.
fn check_grouping(
    ctx: &Ctx<'_>,
    grouping: &Grouping,
    metric: &MetricConfig,
    ds: &DatasetConfig,
    inherited: bool,
) -> Result<(Vec<String>, Option<PeriodConfig>), ConfigError> {
    let hint = if inherited {
        format!("; map it in dataset \"{}\", or give metric \"{}\" its own group_by/period (group_by = [], period = false)", ds.name, metric.id)
    } else {
        String::new()
    };
    for g in &grouping.group_by {
        if ds.field(g.get_ref()).is_none() {
            return Err(ctx.err(
                g.span(),
                format!(
                    "group_by field \"{}\" is not mapped in dataset \"{}\" (metric \"{}\"){hint}",
                    g.get_ref(),
                    ds.name,
                    metric.id
                ),
            ));
        }
    }
    if let Some((p, span)) = &grouping.period {
        let Some(field) = ds.field(&p.field) else {
            return Err(ctx.err(
                span.clone(),
                format!(
                    "period field \"{}\" is not mapped in dataset \"{}\" (metric \"{}\"){hint}",
                    p.field, ds.name, metric.id
                ),
            ));
        };
        if let Some(ty) = field
            .ty
            .as_deref()
            .filter(|t| !matches!(*t, "date" | "datetime"))
        {
            return Err(ctx.err(
                span.clone(),
                format!(
                    "period field \"{}\" has type {ty}; it must be date or datetime",
                    p.field
                ),
            ));
        }
    }
    Ok((
        check_dimensions(ctx, &grouping.group_by)?,
        grouping.period.as_ref().map(|(p, _)| p.clone()),
    ))
}

/// Languages the HTML and Excel reports are written in.
pub const REPORT_LANGUAGES: &[&str] = &["en", "ru"];

fn check_min_n(ctx: &Ctx<'_>, m: &toml::Spanned<f64>) -> Result<f64, ConfigError> {
    if *m.get_ref() >= 1.0 && m.get_ref().is_finite() {
        Ok(*m.get_ref())
    } else {
        Err(ctx.err(m.span(), "min_n must be a number of answers, 1 or more"))
    }
}

fn parse_period(
    ctx: &Ctx<'_>,
    p: toml::Spanned<crate::raw::RawPeriod>,
) -> Result<(PeriodConfig, Span), ConfigError> {
    let span = p.span();
    let p = p.into_inner();
    let grain = Grain::parse(&p.grain).ok_or_else(|| {
        ctx.err(
            span.clone(),
            format!(
                "unknown grain \"{}\" (use day, week, month, quarter or year)",
                p.grain
            ),
        )
    })?;
    Ok((
        PeriodConfig {
            field: p.field,
            grain,
        },
        span,
    ))
}

fn dataset(
    ctx: &Ctx<'_>,
    base: &Path,
    name: String,
    ds: RawDataset,
) -> Result<DatasetConfig, ConfigError> {
    let (source, path, location) = crate::source::dataset_source(ctx, base, &name, &ds)?;
    let mut fields = Vec::new();
    for (field_name, mapping) in ds.fields {
        let location = ctx.loc(field_name.span());
        let span = mapping.span();
        let mut mapping = mapping.into_inner();
        let derived =
            crate::derived::derived_field(ctx, field_name.get_ref(), span.clone(), &mut mapping)?;
        let quantize =
            crate::quantize::field_quantize(ctx, &name, &source, derived.is_some(), &mut mapping)?;
        if let Some(ty) = &mapping.ty {
            if !FIELD_TYPES.contains(&ty.as_str()) {
                return Err(ctx.err(
                    span,
                    format!(
                        "unknown type \"{ty}\" (use one of: {})",
                        FIELD_TYPES.join(", ")
                    ),
                ));
            }
        }
        fields.push(FieldConfig {
            name: field_name.into_inner(),
            column: mapping.column.unwrap_or_default(),
            ty: mapping.ty,
            format: mapping.format,
            location,
            derived,
            lookup: None,
            quantize,
        });
    }
    let lookups = crate::lookup::parse_lookups(ctx, &name, ds.lookups, &mut fields)?;
    crate::derived::link_derived(ctx, &name, &mut fields)?;
    let weight = ds
        .weight
        .map(|w| crate::weighting::numeric_field(ctx, &name, "weight", w, &fields))
        .transpose()?;
    let sampling = crate::weighting::parse(ctx, &name, ds.sampling_weight, ds.raking, &fields)?;
    let unique_key = match &ds.unique_key {
        None => Vec::new(),
        Some(k) => {
            let names: Vec<String> = match k.get_ref() {
                toml::Value::String(one) => vec![one.clone()],
                toml::Value::Array(list) => list
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            if names.is_empty() {
                return Err(ctx.err(
                    k.span(),
                    "unique_key is a field name or a list of field names",
                ));
            }
            if let Some(bad) = names.iter().find(|n| !fields.iter().any(|f| &f.name == *n)) {
                return Err(ctx.err(
                    k.span(),
                    format!("unique_key field \"{bad}\" is not mapped in dataset \"{name}\""),
                ));
            }
            names
        }
    };
    let max_rejected = match &ds.max_rejected {
        None => None,
        Some(m) => Some(match m.get_ref() {
            toml::Value::Integer(n) if *n >= 0 => MaxRejected::Count(*n as u64),
            toml::Value::String(p) if p.trim().ends_with('%') => {
                let pct: f64 = p.trim().trim_end_matches('%').trim().parse().map_err(|_| {
                    ctx.err(
                        m.span(),
                        "max_rejected is a number of rows (100) or a percentage (\"5%\")",
                    )
                })?;
                if !(0.0..=100.0).contains(&pct) {
                    return Err(ctx.err(
                        m.span(),
                        "max_rejected percentage must be between 0% and 100%",
                    ));
                }
                MaxRejected::Percent(pct)
            }
            _ => {
                return Err(ctx.err(
                    m.span(),
                    "max_rejected is a number of rows (100) or a percentage (\"5%\")",
                ))
            }
        }),
    };
    let max_record_bytes = match &ds.max_record_bytes {
        None => None,
        Some(m) if matches!(source, SourceConfig::Postgres { .. }) => {
            return Err(ctx.err(
                m.span(),
                format!("dataset \"{name}\": `max_record_bytes` applies to files only"),
            ))
        }
        Some(m) => Some(
            u64::try_from(*m.get_ref())
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| {
                    ctx.err(
                        m.span(),
                        "max_record_bytes is a number of bytes (1 or more)",
                    )
                })?,
        ),
    };
    Ok(DatasetConfig {
        name,
        location,
        config_file: ctx.file.to_path_buf(),
        path,
        source,
        unique_key,
        max_rejected,
        max_record_bytes,
        null_values: ds
            .null_values
            .clone()
            .unwrap_or_else(|| vec![String::new()]),
        weight,
        sampling,
        fields,
        lookups,
    })
}

fn metric(
    ctx: &Ctx<'_>,
    span: std::ops::Range<usize>,
    m: RawMetric,
    datasets: &[DatasetConfig],
) -> Result<MetricConfig, ConfigError> {
    let id = m.id.get_ref().clone();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ctx.err(
            m.id.span(),
            "metric id must be non-empty letters, digits, '_' or '-'",
        ));
    }
    let Some(ds) = datasets.iter().find(|d| &d.name == m.dataset.get_ref()) else {
        let known: Vec<&str> = datasets.iter().map(|d| d.name.as_str()).collect();
        return Err(ctx.err(
            m.dataset.span(),
            format!(
                "metric \"{id}\": unknown dataset \"{}\" (defined: {})",
                m.dataset.get_ref(),
                known.join(", ")
            ),
        ));
    };
    let mut inputs = Vec::new();
    for (input, field) in m.inputs {
        if ds.field(field.get_ref()).is_none() {
            return Err(ctx.err(
                field.span(),
                format!("metric \"{id}\": input \"{input}\" maps to field \"{}\", which dataset \"{}\" does not define", field.get_ref(), ds.name),
            ));
        }
        inputs.push((input, field.get_ref().clone(), ctx.loc(field.span())));
    }
    let (params_json, params_location) = match &m.params {
        None => ("{}".to_string(), ctx.loc(span.clone())),
        Some(p) => {
            let json = serde_json::to_string(p.get_ref()).map_err(|e| {
                ctx.err(p.span(), format!("params cannot be converted to JSON: {e}"))
            })?;
            (json, ctx.loc(p.span()))
        }
    };
    Ok(MetricConfig {
        label: m.label.unwrap_or_else(|| id.clone()),
        id,
        plugin: m.plugin.get_ref().clone(),
        dataset: ds.name.clone(),
        inputs,
        params_json,
        location: ctx.loc(span),
        plugin_location: ctx.loc(m.plugin.span()),
        params_location,
        group_by: Vec::new(),
        period: None,
        filters: Vec::new(),
        min_n: None,
        suppress_below_min_n: false,
        benchmark: None,
        bands: Vec::new(),
        order: Vec::new(),
    })
}
