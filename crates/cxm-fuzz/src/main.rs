//! `cxm-fuzz`: a bounded fuzzing campaign over cxm's config parser and readers.
//!
//! ```text
//! cxm-fuzz [--seconds 60] [--cases N] [--seed S] [--jobs N] [--targets config,csv,ndjson,parquet,xlsx]
//!          [--batch 40] [--case-timeout 20] [--memory-mb 2048] [--save DIR] [--repo DIR]
//! cxm-fuzz --replay PATH...      # run saved reproducers (files, or folders of <target>/ folders)
//! ```
//!
//! Cases are generated from the seed (`--seed`, else `CXM_FUZZ_SEED`, else today's date as
//! `YYYYMMDD`, so a day's run can be repeated) in batches, each batch run in a child process
//! capped at `--memory-mb` of address space, each case at `--case-timeout` seconds. A batch
//! that fails (a panic, an abort, a hang, a failed accounting check) is narrowed down to
//! one case, which is saved as `--save/<target>/<sha256 prefix>.<ext>` (default
//! `crates/cxm-fuzz/regressions`); the exit code is then 1.

mod campaign;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cxm_fuzz::child::{child_main, Limits, CHILD_FLAG};
use cxm_fuzz::targets::Target;

/// The command line.
pub(crate) struct Options {
    pub(crate) seconds: u64,
    pub(crate) cases: Option<u64>,
    pub(crate) seed: u64,
    pub(crate) jobs: usize,
    pub(crate) targets: Vec<Target>,
    pub(crate) batch: usize,
    pub(crate) limits: Limits,
    pub(crate) save: PathBuf,
    pub(crate) repo: PathBuf,
    pub(crate) replay: Vec<PathBuf>,
}

const USAGE: &str = "usage: cxm-fuzz [--seconds N] [--cases N] [--seed S] [--jobs N] \
[--targets config,csv,ndjson,parquet,xlsx] [--batch N] [--case-timeout SECONDS] \
[--memory-mb N] [--save DIR] [--repo DIR] | --replay PATH...";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(CHILD_FLAG) {
        match (args.get(2), args.get(3), args.get(4)) {
            (Some(target), Some(dir), Some(repo)) => {
                child_main(target, Path::new(dir), Path::new(repo))
            }
            _ => std::process::exit(2),
        }
    }
    let options = match parse(&args[1..]) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("cxm-fuzz: {message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let code = if options.replay.is_empty() {
        campaign::run(&options)
    } else {
        campaign::replay(&options)
    };
    std::process::exit(code);
}

fn parse(args: &[String]) -> Result<Options, String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut options = Options {
        seconds: 60,
        cases: None,
        seed: default_seed(),
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        targets: Target::ALL.to_vec(),
        batch: 40,
        limits: Limits {
            memory: 2048 << 20,
            case_timeout: Duration::from_secs(20),
        },
        save: manifest.join("regressions"),
        repo: manifest.join("../.."),
        replay: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--replay" {
            options.replay.extend(it.by_ref().map(PathBuf::from));
            if options.replay.is_empty() {
                return Err("--replay needs a path".into());
            }
            break;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--seconds" => options.seconds = number()?,
            "--cases" => options.cases = Some(number()?),
            "--seed" => options.seed = number()?,
            "--jobs" => options.jobs = number()?.max(1) as usize,
            "--batch" => options.batch = number()?.max(1) as usize,
            "--case-timeout" => options.limits.case_timeout = Duration::from_secs(number()?.max(1)),
            "--memory-mb" => options.limits.memory = number()?.max(64) << 20,
            "--save" => options.save = PathBuf::from(value),
            "--repo" => options.repo = PathBuf::from(value),
            "--targets" => {
                options.targets = value
                    .split(',')
                    .map(|t| {
                        Target::from_name(t.trim()).ok_or_else(|| format!("unknown target {t}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(options)
}

/// `CXM_FUZZ_SEED`, else today's date (UTC) as `YYYYMMDD`.
fn default_seed() -> u64 {
    if let Some(seed) = std::env::var("CXM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return seed;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    (y as u64) * 10_000 + (m as u64) * 100 + d as u64
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_options() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        let args: Vec<String> = ["--seconds", "5", "--targets", "csv,xlsx", "--seed", "9"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let o = parse(&args).unwrap();
        assert_eq!((o.seconds, o.seed), (5, 9));
        assert_eq!(o.targets, [Target::Csv, Target::Xlsx]);
        assert!(parse(&["--targets".into(), "nope".into()]).is_err());
    }
}
