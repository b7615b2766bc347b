//! Parallel runs give the results of a single-threaded run, bit for bit: a generated survey
//! export (quoted comments with delimiters, quotes and line breaks, broken rows, unreadable
//! values, decimal values whose sums depend on the order of addition) is run with 1 and with
//! several threads over small chunks, and every output file must be byte-identical. The
//! parallel CSV reader must also agree with the sequential one (the path taken for legacy
//! encodings), including where a malformed quote makes it fall back mid-file.

mod common;
use common::*;
use std::fmt::Write as _;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `rows` survey rows; ASCII only, so the file reads the same as windows-1252.
fn survey(rows: usize, seed: u64, stray_quote_at: Option<usize>) -> String {
    let mut rng = Rng(seed);
    let regions = ["North", "South", "East", "West", "Central"];
    let mut out = String::from("id,region,submitted,nps,value,comment\n");
    for i in 1..=rows {
        // Now and then an id seen before (a duplicate for unique_key).
        let id = if rng.below(40) == 0 {
            i.saturating_sub(1 + rng.below(50) as usize).max(1)
        } else {
            i
        };
        let region = regions[rng.below(5) as usize];
        let day = 1 + rng.below(28);
        let month = 1 + rng.below(6);
        let nps = match rng.below(50) {
            0 => String::new(),
            1 => "n/a".to_string(),
            _ => rng.below(11).to_string(),
        };
        let value = format!("{}.{:02}", rng.below(500), rng.below(100));
        let comment = match rng.below(6) {
            0 => String::new(),
            1 => "\"said \"\"fine\"\", then left\"".to_string(),
            2 => "\"two\nlines, really\"".to_string(),
            3 => "plain".to_string(),
            4 => "\"a, b and c\"".to_string(),
            _ => "\"\"".to_string(),
        };
        if stray_quote_at == Some(i) {
            // A quote inside an unquoted field: the csv crate keeps it as text.
            let _ = writeln!(
                out,
                "{id},{region},2025-{month:02}-{day:02},{nps},{value},bad\"quote"
            );
            continue;
        }
        if rng.below(97) == 0 {
            let _ = writeln!(out, "{id},{region},2025-{month:02}-{day:02}");
            continue;
        }
        let _ = write!(
            out,
            "{id},{region},2025-{month:02}-{day:02},{nps},{value},{comment}"
        );
        out.push_str(if rng.below(3) == 0 { "\r\n" } else { "\n" });
    }
    out
}

fn config(s: &Scratch, csv: &str, extra: &str) -> std::path::PathBuf {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("basic", "cxm-plugin-basic", None),
    ]);
    s.write(
        &format!("{csv}.toml"),
        &format!(
            r#"client = "Parallel"
plugins = {reg:?}
[datasets.survey]
path = "{csv}"
{extra}
[datasets.survey.fields]
id = "id"
region = "region"
submitted = {{ column = "submitted", type = "date" }}
nps = {{ column = "nps", type = "integer" }}
value = {{ column = "value", type = "number" }}
comment = "comment"

[[metrics]]
id = "nps"
plugin = "nps"
dataset = "survey"
inputs = {{ score = "nps" }}
group_by = ["region"]
period = {{ field = "submitted", grain = "month" }}

[[metrics]]
id = "mean_value"
plugin = "basic/mean"
dataset = "survey"
inputs = {{ value = "value" }}
group_by = ["region"]
period = {{ field = "submitted", grain = "month" }}

[[metrics]]
id = "p90_value"
plugin = "basic/percentile"
dataset = "survey"
inputs = {{ value = "value" }}
params = {{ p = 0.9 }}
"#,
            reg = reg.display().to_string()
        ),
    )
}

