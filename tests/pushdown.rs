//! Pushdown of warehouse datasets (issue 15), through the real binary, the real plugin
//! libraries and the real ADBC drivers: the warehouse returns the row histogram (every
//! distinct combination of the columns the run reads, timestamps used only as periods cut to
//! their day, with its count) and the figures and row accounting are identical to streaming
//! the rows (`pushdown = false`). The SQLite driver reads a generated survey and ticket
//! table; the PostgreSQL driver (against the server scripts/test.sh starts) reads the same
//! survey with typed timestamps, with and without time zone.

mod common;
use common::warehouse::*;
use common::*;
use serde_json::Value;

fn driver(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(p) => Some(p),
        Err(_) if std::env::var("CI").is_ok() => panic!("{var} must be set in CI"),
        Err(_) => {
            eprintln!("skipping: {var} not set (eval \"$(scripts/adbc-drivers.sh)\")");
            None
        }
    }
}

fn sqlite_database(s: &Scratch) -> std::path::PathBuf {
    let db = s.path("warehouse.sqlite");
    let script = format!(
        "{GENERATE}\nimport sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n\
         c.execute('CREATE TABLE survey (id INTEGER, region TEXT, answered_at TEXT, nps TEXT, csat INTEGER, ces INTEGER, weight TEXT)')\n\
         c.executemany('INSERT INTO survey VALUES (?, ?, ?, ?, ?, ?, ?)', survey)\n\
         c.execute('CREATE TABLE tickets (id INTEGER, channel TEXT, created_at TEXT, first_response_at TEXT, resolved_at TEXT)')\n\
         c.executemany('INSERT INTO tickets VALUES (?, ?, ?, ?, ?)', tickets)\n\
         c.commit()\n"
    );
    python(&script, &[&db]);
    db
}

fn sqlite_sources(driver: &str, db: &std::path::Path, extra: &str) -> (String, String) {
    let source = |table: &str| {
        format!(
            "format = \"adbc\"\ndriver = {driver:?}\nconnection = {:?}\ntable = \"{table}\"\n{extra}",
            db.display().to_string()
        )
    };
    (source("survey"), source("tickets"))
}

#[test]
fn sqlite_pushdown_equals_streaming_for_the_catalog() {
    let Some(driver) = driver("CXM_TEST_ADBC_SQLITE") else {
        return;
    };
    let s = Scratch::new();
    let db = sqlite_database(&s);
    for weighted in [false, true] {
        for zone in ["UTC", "Europe/Berlin", "+05:30"] {
            let (sp, tp) = sqlite_sources(&driver, &db, "");
            let (ss, ts) = sqlite_sources(&driver, &db, "pushdown = false");
            let pushed = run_config(&s, "p.toml", &config(&s, &sp, &tp, weighted, zone));
            assert_eq!(pushed.status.code(), Some(0), "{}", stderr(&pushed));
            let streamed = run_config(&s, "s.toml", &config(&s, &ss, &ts, weighted, zone));
            assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
            let (p, st) = (json(&pushed), json(&streamed));
            assert_same(
                &figures_and_counts(&p),
                &figures_and_counts(&st),
                &format!("weighted {weighted}, zone {zone}"),
            );
            // Every row is counted, the bad ones too.
            assert_eq!(p["datasets"][0]["rows_read"], 1500, "{}", p["datasets"]);
            assert_eq!(p["datasets"][1]["rows_read"], 400, "{}", p["datasets"]);
            let invalid = &p["datasets"][0]["invalid_values"];
            assert!(invalid["answered_at"].as_u64().unwrap() > 40, "{invalid}");
            assert!(invalid["nps"].as_u64().unwrap() > 20, "{invalid}");
            if weighted {
                let rejected = &p["metrics"][0]["rows_rejected"];
                assert!(
                    rejected["invalid_weight"].as_u64().unwrap() > 20,
                    "{rejected}"
                );
            }
        }
    }
}

