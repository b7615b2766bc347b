//! End-to-end tests of the `composite` health score and the `acme_health` example plugin
//! through the real binary and libraries: exact scores, bands, cooling flags, the
//! `customers` table, roll-ups over groups, and per-reason row accounting.

mod common;
use common::*;
use serde_json::{json, Value};

/// Two monthly snapshots. Signals: logins (weight 2, linear 0-20), tickets (weight 1,
/// linear 0-5 inverted), nps (weight 1, bands ≤6: 0, ≤8: 50, ≤10 and above: 100), so a
/// complete row scores (2·logins + tickets + nps) / 4 on the normalized values.
const CUSTOMERS: &str = "\
customer_id,snapshot_date,segment,logins_30d,open_tickets,nps
A,2024-01-01,smb,20,0,10
B,2024-01-01,smb,10,4.5,7
D,2024-01-01,ent,16,2,5
E,2024-01-01,ent,6,3,7
A,2024-02-01,smb,15,1,9
B,2024-02-01,smb,5,4,7
C,2024-02-01,ent,10,,8
E,2024-02-01,ent,4,3,7
B,2024-02-01,smb,20,0,10
F,2024-02-01,ent,,,
";

const SIGNALS: &str = "{ logins = { weight = 2, normalize = { linear = [0, 20] } }, \
    tickets = { weight = 1, normalize = { linear = [0, 5], invert = true } }, \
    nps = { weight = 1, normalize = { bands = [[6, 0], [8, 50], [10, 100]] } } }";

const ACCOUNTS: &str = "\
account,seats_used,seats_purchased,logins_30d,open_tickets
acme-1,40,50,10,1
acme-2,60,50,30,
acme-3,10,40,4,5
acme-4,5,0,3,1
acme-1,1,50,1,0
";

fn config(s: &Scratch, group_by: &str) -> std::path::PathBuf {
    let reg = s.registry(&[
        ("composite", "cxm-plugin-composite", None),
        ("acme-health", "cxm-example-acme-health", None),
    ]);
    s.write("customers.csv", CUSTOMERS);
    s.write("accounts.csv", ACCOUNTS);
    let text = format!(
        "client = \"Health\"\nplugins = {:?}\n\n\
         [datasets.health]\npath = \"customers.csv\"\n[datasets.health.fields]\n\
         customer_id = \"customer_id\"\nsegment = \"segment\"\n\
         snapshot = {{ column = \"snapshot_date\", type = \"date\" }}\n\
         logins = {{ column = \"logins_30d\", type = \"number\" }}\n\
         tickets = {{ column = \"open_tickets\", type = \"number\" }}\n\
         nps = {{ column = \"nps\", type = \"number\" }}\n\n\
         [datasets.accounts]\npath = \"accounts.csv\"\n[datasets.accounts.fields]\n\
         account = \"account\"\nused = {{ column = \"seats_used\", type = \"number\" }}\n\
         purchased = {{ column = \"seats_purchased\", type = \"number\" }}\n\
         logins = {{ column = \"logins_30d\", type = \"number\" }}\n\
         tickets = {{ column = \"open_tickets\", type = \"number\" }}\n\n\
         [[metrics]]\nid = \"health\"\nplugin = \"composite\"\ndataset = \"health\"\n\
         inputs = {{ entity = \"customer_id\", snapshot = \"snapshot\", logins = \"logins\", tickets = \"tickets\", nps = \"nps\" }}\n\
         params = {{ signals = {SIGNALS}, min_n = 1 }}\n\n\
         [[metrics]]\nid = \"acme\"\nplugin = \"acme-health/acme_health\"\ndataset = \"accounts\"\n\
         inputs = {{ account = \"account\", seats_used = \"used\", seats_purchased = \"purchased\", logins_30d = \"logins\", open_tickets = \"tickets\" }}\n\
         group_by = []\n{group_by}",
        reg.display().to_string()
    );
    s.write("client.toml", &text)
}

fn run_json(cfg: &std::path::Path) -> Value {
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

fn table<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name}: {r}"))
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

