//! The streaming, batching, grouping and merging path checked against the definitions
//! themselves: a generated dataset is run through the real binary in tiny batches (so keyed
//! states such as QA reviews are split across batches and merged), and every figure is
//! compared with a plain row-by-row computation written here from METRICS.md.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A small deterministic generator (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const REGIONS: [&str; 5] = ["north", "south", "east", "west", "central"];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn run_json(s: &Scratch, config: &str) -> Value {
    let cfg = s.write("client.toml", config);
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--batch-rows",
        "37",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    json(&o)
}

fn header(s: &Scratch) -> String {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("csat", "cxm-plugin-csat", None),
        ("iqs", "cxm-plugin-iqs", None),
        ("retention", "cxm-plugin-retention", None),
        ("support", "cxm-plugin-support", None),
    ]);
    format!(
        "client = \"Cross-check\"\nplugins = {:?}\n",
        reg.display().to_string()
    )
}

#[test]
fn nps_and_csat_by_region_and_month_match_row_by_row_counts() {
    let s = Scratch::new();
    let mut rng = Lcg(42);
    let mut csv = String::from("region,submitted,nps,csat\n");
    // (region, month) -> [promoters, passives, detractors, satisfied, csat n]
    let mut expected: BTreeMap<(String, String), [f64; 5]> = BTreeMap::new();
    for _ in 0..3000 {
        let region = REGIONS[rng.below(5) as usize];
        let month = 1 + rng.below(6);
        let day = 1 + rng.below(28);
        let nps = match rng.below(50) {
            0 => "x".to_string(),
            1 => "12".to_string(),
            2 => String::new(),
            _ => rng.below(11).to_string(),
        };
        let csat = if rng.below(40) == 0 {
            "0".to_string()
        } else {
            (1 + rng.below(5)).to_string()
        };
        csv.push_str(&format!("{region},2025-{month:02}-{day:02},{nps},{csat}\n"));
        let e = expected
            .entry((region.to_string(), format!("2025-{month:02}")))
            .or_default();
        if let Ok(score) = nps.parse::<i64>() {
            match score {
                9 | 10 => e[0] += 1.0,
                7 | 8 => e[1] += 1.0,
                0..=6 => e[2] += 1.0,
                _ => {}
            }
        }
        let c: i64 = csat.parse().unwrap();
        if (1..=5).contains(&c) {
            e[4] += 1.0;
            if c >= 4 {
                e[3] += 1.0;
            }
        }
    }
    s.write("survey.csv", &csv);
    let config = format!(
        "{}[datasets.s]\npath = \"survey.csv\"\n[datasets.s.fields]\nregion = \"region\"\nsubmitted = {{ column = \"submitted\", type = \"date\" }}\nnps = \"nps\"\ncsat = \"csat\"\n\
         [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"s\"\ninputs = {{ score = \"nps\" }}\n\
         [[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"s\"\ninputs = {{ score = \"csat\" }}\n\
         [report]\ngroup_by = [\"region\"]\nperiod = {{ field = \"submitted\", grain = \"month\" }}\n",
        header(&s)
    );
    let report = run_json(&s, &config);
    let mut totals = [0.0f64; 5];
    for ((region, month), e) in &expected {
        let group = json!({"region": region, "period": month});
        let nps = result(&report, "nps", group.clone());
        let n = e[0] + e[1] + e[2];
        assert_eq!(nps["n"].as_f64().unwrap(), n, "{group}");
        assert!(
            close(nps["value"].as_f64().unwrap(), 100.0 * (e[0] - e[2]) / n),
            "{group}: {nps}"
        );
        let csat = result(&report, "csat", group.clone());
        assert!(
            close(csat["value"].as_f64().unwrap(), 100.0 * e[3] / e[4]),
            "{group}: {csat}"
        );
        for k in 0..5 {
            totals[k] += e[k];
        }
    }
    let n = totals[0] + totals[1] + totals[2];
    let overall = result(&report, "nps", json!({}));
    assert!(close(
        overall["value"].as_f64().unwrap(),
        100.0 * (totals[0] - totals[2]) / n
    ));
    assert!(close(
        result(&report, "csat", json!({}))["value"]
            .as_f64()
            .unwrap(),
        100.0 * totals[3] / totals[4]
    ));
}

