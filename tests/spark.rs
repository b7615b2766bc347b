//! Spark datasets (issue 15) through the real binary, the real plugin libraries and a real
//! Apache Spark: the Spark Connect server scripts/spark-test-server.sh starts on loopback
//! (`CXM_TEST_SPARK_REMOTE`). The same generated survey and tickets as tests/pushdown.rs,
//! written as CSV, are Spark tables over those files: pushed down to Spark, streamed from
//! Spark (`pushdown = false`) and read as the CSV files themselves, the figures and row
//! accounting are identical. Typed timestamps (Spark's `TIMESTAMP` and `TIMESTAMP_NTZ`) are
//! cut to the local day in Spark SQL, in the run's zone.
//!
//! Skipped when the variable is not set, unless `CXM_TEST_SPARK_REQUIRED` is (CI's Spark
//! step sets both: see scripts/test-spark.sh).

mod common;
use common::warehouse::*;
use common::*;
use cxm_spark::{Remote, Session};
use serde_json::Value;

fn remote() -> Option<String> {
    match std::env::var("CXM_TEST_SPARK_REMOTE") {
        Ok(r) => Some(r),
        Err(_) if std::env::var("CXM_TEST_SPARK_REQUIRED").is_ok() => {
            panic!("CXM_TEST_SPARK_REMOTE must be set (scripts/test-spark.sh)")
        }
        Err(_) => {
            eprintln!(
                "skipping: CXM_TEST_SPARK_REMOTE not set (eval \"$(scripts/spark-test-server.sh)\")"
            );
            None
        }
    }
}

