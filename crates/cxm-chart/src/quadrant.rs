//! An importance × performance priority matrix (CSI attributes, key drivers): points on
//! two value axes, a dashed crosshair at the splits (usually the means), the four quadrant
//! names in the plot's corners, and point labels placed beside their points, moved to
//! another side when they would run off the plot or overlap a label already placed.

use crate::axis::{self, TICK_SIZE};
use crate::palette;
use crate::scale::{self, extent, finite, Linear};
use crate::svg::{self, escape, num, Anchor, Doc, Style, WIDTH};
use crate::NumFmt;

/// Importance × performance priority matrix (CSI attributes, key drivers).
#[derive(Debug, Clone, Default)]
pub struct QuadrantChart {
    /// The accessible title (`<title>`); not drawn.
    pub title: String,
    /// Caption under the horizontal axis.
    pub x_label: String,
    /// Caption above the vertical axis.
    pub y_label: String,
    pub points: Vec<QuadrantPoint>,
    /// Where the vertical crosshair line is (NaN = the points' mean).
    pub x_split: f64,
    /// Where the horizontal crosshair line is (NaN = the points' mean).
    pub y_split: f64,
    /// Top-left, top-right, bottom-left, bottom-right.
    pub quadrant_labels: [String; 4],
}

/// One point (points with a NaN or infinite coordinate are left out).
#[derive(Debug, Clone, Default)]
pub struct QuadrantPoint {
    pub label: String,
    pub x: f64,
    pub y: f64,
}

const HEIGHT: f64 = 400.0;
const PLOT_TOP: f64 = 30.0;
const PLOT_BOTTOM: f64 = HEIGHT - 46.0;
const POINT_SIZE: f64 = 11.0;
const RADIUS: f64 = 5.0;
/// Widest point label; longer ones are cut.
const LABEL_ROOM: f64 = 180.0;

/// An axis-aligned box: left, top, right, bottom.
type Bbox = (f64, f64, f64, f64);

fn overlap(a: Bbox, b: Bbox) -> f64 {
    let w = a.2.min(b.2) - a.0.max(b.0);
    let h = a.3.min(b.3) - a.1.max(b.1);
    if w > 0.0 && h > 0.0 {
        w * h
    } else {
        0.0
    }
}

/// The box of text of width `w` drawn at baseline `y` with `anchor` at `x`.
fn text_box(x: f64, y: f64, w: f64, anchor: Anchor, size: f64) -> Bbox {
    let left = match anchor {
        Anchor::Start => x,
        Anchor::Middle => x - w / 2.0,
        Anchor::End => x - w,
    };
    (left, y - 0.8 * size, left + w, y + 0.25 * size)
}

