//! `--out DIR`, all or nothing.
//!
//! A run's files are written into a staging folder and become `DIR` only when the whole run
//! succeeded; a failed run leaves `DIR` exactly as it was. The staging folder is complete
//! before the commit, and the commit swaps folders, so a reader of `DIR` sees the previous
//! run or the new one, never a mix, and after a run `DIR` holds exactly that run's files:
//!
//! - **Swap** (the usual case): staging is `.<name>.cxm-staging-*` beside `DIR` (same parent,
//!   so the same filesystem). On Linux `renameat2(RENAME_EXCHANGE)` swaps it with an existing
//!   `DIR` atomically; the previous run, now under the staging name, is then deleted. A new
//!   `DIR` is a plain rename. Where the filesystem cannot exchange, see [`swap_by_renames`].
//! - **Per file** (`DIR` is a mount point, or a bind mount: a folder cannot be renamed
//!   there, and a folder beside it is on another filesystem): staging is `DIR/.cxm-staging-*`
//!   and each file is renamed into `DIR` on its own (each rename atomic, the commit as a
//!   whole not), then the previous run's files the new run did not write are removed.
//!
//! Around the run:
//!
//! - **Lock.** An exclusive `flock` on `.<name>.cxm-lock` beside `DIR` (per file: on
//!   `DIR/.cxm-lock`) is held from before computing until after the commit; a second run
//!   into the same `DIR` fails at once, naming it. The lock file is removed on release.
//! - **Marker.** Every folder cxm writes holds `.cxm-out`. A non-empty folder without it (and
//!   without a cxm `manifest.json`, as written before the marker existed) is refused before
//!   computing unless `--force`, and a folder holding the run's own inputs always is.
//! - **Leftovers.** Staging folders are only ever used under the lock, so any found while
//!   holding it were left by a killed run and are removed.
//! - **Writability** is checked before computing: the staging folder is created first.

use anyhow::Context;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// The marker file in every folder cxm writes.
pub const MARKER: &str = ".cxm-out";

const MARKER_TEXT: &str = "This folder is written by cxm (`cxm run --out`): each run replaces \
everything in it with that run's files.\n";

/// The lock file inside a mount-point `DIR` (per-file commit).
const INNER_LOCK: &str = ".cxm-lock";

/// The staging prefix inside a mount-point `DIR` (per-file commit).
const INNER_STAGING: &str = ".cxm-staging-";

/// How the staged files become `DIR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Stage beside `DIR` and swap the folders.
    Swap,
    /// Stage inside `DIR` (a mount point) and rename file by file.
    PerFile,
}

/// The staging folder of one run's output files, holding the lock on `DIR`.
pub struct Staging {
    /// Removed on drop unless committed (declared before `_lock`: removed under the lock).
    dir: StagingDir,
    /// `DIR` resolved (symbolic links followed, parent canonical).
    target: PathBuf,
    /// `DIR` as the command line gave it, for messages.
    shown: PathBuf,
    /// How the commit happens.
    mode: Mode,
    _lock: Lock,
}

impl Staging {
    /// Prepares `target` for a run, before anything is computed: takes the lock, refuses a
    /// folder cxm did not write (unless `force`) or one that holds any of `inputs`, removes
    /// stale staging folders and creates this run's (proving the place writable).
    pub fn new(target: &Path, force: bool, inputs: &[&Path]) -> anyhow::Result<Self> {
        let resolved = resolve(target)?;
        let mode = detect_mode(&resolved.target, &resolved.parent)
            .with_context(|| format!("--out {}: cannot inspect it", target.display()))?;
        Self::with_mode(target, resolved, force, inputs, mode)
    }

