//! Two months of the demo client for the comparison tests (tests/diff.rs,
//! tests/baseline.rs): the demo run as last month's `--out` folder, and the demo config on
//! the demo data with late rows for a closed month and rows of a new quarter.

// Each test crate uses a part of it.
#![allow(dead_code)]

use super::common::*;
use std::path::PathBuf;

pub const DEMO: &str = "config/clients/demo.toml";
/// Late January answers: all East, web, NPS 10, CSAT 5, CES 7.
pub const LATE_ROWS: u64 = 40;
/// Answers of a quarter the first run did not have: all North, email.
pub const NEW_ROWS: u64 = 20;

/// Runs the demo into `old`; returns it and a copy of the demo config on the extended data.
pub fn baseline_and_config(s: &Scratch) -> (PathBuf, PathBuf) {
    let old = s.path("old");
    let o = run(&["run", DEMO, "--out", old.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let mut data = std::fs::read_to_string(repo().join("data/demo/survey.csv")).unwrap();
    if !data.ends_with('\n') {
        data.push('\n');
    }
    for i in 0..LATE_ROWS {
        data.push_str(&format!(
            "LATE{i:04},2025-01-{:02} 10:00:00,East,web,10,5,7,\n",
            1 + i % 28
        ));
    }
    for i in 0..NEW_ROWS {
        data.push_str(&format!(
            "NEW{i:04},2025-07-{:02} 09:30:00,North,email,{},3,4,\n",
            1 + i % 28,
            i % 11
        ));
    }
    s.write("survey.csv", &data);
    let config = std::fs::read_to_string(repo().join(DEMO))
        .unwrap()
        .replace(
            "\"../plugins.toml\"",
            &format!("{:?}", repo().join("config/plugins.toml")),
        )
        .replace(
            "\"../benchmarks/illustrative.toml\"",
            &format!("{:?}", repo().join("config/benchmarks/illustrative.toml")),
        )
        .replace("\"../../data/demo/survey.csv\"", "\"survey.csv\"");
    let config = s.write("demo.toml", &config);
    (old, config)
}
