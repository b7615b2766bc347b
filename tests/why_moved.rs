//! End to end through the real binary and plugins: the minimum detectable change beside
//! every period-over-period change, and the shift-share decomposition ("why did it move")
//! of the overall figure per dimension, in JSON, the terminal table and CSV — with expected
//! values computed by hand on data small enough to follow.

mod common;
use common::*;
use serde_json::{json, Value};

/// z_0.975 + z_0.8: the MDC multiplier at α = 0.05 and 80% power.
const K: f64 = 2.801_585_218_112_968;

fn close(a: &Value, b: f64) {
    let x = a.as_f64().unwrap_or(f64::NAN);
    assert!((x - b).abs() < 1e-9, "{a} vs {b}");
}

/// Pre-aggregated NPS answers (region, month, score, count):
/// January North P 30, D 10 of 50 (NPS 40); South P 10, D 20 of 50 (−20).
/// February North P 48, D 12 of 80 (45); South P 4, D 8 of 20 (−20).
const NPS_ROWS: &str = "region,month,score,count\n\
    North,2025-01-10,10,30\nNorth,2025-01-10,8,10\nNorth,2025-01-10,3,10\n\
    South,2025-01-10,9,10\nSouth,2025-01-10,7,20\nSouth,2025-01-10,0,20\n\
    North,2025-02-10,10,48\nNorth,2025-02-10,8,20\nNorth,2025-02-10,2,12\n\
    South,2025-02-10,9,4\nSouth,2025-02-10,7,8\nSouth,2025-02-10,5,8\n";

/// Pre-aggregated CSAT answers (1–5, satisfied 4–5): January A 30/60, B 36/40; February
/// A 35/50, C 40/50 (B gone, C new).
const CSAT_ROWS: &str = "region,month,score,count\n\
    A,2025-01-10,5,30\nA,2025-01-10,2,30\nB,2025-01-10,4,36\nB,2025-01-10,1,4\n\
    A,2025-02-10,5,35\nA,2025-02-10,2,15\nC,2025-02-10,4,40\nC,2025-02-10,3,10\n";

fn config(s: &Scratch) -> std::path::PathBuf {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("csat", "cxm-plugin-csat", None),
    ]);
    s.write("nps.csv", NPS_ROWS);
    s.write("csat.csv", CSAT_ROWS);
    let fields = "[DS.fields]\nregion = \"region\"\nmonth = { column = \"month\", type = \"date\" }\nscore = \"score\"\ncount = \"count\"\n";
    s.write(
        "client.toml",
        &format!(
            "client = \"Why\"\nplugins = {:?}\n\
             [datasets.n]\npath = \"nps.csv\"\nweight = \"count\"\n{}\
             [datasets.c]\npath = \"csat.csv\"\nweight = \"count\"\n{}\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"n\"\ninputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n\
             [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"c\"\ninputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n\
             [report]\nperiod = {{ field = \"month\", grain = \"month\" }}\n",
            reg.display().to_string(),
            fields.replace("DS", "datasets.n"),
            fields.replace("DS", "datasets.c"),
        ),
    )
}

