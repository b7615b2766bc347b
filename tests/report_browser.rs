//! The HTML report in a real browser: for each shipped client, `cxm run --out` writes
//! `report.html` (English) and `cxm report --language ru` re-renders it in Russian; headless
//! Chromium (scripts/chromium.sh, `CXM_TEST_CHROMIUM`) opens each one from a `file://` URL and
//! the test checks that it loads without console errors or network requests, that its charts
//! have a size, that every figure it shows (`<data class="fig">`) equals results.json in the
//! report's number format, and that it prints to a multi-page A4 PDF.
//!
//! `CXM_UPDATE_SCREENSHOT=1` also writes the demo report's cover and executive summary to
//! docs/report-demo.png (scripts/update-screenshot.sh); otherwise nothing in the repository is
//! written.

#[path = "support/cdp.rs"]
mod cdp;
mod common;
#[path = "support/figures.rs"]
mod figures;

use std::path::{Path, PathBuf};

use cdp::Browser;
use figures::{at_path, check_figures, parse_shown, Lang, Shown};
use serde_json::{json, Value};

/// The run date is fixed, so reports (and the screenshot) are reproducible.
const SOURCE_DATE_EPOCH: &str = "1767225600";

/// The browser binary, or None (with a notice) when browser tests are to be skipped; under CI
/// they may not be.
fn chromium() -> Option<PathBuf> {
    match std::env::var_os("CXM_TEST_CHROMIUM") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CXM_TEST_CHROMIUM must be set in CI (eval \"$(scripts/chromium.sh)\")")
        }
        _ => {
            eprintln!(
                "skipping browser test: CXM_TEST_CHROMIUM not set (eval \"$(scripts/chromium.sh)\")"
            );
            None
        }
    }
}

/// What a page must show besides the figures' correctness.
struct Expect {
    lang: Lang,
    min_charts: usize,
    min_figures: usize,
    /// The section "Changes since the baseline" (`cxm run --baseline`) is shown.
    changes: bool,
}

/// A `file://` URL for an absolute path (bytes outside the unreserved set percent-encoded).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_str().expect("UTF-8 path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Everything the checks need from the DOM, gathered in one evaluation.
const GATHER: &str = r#"(() => {
  const csp = Array.from(document.querySelectorAll('meta[http-equiv]'))
    .filter(m => m.httpEquiv.toLowerCase() === 'content-security-policy')
    .map(m => ({ content: m.content, in_head: m.parentElement === document.head }));
  const names = ['src', 'srcset', 'href', 'poster', 'action', 'formaction', 'data'];
  const refs = Array.from(document.querySelectorAll('[src],[srcset],[*|href],[poster],[action],[formaction],object[data]'))
    .flatMap(e => Array.from(e.attributes)
      .filter(a => names.includes(a.localName))
      .map(a => ({ element: e.localName, attribute: a.name, value: a.value })));
  const svgs = Array.from(document.querySelectorAll('figure.chart svg')).map(s => {
    const r = s.getBoundingClientRect();
    const f = s.closest('figure.chart');
    return { chart: f.getAttribute('data-chart'), width: r.width, height: r.height };
  });
  const empty_charts = Array.from(document.querySelectorAll('figure.chart'))
    .filter(f => !f.querySelector('svg')).map(f => f.getAttribute('data-chart'));
  const figs = Array.from(document.querySelectorAll('data.fig')).map(e => ({
    attrs: Object.fromEntries(Array.from(e.attributes).map(a => [a.name, a.value])),
    text: e.textContent,
  }));
  const c = document.querySelector('section#changes');
  const changes = c ? { height: c.getBoundingClientRect().height,
    title: (c.querySelector('h2') || {}).textContent || '',
    lists: Array.from(c.querySelectorAll('h3')).map(h => h.className) } : null;
  return { lang: document.documentElement.getAttribute('lang'), csp, refs, svgs, empty_charts, figs, changes };
})()"#;

/// Opens `html` in a new page of `browser` and returns every failed check, each one line.
/// With `screenshot`, also writes the cover and executive summary there as PNG.
fn check_page(
    browser: &mut Browser,
    html: &Path,
    results: &Value,
    expect: &Expect,
    screenshot: Option<&Path>,
) -> Vec<String> {
    match check_page_inner(browser, html, results, expect, screenshot) {
        Ok(failures) => failures,
        Err(e) => vec![format!("browser: {e}")],
    }
}

