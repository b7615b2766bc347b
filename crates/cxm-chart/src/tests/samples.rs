//! Representative sample charts (NPS trend and regions, score distribution, response
//! times, a CSI priority matrix) shared by the rendering, geometry and visual tests.

use crate::*;

pub(crate) fn ci(low: f64, high: f64) -> Option<Interval> {
    Some(Interval { low, high })
}

pub(crate) fn sample_trend() -> TrendChart {
    let values = [
        (Some(31.0), 26.0, 36.0, false, None),
        (Some(34.5), 29.8, 39.2, false, None),
        (Some(29.0), 22.0, 36.0, true, None),
        (None, 0.0, 0.0, false, None),
        (Some(38.2), 33.9, 42.5, false, Some("▲*")),
        (Some(41.0), 36.8, 45.2, false, None),
        (Some(39.4), 35.0, 43.8, false, Some("▼")),
        (Some(44.0), 39.9, 48.1, false, Some("▲*")),
    ];
    TrendChart {
        title: "NPS by quarter".into(),
        unit: "NPS".into(),
        x_labels: (0..8)
            .map(|i| format!("Q{} {}", i % 4 + 1, 2023 + i / 4))
            .collect(),
        points: values
            .iter()
            .map(|&(value, lo, hi, greyed, marker)| TrendPoint {
                value,
                ci: value.and(ci(lo, hi)),
                greyed,
                marker: marker.map(str::to_owned),
            })
            .collect(),
        domain: None,
        reference: Some(("benchmark".into(), 32.0)),
    }
}

pub(crate) fn sample_bars() -> BarChart {
    let bar = |label: &str, v: f64, lo: f64, hi: f64, n: u32, greyed: bool, marker: &str| Bar {
        label: label.into(),
        value: Some(v),
        ci: ci(lo, hi),
        greyed,
        marker: (!marker.is_empty()).then(|| marker.to_owned()),
        note: Some(format!("n = {n}")),
    };
    BarChart {
        title: "NPS by region".into(),
        unit: "NPS, points".into(),
        bars: vec![
            bar("North", 42.3, 36.1, 48.5, 812, false, "▲*"),
            bar("South", 35.8, 28.9, 42.7, 640, false, ""),
            bar(
                "East — online and in-store customers",
                18.4,
                9.9,
                26.9,
                402,
                false,
                "▼*",
            ),
            bar("West", -6.5, -21.0, 8.0, 96, false, ""),
            bar("Central", 51.0, 22.0, 80.0, 12, true, ""),
            Bar {
                label: "Islands".into(),
                note: Some("n = 0".into()),
                ..Bar::default()
            },
        ],
        domain: None,
        reference: Some(("overall".into(), 33.1)),
        decimals: 1,
    }
}

pub(crate) fn sample_stacked() -> StackedChart {
    let row = |label: &str, d: f64, p: f64, greyed| StackedRow {
        label: label.into(),
        shares: vec![d, p, 100.0 - d - p],
        greyed,
    };
    StackedChart {
        title: "Detractors, passives and promoters by region".into(),
        series: vec![
            ("Detractors (0–6)".into(), palette::DETRACTOR.into()),
            ("Passives (7–8)".into(), palette::PASSIVE.into()),
            ("Promoters (9–10)".into(), palette::PROMOTER.into()),
        ],
        rows: vec![
            row("North", 17.2, 23.3, false),
            row("South", 21.0, 22.2, false),
            row("East — online and in-store customers", 30.1, 21.4, false),
            row("West", 38.0, 30.5, false),
            row("Central", 5.0, 39.0, true),
        ],
    }
}

pub(crate) fn sample_columns() -> ColumnChart {
    let counts = [
        42.0, 18.0, 25.0, 31.0, 40.0, 77.0, 96.0, 210.0, 388.0, 512.0, 861.0,
    ];
    ColumnChart {
        title: "Distribution of scores (0–10)".into(),
        unit: "Responses".into(),
        columns: counts
            .iter()
            .enumerate()
            .map(|(i, &v)| Column {
                label: i.to_string(),
                value: v,
                colour: Some(
                    match i {
                        0..=6 => palette::DETRACTOR,
                        7 | 8 => palette::PASSIVE,
                        _ => palette::PROMOTER,
                    }
                    .into(),
                ),
            })
            .collect(),
        decimals: 0,
    }
}

pub(crate) fn sample_grouped() -> GroupedChart {
    let row = |label: &str, a: Option<f64>, b: Option<f64>, greyed| GroupedRow {
        label: label.into(),
        values: vec![a, b],
        greyed,
    };
    GroupedChart {
        title: "First response time by channel".into(),
        unit: "Hours".into(),
        series: vec![
            ("Median".into(), palette::BLUE.into()),
            ("90th percentile".into(), palette::ORANGE.into()),
        ],
        rows: vec![
            row("Email", Some(4.2), Some(19.5), false),
            row("Chat", Some(0.1), Some(0.6), false),
            row("Phone", Some(0.0), Some(1.2), false),
            row("Social media", Some(6.8), Some(31.0), true),
            row("Web form", None, Some(22.4), false),
        ],
        decimals: 1,
    }
}

pub(crate) fn sample_quadrant() -> QuadrantChart {
    let p = |label: &str, x: f64, y: f64| QuadrantPoint {
        label: label.into(),
        x,
        y,
    };
    QuadrantChart {
        title: "Priority matrix".into(),
        x_label: "Importance (correlation with overall satisfaction)".into(),
        y_label: "Performance (mean score, 1–5)".into(),
        points: vec![
            p("Delivery speed", 0.62, 3.4),
            p("Price", 0.55, 3.1),
            p("Product quality", 0.71, 4.3),
            p("Packaging", 0.21, 4.1),
            p("Returns process", 0.48, 2.9),
            p("Website usability", 0.35, 3.9),
            p("Customer support friendliness", 0.44, 4.4),
            p("Loyalty programme", 0.18, 3.0),
            p("Stock availability", 0.60, 3.35),
        ],
        x_split: 0.46,
        y_split: 3.6,
        quadrant_labels: [
            "Maintain".into(),
            "Keep up the good work".into(),
            "Low priority".into(),
            "Fix first".into(),
        ],
    }
}
