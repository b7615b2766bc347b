//! `cxm report`: the client report rendered again from a saved `results.json`, without the
//! data or the plugins, as HTML (stdout or a file), Excel or PDF.

use crate::cli::Language;
use crate::deliverables::{find_chromium, language_of, print_pdf, write_atomically};
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Renders `results` to `output` (by its extension) or, without one, HTML to stdout.
pub fn report(
    results: &Path,
    output: Option<&Path>,
    language: Option<Language>,
) -> anyhow::Result<i32> {
    let bytes =
        std::fs::read(results).with_context(|| format!("cannot read {}", results.display()))?;
    let mut report = cxm_report::parse_json(&bytes)
        .with_context(|| format!("cannot read {}", results.display()))?;
    if let Some(language) = language {
        report.settings.language = match language {
            Language::En => "en",
            Language::Ru => "ru",
        }
        .to_string();
    }
    let lang = language_of(&report);
    let manifest = read_beside(results, "manifest.json")?;
    // Written by `cxm run --baseline`: the section "Changes since the baseline".
    let diff = read_beside(results, "diff.json")?;
    let html = || -> anyhow::Result<Vec<u8>> {
        let mut buf = Vec::new();
        cxm_html::render_html_with_changes(
            &report,
            lang,
            manifest.as_ref(),
            diff.as_ref(),
            &mut buf,
        )?;
        Ok(buf)
    };
    let Some(output) = output else {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&html()?)?;
        stdout.flush()?;
        return Ok(0);
    };
    let extension = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => write_atomically(output, &html()?)?,
        Some("xlsx") => {
            let mut buf = Vec::new();
            cxm_workbook::render_xlsx(&report, lang, &mut buf)?;
            write_atomically(output, &buf)?;
        }
        Some("pdf") => {
            let chromium = find_chromium()?;
            let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
            let page = dir.path().join("report.html");
            std::fs::write(&page, html()?).context("cannot write the temporary HTML")?;
            let pdf = dir.path().join("report.pdf");
            print_pdf(&chromium, &page, &pdf)?;
            let bytes = std::fs::read(&pdf).context("cannot read the printed PDF")?;
            write_atomically(output, &bytes)?;
        }
        _ => {
            return Err(crate::exit::Usage(format!(
                "-o {}: the report is written as .html, .xlsx or .pdf",
                output.display()
            ))
            .into())
        }
    }
    eprintln!("wrote {}", output.display());
    Ok(0)
}

/// The JSON file `name` (`manifest.json`, `diff.json`) beside `results`, when there is one.
fn read_beside(results: &Path, name: &str) -> anyhow::Result<Option<serde_json::Value>> {
    let path = results.with_file_name(name);
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON", path.display()))?;
    Ok(Some(value))
}