/// The budget is checked on the number of histogram rows: here the distinct (region, local
/// month, nps, csat, ces) rows of the survey, the answer time serving only as a monthly
/// period, counted independently.
#[test]
fn the_budget_counts_histogram_rows_with_timestamps_cut_to_months() {
    let Some(driver) = driver("CXM_TEST_ADBC_SQLITE") else {
        return;
    };
    let s = Scratch::new();
    let db = sqlite_database(&s);
    // Independent count: Python over the same generated rows, months cut as cxm reads them
    // (plain wall-clock text only; any other text kept as it is).
    let script = format!(
        "{GENERATE}\nimport re\nplain = re.compile(r'^\\d{{4}}-\\d{{2}}-\\d{{2}}[T ]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d$')\n\
         import datetime\n\
         def day(t):\n    \
             if t is None or not plain.match(t.strip()): return t\n    \
             try: datetime.date.fromisoformat(t.strip()[:10])\n    \
             except ValueError: return t\n    \
             return t.strip()[:7]\n\
         print(len({{(r[1], day(r[2]), r[3], r[4], r[5]) for r in survey}}))\n"
    );
    let groups: u64 = python(&script, &[]).trim().parse().unwrap();
    assert!(groups < 1500, "the survey compresses: {groups}");
    let survey_only = |max: u64| {
        let (sp, _) = sqlite_sources(&driver, &db, &format!("pushdown_max_groups = {max}"));
        let registry = s.registry(&[
            ("nps", "cxm-plugin-nps", None),
            ("csat", "cxm-plugin-csat", None),
            ("ces", "cxm-plugin-ces", None),
        ]);
        format!(
            "client = \"Budget\"\nplugins = {:?}\n[datasets.survey]\n{sp}\n[datasets.survey.fields]\nregion = \"region\"\n\
             answered_at = {{ column = \"answered_at\", type = \"datetime\" }}\nnps = {{ column = \"nps\", type = \"integer\" }}\n\
             csat = {{ column = \"csat\", type = \"integer\" }}\nces = {{ column = \"ces\", type = \"integer\" }}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = {{ score = \"nps\" }}\ngroup_by = [\"region\"]\n\
             period = {{ field = \"answered_at\", grain = \"month\" }}\n\
             [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"survey\"\ninputs = {{ score = \"csat\" }}\n\
             [[metrics]]\nid = \"ces\"\nplugin = \"ces\"\ndataset = \"survey\"\ninputs = {{ score = \"ces\" }}\n\
             params = {{ scale = [1, 7], easy = [5, 7] }}\n",
            registry.display().to_string()
        )
    };
    let o = run_config(&s, "ok.toml", &survey_only(groups));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["datasets"][0]["rows_read"], 1500);
    let out = s.path("out");
    let cfg = s.write("over.toml", &survey_only(groups - 1));
    let o = run(&["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("survey"), "{e}");
    assert!(
        e.contains(&format!(
            "pushdown returned more than pushdown_max_groups = {} histogram rows",
            groups - 1
        )),
        "{e}"
    );
    assert!(e.contains("pushdown = false"), "{e}");
    assert!(!out.exists(), "no output after a failure");
}

#[test]
fn pushdown_settings_are_checked() {
    let s = Scratch::new();
    let registry = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    let client = |source: &str, key: &str| {
        format!(
            "client = \"C\"\nplugins = {:?}\n[datasets.answers]\n{source}\n{key}\n[datasets.answers.fields]\n\
             id = \"id\"\nscore = {{ column = \"score\", type = \"integer\" }}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"answers\"\ninputs = {{ score = \"score\" }}\n",
            registry.display().to_string()
        )
    };
    let flight = "format = \"adbc\"\ndriver = \"flightsql\"\nconnection_env = \"CXM_NO_SUCH_URI\"\ntable = \"answers\"";
    let cases = [
        (
            client(flight, ""),
            "cannot tell the SQL dialect of driver \"flightsql\" for pushdown; add dialect",
        ),
        (
            client(flight, "dialect = \"oracle\""),
            "unknown dialect \"oracle\"",
        ),
        (
            client(flight, "pushdown_max_groups = 0"),
            "pushdown_max_groups is a positive number",
        ),
        (
            client("path = \"answers.csv\"", "pushdown = true"),
            "`pushdown` applies to adbc and spark datasets only",
        ),
    ];
    s.write("answers.csv", "id,score\n1,10\n");
    for (text, message) in cases {
        let cfg = s.write("client.toml", &text);
        let o = run(&["validate", cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{text}\n{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
        assert!(stderr(&o).contains("client.toml:"), "{}", stderr(&o));
    }
}

#[test]
fn unique_key_needs_the_rows() {
    let Some(driver) = driver("CXM_TEST_ADBC_SQLITE") else {
        return;
    };
    let s = Scratch::new();
    let db = sqlite_database(&s);
    let registry = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    let text = |extra: &str| {
        format!(
            "client = \"C\"\nplugins = {:?}\n[datasets.survey]\nformat = \"adbc\"\ndriver = {driver:?}\nconnection = {:?}\n\
             table = \"survey\"\nunique_key = \"id\"\n{extra}\n[datasets.survey.fields]\nid = {{ column = \"id\", type = \"integer\" }}\n\
             nps = {{ column = \"nps\", type = \"integer\" }}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = {{ score = \"nps\" }}\n",
            registry.display().to_string(),
            db.display().to_string()
        )
    };
    let o = run_config(&s, "client.toml", &text(""));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("dataset \"survey\": pushdown returns counts of identical rows, so duplicates of unique_key cannot be found"),
        "{}",
        stderr(&o)
    );
    let o = run_config(&s, "client.toml", &text("pushdown = false"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// PostgreSQL through its ADBC driver: typed timestamps without and with time zone (cut to
/// the local day in SQL, in the run's zone) and text, identical to streaming.
#[test]
fn postgresql_pushdown_equals_streaming() {
    let Some(driver) = driver("CXM_TEST_ADBC_POSTGRESQL") else {
        return;
    };
    let url = match std::env::var("CXM_TEST_PG_URL") {
        Ok(u) => u,
        Err(_) if std::env::var("CI").is_ok() => panic!("CXM_TEST_PG_URL must be set in CI"),
        Err(_) => return,
    };
    let s = Scratch::new();
    let db = sqlite_database(&s);
    // Copy the generated rows into PostgreSQL with typed columns (invalid timestamps stay
    // in a text column).
    let table = format!("pushdown_{}", std::process::id());
    let script = "import sqlite3, sys, json\nc = sqlite3.connect(sys.argv[1])\n\
         print(json.dumps(c.execute('SELECT id, region, answered_at, nps, csat, ces, weight FROM survey').fetchall()))\n";
    let rows: Vec<Vec<Value>> = serde_json::from_str(&python(script, &[&db])).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id integer, region text, answered_text text, \
             answered_local timestamp, answered_at timestamptz, nps text, csat integer, ces integer, weight text)"
        ))
        .unwrap();
    for r in &rows {
        let text: Option<String> = r[2].as_str().map(str::to_string);
        // Valid plain values become typed timestamps (read as UTC for timestamptz).
        let typed = text.clone().filter(|t| {
            t.len() == 19 && !t.contains("24:00") && !t.contains("02-30") && t != "soon"
        });
        client
            .execute(
                &format!(
                    "INSERT INTO {table} VALUES ($1, $2, $3, CAST($4::text AS timestamp), CAST($4::text || '+00' AS timestamptz), $5, $6, $7, $8)"
                ),
                &[
                    &(r[0].as_i64().unwrap() as i32),
                    &r[1].as_str(),
                    &text,
                    &typed,
                    &r[3].as_str(),
                    &(r[4].as_i64().unwrap() as i32),
                    &(r[5].as_i64().unwrap() as i32),
                    &r[6].as_str(),
                ],
            )
            .unwrap();
    }
    // Named in upper case: PostgreSQL folds an unquoted name, pushed down or streamed alike.
    let upper = table.to_uppercase();
    let source = format!(
        "format = \"adbc\"\ndriver = {driver:?}\nconnection_env = \"CXM_TEST_PG_URL\"\ntable = \"{upper}\""
    );
    for zone in ["UTC", "America/New_York", "-03:00"] {
        let client_toml = |extra: &str| typed_timestamps_client(&s, &source, extra, zone);
        let pushed = run_config(&s, "p.toml", &client_toml(""));
        assert_eq!(pushed.status.code(), Some(0), "{}", stderr(&pushed));
        let streamed = run_config(&s, "s.toml", &client_toml("pushdown = false"));
        assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
        assert_same(
            &figures_and_counts(&json(&pushed)),
            &figures_and_counts(&json(&streamed)),
            &format!("zone {zone}"),
        );
        assert_eq!(json(&pushed)["datasets"][0]["rows_read"], 1500);
    }
    client
        .batch_execute(&format!("DROP TABLE {table}"))
        .unwrap();
}

#[test]
fn sqlite_pushdown_equals_streaming_with_raked_survey_weights() {
    let Some(driver) = driver("CXM_TEST_ADBC_SQLITE") else {
        return;
    };
    let s = Scratch::new();
    let db = sqlite_database(&s);
    // Design weights from the weight column (invalid ones rejected), raked by region (the
    // empty region is outside the margins): the first pass streams, the run pushes down.
    let raked = |text: String| {
        text.replace(
            "[datasets.survey.fields]",
            "sampling_weight = \"weight\"\n[datasets.survey.raking]\n\
             margins.region = { north = 40, south = 35, east = 25 }\n[datasets.survey.fields]",
        )
    };
    let (sp, tp) = sqlite_sources(&driver, &db, "");
    let (ss, ts) = sqlite_sources(&driver, &db, "pushdown = false");
    let pushed = run_config(&s, "p.toml", &raked(config(&s, &sp, &tp, false, "UTC")));
    assert_eq!(pushed.status.code(), Some(0), "{}", stderr(&pushed));
    let streamed = run_config(&s, "s.toml", &raked(config(&s, &ss, &ts, false, "UTC")));
    assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
    let (p, st) = (json(&pushed), json(&streamed));
    assert_same(&figures_and_counts(&p), &figures_and_counts(&st), "raked");
    let weighting = |r: &Value| r["datasets"][0]["weighting"].clone();
    assert!(same(&weighting(&p), &weighting(&st)), "{}", weighting(&p));
    let designs = |r: &Value| {
        let all: Vec<Value> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["design"].clone())
            .collect();
        Value::Array(all)
    };
    assert!(same(&designs(&p), &designs(&st)));
    let nps = p["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "nps" && r["group"] == serde_json::json!({}))
        .unwrap();
    assert!(
        nps["design"]["n_effective"].as_f64().unwrap() > 0.0,
        "{nps}"
    );
    assert_eq!(p["datasets"][0]["weighting"]["raking"]["converged"], true);
}

/// Continuous numbers do not compress: 3,000 distinct amounts overflow a budget of 500
/// histogram rows, and the error suggests quantizing; quantized to 1% in SQL they fit, the
/// median, p90 and mean stay within 1% of the exact (streamed) values, and the report says
/// the field was quantized.
#[test]
fn quantized_numbers_compress_and_keep_their_relative_error() {
    let Some(driver) = driver("CXM_TEST_ADBC_SQLITE") else {
        return;
    };
    let s = Scratch::new();
    let db = s.path("orders.sqlite");
    python(
        "import sqlite3, sys, random\nrnd = random.Random(7)\nc = sqlite3.connect(sys.argv[1])\n\
         c.execute('CREATE TABLE orders (id INTEGER, region TEXT, amount REAL)')\n\
         c.executemany('INSERT INTO orders VALUES (?, ?, ?)', [(i, ['north', 'south'][i % 2], \
         None if i % 50 == 0 else round(rnd.lognormvariate(4, 1), 2)) for i in range(3000)])\n\
         c.commit()\n",
        &[&db],
    );
    let source = format!(
        "format = \"adbc\"\ndriver = {driver:?}\nconnection = {:?}\ntable = \"orders\"",
        db.display().to_string()
    );
    assert_quantized_amounts(&s, &source);
}

#[test]
fn quantize_is_checked() {
    let s = Scratch::new();
    s.write("orders.csv", "id,amount,region\n1,10.5,north\n");
    let registry = s.registry(&[("basic", "cxm-plugin-basic", None)]);
    let client = |source: &str, field: &str| {
        format!(
            "client = \"Q\"\nplugins = {:?}\n[datasets.orders]\n{source}\n[datasets.orders.fields]\n\
             region = \"region\"\namount = {field}\n\
             [[metrics]]\nid = \"mean\"\nplugin = \"basic/mean\"\ndataset = \"orders\"\ninputs = {{ value = \"amount\" }}\n",
            registry.display().to_string()
        )
    };
    let adbc = "format = \"adbc\"\ndriver = \"sqlite\"\nconnection = \"x.db\"\ntable = \"orders\"";
    let q = |ty: &str, alpha: &str| {
        format!("{{ column = \"amount\"{ty}, quantize = {{ relative_error = {alpha} }} }}")
    };
    let cases = [
        (
            client("path = \"orders.csv\"", &q(", type = \"number\"", "0.01")),
            "quantize applies to adbc and spark datasets",
        ),
        (
            client(
                &format!("{adbc}\npushdown = false"),
                &q(", type = \"number\"", "0.01"),
            ),
            "remove pushdown = false",
        ),
        (client(adbc, &q("", "0.01")), "add type = \"number\""),
        (
            client(adbc, &q(", type = \"number\"", "1.5")),
            "between 0 and 1 (exclusive)",
        ),
        (
            client(
                adbc,
                "{ column = \"amount\", type = \"number\", quantize = { error = 0.1 } }",
            ),
            "unknown field `error`",
        ),
    ];
    for (text, message) in cases {
        let cfg = s.write("client.toml", &text);
        let o = run(&["validate", cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{text}\n{}", stderr(&o));
        assert!(stderr(&o).contains(message), "{text}\n{}", stderr(&o));
        assert!(stderr(&o).contains("client.toml:"), "{}", stderr(&o));
    }
}