/// Clicks the value column's header of the first results table with several rows, twice,
/// and reports whether the rows came out ascending, then descending.
const SORT_CHECK: &str = r#"(() => {
  const tables = [...document.querySelectorAll('table.results')].filter(t => t.tBodies[0].rows.length > 2);
  if (tables.length === 0) { return {tables: 0}; }
  const t = tables[0];
  const th = t.querySelectorAll('thead th')[1];
  const values = () => [...t.tBodies[0].rows].map(r => r.cells[1].querySelector('data.fig'))
    .filter(d => d).map(d => parseFloat(d.getAttribute('value')));
  const ordered = (v, up) => v.every((x, i) => i === 0 || (up ? v[i - 1] <= x : v[i - 1] >= x));
  th.click();
  const ascending = ordered(values(), true) && th.getAttribute('aria-sort') === 'ascending';
  th.click();
  const descending = ordered(values(), false) && th.getAttribute('aria-sort') === 'descending';
  return {tables: tables.length, ascending, descending, values: values()};
})()"#;

fn check_page_inner(
    browser: &mut Browser,
    html: &Path,
    results: &Value,
    expect: &Expect,
    screenshot: Option<&Path>,
) -> cdp::Result<Vec<String>> {
    let mut failures = Vec::new();
    let url = file_url(html);
    let mut page = browser.new_page()?;
    page.navigate(&url)?;
    let dom = page.evaluate(GATHER)?;

    // 6. Language.
    let lang = dom["lang"].as_str().unwrap_or("(none)");
    if lang != expect.lang.code() {
        failures.push(format!(
            "<html lang> is {lang:?}, expected {:?}",
            expect.lang.code()
        ));
    }

    // 2. Self-contained: a CSP forbidding everything by default, no external references.
    let csp = dom["csp"].as_array().cloned().unwrap_or_default();
    if !csp.iter().any(|m| {
        m["in_head"] == true
            && m["content"]
                .as_str()
                .is_some_and(|c| c.contains("default-src 'none'"))
    }) {
        failures.push(format!(
            "no <meta http-equiv=\"Content-Security-Policy\"> in <head> with default-src 'none' (found {csp:?})"
        ));
    }
    for r in dom["refs"].as_array().into_iter().flatten() {
        let value = r["value"].as_str().unwrap_or_default();
        let fragment =
            r["attribute"].as_str().is_some_and(|a| a.ends_with("href")) && value.starts_with('#');
        if !fragment && !value.starts_with("data:") {
            failures.push(format!(
                "<{} {}={value:?}>: only #fragment links and data: URLs may be referenced",
                r["element"].as_str().unwrap_or("?"),
                r["attribute"].as_str().unwrap_or("?")
            ));
        }
    }

    // 8. The baseline comparison: shown, with its title and lists in order, when expected.
    match (&dom["changes"], expect.changes) {
        (Value::Null, false) => {}
        (Value::Null, true) => failures.push("no section#changes (run with --baseline)".into()),
        (_, false) => failures.push("section#changes without --baseline".into()),
        (c, true) => {
            let title = if expect.lang == Lang::Ru {
                "Изменения с базового расчёта"
            } else {
                "Changes since the baseline"
            };
            if c["title"] != title || c["height"].as_f64().unwrap_or(0.0) <= 50.0 {
                failures.push(format!("section#changes: {c}"));
            }
            if c["lists"] != json!(["restated", "changed", "only_new", "only_old", "drift"]) {
                failures.push(format!("section#changes lists out of order: {c}"));
            }
        }
    }

    // 3. Charts have a size.
    let svgs = dom["svgs"].as_array().cloned().unwrap_or_default();
    if svgs.len() < expect.min_charts {
        failures.push(format!(
            "{} chart SVGs (figure.chart svg), expected at least {}",
            svgs.len(),
            expect.min_charts
        ));
    }
    for s in &svgs {
        let (w, h) = (
            s["width"].as_f64().unwrap_or(0.0),
            s["height"].as_f64().unwrap_or(0.0),
        );
        if w <= 50.0 || h <= 50.0 {
            failures.push(format!(
                "chart {} is {w}×{h} px (both must exceed 50)",
                s["chart"]
            ));
        }
    }
    for c in dom["empty_charts"].as_array().into_iter().flatten() {
        failures.push(format!("figure.chart data-chart={c} has no <svg>"));
    }

    // 4. and 6. Figures.
    let figs = dom["figs"].as_array().cloned().unwrap_or_default();
    failures.extend(check_figures(
        &figs,
        results,
        expect.lang,
        expect.min_figures,
    ));

    // 5. Prints to a multi-page A4 PDF.
    let pdf = page.print_to_pdf(json!({
        "paperWidth": 8.27,
        "paperHeight": 11.69,
        "printBackground": true,
        "preferCSSPageSize": true,
    }))?;
    if !pdf.starts_with(b"%PDF") {
        failures.push("printToPDF did not return a PDF".into());
    } else {
        match pdf_pages(&pdf) {
            Ok(n) => {
                eprintln!(
                    "{}: {} figures, {} chart SVGs, {n} PDF pages",
                    html.display(),
                    figs.len(),
                    svgs.len()
                );
                if n < 2 {
                    failures.push(format!("the PDF has {n} page(s), expected more than one"));
                }
            }
            Err(e) => failures.push(format!("PDF: {e}")),
        }
    }

    // 7. Tables sort by a click on a header: numbers by their exact value, then reversed.
    let sorted = page.evaluate(SORT_CHECK)?;
    if sorted["tables"].as_u64().unwrap_or(0) > 0
        && (sorted["ascending"] != true || sorted["descending"] != true)
    {
        failures.push(format!(
            "sorting a table by its value column failed: {sorted}"
        ));
    }

    if let Some(path) = screenshot {
        // The cover and the executive summary, at the 1200 px wide viewport.
        let bottom = page.evaluate(
            "(() => { const s = document.querySelector('#summary, section.summary'); \
             return s ? s.getBoundingClientRect().bottom + window.scrollY : 900; })()",
        )?;
        let height = (bottom.as_f64().unwrap_or(900.0) + 32.0)
            .clamp(900.0, 3000.0)
            .round();
        let clip = json!({"x": 0, "y": 0, "width": 1200, "height": height, "scale": 1});
        let png = page.screenshot(Some(clip))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }

    // 1. and 2. What the browser logged and requested, up to now (after printing too).
    let events: Vec<Value> = page.events().cloned().collect();
    failures.extend(check_events(&events, &url));
    Ok(failures)
}

