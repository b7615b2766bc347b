//! The child side of process isolation: `cxm __plugin-host` loads one plugin library (the
//! bytes the host verified, by SHA-256) and serves the host's calls over one or more
//! channels, channel `k` being file descriptors `3 + 2k` (requests) and `4 + 2k`
//! (responses), and `3 + 2n + k` (of `n` channels) its shared file for batches, when the
//! host sends batches that way ([`super::shm`]). Each channel has its own thread, so the host's worker threads update their
//! own instances at the same time, as they do in-process (the ABI lets different instances
//! be used from different threads); all instances live in this one process, so any two can
//! be merged. Whatever the plugin does to this process — a crash, an `exit`, a runaway
//! allocation, writes to stdout — stays here; the host sees the process die and reports it.

use super::layout::{self, SharedBatch};
use super::shm::ChildMap;
use super::wire::{self, DecodedBatch};
use crate::instance::{Instance, InstanceBatch};
use crate::library::{load_library, Library, MetricDef};
use arrow_schema::DataType;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::os::fd::FromRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The request descriptor of channel 0, which the host writes to.
pub const REQUEST_FD: i32 = 3;
/// The response descriptor of channel 0, which the host reads.
pub const RESPONSE_FD: i32 = 4;
/// Most channels a child serves.
pub const MAX_CHANNELS: usize = 16;
/// Stack of a channel thread: the main thread's usual 8 MiB, so that a plugin recursing as
/// deep as it may in-process does not overflow here first.
const CHANNEL_STACK: usize = 8 << 20;

/// The library's descriptor as the host rebuilds it.
pub fn descriptor_json(lib: &Library) -> Value {
    json!({
        "name": lib.name,
        "version": lib.version,
        "abi": lib.abi,
        "panic_unwind": lib.panic_unwind,
        "sha256": lib.sha256,
        "metrics": lib.metrics.iter().map(|m| json!({
            "name": m.name,
            "description": m.description,
            "inputs": m.inputs.iter().map(|i| json!({
                "name": i.name, "arrow_format": i.arrow_format,
                "required": i.required, "description": i.description,
            })).collect::<Vec<_>>(),
            "params_doc": m.params_doc,
            "reasons": m.reasons,
        })).collect::<Vec<_>>(),
    })
}

/// Runs the child: serves `metric`'s calls on `channels` channels until the host closes
/// them all. With `metric` `None`, first sends the library's descriptor (on channel 0), then
/// waits there for the host either to close it (the process ends) or to name the metric to
/// serve ([`wire::SERVE`]), so that the process that described the library, with it loaded,
/// serves its first metric used. Returns the process exit code.
pub fn serve(path: &Path, sha256: &str, metric: Option<&str>, channels: usize) -> i32 {
    let channels = channels.clamp(1, MAX_CHANNELS);
    // One malloc arena for the whole process: glibc would otherwise reserve 64 MiB of
    // address space per channel thread, which the address-space limit (`max_memory`)
    // counts as if the plugin had used it.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread of
    // this process exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
    // SAFETY: the host started this process with these descriptors open (a pipe each, two
    // per channel); nothing else in this process owns them.
    let mut pipes: Vec<(File, File)> = (0..channels as i32)
        .map(|k| unsafe {
            (
                File::from_raw_fd(REQUEST_FD + 2 * k),
                File::from_raw_fd(RESPONSE_FD + 2 * k),
            )
        })
        .collect();
    let lib = match load_library(path, Some(sha256)) {
        Ok(lib) => lib,
        Err(e) => {
            let _ = wire::write_frame(
                &mut pipes[0].1,
                wire::ERR,
                &json!({"status": 1, "message": e.to_string()}),
                b"",
            );
            return 1;
        }
    };
    let adopted;
    let metric = match metric {
        Some(metric) => metric,
        None => {
            if wire::write_frame(
                &mut pipes[0].1,
                wire::DESCRIPTOR,
                &descriptor_json(&lib),
                b"",
            )
            .is_err()
            {
                return 1;
            }
            // Read unbuffered: the channel's reader takes over after this frame.
            adopted = match wire::read_frame(&mut pipes[0].0) {
                Ok(Some((wire::SERVE, header, _))) => {
                    header["metric"].as_str().unwrap_or("").to_string()
                }
                Ok(None) => return 0,
                _ => return 1,
            };
            adopted.as_str()
        }
    };
    let Some(def) = lib.metrics.iter().find(|m| m.name == metric) else {
        let message = format!("library {} exports no metric {metric}", lib.name);
        let _ = wire::write_frame(
            &mut pipes[0].1,
            wire::ERR,
            &json!({"status": 1, "message": message}),
            b"",
        );
        return 1;
    };
    let server = Server {
        def,
        instances: Mutex::new(HashMap::new()),
        next: AtomicU64::new(1),
    };
    let failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for (k, (input, output)) in pipes.into_iter().enumerate() {
            let (server, failed) = (&server, &failed);
            // Only mapped when a shared batch arrives, which the host sends only when it
            // placed the file at this descriptor.
            let map = ChildMap::new(REQUEST_FD + 2 * channels as i32 + k as i32);
            let spawned = std::thread::Builder::new()
                .stack_size(CHANNEL_STACK)
                .spawn_scoped(scope, move || {
                    if !serve_channel(server, input, output, map) {
                        failed.store(true, Ordering::Relaxed);
                    }
                });
            if spawned.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
        }
    });
    i32::from(failed.load(Ordering::Relaxed))
}

