//! The command-line interface: commands, options and their help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};
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
  cxm init exports/survey.csv -o config/clients/acme.toml
                                              start a client config from its export files
  cxm diff out/acme-2025-05 out/acme-2025-06  what changed since last month's run
  cxm plugins config/clients/demo.toml        list the plugins, their inputs and params
  cxm plan-sample --metric nps --margin 5     responses needed for NPS ±5 points
  cxm plugin new acme-effort --dir ../acme-effort
                                              start a metric plugin of your own";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a data file the config names is missing or unreadable (the message names the file and
     the config's file:line:column that names it), an output file could not be written, or
     another cxm run is writing the same --out; also `cxm run --baseline --fail-on` and
     `cxm diff --fail-on` when they find what --fail-on names (the run's --out is written)
  2  the command line is wrong (also: --out names a non-empty folder cxm did not write,
     without --force, or a folder holding the run's own inputs; `cxm plugins` without a file
     found no registry)
  3  the configuration is wrong, including a mapped column the data file does not have (the
     message names file:line:column in the TOML)
  4  a plugin library could not be loaded (missing, wrong ABI, sha256 mismatch)
  5  the run finished but at least one metric failed (the others' results are printed;
     nothing is written to --out)
  6  an in-process plugin ended the process (exit() during the run); nothing was written";

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
  cxm run config/clients/acme.toml --out out/acme-2025-06 --baseline out/acme-2025-05 --fail-on restated

With --out DIR, cxm writes the client report (report.html: one self-contained file that
opens offline in any browser; report.xlsx: a summary sheet and one sheet per metric),
results.json, results.csv, rejected.csv (every rejected row or value with its line, field,
original value and reason) and manifest.json (cxm version, config and input hashes, plugin
libraries and ABI). The report's language is `[report] language = \"en\"` or `\"ru\"` in the
config.

--out DIR is all or nothing. The files are staged in a folder beside DIR and the complete
folder replaces DIR in one step when the run succeeds, so DIR holds exactly that run's files
(a reader sees the previous run or the new one, never a mix); a failed run leaves DIR as it
was. If DIR is a mount point, the new files are staged inside it and moved in one by one.
Each run replaces everything in DIR: a folder that cxm did not write (it has no .cxm-out
file) and that is not empty is refused unless --force, and a folder holding the run's own
config or data always is. While a run writes DIR it holds a lock on it (.NAME.cxm-lock
beside it): another cxm run into the same DIR does not wait, it fails at once (exit code 1)
naming DIR. Staging folders left by a killed run are removed by the next one.

--baseline OLD_DIR compares the run with an earlier run's --out folder, as `cxm diff OLD_DIR
DIR` would afterwards (see `cxm diff --help`): restated history, other changed figures with
their tests, figures only in one run, drift. The comparison is printed on stderr (the report
stays alone on stdout); with --out it is also written to DIR/diff.json (schema cxm.diff/1)
and the report gets a section \"Changes since the baseline\" (`cxm report` renders it again
from the diff.json beside results.json). OLD_DIR is read before computing, so it may be the
--out folder itself; a folder that is not a readable --out folder is exit code 2.
--fail-on restated (or changed) then exits with code 1 when such figures exist. The run is
still complete: with --out every file, diff.json included, is written before cxm exits with
1, so a scripted check has both the verdict and the files to look at.")]
    Run {
        /// The client config (TOML).
        config: PathBuf,
        /// Output format on stdout.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also write the client report (report.html, report.xlsx), results, rejected rows
        /// and a manifest into this directory.
        /// The folder is replaced as a whole when the run succeeds.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Replace --out DIR even though it is not empty and was not written by cxm: what is
        /// in it is deleted.
        #[arg(long, requires = "out")]
        force: bool,
        /// Also print the HTML report to DIR/report.pdf (A4) with an installed Chromium or
        /// Google Chrome (found on PATH, or named by CXM_CHROMIUM).
        #[arg(long, requires = "out")]
        pdf: bool,
        /// Run every plugin library in child processes of its own, as `isolation =
        /// "process"` in the registry does for one: a plugin that crashes, hangs or exits
        /// fails alone, named, and the other metrics finish. Slower; results are identical.
        #[arg(long)]
        isolate: bool,
        /// Worker threads for parsing and computing (default: one per core, at most 8).
        /// Results are identical whatever the number: chunks are merged in file order.
        /// Memory grows with it (about 5 MB per thread on CSV).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        /// Rows per batch (tuning; the default suits most files).
        #[arg(long, value_name = "ROWS", hide = true)]
        batch_rows: Option<usize>,
        /// Bytes per chunk of a CSV file read in parallel (tuning and tests).
        #[arg(long, value_name = "BYTES", hide = true)]
        chunk_bytes: Option<usize>,
        /// Compare the run with an earlier run's --out folder: the comparison on stderr, in
        /// DIR/diff.json and in report.html (see below).
        #[arg(long, value_name = "OLD_DIR")]
        baseline: Option<PathBuf>,
        /// With --baseline: exit with code 1 when figures restated (or changed, restated
        /// included) since the baseline exist; the --out files are still written.
        #[arg(long, value_enum, value_name = "WHAT", requires = "baseline")]
        fail_on: Option<FailOn>,
    },
    /// Check a client config without computing: TOML keys, references, plugin libraries,
    /// params, and that every mapped column exists in the dataset headers.
    Validate {
        /// The client config (TOML).
        config: PathBuf,
    },
    /// Show what cxm sees in a CSV export: dialect, encoding, columns with inferred types and
    /// sample values, and a field mapping to start a config from.
    #[command(after_help = "Example:\n  cxm inspect exports/survey_march.csv")]
    Inspect {
        /// The file to inspect.
        file: PathBuf,
        /// How many rows to sample.
        #[arg(long, default_value_t = 1000)]
        rows: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Write a starter client config from export files: datasets with their dialect, typed
    /// fields with canonical names, and metrics for the score columns it recognises.
    #[command(long_about = INIT_ABOUT, after_help = INIT_EXAMPLES)]
    Init {
        /// The exports (CSV, Parquet, NDJSON, XLSX): one dataset each.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The client's name (default: the first file's name).
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        /// Write the config to this new file (never over an existing one) instead of
        /// printing it; paths in it are relative to its folder.
        #[arg(short, long, value_name = "CONFIG")]
        output: Option<PathBuf>,
    },
    /// List the registered plugins with their metrics, inputs and params.
    #[command(after_help = PLUGINS_HELP)]
    Plugins {
        /// A client config (all the registries it lists) or a plugin registry (default: see
        /// below).
        config: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Render the client report again from a saved results.json, without the data or the
    /// plugins (e.g. last quarter's run, or the same run in another language).
    #[command(after_help = REPORT_EXAMPLES)]
    Report {
        /// A results.json written by `cxm run --out DIR`.
        results: PathBuf,
        /// Output file: .html, .xlsx or .pdf (default: the HTML report on stdout).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Language of the report (default: the one the run was configured with).
        #[arg(long, value_enum)]
        language: Option<Language>,
    },
    /// Compare two `cxm run --out` folders (last month's run and this month's): every
    /// figure's change with a significance test, restated history, new and dropped figures,
    /// and drift of config, data, plugins and cxm.
    #[command(long_about = DIFF_ABOUT, after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// How many responses a survey needs for a target margin of error.
    #[command(long_about = PLAN_SAMPLE_ABOUT, after_help = PLAN_SAMPLE_EXAMPLES)]
    PlanSample(PlanSampleArgs),
    /// Write your own metric plugin: `cxm plugin new NAME` starts a crate to build it from.
    Plugin {
        /// What to do.
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Serves one isolated plugin library for a running cxm (internal; started by cxm).
    #[command(name = "__plugin-host", hide = true)]
    PluginHost {
        /// The library file.
        library: PathBuf,
        /// The SHA-256 the host verified.
        #[arg(long)]
        sha256: String,
        /// The metric to serve (without: describe the library and exit).
        #[arg(long)]
        metric: Option<String>,
        /// Channels (pipe pairs from descriptor 3 on) to serve, one thread each.
        #[arg(long, default_value_t = 1)]
        channels: usize,
    },
}

const INIT_ABOUT: &str = "\
Write a starter client config from export files. Each file becomes a dataset named after the
file, with what cxm sniffs in it (encoding, delimiter, decimal comma, header row, sheet,
\"no value\" markers) written where it is not the default. The first 1000 rows of every column
are read to infer its type and recognise it from its name and values:

  0-10 integers named like \"Likelihood to recommend\"   nps, and an NPS metric
  1-5 or 1-7 integers named like satisfaction, rating   csat, and a CSAT metric on that scale
  1-5 or 1-7 integers named like effort or ease         ces, and a CES metric
  other 0-10, 1-5 or 1-7 integer columns                a commented-out metric to choose
  dates and timestamps                                  submitted / created (date, datetime)
  id columns                                            customer_id, ticket_id, order_id, ...
  anything else                                         a snake_case field of its type

Every mapping keeps the real column name: nps = { column = \"Likelihood to recommend\", type =
\"integer\" }. The plugin registry is the one `cxm plugins` finds. The config is checked as
`cxm validate` would before it is printed or written; with -o it is written atomically and an
existing file is never replaced (exit code 2).";

const INIT_EXAMPLES: &str = "\
Examples:
  cxm init exports/survey.csv                       print a config for one export
  cxm init exports/survey.csv exports/tickets.xlsx --client \"Acme\" -o config/clients/acme.toml
  cxm run config/clients/acme.toml                  then check it and run it";

const PLUGINS_HELP: &str = "\
Without a file, the registry is, in this order: the file CXM_REGISTRY names;
config/plugins.toml in the current folder; config/plugins.toml of the cxm checkout holding
this executable (e.g. target/release/cxm); config/plugins.toml of the checkout cxm was built
from. If none exists, the error lists every place tried (exit code 2). Library paths in a
registry are relative to the registry file, so it works from any folder.

Examples:
  cxm plugins                                  the default registry
  cxm plugins config/clients/demo.toml         the registries a client config lists
  CXM_REGISTRY=~/cxm/config/plugins.toml cxm plugins --format json";

const PLAN_SAMPLE_ABOUT: &str = "\
How many responses a survey needs for a target margin of error: the half-width of the
two-sided confidence interval at --confidence. Prints the count, the formula, the
assumptions and z, and with --population the count after the finite population correction
n / (1 + (n − 1) / N), all rounded up to whole responses.

Expected shares (--promoters, --detractors, --expected) are percentages, 0-100: 45 or 45%
means 45%. A value between 0 and 1 without a % sign (0.45) is refused as ambiguous (a
fraction, or less than one percent?); write 0.45% if you mean less than one percent.

The count is of valid responses; invite more to allow for non-response (invitations ≈
responses / expected response rate).";

const PLAN_SAMPLE_EXAMPLES: &str = "\
Examples:
  cxm plan-sample --metric nps --margin 5
      NPS within ±5 points at 95%, worst case (50% promoters, 50% detractors): 1,537
  cxm plan-sample --metric nps --margin 5 --population 2000
      the same for a customer base of 2,000: 870
  cxm plan-sample --metric nps --margin 5 --promoters 45 --detractors 20
      with the shares of a previous run (its promoters_pct and detractors_pct)
  cxm plan-sample --metric csat --margin 3 --expected 80
      CSAT % within ±3 points when about 80% are satisfied
  cxm plan-sample --metric ces --margin 0.1 --sd 1.5
      CES (a mean score) within ±0.1 when answers vary with a standard deviation of 1.5

Margins: NPS points for nps, percentage points for csat and proportion, the score's own
units for ces and mean. Without an expectation nps, csat and proportion plan for the worst
case (the largest variance), so the count is enough whatever the true value. ces and mean
need --sd: take it from a previous run (the square root of basis.variance in
`cxm run CONFIG --format json`) or from a pilot survey.";

const REPORT_EXAMPLES: &str = "\
Examples:
  cxm report out/demo/results.json -o demo.html
  cxm report out/demo/results.json -o demo.ru.html --language ru
  cxm report out/demo/results.json -o demo.xlsx
  cxm report out/demo/results.json -o demo.pdf        (needs Chromium or Google Chrome)

The manifest.json beside results.json, when present, goes into the report's appendix; the
diff.json of `cxm run --baseline`, when present, gives the section \"Changes since the
baseline\". The
HTML file has no script and loads nothing from the network: it opens from a mail attachment
or a USB stick, and prints to a clean A4 PDF from any browser.";

/// Report languages.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// Russian.
    Ru,
}

/// Options of `cxm plan-sample`.
#[derive(Args, Debug)]
pub struct PlanSampleArgs {
    /// The kind of figure to estimate.
    #[arg(long, value_enum)]
    pub metric: PlanMetric,
    /// Target margin of error: NPS points (nps), percentage points (csat, proportion) or
    /// score units (ces, mean).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub margin: f64,
    /// Confidence level, a fraction between 0 and 1.
    #[arg(
        long,
        value_name = "LEVEL",
        default_value_t = 0.95,
        allow_negative_numbers = true
    )]
    pub confidence: f64,
    /// Number of customers who could answer (finite population correction).
    #[arg(long, value_name = "N")]
    pub population: Option<u64>,
    /// Expected percentage of promoters, 0-100, e.g. 45 or 45% (nps; with --detractors).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    pub promoters: Option<String>,
    /// Expected percentage of detractors, 0-100, e.g. 20 or 20% (nps; with --promoters).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    pub detractors: Option<String>,
    /// Expected percentage, 0-100, e.g. 80 or 80% (csat: satisfied; proportion: successes).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    pub expected: Option<String>,
    /// Standard deviation of one answer (ces, mean; required there).
    #[arg(long, value_name = "SD", allow_negative_numbers = true)]
    pub sd: Option<f64>,
}

/// What `cxm plan-sample` plans for.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanMetric {
    /// Net Promoter Score (margin in NPS points).
    Nps,
    /// CSAT % (margin in percentage points).
    Csat,
    /// Customer Effort Score, a mean (margin in score units; needs --sd).
    Ces,
    /// Any percentage (margin in percentage points).
    Proportion,
    /// Any mean (margin in its units; needs --sd).
    Mean,
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

/// The `cxm plugin` commands.
#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// Write a new metric plugin crate (outside this workspace) that builds and loads.
    #[command(long_about = PLUGIN_NEW_ABOUT, after_help = PLUGIN_NEW_EXAMPLES)]
    New {
        /// The crate's name, a Cargo package name: lowercase letters, digits, '-' and '_',
        /// starting with a letter (e.g. acme-effort). The metric is named the same with '_'
        /// for '-'.
        name: String,
        /// The folder to write, new or empty, outside any Cargo workspace (default: ./NAME).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The crates/cxm-sdk folder of a cxm checkout to depend on (default: the one this
        /// cxm was built from; needed for an installed or moved binary).
        #[arg(long, value_name = "PATH")]
        sdk: Option<PathBuf>,
    },
}