/// Console errors and warnings, uncaught exceptions, and any request but the page itself.
fn check_events(events: &[Value], url: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let mut urls = std::collections::HashMap::new();
    for e in events {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or_default() {
            "Runtime.consoleAPICalled"
                if matches!(p["type"].as_str(), Some("error" | "warning" | "assert")) =>
            {
                let args: Vec<String> = p["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        a["value"]
                            .as_str()
                            .map_or_else(|| a.to_string(), str::to_owned)
                    })
                    .collect();
                failures.push(format!(
                    "console.{}: {}",
                    p["type"].as_str().unwrap_or("?"),
                    args.join(" ")
                ));
            }
            "Log.entryAdded"
                if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) =>
            {
                failures.push(format!(
                    "log {} ({}): {} {}",
                    p["entry"]["level"].as_str().unwrap_or("?"),
                    p["entry"]["source"].as_str().unwrap_or("?"),
                    p["entry"]["text"].as_str().unwrap_or("?"),
                    p["entry"]["url"].as_str().unwrap_or("")
                ));
            }
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                failures.push(format!(
                    "uncaught exception: {} {}",
                    d["text"].as_str().unwrap_or("?"),
                    d["exception"]["description"].as_str().unwrap_or("")
                ));
            }
            "Network.requestWillBeSent" => {
                let u = p["request"]["url"].as_str().unwrap_or_default();
                urls.insert(p["requestId"].to_string(), u.to_owned());
                if u != url && !u.starts_with("data:") {
                    failures.push(format!("network request attempted: {u}"));
                }
            }
            "Network.loadingFailed" => {
                let id = p["requestId"].to_string();
                failures.push(format!(
                    "loading failed: {} ({}{})",
                    urls.get(&id).map_or("?", String::as_str),
                    p["errorText"].as_str().unwrap_or("?"),
                    p["blockedReason"]
                        .as_str()
                        .map_or(String::new(), |r| format!(", blocked: {r}"))
                ));
            }
            _ => {}
        }
    }
    failures
}

