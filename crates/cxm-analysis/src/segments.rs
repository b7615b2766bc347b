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
//!   A dimension of more than [`MAX_LETTERS`] segments (customers, stores) gets neither
//!   letters nor pairwise tests, only the tests against the rest.
//! - **Cost**: linear in the number of results: the rests come from prefix and suffix
//!   pools, never from pooling all other segments anew for each one.
//! - **Families**: the p-values are adjusted with the report's adjustment (Holm,
//!   Benjamini–Hochberg or none) per metric × dimension × period, the pairwise tests as one
//!   family and the segment-vs-rest tests as another; significant means adjusted p < α.
//! - **Survey weights**: every test is made at the effective n of its two sides (the rest's
//!   from the pooled weight sums of its segments; see [`crate::design`]).
//! - **Skipped**: segments without a basis (suppressed below `min_n`, or a metric without
//!   one), segments below `min_n` (warning `low_sample`; their answers still count in the
//!   rest of the others), results grouped by more than one dimension, and periods whose
//!   segments' bases differ in kind. A test whose inputs do not define a statistic (no
//!   spread) is not made.

use crate::design::effective;
use crate::trend::{adjust, difference_test, period_of};
use cxm_config::Adjustment;
use cxm_report::{Design, ResultRow, RunReport, SegmentEntry, SegmentTest, VsRest};
use cxm_result::TestBasis;
use cxm_stats::TestOutcome;
use std::collections::{HashMap, HashSet};
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

/// The largest number of segments a dimension can have for its segments to get letters and
/// pairwise tests: A to Z, one letter each, as column-proportions tables letter their
/// banner columns (SPSS Custom Tables, Q). Beyond that the k·(k − 1)/2 pairwise tests are
/// neither readable nor affordable (200,000 customers make 2·10¹⁰ pairs); the test against
/// the rest, one per segment, is still made.
pub(crate) const MAX_LETTERS: usize = 26;

/// A pool of test bases of one kind, built one part at a time: counts for NPS and
/// proportions; n, mean and the sum of squared deviations from the mean for means, joined
/// with the pairwise update of Chan, Golub and LeVeque (1979), which gives the within plus
/// between sums of squares of the union without cancellation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pool {
    Empty,
    Nps { p: f64, d: f64, n: f64 },
    Proportion { x: f64, n: f64 },
    Mean { n: f64, mean: f64, ss: f64 },
}

impl Pool {
    fn of(basis: &TestBasis) -> Pool {
        match *basis {
            TestBasis::Nps {
                promoters,
                detractors,
                n,
            } => Pool::Nps {
                p: promoters,
                d: detractors,
                n,
            },
            TestBasis::Proportion { successes, n } => Pool::Proportion { x: successes, n },
            // A part of one answer has no spread of its own (and perhaps no variance).
            TestBasis::Mean { mean, variance, n } => Pool::Mean {
                n,
                mean,
                ss: if n > 1.0 { (n - 1.0) * variance } else { 0.0 },
            },
        }
    }

    /// The pool of both; `None` when their kinds differ.
    fn join(self, other: Pool) -> Option<Pool> {
        Some(match (self, other) {
            (Pool::Empty, x) | (x, Pool::Empty) => x,
            (
                Pool::Nps { p, d, n },
                Pool::Nps {
                    p: p2,
                    d: d2,
                    n: n2,
                },
            ) => Pool::Nps {
                p: p + p2,
                d: d + d2,
                n: n + n2,
            },
            (Pool::Proportion { x, n }, Pool::Proportion { x: x2, n: n2 }) => Pool::Proportion {
                x: x + x2,
                n: n + n2,
            },
            (a @ Pool::Mean { .. }, Pool::Mean { n: 0.0, .. }) => a,
            (Pool::Mean { n: 0.0, .. }, b @ Pool::Mean { .. }) => b,
            (
                Pool::Mean { n, mean, ss },
                Pool::Mean {
                    n: n2,
                    mean: m2,
                    ss: ss2,
                },
            ) => {
                let total = n + n2;
                let delta = m2 - mean;
                Pool::Mean {
                    n: total,
                    mean: mean + delta * n2 / total,
                    ss: ss + ss2 + delta * delta * n * n2 / total,
                }
            }
            _ => return None,
        })
    }

    /// The basis of the pool: `None` when it is empty or has no answers (a pooled mean needs
    /// N > 1).
    fn basis(self) -> Option<TestBasis> {
        match self {
            Pool::Empty => None,
            Pool::Nps { p, d, n } => (n > 0.0).then_some(TestBasis::Nps {
                promoters: p,
                detractors: d,
                n,
            }),
            Pool::Proportion { x, n } => {
                (n > 0.0).then_some(TestBasis::Proportion { successes: x, n })
            }
            Pool::Mean { n, mean, ss } => (n > 1.0).then(|| TestBasis::Mean {
                mean,
                variance: ss / (n - 1.0),
                n,
            }),
        }
    }
}

