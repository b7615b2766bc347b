//! Datasets read through ADBC drivers (issue 15), through the real binary and the real driver
//! libraries (scripts/adbc-drivers.sh fetches them): a SQLite table read with the ADBC SQLite
//! driver, and every bad input the issue names — an unknown driver, a driver that fails to
//! load, a wrong URI, a query error, a password in the TOML, a pinned driver that changed —
//! each a clear error naming the dataset. The identity with CSV is in tests/formats.rs.

mod common;
use common::*;

/// The SQLite driver's path, or None (outside CI) when it is not available.
fn sqlite_driver() -> Option<String> {
    match std::env::var("CXM_TEST_ADBC_SQLITE") {
        Ok(p) => Some(p),
        Err(_) if std::env::var("CI").is_ok() => panic!("CXM_TEST_ADBC_SQLITE must be set in CI"),
        Err(_) => {
            eprintln!(
                "skipping: CXM_TEST_ADBC_SQLITE not set (eval \"$(scripts/adbc-drivers.sh)\")"
            );
            None
        }
    }
}

/// A SQLite database with 5 answers (one unreadable score), written by Python's sqlite3.
fn database(s: &Scratch) -> std::path::PathBuf {
    let db = s.path("warehouse.sqlite");
    let script = "import sqlite3, sys\n\
        c = sqlite3.connect(sys.argv[1])\n\
        c.execute('CREATE TABLE answers (id INTEGER, region TEXT, score TEXT)')\n\
        c.executemany('INSERT INTO answers VALUES (?, ?, ?)', [(1, 'north', '10'), (2, 'north', '9'), (3, 'south', '3'), (4, 'south', 'ten'), (5, 'south', '8')])\n\
        c.commit()\n";
    python(script, &[&db]);
    db
}

/// A config reading `source` (the dataset's source keys) with NPS by region.
fn config(s: &Scratch, source: &str) -> std::path::PathBuf {
    let registry = s.registry(&[("nps", "cxm-plugin-nps", None)]);
    let text = format!(
        "client = \"Warehouse\"\nplugins = {:?}\n\n[datasets.answers]\n{source}\n\
         [datasets.answers.fields]\nregion = \"region\"\nscore = {{ column = \"score\", type = \"integer\" }}\n\n\
         [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"answers\"\ninputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n",
        registry.display().to_string()
    );
    s.write("client.toml", &text)
}

