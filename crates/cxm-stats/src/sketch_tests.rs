//! Tests of the quantile sketch and the hybrid accumulator. Small cases are derived by hand
//! in the comments (α = 1/3 gives γ = 2: bucket i is (2^(i−1), 2^i], represented by
//! 2^(i+1)/3); random data of several distributions is compared with the exact
//! [`WeightedSample`] on the same values.

use super::*;

/// A deterministic generator (SplitMix64), so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// An integer in 1..=n.
    fn weight(&mut self, n: u64) -> f64 {
        (1 + self.next_u64() % n) as f64
    }
}

const PS: [f64; 8] = [0.01, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999];

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "expected {expected}, got {actual}"
    );
}

fn sketch(alpha: f64, values: &[(f64, f64)]) -> QuantileSketch {
    let mut s = QuantileSketch::new(alpha).expect("valid accuracy");
    for &(x, w) in values {
        s.add(x, w);
    }
    s
}

fn exact(values: &[(f64, f64)]) -> WeightedSample {
    let mut s = WeightedSample::default();
    for &(x, w) in values {
        s.add(x, w);
    }
    s
}

fn hybrid(policy: QuantilePolicy, values: &[(f64, f64)]) -> Quantiles {
    let mut q = Quantiles::default();
    for &(x, w) in values {
        q.add(x, w, policy);
    }
    q
}

/// Asserts every estimate is within relative error α of the exact definition-2 value (up
/// to 1e-9 of α for the floating-point bucket index).
fn within(alpha: f64, estimates: &[Option<f64>], exact: &[Option<f64>], what: &str) {
    for ((p, e), x) in PS.iter().zip(estimates).zip(exact) {
        let (Some(e), Some(x)) = (e, x) else {
            panic!("{what} p = {p}: {e:?} vs {x:?}")
        };
        let error = (e - x).abs();
        assert!(
            error <= alpha * (1.0 + 1e-9) * x.abs(),
            "{what} p = {p}: estimate {e}, exact {x}, relative error {}",
            error / x.abs()
        );
    }
}

#[test]
fn hand_derived_with_gamma_2() {
    // α = 1/3: 1 → bucket 0 (1/2, 1], r = 2/3; 3 → bucket 2 (2, 4], r = 8/3;
    // 10 → bucket 4 (8, 16], r = 32/3; 100 → bucket 7 (64, 128], r = 256/3.
    let s = sketch(
        1.0 / 3.0,
        &[(10.0, 1.0), (1.0, 1.0), (100.0, 1.0), (3.0, 1.0)],
    );
    let reps: Vec<(f64, f64)> = s.buckets().collect();
    let want = [2.0 / 3.0, 8.0 / 3.0, 32.0 / 3.0, 256.0 / 3.0];
    assert_eq!(reps.len(), 4);
    for ((r, w), x) in reps.iter().zip(want) {
        close(*r, x);
        assert_eq!(*w, 1.0);
    }
    let q = s.quantiles(&[0.0, 0.1, 0.25, 0.5, 0.9, 1.0]);
    let q: Vec<f64> = q.into_iter().map(|x| x.expect("defined")).collect();
    // p = 0 and 1: the exact min and max.
    assert_eq!((q[0], q[5]), (1.0, 100.0));
    // p = 0.1: target 0.4 → bucket of 1, r = 2/3, clamped to min = 1 (exact: 1).
    assert_eq!(q[1], 1.0);
    // p = 0.25: target 1 = C(bucket 0) exactly → (2/3 + 8/3)/2 = 5/3 (exact: (1 + 3)/2 = 2).
    close(q[2], 5.0 / 3.0);
    // p = 0.5: target 2 = C(bucket 2) → (8/3 + 32/3)/2 = 20/3 (exact: (3 + 10)/2 = 6.5).
    close(q[3], 20.0 / 3.0);
    // p = 0.9: target 3.6 → bucket 7, r = 256/3 (exact: 100, error 14.7% ≤ 1/3).
    close(q[4], 256.0 / 3.0);
    assert_eq!(s.min(), Some(1.0));
    assert_eq!(s.max(), Some(100.0));
    assert_eq!(s.total_weight(), 4.0);
}

