//! Sharp edges of issue 14 in the data and the figures, through the real binary:
//!
//! - 7: DOS code page 850 bytes in a file read as windows-1252 are warned about (count and
//!   first lines), and `encoding = "cp850"` / `"windows-1252+cp850"` read them right;
//! - 8: local times at a daylight-saving change are resolved by rule (ambiguous: the
//!   earlier instant; skipped: moved forward by the gap) and counted in a warning;
//! - 10: the health-score customer table of the HTML report labels signal columns as
//!   points;
//! - 11: churn and retention carry a Wilson interval, in the JSON, the table and the HTML.

mod common;

use common::{json, result, stderr, Scratch};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Runs `cxm run CONFIG --format FORMAT` with extra arguments; returns the output.
fn run_config(config: &Path, format: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", config.to_str().unwrap(), "--format", format];
    args.extend_from_slice(extra);
    common::run(&args)
}

/// The lines of stderr that are warnings.
fn warnings(out: &std::process::Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(String::from)
        .collect()
}

// --- 7: mixed encodings -------------------------------------------------------------------

/// A survey export mixing windows-1252 (`è` = 0xE8, `é` = 0xE9) with CP850 (`é` = 0x82,
/// `É` = 0x90) on lines 3, 4 and 6; line 5 has a genuine windows-1252 `€` (0x80) after an
/// amount.
const MIXED: &[u8] = b"id,nps,comment\n\
1,9,\"Tr\xe8s bon accueil, magasin bien achaland\xe9\"\n\
2,6,\"Le rayon \x82picerie est trop cher\"\n\
3,10,\"Personnel tr\xe8s comp\x82tent et agr\x82able\"\n\
4,8,\"Bon de r\xe9duction de 15\x80 oubli\xe9\"\n\
5,7,\"\x90tendre le rayon\"\n";

/// A client reading `file` with `encoding` (a TOML line, or nothing), counting rows per
/// comment (so each comment's text is a group in the results).
fn comments_config(s: &Scratch, file: &str, encoding: &str) -> PathBuf {
    let reg = s.registry(&[("basic", "cxm-plugin-basic", None)]);
    s.write(
        "client.toml",
        &format!(
            "client = \"Garden\"\nplugins = {:?}\n\n\
             [datasets.survey]\npath = \"{file}\"\n{encoding}\n\
             [datasets.survey.fields]\ncomment = \"comment\"\n\n\
             [[metrics]]\nid = \"comments\"\nplugin = \"basic/count\"\ndataset = \"survey\"\n\
             inputs = {{ value = \"comment\" }}\ngroup_by = [\"comment\"]\n",
            reg.display().to_string()
        ),
    )
}

/// The comment texts of the results, in result order.
fn comment_texts(report: &serde_json::Value) -> Vec<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["group"]["comment"].as_str().map(String::from))
        .collect()
}

#[test]
fn cp850_bytes_in_a_windows_1252_file_are_counted_with_their_lines() {
    let s = Scratch::new();
    std::fs::write(s.path("survey.csv"), MIXED).unwrap();
    // Detected, as a new user would run it: the French accents make it windows-1252.
    let out = run_config(&comments_config(&s, "survey.csv", ""), "json", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        warnings(&out),
        [
            "warning: dataset \"survey\": the file is read as windows-1252, but 4 bytes in \
          0x80-0x9F look like DOS code page 850 letters (most often 0x82: \"é\" in CP850, \
          \"‚\" in windows-1252), so texts there read wrong; lines 3, 4, 6. Declare the \
          encoding of the dataset: encoding = \"cp850\" if the whole file is CP850, or \
          encoding = \"windows-1252+cp850\" if it mixes both (letters such as 0xE9 = \"é\" \
          elsewhere)"
        ]
    );
    // The same in results.json, with the kind, the count and the first lines.
    let report = json(&out);
    let w = &report["datasets"][0]["warnings"][0];
    assert_eq!(w["kind"], "suspect_encoding", "{report}");
    assert_eq!(w["count"], 4);
    assert_eq!(w["lines"], serde_json::json!([3, 4, 6]));
    // What the warning is about: the verbatims as read.
    let texts = comment_texts(&report);
    assert!(
        texts.contains(&"Le rayon ‚picerie est trop cher".to_string()),
        "{texts:?}"
    );
    // The same when declared.
    let out = run_config(
        &comments_config(&s, "survey.csv", "encoding = \"latin1\""),
        "json",
        &[],
    );
    assert_eq!(warnings(&out).len(), 1, "{}", stderr(&out));
}

