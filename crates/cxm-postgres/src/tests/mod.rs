//! Tests against a real server: `CXM_TEST_PG_URL` names it (see `scripts/pg-test-server.sh`).
//! Without it they are skipped, except under CI, where they fail.

mod support;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use cxm_ingest::{Batch, FieldSpec, FieldType, IngestError, Zone};

use crate::{columns, PgQuery, PgSource};
use support::{all_fields, expected_sha, message, read_all, server, Table};

#[test]
fn reads_a_table_with_every_type_and_nulls() {
    let Some(url) = server() else { return };
    let table = Table::create(&url, "types");
    let query = PgQuery::Table(table.name.clone());
    let source = PgSource::open(
        &url,
        &query,
        all_fields(),
        &["".into(), "NA".into()],
        Zone::Utc,
        100,
    )
    .unwrap();
    assert_eq!(source.fields().len(), 8);
    let (batches, stats) = read_all(Box::new(source));
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.lines, vec![1, 2, 3, 4, 5]);
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert!(b.rejected_rows.is_empty());
    let ids = b.columns[0].as_primitive::<Int64Type>();
    assert_eq!(ids.values().to_vec(), vec![1, 2, 3, 4, 5]);
    let who = b.columns[1].as_string::<i32>();
    assert_eq!(
        (0..5)
            .map(|i| who.is_valid(i).then(|| who.value(i)))
            .collect::<Vec<_>>(),
        vec![Some("alice"), Some("bob"), None, Some("dave"), None]
    );
    let score = b.columns[2].as_primitive::<Int64Type>();
    assert_eq!(
        (0..5)
            .map(|i| score.is_valid(i).then(|| score.value(i)))
            .collect::<Vec<_>>(),
        vec![Some(9), None, Some(7), Some(10), Some(0)]
    );
    let amount = b.columns[3].as_primitive::<Float64Type>();
    assert_eq!(
        (0..5)
            .map(|i| amount.is_valid(i).then(|| amount.value(i)))
            .collect::<Vec<_>>(),
        vec![Some(12.5), Some(3.25), None, Some(-1.0), Some(0.0)]
    );
    let active = b.columns[4].as_boolean();
    assert_eq!(
        (0..5)
            .map(|i| active.is_valid(i).then(|| active.value(i)))
            .collect::<Vec<_>>(),
        vec![Some(true), Some(false), None, Some(true), Some(false)]
    );
    let day = b.columns[5].as_primitive::<Date32Type>();
    assert_eq!(
        (0..5)
            .map(|i| day.is_valid(i).then(|| day.value(i)))
            .collect::<Vec<_>>(),
        vec![Some(20148), Some(20149), None, Some(20453), Some(19782)]
    );
    let at = b.columns[6].as_primitive::<TimestampMicrosecondType>();
    assert_eq!(
        (0..5)
            .map(|i| at.is_valid(i).then(|| at.value(i)))
            .collect::<Vec<_>>(),
        vec![
            Some(1_740_823_200_000_000),
            Some(1_740_911_400_000_000),
            None,
            Some(1_749_954_600_500_000),
            Some(1_709_251_199_000_000)
        ]
    );
    let mixed = b.columns[7].as_string::<i32>();
    assert_eq!(mixed.value(0), "a");
    assert!(mixed.is_null(1));
    assert_eq!(b.raw_value(0, 4), "true");
    assert_eq!(b.raw_value(1, 3), "3.25");
    assert_eq!(stats.rows_read, 5);
    assert_eq!(stats.rows_accepted, 5);
    assert_eq!(stats.rows_rejected, 0);
    let sql = format!("SELECT * FROM \"{}\"", table.name);
    assert_eq!(stats.sha256, expected_sha(&url, &sql));
    assert!(stats.bytes > sql.len() as u64);
}

