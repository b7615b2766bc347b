//! Segment significance (issue 17): for every grouped result, per grouping dimension and
//! period, each segment against the rest of the population and the segments against each
//! other, with the tests the trends use ([`crate::difference_test`]: NPS difference z-test,
//! two-proportion z-test, Welch's t-test).
//!
//! - **The rest** of a segment is the pool of all other segments of the same dimension in
//!   the same period (the overall, no-period results are compared among themselves),
//!   recomputed from their test bases, never from averaged figures: NPS from ΣP, ΣD, Σn; a
//!   proportion from Σx, Σn; a mean from n, mean and variance exactly ([`pool`]): pooled
//!   mean M = Σnᵢmᵢ / N and pooled variance
//!   `(Σ(nᵢ − 1)·vᵢ + Σnᵢ·(mᵢ − M)²) / (N − 1)` (within plus between sums of squares,
//!   each variance with its n − 1 denominator), which is the sample variance of the union
//!   of the segments' answers.
//! - **Letters**: the segments of a dimension get letters A, B, C, … in the order they
//!   first appear in the metric's results (the display order; the same letter in every
//!   period). Each tested segment lists the letters of the segments it is significantly
//!   above (column-proportions convention: "B" on A means A is significantly above B).
//! - **Families**: the p-values are adjusted with the report's adjustment (Holm,
//!   Benjamini–Hochberg or none) per metric × dimension × period, the pairwise tests as one
//!   family and the segment-vs-rest tests as another; significant means adjusted p < α.
//! - **Skipped**: segments without a basis (suppressed below `min_n`, or a metric without
//!   one), segments below `min_n` (warning `low_sample`; their answers still count in the
//!   rest of the others), results grouped by more than one dimension, and periods whose
//!   segments' bases differ in kind. A test whose inputs do not define a statistic (no
//!   spread) is not made.

use crate::trend::{adjust, difference_test, period_of};
use cxm_config::Adjustment;
use cxm_report::{ResultRow, RunReport, SegmentEntry, SegmentTest, VsRest};
use cxm_result::TestBasis;
use cxm_stats::TestOutcome;
use std::mem::discriminant;

/// The key results carry their period under.
const PERIOD: &str = "period";

/// Warnings that keep a segment out of the tests (it still counts in the others' rest).
const BELOW_MIN_N: [&str; 2] = ["low_sample", "suppressed_below_min_n"];