/// The number of pages of a PDF: the `/Count` of its root page tree (the largest of the
/// `/Type /Pages` objects' counts, since each intermediate tree counts a subset), checked
/// against the number of `/Type /Page` objects. Chromium (Skia) writes these dictionaries
/// uncompressed; only content streams are deflated, and they cannot contain `endobj`.
fn pdf_pages(pdf: &[u8]) -> Result<usize, String> {
    let text = String::from_utf8_lossy(pdf);
    // The token after `/Type` in an object, e.g. `/Page` or `/Pages`.
    let type_of = |obj: &str| -> Option<String> {
        let i = obj.find("/Type")?;
        let rest = obj[i + 5..].trim_start().strip_prefix('/')?;
        Some(
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect(),
        )
    };
    let (mut pages, mut count) = (0, None::<usize>);
    for obj in text.split("endobj") {
        match type_of(obj).as_deref() {
            Some("Page") => pages += 1,
            Some("Pages") => {
                let i = obj.find("/Count").ok_or("a page tree without /Count")?;
                let digits: String = obj[i + 6..]
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                let n: usize = digits.parse().map_err(|_| "a bad /Count")?;
                count = Some(count.map_or(n, |c| c.max(n)));
            }
            _ => {}
        }
    }
    match count {
        Some(n) if n == pages => Ok(n),
        Some(n) => Err(format!(
            "page tree /Count {n} but {pages} /Type /Page objects"
        )),
        None => Err("no uncompressed page tree (/Type /Pages) found".into()),
    }
}

/// Runs cxm, panicking with its stderr when it fails.
fn cxm(args: &[&str]) {
    let out = common::cxm()
        .args(args)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .output()
        .expect("cxm runs");
    assert!(
        out.status.success(),
        "cxm {args:?} failed: {}",
        common::stderr(&out)
    );
}

#[test]
fn reports_render_in_chromium() {
    let Some(binary) = chromium() else { return };
    let mut browser = Browser::launch(&binary).unwrap_or_else(|e| panic!("{e}"));
    let update_screenshot = std::env::var("CXM_UPDATE_SCREENSHOT").as_deref() == Ok("1");
    let mut failures = Vec::new();
    for (client, min_charts) in [
        ("demo", 3),
        ("saas", 1),
        ("retail", 1),
        ("survey_analytics", 3),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("out");
        let config = format!("config/clients/{client}.toml");
        cxm(&["run", &config, "--out", out.to_str().unwrap()]);
        let results_path = out.join("results.json");
        let ru = out.join("report.ru.html");
        cxm(&[
            "report",
            results_path.to_str().unwrap(),
            "-o",
            ru.to_str().unwrap(),
            "--language",
            "ru",
        ]);
        let results =
            serde_json::from_str(&std::fs::read_to_string(&results_path).expect("results.json"))
                .expect("results.json is JSON");
        for (file, lang) in [(out.join("report.html"), Lang::En), (ru, Lang::Ru)] {
            let expect = Expect {
                lang,
                min_charts,
                min_figures: 20,
                changes: false,
            };
            let shot = (update_screenshot && client == "demo" && lang == Lang::En)
                .then(|| common::repo().join("docs/report-demo.png"));
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let found = check_page(&mut browser, &file, &results, &expect, shot.as_deref());
            eprintln!("{client} {name}: {} failure(s)", found.len());
            failures.extend(found.into_iter().map(|f| format!("{client} {name}: {f}")));
        }
    }
    // The demo run again, compared with the first run (--baseline): the same checks, and
    // the section "Changes since the baseline" under the same CSP.
    let tmp = tempfile::tempdir().expect("tempdir");
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    cxm(&[
        "run",
        "config/clients/demo.toml",
        "--out",
        old.to_str().unwrap(),
    ]);
    cxm(&[
        "run",
        "config/clients/demo.toml",
        "--out",
        new.to_str().unwrap(),
        "--baseline",
        old.to_str().unwrap(),
    ]);
    let results_path = new.join("results.json");
    let ru = new.join("report.ru.html");
    cxm(&[
        "report",
        results_path.to_str().unwrap(),
        "-o",
        ru.to_str().unwrap(),
        "--language",
        "ru",
    ]);
    let results = serde_json::from_str(&std::fs::read_to_string(&results_path).unwrap())
        .expect("results.json is JSON");
    for (file, lang) in [(new.join("report.html"), Lang::En), (ru, Lang::Ru)] {
        let expect = Expect {
            lang,
            min_charts: 3,
            min_figures: 20,
            changes: true,
        };
        let found = check_page(&mut browser, &file, &results, &expect, None);
        eprintln!(
            "demo --baseline {}: {} failure(s)",
            file.display(),
            found.len()
        );
        failures.extend(
            found
                .into_iter()
                .map(|f| format!("demo --baseline {}: {f}", file.display())),
        );
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---- The checker itself, on hand-written fixtures ---------------------------------------

/// `x` with `decimals` decimals in `lang`'s format (minus sign U+2212).
fn format_number(x: f64, decimals: usize, lang: Lang) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sep = if lang == Lang::En { ',' } else { '\u{a0}' };
    let mut out = String::new();
    if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('\u{2212}');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(lang.decimal_mark());
        out.push_str(frac);
    }
    out
}