/// Runs statements on the test server (tables are the server's, shared by its sessions).
fn spark(remote: &str, statements: &[String]) {
    let mut session = Session::connect(&Remote::parse(remote).unwrap()).unwrap();
    for sql in statements {
        let reader = session.sql(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        for batch in reader {
            batch.unwrap();
        }
    }
}

/// Writes the generated rows as `survey.csv` and `tickets.csv` and makes Spark tables over
/// them (all columns read as the CSV's text, but the integer scores) named with `tag`.
fn tables(s: &Scratch, remote: &str, tag: &str) -> (String, String) {
    let script = format!(
        "{GENERATE}\nimport csv, sys, os\n\
         with open(os.path.join(sys.argv[1], 'survey.csv'), 'w', newline='') as f:\n    \
             w = csv.writer(f)\n    \
             w.writerow(['id', 'region', 'answered_at', 'nps', 'csat', 'ces', 'weight'])\n    \
             w.writerows(survey)\n\
         with open(os.path.join(sys.argv[1], 'tickets.csv'), 'w', newline='') as f:\n    \
             w = csv.writer(f)\n    \
             w.writerow(['id', 'channel', 'created_at', 'first_response_at', 'resolved_at'])\n    \
             w.writerows(tickets)\n"
    );
    python(&script, &[&s.path("")]);
    let survey = format!("cxm_survey_{tag}_{}", std::process::id());
    let tickets = format!("cxm_tickets_{tag}_{}", std::process::id());
    let csv = |name: &str| s.path(name).display().to_string();
    spark(
        remote,
        &[
            format!("DROP TABLE IF EXISTS {survey}"),
            format!("DROP TABLE IF EXISTS {tickets}"),
            format!(
                "CREATE TABLE {survey} (id INT, region STRING, answered_at STRING, nps STRING, csat INT, ces INT, weight STRING) \
                 USING csv OPTIONS (path '{}', header 'true')",
                csv("survey.csv")
            ),
            format!(
                "CREATE TABLE {tickets} (id INT, channel STRING, created_at STRING, first_response_at STRING, resolved_at STRING) \
                 USING csv OPTIONS (path '{}', header 'true')",
                csv("tickets.csv")
            ),
        ],
    );
    (survey, tickets)
}

fn spark_sources(survey: &str, tickets: &str, extra: &str) -> (String, String) {
    let source = |table: &str| {
        format!(
            "format = \"spark\"\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\ntable = \"{table}\"\n{extra}"
        )
    };
    (source(survey), source(tickets))
}

#[test]
fn spark_pushdown_equals_streaming_and_the_csv_files_for_the_catalog() {
    let Some(remote) = remote() else {
        return;
    };
    let s = Scratch::new();
    let (survey, tickets) = tables(&s, &remote, "catalog");
    let files = (
        "path = \"survey.csv\"".to_string(),
        "path = \"tickets.csv\"".to_string(),
    );
    for (weighted, zone) in [(false, "UTC"), (true, "Europe/Berlin"), (false, "+05:30")] {
        let (sp, tp) = spark_sources(&survey, &tickets, "");
        let (ss, ts) = spark_sources(&survey, &tickets, "pushdown = false");
        let pushed = run_config(&s, "p.toml", &config(&s, &sp, &tp, weighted, zone));
        assert_eq!(pushed.status.code(), Some(0), "{}", stderr(&pushed));
        let streamed = run_config(&s, "s.toml", &config(&s, &ss, &ts, weighted, zone));
        assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
        let file = run_config(
            &s,
            "f.toml",
            &config(&s, &files.0, &files.1, weighted, zone),
        );
        assert_eq!(file.status.code(), Some(0), "{}", stderr(&file));
        let (p, st, f) = (json(&pushed), json(&streamed), json(&file));
        let what = format!("weighted {weighted}, zone {zone}");
        assert_same(&figures_and_counts(&p), &figures_and_counts(&st), &what);
        assert_same(&figures_and_counts(&st), &figures_and_counts(&f), &what);
        assert_eq!(p["datasets"][0]["rows_read"], 1500, "{}", p["datasets"]);
        assert_eq!(p["datasets"][1]["rows_read"], 400, "{}", p["datasets"]);
        let invalid = &p["datasets"][0]["invalid_values"];
        assert!(invalid["answered_at"].as_u64().unwrap() > 40, "{invalid}");
        assert!(
            p["datasets"][0]["path"]
                .as_str()
                .is_some_and(|l| l.starts_with("spark:cxm_survey")),
            "{}",
            p["datasets"][0]
        );
    }
    spark(
        &remote,
        &[
            format!("DROP TABLE {survey}"),
            format!("DROP TABLE {tickets}"),
        ],
    );
}

/// Spark's own timestamp types: `TIMESTAMP` (an instant, shown in the session's zone) and
/// `TIMESTAMP_NTZ` (wall-clock), cut to the local day in Spark SQL for monthly, weekly and
/// daily periods, identical to streaming the rows.
#[test]
fn spark_typed_timestamps_are_cut_in_the_runs_zone() {
    let Some(remote) = remote() else {
        return;
    };
    let s = Scratch::new();
    let (survey, tickets) = tables(&s, &remote, "typed");
    let typed = format!("cxm_typed_{}", std::process::id());
    spark(
        &remote,
        &[
            format!("DROP TABLE IF EXISTS {typed}"),
            format!(
                "CREATE TABLE {typed} USING parquet AS SELECT id, region, answered_at AS answered_text, \
                 try_cast(answered_at AS TIMESTAMP_NTZ) AS answered_local, \
                 try_cast(answered_at AS TIMESTAMP) AS answered_at, nps, csat, weight FROM {survey}"
            ),
        ],
    );
    let source = format!(
        "format = \"spark\"\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\ntable = \"{typed}\""
    );
    for zone in ["UTC", "America/New_York", "-03:00"] {
        let client = |extra: &str| typed_timestamps_client(&s, &source, extra, zone);
        let pushed = run_config(&s, "p.toml", &client(""));
        assert_eq!(pushed.status.code(), Some(0), "{}", stderr(&pushed));
        let streamed = run_config(&s, "s.toml", &client("pushdown = false"));
        assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
        assert_same(
            &figures_and_counts(&json(&pushed)),
            &figures_and_counts(&json(&streamed)),
            &format!("zone {zone}"),
        );
        let report = json(&pushed);
        assert_eq!(report["datasets"][0]["rows_read"], 1500);
        // Typed timestamps did compress: far fewer days than answers in each period.
        let periods: Vec<&Value> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["metric"] == "csat_instant")
            .collect();
        assert!(periods.len() > 50, "{}", periods.len());
    }
    spark(
        &remote,
        &[
            format!("DROP TABLE {typed}"),
            format!("DROP TABLE {survey}"),
            format!("DROP TABLE {tickets}"),
        ],
    );
}

fn nps_client(s: &Scratch, source: &str) -> String {
    let registry = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    format!(
        "client = \"C\"\nplugins = {:?}\n[datasets.answers]\n{source}\n[datasets.answers.fields]\n\
         nps = {{ column = \"nps\", type = \"integer\" }}\nregion = \"region\"\n\
         [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"answers\"\ninputs = {{ score = \"nps\" }}\n\
         group_by = [\"region\"]\n",
        registry.display().to_string()
    )
}

