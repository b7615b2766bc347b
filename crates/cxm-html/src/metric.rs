//! Section 3, one per metric: the headline, a trend over periods with the interval as a
//! band, the segments of each grouping dimension as bars with whiskers and change markers
//! (below-`min_n` segments greyed), the metric's own shapes ([`crate::shapes`]), and the
//! tables under the charts, with the minimum detectable change beside every change and the
//! "Why did it move" decomposition of the overall figure ([`crate::movement`]), and the
//! segments' significance letters and ▲ / ▼ against the rest ([`crate::segment_sig`]). A
//! plugin written by a customer gets the same treatment from the shape of its results alone.

use crate::cap::{self, CHART_SEGMENTS, TABLE_SEGMENTS};
use crate::cover::anchor;
use crate::doc::{esc, Html};
use crate::i18n::Locale;
use crate::movement;
use crate::segment_sig;
use crate::shapes;
use crate::summary::benchmark_text;
use crate::view::{marker, View, PERIOD};
use cxm_chart::{Bar, BarChart, Interval, TrendChart, TrendPoint};
use cxm_report::{MetricSummary, ResultRow};

/// Writes the section of one metric.
pub fn section(v: &View<'_>, h: &mut Html, m: &MetricSummary) {
    let l = v.l;
    h.open(
        "section",
        &format!("class=\"metric\" id=\"metric-{}\"", anchor(&m.metric)),
    );
    h.el("h2", "", &v.name(m));
    if let Some(text) = v.description(m) {
        h.el("p", "class=\"muted\"", &text);
    }
    if let Some(f) = &m.filter {
        h.raw(&format!(
            "<p class=\"small\">{}: <code>{}</code></p>",
            l.filter,
            esc(f)
        ));
    }
    if let Some(e) = &m.error {
        h.raw(&format!(
            "<div class=\"error\">{}: {}</div>",
            esc(l.failed),
            esc(e)
        ));
        h.close("section");
        return;
    }
    let d = v.metric_decimals(&m.metric);
    if let Some(row) = v.headline(&m.metric) {
        head(v, h, row, d);
    }
    let hint = chart_hint(v, &m.metric);
    if hint != Some("table") {
        trend(v, h, m, d);
        for dim in &m.grouping.dimensions {
            segments(v, h, m, dim, d);
        }
    }
    movement::why(v, h, m, d);
    shapes::shapes(v, h, m);
    let plain = m.grouping.dimensions.is_empty()
        && v.periods(&m.metric).is_empty()
        && v.headline(&m.metric)
            .is_some_and(|r| r.result.tables.is_empty());
    if plain {
        if let Some(row) = v.headline(&m.metric) {
            details(v, h, row);
        }
    }
    h.close("section");
}

/// A plugin's own suggestion for its charts (`details.chart`: `table` shows tables only).
fn chart_hint<'a>(v: &View<'a>, metric: &str) -> Option<&'a str> {
    v.results(metric)
        .into_iter()
        .find_map(|r| r.result.details.get("chart").and_then(|c| c.as_str()))
}

fn head(v: &View<'_>, h: &mut Html, row: &ResultRow, d: usize) {
    let l = v.l;
    h.open("div", "class=\"metric-head\"");
    h.raw(&format!(
        "<span class=\"headline\">{}</span><span class=\"muted\">{} · {}</span>",
        v.value_html(row, d),
        esc(&v.unit(row)),
        esc(&v.group_label(&row.group))
    ));
    let ci = v.ci_html(row, d);
    if !ci.is_empty() {
        h.raw(&format!("<span>{} {ci}</span>", esc(l.ci)));
    }
    h.raw(&format!(
        "<span>{} = {}</span>{}",
        l.n,
        v.n_html(row),
        v.band_html(row)
    ));
    let delta = v.delta_html(row, d);
    if !delta.is_empty() {
        h.raw(&format!("<span>{delta} {}</span>", esc(l.vs_previous)));
    }
    let mdc = v.mdc_html(row, d);
    if !mdc.is_empty() {
        h.raw(&format!(
            "<span class=\"mdc small muted\" title=\"{}\">{} {mdc}</span>",
            esc(&movement::mdc_note(v)),
            esc(movement::labels(v.lang).mdc)
        ));
    }
    if let Some(b) = &row.benchmark {
        h.raw(&format!("<span>{}</span>", benchmark_text(v, row, b, d)));
    }
    h.close("div");
}

fn ci_of(row: &ResultRow) -> Option<Interval> {
    row.result.ci.as_ref().map(|c| Interval {
        low: c.low,
        high: c.high,
    })
}

fn trend(v: &View<'_>, h: &mut Html, m: &MetricSummary, d: usize) {
    let l = v.l;
    let rows = v.periods(&m.metric);
    if rows.is_empty() {
        return;
    }
    let reference = rows
        .iter()
        .find_map(|r| r.benchmark.as_ref())
        .map(|b| (format!("{} {}", l.benchmark, b.segment), b.value));
    let chart = TrendChart {
        title: format!("{}: {}", v.name(m), l.trend),
        unit: v.unit(rows[0]),
        x_labels: rows.iter().map(|r| v.key_label(r, PERIOD)).collect(),
        points: rows
            .iter()
            .map(|r| TrendPoint {
                value: r.result.value,
                ci: ci_of(r),
                greyed: v.is_low(r),
                marker: marker(r),
            })
            .collect(),
        domain: None,
        reference,
    };
    h.el("h3", "", l.trend);
    let fmt = |x: f64, dec: usize| v.lang.number(x, dec);
    h.chart("trend", &cxm_chart::trend(&chart, &fmt), &caption(v, &rows));
    result_table(v, h, &rows, l.period, PERIOD, d);
}

