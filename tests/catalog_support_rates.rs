//! End-to-end checks of the support plugins (first response, average response, resolution
//! and wait time) and the rate plugins (review response, conversion and referral rate)
//! through the real `cxm` binary: exact values, quantiles and per-metric row accounting
//! from small CSVs with datetimes written as "2025-03-03 10:00:00" (Monday).

mod common;
use common::*;
use serde_json::{json, Value};

/// Tickets created Monday 10:00: first replies after 1, 2 and 3 h, one never answered and
/// one "answered" before it was created; resolved after 2 days (the spec example, Monday
/// 10:00 → Wednesday 10:00) and 1 day, two unresolved, one resolved before creation.
const TICKETS: &str = "\
ticket,created,first_response,resolved
T1,2025-03-03 10:00:00,2025-03-03 11:00:00,2025-03-05 10:00:00
T2,2025-03-03 10:00:00,2025-03-03 12:00:00,2025-03-04 10:00:00
T3,2025-03-03 10:00:00,2025-03-03 13:00:00,
T4,2025-03-03 10:00:00,,
T5,2025-03-03 10:00:00,2025-03-03 09:00:00,2025-03-03 09:30:00
";

/// Two conversations, not in time order, with mixed-case roles and one unknown role.
const MESSAGES: &str = "\
ticket,role,sent_at
A,agent,2025-03-03 10:30:00
A,customer,2025-03-03 10:00:00
B,customer,2025-03-03 09:00:00
A,Customer,2025-03-03 10:05:00
A,AGENT,2025-03-03 10:40:00
B,agent,2025-03-03 09:15:00
A,customer,2025-03-03 11:00:00
B,customer,2025-03-03 09:20:00
A,agent,2025-03-03 12:00:00
B,bot,2025-03-03 09:21:00
";

/// 200 calls served with 500 minutes of wait in all (100 × 2 min, 100 × 3 min), and 5
/// callers who hung up before being served, pre-aggregated with a count.
const WAITS: &str = "wait,calls\n2,100\n3,100\n,5\n";

/// Reviews received Monday 08:00: answered after 1, 2, 3 and 5 h, two unanswered, one
/// answered before it arrived.
const REVIEWS: &str = "\
review,received,answered
R1,2025-03-03 08:00:00,2025-03-03 09:00:00
R2,2025-03-03 08:00:00,2025-03-03 10:00:00
R3,2025-03-03 08:00:00,2025-03-03 11:00:00
R4,2025-03-03 08:00:00,2025-03-03 13:00:00
R5,2025-03-03 08:00:00,
R6,2025-03-03 08:00:00,
R7,2025-03-03 08:00:00,2025-03-03 07:00:00
";

/// 12 of 40 leads converted (pre-aggregated), one row with the outcome missing.
const LEADS: &str = "converted,count\ntrue,12\nfalse,28\n,3\n";

/// New customers by acquisition source: 2 referrals of 4, one without a source.
const CUSTOMERS: &str = "customer,source\nC1,referral\nC2,Referral\nC3,ads\nC4,seo\nC5,\n";

fn dt(column: &str) -> String {
    format!("{{ column = \"{column}\", type = \"datetime\" }}")
}

