//! A trend: one value per ordered period as a line with point markers, the confidence
//! interval as a shaded band (a whisker for an isolated point), gaps for missing periods,
//! hollow markers and dashed segments for greyed (low-sample) periods, the caller's
//! significance markers above points, and an optional dashed reference line (a benchmark).

use crate::axis::{self, TICK_SIZE};
use crate::bars::clean_ci;
use crate::palette;
use crate::scale::{self, extent, finite, Linear};
use crate::svg::{self, escape, num, Anchor, Doc, Style, WIDTH};
use crate::{Interval, NumFmt};

/// A line over ordered periods with the confidence interval as a shaded band.
#[derive(Debug, Clone, Default)]
pub struct TrendChart {
    /// The accessible title (`<title>`); not drawn.
    pub title: String,
    /// Caption of the value axis, drawn above it.
    pub unit: String,
    /// One label per point.
    pub x_labels: Vec<String>,
    pub points: Vec<TrendPoint>,
    /// The value axis; `None` = from the data (values, CI ends, reference), padded.
    pub domain: Option<(f64, f64)>,
    /// A labelled dashed horizontal line, e.g. `("benchmark", 32.0)`.
    pub reference: Option<(String, f64)>,
}

/// One period of a trend.
#[derive(Debug, Clone, Default)]
pub struct TrendPoint {
    /// `None` (or NaN) = a gap in the line.
    pub value: Option<f64>,
    pub ci: Option<Interval>,
    /// Below `min_n`: a hollow grey marker, dashed segments to it.
    pub greyed: bool,
    /// Shown above the point, e.g. "▲*".
    pub marker: Option<String>,
}

const HEIGHT: f64 = 280.0;
const PLOT_TOP: f64 = 32.0;
const PLOT_BOTTOM: f64 = HEIGHT - 30.0;

/// "M x y L x y …" through the points.
fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let cmd = if i == 0 { 'M' } else { 'L' };
        d.push_str(&format!("{cmd}{} {}", num(*x), num(*y)));
    }
    d
}

