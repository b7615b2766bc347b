//! The client-ready HTML report: one self-contained file rendered from a
//! [`cxm_report::RunReport`] (a run, or a saved `results.json`). Inline CSS and inline SVG
//! charts, one inline script (sortable tables, allowed by its hash), no font, image or
//! request of any kind, and a Content-Security-Policy that forbids every fetch: it opens from a mail attachment or a USB stick, prints to a
//! clean A4 PDF, and the same report always gives the same bytes.
//!
//! Sections, in the order a client reads them: the cover ([`cover`]), the executive summary
//! ([`summary`]), one section per metric ([`metric`], [`shapes`]), the methods
//! ([`methods`]) and the appendix ([`appendix`]). Every number in the text and tables is a
//! `<data class="fig">` element that names its place in `results.json` ([`doc::fig`]).

mod appendix;
mod cap;
mod changes;
mod cover;
mod doc;
pub mod i18n;
mod methods;
mod metric;
mod movement;
mod names;
mod segment_sig;
mod shapes;
mod sort;
mod style;
mod view;
mod weighting;

pub use i18n::Lang;

use cover::anchor;
use doc::{esc, Html};
use i18n::Locale;
use view::View;

/// Renders the report as one self-contained HTML document. `manifest` (the run's
/// `manifest.json`) adds the plugin libraries' hashes to the appendix.
pub fn render_html(
    report: &cxm_report::RunReport,
    lang: Lang,
    manifest: Option<&serde_json::Value>,
    out: &mut impl std::io::Write,
) -> Result<(), std::io::Error> {
    render_html_with_changes(report, lang, manifest, None, out)
}

/// [`render_html`] with the section "Changes since the baseline" after the executive
/// summary when `diff` (a comparison with an earlier run, as `cxm diff --format json`
/// writes it, schema `cxm.diff/1`) is given. Without it the bytes are `render_html`'s.
pub fn render_html_with_changes(
    report: &cxm_report::RunReport,
    lang: Lang,
    manifest: Option<&serde_json::Value>,
    diff: Option<&serde_json::Value>,
    out: &mut impl std::io::Write,
) -> Result<(), std::io::Error> {
    let v = View::new(report, lang);
    let l = v.l;
    let mut h = Html::default();
    h.raw("<!DOCTYPE html>\n");
    h.raw(&format!("<html lang=\"{}\">\n<head>\n", lang.code()));
    h.raw("<meta charset=\"utf-8\">\n");
    h.raw(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
        style::csp()
    ));
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.raw("<meta name=\"referrer\" content=\"no-referrer\">\n");
    h.raw(&format!(
        "<meta name=\"generator\" content=\"cxm {}\">\n",
        esc(&report.cxm_version)
    ));
    h.el(
        "title",
        "",
        &format!("{} — {}", report.client, l.report_title),
    );
    h.raw("\n<style>");
    h.raw(style::CSS);
    h.raw("</style>\n</head>\n<body>\n<main>\n");
    cover::cover(&v, &mut h);
    toc(&v, &mut h, diff.is_some());
    summary::summary(&v, &mut h);
    if let Some(diff) = diff {
        changes::changes(&v, &mut h, diff);
    }
    for m in &report.metrics {
        metric::section(&v, &mut h, m);
    }
    methods::methods(&v, &mut h);
    appendix::appendix(&v, &mut h, manifest);
    h.raw(&format!("<footer>{}</footer>\n", esc(l.footer)));
    h.raw("</main>\n<script>");
    h.raw(sort::SCRIPT);
    h.raw("</script>\n</body>\n</html>\n");
    out.write_all(h.finish().as_bytes())?;
    out.flush()
}

mod summary;

fn toc(v: &View<'_>, h: &mut Html, with_changes: bool) {
    let l = v.l;
    h.open("nav", "class=\"toc\"");
    h.el("h2", "", l.contents);
    h.raw("<ol>");
    h.raw(&format!(
        "<li><a href=\"#summary\">{}</a></li>",
        esc(l.summary)
    ));
    if with_changes {
        h.raw(&format!(
            "<li><a href=\"#{}\">{}</a></li>",
            changes::ANCHOR,
            esc(v.lang.change_labels().title)
        ));
    }
    for m in &v.report.metrics {
        h.raw(&format!(
            "<li><a href=\"#metric-{}\">{}</a></li>",
            anchor(&m.metric),
            esc(&v.name(m))
        ));
    }
    h.raw(&format!(
        "<li><a href=\"#methods\">{}</a></li>",
        esc(l.methods)
    ));
    h.raw(&format!(
        "<li><a href=\"#appendix\">{}</a></li>",
        esc(l.appendix)
    ));
    h.raw("</ol>");
    h.close("nav");
}

#[cfg(test)]
mod tests;