/// The basis of the union of `parts`, all of one kind: NPS and proportions by summing their
/// counts; means by pooling n, mean and variance exactly (see the module docs). `None` when
/// `parts` is empty, mixes kinds, or has no answers (a pooled mean needs N > 1). The tests'
/// reference for [`rests`].
#[cfg(test)]
pub(crate) fn pool(parts: &[&TestBasis]) -> Option<TestBasis> {
    parts
        .iter()
        .try_fold(Pool::Empty, |acc, part| acc.join(Pool::of(part)))?
        .basis()
}

/// For each of `parts` (all of one kind), the basis of all the others: the pools of the
/// parts before it and after it (prefix and suffix pools), joined, so n segments cost O(n)
/// rather than O(n²).
fn rests(parts: &[&TestBasis]) -> Vec<Option<TestBasis>> {
    let pools: Vec<Pool> = parts.iter().map(|b| Pool::of(b)).collect();
    let join = |a: Pool, b: Pool| a.join(b).unwrap_or(Pool::Empty);
    all_but_each(&pools, Pool::Empty, join)
        .into_iter()
        .map(Pool::basis)
        .collect()
}

/// For each member, the design of all the others (as [`rests`] does for the bases); `None`
/// when a member has none (no survey weights).
fn rest_designs(designs: &[Option<Design>]) -> Vec<Option<Design>> {
    if designs.iter().any(Option::is_none) {
        return vec![None; designs.len()];
    }
    let join = |a: Option<Design>, b: Option<Design>| match (a, b) {
        (Some(a), Some(b)) => a.join(b),
        (a, None) | (None, a) => a,
    };
    all_but_each(designs, None, join)
}