/// Serves one channel until the host closes it (`true`) or it breaks (`false`).
fn serve_channel(server: &Server<'_>, input: File, output: File, mut map: ChildMap) -> bool {
    // Small, so that a large body is read straight into its own allocation.
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut output = BufWriter::with_capacity(1 << 16, output);
    loop {
        let frame = match wire::read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            Ok(None) => return true,
            Err(_) => return false,
        };
        if frame.0 == wire::FINISH_MANY {
            if !server.finish_many(&frame.1, &frame.2, &mut output) {
                return false;
            }
            continue;
        }
        if frame.0 == wire::UPDATE_BATCHES {
            if !server.update_batches(&frame.1, &frame.2, &mut map, &mut output) {
                return false;
            }
            continue;
        }
        // `"release": true` on a merge: the host gives the merged instance up with it (one
        // request instead of two). The merge's answer goes out first, then the instance is
        // released whether or not the merge worked, and that is answered too.
        let release = (frame.0 == wire::MERGE && frame.1["release"].as_bool() == Some(true))
            .then(|| frame.1["from"].as_u64().unwrap_or(0));
        if !answer(&mut output, server.handle(frame)) {
            return false;
        }
        if let Some(from) = release {
            let released = server.handle((wire::RELEASE, json!({"id": from}), Vec::new()));
            if !answer(&mut output, released) {
                return false;
            }
        }
    }
}

/// Writes an answer out (`write_frame` flushes it); `false` when the host can no longer be
/// written to.
fn answer(output: &mut impl Write, (kind, header, body): Reply) -> bool {
    wire::write_frame(output, kind, &header, &body).is_ok()
}

/// The metric's instances, shared by every channel; each is locked while a call uses it.
struct Server<'a> {
    def: &'a MetricDef,
    instances: Mutex<HashMap<u64, Entry>>,
    next: AtomicU64,
}

/// An instance and the types of the inputs it was bound with.
#[derive(Clone)]
struct Entry {
    instance: Arc<Mutex<Instance>>,
    types: Arc<[DataType]>,
}

type Reply = (u8, Value, Vec<u8>);

fn fail(e: crate::HostError) -> Reply {
    let status = match &e {
        crate::HostError::Call { status, .. } => *status as i32,
        _ => 1,
    };
    (
        wire::ERR,
        json!({"status": status, "message": e.to_string()}),
        Vec::new(),
    )
}

fn protocol(message: impl std::fmt::Display) -> Reply {
    (
        wire::ERR,
        json!({"status": 1, "message": format!("isolation protocol: {message}")}),
        Vec::new(),
    )
}

