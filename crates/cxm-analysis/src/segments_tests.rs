//! Hand-computed segment tests on counts small enough to follow.

use super::*;
use crate::test_support::{mean, nps, prop};

/// A result with `basis`, its value and n the figures the basis defines.
fn row(group: &[(&str, &str)], basis: TestBasis) -> ResultRow {
    let mut r = crate::test_support::row(group, basis);
    r.result.value = r.result.basis.as_ref().and_then(figure);
    r.result.n = r.result.basis.as_ref().map_or(0.0, n_of);
    r
}

/// A report of one metric grouped by `region`: the overall row, then one row per
/// (region, basis) without a period.
fn report(segments: Vec<(&str, TestBasis)>) -> RunReport {
    let mut report = RunReport::default();
    report.grouping.dimensions = vec!["region".to_string()];
    let all: Vec<&TestBasis> = segments.iter().map(|(_, b)| b).collect();
    if let Some(overall) = pool(&all) {
        report.results.push(row(&[], overall));
    }
    for (region, basis) in segments {
        report.results.push(row(&[("region", region)], basis));
    }
    report
}

fn test_of<'a>(entries: &'a [SegmentEntry], region: &str) -> &'a SegmentTest {
    let found = entries
        .iter()
        .find(|e| e.group == [(cxm_report::Name::from("region"), Some(region.to_string()))]);
    &found.expect("a test of the region").test
}

fn rest(t: &SegmentTest) -> &VsRest {
    t.vs_rest.as_ref().expect("a test against the rest")
}

fn close(a: f64, b: f64, tolerance: f64) {
    assert!((a - b).abs() <= tolerance * b.abs().max(1.0), "{a} vs {b}");
}

#[test]
fn letters_run_like_spreadsheet_columns() {
    assert_eq!(letter(0), "A");
    assert_eq!(letter(2), "C");
    assert_eq!(letter(25), "Z");
    assert_eq!(letter(26), "AA");
    assert_eq!(letter(27), "AB");
    assert_eq!(letter(52), "BA");
}