/// A results.json in the shape cxm writes (only the parts figures point to).
fn fixture_results() -> Value {
    let mut results = vec![json!({
        "metric": "nps", "group": {}, "value": 23.456, "n": 2950,
        "ci": {"low": 20.125, "high": 26.75},
        "details": {"promoters_pct": 45.1, "detractors_pct": 21.644},
        "tables": [{"name": "by_score", "columns": ["score", "count", "share"],
                    "rows": [[0, 12, 0.4], [10, 1234.5, 41.85]]}],
    })];
    for (i, region) in ["North", "South", "East", "West"].iter().enumerate() {
        let i = i as f64;
        results.push(json!({
            "metric": "nps", "group": {"region": region, "period": "2025-Q2"},
            "value": -5.25 + 7.5 * i, "n": 700.0 + 31.5 * i,
            "ci": {"low": -12.5 + i, "high": 2.0 + 8.0 * i},
            "trend": {"delta": 1.5 - i, "p_value": 0.0004 + 0.2 * i, "previous_value": 10.0},
        }));
    }
    json!({
        "datasets": [{"name": "survey", "rows_read": 3012, "rows_accepted": 3000,
                      "rows_rejected": 12, "duplicates": 0}],
        "metrics": [{"metric": "nps", "rows_used": 2950, "rows_filtered": 0,
                     "rows_rejected": {"empty": 50}}],
        "results": results,
    })
}

/// `<data class="fig">` elements for the fixture's numbers: (attributes, path to the value in
/// the fixture, decimals shown).
fn fixture_figures(results: &Value, lang: Lang) -> Vec<String> {
    let mut figs = Vec::new();
    let mut fig = |attrs: String, raw: &Value, decimals: usize| {
        let raw = raw.as_f64().expect("number");
        let text = if decimals == 3 && raw < 0.001 {
            format!("<0{}001", lang.decimal_mark()).replace('<', "&lt;")
        } else {
            format_number(raw, decimals, lang)
        };
        figs.push(format!(
            "<data class=\"fig\" value=\"{raw}\" {attrs}>{text}</data>"
        ));
    };
    for r in results["results"].as_array().unwrap() {
        let (metric, group) = (r["metric"].as_str().unwrap(), r["group"].to_string());
        let base = format!("data-scope=\"result\" data-metric=\"{metric}\" data-group='{group}'");
        for (path, d) in [
            ("value", 1),
            ("n", 0),
            ("ci.low", 1),
            ("ci.high", 1),
            ("details.promoters_pct", 1),
            ("trend.delta", 1),
            ("trend.p_value", 3),
        ] {
            if let Some(v) = at_path(r, path) {
                fig(format!("{base} data-field=\"{path}\""), v, d);
            }
        }
        for t in r["tables"].as_array().into_iter().flatten() {
            let name = t["name"].as_str().unwrap();
            for (i, row) in t["rows"].as_array().unwrap().iter().enumerate() {
                for (c, col) in t["columns"].as_array().unwrap().iter().enumerate() {
                    let col = col.as_str().unwrap();
                    let attrs = format!(
                        "data-scope=\"table\" data-metric=\"{metric}\" data-group='{group}' data-table=\"{name}\" data-row=\"{i}\" data-col=\"{col}\""
                    );
                    fig(attrs, &row[c], 1);
                }
            }
        }
    }
    for field in ["rows_used", "rows_rejected.empty"] {
        let v = at_path(&results["metrics"][0], field).unwrap();
        fig(
            format!("data-scope=\"metric\" data-metric=\"nps\" data-field=\"{field}\""),
            v,
            0,
        );
    }
    for field in ["rows_read", "rows_accepted", "rows_rejected"] {
        let v = &results["datasets"][0][field];
        fig(
            format!("data-scope=\"dataset\" data-dataset=\"survey\" data-field=\"{field}\""),
            v,
            0,
        );
    }
    figs
}

