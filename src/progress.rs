//! A progress line on stderr for runs longer than a second, shown only when stderr is a
//! terminal.

use cxm_engine::Progress;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Draws and clears the progress line.
pub struct ProgressLine {
    enabled: bool,
    start: Instant,
    last: Option<Instant>,
}

impl ProgressLine {
    /// A progress line that draws only on a terminal.
    pub fn new() -> Self {
        ProgressLine {
            enabled: std::io::stderr().is_terminal(),
            start: Instant::now(),
            last: None,
        }
    }

    /// Redraws at most ten times a second, after the first second.
    pub fn update(&mut self, p: &Progress) {
        let now = Instant::now();
        if !self.enabled
            || now.duration_since(self.start) < Duration::from_secs(1)
            || self
                .last
                .is_some_and(|l| now.duration_since(l) < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        let secs = now.duration_since(self.start).as_secs_f64().max(1e-9);
        let rate = p.bytes_read as f64 / secs;
        let mb = |b: u64| b as f64 / 1_000_000.0;
        let mut line = format!("{}: {:.0} MB", p.dataset, mb(p.bytes_read));
        if let Some(total) = p.bytes_total.filter(|t| *t > 0) {
            let pct = 100.0 * p.bytes_read as f64 / total as f64;
            let eta = total.saturating_sub(p.bytes_read) as f64 / rate.max(1.0);
            line = format!(
                "{}: {pct:.0}% ({:.0} of {:.0} MB), ETA {eta:.0} s",
                p.dataset,
                mb(p.bytes_read),
                mb(total)
            );
        }
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2K{line}, {} rows, {:.1} MB/s",
            p.rows,
            rate / 1_000_000.0
        );
    }

    /// Clears the line if it was drawn.
    pub fn finish(&mut self) {
        if self.last.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
