//! The shapes particular to a kind of metric, recognised from its results (so a customer's
//! plugin that reports the same figures gets the same charts): NPS as detractors / passives
//! / promoters per segment and the 0–10 distribution; an importance × satisfaction quadrant
//! for a table with `normalized_weight` and `mean_satisfaction` (CSI); scores per criterion
//! (IQS); a score distribution, band counts and the lowest-scoring customers for a table of
//! customer scores (health scores; the columns of signals listed in a `signals` table hold
//! normalized points and say so: `tenure (points)`); median and p90 per segment for
//! durations; a per-period rate with its interval as a band (retention, churn); and every
//! other table of the headline result as a table.

use crate::cap::{self, CHART_SEGMENTS, TABLE_SEGMENTS};
use crate::doc::{esc, fig, Html, Source};
use crate::i18n::Locale;
use crate::metric::note_under_table;
use crate::view::{decimals, View};
use cxm_chart::palette;
use cxm_chart::{
    Bar, BarChart, Column, ColumnChart, GroupedChart, GroupedRow, QuadrantChart, QuadrantPoint,
    StackedChart, StackedRow, TrendChart, TrendPoint,
};
use cxm_report::{Detail, MetricSummary, ResultRow, Table};
use serde_json::Value;

/// Rows a table shows at most; the full table is in `<metric>.<table>.csv`.
const TABLE_ROWS: usize = 25;
/// Customers listed as the lowest-scoring.
const LOWEST: usize = 10;

/// Writes every shape the metric's results have.
pub fn shapes(v: &View<'_>, h: &mut Html, m: &MetricSummary) {
    let Some(head) = v.headline(&m.metric) else {
        return;
    };
    let mut shown: Vec<&str> = Vec::new();
    if is_nps(head) {
        nps(v, h, m, head);
    }
    if has(head, &["median", "p90"]) && !is_nps(head) {
        timings(v, h, m, head);
    }
    // Tables come from the headline result, else the overall one.
    let tabled = if head.result.tables.is_empty() {
        v.overall(&m.metric).unwrap_or(head)
    } else {
        head
    };
    for t in &tabled.result.tables {
        if columns_in(t, &["normalized_weight", "mean_satisfaction"]) {
            quadrant(v, h, m, tabled, t);
        } else if columns_in(t, &["criterion", "mean_score"]) {
            criteria(v, h, m, tabled, t);
        } else if columns_in(t, &["customer", "score"]) {
            customers(v, h, m, tabled, t);
        } else if let Some(column) = period_rate_column(m, t) {
            period_trend(v, h, m, tabled, t, column);
            continue;
        } else {
            continue;
        }
        shown.push(&t.name);
    }
    for t in &tabled.result.tables {
        if !shown.contains(&t.name.as_str()) {
            h.el("h3", "", &format!("{}: {}", v.l.table, t.name));
            table(v, h, tabled, t, &(0..t.rows.len()).collect::<Vec<_>>());
        }
    }
}

fn has(row: &ResultRow, keys: &[&str]) -> bool {
    keys.iter()
        .all(|k| row.result.details.get(k).is_some_and(Detail::is_number))
}

fn is_nps(row: &ResultRow) -> bool {
    has(row, &["promoters_pct", "passives_pct", "detractors_pct"])
}

fn columns_in(t: &Table, names: &[&str]) -> bool {
    names.iter().all(|n| t.columns.iter().any(|c| c == n))
}

fn col(t: &Table, name: &str) -> Option<usize> {
    t.columns.iter().position(|c| c == name)
}

fn num(row: &[Value], i: Option<usize>) -> Option<f64> {
    row.get(i?)?.as_f64()
}

fn detail(row: &ResultRow, key: &str) -> Option<f64> {
    row.result.details.get(key).and_then(Detail::as_f64)
}

fn fmt<'a>(v: &'a View<'_>) -> impl Fn(f64, usize) -> String + 'a {
    move |x, d| v.lang.number(x, d)
}

/// The headline result and the segments of the first grouping dimension, for a chart
/// (at most [`CHART_SEGMENTS`]) and for a table (at most [`TABLE_SEGMENTS`]), with the notes
/// that say so when segments are left out.
struct Shown<'a> {
    charted: Vec<&'a ResultRow>,
    tabled: Vec<&'a ResultRow>,
    chart_note: String,
    table_note: String,
}