    fn with_mode(
        shown: &Path,
        resolved: Resolved,
        force: bool,
        inputs: &[&Path],
        mode: Mode,
    ) -> anyhow::Result<Self> {
        let Resolved {
            target,
            parent,
            name,
        } = resolved;
        for input in inputs {
            if let Ok(input) = fs::canonicalize(input) {
                if input.starts_with(&target) {
                    return Err(crate::exit::Usage(format!(
                        "--out {}: the folder holds {}, which this run reads, and a run \
                         replaces everything in --out; choose another folder",
                        shown.display(),
                        input.display()
                    ))
                    .into());
                }
            }
        }
        let lock_path = match mode {
            Mode::Swap => parent.join(sibling(&name, "cxm-lock")),
            Mode::PerFile => target.join(INNER_LOCK),
        };
        let lock = Lock::acquire(&lock_path, shown)?;
        if !force {
            refuse_foreign(&target, shown)?;
        }
        let (home, prefix) = match mode {
            Mode::Swap => (parent.clone(), staging_prefix(&name)),
            Mode::PerFile => (target.clone(), INNER_STAGING.to_string()),
        };
        remove_stale(&home, &prefix);
        let permissions = fs::metadata(&target).ok().map(|m| m.permissions());
        let dir = StagingDir::create(&home, &prefix).with_context(|| {
            format!(
                "--out {}: cannot create a staging folder in {}",
                shown.display(),
                home.display()
            )
        })?;
        if let (Mode::Swap, Some(permissions)) = (mode, permissions) {
            // The new folder keeps the mode of the one it replaces.
            fs::set_permissions(&dir.path, permissions)
                .with_context(|| format!("cannot set the permissions of {}", dir.path.display()))?;
        }
        fs::write(dir.path.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("--out {}: cannot write {MARKER}", shown.display()))?;
        Ok(Staging {
            dir,
            target,
            shown: shown.to_path_buf(),
            mode,
            _lock: lock,
        })
    }

    /// Path of a file inside staging.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path.join(name)
    }

    /// Makes the staged files `DIR`, which then holds exactly `names` and the marker. The
    /// staging folder is removed on drop if this is never called.
    pub fn commit(mut self, names: &[&str]) -> anyhow::Result<()> {
        let shown = self.shown.display().to_string();
        let mut all: Vec<&str> = names.to_vec();
        all.push(MARKER);
        sync_files(&self.dir.path, &all)
            .with_context(|| format!("--out {shown}: cannot write the staged files"))?;
        match self.mode {
            Mode::Swap => {
                let old = swap_in(&self.dir.path, &self.target)
                    .with_context(|| format!("--out {shown}: cannot move the new run in"))?;
                // From here the commit has happened: the staging path is gone or holds the
                // previous run, which the next run removes if this cannot.
                self.dir.committed = true;
                if let Some(old) = old {
                    if let Err(e) = fs::remove_dir_all(&old) {
                        eprintln!(
                            "note: cannot remove the previous run's files ({}): {e}; the next \
                             run into {shown} removes them",
                            old.display()
                        );
                    }
                }
                if let Some(parent) = self.target.parent() {
                    let _ = sync_dir(parent);
                }
            }
            Mode::PerFile => {
                commit_per_file(&self.dir.path, &self.target, &all)
                    .with_context(|| format!("--out {shown}: cannot move the new run in"))?;
                self.dir.committed = true;
            }
        }
        Ok(())
    }
}

/// `DIR` resolved: where it is (or will be), its parent, and its name there.
struct Resolved {
    target: PathBuf,
    parent: PathBuf,
    name: OsString,
}

/// Resolves `--out`: an existing folder by its canonical path (so a symbolic link to a
/// folder is written through, not replaced), a new one under its canonical parent (created).
fn resolve(target: &Path) -> anyhow::Result<Resolved> {
    let shown = target.display();
    let target = match fs::symlink_metadata(target) {
        Ok(_) => {
            let meta =
                fs::metadata(target).with_context(|| format!("--out {shown}: cannot use it"))?;
            if !meta.is_dir() {
                anyhow::bail!("--out {shown}: exists and is not a directory");
            }
            fs::canonicalize(target).with_context(|| format!("--out {shown}: cannot use it"))?
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let Some(name) = target.file_name() else {
                anyhow::bail!("--out {shown}: name a folder");
            };
            let parent = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            fs::create_dir_all(&parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            fs::canonicalize(&parent)
                .with_context(|| format!("cannot use {}", parent.display()))?
                .join(name)
        }
        Err(e) => return Err(e).with_context(|| format!("--out {shown}: cannot use it")),
    };
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        anyhow::bail!("--out {shown}: cannot replace the root folder; choose a folder in it");
    };
    Ok(Resolved {
        parent: parent.to_path_buf(),
        name: name.to_os_string(),
        target: target.clone(),
    })
}

/// `.<name>.<suffix>`: a file or folder beside `DIR` that belongs to it.
fn sibling(name: &OsString, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(".");
    s.push(suffix);
    s
}

/// The prefix of `DIR`'s staging folders beside it.
fn staging_prefix(name: &OsString) -> String {
    format!(".{}.cxm-staging-", name.to_string_lossy())
}

