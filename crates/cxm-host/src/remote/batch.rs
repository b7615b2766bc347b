//! One request answered by a response per item or block of items ([`Child::call_each`]: the
//! results of many groups), so that the host does not wait a round trip per group. (Batches
//! go several to a request too, see [`super::update`].)

use super::{lock, wire, Child};
use crate::error::HostError;
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
}
