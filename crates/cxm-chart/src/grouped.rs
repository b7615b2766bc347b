//! Grouped horizontal bars: one group per category (e.g. a channel), one bar per series
//! (e.g. median and p90 response time), a legend on top, the value at the end of each bar
//! (left of it for negative values), "–" for a missing value, greyed groups faded with a
//! dashed outline in the series colour.

use crate::axis::{self, LABEL_SIZE, TICK_SIZE};
use crate::palette;
use crate::scale::{self, extent, finite, Linear};
use crate::svg::{self, Anchor, Doc, Style, WIDTH};
use crate::NumFmt;

/// Grouped horizontal bars: several series per category (e.g. median and p90 per channel).
#[derive(Debug, Clone, Default)]
pub struct GroupedChart {
    /// The accessible title (`<title>`); not drawn.
    pub title: String,
    /// Caption under the value axis.
    pub unit: String,
    /// `(legend label, colour hex)` per series, drawn top to bottom within each group.
    pub series: Vec<(String, String)>,
    pub rows: Vec<GroupedRow>,
    /// Decimals of the value labels.
    pub decimals: usize,
}

/// One group of bars.
#[derive(Debug, Clone, Default)]
pub struct GroupedRow {
    pub label: String,
    /// One per series; `None` (or NaN) = no bar, "–".
    pub values: Vec<Option<f64>>,
    /// Faded, with a dashed outline (e.g. below `min_n`).
    pub greyed: bool,
}

const BAR: f64 = 12.0;
const GAP: f64 = 2.0;
const ROW_PAD: f64 = 14.0;
const VALUE_SIZE: f64 = 10.0;

/// Renders a [`GroupedChart`] as an SVG string.
pub fn grouped(chart: &GroupedChart, fmt: NumFmt<'_>) -> String {
    let k = chart.series.len();
    let decimals = chart.decimals.min(10);
    let values: Vec<Vec<Option<f64>>> = chart
        .rows
        .iter()
        .map(|row| {
            (0..k)
                .map(|j| row.values.get(j).copied().flatten().and_then(finite))
                .collect()
        })
        .collect();
    let data = extent(values.iter().flatten().flatten().copied());
    let Some(ticks) = data.and_then(|d| scale::axis(Some(d), None, true, 0.0)) else {
        let mut texts: Vec<&str> = chart.series.iter().map(|(l, _)| l.as_str()).collect();
        texts.push(&chart.unit);
        return svg::empty("grouped", &chart.title, &texts);
    };
    let colours: Vec<String> = chart
        .series
        .iter()
        .enumerate()
        .map(|(j, (_, c))| svg::colour(c, palette::SERIES[j % palette::SERIES.len()]))
        .collect();

    let tick_text = axis::tick_labels(&ticks, fmt);
    let text_of = |v: &Option<f64>| v.map_or_else(|| "–".to_owned(), |v| fmt(v, decimals));
    let texts: Vec<Vec<String>> = values
        .iter()
        .map(|row| row.iter().map(text_of).collect())
        .collect();
    let width_where = |negative: bool| {
        values
            .iter()
            .flatten()
            .zip(texts.iter().flatten())
            .filter(|(v, _)| v.is_some_and(|v| v < 0.0) == negative)
            .map(|(_, t)| svg::text_width(t, VALUE_SIZE).min(90.0))
            .fold(0.0, f64::max)
    };
    let (pos_w, neg_w) = (width_where(false), width_where(true));
    let half = axis::half_tick;
    let label_w = axis::label_column(chart.rows.iter().map(|r| r.label.as_str()), 190.0);
    let label_r = 12.0 + label_w;
    let neg_room = if neg_w > 0.0 { neg_w + 8.0 } else { 0.0 };
    let plot_l = (label_r + 10.0 + neg_room).max(half(tick_text.first()) + 6.0);
    let plot_r = WIDTH - 8.0 - (pos_w + 6.0).max(half(tick_text.last()));
    let x = Linear::new(&ticks, plot_l, plot_r);

    let legend_h = axis::legend_height(&chart.series, plot_l, WIDTH - 8.0);
    let top = 6.0 + legend_h + 6.0;
    let row_h = k as f64 * (BAR + GAP) - GAP + ROW_PAD;
    let bottom = top + chart.rows.len() as f64 * row_h;
    let mut doc = Doc::new(
        bottom
            + if chart.unit.trim().is_empty() {
                24.0
            } else {
                40.0
            },
    );
    axis::legend(&mut doc, &chart.series, &colours, plot_l, 6.0, WIDTH - 8.0);
    axis::x_grid(&mut doc, &ticks, &tick_text, &x, top, bottom);
    if !chart.unit.trim().is_empty() {
        let style = Style::new(TICK_SIZE, Anchor::Middle, palette::MUTED);
        let mid = (plot_l + plot_r) / 2.0;
        doc.text(mid, bottom + 32.0, style, &chart.unit, WIDTH - 16.0);
    }

    let zero = x.at(0.0);
    for (i, row) in chart.rows.iter().enumerate() {
        let row_top = top + i as f64 * row_h;
        let muted = row.greyed || values[i].iter().all(Option::is_none);
        let fill = if muted { palette::MUTED } else { palette::TEXT };
        let style = Style::new(LABEL_SIZE, Anchor::End, fill);
        let cy = row_top + row_h / 2.0;
        doc.text(label_r, cy + 4.0, style, &row.label, label_w);
        for j in 0..k {
            let y0 = row_top + ROW_PAD / 2.0 + j as f64 * (BAR + GAP);
            let text_y = y0 + BAR / 2.0 + 3.5;
            let ink = if row.greyed {
                palette::MUTED
            } else {
                palette::TEXT
            };
            let Some(v) = values[i][j] else {
                let style = Style::new(VALUE_SIZE, Anchor::Start, palette::MUTED);
                doc.text(zero + 4.0, text_y, style, &texts[i][j], 90.0);
                continue;
            };
            let extra = if row.greyed {
                format!(
                    " fill-opacity=\"{}\" stroke=\"{}\" stroke-dasharray=\"3 2\"",
                    palette::GREYED_OPACITY,
                    colours[j]
                )
            } else {
                String::new()
            };
            let tip = format!("{}: {}", chart.series[j].0.trim(), texts[i][j]);
            let px = x.at(v);
            doc.rect_tip(zero, y0, px, y0 + BAR, &colours[j], &extra, &tip);
            let (anchor, tx) = if v < 0.0 {
                (Anchor::End, px - 4.0)
            } else {
                (Anchor::Start, px + 4.0)
            };
            let style = Style::new(VALUE_SIZE, anchor, ink);
            doc.text(tx, text_y, style, &texts[i][j], 90.0);
        }
    }
    doc.finish("grouped", &chart.title)
}
