//! `cxm run`: compute every metric, print the report, and with `--out` write the result
//! files, the rejected rows and a manifest atomically. With `--baseline OLD_DIR` the run is
//! compared with an earlier `--out` folder (crates/cxm-diff): the comparison goes to stderr,
//! into `diff.json` and into the HTML report, and `--fail-on` turns what it names into exit
//! code 1 (after `--out` is written).

use crate::cli::{FailOn, Format};
use crate::exit::MetricsFailed;
use crate::outdir::Staging;
use crate::progress::ProgressLine;
use anyhow::Context;
use cxm_engine::{Plan, RunOptions};
use cxm_report::{Rejection, RejectionWriter, RunReport, TableOptions, REJECTION_EXAMPLES};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// `--baseline OLD_DIR [--fail-on WHAT]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Baseline<'a> {
    /// The earlier run's `--out` folder.
    pub dir: Option<&'a Path>,
    /// What makes the run exit with code 1.
    pub fail_on: Option<FailOn>,
}

/// Runs a client config.
pub fn run(
    config: &Path,
    format: Format,
    out: Option<&Path>,
    force: bool,
    pdf: bool,
    mut options: RunOptions,
    baseline: Baseline<'_>,
) -> anyhow::Result<i32> {
    // Without --out no rejected.csv is written: only the report's examples are kept, so
    // the engine makes no more rejections of plugin-rejected rows than they can use.
    if out.is_none() {
        options.rejections = Some(REJECTION_EXAMPLES);
    }
    // Read the baseline before anything else: a wrong folder is a usage error (exit code
    // 2) before computing, and --out may be the same folder (it is replaced at the end).
    let old = match baseline.dir {
        Some(dir) => Some(
            cxm_diff::RunFolder::read(dir)
                .map_err(|e| crate::exit::Usage(format!("--baseline: {e}")))?,
        ),
        None => None,
    };
    let mut client = cxm_config::load_client(config)?;
    if options.isolate {
        for entry in client.registry.entries.values_mut() {
            entry.isolated = true;
        }
    }
    let pdf = match pdf {
        true => Some(crate::deliverables::find_chromium()?),
        false => None,
    };
    // From binding on, plugins run: keep stdout from them and catch an exit() they call.
    let guard = crate::plugin_guard::PluginGuard::begin();
    let mut plan = cxm_engine::build_plan(client)?;
    // Before computing: lock --out, refuse a folder cxm did not write, prove it writable.
    let staging = match out {
        Some(dir) => Some(Staging::new(dir, force, &inputs(config, &plan))?),
        None => None,
    };
    let mut rejections = match &staging {
        Some(s) => {
            let file =
                File::create(s.file("rejected.csv")).context("cannot create rejected.csv")?;
            Some(RejectionWriter::new(BufWriter::new(file)).context("cannot write rejected.csv")?)
        }
        None => None,
    };
    let mut progress = ProgressLine::new();
    let mut examples = RejectionExamples::default();
    // The engine reports a failing `on_reject` as its own error; the cause is kept here so
    // that a full disk is an I/O error naming rejected.csv (exit code 1).
    let mut reject_error: Option<cxm_report::RenderError> = None;
    let report = cxm_engine::run(
        &mut plan,
        &options,
        &mut |r| {
            examples.offer(r);
            match rejections.as_mut() {
                Some(w) => w.write(r).map_err(|e| {
                    let io = std::io::Error::other(e.to_string());
                    reject_error = Some(e);
                    io
                }),
                None => Ok(()),
            }
        },
        &mut |p| progress.update(p),
    );
    progress.finish();
    if let (Some(e), Some(dir)) = (reject_error, out) {
        return Err(anyhow::Error::new(e).context(format!(
            "cannot write rejected.csv for --out {} (nothing was written there)",
            dir.display()
        )));
    }
    // Never freed: the process ends soon after this function, and freeing the report's
    // results (a map of details per group) took ~5% of a run with many groups.
    let mut report = std::mem::ManuallyDrop::new(report?);
    print_data_warnings(&report);
    report.rejection_examples = examples.into_vec();
    report.settings.generated_at = Some(crate::deliverables::run_timestamp());
    cxm_analysis::analyse(&mut report, &plan.config);

    // Plugins keep fd 1 until their instances are released (when `plan` is dropped, before
    // `guard`): the report goes to the saved stdout.
    let mut stdout = std::io::BufWriter::new(guard.report_stdout()?);
    render(&report, format, &mut stdout, guard.report_is_terminal())?;
    stdout.flush()?;
    drop(stdout);

    warn_unused_metrics(&report);
    let failed: Vec<String> = report
        .metrics
        .iter()
        .filter_map(|m| {
            m.error
                .as_ref()
                .map(|e| format!("metric \"{}\": {e}", m.metric))
        })
        .collect();
    if !failed.is_empty() {
        if let Some(dir) = out {
            eprintln!(
                "note: nothing was written to {} because the run did not complete",
                dir.display()
            );
        }
        return Err(MetricsFailed(failed).into());
    }

    // The comparison with the baseline: the new side is this run, in memory.
    let mut manifest_json = None;
    let mut config_text = None;
    let mut diff = None;
    if let Some(old) = &old {
        let text =
            std::fs::read(config).with_context(|| format!("cannot read {}", config.display()))?;
        let m = manifest(config, &plan, &report)?;
        let label = out.map_or_else(|| std::path::PathBuf::from("(this run)"), Path::to_path_buf);
        let new = cxm_diff::RunFolder::from_run(
            &label,
            &report,
            &m,
            config,
            &String::from_utf8_lossy(&text),
        )?;
        let d = cxm_diff::compare(old, &new, cxm_diff::DiffOptions::default());
        let mut table = Vec::new();
        cxm_diff::render_table(&d, &mut table)?;
        let mut json = Vec::new();
        cxm_diff::render_json(&d, &mut json)?;
        let stderr = std::io::stderr();
        let mut e = stderr.lock();
        writeln!(e)?;
        e.write_all(&table)?;
        e.flush()?;
        manifest_json = Some(m);
        config_text = Some(text);
        diff = Some((d, json));
    }
    let fail = match (&diff, baseline.fail_on) {
        (Some((d, _)), Some(what)) => {
            let found = match what {
                FailOn::Restated => d.count(cxm_diff::Status::Restated),
                FailOn::Changed => {
                    d.count(cxm_diff::Status::Restated) + d.count(cxm_diff::Status::Changed)
                }
            };
            let word = match what {
                FailOn::Restated => "restated",
                FailOn::Changed => "changed",
            };
            (found > 0).then(|| format!("cxm run: {found} figure(s) {word} since the baseline (--fail-on {word}): exit code 1"))
        }
        _ => None,
    };

    if let (Some(staging), Some(dir)) = (staging, out) {
        let rejected = rejections.as_ref().map_or(0, RejectionWriter::count);
        if let Some(w) = rejections.take() {
            w.finish()
                .map_err(anyhow::Error::new)
                .and_then(|mut f| Ok(f.flush()?))
                .context("cannot write rejected.csv")?;
        }
        write_file(&staging, "results.json", |w| {
            Ok(cxm_report::render_json(&report, w)?)
        })?;
        write_file(&staging, "results.csv", |w| {
            Ok(cxm_report::render_csv(&report, w)?)
        })?;
        let manifest = match manifest_json.take() {
            Some(m) => m,
            None => manifest(config, &plan, &report)?,
        };
        write_file(&staging, "manifest.json", |w| {
            serde_json::to_writer_pretty(&mut *w, &manifest)?;
            Ok(writeln!(w)?)
        })?;
        // The config as run, so that `cxm diff` can name the keys that changed whatever
        // happens to the original (its SHA-256 is the manifest's).
        let config_text = match config_text.take() {
            Some(text) => text,
            None => std::fs::read(config)
                .with_context(|| format!("cannot read {}", config.display()))?,
        };
        write_file(&staging, "config.toml", |w| Ok(w.write_all(&config_text)?))?;
        let mut files: Vec<String> = [
            "results.json",
            "results.csv",
            "rejected.csv",
            "manifest.json",
            "config.toml",
        ]
        .map(String::from)
        .to_vec();
        let diff_json = match &diff {
            Some((_, json)) => {
                write_file(&staging, "diff.json", |w| Ok(w.write_all(json)?))?;
                files.push("diff.json".to_string());
                Some(serde_json::from_slice::<serde_json::Value>(json)?)
            }
            None => None,
        };
        for name in crate::deliverables::write_reports(
            &staging,
            &report,
            Some(&manifest),
            diff_json.as_ref(),
            pdf.as_deref(),
        )? {
            files.push(name);
        }
        for (metric, table) in cxm_report::result_tables(&report) {
            let name = format!("{metric}.{table}.csv");
            write_file(&staging, &name, |w| {
                Ok(cxm_report::render_result_table_csv(
                    &report, &metric, &table, w,
                )?)
            })?;
            files.push(name);
        }
        let names: Vec<&str> = files.iter().map(String::as_str).collect();
        staging.commit(&names)?;
        eprintln!(
            "wrote {}: {} ({rejected} rejection(s) in rejected.csv)",
            dir.display(),
            names.join(", ")
        );
    }
    if let Some(message) = fail {
        eprintln!("{message}");
        return Ok(1);
    }
    Ok(0)
}

