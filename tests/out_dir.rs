//! `cxm run --out DIR` is all or nothing: after a run DIR holds exactly that run's files, a
//! failed or refused run leaves it as it was, two runs cannot both write it, a folder that
//! cxm did not write is not replaced unless forced, leftovers of a killed run are cleaned up,
//! and an I/O error while writing is exit code 1 naming the file.
//!
//! The swap of folders itself and the per-file commit used when DIR is a mount point are
//! unit-tested in `src/outdir.rs` (a test cannot mount a filesystem or kill cxm at the one
//! instant between two renames).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A client with one NPS metric over `survey.csv` (written with `data`); returns the config.
fn client(s: &Scratch, data: &str) -> PathBuf {
    let reg = s.registry(&[
        ("nps", "cxm-plugin-nps", None),
        ("panicky", "cxm-test-panicky", None),
    ]);
    s.write("survey.csv", data);
    s.write(
        "client.toml",
        &format!(
            "client = \"Out\"\nplugins = {:?}\n\n[datasets.survey]\npath = \"survey.csv\"\n\
             [datasets.survey.fields]\nscore = {{ column = \"score\", type = \"integer\" }}\n\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"score\" }}\n",
            reg.display().to_string()
        ),
    )
}

/// The same client with a second metric that panics (the run ends with exit code 5).
fn failing_client(s: &Scratch) -> PathBuf {
    let cfg = client(s, DATA);
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(
        "\n[[metrics]]\nid = \"boom\"\nplugin = \"panicky\"\ndataset = \"survey\"\n\
         inputs = { score = \"score\" }\nparams = { panic_in = \"update\" }\n",
    );
    s.write("failing.toml", &text)
}

const DATA: &str = "id,score\n1,9\n2,3\n3,10\n4,x\n";

fn run_out(cfg: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// Every file under `dir` (relative path → bytes; folders end with `/`).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                into.insert(format!("{rel}/"), Vec::new());
                walk(root, &path, into);
            } else {
                into.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut map = BTreeMap::new();
    walk(dir, dir, &mut map);
    map
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The files the run says it wrote (`wrote DIR: a, b, c (…)` on stderr), plus the marker.
fn written(o: &std::process::Output) -> Vec<String> {
    let err = stderr(o);
    let line = err
        .lines()
        .find(|l| l.starts_with("wrote "))
        .unwrap_or_else(|| panic!("no 'wrote' line: {err}"));
    let list = line.split_once(": ").unwrap().1;
    let list = list.split(" (").next().unwrap();
    let mut v: Vec<String> = list.split(", ").map(String::from).collect();
    v.push(".cxm-out".to_string());
    v.sort();
    v
}

#[test]
fn after_a_run_out_holds_exactly_that_runs_files() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let out = s.path("out");
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names(&out), written(&o));
    let marker = std::fs::read_to_string(out.join(".cxm-out")).unwrap();
    assert!(marker.contains("cxm"), "{marker}");

    // Another client's table CSVs and a stray folder from before stay no longer.
    std::fs::write(out.join("other_client.csi.priorities.csv"), "x\n").unwrap();
    std::fs::create_dir(out.join("old")).unwrap();
    std::fs::write(out.join("old/results.json"), "{}").unwrap();
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names(&out), written(&o));
    // Nothing is left beside the folder: no staging folder, no lock file.
    assert_eq!(
        names(s.dir.path()),
        ["client.toml", "out", "plugins.toml", "survey.csv"]
    );
}

#[test]
fn a_folder_named_like_an_output_file_does_not_break_the_commit() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let out = s.path("out");
    assert_eq!(run_out(&cfg, &out, &[]).status.code(), Some(0));
    std::fs::remove_file(out.join("rejected.csv")).unwrap();
    std::fs::create_dir(out.join("rejected.csv")).unwrap();
    std::fs::write(out.join("rejected.csv/inside"), "x").unwrap();
    std::fs::remove_file(out.join("results.json")).unwrap();
    std::fs::create_dir(out.join("results.json")).unwrap();
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("rejected.csv").is_file());
    assert!(out.join("results.json").is_file());
    assert!(std::fs::read_to_string(out.join("rejected.csv"))
        .unwrap()
        .contains("not_a_number"));
    assert_eq!(names(&out), written(&o));
}

/// Takes the lock a running cxm holds on `out` (an exclusive `flock` on the lock file beside
/// it), as a second process would see it.
fn hold_lock(out: &Path) -> std::fs::File {
    let name = out.file_name().unwrap().to_string_lossy();
    let path = out.with_file_name(format!(".{name}.cxm-lock"));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .unwrap();
    // SAFETY: flock on a file descriptor this function owns (`file` lives on).
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    assert_eq!(rc, 0, "lock {}", path.display());
    file
}