fn run_json(s: &Scratch) -> Value {
    let cfg = config(s);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

#[test]
fn nps_change_split_into_mix_and_within_with_its_mdc() {
    let s = Scratch::new();
    let report = run_json(&s);
    let feb = result(&report, "nps", json!({"period": "2025-02"}));
    let t = &feb["trend"];
    // Overall: January P 40, D 30 of 100 → 10; February P 52, D 20 of 100 → 32; Δ = 22.
    close(&t["delta"], 22.0);
    // MDC with January's shares p = 0.4, d = 0.3: var = 0.7 − 0.1² = 0.69;
    // SE = 100·√(0.69·(1/100 + 1/100)) = 11.74734012447073; × K = 32.91117444486255.
    close(&t["mdc"], 32.911_174_444_862_55);
    close(&t["mdc"], 100.0 * (0.69_f64 * 0.02).sqrt() * K);
    // North alone (n 50 → 80, January p = 0.6, d = 0.2): var = 0.8 − 0.16 = 0.64,
    // SE = 100·√(0.64·(1/50 + 1/80)).
    let north = result(
        &report,
        "nps",
        json!({"region": "North", "period": "2025-02"}),
    );
    close(
        &north["trend"]["mdc"],
        100.0 * (0.64_f64 * (1.0 / 50.0 + 1.0 / 80.0)).sqrt() * K,
    );
    // Shares 0.5/0.5 → 0.8/0.2. North: mix 0.3·(40 + 45)/2 = 12.75, within 5·0.65 = 3.25;
    // South: mix −0.3·(−20 − 20)/2 = 6, within 0. Mix 18.75 + within 3.25 = 22.
    let d = &t["decomposition"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{t}");
    let d = &d[0];
    assert_eq!(d["dimension"], "region");
    close(&d["previous"], 10.0);
    close(&d["current"], 32.0);
    close(&d["delta"], 22.0);
    close(&d["mix"], 18.75);
    close(&d["within"], 3.25);
    let seg = &d["segments"];
    assert_eq!(seg[0]["segment"], "North");
    close(&seg[0]["previous_share_pct"], 50.0);
    close(&seg[0]["share_pct"], 80.0);
    close(&seg[0]["mix"], 12.75);
    close(&seg[0]["within"], 3.25);
    assert_eq!(seg[1]["segment"], "South");
    close(&seg[1]["mix"], 6.0);
    close(&seg[1]["within"], 0.0);
    // Only the overall result of a period is decomposed; segments carry their own Δ.
    assert!(north["trend"].get("decomposition").is_none(), "{north}");
}

#[test]
fn segments_in_one_period_only_count_as_mix() {
    let s = Scratch::new();
    let report = run_json(&s);
    let t = &result(&report, "csat", json!({"period": "2025-02"}))["trend"];
    // January 66/100 = 66%, February 75/100 = 75%: Δ 9 points.
    close(&t["delta"], 9.0);
    // MDC with p = 0.66: SE = 100·√(0.66·0.34·0.02) = 6.699253689...; × K.
    close(&t["mdc"], 18.768_530_109_669_94);
    // A: mix −0.1·60 = −6, within 20·0.55 = 11; B (gone): mix −0.4·90 = −36;
    // C (new): mix 0.5·80 = 40. Mix −2 + within 11 = 9.
    let d = &t["decomposition"][0];
    close(&d["mix"], -2.0);
    close(&d["within"], 11.0);
    let seg = &d["segments"];
    let names: Vec<&str> = (0..3).filter_map(|i| seg[i]["segment"].as_str()).collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert!(seg[1]["value"].is_null(), "B has no February value: {seg}");
    close(&seg[1]["share_pct"], 0.0);
    close(&seg[1]["mix"], -36.0);
    assert!(seg[2]["previous_value"].is_null(), "{seg}");
    close(&seg[2]["mix"], 40.0);
    close(&seg[2]["within"], 0.0);
}

#[test]
fn table_and_csv_show_the_mdc_and_the_decomposition() {
    let s = Scratch::new();
    let cfg = config(&s);
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("MDC"), "{table}");
    assert!(
        table.contains("2025-01 → 2025-02 by region: Δ +22.0 = mix +18.8 + within +3.2"),
        "{table}"
    );
    assert!(table.contains("50.0% → 80.0%"), "{table}");
    assert!(table.contains("smallest change this sample could detect"));

    let o = run(&["run", cfg.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let header: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "mdc")
        .expect("an mdc column");
    assert_eq!(header[col - 1], "significant");
    let feb = csv
        .lines()
        .find(|l| l.starts_with("nps,nps,(all),2025-02,"))
        .expect("the February overall row");
    let mdc: f64 = feb.split(',').nth(col).unwrap_or_default().parse().unwrap();
    assert!((mdc - 32.911_174_444_862_55).abs() < 1e-9, "{feb}");
}

#[test]
fn health_score_portfolio_mean_has_a_t_interval_a_mean_basis_and_an_mdc() {
    // One signal on 0–100 (linear [0, 100], weight 1), so a customer's score is its value.
    // January: 40, 60, 80 → mean 60, s² = (400 + 0 + 400)/2 = 400, n 3.
    // February: 50, 70, 90, 30 → mean 60, s² = (100 + 100 + 900 + 900)/3 = 2000/3, n 4.
    let s = Scratch::new();
    let reg = s.registry(&[("composite", "cxm-plugin-composite", None)]);
    s.write(
        "h.csv",
        "customer,snapshot,signal\nA,2025-01-01,40\nB,2025-01-01,60\nC,2025-01-01,80\n\
         A,2025-02-01,50\nB,2025-02-01,70\nC,2025-02-01,90\nD,2025-02-01,30\n",
    );
    let cfg = s.write(
        "client.toml",
        &format!(
            "client = \"Health\"\nplugins = {:?}\n\
             [datasets.h]\npath = \"h.csv\"\n[datasets.h.fields]\ncustomer = \"customer\"\n\
             snapshot = {{ column = \"snapshot\", type = \"date\" }}\n\
             signal = {{ column = \"signal\", type = \"number\" }}\n\
             [[metrics]]\nid = \"health\"\nplugin = \"composite\"\ndataset = \"h\"\n\
             inputs = {{ entity = \"customer\", snapshot = \"snapshot\", signal = \"signal\" }}\n\
             params = {{ signals = {{ signal = {{ weight = 1, normalize = {{ linear = [0, 100] }} }} }}, min_n = 1 }}\n\
             [report]\nperiod = {{ field = \"snapshot\", grain = \"month\" }}\n",
            reg.display().to_string()
        ),
    );
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    let jan = result(&report, "health", json!({"period": "2025-01"}));
    close(&jan["value"], 60.0);
    // t interval: 60 ± t(0.975, df 2)·√(400/3), t = 0.95/√(2·0.975·0.025) = 4.302652729749464.
    assert_eq!(jan["ci"]["method"], "t");
    close(&jan["ci"]["low"], 10.317_245_764_993_373);
    close(&jan["ci"]["high"], 109.682_754_235_006_63);
    assert_eq!(jan["basis"]["kind"], "mean");
    close(&jan["basis"]["variance"], 400.0);
    let t = &result(&report, "health", json!({"period": "2025-02"}))["trend"];
    assert_eq!(t["test"], "welch_t");
    // MDC = K·√(400/3 + (2000/3)/4) = K·√300 = 48.524879395055954.
    close(&t["mdc"], 48.524_879_395_055_954);
}