#[test]
fn hand_derived_negatives_and_zeros() {
    // α = 1/3, rows −3, −1 (weight 2), 0, 5; W = 5. Ascending buckets: −3 → −(bucket 2)
    // = −8/3; −1 → −(bucket 0) = −2/3 (weight 2); zero (weight 1); 5 → bucket 3 (4, 8],
    // r = 16/3. Cumulative: 1, 3, 4, 5.
    let s = sketch(
        1.0 / 3.0,
        &[(5.0, 1.0), (-1.0, 2.0), (0.0, 1.0), (-3.0, 1.0)],
    );
    let q = s.quantiles(&[0.2, 0.5, 0.7, 0.8, 0.9]);
    let q: Vec<f64> = q.into_iter().map(|x| x.expect("defined")).collect();
    // p = 0.2: target 1 = C → (−8/3 − 2/3)/2 = −5/3 (exact: (−3 − 1)/2 = −2).
    close(q[0], -5.0 / 3.0);
    // p = 0.5: target 2.5 → −2/3 (exact −1); p = 0.7: target 3.5 → zero bucket → 0.
    close(q[1], -2.0 / 3.0);
    assert_eq!(q[2], 0.0);
    // p = 0.8: target 4 = C(zero) → (0 + 16/3)/2 = 8/3 (exact: (0 + 5)/2 = 2.5).
    close(q[3], 8.0 / 3.0);
    // p = 0.9: target 4.5 → 16/3, clamped to max = 5 (exact: 5).
    assert_eq!(q[4], 5.0);
    // The same rows expanded (−1 twice) give the same sketch.
    let expanded = sketch(
        1.0 / 3.0,
        &[
            (-1.0, 1.0),
            (5.0, 1.0),
            (-3.0, 1.0),
            (-1.0, 1.0),
            (0.0, 1.0),
        ],
    );
    assert_eq!(expanded, s);
}

#[test]
fn representatives_are_within_alpha_across_the_f64_range() {
    // r/x = 2γ^i / ((γ + 1)·x) lies in [1 − α, 1 + α] for γ^(i−1) < x ≤ γ^i.
    let alpha = DEFAULT_RELATIVE_ACCURACY;
    let gamma = (1.0 + alpha) / (1.0 - alpha);
    assert!((gamma - 1.02020202020202).abs() < 1e-14);
    let mut x = f64::MIN_POSITIVE;
    while x.is_finite() {
        for y in [x, x * 1.37, -x, x * gamma, x * gamma * (1.0 + 1e-12)] {
            if !y.is_finite() {
                continue;
            }
            let s = sketch(alpha, &[(y, 1.0)]);
            let reps: Vec<(f64, f64)> = s.buckets().collect();
            assert_eq!(reps.len(), 1);
            let ratio = reps[0].0 / y;
            assert!(
                (ratio - 1.0).abs() <= alpha * (1.0 + 1e-9),
                "x = {y}: representative {}",
                reps[0].0
            );
        }
        x *= 1.9;
    }
    let s = sketch(alpha, &[(f64::MAX, 1.0), (-f64::MAX, 1.0)]);
    // The top bucket's representative stays finite, within α of the value.
    let q = s.quantiles(&[0.25, 0.75]);
    for (q, x) in q.into_iter().zip([-f64::MAX, f64::MAX]) {
        let q = q.expect("defined");
        assert!(q.is_finite() && (q / x - 1.0).abs() <= alpha, "{q}");
    }
}

