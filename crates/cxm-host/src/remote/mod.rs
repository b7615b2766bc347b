//! Process isolation: a plugin library marked `isolation = "process"` runs in a child
//! process (the `cxm` binary itself, hidden subcommand `__plugin-host`), one per metric,
//! speaking the ABI's calls as messages over pipes ([`wire`]), batches written once into a
//! shared file per channel that the child reads in place ([`shm`], [`layout`]): one pair of
//! pipes and one shared file (a channel) per core and one more, so that the host's worker threads call their own instances at the
//! same time instead of taking turns on one pipe. Whatever the plugin does
//! there — a segfault, `abort`, `exit`, an endless loop, unbounded allocation, writes to
//! stdout — ends at most that child: the call fails with the library, the metric, the call
//! and the cause, and the other metrics finish. Limits per plugin: wall time per call and
//! address space (`RLIMIT_AS`) in the child. The child's stdout and stderr go to the host's
//! memory (the last lines are quoted in errors), never to the report's stdout.

mod batch;
mod layout;
mod serve;
mod shm;
mod update;
pub mod wire;

pub use serve::serve;
pub(crate) use update::Stream;

use crate::error::HostError;
use serde_json::Value;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The hidden subcommand of the `cxm` binary that runs [`serve`].
pub const SUBCOMMAND: &str = "__plugin-host";
/// Wall time a call may take when the registry sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// How much of the child's output is kept for error messages.
const OUTPUT_TAIL: usize = 4096;

/// Limits of an isolated plugin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Isolation {
    /// Wall time per call (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
    /// Address-space limit of the child process, bytes.
    pub max_memory: Option<u64>,
}

impl Isolation {
    fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }
}

/// Bytes in words: `512 MiB`.
pub fn format_bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

/// The child that described a library, kept (with the library loaded) until one of the
/// library's metrics needs a child, which then adopts it instead of starting another.
pub(crate) type Spare = Arc<Mutex<Option<Child>>>;

/// An isolated metric: how to start its child, and the child once started (at the first
/// bind; every instance of the metric lives in it, so they can be merged there).
pub(crate) struct RemoteMetric {
    pub(crate) path: PathBuf,
    pub(crate) sha256: String,
    pub(crate) metric: String,
    pub(crate) limits: Isolation,
    child: OnceLock<Result<Arc<Child>, String>>,
    spare: Spare,
}

impl std::fmt::Debug for RemoteMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteMetric({}, {})", self.path.display(), self.metric)
    }
}

impl RemoteMetric {
    pub(crate) fn new(
        path: &Path,
        sha256: &str,
        metric: &str,
        limits: &Isolation,
        spare: &Spare,
    ) -> Self {
        RemoteMetric {
            path: path.to_path_buf(),
            sha256: sha256.to_string(),
            metric: metric.to_string(),
            limits: limits.clone(),
            child: OnceLock::new(),
            spare: spare.clone(),
        }
    }

