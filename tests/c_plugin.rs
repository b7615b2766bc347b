//! A metric plugin written in C against `crates/cxm-abi/cxm.h` only
//! (`tests/c-plugin/count.c`), compiled with the system C compiler and run through the real
//! `cxm` binary: the ABI works from a language other than Rust, row accounting included.

mod common;
use common::*;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Compiles `tests/c-plugin/count.c` into `dir` under the platform's library file name.
fn build_c_plugin(dir: &Path) -> PathBuf {
    common::build_c_plugin("count", "cxm_c_count", dir)
}

/// Builds the C plugin into the scratch dir and writes a registry listing it as `c-count`.
fn c_registry(s: &Scratch) -> PathBuf {
    let lib = build_c_plugin(s.dir.path());
    s.write(
        "plugins.toml",
        &format!(
            "[plugins.c-count]\npath = {:?}\n",
            lib.display().to_string()
        ),
    )
}

/// Eight rows over three regions. Row accounting for `c_count`:
/// - north: 5 (w 1) and 0 (w 2) used, one empty score: weighted count 3
/// - south: -1 out of scale, 3 (w 0.5) and 7 (w 1.5) used: weighted count 2
/// - east: 2 (w 1) and 9 (w 2.5) used: weighted count 3.5
///
/// Overall: 6 used rows of total weight 8.5; one empty, one out of scale.
const DATA: &str = "region,score,w\n\
                    north,5,1\n\
                    south,-1,1\n\
                    north,,1\n\
                    east,2,1\n\
                    south,3,0.5\n\
                    north,0,2\n\
                    south,7,1.5\n\
                    east,9,2.5\n";

/// A client config with one `c_count` metric (with `params`), weighted by `w`, grouped by
/// region.
fn client(s: &Scratch, params: &str) -> PathBuf {
    let registry = c_registry(s);
    s.write("survey.csv", DATA);
    let text = format!(
        "client = \"C\"\nplugins = {:?}\n\n\
         [datasets.survey]\npath = \"survey.csv\"\nweight = \"w\"\n\
         [datasets.survey.fields]\nregion = \"region\"\nscore = \"score\"\nw = \"w\"\n\n\
         [[metrics]]\nid = \"count\"\nplugin = \"c-count\"\ndataset = \"survey\"\n\
         inputs = {{ score = \"score\" }}\nparams = {params}\n\n\
         [report]\ngroup_by = [\"region\"]\n",
        registry.display().to_string()
    );
    s.write("client.toml", &text)
}

/// `cxm run CFG --format json --threads 2` (two threads whatever the machine: results of
/// many groups are then made on two), with `--isolate` when `isolate`.
fn run_json(cfg: &Path, isolate: bool) -> std::process::Output {
    let mut args = vec![
        "run",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--threads",
        "2",
    ];
    if isolate {
        args.push("--isolate");
    }
    run(&args)
}

fn assert_counts(report: &serde_json::Value) {
    let expected = [
        (json!({}), 8.5),
        (json!({"region": "north"}), 3.0),
        (json!({"region": "south"}), 2.0),
        (json!({"region": "east"}), 3.5),
    ];
    for (group, count) in &expected {
        let r = result(report, "count", group.clone());
        assert_eq!(r["value"].as_f64(), Some(*count), "value of {group}: {r}");
        assert_eq!(r["n"].as_f64(), Some(*count), "n of {group}: {r}");
        assert_eq!(r["unit"], "rows (C plugin)", "{r}");
        assert_eq!(r["plugin"], "c_count", "{r}");
    }
    let results = report["results"].as_array().expect("results");
    assert_eq!(
        results.len(),
        expected.len(),
        "overall and three regions: {results:?}"
    );
}

#[test]
fn c_plugin_counts_weighted_rows_per_group_with_row_accounting() {
    let s = Scratch::new();
    let cfg = client(&s, "{}");
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    assert_counts(&report);

    let metric = &report["metrics"][0];
    assert_eq!(metric["metric"], "count");
    assert_eq!(metric["plugin"], "c_count");
    assert_eq!(metric["library"], "cxm-c-count 0.1.0");
    assert_eq!(metric["rows_used"], 6);
    assert_eq!(
        metric["rows_rejected"],
        json!({"empty": 1, "out_of_scale": 1})
    );
    assert!(metric["error"].is_null(), "{metric}");
    assert_eq!(report["datasets"][0]["rows_read"], 8);
}

