//! `cxm`: the customer-experience metrics engine. Parses the command line, runs the command,
//! and maps failures to a one-line cause and an exit code (see `exit.rs`).

mod cli;
mod commands;
mod deliverables;
mod exit;
mod outdir;
mod plugin_guard;
mod progress;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match commands::dispatch(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", exit::one_line(&error));
            exit::code_of(&error)
        }
    };
    std::process::exit(code);
}