    /// The metric's child, on first use the library's describing child if no other metric
    /// took it (else a new one).
    pub(crate) fn child(&self) -> Result<Arc<Child>, HostError> {
        self.child
            .get_or_init(|| {
                let spare = lock(&self.spare).take();
                spare
                    .and_then(|child| child.adopt(&self.metric))
                    .map_or_else(
                        || Child::start(&self.path, &self.sha256, Some(&self.metric), &self.limits),
                        Ok,
                    )
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|cause| HostError::Isolated {
                file: file_name(&self.path),
                metric: self.metric.clone(),
                call: "bind",
                cause,
            })
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// A running child and the pipes to it.
pub(crate) struct Child {
    file: String,
    metric: String,
    limits: Isolation,
    life: Mutex<Life>,
    /// The channels; a call reserves a free one (each carries one call at a time) from
    /// sending its request until it has read the response.
    channels: Vec<Mutex<Channel>>,
    /// Which channels are reserved.
    busy: Mutex<Vec<bool>>,
    /// Signalled when a channel is released.
    freed: std::sync::Condvar,
    output: Arc<Mutex<VecDeque<u8>>>,
    /// The next id for an instance bound with its first batches (see [`Stream`]), named by
    /// the host; the child numbers the others itself from 1.
    next_id: std::sync::atomic::AtomicU64,
}

/// The first id the host names (above any the child gives).
const HOST_IDS: u64 = 1 << 40;

/// The process, and how it ended.
struct Life {
    process: std::process::Child,
    /// The call the child died in and why, once it is gone.
    dead: Option<(&'static str, String)>,
}

/// One request pipe, one response pipe and the shared file for batches (`None`: batches go
/// through the request pipe).
struct Channel {
    to_child: File,
    /// Buffered: a response's parts (and several responses to one request) come in one
    /// read where they have arrived together.
    from_child: BufReader<File>,
    map: Option<shm::HostMap>,
}

/// A request sent to a child, its channel still reserved for the response.
pub(crate) struct Sent {
    child: Arc<Child>,
    channel: usize,
    call: &'static str,
    /// A second answer follows the first, for this call (a merge that also releases: the
    /// merge's answer, then the release's, so a death is put down to the right one).
    then: Option<&'static str>,
    /// Whether the response was read (or there will be none).
    answered: bool,
}

impl Sent {
    /// Waits for the response (at most the call timeout). A plugin error comes back as
    /// [`HostError::Call`]; the child's death as [`HostError::Isolated`].
    pub(crate) fn receive(mut self) -> Result<(Value, Vec<u8>), HostError> {
        self.answered = true;
        let first = self.read(self.call);
        match self.then.take() {
            // The second answer is read even after a plugin error in the first.
            Some(then) => match (first, self.read(then)) {
                (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                (Ok(first), Ok(_)) => Ok(first),
            },
            None => first,
        }
    }

    /// Expects a second answer, for `call`, after the first.
    pub(crate) fn then(mut self, call: &'static str) -> Sent {
        self.then = Some(call);
        self
    }

    fn read(&self, call: &'static str) -> Result<(Value, Vec<u8>), HostError> {
        let frame = {
            let mut channel = lock(&self.child.channels[self.channel]);
            self.child.receive_on(&mut channel, call)
        };
        let (kind, header, body) = frame?;
        match kind {
            wire::OK => Ok((header, body)),
            wire::ERR => Err(self.child.plugin_error(&header)),
            other => Err(self.child.died(call, format!("unexpected message {other}"))),
        }
    }
}

impl Drop for Sent {
    fn drop(&mut self) {
        if !self.answered {
            // Read the responses nobody waited for, so the channel stays in step.
            let mut channel = lock(&self.child.channels[self.channel]);
            for call in std::iter::once(self.call).chain(self.then) {
                if self.child.receive_on(&mut channel, call).is_err() {
                    break;
                }
            }
        }
        self.child.release(self.channel);
    }
}

/// Channels per child: one per core, at most 8 (the engine's default worker count), plus
/// one: a worker keeps a channel of each child reserved while the child works on its last
/// batch (see `cxm_engine`'s chunk processing), so the thread that merges the workers'
/// instances and binds new ones needs one of its own not to wait for them.
fn channel_count() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        + 1
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pipe whose both ends close on exec; `size` asks for a larger buffer.
fn pipe(size: Option<i32>) -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // A larger pipe buffer means fewer round trips for a batch (best effort: a failure
    // leaves the default size).
    if let Some(size) = size {
        // SAFETY: fcntl on a descriptor this function just created.
        unsafe {
            libc::fcntl(fds[1], libc::F_SETPIPE_SZ, size);
        }
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl Child {
    /// An id for an instance the host binds with its first batches.
    pub(crate) fn name_instance(&self) -> u64 {
        self.next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Starts `cxm __plugin-host` for `path` (`metric` `None`: describe the library).
    fn start(
        path: &Path,
        sha256: &str,
        metric: Option<&str>,
        limits: &Isolation,
    ) -> Result<Child, String> {
        let exe =
            std::env::current_exe().map_err(|e| format!("cannot find the cxm binary: {e}"))?;
        // The channels of a metric's child also for a child that describes the library: it may go on
        // to serve one of its metrics.
        let count = channel_count();
        // A shared file per channel for the batches, or none at all (then batches go
        // through the pipes): the child finds channel k's file at descriptor 3 + 2n + k.
        let mut maps: Vec<Option<shm::HostMap>> =
            (0..count).map(|_| shm::HostMap::create().ok()).collect();
        if maps.iter().any(Option::is_none) {
            maps.clear();
        }
        let map_fds: Vec<i32> = maps.iter().flatten().map(shm::HostMap::fd).collect();
        let mut maps = maps.into_iter();
        let mut child_ends: Vec<(OwnedFd, OwnedFd)> = Vec::with_capacity(count);
        let mut channels = Vec::with_capacity(count);
        for _ in 0..count {
            let (req_read, req_write) =
                pipe(Some(1 << 20)).map_err(|e| format!("cannot create a pipe: {e}"))?;
            let (resp_read, resp_write) =
                pipe(None).map_err(|e| format!("cannot create a pipe: {e}"))?;
            child_ends.push((req_read, resp_write));
            channels.push(Mutex::new(Channel {
                to_child: File::from(req_write),
                from_child: BufReader::with_capacity(1 << 16, File::from(resp_read)),
                map: maps.next().flatten(),
            }));
        }
        let (out_read, out_write) =
            std::io::pipe().map_err(|e| format!("cannot create a pipe: {e}"))?;
        let mut cmd = Command::new(exe);
        cmd.arg(SUBCOMMAND).arg(path).arg("--sha256").arg(sha256);
        if let Some(m) = metric {
            cmd.arg("--metric").arg(m);
        }
        cmd.arg("--channels").arg(count.to_string());
        let err_write = out_write
            .try_clone()
            .map_err(|e| format!("cannot create a pipe: {e}"))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out_write))
            .stderr(Stdio::from(err_write));
        // The child's ends, in channel order: request, response, request, response, ...,
        // then the shared files.
        let fds: Vec<i32> = child_ends
            .iter()
            .flat_map(|(req, resp)| [req.as_raw_fd(), resp.as_raw_fd()])
            .chain(map_fds)
            .collect();
        let max_memory = limits.max_memory;
        // SAFETY: the closure runs in the forked child before exec and calls only
        // async-signal-safe functions (fcntl, dup2, close, setrlimit, prctl); `fds` was
        // allocated before the fork and is only read.
        unsafe {
            cmd.pre_exec(move || {
                // Move every end out of the way first (to 64 and up), so placing one at
                // 3, 4, ... cannot overwrite another.
                let mut moved = [0i32; 3 * serve::MAX_CHANNELS];
                for (slot, &fd) in moved.iter_mut().zip(&fds) {
                    *slot = libc::fcntl(fd, libc::F_DUPFD, 64);
                    if *slot < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                for (i, &fd) in moved.iter().take(fds.len()).enumerate() {
                    if libc::dup2(fd, serve::REQUEST_FD + i as i32) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(fd);
                }
                if let Some(bytes) = max_memory {
                    let limit = libc::rlimit {
                        rlim_cur: bytes as libc::rlim_t,
                        rlim_max: bytes as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                // The child must not outlive the host.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let process = cmd
            .spawn()
            .map_err(|e| format!("cannot start the isolated process: {e}"))?;
        drop(cmd);
        drop(child_ends);
        let output = Arc::new(Mutex::new(VecDeque::with_capacity(OUTPUT_TAIL)));
        let tail = output.clone();
        std::thread::spawn(move || drain(out_read, &tail));
        Ok(Child {
            file: file_name(path),
            metric: metric.unwrap_or("").to_string(),
            limits: limits.clone(),
            life: Mutex::new(Life {
                process,
                dead: None,
            }),
            busy: Mutex::new(vec![false; channels.len()]),
            freed: std::sync::Condvar::new(),
            channels,
            output,
            next_id: std::sync::atomic::AtomicU64::new(HOST_IDS),
        })
    }

    /// Starts a child that will describe the library (see [`Child::describe`]).
    pub(crate) fn start_describing(
        path: &Path,
        sha256: &str,
        limits: &Isolation,
    ) -> Result<Child, String> {
        Child::start(path, sha256, None, limits)
    }

    /// Has a child describe the library (`started` by [`Child::start_describing`], or a new
    /// one), and returns the descriptor and the child, which waits to be adopted by one of
    /// the library's metrics ([`Child::adopt`]) or dropped.
    pub(crate) fn describe(
        path: &Path,
        sha256: &str,
        limits: &Isolation,
        started: Option<Child>,
    ) -> Result<(Value, Child), HostError> {
        let isolated = |cause: String| HostError::Isolated {
            file: file_name(path),
            metric: String::new(),
            call: "load",
            cause,
        };
        let child = match started {
            Some(child) => child,
            None => Child::start(path, sha256, None, limits).map_err(isolated)?,
        };
        let (kind, header, _) = child.receive("load")?;
        match kind {
            wire::DESCRIPTOR => Ok((header, child)),
            _ => Err(isolated(
                header["message"]
                    .as_str()
                    .unwrap_or("no descriptor")
                    .to_string(),
            )),
        }
    }

    /// Has a child that described its library serve `metric` (`None`: the child is gone).
    fn adopt(mut self, metric: &str) -> Option<Child> {
        if self.dead_error().is_some() {
            return None;
        }
        self.metric = metric.to_string();
        let written = {
            let channel = self.channels.first()?;
            let mut channel = lock(channel);
            let header = serde_json::json!({ "metric": metric });
            wire::write_frame(&mut channel.to_child, wire::SERVE, &header, b"")
        };
        written.ok().map(|()| self)
    }

    /// What the child wrote last (at most [`OUTPUT_TAIL`] bytes).
    fn output_text(&self) -> String {
        let tail = self.output.lock().unwrap_or_else(|p| p.into_inner());
        let bytes: Vec<u8> = tail.iter().copied().collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The error a child reported for a call (an `ERR` response's header).
    fn plugin_error(&self, header: &Value) -> HostError {
        HostError::Call {
            library: self.file.clone(),
            metric: self.metric.clone(),
            status: cxm_abi::CxmStatus::from_code(header["status"].as_i64().unwrap_or(1) as i32),
            message: header["message"].as_str().unwrap_or("").to_string(),
        }
    }

    fn died(&self, call: &'static str, cause: String) -> HostError {
        HostError::Isolated {
            file: self.file.clone(),
            metric: self.metric.clone(),
            call,
            cause,
        }
    }

    /// Marks the child dead (killing it if needed) and says why. Every channel sees the
    /// death; the first to report it waits for the process and records the cause, the
    /// others get that record.
    fn bury(&self, call: &'static str, timed_out: bool) -> HostError {
        let mut life = lock(&self.life);
        if let Some((during, cause)) = &life.dead {
            return self.died(during, cause.clone());
        }
        if timed_out {
            let _ = life.process.kill();
        }
        let waited = wait_with_usage(&life.process);
        // The drain thread may still be copying the last output.
        std::thread::sleep(Duration::from_millis(20));
        let output = self.output_text();
        let mut cause = if timed_out {
            format!("timeout after {} s", self.limits.timeout().as_secs_f64())
        } else {
            match waited {
                Ok((status, peak)) => describe_exit(status, peak, &output, &self.limits),
                Err(e) => format!("cannot wait for the process: {e}"),
            }
        };
        let tail = last_line(&output);
        if !tail.is_empty() && !timed_out {
            cause.push_str(&format!("; its last output: {tail:?}"));
        }
        life.dead = Some((call, cause.clone()));
        self.died(call, cause)
    }

    /// The error for a call to a child that died earlier, if it did.
    fn dead_error(&self) -> Option<HostError> {
        let life = lock(&self.life);
        let (during, cause) = life.dead.as_ref()?;
        Some(self.died(during, cause.clone()))
    }

    /// Reads one frame from channel 0 (describing a library).
    fn receive(&self, call: &'static str) -> Result<(u8, Value, Vec<u8>), HostError> {
        let mut channel = lock(&self.channels[0]);
        self.receive_on(&mut channel, call)
    }

    /// Reads one frame, waiting at most the call timeout for it to start.
    fn receive_on(
        &self,
        channel: &mut Channel,
        call: &'static str,
    ) -> Result<(u8, Value, Vec<u8>), HostError> {
        if let Some(e) = self.dead_error() {
            return Err(e);
        }
        let deadline = Instant::now() + self.limits.timeout();
        // A response already read into the buffer needs no waiting.
        while channel.from_child.buffer().is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.bury(call, true));
            }
            let mut pfd = libc::pollfd {
                fd: channel.from_child.get_ref().as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = left.as_millis().min(i32::MAX as u128) as i32;
            // SAFETY: one valid pollfd, for the duration of the call.
            let n = unsafe { libc::poll(&mut pfd, 1, ms.max(1)) };
            if n > 0 {
                break;
            }
            if n < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return Err(self.bury(call, true));
            }
        }
        match wire::read_frame(&mut channel.from_child) {
            Ok(Some(frame)) => Ok(frame),
            Ok(None) | Err(_) => Err(self.bury(call, false)),
        }
    }

    /// Reserves a free channel, waiting for one when all are busy.
    fn reserve(&self) -> usize {
        let mut busy = lock(&self.busy);
        loop {
            if let Some(k) = busy.iter().position(|b| !b) {
                busy[k] = true;
                return k;
            }
            busy = self.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn release(&self, k: usize) {
        if let Some(b) = lock(&self.busy).get_mut(k) {
            *b = false;
        }
        self.freed.notify_one();
    }

    /// Sends a request on a reserved channel; the response is read by [`Sent::receive`].
    /// A caller that holds a [`Sent`] of this child must receive it before sending another
    /// request to the same child, or two such callers could wait for each other's channel.
    pub(crate) fn send(
        self: &Arc<Self>,
        call: &'static str,
        kind: u8,
        header: &Value,
        body: &[u8],
    ) -> Result<Sent, HostError> {
        if let Some(e) = self.dead_error() {
            return Err(e);
        }
        let mut sent = Sent {
            child: self.clone(),
            channel: self.reserve(),
            call,
            then: None,
            answered: false,
        };
        let written = {
            let mut channel = lock(&self.channels[sent.channel]);
            wire::write_frame(&mut channel.to_child, kind, header, body)
        };
        if written.is_err() {
            sent.answered = true;
            return Err(self.bury(call, false));
        }
        Ok(sent)
    }

    /// One call: sends the request and waits for its response. A plugin error comes back
    /// as [`HostError::Call`]; the child's death as [`HostError::Isolated`].
    pub(crate) fn call(
        self: &Arc<Self>,
        call: &'static str,
        kind: u8,
        header: &Value,
        body: &[u8],
    ) -> Result<(Value, Vec<u8>), HostError> {
        self.send(call, kind, header, body)?.receive()
    }

    /// Whether the child has died.
    pub(crate) fn is_dead(&self) -> bool {
        lock(&self.life).dead.is_some()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let life = self.life.get_mut().unwrap_or_else(|p| p.into_inner());
        if life.dead.is_none() {
            // Closing the request pipes ends the child's loops; kill it if it lingers.
            let _ = life.process.kill();
            let _ = life.process.wait();
        }
    }
}

/// Copies the child's output into a bounded tail.
fn drain(mut from: std::io::PipeReader, tail: &Mutex<VecDeque<u8>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
        t.extend(&buf[..n]);
        while t.len() > OUTPUT_TAIL {
            t.pop_front();
        }
    }
}

/// Waits for the child and returns its status and peak resident memory (bytes).
fn wait_with_usage(
    process: &std::process::Child,
) -> std::io::Result<(std::process::ExitStatus, u64)> {
    let pid = process.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waits for our own child, writing into locals that outlive the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let peak = u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024;
    Ok((std::process::ExitStatus::from_raw(status), peak))
}

/// The last non-empty line of `text`, without control characters, at most 300 characters.
fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect()
}

/// Why a child ended, in words: `SIGSEGV`, `exit status 0`, `memory limit 512 MiB
/// exceeded`. An abnormal end is put down to the memory limit when the child said an
/// allocation failed, or when it had used at least half the limit in resident memory (a
/// C plugin whose `malloc` failed may crash without a word).
fn describe_exit(
    status: std::process::ExitStatus,
    peak: u64,
    output: &str,
    limits: &Isolation,
) -> String {
    let said = [
        "memory allocation of",
        "out of memory",
        "Cannot allocate memory",
        "bad_alloc",
    ]
    .iter()
    .any(|m| output.contains(m));
    if let Some(max) = limits.max_memory {
        let abnormal = status.signal().is_some() || status.code() != Some(0);
        if abnormal && (said || peak >= max / 2) {
            return format!("memory limit {} exceeded", format_bytes(max));
        }
    }
    if let Some(signal) = status.signal() {
        return signal_name(signal);
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "ended".to_string(),
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGSYS => "SIGSYS",
        libc::SIGTRAP => "SIGTRAP",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_words() {
        assert_eq!(format_bytes(512 << 20), "512 MiB");
        assert_eq!(format_bytes(2 << 30), "2 GiB");
        assert_eq!(format_bytes(1000), "1000 bytes");
    }

    #[test]
    fn exits_in_words() {
        let limits = Isolation {
            max_memory: Some(256 << 20),
            ..Default::default()
        };
        let signaled = std::process::ExitStatus::from_raw(libc::SIGSEGV);
        assert_eq!(describe_exit(signaled, 0, "", &limits), "SIGSEGV");
        let exited = std::process::ExitStatus::from_raw(3 << 8);
        assert_eq!(describe_exit(exited, 0, "", &limits), "exit status 3");
        let aborted = std::process::ExitStatus::from_raw(libc::SIGABRT);
        let said = "memory allocation of 99 bytes failed\nnote: run with RUST_BACKTRACE=1";
        assert_eq!(
            describe_exit(aborted, 0, said, &limits),
            "memory limit 256 MiB exceeded"
        );
        assert_eq!(
            describe_exit(signaled, 200 << 20, "", &limits),
            "memory limit 256 MiB exceeded",
            "a silent crash after using most of the limit"
        );
        assert_eq!(
            describe_exit(aborted, 0, said, &Isolation::default()),
            "SIGABRT"
        );
        let fine = std::process::ExitStatus::from_raw(0);
        assert_eq!(describe_exit(fine, 200 << 20, "", &limits), "exit status 0");
    }
}