/// Runs `config` and returns (stdout JSON, rejected.csv), or panics with stderr.
fn run_with(s: &Scratch, config: &std::path::Path, args: &[&str], tag: &str) -> (String, String) {
    let out = s.path(tag);
    let mut all = vec![
        "run",
        config.to_str().unwrap(),
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    (stdout(&o), rejected)
}

/// The report without the fields that name the config file.
fn comparable(report: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(report).unwrap();
    v["config"] = serde_json::Value::Null;
    for d in v["datasets"].as_array_mut().unwrap() {
        d["path"] = serde_json::Value::Null;
    }
    v
}

#[test]
fn thread_count_never_changes_a_bit_of_the_output() {
    let s = Scratch::new();
    s.write("survey.csv", &survey(3000, 7, None));
    let cfg = config(&s, "survey.csv", "");
    let single = run_with(&s, &cfg, &["--threads", "1", "--chunk-bytes", "2000"], "t1");
    for threads in ["2", "3", "8"] {
        let tag = format!("t{threads}");
        let many = run_with(
            &s,
            &cfg,
            &["--threads", threads, "--chunk-bytes", "2000"],
            &tag,
        );
        assert_eq!(single.0, many.0, "report differs with {threads} threads");
        assert_eq!(
            single.1, many.1,
            "rejected.csv differs with {threads} threads"
        );
    }
    // Many chunks were really used: the file is ~50 times the chunk size.
    assert!(std::fs::metadata(s.path("survey.csv")).unwrap().len() > 40 * 2000);
    let report = comparable(&single.0);
    assert_eq!(report["datasets"][0]["rows_read"], 3000);
}

#[test]
fn parallel_reader_agrees_with_the_sequential_reader() {
    let s = Scratch::new();
    let text = survey(2000, 11, None);
    s.write("fast.csv", &text);
    s.write("slow.csv", &text);
    // With a unique_key, chunks are parsed in parallel but processed in file order.
    let fast = config(&s, "fast.csv", "unique_key = \"id\"");
    // Declaring a legacy encoding takes the sequential reader (the bytes are ASCII).
    let slow = config(
        &s,
        "slow.csv",
        "unique_key = \"id\"\nencoding = \"windows-1252\"",
    );
    let (fast_report, fast_rejected) = run_with(
        &s,
        &fast,
        &["--threads", "2", "--chunk-bytes", "3000"],
        "fast",
    );
    let (slow_report, slow_rejected) = run_with(&s, &slow, &["--threads", "2"], "slow");
    assert_eq!(fast_rejected, slow_rejected);
    assert!(
        fast_rejected.contains("wrong_field_count"),
        "{fast_rejected}"
    );
    assert!(fast_rejected.contains("not_a_number"), "{fast_rejected}");
    assert!(
        fast_rejected.contains(",duplicate,same unique_key as line "),
        "{fast_rejected}"
    );
    let (fast_report, slow_report) = (comparable(&fast_report), comparable(&slow_report));
    assert_eq!(fast_report["datasets"], slow_report["datasets"]);
    assert_eq!(fast_report["metrics"], slow_report["metrics"]);
    // Counts and NPS are exact; means and percentiles agree to rounding (the sums are
    // added in another order when the file is cut into chunks).
    let (a, b) = (
        fast_report["results"].as_array().unwrap(),
        slow_report["results"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["group"], y["group"]);
        assert_eq!(x["n"], y["n"], "{x} vs {y}");
        let (vx, vy) = (x["value"].as_f64(), y["value"].as_f64());
        match (vx, vy) {
            (Some(vx), Some(vy)) => assert!((vx - vy).abs() <= 1e-9 * vy.abs().max(1.0)),
            _ => assert_eq!(vx, vy),
        }
    }
}

#[test]
fn a_malformed_quote_mid_file_falls_back_to_the_sequential_reader() {
    let s = Scratch::new();
    let text = survey(2000, 5, Some(1200));
    s.write("fast.csv", &text);
    s.write("slow.csv", &text);
    let fast = config(&s, "fast.csv", "");
    let slow = config(&s, "slow.csv", "encoding = \"windows-1252\"");
    let one = run_with(
        &s,
        &fast,
        &["--threads", "1", "--chunk-bytes", "3000"],
        "f1",
    );
    let two = run_with(
        &s,
        &fast,
        &["--threads", "2", "--chunk-bytes", "3000"],
        "f2",
    );
    assert_eq!(one, two);
    let (slow_report, slow_rejected) = run_with(&s, &slow, &["--threads", "2"], "slow");
    assert_eq!(one.1, slow_rejected);
    let (fast_report, slow_report) = (comparable(&one.0), comparable(&slow_report));
    assert_eq!(fast_report["datasets"], slow_report["datasets"]);
    assert_eq!(fast_report["metrics"], slow_report["metrics"]);
    assert_eq!(fast_report["datasets"][0]["rows_read"], 2000);
}

/// Without `--out` no rejected.csv is written, and the engine makes only as many rejections
/// of plugin-rejected rows per chunk as the report's examples can use: the report must not
/// tell the difference (the same examples, first in file order, and the same counts) with
/// one thread or several, over many chunks.
#[test]
fn the_report_is_the_same_without_out_where_rejections_are_capped() {
    let s = Scratch::new();
    s.write("survey.csv", &survey(3000, 11, None));
    let cfg = config(&s, "survey.csv", "");
    let (with_out, rejected) = run_with(&s, &cfg, &["--chunk-bytes", "2000"], "with-out");
    let with_out = comparable(&with_out);
    // Plugin-rejected rows (empty NPS answers) in many chunks, more than the examples.
    let empty = with_out["metrics"][0]["rows_rejected"]["empty"]
        .as_u64()
        .unwrap();
    assert!(empty > 20, "{}", with_out["metrics"][0]);
    assert_eq!(
        rejected.lines().filter(|l| l.contains(",empty,")).count() as u64,
        empty,
        "rejected.csv has every rejected row"
    );
    for threads in ["1", "3"] {
        let o = run(&[
            "run",
            cfg.to_str().unwrap(),
            "--format",
            "json",
            "--chunk-bytes",
            "2000",
            "--threads",
            threads,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let without = comparable(&stdout(&o));
        for part in ["results", "metrics", "datasets", "rejection_examples"] {
            assert_eq!(without[part], with_out[part], "{part}, {threads} threads");
        }
    }
}

/// With more groups than one request of results (16,384), the results are made on two
/// threads, half of the groups' states merged into a twin instance first: per customer
/// NPS, mean and percentile (counts, moments and kept values), in-process and isolated,
/// must be those of a single-threaded run, bit for bit.
#[test]
fn results_of_many_groups_made_on_two_threads_are_those_of_one() {
    let s = Scratch::new();
    s.write("survey.csv", &survey(36_000, 11, None));
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("basic", "cxm-plugin-basic", None),
    ]);
    let mut toml = format!(
        r#"client = "Many groups"
plugins = {reg:?}
[datasets.survey]
path = "survey.csv"
[datasets.survey.fields]
id = "id"
nps = {{ column = "nps", type = "integer" }}
value = {{ column = "value", type = "number" }}
"#,
        reg = reg.display().to_string()
    );
    for (id, plugin, input, params) in [
        ("nps", "nps", "score = \"nps\"", ""),
        ("mean_value", "basic/mean", "value = \"value\"", ""),
        (
            "p90_value",
            "basic/percentile",
            "value = \"value\"",
            "params = { p = 0.9 }",
        ),
    ] {
        let _ = write!(
            toml,
            "\n[[metrics]]\nid = \"{id}\"\nplugin = \"{plugin}\"\ndataset = \"survey\"\n\
             inputs = {{ {input} }}\n{params}\ngroup_by = [\"id\"]\n"
        );
    }
    let cfg = s.write("many.toml", &toml);
    let run_json = |args: &[&str]| {
        let mut all = vec!["run", cfg.to_str().unwrap(), "--format", "json"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let mut report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        report["generated_at"] = serde_json::Value::Null;
        report
    };
    let single = run_json(&["--threads", "1"]);
    // Over two requests of results (three chunks: the second made by the twin) per metric.
    let results = single["results"].as_array().unwrap();
    let nps = results.iter().filter(|r| r["metric"] == "nps").count();
    assert!(nps > 2 * 16_384, "{nps} NPS results");
    for args in [
        &["--threads", "2"][..],
        &["--threads", "3"][..],
        &["--threads", "2", "--isolate"][..],
    ] {
        assert!(run_json(args) == single, "results differ with {args:?}");
    }
}
