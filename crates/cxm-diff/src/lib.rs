//! Comparison of two `cxm run --out` folders, for the monthly rerun of a client: every
//! figure present in both runs with its change and a two-sided significance test from the
//! stored test basis (the tests of the period-over-period trends, taking the two runs as
//! independent samples), **restated history** (figures of a period both runs cover whose
//! value or n moved, e.g. late rows for a closed month), figures only in one run, and drift
//! of the cxm version, the config (down to its keys), the registries, the datasets and the
//! plugin libraries.
//!
//! [`RunFolder::read`] reads a folder ([`RunFolder::from_run`] builds the new side from a
//! run in memory, for `cxm run --baseline`), [`compare`] compares two, and the renderers
//! ([`render_table`], [`render_json`] with schema [`DIFF_SCHEMA`], [`render_csv`]) write
//! the comparison to any [`std::io::Write`].

mod drift;
mod error;
mod figures;
mod load;
mod render;

pub use drift::{compare_drift, config_keys, Change, ConfigDrift, Drift};
pub use error::DiffError;
pub use figures::{
    change_test, compare_figures, same, Figure, FigureChange, FigureDiff, FigureOptions, Group,
    Side, Status,
};
pub use load::{
    sha256_hex, ConfigSource, DatasetRef, FileRef, Manifest, PluginRef, RunFolder, CONFIG_COPY,
    MANIFEST_SCHEMA,
};
pub use render::{render_csv, render_json, render_table};

/// Version of the JSON comparison layout; bumped on any incompatible change.
pub const DIFF_SCHEMA: &str = "cxm.diff/1";

/// Significance level when the new run's report records none.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// How to compare.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DiffOptions {
    /// The old run's latest period was still open (partial) when it ran: changes there are
    /// listed as changed, not restated.
    pub latest_open: bool,
}

/// Identification of one run in the comparison.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The folder as given.
    pub dir: String,
    /// Client name.
    pub client: String,
    /// When the run finished (RFC 3339), if recorded.
    pub generated_at: Option<String>,
    /// cxm version.
    pub cxm_version: String,
    /// Config path as recorded.
    pub config: String,
}

impl RunInfo {
    fn of(run: &RunFolder) -> RunInfo {
        RunInfo {
            dir: run.dir.display().to_string(),
            client: run.report.client.clone(),
            generated_at: run.report.settings.generated_at.clone(),
            cxm_version: run.manifest.cxm_version.clone(),
            config: run.manifest.config.path.clone(),
        }
    }
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDiff {
    /// The old run.
    pub old: RunInfo,
    /// The new run.
    pub new: RunInfo,
    /// Significance level of the tests (the new run's).
    pub alpha: f64,
    /// p-value adjustment within each metric (the new run's: `none`, `holm`,
    /// `benjamini-hochberg`).
    pub adjustment: String,
    /// The options compared with.
    pub options: DiffOptions,
    /// Figure by figure.
    pub figures: FigureDiff,
    /// Everything else.
    pub drift: Drift,
}

impl RunDiff {
    /// Figures of the given status, in the old run's order.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &FigureChange> {
        self.figures
            .common
            .iter()
            .filter(move |f| f.status == status)
    }

    /// How many figures have the given status.
    pub fn count(&self, status: Status) -> usize {
        self.with_status(status).count()
    }
}

/// Compares an old and a new run.
pub fn compare(old: &RunFolder, new: &RunFolder, options: DiffOptions) -> RunDiff {
    let (alpha, adjustment) = new
        .report
        .analysis
        .as_ref()
        .map(|a| (a.alpha, a.adjustment.clone()))
        .unwrap_or((DEFAULT_ALPHA, "none".to_string()));
    let figures = compare_figures(
        &old.report,
        &new.report,
        &FigureOptions {
            alpha,
            adjustment: adjustment.clone(),
            latest_open: options.latest_open,
        },
    );
    RunDiff {
        old: RunInfo::of(old),
        new: RunInfo::of(new),
        alpha,
        adjustment,
        options,
        figures,
        drift: compare_drift(old, new),
    }
}
