//! PostgreSQL as a cxm dataset: [`PgSource`] reads a table or a query from a local server and
//! implements [`cxm_ingest::RecordSource`], so the engine streams it like a CSV file.
//!
//! # How it reads
//!
//! [`PgSource::open`] connects without TLS (only loopback hosts and Unix sockets are
//! accepted), sets `DateStyle` to `ISO` for the session, starts a `BEGIN READ ONLY`
//! transaction, learns the result's column names by preparing
//! `SELECT * FROM (<query>) AS q LIMIT 0` (mapped columns are matched by name exactly, as
//! PostgreSQL spells them; a missing one is [`cxm_ingest::IngestError::MissingColumns`]), and declares
//! `cxm_cursor NO SCROLL CURSOR FOR <query>`. Each [`PgSource::next_batch`] then runs one
//! `FETCH <batch_rows>` through the simple-query protocol, so every value arrives as text and
//! goes through the same [`cxm_ingest::BatchBuilder`] parsers as a CSV cell (SQL `NULL` is a
//! missing value; booleans `t`/`f` are passed as `true`/`false`). Memory is bounded by one
//! batch. [`PgSource::finish`] commits.
//!
//! Row `line` numbers are 1-based positions in the result. No row is ever rejected whole:
//! `rows_read == rows_accepted`.
//!
//! # Content hash
//!
//! `DatasetStats::sha256` is the SHA-256 of, in order: the query text that was run (for a
//! table, `SELECT * FROM "schema"."table"`) preceded by its byte length as a big-endian `u64`;
//! then, for each row of the result in order, its column count as a big-endian `u16` followed
//! by every column (mapped or not) as a big-endian `i32` byte length (`-1` for `NULL`) and the
//! value's UTF-8 text as the server sent it. This is the layout of PostgreSQL's `DataRow`
//! message, so equal results of the same query hash equally. `DatasetStats::bytes` counts
//! every byte hashed. Rows not yet fetched when `finish` is called are fetched and hashed (but
//! not counted), as the CSV reader does with the rest of a file.
//!
//! # Connection strings
//!
//! A libpq key/value string (`host=127.0.0.1 port=5432 user=cxm dbname=sales`) or a URL
//! (`postgres://cxm@localhost/sales`). Missing parts come from `PGHOST`, `PGPORT`, `PGUSER`
//! and `PGDATABASE`; the password from `PGPASSWORD` or the password file (`PGPASSFILE`,
//! default `~/.pgpass`, ignored unless private to its owner). [`has_password`] tells whether a
//! string carries a password itself (configuration files refuse those). Error messages never
//! contain the password.

mod cells;
mod connect;
mod query;
mod source;

#[cfg(test)]
mod tests;

pub use connect::has_password;
pub use query::PgQuery;
pub use source::{columns, PgSource};
