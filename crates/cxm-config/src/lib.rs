//! Client configs and the plugin registry. Stage one mirrors the TOML in serde types
//! (`deny_unknown_fields`, spans kept); stage two validates references between sections
//! and resolves every path relative to the file that names it. Every error names the file
//! and, where the problem is in the TOML, the line and column.

mod analysis;
mod connection;
mod derived;
mod error;
mod lookup;
mod quantize;
mod raw;
mod registry;
mod rejected;
mod source;
mod validate;
mod weighting;

pub use analysis::{Adjustment, Benchmark, FilterCondition, FilterConfig, FilterValue};
pub use connection::{connection_password, PasswordIn};
pub use derived::{band_of, Band, DerivedField, DerivedRule, MapValue, ValueMap};
pub use error::{ConfigError, ErrorKind, Location};
pub use lookup::{LookupConfig, LookupOutput, Reduce, Unmatched};
pub use registry::{load_registry, registry_of, resolve_library_path, Registry, RegistryEntry};
pub use rejected::RejectedValues;
pub use source::{
    connection_has_password, AdbcDriver, ConnectionSource, CsvConfig, MaxRejected, PgQueryConfig,
    Pushdown, SheetSelector, SourceConfig, WarehouseClient, DIALECTS,
};
pub use validate::{
    load_client, ClientConfig, DatasetConfig, FieldConfig, Grain, MetricConfig, PeriodConfig,
    ReportConfig, FIELD_TYPES, REPORT_LANGUAGES,
};
pub use weighting::{RakingConfig, SamplingConfig};
