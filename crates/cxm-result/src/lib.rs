//! The result of one metric for one group, as a plugin's `finish` returns it (UTF-8 JSON
//! across the ABI) and as the host reads it. Both sides use these types, so the wire format
//! has one definition.
//!
//! Wire format of `finish` (ABI v1): a JSON object with the keys below; unknown keys are ignored by the
//! host so plugins built against a later minor version still load.
//! ```json
//! {"value": 20.0, "unit": "NPS points (-100 to 100)", "n": 2000,
//!  "ci": {"low": 16.9, "high": 23.1, "level": 0.95, "method": "wald"},
//!  "details": {"promoters": 1000}, "warnings": ["low_sample"], "tables": []}
//! ```
//! `finish_many` (ABI 1.1) returns the results of many groups in one binary block instead:
//! see [`many`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod detail;
mod details;
pub mod many;

pub use detail::Detail;
pub use details::Details;

/// The result of one metric over one group.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
#[serde(default)]
pub struct MetricResult {
    /// The headline figure; `None` when it is undefined (for example, no valid rows).
    pub value: Option<f64>,
    /// Unit and scale of `value`, in words (`"% satisfied (4-5 on 1-5)"`).
    pub unit: String,
    /// Weighted number of valid observations that entered the formula.
    pub n: f64,
    /// Confidence interval of `value`, when the metric has one.
    pub ci: Option<Interval>,
    /// Metric-specific figures (counts, shares, secondary statistics), in insertion order.
    pub details: Details,
    /// Machine-readable warnings such as `low_sample`.
    pub warnings: Vec<String>,
    /// Named tables beyond the headline (per-attribute, per-customer breakdowns).
    pub tables: Vec<Table>,
    /// The sufficient statistics behind `value`, so the host can test differences between
    /// periods and against benchmarks (METRICS.md "Trends and comparisons"). Optional: a
    /// result without it is reported without significance tests.
    pub basis: Option<TestBasis>,
}

/// What a significance test needs to know about a result, by the kind of figure it is.
/// `value` must be the figure these statistics describe: NPS points for [`TestBasis::Nps`],
/// a percentage (0-100) for [`TestBasis::Proportion`], the mean itself for
/// [`TestBasis::Mean`].
///
/// Read by hand rather than by serde's internally tagged enum, which buffers every field of
/// the object before it looks at `kind` (a fifth of the time spent reading a result).
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TestBasis {
    /// An NPS: weighted promoters, detractors and answers (tested with the NPS difference
    /// z-test, variances as in the Wald interval).
    Nps {
        /// Weighted promoters.
        promoters: f64,
        /// Weighted detractors.
        detractors: f64,
        /// Weighted answers.
        n: f64,
    },
    /// A share: `successes` of `n` (two-proportion z-test).
    Proportion {
        /// Weighted successes.
        successes: f64,
        /// Weighted trials.
        n: f64,
    },
    /// A mean with its sample variance (Welch t-test).
    Mean {
        /// The mean.
        mean: f64,
        /// Sample variance (frequency weights).
        variance: f64,
        /// Weighted observations.
        n: f64,
    },
}

impl<'de> Deserialize<'de> for TestBasis {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        /// Every field any kind has; unknown keys are ignored, as for the derived enum.
        #[derive(Deserialize)]
        struct Fields {
            kind: String,
            promoters: Option<f64>,
            detractors: Option<f64>,
            n: Option<f64>,
            successes: Option<f64>,
            mean: Option<f64>,
            variance: Option<f64>,
        }
        let f = Fields::deserialize(deserializer)?;
        let need = |value: Option<f64>, name: &'static str| {
            value.ok_or_else(|| D::Error::missing_field(name))
        };
        match f.kind.as_str() {
            "nps" => Ok(TestBasis::Nps {
                promoters: need(f.promoters, "promoters")?,
                detractors: need(f.detractors, "detractors")?,
                n: need(f.n, "n")?,
            }),
            "proportion" => Ok(TestBasis::Proportion {
                successes: need(f.successes, "successes")?,
                n: need(f.n, "n")?,
            }),
            "mean" => Ok(TestBasis::Mean {
                mean: need(f.mean, "mean")?,
                variance: need(f.variance, "variance")?,
                n: need(f.n, "n")?,
            }),
            other => Err(D::Error::unknown_variant(
                other,
                &["nps", "proportion", "mean"],
            )),
        }
    }
}

