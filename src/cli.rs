//! The command-line interface: commands, options and their help texts.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Customer-experience metrics from your exports: NPS, CSAT, CES and any metric a plugin defines.";

const LONG_ABOUT: &str = "\
cxm reads a client's TOML config, loads the metric plugins it names (dynamic libraries listed
in a plugin registry), streams each dataset once through every metric, and reports the
results overall and per group, with confidence intervals and full row accounting.

Typical use:
  cxm validate config/clients/demo.toml       check config, plugins, params and CSV headers
  cxm run config/clients/demo.toml            print the report as a table
  cxm run config/clients/demo.toml --out out/demo --format json
                                              also write results, rejected rows and a manifest
  cxm plugins config/clients/demo.toml        list the plugins, their inputs and params";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a dataset or output file could not be read or written
  2  the command line is wrong
  3  the configuration is wrong (the message names file:line:column)
  4  a plugin library could not be loaded (missing, wrong ABI, sha256 mismatch)
  5  the run finished but at least one metric failed (the others' results are printed;
     nothing is written to --out)";

/// The `cxm` command line.
#[derive(Parser, Debug)]
#[command(name = "cxm", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compute every metric of a client config and print the report.
    #[command(after_help = "\
Examples:
  cxm run config/clients/demo.toml
  cxm run config/clients/demo.toml --format json > demo.json
  cxm run config/clients/demo.toml --out out/demo

With --out DIR, cxm writes results.json, results.csv, rejected.csv (every rejected row or
value with its line, field, original value and reason) and manifest.json (cxm version,
config and input hashes, plugin libraries and ABI). The files appear only when the run
succeeds: a failed run leaves DIR as it was.")]
    Run {
        /// The client config (TOML).
        config: PathBuf,
        /// Output format on stdout.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write results, rejected rows and a manifest into this directory.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Rows per batch (tuning; the default suits most files).
        #[arg(long, value_name = "ROWS", hide = true)]
        batch_rows: Option<usize>,
    },
    /// Check a client config without computing: TOML keys, references, plugin libraries,
    /// params, and that every mapped column exists in the dataset headers.
    Validate {
        /// The client config (TOML).
        config: PathBuf,
    },
    /// List the registered plugins with their metrics, inputs and params.
    Plugins {
        /// A client config or a plugin registry (default: config/plugins.toml).
        config: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

/// Report formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned tables for reading in a terminal.
    Table,
    /// The full report as JSON (schema cxm.report/1).
    Json,
    /// One CSV row per metric × group.
    Csv,
}

/// Plugin list formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    /// Human-readable.
    Table,
    /// JSON.
    Json,
}
