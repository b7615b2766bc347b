//! What every support duration metric shares: the time unit param, the mergeable state of
//! durations, the duration between two timestamps, param checks, and the result (weighted
//! mean as the value, median/p90/p95, t interval of the mean, records without the ending
//! event).
//!
//! Quantiles (METRICS.md "Support metrics": median, p90 and p95, weighted) come from a
//! [`cxm_stats::Quantiles`]: every duration is kept while a group has at most 4096 of them
//! (and a total weight of at most 4096), so those results are exact Hyndman-Fan definition
//! 2; beyond that the durations are folded into a DDSketch (Masson, Rim & Lee, VLDB 2019)
//! whose quantiles are each within 1% of the exact values, in a few KB per group however
//! many tickets there are. `details.quantile_method` says which (`"exact (Hyndman-Fan
//! definition 2)"` or `"DDSketch (relative error 1%)"`), with `details.relative_error` =
//! 0.01 when sketched. The param `exact = true` keeps every duration instead: 16 bytes per
//! duration, plus the vector's growth (up to twice that while it grows) and a sorted copy
//! when the result is computed. The mean, its t interval and the counts are exact either
//! way, and merging is exact: merged states give the figures of the union, in any order.

use cxm_sdk::prelude::*;
use cxm_stats::{Moments, QuantilePolicy, Quantiles};
use serde_json::Value;

/// The unit a duration is reported (or, for `wait`, given) in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days of 24 hours.
    Days,
}

impl TimeUnit {
    /// Seconds in one unit.
    pub fn seconds(self) -> f64 {
        match self {
            TimeUnit::Seconds => 1.0,
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3_600.0,
            TimeUnit::Days => 86_400.0,
        }
    }

    /// Microseconds in one unit (timestamps are microseconds since the epoch).
    pub fn micros(self) -> f64 {
        self.seconds() * 1e6
    }

    /// The unit in words, as reported (`"hours"`).
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }
}

/// The duration from `start` to `end` (microseconds since the epoch) in `unit`.
///
/// `NegativeDuration` when `end` is before `start`. The difference is taken in i128, so it
/// cannot overflow.
pub fn between(start: i64, end: i64, unit: TimeUnit) -> Result<f64, Reject> {
    let micros = i128::from(end) - i128::from(start);
    if micros < 0 {
        return Err(Reject::NegativeDuration);
    }
    Ok(micros as f64 / unit.micros())
}

/// The mergeable accumulator of one group: the moments and quantile state of the durations,
/// and the weighted count of records that lack the ending event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Durations {
    /// Σw, Σw·x, Σw·x² of the durations, in the reporting unit.
    pub moments: Moments,
    /// The durations with their weights, for the quantiles: exact while few, a sketch
    /// beyond (see the module documentation).
    pub quantiles: Quantiles,
    /// Weighted count of records without the ending event (unanswered, unresolved, …).
    pub without_end_event: f64,
}

impl Durations {
    /// Adds one duration (in the reporting unit) with its weight; `policy` is the metric's
    /// ([`Reporting::quantiles`]).
    #[inline]
    pub fn add(&mut self, duration: f64, weight: f64, policy: QuantilePolicy) {
        self.moments.add(duration, weight);
        self.quantiles.add(duration, weight, policy);
    }

    /// Counts one record without the ending event.
    pub fn missing_end(&mut self, weight: f64) {
        self.without_end_event += weight;
    }

    /// Adds everything of `other`.
    pub fn merge(&mut self, other: &Durations, policy: QuantilePolicy) {
        self.moments.merge(&other.moments);
        self.quantiles.merge(&other.quantiles, policy);
        self.without_end_event += other.without_end_event;
    }
}

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

/// How a duration result is computed and reported: unit, confidence level, the
/// `low_sample` bound and how quantiles are kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reporting {
    /// The unit of every figure.
    pub unit: TimeUnit,
    /// Confidence level of the t interval.
    pub confidence: f64,
    /// Below this weighted n the result carries `low_sample`.
    pub min_n: u64,
    /// Exact up to 4096 durations per group then a 1% sketch, or (`exact = true`) every
    /// duration kept.
    pub quantiles: QuantilePolicy,
}

/// The test basis of the mean duration (in the reporting unit): mean, sample variance with
/// the row weights as frequency weights, and n; `None` when n <= 1, where the sample
/// variance is undefined.
pub fn mean_basis(moments: &Moments) -> Option<TestBasis> {
    Some(TestBasis::Mean {
        mean: moments.mean()?,
        variance: moments.sample_variance()?,
        n: moments.weight,
    })
}

