//! The `finish` side of the `iqs` metric: review scores, the IQS with its t interval, pass
//! and auto-fail counts, and the `criteria` table, all computed from a (merged)
//! [`IqsState`].

use crate::{Iqs, IqsState, Review};
use cxm_sdk::prelude::*;
use cxm_stats::Moments;
use serde_json::Value;

/// Name of the per-criterion table.
pub const TABLE: &str = "criteria";
/// Columns of the per-criterion table.
pub const COLUMNS: [&str; 5] = ["criterion", "weight", "critical", "mean_score", "n"];

/// Review and criterion scores are sums of products of floats: a score that is 80 on paper
/// may come out as 79.99999999999999. Comparisons against `pass_score` and
/// `critical_threshold` allow this much rounding, so a score equal to the threshold on paper
/// is treated as equal.
const ROUNDING: f64 = 1e-9;

/// The score of one review.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ReviewScore {
    /// No applicable criterion: the review is left out of the IQS.
    NotApplicable,
    /// A critical criterion scored below the threshold: the review scores 0.
    AutoFail,
    /// Σ w_c·score_c / Σ w_c over the applicable criteria.
    Score(f64),
}

/// Weighted totals over the reviews of one group.
#[derive(Debug, Default)]
struct Totals {
    /// Moments of the review scores (auto-fails as 0); `weight` is n.
    scores: Moments,
    passed: f64,
    auto_fail: f64,
    not_applicable: f64,
    without_applicable: f64,
    /// Per criterion: moments of its applicable 0-100 scores, weighted by review weight.
    criteria: Vec<Moments>,
}

/// The test basis of the IQS: the mean review score, the sample variance of review scores
/// (frequency weights: review weights) and the weighted number of reviews; `None` when
/// n <= 1, where the sample variance is undefined.
fn mean_basis(scores: &Moments) -> Option<TestBasis> {
    Some(TestBasis::Mean {
        mean: scores.mean()?,
        variance: scores.sample_variance()?,
        n: scores.weight,
    })
}

impl Iqs {
    /// The score of one review.
    pub fn review_score(&self, review: &Review) -> ReviewScore {
        let (mut weights, mut sum, mut fail) = (0.0, 0.0, false);
        for (&c, answer) in &review.answers {
            let (Some(spec), Some(score)) = (self.params.criteria.get(c), answer) else {
                continue;
            };
            weights += spec.weight;
            sum += spec.weight * score;
            fail |= spec.critical && *score < self.params.critical_threshold - ROUNDING;
        }
        if weights <= 0.0 {
            ReviewScore::NotApplicable
        } else if fail {
            ReviewScore::AutoFail
        } else {
            ReviewScore::Score(sum / weights)
        }
    }

    fn totals(&self, state: &IqsState) -> Totals {
        let mut t = Totals {
            criteria: vec![Moments::default(); self.params.criteria.len()],
            ..Default::default()
        };
        for review in state.reviews.values() {
            let w = review.weight;
            for (&c, answer) in &review.answers {
                match answer {
                    None => t.not_applicable += w,
                    Some(score) => {
                        if let Some(m) = t.criteria.get_mut(c) {
                            m.add(*score, w);
                        }
                    }
                }
            }
            let score = match self.review_score(review) {
                ReviewScore::NotApplicable => {
                    t.without_applicable += w;
                    continue;
                }
                ReviewScore::AutoFail => {
                    t.auto_fail += w;
                    0.0
                }
                ReviewScore::Score(s) => s,
            };
            t.scores.add(score, w);
            if score >= self.params.pass_score - ROUNDING {
                t.passed += w;
            }
        }
        t
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &IqsState) -> MetricResult {
        let p = &self.params;
        let t = self.totals(state);
        let n = t.scores.weight;
        let ci = if n > 1.0 {
            cxm_stats::t_interval(&t.scores, p.confidence)
        } else {
            None
        };
        let table = Table {
            name: TABLE.to_string(),
            columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: p
                .criteria
                .iter()
                .zip(&t.criteria)
                .map(|(c, m)| {
                    vec![
                        Value::String(c.name.clone()),
                        number(c.weight),
                        Value::Bool(c.critical),
                        m.mean().map_or(Value::Null, number),
                        number(m.weight),
                    ]
                })
                .collect(),
        };
        let pass_rate = (n > 0.0).then(|| 100.0 * t.passed / n);
        let mut result = MetricResult {
            value: t.scores.mean(),
            unit: "IQS (0-100, mean review score)".to_string(),
            n,
            // Review scores lie on 0-100, so the interval is clamped to it.
            ci: ci.map(|(low, high)| Interval {
                low: low.max(0.0),
                high: high.min(100.0),
                level: p.confidence,
                method: "t".to_string(),
            }),
            tables: vec![table],
            basis: mean_basis(&t.scores),
            ..Default::default()
        }
        .detail("reviews", number(n))
        .detail("pass_rate", pass_rate.map_or(Value::Null, number))
        .detail("passed", number(t.passed))
        .detail("auto_fail", number(t.auto_fail))
        .detail("not_applicable", number(t.not_applicable))
        .detail(
            "reviews_without_applicable_criteria",
            number(t.without_applicable),
        )
        .detail("pass_score", number(p.pass_score))
        .detail("critical_threshold", number(p.critical_threshold));
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        if n <= 0.0 || n < p.min_n as f64 {
            result = result.warn("low_sample");
        }
        if t.without_applicable > 0.0 {
            result = result.warn("reviews_without_applicable_criteria");
        }
        result
    }
}