/// Is `DIR` a mount point? Then swap is impossible and staging goes inside.
fn detect_mode(target: &Path, parent: &Path) -> io::Result<Mode> {
    let target_dev = match fs::metadata(target) {
        Ok(m) => Some(m.dev()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let parent_dev = fs::metadata(parent)?.dev();
    let mount_root = target_dev.is_some() && is_mount_root(target);
    Ok(choose_mode(target_dev, parent_dev, mount_root))
}

/// The decision, apart from the file system: per file when `DIR` exists on another device
/// than its parent (a mount point), or is the root of a mount on the same device (a bind
/// mount, which cannot be renamed either).
fn choose_mode(target_dev: Option<u64>, parent_dev: u64, mount_root: bool) -> Mode {
    match target_dev {
        Some(dev) if dev != parent_dev || mount_root => Mode::PerFile,
        _ => Mode::Swap,
    }
}

/// Whether `path` is the root of a mount (`statx` `STATX_ATTR_MOUNT_ROOT`, Linux 5.8+; false
/// where unknown, and then only a different device shows a mount point).
#[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
fn is_mount_root(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mut buf = std::mem::MaybeUninit::<libc::statx>::zeroed();
    // SAFETY: `c_path` is a NUL-terminated string and `buf` a writable `statx` buffer, both
    // alive for the call; the kernel writes at most `size_of::<statx>()` bytes.
    let rc = unsafe {
        libc::statx(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::AT_STATX_SYNC_AS_STAT,
            libc::STATX_BASIC_STATS,
            buf.as_mut_ptr(),
        )
    };
    if rc != 0 {
        return false;
    }
    // SAFETY: statx succeeded, so it filled the buffer (which was zeroed before anyway).
    let st = unsafe { buf.assume_init() };
    let flag = libc::STATX_ATTR_MOUNT_ROOT as u64;
    st.stx_attributes_mask & flag != 0 && st.stx_attributes & flag != 0
}

#[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
fn is_mount_root(_path: &Path) -> bool {
    false
}

/// Refuses a non-empty folder that cxm did not write (no marker, no cxm manifest).
fn refuse_foreign(target: &Path, shown: &Path) -> anyhow::Result<()> {
    let entries = match fs::read_dir(target) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e).with_context(|| format!("--out {}: cannot list it", shown.display()))
        }
    };
    let mut foreign = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("--out {}: cannot list it", shown.display()))?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text == MARKER {
            return Ok(());
        }
        if text == INNER_LOCK || text.starts_with(INNER_STAGING) {
            continue;
        }
        foreign.push(text.into_owned());
    }
    if foreign.is_empty() || has_cxm_manifest(target) {
        return Ok(());
    }
    foreign.sort();
    let more = match foreign.len() {
        1 => String::new(),
        n => format!(" and {} more", n - 1),
    };
    Err(crate::exit::Usage(format!(
        "--out {}: the folder is not empty ({}{more}) and was not written by cxm (it has no \
         {MARKER}); a run replaces everything in --out, so choose a new or empty folder, or \
         pass --force to replace this one and delete what is in it",
        shown.display(),
        foreign[0]
    ))
    .into())
}

/// A `manifest.json` of a cxm run (written before the marker existed).
fn has_cxm_manifest(target: &Path) -> bool {
    let path = target.join("manifest.json");
    // A cxm manifest is a few kilobytes: a large file is not one, and is not read.
    if !fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() < 1 << 20) {
        return false;
    }
    let Ok(bytes) = fs::read(&path) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|v| v["schema"].as_str().is_some_and(|s| s.starts_with("cxm.")))
}

/// Removes the staging folders in `home` starting with `prefix`: under the lock, any there
/// were left by a killed run (or by a commit that could not delete the previous run).
fn remove_stale(home: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(home) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let path = entry.path();
        let removed = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
        if let Err(e) = removed {
            eprintln!(
                "note: cannot remove {}, left by an earlier run: {e}",
                path.display()
            );
        }
    }
}

/// A staging folder, removed on drop unless committed.
struct StagingDir {
    path: PathBuf,
    committed: bool,
}