#[test]
fn a_declared_cp850_or_mixed_encoding_reads_the_texts_right() {
    let s = Scratch::new();
    std::fs::write(s.path("survey.csv"), MIXED).unwrap();
    let config = comments_config(&s, "survey.csv", "encoding = \"windows-1252+cp850\"");
    let out = run_config(&config, "json", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(warnings(&out), Vec::<String>::new());
    let mut texts = comment_texts(&json(&out));
    texts.sort();
    assert_eq!(
        texts,
        [
            // 0x80 is "€" in windows-1252 but "Ç" in CP850: the mixed set reads CP850.
            "Bon de réduction de 15Ç oublié",
            "Le rayon épicerie est trop cher",
            "Personnel très compétent et agréable",
            "Très bon accueil, magasin bien achalandé",
            "Étendre le rayon",
        ]
    );
    // A file that is CP850 throughout.
    std::fs::write(
        s.path("dos.csv"),
        b"id,nps,comment\n1,9,\"Tr\x8as bon, \x82t\x82 comme hiver\"\n2,3,\"Gar\x87on d\x82\x87u\"\n",
    )
    .unwrap();
    let out = run_config(
        &comments_config(&s, "dos.csv", "encoding = \"cp850\""),
        "json",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut texts = comment_texts(&json(&out));
    texts.sort();
    assert_eq!(texts, ["Garçon déçu", "Très bon, été comme hiver"]);
    // An unknown label names the ones cxm adds.
    let out = run_config(
        &comments_config(&s, "dos.csv", "encoding = \"cp851\""),
        "json",
        &[],
    );
    assert!(!out.status.success());
    let message = stderr(&out);
    assert!(message.contains("unknown encoding \"cp851\""), "{message}");
    assert!(
        message.contains("\"cp850\" or \"windows-1252+cp850\""),
        "{message}"
    );
}

#[test]
fn genuine_windows_1252_punctuation_gives_no_warning() {
    let s = Scratch::new();
    let text = "id,nps,comment\n\
                1,9,\"l’accueil “parfait” – vraiment\"\n\
                2,8,\"Cœur de gamme à 15€… Œuvre d’art\"\n\
                3,7,\"prix 10–12 € ‘à voir’ — Brand™\"\n";
    std::fs::write(s.path("survey.csv"), windows_1252(text)).unwrap();
    let out = run_config(
        &comments_config(&s, "survey.csv", "encoding = \"windows-1252\""),
        "json",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(warnings(&out), Vec::<String>::new());
    assert!(comment_texts(&json(&out)).contains(&"Cœur de gamme à 15€… Œuvre d’art".to_string()));
}

/// `text` in windows-1252 (Latin-1 letters and the punctuation used here).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '…' => 0x85,
            'Œ' => 0x8C,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            'œ' => 0x9C,
            c => u8::try_from(u32::from(c)).expect("a Latin-1 character"),
        })
        .collect()
}

// --- 8: daylight-saving changes -----------------------------------------------------------

/// Tickets created and answered around Berlin's 2025 changes (clocks went forward at
/// 2025-03-30 02:00 and back at 2025-10-26 03:00). Line 2: the reply is in the repeated
/// hour; line 3: the creation; line 4: the reply is in the skipped hour.
const TICKETS: &str = "id,created,replied\n\
1,2025-10-26 01:30:00,2025-10-26 02:30:00\n\
2,2025-10-26 02:30:00,2025-10-26 03:30:00\n\
3,2025-03-30 01:30:00,2025-03-30 02:30:00\n\
4,2025-06-01 10:00:00,2025-06-01 11:00:00\n";

