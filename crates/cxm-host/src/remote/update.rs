//! Updates of an isolated instance, several batches a request. Each batch is written into
//! the shared file of the channel the instance holds as soon as it is given
//! ([`Stream::stage`]: the caller may reuse its memory at once), one after the other, and
//! the staged batches go to the child as one [`wire::UPDATE_BATCHES`] request when the
//! caller says so ([`Stream::send`]), so that the child wakes, reads and answers once per
//! request instead of once per batch. The child answers every batch on its own, in order
//! and as soon as it is done (so each batch is still awaited at most the call timeout),
//! and stops at the first batch that fails: the later ones of that request are not fed to
//! the plugin, as in-process the engine would not have fed them.
//!
//! The channel stays reserved from the first staged batch until every batch has been
//! answered and its row statuses taken ([`Stream::take`]) or given up; the next batch then
//! starts again at the beginning of the file. A batch that cannot be shared (no shared
//! file, a column not of the bound type) travels as Arrow IPC inside the request, and its
//! row statuses come back in the answer.

use super::{layout, lock, wire, Child};
use crate::error::HostError;
use crate::InstanceBatch;
use arrow_schema::Fields;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::Arc;

const CALL: &str = "update";
const BIND: &str = "bind";

/// What became of a batch.
enum Answer {
    /// Not answered yet (or not sent yet).
    Waiting,
    /// Done; the row statuses are in the shared file at this position.
    Shared(usize),
    /// Done; the row statuses came in the answer.
    Owned(Vec<u8>),
    /// The plugin or the child failed on this batch.
    Failed(HostError),
    /// Not fed to the plugin: an earlier batch of its request failed, or the child died.
    Skipped,
}

/// One batch given to the stream.
struct Item {
    seq: u64,
    rows: usize,
    /// Where its row statuses are in the shared file (`None`: it went as Arrow IPC).
    status: Option<usize>,
    sent: bool,
    /// The last batch of its request (after a failure, the child skips to the next request).
    last: bool,
    /// Not a batch: the answer to the instance's bind, sent before its first batches.
    bind: bool,
    answer: Answer,
    /// Its row statuses were taken, or nobody will ask for them.
    done: bool,
}

/// The updates of one isolated instance: batches staged, sent and answered, in order.
pub(crate) struct Stream {
    child: Arc<Child>,
    id: u64,
    fields: Fields,
    /// Held from the first staged batch until every batch is done.
    channel: Option<usize>,
    /// Batches not done yet, oldest first.
    items: VecDeque<Item>,
    next_seq: u64,
    /// The staged batches' descriptions for the request header, and their bodies.
    staged: Vec<Value>,
    body: Vec<u8>,
    /// First free position in the shared file.
    end: usize,
    /// The instance is bound with its first batches: its params and input schema until
    /// the bind is sent ([`Stream::lazy`]).
    bind: Option<(String, Vec<u8>)>,
    /// Whether that bind went to the child (on this stream's channel, or by
    /// [`Stream::ensure_bound`]).
    bind_sent: bool,
    /// The child's error when that bind failed.
    bind_error: Option<Value>,
}

impl Stream {
    pub(crate) fn new(child: Arc<Child>, id: u64, fields: Fields) -> Stream {
        Stream {
            child,
            id,
            fields,
            channel: None,
            items: VecDeque::new(),
            next_seq: 0,
            staged: Vec::new(),
            body: Vec::new(),
            end: 0,
            bind: None,
            bind_sent: true,
            bind_error: None,
        }
    }

    /// The stream of an instance not bound yet, named `id` by the host: the bind goes to
    /// the child on the stream's channel just before its first batches (no round trip of
    /// its own), or by itself when the instance is needed first for something else.
    pub(crate) fn lazy(
        child: Arc<Child>,
        id: u64,
        fields: Fields,
        params: String,
        schema: Vec<u8>,
    ) -> Stream {
        let mut stream = Stream::new(child, id, fields);
        stream.bind = Some((params, schema));
        stream.bind_sent = false;
        stream
    }

    /// Whether the instance was ever sent to the child to be bound.
    pub(crate) fn bind_sent(&self) -> bool {
        self.bind_sent
    }

    /// Makes sure the child has bound the instance: binds it now when it was not sent yet,
    /// and reads the answer to a bind still in flight on this stream's channel.
    pub(crate) fn ensure_bound(&mut self) -> Result<(), HostError> {
        if let Some((params, schema)) = self.bind.take() {
            self.bind_sent = true;
            self.child.call(
                BIND,
                wire::BIND,
                &json!({"params": params, "as": self.id}),
                &schema,
            )?;
            return Ok(());
        }
        while let Some(index) = self.items.iter().position(|item| item.bind) {
            if matches!(self.items[index].answer, Waiting) {
                self.read_answer();
                continue;
            }
            let failed = matches!(self.items[index].answer, Answer::Failed(_));
            self.tidy();
            if failed {
                return Err(match &self.bind_error {
                    Some(header) => self.child.plugin_error(header),
                    None => self.gone(),
                });
            }
            break;
        }
        Ok(())
    }