/// Named data sets of 100,003 values (so p·n is never whole: no ties at these p).
fn distributions() -> Vec<(&'static str, Vec<f64>)> {
    let n = 100_003;
    let mut rng = Rng(20_240_101);
    let uniform = (0..n).map(|_| 1000.0 * rng.uniform()).collect();
    // Durations in hours: lognormal with a median of 2 h and σ = 1.5.
    let lognormal = (0..n).map(|_| 2.0 * (1.5 * rng.normal()).exp()).collect();
    // Pareto with shape 1.1 (infinite variance): heavy right tail.
    let pareto = (0..n).map(|_| rng.uniform().powf(-1.0 / 1.1)).collect();
    // Differences of amounts: normal around 0, 10% exact zeros.
    let signed = (0..n)
        .map(|_| {
            if rng.uniform() < 0.1 {
                0.0
            } else {
                50.0 * rng.normal() + 10.0
            }
        })
        .collect();
    // Whole seconds of a wait, many repeated values (ties inside buckets).
    let discrete = (0..n)
        .map(|_| (600.0 * rng.uniform() * rng.uniform()).round())
        .collect();
    vec![
        ("uniform", uniform),
        ("lognormal", lognormal),
        ("pareto", pareto),
        ("signed with zeros", signed),
        ("discrete", discrete),
    ]
}

#[test]
fn random_data_is_within_the_relative_error_of_exact() {
    for (name, values) in distributions() {
        let rows: Vec<(f64, f64)> = values.iter().map(|&x| (x, 1.0)).collect();
        let want = exact(&rows).quantiles(&PS);
        for alpha in [0.01, 0.005, 0.05] {
            let got = sketch(alpha, &rows).quantiles(&PS);
            within(alpha, &got, &want, &format!("{name} α = {alpha}"));
        }
        let q = hybrid(QuantilePolicy::HYBRID, &rows);
        let got = q.quantiles(&PS);
        assert_eq!(
            got.method,
            QuantileMethod::Sketch {
                relative_error: 0.01
            }
        );
        within(0.01, &got.values, &want, name);
        // The exact policy keeps every value: the very same quantiles.
        let all = hybrid(QuantilePolicy::EXACT, &rows).quantiles(&PS);
        assert_eq!((all.values, all.method), (want, QuantileMethod::Exact));
    }
}

#[test]
fn weighted_random_data_is_within_the_relative_error_of_exact() {
    let mut rng = Rng(7);
    for (name, values) in distributions() {
        // Fractional weights, as survey weights are.
        let rows: Vec<(f64, f64)> = values
            .iter()
            .map(|&x| (x, 0.25 + 2.0 * rng.uniform()))
            .collect();
        let want = exact(&rows).quantiles(&PS);
        let got = hybrid(QuantilePolicy::HYBRID, &rows).quantiles(&PS);
        within(0.01, &got.values, &want, name);
    }
}

#[test]
fn integer_weights_equal_expanded_rows() {
    let mut rng = Rng(11);
    for (name, values) in distributions() {
        let weighted: Vec<(f64, f64)> =
            values[..3000].iter().map(|&x| (x, rng.weight(5))).collect();
        let expanded: Vec<(f64, f64)> = weighted
            .iter()
            .flat_map(|&(x, w)| std::iter::repeat_n((x, 1.0), w as usize))
            .collect();
        assert_eq!(
            sketch(0.01, &weighted),
            sketch(0.01, &expanded),
            "{name} sketch"
        );
        // Σw ≈ 9000 > 4096: both sides convert, to the same sketch.
        let (w, e) = (
            hybrid(QuantilePolicy::HYBRID, &weighted),
            hybrid(QuantilePolicy::HYBRID, &expanded),
        );
        assert!(
            matches!(w.method(), QuantileMethod::Sketch { .. }),
            "{name}"
        );
        assert_eq!(w.quantiles(&PS), e.quantiles(&PS), "{name} hybrid");
        // Below the limit both stay exact, and agree too.
        let head: usize = weighted[..500].iter().map(|r| r.1 as usize).sum();
        let (w, e) = (
            hybrid(QuantilePolicy::HYBRID, &weighted[..500]),
            hybrid(QuantilePolicy::HYBRID, &expanded[..head]),
        );
        assert_eq!(w.method(), QuantileMethod::Exact, "{name}");
        assert_eq!(w.quantiles(&PS), e.quantiles(&PS), "{name} exact");
    }
}

