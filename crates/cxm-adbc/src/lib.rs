//! Datasets read from a warehouse, through ADBC (Arrow Database Connectivity,
//! <https://arrow.apache.org/adbc/>) or Spark Connect ([`cxm_spark`], with the `spark`
//! feature). An ADBC driver library (the shared libraries the ADBC project ships, e.g. inside
//! the PyPI wheels `adbc-driver-postgresql`, `adbc-driver-sqlite`, `adbc-driver-snowflake`)
//! is loaded by path (optionally pinned by sha256, like plugins) or by name through ADBC
//! driver manifests and connected with a URI; a Spark Connect session is opened with an
//! `sc://` connection string. Either is asked for a table or the result of a query
//! ([`session`]). Batches arrive as Arrow, with no text round trip, and go through the same
//! conversion as Parquet columns ([`cxm_arrow`]): typed columns per field, cell errors for
//! values that cannot be read as the field's type, and each cell's text on demand.
//!
//! Rows are numbered from 1 in the order the driver returns them (a query without `ORDER BY`
//! may return them in another order next time; the figures do not depend on it). The
//! dataset's sha256 covers the query and the text of every mapped cell, so two runs over the
//! same data have the same digest.
//!
//! A loaded driver library is never unloaded (like plugins): drivers may leave threads or
//! handlers behind that outlive their last connection.

mod driver;
pub mod pushdown;
mod session;

use std::path::{Path, PathBuf};

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::DataType;
use cxm_ingest::{Batch, DatasetStats, FieldSpec, IngestError, RecordSource, Zone};
use sha2::{Digest, Sha256};

pub use driver::{load_driver, DriverRef};
pub use session::Client;
use session::Session;

/// How the rows are read.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// Every row.
    All,
    /// The first rows only (`LIMIT`): checking a mapping or sampling values must not scan a
    /// warehouse table.
    Limit(u64),
    /// The row histogram the warehouse computes ([`pushdown`]); each batch carries the
    /// rows' counts.
    Pushdown(pushdown::Pushdown),
}

/// How cells are read, as for a file: the texts that mean empty, the zone of wall-clock
/// times, and the most rows per batch.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Cell texts that mean empty.
    pub null_values: &'a [String],
    /// Zone of timestamps without a zone.
    pub zone: Zone,
    /// Most rows per batch.
    pub batch_rows: usize,
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdbcQuery {
    /// A table (`schema.table` or `table`), read whole.
    Table(String),
    /// A SQL query in the warehouse's dialect.
    Sql(String),
}

impl AdbcQuery {
    /// The label of the source in reports and errors: `<scheme>:<table>` or
    /// `<scheme>:<query>` (its first 60 characters, whitespace collapsed), the scheme
    /// `adbc` or `spark`.
    pub fn label(&self, scheme: &str) -> PathBuf {
        match self {
            AdbcQuery::Table(t) => PathBuf::from(format!("{scheme}:{t}")),
            AdbcQuery::Sql(q) => {
                let short: String = q
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(60)
                    .collect();
                PathBuf::from(format!("{scheme}:{short}"))
            }
        }
    }

    /// [`AdbcQuery::sql`] without a trailing `;`, to be wrapped as a derived table.
    fn select(&self, label: &Path) -> Result<String, IngestError> {
        Ok(self.sql(label)?.trim().trim_end_matches(';').to_string())
    }

    /// The SQL run: the query, or `SELECT * FROM` the table. A table name is a dotted list of
    /// identifiers of letters, digits and `_` (anything else belongs in a query).
    fn sql(&self, label: &Path) -> Result<String, IngestError> {
        match self {
            AdbcQuery::Sql(q) => Ok(q.clone()),
            AdbcQuery::Table(t) => {
                let plain = !t.is_empty()
                    && t.split('.').all(|part| {
                        !part.is_empty()
                            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                            && !part.starts_with(|c: char| c.is_ascii_digit())
                    });
                if plain {
                    Ok(format!("SELECT * FROM {t}"))
                } else {
                    Err(cxm_arrow::source_error(
                        label,
                        None,
                        format!("table \"{t}\" is not a plain name (letters, digits, _ and dots); write the SQL as query = \"SELECT … FROM …\" instead"),
                    ))
                }
            }
        }
    }
}

