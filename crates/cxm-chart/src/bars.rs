//! Horizontal bars, one per segment: the value as a bar from zero (negative values extend
//! left), its confidence interval as a whisker, and a right-hand column with the value, the
//! caller's significance marker and a small note (e.g. "n = 12"). Greyed items (below the
//! minimum sample) are light grey with a dashed outline; an optional reference (e.g. the
//! overall value) is a dashed vertical line labelled above the bars.

use crate::axis::{self, LABEL_SIZE, TICK_SIZE};
use crate::palette;
use crate::scale::{self, extent, finite, Linear};
use crate::svg::{self, escape, num, truncate, Anchor, Doc, Style, WIDTH};
use crate::{Interval, NumFmt};

/// Horizontal bars (one per segment) with CI whiskers, a value label, an optional marker,
/// greyed items.
#[derive(Debug, Clone, Default)]
pub struct BarChart {
    /// The accessible title (`<title>`); not drawn.
    pub title: String,
    /// Caption under the value axis.
    pub unit: String,
    pub bars: Vec<Bar>,
    /// The value axis; `None` = from the data (with zero, CI ends and the reference).
    pub domain: Option<(f64, f64)>,
    /// A labelled dashed vertical line, e.g. `("overall", 41.0)`.
    pub reference: Option<(String, f64)>,
    /// Decimals of the value labels (and of the reference value).
    pub decimals: usize,
}

/// One bar.
#[derive(Debug, Clone, Default)]
pub struct Bar {
    pub label: String,
    /// `None` (or NaN) = no data: the row shows "–".
    pub value: Option<f64>,
    pub ci: Option<Interval>,
    /// Drawn light grey with a dashed outline (e.g. below `min_n`).
    pub greyed: bool,
    /// Shown after the value, e.g. "▲*".
    pub marker: Option<String>,
    /// Small grey text after the value and marker, e.g. "n = 12".
    pub note: Option<String>,
}

const ROW: f64 = 28.0;
const BAR: f64 = 16.0;
const VALUE_SIZE: f64 = 11.0;
const NOTE_SIZE: f64 = 10.0;

/// A CI with finite ends, low first.
pub(crate) fn clean_ci(ci: Option<Interval>) -> Option<(f64, f64)> {
    let c = ci?;
    let (a, b) = (finite(c.low)?, finite(c.high)?);
    Some((a.min(b), a.max(b)))
}

/// The texts of a bar's value column, already cut to their budgets.
struct ValueTexts {
    value: String,
    marker: String,
    note: String,
}

impl ValueTexts {
    fn new(bar: &Bar, decimals: usize, fmt: NumFmt<'_>) -> Self {
        let value = match bar.value.and_then(finite) {
            Some(v) => fmt(v, decimals),
            None => "–".to_owned(),
        };
        let cut = |s: Option<&String>, w: f64, size: f64| {
            truncate(s.map_or("", |s| s.as_str()), w, size).0
        };
        ValueTexts {
            value: truncate(&value, 90.0, VALUE_SIZE).0,
            marker: cut(bar.marker.as_ref(), 30.0, VALUE_SIZE),
            note: cut(bar.note.as_ref(), 80.0, NOTE_SIZE),
        }
    }

    fn width(&self) -> f64 {
        let mut w = svg::text_width(&self.value, VALUE_SIZE);
        if !self.marker.is_empty() {
            w += 4.0 + svg::text_width(&self.marker, VALUE_SIZE);
        }
        if !self.note.is_empty() {
            w += 6.0 + svg::text_width(&self.note, NOTE_SIZE);
        }
        w
    }

    fn draw(&self, doc: &mut Doc, x: f64, y: f64, greyed: bool) {
        let fill = if greyed {
            palette::MUTED
        } else {
            palette::TEXT
        };
        let mut s = format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{fill}\">{}",
            num(x),
            num(y),
            num(VALUE_SIZE),
            escape(&self.value)
        );
        if !self.marker.is_empty() {
            s.push_str(&format!(
                "<tspan dx=\"4\" font-weight=\"600\">{}</tspan>",
                escape(&self.marker)
            ));
        }
        if !self.note.is_empty() {
            s.push_str(&format!(
                "<tspan dx=\"6\" font-size=\"{}\" fill=\"{}\">{}</tspan>",
                num(NOTE_SIZE),
                palette::MUTED,
                escape(&self.note)
            ));
        }
        s.push_str("</text>");
        doc.raw(&s);
    }
}

