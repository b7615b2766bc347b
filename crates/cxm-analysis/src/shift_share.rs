//! Why did it move: every period-over-period change of a metric's overall figure, split per
//! grouping dimension into the mix effect (the segments' shares of n changed) and the
//! within-segment effect (the segments' own figures changed).
//!
//! The symmetric two-term shift-share form (a Bennet decomposition: average weights and
//! average values; Bennet 1920, as used for price and quantity indices, and the standard
//! "mix vs rate" split of a change in a weighted average, e.g. Kitagawa 1955 for the
//! difference of two rates):
//!
//! ```text
//! Δ = Σᵢ (s₂ᵢ − s₁ᵢ)·(v₁ᵢ + v₂ᵢ)/2   (mix)
//!   + Σᵢ (v₂ᵢ − v₁ᵢ)·(s₁ᵢ + s₂ᵢ)/2   (within)
//! ```
//!
//! with sᵢ = nᵢ / n the segment's share of the period's n and vᵢ its figure. The two terms
//! add up to Σ s₂v₂ − Σ s₁v₁ exactly, which is the change of the overall figure because the
//! overall figure is recomputed from the segments' pooled counts: NPS = 100·(ΣP − ΣD)/Σn, a
//! percentage = 100·Σx/Σn, a mean = Σ(n·mean)/Σn (never an average of the segments'
//! figures). Each segment's figure comes from its test basis (counts, or mean and n), never
//! from a rounded value.
//!
//! A segment present in only one of the two periods has share 0 on the other side; its
//! figure there is taken to be its figure on the side where it exists, so its within term
//! is 0 and its whole contribution (s₂v₂ or −s₁v₁) is mix: it entered or left the mix.
//!
//! Only for dimensions whose results carry that dimension and the period alone (a grouping
//! of one key plus the period), only when every segment of both periods has a basis of the
//! overall result's kind, and only when the pooled segments reproduce the overall result's
//! counts (so a metric whose overall figure is not the pooled segments' is left out).

use crate::trend::period_of;
use cxm_report::{ResultRow, RunReport, SegmentShift, ShiftShare};
use cxm_result::TestBasis;
use std::collections::{HashMap, HashSet};

/// A figure that pools across segments: value = scale · numerator / n.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pooled {
    /// 0 = NPS (P − D), 1 = proportion (successes), 2 = mean (n · mean).
    kind: u8,
    numerator: f64,
    n: f64,
}

impl Pooled {
    fn of(basis: &TestBasis) -> Pooled {
        match *basis {
            TestBasis::Nps {
                promoters,
                detractors,
                n,
            } => Pooled {
                kind: 0,
                numerator: promoters - detractors,
                n,
            },
            TestBasis::Proportion { successes, n } => Pooled {
                kind: 1,
                numerator: successes,
                n,
            },
            TestBasis::Mean { mean, n, .. } => Pooled {
                kind: 2,
                numerator: mean * n,
                n,
            },
        }
    }

    fn scale(self) -> f64 {
        if self.kind == 2 {
            1.0
        } else {
            100.0
        }
    }

    /// The figure, `None` when n is not positive.
    fn value(self) -> Option<f64> {
        (self.n > 0.0).then(|| self.scale() * self.numerator / self.n)
    }
}

/// Whether two sums agree up to rounding (relative 1e-9; also used for a weighted result's n
/// against its rows' weight).
pub(crate) fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// One period's segments of a dimension: (segment, pooled counts), in report order; `None`
/// when one of them has no basis.
type Segments<'a> = Option<Vec<(&'a Option<String>, Pooled)>>;

/// The segments of `dimension` in every period of `rows` (one metric's results), built in
/// one pass over them.
fn segments_by_period<'a>(
    rows: &[&'a ResultRow],
    dimension: &str,
) -> HashMap<&'a str, Segments<'a>> {
    let mut out: HashMap<&str, Segments> = HashMap::new();
    for row in rows {
        if row.group.len() != 2 {
            continue;
        }
        let (Some(period), Some((_, segment))) = (
            period_of(row),
            row.group.iter().find(|(k, _)| k == dimension),
        ) else {
            continue;
        };
        let entry = out.entry(period).or_insert_with(|| Some(Vec::new()));
        match (entry.as_mut(), row.result.basis.as_ref()) {
            (Some(segs), Some(basis)) => segs.push((segment, Pooled::of(basis))),
            _ => *entry = None,
        }
    }
    out
}

/// The segments of one period when all are of `kind`.
fn of_kind<'s, 'a>(
    segments: Option<&'s Segments<'a>>,
    kind: u8,
) -> Option<&'s [(&'a Option<String>, Pooled)]> {
    let segs = segments?.as_deref()?;
    segs.iter().all(|(_, p)| p.kind == kind).then_some(segs)
}

