//! Drawing shared by the charts: grid lines with tick labels for horizontal and vertical
//! value axes, the zero line, dashed reference lines' label placement, legends, and the
//! width of a category label column.

use crate::palette;
use crate::scale::{Linear, Ticks};
use crate::svg::{text_width, Anchor, Doc, Style, WIDTH};
use crate::NumFmt;

/// Font size of tick labels and axis captions.
pub(crate) const TICK_SIZE: f64 = 11.0;
/// Font size of category labels and legends.
pub(crate) const LABEL_SIZE: f64 = 12.0;

/// The tick labels, formatted by the caller.
pub(crate) fn tick_labels(ticks: &Ticks, fmt: NumFmt<'_>) -> Vec<String> {
    ticks
        .values
        .iter()
        .map(|&v| fmt(v, ticks.decimals))
        .collect()
}

/// Widest tick label a value axis makes room for; longer ones are cut.
pub(crate) const MAX_TICK_WIDTH: f64 = 110.0;

/// Room the tick labels of a vertical value axis need at the left of the plot.
pub(crate) fn y_tick_room(labels: &[String]) -> f64 {
    (16.0 + widest(labels.iter().map(String::as_str), TICK_SIZE).min(MAX_TICK_WIDTH)).max(32.0)
}

/// Half the width of a horizontal axis' tick label (the overhang beyond its tick).
pub(crate) fn half_tick(label: Option<&String>) -> f64 {
    label.map_or(0.0, |t| text_width(t, TICK_SIZE).min(MAX_TICK_WIDTH) / 2.0)
}

/// The estimated width of the widest text.
pub(crate) fn widest<'a>(texts: impl IntoIterator<Item = &'a str>, size: f64) -> f64 {
    texts
        .into_iter()
        .map(|t| text_width(t.trim(), size))
        .fold(0.0, f64::max)
}

/// Width of a category label column: the longest label, with 15% to spare for fonts
/// wider than the estimate, at most `max`.
pub(crate) fn label_column<'a>(labels: impl IntoIterator<Item = &'a str>, max: f64) -> f64 {
    (widest(labels, LABEL_SIZE) * 1.15).min(max)
}

/// Vertical grid lines from `top` to `bottom` with tick labels below, and the zero line.
pub(crate) fn x_grid(
    doc: &mut Doc,
    ticks: &Ticks,
    labels: &[String],
    x: &Linear,
    top: f64,
    bottom: f64,
) {
    let style = Style::new(TICK_SIZE, Anchor::Middle, palette::MUTED);
    let spacing = (x.at(ticks.hi) - x.at(ticks.lo)).abs() / ticks.values.len().max(2) as f64;
    for (v, label) in ticks.values.iter().zip(labels) {
        let px = x.at(*v);
        if *v != 0.0 {
            doc.line(px, top, px, bottom, palette::GRID, "");
        }
        let room = (spacing - 4.0)
            .min(2.0 * px - 4.0)
            .min(2.0 * (WIDTH - px) - 4.0);
        doc.text(px, bottom + 15.0, style, label, room);
    }
    if ticks.contains(0.0) {
        let px = x.at(0.0);
        doc.line(px, top, px, bottom, palette::AXIS, "");
    }
}

/// Horizontal grid lines from `left` to `right` with tick labels at the left, and the
/// zero line.
pub(crate) fn y_grid(
    doc: &mut Doc,
    ticks: &Ticks,
    labels: &[String],
    y: &Linear,
    left: f64,
    right: f64,
) {
    let style = Style::new(TICK_SIZE, Anchor::End, palette::MUTED);
    for (v, label) in ticks.values.iter().zip(labels) {
        let py = y.at(*v);
        if *v != 0.0 {
            doc.line(left, py, right, py, palette::GRID, "");
        }
        doc.text(left - 6.0, py + 4.0, style, label, left - 8.0);
    }
    if ticks.contains(0.0) {
        let py = y.at(0.0);
        doc.line(left, py, right, py, palette::AXIS, "");
    }
}

/// Attributes of a dashed reference line.
pub(crate) const REFERENCE_DASH: &str = " stroke-width=\"1.5\" stroke-dasharray=\"5 3\"";

