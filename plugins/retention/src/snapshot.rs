//! The `snapshot_churn` metric: churn from a churned flag, for exports that hold one row
//! per customer with a yes/no "churned" column (e.g. the IBM Telco file) instead of start
//! and end dates.
//!
//! churn = 100 · C / N, C = customers whose flag is true, N = customers with a flag (both
//! weighted). A customer whose flag is empty is rejected as `empty` and is not in N. Like
//! `churn`, the rate is a share of the customers counted, so it comes with the Wilson score
//! interval on (C, N) (Wilson 1927) at `confidence`, and a proportion test basis.
//!
//! There are no periods: the snapshot is whatever the export says at the time it was made.

use cxm_sdk::prelude::*;
use cxm_sdk::stats::wilson;

/// Index of the `churned` input.
const CHURNED: usize = 0;

/// The `params` table of `snapshot_churn`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnapshotParams {
    /// Confidence level of the Wilson interval, between 0 and 1.
    pub confidence: f64,
    /// Below this weighted number of customers the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for SnapshotParams {
    fn default() -> Self {
        SnapshotParams {
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// The accumulator of one group: weighted churned customers and customers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SnapshotState {
    /// Weighted customers whose flag is true.
    pub churned: f64,
    /// Weighted customers with a flag.
    pub customers: f64,
}

/// The bound `snapshot_churn` metric.
#[derive(Clone, Debug)]
pub struct SnapshotChurn {
    confidence: f64,
    min_n: u64,
}

/// The unit of the value.
pub const SNAPSHOT_UNIT: &str = "% of customers churned";

impl SnapshotChurn {
    /// Validates the params.
    pub fn new(params: SnapshotParams) -> Result<Self, String> {
        cxm_sdk::stats::check_confidence(params.confidence)?;
        Ok(SnapshotChurn {
            confidence: params.confidence,
            min_n: params.min_n,
        })
    }

    /// Folds one customer's flag with its weight into `state`.
    pub fn tally(
        &self,
        state: &mut SnapshotState,
        churned: Option<bool>,
        weight: f64,
    ) -> Result<(), Reject> {
        let churned = churned.ok_or(Reject::Empty)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        state.customers += weight;
        if churned {
            state.churned += weight;
        }
        Ok(())
    }

    /// The result of one group.
    pub fn result(&self, state: &SnapshotState) -> MetricResult {
        let (c, n) = (state.churned, state.customers);
        let level = self.confidence;
        let mut result = MetricResult::empty(SNAPSHOT_UNIT);
        result.n = n;
        if n > 0.0 {
            result.value = Some(100.0 * c / n);
            result.ci = wilson(c, n, level).map(|(low, high)| Interval {
                low: 100.0 * low,
                high: 100.0 * high,
                level,
                method: "wilson".to_string(),
            });
            result.basis = Some(TestBasis::Proportion { successes: c, n });
        }
        result = result
            .detail("churned", number(c))
            .detail("customers", number(n))
            .detail("retained", number(n - c));
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        if n < self.min_n as f64 || n <= 0.0 {
            result = result.warn("low_sample");
        }
        result
    }
}

impl Metric for SnapshotChurn {
    const NAME: &'static str = "snapshot_churn";
    const DESCRIPTION: &'static str =
        "Churn rate from a churned flag, one row per customer: 100 x churned / customers, with a Wilson interval.";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "churned",
            InputType::Boolean,
            "whether the customer has left (true) or is still a customer (false)",
        ),
        Input::optional(
            "customer_id",
            InputType::Text,
            "the customer's id (optional; not needed for the counts, one row per customer)",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "confidence",
            "number",
            "0.95",
            "Confidence level of the Wilson interval of the rate, between 0 and 1.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) customers carry the warning low_sample.",
        ),
    ];

    type Params = SnapshotParams;
    type State = SnapshotState;

    fn bind(params: SnapshotParams, _inputs: &BoundInputs) -> Result<Self, String> {
        SnapshotChurn::new(params)
    }

    #[inline]
    fn update(&self, state: &mut SnapshotState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(state, row.boolean(CHURNED), row.weight())
    }

    fn merge(&self, into: &mut SnapshotState, from: &SnapshotState) {
        into.churned += from.churned;
        into.customers += from.customers;
    }

    fn finish(&self, state: &SnapshotState) -> MetricResult {
        self.result(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric() -> SnapshotChurn {
        SnapshotChurn::new(SnapshotParams::default()).unwrap()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn churn_is_the_share_of_flagged_customers_with_a_wilson_interval() {
        // 2 of 8 churned: 25 %. Wilson at 95 % (z = 1.959963984540054, z² = 3.841458820694124):
        // centre = (0.25 + z²/16) / (1 + z²/8) = 0.4900911762933827 / 1.4801823525867655
        //        = 0.33110560…; half = z / (1 + z²/8) · √(0.25·0.75/8 + z²/256)
        //        = 1.3241411… · √(0.0234375 + 0.0150057) = 1.3241411… · 0.1960697…
        //        = 0.2596…; (0.0714792, 0.5907246).
        let m = metric();
        let mut s = SnapshotState::default();
        for flag in [true, false, false, true, false, false, false, false] {
            m.tally(&mut s, Some(flag), 1.0).unwrap();
        }
        assert_eq!(m.tally(&mut s, None, 1.0), Err(Reject::Empty));
        let r = m.result(&s);
        close(r.value.unwrap(), 25.0);
        assert_eq!(r.n, 8.0);
        assert_eq!(r.unit, SNAPSHOT_UNIT);
        let ci = r.ci.clone().unwrap();
        assert_eq!(ci.method, "wilson");
        let z: f64 = 1.959_963_984_540_054;
        let (p, n) = (0.25, 8.0);
        let denom = 1.0 + z * z / n;
        let centre = (p + z * z / (2.0 * n)) / denom;
        let half = z / denom * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
        close(ci.low, 100.0 * (centre - half));
        close(ci.high, 100.0 * (centre + half));
        assert!((ci.low - 7.147_92).abs() < 1e-3, "{}", ci.low);
        assert!((ci.high - 59.072_46).abs() < 1e-3, "{}", ci.high);
        assert_eq!(
            r.basis,
            Some(TestBasis::Proportion {
                successes: 2.0,
                n: 8.0
            })
        );
        assert_eq!(r.details["churned"], serde_json::json!(2.0));
        assert_eq!(r.details["retained"], serde_json::json!(6.0));
        assert!(r.warnings.iter().any(|w| w == "low_sample"));
    }

    #[test]
    fn weights_count_and_merge_adds() {
        // Weighted: churned 1.5 + 0.5 = 2 of 1.5 + 2.5 + 0.5 + 0.5 = 5: 40 %.
        let m = metric();
        let (mut a, mut b) = (SnapshotState::default(), SnapshotState::default());
        m.tally(&mut a, Some(true), 1.5).unwrap();
        m.tally(&mut a, Some(false), 2.5).unwrap();
        m.tally(&mut b, Some(true), 0.5).unwrap();
        m.tally(&mut b, Some(false), 0.5).unwrap();
        assert_eq!(m.tally(&mut b, Some(true), -1.0), Err(Reject::InvalidValue));
        m.merge(&mut a, &b);
        let r = m.result(&a);
        close(r.value.unwrap(), 40.0);
        close(r.n, 5.0);
    }

    #[test]
    fn no_customers_gives_no_value_and_all_churned_keeps_the_interval_inside_0_100() {
        let m = metric();
        let r = m.result(&SnapshotState::default());
        assert_eq!(r.value, None);
        assert!(r.ci.is_none());
        assert!(r.warnings.iter().any(|w| w == "no_data"));
        // 40 of 40 churned: 100 %; Wilson upper bound 100, lower n/(n + z²) = 40/43.8414588
        // = 91.2378…%.
        let mut s = SnapshotState::default();
        for _ in 0..40 {
            m.tally(&mut s, Some(true), 1.0).unwrap();
        }
        let r = m.result(&s);
        close(r.value.unwrap(), 100.0);
        let ci = r.ci.unwrap();
        close(ci.high, 100.0);
        let z2 = 1.959_963_984_540_054_f64.powi(2);
        close(ci.low, 100.0 * 40.0 / (40.0 + z2));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn confidence_is_checked_and_unknown_params_refused() {
        assert!(SnapshotChurn::new(SnapshotParams {
            confidence: 1.5,
            min_n: 30
        })
        .is_err());
        let e = serde_json::from_value::<SnapshotParams>(serde_json::json!({"period": {}}));
        assert!(e.is_err());
    }

    #[test]
    fn through_the_abi_an_empty_flag_is_rejected_and_not_counted() {
        // true, false, empty, false: 1 of 3 churned = 33.33…%.
        use cxm_sdk::testing::{Column, Harness};
        let mut h =
            Harness::<SnapshotChurn>::bind("{}", &[("churned", Column::Bool(vec![]))]).unwrap();
        let used = h
            .update(
                &[Column::Bool(vec![
                    Some(true),
                    Some(false),
                    None,
                    Some(false),
                ])],
                None,
                None,
            )
            .unwrap();
        assert_eq!(used, ["used", "used", "empty", "used"]);
        let r = h.finish(0).unwrap();
        close(r.value.unwrap(), 100.0 / 3.0);
        assert_eq!(r.n, 3.0);
        assert!(Harness::<SnapshotChurn>::bind(
            r#"{"min_n": -1}"#,
            &[("churned", Column::Bool(vec![]))]
        )
        .is_err());
    }
}
