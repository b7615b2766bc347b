//! Running cases in a child process: the same binary, re-invoked with a hidden flag, with
//! its address space capped (`RLIMIT_AS`) so a runaway allocation aborts it instead of the
//! machine, and watched by the parent, which kills it when one case runs past its time.
//!
//! The child prints `start N` before case `N` and `done N` after it, so the parent knows
//! which case was running when the child died or hung; `mismatch N …` and `panic N …`
//! report a failed check or an uncaught panic (the child then stops), and `caught N …` a
//! panic a reader caught and turned into an error (not a failure).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

use crate::targets::{run_case, Target};

/// The hidden flag that makes the binary a child.
pub const CHILD_FLAG: &str = "--child";
/// Exit code of a child whose case failed a check.
const EXIT_MISMATCH: i32 = 3;
/// Exit code of a child whose case panicked.
const EXIT_PANIC: i32 = 4;

/// What a child may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Address space, in bytes.
    pub memory: u64,
    /// Longest time one case may run.
    pub case_timeout: Duration,
}

/// How a batch of cases went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// A check failed (row accounting, disagreeing readers).
    Mismatch(String),
    /// A panic no reader caught.
    Panic(String),
    /// The child died (an abort, a signal, an exit code of its own).
    Crash(String),
    /// A case ran past the time limit.
    Hang,
}

/// The outcome of running a batch: the verdict, the case it concerns (the one running
/// when the child stopped), and panics the readers caught.
#[derive(Debug, Clone)]
pub struct BatchResult {
    pub verdict: Verdict,
    pub case: Option<usize>,
    pub caught: usize,
}

/// Runs the cases `0.ext`, `1.ext`, … in `dir` in a child process.
pub fn run_batch(
    exe: &Path,
    target: Target,
    dir: &Path,
    repo: &Path,
    limits: &Limits,
) -> BatchResult {
    let stderr_path = dir.join("stderr.txt");
    let stderr = std::fs::File::create(&stderr_path).map(Stdio::from);
    let mut child = match Command::new(exe)
        .arg(CHILD_FLAG)
        .arg(target.name())
        .arg(dir)
        .arg(repo)
        .env("CXM_FUZZ_MEMORY", limits.memory.to_string())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr.unwrap_or_else(|_| Stdio::null()))
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            return BatchResult {
                verdict: Verdict::Crash(format!("cannot start the child: {e}")),
                case: None,
                caught: 0,
            }
        }
    };
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let mut case = None;
    let mut caught = 0;
    let mut reported = None;
    loop {
        match rx.recv_timeout(limits.case_timeout) {
            Ok(line) => {
                let mut words = line.splitn(3, ' ');
                let (word, n, rest) = (words.next(), words.next(), words.next());
                let n = n.and_then(|n| n.parse::<usize>().ok());
                match word {
                    Some("start") => case = n,
                    Some("caught") => caught += 1,
                    Some("mismatch") => {
                        reported = Some(Verdict::Mismatch(rest.unwrap_or_default().to_owned()))
                    }
                    Some("panic") => {
                        reported = Some(Verdict::Panic(rest.unwrap_or_default().to_owned()))
                    }
                    _ => {}
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return BatchResult {
                    verdict: Verdict::Hang,
                    case,
                    caught,
                };
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait();
    let verdict = match (reported, status) {
        (Some(v), _) => v,
        (None, Ok(s)) if s.success() => Verdict::Passed,
        (None, status) => {
            let tail = std::fs::read(&stderr_path).unwrap_or_default();
            let tail =
                String::from_utf8_lossy(&tail[tail.len().saturating_sub(600)..]).into_owned();
            let how = match status {
                Ok(s) => describe_status(s),
                Err(e) => e.to_string(),
            };
            Verdict::Crash(format!("{how}: {}", tail.trim()))
        }
    };
    let case = if verdict == Verdict::Passed {
        None
    } else {
        case
    };
    BatchResult {
        verdict,
        case,
        caught,
    }
}

fn describe_status(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(6)) => "aborted (SIGABRT)".to_owned(),
        (None, Some(9)) => "killed (SIGKILL)".to_owned(),
        (None, Some(11)) => "segmentation fault (SIGSEGV)".to_owned(),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "stopped".to_owned(),
    }
}

/// The message of the last panic (set by the hook the child installs).
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// The child: caps its address space, then runs the cases of `dir` in order. Never returns.
pub fn child_main(target: &str, dir: &Path, repo: &Path) -> ! {
    if let Some(memory) = std::env::var("CXM_FUZZ_MEMORY")
        .ok()
        .and_then(|m| m.parse().ok())
    {
        cap_memory(memory);
    }
    let backtraces = std::env::var_os("CXM_FUZZ_BACKTRACE").is_some();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        if backtraces {
            eprintln!("{info}\n{}", std::backtrace::Backtrace::force_capture());
        }
        let message = info.to_string().replace('\n', " ");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = message;
        }
    }));
    let Some(target) = Target::from_name(target) else {
        eprintln!("unknown target {target}");
        std::process::exit(2);
    };
    let selftest = std::env::var("CXM_FUZZ_SELFTEST").ok();
    let scratch = dir.join("scratch");
    let _ = std::fs::create_dir_all(&scratch);
    let mut out = std::io::stdout();
    for (n, case) in cases(dir, target).into_iter().enumerate() {
        let _ = writeln!(out, "start {n}");
        let _ = out.flush();
        let before = PANICS.load(Ordering::SeqCst);
        let result = std::panic::catch_unwind(|| {
            if let Some(kind) = &selftest {
                self_test(kind, &case);
            }
            run_case(target, &case, repo, &scratch)
        });
        let last = LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                let _ = writeln!(out, "mismatch {n} {}", message.replace('\n', " "));
                let _ = out.flush();
                std::process::exit(EXIT_MISMATCH);
            }
            Err(_) => {
                let _ = writeln!(out, "panic {n} {last}");
                let _ = out.flush();
                std::process::exit(EXIT_PANIC);
            }
        }
        if PANICS.load(Ordering::SeqCst) > before {
            let _ = writeln!(out, "caught {n} {last}");
        }
        let _ = writeln!(out, "done {n}");
        let _ = out.flush();
    }
    std::process::exit(0);
}