#[test]
fn c_plugin_gives_the_same_results_over_many_small_batches() {
    // Two-row batches: many update calls into the same instance, groups first seen in a
    // later batch (num_groups grows), then the roll-up of the regions into the overall
    // result through merge.
    let s = Scratch::new();
    let cfg = client(&s, "{}");
    let whole = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    let small = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--batch-rows",
        "2",
    ]);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert_eq!(small.status.code(), Some(0), "{}", stderr(&small));
    let (whole, small) = (json(&whole), json(&small));
    assert_counts(&small);
    assert_eq!(whole["results"], small["results"]);
    assert_eq!(whole["metrics"], small["metrics"]);
}

#[test]
fn c_plugin_invalid_params_fail_in_bind_with_the_config_location() {
    let s = Scratch::new();
    let cfg = client(&s, "{ fail = true }");
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("fail requested"), "{err}");
    assert!(
        err.contains("plugin 'cxm-c-count' metric 'c_count': invalid params: fail requested"),
        "{err}"
    );
    assert!(err.contains("client.toml:"), "located in the config: {err}");
    assert!(o.stdout.is_empty(), "no report: {}", stdout(&o));
}

#[test]
fn cxm_plugins_lists_the_c_metric_and_its_input() {
    let s = Scratch::new();
    let registry = c_registry(&s);

    let o = run(&["plugins", registry.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Plugin c-count: cxm-c-count 0.1.0 (ABI 1.0)"),
        "{text}"
    );
    assert!(text.contains("metric c_count"), "{text}");
    assert!(text.contains("score"), "{text}");

    let o = run(&["plugins", registry.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list = json(&o);
    let plugin = &list[0];
    assert_eq!(plugin["name"], "c-count");
    assert_eq!(plugin["library"], "cxm-c-count");
    assert_eq!(plugin["version"], "0.1.0");
    assert_eq!(plugin["abi"], "1.0");
    let metrics = plugin["metrics"].as_array().expect("metrics");
    assert_eq!(metrics.len(), 1, "{metrics:?}");
    assert_eq!(metrics[0]["name"], "c_count");
    assert_eq!(
        metrics[0]["inputs"],
        json!([{
            "name": "score",
            "arrow_type": "integer",
            "required": true,
            "description": "Integer score; negative values are out of scale."
        }])
    );
    assert_eq!(metrics[0]["params"][0]["name"], "fail");
}

/// A client config like [`client`]'s, with the C plugin built for ABI 1.1 (`finish_many`,
/// `tests/c-plugin/many.c`) as `c-count`.
fn many_client(s: &Scratch, params: &str) -> PathBuf {
    let lib = common::build_c_plugin("many", "cxm_c_count_many", s.dir.path());
    let cfg = client(s, params);
    s.write(
        "plugins.toml",
        &format!(
            "[plugins.c-count]\npath = {:?}\n",
            lib.display().to_string()
        ),
    );
    cfg
}

#[test]
fn c_plugins_of_abi_1_0_and_1_1_give_the_same_results_in_process_and_isolated() {
    // count.c is built as a plugin of ABI 1.0 (its descriptors end at `release`): the host
    // finishes its groups one at a time. many.c is the same metric at ABI 1.1, finishing
    // every group in one block.
    let s = Scratch::new();
    let cfg = client(&s, "{}");
    let old = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(old.status.code(), Some(0), "{}", stderr(&old));
    let old = json(&old);
    assert_counts(&old);
    let listed = json(&run(&[
        "plugins",
        s.dir.path().join("plugins.toml").to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(listed[0]["abi"], "1.0");

    let cfg = many_client(&s, "{}");
    let listed = json(&run(&[
        "plugins",
        s.dir.path().join("plugins.toml").to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(listed[0]["abi"], "1.1");
    assert_eq!(listed[0]["library"], "cxm-c-count-many");
    for isolate in [false, true] {
        let o = run_json(&cfg, isolate);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let new = json(&o);
        assert_counts(&new);
        assert_eq!(new["results"], old["results"], "isolated: {isolate}");
    }
}

#[test]
fn a_malformed_block_of_results_is_an_error_naming_the_plugin() {
    let s = Scratch::new();
    for (params, message) in [
        ("{ garbage = true }", "does not start with \"CXMR\""),
        ("{ short = true }", "holds 0 results for 1 groups"),
    ] {
        let cfg = many_client(&s, params);
        for isolate in [false, true] {
            let mut args = vec!["run", cfg.to_str().unwrap(), "--format", "json"];
            if isolate {
                args.push("--isolate");
            }
            let o = run(&args);
            let text = format!("{}{}", stdout(&o), stderr(&o));
            assert!(
                text.contains("plugin 'cxm-c-count-many' metric 'c_count'")
                    && text.contains("finish_many returned a malformed block of results")
                    && text.contains(message),
                "{params}, isolated: {isolate}: {text}"
            );
        }
    }
}

/// A config like [`client`]'s over `regions` regions of one row each (`r00000`, …, so that
/// group ids follow the regions' order), with the ABI 1.1 plugin when `many`.
fn regions_client(s: &Scratch, regions: usize, params: &str, many: bool) -> PathBuf {
    let mut data = String::from("region,score,w\n");
    for i in 0..regions {
        data.push_str(&format!("r{i:05},{},1\n", i % 7));
    }
    let cfg = if many {
        many_client(s, params)
    } else {
        client(s, params)
    };
    s.write("survey.csv", &data);
    cfg
}

#[test]
fn many_groups_finish_in_blocks_read_beside_the_plugin_with_the_same_results() {
    // 10,000 groups: in this process the host asks the plugin for blocks of 4,096 and
    // reads each while the plugin makes the next; isolated, the child streams them; at ABI
    // 1.0, one group at a time. All three must agree, in order. 40,000 groups: more than
    // one request of results (16,384), so with two threads every other request is made by
    // a twin instance on a second thread (at ABI 1.0 too).
    let s = Scratch::new();
    for regions in [10_000, 40_000] {
        let one_at_a_time = regions_client(&s, regions, "{}", false);
        let o = run(&[
            "run",
            one_at_a_time.to_str().unwrap(),
            "--format",
            "json",
            "--threads",
            "1",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let old = json(&o);
        let results = old["results"].as_array().expect("results");
        assert_eq!(results.len(), regions + 1, "overall and {regions} regions");
        assert_eq!(results[1]["group"], json!({"region": "r00000"}));
        let last = format!("r{:05}", regions - 1);
        assert_eq!(results[regions]["group"], json!({ "region": last }));
        assert_eq!(results[9_000]["value"].as_f64(), Some(1.0));
        let two_threads = run_json(&one_at_a_time, false);
        assert_eq!(
            two_threads.status.code(),
            Some(0),
            "{}",
            stderr(&two_threads)
        );
        assert_eq!(
            json(&two_threads)["results"],
            old["results"],
            "ABI 1.0, two threads"
        );
        let cfg = regions_client(&s, regions, "{}", true);
        for isolate in [false, true] {
            let o = run_json(&cfg, isolate);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert_eq!(json(&o)["results"], old["results"], "isolated: {isolate}");
        }
    }
}

#[test]
fn a_malformed_later_block_of_many_groups_fails_the_metric_naming_the_plugin() {
    // The second block of 4,096 groups is garbage: the block read beside the plugin fails
    // the metric as the first would, in this process and isolated.
    let s = Scratch::new();
    for (regions, isolate) in [
        (10_000, false),
        (10_000, true),
        (40_000, false),
        (40_000, true),
    ] {
        let cfg = regions_client(&s, regions, "{ late = true }", true);
        let o = run_json(&cfg, isolate);
        let text = format!("{}{}", stdout(&o), stderr(&o));
        assert_ne!(o.status.code(), Some(0), "isolated: {isolate}: {text}");
        assert!(
            text.contains("plugin 'cxm-c-count-many' metric 'c_count'")
                && text.contains("finish_many returned a malformed block of results")
                && text.contains("does not start with \"CXMR\""),
            "isolated: {isolate}: {text}"
        );
    }
    // With fewer groups than a block, nothing is late: the same config succeeds.
    let cfg = regions_client(&s, 4_000, "{ late = true }", true);
    let o = run(&["run", cfg.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
