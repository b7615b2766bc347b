//! Test helpers: the server's address, a sample table, and the documented hash computed
//! independently.

use std::sync::atomic::{AtomicU32, Ordering};

use cxm_ingest::{Batch, DatasetStats, FieldSpec, FieldType, IngestError, RecordSource};
use postgres::{Client, NoTls, SimpleQueryMessage};
use sha2::{Digest, Sha256};

/// The test server's connection string, or `None` (after saying so) to skip.
pub(crate) fn server() -> Option<String> {
    match std::env::var("CXM_TEST_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CXM_TEST_PG_URL is not set but CI is: CI must test against a real server (run eval \"$(scripts/pg-test-server.sh)\")")
        }
        _ => {
            eprintln!(
                "skipping: CXM_TEST_PG_URL not set (run eval \"$(scripts/pg-test-server.sh)\")"
            );
            None
        }
    }
}

/// A table filled with the sample rows, dropped when the test ends.
pub(crate) struct Table {
    pub(crate) url: String,
    pub(crate) name: String,
}

impl Table {
    pub(crate) fn create(url: &str, test: &str) -> Table {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "cxm_{test}_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = Client::connect(url, NoTls).unwrap();
        client
            .batch_execute(&format!(
                "CREATE TABLE {name} (id integer, name text, score integer, amount numeric(10,2),
                     active boolean, day date, at timestamptz, \"Mixed Case\" text);
                 INSERT INTO {name} VALUES
                 (1, 'alice', 9, 12.50, true, '2025-03-01', '2025-03-01 10:00:00+00', 'a'),
                 (2, 'bob', NULL, 3.25, false, '2025-03-02', '2025-03-02 12:30:00+02', NULL),
                 (3, NULL, 7, NULL, NULL, NULL, NULL, 'c'),
                 (4, 'dave', 10, -1.00, true, '2025-12-31', '2025-06-15 08:00:00.5+05:30', 'd'),
                 (5, 'NA', 0, 0, false, '2024-02-29', '2024-02-29 23:59:59+00', 'e');"
            ))
            .unwrap();
        Table {
            url: url.to_owned(),
            name,
        }
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.url, NoTls) {
            let _ = client.batch_execute(&format!("DROP TABLE IF EXISTS {}", self.name));
        }
    }
}

pub(crate) fn all_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new("id", "id", FieldType::Integer),
        FieldSpec::new("who", "name", FieldType::String),
        FieldSpec::new("score", "score", FieldType::Integer),
        FieldSpec::new("amount", "amount", FieldType::Number),
        FieldSpec::new("active", "active", FieldType::Boolean),
        FieldSpec::new("day", "day", FieldType::Date),
        FieldSpec::new("at", "at", FieldType::Datetime),
        FieldSpec::new("mixed", "Mixed Case", FieldType::String),
    ]
}

/// Reads everything; returns the batches and the totals.
pub(crate) fn read_all(mut source: Box<dyn RecordSource>) -> (Vec<Batch>, DatasetStats) {
    let mut batches = Vec::new();
    while let Some(batch) = source.next_batch().unwrap() {
        batches.push(batch);
    }
    assert!(source.next_batch().unwrap().is_none());
    (batches, source.finish().unwrap())
}

/// The documented content hash, computed independently from a plain query.
pub(crate) fn expected_sha(url: &str, sql: &str) -> String {
    let mut client = Client::connect(url, NoTls).unwrap();
    let mut h = Sha256::new();
    h.update((sql.len() as u64).to_be_bytes());
    h.update(sql.as_bytes());
    for m in client.simple_query(sql).unwrap() {
        if let SimpleQueryMessage::Row(row) = m {
            h.update((row.len() as u16).to_be_bytes());
            for i in 0..row.len() {
                match row.get(i) {
                    Some(t) => {
                        h.update((t.len() as i32).to_be_bytes());
                        h.update(t.as_bytes());
                    }
                    None => h.update((-1i32).to_be_bytes()),
                }
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn message(err: IngestError) -> String {
    err.to_string()
}
