//! Visual checks: renders every sample chart (and a few stress cases) to
//! `<temp dir>/cxm-chart-*.svg` and one HTML page with all of them, for a person (or a PNG
//! converter) to look at. The files are checked like every other chart.

use super::*;

fn write(name: &str, svg: &str) -> String {
    check(svg);
    let path = std::env::temp_dir().join(format!("cxm-chart-{name}.svg"));
    std::fs::write(&path, svg).unwrap();
    format!("<h3>{name}</h3>\n{svg}\n")
}

#[test]
fn render_visual_checks() {
    let mut page = String::from(
        "<!doctype html><meta charset=utf-8><style>body{font-family:system-ui,sans-serif;max-width:700px}svg{max-width:100%;height:auto}</style>\n",
    );
    page += &write("trend", &trend(&sample_trend(), EN));
    page += &write("bars", &bars(&sample_bars(), EN));
    page += &write("stacked", &stacked(&sample_stacked(), EN));
    page += &write("columns", &columns(&sample_columns(), EN));
    page += &write("grouped", &grouped(&sample_grouped(), EN));
    page += &write("quadrant", &quadrant(&sample_quadrant(), EN));

    // Stress: many periods with long labels, Russian formatting, a wide explicit domain.
    let mut t = sample_trend();
    t.x_labels = (0..24)
        .map(|i| format!("Месяц {:02}.2024", i + 1))
        .collect();
    t.points = (0..24)
        .map(|i| {
            let v = 20.0 + (i as f64 * 0.7).sin() * 15.0;
            TrendPoint {
                value: (i != 7).then_some(v),
                ci: ci(v - 6.0, v + 6.0),
                greyed: i % 9 == 4,
                marker: (i % 6 == 5).then(|| "▲*".to_owned()),
            }
        })
        .collect();
    t.domain = Some((-100.0, 100.0));
    page += &write("trend-ru", &trend(&t, RU));

    // Stress: long labels, negative values, no reference, wide notes.
    let mut b = sample_bars();
    b.bars[0].label = "Enterprise customers with a dedicated account manager".into();
    b.bars[1].value = Some(-48.0);
    b.bars[1].ci = ci(-70.0, -26.0);
    b.bars[2].note = Some("n = 12 345 (weighted)".into());
    b.reference = None;
    page += &write("bars-negative", &bars(&b, RU));

    let empty = BarChart {
        title: "Nothing".into(),
        ..BarChart::default()
    };
    page += &write("empty", &bars(&empty, EN));

    let mut q = sample_quadrant();
    for (i, p) in q.points.iter_mut().enumerate() {
        p.x = 0.9 + i as f64 * 0.002;
        p.y = 4.5 - i as f64 * 0.01;
    }
    page += &write("quadrant-crowded", &quadrant(&q, EN));

    let mut g = sample_grouped();
    g.rows[1].values = vec![Some(-3.5), Some(-0.4)];
    page += &write("grouped-negative", &grouped(&g, EN));

    let hist = ColumnChart {
        title: "Handling time histogram".into(),
        unit: "Tickets".into(),
        columns: (0..30)
            .map(|i| Column {
                label: format!("{}–{} min", i * 5, i * 5 + 5),
                value: (900.0 * (-(i as f64 - 6.0).powi(2) / 40.0).exp()).round(),
                colour: None,
            })
            .collect(),
        decimals: 0,
    };
    page += &write("columns-histogram", &columns(&hist, EN));

    // Edge cases: one period, all-negative bars, a legend that wraps.
    let mut one = sample_trend();
    one.points.truncate(1);
    one.x_labels.truncate(1);
    page += &write("trend-single", &trend(&one, EN));
    let negative = BarChart {
        title: "Change".into(),
        unit: "Points vs last year".into(),
        bars: ["Alpha", "Beta", "Gamma"]
            .iter()
            .zip([-12.0, -3.5, -27.25])
            .map(|(l, v)| Bar {
                label: (*l).into(),
                value: Some(v),
                ci: ci(v - 4.0, v + 4.0),
                ..Bar::default()
            })
            .collect(),
        decimals: 2,
        ..BarChart::default()
    };
    page += &write("bars-all-negative", &bars(&negative, EN));
    let mut wide = sample_stacked();
    wide.series = (0..7)
        .map(|i| (format!("Answer option number {}", i + 1), String::new()))
        .collect();
    for row in &mut wide.rows {
        row.shares = vec![10.0, 20.0, 5.0, 25.0, 15.0, 15.0, 10.0];
        row.label.clear();
    }
    page += &write("stacked-wrap", &stacked(&wide, EN));

    std::fs::write(std::env::temp_dir().join("cxm-chart-all.html"), page).unwrap();
}
