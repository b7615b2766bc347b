//! The command line itself: help that teaches, version, plugin listing, usage errors.

mod common;
use common::*;

#[test]
fn help_explains_commands_and_exit_codes() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for word in [
        "run",
        "validate",
        "plugins",
        "Exit codes",
        "cxm run config/clients/demo.toml",
    ] {
        assert!(text.contains(word), "{word} in {text}");
    }
    let o = run(&["run", "--help"]);
    let text = stdout(&o);
    assert!(
        text.contains("--out") && text.contains("rejected.csv") && text.contains("--format"),
        "{text}"
    );
}

#[test]
fn usage_error_exits_2() {
    let o = run(&["run"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["run", "config/clients/demo.toml", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn missing_config_file_is_a_config_error() {
    let o = run(&["run", "config/clients/nobody.toml"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("config/clients/nobody.toml: cannot read client config"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plugins_lists_metrics_inputs_and_params() {
    let o = run(&["plugins", "config/clients/demo.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for word in [
        "nps",
        "csat",
        "ces",
        "mean_score",
        "score",
        "promoters",
        "ci_method",
        "satisfied",
    ] {
        assert!(text.contains(word), "{word} in {text}");
    }
    let o = run(&["plugins", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list = json(&o);
    let nps = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "nps")
        .expect("nps listed");
    assert_eq!(nps["abi"], "1.1");
    assert_eq!(nps["metrics"][0]["inputs"][0]["name"], "score");
    assert_eq!(nps["metrics"][0]["inputs"][0]["arrow_type"], "integer");
}

#[test]
fn plugins_reports_a_broken_library_and_exits_4() {
    let s = Scratch::new();
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("old", "cxm-test-abi-v2", None),
    ]);
    let o = run(&["plugins", reg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stdout(&o).contains("nps"));
    assert!(stderr(&o).contains("old"), "{}", stderr(&o));
}