/// The letter of the `i`-th segment (0-based): A … Z, AA … AZ, BA …, as spreadsheet columns.
pub(crate) fn letter(i: usize) -> String {
    let mut n = i + 1;
    let mut out: Vec<char> = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The basis of the union of `parts`, all of one kind: NPS and proportions by summing their
/// counts; means by pooling n, mean and variance exactly (see the module docs). `None` when
/// `parts` is empty, mixes kinds, or has no answers (a pooled mean needs N > 1).
pub(crate) fn pool(parts: &[&TestBasis]) -> Option<TestBasis> {
    match parts.first()? {
        TestBasis::Nps { .. } => {
            let (mut p, mut d, mut n) = (0.0, 0.0, 0.0);
            for part in parts {
                let TestBasis::Nps {
                    promoters,
                    detractors,
                    n: m,
                } = part
                else {
                    return None;
                };
                p += promoters;
                d += detractors;
                n += m;
            }
            (n > 0.0).then_some(TestBasis::Nps {
                promoters: p,
                detractors: d,
                n,
            })
        }
        TestBasis::Proportion { .. } => {
            let (mut x, mut n) = (0.0, 0.0);
            for part in parts {
                let TestBasis::Proportion { successes, n: m } = part else {
                    return None;
                };
                x += successes;
                n += m;
            }
            (n > 0.0).then_some(TestBasis::Proportion { successes: x, n })
        }
        TestBasis::Mean { .. } => {
            let mut means: Vec<(f64, f64, f64)> = Vec::with_capacity(parts.len());
            for part in parts {
                let TestBasis::Mean { mean, variance, n } = part else {
                    return None;
                };
                means.push((*mean, *variance, *n));
            }
            let total: f64 = means.iter().map(|(_, _, n)| n).sum();
            if total <= 1.0 {
                return None;
            }
            let mean = means.iter().map(|(m, _, n)| n * m).sum::<f64>() / total;
            // A part of one answer has no spread of its own (and perhaps no variance).
            let within: f64 = means
                .iter()
                .map(|(_, v, n)| if *n > 1.0 { (n - 1.0) * v } else { 0.0 })
                .sum();
            let between: f64 = means.iter().map(|(m, _, n)| n * (m - mean).powi(2)).sum();
            Some(TestBasis::Mean {
                mean,
                variance: (within + between) / (total - 1.0),
                n: total,
            })
        }
    }
}

/// The figure a basis defines: NPS points, percentage, or the mean.
fn figure(basis: &TestBasis) -> Option<f64> {
    match *basis {
        TestBasis::Nps {
            promoters,
            detractors,
            n,
        } => (n > 0.0).then(|| 100.0 * (promoters - detractors) / n),
        TestBasis::Proportion { successes, n } => (n > 0.0).then(|| 100.0 * successes / n),
        TestBasis::Mean { mean, n, .. } => (n > 0.0).then_some(mean),
    }
}

fn n_of(basis: &TestBasis) -> f64 {
    match *basis {
        TestBasis::Nps { n, .. } | TestBasis::Proportion { n, .. } | TestBasis::Mean { n, .. } => n,
    }
}

/// `above`, `below` or `equal`, from a statistic that is positive when the segment is above.
fn direction(statistic: f64) -> &'static str {
    if statistic > 0.0 {
        "above"
    } else if statistic < 0.0 {
        "below"
    } else {
        "equal"
    }
}

/// One segment result of a dimension in one period.
struct Member<'a> {
    /// Index into the report's results.
    row: usize,
    /// Index of the segment's letter.
    letter: usize,
    basis: &'a TestBasis,
    /// Whether the segment itself is tested (not below `min_n`).
    tested: bool,
    /// Whether the result's value is the figure its basis defines (so the rest's figure is
    /// in the same unit).
    same_unit: bool,
}

/// The segment of `dimension` that `row` is, when it is grouped by that dimension alone
/// (and perhaps the period).
fn segment_of<'a>(row: &'a ResultRow, dimension: &str) -> Option<&'a Option<String>> {
    let mut found = None;
    for (k, v) in &row.group {
        if k == dimension {
            found = Some(v);
        } else if k != PERIOD {
            return None;
        }
    }
    found
}

/// Makes the segment tests of every metric and dimension; returns the entries (sorted by
/// metric and group) and the number of tests made.
pub(crate) fn segment_tests(
    report: &RunReport,
    alpha: f64,
    adjustment: Adjustment,
) -> (Vec<SegmentEntry>, usize) {
    let mut metrics: Vec<&str> = Vec::new();
    for row in &report.results {
        if !metrics.contains(&row.metric.as_str()) {
            metrics.push(&row.metric);
        }
    }
    let mut entries = Vec::new();
    let mut count = 0;
    for metric in metrics {
        for dimension in crate::trend::metric_dimensions(report, metric).to_vec() {
            // (row, segment, period) of the metric's results by this dimension alone.
            let rows: Vec<(usize, &Option<String>, Option<&str>)> = report
                .results
                .iter()
                .enumerate()
                .filter(|(_, r)| r.metric == metric)
                .filter_map(|(i, r)| Some((i, segment_of(r, &dimension)?, period_of(r))))
                .collect();
            let mut letters: Vec<&Option<String>> = Vec::new();
            let mut periods: Vec<Option<&str>> = Vec::new();
            for (_, segment, period) in &rows {
                if !letters.contains(segment) {
                    letters.push(segment);
                }
                if !periods.contains(period) {
                    periods.push(*period);
                }
            }
            for period in periods {
                let members: Vec<Member> = rows
                    .iter()
                    .filter(|(_, _, p)| *p == period)
                    .filter_map(|(i, segment, _)| {
                        let r = &report.results[*i].result;
                        let basis = r.basis.as_ref()?;
                        let below = r.warnings.iter().any(|w| BELOW_MIN_N.contains(&w.as_str()));
                        let same_unit = match (figure(basis), r.value) {
                            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                            _ => false,
                        };
                        Some(Member {
                            row: *i,
                            letter: letters.iter().position(|s| s == segment)?,
                            basis,
                            tested: !below && r.value.is_some(),
                            same_unit,
                        })
                    })
                    .collect();
                let (made, tests) = test_period(report, &dimension, &members, alpha, adjustment);
                count += made;
                entries.extend(tests);
            }
        }
    }
    entries.sort_by(|a, b| (&a.metric, &a.group).cmp(&(&b.metric, &b.group)));
    (entries, count)
}