/// The decomposition of the change from `before` to `after` (the overall results' bases)
/// over the segments of one dimension; `None` when the segments do not pool to the overall
/// counts of either period.
fn decompose(
    dimension: &str,
    before: (Pooled, &[(&Option<String>, Pooled)]),
    after: (Pooled, &[(&Option<String>, Pooled)]),
) -> Option<ShiftShare> {
    let (overall1, seg1) = before;
    let (overall2, seg2) = after;
    for (overall, segs) in [(overall1, seg1), (overall2, seg2)] {
        let n: f64 = segs.iter().map(|(_, p)| p.n).sum();
        let numerator: f64 = segs.iter().map(|(_, p)| p.numerator).sum();
        let pools = !segs.is_empty()
            && overall.n > 0.0
            && same(n, overall.n)
            && same(numerator, overall.numerator);
        if !pools {
            return None;
        }
    }
    let previous = overall1.value()?;
    let current = overall2.value()?;
    // Segments in the order of the earlier period, then those new in the later one.
    fn index<'a>(segs: &[(&'a Option<String>, Pooled)]) -> HashMap<&'a Option<String>, Pooled> {
        segs.iter().map(|(k, p)| (*k, *p)).collect()
    }
    let (map1, map2) = (index(seg1), index(seg2));
    let mut keys: Vec<&Option<String>> = Vec::with_capacity(seg1.len());
    let mut seen: HashSet<&Option<String>> = HashSet::with_capacity(seg1.len());
    for (k, _) in seg1.iter().chain(seg2) {
        if seen.insert(*k) {
            keys.push(*k);
        }
    }
    let find = |segs: &HashMap<&Option<String>, Pooled>, key: &Option<String>| {
        segs.get(key).copied().filter(|p| p.n > 0.0)
    };
    let mut out = ShiftShare {
        dimension: dimension.to_string(),
        previous,
        current,
        delta: current - previous,
        mix: 0.0,
        within: 0.0,
        segments: Vec::with_capacity(keys.len()),
    };
    for key in keys {
        let p1 = find(&map1, key);
        let p2 = find(&map2, key);
        let (n1, n2) = (p1.map_or(0.0, |p| p.n), p2.map_or(0.0, |p| p.n));
        let (s1, s2) = (n1 / overall1.n, n2 / overall2.n);
        let (v1, v2) = (p1.and_then(Pooled::value), p2.and_then(Pooled::value));
        // Absent on one side: its own figure on the other side, so the within term is 0.
        let (a, b) = match (v1, v2) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) => (a, a),
            (None, Some(b)) => (b, b),
            (None, None) => continue,
        };
        let mix = (s2 - s1) * (a + b) / 2.0;
        let within = (b - a) * (s1 + s2) / 2.0;
        out.mix += mix;
        out.within += within;
        out.segments.push(SegmentShift {
            segment: key.clone(),
            previous_share_pct: 100.0 * s1,
            share_pct: 100.0 * s2,
            previous_value: v1,
            value: v2,
            previous_n: n1,
            n: n2,
            mix,
            within,
        });
    }
    Some(out)
}

/// The dimensions of a metric's results that come with the period alone, in the order of
/// the metric's grouping.
fn dimensions(report: &RunReport, metric: &str, rows: &[&ResultRow]) -> Vec<String> {
    crate::trend::metric_dimensions(report, metric)
        .iter()
        .filter(|d| {
            rows.iter().any(|r| {
                r.group.len() == 2 && period_of(r).is_some() && r.group.iter().any(|(k, _)| k == *d)
            })
        })
        .cloned()
        .collect()
}

/// Adds the decomposition per dimension to the trend of every overall period result of
/// every metric; returns the number of decompositions made.
pub(crate) fn add_decompositions(report: &mut RunReport) -> usize {
    // Each metric's rows, metrics in order of first appearance.
    let mut metrics: Vec<(&str, Vec<&ResultRow>)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for row in &report.results {
        let i = *at.entry(row.metric.as_str()).or_insert(metrics.len());
        if i == metrics.len() {
            metrics.push((&row.metric, Vec::new()));
        }
        metrics[i].1.push(row);
    }
    let mut found: Vec<(usize, ShiftShare)> = Vec::new();
    for (metric, rows) in &metrics {
        let dims = dimensions(report, metric, rows);
        if dims.is_empty() {
            continue;
        }
        let by_dim: Vec<HashMap<&str, Segments>> =
            dims.iter().map(|d| segments_by_period(rows, d)).collect();
        // The overall result of each period.
        let overall: HashMap<&str, &ResultRow> = rows
            .iter()
            .filter(|r| r.group.len() == 1)
            .filter_map(|r| Some((period_of(r)?, *r)))
            .collect();
        for (i, row) in report.results.iter().enumerate() {
            let overall_of_period =
                row.metric == *metric && row.group.len() == 1 && period_of(row).is_some();
            let (Some(trend), true) = (&row.trend, overall_of_period) else {
                continue;
            };
            let Some(period) = period_of(row) else {
                continue;
            };
            let previous = trend.previous_period.as_str();
            let Some(before) = overall
                .get(previous)
                .and_then(|r| r.result.basis.as_ref())
                .map(Pooled::of)
            else {
                continue;
            };
            let Some(after) = row.result.basis.as_ref().map(Pooled::of) else {
                continue;
            };
            if before.kind != after.kind {
                continue;
            }
            for (dim, segs) in dims.iter().zip(&by_dim) {
                let seg1 = of_kind(segs.get(previous), before.kind);
                let seg2 = of_kind(segs.get(period), after.kind);
                if let (Some(seg1), Some(seg2)) = (seg1, seg2) {
                    if let Some(d) = decompose(dim, (before, seg1), (after, seg2)) {
                        found.push((i, d));
                    }
                }
            }
        }
    }
    let made = found.len();
    for (i, d) in found {
        if let Some(t) = report.results[i].trend.as_mut() {
            t.decomposition.push(d);
        }
    }
    made
}

#[cfg(test)]
#[path = "shift_share_tests.rs"]
mod tests;
