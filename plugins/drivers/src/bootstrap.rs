//! The Poisson bootstrap: every row gets, in each replicate b, a count drawn from
//! Poisson(w) (w = the row's weight), and each replicate keeps its own cross-product block.
//! Replicates are then ordinary states: they merge by addition like the main one.
//!
//! Poisson(1) counts approximate the multinomial counts of the classic bootstrap for large n
//! (Hanley & MacGibbon, "Creating non-parametric bootstrap samples using Poisson
//! frequencies", *Computer Methods and Programs in Biomedicine* 83, 2006, 57–62; Chamandy,
//! Muralidharan, Najmi & Naidu, "Estimating uncertainty for massive data streams", Google,
//! 2012, which uses exactly this for sharded data). A row of weight w stands for w
//! respondents resampled independently, so its count is Poisson(w), the sum of w
//! Poisson(1) draws: the same distribution as the expanded rows.
//!
//! **Thread stability.** The counts must not depend on how rows are split into chunks,
//! batches and threads, so they cannot come from a generator advanced row by row. They are
//! a pure function of (seed, row id, replicate, draw): a counter-based generator
//! (SplitMix64's finaliser, Steele, Lea & Flood, OOPSLA 2014, applied to the mixed key).
//! The SDK gives a plugin no row number, and a row's values do not identify it (many
//! respondents give the same ratings), so the bootstrap needs the `id` input: rows with the
//! same id get the same counts (they are resampled together, as a cluster).

/// SplitMix64's output function: a bijective avalanche of 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A 64-bit hash of a row id (FNV-1a over the bytes, then mixed).
pub fn hash_id(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h ^ id.len() as u64)
}

/// The uniform draws of one (seed, row id, replicate): draw k is a pure function of all
/// four, in [0, 1) with 53 random bits.
pub struct Draws {
    key: u64,
    counter: u64,
}

impl Draws {
    /// The stream of row `id_hash` in replicate `replicate`.
    #[inline]
    pub fn new(seed: u64, id_hash: u64, replicate: u32) -> Self {
        let key = mix(mix(mix(seed ^ 0x9e37_79b9_7f4a_7c15) ^ id_hash) ^ u64::from(replicate));
        Draws { key, counter: 0 }
    }

    /// The next uniform.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        self.counter += 1;
        let bits = mix(self
            .key
            .wrapping_add(self.counter.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A Poisson(λ) count (λ ≥ 0): inversion below λ = 10, else Hörmann's transformed
/// rejection PTRS ("The transformed rejection method for generating Poisson random
/// variables", *Insurance: Mathematics and Economics* 12, 1993, 39–45), as NumPy does.
#[inline]
pub fn poisson(lambda: f64, draws: &mut Draws) -> f64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0.0;
    }
    if lambda < 10.0 {
        let u = draws.uniform();
        let mut p = (-lambda).exp();
        let mut cdf = p;
        let mut k = 0.0;
        // The cap only stops a u that rounding puts above the last representable cdf.
        while u > cdf && k < 200.0 {
            k += 1.0;
            p *= lambda / k;
            cdf += p;
        }
        return k;
    }
    let slam = lambda.sqrt();
    let loglam = lambda.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let invalpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = draws.uniform() - 0.5;
        let v = draws.uniform();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + invalpha.ln() - (a / (us * us) + b).ln()
            <= -lambda + k * loglam - ln_factorial(k)
        {
            return k;
        }
    }
}

/// ln k! for a whole k ≥ 0: exact sums below 10, else Stirling's series to k⁻⁷ (error
/// below 1e-12 from k = 10 on: the next term is 1/(1188 k⁹)).
fn ln_factorial(k: f64) -> f64 {
    if k < 10.0 {
        return (2..=k as u32).map(|i| f64::from(i).ln()).sum();
    }
    let inv = 1.0 / k;
    let inv2 = inv * inv;
    k * k.ln() - k
        + 0.5 * (2.0 * std::f64::consts::PI * k).ln()
        + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)))
}

/// The q-quantile of sorted values by linear interpolation (Hyndman & Fan definition 7,
/// R's default); `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(lambda: f64, n: u32) -> (f64, f64) {
        let (mut s, mut ss) = (0.0, 0.0);
        for i in 0..n {
            let k = poisson(lambda, &mut Draws::new(7, hash_id(&i.to_string()), 3));
            assert!(k >= 0.0 && k.fract() == 0.0);
            s += k;
            ss += k * k;
        }
        let mean = s / f64::from(n);
        (mean, ss / f64::from(n) - mean * mean)
    }

    #[test]
    fn poisson_counts_have_the_right_mean_and_variance() {
        // 200,000 draws: the standard error of the mean is √(λ/n) ≈ 0.0022·√λ.
        for lambda in [1.0, 0.4, 3.0, 25.0, 1000.0] {
            let (mean, var) = moments(lambda, 200_000);
            assert!(
                (mean - lambda).abs() < 0.01 * lambda.max(1.0),
                "λ {lambda}: mean {mean}"
            );
            assert!(
                (var - lambda).abs() < 0.03 * lambda.max(1.0),
                "λ {lambda}: var {var}"
            );
        }
        assert_eq!(poisson(0.0, &mut Draws::new(1, 2, 3)), 0.0);
    }

    #[test]
    fn poisson_one_has_the_right_probabilities() {
        let n = 200_000;
        let mut zeros = 0;
        let mut ones = 0;
        for i in 0..n {
            match poisson(1.0, &mut Draws::new(11, hash_id(&format!("r{i}")), 0)) as u32 {
                0 => zeros += 1,
                1 => ones += 1,
                _ => {}
            }
        }
        // P(0) = P(1) = e⁻¹ = 0.3679.
        let e = (-1.0f64).exp();
        assert!((f64::from(zeros) / f64::from(n) - e).abs() < 0.005);
        assert!((f64::from(ones) / f64::from(n) - e).abs() < 0.005);
    }

    #[test]
    fn draws_depend_only_on_their_key() {
        let a: Vec<f64> = (0..4)
            .map(|_| 0.0)
            .scan(Draws::new(1, hash_id("x"), 2), |d, _| Some(d.uniform()))
            .collect();
        let b: Vec<f64> = (0..4)
            .map(|_| 0.0)
            .scan(Draws::new(1, hash_id("x"), 2), |d, _| Some(d.uniform()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(
            Draws::new(1, hash_id("x"), 2).uniform(),
            Draws::new(1, hash_id("x"), 3).uniform()
        );
        assert_ne!(
            Draws::new(1, hash_id("x"), 2).uniform(),
            Draws::new(2, hash_id("x"), 2).uniform()
        );
        assert_ne!(hash_id("ab"), hash_id("ba"));
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn ln_factorial_matches_the_product() {
        for k in [0u32, 1, 5, 9, 10, 11, 20, 30] {
            let exact: f64 = (2..=k).map(|i| f64::from(i).ln()).sum();
            assert!((ln_factorial(f64::from(k)) - exact).abs() < 2e-12, "{k}");
        }
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(5.0));
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert_eq!(quantile(&v, 0.025), Some(1.1));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[2.0], 0.9), Some(2.0));
    }
}
