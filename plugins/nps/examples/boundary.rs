//! Benchmark (run by hand, not a test): the cost of the plugin boundary. The same NPS
//! metric runs over the same 10M scores in 16,384-row batches with 200 groups, once
//! compiled into this program (a plain loop calling `Nps::tally` per row) and once through
//! the real plugin library (loaded by `cxm-host`, columns crossing as the Arrow C Data
//! Interface, the SDK's row loop inside the plugin). Both must give the same counts.
//!
//! ```sh
//! cargo build --release -p cxm-plugin-nps
//! cargo run --release -p cxm-plugin-nps --example boundary [ROWS]
//! ```

use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::DataType;
use cxm_host::{load_library, InstanceBatch, Shared};
use cxm_plugin_nps::{Nps, NpsParams, NpsState};
use cxm_sdk::Reject;
use std::sync::Arc;
use std::time::Instant;

const BATCH: usize = 16_384;
const GROUPS: u32 = 200;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 10_000_000,
    };
    // Deterministic scores 0-10 with ~1% empty, and group ids.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let batches: Vec<(ArrayRef, Vec<u32>)> = (0..rows.div_ceil(BATCH))
        .map(|b| {
            let len = BATCH.min(rows - b * BATCH);
            let scores: Int64Array = (0..len)
                .map(|_| {
                    let r = next();
                    (r % 100 != 0).then_some(((r >> 8) % 11) as i64)
                })
                .collect();
            let groups = (0..len)
                .map(|_| (next() % u64::from(GROUPS)) as u32)
                .collect();
            (Arc::new(scores) as ArrayRef, groups)
        })
        .collect();

    let runs = 5;
    let metric = Nps::new(serde_json::from_str::<NpsParams>("{}")?)?;
    // Compiled in, bare: the metric's own per-row function in a plain loop, no row status.
    let (bare_best, bare) = compiled_in(&metric, &batches, runs, false)?;
    // Compiled in, accounted: the same loop recording each row's status (used or the
    // rejection code), as a metric built into the host would have to for its row counts.
    let (direct_best, direct) = compiled_in(&metric, &batches, runs, true)?;
    if bare != direct {
        return Err("the two compiled-in loops disagree".into());
    }

    // Through the plugin library.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release");
    let path = root.join(format!(
        "{}cxm_plugin_nps{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let library = load_library(&path, None)?;
    let def = library
        .metrics
        .iter()
        .find(|m| m.name == "nps")
        .ok_or("no nps metric")?;
    let mut plugin_best = f64::MAX;
    let mut status = vec![0u8; BATCH];
    let mut instance = def.bind("{}", &[("score".into(), DataType::Int64)])?;
    for _ in 0..runs {
        instance = def.bind("{}", &[("score".into(), DataType::Int64)])?;
        let start = Instant::now();
        for (scores, groups) in &batches {
            let status = &mut status[..groups.len()];
            status.fill(0);
            instance.update(InstanceBatch {
                columns: std::slice::from_ref(scores),
                weights: None,
                group_ids: Some(groups),
                num_groups: GROUPS,
                row_status: status,
                // One metric: nothing it is lent is read by another (as in a run).
                shared: Shared::NONE,
            })?;
        }
        plugin_best = plugin_best.min(start.elapsed().as_secs_f64());
    }
    for (g, state) in direct.iter().enumerate() {
        let result = instance.finish(g as u32)?;
        if result.n != state.n() {
            return Err(format!("group {g}: n {} vs {}", result.n, state.n()).into());
        }
    }
    println!("rows: {rows}, batches of {BATCH}, {GROUPS} groups, best of {runs}");
    println!("compiled in, bare loop:        {bare_best:.4} s");
    println!("compiled in, with row status:  {direct_best:.4} s");
    println!("plugin (FFI):                  {plugin_best:.4} s");
    let percent = |base: f64| 100.0 * (plugin_best - base) / base;
    println!(
        "overhead:                      {:+.1}% (vs with row status), {:+.1}% (vs bare loop)",
        percent(direct_best),
        percent(bare_best)
    );
    Ok(())
}

type Batches = [(ArrayRef, Vec<u32>)];

/// Runs NPS over `batches` compiled into this program, best wall time of `runs`; with
/// `record_status`, each row's outcome is written to a status vector as the SDK does.
fn compiled_in(
    metric: &Nps,
    batches: &Batches,
    runs: usize,
    record_status: bool,
) -> Result<(f64, Vec<NpsState>), Box<dyn std::error::Error>> {
    let mut best = f64::MAX;
    let mut states = Vec::new();
    let mut status = vec![0u8; BATCH];
    for _ in 0..runs {
        let start = Instant::now();
        states = vec![NpsState::default(); GROUPS as usize];
        for (scores, groups) in batches {
            let scores = scores
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or("not Int64")?;
            if record_status {
                let status = &mut status[..groups.len()];
                status.fill(0);
                for (i, (&g, code)) in groups.iter().zip(status.iter_mut()).enumerate() {
                    let score = scores.is_valid(i).then(|| scores.value(i));
                    if let Err(reason) = metric.tally(&mut states[g as usize], score, 1.0) {
                        *code = reason_code(reason);
                    }
                }
            } else {
                for (i, &g) in groups.iter().enumerate() {
                    let score = scores.is_valid(i).then(|| scores.value(i));
                    let _ = metric.tally(&mut states[g as usize], score, 1.0);
                }
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok((best, states))
}

/// The ABI row-status code of a rejection (the subset NPS produces).
fn reason_code(reason: Reject) -> u8 {
    match reason {
        Reject::Empty => cxm_sdk::abi::ROW_EMPTY,
        Reject::OutOfScale => cxm_sdk::abi::ROW_OUT_OF_SCALE,
        _ => cxm_sdk::abi::ROW_INVALID_VALUE,
    }
}
