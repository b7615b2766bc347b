//! [`PgSource`]: streams a query's rows through a server-side cursor into typed batches.

use std::path::{Path, PathBuf};

use cxm_ingest::{
    Batch, BatchBuilder, DatasetStats, FieldSpec, FieldType, IngestError, RecordSource, Zone,
};
use postgres::{Client, SimpleQueryMessage};
use sha2::{Digest, Sha256};

use crate::cells::normalise;
use crate::connect::{connect, error_position, error_text};
use crate::query::{position_note, PgQuery};

/// Upper bound on the rows preallocated per batch.
const MAX_PREALLOC_ROWS: usize = 65_536;
/// Statement prefix of the column probe; the query follows on the next line.
const PROBE_PREFIX: &str = "SELECT * FROM (\n";
/// Statement prefix of the cursor; the query follows on the next line.
const DECLARE_PREFIX: &str = "DECLARE cxm_cursor NO SCROLL CURSOR FOR\n";

/// A PostgreSQL table or query being read in batches (see the crate documentation).
pub struct PgSource {
    source_name: String,
    fields: Vec<FieldSpec>,
    types: Vec<FieldType>,
    /// Result column index of each field.
    columns: Vec<usize>,
    client: Client,
    builder: BatchBuilder,
    batch_rows: usize,
    hasher: Sha256,
    bytes: u64,
    rows: u64,
    /// The cursor is exhausted (or failed).
    done: bool,
}

impl std::fmt::Debug for PgSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSource")
            .field("source_name", &self.source_name)
            .field("fields", &self.fields)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

fn source_error(source_name: &str, message: String) -> IngestError {
    IngestError::Source {
        source_name: source_name.to_owned(),
        line: None,
        message,
    }
}

/// A server error for a statement made of `prefix` and the query `sql` (positions are shown
/// only for SQL the user wrote).
fn statement_error(
    source_name: &str,
    query: &PgQuery,
    prefix: &str,
    sql: &str,
    err: &postgres::Error,
) -> IngestError {
    let note = match query {
        PgQuery::Sql(_) => position_note(error_position(err), prefix, sql),
        PgQuery::Table(_) => String::new(),
    };
    source_error(source_name, format!("{}{note}", error_text(err)))
}

/// Connects and returns the client with the query text to run.
fn open_client(
    source_name: &str,
    connection: &str,
    query: &PgQuery,
) -> Result<(Client, String), IngestError> {
    let sql = query.to_sql().map_err(|m| source_error(source_name, m))?;
    let client = connect(connection).map_err(|e| source_error(source_name, e.0))?;
    Ok((client, sql))
}

/// The result's column names, from preparing the query wrapped in `LIMIT 0`.
fn probe_columns(
    client: &mut Client,
    source_name: &str,
    query: &PgQuery,
    sql: &str,
) -> Result<Vec<String>, IngestError> {
    let probe = format!("{PROBE_PREFIX}{sql}\n) AS q LIMIT 0");
    let statement = client
        .prepare(&probe)
        .map_err(|e| statement_error(source_name, query, PROBE_PREFIX, sql, &e))?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect())
}

/// The column names of `query`'s result, without reading any row.
pub fn columns(connection: &str, query: &PgQuery) -> Result<Vec<String>, IngestError> {
    let source_name = query.source_name();
    let (mut client, sql) = open_client(&source_name, connection, query)?;
    probe_columns(&mut client, &source_name, query, &sql)
}

/// Maps each field's column name (exact match) to its index in the result.
fn resolve(path: &Path, names: &[String], fields: &[FieldSpec]) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    for f in fields {
        if !names.contains(&f.column) && !missing.contains(&f.column) {
            missing.push(f.column.clone());
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_path_buf(),
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
                    path: path.to_path_buf(),
                    column: f.column.clone(),
                }),
            }
        })
        .collect()
}

impl PgSource {
    /// Connects, checks the mapped columns exist, and declares the cursor. `null_values` and
    /// `zone` mean what they mean for a CSV file; `batch_rows` rows are fetched per batch
    /// (`0` is treated as `1`).
    pub fn open(
        connection: &str,
        query: &PgQuery,
        fields: Vec<FieldSpec>,
        null_values: &[String],
        zone: Zone,
        batch_rows: usize,
    ) -> Result<PgSource, IngestError> {
        let source_name = query.source_name();
        let path = PathBuf::from(&source_name);
        let batch_rows = batch_rows.max(1);
        let builder = BatchBuilder::new(
            &path,
            &fields,
            null_values,
            zone,
            batch_rows.min(MAX_PREALLOC_ROWS),
        )?;
        let (mut client, sql) = open_client(&source_name, connection, query)?;
        let server_error = |e: postgres::Error| source_error(&source_name, error_text(&e));
        client
            .batch_execute("SET DateStyle = ISO; BEGIN READ ONLY")
            .map_err(server_error)?;
        let names = probe_columns(&mut client, &source_name, query, &sql)?;
        let columns = resolve(&path, &names, &fields)?;
        // The extended protocol runs exactly one statement.
        client
            .execute(&format!("{DECLARE_PREFIX}{sql}"), &[])
            .map_err(|e| statement_error(&source_name, query, DECLARE_PREFIX, &sql, &e))?;
        let mut source = PgSource {
            types: fields.iter().map(|f| f.ty).collect(),
            source_name,
            fields,
            columns,
            client,
            builder,
            batch_rows,
            hasher: Sha256::new(),
            bytes: 0,
            rows: 0,
            done: false,
        };
        source.hash(&(sql.len() as u64).to_be_bytes());
        source.hash(sql.as_bytes());
        Ok(source)
    }