/// `CXM_FUZZ_SELFTEST=hang|abort|alloc|panic|mismatch` makes every seventh case (by its
/// content's hash) fail that way, so `tests/machinery.rs` can check that each failure is
/// caught, narrowed down to its case and saved.
fn self_test(kind: &str, case: &Path) {
    let bytes = std::fs::read(case).unwrap_or_default();
    if !crate::rng::hash64(&bytes).is_multiple_of(7) {
        return;
    }
    match kind {
        "hang" => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        "abort" => std::process::abort(),
        "alloc" => {
            let huge: Vec<u8> = Vec::with_capacity(1 << 40);
            std::hint::black_box(huge);
        }
        "panic" => std::panic::panic_any("self-test panic".to_owned()),
        "mismatch" => {
            let _ = writeln!(std::io::stdout(), "mismatch 0 self-test mismatch");
            std::process::exit(EXIT_MISMATCH);
        }
        _ => {}
    }
}

/// The cases of a batch folder, in the order of their numbers.
pub fn cases(dir: &Path, target: Target) -> Vec<PathBuf> {
    let mut numbered: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == target.ext()))
        .filter_map(|p| {
            let n = p.file_stem()?.to_str()?.parse().ok()?;
            Some((n, p))
        })
        .collect();
    numbered.sort();
    numbered.into_iter().map(|(_, p)| p).collect()
}

/// Caps the process's address space at `bytes`.
fn cap_memory(bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: `setrlimit` reads the struct we pass by pointer and nothing else; a failure
    // is reported by its return value (then the child runs without the cap).
    let result = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    if result != 0 {
        eprintln!("cxm-fuzz: could not cap the address space");
    }
}