/// A confidence interval.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Interval {
    /// Lower bound, in the unit of the value.
    pub low: f64,
    /// Upper bound, in the unit of the value.
    pub high: f64,
    /// Confidence level as a fraction (0.95).
    pub level: f64,
    /// How it was computed (`wald`, `adjusted_wald`, `wilson`, `t`).
    pub method: String,
}

/// A named table a metric returns beside its headline value.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
#[serde(default)]
pub struct Table {
    /// Table name, unique within the result (`attributes`).
    pub name: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows; each has one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl MetricResult {
    /// An empty result with the given unit: no value, n = 0.
    pub fn empty(unit: impl Into<String>) -> Self {
        MetricResult {
            unit: unit.into(),
            ..Default::default()
        }
    }

    /// Adds one detail figure (a `serde_json::Value`, a number, a text, …).
    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key, Detail::from(value.into()));
        self
    }

    /// Adds a warning unless it is already present.
    pub fn warn(mut self, warning: &str) -> Self {
        if !self.warnings.iter().any(|w| w == warning) {
            self.warnings.push(warning.to_string());
        }
        self
    }

    /// Serialises to the wire format.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Parses the wire format.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// A JSON number for a finite float, `null` otherwise (JSON has no NaN or infinity).
pub fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let r = MetricResult {
            value: Some(20.0),
            unit: "NPS".into(),
            n: 2000.0,
            ci: Some(Interval {
                low: 1.0,
                high: 2.0,
                level: 0.95,
                method: "wald".into(),
            }),
            ..Default::default()
        }
        .detail("promoters", 1000)
        .warn("low_sample")
        .warn("low_sample");
        let back = MetricResult::from_json(&r.to_json().unwrap()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.warnings, vec!["low_sample".to_string()]);
    }

    #[test]
    fn unknown_keys_are_ignored_and_missing_keys_default() {
        let r = MetricResult::from_json(br#"{"value":null,"future":1}"#).unwrap();
        assert_eq!(r.value, None);
        assert_eq!(r.n, 0.0);
    }

    #[test]
    fn basis_is_tagged_by_kind() {
        let r = MetricResult {
            basis: Some(TestBasis::Proportion {
                successes: 3.0,
                n: 4.0,
            }),
            ..Default::default()
        };
        let json: serde_json::Value = serde_json::from_slice(&r.to_json().unwrap()).unwrap();
        assert_eq!(
            json["basis"],
            serde_json::json!({"kind": "proportion", "successes": 3.0, "n": 4.0})
        );
        assert_eq!(MetricResult::from_json(&r.to_json().unwrap()).unwrap(), r);
    }

    #[test]
    fn every_basis_kind_reads_back_and_bad_ones_are_refused() {
        let bases = [
            TestBasis::Nps {
                promoters: 3.0,
                detractors: 1.0,
                n: 5.0,
            },
            TestBasis::Proportion {
                successes: 2.0,
                n: 4.0,
            },
            TestBasis::Mean {
                mean: 3.5,
                variance: 0.25,
                n: 8.0,
            },
        ];
        for basis in bases {
            let text = serde_json::to_string(&basis).unwrap();
            assert_eq!(serde_json::from_str::<TestBasis>(&text).unwrap(), basis);
        }
        let read = |text: &str| serde_json::from_str::<TestBasis>(text);
        assert_eq!(
            read(r#"{"n": 2, "successes": 1, "kind": "proportion", "extra": [1]}"#).unwrap(),
            TestBasis::Proportion {
                successes: 1.0,
                n: 2.0
            }
        );
        assert!(read(r#"{"kind": "nps", "promoters": 1, "n": 2}"#)
            .unwrap_err()
            .to_string()
            .contains("missing field `detractors`"));
        assert!(read(r#"{"kind": "median", "n": 2}"#)
            .unwrap_err()
            .to_string()
            .contains("unknown variant `median`"));
        assert!(read(r#"{"promoters": 1}"#).is_err());
        assert!(read(r#"{"kind": "mean", "mean": null, "variance": 1, "n": 2}"#).is_err());
    }

    #[test]
    fn non_finite_numbers_become_null() {
        assert_eq!(number(f64::NAN), Value::Null);
        assert_eq!(number(1.5), serde_json::json!(1.5));
    }
}
