//! Runs of `cxm` that a test must not wait for forever: killed at a deadline, optionally
//! under a cap on their address space, their output read while they run.

use super::cxm;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What a run of `cxm` gave.
pub struct Outcome {
    pub status: std::process::ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// Killed by the test at its deadline.
    pub killed: bool,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn seen(&self) -> String {
        let how = if self.killed {
            "killed by the test (hung)".to_string()
        } else if let Some(code) = self.status.code() {
            format!("exit {code}")
        } else {
            format!("signal {}", self.status.signal().unwrap_or(0))
        };
        let message = self
            .stderr
            .lines()
            .find(|l| l.starts_with("error:"))
            .unwrap_or("")
            .chars()
            .take(220)
            .collect::<String>();
        format!(
            "{how} in {:.1} s{}{message}",
            self.elapsed.as_secs_f64(),
            if message.is_empty() { "" } else { ": " }
        )
    }
}

/// Runs `cxm` with a wall-clock kill and, optionally, a cap on its address space.
pub fn run_limited(args: &[&str], deadline: Duration, memory_cap: Option<u64>) -> Outcome {
    let mut cmd = cxm();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(bytes) = memory_cap {
        // SAFETY: runs in the forked child before exec and only calls setrlimit, which is
        // async-signal-safe.
        unsafe {
            cmd.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: bytes as libc::rlim_t,
                    rlim_max: bytes as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("cxm starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for cxm") {
            break status;
        }
        if started.elapsed() > deadline {
            killed = true;
            let _ = child.kill();
            break child.wait().expect("wait for cxm");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    Outcome {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        killed,
        elapsed,
    }
}
