//! The cxm run report: its data model ([`RunReport`] and friends, filled by the engine) and
//! its renderings.
//!
//! Every renderer writes to any [`std::io::Write`] (never directly to stdout) and returns
//! [`RenderError`] on failure:
//!
//! - [`render_json`]: the machine-readable report (layout versioned by [`REPORT_SCHEMA`]);
//! - [`render_csv`]: all results as one CSV table, details flattened into `details.<key>`
//!   columns by [`flatten_details`] / [`flatten_result_details`] (shared with the workbook);
//! - [`render_table`]: the terminal report a consultant reads;
//! - [`RejectionWriter`]: the streaming `rejected.csv` writer;
//! - [`csv_safe_cell`]: the rule every CSV writer applies to every cell, so that no text
//!   from the data can start a spreadsheet formula (numbers stay numbers);
//! - [`terminal_text`]: data text made safe to print to a terminal (control characters
//!   shown as visible placeholders), used by [`render_table`];
//! - [`render_plugins`] / [`render_plugins_json`]: the `cxm plugins` listing.

pub mod model;

mod csv_cell;
mod csv_report;
mod error;
pub mod flatten;
mod format;
mod json;
mod lang;
mod name;
mod plugins;
mod rejections;
mod table;
mod table_segments;
mod table_shift;
mod table_weighting;
mod weighting;

pub use csv_cell::csv_safe_cell;
pub use csv_report::{render_csv, render_result_table_csv, result_tables};
pub use cxm_result::{Detail, Details, Interval, MetricResult, Table};
pub use error::RenderError;
pub use flatten::{
    detail_cells, detail_columns, flatten_details, flatten_result_details, DetailCell,
    DETAILS_PREFIX,
};
pub use format::terminal_text;
pub use json::{parse_json, render_json};
pub use lang::Lang;
pub use model::*;
pub use name::Name;
pub use plugins::{
    render_plugins, render_plugins_json, InputInfo, MetricInfo, ParamInfo, PluginInfo,
};
pub use rejections::RejectionWriter;
pub use table::{render_table, TableOptions};
pub use weighting::{Design, Margin, RakingSummary, WeightingSummary};

#[cfg(test)]
mod tests;