/// Rows of a table or query, read through an ADBC driver.
pub struct AdbcSource {
    label: PathBuf,
    plan: cxm_arrow::Plan,
    reader: Box<dyn RecordBatchReader + Send>,
    /// A record batch not yet converted whole (drivers may return more rows per batch than
    /// asked for), and the row it starts from.
    pending: Option<(RecordBatch, usize)>,
    /// With pushdown: the column of the rows' counts.
    count_column: Option<usize>,
    /// The source rows the batches so far stand for (their counts, or one each).
    source_rows: u64,
    /// With pushdown: the most histogram rows allowed.
    budget: Option<pushdown::Budget>,
    batch_rows: usize,
    rows: u64,
    hasher: Sha256,
    bytes: u64,
    /// The session the reader streams from, kept open while it streams (dropped after it).
    _session: Session,
}

impl AdbcSource {
    /// Loads the driver, connects to `uri`, runs the query and checks that every mapped
    /// column is in its result, with a type cxm can read. `null_values` and `zone` mean what
    /// they mean for a file; at most `batch_rows` rows go into each batch.
    pub fn open(
        client: &Client,
        uri: &str,
        query: &AdbcQuery,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Result<AdbcSource, IngestError> {
        let options = Options {
            null_values,
            zone,
            batch_rows,
        };
        AdbcSource::open_with(client, uri, query, fields, options, &Read::All)
    }

    /// Like [`AdbcSource::open`], reading the way `read` says: every row, the first rows
    /// only, or the histogram of a pushdown.
    pub fn open_with(
        client: &Client,
        uri: &str,
        query: &AdbcQuery,
        fields: Vec<FieldSpec>,
        options: Options<'_>,
        read: &Read,
    ) -> Result<AdbcSource, IngestError> {
        let label = query.label(client.scheme());
        let mut session = Session::open(client, uri, &label)?;
        let (sql, budget) = match read {
            Read::All => (query.sql(&label)?, None),
            Read::Limit(limit) => {
                let sql = match query {
                    AdbcQuery::Table(_) => format!("{} LIMIT {limit}", query.sql(&label)?),
                    AdbcQuery::Sql(_) => format!(
                        "SELECT * FROM ({}) AS cxm_sample LIMIT {limit}",
                        query.select(&label)?
                    ),
                };
                (sql, None)
            }
            Read::Pushdown(spec) => {
                let zone = options.zone;
                let (sql, budget) =
                    pushdown::histogram_sql(&mut session, query, &fields, zone, spec, &label)?;
                (sql, Some(budget))
            }
        };
        let reader = session.execute(&sql, &label, "the query")?;
        AdbcSource::new(label, (session, reader), &sql, fields, options, budget)
    }

    fn new(
        label: PathBuf,
        (session, reader): (Session, Box<dyn RecordBatchReader + Send>),
        sql: &str,
        fields: Vec<FieldSpec>,
        options: Options<'_>,
        budget: Option<pushdown::Budget>,
    ) -> Result<AdbcSource, IngestError> {
        let Options {
            null_values,
            zone,
            batch_rows,
        } = options;
        let schema = reader.schema();
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let sources = resolve(&label, &names, &fields)?;
        let count_column = if budget.is_some() {
            match names.iter().position(|n| n == cxm_sql::ROW_COUNT) {
                Some(i) => Some(i),
                None => {
                    return Err(cxm_arrow::source_error(
                        &label,
                        None,
                        format!(
                            "the pushed-down result has no \"{}\" column",
                            cxm_sql::ROW_COUNT
                        ),
                    ))
                }
            }
        } else {
            None
        };
        let types: Vec<DataType> = sources
            .iter()
            .map(|&i| schema.field(i).data_type().clone())
            .collect();
        for (field, ty) in fields.iter().zip(&types) {
            if !cxm_arrow::supported(ty) {
                return Err(cxm_arrow::source_error(
                    &label,
                    None,
                    format!(
                        "column \"{}\" has Arrow type {ty}, which cxm cannot read; cast it in the query (e.g. CAST(… AS VARCHAR))",
                        field.column
                    ),
                ));
            }
        }
        let batch_rows = batch_rows.max(1);
        let plan = cxm_arrow::Plan::new(
            &label,
            fields,
            sources,
            &types,
            null_values,
            zone,
            batch_rows,
        );
        let mut source = AdbcSource {
            label,
            plan,
            reader,
            pending: None,
            count_column,
            source_rows: 0,
            budget,
            batch_rows,
            rows: 0,
            hasher: Sha256::new(),
            bytes: 0,
            _session: session,
        };
        source.hash(&(sql.len() as u64).to_be_bytes());
        source.hash(sql.as_bytes());
        Ok(source)
    }

    fn hash(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
    }

    /// The next record batch with rows, or `None` at the end of the result.
    fn next_record(&mut self) -> Result<Option<(RecordBatch, usize)>, IngestError> {
        if let Some(pending) = self.pending.take() {
            return Ok(Some(pending));
        }
        loop {
            match self.reader.next() {
                None => return Ok(None),
                Some(Err(e)) => {
                    return Err(cxm_arrow::source_error(
                        &self.label,
                        Some(self.rows + 1),
                        format!("reading the result failed: {e}"),
                    ))
                }
                Some(Ok(record)) if record.num_rows() == 0 => continue,
                Some(Ok(record)) => return Ok(Some((record, 0))),
            }
        }
    }

    /// The next batch of at most `batch_rows` rows, or `None` after the last row.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        let Some((record, start)) = self.next_record()? else {
            return Ok(None);
        };
        let take = (record.num_rows() - start).min(self.batch_rows);
        let slice = record.slice(start, take);
        if start + take < record.num_rows() {
            self.pending = Some((record, start + take));
        }
        let first_line = self.rows + 1;
        self.rows += take as u64;
        if let Some(budget) = &self.budget {
            if self.rows > budget.max_groups {
                return Err(cxm_arrow::source_error(
                    &self.label,
                    None,
                    budget.message.clone(),
                ));
            }
        }
        let mut batch = cxm_arrow::Converter::new(&self.plan).convert(&slice, first_line)?;
        if let Some(c) = self.count_column {
            let counts = pushdown::counts(slice.column(c)).map_err(|message| {
                cxm_arrow::source_error(&self.label, Some(first_line), message)
            })?;
            for count in &counts {
                self.hash(&count.to_be_bytes());
                self.source_rows += count;
            }
            batch.row_counts = Some(counts);
        } else {
            self.source_rows += take as u64;
        }
        // The digest covers the text of every mapped cell, row by row.
        let mut text = Vec::new();
        let fields = self.plan.fields().len();
        for row in 0..batch.num_rows() {
            for field in 0..fields {
                batch.raw_into(row, field, &mut text);
                let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
                let cell = std::mem::take(&mut text);
                self.hash(&len.to_be_bytes());
                self.hash(&cell);
                text = cell;
            }
        }
        Ok(Some(batch))
    }
}

