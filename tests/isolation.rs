//! Process isolation through the real binary: every catalog metric of the three demo
//! clients gives the same results isolated (`--isolate`) as in-process, and the registry's
//! isolation settings are checked with their locations. The fault matrix (crashes, hangs,
//! exits, allocation) is tests/plugin_faults.rs.

mod common;

use common::{run, stderr, stdout};

/// A report without what differs between two runs by design (nothing, with a fixed run date).
fn results_json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn isolated_runs_give_the_same_results_over_the_whole_catalog() {
    for client in ["demo", "saas", "retail", "survey_analytics"] {
        let config = format!("config/clients/{client}.toml");
        let local = results_json(&["run", &config, "--format", "json"]);
        let isolated = results_json(&["run", &config, "--format", "json", "--isolate"]);
        assert_eq!(local, isolated, "{client}: isolated results differ");
        let one_thread = results_json(&[
            "run",
            &config,
            "--format",
            "json",
            "--isolate",
            "--threads",
            "1",
        ]);
        assert_eq!(local, one_thread, "{client}: isolated, one thread");
    }
}

/// A registry with the NPS library and `extra` lines in its entry, and a client using it.
fn client_with_entry(s: &common::Scratch, extra: &str) -> std::path::PathBuf {
    let registry = s.write(
        "plugins.toml",
        &format!(
            "[plugins.nps]\npath = {:?}\n{extra}\n",
            common::library("cxm-plugin-nps").display().to_string()
        ),
    );
    let data = common::repo().join("data/demo/survey.csv");
    s.write(
        "client.toml",
        &format!(
            "client = \"X\"\nplugins = {:?}\n[datasets.survey]\npath = {:?}\n\
             [datasets.survey.fields]\nnps = {{ column = \"Likelihood to recommend\", type = \"integer\" }}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = {{ score = \"nps\" }}\n",
            registry.display().to_string(),
            data.display().to_string()
        ),
    )
}

#[test]
fn a_registry_entry_can_ask_for_isolation_with_limits() {
    let s = common::Scratch::new();
    let config = client_with_entry(
        &s,
        "isolation = \"process\"\ntimeout = 20\nmax_memory = \"1 GiB\"",
    );
    let isolated = results_json(&["run", config.to_str().unwrap(), "--format", "json"]);
    let s2 = common::Scratch::new();
    let plain = client_with_entry(&s2, "");
    let local = results_json(&["run", plain.to_str().unwrap(), "--format", "json"]);
    assert_eq!(isolated["results"], local["results"]);
}

#[test]
fn isolation_settings_are_checked_with_their_location() {
    for (extra, expected) in [
        (
            "isolation = \"sandbox\"",
            "isolation \"sandbox\": use \"process\"",
        ),
        (
            "timeout = 5",
            "timeout and max_memory apply to an isolated plugin",
        ),
        (
            "isolation = \"process\"\ntimeout = -1",
            "timeout is the wall time a call may take",
        ),
        (
            "isolation = \"process\"\nmax_memory = \"lots\"",
            "max_memory \"lots\": write a size",
        ),
    ] {
        let s = common::Scratch::new();
        let config = client_with_entry(&s, extra);
        let out = run(&["validate", config.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(3), "{extra}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(expected), "{extra}: {err}");
        assert!(
            err.contains("plugins.toml:"),
            "names the registry file and line: {err}"
        );
    }
}

/// A client over `rows` generated rows: NPS by region and a count of non-empty comments (a
/// text column, so a batch of many rows is several MiB).
fn large_client(s: &common::Scratch, rows: usize) -> std::path::PathBuf {
    let registry = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("basic", "cxm-plugin-basic", None),
    ]);
    let mut csv = String::from("id,region,score,comment\n");
    for i in 0..rows {
        let region = ["North", "South", "East", "West"][i % 4];
        let score = if i % 13 == 0 {
            String::new()
        } else {
            ((i * 7) % 11).to_string()
        };
        let comment = if i % 5 == 0 {
            String::new()
        } else {
            format!("comment number {i} with some words to make it longer")
        };
        csv.push_str(&format!("{i},{region},{score},{comment}\n"));
    }
    let data = s.write("survey.csv", &csv);
    s.write(
        "client.toml",
        &format!(
            "client = \"X\"\nplugins = {:?}\n[datasets.survey]\npath = {:?}\n\
             [datasets.survey.fields]\nregion = \"region\"\n\
             score = {{ column = \"score\", type = \"integer\" }}\ncomment = \"comment\"\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"score\" }}\ngroup_by = [\"region\"]\n\
             [[metrics]]\nid = \"comments\"\nplugin = \"basic/count\"\ndataset = \"survey\"\n\
             inputs = {{ value = \"comment\" }}\n",
            registry.display().to_string(),
            data.display().to_string()
        ),
    )
}

