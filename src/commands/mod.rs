//! One module per command; `dispatch` runs the one the command line names and returns the
//! exit code of a successful run.

mod inspect;
mod plan_sample;
mod plugins;
mod report;
mod run;
mod validate;

pub(crate) use run::write_file;

use crate::cli::{Cli, Command};
use cxm_engine::RunOptions;

/// Runs the command; `Ok` carries the exit code (0 unless the command reports otherwise).
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run {
            config,
            format,
            out,
            pdf,
            threads,
            batch_rows,
            chunk_bytes,
        } => run::run(
            &config,
            format,
            out.as_deref(),
            pdf,
            RunOptions {
                batch_rows,
                threads: threads.map(usize::from),
                chunk_bytes,
            },
        ),
        Command::Report {
            results,
            output,
            language,
        } => report::report(&results, output.as_deref(), language),
        Command::Validate { config } => validate::validate(&config),
        Command::Inspect { file, rows, format } => inspect::inspect(&file, rows, format),
        Command::Plugins { config, format } => plugins::plugins(config.as_deref(), format),
        Command::PlanSample(args) => plan_sample::plan_sample(&args),
    }
}
