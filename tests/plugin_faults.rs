//! Plugins that misbehave, next to NPS and CSAT, with the real binary (issue 13, "Tests"):
//! a Rust fixture (`tests/plugins/faulty`, built with the workspace) and a C fixture
//! (`tests/c-plugin/faults.c`, compiled here with the system C compiler) crash, abort,
//! overflow their stack, call `exit(0)`, loop, allocate without end, write where they must
//! not, print to stdout, or return results that break the contract, in the call their
//! params name.
//!
//! Every fault runs twice on the demo survey (3,000 rows, grouped by region so that `merge`
//! runs too), into an `--out` folder that holds a clean run's files:
//! - **isolated**: the fault library's registry entry says `isolation = "process"` (with
//!   `timeout = 3`, or 60 for the allocation rows, and `max_memory = "256 MiB"`); a few
//!   rows also run with `cxm run --isolate` instead, which isolates NPS and CSAT too;
//! - **in-process**: the default.
//!
//! The test checks what the user sees: the exit code, a message naming the plugin library,
//! the metric (and, isolated, the call and the cause), NPS and CSAT exactly as in a clean
//! run, `--out` untouched byte for byte when the run fails, and a `--format json` stdout
//! that parses. In-process, the faults marked **isolation required** below cannot be
//! survived: for those the test
//! asserts only that the run does not exit 0 and `--out` is untouched, under a wall-clock
//! kill so that a hang cannot stall the suite.
//!
//! Each mode is one test that runs its whole table on a few threads and then reports every
//! row that failed, with the command's stderr. `cargo test --release --test plugin_faults
//! -- --nocapture` also prints the matrix as it ran.

mod common;
use common::limited::run_limited;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ------------------------------------------------------------------------------------------
// The matrix
// ------------------------------------------------------------------------------------------

/// Which fixture library.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lang {
    /// `tests/plugins/faulty`: library `cxm-test-faulty`, metric `faulty`.
    Rust,
    /// `tests/c-plugin/faults.c`: library `cxm-c-faults`, metric `c_fault`.
    C,
}

/// How the fault library runs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Registry entry `isolation = "process"`, `timeout = 3` (60 for `alloc`), `max_memory =
    /// "256 MiB"`.
    Isolated,
    /// `cxm run --isolate`: every library isolated, the registry says nothing.
    IsolateFlag,
    /// In the `cxm` process (the default).
    InProcess,
}