fn config(s: &Scratch) -> std::path::PathBuf {
    let reg = s.registry(&[
        ("support", "cxm-plugin-support", None),
        ("rates", "cxm-plugin-rates", None),
    ]);
    s.write("tickets.csv", TICKETS);
    s.write("messages.csv", MESSAGES);
    s.write("waits.csv", WAITS);
    let raw_waits: String = std::iter::once("wait\n".to_string())
        .chain((0..200).map(|i| format!("{}\n", if i < 100 { 2 } else { 3 })))
        .collect();
    s.write("raw_waits.csv", &raw_waits);
    s.write("reviews.csv", REVIEWS);
    s.write("leads.csv", LEADS);
    s.write("customers.csv", CUSTOMERS);
    let text = format!(
        "client = \"Support and rates\"\nplugins = {reg:?}\n\
         [datasets.tickets]\npath = \"tickets.csv\"\n[datasets.tickets.fields]\nticket = \"ticket\"\n\
         created = {c}\nfirst_response = {f}\nresolved = {r}\n\
         [datasets.messages]\npath = \"messages.csv\"\n[datasets.messages.fields]\nticket = \"ticket\"\n\
         role = \"role\"\nsent_at = {m}\n\
         [datasets.waits]\npath = \"waits.csv\"\nweight = \"calls\"\n[datasets.waits.fields]\n\
         wait = {{ column = \"wait\", type = \"number\" }}\ncalls = {{ column = \"calls\", type = \"integer\" }}\n\
         [datasets.raw_waits]\npath = \"raw_waits.csv\"\n[datasets.raw_waits.fields]\n\
         wait = {{ column = \"wait\", type = \"number\" }}\n\
         [datasets.reviews]\npath = \"reviews.csv\"\n[datasets.reviews.fields]\n\
         received = {rr}\nanswered = {ra}\n\
         [datasets.leads]\npath = \"leads.csv\"\nweight = \"count\"\n[datasets.leads.fields]\n\
         converted = {{ column = \"converted\", type = \"boolean\" }}\ncount = {{ column = \"count\", type = \"integer\" }}\n\
         [datasets.customers]\npath = \"customers.csv\"\n[datasets.customers.fields]\nsource = \"source\"\n\
         [[metrics]]\nid = \"frt\"\nplugin = \"support/first_response_time\"\ndataset = \"tickets\"\n\
         inputs = {{ created_at = \"created\", first_response_at = \"first_response\" }}\n\
         [[metrics]]\nid = \"resolution\"\nplugin = \"resolution_time\"\ndataset = \"tickets\"\n\
         inputs = {{ created_at = \"created\", resolved_at = \"resolved\" }}\nparams = {{ unit = \"days\" }}\n\
         group_by = [\"ticket\"]\n\
         [[metrics]]\nid = \"response\"\nplugin = \"support/average_response_time\"\ndataset = \"messages\"\n\
         inputs = {{ ticket = \"ticket\", role = \"role\", sent_at = \"sent_at\" }}\nparams = {{ unit = \"minutes\" }}\n\
         [[metrics]]\nid = \"response_by_role\"\nplugin = \"support/average_response_time\"\ndataset = \"messages\"\n\
         inputs = {{ ticket = \"ticket\", role = \"role\", sent_at = \"sent_at\" }}\nparams = {{ unit = \"minutes\" }}\n\
         group_by = [\"role\"]\n\
         [[metrics]]\nid = \"wait\"\nplugin = \"support/wait_time\"\ndataset = \"waits\"\ninputs = {{ wait = \"wait\" }}\n\
         [[metrics]]\nid = \"wait_raw\"\nplugin = \"support/wait_time\"\ndataset = \"raw_waits\"\ninputs = {{ wait = \"wait\" }}\n\
         [[metrics]]\nid = \"reviews\"\nplugin = \"rates/review_response_rate\"\ndataset = \"reviews\"\n\
         inputs = {{ received_at = \"received\", answered_at = \"answered\" }}\n\
         [[metrics]]\nid = \"conversion\"\nplugin = \"rates/conversion_rate\"\ndataset = \"leads\"\n\
         inputs = {{ converted = \"converted\" }}\n\
         [[metrics]]\nid = \"referral\"\nplugin = \"rates/referral_rate\"\ndataset = \"customers\"\n\
         inputs = {{ source = \"source\" }}\nparams = {{ referral_sources = [\"REFERRAL\"] }}\n",
        reg = reg.display().to_string(),
        c = dt("created"),
        f = dt("first_response"),
        r = dt("resolved"),
        m = dt("sent_at"),
        rr = dt("received"),
        ra = dt("answered"),
    );
    s.write("client.toml", &text)
}

