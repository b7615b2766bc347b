//! Golden SQL: for every engine and every catalog shape, the histogram and group-count
//! queries are compared with `tests/golden/<engine>/<case>.sql` (regenerate with
//! `CXM_UPDATE_GOLDEN=1`) and parsed with `sqlparser` in the engine's dialect.

mod cases;

use std::path::PathBuf;

use cxm_sql::{group_count_query, histogram_query, Engine};
use sqlparser::dialect::{
    BigQueryDialect, ClickHouseDialect, DatabricksDialect, Dialect, DuckDbDialect, GenericDialect,
    PostgreSqlDialect, SQLiteDialect, SnowflakeDialect,
};
use sqlparser::parser::Parser;

/// The sqlparser dialect for an engine (Databricks for Spark SQL: sqlparser has no Spark
/// dialect and Databricks SQL is Spark's; Generic for Trino, which it does not have either).
fn parser_dialect(engine: Engine) -> Box<dyn Dialect> {
    match engine {
        Engine::Postgres => Box::new(PostgreSqlDialect {}),
        Engine::Sqlite => Box::new(SQLiteDialect {}),
        Engine::DuckDb => Box::new(DuckDbDialect {}),
        Engine::SparkSql => Box::new(DatabricksDialect {}),
        Engine::Trino => Box::new(GenericDialect {}),
        Engine::BigQuery => Box::new(BigQueryDialect {}),
        Engine::Snowflake => Box::new(SnowflakeDialect {}),
        Engine::ClickHouse => Box::new(ClickHouseDialect {}),
    }
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn golden_queries_match_and_parse() {
    let update = std::env::var_os("CXM_UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let mut checked = 0;
    for engine in Engine::ALL {
        let dialect = engine.dialect();
        let dir = golden_dir().join(engine.key());
        std::fs::create_dir_all(&dir).expect("golden dir");
        for (case, shape) in cases::catalog() {
            let text = match (
                histogram_query(dialect, &shape),
                group_count_query(dialect, &shape),
            ) {
                (Ok(h), Ok(g)) => {
                    for (what, sql) in [("histogram", &h), ("group count", &g)] {
                        if let Err(e) = Parser::parse_sql(&*parser_dialect(engine), sql) {
                            failures.push(format!(
                                "{}/{case} {what}: does not parse: {e}",
                                engine.key()
                            ));
                        }
                    }
                    format!("-- histogram\n{h};\n\n-- group count\n{g};\n")
                }
                (Err(e), _) | (_, Err(e)) => format!("-- error\n-- {e}\n"),
            };
            let path = dir.join(format!("{case}.sql"));
            if update {
                std::fs::write(&path, &text).expect("write golden");
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(expected) if expected == text => {}
                    Ok(_) => failures.push(format!(
                        "{} differs (CXM_UPDATE_GOLDEN=1 to regenerate)",
                        path.display()
                    )),
                    Err(e) => failures.push(format!("{}: {e}", path.display())),
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 8 * cases::catalog().len());
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn sqlite_refuses_named_zones_only() {
    let text = std::fs::read_to_string(golden_dir().join("sqlite/csat_fiscal_berlin.sql"))
        .expect("golden");
    assert!(
        text.starts_with(
            "-- error\n-- SQLite cannot convert timestamps to time zone \"Europe/Berlin\""
        ),
        "{text}"
    );
    for engine in Engine::ALL {
        let text = std::fs::read_to_string(
            golden_dir()
                .join(engine.key())
                .join("support_first_response.sql"),
        )
        .expect("golden");
        assert!(text.starts_with("-- histogram"), "{}: {text}", engine.key());
    }
}

#[test]
fn equal_shapes_share_one_query() {
    use std::collections::HashSet;
    let mut shapes: HashSet<cxm_sql::Shape> = HashSet::new();
    for (_, s) in cases::catalog() {
        shapes.insert(s);
    }
    // NPS and the "NPS in store" variant of the same shape: one entry.
    let (_, nps) = cases::catalog().into_iter().next().expect("case");
    assert!(!shapes.insert(nps.clone()));
    assert_eq!(shapes.len(), cases::catalog().len());
}

#[test]
fn quote_characters_inside_identifiers_are_escaped() {
    let name = "a`b\"c";
    for engine in Engine::ALL {
        let d = engine.dialect();
        let sql = format!("SELECT {} FROM t", d.quote_ident(name));
        // BigQuery escapes a backtick with a backslash (its lexical rules); sqlparser's
        // tokenizer does not read that form, so only the text is checked.
        if engine == Engine::BigQuery {
            assert_eq!(sql, "SELECT `a\\`b\"c` FROM t");
            continue;
        }
        let parsed = Parser::parse_sql(&*parser_dialect(engine), &sql)
            .unwrap_or_else(|e| panic!("{}: {sql}: {e}", engine.key()));
        assert_eq!(parsed.len(), 1);
    }
}

/// The row histogram `cxm run` pushes down, with every kind of column, in every dialect:
/// `tests/golden/<engine>/row_histogram.sql`, parsed like the others.
#[test]
fn row_histogram_golden_and_parses() {
    use cxm_sql::{
        row_group_count_query, row_histogram_query, Cut, RowColumn, RowColumnKind, RowHistogram,
        Source, ZoneSpec,
    };
    let update = std::env::var_os("CXM_UPDATE_GOLDEN").is_some();
    let column = |name: &str, kind| RowColumn {
        column: name.into(),
        kind,
    };
    let cases = [
        (
            "row_histogram",
            Source::Table(vec!["analytics".into(), "survey".into()]),
            ZoneSpec::Named("Europe/Berlin".into()),
        ),
        (
            "row_histogram_query_fixed_zone",
            Source::Query("SELECT * FROM survey WHERE channel <> 'test'".into()),
            ZoneSpec::Fixed(-330),
        ),
    ];
    let mut failures = Vec::new();
    for engine in Engine::ALL {
        let dialect = engine.dialect();
        for (case, source, zone) in &cases {
            let h = RowHistogram {
                source: source.clone(),
                columns: vec![
                    column("region", RowColumnKind::Raw),
                    column("score", RowColumnKind::Raw),
                    column("answered_at", RowColumnKind::Text(Cut::Day)),
                    column("answered_month", RowColumnKind::Text(Cut::Month)),
                    column("closed_at", RowColumnKind::Naive(Cut::Day)),
                    column("closed_month", RowColumnKind::Naive(Cut::Month)),
                    column("created_at", RowColumnKind::Instant(zone.clone(), Cut::Day)),
                    column(
                        "created_month",
                        RowColumnKind::Instant(zone.clone(), Cut::Month),
                    ),
                    column(
                        "revenue",
                        RowColumnKind::Quantized(cxm_sql::quantize::checked(0.01).expect("alpha")),
                    ),
                ],
            };
            let text = match (
                row_histogram_query(dialect, &h),
                row_group_count_query(dialect, &h),
            ) {
                (Ok(q), Ok(g)) => {
                    for (what, sql) in [("histogram", &q), ("group count", &g)] {
                        if let Err(e) = Parser::parse_sql(&*parser_dialect(engine), sql) {
                            failures.push(format!(
                                "{}/{case} {what}: does not parse: {e}",
                                engine.key()
                            ));
                        }
                    }
                    format!("-- histogram\n{q};\n\n-- group count\n{g};\n")
                }
                (Err(e), _) | (_, Err(e)) => format!("-- error\n-- {e}\n"),
            };
            let path = golden_dir().join(engine.key()).join(format!("{case}.sql"));
            if update {
                std::fs::write(&path, &text).expect("write golden");
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                failures.push(format!(
                    "{} differs (CXM_UPDATE_GOLDEN=1 to regenerate)",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