fn shown<'a>(v: &View<'a>, m: &MetricSummary, head: &'a ResultRow) -> Shown<'a> {
    let segments = match m.grouping.dimensions.first() {
        Some(dim) => v.segments(&m.metric, dim).0,
        None => Vec::new(),
    };
    let with_head = |mut some: Vec<&'a ResultRow>| {
        some.insert(0, head);
        some
    };
    let charted = cap::most_answered(&segments, CHART_SEGMENTS);
    let tabled = cap::most_answered(&segments, TABLE_SEGMENTS);
    let all = segments.len();
    Shown {
        chart_note: cap::chart_note(v, charted.len(), tabled.len(), all),
        table_note: cap::table_note(v, tabled.len(), all),
        charted: with_head(charted),
        tabled: with_head(tabled),
    }
}

fn nps(v: &View<'_>, h: &mut Html, m: &MetricSummary, head: &ResultRow) {
    let l = v.l;
    let shown = shown(v, m, head);
    let stacked_rows: Vec<StackedRow> = shown
        .charted
        .iter()
        .filter(|r| is_nps(r))
        .map(|r| StackedRow {
            label: v.group_label(&r.group),
            shares: ["detractors_pct", "passives_pct", "promoters_pct"]
                .iter()
                .map(|k| detail(r, k).unwrap_or(0.0))
                .collect(),
            greyed: v.is_low(r),
        })
        .collect();
    let chart = StackedChart {
        title: format!("{}: {}", v.name(m), l.nps_split),
        series: vec![
            (l.detractors.to_string(), palette::DETRACTOR.to_string()),
            (l.passives.to_string(), palette::PASSIVE.to_string()),
            (l.promoters.to_string(), palette::PROMOTER.to_string()),
        ],
        rows: stacked_rows,
    };
    h.el("h3", "", l.nps_split);
    h.chart(
        "stacked",
        &cxm_chart::stacked(&chart, &fmt(v)),
        &shown.chart_note,
    );
    let cells: Vec<Vec<String>> = shown
        .tabled
        .iter()
        .filter(|r| is_nps(r))
        .map(|r| {
            let mut row = vec![esc(&v.group_label(&r.group))];
            for k in ["detractors_pct", "passives_pct", "promoters_pct"] {
                let x = detail(r, k).unwrap_or(f64::NAN);
                row.push(v.rfig(r, &format!("details.{k}"), x, 1));
            }
            row.push(v.n_html(r));
            row
        })
        .collect();
    h.table(
        "nps-split",
        &[l.segment, l.detractors, l.passives, l.promoters, l.n],
        &[false, true, true, true, true],
        &cells,
    );
    note_under_table(h, &shown.table_note);
    distribution(v, h, m, head);
}

/// The 0–10 answers of the headline result (`details.score_counts`), as % of answers.
fn distribution(v: &View<'_>, h: &mut Html, m: &MetricSummary, head: &ResultRow) {
    let l = v.l;
    let Some(counts) = head
        .result
        .details
        .get("score_counts")
        .and_then(Detail::as_array)
    else {
        return;
    };
    let counts: Vec<f64> = counts.iter().map(|c| c.as_f64().unwrap_or(0.0)).collect();
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return;
    }
    let columns = counts
        .iter()
        .enumerate()
        .map(|(score, c)| Column {
            label: score.to_string(),
            value: 100.0 * c / total,
            colour: Some(
                match score {
                    0..=6 => palette::DETRACTOR,
                    7 | 8 => palette::PASSIVE,
                    _ => palette::PROMOTER,
                }
                .to_string(),
            ),
        })
        .collect();
    let chart = ColumnChart {
        title: format!("{}: {}", v.name(m), l.score_distribution),
        unit: l.share_of_answers.to_string(),
        columns,
        decimals: 1,
    };
    h.el(
        "h3",
        "",
        &format!("{} · {}", l.score_distribution, v.group_label(&head.group)),
    );
    h.chart("columns", &cxm_chart::columns(&chart, &fmt(v)), "");
}