fn render(
    report: &RunReport,
    format: Format,
    out: &mut impl Write,
    color: bool,
) -> anyhow::Result<()> {
    match format {
        Format::Table => cxm_report::render_table(report, out, &TableOptions { color })?,
        Format::Json => cxm_report::render_json(report, out)?,
        Format::Csv => cxm_report::render_csv(report, out)?,
    }
    Ok(())
}

/// The first [`REJECTION_EXAMPLES`] rejections of each dataset, scope and reason, in the
/// order they were found (file order).
#[derive(Default)]
struct RejectionExamples {
    /// Per dataset, scope and reason (few: metrics × reasons), the examples kept.
    seen: Vec<(String, String, String, usize)>,
    kept: Vec<Rejection>,
}

impl RejectionExamples {
    fn offer(&mut self, r: &Rejection) {
        // Found by comparing texts, not by a key made (three copies) for every rejection.
        let index =
            match self.seen.iter().position(|(d, s, reason, _)| {
                *d == r.dataset && *s == r.scope && *reason == r.reason
            }) {
                Some(i) => i,
                None => {
                    let key = (r.dataset.clone(), r.scope.clone(), r.reason.clone(), 0);
                    self.seen.push(key);
                    self.seen.len() - 1
                }
            };
        let count = &mut self.seen[index].3;
        if *count < REJECTION_EXAMPLES {
            *count += 1;
            self.kept.push(r.clone());
        }
    }