#[test]
fn batches_larger_than_the_shared_file_and_many_small_ones_give_the_same_results() {
    let s = common::Scratch::new();
    let config = large_client(&s, 120_000);
    let config = config.to_str().unwrap();
    let local = results_json(&["run", config, "--format", "json"]);
    // One batch of ~7 MiB (the shared file starts at 1 MiB and grows), then batches of
    // varying sizes on every channel, then thousands of tiny batches.
    for rows in ["120000", "30001", "7"] {
        for threads in ["1", "2"] {
            let isolated = results_json(&[
                "run",
                config,
                "--format",
                "json",
                "--isolate",
                "--batch-rows",
                rows,
                "--chunk-bytes",
                "100000000",
                "--threads",
                threads,
            ]);
            // The rows each metric used and rejected, and the rejected rows shown, in order:
            // the isolated updates are counted a batch late (pipelined), which must not show.
            for part in ["results", "metrics", "rejection_examples"] {
                assert_eq!(
                    local[part], isolated[part],
                    "{part}: batches of {rows} rows, {threads} threads"
                );
            }
        }
    }
    assert!(
        local["rejection_examples"]
            .as_array()
            .is_some_and(|examples| !examples.is_empty()),
        "the client has rejected rows to compare: {}",
        local["rejection_examples"]
    );
}

/// The demo survey with the fault fixture's metric `fault` (`params`; its library isolated,
/// with a 3 s timeout, when `isolated`) and NPS, both over the same column.
fn fault_client(s: &common::Scratch, name: &str, params: &str, isolated: bool) -> String {
    let limits = if isolated {
        "isolation = \"process\"\ntimeout = 3\n"
    } else {
        ""
    };
    let registry = s.write(
        &format!("{name}-plugins.toml"),
        &format!(
            "[plugins.nps]\npath = {:?}\n\n[plugins.faulty]\npath = {:?}\n{limits}",
            common::library("cxm-plugin-nps").display().to_string(),
            common::library("cxm-test-faulty").display().to_string(),
        ),
    );
    let config = s.write(
        &format!("{name}.toml"),
        &format!(
            "client = \"X\"\nplugins = {:?}\n[datasets.survey]\npath = {:?}\n\
             [datasets.survey.fields]\nnps = {{ column = \"Likelihood to recommend\", type = \"integer\" }}\n\
             [[metrics]]\nid = \"fault\"\nplugin = \"faulty\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"nps\" }}\nparams = {params}\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = {{ score = \"nps\" }}\n",
            registry.display().to_string(),
            common::repo()
                .join("data/demo/survey.csv")
                .display()
                .to_string(),
        ),
    );
    config.display().to_string()
}

