//! A minimal Chrome DevTools Protocol client for the browser tests: launches headless
//! Chromium with `--remote-debugging-pipe` (JSON messages separated by NUL bytes; the browser
//! reads commands from fd 3 and writes responses and events to fd 4), opens pages as flattened
//! sessions, and sends commands with bounded waits. The browser (and its process group) is
//! killed when the `Browser` is dropped, so a failing test never leaves it behind.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any single wait (a response, an event) may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub type Result<T> = std::result::Result<T, String>;

/// A running headless Chromium.
pub struct Browser {
    child: Child,
    commands: File,
    messages: Receiver<Value>,
    next_id: u64,
    /// Every event received so far, in order (each with `method`, `params`, `sessionId`).
    events: Vec<Value>,
    profile: tempfile::TempDir,
}

/// A page (tab) attached as a flattened session.
pub struct Page<'b> {
    browser: &'b mut Browser,
    target_id: String,
    session_id: String,
    /// Index into `browser.events` where this page's events start.
    first_event: usize,
}

/// Creates a pipe whose two ends are close-on-exec (so other tests' children never inherit
/// them). Returns (read end, write end).
fn pipe() -> Result<(RawFd, RawFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    if rc != 0 {
        return Err(format!("pipe2: {}", std::io::Error::last_os_error()));
    }
    Ok((fds[0], fds[1]))
}

