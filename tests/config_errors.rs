//! End-to-end configuration errors: each names the file and, where the problem is in the
//! TOML, the line and column; exit code 3.

mod common;
use common::*;

fn write_client(s: &Scratch, body: &str) -> std::path::PathBuf {
    let reg = s.survey_registry();
    s.write("survey.csv", "id,score,csat\n1,9,5\n2,3,2\n");
    let text = format!(
        "client = \"Test\"\nplugins = {:?}\n\n[datasets.survey]\npath = \"survey.csv\"\n[datasets.survey.fields]\nscore = \"score\"\ncsat = \"csat\"\n{body}",
        reg.display().to_string()
    );
    s.write("client.toml", &text)
}

const NPS: &str = "\n[[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\ninputs = { score = \"score\" }\n";

fn assert_config_error(o: &std::process::Output, location: &str, words: &str) {
    assert_eq!(o.status.code(), Some(3), "exit code 3: {}", stderr(o));
    let err = stderr(o);
    assert!(
        err.contains(&format!("client.toml:{location}: ")),
        "location {location} in: {err}"
    );
    assert!(err.contains(words), "'{words}' in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn unknown_key_shows_line_and_column() {
    let s = Scratch::new();
    // Line 11 is the `colour` key inside [[metrics]] (lines 1-8 come from the preamble).
    let cfg = write_client(&s, &format!("{NPS}colour = \"blue\"\n"));
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text.lines().position(|l| l.starts_with("colour")).unwrap() + 1;
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_config_error(&o, &format!("{line}:1"), "unknown field `colour`");
}

#[test]
fn unknown_plugin_points_at_the_plugin_key() {
    let s = Scratch::new();
    let cfg = write_client(&s, &NPS.replace("plugin = \"nps\"", "plugin = \"nsp\""));
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("plugin = \"nsp\""))
        .unwrap()
        + 1;
    let o = run(&["run", cfg.to_str().unwrap()]);
    assert_config_error(&o, &format!("{line}:10"), "unknown plugin \"nsp\"");
}

#[test]
fn params_a_plugin_rejects_point_at_params() {
    let s = Scratch::new();
    let body = "\n[[metrics]]\nid = \"csat\"\nplugin = \"csat\"\ndataset = \"survey\"\ninputs = { score = \"csat\" }\nparams = { scale = [1, 5], satisfied = [4, 6] }\n";
    let cfg = write_client(&s, body);
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text.lines().position(|l| l.starts_with("params")).unwrap() + 1;
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_config_error(&o, &format!("{line}:10"), "metric \"csat\"");
    assert!(stderr(&o).contains("satisfied"), "{}", stderr(&o));
}

#[test]
fn a_misspelt_param_is_an_error_not_ignored() {
    let s = Scratch::new();
    let cfg = write_client(&s, &format!("{NPS}params = {{ promotors = [9, 10] }}\n"));
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unknown field `promotors`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn input_mapped_to_an_undefined_field_is_located() {
    let s = Scratch::new();
    let cfg = write_client(
        &s,
        &NPS.replace("score = \"score\" }", "score = \"nps_score\" }"),
    );
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text.lines().position(|l| l.contains("nps_score")).unwrap() + 1;
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_config_error(&o, &format!("{line}:20"), "field \"nps_score\"");
}

#[test]
fn missing_dataset_file_is_located_and_exits_1() {
    let s = Scratch::new();
    let cfg = write_client(&s, NPS);
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("survey.csv", "nowhere.csv");
    std::fs::write(&cfg, text).unwrap();
    let o = run(&["validate", cfg.to_str().unwrap()]);
    // A data file that is not there is not a mistake in the config: exit code 1, still
    // located at the line naming it.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("client.toml:5:8: "), "{err}");
    assert!(err.contains("nowhere.csv not found"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn validate_checks_mapped_columns_against_the_header() {
    let s = Scratch::new();
    let cfg = write_client(&s, NPS);
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("score = \"score\"\n", "score = \"Score\"\n");
    std::fs::write(&cfg, text).unwrap();
    let o = run(&["validate", cfg.to_str().unwrap()]);
    // A misspelt column is a config error located at its mapping (line 7).
    assert_config_error(&o, "7:1", "column \"Score\" not found in header");
    assert!(stderr(&o).contains("survey.csv"), "{}", stderr(&o));
}

#[test]
fn validate_accepts_a_good_config_without_computing() {
    let s = Scratch::new();
    let cfg = write_client(&s, NPS);
    let o = run(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("OK"), "{}", stdout(&o));
    assert!(stdout(&o).contains("metric nps"), "{}", stdout(&o));
}