/// Renders a [`QuadrantChart`] as an SVG string.
pub fn quadrant(chart: &QuadrantChart, fmt: NumFmt<'_>) -> String {
    let points: Vec<(&str, f64, f64)> = chart
        .points
        .iter()
        .filter_map(|p| Some((p.label.as_str(), finite(p.x)?, finite(p.y)?)))
        .collect();
    let mean = |f: fn(&(&str, f64, f64)) -> f64| {
        points.iter().map(f).sum::<f64>() / points.len().max(1) as f64
    };
    let x_split = finite(chart.x_split).unwrap_or_else(|| mean(|p| p.1));
    let y_split = finite(chart.y_split).unwrap_or_else(|| mean(|p| p.2));
    let x_data = extent(points.iter().map(|p| p.1).chain([x_split]));
    let y_data = extent(points.iter().map(|p| p.2).chain([y_split]));
    let axes = (!points.is_empty())
        .then(|| {
            let x = scale::axis(x_data, None, false, 0.1)?;
            let y = scale::axis(y_data, None, false, 0.1)?;
            Some((x, y))
        })
        .flatten();
    let Some((x_ticks, y_ticks)) = axes else {
        let texts = [chart.x_label.as_str(), chart.y_label.as_str()];
        return svg::empty("quadrant", &chart.title, &texts);
    };

    let x_text = axis::tick_labels(&x_ticks, fmt);
    let y_text = axis::tick_labels(&y_ticks, fmt);
    let plot_l = axis::y_tick_room(&y_text);
    let half_last = axis::half_tick(x_text.last());
    let plot_r = WIDTH - 16.0_f64.max(half_last + 4.0);
    let x = Linear::new(&x_ticks, plot_l, plot_r);
    let y = Linear::new(&y_ticks, PLOT_BOTTOM, PLOT_TOP);

    let mut doc = Doc::new(HEIGHT);
    axis::y_grid(&mut doc, &y_ticks, &y_text, &y, plot_l, plot_r);
    axis::x_grid(&mut doc, &x_ticks, &x_text, &x, PLOT_TOP, PLOT_BOTTOM);
    doc.rect(
        plot_l,
        PLOT_TOP,
        plot_r,
        PLOT_BOTTOM,
        "none",
        " stroke=\"#C8C8C8\"",
    );
    let caption = Style::new(TICK_SIZE, Anchor::Start, palette::MUTED);
    doc.text(4.0, 14.0, caption, &chart.y_label, WIDTH - 8.0);
    let caption = Style::new(TICK_SIZE, Anchor::Middle, palette::MUTED);
    let mid = (plot_l + plot_r) / 2.0;
    doc.text(
        mid,
        PLOT_BOTTOM + 34.0,
        caption,
        &chart.x_label,
        WIDTH - 8.0,
    );

    let (sx, sy) = (x.at(x_split), y.at(y_split));
    let dash = " stroke-width=\"1.5\" stroke-dasharray=\"5 3\"";
    doc.line(sx, PLOT_TOP, sx, PLOT_BOTTOM, palette::AXIS, dash);
    doc.line(plot_l, sy, plot_r, sy, palette::AXIS, dash);

    // Quadrant names in the corners; their boxes are obstacles for point labels.
    let mut placed: Vec<Bbox> = Vec::new();
    let corner = Style::new(TICK_SIZE, Anchor::Start, palette::MUTED).bold();
    let rooms = corner_rooms(
        &chart.quadrant_labels,
        plot_r - plot_l,
        (sx - plot_l) / (plot_r - plot_l),
    );
    let corners = [
        (plot_l + 6.0, PLOT_TOP + 15.0, Anchor::Start, rooms[0]),
        (plot_r - 6.0, PLOT_TOP + 15.0, Anchor::End, rooms[1]),
        (plot_l + 6.0, PLOT_BOTTOM - 7.0, Anchor::Start, rooms[2]),
        (plot_r - 6.0, PLOT_BOTTOM - 7.0, Anchor::End, rooms[3]),
    ];
    for ((cx, cy, anchor, room), label) in corners.into_iter().zip(&chart.quadrant_labels) {
        let w = doc.text(cx, cy, Style { anchor, ..corner }, label, room);
        if w > 0.0 {
            placed.push(text_box(cx, cy, w, anchor, TICK_SIZE));
        }
    }

    let pixels: Vec<(f64, f64)> = points.iter().map(|p| (x.at(p.1), y.at(p.2))).collect();
    let dots: Vec<Bbox> = pixels
        .iter()
        .map(|&(px, py)| (px - RADIUS, py - RADIUS, px + RADIUS, py + RADIUS))
        .collect();
    let tip_x = (x_ticks.decimals + 1).min(10);
    let tip_y = (y_ticks.decimals + 1).min(10);
    for (&(label, vx, vy), &(px, py)) in points.iter().zip(&pixels) {
        let tip = format!("{}: {}, {}", label.trim(), fmt(vx, tip_x), fmt(vy, tip_y));
        doc.raw(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"#FFFFFF\" stroke-width=\"1.5\"><title>{}</title></circle>",
            num(px),
            num(py),
            num(RADIUS),
            palette::BLUE,
            escape(&tip)
        ));
    }

    let plot: Bbox = (
        plot_l + 2.0,
        PLOT_TOP + 2.0,
        plot_r - 2.0,
        PLOT_BOTTOM - 2.0,
    );
    for (&(label, _, _), &(px, py)) in points.iter().zip(&pixels) {
        let (shown, _) = svg::truncate(label, LABEL_ROOM, POINT_SIZE);
        if shown.is_empty() {
            continue;
        }
        let w = svg::text_width(&shown, POINT_SIZE);
        let (bx, by, anchor, far) = place(px, py, w, plot, &placed, &dots);
        placed.push(text_box(bx, by, w, anchor, POINT_SIZE));
        if far {
            // A leader line from the point to the label's near end.
            let lx = if anchor == Anchor::End {
                bx + 2.0
            } else {
                bx - 2.0
            };
            let ly = by - 0.3 * POINT_SIZE;
            doc.line(px, py, lx, ly, palette::AXIS, " stroke-width=\"0.75\"");
        }
        let style = Style::new(POINT_SIZE, anchor, palette::TEXT);
        doc.text(bx, by, style, label, LABEL_ROOM);
    }
    doc.finish("quadrant", &chart.title)
}