/// A report page: `head` goes into <head> after the CSP, `body` before the figures.
fn fixture_html(lang: Lang, csp: &str, head: &str, body: &str, figs: &[String]) -> String {
    format!(
        r##"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<style>@page {{ size: A4; margin: 15mm }} section {{ break-after: page }}</style>{head}
</head><body>
<section><h1>Fixture report</h1>
<figure class="chart" data-chart="bars"><svg width="600" height="240" viewBox="0 0 600 240">
<rect x="10" y="10" width="300" height="100" fill="#36c"/></svg></figure>{body}
<p>{figs}</p></section>
<section><h2>Second page</h2><p>More text on <a href="#top">a link</a>, https://example.com in text.</p></section>
</body></html>"##,
        lang = lang.code(),
        figs = figs.join(" ")
    )
}

const FIXTURE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

fn fixture_expect(lang: Lang) -> Expect {
    Expect {
        lang,
        min_charts: 1,
        min_figures: 20,
        changes: false,
    }
}

#[test]
fn figure_text_rules() {
    use Shown::*;
    let ok = [
        ("1,234.5", Lang::En, Number(1234.5, 1)),
        ("\u{2212}0.25", Lang::En, Number(-0.25, 2)),
        ("+3", Lang::En, Number(3.0, 0)),
        ("999", Lang::En, Number(999.0, 0)),
        ("1\u{a0}234,5", Lang::Ru, Number(1234.5, 1)),
        ("12\u{202f}345", Lang::Ru, Number(12345.0, 0)),
        ("1234", Lang::Ru, Number(1234.0, 0)),
        ("-0,5", Lang::Ru, Number(-0.5, 1)),
        ("<0.001", Lang::En, Below(0.001)),
        ("<0,001", Lang::Ru, Below(0.001)),
    ];
    for (text, lang, want) in ok {
        assert_eq!(parse_shown(text, lang), Ok(want), "{text:?} {lang:?}");
    }
    let bad = [
        ("1234.5", Lang::En),  // not grouped
        ("1 234.5", Lang::En), // Russian separator in English
        ("1,234,5", Lang::Ru), // English grouping in Russian
        ("1.5", Lang::Ru),     // decimal point in Russian
        ("12 345", Lang::Ru),  // an ordinary space may break the line
        ("12345", Lang::Ru),   // not grouped
        ("1,23.5", Lang::En),  // a group of two
        ("45%", Lang::En),     // a unit inside the element
        ("", Lang::En),
        ("1.", Lang::En),
        ("<-0.001", Lang::En),
    ];
    for (text, lang) in bad {
        assert!(
            parse_shown(text, lang).is_err(),
            "{text:?} {lang:?} accepted"
        );
    }
    assert_eq!(format_number(-1234.56, 1, Lang::Ru), "\u{2212}1\u{a0}234,6");
    assert_eq!(format_number(1234567.0, 0, Lang::En), "1,234,567");
    assert_eq!(format_number(-0.01, 1, Lang::En), "0.0");
}

#[test]
fn checker_accepts_good_fixture() {
    let Some(binary) = chromium() else { return };
    let mut browser = Browser::launch(&binary).unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let results = fixture_results();
    for lang in [Lang::En, Lang::Ru] {
        let figs = fixture_figures(&results, lang);
        let html = tmp.path().join(format!("good.{}.html", lang.code()));
        std::fs::write(&html, fixture_html(lang, FIXTURE_CSP, "", "", &figs)).unwrap();
        let failures = check_page(&mut browser, &html, &results, &fixture_expect(lang), None);
        assert!(failures.is_empty(), "{lang:?}: {failures:#?}");
    }
}

#[test]
fn checker_rejects_wrong_figure() {
    let Some(binary) = chromium() else { return };
    let mut browser = Browser::launch(&binary).unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let results = fixture_results();
    let mut figs = fixture_figures(&results, Lang::En);
    // The overall NPS shown as 24.5 instead of 23.5.
    assert!(figs[0].ends_with(">23.5</data>"), "{}", figs[0]);
    figs[0] = figs[0].replace(">23.5<", ">24.5<");
    let html = tmp.path().join("wrong.html");
    std::fs::write(&html, fixture_html(Lang::En, FIXTURE_CSP, "", "", &figs)).unwrap();
    let failures = check_page(
        &mut browser,
        &html,
        &results,
        &fixture_expect(Lang::En),
        None,
    );
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].contains("data-metric=\"nps\"")
            && failures[0].contains("data-field=\"value\"")
            && failures[0].contains("shows \"24.5\" for 23.456"),
        "{failures:#?}"
    );
}

