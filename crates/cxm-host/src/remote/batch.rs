//! One request answered by a response per item ([`Child::call_each`]: the results of many
//! groups), so that the host does not wait a round trip per group. (Batches go several to a
//! request too, see [`super::update`].)

use super::{lock, wire, Child};
use crate::error::HostError;
use serde_json::Value;
use std::sync::Arc;

impl Child {
    /// One request answered by `count` responses, in order, each awaited at most the call
    /// timeout: `each` takes the body of every `OK` response in turn. An `ERR` response (a
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
        mut each: impl FnMut(Vec<u8>) -> Result<(), HostError>,
    ) -> Result<(), HostError> {
        let mut sent = self.send(call, kind, header, body)?;
        // Read here, frame by frame, not by `Sent::receive`.
        sent.answered = true;
        let mut channel = lock(&self.channels[sent.channel]);
        let mut failed: Option<HostError> = None;
        for _ in 0..count {
            let (kind, header, body) = match self.receive_on(&mut channel, call) {
                Ok(frame) => frame,
                Err(e) => return Err(failed.unwrap_or(e)),
            };
            match kind {
                wire::OK => {
                    if failed.is_none() {
                        failed = each(body).err();
                    }
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
}