/// The tests of one metric × dimension × period; returns the number of tests made and the
/// entries of the tested segments.
fn test_period(
    report: &RunReport,
    dimension: &str,
    members: &[Member],
    alpha: f64,
    adjustment: Adjustment,
) -> (usize, Vec<SegmentEntry>) {
    let Some(first) = members.first() else {
        return (0, Vec::new());
    };
    let same_kind = members
        .iter()
        .all(|m| discriminant(m.basis) == discriminant(first.basis));
    if members.len() < 2 || !same_kind {
        return (0, Vec::new());
    }
    let tested: Vec<&Member> = members.iter().filter(|m| m.tested).collect();
    // Segment vs rest: (tested index, outcome, rest basis).
    let mut vs_rest: Vec<(usize, TestOutcome, TestBasis)> = Vec::new();
    for (i, m) in tested.iter().enumerate() {
        let others: Vec<&TestBasis> = members
            .iter()
            .filter(|o| o.row != m.row)
            .map(|o| o.basis)
            .collect();
        let Some(rest) = pool(&others) else { continue };
        if let Some(o) = difference_test(&rest, m.basis) {
            vs_rest.push((i, o, rest));
        }
    }
    // Pairwise: (i, j, outcome) with the statistic positive when i is above j.
    let mut pairs: Vec<(usize, usize, TestOutcome)> = Vec::new();
    for i in 0..tested.len() {
        for j in i + 1..tested.len() {
            if let Some(o) = difference_test(tested[j].basis, tested[i].basis) {
                pairs.push((i, j, o));
            }
        }
    }
    let rest_q = adjust(
        &vs_rest
            .iter()
            .map(|(_, o, _)| o.p_value)
            .collect::<Vec<_>>(),
        adjustment,
    );
    let pair_q = adjust(
        &pairs.iter().map(|(_, _, o)| o.p_value).collect::<Vec<_>>(),
        adjustment,
    );
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); tested.len()];
    for ((i, j, o), q) in pairs.iter().zip(&pair_q) {
        if *q < alpha && o.statistic > 0.0 {
            above[*i].push(tested[*j].letter);
        } else if *q < alpha && o.statistic < 0.0 {
            above[*j].push(tested[*i].letter);
        }
    }
    let made = vs_rest.len() + pairs.len();
    let entries = tested
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let rest = vs_rest
                .iter()
                .zip(&rest_q)
                .find(|((k, _, _), _)| *k == i)
                .map(|((_, o, rest), q)| VsRest {
                    test: o.method.to_string(),
                    statistic: o.statistic,
                    p_value: o.p_value,
                    p_adjusted: *q,
                    significant: *q < alpha,
                    rest_value: figure(rest).filter(|_| m.same_unit),
                    rest_n: n_of(rest),
                    direction: direction(o.statistic).to_string(),
                });
            let mut letters = above[i].clone();
            letters.sort_unstable();
            let row = &report.results[m.row];
            SegmentEntry {
                metric: row.metric.clone(),
                group: row.group.clone(),
                test: SegmentTest {
                    dimension: dimension.to_string(),
                    letter: letter(m.letter),
                    above: letters.into_iter().map(letter).collect(),
                    vs_rest: rest,
                },
            }
        })
        .collect();
    (made, entries)
}

#[cfg(test)]
#[path = "segments_tests.rs"]
mod tests;
