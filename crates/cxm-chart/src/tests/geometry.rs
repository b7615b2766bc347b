//! Geometry tests: facts about positions and sizes that a wrong scale or layout would break
//! (bar lengths, whisker ends, negative bars, stacked widths, nice ticks, label placement).

use super::*;
use crate::scale;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn plain_bar(label: &str, v: f64) -> Bar {
    Bar {
        label: label.into(),
        value: Some(v),
        ..Bar::default()
    }
}

/// The `<rect>`s of a chart, without the `fill="none"` outlines.
fn filled_rects(root: &El) -> Vec<&El> {
    root.find("rect")
        .into_iter()
        .filter(|r| r.attr("fill") != Some("none"))
        .collect()
}

#[test]
fn a_bar_of_50_on_0_to_100_is_half_the_plot() {
    let chart = BarChart {
        bars: vec![plain_bar("full", 100.0), plain_bar("half", 50.0)],
        domain: Some((0.0, 100.0)),
        ..BarChart::default()
    };
    let root = check(&bars(&chart, EN));
    let rects = filled_rects(&root);
    assert_eq!(rects.len(), 2);
    let (full, half) = (rects[0], rects[1]);
    assert_eq!(full.num("x"), half.num("x"));
    assert!(close(half.num("width"), full.num("width") / 2.0, 0.1));
    // The plot spans the 0 and 100 grid lines.
    let ticks: Vec<f64> = root.find("line").iter().map(|l| l.num("x1")).collect();
    assert!(ticks.contains(&full.num("x")));
    let end = full.num("x") + full.num("width");
    assert!(ticks.iter().any(|&t| close(t, end, 0.01)));
}

#[test]
fn a_ci_whisker_spans_from_low_to_high() {
    let mut bar = plain_bar("a", 40.0);
    bar.ci = ci(30.0, 55.0);
    let chart = BarChart {
        bars: vec![plain_bar("full", 100.0), bar],
        domain: Some((0.0, 100.0)),
        ..BarChart::default()
    };
    let root = check(&bars(&chart, EN));
    let full = filled_rects(&root)[0];
    let (x0, w) = (full.num("x"), full.num("width"));
    let whisker = root
        .find("line")
        .into_iter()
        .find(|l| l.num("y1") == l.num("y2") && l.attr("stroke") == Some(palette::TEXT))
        .expect("a horizontal whisker");
    assert!(close(whisker.num("x1"), x0 + 0.30 * w, 0.1));
    assert!(close(whisker.num("x2"), x0 + 0.55 * w, 0.1));
}

#[test]
fn a_negative_bar_starts_at_zero_and_extends_left() {
    let chart = BarChart {
        bars: vec![plain_bar("up", 40.0), plain_bar("down", -20.0)],
        ..BarChart::default()
    };
    let root = check(&bars(&chart, EN));
    let zero = root
        .find("line")
        .into_iter()
        .find(|l| l.attr("stroke") == Some(palette::AXIS))
        .expect("a zero line")
        .num("x1");
    let rects = filled_rects(&root);
    let (up, down) = (rects[0], rects[1]);
    assert_eq!(up.num("x"), zero);
    assert!(close(down.num("x") + down.num("width"), zero, 0.05));
    assert!(down.num("x") < zero);
    assert!(close(down.num("width"), up.num("width") / 2.0, 0.1));
}

#[test]
fn stacked_segments_fill_the_plot_width() {
    let root = check(&stacked(&sample_stacked(), EN));
    let segments: Vec<&El> = filled_rects(&root)
        .into_iter()
        .filter(|r| r.num("height") == 18.0)
        .collect();
    assert_eq!(segments.len(), 15);
    let widths: Vec<f64> = segments
        .chunks(3)
        .map(|row| row.iter().map(|r| r.num("width")).sum())
        .collect();
    for w in &widths {
        assert!(close(*w, widths[0], 0.2), "{widths:?}");
    }
    // Each row starts where the previous segment ended.
    for row in segments.chunks(3) {
        for pair in row.windows(2) {
            assert!(close(
                pair[0].num("x") + pair[0].num("width"),
                pair[1].num("x"),
                0.05
            ));
        }
    }
    // Share labels: 0 decimals with a percent sign, only in segments of at least 8%.
    let mut s = sample_stacked();
    s.rows = vec![StackedRow {
        label: "x".into(),
        shares: vec![5.0, 45.4, 49.6],
        greyed: false,
    }];
    let svg = stacked(&s, EN);
    assert!(svg.contains(">45%<") && svg.contains(">50%<") && !svg.contains(">5%<"));
}

#[test]
fn ticks_are_nice_and_cover_the_domain() {
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..2000 {
        let scale_pow = 10f64.powi((next() * 12.0) as i32 - 6);
        let a = (next() - 0.5) * 200.0 * scale_pow;
        let b = a + next() * 150.0 * scale_pow + 1e-9;
        let ticks = scale::axis(Some((a, b)), None, false, 0.0).unwrap();
        let n = ticks.values.len();
        assert!((4..=6).contains(&n), "{a}..{b}: {ticks:?}");
        assert_eq!(ticks.lo, ticks.values[0]);
        assert_eq!(ticks.hi, ticks.values[n - 1]);
        assert!(ticks.lo <= a && ticks.hi >= b, "{a}..{b}: {ticks:?}");
        let step = ticks.values[1] - ticks.values[0];
        let mantissa = step / 10f64.powf(step.log10().floor());
        assert!(
            [1.0, 2.0, 2.5, 5.0, 10.0]
                .iter()
                .any(|m| close(mantissa, *m, 1e-6)),
            "{step}"
        );
        for w in ticks.values.windows(2) {
            assert!(close(w[1] - w[0], step, step * 1e-6));
        }
        // The decimals show every tick exactly.
        for v in &ticks.values {
            let shown: f64 = fmt_en(*v, ticks.decimals).parse().unwrap();
            assert!(
                close(shown, *v, step * 1e-6),
                "{v} as {}",
                fmt_en(*v, ticks.decimals)
            );
        }
    }
}

