//! Rendering tests: every chart kind on representative data in both locales, escaping,
//! determinism, and empty or degenerate inputs (which must still give a valid SVG).

use super::*;

/// Every chart kind rendered with `fmt`.
fn all_samples(fmt: NumFmt<'_>) -> Vec<String> {
    vec![
        trend(&sample_trend(), fmt),
        bars(&sample_bars(), fmt),
        stacked(&sample_stacked(), fmt),
        columns(&sample_columns(), fmt),
        grouped(&sample_grouped(), fmt),
        quadrant(&sample_quadrant(), fmt),
    ]
}

#[test]
fn every_chart_is_well_formed_in_both_locales() {
    for fmt in [EN, RU] {
        for svg in all_samples(fmt) {
            let root = check(&svg);
            assert_eq!(root.num("width"), 640.0);
            assert!(root.num("height") >= 150.0, "{svg}");
            assert!(!svg.contains("No data"), "{svg}");
        }
    }
}

#[test]
fn rendering_is_deterministic_and_ids_differ_between_charts() {
    let (a, b) = (all_samples(EN), all_samples(EN));
    assert_eq!(a, b);
    let ids: std::collections::BTreeSet<String> = a
        .iter()
        .map(|s| {
            parse(s)
                .unwrap()
                .attr("aria-labelledby")
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), a.len());
}

#[test]
fn numbers_go_through_the_callers_formatter() {
    let svg = bars(&sample_bars(), RU);
    assert!(svg.contains(">42,3<"), "{svg}");
    assert!(svg.contains(">−6,5<"), "{svg}");
    assert!(svg.contains("overall: 33,1"), "{svg}");
    let svg = trend(&sample_trend(), RU);
    assert!(svg.contains("benchmark: 32<"), "{svg}");
}

#[test]
fn text_is_escaped_everywhere() {
    let nasty = "<b>&\"x\"'";
    let mut t = sample_trend();
    t.title = nasty.into();
    t.unit = nasty.into();
    t.x_labels[0] = nasty.into();
    t.points[0].marker = Some(nasty.into());
    t.reference = Some((nasty.into(), 30.0));
    let mut b = sample_bars();
    b.title = nasty.into();
    b.unit = nasty.into();
    b.bars[0].label = nasty.into();
    b.bars[0].note = Some(nasty.into());
    b.bars[0].marker = Some("<&>".into());
    let mut s = sample_stacked();
    s.series[0] = (nasty.into(), "\"><script>".into());
    s.rows[0].label = nasty.into();
    let mut c = sample_columns();
    c.columns[0].label = nasty.into();
    c.columns[1].colour = Some("red\" onload=\"x".into());
    let mut g = sample_grouped();
    g.series[1].0 = nasty.into();
    g.rows[0].label = nasty.into();
    let mut q = sample_quadrant();
    q.points[0].label = nasty.into();
    q.quadrant_labels[3] = nasty.into();
    q.x_label = nasty.into();
    let evil: NumFmt<'_> = &|v, d| format!("<{v:.d$}&>");
    for svg in [
        trend(&t, evil),
        bars(&b, evil),
        stacked(&s, evil),
        columns(&c, evil),
        grouped(&g, evil),
        quadrant(&q, evil),
    ] {
        let root = check(&svg);
        assert!(!svg.contains("<b>") && !svg.contains("<script") && !svg.contains("onload"));
        let shown = all(&root)
            .iter()
            .filter(|e| e.name == "text" || e.name == "title")
            .any(|e| e.shown_text().contains(nasty) || e.tip().is_some_and(|t| t.contains(nasty)));
        assert!(shown, "label not round-tripped: {svg}");
    }
}

#[test]
fn control_characters_do_not_break_the_xml() {
    let mut b = sample_bars();
    b.bars[0].label = "a\u{0}b\u{1b}c\nd\u{FFFF}".into();
    let svg = bars(&b, EN);
    check(&svg);
    assert!(svg.contains(">a b c d<"), "{svg}");
}

/// Renders and checks an input that has nothing to draw: an empty-state SVG.
fn assert_empty(svg: &str, message: &str) {
    let root = check(svg);
    assert!(svg.contains(message), "{svg}");
    assert!(root.find("text").len() == 1, "{svg}");
}

#[test]
fn empty_inputs_give_an_empty_state_chart() {
    assert_empty(&trend(&TrendChart::default(), EN), "No data");
    assert_empty(&bars(&BarChart::default(), EN), "No data");
    assert_empty(&stacked(&StackedChart::default(), EN), "No data");
    assert_empty(&columns(&ColumnChart::default(), EN), "No data");
    assert_empty(&grouped(&GroupedChart::default(), EN), "No data");
    assert_empty(&quadrant(&QuadrantChart::default(), EN), "No data");
    let ru = BarChart {
        title: "NPS по регионам".into(),
        ..BarChart::default()
    };
    assert_empty(&bars(&ru, RU), "Нет данных");
}