    fn into_vec(self) -> Vec<Rejection> {
        self.kept
    }
}

pub(crate) fn write_file(
    staging: &Staging,
    name: &str,
    body: impl FnOnce(&mut BufWriter<File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = File::create(staging.file(name)).with_context(|| format!("cannot create {name}"))?;
    let mut w = BufWriter::new(file);
    body(&mut w).with_context(|| format!("cannot write {name}"))?;
    w.flush().with_context(|| format!("cannot write {name}"))?;
    Ok(())
}

/// Every file the run reads: `--out` must not hold any of them, since a run replaces it.
fn inputs<'a>(config: &'a Path, plan: &'a Plan) -> Vec<&'a Path> {
    let mut v = vec![config];
    v.extend(
        plan.config
            .registry
            .paths
            .iter()
            .map(std::path::PathBuf::as_path),
    );
    for dataset in &plan.datasets {
        if !dataset.config.path.as_os_str().is_empty() {
            v.push(dataset.config.path.as_path());
        }
        v.extend(dataset.metrics.iter().map(|m| m.library.path.as_path()));
    }
    v
}

/// What produced the results: cxm version, config and input hashes, plugin libraries.
fn manifest(config: &Path, plan: &Plan, report: &RunReport) -> anyhow::Result<serde_json::Value> {
    let hash =
        |p: &Path| cxm_host::file_sha256(p).with_context(|| format!("cannot hash {}", p.display()));
    let plugins: Vec<serde_json::Value> = plan
        .datasets
        .iter()
        .flat_map(|d| &d.metrics)
        .map(|m| {
            serde_json::json!({
                "metric": m.config.id, "plugin": m.def.name, "library": m.library.name,
                "version": m.library.version, "abi": m.library.abi,
                "path": m.library.path.display().to_string(), "sha256": m.library.sha256,
            })
        })
        .collect();
    // Every registry file the config lists; `registry` is the first, as in earlier manifests.
    let registries = plan
        .config
        .registry
        .paths
        .iter()
        .map(|p| Ok(serde_json::json!({"path": p.display().to_string(), "sha256": hash(p)?})))
        .collect::<anyhow::Result<Vec<serde_json::Value>>>()?;
    let datasets: Vec<serde_json::Value> = report
        .datasets
        .iter()
        .map(|d| serde_json::json!({"name": d.name, "path": d.path, "sha256": d.sha256, "bytes": d.bytes}))
        .collect();
    Ok(serde_json::json!({
        "schema": "cxm.manifest/1",
        "cxm_version": env!("CARGO_PKG_VERSION"),
        "host_abi": cxm_host::abi_version(),
        "config": {"path": config.display().to_string(), "sha256": hash(config)?},
        "registry": {"path": plan.config.registry.path.display().to_string(), "sha256": hash(&plan.config.registry.path)?},
        "registries": registries,
        "datasets": datasets,
        "plugins": plugins,
    }))
}

/// A metric that finished with no row used (every row rejected or outside its filter) has
/// nothing behind its figures: say so loudly on stderr, with where its rows went.
fn warn_unused_metrics(report: &RunReport) {
    for m in report.metrics.iter().filter(|m| m.error.is_none()) {
        if m.rows_used > 0 {
            continue;
        }
        let read = report
            .datasets
            .iter()
            .find(|d| d.name == m.dataset)
            .map_or(0, |d| d.rows_read);
        let mut went: Vec<String> = m
            .rows_rejected
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(reason, n)| format!("{n} rejected ({reason})"))
            .collect();
        if m.rows_filtered > 0 {
            went.push(format!("{} outside its filter", m.rows_filtered));
        }
        let went = if went.is_empty() {
            String::new()
        } else {
            format!(": {}", went.join(", "))
        };
        eprintln!(
            "warning: metric \"{}\" used none of the {read} rows of dataset \"{}\"{went}; its figures are empty. Check its input mapping (`cxm validate` reads a sample) and the rejected rows",
            m.metric, m.dataset
        );
    }
}

/// What reading found that may make figures or texts wrong (bytes of another encoding,
/// local times at a daylight-saving change), one paragraph per warning on stderr; the same
/// is in results.json and the report's appendix.
fn print_data_warnings(report: &RunReport) {
    for d in &report.datasets {
        for w in &d.warnings {
            eprintln!("warning: dataset \"{}\": {}", d.name, w.message);
        }
    }
}