/// Widths for the quadrant names (top-left, top-right, bottom-left, bottom-right) in a
/// plot `width` wide with the crosshair at `split` (0–1): each pair on a line gets its full
/// width when both fit, else the line is shared by the crosshair's position (at least a
/// third each), the shorter name keeping all it needs.
fn corner_rooms(labels: &[String; 4], width: f64, split: f64) -> [f64; 4] {
    let avail = (width - 24.0).max(0.0);
    let share = if split.is_finite() {
        split.clamp(1.0 / 3.0, 2.0 / 3.0)
    } else {
        0.5
    };
    let pair = |l: &str, r: &str| {
        let (wl, wr) = (
            svg::text_width(l.trim(), TICK_SIZE),
            svg::text_width(r.trim(), TICK_SIZE),
        );
        if wl + wr <= avail {
            return (avail, avail);
        }
        let left = (avail * share).max(avail - wr).min(wl);
        (left, avail - left)
    };
    let (tl, tr) = pair(&labels[0], &labels[1]);
    let (bl, br) = pair(&labels[2], &labels[3]);
    [tl, tr, bl, br]
}

/// Where to draw a point's label of width `w`: the first spot that stays in `plot` and
/// overlaps no label, quadrant name or point already there, trying right, left, above,
/// below, the diagonals, then further up and down on either side (a crowded cluster
/// becomes a column of labels); else the least overlapping spot, moved into the plot.
/// Returns x, baseline y, anchor and whether the label is far enough to need a leader line.
fn place(
    px: f64,
    py: f64,
    w: f64,
    plot: Bbox,
    placed: &[Bbox],
    dots: &[Bbox],
) -> (f64, f64, Anchor, bool) {
    let mut candidates = vec![
        (8.0, 4.0, Anchor::Start),
        (-8.0, 4.0, Anchor::End),
        (0.0, -9.0, Anchor::Middle),
        (0.0, 17.0, Anchor::Middle),
        (6.0, -7.0, Anchor::Start),
        (6.0, 15.0, Anchor::Start),
        (-6.0, -7.0, Anchor::End),
        (-6.0, 15.0, Anchor::End),
    ];
    for step in 2..=10 {
        let dy = f64::from(step) * 12.0;
        for dx in [12.0, -12.0] {
            let anchor = if dx > 0.0 { Anchor::Start } else { Anchor::End };
            candidates.push((dx, 4.0 - dy, anchor));
            candidates.push((dx, 4.0 + dy, anchor));
        }
    }
    let mut best: Option<(f64, usize)> = None;
    for (i, &(dx, dy, anchor)) in candidates.iter().enumerate() {
        let b = text_box(px + dx, py + dy, w, anchor, POINT_SIZE);
        let outside = b.0 < plot.0 || b.1 < plot.1 || b.2 > plot.2 || b.3 > plot.3;
        let cost = placed
            .iter()
            .chain(dots)
            .map(|&o| overlap(b, o))
            .sum::<f64>()
            + if outside { 1e6 } else { 0.0 };
        if best.is_none_or(|(c, _)| cost < c) {
            best = Some((cost, i));
        }
        if cost == 0.0 {
            break;
        }
    }
    let i = best.map_or(0, |(_, i)| i);
    let (dx, dy, anchor) = candidates
        .get(i)
        .copied()
        .unwrap_or((8.0, 4.0, Anchor::Start));
    let (mut bx, mut by) = (px + dx, py + dy);
    // Move a label that still runs off the plot back inside.
    let b = text_box(bx, by, w, anchor, POINT_SIZE);
    if b.0 < plot.0 {
        bx += plot.0 - b.0;
    } else if b.2 > plot.2 {
        bx -= b.2 - plot.2;
    }
    if b.1 < plot.1 {
        by += plot.1 - b.1;
    } else if b.3 > plot.3 {
        by -= b.3 - plot.3;
    }
    (bx, by, anchor, i >= 8)
}