fn segments(v: &View<'_>, h: &mut Html, m: &MetricSummary, dim: &str, d: usize) {
    let l = v.l;
    let (rows, period) = v.segments(&m.metric, dim);
    if rows.is_empty() {
        return;
    }
    // Many segments: the chart and the table show those with the most answers, in their
    // order.
    let charted = cap::most_answered(&rows, CHART_SEGMENTS);
    let tabled = cap::most_answered(&rows, TABLE_SEGMENTS);
    let overall = match &period {
        Some(_) => v.latest(&m.metric),
        None => v.overall(&m.metric),
    };
    let title = match &period {
        Some(p) => format!("{}: {dim} · {}", l.by_segment, v.lang.period(p)),
        None => format!("{}: {dim}", l.by_segment),
    };
    let chart = BarChart {
        title: format!("{} — {title}", v.name(m)),
        unit: v.unit(rows[0]),
        bars: charted
            .iter()
            .map(|r| Bar {
                label: segment_sig::bar_label(v, r, v.key_label(r, dim)),
                value: r.result.value,
                ci: ci_of(r),
                greyed: v.is_low(r),
                marker: marker(r),
                note: Some(format!(
                    "n = {}",
                    v.lang
                        .number(r.result.n, crate::view::count_decimals(r.result.n))
                )),
            })
            .collect(),
        domain: None,
        reference: overall.and_then(|o| o.result.value.map(|x| (l.overall.to_string(), x))),
        decimals: d,
    };
    h.el("h3", "", &title);
    let fmt = |x: f64, dec: usize| v.lang.number(x, dec);
    let note = format!(
        "{} {}",
        cap::chart_note(v, charted.len(), tabled.len(), rows.len()),
        caption(v, &rows)
    );
    h.chart("bars", &cxm_chart::bars(&chart, &fmt), note.trim());
    result_table(v, h, &tabled, dim, dim, d);
    note_under_table(h, &cap::table_note(v, tabled.len(), rows.len()));
}

/// A note under a table that lists only some segments (nothing when `note` is empty).
pub(crate) fn note_under_table(h: &mut Html, note: &str) {
    if !note.is_empty() {
        h.el("p", "class=\"small muted\"", note);
    }
}

/// The caption under a chart: what greyed and the markers mean, when they occur.
fn caption(v: &View<'_>, rows: &[&ResultRow]) -> String {
    let mut parts = Vec::new();
    if rows.iter().any(|r| r.trend.is_some()) {
        parts.push(v.l.significance_note.to_string());
    }
    if movement::any_mdc(rows) {
        parts.push(movement::mdc_note(v));
    }
    if rows.iter().any(|r| v.is_low(r)) {
        parts.push(v.l.greyed_note.to_string());
    }
    if segment_sig::any(v, rows) {
        parts.push(segment_sig::labels(v.lang).note.to_string());
    }
    parts.join(" ")
}

/// The table under a trend or segment chart: one row per result.
pub fn result_table(
    v: &View<'_>,
    h: &mut Html,
    rows: &[&ResultRow],
    key_header: &str,
    key: &str,
    d: usize,
) {
    let l = v.l;
    let with_trend = rows.iter().any(|r| r.trend.is_some());
    let with_mdc = movement::any_mdc(rows);
    let with_sig = segment_sig::any(v, rows);
    let mut header = vec![key_header, l.value];
    let mut numeric = vec![false, true];
    if with_sig {
        header.push(segment_sig::labels(v.lang).header);
        numeric.push(false);
    }
    header.extend([l.ci, l.n]);
    numeric.extend([true, true]);
    if with_trend {
        header.extend([l.change, l.p_adjusted]);
        numeric.extend([true, true]);
    }
    if with_mdc {
        header.push(movement::labels(v.lang).mdc);
        numeric.push(true);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut label = esc(&v.key_label(r, key));
            if v.is_low(r) {
                label.push_str(&format!(
                    " <span class=\"small warn\" title=\"{}\">(n&lt;min)</span>",
                    esc(l.low_sample)
                ));
            }
            let mut row = vec![label, v.value_html(r, d)];
            if with_sig {
                row.push(segment_sig::cell(v, r));
            }
            row.extend([v.ci_html(r, d), v.n_html(r)]);
            if with_trend {
                row.extend([v.delta_html(r, d), v.p_html(r)]);
            }
            if with_mdc {
                row.push(v.mdc_html(r, d));
            }
            row
        })
        .collect();
    h.table("results", &header, &numeric, &cells);
}

/// The headline's details as a two-column table, for a metric with nothing else to show
/// (an overall figure such as a lifetime value, whose inputs are its details).
fn details(v: &View<'_>, h: &mut Html, row: &ResultRow) {
    let cells: Vec<Vec<String>> = row
        .result
        .details
        .iter()
        .filter_map(|(k, value)| {
            let cell = match value {
                cxm_report::Detail::U64(_)
                | cxm_report::Detail::I64(_)
                | cxm_report::Detail::F64(_) => {
                    let x = value.as_f64()?;
                    let d = if x.fract() == 0.0 {
                        0
                    } else {
                        crate::view::decimals("", x)
                    };
                    v.rfig(row, &format!("details.{k}"), x, d)
                }
                cxm_report::Detail::Text(s) => esc(s),
                cxm_report::Detail::Bool(b) => {
                    if *b {
                        "✓".to_string()
                    } else {
                        "—".to_string()
                    }
                }
                _ => return None,
            };
            Some(vec![esc(&crate::names::column(k)), cell])
        })
        .collect();
    if cells.is_empty() {
        return;
    }
    h.el("h3", "", v.l.details);
    h.table("details", &[v.l.field, v.l.value], &[false, true], &cells);
}