    fn hash(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
    }

    /// Fetches the next `batch_rows` rows; `build` says whether they go into the batch
    /// (otherwise they are only hashed). Returns the number of rows fetched.
    fn fetch(&mut self, build: bool) -> Result<usize, IngestError> {
        let messages = match self.client.simple_query(&format!(
            "FETCH FORWARD {} FROM cxm_cursor",
            self.batch_rows
        )) {
            Ok(m) => m,
            Err(e) => {
                self.done = true;
                return Err(source_error(&self.source_name, error_text(&e)));
            }
        };
        let mut fetched = 0;
        for message in &messages {
            let SimpleQueryMessage::Row(row) = message else {
                continue;
            };
            fetched += 1;
            let width = u16::try_from(row.len()).unwrap_or(u16::MAX);
            self.hash(&width.to_be_bytes());
            for i in 0..row.len() {
                match row.get(i) {
                    Some(text) => {
                        let len = i32::try_from(text.len()).unwrap_or(i32::MAX);
                        self.hash(&len.to_be_bytes());
                        self.hash(text.as_bytes());
                    }
                    None => self.hash(&(-1i32).to_be_bytes()),
                }
            }
            if build {
                self.rows += 1;
                let cells: Vec<_> = self
                    .columns
                    .iter()
                    .zip(&self.types)
                    .map(|(&col, &ty)| row.get(col).map(|text| normalise(ty, text)))
                    .collect();
                let cells: Vec<Option<&[u8]>> = cells
                    .iter()
                    .map(|c| c.as_deref().map(str::as_bytes))
                    .collect();
                self.builder.push_row(self.rows, &cells);
            }
        }
        if fetched < self.batch_rows {
            self.done = true;
        }
        Ok(fetched)
    }

    /// The next batch of up to `batch_rows` rows, or `None` after the last row.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        if self.done {
            return Ok(None);
        }
        if self.fetch(true)? == 0 {
            return Ok(None);
        }
        Ok(Some(self.builder.finish()))
    }

    /// The field specs, in column order.
    pub fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    /// Bytes hashed so far (see the crate documentation).
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Hashes the rows not yet read, ends the transaction, and returns the totals.
    pub fn finish(mut self) -> Result<DatasetStats, IngestError> {
        while !self.done {
            self.fetch(false)?;
        }
        self.client
            .batch_execute("CLOSE cxm_cursor; COMMIT")
            .map_err(|e| source_error(&self.source_name, error_text(&e)))?;
        let digest = self.hasher.finalize();
        Ok(DatasetStats {
            rows_read: self.rows,
            rows_accepted: self.rows,
            rows_rejected: 0,
            bytes: self.bytes,
            sha256: hex(&digest),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

impl RecordSource for PgSource {
    fn fields(&self) -> &[FieldSpec] {
        PgSource::fields(self)
    }
    fn next_batch(&mut self) -> Result<Option<Batch>, IngestError> {
        PgSource::next_batch(self)
    }
    fn bytes_read(&self) -> u64 {
        PgSource::bytes_read(self)
    }
    fn total_bytes(&self) -> Option<u64> {
        None
    }
    fn finish(self: Box<Self>) -> Result<DatasetStats, IngestError> {
        PgSource::finish(*self)
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn resolve_reports_missing_and_duplicate_columns() {
        let names: Vec<String> = ["id", "Score", "id"].map(String::from).to_vec();
        let spec = |c: &str| FieldSpec::new(c, c, FieldType::String);
        assert_eq!(
            resolve(Path::new("p"), &names, &[spec("Score")]).unwrap(),
            vec![1]
        );
        match resolve(
            Path::new("p"),
            &names,
            &[spec("score"), spec("x"), spec("x")],
        ) {
            Err(IngestError::MissingColumns {
                missing, available, ..
            }) => {
                assert_eq!(missing, vec!["score", "x"]);
                assert_eq!(available, names);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            resolve(Path::new("p"), &names, &[spec("id")]),
            Err(IngestError::DuplicateColumn { column, .. }) if column == "id"
        ));
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
    }
}