#[test]
fn nps_segments_against_the_rest_and_each_other_with_holm() {
    // A: P 60, D 10 of 100 (NPS 50); B: P 30, D 30 of 100 (0); C: P 40, D 20 of 100 (20).
    // Variances in share units, (p + d − (p − d)²)/n: A 0.45/100 = 0.0045,
    // B 0.6/100 = 0.006, C (0.6 − 0.04)/100 = 0.0056.
    let r = report(vec![
        ("A", nps(60.0, 10.0, 100.0)),
        ("B", nps(30.0, 30.0, 100.0)),
        ("C", nps(40.0, 20.0, 100.0)),
    ]);
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::Holm);
    assert_eq!(made, 6, "3 against the rest + 3 pairs");
    // A's rest = B + C pooled: P 70, D 50 of 200 → NPS 10, variance (0.6 − 0.01)/200 =
    // 0.00295; z = (0.5 − 0.1)/√(0.0045 + 0.00295) = 0.4/√0.00745 = 4.634275570907938,
    // p = 2(1 − Φ(z)) = 3.581895890763254e-6.
    let a = test_of(&entries, "A");
    let ar = rest(a);
    assert_eq!(ar.test, "nps_difference_z");
    close(ar.statistic, 4.634_275_570_907_938, 1e-12);
    close(ar.p_value, 3.581_895_890_763_254e-6, 1e-6);
    close(ar.rest_value.expect("a rest value"), 10.0, 1e-12);
    close(ar.rest_n, 200.0, 0.0);
    assert_eq!(ar.direction, "above");
    // B's rest = A + C: P 100, D 30 of 200 (NPS 35); z = −3.7659453565293117,
    // p = 1.6592008030694722e-4. C's rest = A + B: P 90, D 40 of 200 (NPS 25);
    // z = −0.5411337807489407, p = 0.5884153758807927.
    let (b, c) = (test_of(&entries, "B"), test_of(&entries, "C"));
    close(rest(b).statistic, -3.765_945_356_529_311_7, 1e-12);
    close(rest(c).statistic, -0.541_133_780_748_940_7, 1e-12);
    // Holm over the three vs-rest p-values: sorted A, B, C multiplied by 3, 2, 1:
    // 1.0745687672e-5, 3.3184016061e-4, 0.5884153758807927 (running max keeps them).
    close(ar.p_adjusted, 3.0 * 3.581_895_890_763_254e-6, 1e-6);
    close(rest(b).p_adjusted, 2.0 * 1.659_200_803_069_472_2e-4, 1e-6);
    close(rest(c).p_adjusted, 0.588_415_375_880_792_7, 1e-6);
    assert!(ar.significant && rest(b).significant && !rest(c).significant);
    assert_eq!(rest(b).direction, "below");
    // Pairs: A−B z = 0.5/√0.0105 = 4.8795003647426665 (p 1.0635e-6), A−C z = 0.3/√0.0101 =
    // 2.985111570629967 (p 0.0028347490802593973), C−B z = 0.2/√0.0116 =
    // 1.8569533817705186 (p 0.06331778683004569). Holm: 3·1.06e-6, 2·0.00283 = 0.00567,
    // 1·0.0633 → A above B and C; C not above B at α = 0.05.
    assert_eq!(a.letter, "A");
    assert_eq!(a.above, ["B", "C"]);
    assert_eq!((b.letter.as_str(), b.above.len()), ("B", 0));
    assert_eq!((c.letter.as_str(), c.above.len()), ("C", 0));
    // Without adjustment the C−B pair stays out too (p 0.0633 > 0.05), and BH gives the same.
    let (entries, _) = segment_tests(&r, 0.05, Adjustment::BenjaminiHochberg);
    assert_eq!(test_of(&entries, "A").above, ["B", "C"]);
    // At α = 0.1 unadjusted, C is above B.
    let (entries, _) = segment_tests(&r, 0.1, Adjustment::None);
    assert_eq!(test_of(&entries, "C").above, ["B"]);
}

#[test]
fn proportions_with_two_segments() {
    // A 45/50 (90%), B 30/50 (60%): the rest of A is B. Pooled p̂ = 75/100 = 0.75,
    // se = √(0.75·0.25·(1/50 + 1/50)) = √0.0075; z = 0.3/√0.0075 = 2√3 = 3.4641016151377544,
    // p = 0.0005320055051392503; Holm over the two vs-rest tests doubles both.
    let r = report(vec![("A", prop(45.0, 50.0)), ("B", prop(30.0, 50.0))]);
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::Holm);
    assert_eq!(made, 3);
    let (a, b) = (test_of(&entries, "A"), test_of(&entries, "B"));
    assert_eq!(rest(a).test, "two_proportion_z");
    close(rest(a).statistic, 2.0 * 3f64.sqrt(), 1e-12);
    close(rest(b).statistic, -2.0 * 3f64.sqrt(), 1e-12);
    close(rest(a).p_value, 0.000_532_005_505_139_250_3, 1e-6);
    close(rest(a).p_adjusted, 2.0 * 0.000_532_005_505_139_250_3, 1e-6);
    close(rest(a).rest_value.expect("a rest value"), 60.0, 1e-12);
    assert_eq!(a.above, ["B"]);
    assert!(b.above.is_empty());
}