#[test]
fn all_missing_or_nan_values_give_an_empty_state_chart() {
    let mut t = sample_trend();
    for p in &mut t.points {
        p.value = if p.greyed { None } else { Some(f64::NAN) };
    }
    assert_empty(&trend(&t, EN), "No data");
    let mut b = sample_bars();
    for bar in &mut b.bars {
        bar.value = Some(f64::INFINITY);
    }
    assert_empty(&bars(&b, EN), "No data");
    let mut s = sample_stacked();
    for row in &mut s.rows {
        row.shares = vec![f64::NAN, -5.0, 0.0];
    }
    assert_empty(&stacked(&s, EN), "No data");
    let mut c = sample_columns();
    for col in &mut c.columns {
        col.value = f64::NAN;
    }
    assert_empty(&columns(&c, EN), "No data");
    let mut g = sample_grouped();
    for row in &mut g.rows {
        row.values = vec![None, Some(f64::NEG_INFINITY)];
    }
    assert_empty(&grouped(&g, EN), "No data");
    let mut q = sample_quadrant();
    for p in &mut q.points {
        p.x = f64::NAN;
    }
    assert_empty(&quadrant(&q, EN), "No data");
}

#[test]
fn single_points_and_equal_values_render() {
    let mut t = sample_trend();
    t.points.truncate(1);
    t.x_labels.truncate(1);
    t.reference = None;
    check(&trend(&t, EN));
    t.points[0].ci = None;
    check(&trend(&t, EN));
    let mut b = sample_bars();
    b.bars.truncate(1);
    b.reference = None;
    b.bars[0].ci = None;
    for v in [0.0, 5.0, -5.0] {
        b.bars[0].value = Some(v);
        check(&bars(&b, EN));
    }
    let mut c = sample_columns();
    for col in &mut c.columns {
        col.value = 0.0;
    }
    check(&columns(&c, EN));
    let mut q = sample_quadrant();
    q.points.truncate(1);
    q.x_split = f64::NAN;
    q.y_split = f64::NAN;
    check(&quadrant(&q, EN));
    for p in &mut q.points {
        (p.x, p.y) = (3.0, 3.0);
    }
    check(&quadrant(&q, EN));
}

#[test]
fn huge_negative_and_odd_values_render() {
    for v in [
        1e12,
        -1e12,
        1e300,
        f64::MAX,
        -f64::MAX,
        1e-300,
        f64::MIN_POSITIVE,
    ] {
        let mut b = sample_bars();
        b.bars[1].value = Some(v);
        b.bars[1].ci = ci(v, f64::NAN);
        check(&bars(&b, EN));
        let mut t = sample_trend();
        t.points[1].value = Some(v);
        t.points[1].ci = ci(-v, v);
        check(&trend(&t, EN));
        let mut c = sample_columns();
        c.columns[2].value = v;
        check(&columns(&c, EN));
        let mut g = sample_grouped();
        g.rows[0].values[0] = Some(v);
        check(&grouped(&g, EN));
        let mut q = sample_quadrant();
        q.points[0].x = v;
        q.y_split = -v;
        check(&quadrant(&q, EN));
        let mut s = sample_stacked();
        s.rows[0].shares[0] = v;
        check(&stacked(&s, EN));
    }
}

#[test]
fn mismatched_lengths_and_bad_domains_render() {
    let mut t = sample_trend();
    t.x_labels.truncate(3);
    t.domain = Some((f64::NAN, 10.0));
    check(&trend(&t, EN));
    t.domain = Some((50.0, 50.0));
    check(&trend(&t, EN));
    t.domain = Some((100.0, -100.0));
    check(&trend(&t, EN));
    let mut s = sample_stacked();
    s.rows[0].shares = vec![100.0];
    s.rows[1].shares = vec![10.0, 20.0, 30.0, 40.0, 50.0];
    s.series[2].1 = "not a colour".into();
    check(&stacked(&s, EN));
    let mut g = sample_grouped();
    g.rows[0].values.clear();
    g.rows[1].values.push(Some(5.0));
    check(&grouped(&g, EN));
    let mut b = sample_bars();
    b.decimals = usize::MAX;
    b.domain = Some((0.0, 10.0)); // values beyond it are clamped to the edge
    check(&bars(&b, EN));
}

#[test]
fn long_labels_are_cut_with_an_ellipsis_and_kept_in_a_title() {
    let long = "A very long segment name that would never fit in the label column at all";
    let mut b = sample_bars();
    b.bars[0].label = long.into();
    let root = check(&bars(&b, EN));
    let text = root
        .find("text")
        .into_iter()
        .find(|t| t.tip().as_deref() == Some(long))
        .expect("truncated label with a title");
    assert!(text.shown_text().ends_with('…'));
    assert!(text.shown_text().chars().count() < long.chars().count());
}