impl Server<'_> {
    fn instance(&self, id: u64) -> Option<Arc<Mutex<Instance>>> {
        lock(&self.instances).get(&id).map(|e| e.instance.clone())
    }

    fn handle(&self, (kind, header, body): (u8, Value, Vec<u8>)) -> Reply {
        let id = header["id"].as_u64().unwrap_or(0);
        match kind {
            wire::BIND => {
                let params = header["params"].as_str().unwrap_or("{}");
                let inputs = match wire::decode_schema(&body) {
                    Ok(inputs) => inputs,
                    Err(e) => return protocol(e),
                };
                match self.def.bind(params, &inputs) {
                    Ok(instance) => {
                        // The host names an instance it binds with its first batches.
                        let id = header["as"]
                            .as_u64()
                            .unwrap_or_else(|| self.next.fetch_add(1, Ordering::Relaxed));
                        let entry = Entry {
                            instance: Arc::new(Mutex::new(instance)),
                            types: inputs.into_iter().map(|(_, t)| t).collect(),
                        };
                        lock(&self.instances).insert(id, entry);
                        (wire::OK, json!({"id": id}), Vec::new())
                    }
                    Err(e) => fail(e),
                }
            }
            wire::MERGE => {
                let from_id = header["from"].as_u64().unwrap_or(0);
                if from_id == id {
                    return protocol(format!("instance {id} merged into itself"));
                }
                let (Some(into), Some(from)) = (self.instance(id), self.instance(from_id)) else {
                    return protocol(format!("no instance {id} or {from_id}"));
                };
                // Two locks, always taken in id order, so two merges cannot wait on each
                // other.
                let (mut into, from) = if id < from_id {
                    let into = lock(&into);
                    (into, lock(&from))
                } else {
                    let from = lock(&from);
                    (lock(&into), from)
                };
                match into.merge(&from, &wire::decode_u32s(&body)) {
                    Ok(()) => (wire::OK, Value::Null, Vec::new()),
                    Err(e) => fail(e),
                }
            }
            wire::FINISH => {
                let Some(instance) = self.instance(id) else {
                    return protocol(format!("no instance {id}"));
                };
                let group = header["group"].as_u64().unwrap_or(0) as u32;
                let result = lock(&instance).finish_raw(group);
                match result {
                    Ok(bytes) => (wire::OK, Value::Null, bytes),
                    Err(e) => fail(e),
                }
            }
            wire::RELEASE => {
                let released = lock(&self.instances).remove(&id);
                drop(released);
                (wire::OK, Value::Null, Vec::new())
            }
            other => protocol(format!("unknown request {other}")),
        }
    }
}

impl Server<'_> {
    /// Answers [`wire::FINISH_MANY`]: when the metric has `finish_many` (ABI 1.1), one
    /// response per [`crate::instance::FINISH_MANY_CHUNK`] groups, the plugin's block as is
    /// (header `{"many": k}`; the host reads and checks it), else one response per group;
    /// each written out as soon as it is ready (so the host reads one while the next is
    /// computed, and waits for each at most the call timeout, as for single calls), stopping
    /// at the first error. `false` when the host can no longer be written to.
    fn finish_many(&self, header: &Value, groups: &[u8], output: &mut impl Write) -> bool {
        let id = header["id"].as_u64().unwrap_or(0);
        let Some(instance) = self.instance(id) else {
            let (kind, header, body) = protocol(format!("no instance {id}"));
            return wire::write_frame(output, kind, &header, &body).is_ok();
        };
        let groups = wire::decode_u32s(groups);
        let many = lock(&instance).has_finish_many();
        let chunk = if many {
            crate::instance::FINISH_MANY_CHUNK
        } else {
            1
        };
        for groups in groups.chunks(chunk) {
            let result = if many {
                lock(&instance).finish_many_raw(groups)
            } else {
                lock(&instance).finish_raw(groups[0])
            };
            let (kind, header, body) = match result {
                Ok(bytes) if many => (wire::OK, json!({ "many": groups.len() }), bytes),
                Ok(bytes) => (wire::OK, Value::Null, bytes),
                Err(e) => fail(e),
            };
            // write_frame flushes the frame out.
            if wire::write_frame(output, kind, &header, &body).is_err() {
                return false;
            }
            if kind != wire::OK {
                break;
            }
        }
        true
    }

    /// Answers [`wire::UPDATE_BATCHES`]: each batch folded into the instance in turn and
    /// answered as soon as it is done, stopping at the first that fails. `false` when the
    /// host can no longer be written to.
    fn update_batches(
        &self,
        header: &Value,
        body: &[u8],
        map: &mut ChildMap,
        output: &mut impl Write,
    ) -> bool {
        let id = header["id"].as_u64().unwrap_or(0);
        let batches = header["batches"].as_array().map_or(&[][..], Vec::as_slice);
        let entry = lock(&self.instances).get(&id).cloned();
        let mut rest = body;
        for batch in batches {
            let len = batch["len"]
                .as_u64()
                .and_then(|l| usize::try_from(l).ok())
                .filter(|&l| l <= rest.len());
            let (kind, header, body) = match (&entry, len) {
                (None, _) => protocol(format!("no instance {id}")),
                (_, None) => protocol("batch part longer than the request"),
                (Some(entry), Some(len)) => {
                    let (part, after) = rest.split_at(len);
                    rest = after;
                    match batch["ipc_len"].as_u64() {
                        Some(ipc_len) => update_ipc(entry, batch, ipc_len, part),
                        None => update_shared(entry, header, batch, part, map),
                    }
                }
            };
            // write_frame flushes the frame out.
            if wire::write_frame(output, kind, &header, &body).is_err() {
                return false;
            }
            if kind != wire::OK {
                break;
            }
        }
        true
    }
}