/// Splits `rows` into states of uneven sizes (some below the limit, some above).
fn parts(policy: QuantilePolicy, rows: &[(f64, f64)]) -> Vec<Quantiles> {
    let mut out = Vec::new();
    let mut start = 0;
    for size in [10, 3000, 7000, 1, 0, 2500, 4096, 20_000].iter().cycle() {
        if start >= rows.len() {
            break;
        }
        let end = (start + size).min(rows.len());
        out.push(hybrid(policy, &rows[start..end]));
        start = end;
    }
    out
}

#[test]
fn merging_in_any_order_equals_the_union() {
    for (name, values) in distributions() {
        let rows: Vec<(f64, f64)> = values.iter().map(|&x| (x, 1.0)).collect();
        for policy in [QuantilePolicy::HYBRID, QuantilePolicy::EXACT] {
            let union = hybrid(policy, &rows);
            let want = union.quantiles(&PS);
            let states = parts(policy, &rows);
            // Left to right, right to left, and a balanced tree.
            let mut forward = Quantiles::default();
            for s in &states {
                forward.merge(s, policy);
            }
            let mut backward = Quantiles::default();
            for s in states.iter().rev() {
                backward.merge(s, policy);
            }
            let mut level = states.clone();
            while level.len() > 1 {
                level = level
                    .chunks(2)
                    .map(|pair| {
                        let mut a = pair[0].clone();
                        if let Some(b) = pair.get(1) {
                            a.merge(b, policy);
                        }
                        a
                    })
                    .collect();
            }
            for merged in [&forward, &backward, &level[0]] {
                assert_eq!(merged.quantiles(&PS), want, "{name}");
                assert_eq!(
                    (merged.len(), merged.total_weight()),
                    (union.len(), union.total_weight())
                );
                if !policy.is_exact() {
                    // A sketch is the sum of its buckets: the merged state is the union's.
                    assert_eq!(merged, &union, "{name}");
                }
            }
        }
    }
}

#[test]
fn small_groups_stay_exact_and_the_switch_is_at_the_limit() {
    let rows: Vec<(f64, f64)> = (1..=4097).map(|i| (f64::from(i), 1.0)).collect();
    let at_limit = hybrid(QuantilePolicy::HYBRID, &rows[..4096]);
    assert_eq!(at_limit.method(), QuantileMethod::Exact);
    // The exact part never holds more than 4096 pairs of 16 bytes.
    assert_eq!(at_limit.heap_bytes(), 4096 * 16);
    // n = 4096, p = 0.5: n·p = 2048 whole → (2048 + 2049)/2.
    assert_eq!(at_limit.quantiles(&[0.5]).values, vec![Some(2048.5)]);
    assert_eq!(
        at_limit.quantiles(&PS).values,
        exact(&rows[..4096]).quantiles(&PS)
    );
    let beyond = hybrid(QuantilePolicy::HYBRID, &rows);
    let estimates = beyond.quantiles(&PS);
    assert_eq!(estimates.method.relative_error(), Some(0.01));
    within(
        0.01,
        &estimates.values,
        &exact(&rows).quantiles(&PS),
        "1..4097",
    );
    // Two rows of weight 4096 stand for 8192 rows: a sketch, as the expanded rows are.
    let heavy = hybrid(QuantilePolicy::HYBRID, &[(1.0, 4096.0), (2.0, 4096.0)]);
    assert!(matches!(heavy.method(), QuantileMethod::Sketch { .. }));
    // Merging two exact halves that together exceed the limit converts.
    let (mut a, b) = (
        hybrid(QuantilePolicy::HYBRID, &rows[..2000]),
        hybrid(QuantilePolicy::HYBRID, &rows[2000..]),
    );
    assert_eq!(
        (a.method(), b.method()),
        (QuantileMethod::Exact, QuantileMethod::Exact)
    );
    a.merge(&b, QuantilePolicy::HYBRID);
    assert_eq!(a, beyond);
    // A custom limit.
    let policy = QuantilePolicy::new(10, 0.05).expect("valid");
    let q = hybrid(policy, &rows[..11]);
    assert_eq!(q.method().describe(), "DDSketch (relative error 5%)");
    assert!(QuantilePolicy::new(10, 0.0).is_err());
    assert!(QuantileSketch::new(0.9).is_err());
}