#[test]
fn checker_rejects_broken_pages() {
    let Some(binary) = chromium() else { return };
    let mut browser = Browser::launch(&binary).unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let results = fixture_results();
    let mut figs = fixture_figures(&results, Lang::En);
    figs.push(
        "<data class=\"fig\" value=\"7\" data-scope=\"metric\" data-metric=\"nps\" data-field=\"rows_filtered\">7</data>"
            .into(),
    );
    figs.push(
        "<data class=\"fig\" value=\"1\" data-scope=\"result\" data-metric=\"nps\" data-group='{}' data-field=\"benchmark.delta\">1</data>"
            .into(),
    );
    figs.push(
        "<data class=\"fig\" value=\"3000\" data-scope=\"dataset\" data-dataset=\"survey\" data-field=\"rows_accepted\">3\u{a0}000</data>"
            .into(),
    );
    let csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";
    let body = r#"<img src="https://example.invalid/logo.png" alt="">
<figure class="chart" data-chart="tiny"><svg width="40" height="40"></svg></figure>
<script>console.error('boom'); setTimeout(() => { throw new Error('late'); });</script>"#;
    let html = tmp.path().join("broken.html");
    std::fs::write(&html, fixture_html(Lang::Ru, csp, "", body, &figs)).unwrap();
    let expect = Expect {
        lang: Lang::En,
        min_charts: 1,
        min_figures: 20,
        changes: false,
    };
    let failures = check_page(&mut browser, &html, &results, &expect, None);
    let text = failures.join("\n");
    for want in [
        "<html lang> is \"ru\"",
        "data-field=\"rows_filtered\"",
        "value 7 but results.json has 0",
        "no field \"benchmark.delta\"",
        r#""3\u{a0}000" is not a number in the en format"#,
        "<img src=\"https://example.invalid/logo.png\">",
        "chart \"tiny\" is 40×40 px",
        "console.error: boom",
        "uncaught exception",
    ] {
        assert!(text.contains(want), "no failure with {want:?} in:\n{text}");
    }
    // Without figures the page fails too.
    let html = tmp.path().join("empty.html");
    std::fs::write(&html, fixture_html(Lang::En, FIXTURE_CSP, "", "", &[])).unwrap();
    let failures = check_page(
        &mut browser,
        &html,
        &results,
        &fixture_expect(Lang::En),
        None,
    );
    assert_eq!(
        failures,
        ["0 figures (<data class=\"fig\">), expected at least 20"]
    );
}

#[test]
fn pdf_page_count() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n\
        2 0 obj\n<</Type /Pages /Kids [3 0 R 4 0 R] /Count 2>>\nendobj\n\
        3 0 obj\n<</Type /Page /Parent 2 0 R>>\nendobj\n\
        4 0 obj\n<</Type/Page/Parent 2 0 R>>\nendobj\n";
    assert_eq!(pdf_pages(pdf), Ok(2));
    assert!(pdf_pages(&pdf[..pdf.len() - 40]).is_err());
}

#[test]
fn json_numbers_are_read_exactly() {
    // serde_json's float_roundtrip feature (workspace Cargo.toml) makes this exact; without it
    // 0.39095744680851396 reads as 0.3909574468085139 and figures would seem 1 ULP off.
    let v: Value = serde_json::from_str(r#"{"b": [0.39095744680851396, -3, 1e-7]}"#).unwrap();
    let exact: f64 = "0.39095744680851396".parse().unwrap();
    assert_eq!(v["b"][0].as_f64(), Some(exact));
    assert_eq!(v["b"][1], json!(-3));
    assert_eq!(v["b"][2].as_f64(), Some(1e-7));
}

// ---- Many segments ------------------------------------------------------------------------

/// What a page of many segments shows: the rows of every segment table (first cells) and
/// the notes under charts and tables.
const SEGMENTS_GATHER: &str = r#"(() => {
  const tables = [...document.querySelectorAll('table.results, table.nps-split')].map(t => ({
    class: t.className,
    labels: [...t.tBodies[0].rows].map(r => r.cells[0].textContent.replace(/\s*\(n<min\)$/, '')),
  }));
  const notes = [...document.querySelectorAll('figure.chart figcaption, p.small.muted')]
    .map(e => e.textContent);
  const bars = [...document.querySelectorAll('figure.chart[data-chart="bars"] svg')]
    .map(s => s.getBoundingClientRect().height);
  return { tables, notes, bars };
})()"#;

