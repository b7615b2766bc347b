//! A small Spark Connect client (<https://spark.apache.org/docs/latest/spark-connect-overview.html>):
//! what cxm needs to run one SQL query on an Apache Spark cluster (or Databricks) and read
//! its result. Spark Connect is gRPC over HTTP/2; a query is an `ExecutePlan` call whose plan
//! is a SQL relation, and the server streams the result back as Arrow IPC, so rows arrive as
//! Arrow record batches with no text round trip, the way ADBC drivers deliver them.
//!
//! The remote is a Spark Connect connection string,
//! `sc://host[:port][/;param=value;…]` (port 15002 by default), with the parameters Spark's
//! own clients read (`token`, `use_ssl`, `user_id`, `user_agent`, `session_id`); any other
//! parameter is sent as a gRPC header (Databricks reads `x-databricks-cluster-id` so). A
//! token is sent as `authorization: Bearer …` and implies TLS, as in Spark's clients.
//!
//! Each [`Session`] runs its own small Tokio runtime and blocks on it, so callers stay
//! synchronous.

mod proto;
mod remote;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

pub use remote::Remote;

/// Why a Spark Connect call failed, in words for the person running cxm.
#[derive(Debug, thiserror::Error)]
pub enum SparkError {
    /// The connection string is malformed.
    #[error("invalid Spark Connect remote: {0}")]
    Remote(String),
    /// No connection to the server.
    #[error("cannot connect to Spark Connect at {endpoint}: {message}")]
    Connect {
        /// `host:port`.
        endpoint: String,
        /// The transport's reason.
        message: String,
    },
    /// The server refused or failed the query (its message, e.g. Spark's
    /// `[TABLE_OR_VIEW_NOT_FOUND] …`).
    #[error("{0}")]
    Query(String),
    /// The result could not be read.
    #[error("reading the result failed: {0}")]
    Read(String),
    /// An Arrow batch of the result could not be decoded.
    #[error("reading the result failed: {0}")]
    Arrow(#[from] ArrowError),
}

/// The gRPC method that runs a plan.
const EXECUTE_PLAN: &str = "/spark.connect.SparkConnectService/ExecutePlan";

/// The largest message accepted from the server: Spark cuts Arrow results into batches of
/// about 4 MiB (`spark.connect.grpc.arrow.maxBatchSize`); its Python client accepts 128 MiB.
const MAX_MESSAGE_BYTES: usize = 128 * 1024 * 1024;

/// A Spark Connect session: a connection and a session id; queries run one at a time.
pub struct Session {
    runtime: Arc<tokio::runtime::Runtime>,
    channel: Channel,
    remote: Remote,
    session_id: String,
}

impl Session {
    /// Connects to the server `remote` names (within 30 s).
    pub fn connect(remote: &Remote) -> Result<Session, SparkError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cxm-spark")
            .enable_all()
            .build()
            .map_err(|e| SparkError::Connect {
                endpoint: remote.endpoint(),
                message: format!("cannot start the client's runtime: {e}"),
            })?;
        let connect_error = |message: String| SparkError::Connect {
            endpoint: remote.endpoint(),
            message,
        };
        let scheme = if remote.use_ssl { "https" } else { "http" };
        let mut endpoint = Endpoint::from_shared(format!("{scheme}://{}", remote.endpoint()))
            .map_err(|e| connect_error(chain(&e)))?
            .connect_timeout(Duration::from_secs(30))
            .tcp_nodelay(true);
        if let Some(agent) = &remote.user_agent {
            endpoint = endpoint
                .user_agent(agent.clone())
                .map_err(|e| connect_error(chain(&e)))?;
        }
        if remote.use_ssl {
            endpoint = endpoint
                .tls_config(ClientTlsConfig::new().with_webpki_roots())
                .map_err(|e| connect_error(chain(&e)))?;
        }
        let channel = runtime
            .block_on(endpoint.connect())
            .map_err(|e| connect_error(chain(&e)))?;
        let session_id = remote
            .session_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Ok(Session {
            runtime: Arc::new(runtime),
            channel,
            remote: remote.clone(),
            session_id,
        })
    }