#[test]
fn methods_in_words() {
    assert_eq!(
        QuantileMethod::Exact.describe(),
        "exact (Hyndman-Fan definition 2)"
    );
    let sketched = QuantileMethod::Sketch {
        relative_error: 0.01,
    };
    assert_eq!(sketched.describe(), "DDSketch (relative error 1%)");
    assert_eq!(sketched.relative_error(), Some(0.01));
    assert_eq!(QuantileMethod::Exact.relative_error(), None);
    let finer = QuantileMethod::Sketch {
        relative_error: 0.005,
    };
    assert_eq!(finer.describe(), "DDSketch (relative error 0.5%)");
    assert_eq!(QuantilePolicy::from_exact(true), QuantilePolicy::EXACT);
    assert_eq!(QuantilePolicy::default(), QuantilePolicy::HYBRID);
}

#[test]
fn empty_invalid_and_out_of_range() {
    let mut q = Quantiles::default();
    for (x, w) in [
        (f64::NAN, 1.0),
        (1.0, 0.0),
        (1.0, -1.0),
        (f64::INFINITY, 1.0),
    ] {
        q.add(x, w, QuantilePolicy::HYBRID);
    }
    assert!(q.is_empty());
    assert_eq!(q.quantiles(&[0.5]).values, vec![None]);
    let s = QuantileSketch::default();
    assert!(s.is_empty());
    assert_eq!(s.quantiles(&[0.5]), vec![None]);
    assert_eq!((s.min(), s.max()), (None, None));
    let s = sketch(0.01, &[(3.0, 1.0)]);
    assert_eq!(s.quantiles(&[-0.1, 1.1, 0.5]), vec![None, None, Some(3.0)]);
}

#[test]
fn memory_depends_on_the_range_not_the_count() {
    // 1,000,000 lognormal durations spanning about 9 decades: at α = 1% a decade is
    // ln 10 / ln γ ≈ 115 buckets, so about 1,000 buckets (8 KB) hold them all.
    let mut rng = Rng(3);
    let mut q = Quantiles::default();
    for _ in 0..1_000_000 {
        q.add(
            2.0 * (1.5 * rng.normal()).exp(),
            1.0,
            QuantilePolicy::HYBRID,
        );
    }
    assert!(q.heap_bytes() < 16 * 1024, "{} bytes", q.heap_bytes());
    // Exact, the same values would take 16 MB.
    assert!(std::mem::size_of::<Quantiles>() <= 48);
}

#[test]
fn sketches_of_other_accuracies_merge_approximately() {
    // Re-added at representatives: within (1 + 1%)(1 + 5%) − 1 ≈ 6.05% of exact.
    let rows: Vec<(f64, f64)> = (1..=5000).map(|i| (f64::from(i).sqrt(), 1.0)).collect();
    let mut a = sketch(0.01, &rows[..2500]);
    a.merge(&sketch(0.05, &rows[2500..]));
    let want = exact(&rows).quantiles(&PS);
    within(0.0606, &a.quantiles(&PS), &want, "mixed accuracies");
}
