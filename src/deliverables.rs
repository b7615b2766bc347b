//! The client deliverables of a run: the HTML report, the Excel workbook and, on request,
//! a PDF printed by an installed Chromium. Shared by `cxm run --out` and `cxm report`.

use crate::outdir::Staging;
use anyhow::Context;
use cxm_html::Lang;
use cxm_report::RunReport;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take to print a report.
const PDF_TIMEOUT: Duration = Duration::from_secs(120);

/// The run's date and time in UTC (RFC 3339): `SOURCE_DATE_EPOCH` when set (reproducible
/// reports, <https://reproducible-builds.org/specs/source-date-epoch/>), else now.
pub fn run_timestamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The report's language: `language` when given, else the one the run was configured with.
pub fn language_of(report: &RunReport) -> Lang {
    Lang::parse(&report.settings.language).unwrap_or(Lang::En)
}

/// Writes `report.html` and `report.xlsx` (and `report.pdf` with a Chromium) into staging;
/// returns the names written.
pub fn write_reports(
    staging: &Staging,
    report: &RunReport,
    manifest: Option<&serde_json::Value>,
    diff: Option<&serde_json::Value>,
    chromium: Option<&Path>,
) -> anyhow::Result<Vec<String>> {
    let lang = language_of(report);
    let mut names = vec!["report.html".to_string(), "report.xlsx".to_string()];
    crate::commands::write_file(staging, "report.html", |w| {
        Ok(cxm_html::render_html_with_changes(
            report, lang, manifest, diff, w,
        )?)
    })?;
    crate::commands::write_file(staging, "report.xlsx", |w| {
        Ok(cxm_workbook::render_xlsx(report, lang, w)?)
    })?;
    if let Some(chromium) = chromium {
        print_pdf(
            chromium,
            &staging.file("report.html"),
            &staging.file("report.pdf"),
        )?;
        names.push("report.pdf".to_string());
    }
    Ok(names)
}

/// Finds Chromium or Google Chrome: `CXM_CHROMIUM`, else the usual names on `PATH`.
pub fn find_chromium() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("CXM_CHROMIUM") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        anyhow::bail!("CXM_CHROMIUM names {}, which is not a file", path.display());
    }
    const NAMES: [&str; 5] = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
    ];
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for name in NAMES {
        for dir in &dirs {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    anyhow::bail!(
        "--pdf needs Chromium or Google Chrome, and none was found on PATH ({}); install one \
         (Debian/Ubuntu: apt-get install chromium) or set CXM_CHROMIUM to its path. Without \
         --pdf, open report.html in any browser and print it to PDF (A4) from there",
        NAMES.join(", ")
    )
}

/// Prints `html` to an A4 `pdf` with headless Chromium (no network: the report has no
/// external reference and its Content-Security-Policy forbids every fetch).
pub fn print_pdf(chromium: &Path, html: &Path, pdf: &Path) -> anyhow::Result<()> {
    let profile = tempfile::tempdir().context("cannot create a temporary browser profile")?;
    let html =
        std::fs::canonicalize(html).with_context(|| format!("cannot find {}", html.display()))?;
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-pdf-header-footer",
    ]);
    if running_as_root() {
        // Chromium refuses to start as root with its sandbox on.
        cmd.arg("--no-sandbox");
    }
    cmd.arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", chromium.display()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > PDF_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!(
                "{} did not print the report within {} s",
                chromium.display(),
                PDF_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let printed = std::fs::metadata(pdf).map(|m| m.len() > 0).unwrap_or(false);
    if !status.success() || !printed {
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        anyhow::bail!(
            "{} could not print the report to PDF ({status}){}",
            chromium.display(),
            if last.is_empty() {
                String::new()
            } else {
                format!(": {last}")
            }
        );
    }
    Ok(())
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Writes `bytes` to `path` atomically (a temporary file beside it, then a rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