#[test]
fn a_fault_in_a_later_batch_of_a_request_fails_its_metric_alone_named() {
    let s = common::Scratch::new();
    // One chunk of batches of 100 rows, several batches to a request: the fault comes in the
    // second batch of the first request (after 150 rows), and in the last one (2,950).
    let run_with = |config: &str, out: &std::path::Path| {
        run(&[
            "run",
            config,
            "--format",
            "json",
            "--batch-rows",
            "100",
            "--chunk-bytes",
            "100000000",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let clean = run_with(&fault_client(&s, "clean", "{}", true), &s.path("clean-out"));
    assert!(clean.status.success(), "{}", stderr(&clean));
    let clean: serde_json::Value = serde_json::from_str(&stdout(&clean)).unwrap();
    // Also a crash or an error in the bind of the chunk's instance, which its child does
    // with the chunk's first batches (no round trip of its own); the first bind, which
    // checks the params before any data, is the 0th: `after = 1` is the chunk's.
    let cases = [
        ("panic", "after = 150", "deliberate panic"),
        ("panic", "after = 2950", "deliberate panic"),
        (
            "segfault",
            "after = 150",
            "its isolated process failed during update: SIGSEGV",
        ),
        (
            "endless_loop",
            "after = 250",
            "its isolated process failed during update: timeout after 3 s",
        ),
        (
            "segfault",
            "call = \"bind\", after = 1",
            "its isolated process failed during bind: SIGSEGV",
        ),
        ("panic", "call = \"bind\", after = 1", "deliberate panic"),
    ];
    for (k, (fault, more, cause)) in cases.into_iter().enumerate() {
        let params = format!("{{ fault = \"{fault}\", {more} }}");
        let name = format!("{fault}-{k}");
        let out = s.path(&format!("{name}-out"));
        let o = run_with(&fault_client(&s, &name, &params, true), &out);
        let report = assert_failed_alone(&o, &out, &name, cause, &clean);
        if fault == "panic" {
            // The plugin survives a panic in-process too: the same report, counts included.
            let local = run_with(
                &fault_client(&s, &format!("{name}-local"), &params, false),
                &s.path(&format!("{name}-local-out")),
            );
            assert_eq!(local.status.code(), Some(5), "{name}: {}", stderr(&local));
            let local: serde_json::Value = serde_json::from_str(&stdout(&local)).unwrap();
            for part in ["results", "metrics", "rejection_examples"] {
                assert_eq!(report[part], local[part], "{name}: {part}");
            }
        }
    }
}

/// Asserts what a run whose metric `fault` failed shows: exit 5, the metric, plugin and
/// `cause` named, no `--out` written, NPS as in the `clean` run; returns the report.
fn assert_failed_alone(
    o: &std::process::Output,
    out: &std::path::Path,
    name: &str,
    cause: &str,
    clean: &serde_json::Value,
) -> serde_json::Value {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(5), "{name}: {err}");
    assert!(
        err.contains("metric \"fault\"") && err.contains("faulty") && err.contains(cause),
        "{name}: the metric, plugin and cause are named: {err}"
    );
    assert!(!out.exists(), "{name}: no output written");
    let report: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
    let nps = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["results"]
            .as_array()
            .map(|a| a.iter().filter(|x| x["metric"] == "nps").cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(nps(&report), nps(clean), "{name}: NPS as in the clean run");
    report
}

/// Many small chunks over more workers than cores, isolated: a worker holds a chunk whose
/// last batches are still with the children while it parses the next one, and must never
/// wait for more work while holding one (the merging thread may be waiting for it with every
/// chunk token taken). Results as in-process, and no hang (killed after two minutes).
#[test]
fn many_small_chunks_on_many_workers_never_hang_and_give_the_same_results() {
    let s = common::Scratch::new();
    let config = large_client(&s, 60_000);
    let config = config.to_str().unwrap();
    let local = results_json(&["run", config, "--format", "json"]);
    for threads in ["2", "4"] {
        let o = common::limited::run_limited(
            &[
                "run",
                config,
                "--format",
                "json",
                "--isolate",
                "--batch-rows",
                "150",
                "--chunk-bytes",
                "9000",
                "--threads",
                threads,
            ],
            std::time::Duration::from_secs(120),
            None,
        );
        assert!(
            !o.killed,
            "{threads} threads: still running after two minutes: hung"
        );
        assert!(o.status.success(), "{threads} threads: {}", o.seen());
        let isolated: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        for part in ["results", "metrics", "rejection_examples"] {
            assert_eq!(local[part], isolated[part], "{part}: {threads} threads");
        }
    }
}
