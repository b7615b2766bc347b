//! Section 1, the cover: client, run date, the data's period range, and every dataset with
//! its SHA-256 and row accounting (read, accepted, rejected), then each metric's rows used
//! and rejected by reason.

use crate::doc::{esc, Html, Source};
use crate::i18n::Locale;
use crate::view::{View, PERIOD};

/// Writes the cover.
pub fn cover(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    let r = v.report;
    h.open("header", "class=\"cover\" id=\"cover\"");
    h.el("h1", "", &r.client);
    h.el("p", "class=\"subtitle\"", l.report_title);
    h.open("dl", "class=\"facts\"");
    if let Some(at) = &r.settings.generated_at {
        let date = at.get(..10).unwrap_or(at);
        h.el("dt", "", l.run_date)
            .el("dd", "", &v.lang.period(date));
    }
    h.el("dt", "", l.period_range).el(
        "dd",
        "",
        &period_range(v).unwrap_or_else(|| l.no_periods.to_string()),
    );
    h.el("dt", "", l.time_zone)
        .el("dd", "", &r.settings.timezone);
    if r.settings.fiscal_year_start != 1 {
        h.el("dt", "", l.fiscal_start).el(
            "dd",
            "",
            l.months
                .get(r.settings.fiscal_year_start as usize - 1)
                .copied()
                .unwrap_or(""),
        );
    }
    h.close("dl");
    datasets(v, h);
    metrics(v, h);
    h.close("header");
}

/// First and last period label over all results, in words.
pub fn period_range(v: &View<'_>) -> Option<String> {
    let mut labels: Vec<&str> = v
        .report
        .results
        .iter()
        .flat_map(|r| r.group.iter())
        .filter(|(k, _)| k == PERIOD)
        .filter_map(|(_, p)| p.as_deref())
        .collect();
    labels.sort_unstable();
    let first = labels.first()?;
    let last = labels.last()?;
    Some(if first == last {
        v.lang.period(first)
    } else {
        format!("{} – {}", v.lang.period(first), v.lang.period(last))
    })
}

fn datasets(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    h.el("h3", "", l.datasets);
    let rows: Vec<Vec<String>> = v
        .report
        .datasets
        .iter()
        .map(|d| {
            let count = |field: &str, x: u64| {
                v.count_fig(
                    x as f64,
                    &Source::Dataset {
                        dataset: &d.name,
                        field,
                    },
                )
            };
            let mut rejected = count("rows_rejected", d.rows_rejected);
            if d.duplicates > 0 {
                rejected.push_str(&format!(
                    "<br><span class=\"small muted\">{} {}</span>",
                    l.duplicates,
                    count("duplicates", d.duplicates)
                ));
            }
            vec![
                format!("<strong>{}</strong>", esc(&d.name)),
                format!(
                    "{}<br><span class=\"hash\">SHA-256 {}</span>",
                    esc(file_name(&d.path)),
                    esc(&d.sha256)
                ),
                count("rows_read", d.rows_read),
                count("rows_accepted", d.rows_accepted),
                rejected,
            ]
        })
        .collect();
    h.table(
        "datasets",
        &[
            l.dataset,
            l.file,
            l.rows_read,
            l.rows_accepted,
            l.rows_rejected,
        ],
        &[false, false, true, true, true],
        &rows,
    );
}

fn metrics(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    let rows: Vec<Vec<String>> = v
        .report
        .metrics
        .iter()
        .map(|m| {
            let src = |field: &'static str| Source::Metric {
                metric: &m.metric,
                field,
            };
            let reasons: Vec<String> = m
                .rows_rejected
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(reason, n)| {
                    let field = format!("rows_rejected.{reason}");
                    format!(
                        "{} {}",
                        esc(&v.lang.reason(reason)),
                        v.count_fig(
                            *n as f64,
                            &Source::Metric {
                                metric: &m.metric,
                                field: &field,
                            }
                        )
                    )
                })
                .collect();
            vec![
                format!(
                    "<a href=\"#metric-{}\">{}</a>",
                    anchor(&m.metric),
                    esc(&v.name(m))
                ),
                esc(&m.dataset),
                v.count_fig(m.rows_used as f64, &src("rows_used")),
                if reasons.is_empty() {
                    "0".to_string()
                } else {
                    reasons.join("<br>")
                },
                v.count_fig(m.rows_filtered as f64, &src("rows_filtered")),
            ]
        })
        .collect();
    h.table(
        "accounting",
        &[
            l.metric,
            l.dataset,
            l.rows_used,
            l.rows_rejected,
            l.rows_filtered,
        ],
        &[false, false, true, false, true],
        &rows,
    );
}

/// The last component of a path (a report shows no local directories).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// An id usable in `#fragment` links: letters, digits, `-` and `_`; others as `-`.
pub fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