/// What the person running cxm sees when the server, the query or the budget is wrong: exit
/// 1, the dataset named with Spark's own reason, and no output written.
#[test]
fn spark_failures_name_the_dataset() {
    let Some(remote) = remote() else {
        return;
    };
    let s = Scratch::new();
    let (survey, tickets) = tables(&s, &remote, "failures");
    let out = s.path("out");
    let cases = [
        (
            "format = \"spark\"\nconnection = \"sc://127.0.0.1:9\"\ntable = \"x\"".to_string(),
            "cannot connect to Spark Connect at 127.0.0.1:9",
        ),
        (
            "format = \"spark\"\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\ntable = \"cxm_no_such_table\"".to_string(),
            "TABLE_OR_VIEW_NOT_FOUND",
        ),
        (
            format!("format = \"spark\"\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\nquery = \"SELECT nps, region FROM {survey} WHERE nope = 1\""),
            "UNRESOLVED_COLUMN",
        ),
        (
            format!("format = \"spark\"\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\ntable = \"{survey}\"\npushdown_max_groups = 5"),
            "pushdown returned more than pushdown_max_groups = 5 histogram rows",
        ),
    ];
    for (source, message) in cases {
        let cfg = s.write("client.toml", &nps_client(&s, &source));
        let o = run(&["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{source}\n{e}");
        assert!(e.contains("answers"), "the dataset is named: {e}");
        assert!(e.contains(message), "{source}\n{e}");
        assert!(!out.exists(), "no output after a failure");
    }
    spark(
        &remote,
        &[
            format!("DROP TABLE {survey}"),
            format!("DROP TABLE {tickets}"),
        ],
    );
}

/// Mistakes in the config are found before connecting (exit 3, located): a token in the
/// TOML, a path or a driver on a spark dataset, another dialect.
#[test]
fn spark_settings_are_checked() {
    let s = Scratch::new();
    let cases = [
        (
            "format = \"spark\"\nconnection = \"sc://h:443/;token=dapi123\"\ntable = \"t\"",
            "holds a token or password",
        ),
        (
            "format = \"spark\"\nconnection = \"localhost:15002\"\ntable = \"t\"",
            "starts with sc://",
        ),
        (
            "format = \"spark\"\nconnection_env = \"X\"\ndriver = \"postgresql\"\ntable = \"t\"",
            "apply to adbc datasets",
        ),
        (
            "format = \"spark\"\nconnection_env = \"X\"\ndialect = \"postgres\"\ntable = \"t\"",
            "speaks Spark SQL",
        ),
        (
            "format = \"spark\"\nconnection_env = \"X\"",
            "exactly one of table",
        ),
        (
            "format = \"spark\"\ntable = \"t\"",
            "exactly one of connection_env",
        ),
    ];
    for (source, message) in cases {
        let cfg = s.write("client.toml", &nps_client(&s, source));
        let o = run(&["validate", cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{source}\n{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{source}\n{}", stderr(&o));
        assert!(stderr(&o).contains("client.toml:"), "{}", stderr(&o));
    }
}

/// A continuous amount quantized to 1% in Spark SQL: it fits a budget that the raw amounts
/// overflow, and the median, p90 and mean stay within 1% of streaming the exact rows.
#[test]
fn spark_quantized_numbers_keep_their_relative_error() {
    let Some(remote) = remote() else {
        return;
    };
    let s = Scratch::new();
    let table = format!("cxm_orders_{}", std::process::id());
    spark(
        &remote,
        &[
            format!("DROP TABLE IF EXISTS {table}"),
            format!(
                "CREATE TABLE {table} USING parquet AS SELECT id, IF(id % 2 = 0, 'north', 'south') AS region, \
                 IF(id % 50 = 0, NULL, ROUND(EXP(4 + randn(7)), 2)) AS amount FROM range(3000)"
            ),
        ],
    );
    let source = format!(
        "format = \"spark\"\nconnection_env = \"CXM_TEST_SPARK_REMOTE\"\ntable = \"{table}\""
    );
    assert_quantized_amounts(&s, &source);
    spark(&remote, &[format!("DROP TABLE {table}")]);
}
