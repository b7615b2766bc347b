//! What the rate metrics share: the params every rate has (`confidence`, `min_n`), checks
//! with messages a consultant can act on, and the result of a weighted proportion on the
//! 0-100 scale with its Wilson score interval.

use cxm_sdk::prelude::*;

/// Checks that a row weight can be used (the host already rejects missing or negative
/// weights; this keeps the plain methods safe when called directly).
pub fn check_weight(weight: f64) -> Result<(), Reject> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(Reject::InvalidValue)
    }
}

/// Checks that `confidence` is a fraction strictly between 0 and 1.
pub fn check_confidence(confidence: f64) -> Result<(), String> {
    cxm_stats::check_confidence(confidence).map(|_| ())
}

/// The `confidence` and `min_n` params of a rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSettings {
    /// Confidence level of the Wilson interval.
    pub confidence: f64,
    /// Below this weighted denominator the result carries `low_sample`.
    pub min_n: u64,
}

impl RateSettings {
    /// Validated settings.
    pub fn new(confidence: f64, min_n: u64) -> Result<Self, String> {
        check_confidence(confidence)?;
        Ok(RateSettings { confidence, min_n })
    }
}

/// A weighted count of successes out of a weighted count of trials; merged by addition.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Proportion {
    /// Weighted successes (answered, converted, referred).
    pub hits: f64,
    /// Weighted trials (received, leads, new customers): the denominator and n.
    pub total: f64,
}

impl Proportion {
    /// Counts one trial of weight `weight`, a success when `hit`.
    pub fn add(&mut self, hit: bool, weight: f64) {
        self.total += weight;
        if hit {
            self.hits += weight;
        }
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &Proportion) {
        self.hits += other.hits;
        self.total += other.total;
    }
}

/// The result of a rate: value = 100 · hits / total, Wilson interval on 0-100, n = total,
/// basis = Proportion { successes: hits, n: total } (when total > 0), `no_data` and
/// `low_sample` warnings.
pub fn rate_result(p: &Proportion, unit: &str, settings: RateSettings) -> MetricResult {
    let level = settings.confidence;
    let n = p.total;
    let ci = cxm_stats::wilson(p.hits, n, level).map(|(low, high)| Interval {
        low: 100.0 * low,
        high: 100.0 * high,
        level,
        method: "wilson".to_string(),
    });
    let mut result = MetricResult {
        value: (n > 0.0).then(|| 100.0 * p.hits / n),
        unit: unit.to_string(),
        n,
        ci,
        basis: (n > 0.0).then_some(TestBasis::Proportion {
            successes: p.hits,
            n,
        }),
        ..Default::default()
    };
    if n <= 0.0 {
        result = result.warn("no_data");
    }
    if n < settings.min_n as f64 || n <= 0.0 {
        result = result.warn("low_sample");
    }
    result
}

/// Doc of the `confidence` param.
pub const CONFIDENCE_PARAM: Param = Param::new(
    "confidence",
    "number",
    "0.95",
    "Confidence level of the Wilson interval, between 0 and 1.",
);

/// Doc of the `min_n` param.
pub const MIN_N_PARAM: Param = Param::new(
    "min_n",
    "int",
    "30",
    "Results with a smaller (weighted) denominator carry the warning low_sample.",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_on_the_percent_scale() {
        // 30 of 50 → 60 %; Wilson (0.46181437747589366, 0.7239161026974346) × 100.
        let mut p = Proportion::default();
        p.add(true, 30.0);
        p.add(false, 20.0);
        let r = rate_result(&p, "%", RateSettings::new(0.95, 30).unwrap());
        assert_eq!((r.value, r.n), (Some(60.0), 50.0));
        let ci = r.ci.unwrap();
        assert!((ci.low - 46.181_437_747_589_366).abs() < 1e-9);
        assert!((ci.high - 72.391_610_269_743_46).abs() < 1e-9);
        assert_eq!(ci.method, "wilson");
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn empty_has_no_value() {
        let r = rate_result(
            &Proportion::default(),
            "%",
            RateSettings::new(0.95, 30).unwrap(),
        );
        assert_eq!((r.value, r.ci), (None, None));
        assert_eq!(r.warnings, ["no_data", "low_sample"]);
    }

    #[test]
    fn confidence_is_checked() {
        let e = RateSettings::new(90.0, 30).unwrap_err();
        assert!(e.contains("write 0.9"), "{e}");
        assert!(RateSettings::new(f64::NAN, 30).is_err());
    }
}
