//! `cxm diff OLD_DIR NEW_DIR`: compares two `cxm run --out` folders (crates/cxm-diff) and
//! prints the comparison; `--fail-on` turns restated or changed figures into exit code 1.

use crate::cli::{DiffArgs, DiffFormat, FailOn};
use crate::exit::Usage;
use cxm_diff::{DiffOptions, RunFolder, Status};
use std::io::Write;

/// Runs `cxm diff`; returns 1 when `--fail-on` finds what it names, 0 otherwise. A folder
/// that is not a readable `--out` folder is a usage error (exit code 2), so that exit code
/// 1 always means "found".
pub fn diff(args: &DiffArgs) -> anyhow::Result<i32> {
    let read = |dir: &std::path::Path| RunFolder::read(dir).map_err(|e| Usage(e.to_string()));
    let old = read(&args.old)?;
    let new = read(&args.new)?;
    let diff = cxm_diff::compare(
        &old,
        &new,
        DiffOptions {
            latest_open: args.latest_open,
        },
    );
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        DiffFormat::Table => cxm_diff::render_table(&diff, &mut out)?,
        DiffFormat::Json => cxm_diff::render_json(&diff, &mut out)?,
        DiffFormat::Csv => cxm_diff::render_csv(&diff, &mut out)?,
    }
    out.flush()?;
    let found = match args.fail_on {
        None => 0,
        Some(FailOn::Restated) => diff.count(Status::Restated),
        Some(FailOn::Changed) => diff.count(Status::Restated) + diff.count(Status::Changed),
    };
    if found > 0 {
        let what = match args.fail_on {
            Some(FailOn::Changed) => "changed",
            _ => "restated",
        };
        eprintln!("cxm diff: {found} figure(s) {what} (--fail-on {what}): exit code 1");
        return Ok(1);
    }
    Ok(0)
}
