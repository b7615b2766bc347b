//! Test fixture (`tests/plugin_faults.rs`): a metric that counts rows, and does one bad
//! thing in one call when its params say so: `params = { fault = "segfault", call = "update" }`.
//!
//! Faults that take the process down (only process isolation can contain them):
//! `segfault`, `abort`, `double_panic` (a panic while unwinding from a panic: Rust aborts),
//! `stack_overflow`, `exit0` (`std::process::exit(0)`), `endless_loop`, `alloc` (allocates
//! and touches 16 MiB chunks until the allocator gives up).
//! Faults the process survives: `stdout` (`println!` from the plugin), and results that
//! break the result contract: `n_negative` (n = -1), `n_nan` (n = NaN, written as `null`),
//! `ci_inverted` (a confidence interval with low > high).
//!
//! `call` is `bind`, `update`, `merge`, `finish` or `release` (default `update`; `release`
//! is when the host frees an instance: the metric's `Drop`); the result faults happen in
//! `finish` whatever it says. Every fault happens at the first such call, or for `update`
//! at the first row after `after` rows (`params = { fault = "panic", after = 150 }`: in a
//! later batch), and for `bind` at the first bind after `after` binds in the process (the
//! host binds one instance to check the params, then one per chunk of data: `after = 1`
//! is the first chunk's). `panic` panics, which the SDK reports as the plugin's error.

use cxm_sdk::prelude::*;
use std::hint::black_box;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Params {
    fault: String,
    call: String,
    after: u64,
}

struct Faulty {
    fault: String,
    call: String,
    /// Whether this instance has printed yet (`update` runs once per row).
    printed: AtomicBool,
    /// Rows to update before the fault, and rows updated so far.
    after: u64,
    rows: AtomicU64,
}

/// Instances bound in this process so far.
static BINDS: AtomicU64 = AtomicU64::new(0);

/// Panics when dropped: dropped while a panic unwinds, it makes a double panic.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("deliberate second panic, in Drop while unwinding");
    }
}

/// Recurses until the stack runs out (the depth test keeps the compiler from proving it).
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 256]);
    if depth == u64::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[black_box(7)])
}

/// Does the fault (the process-killing ones never return).
fn crash(fault: &str) {
    match fault {
        "segfault" => {
            // An address in the never-mapped first page: a real SIGSEGV, not raise().
            let p = black_box(16usize) as *mut u64;
            // SAFETY: none; this is the fault under test.
            unsafe { p.write_volatile(0xdead_beef) };
        }
        "abort" => std::process::abort(),
        "double_panic" => {
            let _armed = PanicOnDrop;
            panic!("deliberate first panic");
        }
        "stack_overflow" => {
            black_box(recurse(black_box(0)));
        }
        "exit0" => std::process::exit(0),
        "panic" => panic!("deliberate panic"),
        "endless_loop" => {
            let mut spins = 0u64;
            loop {
                spins = black_box(spins.wrapping_add(1));
            }
        }
        "alloc" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 16 << 20]);
                black_box(&hoard);
            }
        }
        _ => {}
    }
}

impl Faulty {
    fn at(&self, call: &str) {
        if self.call != call {
            return;
        }
        if self.fault == "stdout" {
            // A line, then a partial line, once per instance.
            if !self.printed.swap(true, Ordering::Relaxed) {
                println!("faulty plugin: this line went to stdout during {call}");
                print!("{{\"not\": \"the report\"");
                let _ = std::io::stdout().flush();
            }
            return;
        }
        crash(&self.fault);
    }
}

impl Drop for Faulty {
    /// The SDK drops the metric when the host releases the instance.
    fn drop(&mut self) {
        self.at("release");
    }
}

impl Metric for Faulty {
    const NAME: &'static str = "faulty";
    const DESCRIPTION: &'static str =
        "Counts rows, then crashes, hangs or lies where told to (test fixture).";
    const INPUTS: &'static [Input] = &[Input::required("score", InputType::Integer, "any integer")];
    type Params = Params;
    type State = f64;

    fn bind(params: Params, _: &BoundInputs) -> Result<Self, String> {
        let call = match params.call.as_str() {
            "" => "update".to_string(),
            c @ ("bind" | "update" | "merge" | "finish" | "release") => c.to_string(),
            other => {
                return Err(format!(
                    "call = {other:?}: bind, update, merge, finish or release"
                ))
            }
        };
        let metric = Faulty {
            fault: params.fault,
            call,
            printed: AtomicBool::new(false),
            after: params.after,
            rows: AtomicU64::new(0),
        };
        if BINDS.fetch_add(1, Ordering::Relaxed) >= metric.after {
            metric.at("bind");
        }
        Ok(metric)
    }

    fn update(&self, n: &mut f64, row: &Row<'_>) -> Result<(), Reject> {
        if self.rows.fetch_add(1, Ordering::Relaxed) >= self.after {
            self.at("update");
        }
        *n += row.weight();
        Ok(())
    }

    fn merge(&self, into: &mut f64, from: &f64) {
        self.at("merge");
        *into += from;
    }

    fn finish(&self, n: &f64) -> MetricResult {
        self.at("finish");
        let mut result = MetricResult {
            value: Some(*n),
            n: *n,
            unit: "rows".into(),
            ..Default::default()
        };
        match self.fault.as_str() {
            "n_negative" => result.n = -1.0,
            "n_nan" => result.n = f64::NAN,
            "ci_inverted" => {
                result.ci = Some(Interval {
                    low: *n + 1.0,
                    high: *n - 1.0,
                    level: 0.95,
                    method: "upside down".into(),
                })
            }
            _ => {}
        }
        result
    }
}

export_plugin!(Faulty);