    /// Writes the bind on the channel just reserved (first use of a lazy stream).
    fn send_bind(&mut self, channel: usize) {
        let Some((params, schema)) = self.bind.take() else {
            return;
        };
        self.bind_sent = true;
        let written = {
            let mut guard = lock(&self.child.channels[channel]);
            wire::write_frame(
                &mut guard.to_child,
                wire::BIND,
                &json!({"params": params, "as": self.id}),
                &schema,
            )
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.items.push_back(Item {
            seq,
            rows: 0,
            status: None,
            sent: true,
            last: true,
            bind: true,
            answer: Waiting,
            done: true,
        });
        if written.is_err() {
            let e = self.child.bury(BIND, false);
            self.fail_from(self.items.len() - 1, e);
        }
    }

    /// Writes a batch for the next request and returns its number.
    pub(crate) fn stage(&mut self, batch: &InstanceBatch<'_>) -> Result<u64, HostError> {
        if let Some(e) = self.child.dead_error() {
            return Err(e);
        }
        let channel = match self.channel {
            Some(k) => k,
            None => {
                let k = self.child.reserve();
                self.channel = Some(k);
                self.end = 0;
                self.send_bind(k);
                k
            }
        };
        let rows = batch.row_status.len();
        let shared = {
            let mut guard = lock(&self.child.channels[channel]);
            // The child reads the file only for batches sent and not yet answered, which
            // all lie before `end`.
            guard
                .map
                .as_mut()
                .and_then(|map| layout::write_batch(map, self.end, batch, &self.fields))
        };
        let (entry, status) = match shared {
            Some(written) => {
                self.end = written.end;
                self.body.extend_from_slice(&written.layout);
                let entry = json!({"rows": rows, "num_groups": batch.num_groups,
                                   "len": written.layout.len()});
                (entry, Some(written.status))
            }
            None => match ipc_body(batch, &self.fields) {
                Ok(ipc) => {
                    self.body.extend_from_slice(&ipc);
                    let entry = json!({"rows": rows, "num_groups": batch.num_groups,
                                       "len": ipc.len(), "ipc_len": ipc.len() - rows});
                    (entry, None)
                }
                Err(e) => {
                    self.tidy();
                    return Err(HostError::Host {
                        library: self.child.file.clone(),
                        metric: self.child.metric.clone(),
                        message: format!("cannot encode the batch: {e}"),
                    });
                }
            },
        };
        self.staged.push(entry);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.items.push_back(Item {
            seq,
            rows,
            status,
            sent: false,
            last: false,
            bind: false,
            answer: Waiting,
            done: false,
        });
        Ok(seq)
    }

    /// Sends the staged batches as one request (nothing when none is staged). A failure to
    /// send is the answer of the first of them.
    pub(crate) fn send(&mut self) {
        if self.staged.is_empty() {
            return;
        }
        let (Some(channel), Some(first)) =
            (self.channel, self.items.iter().position(|item| !item.sent))
        else {
            return;
        };
        let written = {
            let mut guard = lock(&self.child.channels[channel]);
            let guard = &mut *guard;
            let header = json!({
                "id": self.id,
                "map_len": guard.map.as_ref().map_or(0, |m| m.len()),
                "batches": std::mem::take(&mut self.staged),
            });
            wire::write_frame(
                &mut guard.to_child,
                wire::UPDATE_BATCHES,
                &header,
                &self.body,
            )
        };
        self.body.clear();
        for item in self.items.range_mut(first..) {
            item.sent = true;
        }
        if let Some(item) = self.items.back_mut() {
            item.last = true;
        }
        if written.is_err() {
            // The child died on what it was doing: the bind before these batches, if its
            // answer has not come yet.
            let bind = self
                .items
                .iter()
                .position(|i| i.bind && matches!(i.answer, Waiting));
            let e = self
                .child
                .bury(if bind.is_some() { BIND } else { CALL }, false);
            self.fail_from(bind.unwrap_or(first), e);
        }
    }

    /// The row statuses the child left for batch `seq` (sending it first if it is still
    /// staged), or why there are none.
    pub(crate) fn take(&mut self, seq: u64) -> Result<Vec<u8>, HostError> {
        if self.items.iter().any(|item| item.seq == seq && !item.sent) {
            self.send();
        }
        let result = loop {
            let Some(index) = self.items.iter().position(|item| item.seq == seq) else {
                break Err(self.gone());
            };
            if !matches!(self.items[index].answer, Waiting) {
                let item = &mut self.items[index];
                item.done = true;
                let rows = item.rows;
                break match std::mem::replace(&mut item.answer, Skipped) {
                    Answer::Shared(pos) => self.read_shared(pos, rows),
                    Answer::Owned(statuses) => Ok(statuses),
                    Answer::Failed(e) => Err(e),
                    Skipped | Waiting => Err(self.gone()),
                };
            }
            self.read_answer();
        };
        self.tidy();
        result
    }

    /// Gives up batch `seq`: its answer, when it comes, is read and dropped.
    pub(crate) fn forget(&mut self, seq: u64) {
        if let Some(item) = self.items.iter_mut().find(|item| item.seq == seq) {
            item.done = true;
        }
        self.tidy();
    }

    fn read_shared(&self, pos: usize, rows: usize) -> Result<Vec<u8>, HostError> {
        let channel = self.channel.map(|k| lock(&self.child.channels[k]));
        channel
            .as_ref()
            .and_then(|c| c.map.as_ref())
            .and_then(|map| map.read(pos, rows))
            .ok_or_else(|| self.child.died(CALL, "shared batch lost".into()))
    }

    /// Why a batch has no row statuses when its own answer says nothing: the child's death,
    /// or an earlier failure in its request.
    fn gone(&self) -> HostError {
        self.child.dead_error().unwrap_or_else(|| HostError::Host {
            library: self.child.file.clone(),
            metric: self.child.metric.clone(),
            message: "batch not processed: an earlier batch of the same request failed".into(),
        })
    }

    /// Reads the answer to the oldest batch sent and not answered.
    fn read_answer(&mut self) {
        let Some(index) = self
            .items
            .iter()
            .position(|item| item.sent && matches!(item.answer, Waiting))
        else {
            return;
        };
        let Some(channel) = self.channel else {
            self.fail_from(index, self.gone());
            return;
        };
        let bind = self.items[index].bind;
        let frame = {
            let mut guard = lock(&self.child.channels[channel]);
            self.child
                .receive_on(&mut guard, if bind { BIND } else { CALL })
        };
        if bind {
            match frame {
                Ok((wire::OK, _, _)) => self.items[index].answer = Answer::Owned(Vec::new()),
                Ok((wire::ERR, header, _)) => {
                    // The child then answers the first batch of each request after it with
                    // an error of its own (no such instance): those are read as usual, and
                    // shown as this error.
                    self.items[index].answer = Answer::Failed(self.child.plugin_error(&header));
                    self.bind_error = Some(header);
                }
                Ok((other, _, _)) => {
                    let e = self.child.died(BIND, format!("unexpected message {other}"));
                    self.fail_from(index, e);
                }
                Err(e) => self.fail_from(index, e),
            }
            return;
        }
        let item = &mut self.items[index];
        match frame {
            Ok((wire::OK, _, body)) => {
                item.answer = match item.status {
                    Some(pos) => Answer::Shared(pos),
                    None => Answer::Owned(body),
                };
            }
            Ok((wire::ERR, header, _)) => {
                let header = self.bind_error.as_ref().unwrap_or(&header);
                item.answer = Answer::Failed(self.child.plugin_error(header));
                // The child skips the rest of this request.
                let mut k = index;
                while !self.items[k].last && k + 1 < self.items.len() {
                    k += 1;
                    self.items[k].answer = Skipped;
                }
            }
            Ok((other, _, _)) => {
                let e = self.child.died(CALL, format!("unexpected message {other}"));
                self.fail_from(index, e);
            }
            Err(e) => self.fail_from(index, e),
        }
    }

    /// Batch `index` failed with `e`, and every later one will have no answer.
    fn fail_from(&mut self, index: usize, e: HostError) {
        let mut e = Some(e);
        for item in self.items.range_mut(index..) {
            item.answer = match e.take() {
                Some(e) => Answer::Failed(e),
                None => Skipped,
            };
        }
    }

    /// Drops the batches done with; once none is left, reads the answers nobody waited
    /// for (so the channel stays in step) and releases the channel.
    fn tidy(&mut self) {
        while self
            .items
            .front()
            .is_some_and(|item| item.done && !matches!(item.answer, Waiting))
        {
            self.items.pop_front();
        }
        if self.items.iter().any(|item| !item.done) {
            return;
        }
        while self
            .items
            .iter()
            .any(|item| item.sent && matches!(item.answer, Waiting))
        {
            self.read_answer();
        }
        self.items.clear();
        self.staged.clear();
        self.body.clear();
        if let Some(k) = self.channel.take() {
            self.child.release(k);
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        for item in &mut self.items {
            item.done = true;
        }
        self.tidy();
    }
}

use Answer::{Skipped, Waiting};

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
