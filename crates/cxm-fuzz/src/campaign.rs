//! A campaign: batches of cases generated and run in child processes by a few worker
//! threads until the time or case budget is spent; a failing batch narrowed down to one
//! case (the one running when it failed, else each case alone), which is saved.
//! And the replay of saved reproducers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use cxm_fuzz::child::{cases, run_batch, BatchResult, Verdict};
use cxm_fuzz::containers::{mutate_parquet, mutate_xlsx, MAX_CASE};
use cxm_fuzz::mutate::mutate;
use cxm_fuzz::rng::{hash64, Rng};
use cxm_fuzz::seeds::{self, Seeds};
use cxm_fuzz::targets::Target;
use sha2::{Digest, Sha256};

use crate::Options;

/// What the workers share.
struct Shared<'a> {
    options: &'a Options,
    exe: PathBuf,
    seeds: Vec<(Target, Vec<Vec<u8>>)>,
    work: PathBuf,
    next_batch: AtomicU64,
    cases_run: AtomicU64,
    start: Instant,
    /// Cases run and panics caught by readers, per target.
    tally: Mutex<Vec<(Target, u64, u64)>>,
    findings: Mutex<Vec<String>>,
    /// Reproducers saved per failure signature (see [`signature`]).
    saved: Mutex<std::collections::HashMap<String, usize>>,
}

/// Reproducers saved per failure signature in one run: a bug found a hundred times is
/// kept a few times, not a hundred.
const SAVED_PER_SIGNATURE: usize = 3;

/// Runs a campaign; returns the exit code (1 when something was found).
pub(crate) fn run(options: &Options) -> i32 {
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("cxm-fuzz: cannot find its own executable");
        return 2;
    };
    let Ok(work) = tempfile::tempdir() else {
        eprintln!("cxm-fuzz: cannot create a working folder");
        return 2;
    };
    let loaded = seeds::load(&options.repo);
    let seeds: Vec<(Target, Vec<Vec<u8>>)> = options
        .targets
        .iter()
        .map(|&t| {
            let mut list = seeds_of(&loaded, t);
            list.extend(saved(&options.save.join(t.name()), t));
            (t, list)
        })
        .filter(|(t, list)| {
            if list.is_empty() {
                eprintln!("cxm-fuzz: no seeds for {}: skipped", t.name());
            }
            !list.is_empty()
        })
        .collect();
    if seeds.is_empty() {
        eprintln!(
            "cxm-fuzz: no seeds at all (is --repo {} right?)",
            options.repo.display()
        );
        return 2;
    }
    let counts: Vec<String> = seeds
        .iter()
        .map(|(t, s)| format!("{} {}", s.len(), t.name()))
        .collect();
    println!(
        "cxm-fuzz: seed {} (repeat with --seed {}), {} s, {} jobs, seeds: {}",
        options.seed,
        options.seed,
        options.seconds,
        options.jobs,
        counts.join(", ")
    );
    let shared = Shared {
        options,
        exe,
        tally: Mutex::new(seeds.iter().map(|(t, _)| (*t, 0, 0)).collect()),
        seeds,
        work: work.path().to_path_buf(),
        next_batch: AtomicU64::new(0),
        cases_run: AtomicU64::new(0),
        start: Instant::now(),
        findings: Mutex::new(Vec::new()),
        saved: Mutex::new(std::collections::HashMap::new()),
    };
    std::thread::scope(|scope| {
        for _ in 0..options.jobs {
            scope.spawn(|| worker(&shared));
        }
    });
    let elapsed = shared.start.elapsed().as_secs_f64();
    let tally = shared.tally.lock().map(|t| t.clone()).unwrap_or_default();
    for (target, cases, caught) in &tally {
        println!(
            "  {:8} {cases:7} cases, {caught} panics caught by the reader (clean errors)",
            target.name()
        );
    }
    let findings = shared
        .findings
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default();
    println!(
        "cxm-fuzz: {} cases in {elapsed:.0} s, {} finding(s)",
        shared.cases_run.load(Ordering::SeqCst),
        findings.len()
    );
    for finding in &findings {
        println!("  {finding}");
    }
    i32::from(!findings.is_empty())
}

fn seeds_of(seeds: &Seeds, target: Target) -> Vec<Vec<u8>> {
    match target {
        Target::Config => seeds.toml.clone(),
        Target::Csv => seeds.csv.clone(),
        Target::Ndjson => seeds.ndjson.clone(),
        Target::Parquet => seeds.parquet.clone(),
        Target::Xlsx => seeds.xlsx.clone(),
    }
}

/// The reproducers saved for a target (also seeds: their neighbours are worth a look).
fn saved(dir: &Path, target: Target) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == target.ext()))
        .collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

/// A case for `target` from the generator.
fn make_case(rng: &mut Rng, target: Target, seeds: &[Vec<u8>]) -> Vec<u8> {
    let seed = rng.pick(seeds);
    let others: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    match target {
        Target::Xlsx => mutate_xlsx(rng, seed, &others),
        Target::Parquet => mutate_parquet(rng, seed, &others),
        _ => {
            let mut data = seed.clone();
            mutate(rng, &mut data, &others, MAX_CASE);
            data
        }
    }
}

