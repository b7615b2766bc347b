//! Vertical columns over categories (a 0–10 score distribution, a histogram): one column
//! per category from zero (negative values hang below it), the value above each column
//! (below for negative ones), category labels underneath, a light value grid at the left.

use crate::axis::{self, TICK_SIZE};
use crate::palette;
use crate::scale::{self, extent, finite, Linear};
use crate::svg::{self, Anchor, Doc, Style, WIDTH};
use crate::NumFmt;

/// Vertical columns over categories (a 0–10 score distribution, a score histogram).
#[derive(Debug, Clone, Default)]
pub struct ColumnChart {
    /// The accessible title (`<title>`); not drawn.
    pub title: String,
    /// Caption of the value axis, drawn above it.
    pub unit: String,
    pub columns: Vec<Column>,
    /// Decimals of the value labels.
    pub decimals: usize,
}

/// One column.
#[derive(Debug, Clone, Default)]
pub struct Column {
    pub label: String,
    /// NaN or infinite = no column, "–" as its label.
    pub value: f64,
    /// Fill (e.g. [`palette::DETRACTOR`]); `None` = [`palette::BLUE`].
    pub colour: Option<String>,
}

const HEIGHT: f64 = 260.0;
const PLOT_TOP: f64 = 36.0;
const PLOT_BOTTOM: f64 = HEIGHT - 30.0;
const VALUE_SIZE: f64 = 11.0;
/// Value labels shrink to fit narrow columns, down to this size; below it they are left out.
const MIN_VALUE_SIZE: f64 = 7.0;

/// Renders a [`ColumnChart`] as an SVG string.
pub fn columns(chart: &ColumnChart, fmt: NumFmt<'_>) -> String {
    let decimals = chart.decimals.min(10);
    let values: Vec<Option<f64>> = chart.columns.iter().map(|c| finite(c.value)).collect();
    let data = extent(values.iter().flatten().copied());
    let pad = if data.is_some_and(|(lo, _)| lo < 0.0) {
        0.1
    } else {
        0.0
    };
    let Some(ticks) = data.and_then(|d| scale::axis(Some(d), None, true, pad)) else {
        return svg::empty("columns", &chart.title, &[&chart.unit]);
    };

    let tick_text = axis::tick_labels(&ticks, fmt);
    let plot_l = axis::y_tick_room(&tick_text);
    let plot_r = WIDTH - 12.0;
    let y = Linear::new(&ticks, PLOT_BOTTOM, PLOT_TOP);
    let n = chart.columns.len();
    let band = (plot_r - plot_l) / n as f64;
    let col_w = (band * 0.72).min(64.0);
    let xs: Vec<f64> = (0..n).map(|i| plot_l + band * (i as f64 + 0.5)).collect();

    let mut doc = Doc::new(HEIGHT);
    axis::y_grid(&mut doc, &ticks, &tick_text, &y, plot_l, plot_r);
    if !chart.unit.trim().is_empty() {
        let style = Style::new(TICK_SIZE, Anchor::Start, palette::MUTED);
        doc.text(4.0, 14.0, style, &chart.unit, WIDTH - 8.0);
    }
    let labels: Vec<String> = chart.columns.iter().map(|c| c.label.clone()).collect();
    axis::category_labels(&mut doc, &labels, &xs, band, PLOT_BOTTOM + 17.0);

    let texts: Vec<String> = values
        .iter()
        .map(|v| v.map_or_else(|| "–".to_owned(), |v| fmt(v, decimals)))
        .collect();
    // One size for all value labels: the largest at which the widest fits its band.
    let widest = axis::widest(texts.iter().map(String::as_str), 1.0);
    let size = if widest > 0.0 {
        ((band - 2.0) / widest).min(VALUE_SIZE)
    } else {
        VALUE_SIZE
    };
    let zero = y.at(0.0);
    for (i, column) in chart.columns.iter().enumerate() {
        let px = xs[i];
        let fill = svg::colour(column.colour.as_deref().unwrap_or(""), palette::BLUE);
        let tip = format!("{}: {}", column.label.trim(), texts[i]);
        let label_y = match values[i] {
            Some(v) => {
                let py = y.at(v);
                doc.rect_tip(
                    px - col_w / 2.0,
                    zero,
                    px + col_w / 2.0,
                    py,
                    &fill,
                    "",
                    &tip,
                );
                if v < 0.0 {
                    py + size + 2.0
                } else {
                    py - 4.0
                }
            }
            None => zero - 4.0,
        };
        if size >= MIN_VALUE_SIZE {
            let ink = if values[i].is_some() {
                palette::TEXT
            } else {
                palette::MUTED
            };
            let style = Style::new((size * 2.0).floor() / 2.0, Anchor::Middle, ink);
            doc.text(px, label_y, style, &texts[i], band);
        }
    }
    doc.finish("columns", &chart.title)
}