/// What the user must see.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The isolated child died: exit 5, `plugin library <file> (metric "<metric>"): its
    /// isolated process failed during <call>: <cause>` (one of `causes`), NPS and CSAT as
    /// in a clean run, `--out` untouched.
    Died {
        call: &'static str,
        causes: &'static [&'static str],
    },
    /// A result or row status outside the ABI: exit 5, `plugin '<library>' metric
    /// '<metric>' broke the plugin contract: ...<detail>...`, NPS and CSAT as in a clean
    /// run, `--out` untouched.
    Contract(&'static str),
    /// An in-process `exit()`: exit 6 and a message naming the library, the metric and the
    /// call; nothing on stdout, `--out` untouched.
    Exited { call: &'static str },
    /// Isolation required: the process dies (or hangs and is killed by the test). Only:
    /// not exit 0, `--out` untouched.
    ProcessDies,
    /// In-process, a write into the input column the host lent read-only: exit 5, `plugin
    /// '<library>' metric '<metric>' wrote into its input column "score"`, NPS (which reads
    /// the same column after it) failed as "overwritten in memory", CSAT as in a clean run,
    /// `--out` untouched.
    Overwrote,
    /// Harmless to the run: exit 0, stdout is the JSON report with all three metrics, NPS
    /// and CSAT as in a clean run, `--out` replaced by this run's files.
    Succeeds,
}

use Expect::*;

const SEGV: &[&str] = &["SIGSEGV"];
/// Writing forward off the end of a heap mapping: SIGSEGV (SIGBUS on a file mapping).
const SEGV_OR_BUS: &[&str] = &["SIGSEGV", "SIGBUS"];
const ABRT: &[&str] = &["SIGABRT"];
/// A Rust host turns a guard-page hit into "stack overflow" + abort; a bare C one segfaults.
const OVERFLOW: &[&str] = &["SIGABRT", "SIGSEGV"];
const EXIT0: &[&str] = &["exit status 0"];
const TIMEOUT: &[&str] = &["timeout after 3 s"];
const MEMORY: &[&str] = &["memory limit 256 MiB exceeded"];

/// One fault: the fixture, its params, and what isolated and in-process runs must show.
struct Case {
    lang: Lang,
    fault: &'static str,
    call: &'static str,
    isolated: Expect,
    in_process: Expect,
}

const fn case(
    lang: Lang,
    fault: &'static str,
    call: &'static str,
    isolated: Expect,
    in_process: Expect,
) -> Case {
    Case {
        lang,
        fault,
        call,
        isolated,
        in_process,
    }
}

use Lang::{Rust, C};

#[rustfmt::skip]
const CASES: &[Case] = &[
    // lang  fault              call       isolated                                                  in-process
    // -- process-killing faults: isolation required ------------------------------------------
    case(Rust, "segfault",       "bind",    Died { call: "bind", causes: SEGV },                      ProcessDies),
    case(Rust, "segfault",       "update",  Died { call: "update", causes: SEGV },                    ProcessDies),
    case(Rust, "segfault",       "merge",   Died { call: "merge", causes: SEGV },                     ProcessDies),
    case(Rust, "segfault",       "finish",  Died { call: "finish", causes: SEGV },                    ProcessDies),
    case(Rust, "segfault",       "release", Died { call: "release", causes: SEGV },                   ProcessDies),
    case(C,    "segfault",       "bind",    Died { call: "bind", causes: SEGV },                      ProcessDies),
    case(C,    "segfault",       "update",  Died { call: "update", causes: SEGV },                    ProcessDies),
    case(C,    "segfault",       "merge",   Died { call: "merge", causes: SEGV },                     ProcessDies),
    case(C,    "segfault",       "finish",  Died { call: "finish", causes: SEGV },                    ProcessDies),
    case(C,    "segfault",       "release", Died { call: "release", causes: SEGV },                   ProcessDies),
    case(Rust, "abort",          "update",  Died { call: "update", causes: ABRT },                    ProcessDies),
    case(C,    "abort",          "merge",   Died { call: "merge", causes: ABRT },                     ProcessDies),
    // A panic in Drop while unwinding from a panic: Rust aborts, catch_unwind cannot help.
    case(Rust, "double_panic",   "update",  Died { call: "update", causes: ABRT },                    ProcessDies),
    case(Rust, "double_panic",   "finish",  Died { call: "finish", causes: ABRT },                    ProcessDies),
    case(Rust, "stack_overflow", "update",  Died { call: "update", causes: OVERFLOW },                ProcessDies),
    case(C,    "stack_overflow", "finish",  Died { call: "finish", causes: OVERFLOW },                ProcessDies),
    // Isolated: the timeout (3 s). In-process: hangs; the test kills it after HANG_KILL.
    case(Rust, "endless_loop",   "update",  Died { call: "update", causes: TIMEOUT },                 ProcessDies),
    case(C,    "endless_loop",   "bind",    Died { call: "bind", causes: TIMEOUT },                   ProcessDies),
    // Isolated: max_memory (256 MiB). In-process: the test caps the address space at 1 GiB.
    case(Rust, "alloc",          "update",  Died { call: "update", causes: MEMORY },                  ProcessDies),
    case(C,    "alloc",          "update",  Died { call: "update", causes: MEMORY },                  ProcessDies),
    // Writes past the end of row_status until something gives.
    case(C,    "oob_row_status", "update",  Died { call: "update", causes: SEGV_OR_BUS },             ProcessDies),
    // Writes 10s into the borrowed input column that NPS reads too: in-process the host's
    // fingerprints of the lent buffers catch it; isolated the child only spoils its own copy.
    case(C,    "oob_input",      "update",  Succeeds,                                                 Overwrote),
    // -- exit(0): isolated a death, in-process caught by the exit guard (exit code 6) -------
    case(Rust, "exit0",          "update",  Died { call: "update", causes: EXIT0 },                   Exited { call: "update" }),
    case(Rust, "exit0",          "finish",  Died { call: "finish", causes: EXIT0 },                   Exited { call: "finish" }),
    case(C,    "exit0",          "bind",    Died { call: "bind", causes: EXIT0 },                     Exited { call: "bind" }),
    case(C,    "exit0",          "merge",   Died { call: "merge", causes: EXIT0 },                    Exited { call: "merge" }),
    case(C,    "exit0",          "release", Died { call: "release", causes: EXIT0 },                  Exited { call: "release" }),
    // -- writes to stdout: --format json must stay JSON ---------------------------------------
    case(Rust, "stdout",         "update",  Succeeds,                                                 Succeeds),
    case(Rust, "stdout",         "release", Succeeds,                                                 Succeeds),
    case(C,    "stdout",         "bind",    Succeeds,                                                 Succeeds),
    case(C,    "stdout",         "update",  Succeeds,                                                 Succeeds),
    case(C,    "stdout",         "release", Succeeds,                                                 Succeeds),
    // -- results and row statuses outside the ABI: a contract error naming the plugin -------
    case(C,    "bad_utf8",       "finish",  Contract("finish returned a result that is not UTF-8"),  Contract("finish returned a result that is not UTF-8")),
    case(Rust, "n_negative",     "finish",  Contract("n = -1"),                                       Contract("n = -1")),
    case(C,    "n_negative",     "finish",  Contract("n = -1"),                                       Contract("n = -1")),
    // NaN is `null` in JSON, and n must be a number (the Rust plugin answers through
    // finish_many, whose block carries the NaN itself).
    case(Rust, "n_nan",          "finish",  Contract("finish_many returned n = NaN"),                 Contract("finish_many returned n = NaN")),
    case(C,    "n_null",         "finish",  Contract("invalid result JSON"),                          Contract("invalid result JSON")),
    case(Rust, "ci_inverted",    "finish",  Contract("low <= high"),                                  Contract("low <= high")),
    case(C,    "ci_inverted",    "finish",  Contract("low <= high"),                                  Contract("low <= high")),
    case(C,    "status_200",     "update",  Contract("has status 200"),                               Contract("has status 200")),
    case(C,    "status_9",       "update",  Contract("has status 9"),                                 Contract("has status 9")),
];

/// The rows that also run with `cxm run --isolate` (NPS and CSAT isolated too; no
/// registry timeout or memory limit, so no loop or allocation here).
const ISOLATE_FLAG: &[(Lang, &str, &str)] = &[
    (Rust, "segfault", "update"),
    (C, "abort", "merge"),
    (C, "exit0", "release"),
    (Rust, "stdout", "update"),
    (C, "oob_input", "update"),
    (C, "status_200", "update"),
];

/// A wall-clock kill for every run: nothing here should take more than a few seconds.
const DEADLINE: Duration = Duration::from_secs(20);
/// In-process endless loops hang by design: killed after this long.
const HANG_KILL: Duration = Duration::from_secs(5);
/// Address-space cap of the `cxm` process for the allocation rows (so that an unlimited
/// run cannot take the test machine's memory): in-process the plugin hits it, isolated the
/// child's own `max_memory` comes first.
const IN_PROCESS_MEMORY_CAP: u64 = 1 << 30;
const ISOLATED_MEMORY_CAP: u64 = 2 << 30;
/// Runs at a time, per test.
const WORKERS: usize = 4;

#[test]
fn isolated_faults_fail_alone_named_with_call_and_cause() {
    let rows: Vec<Row> = CASES
        .iter()
        .map(|c| Row::new(c, Mode::Isolated, c.isolated))
        .collect();
    run_matrix("isolated", rows);
}

#[test]
fn run_isolate_flag_contains_faults_and_keeps_other_results_identical() {
    let rows: Vec<Row> = ISOLATE_FLAG
        .iter()
        .map(|(lang, fault, call)| {
            let c = CASES
                .iter()
                .find(|c| c.lang == *lang && c.fault == *fault && c.call == *call)
                .expect("an ISOLATE_FLAG row is in CASES");
            Row::new(c, Mode::IsolateFlag, c.isolated)
        })
        .collect();
    run_matrix("--isolate", rows);
}

#[test]
fn in_process_faults_never_look_like_success() {
    let rows: Vec<Row> = CASES
        .iter()
        .map(|c| Row::new(c, Mode::InProcess, c.in_process))
        .collect();
    run_matrix("in-process", rows);
}

/// A run fails only the metric whose isolated plugin died in bind; `cxm validate`, which
/// only binds, reports that death as the error it is, located in the config (exit 4).
#[test]
fn validate_reports_an_isolated_death_in_bind_with_its_location() {
    let env = Env::new(Mode::Isolated);
    let config = env.scratch.write(
        "client.toml",
        &config_text(&env.registry, Some(("faulty", "segfault", "bind"))),
    );
    let o = run(&["validate", config.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("client.toml:16:10: metric \"fault\": plugin library libcxm_test_faulty.so (metric \"faulty\"): its isolated process failed during bind: SIGSEGV"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

// ------------------------------------------------------------------------------------------
// Running a matrix
// ------------------------------------------------------------------------------------------

/// One run: a case in a mode.
struct Row {
    lang: Lang,
    fault: &'static str,
    call: &'static str,
    mode: Mode,
    expect: Expect,
}

impl Row {
    fn new(c: &Case, mode: Mode, expect: Expect) -> Row {
        Row {
            lang: c.lang,
            fault: c.fault,
            call: c.call,
            mode,
            expect,
        }
    }

    fn label(&self) -> String {
        let lang = match self.lang {
            Rust => "rust",
            C => "c",
        };
        let mode = match self.mode {
            Mode::Isolated => "isolated",
            Mode::IsolateFlag => "--isolate",
            Mode::InProcess => "in-process",
        };
        format!("{lang} {}/{} {mode}", self.fault, self.call)
    }

    /// The fixture's names: library file, library name, metric name.
    fn names(&self, env: &Env) -> (String, &'static str, &'static str) {
        match self.lang {
            Rust => (
                file_name(&library("cxm-test-faulty")),
                "cxm-test-faulty",
                "faulty",
            ),
            C => (file_name(&env.c_library), "cxm-c-faults", "c_fault"),
        }
    }

    fn hangs(&self) -> bool {
        self.fault == "endless_loop" && self.mode == Mode::InProcess
    }

    fn memory_cap(&self) -> Option<u64> {
        match (self.fault, self.mode) {
            ("alloc", Mode::InProcess) => Some(IN_PROCESS_MEMORY_CAP),
            ("alloc", _) => Some(ISOLATED_MEMORY_CAP),
            _ => None,
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// What every row of a matrix shares: the scratch folder, the registry, the C library, and
/// the clean run to compare with.
struct Env {
    scratch: Scratch,
    registry: PathBuf,
    c_library: PathBuf,
    /// `--out` of the clean run (NPS and CSAT only): every row starts from a copy of it.
    clean_out: PathBuf,
    /// The clean run's results of NPS and CSAT, and their metric entries.
    clean: Value,
}

/// The demo survey: NPS, CSAT and the fault metric all read from it; grouped by region so
/// that groups are rolled up with `merge`.
fn config_text(registry: &Path, fault: Option<(&str, &str, &str)>) -> String {
    let mut text = format!(
        "client = \"Faults\"\nplugins = {:?}\n\n\
         [datasets.survey]\npath = {:?}\n\
         [datasets.survey.fields]\nregion = \"Region\"\n\
         nps = {{ column = \"Likelihood to recommend\", type = \"integer\" }}\n\
         csat = {{ column = \"Satisfaction\", type = \"integer\" }}\n",
        registry.display().to_string(),
        repo().join("data/demo/survey.csv").display().to_string(),
    );
    // The fault metric comes first, so that in-process it sees each batch before NPS does.
    if let Some((plugin, fault, call)) = fault {
        text.push_str(&format!(
            "\n[[metrics]]\nid = \"fault\"\nplugin = \"{plugin}\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"nps\" }}\nparams = {{ fault = \"{fault}\", call = \"{call}\" }}\n"
        ));
    }
    text.push_str(
        "\n[[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = { score = \"nps\" }\n\
         \n[[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"survey\"\ninputs = { score = \"csat\" }\n\
         params = { scale = [1, 5], satisfied = [4, 5] }\n\
         \n[report]\ngroup_by = [\"region\"]\n",
    );
    text
}

impl Env {
    fn new(mode: Mode) -> Env {
        let scratch = Scratch::new();
        let c_library = build_c_faults(scratch.dir.path());
        // Each fixture twice: `timeout = 3` for everything, and a generous timeout for the
        // allocation rows, so that on a loaded machine the clock cannot beat the memory limit.
        let (limits, limits_alloc) = match mode {
            Mode::Isolated => (
                "isolation = \"process\"\ntimeout = 3\nmax_memory = \"256 MiB\"\n",
                "isolation = \"process\"\ntimeout = 60\nmax_memory = \"256 MiB\"\n",
            ),
            Mode::IsolateFlag | Mode::InProcess => ("", ""),
        };
        let mut text = format!(
            "[plugins.nps]\npath = {:?}\n\n[plugins.csat]\npath = {:?}\n",
            library("cxm-plugin-nps").display().to_string(),
            library("cxm-plugin-csat").display().to_string(),
        );
        let faulty = library("cxm-test-faulty");
        for (name, path) in [("faulty", &faulty), ("c-faults", &c_library)] {
            let path = path.display().to_string();
            text.push_str(&format!(
                "\n[plugins.{name}]\npath = {path:?}\n{limits}\n\
                 [plugins.{name}-alloc]\npath = {path:?}\n{limits_alloc}"
            ));
        }
        let registry = scratch.write("plugins.toml", &text);
        let config = scratch.write("clean.toml", &config_text(&registry, None));
        let clean_out = scratch.path("clean-out");
        let o = run(&[
            "run",
            config.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            clean_out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "clean run: {}", stderr(&o));
        assert!(clean_out.join("results.json").is_file());
        let clean = others(&json(&o));
        Env {
            scratch,
            registry,
            c_library,
            clean_out,
            clean,
        }
    }
}

/// NPS's and CSAT's results and metric entries from a report.
fn others(report: &Value) -> Value {
    let pick = |key: &str| -> Vec<Value> {
        report[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|r| r["metric"] == "nps" || r["metric"] == "csat")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    serde_json::json!({ "results": pick("results"), "metrics": pick("metrics") })
}

/// Compiles `tests/c-plugin/faults.c` into `dir`.
fn build_c_faults(dir: &Path) -> PathBuf {
    common::build_c_plugin("faults", "cxm_c_faults", dir)
}

/// Runs every row on [`WORKERS`] threads, prints the matrix, and fails with every row that
/// did not show what it must.
fn run_matrix(name: &str, rows: Vec<Row>) {
    let started = Instant::now();
    let mode = rows[0].mode;
    let env = Env::new(mode);
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<(usize, String, Vec<String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(row) = rows.get(i) else { break };
                let (seen, problems) = check_row(&env, i, row);
                outcomes.lock().unwrap().push((i, seen, problems));
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by_key(|(i, _, _)| *i);
    let mut failures = Vec::new();
    for (i, seen, problems) in &outcomes {
        let row = &rows[*i];
        let mark = if problems.is_empty() { "ok  " } else { "FAIL" };
        eprintln!("{mark} {:<40} {seen}", row.label());
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", row.label(), problems.join("\n  ")));
        }
    }
    eprintln!(
        "{name}: {} runs in {:.1} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} {name} rows did not show what they must:\n\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n\n")
    );
}

/// Every file under `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read --out") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                into.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs one row and returns what was seen and what was wrong.
fn check_row(env: &Env, index: usize, row: &Row) -> (String, Vec<String>) {
    let dir = env.scratch.path(&format!("case-{index}"));
    std::fs::create_dir_all(&dir).unwrap();
    let plugin = match (row.lang, row.fault) {
        (Rust, "alloc") => "faulty-alloc",
        (Rust, _) => "faulty",
        (C, "alloc") => "c-faults-alloc",
        (C, _) => "c-faults",
    };
    let config = dir.join("client.toml");
    std::fs::write(
        &config,
        config_text(&env.registry, Some((plugin, row.fault, row.call))),
    )
    .unwrap();
    let out = dir.join("out");
    copy_dir(&env.clean_out, &out);
    let before = snapshot(&out);

    let mut args = vec![
        "run",
        config.to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ];
    if row.mode == Mode::IsolateFlag {
        args.push("--isolate");
    }
    let deadline = if row.hangs() { HANG_KILL } else { DEADLINE };
    let o = run_limited(&args, deadline, row.memory_cap());
    let seen = o.seen();
    let mut problems = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    let err = o.stderr.as_str();
    let (file, library, metric) = row.names(env);
    let report: Result<Value, String> =
        serde_json::from_slice(&o.stdout).map_err(|e| format!("stdout is not JSON ({e})"));
    let untouched = |check: &mut dyn FnMut(bool, String)| {
        check(
            out.is_dir() && snapshot(&out) == before,
            "--out is not byte for byte the previous run's".into(),
        );
    };
    let others_as_clean = |check: &mut dyn FnMut(bool, String)| match &report {
        Ok(report) => check(
            others(report) == env.clean,
            format!(
                "NPS and CSAT differ from the clean run: {} vs {}",
                others(report),
                env.clean
            ),
        ),
        Err(e) => check(false, format!("no report to compare NPS and CSAT: {e}")),
    };
    let not_killed = |check: &mut dyn FnMut(bool, String)| {
        check(
            !o.killed,
            format!("still running after {deadline:?}: killed"),
        );
    };

    match row.expect {
        Died { call, causes } => {
            not_killed(&mut check);
            check(o.status.code() == Some(5), "exit code is not 5".into());
            let prefix = format!(
                "plugin library {file} (metric \"{metric}\"): its isolated process failed during {call}: "
            );
            let cause_ok = err
                .find(&prefix)
                .map(|at| &err[at + prefix.len()..])
                .is_some_and(|rest| causes.iter().any(|c| rest.starts_with(c)));
            check(
                cause_ok,
                format!("stderr lacks `{prefix}` followed by one of {causes:?}"),
            );
            check(
                err.contains("metric \"fault\""),
                "stderr does not name the config's metric id".into(),
            );
            others_as_clean(&mut check);
            if let Ok(report) = &report {
                let entry = report["metrics"]
                    .as_array()
                    .and_then(|m| m.iter().find(|m| m["metric"] == "fault"));
                check(
                    entry.is_some_and(|m| {
                        m["error"]
                            .as_str()
                            .is_some_and(|e| e.contains(prefix.trim_end_matches(": ")))
                    }),
                    format!(
                        "the report's entry for \"fault\" has error {}",
                        entry.map_or(Value::Null, |m| m["error"].clone())
                    ),
                );
            }
            untouched(&mut check);
        }
        Contract(detail) => {
            not_killed(&mut check);
            check(o.status.code() == Some(5), "exit code is not 5".into());
            let prefix =
                format!("plugin '{library}' metric '{metric}' broke the plugin contract: ");
            check(
                err.lines()
                    .any(|l| l.contains(&prefix) && l.contains(detail)),
                format!("stderr lacks `{prefix}...{detail}...`"),
            );
            others_as_clean(&mut check);
            untouched(&mut check);
        }
        Exited { call } => {
            not_killed(&mut check);
            check(o.status.code() == Some(6), "exit code is not 6".into());
            let line = err.lines().find(|l| l.contains("exit()")).unwrap_or("");
            check(
                (line.contains(library) || line.contains(&file))
                    && line.contains(&format!("\"{metric}\""))
                    && line.contains(&format!("during {call}")),
                format!(
                    "no message naming {library}, metric \"{metric}\" and `during {call}` with exit()"
                ),
            );
            check(o.stdout.is_empty(), "a report on stdout".into());
            untouched(&mut check);
        }
        ProcessDies => {
            check(o.status.code() != Some(0), "exit code 0".into());
            untouched(&mut check);
        }
        Overwrote => {
            not_killed(&mut check);
            check(o.status.code() == Some(5), "exit code is not 5".into());
            let culprit = format!(
                "plugin '{library}' metric '{metric}' wrote into its input column \"score\""
            );
            check(err.contains(&culprit), format!("stderr lacks `{culprit}`"));
            match &report {
                Ok(report) => {
                    let entry = |id: &str| {
                        report["metrics"]
                            .as_array()
                            .and_then(|m| m.iter().find(|m| m["metric"] == id))
                            .map_or(Value::Null, |m| m["error"].clone())
                    };
                    check(
                        entry("nps").as_str().is_some_and(|e| {
                            e.contains("field \"nps\" was overwritten in memory by the in-process plugin of metric \"fault\"")
                        }),
                        format!("NPS is not failed as read after the overwrite: {}", entry("nps")),
                    );
                    check(
                        entry("csat").is_null(),
                        format!("CSAT failed: {}", entry("csat")),
                    );
                    let csat = |r: &Value| -> Vec<Value> {
                        r["results"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter(|r| r["metric"] == "csat")
                                    .cloned()
                                    .collect()
                            })
                            .unwrap_or_default()
                    };
                    check(
                        csat(report) == csat(&env.clean),
                        "CSAT differs from the clean run".into(),
                    );
                }
                Err(e) => check(false, format!("no report: {e}")),
            }
            untouched(&mut check);
        }
        Succeeds => {
            not_killed(&mut check);
            check(o.status.code() == Some(0), "exit code is not 0".into());
            match &report {
                Ok(r) => {
                    check(
                        r["schema"] == "cxm.report/1",
                        "stdout is JSON but not the report".into(),
                    );
                    let fault_ok = r["metrics"].as_array().is_some_and(|m| {
                        m.iter()
                            .any(|m| m["metric"] == "fault" && m["error"].is_null())
                    });
                    check(fault_ok, "the fault metric did not report".into());
                }
                Err(e) => {
                    let tail = String::from_utf8_lossy(&o.stdout);
                    let tail: String = tail
                        .chars()
                        .rev()
                        .take(120)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    check(false, format!("{e}; stdout ends with {tail:?}"));
                }
            }
            others_as_clean(&mut check);
            if row.fault == "stdout" && row.mode == Mode::InProcess {
                // While plugins run, their stdout goes to stderr.
                check(
                    err.contains("went to stdout"),
                    "the plugin's output is not on stderr".into(),
                );
            }
            let written = std::fs::read(out.join("results.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
            check(
                written.is_some_and(|w| {
                    w["metrics"]
                        .as_array()
                        .is_some_and(|m| m.iter().any(|m| m["metric"] == "fault"))
                }),
                "--out does not hold this run's results.json".into(),
            );
        }
    }
    if !problems.is_empty() {
        let tail: Vec<&str> = err.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        problems.push(format!("stderr (end): {}", tail.join(" | ")));
    }
    (seen, problems)
}