#[test]
fn reads_a_query_with_where_in_several_fetches() {
    let Some(url) = server() else { return };
    let table = Table::create(&url, "where");
    let sql = format!(
        "SELECT id, name AS who, score\nFROM {} WHERE score IS NOT NULL ORDER BY id;",
        table.name
    );
    let fields = vec![
        FieldSpec::new("id", "id", FieldType::Integer),
        FieldSpec::new("who", "who", FieldType::String),
    ];
    let source =
        PgSource::open(&url, &PgQuery::Sql(sql.clone()), fields, &[], Zone::Utc, 3).unwrap();
    let (batches, stats) = read_all(Box::new(source));
    assert_eq!(
        batches.iter().map(Batch::num_rows).collect::<Vec<_>>(),
        vec![3, 1]
    );
    assert_eq!(batches[0].lines, vec![1, 2, 3]);
    assert_eq!(batches[1].lines, vec![4]);
    let ids: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.columns[0].as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(ids, vec![1, 3, 4, 5]);
    assert!(batches[0].columns[1].is_null(1));
    assert_eq!(batches[1].columns[1].as_string::<i32>().value(0), "NA");
    assert_eq!(stats.rows_read, 4);
    assert_eq!(stats.sha256, expected_sha(&url, sql.trim_end_matches(';')));

    let empty = format!("SELECT id FROM {} WHERE false", table.name);
    let fields = vec![FieldSpec::new("id", "id", FieldType::Integer)];
    let source = PgSource::open(
        &url,
        &PgQuery::Sql(empty.clone()),
        fields,
        &[],
        Zone::Utc,
        3,
    )
    .unwrap();
    let (batches, stats) = read_all(Box::new(source));
    assert!(batches.is_empty());
    assert_eq!(
        (stats.rows_read, stats.sha256),
        (0, expected_sha(&url, &empty))
    );
}

#[test]
fn many_fetches_and_early_finish_hash_the_same() {
    let Some(url) = server() else { return };
    let sql = "SELECT g AS n, g * 0.5 AS half FROM generate_series(1, 1000) AS g";
    let fields = vec![
        FieldSpec::new("n", "n", FieldType::Integer),
        FieldSpec::new("half", "half", FieldType::Number),
    ];
    let query = PgQuery::Sql(sql.into());
    let source = PgSource::open(&url, &query, fields.clone(), &[], Zone::Utc, 64).unwrap();
    let (batches, stats) = read_all(Box::new(source));
    assert_eq!(batches.len(), 16);
    assert!(batches[..15].iter().all(|b| b.num_rows() == 64));
    assert_eq!(batches[15].num_rows(), 40);
    assert_eq!(batches[15].lines.last(), Some(&1000));
    let last = batches[15].columns[1].as_primitive::<Float64Type>();
    assert_eq!(last.value(39), 500.0);
    assert_eq!(stats.rows_read, 1000);
    assert_eq!(stats.sha256, expected_sha(&url, sql));

    let mut early = PgSource::open(&url, &query, fields, &[], Zone::Utc, 64).unwrap();
    assert_eq!(early.next_batch().unwrap().unwrap().num_rows(), 64);
    let partial = early.finish().unwrap();
    assert_eq!(partial.rows_read, 64);
    assert_eq!((partial.sha256, partial.bytes), (stats.sha256, stats.bytes));
}

#[test]
fn offsets_of_other_session_zones_keep_the_instant() {
    let Some(url) = server() else { return };
    let url = format!("{url} options='-c TimeZone=Asia/Kolkata'");
    let sql = "SELECT timestamptz '2025-03-01 10:00:00+00' AS a, \
               timestamptz '1900-01-01 00:00:00+00' AS b, \
               timestamp '2025-03-01 10:00:00' AS c";
    let fields = vec![
        FieldSpec::new("a", "a", FieldType::Datetime),
        FieldSpec::new("b", "b", FieldType::Datetime),
        FieldSpec::new("c", "c", FieldType::Datetime),
    ];
    let zone = Zone::Fixed(chrono::FixedOffset::east_opt(3600).unwrap());
    let source = PgSource::open(&url, &PgQuery::Sql(sql.into()), fields, &[], zone, 10).unwrap();
    let (batches, _) = read_all(Box::new(source));
    let b = &batches[0];
    assert!(b.cell_errors.is_empty(), "{:?}", b.cell_errors);
    assert_eq!(b.raw_value(0, 0), "2025-03-01 15:30:00+05:30");
    assert_eq!(b.raw_value(0, 1), "1900-01-01T00:00:00Z");
    let value = |f: usize| {
        b.columns[f]
            .as_primitive::<TimestampMicrosecondType>()
            .value(0)
    };
    assert_eq!(value(0), 1_740_823_200_000_000);
    assert_eq!(value(1), -2_208_988_800_000_000);
    // Without an offset, the configured zone applies (10:00 at +01:00 is 09:00 UTC).
    assert_eq!(value(2), 1_740_823_200_000_000 - 3_600_000_000);
}