fn timings(v: &View<'_>, h: &mut Html, m: &MetricSummary, head: &ResultRow) {
    let l = v.l;
    let shown = shown(v, m, head);
    let d = decimals(&head.result.unit, detail(head, "p90").unwrap_or(0.0));
    let chart = GroupedChart {
        title: format!("{}: {} / {}", v.name(m), l.median, l.p90),
        unit: v.unit(head),
        series: vec![
            (l.median.to_string(), palette::BLUE.to_string()),
            (l.p90.to_string(), palette::ORANGE.to_string()),
        ],
        rows: shown
            .charted
            .iter()
            .map(|r| GroupedRow {
                label: v.group_label(&r.group),
                values: vec![detail(r, "median"), detail(r, "p90")],
                greyed: v.is_low(r),
            })
            .collect(),
        decimals: d,
    };
    h.el("h3", "", &format!("{} / {}", l.median, l.p90));
    h.chart(
        "grouped",
        &cxm_chart::grouped(&chart, &fmt(v)),
        &shown.chart_note,
    );
    let cells: Vec<Vec<String>> = shown
        .tabled
        .iter()
        .map(|r| {
            let f = |k: &str| match detail(r, k) {
                Some(x) => v.rfig(r, &format!("details.{k}"), x, d),
                None => "—".to_string(),
            };
            vec![
                esc(&v.group_label(&r.group)),
                f("median"),
                f("p90"),
                v.n_html(r),
            ]
        })
        .collect();
    h.table(
        "timings",
        &[l.segment, l.median, l.p90, l.n],
        &[false, true, true, true],
        &cells,
    );
    note_under_table(h, &shown.table_note);
}

fn quadrant(v: &View<'_>, h: &mut Html, m: &MetricSummary, row: &ResultRow, t: &Table) {
    let l = v.l;
    let (name, x, y) = (
        col(t, "attribute"),
        col(t, "normalized_weight"),
        col(t, "mean_satisfaction"),
    );
    let points: Vec<QuadrantPoint> = t
        .rows
        .iter()
        .filter_map(|r| {
            Some(QuadrantPoint {
                label: r
                    .get(name?)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                x: num(r, x)?,
                y: num(r, y)?,
            })
        })
        .collect();
    let mean = |f: fn(&QuadrantPoint) -> f64| {
        if points.is_empty() {
            0.0
        } else {
            points.iter().map(f).sum::<f64>() / points.len() as f64
        }
    };
    let chart = QuadrantChart {
        title: format!("{}: {}", v.name(m), l.priority_matrix),
        x_label: l.importance.to_string(),
        y_label: l.satisfaction.to_string(),
        x_split: mean(|p| p.x),
        y_split: mean(|p| p.y),
        quadrant_labels: l.quadrants.map(str::to_string),
        points,
    };
    h.el("h3", "", l.priority_matrix);
    h.chart("quadrant", &cxm_chart::quadrant(&chart, &fmt(v)), "");
    table(v, h, row, t, &(0..t.rows.len()).collect::<Vec<_>>());
}

fn criteria(v: &View<'_>, h: &mut Html, m: &MetricSummary, row: &ResultRow, t: &Table) {
    let l = v.l;
    let (name, score) = (col(t, "criterion"), col(t, "mean_score"));
    let chart = BarChart {
        title: format!("{}: {}", v.name(m), l.by_criterion),
        unit: v.unit(row),
        bars: t
            .rows
            .iter()
            .map(|r| Bar {
                label: name
                    .and_then(|i| r.get(i))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                value: num(r, score),
                ..Default::default()
            })
            .collect(),
        domain: Some((0.0, 100.0)),
        reference: row.result.value.map(|x| (l.overall.to_string(), x)),
        decimals: 1,
    };
    h.el("h3", "", l.by_criterion);
    h.chart("bars", &cxm_chart::bars(&chart, &fmt(v)), "");
    table(v, h, row, t, &(0..t.rows.len()).collect::<Vec<_>>());
}