fn worker(shared: &Shared<'_>) {
    let options = shared.options;
    loop {
        let spent = shared.start.elapsed().as_secs() >= options.seconds;
        let enough = options
            .cases
            .is_some_and(|max| shared.cases_run.load(Ordering::SeqCst) >= max);
        if spent || enough {
            return;
        }
        let batch = shared.next_batch.fetch_add(1, Ordering::SeqCst);
        let (target, seeds) = &shared.seeds[batch as usize % shared.seeds.len()];
        let dir = shared.work.join(format!("batch-{batch}"));
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        for j in 0..options.batch {
            let key = format!("{}/{batch}/{j}", options.seed);
            let mut rng = Rng::new(hash64(key.as_bytes()));
            let case = make_case(&mut rng, *target, seeds);
            let _ = std::fs::write(dir.join(format!("{j}.{}", target.ext())), case);
        }
        let result = run_batch(&shared.exe, *target, &dir, &options.repo, &options.limits);
        shared
            .cases_run
            .fetch_add(options.batch as u64, Ordering::SeqCst);
        if let Ok(mut tally) = shared.tally.lock() {
            if let Some(t) = tally.iter_mut().find(|(t, _, _)| t == target) {
                t.1 += options.batch as u64;
                t.2 += result.caught as u64;
            }
        }
        if result.verdict != Verdict::Passed {
            let finding = triage(shared, *target, &dir, &result);
            println!("cxm-fuzz: FOUND {finding}");
            if let Ok(mut findings) = shared.findings.lock() {
                findings.push(finding);
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Finds the case of a failed batch that fails alone, saves it, and describes it.
fn triage(shared: &Shared<'_>, target: Target, dir: &Path, result: &BatchResult) -> String {
    let all = cases(dir, target);
    let mut order: Vec<usize> = result.case.into_iter().collect();
    order.extend((0..all.len()).filter(|&i| Some(i) != result.case));
    for i in order {
        let Some(case) = all.get(i) else { continue };
        let Ok(bytes) = std::fs::read(case) else {
            continue;
        };
        let single = dir.join(format!("single-{i}"));
        if std::fs::create_dir_all(&single).is_err() {
            continue;
        }
        let _ = std::fs::write(single.join(format!("0.{}", target.ext())), &bytes);
        let options = shared.options;
        let alone = run_batch(&shared.exe, target, &single, &options.repo, &options.limits);
        if alone.verdict != Verdict::Passed {
            let key = format!("{}: {}", target.name(), signature(&alone.verdict));
            let seen = shared.saved.lock().map_or(0, |mut saved| {
                let count = saved.entry(key).or_insert(0);
                *count += 1;
                *count
            });
            let saved = if seen <= SAVED_PER_SIGNATURE {
                save(&options.save, target, &bytes)
            } else {
                "not saved: found and saved before in this run".to_owned()
            };
            return format!("{}: {} -> {saved}", target.name(), describe(&alone.verdict));
        }
    }
    let kept = std::env::temp_dir().join(format!("cxm-fuzz-unconfirmed-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&kept);
    for case in &all {
        if let Some(name) = case.file_name() {
            let _ = std::fs::copy(case, kept.join(name));
        }
    }
    format!(
        "{}: {} in a batch, no single case fails alone (batch kept in {})",
        target.name(),
        describe(&result.verdict),
        kept.display()
    )
}

/// Saves a reproducer as `<save>/<target>/<sha256 prefix>.<ext>`; returns its path.
fn save(root: &Path, target: Target, bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = root.join(target.name());
    let path = dir.join(format!("{hex}.{}", target.ext()));
    let _ = std::fs::create_dir_all(&dir);
    if !path.exists() {
        if let Err(e) = std::fs::write(&path, bytes) {
            return format!("(not saved: {e})");
        }
    }
    path.display().to_string()
}

/// What a failure looks like with its numbers left out (sizes, offsets, lines).
fn signature(verdict: &Verdict) -> String {
    let mut out = String::new();
    for ch in describe(verdict).chars().take(160) {
        if ch.is_ascii_digit() {
            if !out.ends_with('N') {
                out.push('N');
            }
        } else {
            out.push(ch);
        }
    }
    out
}

fn describe(verdict: &Verdict) -> String {
    let short = |s: &str| s.chars().take(300).collect::<String>();
    match verdict {
        Verdict::Passed => "passed".to_owned(),
        Verdict::Mismatch(m) => format!("accounting check failed: {}", short(m)),
        Verdict::Panic(m) => format!("panic: {}", short(m)),
        Verdict::Crash(m) => format!("crash: {}", short(m)),
        Verdict::Hang => "hang (case time limit)".to_owned(),
    }
}

/// Runs saved reproducers, each alone in a child; returns the exit code.
pub(crate) fn replay(options: &Options) -> i32 {
    let Ok(exe) = std::env::current_exe() else {
        return 2;
    };
    let mut files: Vec<(Target, PathBuf)> = Vec::new();
    for path in &options.replay {
        collect(path, &mut files);
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    let mut failed = 0;
    for (target, file) in &files {
        let Ok(dir) = tempfile::tempdir() else {
            return 2;
        };
        let _ = std::fs::copy(file, dir.path().join(format!("0.{}", target.ext())));
        let result = run_batch(&exe, *target, dir.path(), &options.repo, &options.limits);
        if result.verdict == Verdict::Passed {
            println!("ok    {}", file.display());
        } else {
            failed += 1;
            println!("FAIL  {}: {}", file.display(), describe(&result.verdict));
        }
    }
    println!("cxm-fuzz: {} reproducer(s), {failed} failing", files.len());
    i32::from(failed > 0)
}

/// The reproducers at `path`: a file in a `<target>/` folder, a target folder, or a
/// folder of target folders.
fn collect(path: &Path, out: &mut Vec<(Target, PathBuf)>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            collect(&entry.path(), out);
        }
        return;
    }
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str());
    if let Some(target) = parent.and_then(Target::from_name) {
        if path.extension().is_some_and(|e| e == target.ext()) {
            out.push((target, path.to_path_buf()));
        }
    }
}