/// Text centred on `x` when it fits in the canvas, else pinned to the nearer edge:
/// returns the anchor and x to draw it at.
pub(crate) fn centred_in_canvas(x: f64, width: f64) -> (Anchor, f64) {
    if x - width / 2.0 < 4.0 {
        (Anchor::Start, 4.0_f64.max(x - width / 2.0))
    } else if x + width / 2.0 > WIDTH - 4.0 {
        (Anchor::End, (WIDTH - 4.0).min(x + width / 2.0))
    } else {
        (Anchor::Middle, x)
    }
}

/// A reference line's label: "label: value", or the value alone.
pub(crate) fn reference_text(label: &str, value: &str) -> String {
    if label.trim().is_empty() {
        value.to_owned()
    } else {
        format!("{}: {value}", label.trim())
    }
}

/// Height of one legend line.
const LEGEND_LINE: f64 = 20.0;

/// Height a legend of `entries` takes between `x0` and `x_max`.
pub(crate) fn legend_height(entries: &[(String, String)], x0: f64, x_max: f64) -> f64 {
    legend_layout(entries, x0, x_max)
        .last()
        .map_or(0.0, |&(_, line, _)| (line + 1) as f64 * LEGEND_LINE)
}

/// Each entry's x, line number and label width budget.
fn legend_layout(entries: &[(String, String)], x0: f64, x_max: f64) -> Vec<(f64, usize, f64)> {
    let mut out = Vec::with_capacity(entries.len());
    let (mut x, mut line) = (x0, 0);
    let budget = (x_max - x0 - 14.0).max(0.0);
    for (label, _) in entries {
        let w = 14.0 + text_width(label.trim(), LABEL_SIZE).min(budget);
        if x > x0 && x + w > x_max {
            x = x0;
            line += 1;
        }
        out.push((x, line, budget));
        x += w + 18.0;
    }
    out
}

/// Draws a legend (colour swatch and label per entry, wrapping) with its top at `y0`.
/// `colours` are the validated colours, one per entry. Returns the height used.
pub(crate) fn legend(
    doc: &mut Doc,
    entries: &[(String, String)],
    colours: &[String],
    x0: f64,
    y0: f64,
    x_max: f64,
) -> f64 {
    let style = Style::new(LABEL_SIZE, Anchor::Start, palette::TEXT);
    for ((x, line, budget), ((label, _), colour)) in legend_layout(entries, x0, x_max)
        .into_iter()
        .zip(entries.iter().zip(colours))
    {
        let y = y0 + line as f64 * LEGEND_LINE;
        doc.rect(x, y + 5.0, x + 10.0, y + 15.0, colour, "");
        doc.text(x + 14.0, y + 14.0, style, label, budget);
    }
    legend_height(entries, x0, x_max)
}

/// Category (period) labels centred on `xs` at baseline `y`, each cut to its share of the
/// width (at most 120): every k-th one, counting back from the last, with the smallest k
/// at which they do not touch once the outermost are moved inside the canvas.
pub(crate) fn category_labels(doc: &mut Doc, labels: &[String], xs: &[f64], band: f64, y: f64) {
    let n = xs.len();
    let widths: Vec<f64> = (0..n)
        .map(|i| {
            labels
                .get(i)
                .map_or(0.0, |l| text_width(l.trim(), TICK_SIZE))
        })
        .collect();
    let widest = widths.iter().fold(0.0, |a: f64, &b| a.max(b)).min(120.0);
    let first_k = (((widest + 10.0) / band).ceil() as usize).clamp(1, n.max(1));
    for k in first_k..=n {
        let room = (k as f64 * band - 8.0).clamp(0.0, 120.0);
        let spots: Vec<(usize, f64, f64)> = (0..n)
            .filter(|i| (n - 1 - i).is_multiple_of(k))
            .map(|i| {
                let w = widths[i].min(room);
                let centre = xs[i].clamp(4.0 + w / 2.0, WIDTH - 4.0 - w / 2.0);
                (i, centre, w)
            })
            .collect();
        let apart = spots
            .windows(2)
            .all(|p| p[0].1 + p[0].2 / 2.0 + 6.0 <= p[1].1 - p[1].2 / 2.0);
        if apart || k == n {
            let style = Style::new(TICK_SIZE, Anchor::Middle, palette::MUTED);
            for (i, centre, _) in spots {
                if let Some(label) = labels.get(i) {
                    doc.text(centre, y, style, label, room);
                }
            }
            return;
        }
    }
}