fn customers(v: &View<'_>, h: &mut Html, m: &MetricSummary, row: &ResultRow, t: &Table) {
    let l = v.l;
    let (score, band) = (col(t, "score"), col(t, "band"));
    let scores: Vec<(usize, f64)> = t
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, num(r, score)?)))
        .collect();
    if scores.is_empty() {
        return;
    }
    // Ten bins of ten points; each coloured by the band most of its customers are in.
    let mut bins = vec![(0.0_f64, [0usize; 3]); 10];
    for (i, s) in &scores {
        let bin = ((s / 10.0).floor().max(0.0) as usize).min(9);
        bins[bin].0 += 1.0;
        let b = band
            .and_then(|c| t.rows[*i].get(c))
            .and_then(Value::as_str)
            .unwrap_or("");
        match b {
            "red" => bins[bin].1[0] += 1,
            "yellow" => bins[bin].1[1] += 1,
            "green" => bins[bin].1[2] += 1,
            _ => {}
        }
    }
    let colours = [palette::VERMILLION, palette::ORANGE, palette::GREEN];
    let columns = bins
        .iter()
        .enumerate()
        .map(|(i, (count, bands))| {
            let top = (0..3).max_by_key(|&k| bands[k]).filter(|&k| bands[k] > 0);
            Column {
                label: format!("{}–{}", i * 10, i * 10 + 10),
                value: *count,
                colour: top.map(|k| colours[k].to_string()),
            }
        })
        .collect();
    let chart = ColumnChart {
        title: format!("{}: {}", v.name(m), l.score_histogram),
        unit: l.customers.to_string(),
        columns,
        decimals: 0,
    };
    h.el(
        "h3",
        "",
        &format!("{} · {}", l.score_histogram, v.group_label(&row.group)),
    );
    h.chart("columns", &cxm_chart::columns(&chart, &fmt(v)), "");
    if has(row, &["red", "yellow", "green"]) {
        let cells: Vec<Vec<String>> = ["red", "yellow", "green"]
            .iter()
            .map(|b| {
                let pct = format!("{b}_pct");
                vec![
                    esc(&crate::names::band(v.lang, b)),
                    v.rfig(
                        row,
                        &format!("details.{b}"),
                        detail(row, b).unwrap_or(f64::NAN),
                        0,
                    ),
                    match detail(row, &pct) {
                        Some(x) => v.rfig(row, &format!("details.{pct}"), x, 1),
                        None => "—".to_string(),
                    },
                ]
            })
            .collect();
        h.table(
            "bands",
            &[l.band, l.customers, "%"],
            &[false, true, true],
            &cells,
        );
    }
    let mut lowest = scores;
    lowest.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    lowest.truncate(LOWEST);
    h.el("h3", "", l.lowest_customers);
    // A signal's column holds its normalized points, not the raw value: say so.
    let signals = signal_names(row);
    let header: Vec<String> = t
        .columns
        .iter()
        .map(|c| match signals.contains(&c.as_str()) {
            true => format!("{} ({})", crate::names::column(c), l.points),
            false => crate::names::column(c),
        })
        .collect();
    let indices: Vec<usize> = lowest.iter().map(|(i, _)| *i).collect();
    table_with_header(v, h, row, t, &indices, &header);
    if t.columns.iter().any(|c| signals.contains(&c.as_str())) {
        h.el("p", "class=\"small muted\"", l.signal_points_note);
    }
}

/// The signal names of a composite result: the `signal` column of its `signals` table
/// (the `composite` plugin's customers table has one column of normalized points each).
fn signal_names(row: &ResultRow) -> Vec<&str> {
    let Some(t) = row.result.tables.iter().find(|t| t.name == "signals") else {
        return Vec::new();
    };
    let Some(c) = col(t, "signal") else {
        return Vec::new();
    };
    t.rows
        .iter()
        .filter_map(|r| r.get(c).and_then(Value::as_str))
        .collect()
}

/// A result's table, the rows at `indices` (at most [`TABLE_ROWS`]), numbers as figures.
fn table(v: &View<'_>, h: &mut Html, row: &ResultRow, t: &Table, indices: &[usize]) {
    let header: Vec<String> = t.columns.iter().map(|c| crate::names::column(c)).collect();
    table_with_header(v, h, row, t, indices, &header);
}