impl StagingDir {
    /// Creates `home/<prefix><unique>` with the usual permissions (0777 less the umask, as
    /// any folder the user creates).
    fn create(home: &Path, prefix: &str) -> io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut attempt = 0u32;
        loop {
            let path = home.join(format!(
                "{prefix}{}-{nanos:08x}{attempt}",
                std::process::id()
            ));
            match fs::DirBuilder::new().mode(0o777).create(&path) {
                Ok(()) => {
                    return Ok(StagingDir {
                        path,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Flushes the staged files and their folder to disk, so that after a crash of the machine
/// the committed folder is complete too.
fn sync_files(dir: &Path, names: &[&str]) -> io::Result<()> {
    for name in names {
        let path = dir.join(name);
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
    }
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Swaps the complete folder `staged` in as `target`. Returns where the previous run now is
/// (to be deleted), if there was one.
fn swap_in(staged: &Path, target: &Path) -> io::Result<Option<PathBuf>> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::rename(staged, target)?;
            Ok(None)
        }
        Err(e) => Err(e),
        Ok(_) => match exchange(staged, target) {
            Ok(()) => Ok(Some(staged.to_path_buf())),
            Err(e) if exchange_unsupported(&e) => {
                let mut aside = staged.as_os_str().to_os_string();
                aside.push("-old");
                let aside = PathBuf::from(aside);
                swap_by_renames(staged, target, &aside)?;
                Ok(Some(aside))
            }
            Err(e) => Err(e),
        },
    }
}

/// Exchanges two paths atomically: each names the other's folder afterwards.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: `a` and `b` are NUL-terminated strings alive for the call; renameat2 only reads
    // them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether an exchange failed only because the filesystem or kernel cannot exchange (some
/// network and FUSE filesystems, kernels before 3.15).
fn exchange_unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
}

/// The swap where the filesystem cannot exchange: `target` is renamed to `aside`, then
/// `staged` to `target`. A reader between the two renames finds no `target` at all (never a
/// mix of runs); a process killed there leaves no `target`, the previous run at `aside` (a
/// staging name, removed by the next run) and the new one in staging. If the second rename
/// fails, the previous run is put back.
fn swap_by_renames(staged: &Path, target: &Path, aside: &Path) -> io::Result<()> {
    fs::rename(target, aside)?;
    if let Err(e) = fs::rename(staged, target) {
        let _ = fs::rename(aside, target);
        return Err(e);
    }
    Ok(())
}

/// The commit on a mount point, file by file: the marker first (so an interrupted commit
/// still leaves a folder cxm recognises), then each file (a folder in the way is removed
/// first), then whatever the previous run wrote that this one did not. Each rename is atomic;
/// a reader during the commit may see new files beside old ones.
fn commit_per_file(staged: &Path, target: &Path, names: &[&str]) -> io::Result<()> {
    let mut order: Vec<&str> = vec![MARKER];
    order.extend(names.iter().copied().filter(|n| *n != MARKER));
    for name in &order {
        let to = target.join(name);
        if fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir()) {
            fs::remove_dir_all(&to).map_err(|e| named(&to, e))?;
        }
        fs::rename(staged.join(name), &to).map_err(|e| named(&to, e))?;
    }
    for entry in fs::read_dir(target)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if order.iter().any(|n| *n == text) || text == INNER_LOCK || text.starts_with(INNER_STAGING)
        {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        }
        .map_err(|e| named(&path, e))?;
    }
    fs::remove_dir_all(staged)?;
    sync_dir(target)
}

fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// An exclusive `flock` on a lock file, released (and the file removed) on drop.
struct Lock {
    /// Holds the lock while open.
    _file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock, or fails at once if another process holds it.
    fn acquire(path: &Path, shown: &Path) -> anyhow::Result<Lock> {
        let cannot = || format!("--out {}: cannot lock {}", shown.display(), path.display());
        loop {
            let mut file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(cannot)?;
            // SAFETY: flock on the descriptor of `file`, which is open for the call.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                if e.kind() == io::ErrorKind::WouldBlock {
                    let pid = fs::read_to_string(path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok())
                        .map_or(String::new(), |pid| format!(" (pid {pid})"));
                    anyhow::bail!(
                        "--out {}: another cxm run{pid} is writing to this folder (it holds \
                         {}); wait for it to finish, or choose another --out",
                        shown.display(),
                        path.display()
                    );
                }
                return Err(e).with_context(cannot);
            }
            // The holder before us removes the file when it releases the lock: if the path
            // no longer names the file we locked, lock the one it names now.
            let held = file.metadata().with_context(cannot)?;
            match fs::metadata(path) {
                Ok(now) if now.dev() == held.dev() && now.ino() == held.ino() => {}
                _ => continue,
            }
            // Who holds it, for the message of a run that finds it taken (best effort).
            let _ = file
                .set_len(0)
                .and_then(|()| writeln!(file, "{}", std::process::id()));
            return Ok(Lock {
                _file: file,
                path: path.to_path_buf(),
            });
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held (a run waiting on this file then sees that it is gone and
        // locks a new one); `file` closes after this, releasing the lock.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests;
