//! One module per command; `dispatch` runs the one the command line names and returns the
//! exit code of a successful run.

mod diff;
mod init;
mod inspect;
mod plan_sample;
mod plugin;
mod plugins;
mod report;
mod run;
mod validate;

pub(crate) use run::write_file;

use crate::cli::{Cli, Command, PluginCommand};
use cxm_engine::RunOptions;

/// Runs the command; `Ok` carries the exit code (0 unless the command reports otherwise).
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run {
            config,
            format,
            out,
            force,
            pdf,
            isolate,
            threads,
            batch_rows,
            chunk_bytes,
            baseline,
            fail_on,
        } => run::run(
            &config,
            format,
            out.as_deref(),
            force,
            pdf,
            RunOptions {
                batch_rows,
                threads: threads.map(usize::from),
                chunk_bytes,
                isolate,
                rejections: None,
            },
            run::Baseline {
                dir: baseline.as_deref(),
                fail_on,
            },
        ),
        Command::Report {
            results,
            output,
            language,
        } => report::report(&results, output.as_deref(), language),
        Command::Validate { config } => validate::validate(&config),
        Command::Inspect { file, rows, format } => inspect::inspect(&file, rows, format),
        Command::Init {
            files,
            client,
            output,
        } => init::init(&files, client.as_deref(), output.as_deref()),
        Command::Plugins { config, format } => plugins::plugins(config.as_deref(), format),
        Command::Diff(args) => diff::diff(&args),
        Command::PlanSample(args) => plan_sample::plan_sample(&args),
        Command::Plugin {
            command: PluginCommand::New { name, dir, sdk },
        } => plugin::new(&name, dir.as_deref(), sdk.as_deref()),
        Command::PluginHost {
            library,
            sha256,
            metric,
            channels,
        } => Ok(cxm_host::remote::serve(
            &library,
            &sha256,
            metric.as_deref(),
            channels,
        )),
    }
}