/// For each item, the join of all the others: the join of the items before it (a running
/// prefix) with that of the items after it (suffixes computed once), so n items cost O(n).
fn all_but_each<T: Copy>(items: &[T], empty: T, join: impl Fn(T, T) -> T) -> Vec<T> {
    let mut after = vec![empty; items.len() + 1];
    for i in (0..items.len()).rev() {
        after[i] = join(items[i], after[i + 1]);
    }
    let mut before = empty;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(join(before, after[i + 1]));
        before = join(before, *item);
    }
    out
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
    /// Index of the segment's letter; `None` when the dimension has more segments than
    /// [`MAX_LETTERS`].
    letter: Option<usize>,
    basis: &'a TestBasis,
    /// Its rows' weights, with survey weights.
    design: Option<Design>,
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
/// metric and group) and the number of tests made. Linear in the number of results (but for
/// the pairwise tests, which need at most [`MAX_LETTERS`] segments).
pub(crate) fn segment_tests(
    report: &RunReport,
    alpha: f64,
    adjustment: Adjustment,
) -> (Vec<SegmentEntry>, usize) {
    let mut metrics: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for row in &report.results {
        if seen.insert(row.metric.as_str()) {
            metrics.push(&row.metric);
        }
    }
    let mut entries = Vec::new();
    let mut count = 0;
    for metric in metrics {
        for dimension in crate::trend::metric_dimensions(report, metric).to_vec() {
            // Letters in order of first appearance; rows of the metric by this dimension
            // alone, per period in order of first appearance.
            // Once a dimension has more segments than letters, none gets one: the
            // segments are no longer looked up (with 200,000 customers, hashing each of
            // them was half the time of the tests).
            let mut letters: HashMap<&Option<String>, usize> = HashMap::new();
            let mut lettered = true;
            let mut periods: HashMap<Option<&str>, usize> = HashMap::new();
            let mut last_period: Option<(Option<&str>, usize)> = None;
            let mut by_period: Vec<Vec<(usize, usize)>> = Vec::new();
            for (i, r) in report.results.iter().enumerate() {
                if r.metric != metric {
                    continue;
                }
                let Some(segment) = segment_of(r, &dimension) else {
                    continue;
                };
                let letter = if lettered {
                    let next = letters.len();
                    let letter = *letters.entry(segment).or_insert(next);
                    lettered = letters.len() <= MAX_LETTERS;
                    letter
                } else {
                    0
                };
                let label = period_of(r);
                let period = match last_period {
                    Some((last, index)) if last == label => index,
                    _ => {
                        let next = periods.len();
                        let index = *periods.entry(label).or_insert(next);
                        last_period = Some((label, index));
                        index
                    }
                };
                if period == by_period.len() {
                    by_period.push(Vec::new());
                }
                by_period[period].push((i, letter));
            }
            for rows in by_period {
                // Sized once: with many segments, growing it by doubling was the run's
                // peak of memory.
                let mut members: Vec<Member> = Vec::with_capacity(rows.len());
                members.extend(rows.iter().filter_map(|&(i, letter)| {
                    let r = &report.results[i].result;
                    let basis = r.basis.as_ref()?;
                    let below = r.warnings.iter().any(|w| BELOW_MIN_N.contains(&w.as_str()));
                    let same_unit = match (figure(basis), r.value) {
                        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                        _ => false,
                    };
                    Some(Member {
                        row: i,
                        letter: lettered.then_some(letter),
                        basis,
                        design: report.results[i].design.as_deref().copied(),
                        tested: !below && r.value.is_some(),
                        same_unit,
                    })
                }));
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
    // No segment tested (all below min_n, say): no test and no entry, without pooling the
    // rests.
    if members.len() < 2 || !same_kind || !members.iter().any(|m| m.tested) {
        return (0, Vec::new());
    }
    let all_rests = rests(&members.iter().map(|m| m.basis).collect::<Vec<_>>());
    let rest_designs = rest_designs(&members.iter().map(|m| m.design).collect::<Vec<_>>());
    let tested: Vec<(&Member, Option<TestBasis>, Option<Design>)> = members
        .iter()
        .zip(all_rests)
        .zip(rest_designs)
        .filter(|((m, _), _)| m.tested)
        .map(|((m, rest), design)| (m, rest, design))
        .collect();
    // Segment vs rest: per tested segment, its outcome and the rest's basis (tested at
    // their effective n with survey weights).
    let vs_rest: Vec<Option<(TestOutcome, TestBasis)>> = tested
        .iter()
        .map(|(m, rest, rest_design)| {
            let rest = rest.clone()?;
            let outcome = difference_test(
                &effective(&rest, rest_design.as_ref()),
                &effective(m.basis, m.design.as_ref()),
            )?;
            Some((outcome, rest))
        })
        .collect();
    // Pairwise, when the dimension is lettered: (i, j, outcome) with the statistic positive
    // when i is above j.
    let mut pairs: Vec<(usize, usize, TestOutcome)> = Vec::new();
    if members.iter().all(|m| m.letter.is_some()) {
        for i in 0..tested.len() {
            for j in i + 1..tested.len() {
                let (a, b) = (tested[j].0, tested[i].0);
                let outcome = difference_test(
                    &effective(a.basis, a.design.as_ref()),
                    &effective(b.basis, b.design.as_ref()),
                );
                if let Some(o) = outcome {
                    pairs.push((i, j, o));
                }
            }
        }
    }
    let rest_p: Vec<f64> = vs_rest.iter().flatten().map(|(o, _)| o.p_value).collect();
    let mut rest_q = adjust(&rest_p, adjustment).into_iter();
    let pair_q = adjust(
        &pairs.iter().map(|(_, _, o)| o.p_value).collect::<Vec<_>>(),
        adjustment,
    );
    let mut above: Vec<Vec<usize>> = vec![Vec::new(); tested.len()];
    for ((i, j, o), q) in pairs.iter().zip(&pair_q) {
        let (Some(li), Some(lj)) = (tested[*i].0.letter, tested[*j].0.letter) else {
            continue;
        };
        if *q < alpha && o.statistic > 0.0 {
            above[*i].push(lj);
        } else if *q < alpha && o.statistic < 0.0 {
            above[*j].push(li);
        }
    }
    let made = rest_p.len() + pairs.len();
    let entries = tested
        .iter()
        .zip(vs_rest)
        .zip(above)
        .map(|(((m, _, _), outcome), mut letters)| {
            let rest = outcome.map(|(o, rest)| {
                let q = rest_q.next().unwrap_or(o.p_value);
                VsRest {
                    test: o.method.to_string(),
                    statistic: o.statistic,
                    p_value: o.p_value,
                    p_adjusted: q,
                    significant: q < alpha,
                    rest_value: figure(&rest).filter(|_| m.same_unit),
                    rest_n: n_of(&rest),
                    direction: direction(o.statistic).to_string(),
                }
            });
            letters.sort_unstable();
            let row = &report.results[m.row];
            SegmentEntry {
                metric: row.metric.clone(),
                group: row.group.clone(),
                test: SegmentTest {
                    dimension: dimension.to_string(),
                    letter: m.letter.map(letter).unwrap_or_default(),
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
