//! A run's guard against a plugin that ends the whole process: an in-process plugin that
//! calls `exit()` (with any status, 0 included) while a run is in progress would otherwise
//! make a failed run look like a success. An `atexit` handler, armed for the run, reports
//! which plugin library, metric and call were active on the exiting thread and ends the
//! process with [`EXIT_PLUGIN_ENDED_PROCESS`] instead.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

/// The exit code of a run that a plugin ended with `exit()`.
pub const EXIT_PLUGIN_ENDED_PROCESS: i32 = 6;

static RUN_ACTIVE: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

/// A plugin call in progress: library, metric, call.
struct CallInfo {
    library: String,
    metric: String,
    call: &'static str,
}

thread_local! {
    /// The plugin call in progress on this thread. A plain pointer: glibc's `exit` runs the
    /// calling thread's thread-local destructors before the `atexit` handlers, so a value
    /// with a destructor would be gone when [`on_exit`] reads it.
    static CALL: Cell<*const CallInfo> = const { Cell::new(std::ptr::null()) };
}

extern "C" fn on_exit() {
    if !RUN_ACTIVE.load(Ordering::SeqCst) {
        return;
    }
    let current = CALL.try_with(Cell::get).unwrap_or(std::ptr::null());
    // SAFETY: a non-null pointer is the `CallInfo` of a `CallScope` that is still alive on
    // this thread (exit() does not return, so the scope was not dropped).
    let who = unsafe { current.as_ref() }.map(|c| (c.library.as_str(), c.metric.as_str(), c.call));
    let message = match who {
        Some((library, metric, call)) => format!(
            "error: plugin library {library} (metric \"{metric}\") ended the process with exit() during {call}; the run is incomplete and nothing was written (isolation = \"process\" in the plugin registry contains such a plugin)\n"
        ),
        None => "error: a plugin ended the process with exit() during the run; the run is incomplete and nothing was written\n".to_string(),
    };
    // SAFETY: writes a buffer we own to stderr, then ends the process without running
    // further exit handlers (the plugin's exit status must not stand).
    unsafe {
        libc::write(2, message.as_ptr().cast(), message.len());
        libc::_exit(EXIT_PLUGIN_ENDED_PROCESS);
    }
}

/// Arms the guard for a run (the `atexit` handler is installed once per process).
pub fn begin_run() {
    INSTALL.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()` that stays valid for the process.
        unsafe {
            libc::atexit(on_exit);
        }
    });
    RUN_ACTIVE.store(true, Ordering::SeqCst);
}

/// Disarms the guard: the run is over, a normal `exit` follows.
pub fn end_run() {
    RUN_ACTIVE.store(false, Ordering::SeqCst);
}

/// Marks a plugin call as in progress on this thread until dropped.
pub(crate) struct CallScope {
    info: Box<CallInfo>,
    previous: *const CallInfo,
}

impl CallScope {
    pub(crate) fn enter(library: &str, metric: &str, call: &'static str) -> CallScope {
        let info = Box::new(CallInfo {
            library: library.to_string(),
            metric: metric.to_string(),
            call,
        });
        let previous = CALL
            .try_with(|c| c.replace(&*info as *const CallInfo))
            .unwrap_or(std::ptr::null());
        CallScope { info, previous }
    }
}

impl Drop for CallScope {
    fn drop(&mut self) {
        let _ = CALL.try_with(|c| c.set(self.previous));
        let _ = &self.info;
    }
}
