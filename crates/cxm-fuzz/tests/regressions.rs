//! Every reproducer the fuzzer ever found (`regressions/<target>/`) replayed through its
//! reader, each in a child process with the fuzzer's memory cap and time limit: none may
//! panic, abort, hang or miscount its rows.

use std::process::Command;

#[test]
fn every_saved_reproducer_passes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let output = Command::new(env!("CARGO_BIN_EXE_cxm-fuzz"))
        .arg("--replay")
        .arg(&root)
        .output()
        .expect("run cxm-fuzz --replay");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "reproducers fail:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("reproducer(s), 0 failing"), "{stdout}");
}
