//! Hand-computed shift-share decompositions on data small enough to follow.

use super::*;
use crate::test_support::{mean, nps, prop, row};
use cxm_report::Trend;

fn trend() -> Trend {
    Trend {
        previous_period: "2025-01".to_string(),
        previous_value: None,
        delta: None,
        test: None,
        statistic: None,
        p_value: None,
        p_adjusted: None,
        significant: None,
        mdc: None,
        decomposition: Vec::new(),
    }
}

/// A report of one metric by `region` and month: (region or "" for overall, month, basis).
fn report(rows: Vec<(&str, &str, TestBasis)>) -> RunReport {
    let mut report = RunReport::default();
    report.grouping.dimensions = vec!["region".to_string()];
    for (region, month, basis) in rows {
        let mut r = if region.is_empty() {
            row(&[("period", month)], basis)
        } else {
            row(&[("region", region), ("period", month)], basis)
        };
        if region.is_empty() && month == "2025-02" {
            r.trend = Some(Box::new(trend()));
        }
        report.results.push(r);
    }
    report
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

fn only(report: &RunReport) -> &ShiftShare {
    let t = report
        .results
        .iter()
        .find_map(|r| r.trend.as_ref())
        .expect("trend");
    assert_eq!(t.decomposition.len(), 1, "{t:?}");
    &t.decomposition[0]
}

#[test]
fn nps_mix_and_within_by_hand() {
    // January: North P 30, D 10 of 50 (NPS 40), South P 10, D 20 of 50 (−20); overall
    // P 40, D 30 of 100 = 10. February: North P 48, D 12 of 80 (45), South 4, 8 of 20 (−20);
    // overall 52, 20 of 100 = 32 (not the mean of 45 and −20, 12.5). Δ = 22.
    // Shares 0.5/0.5 → 0.8/0.2.
    // North: mix (0.8 − 0.5)·(40 + 45)/2 = 12.75, within (45 − 40)·(0.5 + 0.8)/2 = 3.25.
    // South: mix (0.2 − 0.5)·(−20 − 20)/2 = 6, within 0. Mix 18.75 + within 3.25 = 22.
    let mut r = report(vec![
        ("", "2025-01", nps(40.0, 30.0, 100.0)),
        ("", "2025-02", nps(52.0, 20.0, 100.0)),
        ("North", "2025-01", nps(30.0, 10.0, 50.0)),
        ("North", "2025-02", nps(48.0, 12.0, 80.0)),
        ("South", "2025-01", nps(10.0, 20.0, 50.0)),
        ("South", "2025-02", nps(4.0, 8.0, 20.0)),
    ]);
    assert_eq!(add_decompositions(&mut r), 1);
    let d = only(&r);
    assert_eq!(d.dimension, "region");
    close(d.previous, 10.0);
    close(d.current, 32.0);
    close(d.delta, 22.0);
    close(d.mix, 18.75);
    close(d.within, 3.25);
    let north = &d.segments[0];
    assert_eq!(north.segment.as_deref(), Some("North"));
    close(north.previous_share_pct, 50.0);
    close(north.share_pct, 80.0);
    close(north.mix, 12.75);
    close(north.within, 3.25);
    assert_eq!((north.previous_n, north.n), (50.0, 80.0));
    close(north.value.unwrap_or(f64::NAN), 45.0);
    let south = &d.segments[1];
    close(south.mix, 6.0);
    close(south.within, 0.0);
}

#[test]
fn segments_in_one_period_only_are_all_mix() {
    // January: A 30/60 (50%), B 36/40 (90%) → 66/100 = 66%. February: A 35/50 (70%),
    // C 40/50 (80%) → 75/100 = 75%. Δ = 9.
    // A: mix (0.5 − 0.6)·(50 + 70)/2 = −6, within (70 − 50)·(0.6 + 0.5)/2 = 11.
    // B (gone): share 0 in February, its January 90% on both sides: mix −0.4·90 = −36.
    // C (new): share 0 in January, its February 80%: mix 0.5·80 = 40.
    // Mix −6 − 36 + 40 = −2; within 11; total 9.
    let mut r = report(vec![
        ("", "2025-01", prop(66.0, 100.0)),
        ("", "2025-02", prop(75.0, 100.0)),
        ("A", "2025-01", prop(30.0, 60.0)),
        ("A", "2025-02", prop(35.0, 50.0)),
        ("B", "2025-01", prop(36.0, 40.0)),
        ("C", "2025-02", prop(40.0, 50.0)),
    ]);
    add_decompositions(&mut r);
    let d = only(&r);
    close(d.delta, 9.0);
    close(d.mix, -2.0);
    close(d.within, 11.0);
    let names: Vec<_> = d.segments.iter().map(|s| s.segment.as_deref()).collect();
    assert_eq!(names, [Some("A"), Some("B"), Some("C")]);
    let b = &d.segments[1];
    assert_eq!(
        (b.previous_value, b.value, b.share_pct),
        (Some(90.0), None, 0.0)
    );
    close(b.mix, -36.0);
    close(d.segments[2].mix, 40.0);
    close(d.segments[2].within, 0.0);
}

#[test]
fn means_pool_by_n() {
    // January: X mean 3 (n 10), Y 5 (n 30) → (30 + 150)/40 = 4.5. February: X 4 (n 30),
    // Y 5 (n 10) → (120 + 50)/40 = 4.25. Δ = −0.25.
    // X: mix (0.75 − 0.25)·3.5 = 1.75, within 1·0.5 = 0.5; Y: mix −0.5·5 = −2.5, within 0.
    let mut r = report(vec![
        ("", "2025-01", mean(4.5, 1.0, 40.0)),
        ("", "2025-02", mean(4.25, 1.0, 40.0)),
        ("X", "2025-01", mean(3.0, 1.0, 10.0)),
        ("X", "2025-02", mean(4.0, 1.0, 30.0)),
        ("Y", "2025-01", mean(5.0, 1.0, 30.0)),
        ("Y", "2025-02", mean(5.0, 1.0, 10.0)),
    ]);
    add_decompositions(&mut r);
    let d = only(&r);
    close(d.delta, -0.25);
    close(d.mix, -0.75);
    close(d.within, 0.5);
}

#[test]
fn no_decomposition_unless_the_segments_pool_to_the_overall() {
    // The overall February figure is not the pooled segments' (40 + 10 successes ≠ 55).
    let rows = || {
        vec![
            ("", "2025-01", prop(66.0, 100.0)),
            ("", "2025-02", prop(55.0, 100.0)),
            ("A", "2025-01", prop(30.0, 60.0)),
            ("A", "2025-02", prop(40.0, 50.0)),
            ("B", "2025-01", prop(36.0, 40.0)),
            ("B", "2025-02", prop(10.0, 50.0)),
        ]
    };
    let mut r = report(rows());
    assert_eq!(add_decompositions(&mut r), 0);
    // A segment without a basis (withheld below min_n): no exact recomputation, none.
    let mut r = report(rows());
    r.results[1].result.basis = Some(prop(50.0, 100.0));
    r.results[5].result.basis = None;
    assert_eq!(add_decompositions(&mut r), 0);
    // Kinds that differ between segments: none.
    let mut r = report(rows());
    r.results[1].result.basis = Some(prop(50.0, 100.0));
    r.results[5].result.basis = Some(mean(0.2, 1.0, 50.0));
    assert_eq!(add_decompositions(&mut r), 0);
}