/// The result of a duration metric: value = weighted mean; details mean, median, p90, p95
/// (Hyndman-Fan definition 2, weighted; exact or within `relative_error`), unit,
/// without_end_event, quantile_method and (when sketched) relative_error; ci = t interval
/// of the mean; n = weighted count of durations; basis = [`mean_basis`].
pub fn result(durations: &Durations, reporting: Reporting) -> MetricResult {
    let n = durations.moments.weight;
    let mean = durations.moments.mean();
    let quantiles = durations.quantiles.quantiles(&[0.5, 0.9, 0.95]);
    let q = |i: usize| quantiles.get(i).map_or(Value::Null, number);
    let ci = cxm_stats::t_interval(&durations.moments, reporting.confidence).map(|(low, high)| {
        Interval {
            low,
            high,
            level: reporting.confidence,
            method: "t".to_string(),
        }
    });
    let mut result = MetricResult {
        value: mean,
        unit: reporting.unit.name().to_string(),
        n,
        ci,
        basis: mean_basis(&durations.moments),
        ..Default::default()
    }
    .detail("mean", mean.map_or(Value::Null, number))
    .detail("median", q(0))
    .detail("p90", q(1))
    .detail("p95", q(2))
    .detail("unit", reporting.unit.name())
    .detail("without_end_event", number(durations.without_end_event))
    .detail("quantile_method", quantiles.method.describe());
    if let Some(error) = quantiles.method.relative_error() {
        result = result.detail("relative_error", number(error));
    }
    if n <= 0.0 {
        result = result.warn("no_data");
    }
    if n < reporting.min_n as f64 || n <= 0.0 {
        result = result.warn("low_sample");
    }
    result
}

/// The `unit`, `confidence` and `min_n` param docs, with the metric's default unit.
pub const fn unit_param(default: &'static str) -> Param {
    Param::new(
        "unit",
        "\"seconds\" | \"minutes\" | \"hours\" | \"days\"",
        default,
        "Unit of the reported durations.",
    )
}

/// Doc of the `confidence` param.
pub const CONFIDENCE_PARAM: Param = Param::new(
    "confidence",
    "number",
    "0.95",
    "Confidence level of the t interval of the mean, between 0 and 1.",
);

/// Doc of the `min_n` param.
pub const MIN_N_PARAM: Param = Param::new(
    "min_n",
    "int",
    "30",
    "Results with fewer (weighted) durations carry the warning low_sample.",
);

/// Doc of the `exact` param.
pub const EXACT_PARAM: Param = Param::new(
    "exact",
    "bool",
    "false",
    "Keep every duration for exact median/p90/p95 (16 bytes per duration, plus growth). By default a group keeps its durations exactly up to 4096, then a DDSketch within 1% relative error (details.quantile_method, details.relative_error).",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_microseconds() {
        // 90 minutes = 5.4e9 µs: 5400 s, 90 min, 1.5 h, 0.0625 d.
        let d = 90 * 60 * 1_000_000;
        assert_eq!(between(0, d, TimeUnit::Seconds), Ok(5400.0));
        assert_eq!(between(0, d, TimeUnit::Minutes), Ok(90.0));
        assert_eq!(between(0, d, TimeUnit::Hours), Ok(1.5));
        assert_eq!(between(0, d, TimeUnit::Days), Ok(0.0625));
        assert_eq!(
            between(d, 0, TimeUnit::Hours),
            Err(Reject::NegativeDuration)
        );
        assert!(between(i64::MIN, i64::MAX, TimeUnit::Hours).is_ok_and(|h| h > 5e9));
        assert_eq!(between(5, 5, TimeUnit::Hours), Ok(0.0));
    }

    #[test]
    fn empty_result_has_no_value() {
        let r = result(
            &Durations::default(),
            Reporting {
                unit: TimeUnit::Hours,
                confidence: 0.95,
                min_n: 30,
                quantiles: QuantilePolicy::HYBRID,
            },
        );
        assert_eq!(r.value, None);
        assert_eq!(r.n, 0.0);
        assert_eq!(r.ci, None);
        assert_eq!(r.warnings, vec!["no_data", "low_sample"]);
        assert_eq!(r.details["median"], Value::Null);
        assert_eq!(r.details["unit"], "hours");
    }

    #[test]
    fn confidence_must_be_a_fraction() {
        assert!(check_confidence(0.9).is_ok());
        let e = check_confidence(95.0).unwrap_err();
        assert!(e.contains("write 0.95"), "{e}");
        assert!(check_confidence(0.0).is_err());
    }
}
