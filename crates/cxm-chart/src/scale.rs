//! Value axes: the data extent (ignoring NaN and infinities), a padded domain, "nice" tick
//! steps (1, 2, 2.5 or 5 × 10^k, 4–6 ticks) with the decimals they need, and the linear map
//! from values to pixels.

/// Values beyond this magnitude are clamped before any axis arithmetic, so ranges and
/// steps stay finite.
const LIMIT: f64 = 1e100;

/// A finite value, clamped to ±[`LIMIT`]; `None` for NaN and infinities.
pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then(|| v.clamp(-LIMIT, LIMIT))
}

/// The smallest and largest finite values, if any.
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter_map(finite)
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// An axis: its domain and the tick values inside it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    pub lo: f64,
    pub hi: f64,
    pub values: Vec<f64>,
    /// Decimals that show every tick exactly.
    pub decimals: usize,
}

impl Ticks {
    /// Whether `v` lies inside the domain.
    pub(crate) fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }
}

/// The axis for `data`: the caller's `explicit` domain when valid (kept exactly, ticks
/// inside it), otherwise the data extent, with zero when `include_zero`, padded by
/// `pad` × range on each side (not below a zero baseline), widened when degenerate, and
/// extended to nice tick boundaries.
pub(crate) fn axis(
    data: Option<(f64, f64)>,
    explicit: Option<(f64, f64)>,
    include_zero: bool,
    pad: f64,
) -> Option<Ticks> {
    if let Some((a, b)) = explicit {
        if let (Some(a), Some(b)) = (finite(a), finite(b)) {
            if a != b {
                return Some(inside(a.min(b), a.max(b)));
            }
        }
    }
    let (mut lo, mut hi) = data?;
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let range = hi - lo;
    if range <= hi.abs().max(lo.abs()) * 1e-12 {
        let d = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        if !(include_zero && lo == 0.0) {
            lo -= d;
        }
        if !(include_zero && hi == 0.0 && lo < 0.0) {
            hi += d;
        }
    } else {
        if !(include_zero && lo == 0.0) {
            lo -= pad * range;
        }
        if !(include_zero && hi == 0.0) {
            hi += pad * range;
        }
    }
    Some(nice(lo, hi))
}

/// The mantissas of nice steps, with the extra decimal each needs (2.5 needs one).
const MANTISSAS: [(f64, i32); 4] = [(1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0)];

/// Tries every nice step near `range / 5`, scoring each with `score(step)`; returns the
/// best step and its decimals.
fn best_step(range: f64, score: impl Fn(f64) -> Option<f64>) -> Option<(f64, usize)> {
    let base = range.log10().floor() as i32;
    let mut best: Option<(f64, f64, usize)> = None;
    for e in (base - 2)..=(base + 1) {
        for (m, extra) in MANTISSAS {
            let step = m * 10f64.powi(e);
            if !(step.is_finite() && step > 0.0) {
                continue;
            }
            let Some(mut s) = score(step) else { continue };
            if m == 2.5 {
                s += 0.08; // prefer whole-number steps unless 2.5 is clearly tighter
            }
            let decimals = (extra - e).clamp(0, 12) as usize;
            if best.is_none_or(|(b, _, _)| s < b) {
                best = Some((s, step, decimals));
            }
        }
    }
    best.map(|(_, step, decimals)| (step, decimals))
}

/// Penalty for a tick count outside 4–6.
fn count_penalty(count: f64) -> f64 {
    let off = if count < 4.0 {
        4.0 - count
    } else if count > 6.0 {
        count - 6.0
    } else {
        0.0
    };
    off * 10.0 + (count - 5.0).abs() * 0.02
}

/// Ticks `first·step, (first+1)·step, …` (`count` of them), cleaned of float noise.
fn tick_values(first: f64, count: usize, step: f64, decimals: usize) -> Vec<f64> {
    let scale = 10f64.powi(decimals as i32);
    (0..count)
        .map(|i| {
            let v = (first + i as f64) * step;
            let clean = (v * scale).round() / scale;
            let v = if clean.is_finite() && (clean - v).abs() <= step * 1e-6 {
                clean
            } else {
                v
            };
            if v == 0.0 {
                0.0 // no "-0"
            } else {
                v
            }
        })
        .collect()
}

/// The domain `[lo, hi]` (lo < hi) extended outwards to nice tick boundaries.
pub(crate) fn nice(lo: f64, hi: f64) -> Ticks {
    let range = hi - lo;
    let bounds = |step: f64| ((lo / step + 1e-9).floor(), (hi / step - 1e-9).ceil());
    let found = (range > 0.0 && range.is_finite())
        .then(|| {
            best_step(range, |step| {
                let (a, b) = bounds(step);
                let count = b - a + 1.0;
                (2.0..=12.0)
                    .contains(&count)
                    .then(|| ((b - a) * step - range) / range + count_penalty(count))
            })
        })
        .flatten();
    match found {
        Some((step, decimals)) => {
            let (a, b) = bounds(step);
            let values = tick_values(a, (b - a) as usize + 1, step, decimals);
            let (first, last) = (values.first().copied(), values.last().copied());
            Ticks {
                lo: first.unwrap_or(lo),
                hi: last.unwrap_or(hi),
                values,
                decimals,
            }
        }
        None => fallback(lo, hi),
    }
}

/// Nice ticks inside the exact domain `[lo, hi]` (lo < hi).
fn inside(lo: f64, hi: f64) -> Ticks {
    let range = hi - lo;
    let bounds = |step: f64| ((lo / step - 1e-9).ceil(), (hi / step + 1e-9).floor());
    let found = (range > 0.0 && range.is_finite())
        .then(|| {
            best_step(range, |step| {
                let (a, b) = bounds(step);
                let count = b - a + 1.0;
                (2.0..=12.0).contains(&count).then(|| count_penalty(count))
            })
        })
        .flatten();
    match found {
        Some((step, decimals)) => {
            let (a, b) = bounds(step);
            let values = tick_values(a, (b - a) as usize + 1, step, decimals);
            Ticks {
                lo,
                hi,
                values,
                decimals,
            }
        }
        None => fallback(lo, hi),
    }
}

/// Ticks at the two ends only, when no nice step works (float precision exhausted).
fn fallback(lo: f64, hi: f64) -> Ticks {
    let range = (hi - lo).abs();
    let decimals = if range > 0.0 && range < 1.0 {
        (-range.log10().floor()).clamp(0.0, 12.0) as usize + 1
    } else {
        0
    };
    Ticks {
        lo,
        hi,
        values: vec![lo, hi],
        decimals,
    }
}

/// Decimals to show a single value such as a reference line's (0, 1 or 2).
pub(crate) fn decimals_of(v: f64) -> usize {
    (0..2)
        .find(|&d| {
            let s = 10f64.powi(d);
            ((v * s).round() - v * s).abs() < 1e-6
        })
        .map_or(2, |d| d as usize)
}

/// The linear map from a domain to a pixel range; values outside the domain (and NaN) are
/// clamped to its ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub(crate) fn new(ticks: &Ticks, r0: f64, r1: f64) -> Self {
        Linear {
            d0: ticks.lo,
            d1: ticks.hi,
            r0,
            r1,
        }
    }

    pub(crate) fn at(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        let t = if span != 0.0 && span.is_finite() {
            (v - self.d0) / span
        } else {
            0.5
        };
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        self.r0 + t * (self.r1 - self.r0)
    }
}
