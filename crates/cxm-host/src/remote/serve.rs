//! The child side of process isolation: `cxm __plugin-host` loads one plugin library (the
//! bytes the host verified, by SHA-256) and serves the host's calls over file descriptors 3
//! (requests) and 4 (responses). Whatever the plugin does to this process — a crash, an
//! `exit`, a runaway allocation, writes to stdout — stays here; the host sees the process
//! die and reports it.

use super::wire::{self, DecodedBatch};
use crate::instance::{Instance, InstanceBatch};
use crate::library::{load_library, Library, MetricDef};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::os::fd::FromRawFd;
use std::path::Path;

/// The request descriptor the host writes to.
pub const REQUEST_FD: i32 = 3;
/// The response descriptor the host reads.
pub const RESPONSE_FD: i32 = 4;

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

/// Runs the child: with `metric` `None`, sends the library's descriptor and returns; else
/// serves that metric's calls until the host closes the request pipe. Returns the process
/// exit code.
pub fn serve(path: &Path, sha256: &str, metric: Option<&str>) -> i32 {
    // SAFETY: the host started this process with these two descriptors open (a pipe each);
    // nothing else in this process owns them.
    let (input, output) = unsafe {
        (
            File::from_raw_fd(REQUEST_FD),
            File::from_raw_fd(RESPONSE_FD),
        )
    };
    let mut input = BufReader::with_capacity(1 << 20, input);
    let mut output = BufWriter::with_capacity(1 << 16, output);
    let lib = match load_library(path, Some(sha256)) {
        Ok(lib) => lib,
        Err(e) => {
            let _ = wire::write_frame(
                &mut output,
                wire::ERR,
                &json!({"status": 1, "message": e.to_string()}),
                b"",
            );
            return 1;
        }
    };
    let Some(metric) = metric else {
        return match wire::write_frame(&mut output, wire::DESCRIPTOR, &descriptor_json(&lib), b"") {
            Ok(()) => 0,
            Err(_) => 1,
        };
    };
    let Some(def) = lib.metrics.iter().find(|m| m.name == metric) else {
        let message = format!("library {} exports no metric {metric}", lib.name);
        let _ = wire::write_frame(
            &mut output,
            wire::ERR,
            &json!({"status": 1, "message": message}),
            b"",
        );
        return 1;
    };
    let mut server = Server {
        def,
        instances: HashMap::new(),
        next: 1,
    };
    loop {
        let frame = match wire::read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            Ok(None) => return 0,
            Err(_) => return 1,
        };
        let (kind, header, body) = server.handle(frame);
        if wire::write_frame(&mut output, kind, &header, &body).is_err() {
            return 1;
        }
        if output.flush().is_err() {
            return 1;
        }
    }
}

struct Server<'a> {
    def: &'a MetricDef,
    instances: HashMap<u64, Instance>,
    next: u64,
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
    fn handle(&mut self, (kind, header, body): (u8, Value, Vec<u8>)) -> Reply {
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
                        let id = self.next;
                        self.next += 1;
                        self.instances.insert(id, instance);
                        (wire::OK, json!({"id": id}), Vec::new())
                    }
                    Err(e) => fail(e),
                }
            }
            wire::UPDATE => {
                let ipc_len = header["ipc_len"].as_u64().unwrap_or(0) as usize;
                if ipc_len > body.len() {
                    return protocol("batch shorter than announced");
                }
                let (ipc, status) = body.split_at(ipc_len);
                let DecodedBatch {
                    columns,
                    weights,
                    groups,
                    rows,
                } = match wire::decode_batch(ipc) {
                    Ok(b) => b,
                    Err(e) => return protocol(e),
                };
                let mut row_status = status.to_vec();
                if row_status.len() != rows {
                    return protocol("row status length differs from the batch");
                }
                let Some(instance) = self.instances.get_mut(&id) else {
                    return protocol(format!("no instance {id}"));
                };
                let batch = InstanceBatch {
                    columns: &columns,
                    weights: weights.as_deref(),
                    group_ids: groups.as_deref(),
                    num_groups: header["num_groups"].as_u64().unwrap_or(0) as u32,
                    row_status: &mut row_status,
                };
                match instance.update(batch) {
                    Ok(()) => (wire::OK, Value::Null, row_status),
                    Err(e) => fail(e),
                }
            }
            wire::MERGE => {
                let from_id = header["from"].as_u64().unwrap_or(0);
                let Some(from) = self.instances.remove(&from_id) else {
                    return protocol(format!("no instance {from_id}"));
                };
                let reply = match self.instances.get_mut(&id) {
                    Some(into) => match into.merge(&from, &wire::decode_u32s(&body)) {
                        Ok(()) => (wire::OK, Value::Null, Vec::new()),
                        Err(e) => fail(e),
                    },
                    None => protocol(format!("no instance {id}")),
                };
                self.instances.insert(from_id, from);
                reply
            }
            wire::FINISH => {
                let Some(instance) = self.instances.get(&id) else {
                    return protocol(format!("no instance {id}"));
                };
                let group = header["group"].as_u64().unwrap_or(0) as u32;
                match instance.finish_raw(group) {
                    Ok(bytes) => (wire::OK, Value::Null, bytes),
                    Err(e) => fail(e),
                }
            }
            wire::RELEASE => {
                self.instances.remove(&id);
                (wire::OK, Value::Null, Vec::new())
            }
            other => protocol(format!("unknown request {other}")),
        }
    }
}
