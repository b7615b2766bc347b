//! The requests that carry many rows or groups at once. Sending a batch to an isolated
//! instance: through the channel's shared file when it has one ([`super::layout`]: the
//! buffers copied once, the child reading them in place, only the layout on the pipe), else
//! — the file could not be created or grown, or a column is not of the bound type — as Arrow
//! IPC in the pipe message, as before shared files. And one request answered by a response
//! per item or block of items ([`Child::call_each`]: the results of many groups), so that the
//! host does not wait a round trip per group.

use super::{layout, lock, wire, Child, Sent};
use crate::error::HostError;
use crate::InstanceBatch;
use arrow_schema::Fields;
use serde_json::Value;
use std::sync::Arc;

impl Child {
    /// One request answered by responses covering `count` items, in order, each awaited at
    /// most the call timeout: `each` takes the header and body of every `OK` response in
    /// turn and says how many items it covered (at least one). An `ERR` response (a
    /// plugin error, after which the child sends no more) ends the call with
    /// [`HostError::Call`]. When `each` fails, the remaining responses are read (the channel
    /// stays in step) and its error is returned, as a call per item would have stopped there.
    pub(crate) fn call_each(
        self: &Arc<Self>,
        call: &'static str,
        kind: u8,
        header: &Value,
        body: &[u8],
        count: usize,
        mut each: impl FnMut(&Value, Vec<u8>) -> Result<usize, HostError>,
    ) -> Result<(), HostError> {
        let mut sent = self.send(call, kind, header, body)?;
        // Read here, frame by frame, not by `Sent::receive`.
        sent.answered = true;
        let mut channel = lock(&self.channels[sent.channel]);
        let mut failed: Option<HostError> = None;
        let mut covered = 0;
        while covered < count {
            let (kind, header, body) = match self.receive_on(&mut channel, call) {
                Ok(frame) => frame,
                Err(e) => return Err(failed.unwrap_or(e)),
            };
            match kind {
                wire::OK => {
                    // Once `each` failed, the frames are only counted.
                    let items = match failed {
                        Some(_) => header["many"].as_u64().map_or(1, |k| k as usize),
                        None => each(&header, body).unwrap_or_else(|e| {
                            failed = Some(e);
                            header["many"].as_u64().map_or(1, |k| k as usize)
                        }),
                    };
                    covered += items.max(1);
                }
                wire::ERR => return Err(failed.unwrap_or_else(|| self.plugin_error(&header))),
                other => {
                    let unexpected = self.died(call, format!("unexpected message {other}"));
                    return Err(failed.unwrap_or(unexpected));
                }
            }
        }
        failed.map_or(Ok(()), Err)
    }

    /// Sends one batch for instance `id`, whose inputs were bound as `fields`; the row
    /// statuses come back through [`Sent::receive`].
    pub(crate) fn send_update(
        self: &Arc<Self>,
        id: u64,
        batch: &InstanceBatch<'_>,
        fields: &Fields,
    ) -> Result<Sent, HostError> {
        const CALL: &str = "update";
        if let Some(e) = self.dead_error() {
            return Err(e);
        }
        let mut sent = Sent {
            child: self.clone(),
            channel: self.reserve(),
            call: CALL,
            answered: false,
            statuses: None,
        };
        let rows = batch.row_status.len();
        let written = {
            let mut guard = lock(&self.channels[sent.channel]);
            let channel = &mut *guard;
            // The channel is reserved and its last reply read: the child is not reading
            // the file, so it may be overwritten.
            let shared = channel
                .map
                .as_mut()
                .and_then(|map| Some((layout::write_batch(map, batch, fields)?, map.len())));
            match shared {
                Some(((layout, status), map_len)) => {
                    sent.statuses = Some((status, rows));
                    let header = serde_json::json!({
                        "id": id, "num_groups": batch.num_groups, "rows": rows,
                        "map_len": map_len,
                    });
                    wire::write_frame(&mut channel.to_child, wire::UPDATE_SHARED, &header, &layout)
                }
                None => {
                    let body = match ipc_body(batch, fields) {
                        Ok(body) => body,
                        Err(e) => {
                            sent.answered = true;
                            return Err(HostError::Host {
                                library: self.file.clone(),
                                metric: self.metric.clone(),
                                message: format!("cannot encode the batch: {e}"),
                            });
                        }
                    };
                    let header = serde_json::json!({
                        "id": id, "num_groups": batch.num_groups, "ipc_len": body.len() - rows,
                    });
                    wire::write_frame(&mut channel.to_child, wire::UPDATE, &header, &body)
                }
            }
        };
        if written.is_err() {
            sent.answered = true;
            return Err(self.bury(CALL, false));
        }
        Ok(sent)
    }
}

/// The batch as Arrow IPC followed by its row statuses.
fn ipc_body(batch: &InstanceBatch<'_>, fields: &Fields) -> std::io::Result<Vec<u8>> {
    let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
    let mut body = wire::encode_batch(
        batch.columns,
        &names,
        batch.weights,
        batch.group_ids,
        batch.row_status.len(),
    )?;
    body.extend_from_slice(batch.row_status);
    Ok(body)
}