#[test]
fn health_scores_bands_cooling_and_row_accounting() {
    let s = Scratch::new();
    let report = run_json(&config(&s, ""));
    let health = &report["metrics"][0];
    // 10 rows: the second B row of 2024-02-01 is a duplicate (first wins) and F has no
    // signal at all.
    assert_eq!(health["rows_used"], 8);
    assert_eq!(
        health["rows_rejected"],
        json!({"duplicate_entity": 1, "no_signals": 1})
    );
    let r = result(&report, "health", json!({}));
    // Latest scores: A (150 + 80 + 100)/4 = 82.5; B (50 + 20 + 50)/4 = 30;
    // C (2·50 + 50)/3 = 50 (tickets missing, renormalized); D (160 + 60 + 0)/4 = 55 (only
    // January); E (40 + 40 + 50)/4 = 32.5. Mean = 250 / 5 = 50.
    assert_eq!(r["value"], 50.0);
    assert_eq!(r["n"], 5.0);
    assert_eq!(r["unit"], "health score (0-100)");
    // s² = 446.875, t(0.975, 4) = 2.7764451051977987 → 50 ∓ 26.2480544680373.
    close(&r["ci"]["low"], 23.751_945_531_962_7);
    close(&r["ci"]["high"], 76.248_054_468_037_3);
    assert_eq!(r["ci"]["method"], "t");
    let d = &r["details"];
    assert_eq!(
        *d,
        json!({"customers": 5.0, "red": 2.0, "yellow": 2.0, "green": 1.0,
               "red_pct": 40.0, "yellow_pct": 40.0, "green_pct": 20.0,
               "cooling": 2.0, "snapshots": 2})
    );
    // Signal columns come in the order the host binds the inputs (by name).
    let t = table(r, "customers");
    assert_eq!(
        t["columns"],
        json!([
            "customer",
            "score",
            "band",
            "logins",
            "nps",
            "tickets",
            "previous_score",
            "change",
            "cooling"
        ])
    );
    // A: January (200 + 100 + 100)/4 = 100 → 82.5, fell 17.5: cooling. B: January
    // (100 + 10 + 50)/4 = 40 → 30, fell exactly 10 = cooling_drop: cooling. E: 37.5 → 32.5,
    // fell 5: not cooling. C and D have one snapshot: not compared.
    assert_eq!(
        t["rows"],
        json!([
            ["B", 30.0, "red", 25.0, 50.0, 20.0, 40.0, -10.0, true],
            ["E", 32.5, "red", 20.0, 50.0, 40.0, 37.5, -5.0, false],
            ["C", 50.0, "yellow", 50.0, 50.0, null, null, null, null],
            ["D", 55.0, "yellow", 80.0, 0.0, 60.0, null, null, null],
            ["A", 82.5, "green", 75.0, 100.0, 80.0, 100.0, -17.5, true]
        ])
    );
    let signals = table(r, "signals");
    assert_eq!(
        signals["rows"],
        json!([
            ["logins", 2.0, 0.5, "linear 0 to 20 (0 at 0, 100 at 20)"],
            [
                "nps",
                1.0,
                0.25,
                "bands <= 6: 0, <= 8: 50, <= 10 and above: 100"
            ],
            [
                "tickets",
                1.0,
                0.25,
                "linear 0 to 5, inverted (0 at 5, 100 at 0)"
            ]
        ])
    );
}

#[test]
fn segment_groups_roll_up_to_the_same_portfolio() {
    let s = Scratch::new();
    let report = run_json(&config(&s, "\n[report]\ngroup_by = [\"segment\"]\n"));
    // smb: A 82.5, B 30 → 56.25; ent: C 50, D 55, E 32.5 → 137.5 / 3.
    close(
        &result(&report, "health", json!({"segment": "smb"}))["value"],
        56.25,
    );
    let ent = result(&report, "health", json!({"segment": "ent"}));
    close(&ent["value"], 137.5 / 3.0);
    assert_eq!(ent["details"]["cooling"], 0.0);
    // The total is recomputed from the merged customers, not averaged over segments.
    let total = result(&report, "health", json!({}));
    assert_eq!(total["value"], 50.0);
    assert_eq!(total["details"]["cooling"], 2.0);
    assert_eq!(report["metrics"][0]["rows_used"], 8);
}

#[test]
fn acme_health_example_plugin_through_the_binary() {
    let s = Scratch::new();
    let report = run_json(&config(&s, ""));
    let acme = &report["metrics"][1];
    assert_eq!(acme["rows_used"], 3);
    assert_eq!(
        acme["rows_rejected"],
        json!({"no_seats": 1, "duplicate_account": 1})
    );
    let r = result(&report, "acme", json!({}));
    // acme-1: 100·(0.5·0.8 + 0.3·0.5 + 0.2·0.8) = 71; acme-2: no tickets,
    // 100·(0.5·1 + 0.3·1)/0.8 = 100; acme-3: 100·(0.5·0.25 + 0.3·0.2 + 0) = 18.5.
    // Mean = 189.5 / 3.
    close(&r["value"], 189.5 / 3.0);
    assert_eq!(r["n"], 3.0);
    assert_eq!(r["details"]["at_risk"], 1.0);
    let t = table(r, "accounts");
    assert_eq!(
        t["columns"],
        json!([
            "account",
            "score",
            "utilization",
            "engagement",
            "support",
            "at_risk"
        ])
    );
    assert_eq!(t["rows"][0], json!(["acme-3", 18.5, 25.0, 20.0, 0.0, true]));
    assert_eq!(t["rows"][1][0], "acme-1");
    close(&t["rows"][1][1], 71.0);
    assert_eq!(
        t["rows"][2],
        json!(["acme-2", 100.0, 100.0, 100.0, null, false])
    );
}