/// Renders a [`BarChart`] as an SVG string.
pub fn bars(chart: &BarChart, fmt: NumFmt<'_>) -> String {
    let decimals = chart.decimals.min(10);
    let reference = chart
        .reference
        .as_ref()
        .and_then(|(label, v)| Some((label.as_str(), finite(*v)?)));
    let drawn = chart.bars.iter().filter_map(|b| b.value.and_then(finite));
    let data = extent(
        drawn.chain(
            chart
                .bars
                .iter()
                .filter(|b| b.value.and_then(finite).is_some())
                .filter_map(|b| clean_ci(b.ci))
                .flat_map(|(a, b)| [a, b]),
        ),
    );
    let ticks = match data {
        Some(data) => scale::axis(
            extent([data.0, data.1].into_iter().chain(reference.map(|r| r.1))),
            chart.domain,
            true,
            0.0,
        ),
        None => None,
    };
    let Some(ticks) = ticks else {
        return svg::empty("bars", &chart.title, &[&chart.unit]);
    };

    let tick_text = axis::tick_labels(&ticks, fmt);
    let texts: Vec<ValueTexts> = chart
        .bars
        .iter()
        .map(|b| ValueTexts::new(b, decimals, fmt))
        .collect();
    let half = axis::half_tick;
    let value_col = texts
        .iter()
        .map(ValueTexts::width)
        .fold(half(tick_text.last()), f64::max);
    let label_w = axis::label_column(chart.bars.iter().map(|b| b.label.as_str()), 190.0);
    let plot_l = (12.0 + label_w + 10.0).max(half(tick_text.first()) + 6.0);
    let plot_r = WIDTH - 8.0 - value_col - 10.0;
    let x = Linear::new(&ticks, plot_l, plot_r);

    let top = if reference.is_some() { 28.0 } else { 8.0 };
    let bottom = top + chart.bars.len() as f64 * ROW;
    let mut doc = Doc::new(
        bottom
            + if chart.unit.trim().is_empty() {
                24.0
            } else {
                40.0
            },
    );
    axis::x_grid(&mut doc, &ticks, &tick_text, &x, top, bottom);
    if !chart.unit.trim().is_empty() {
        let style = Style::new(TICK_SIZE, Anchor::Middle, palette::MUTED);
        let mid = (plot_l + plot_r) / 2.0;
        doc.text(mid, bottom + 32.0, style, &chart.unit, WIDTH - 16.0);
    }

    let zero = x.at(0.0);
    for (i, (bar, texts)) in chart.bars.iter().zip(&texts).enumerate() {
        let cy = top + (i as f64 + 0.5) * ROW;
        let muted = bar.greyed || bar.value.and_then(finite).is_none();
        let fill = if muted { palette::MUTED } else { palette::TEXT };
        let style = Style::new(LABEL_SIZE, Anchor::End, fill);
        doc.text(plot_l - 10.0, cy + 4.0, style, &bar.label, plot_l - 14.0);
        texts.draw(&mut doc, plot_r + 10.0, cy + 4.0, muted);
        let Some(v) = bar.value.and_then(finite) else {
            continue;
        };
        let (y0, y1) = (cy - BAR / 2.0, cy + BAR / 2.0);
        if bar.greyed {
            let outline = format!(
                " stroke=\"{}\" stroke-dasharray=\"3 2\"",
                palette::GREYED_STROKE
            );
            doc.rect(zero, y0, x.at(v), y1, palette::GREYED_FILL, &outline);
        } else {
            doc.rect(zero, y0, x.at(v), y1, palette::SKY_BLUE, "");
        }
        if let Some((lo, hi)) = clean_ci(bar.ci) {
            let stroke = if bar.greyed {
                palette::GREYED_STROKE
            } else {
                palette::TEXT
            };
            let (a, b) = (x.at(lo), x.at(hi));
            doc.line(a, cy, b, cy, stroke, " stroke-width=\"1.5\"");
            for px in [a, b] {
                doc.line(px, cy - 5.0, px, cy + 5.0, stroke, " stroke-width=\"1.5\"");
            }
        }
    }

    if let Some((label, v)) = reference.filter(|r| ticks.contains(r.1)) {
        let px = x.at(v);
        doc.line(
            px,
            top - 4.0,
            px,
            bottom,
            palette::REFERENCE,
            axis::REFERENCE_DASH,
        );
        let text = axis::reference_text(label, &fmt(v, decimals));
        let width = svg::text_width(&text, TICK_SIZE).min(WIDTH - 8.0);
        let (anchor, tx) = axis::centred_in_canvas(px, width);
        let style = Style::new(TICK_SIZE, anchor, palette::REFERENCE);
        doc.text(tx, top - 9.0, style, &text, WIDTH - 8.0);
    }
    doc.finish("bars", &chart.title)
}
