//! A connection to a warehouse that runs SQL and returns Arrow batches: an ADBC driver's
//! connection, or a Spark Connect session (with the `spark` feature). The source and the
//! pushdown planner see only [`Session::execute`], so both clients read, push down and
//! account for rows alike.

use std::path::Path;

use adbc_core::{Connection, Statement};
use arrow_array::{RecordBatch, RecordBatchReader};
use cxm_ingest::IngestError;

use crate::driver::{self, load_driver, DriverRef};

/// How a warehouse is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client {
    /// Through an ADBC driver; the URI is the driver's.
    Adbc(DriverRef),
    /// Through Spark Connect; the URI is `sc://host:port/;…`.
    SparkConnect,
}

impl Client {
    /// The prefix of the source's label: `adbc` or `spark`.
    pub fn scheme(&self) -> &'static str {
        match self {
            Client::Adbc(_) => "adbc",
            Client::SparkConnect => "spark",
        }
    }
}

/// An open connection.
pub(crate) enum Session {
    Adbc {
        connection: adbc_driver_manager::ManagedConnection,
        /// Statements whose results may still be streaming: kept until the session is
        /// dropped (after the source's reader).
        statements: Vec<adbc_driver_manager::ManagedStatement>,
    },
    #[cfg(feature = "spark")]
    Spark(cxm_spark::Session),
}

impl Session {
    /// Connects to `uri` (loading the ADBC driver first).
    pub(crate) fn open(client: &Client, uri: &str, label: &Path) -> Result<Session, IngestError> {
        match client {
            Client::Adbc(driver) => Ok(Session::Adbc {
                connection: connect(driver, uri, label)?,
                statements: Vec::new(),
            }),
            Client::SparkConnect => spark_session(uri, label),
        }
    }

    /// Runs `sql` (`what` names it in errors: "the query") and returns its rows as they
    /// stream.
    pub(crate) fn execute(
        &mut self,
        sql: &str,
        label: &Path,
        what: &str,
    ) -> Result<Box<dyn RecordBatchReader + Send>, IngestError> {
        match self {
            Session::Adbc {
                connection,
                statements,
            } => {
                let mut statement = connection
                    .new_statement()
                    .map_err(|e| adbc_error(label, "cannot create a statement", e))?;
                statement
                    .set_sql_query(sql)
                    .map_err(|e| adbc_error(label, &format!("the warehouse refused {what}"), e))?;
                let reader = statement
                    .execute()
                    .map_err(|e| adbc_error(label, &format!("{what} failed"), e))?;
                statements.push(statement);
                Ok(Box::new(reader))
            }
            #[cfg(feature = "spark")]
            Session::Spark(session) => match session.sql(sql) {
                Ok(reader) => Ok(Box::new(reader)),
                Err(e) => Err(cxm_arrow::source_error(
                    label,
                    None,
                    format!("{what} failed on Spark: {e}"),
                )),
            },
        }
    }

    /// Runs `sql` and returns its whole result (at least one batch, maybe empty, carrying
    /// the schema).
    pub(crate) fn query_all(
        &mut self,
        sql: &str,
        label: &Path,
        what: &str,
    ) -> Result<Vec<RecordBatch>, IngestError> {
        let reader = self.execute(sql, label, what)?;
        let schema = reader.schema();
        let mut out = Vec::new();
        for batch in reader {
            out.push(batch.map_err(|e| {
                cxm_arrow::source_error(label, None, format!("reading {what} failed: {e}"))
            })?);
        }
        if out.is_empty() {
            out.push(RecordBatch::new_empty(schema));
        }
        Ok(out)
    }
}

#[cfg(feature = "spark")]
fn spark_session(uri: &str, label: &Path) -> Result<Session, IngestError> {
    let remote = cxm_spark::Remote::parse(uri)
        .map_err(|e| cxm_arrow::source_error(label, None, e.to_string()))?;
    cxm_spark::Session::connect(&remote)
        .map(Session::Spark)
        .map_err(|e| cxm_arrow::source_error(label, None, e.to_string()))
}

#[cfg(not(feature = "spark"))]
fn spark_session(_uri: &str, label: &Path) -> Result<Session, IngestError> {
    Err(cxm_arrow::source_error(
        label,
        None,
        "this cxm was built without Spark Connect (cargo feature `spark`); rebuild with default features".to_string(),
    ))
}

/// Loads the driver and connects.
fn connect(
    driver: &DriverRef,
    uri: &str,
    label: &Path,
) -> Result<adbc_driver_manager::ManagedConnection, IngestError> {
    let driver =
        load_driver(driver).map_err(|message| cxm_arrow::source_error(label, None, message))?;
    let database = driver::database(&driver, uri)
        .map_err(|e| adbc_error(label, "cannot open the database (check the URI)", e))?;
    adbc_core::Database::new_connection(&database)
        .map_err(|e| adbc_error(label, "cannot connect", e))
}

fn adbc_error(label: &Path, what: &str, e: adbc_core::error::Error) -> IngestError {
    let state: String = e
        .sqlstate
        .iter()
        .map(|&c| c as u8 as char)
        .filter(|c| *c != '\0')
        .collect();
    let state = if state.is_empty() || state == "00000" {
        String::new()
    } else {
        format!(" (SQLSTATE {state})")
    };
    cxm_arrow::source_error(label, None, format!("{what}: {}{state}", e.message.trim()))
}