#[test]
fn known_axes() {
    let t = scale::axis(Some((0.0, 87.0)), None, true, 0.0).unwrap();
    assert_eq!(t.values, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
    let t = scale::axis(Some((-6.5, 51.0)), None, true, 0.0).unwrap();
    assert_eq!(t.values, [-20.0, 0.0, 20.0, 40.0, 60.0]);
    let t = scale::axis(Some((0.1, 0.6)), None, true, 0.0).unwrap();
    assert_eq!((t.values.len(), t.decimals), (4, 1));
    // An explicit domain is kept exactly, with nice ticks inside it.
    let t = scale::axis(Some((3.0, 4.0)), Some((-100.0, 100.0)), false, 0.0).unwrap();
    assert_eq!((t.lo, t.hi), (-100.0, 100.0));
    assert_eq!(t.values, [-100.0, -50.0, 0.0, 50.0, 100.0]);
    // Degenerate data still gives a usable axis.
    let t = scale::axis(Some((0.0, 0.0)), None, true, 0.0).unwrap();
    assert_eq!((t.lo, t.hi), (0.0, 1.0));
    let t = scale::axis(Some((40.0, 40.0)), None, false, 0.1).unwrap();
    assert!(t.lo < 40.0 && t.hi > 40.0);
}

#[test]
fn trend_gaps_split_the_line_and_greyed_points_are_hollow() {
    let root = check(&trend(&sample_trend(), EN));
    let paths = root.find("path");
    let band = paths
        .iter()
        .filter(|p| p.attr("fill") != Some("none"))
        .count();
    assert_eq!(band, 2, "one band before the gap, one after");
    let solid = paths
        .iter()
        .find(|p| p.attr("fill") == Some("none") && p.attr("stroke-dasharray").is_none())
        .unwrap();
    let d = solid.attr("d").unwrap();
    assert_eq!(d.matches('M').count(), 2, "{d}"); // 0-1 | (1-2 dashed) | 4-5-6-7
    assert_eq!(d.matches('L').count(), 4, "{d}");
    let circles = root.find("circle");
    assert_eq!(circles.len(), 7);
    let hollow = circles.iter().filter(|c| c.attr("fill") == Some("#FFFFFF"));
    assert_eq!(hollow.count(), 1);
}

#[test]
fn quadrant_labels_stay_in_the_plot_and_do_not_overlap() {
    let mut q = sample_quadrant();
    // Crowd points into one corner.
    for (i, p) in q.points.iter_mut().enumerate() {
        p.x = 0.9 + i as f64 * 0.002;
        p.y = 4.5 - i as f64 * 0.01;
    }
    q.points.push(QuadrantPoint {
        label: "Origin".into(),
        x: 0.0,
        y: 1.0,
    });
    let root = check(&quadrant(&q, EN));
    let frame = root.find("rect")[0];
    let (l, t) = (frame.num("x"), frame.num("y"));
    let (r, b) = (l + frame.num("width"), t + frame.num("height"));
    let labels: Vec<&El> = root
        .find("text")
        .into_iter()
        .filter(|e| e.attr("font-size") == Some("11") && e.attr("fill") == Some(palette::TEXT))
        .collect();
    assert_eq!(labels.len(), q.points.len());
    let boxes: Vec<(f64, f64, f64, f64)> = labels
        .iter()
        .map(|e| {
            let (x0, x1) = text_extent(e);
            (x0, e.num("y") - 8.8, x1, e.num("y") + 2.75)
        })
        .collect();
    for bx in &boxes {
        assert!(bx.0 >= l && bx.2 <= r && bx.1 >= t && bx.3 <= b, "{bx:?}");
    }
    let overlapping = boxes
        .iter()
        .enumerate()
        .flat_map(|(i, a)| boxes[i + 1..].iter().map(move |b| (a, b)))
        .filter(|(a, b)| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3)
        .count();
    assert_eq!(overlapping, 0, "{boxes:?}");
}

#[test]
fn columns_are_proportional_and_labelled() {
    let root = check(&columns(&sample_columns(), EN));
    let rects = filled_rects(&root);
    assert_eq!(rects.len(), 11);
    let h = |i: usize| rects[i].num("height");
    assert!(close(h(10) / h(9), 861.0 / 512.0, 0.01));
    let base = rects[0].num("y") + h(0);
    assert!(rects
        .iter()
        .all(|r| close(r.num("y") + r.num("height"), base, 0.05)));
    let texts: Vec<String> = root.find("text").iter().map(|t| t.shown_text()).collect();
    assert!(texts.contains(&"861".to_owned()) && texts.contains(&"10".to_owned()));
}
