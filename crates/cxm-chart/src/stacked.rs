//! 100%-stacked horizontal bars, one per row (e.g. detractors / passives / promoters per
//! segment): a legend on top, each row's shares normalised to the full plot width, share
//! labels (whole percent) inside segments wide enough to hold them, greyed rows faded with
//! a dashed outline.

use crate::axis::{self, LABEL_SIZE};
use crate::palette;
use crate::scale::finite;
use crate::svg::{self, Anchor, Doc, Style, WIDTH};
use crate::NumFmt;

/// 100%-stacked horizontal bars, e.g. detractors/passives/promoters per segment.
#[derive(Debug, Clone, Default)]
pub struct StackedChart {
    /// The accessible title (`<title>`); not drawn.
    pub title: String,
    /// `(legend label, colour hex)` per series, in stacking order (left to right).
    pub series: Vec<(String, String)>,
    pub rows: Vec<StackedRow>,
}

/// One stacked bar.
#[derive(Debug, Clone, Default)]
pub struct StackedRow {
    pub label: String,
    /// One per series, in percent, summing to ~100 (normalised to exactly 100% when drawn;
    /// negative and NaN shares count as 0).
    pub shares: Vec<f64>,
    /// Faded, with a dashed outline (e.g. below `min_n`).
    pub greyed: bool,
}

const ROW: f64 = 28.0;
const BAR: f64 = 18.0;
const SHARE_SIZE: f64 = 11.0;
/// Segments below this share (percent) carry no label.
const MIN_LABELLED: f64 = 8.0;

/// A row's shares, one per series, with unusable ones as 0.
fn shares(row: &StackedRow, series: usize) -> Vec<f64> {
    (0..series)
        .map(|j| {
            row.shares
                .get(j)
                .and_then(|&s| finite(s))
                .filter(|&s| s > 0.0)
                .unwrap_or(0.0)
        })
        .collect()
}

/// Renders a [`StackedChart`] as an SVG string.
pub fn stacked(chart: &StackedChart, fmt: NumFmt<'_>) -> String {
    let k = chart.series.len();
    let drawable = |row: &StackedRow| shares(row, k).iter().sum::<f64>() > 0.0;
    if k == 0 || !chart.rows.iter().any(drawable) {
        let labels: Vec<&str> = chart.series.iter().map(|(l, _)| l.as_str()).collect();
        return svg::empty("stacked", &chart.title, &labels);
    }
    let colours: Vec<String> = chart
        .series
        .iter()
        .enumerate()
        .map(|(j, (_, c))| svg::colour(c, palette::SERIES[j % palette::SERIES.len()]))
        .collect();

    let label_w = axis::label_column(chart.rows.iter().map(|r| r.label.as_str()), 190.0);
    let plot_l = if label_w > 0.0 { label_w + 22.0 } else { 8.0 };
    let plot_r = WIDTH - 8.0;
    let width = plot_r - plot_l;
    let legend_h = axis::legend_height(&chart.series, plot_l, plot_r);
    let top = 6.0 + legend_h + 6.0;
    let mut doc = Doc::new(top + chart.rows.len() as f64 * ROW + 6.0);
    axis::legend(&mut doc, &chart.series, &colours, plot_l, 6.0, plot_r);

    for (i, row) in chart.rows.iter().enumerate() {
        let cy = top + (i as f64 + 0.5) * ROW;
        let (y0, y1) = (cy - BAR / 2.0, cy + BAR / 2.0);
        let shares = shares(row, k);
        let total: f64 = shares.iter().sum();
        let muted = row.greyed || total <= 0.0;
        let fill = if muted { palette::MUTED } else { palette::TEXT };
        let style = Style::new(LABEL_SIZE, Anchor::End, fill);
        doc.text(plot_l - 10.0, cy + 4.0, style, &row.label, plot_l - 14.0);
        if total <= 0.0 {
            let style = Style::new(SHARE_SIZE, Anchor::Start, palette::MUTED);
            doc.text(plot_l, cy + 4.0, style, "–", width);
            continue;
        }
        let extra = if row.greyed {
            format!(" fill-opacity=\"{}\"", palette::GREYED_OPACITY)
        } else {
            String::new()
        };
        let mut cum = 0.0;
        for (j, &share) in shares.iter().enumerate() {
            let x0 = plot_l + cum / total * width;
            cum += share;
            let x1 = plot_l + cum / total * width;
            if share <= 0.0 {
                continue;
            }
            let percent = share / total * 100.0;
            let text = format!("{}%", fmt(percent, 0));
            let legend = chart.series[j].0.trim();
            let tip = format!("{}: {text}", legend);
            doc.rect_tip(x0, y0, x1, y1, &colours[j], &extra, &tip);
            let text_w = svg::text_width(&text, SHARE_SIZE);
            if percent >= MIN_LABELLED && text_w + 6.0 <= x1 - x0 {
                let light = !row.greyed && svg::wants_light_text(&colours[j]);
                let ink = if light { "#FFFFFF" } else { palette::TEXT };
                let style = Style::new(SHARE_SIZE, Anchor::Middle, ink).bold();
                doc.text((x0 + x1) / 2.0, cy + 4.0, style, &text, x1 - x0);
            }
        }
        if row.greyed {
            let outline = format!(
                " stroke=\"{}\" stroke-dasharray=\"3 2\"",
                palette::GREYED_STROKE
            );
            doc.rect(plot_l, y0, plot_r, y1, "none", &outline);
        }
    }
    doc.finish("stacked", &chart.title)
}
