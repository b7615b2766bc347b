//! Against the Spark Connect server scripts/spark-test-server.sh starts
//! (`CXM_TEST_SPARK_REMOTE`); skipped without it unless `CXM_TEST_SPARK_REQUIRED` is set.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::RecordBatchReader;
use cxm_spark::{Remote, Session, SparkError};

fn remote() -> Option<Remote> {
    match std::env::var("CXM_TEST_SPARK_REMOTE") {
        Ok(r) => Some(Remote::parse(&r).unwrap()),
        Err(_) if std::env::var("CXM_TEST_SPARK_REQUIRED").is_ok() => {
            panic!("CXM_TEST_SPARK_REMOTE must be set")
        }
        Err(_) => {
            eprintln!("skipping: CXM_TEST_SPARK_REMOTE not set (eval \"$(scripts/spark-test-server.sh)\")");
            None
        }
    }
}

#[test]
fn a_query_streams_its_rows_as_arrow() {
    let Some(remote) = remote() else { return };
    let mut session = Session::connect(&remote).unwrap();
    // More rows than one Arrow batch holds by default (10,000 rows per batch in Spark's
    // Arrow conversion is not guaranteed; 200k rows of 2 longs span several batches).
    let reader = session
        .sql("SELECT id, id * 2 AS twice, CAST(id AS STRING) AS s FROM range(200000)")
        .unwrap();
    let schema = reader.schema();
    assert_eq!(schema.field(0).name(), "id");
    assert_eq!(schema.field(2).name(), "s");
    let mut rows = 0i64;
    let mut sum = 0i64;
    for batch in reader {
        let batch = batch.unwrap();
        rows += batch.num_rows() as i64;
        sum += batch
            .column(1)
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .sum::<i64>();
    }
    assert_eq!(rows, 200_000);
    assert_eq!(sum, 199_999 * 200_000);
    // An empty result still has its schema.
    let reader = session.sql("SELECT 1 AS one WHERE 1 = 0").unwrap();
    assert_eq!(reader.schema().field(0).name(), "one");
    assert_eq!(reader.count(), 0);
}

#[test]
fn a_bad_query_fails_with_sparks_message() {
    let Some(remote) = remote() else { return };
    let mut session = Session::connect(&remote).unwrap();
    let e = session
        .sql("SELECT * FROM no_such_table_cxm")
        .err()
        .unwrap();
    assert!(matches!(e, SparkError::Query(_)), "{e:?}");
    assert!(e.to_string().contains("TABLE_OR_VIEW_NOT_FOUND"), "{e}");
}

#[test]
fn no_server_is_a_connect_error() {
    if remote().is_none() {
        return;
    }
    // A port nothing listens on (the discard port, never served in tests).
    let remote = Remote::parse("sc://127.0.0.1:9").unwrap();
    let e = Session::connect(&remote).err().unwrap();
    assert!(
        e.to_string()
            .contains("cannot connect to Spark Connect at 127.0.0.1:9"),
        "{e}"
    );
}
