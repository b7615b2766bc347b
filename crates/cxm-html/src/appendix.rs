//! Section 5, the appendix: rejected rows and values by reason (counts, and the first few
//! examples exactly as `rejected.csv` holds them, values shortened), and the manifest: cxm
//! version, configuration, datasets and plugin libraries with their SHA-256.

use crate::cover::file_name;
use crate::doc::{esc, Html, Source};
use crate::i18n::Locale;
use crate::view::View;
use serde_json::Value;

/// Characters of an example value shown at most.
const VALUE_CHARS: usize = 80;

/// Writes the appendix.
pub fn appendix(v: &View<'_>, h: &mut Html, manifest: Option<&Value>) {
    let l = v.l;
    h.open("section", "class=\"appendix\" id=\"appendix\"");
    h.el("h2", "", l.appendix);
    h.el("h3", "", l.rejections_by_reason);
    let mut rows = Vec::new();
    for d in &v.report.datasets {
        let whole = d.rows_rejected - d.duplicates;
        if whole > 0 {
            // rows_rejected is a field of results.json only when it has no duplicates in it;
            // otherwise the difference is shown as plain text.
            let count = if d.duplicates == 0 {
                v.count_fig(
                    whole as f64,
                    &Source::Dataset {
                        dataset: &d.name,
                        field: "rows_rejected",
                    },
                )
            } else {
                v.lang.number(whole as f64, 0)
            };
            rows.push(vec![
                esc(&d.name),
                esc(l.whole_row),
                esc(&v.lang.reason("wrong_structure")),
                count,
            ]);
        }
        if d.duplicates > 0 {
            rows.push(vec![
                esc(&d.name),
                esc(l.whole_row),
                esc(&v.lang.reason("duplicate")),
                v.count_fig(
                    d.duplicates as f64,
                    &Source::Dataset {
                        dataset: &d.name,
                        field: "duplicates",
                    },
                ),
            ]);
        }
    }
    for m in &v.report.metrics {
        for (reason, n) in m.rows_rejected.iter().filter(|(_, n)| **n > 0) {
            let field = format!("rows_rejected.{reason}");
            rows.push(vec![
                esc(&m.dataset),
                esc(&v.name(m)),
                esc(&v.lang.reason(reason)),
                v.count_fig(
                    *n as f64,
                    &Source::Metric {
                        metric: &m.metric,
                        field: &field,
                    },
                ),
            ]);
        }
    }
    if rows.is_empty() {
        h.el("p", "", l.no_rejections);
    } else {
        h.table(
            "rejections",
            &[l.dataset, l.scope, l.reason, l.count],
            &[false, false, false, true],
            &rows,
        );
    }
    if !v.report.rejection_examples.is_empty() {
        h.el("h3", "", l.examples);
        let rows: Vec<Vec<String>> = v
            .report
            .rejection_examples
            .iter()
            .map(|r| {
                vec![
                    esc(&r.dataset),
                    v.lang.number(r.line as f64, 0),
                    esc(if r.scope == "row" {
                        l.whole_row
                    } else {
                        &r.scope
                    }),
                    esc(&r.field),
                    format!("<code>{}</code>", esc(&shorten(&r.value))),
                    esc(&v.lang.reason(&r.reason)),
                    esc(&r.detail),
                ]
            })
            .collect();
        h.table(
            "examples",
            &[
                l.dataset,
                l.line,
                l.scope,
                l.field,
                l.original_value,
                l.reason,
                l.details,
            ],
            &[false, true, false, false, false, false, false],
            &rows,
        );
    }
    data_warnings(v, h);
    crate::weighting::appendix(v, h);
    manifest_table(v, h, manifest);
    h.close("section");
}

/// What reading the datasets found that may make figures or texts wrong (the message
/// itself is the engine's, in English).
fn data_warnings(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    let rows: Vec<Vec<String>> = v
        .report
        .datasets
        .iter()
        .flat_map(|d| d.warnings.iter().map(move |w| (d, w)))
        .map(|(d, w)| {
            let kind = match w.kind.as_str() {
                "suspect_encoding" => l.suspect_encoding,
                "daylight_saving" => l.daylight_saving,
                "quantized_in_warehouse" => l.quantized_in_warehouse,
                other => other,
            };
            let lines: Vec<String> = w
                .lines
                .iter()
                .map(|n| v.lang.number(*n as f64, 0))
                .collect();
            vec![
                esc(&d.name),
                esc(kind),
                v.lang.number(w.count as f64, 0),
                esc(&lines.join(", ")),
                esc(&w.message),
            ]
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    h.el("h3", "", l.data_warnings);
    h.table(
        "data-warnings",
        &[l.dataset, l.warning_kind, l.count, l.first_lines, l.details],
        &[false, false, true, false, false],
        &rows,
    );
}

fn shorten(value: &str) -> String {
    if value.chars().count() <= VALUE_CHARS {
        value.to_string()
    } else {
        let cut: String = value.chars().take(VALUE_CHARS).collect();
        format!("{cut}…")
    }
}

fn manifest_table(v: &View<'_>, h: &mut Html, manifest: Option<&Value>) {
    let l = v.l;
    let r = v.report;
    h.el("h3", "", l.manifest);
    h.open("dl", "class=\"facts\"");
    h.el("dt", "", l.cxm_version).el("dd", "", &r.cxm_version);
    let config_hash = manifest
        .and_then(|m| m["config"]["sha256"].as_str())
        .map(|s| format!("<br><span class=\"hash\">SHA-256 {}</span>", esc(s)))
        .unwrap_or_default();
    h.el("dt", "", l.config_file).raw(&format!(
        "<dd>{}{config_hash}</dd>",
        esc(file_name(&r.config))
    ));
    h.close("dl");
    let mut rows: Vec<Vec<String>> = r
        .datasets
        .iter()
        .map(|d| {
            vec![
                esc(&d.name),
                esc(file_name(&d.path)),
                format!("<span class=\"hash\">{}</span>", esc(&d.sha256)),
            ]
        })
        .collect();
    if let Some(plugins) = manifest.and_then(|m| m["plugins"].as_array()) {
        for p in plugins {
            let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
            rows.push(vec![
                format!(
                    "{} <span class=\"small muted\">({})</span>",
                    esc(&s("metric")),
                    esc(l.plugin)
                ),
                format!(
                    "{} {} · ABI {}",
                    esc(&s("library")),
                    esc(&s("version")),
                    esc(&s("abi"))
                ),
                format!("<span class=\"hash\">{}</span>", esc(&s("sha256"))),
            ]);
        }
    } else {
        for m in &r.metrics {
            rows.push(vec![
                format!(
                    "{} <span class=\"small muted\">({})</span>",
                    esc(&m.metric),
                    esc(l.plugin)
                ),
                esc(&m.library),
                String::new(),
            ]);
        }
    }
    h.table(
        "manifest",
        &[l.dataset, l.file, "SHA-256"],
        &[false, false, false],
        &rows,
    );
}