#[test]
fn the_rest_of_a_mean_pools_n_mean_and_variance_exactly() {
    // A: mean 4, variance 1, n 10. B: {1, 3, 3, 3, 5} → mean 3, variance 8/4 = 2, n 5.
    // C: {1, 2, 2, 2, 3} → mean 2, variance 2/4 = 0.5, n 5.
    // Rest of A = B ∪ C: N = 10, M = (5·3 + 5·2)/10 = 2.5; within SS = 4·2 + 4·0.5 = 10,
    // between SS = 5·0.5² + 5·0.5² = 2.5; variance = 12.5/9 — the sample variance of the
    // ten answers {1, 3, 3, 3, 5, 1, 2, 2, 2, 3}: Σ(x − 2.5)² = 2.25 + 3·0.25 + 6.25 +
    // 2.25 + 3·0.25 + 0.25 = 12.5.
    let b = mean(3.0, 2.0, 5.0);
    let c = mean(2.0, 0.5, 5.0);
    let pooled = pool(&[&b, &c]).expect("a pooled mean");
    assert_eq!(pooled, mean(2.5, 12.5 / 9.0, 10.0));
    // Welch A vs rest: s₁ = (12.5/9)/10, s₂ = 1/10; t = 1.5/√(s₁ + s₂) = 3.0689745276171307,
    // df = (s₁ + s₂)²/(s₁²/9 + s₂²/9) = 17.535300316122232.
    let r = report(vec![
        ("A", mean(4.0, 1.0, 10.0)),
        ("B", b.clone()),
        ("C", c),
    ]);
    let (entries, _) = segment_tests(&r, 0.05, Adjustment::None);
    let a = rest(test_of(&entries, "A"));
    assert_eq!(a.test, "welch_t");
    close(a.statistic, 3.068_974_527_617_130_7, 1e-12);
    let expected = cxm_stats::welch_t(2.5, 12.5 / 9.0, 10.0, 4.0, 1.0, 10.0).expect("a test");
    close(a.p_value, expected.p_value, 1e-12);
    close(
        expected.df.unwrap_or_default(),
        17.535_300_316_122_232,
        1e-12,
    );
    close(a.rest_value.expect("a rest value"), 2.5, 1e-12);
    assert!(pool(&[&b, &prop(1.0, 2.0)]).is_none(), "kinds do not mix");
}

#[test]
fn periods_are_compared_within_themselves_and_small_segments_are_skipped() {
    let mut r = RunReport::default();
    r.grouping.dimensions = vec!["region".to_string()];
    for (region, period, basis) in [
        ("A", "2025-01", prop(45.0, 50.0)),
        ("B", "2025-01", prop(30.0, 50.0)),
        ("A", "2025-02", prop(30.0, 50.0)),
        ("B", "2025-02", prop(45.0, 50.0)),
        ("C", "2025-02", prop(2.0, 4.0)),
    ] {
        r.results
            .push(row(&[("region", region), ("period", period)], basis));
    }
    // C is below min_n: not tested, but its answers count in A's and B's rest.
    r.results[4].result.warnings.push("low_sample".to_string());
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::None);
    // January: 2 vs rest + 1 pair; February: 2 vs rest + 1 pair (C is not tested).
    assert_eq!(made, 6);
    assert_eq!(entries.len(), 4);
    let find = |region: &str, period: &str| {
        let group = vec![
            (cxm_report::Name::from("region"), Some(region.to_string())),
            (cxm_report::Name::from("period"), Some(period.to_string())),
        ];
        entries.iter().find(|e| e.group == group).map(|e| &e.test)
    };
    assert_eq!(
        find("A", "2025-01").map(|t| t.above.clone()),
        Some(vec!["B".to_string()])
    );
    assert_eq!(
        find("B", "2025-02").map(|t| t.above.clone()),
        Some(vec!["A".to_string()])
    );
    assert!(find("C", "2025-02").is_none());
    // February's rest of B = A + C = 32/54.
    let b = find("B", "2025-02").and_then(|t| t.vs_rest.as_ref());
    close(b.map_or(0.0, |t| t.rest_n), 54.0, 0.0);
    close(
        b.and_then(|t| t.rest_value).unwrap_or_default(),
        100.0 * 32.0 / 54.0,
        1e-12,
    );
    // Letters are the same in every period: C is the third segment to appear.
    assert_eq!(find("B", "2025-01").map(|t| t.letter.as_str()), Some("B"));
}

