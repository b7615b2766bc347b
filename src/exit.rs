//! Exit codes and one-line error messages (documented in `cxm --help` and in the README's
//! "Exit codes" table): 1 data or output files, 2 the command line, 3 the config (located
//! in the TOML), 4 plugin libraries, 5 failed metrics.

use cxm_engine::EngineError;
use cxm_host::{CxmStatus, HostError};

/// A run that finished with at least one failed metric.
#[derive(Debug)]
pub struct MetricsFailed(pub Vec<String>);

impl std::fmt::Display for MetricsFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} metric(s) failed: {}",
            self.0.len(),
            self.0.join("; ")
        )
    }
}

impl std::error::Error for MetricsFailed {}

/// A command line that cannot be carried out as given (exit code 2, like clap's own).
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// The exit code for an error.
pub fn code_of(error: &anyhow::Error) -> i32 {
    if error.downcast_ref::<Usage>().is_some() {
        return 2;
    }
    if error.downcast_ref::<MetricsFailed>().is_some() {
        return 5;
    }
    if let Some(config) = error.downcast_ref::<cxm_config::ConfigError>() {
        return config_code(config);
    }
    if let Some(host) = error.downcast_ref::<HostError>() {
        return host_code(host);
    }
    match error.downcast_ref::<EngineError>() {
        Some(EngineError::Config(config)) => config_code(config),
        Some(EngineError::Plugin { source, .. }) => host_code(source),
        Some(
            EngineError::Data { .. }
            | EngineError::Lookup { .. }
            | EngineError::Weighting { .. }
            | EngineError::TooManyRejected { .. }
            | EngineError::Internal(_),
        )
        | None => 1,
    }
}

/// 3 for a mistake in the config (located in the TOML); 1 for a data file it names that is
/// missing or unreadable (located at the line naming it).
fn config_code(error: &cxm_config::ConfigError) -> i32 {
    match error.kind {
        cxm_config::ErrorKind::DataFile => 1,
        cxm_config::ErrorKind::Config => 3,
    }
}

fn host_code(error: &HostError) -> i32 {
    match error {
        HostError::Call {
            status: CxmStatus::InvalidParams | CxmStatus::InvalidInput,
            ..
        } => 3,
        _ => 4,
    }
}

/// The error and its causes on one line.
pub fn one_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string().replace('\n', " ");
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