/// NPS per customer for 1,500 customers (customer i answers 1 + i % 7 times): the report's
/// charts show the 30 with the most answers and its tables the 1,000 with the most answers,
/// each saying so, the figures it shows equal results.json, and results.csv keeps all of
/// them. Before these caps a report of 200,000 customers was a 475 MB page.
#[test]
fn a_report_of_many_segments_shows_the_most_answered_and_says_so() {
    let Some(binary) = chromium() else { return };
    let scratch = common::Scratch::new();
    let registry = scratch.survey_registry();
    let mut csv = String::from("customer_id,score\n");
    let mut answers = std::collections::BTreeMap::new();
    for i in 0..1500u32 {
        let n = 1 + i % 7;
        answers.insert(format!("CUST-{i:05}"), n);
        for j in 0..n {
            csv.push_str(&format!("CUST-{i:05},{}\n", (i * 7 + j * 3) % 11));
        }
    }
    let data = scratch.write("answers.csv", &csv);
    let config = scratch.write(
        "client.toml",
        &format!(
            "client = \"Many customers\"\nplugins = {:?}\n\n[datasets.survey]\npath = {:?}\n\
             [datasets.survey.fields]\ncustomer_id = \"customer_id\"\n\
             score = {{ column = \"score\", type = \"integer\" }}\n\n\
             [[metrics]]\nid = \"nps\"\nplugin = \"nps\"\ndataset = \"survey\"\n\
             inputs = {{ score = \"score\" }}\n\n[report]\ngroup_by = [\"customer_id\"]\n",
            registry.display().to_string(),
            data.display().to_string()
        ),
    );
    let out = scratch.path("out");
    cxm(&[
        "run",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let csv_rows = std::fs::read_to_string(out.join("results.csv")).expect("results.csv");
    assert_eq!(
        csv_rows.lines().count(),
        1 + 1 + 1500,
        "header, overall, every customer"
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();

    let mut browser = Browser::launch(&binary).unwrap_or_else(|e| panic!("{e}"));
    let html = out.join("report.html");
    let expect = Expect {
        lang: Lang::En,
        min_charts: 2,
        min_figures: 20,
        changes: false,
    };
    let failures = check_page(&mut browser, &html, &results, &expect, None);
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let mut page = browser.new_page().expect("page");
    page.navigate(&file_url(&html)).expect("navigate");
    let dom = page.evaluate(SEGMENTS_GATHER).expect("evaluate");
    let notes: Vec<&str> = dom["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for note in [
        "The chart shows the 30 of 1,500 segments with the most answers.",
        "The table lists the 1,000 of 1,500 segments with the most answers, in their order; report.xlsx and results.csv have them all.",
    ] {
        assert!(notes.iter().any(|n| n.contains(note)), "{note:?} not in {notes:?}");
    }
    // The bar chart of 30 segments has room for each (at least 8 px a bar).
    let bars = dom["bars"].as_array().unwrap();
    assert!(!bars.is_empty() && bars.iter().all(|h| h.as_f64().unwrap() >= 30.0 * 8.0));
    let tables = dom["tables"].as_array().unwrap();
    assert!(tables.len() >= 2, "{tables:?}");
    for t in tables {
        let labels: Vec<&str> = t["labels"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|l| l.starts_with("CUST-"))
            .collect();
        assert_eq!(labels.len(), 1000, "{}", t["class"]);
        // The most answered, in the segments' own order (by id here).
        let fewest_shown = labels.iter().map(|l| answers[*l]).min().unwrap();
        let shown: std::collections::BTreeSet<&str> = labels.iter().copied().collect();
        let most_left_out = answers
            .iter()
            .filter(|(id, _)| !shown.contains(id.as_str()))
            .map(|(_, &n)| n)
            .max()
            .unwrap();
        assert!(
            fewest_shown >= most_left_out,
            "{fewest_shown} < {most_left_out}"
        );
        assert!(labels.windows(2).all(|w| w[0] < w[1]), "{}", t["class"]);
    }
}