fn report() -> Value {
    let s = Scratch::new();
    let cfg = config(&s);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

/// The row accounting of metric `id`: (rows_used, rows_rejected).
fn rows(report: &Value, id: &str) -> (Value, Value) {
    let m = report["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == id)
        .unwrap_or_else(|| panic!("no metric {id}"));
    assert_eq!(m["error"], Value::Null, "{id}: {m}");
    (m["rows_used"].clone(), m["rows_rejected"].clone())
}

fn close(actual: &Value, expected: f64) {
    let a = actual.as_f64().unwrap_or(f64::NAN);
    assert!(
        (a - expected).abs() <= 1e-9,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn first_response_and_resolution_time() {
    let report = report();
    // First response: 1, 2, 3 h → mean 2; median: W = 3, target 1.5 → 2; p90, p95 → 3.
    // t(0.975, 2) = 4.302652729749464, s² = 1 → 2 ± t/√3 = (−0.4841377117503298,
    // 4.484137711750329).
    let r = result(&report, "frt", json!({}));
    assert_eq!(r["value"], 2.0);
    assert_eq!(r["unit"], "hours");
    assert_eq!(r["n"], 3.0);
    assert_eq!(r["details"]["median"], 2.0);
    assert_eq!(r["details"]["p90"], 3.0);
    assert_eq!(r["details"]["p95"], 3.0);
    assert_eq!(r["details"]["without_end_event"], 1.0);
    close(&r["ci"]["low"], -0.484_137_711_750_329_8);
    close(&r["ci"]["high"], 4.484_137_711_750_329);
    assert_eq!(r["ci"]["method"], "t");
    assert_eq!(
        rows(&report, "frt"),
        (json!(3), json!({"no_response": 1, "negative_duration": 1}))
    );

    // Resolution in days: T1 Monday 10:00 → Wednesday 10:00 = 2 (the spec example), T2 = 1.
    assert_eq!(
        result(&report, "resolution", json!({"ticket": "T1"}))["value"],
        2.0
    );
    let r = result(&report, "resolution", json!({}));
    assert_eq!(r["value"], 1.5);
    assert_eq!(r["unit"], "days");
    // Median: W = 2, target 1 = C(1) exactly → (1 + 2) / 2 = 1.5; p90 → 2.
    assert_eq!(r["details"]["median"], 1.5);
    assert_eq!(r["details"]["p90"], 2.0);
    assert_eq!(r["details"]["without_end_event"], 2.0);
    assert_eq!(
        rows(&report, "resolution"),
        (json!(2), json!({"unresolved": 2, "negative_duration": 1}))
    );
}

#[test]
fn average_response_time_pairs_waits_with_replies() {
    let report = report();
    // A: 10:00 wait (10:05 does not restart it) → 10:30 = 30 min; 10:40 answers nothing;
    // 11:00 → 12:00 = 60. B: 09:00 → 09:15 = 15; 09:20 never answered.
    // mean 35; median (W = 3, target 1.5) → 30; p90, p95 → 60.
    let r = result(&report, "response", json!({}));
    assert_eq!(r["value"], 35.0);
    assert_eq!(r["unit"], "minutes");
    assert_eq!(r["n"], 3.0);
    assert_eq!(r["details"]["median"], 30.0);
    assert_eq!(r["details"]["p90"], 60.0);
    assert_eq!(r["details"]["p95"], 60.0);
    assert_eq!(r["details"]["without_end_event"], 1.0);
    assert_eq!(r["details"]["tickets"], 2);
    assert_eq!(r["details"]["replies"], 4.0);
    assert_eq!(
        rows(&report, "response"),
        (json!(9), json!({"unknown_role": 1}))
    );
    // Split by role, each conversation is cut in two; the total merges the messages back by
    // ticket and gives the same figures.
    let by_role = result(&report, "response_by_role", json!({}));
    for key in ["value", "n", "ci", "details"] {
        assert_eq!(by_role[key], r[key], "{key}");
    }
}

#[test]
fn wait_time_is_total_wait_over_customers_served() {
    let report = report();
    // 500 minutes over 200 calls = 2.5 minutes; median: W = 200, target 100 = C(2) → 2.5.
    let r = result(&report, "wait", json!({}));
    assert_eq!(r["value"], 2.5);
    assert_eq!(r["n"], 200.0);
    assert_eq!(r["unit"], "minutes");
    assert_eq!(r["details"]["median"], 2.5);
    assert_eq!(r["details"]["p95"], 3.0);
    assert_eq!(r["details"]["without_end_event"], 5.0);
    assert_eq!(rows(&report, "wait"), (json!(2), json!({"not_served": 1})));
    // The same calls as 200 raw rows: identical figures.
    let raw = result(&report, "wait_raw", json!({}));
    for key in ["value", "n", "ci"] {
        assert_eq!(raw[key], r[key], "{key}");
    }
    assert_eq!(raw["details"]["median"], r["details"]["median"]);
    assert_eq!(rows(&report, "wait_raw"), (json!(200), json!({})));
}

#[test]
fn review_conversion_and_referral_rates() {
    let report = report();
    // 4 answered of 6 received (R7 answered before arrival is rejected entirely);
    // Wilson(4, 6) → (29.999331513839213, 90.32285888942197).
    let r = result(&report, "reviews", json!({}));
    close(&r["value"], 200.0 / 3.0);
    assert_eq!(r["unit"], "% of reviews answered");
    assert_eq!(r["n"], 6.0);
    close(&r["ci"]["low"], 29.999_331_513_839_213);
    close(&r["ci"]["high"], 90.322_858_889_421_97);
    assert_eq!(r["details"]["answered"], 4.0);
    assert_eq!(r["details"]["received"], 6.0);
    // Answer times 1, 2, 3, 5 h: mean 2.75, median (2 + 3) / 2 = 2.5, p90 5.
    assert_eq!(r["details"]["answer_time_mean"], 2.75);
    assert_eq!(r["details"]["answer_time_median"], 2.5);
    assert_eq!(r["details"]["answer_time_p90"], 5.0);
    assert_eq!(r["details"]["answer_time_unit"], "hours");
    assert_eq!(
        rows(&report, "reviews"),
        (json!(6), json!({"negative_duration": 1}))
    );

    // 12 of 40 leads: 30 %; Wilson(12, 40) → (18.07484522974653, 45.43001881814494).
    let c = result(&report, "conversion", json!({}));
    assert_eq!(c["value"], 30.0);
    assert_eq!(c["n"], 40.0);
    assert_eq!(c["unit"], "% of leads converted");
    close(&c["ci"]["low"], 18.074_845_229_746_53);
    close(&c["ci"]["high"], 45.430_018_818_144_94);
    assert_eq!(rows(&report, "conversion"), (json!(2), json!({"empty": 1})));

    // 2 referrals of 4 new customers: 50 %; C5 has no source.
    let f = result(&report, "referral", json!({}));
    assert_eq!(f["value"], 50.0);
    assert_eq!(f["n"], 4.0);
    assert_eq!(f["unit"], "% of new customers acquired by referral");
    assert_eq!(f["details"]["referred"], 2.0);
    assert_eq!(rows(&report, "referral"), (json!(4), json!({"empty": 1})));
}
