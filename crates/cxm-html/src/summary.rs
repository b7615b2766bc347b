//! Section 2, the executive summary: one card per metric with its headline value (the
//! latest period when grouped by period), unit, interval, n, band, the change from the
//! previous period with its significance, and the gap to the benchmark; then the largest
//! significant movers among the segments.

use crate::cover::anchor;
use crate::doc::{esc, Html};
use crate::i18n::Locale;
use crate::view::{View, PERIOD};
use cxm_report::ResultRow;

/// Movers listed per metric, at most.
const MOVERS_PER_METRIC: usize = 5;

/// Writes the executive summary.
pub fn summary(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    h.open("section", "class=\"summary\" id=\"summary\"");
    h.el("h2", "", l.summary);
    h.open("div", "class=\"cards\"");
    for m in &v.report.metrics {
        card(v, h, &m.metric);
    }
    h.close("div");
    h.raw(&format!(
        "<p class=\"small muted\">{}</p>",
        esc(l.significance_note)
    ));
    movers(v, h);
    h.close("section");
}

fn card(v: &View<'_>, h: &mut Html, metric: &str) {
    let l = v.l;
    let Some(m) = v.summary(metric) else { return };
    h.open(
        "div",
        &format!("class=\"card\" data-metric=\"{}\"", esc(metric)),
    );
    h.raw(&format!(
        "<h3><a href=\"#metric-{}\">{}</a></h3>",
        anchor(metric),
        esc(&v.name(m))
    ));
    if let Some(e) = &m.error {
        h.raw(&format!(
            "<div class=\"error\">{}: {}</div>",
            esc(l.failed),
            esc(e)
        ));
        h.close("div");
        return;
    }
    let Some(row) = v.headline(metric) else {
        h.el("p", "class=\"muted\"", l.no_value);
        h.close("div");
        return;
    };
    let d = v.metric_decimals(metric);
    h.raw(&format!(
        "<div class=\"headline\">{}</div><div class=\"unit\">{}{}</div>",
        v.value_html(row, d),
        esc(&v.unit(row)),
        match row.group.iter().find(|(k, _)| k == PERIOD) {
            Some((_, Some(p))) => format!(" · {}", esc(&v.lang.period(p))),
            _ => String::new(),
        }
    ));
    let ci = v.ci_html(row, d);
    if !ci.is_empty() {
        h.raw(&format!("<div class=\"line\">{} {ci}</div>", esc(l.ci)));
    }
    h.raw(&format!(
        "<div class=\"line\">{} = {} {}</div>",
        l.n,
        v.n_html(row),
        v.band_html(row)
    ));
    if v.is_low(row) {
        h.raw(&format!(
            "<div class=\"line warn\">{}</div>",
            esc(l.low_sample)
        ));
    }
    if let Some(t) = &row.trend {
        if t.delta.is_some() {
            h.raw(&format!(
                "<div class=\"line\">{} {} {} ({} {})</div>",
                v.delta_html(row, d),
                esc(l.vs_previous),
                esc(&v.lang.period(&t.previous_period)),
                l.p_adjusted,
                v.p_html(row)
            ));
        }
    }
    if let Some(b) = &row.benchmark {
        h.raw(&format!(
            "<div class=\"line\">{}</div>",
            benchmark_text(v, row, b, d)
        ));
    }
    h.close("div");
}

/// `Benchmark 32.0 (segment): +1.5, significant`.
pub fn benchmark_text(
    v: &View<'_>,
    row: &ResultRow,
    b: &cxm_report::BenchmarkComparison,
    d: usize,
) -> String {
    let l = v.l;
    let mut s = format!(
        "{} {} <span class=\"small muted\">({})</span>",
        esc(l.benchmark),
        v.rfig(row, "benchmark.value", b.value, d),
        esc(&b.segment)
    );
    if let Some(delta) = b.delta {
        s.push_str(&format!(
            ": {}",
            v.rfig_signed(row, "benchmark.delta", delta, d)
        ));
        if let Some(p) = b.p_value {
            s.push_str(&format!(
                " ({} {}{})",
                l.p_value,
                v.rfig_p(row, "benchmark.p_value", p),
                if b.significant == Some(true) {
                    format!(", {}", l.significant)
                } else {
                    String::new()
                }
            ));
        }
    }
    s
}

fn movers(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    h.el("h3", "", l.movers);
    let mut rows = Vec::new();
    for m in &v.report.metrics {
        let d = v.metric_decimals(&m.metric);
        let mut moved: Vec<&ResultRow> = v
            .results(&m.metric)
            .into_iter()
            .filter(|r| {
                r.trend.as_ref().and_then(|t| t.significant) == Some(true)
                    && r.group.iter().any(|(k, _)| k != PERIOD)
            })
            .collect();
        moved.sort_by(|a, b| {
            let size = |r: &ResultRow| r.trend.as_ref().and_then(|t| t.delta).unwrap_or(0.0).abs();
            size(b).total_cmp(&size(a))
        });
        for r in moved.into_iter().take(MOVERS_PER_METRIC) {
            let segment: Vec<(cxm_report::Name, Option<String>)> = r
                .group
                .iter()
                .filter(|(k, _)| k != PERIOD)
                .cloned()
                .collect();
            let period = r
                .group
                .iter()
                .find(|(k, _)| k == PERIOD)
                .and_then(|(_, p)| p.as_deref())
                .map(|p| v.lang.period(p))
                .unwrap_or_default();
            rows.push(vec![
                esc(&v.name(m)),
                esc(&v.group_label(&segment)),
                esc(&period),
                v.value_html(r, d),
                v.delta_html(r, d),
                v.p_html(r),
                v.n_html(r),
            ]);
        }
    }
    if rows.is_empty() {
        h.el("p", "", l.no_movers);
        return;
    }
    h.el("p", "class=\"small muted\"", l.movers_intro);
    h.table(
        "movers",
        &[
            l.metric,
            l.segment,
            l.period,
            l.value,
            l.change,
            l.p_adjusted,
            l.n,
        ],
        &[false, false, false, true, true, true, true],
        &rows,
    );
}