#[test]
fn a_run_into_an_out_another_run_is_writing_fails_at_once_naming_it() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let out = s.path("out");
    assert_eq!(run_out(&cfg, &out, &[]).status.code(), Some(0));
    let before = snapshot(&out);
    let lock = hold_lock(&out);
    let started = Instant::now();
    let o = run_out(&cfg, &out, &[]);
    assert!(started.elapsed() < Duration::from_secs(20), "does not wait");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&out.display().to_string()) && err.contains("another cxm run"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty(), "refused before computing");
    assert_eq!(snapshot(&out), before, "left untouched");

    // Once the other run is over, the next one goes ahead.
    drop(lock);
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_folder_cxm_did_not_write_is_refused_unless_forced() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let out = s.path("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "precious").unwrap();
    let before = snapshot(&out);
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&out.display().to_string())
            && err.contains("not written by cxm")
            && err.contains("--force"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "refused before computing");
    assert_eq!(snapshot(&out), before);

    let o = run_out(&cfg, &out, &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names(&out), written(&o), "replaced as a whole");

    // An empty folder is fine without --force.
    let empty = s.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = run_out(&cfg, &empty, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(names(&empty), written(&o));
}

#[test]
fn a_folder_holding_the_runs_own_inputs_is_never_replaced() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let before = names(s.dir.path());
    let o = run_out(&cfg, s.dir.path(), &["--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("client.toml"), "{}", stderr(&o));
    assert_eq!(names(s.dir.path()), before);
}

#[test]
fn staging_folders_left_by_a_killed_run_are_removed() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let out = s.path("out");
    let stale = s.path(".out.cxm-staging-AbC123");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("rejected.csv"), "x".repeat(10_000)).unwrap();
    let other = s.path(".other.cxm-staging-AbC123");
    std::fs::create_dir(&other).unwrap();
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stale.exists(), "stale staging removed");
    assert!(
        other.exists(),
        "another folder's staging is not ours to remove"
    );
}

#[test]
fn a_failed_run_leaves_an_existing_out_exactly_as_it_was() {
    let s = Scratch::new();
    let cfg = client(&s, DATA);
    let out = s.path("out");
    assert_eq!(run_out(&cfg, &out, &[]).status.code(), Some(0));
    let before = snapshot(&out);
    let o = run_out(&failing_client(&s), &out, &[]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(snapshot(&out), before);
    assert!(
        names(s.dir.path()).iter().all(|n| !n.contains(".cxm-")),
        "no staging or lock left: {:?}",
        names(s.dir.path())
    );
}

#[test]
fn a_write_error_in_rejected_csv_is_exit_1_naming_the_file_and_out_is_untouched() {
    let s = Scratch::new();
    // A file-size limit stands in for a full disk: writing beyond it fails with EFBIG
    // (SIGXFSZ is ignored, so the write fails instead of killing the process). It must let
    // cxm load the plugin libraries (the host may copy them into a memory file first).
    let largest_library = ["cxm-plugin-nps", "cxm-test-panicky"]
        .iter()
        .map(|l| std::fs::metadata(library(l)).unwrap().len())
        .max()
        .unwrap();
    let limit = largest_library + 256 * 1024;
    // Unreadable scores (a rejected.csv line each, over 30 bytes) until rejected.csv is
    // about twice the limit.
    let mut data = String::from("id,score\n");
    for i in 0..2 * (2 * limit / 30) {
        data.push_str(&format!("{i},{}\n", if i % 2 == 0 { "x" } else { "9" }));
    }
    let cfg = client(&s, &data);
    let out = s.path("out");
    let o = run_out(&cfg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::metadata(out.join("rejected.csv")).unwrap().len() > limit + limit / 2);
    let before = snapshot(&out);

    use std::os::unix::process::CommandExt;
    let mut cmd = cxm();
    cmd.args(["run", cfg.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    // SAFETY: between fork and exec the closure only calls async-signal-safe functions
    // (setrlimit, signal) and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("rejected.csv"), "{err}");
    assert!(!err.contains("configuration"), "{err}");
    assert_eq!(snapshot(&out), before, "left untouched");
    assert!(
        names(s.dir.path()).iter().all(|n| !n.contains(".cxm-")),
        "no staging or lock left: {:?}",
        names(s.dir.path())
    );
}

#[test]
fn help_says_what_out_replaces_and_what_a_concurrent_run_does() {
    let o = run(&["run", "--help"]);
    let help = stdout(&o);
    assert!(help.contains("--force"), "{help}");
    assert!(help.contains("another cxm run"), "{help}");
    assert!(help.contains("replaces"), "{help}");
}