/// Renders a [`TrendChart`] as an SVG string.
pub fn trend(chart: &TrendChart, fmt: NumFmt<'_>) -> String {
    let values: Vec<Option<f64>> = chart
        .points
        .iter()
        .map(|p| p.value.and_then(finite))
        .collect();
    let cis: Vec<Option<(f64, f64)>> = chart
        .points
        .iter()
        .zip(&values)
        .map(|(p, v)| v.and(clean_ci(p.ci)))
        .collect();
    let reference = chart
        .reference
        .as_ref()
        .and_then(|(label, v)| Some((label.as_str(), finite(*v)?)));
    let has_values = values.iter().any(Option::is_some);
    let data = extent(
        values
            .iter()
            .flatten()
            .copied()
            .chain(cis.iter().flatten().flat_map(|&(a, b)| [a, b]))
            .chain(reference.map(|r| r.1)),
    )
    .filter(|_| has_values);
    let Some(ticks) = data.and_then(|d| scale::axis(Some(d), chart.domain, false, 0.02)) else {
        return svg::empty("trend", &chart.title, &[&chart.unit]);
    };

    let tick_text = axis::tick_labels(&ticks, fmt);
    let plot_l = axis::y_tick_room(&tick_text);
    let plot_r = WIDTH - 16.0;
    let y = Linear::new(&ticks, PLOT_BOTTOM, PLOT_TOP);
    let n = chart.points.len();
    let band = (plot_r - plot_l) / n as f64;
    let xs: Vec<f64> = (0..n).map(|i| plot_l + band * (i as f64 + 0.5)).collect();

    let mut doc = Doc::new(HEIGHT);
    axis::y_grid(&mut doc, &ticks, &tick_text, &y, plot_l, plot_r);
    if !chart.unit.trim().is_empty() {
        let style = Style::new(TICK_SIZE, Anchor::Start, palette::MUTED);
        doc.text(4.0, 14.0, style, &chart.unit, WIDTH - 8.0);
    }
    axis::category_labels(&mut doc, &chart.x_labels, &xs, band, PLOT_BOTTOM + 17.0);

    // Confidence band over runs of consecutive periods with a CI; whiskers for lone ones.
    let mut i = 0;
    while i < n {
        let run = cis[i..].iter().take_while(|c| c.is_some()).count();
        if run == 0 {
            i += 1;
            continue;
        }
        let ends: Vec<(f64, f64, f64)> = (i..i + run)
            .filter_map(|j| cis[j].map(|(lo, hi)| (xs[j], y.at(lo), y.at(hi))))
            .collect();
        if run == 1 {
            for &(px, lo, hi) in &ends {
                let attrs = " stroke-width=\"1.5\" stroke-opacity=\"0.6\"";
                doc.line(px, lo, px, hi, palette::BLUE, attrs);
                doc.line(px - 4.0, lo, px + 4.0, lo, palette::BLUE, attrs);
                doc.line(px - 4.0, hi, px + 4.0, hi, palette::BLUE, attrs);
            }
        } else {
            let mut outline: Vec<(f64, f64)> = ends.iter().map(|&(px, _, hi)| (px, hi)).collect();
            outline.extend(ends.iter().rev().map(|&(px, lo, _)| (px, lo)));
            doc.raw(&format!(
                "<path d=\"{}Z\" fill=\"{}\" fill-opacity=\"0.15\"/>",
                path(&outline),
                palette::BLUE
            ));
        }
        i += run;
    }

    // The line: solid between full periods, dashed to or from a greyed one; a segment that
    // continues the previous one of its style extends its subpath (for a clean join).
    let (mut solid, mut dashed) = (Vec::new(), Vec::new());
    let (mut solid_end, mut dashed_end) = (None, None);
    for i in 1..n {
        if let (Some(a), Some(b)) = (values[i - 1], values[i]) {
            let greyed = chart.points[i - 1].greyed || chart.points[i].greyed;
            let (parts, end) = if greyed {
                (&mut dashed, &mut dashed_end)
            } else {
                (&mut solid, &mut solid_end)
            };
            if *end == Some(i - 1) {
                parts.push(format!("L{} {}", num(xs[i]), num(y.at(b))));
            } else {
                parts.push(path(&[(xs[i - 1], y.at(a)), (xs[i], y.at(b))]));
            }
            *end = Some(i);
        }
    }
    let line = |d: &[String], extra: &str| {
        format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{extra}/>",
            d.concat(),
            palette::BLUE
        )
    };
    if !solid.is_empty() {
        doc.raw(&line(&solid, ""));
    }
    if !dashed.is_empty() {
        doc.raw(&line(&dashed, " stroke-dasharray=\"4 4\""));
    }

    if let Some((label, v)) = reference.filter(|r| ticks.contains(r.1)) {
        let py = y.at(v);
        doc.line(
            plot_l,
            py,
            plot_r,
            py,
            palette::REFERENCE,
            axis::REFERENCE_DASH,
        );
        let text = axis::reference_text(label, &fmt(v, scale::decimals_of(v)));
        let style = Style::new(10.0, Anchor::End, palette::REFERENCE);
        doc.text(plot_r, py - 5.0, style, &text, plot_r - plot_l);
    }

    let tip_decimals = (ticks.decimals + 1).min(10);
    for (i, point) in chart.points.iter().enumerate() {
        let Some(v) = values[i] else { continue };
        let (px, py) = (xs[i], y.at(v));
        let label = chart.x_labels.get(i).map_or("", |s| s.trim());
        let mut tip = fmt(v, tip_decimals);
        if !label.is_empty() {
            tip = format!("{label}: {tip}");
        }
        if let Some((lo, hi)) = cis[i] {
            let (lo, hi) = (fmt(lo, tip_decimals), fmt(hi, tip_decimals));
            tip.push_str(&format!(" ({lo} – {hi})"));
        }
        let (fill, stroke) = if point.greyed {
            ("#FFFFFF", palette::GREYED_STROKE)
        } else {
            (palette::BLUE, "#FFFFFF")
        };
        doc.raw(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"><title>{}</title></circle>",
            num(px),
            num(py),
            escape(&tip)
        ));
        if let Some(marker) = point.marker.as_deref().filter(|m| !m.trim().is_empty()) {
            let width = svg::text_width(marker.trim(), TICK_SIZE).min(band.max(40.0));
            let (anchor, tx) = axis::centred_in_canvas(px, width);
            let style = Style::new(TICK_SIZE, anchor, palette::TEXT).bold();
            doc.text(tx, py - 9.0, style, marker, band.max(40.0));
        }
    }
    doc.finish("trend", &chart.title)
}