const PLUGIN_NEW_ABOUT: &str = "\
Write a new metric plugin crate to start from: a Rust cdylib on cxm-sdk that builds with
`cargo build --release` and that cxm loads. The folder (--dir, default ./NAME) gets:

  Cargo.toml     crate-type cdylib; cxm-sdk by path (it is not on crates.io: the SDK of
                 the checkout this cxm was built from, or --sdk); release profile with
                 panic = \"unwind\" (a panic fails the metric, not the run) and
                 codegen-units = 1 (the SDK's row loop and update optimised together)
  src/lib.rs     a metric (weighted mean on a scale) with an #[inline] update, a t-interval
                 from cxm_sdk::stats, a basis for significance tests, and unit tests through
                 cxm_sdk::testing::Harness
  plugins.toml   a plugin registry listing the built library
  client.toml    a client config that runs the metric (on the demo survey of the checkout)
  README.md      what to change next

The crate is its own Cargo workspace. cxm refuses a folder that is not empty or that lies
inside another Cargo workspace.";

const PLUGIN_NEW_EXAMPLES: &str = "\
Examples:
  cxm plugin new acme-effort --dir ../acme-effort
  cxm plugin new acme-effort --sdk ~/src/cxm/crates/cxm-sdk

Then, in the new folder:
  cargo build --release        build the library (target/release/libacme_effort.so)
  cargo test                   run the metric's unit tests
  cxm run client.toml          run the metric on the data client.toml names";

const DIFF_ABOUT: &str = "\
Compare two `cxm run --out` folders, e.g. last month's run and this month's, figure by
figure (same metric id and group, period included):

  restated history   figures of a period both runs cover whose value or n changed (late or
                     removed rows in a month that should be closed), listed first
  changed            other figures that moved (overall, per segment)
  only in one run    new periods, segments or metrics; dropped ones
  drift              cxm version, config (which keys, when both config files can still be
                     read unchanged), registries, datasets (sha256) and plugin libraries

Each change is tested from the stored counts (basis) with the test the trends use (NPS
difference z, two-proportion z, Welch t), the two runs taken as independent samples, at the
new run's alpha and with its p-value adjustment within each metric. When the new run
contains the old one's rows plus late ones, the samples overlap and the test is
conservative.";

const DIFF_HELP: &str = "\
Examples:
  cxm diff out/2025-05 out/2025-06
  cxm diff out/2025-05 out/2025-06 --format json > diff.json
  cxm diff out/2025-05 out/2025-06 --fail-on restated      (monthly scripted check)

Exit codes:
  0  compared, and nothing that --fail-on names was found
  1  --fail-on restated: at least one figure was restated; --fail-on changed: at least one
     figure in both runs changed (restated included)
  2  the command line is wrong, or a folder is not a readable cxm --out folder (the message
     names the folder and the missing or unreadable file)";

/// Options of `cxm diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier run's --out folder.
    pub old: PathBuf,
    /// The later run's --out folder.
    pub new: PathBuf,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Exit with code 1 when such figures exist.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// The old run's latest period was still open (partial) when it ran: list its changes
    /// as changed, not as restated history.
    #[arg(long)]
    pub latest_open: bool,
}

/// `cxm diff` formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    /// Restated history, other changes, new and dropped figures, drift (unchanged figures
    /// counted).
    Table,
    /// Everything, unchanged figures included (schema cxm.diff/1).
    Json,
    /// One row per figure, with its status.
    Csv,
}

/// What makes `cxm diff --fail-on` exit with code 1.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// A figure of a period both runs cover changed.
    Restated,
    /// Any figure present in both runs changed (restated included).
    Changed,
}