#[test]
fn a_sqlite_table_through_the_adbc_driver() {
    let Some(driver) = sqlite_driver() else {
        return;
    };
    let s = Scratch::new();
    let db = database(&s);
    let cfg = config(
        &s,
        &format!(
            "format = \"adbc\"\ndriver = {driver:?}\nconnection = {:?}\ntable = \"answers\"",
            db.display().to_string()
        ),
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    // north: 10, 9 → 100; south: 3, 8 (and "ten", unreadable) → (0 − 1) / 2 = −50.
    let nps = |region: &str| {
        result(&report, "nps", serde_json::json!({ "region": region }))["value"].clone()
    };
    assert_eq!(nps("north"), 100.0);
    assert_eq!(nps("south"), -50.0);
    let d = &report["datasets"][0];
    assert_eq!(d["rows_read"], 5, "{d}");
    assert_eq!(d["path"], "adbc:answers", "{d}");
    assert_eq!(d["invalid_values"]["score"], 1, "{d}");
    assert_eq!(d["sha256"].as_str().map(str::len), Some(64), "{d}");
    // The digest depends on the data only: a second run gives the same.
    let again = json(&run(&["run", cfg.to_str().unwrap(), "--format", "json"]));
    assert_eq!(again["datasets"][0]["sha256"], d["sha256"]);
}

/// Runs `run` on a config with `source`, expecting exit `code` and `message` on stderr.
fn fails(source: &str, code: i32, messages: &[&str]) {
    let s = Scratch::new();
    let db = database(&s);
    let source = source.replace("DB", &db.display().to_string());
    let cfg = config(&s, &source);
    let o = run(&["run", cfg.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{source}: {err}");
    for m in messages {
        assert!(err.contains(m), "{source}: expected {m:?} in {err}");
    }
}

#[test]
fn bad_drivers_uris_and_queries_are_named_errors() {
    let Some(driver) = sqlite_driver() else {
        return;
    };
    // An unknown driver name: the manager finds no manifest and no library.
    fails(
        "format = \"adbc\"\ndriver = \"no_such_warehouse\"\ndialect = \"sqlite\"\nconnection = \"DB\"\ntable = \"answers\"",
        1,
        &["dataset \"answers\"", "driver \"no_such_warehouse\" could not be loaded"],
    );
    // A file that is not a driver library.
    let s = Scratch::new();
    let fake = s.write("libadbc_driver_fake.so", "not a library");
    fails(
        &format!(
            "format = \"adbc\"\ndriver = {:?}\ndialect = \"sqlite\"\nconnection = \"DB\"\ntable = \"answers\"",
            fake.display().to_string()
        ),
        1,
        &["dataset \"answers\"", "could not be loaded"],
    );
    // A pinned driver whose bytes changed.
    fails(
        &format!("format = \"adbc\"\ndriver = {driver:?}\ndriver_sha256 = \"{}\"\nconnection = \"DB\"\ntable = \"answers\"", "ab".repeat(32)),
        1,
        &["dataset \"answers\"", "the config pins abab"],
    );
    // A URI the driver cannot open (a folder that does not exist, read-only).
    fails(
        &format!("format = \"adbc\"\ndriver = {driver:?}\nconnection = \"file:/nonexistent/dir/x.db?mode=ro\"\ntable = \"answers\""),
        1,
        &["dataset \"answers\"", "adbc:answers"],
    );
    // A query the warehouse refuses.
    fails(
        &format!("format = \"adbc\"\ndriver = {driver:?}\nconnection = \"DB\"\nquery = \"SELECT region, score FROM no_such_table\""),
        1,
        &["dataset \"answers\"", "no_such_table"],
    );
    // A column the mapping names that the result lacks: a config error at the mapping.
    fails(
        &format!("format = \"adbc\"\ndriver = {driver:?}\nconnection = \"DB\"\nquery = \"SELECT region FROM answers\""),
        3,
        &["client.toml:", "score"],
    );
    // connection_env naming a variable that is not set.
    fails(
        &format!("format = \"adbc\"\ndriver = {driver:?}\nconnection_env = \"CXM_TEST_NO_SUCH_VARIABLE\"\ntable = \"answers\""),
        3,
        &["client.toml:", "CXM_TEST_NO_SUCH_VARIABLE"],
    );
}

#[test]
fn passwords_and_shapes_are_refused_in_the_config() {
    let cases = [
        (
            "format = \"adbc\"\ndriver = \"snowflake\"\nconnection = \"snowflake://me:s3cret@acme/db\"\ntable = \"t\"",
            "holds a password",
        ),
        (
            "format = \"adbc\"\ndriver = \"postgresql\"\nconnection = \"postgresql://me:s3cret@db/x\"\ntable = \"t\"",
            "holds a password",
        ),
        (
            "format = \"adbc\"\ndriver = \"trino\"\nconnection = \"https://db/x?password=s3cret\"\ntable = \"t\"",
            "holds a password",
        ),
        ("format = \"adbc\"\nconnection_env = \"X\"\ntable = \"t\"", "needs driver ="),
        ("format = \"adbc\"\ndriver = \"sqlite\"\ntable = \"t\"", "exactly one of connection_env"),
        ("format = \"adbc\"\ndriver = \"sqlite\"\nconnection_env = \"X\"", "exactly one of table"),
        (
            "format = \"adbc\"\ndriver = \"sqlite\"\ndriver_sha256 = \"00\"\nconnection_env = \"X\"\ntable = \"t\"",
            "pins a library file",
        ),
        ("path = \"a.csv\"\ndriver = \"sqlite\"", "applies to adbc datasets only"),
    ];
    for (source, message) in cases {
        let s = Scratch::new();
        s.write("a.csv", "region,score\n");
        let cfg = config(&s, source);
        let o = run(&["validate", cfg.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{source}: {err}");
        assert!(
            err.contains("client.toml:") && err.contains(message),
            "{source}: {err}"
        );
        assert!(!err.contains("s3cret"), "the password is echoed: {err}");
    }
}