impl Browser {
    /// Launches `binary` headless on about:blank with a fresh profile.
    pub fn launch(binary: &Path) -> Result<Browser> {
        let profile = tempfile::tempdir().map_err(|e| format!("temp profile: {e}"))?;
        let log = File::create(profile.path().join("chromium-stderr.log"))
            .map_err(|e| format!("log file: {e}"))?;
        let (cmd_read, cmd_write) = pipe()?;
        let (msg_read, msg_write) = pipe()?;
        let mut command = Command::new(binary);
        // Besides the usual headless flags: no scrollbars in screenshots, and shared memory
        // in /tmp (CI containers often have a small /dev/shm; Debian's wrapper script tries to
        // detect that but its test fails when findmnt prints two lines).
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--hide-scrollbars",
                "--disable-dev-shm-usage",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(["--remote-debugging-pipe", "about:blank"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // SAFETY: the closure runs in the forked child before exec and calls only
        // async-signal-safe functions (setpgid, fcntl, dup2) on descriptors that are open in
        // the child. The ends are first copied above fd 10 so that dup2 onto 3 and 4 cannot
        // clobber one with the other; dup2 clears close-on-exec on the new descriptors.
        unsafe {
            command.pre_exec(move || {
                libc::setpgid(0, 0);
                let r = libc::fcntl(cmd_read, libc::F_DUPFD_CLOEXEC, 10);
                let w = libc::fcntl(msg_write, libc::F_DUPFD_CLOEXEC, 10);
                if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let spawned = command.spawn();
        // SAFETY: these descriptors came from pipe2 above and are owned here alone; the child
        // has its own copies. Wrapping them in Files closes the ends we do not use.
        let (commands, messages_in) = unsafe {
            drop(File::from_raw_fd(cmd_read));
            drop(File::from_raw_fd(msg_write));
            (File::from_raw_fd(cmd_write), File::from_raw_fd(msg_read))
        };
        let child = spawned.map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let (tx, messages) = mpsc::channel();
        // The reader ends on EOF (the browser exited) or when nobody listens any more.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(messages_in);
            let mut buf = Vec::new();
            while matches!(reader.read_until(0, &mut buf), Ok(n) if n > 0) {
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                let msg = serde_json::from_slice(&buf)
                    .unwrap_or_else(|e| json!({"method": "cdp.invalid", "params": e.to_string()}));
                if tx.send(msg).is_err() {
                    break;
                }
                buf.clear();
            }
        });
        let mut browser = Browser {
            child,
            commands,
            messages,
            next_id: 0,
            events: Vec::new(),
            profile,
        };
        browser
            .call(None, "Browser.getVersion", json!({}))
            .map_err(|e| format!("{e}; {}", browser.log_tail()))?;
        Ok(browser)
    }

    /// The end of Chromium's stderr, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.profile.path().join("chromium-stderr.log"))
            .unwrap_or_default();
        let start = text.len().saturating_sub(2000);
        let start = (start..text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        format!("chromium stderr: {}", &text[start..])
    }

    /// Sends `method` (to `session`, or the browser) and waits for its response's `result`.
    /// Events arriving meanwhile are kept in `events`.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).expect("serialise");
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .map_err(|e| format!("{method}: cannot write to the browser: {e}"))?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.receive(deadline, method)?;
            if msg["id"] == json!(id) {
                if let Some(err) = msg.get("error") {
                    return Err(format!("{method}: {err}"));
                }
                return Ok(msg["result"].clone());
            }
            if msg.get("method").is_some() {
                self.events.push(msg);
            }
        }
    }

    /// Receives one message before `deadline`.
    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Result<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(msg) => Ok(msg),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "timed out after {TIMEOUT:?} waiting for {waiting_for}"
            )),
            Err(RecvTimeoutError::Disconnected) => Err(format!(
                "the browser exited while waiting for {waiting_for}; {}",
                self.log_tail()
            )),
        }
    }

    /// Opens a new blank page, attached as a flattened session, with `Runtime`, `Log`,
    /// `Network` and `Page` events enabled and a fixed 1200×900 viewport.
    pub fn new_page(&mut self) -> Result<Page<'_>> {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
        let target_id = target["targetId"].as_str().ok_or("no targetId")?.to_owned();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        )?;
        let session_id = attached["sessionId"]
            .as_str()
            .ok_or("no sessionId")?
            .to_owned();
        let first_event = self.events.len();
        let mut page = Page {
            browser: self,
            target_id,
            session_id,
            first_event,
        };
        for domain in ["Runtime", "Log", "Network", "Page"] {
            page.call(&format!("{domain}.enable"), json!({}))?;
        }
        page.set_viewport(1200, 900)?;
        Ok(page)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with the negated pid of the child we spawned: its own process group
        // (set with setpgid in pre_exec), i.e. the browser and its helper processes only.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Page<'_> {
    /// Sends `method` to this page's session and waits for the result.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        let session = self.session_id.clone();
        self.browser.call(Some(&session), method, params)
    }

    /// The events of this page received so far.
    pub fn events(&self) -> impl Iterator<Item = &Value> {
        self.browser.events[self.first_event..]
            .iter()
            .filter(|e| e["sessionId"].as_str() == Some(&self.session_id))
    }

    /// Waits until an event `method` arrives for this page after event index `after`.
    fn wait_event(&mut self, method: &str, after: usize) -> Result<Value> {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = after;
        loop {
            let events = &self.browser.events;
            if let Some(e) = events[seen..].iter().find(|e| {
                e["method"] == method && e["sessionId"].as_str() == Some(&self.session_id)
            }) {
                return Ok(e.clone());
            }
            seen = events.len();
            let msg = self.browser.receive(deadline, method)?;
            if msg.get("method").is_some() {
                self.browser.events.push(msg);
            }
        }
    }

    /// Navigates to `url` and waits for its load event.
    pub fn navigate(&mut self, url: &str) -> Result<()> {
        let before = self.browser.events.len();
        let r = self.call("Page.navigate", json!({"url": url}))?;
        if let Some(err) = r.get("errorText") {
            return Err(format!("navigating to {url}: {err}"));
        }
        // A late load event of the initial about:blank must not count: wait until the
        // document that fired it is the one asked for.
        let mut after = before;
        loop {
            self.wait_event("Page.loadEventFired", after)?;
            after = self.browser.events.len();
            let here = self.evaluate("document.readyState + ' ' + location.href")?;
            if here
                .as_str()
                .is_some_and(|h| h.starts_with("complete ") && h != "complete about:blank")
            {
                return Ok(());
            }
        }
    }

    /// Evaluates `expression` (promises awaited) and returns its value as JSON.
    pub fn evaluate(&mut self, expression: &str) -> Result<Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(format!("evaluating {expression:?}: {ex}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Sets a fixed viewport (desktop, scale factor 1).
    pub fn set_viewport(&mut self, width: u32, height: u32) -> Result<()> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )?;
        Ok(())
    }

    /// Prints the page to PDF with `Page.printToPDF` `params`; returns the PDF's bytes.
    pub fn print_to_pdf(&mut self, params: Value) -> Result<Vec<u8>> {
        let r = self.call("Page.printToPDF", params)?;
        base64_decode(r["data"].as_str().ok_or("printToPDF: no data")?)
    }

    /// A PNG screenshot of the viewport, or of `clip` (`{x, y, width, height, scale}`).
    pub fn screenshot(&mut self, clip: Option<Value>) -> Result<Vec<u8>> {
        let mut params = json!({"format": "png", "captureBeyondViewport": clip.is_some()});
        if let Some(clip) = clip {
            params["clip"] = clip;
        }
        let r = self.call("Page.captureScreenshot", params)?;
        base64_decode(r["data"].as_str().ok_or("captureScreenshot: no data")?)
    }
}

impl Drop for Page<'_> {
    fn drop(&mut self) {
        let target = json!({"targetId": self.target_id});
        let _ = self.browser.call(None, "Target.closeTarget", target);
    }
}

/// Decodes standard base64 (with or without `=` padding; whitespace ignored).
pub fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("invalid base64 byte {c:#04x}")),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}