#[test]
fn iqs_by_agent_matches_review_by_review_scoring() {
    let s = Scratch::new();
    let mut rng = Lcg(7);
    // criteria: (name, weight, max, critical); scales start at 0.
    let criteria = [
        ("accuracy", 3.0, 4.0, false),
        ("tone", 1.0, 4.0, false),
        ("compliance", 2.0, 1.0, true),
    ];
    let agents = ["ana", "ben", "cy", "dee"];
    let mut rows = Vec::new();
    // agent -> review scores
    let mut expected: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in 0..300 {
        let agent = agents[rng.below(4) as usize];
        let (mut num, mut den, mut fail) = (0.0, 0.0, false);
        for (name, weight, max, critical) in criteria {
            if rng.below(8) == 0 {
                rows.push(format!("R{r},{agent},{name},N/A"));
                continue;
            }
            let score = rng.below(max as u64 + 1) as f64;
            rows.push(format!("R{r},{agent},{name},{score}"));
            let pct = 100.0 * score / max;
            num += weight * pct;
            den += weight;
            fail |= critical && pct < 50.0;
        }
        if den > 0.0 {
            expected
                .entry(agent)
                .or_default()
                .push(if fail { 0.0 } else { num / den });
        }
    }
    // Shuffle so a review's rows are spread across batches.
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.below(i as u64 + 1) as usize);
    }
    s.write(
        "qa.csv",
        &format!("review,agent,criterion,score\n{}\n", rows.join("\n")),
    );
    let config = format!(
        "{}[datasets.qa]\npath = \"qa.csv\"\nnull_values = [\"\", \"N/A\"]\n[datasets.qa.fields]\nreview = \"review\"\nagent = \"agent\"\ncriterion = \"criterion\"\nscore = {{ column = \"score\", type = \"number\" }}\n\
         [[metrics]]\nid = \"iqs\"\nplugin = \"iqs\"\ndataset = \"qa\"\ninputs = {{ review_id = \"review\", criterion = \"criterion\", score = \"score\" }}\ngroup_by = [\"agent\"]\n\
         [metrics.params.criteria]\naccuracy = {{ weight = 3, scale = [0, 4] }}\ntone = {{ weight = 1, scale = [0, 4] }}\ncompliance = {{ weight = 2, scale = [0, 1], critical = true }}\n",
        header(&s)
    );
    let report = run_json(&s, &config);
    let mut all = Vec::new();
    for (agent, scores) in &expected {
        let r = result(&report, "iqs", json!({"agent": agent}));
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        assert!(close(r["value"].as_f64().unwrap(), mean), "{agent}: {r}");
        assert_eq!(r["n"].as_f64().unwrap(), scores.len() as f64, "{agent}");
        let pass =
            scores.iter().filter(|s| **s >= 80.0).count() as f64 / scores.len() as f64 * 100.0;
        assert!(
            close(r["details"]["pass_rate"].as_f64().unwrap(), pass),
            "{agent}: {r}"
        );
        all.extend(scores);
    }
    let overall = result(&report, "iqs", json!({}));
    assert!(close(
        overall["value"].as_f64().unwrap(),
        all.iter().sum::<f64>() / all.len() as f64
    ));
}