/// The index in the result of each field's column; every column missing is listed.
fn resolve(
    label: &Path,
    names: &[String],
    fields: &[FieldSpec],
) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    for f in fields {
        if !names.contains(&f.column) && !missing.contains(&f.column) {
            missing.push(f.column.clone());
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: label.to_path_buf(),
            missing,
            available: names.to_vec(),
        });
    }
    fields
        .iter()
        .map(|f| {
            let mut found = names.iter().enumerate().filter(|(_, n)| **n == f.column);
            match (found.next(), found.next()) {
                (Some((i, _)), None) => Ok(i),
                _ => Err(IngestError::DuplicateColumn {
                    path: label.to_path_buf(),
                    column: f.column.clone(),
                }),
            }
        })
        .collect()
}

impl RecordSource for AdbcSource {
    fn fields(&self) -> &[FieldSpec] {
        self.plan.fields()
    }

    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        AdbcSource::next_batch(self)
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn total_bytes(&self) -> Option<u64> {
        None
    }

    fn finish(mut self: Box<Self>) -> Result<DatasetStats, IngestError> {
        while self.next_batch()?.is_some() {}
        let digest = std::mem::take(&mut self.hasher).finalize();
        Ok(DatasetStats {
            rows_read: self.source_rows,
            rows_accepted: self.source_rows,
            rows_rejected: 0,
            bytes: self.bytes,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_must_be_plain_names() {
        let label = Path::new("adbc:x");
        assert_eq!(
            AdbcQuery::Table("main.answers_2024".into())
                .sql(label)
                .unwrap(),
            "SELECT * FROM main.answers_2024"
        );
        for bad in ["answers; DROP TABLE x", "a..b", "1st", "", "\"quoted\""] {
            let e = AdbcQuery::Table(bad.into()).sql(label).unwrap_err();
            assert!(e.to_string().contains("not a plain name"), "{bad}: {e}");
        }
    }

    #[test]
    fn labels_are_short() {
        let q = AdbcQuery::Sql(format!(
            "SELECT *\n  FROM t WHERE {}",
            "x = 1 AND ".repeat(20)
        ));
        let label = q.label("adbc").display().to_string();
        assert!(
            label.starts_with("adbc:SELECT * FROM t WHERE x = 1"),
            "{label}"
        );
        assert_eq!(label.chars().count(), 5 + 60);
    }
}
