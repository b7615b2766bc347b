//! Unit tests of the atomic output folder: swaps, fallbacks, the mount-point decision,
//! per-file commits and the lock.

use super::*;

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let body = if e.path().is_dir() {
                "<dir>".to_string()
            } else {
                fs::read_to_string(e.path()).unwrap()
            };
            (e.file_name().to_string_lossy().into_owned(), body)
        })
        .collect();
    v.sort();
    v
}

fn folder(path: &Path, entries: &[(&str, &str)]) {
    fs::create_dir_all(path).unwrap();
    for (name, body) in entries {
        fs::write(path.join(name), body).unwrap();
    }
}

fn pairs(entries: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = entries
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn exchange_swaps_two_folders_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (
        tmp.path().join("out"),
        tmp.path().join(".out.cxm-staging-1"),
    );
    folder(&old, &[("results.json", "old"), ("other.csv", "old")]);
    folder(&new, &[("results.json", "new"), (MARKER, "m")]);
    match exchange(&new, &old) {
        Ok(()) => {}
        // A filesystem without RENAME_EXCHANGE: the fallback is tested below.
        Err(e) if exchange_unsupported(&e) => return,
        Err(e) => panic!("{e}"),
    }
    assert_eq!(
        files(&old),
        pairs(&[("results.json", "new"), (MARKER, "m")])
    );
    assert_eq!(
        files(&new),
        pairs(&[("results.json", "old"), ("other.csv", "old")])
    );
}

#[test]
fn swap_in_replaces_an_existing_folder_or_creates_a_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out");
    let staged = tmp.path().join(".out.cxm-staging-1");
    folder(&staged, &[("a", "1")]);
    assert_eq!(swap_in(&staged, &target).unwrap(), None);
    assert_eq!(files(&target), pairs(&[("a", "1")]));
    assert!(!staged.exists());

    folder(&staged, &[("b", "2")]);
    let old = swap_in(&staged, &target).unwrap().unwrap();
    assert_eq!(files(&target), pairs(&[("b", "2")]));
    assert_eq!(files(&old), pairs(&[("a", "1")]));
}

#[test]
fn swap_by_renames_replaces_whole_and_puts_the_old_back_on_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out");
    let staged = tmp.path().join(".out.cxm-staging-1");
    let aside = tmp.path().join(".out.cxm-staging-1-old");
    folder(&target, &[("a", "old"), ("stale", "old")]);
    folder(&staged, &[("a", "new")]);
    swap_by_renames(&staged, &target, &aside).unwrap();
    assert_eq!(files(&target), pairs(&[("a", "new")]));
    assert_eq!(files(&aside), pairs(&[("a", "old"), ("stale", "old")]));

    // Nothing staged: the second rename fails and the previous run is put back.
    fs::remove_dir_all(&aside).unwrap();
    assert!(swap_by_renames(&staged, &target, &aside).is_err());
    assert_eq!(files(&target), pairs(&[("a", "new")]));
    assert!(!aside.exists());
}

/// A test cannot mount a filesystem, so the decision is tested with device ids given.
#[test]
fn a_mount_point_is_committed_per_file() {
    assert_eq!(choose_mode(None, 7, false), Mode::Swap, "new folder");
    assert_eq!(
        choose_mode(Some(7), 7, false),
        Mode::Swap,
        "same filesystem"
    );
    assert_eq!(choose_mode(Some(9), 7, false), Mode::PerFile, "mount point");
    assert_eq!(choose_mode(Some(7), 7, true), Mode::PerFile, "bind mount");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    assert_eq!(detect_mode(&out, tmp.path()).unwrap(), Mode::Swap);
}

#[test]
fn per_file_commit_leaves_exactly_the_new_files() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("mnt");
    folder(
        &target,
        &[
            (MARKER, "m"),
            ("results.json", "old"),
            ("other.nps.table.csv", "old"),
        ],
    );
    fs::create_dir(target.join("rejected.csv")).unwrap();
    fs::create_dir(target.join(".cxm-staging-dead")).unwrap();
    let resolved = resolve(&target).unwrap();
    let staging =
        Staging::with_mode(&target, resolved, false, &[], Mode::PerFile).expect("staging");
    assert!(staging.file("x").starts_with(&target), "staged inside DIR");
    assert!(
        !target.join(".cxm-staging-dead").exists(),
        "stale staging removed"
    );
    assert!(target.join(INNER_LOCK).exists(), "locked inside DIR");
    fs::write(staging.file("results.json"), "new").unwrap();
    fs::write(staging.file("rejected.csv"), "new").unwrap();
    staging.commit(&["results.json", "rejected.csv"]).unwrap();
    assert_eq!(
        files(&target),
        pairs(&[
            (MARKER, MARKER_TEXT),
            ("rejected.csv", "new"),
            ("results.json", "new"),
        ])
    );
}

#[test]
fn per_file_staging_is_removed_when_the_run_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("mnt");
    folder(&target, &[(MARKER, "m"), ("results.json", "old")]);
    let resolved = resolve(&target).unwrap();
    let staging = Staging::with_mode(&target, resolved, false, &[], Mode::PerFile).unwrap();
    fs::write(staging.file("results.json"), "new").unwrap();
    drop(staging);
    assert_eq!(
        files(&target),
        pairs(&[(MARKER, "m"), ("results.json", "old")])
    );
}

#[test]
fn a_second_lock_on_the_same_file_fails_and_a_released_one_is_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(".out.cxm-lock");
    let shown = tmp.path().join("out");
    let first = Lock::acquire(&path, &shown).unwrap();
    let err = Lock::acquire(&path, &shown).err().expect("taken");
    let text = err.to_string();
    assert!(text.contains("another cxm run (pid "), "{text}");
    assert!(text.contains(&shown.display().to_string()), "{text}");
    drop(first);
    assert!(!path.exists());
    let _again = Lock::acquire(&path, &shown).unwrap();
}