/// [`table`] with these column headings (one per column).
fn table_with_header(
    v: &View<'_>,
    h: &mut Html,
    row: &ResultRow,
    t: &Table,
    indices: &[usize],
    header: &[String],
) {
    let numeric: Vec<bool> = (0..t.columns.len())
        .map(|c| {
            t.rows
                .iter()
                .any(|r| r.get(c).is_some_and(Value::is_number))
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let band_col = col(t, "band");
    let decimals_of: Vec<usize> = (0..t.columns.len())
        .map(|c| column_decimals(t, c))
        .collect();
    let cells: Vec<Vec<String>> = indices
        .iter()
        .take(TABLE_ROWS)
        .filter_map(|&i| Some((i, t.rows.get(i)?)))
        .map(|(i, r)| {
            r.iter()
                .enumerate()
                .map(|(c, cell)| match cell {
                    Value::Number(n) => {
                        let x = n.as_f64().unwrap_or(f64::NAN);
                        let d = decimals_of[c];
                        fig(
                            x,
                            &v.lang.number(x, d),
                            &Source::Table {
                                metric: &row.metric,
                                group: &row.group,
                                table: &t.name,
                                row: i,
                                column: &t.columns[c],
                            },
                        )
                    }
                    Value::Null => String::new(),
                    Value::String(s) if Some(c) == band_col => esc(&crate::names::band(v.lang, s)),
                    Value::String(s) => esc(s),
                    Value::Bool(true) => "✓".to_string(),
                    Value::Bool(false) => String::new(),
                    other => esc(&other.to_string()),
                })
                .collect()
        })
        .collect();
    h.table("plugin-table", &header, &numeric, &cells);
    if t.rows.len() > TABLE_ROWS.min(indices.len()) {
        h.raw(&format!(
            "<p class=\"small muted\">{} / {} — <code>{}.{}.csv</code></p>",
            v.lang.number(TABLE_ROWS.min(indices.len()) as f64, 0),
            v.lang.number(t.rows.len() as f64, 0),
            esc(&row.metric),
            esc(&t.name)
        ));
    }
}

/// Decimals of a table column: none when every number in it is whole, else by the size of
/// its largest number.
fn column_decimals(t: &Table, c: usize) -> usize {
    let numbers: Vec<f64> = t
        .rows
        .iter()
        .filter_map(|r| r.get(c).and_then(Value::as_f64))
        .collect();
    if numbers.iter().all(|x| x.fract() == 0.0) {
        return 0;
    }
    let largest = numbers.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    decimals("", largest)
}

/// A per-period table of the metric's own rate (retention, churn): the column to plot.
fn period_rate_column<'t>(m: &MetricSummary, t: &'t Table) -> Option<&'t str> {
    col(t, "period")?;
    let own = format!("{}_pct", m.plugin);
    t.columns
        .iter()
        .find(|c| **c == own)
        .or_else(|| {
            let rates: Vec<&String> = t.columns.iter().filter(|c| c.ends_with("_pct")).collect();
            (rates.len() == 1).then(|| rates[0])
        })
        .map(String::as_str)
}

/// The metric's rate over the periods of its own table, as a trend; with its interval as a
/// band when the table has the rate's bounds (`churn_pct` → `churn_ci_low`,
/// `churn_ci_high`).
fn period_trend(
    v: &View<'_>,
    h: &mut Html,
    m: &MetricSummary,
    row: &ResultRow,
    t: &Table,
    column: &str,
) {
    let (p, c) = (col(t, "period"), col(t, column));
    let base = column.strip_suffix("_pct").unwrap_or(column);
    let (low, high) = (
        col(t, &format!("{base}_ci_low")),
        col(t, &format!("{base}_ci_high")),
    );
    let labels: Vec<String> = t
        .rows
        .iter()
        .map(|r| {
            p.and_then(|i| r.get(i))
                .and_then(Value::as_str)
                .map(|s| v.lang.period(s))
                .unwrap_or_default()
        })
        .collect();
    let chart = TrendChart {
        title: format!("{}: {}", v.name(m), v.l.trend),
        unit: v.unit(row),
        x_labels: labels,
        points: t
            .rows
            .iter()
            .map(|r| TrendPoint {
                value: num(r, c),
                ci: num(r, low)
                    .zip(num(r, high))
                    .map(|(low, high)| cxm_chart::Interval { low, high }),
                ..Default::default()
            })
            .collect(),
        domain: None,
        reference: None,
    };
    h.el("h3", "", v.l.trend);
    h.chart("trend", &cxm_chart::trend(&chart, &fmt(v)), "");
}