#[test]
fn churn_by_plan_matches_counting_customers() {
    let s = Scratch::new();
    let mut rng = Lcg(99);
    let plans = ["starter", "growth", "enterprise"];
    let mut csv = String::from("plan,start,end\n");
    // The last period of the range is April 2025: [2025-04-01, 2025-05-01).
    let (t0, t1) = ("2025-04-01", "2025-05-01");
    let mut expected: BTreeMap<&str, (f64, f64)> = BTreeMap::new(); // plan -> (S, L)
    for _ in 0..1000 {
        let plan = plans[rng.below(3) as usize];
        let start = format!(
            "202{}-{:02}-{:02}",
            3 + rng.below(3),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        if start.as_str() > "2025-06-30" {
            continue;
        }
        let end = if rng.below(3) == 0 {
            let candidate = format!("2025-{:02}-{:02}", 1 + rng.below(6), 1 + rng.below(28));
            if candidate > start {
                candidate
            } else {
                String::new()
            }
        } else {
            String::new()
        };
        csv.push_str(&format!("{plan},{start},{end}\n"));
        let e = expected.entry(plan).or_default();
        let active_at_t0 = start.as_str() < t0 && (end.is_empty() || end.as_str() >= t0);
        let lost = !end.is_empty() && end.as_str() >= t0 && end.as_str() < t1;
        e.0 += f64::from(u8::from(active_at_t0));
        e.1 += f64::from(u8::from(lost));
    }
    s.write("customers.csv", &csv);
    let config = format!(
        "{}[datasets.c]\npath = \"customers.csv\"\n[datasets.c.fields]\nplan = \"plan\"\nstart = {{ column = \"start\", type = \"date\" }}\nend = {{ column = \"end\", type = \"date\" }}\n\
         [[metrics]]\nid = \"churn\"\nplugin = \"retention/churn\"\ndataset = \"c\"\ninputs = {{ start_date = \"start\", end_date = \"end\" }}\n\
         params = {{ period = {{ from = \"2025-01-01\", to = \"2025-05-01\", grain = \"month\" }} }}\ngroup_by = [\"plan\"]\n",
        header(&s)
    );
    let report = run_json(&s, &config);
    let (mut s_all, mut l_all) = (0.0, 0.0);
    for (plan, (start_count, lost)) in &expected {
        let r = result(&report, "churn", json!({"plan": plan}));
        assert!(
            close(r["value"].as_f64().unwrap(), 100.0 * lost / start_count),
            "{plan}: {r}"
        );
        s_all += start_count;
        l_all += lost;
    }
    assert!(close(
        result(&report, "churn", json!({}))["value"]
            .as_f64()
            .unwrap(),
        100.0 * l_all / s_all
    ));
}

/// Hyndman-Fan definition 2 on unweighted values (what the plugin documents).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let np = p * sorted.len() as f64;
    let j = np.floor() as usize;
    if (np - np.floor()).abs() < 1e-12 && j > 0 && j < sorted.len() {
        (sorted[j - 1] + sorted[j]) / 2.0
    } else {
        sorted[(np.ceil() as usize).clamp(1, sorted.len()) - 1]
    }
}

#[test]
fn first_response_time_by_channel_matches_ticket_by_ticket() {
    let s = Scratch::new();
    let mut rng = Lcg(5);
    let channels = ["email", "chat", "phone"];
    let mut csv = String::from("channel,created,first_response\n");
    let mut expected: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for _ in 0..900 {
        let ch = channels[rng.below(3) as usize];
        let day = 1 + rng.below(27);
        let (h, m) = (rng.below(20), rng.below(60));
        let created = format!("2025-03-{day:02} {h:02}:{m:02}:00");
        let minutes = rng.below(600) + 1;
        if rng.below(20) == 0 {
            csv.push_str(&format!("{ch},{created},\n"));
            continue;
        }
        let total = h * 60 + m + minutes;
        let reply = format!(
            "2025-03-{:02} {:02}:{:02}:00",
            day + total / (24 * 60),
            (total / 60) % 24,
            total % 60
        );
        csv.push_str(&format!("{ch},{created},{reply}\n"));
        expected.entry(ch).or_default().push(minutes as f64 / 60.0);
    }
    s.write("tickets.csv", &csv);
    let config = format!(
        "{}[datasets.t]\npath = \"tickets.csv\"\n[datasets.t.fields]\nchannel = \"channel\"\ncreated = {{ column = \"created\", type = \"datetime\" }}\nfirst_response = {{ column = \"first_response\", type = \"datetime\" }}\n\
         [[metrics]]\nid = \"frt\"\nplugin = \"support/first_response_time\"\ndataset = \"t\"\ninputs = {{ created_at = \"created\", first_response_at = \"first_response\" }}\n\
         params = {{ unit = \"hours\" }}\ngroup_by = [\"channel\"]\n",
        header(&s)
    );
    let report = run_json(&s, &config);
    for (ch, durations) in &mut expected {
        durations.sort_by(f64::total_cmp);
        let r = result(&report, "frt", json!({"channel": ch}));
        let mean = durations.iter().sum::<f64>() / durations.len() as f64;
        assert!(close(r["value"].as_f64().unwrap(), mean), "{ch}: {r}");
        for (key, p) in [("median", 0.5), ("p90", 0.9), ("p95", 0.95)] {
            assert!(
                close(r["details"][key].as_f64().unwrap(), quantile(durations, p)),
                "{ch} {key}: {r}"
            );
        }
    }
}