/// Folds one batch into an instance.
fn update(entry: &Entry, batch: &Value, data: SharedBatch, row_status: &mut [u8]) -> Reply {
    let SharedBatch {
        columns,
        weights,
        groups,
        ..
    } = data;
    let mut instance = lock(&entry.instance);
    let batch = InstanceBatch {
        columns: &columns,
        weights: weights.as_deref(),
        group_ids: groups.as_deref(),
        num_groups: batch["num_groups"].as_u64().unwrap_or(0) as u32,
        row_status,
        shared: crate::Shared::NONE,
    };
    match instance.update_unshared(batch) {
        Ok(()) => (wire::OK, Value::Null, Vec::new()),
        Err(e) => fail(e),
    }
}

/// A batch sent as Arrow IPC followed by its row statuses, which the answer carries back.
fn update_ipc(entry: &Entry, batch: &Value, ipc_len: u64, part: &[u8]) -> Reply {
    let Some(ipc_len) = usize::try_from(ipc_len).ok().filter(|&l| l <= part.len()) else {
        return protocol("batch shorter than announced");
    };
    let mut row_status = part[ipc_len..].to_vec();
    // A copy of its own, aligned: the arrays point into it.
    let ipc = arrow_buffer::Buffer::from_vec(part[..ipc_len].to_vec());
    let DecodedBatch {
        columns,
        weights,
        groups,
        rows,
    } = match wire::decode_batch(ipc) {
        Ok(b) => b,
        Err(e) => return protocol(e),
    };
    if row_status.len() != rows {
        return protocol("row status length differs from the batch");
    }
    let data = SharedBatch {
        columns,
        weights,
        groups,
        status: 0,
    };
    match update(entry, batch, data, &mut row_status) {
        (wire::OK, header, _) => (wire::OK, header, row_status),
        reply => reply,
    }
}

/// A batch in the channel's shared file: the columns, weights and group ids are read in
/// place, the row statuses updated in place.
fn update_shared(
    entry: &Entry,
    header: &Value,
    batch: &Value,
    layout: &[u8],
    map: &mut ChildMap,
) -> Reply {
    let (Some(rows), Some(map_len)) = (
        batch["rows"].as_u64().and_then(|r| usize::try_from(r).ok()),
        header["map_len"]
            .as_u64()
            .and_then(|r| usize::try_from(r).ok()),
    ) else {
        return protocol("shared batch without its size");
    };
    let mapping = match map.view(map_len) {
        Ok(m) => m,
        Err(e) => return protocol(format!("cannot map the shared batch: {e}")),
    };
    let data = match layout::read_batch(layout, &mapping, &entry.types, rows) {
        Ok(b) => b,
        Err(e) => return protocol(e),
    };
    let Some(status_ptr) = mapping.range_ptr(data.status, rows) else {
        return protocol("row statuses outside the shared file");
    };
    // SAFETY: `rows` bytes inside the mapping (checked), which `mapping` keeps mapped until
    // the end of this function; read_batch checked they lie after every buffer this batch's
    // columns, weights and group ids point to, and the host places each batch of a request
    // after the previous one's statuses, so nothing else refers to them; the host does not
    // touch them until it has our answer.
    let row_status = unsafe { std::slice::from_raw_parts_mut(status_ptr, rows) };
    update(entry, batch, data, row_status)
}

/// Locks a mutex; a poisoned one (a panic while held, which the plugin wrappers catch) is
/// still usable: the instance map and instances hold no invariant a panic could break.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