    /// Runs `sql` and returns its rows. The first batch is read before returning, so a
    /// query the server refuses fails here, and the reader knows the result's schema.
    pub fn sql(&mut self, sql: &str) -> Result<SparkReader, SparkError> {
        let request = proto::ExecutePlanRequest {
            session_id: self.session_id.clone(),
            user_context: Some(proto::UserContext {
                user_id: self.remote.user_id.clone(),
                user_name: self.remote.user_id.clone(),
            }),
            plan: Some(proto::Plan {
                root: Some(proto::Relation {
                    sql: Some(proto::Sql {
                        query: sql.to_string(),
                    }),
                }),
            }),
            client_type: Some(format!("cxm/{}", env!("CARGO_PKG_VERSION"))),
        };
        let mut request = tonic::Request::new(request);
        for (key, value) in self.remote.headers()? {
            request.metadata_mut().insert(key, value);
        }
        let mut grpc = tonic::client::Grpc::new(self.channel.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES);
        let codec =
            tonic_prost::ProstCodec::<proto::ExecutePlanRequest, proto::ExecutePlanResponse>::default();
        let stream = self.runtime.block_on(async {
            grpc.ready().await.map_err(|e| SparkError::Connect {
                endpoint: self.remote.endpoint(),
                message: chain(&e),
            })?;
            grpc.server_streaming(request, PathAndQuery::from_static(EXECUTE_PLAN), codec)
                .await
                .map_err(status_error)
        })?;
        let mut reader = SparkReader {
            runtime: Arc::clone(&self.runtime),
            stream: stream.into_inner(),
            schema: None,
            pending: VecDeque::new(),
            done: false,
        };
        reader.fill()?;
        if reader.schema.is_none() {
            return Err(SparkError::Read(
                "the server returned no Arrow schema for the query".into(),
            ));
        }
        Ok(reader)
    }
}

/// A gRPC status as the person running cxm should read it: Spark puts its own error
/// (class, message, SQLSTATE) in the status message.
fn status_error(status: tonic::Status) -> SparkError {
    let message = status.message().trim();
    match status.code() {
        tonic::Code::Unavailable | tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => {
            SparkError::Query(format!("{:?}: {message}", status.code()))
        }
        _ if message.is_empty() => SparkError::Query(format!("{:?}", status.code())),
        _ => SparkError::Query(message.to_string()),
    }
}

/// An error and its causes, on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// The rows of a query, batch by batch, as the server streams them.
pub struct SparkReader {
    runtime: Arc<tokio::runtime::Runtime>,
    stream: tonic::Streaming<proto::ExecutePlanResponse>,
    schema: Option<SchemaRef>,
    pending: VecDeque<RecordBatch>,
    done: bool,
}

impl SparkReader {
    /// Reads responses until a batch is pending or the stream ends.
    fn fill(&mut self) -> Result<(), SparkError> {
        while self.pending.is_empty() && !self.done {
            let next = self.runtime.block_on(self.stream.message());
            let response = match next {
                Ok(Some(r)) => r,
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(status) => {
                    self.done = true;
                    return Err(status_error(status));
                }
            };
            if response.result_complete.is_some() {
                self.done = true;
            }
            if let Some(batch) = response.arrow_batch {
                self.decode(batch)?;
            }
        }
        Ok(())
    }

    /// Decodes one Arrow IPC stream: its schema (the first one becomes the result's) and its
    /// record batches; their rows must add up to the count the server states.
    fn decode(&mut self, batch: proto::ArrowBatch) -> Result<(), ArrowError> {
        let reader =
            arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(batch.data), None)?;
        if self.schema.is_none() {
            self.schema = Some(reader.schema());
        }
        let mut rows = 0usize;
        for record in reader {
            let record = record?;
            rows += record.num_rows();
            if record.num_rows() > 0 {
                self.pending.push_back(record);
            }
        }
        if i64::try_from(rows).ok() != Some(batch.row_count) {
            return Err(ArrowError::IpcError(format!(
                "an Arrow batch holds {rows} rows but the server said {}",
                batch.row_count
            )));
        }
        Ok(())
    }
}

impl Iterator for SparkReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.fill() {
            Ok(()) => {}
            Err(SparkError::Arrow(e)) => return Some(Err(e)),
            Err(e) => return Some(Err(ArrowError::ExternalError(Box::new(e)))),
        }
        self.pending.pop_front().map(Ok)
    }
}

impl RecordBatchReader for SparkReader {
    fn schema(&self) -> SchemaRef {
        self.schema
            .clone()
            .unwrap_or_else(|| Arc::new(arrow_schema::Schema::empty()))
    }
}
