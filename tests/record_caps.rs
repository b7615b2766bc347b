//! A CSV with one huge cell (40 MB) through the real binary: refused with an error naming
//! the file and the line, in bounded memory, on the parallel and on the sequential reader;
//! the limit is the dataset's `max_record_bytes`.

mod common;
use common::*;

/// Header, 100 rows, a row whose comment is `cell` bytes long (line 102), 10 more rows.
/// Written piece by piece: this process stays small, so the memory the cxm runs it starts
/// report is their own (a child's peak counts what it shared with its parent before
/// `exec`).
fn survey(s: &Scratch, cell: usize) {
    use std::io::Write;
    let file = std::fs::File::create(s.path("survey.csv")).expect("create");
    let mut out = std::io::BufWriter::new(file);
    let mut text = String::from("id,nps,comment\n");
    for i in 0..100 {
        text.push_str(&format!("{i},{},fine\n", i % 11));
    }
    text.push_str("100,9,");
    out.write_all(text.as_bytes()).expect("write");
    let piece = [b'x'; 64 * 1024];
    for _ in 0..cell / piece.len() {
        out.write_all(&piece).expect("write");
    }
    out.write_all(&piece[..cell % piece.len()]).expect("write");
    let mut text = String::from("\n");
    for i in 101..111 {
        text.push_str(&format!("{i},{},fine\n", i % 11));
    }
    out.write_all(text.as_bytes()).expect("write");
    out.flush().expect("flush");
}

fn config(s: &Scratch, extra: &str) -> String {
    s.registry(&[("nps", "cxm-plugin-nps", None)]);
    let text = format!(
        "client = \"Caps\"\nplugins = \"plugins.toml\"\n\n[datasets.survey]\n\
         path = \"survey.csv\"\n{extra}\n[datasets.survey.fields]\n\
         nps = {{ column = \"nps\", type = \"integer\" }}\n\n[[metrics]]\nid = \"nps\"\n\
         plugin = \"nps\"\ndataset = \"survey\"\ninputs = {{ score = \"nps\" }}\n"
    );
    s.write("client.toml", &text).display().to_string()
}

/// Runs cxm with `args`; returns its exit code, its stderr and its peak resident set in
/// MiB (of this run alone: `wait4` reports the child's own usage).
// wait4 below reaps the child; clippy cannot see that through libc.
#[allow(clippy::zombie_processes)]
fn run_measured(s: &Scratch, args: &[&str]) -> (Option<i32>, String, i64) {
    use std::os::unix::process::ExitStatusExt;
    let err = std::fs::File::create(s.path("stderr.txt")).expect("stderr file");
    let child = cxm()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(err)
        .spawn()
        .expect("start cxm");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the status and one `rusage` into buffers we own; zeroed is a
    // valid `rusage` (plain integers), so reading it is sound whatever the call does.
    let (waited, usage) = unsafe {
        let waited = libc::wait4(pid, &mut status, 0, usage.as_mut_ptr());
        (waited, usage.assume_init())
    };
    assert_eq!(waited, pid, "wait4");
    let code = std::process::ExitStatus::from_raw(status).code();
    let stderr = std::fs::read_to_string(s.path("stderr.txt")).unwrap_or_default();
    (code, stderr, usage.ru_maxrss / 1024)
}

#[test]
fn a_huge_cell_is_refused_naming_its_line_in_bounded_memory() {
    let s = Scratch::new();
    survey(&s, 40 << 20);
    let path = s.path("survey.csv").display().to_string();
    // Parallel reader (UTF-8) and sequential reader (a declared single-byte encoding).
    for extra in [
        "max_record_bytes = 1048576",
        "max_record_bytes = 1048576\nencoding = \"windows-1252\"",
    ] {
        let (code, stderr, rss_mib) = run_measured(&s, &["run", &config(&s, extra)]);
        assert_eq!(code, Some(1), "{extra}: {stderr}");
        let expected = format!(
            "{path}:102: the record starting on this line is longer than 1048576 bytes \
             (max_record_bytes; raise it in the dataset's config if such records are real)"
        );
        assert!(stderr.contains(&expected), "{extra}: {stderr}");
        // Reading stopped at the limit: the cell was never in memory (cxm itself takes
        // about 11 MiB here; reading the cell whole took over 4 times its size).
        assert!(rss_mib < 24, "{extra}: peak resident set {rss_mib} MiB");
    }
    // The default limit (16 MiB) refuses it too, holding a few times the limit at most.
    let (code, stderr, rss_mib) = run_measured(&s, &["run", &config(&s, "")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(":102: the record starting on this line is longer than 16777216"),
        "{stderr}"
    );
    assert!(rss_mib < 80, "peak resident set {rss_mib} MiB");
}

#[test]
fn records_within_the_limit_are_read_and_the_limit_is_checked() {
    let s = Scratch::new();
    survey(&s, 2 << 20);
    for extra in [
        "",
        "max_record_bytes = 4194304",
        "encoding = \"windows-1252\"",
    ] {
        let out = run(&["run", &config(&s, extra), "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{extra}: {}", stderr(&out));
        assert_eq!(json(&out)["datasets"][0]["rows_read"], 111, "{extra}");
    }
    let out = run(&["run", &config(&s, "max_record_bytes = 0")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("max_record_bytes is a number of bytes (1 or more)"),
        "{}",
        stderr(&out)
    );
}