fn tickets_config(s: &Scratch, file: &str, timezone: &str) -> PathBuf {
    let reg = s.registry(&[("support", "cxm-plugin-support", None)]);
    s.write(
        &format!("{file}.toml"),
        &format!(
            "client = \"Support\"\nplugins = {:?}\n\n\
             [datasets.tickets]\npath = \"{file}\"\n\
             [datasets.tickets.fields]\n\
             created = {{ column = \"created\", type = \"datetime\" }}\n\
             replied = {{ column = \"replied\", type = \"datetime\" }}\n\n\
             [[metrics]]\nid = \"frt\"\nplugin = \"support/first_response_time\"\n\
             dataset = \"tickets\"\n\
             inputs = {{ created_at = \"created\", first_response_at = \"replied\" }}\n\
             params = {{ unit = \"minutes\", min_n = 1 }}\n\n\
             [report]\ntimezone = \"{timezone}\"\n",
            reg.display().to_string()
        ),
    )
}

#[test]
fn local_times_at_a_daylight_saving_change_are_resolved_by_rule_and_counted() {
    let s = Scratch::new();
    s.write("tickets.csv", TICKETS);
    let out = run_config(
        &tickets_config(&s, "tickets.csv", "Europe/Berlin"),
        "json",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        warnings(&out),
        [
            "warning: dataset \"tickets\": 3 timestamps without a UTC offset fell on a \
          daylight-saving change in Europe/Berlin and were resolved by rule: 2 ambiguous (in \
          the hour repeated when clocks go back: read as the earlier instant, at the offset \
          before the change), 1 nonexistent (in the hour skipped when clocks go forward: \
          moved forward by the length of the gap); lines 2, 3, 4. Their period or duration \
          may be off by the change; export timestamps with their offset (e.g. +01:00) or in \
          UTC to be exact"
        ]
    );
    // The rule, in durations: line 2's reply 02:30 is the earlier 02:30 (CEST, 00:30Z), 60
    // min after 01:30 CEST; line 3's creation is the earlier 02:30 (00:30Z), 120 min before
    // 03:30 CET (02:30Z); line 4's reply 02:30 does not exist and is read at the offset
    // before the gap (+01:00, 01:30Z), 60 min after 01:30 CET; line 5: 60 min.
    let report = json(&out);
    let r = result(&report, "frt", json!({}));
    assert_eq!(r["value"], 75.0, "{r}");
    assert_eq!(r["details"]["median"], 60.0, "{r}");
    // In UTC no time is ambiguous: no warning, every ticket 60 min.
    let out = run_config(&tickets_config(&s, "tickets.csv", "UTC"), "json", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(warnings(&out), Vec::<String>::new());
    assert_eq!(result(&json(&out), "frt", json!({}))["value"], 60.0);
}

#[test]
fn the_daylight_saving_count_is_the_same_read_in_parallel() {
    let s = Scratch::new();
    let mut text = String::from("id,created,replied\n");
    for i in 2..=3000 {
        let created = match i {
            500 | 1500 => "2025-10-26 02:15:00",
            2900 => "2025-03-30 02:15:00",
            _ => "2025-06-01 10:00:00",
        };
        text.push_str(&format!("{i},{created},2025-11-01 10:00:00\n"));
    }
    s.write("many.csv", &text);
    let config = tickets_config(&s, "many.csv", "Europe/Berlin");
    let one = run_config(&config, "json", &["--threads", "1"]);
    let many = run_config(
        &config,
        "json",
        &["--threads", "3", "--chunk-bytes", "2000"],
    );
    assert!(many.status.success(), "{}", stderr(&many));
    assert_eq!(warnings(&one), warnings(&many));
    let w = &warnings(&many)[0];
    assert!(w.contains(": 3 timestamps "), "{w}");
    assert!(w.contains("2 ambiguous ("), "{w}");
    assert!(w.contains("1 nonexistent ("), "{w}");
    assert!(w.contains("; lines 500, 1500, 2900."), "{w}");
}

// --- 10 and 11: the report --------------------------------------------------------------

/// Runs the shipped SaaS client (health scores, retention and churn) into a folder.
fn saas_report(s: &Scratch) -> (PathBuf, serde_json::Value, String) {
    let dir = s.path("out");
    let out = run_config(
        &common::repo().join("config/clients/saas.toml"),
        "table",
        &["--out", dir.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    (dir, results, common::stdout(&out))
}

/// The header row of the first table after `heading` in `html`.
fn header_after<'h>(html: &'h str, heading: &str) -> &'h str {
    let from = html.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    let rest = &html[from..];
    let start = rest.find("<thead").expect("a table");
    let end = rest[start..].find("</thead>").expect("its header") + start;
    &rest[start..end]
}

#[test]
fn the_health_customer_table_labels_signal_columns_as_points() {
    let s = Scratch::new();
    let (dir, results, _) = saas_report(&s);
    // The plugin's customers table holds normalized points (0-100) under the signal names.
    let health = result(&results, "health", json!({}));
    let signals: Vec<&str> = health["tables"][1]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(signals, ["logins", "nps", "tickets", "utilization"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let header = header_after(&html, "Lowest-scoring customers");
    for signal in &signals {
        assert!(header.contains(&format!(">{signal} (points)<")), "{header}");
        assert!(!header.contains(&format!(">{signal}<")), "{header}");
    }
    assert!(
        header.contains(">score<") && header.contains(">customer<"),
        "{header}"
    );
    assert!(html.contains("Signal columns show each signal&#39;s normalized points (0–100)"));
    // And in Russian.
    let out = common::run(&[
        "report",
        dir.join("results.json").to_str().unwrap(),
        "--language",
        "ru",
    ]);
    let ru = common::stdout(&out);
    let header = header_after(&ru, "Клиенты с самой низкой оценкой");
    for signal in &signals {
        assert!(header.contains(&format!(">{signal} (баллы)<")), "{header}");
    }
}

#[test]
fn churn_and_retention_carry_a_wilson_interval_everywhere() {
    let s = Scratch::new();
    let (dir, results, table) = saas_report(&s);
    for metric in ["churn", "retention"] {
        let r = result(&results, metric, json!({}));
        let (successes, n) = (
            r["basis"]["successes"].as_f64().unwrap(),
            r["basis"]["n"].as_f64().unwrap(),
        );
        // Wilson (1927) at 95 %, recomputed here from the counts.
        let z = 1.959_963_984_540_054_f64;
        let p = successes / n;
        let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
        let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
        let ci = &r["ci"];
        assert_eq!(ci["method"], "wilson", "{metric}: {r}");
        assert_eq!(ci["level"], 0.95);
        let low = ci["low"].as_f64().unwrap();
        let high = ci["high"].as_f64().unwrap();
        assert!(
            (low - 100.0 * (centre - half).max(0.0)).abs() < 1e-9,
            "{metric}: {ci}"
        );
        assert!(
            (high - 100.0 * (centre + half).min(1.0)).abs() < 1e-9,
            "{metric}: {ci}"
        );
        // Each period's bounds in the table, the last period's equal to the headline's.
        let t = &r["tables"][0];
        let columns: Vec<&str> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let at = |c: &str| columns.iter().position(|x| *x == c).unwrap();
        let last = t["rows"].as_array().unwrap().last().unwrap();
        assert_eq!(last[at(&format!("{metric}_ci_low"))], ci["low"]);
        assert_eq!(last[at(&format!("{metric}_ci_high"))], ci["high"]);
        // The terminal table shows it.
        let line = table
            .lines()
            .find(|l| l.contains(&format!("{:.1}, {:.1}]", low, high)))
            .unwrap_or_else(|| panic!("{metric}: no [{low:.1}, {high:.1}] in\n{table}"));
        assert!(line.contains('['), "{line}");
    }
    // The HTML report shows the headline interval (as figures tied to results.json) and a
    // band around each rate's trend over its periods.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for metric in ["churn", "retention"] {
        for field in ["ci.low", "ci.high"] {
            let fig = format!(
                "data-scope=\"result\" data-metric=\"{metric}\" data-group=\"{{}}\" data-field=\"{field}\""
            );
            assert!(html.contains(&fig), "{metric}: no {field} figure");
        }
        let section = html
            .split(&format!("<section class=\"metric\" id=\"metric-{metric}\""))
            .nth(1)
            .and_then(|s| s.split("</section>").next())
            .unwrap_or_else(|| panic!("no section for {metric}"));
        let trend = section
            .split("data-chart=\"trend\"")
            .nth(1)
            .and_then(|s| s.split("</figure>").next())
            .expect("a trend");
        assert!(
            trend.contains("fill-opacity=\"0.15\""),
            "{metric}: no CI band"
        );
    }
}