#[test]
fn missing_columns_list_the_available_ones() {
    let Some(url) = server() else { return };
    let table = Table::create(&url, "missing");
    let query = PgQuery::Table(table.name.clone());
    assert_eq!(
        columns(&url, &query).unwrap(),
        [
            "id",
            "name",
            "score",
            "amount",
            "active",
            "day",
            "at",
            "Mixed Case"
        ]
    );
    let fields = vec![
        FieldSpec::new("id", "id", FieldType::Integer),
        FieldSpec::new("mixed", "mixed case", FieldType::String),
    ];
    match PgSource::open(&url, &query, fields, &[], Zone::Utc, 10) {
        Err(IngestError::MissingColumns {
            path,
            missing,
            available,
        }) => {
            assert_eq!(path.to_string_lossy(), format!("postgres: {}", table.name));
            assert_eq!(missing, vec!["mixed case"]);
            assert_eq!(available.len(), 8);
            assert_eq!(available[7], "Mixed Case");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn sql_errors_name_the_query_and_the_position() {
    let Some(url) = server() else { return };
    let table = Table::create(&url, "badsql");
    let sql = format!("SELECT id FROM {} WHERE\n  nosuchcol = 1", table.name);
    let fields = vec![FieldSpec::new("id", "id", FieldType::Integer)];
    let err = PgSource::open(
        &url,
        &PgQuery::Sql(sql.clone()),
        fields.clone(),
        &[],
        Zone::Utc,
        10,
    )
    .unwrap_err();
    assert_eq!(
        message(err),
        format!(
            "postgres: SELECT id FROM {} WHERE nosuchcol = 1: ERROR: column \"nosuchcol\" does \
             not exist at line 2, column 3 of the query",
            table.name
        )
    );
    let err = PgSource::open(
        &url,
        &PgQuery::Table("no_such_table".into()),
        fields.clone(),
        &[],
        Zone::Utc,
        10,
    )
    .unwrap_err();
    assert_eq!(
        message(err),
        "postgres: no_such_table: ERROR: relation \"no_such_table\" does not exist"
    );
    // A failure while fetching (not while planning) is reported too.
    let err = PgSource::open(
        &url,
        &PgQuery::Sql("SELECT 1 / (g - 3) AS id FROM generate_series(1, 5) g".into()),
        fields,
        &[],
        Zone::Utc,
        10,
    )
    .and_then(|mut s| s.next_batch())
    .unwrap_err();
    assert!(message(err).ends_with(": ERROR: division by zero"));
}

#[test]
fn connection_errors_never_show_the_password() {
    let fields = vec![FieldSpec::new("id", "id", FieldType::Integer)];
    let query = PgQuery::Table("t".into());
    let err = PgSource::open(
        "host=127.0.0.1 port=1 user=u password=hunter2",
        &query,
        fields.clone(),
        &[],
        Zone::Utc,
        10,
    )
    .unwrap_err();
    let text = message(err);
    assert!(text.starts_with("postgres: t: cannot connect: "), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let err = PgSource::open(
        "postgres://u:hunter2@db.example.com/x",
        &query,
        fields,
        &[],
        Zone::Utc,
        10,
    )
    .unwrap_err();
    let text = message(err);
    assert!(
        text.contains("not a loopback address") && !text.contains("hunter2"),
        "{text}"
    );
    let err = columns("host=127.0.0.1 port=notaport", &query).unwrap_err();
    assert_eq!(
        message(err),
        "postgres: t: invalid connection string: invalid connection string: invalid value for option `port`"
    );
}
