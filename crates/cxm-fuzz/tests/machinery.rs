//! The fuzzer catches each kind of failure, narrows it down to one case and saves it:
//! `CXM_FUZZ_SELFTEST` makes every seventh case hang, abort, allocate a terabyte, panic or
//! miscount.

use std::process::Command;

/// Runs a small campaign with the self-test `kind`; returns its output and saved files.
fn campaign(kind: &str) -> (String, Vec<std::path::PathBuf>) {
    let save = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cxm-fuzz"))
        .args([
            "--targets",
            "csv",
            "--cases",
            "8",
            "--batch",
            "8",
            "--jobs",
            "1",
        ])
        .args(["--case-timeout", "2", "--seed", "3", "--save"])
        .arg(save.path())
        .env("CXM_FUZZ_SELFTEST", kind)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{kind}: {stdout}");
    let saved: Vec<_> = std::fs::read_dir(save.path().join("csv"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    (stdout, saved)
}

#[test]
fn every_kind_of_failure_is_caught_and_saved() {
    for (kind, says) in [
        ("hang", "hang (case time limit)"),
        ("abort", "crash: aborted (SIGABRT)"),
        ("alloc", "memory allocation of 1099511627776 bytes failed"),
        ("panic", "panic: panicked at"),
        ("mismatch", "accounting check failed: self-test mismatch"),
    ] {
        let (stdout, saved) = campaign(kind);
        assert!(stdout.contains(says), "{kind}: {stdout}");
        assert!(!saved.is_empty(), "{kind}: nothing saved: {stdout}");
        // The saved case fails alone, and only under the self-test.
        let replay = Command::new(env!("CARGO_BIN_EXE_cxm-fuzz"))
            .arg("--replay")
            .args(&saved)
            .output()
            .unwrap();
        assert!(
            replay.status.success(),
            "{kind}: the case fails without the self-test"
        );
    }
}
