//! While plugins run, the report's stdout is kept out of their reach: file descriptor 1
//! points to stderr (so a plugin's `printf` cannot corrupt `--format json`), and an
//! in-process plugin's `exit()` is caught and reported (`cxm_host::guard`). The report is
//! written through [`PluginGuard::report_stdout`]; the guard is dropped only after the
//! plugins' instances are released, and then flushes whatever C stdio buffered, puts
//! stdout back and disarms the exit guard.

use std::io::Write;

/// Diverts stdout and arms the exit guard until dropped.
pub struct PluginGuard {
    saved_stdout: Option<i32>,
}

impl PluginGuard {
    /// Starts guarding; if stdout cannot be diverted, plugins write where they always did.
    pub fn begin() -> PluginGuard {
        let _ = std::io::stdout().flush();
        // SAFETY: dup and dup2 on the process's standard descriptors; failures are checked
        // and leave stdout as it was.
        let saved = unsafe {
            let saved = libc::dup(1);
            if saved >= 0 && libc::dup2(2, 1) < 0 {
                libc::close(saved);
                -1
            } else {
                saved
            }
        };
        cxm_host::guard::begin_run();
        PluginGuard {
            saved_stdout: (saved >= 0).then_some(saved),
        }
    }
}

impl PluginGuard {
    /// The report's stdout while plugins still hold fd 1: a file on the saved descriptor
    /// (or on fd 1 itself when nothing was diverted).
    pub fn report_stdout(&self) -> std::io::Result<std::fs::File> {
        let fd = self.saved_stdout.unwrap_or(1);
        // SAFETY: duplicates a descriptor this guard keeps open (or stdout); the copy is
        // owned by the returned file.
        let copy = unsafe { libc::dup(fd) };
        if copy < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `copy` is a new descriptor that nothing else owns.
        Ok(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(copy) })
    }

    /// Whether the report's stdout is a terminal.
    pub fn report_is_terminal(&self) -> bool {
        // SAFETY: isatty only inspects the descriptor.
        unsafe { libc::isatty(self.saved_stdout.unwrap_or(1)) == 1 }
    }
}

impl Drop for PluginGuard {
    fn drop(&mut self) {
        cxm_host::guard::end_run();
        if let Some(saved) = self.saved_stdout.take() {
            // SAFETY: flushes C stdio buffers (a plugin's printf) into the diverted stdout,
            // then restores the saved descriptor and closes the copy.
            unsafe {
                libc::fflush(std::ptr::null_mut());
                libc::dup2(saved, 1);
                libc::close(saved);
            }
        }
    }
}