/// A basis's figures in a fixed order, whatever its kind.
fn numbers(basis: &TestBasis) -> Vec<f64> {
    match *basis {
        TestBasis::Nps {
            promoters,
            detractors,
            n,
        } => vec![promoters, detractors, n],
        TestBasis::Proportion { successes, n } => vec![successes, n],
        TestBasis::Mean { mean, variance, n } => vec![mean, variance, n],
    }
}

#[test]
fn each_rest_is_the_pool_of_all_other_segments() {
    // Means with different n, spreads and a one-answer part; NPS and proportions by counts.
    let means = [
        mean(4.0, 1.0, 10.0),
        mean(3.0, 2.0, 5.0),
        mean(7.5, 0.0, 1.0),
        mean(2.0, 0.5, 5.0),
        mean(3.25, 4.5, 40.0),
    ];
    let counts = [nps(6.0, 1.0, 10.0), nps(3.0, 3.0, 10.0), nps(0.0, 4.0, 5.0)];
    let shares = [
        prop(1.0, 2.0),
        prop(0.0, 3.0),
        prop(5.0, 5.0),
        prop(2.0, 9.0),
    ];
    for parts in [&means[..], &counts[..], &shares[..]] {
        let refs: Vec<&TestBasis> = parts.iter().collect();
        for (i, rest) in rests(&refs).into_iter().enumerate() {
            let others: Vec<&TestBasis> = refs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, b)| *b)
                .collect();
            let (Some(rest), Some(expected)) = (rest, pool(&others)) else {
                panic!("a rest for segment {i}");
            };
            let (a, b) = (numbers(&rest), numbers(&expected));
            assert_eq!(a.len(), b.len());
            for (x, y) in a.into_iter().zip(b) {
                close(x, y, 1e-12);
            }
        }
    }
    // The rest of the only segment of a dimension is empty.
    assert_eq!(rests(&[&prop(1.0, 2.0)]), vec![None]);
}

#[test]
fn a_dimension_of_more_than_26_segments_gets_no_letters_or_pairs() {
    let segments: Vec<(String, TestBasis)> = (0..=MAX_LETTERS)
        .map(|i| (format!("S{i:02}"), nps(5.0 + i as f64, 5.0, 40.0)))
        .collect();
    let r = report(
        segments
            .iter()
            .map(|(s, b)| (s.as_str(), b.clone()))
            .collect(),
    );
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::Holm);
    assert_eq!(
        made,
        MAX_LETTERS + 1,
        "one test against the rest per segment, no pairs"
    );
    assert_eq!(entries.len(), MAX_LETTERS + 1);
    assert!(entries
        .iter()
        .all(|e| e.test.letter.is_empty() && e.test.above.is_empty()));
    assert!(entries.iter().all(|e| e.test.vs_rest.is_some()));
    // One segment fewer: letters A to Z and every pair tested.
    let r = report(
        segments[..MAX_LETTERS]
            .iter()
            .map(|(s, b)| (s.as_str(), b.clone()))
            .collect(),
    );
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::Holm);
    assert_eq!(made, MAX_LETTERS + MAX_LETTERS * (MAX_LETTERS - 1) / 2);
    assert_eq!(test_of(&entries, "S25").letter, "Z");
}

#[test]
fn segments_all_below_min_n_make_no_test() {
    let mut r = report(vec![
        ("A", nps(6.0, 1.0, 10.0)),
        ("B", nps(3.0, 3.0, 10.0)),
        ("C", nps(4.0, 2.0, 10.0)),
    ]);
    for row in r.results.iter_mut().skip(1) {
        row.result.warnings.push("low_sample".to_string());
    }
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::Holm);
    assert!(entries.is_empty());
    assert_eq!(made, 0);
    // One segment tested again: tests against the rest (and pairs) are made.
    r.results[1].result.warnings.clear();
    let (entries, made) = segment_tests(&r, 0.05, Adjustment::Holm);
    assert_eq!(entries.len(), 1);
    assert_eq!(made, 1);
}
