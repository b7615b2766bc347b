//! The result of `retention` and `churn` from a merged state: the headline is the last
//! period of the range, and the table `periods` lists every period with both rates and
//! their intervals.
//!
//! METRICS.md defines no interval for these rates, but both are shares of the customers at
//! start S, so, like every other share in cxm (CSAT, CES's easy share, the rate plugins),
//! each gets the Wilson score interval on its weighted counts: E. B. Wilson, "Probable
//! inference, the law of succession, and statistical inference", Journal of the American
//! Statistical Association 22 (1927), 209–212. It stays inside [0, 100] and behaves at 0 %
//! and 100 % churn, where the Wald interval collapses to a point. No interval where the
//! rate is not a share of S (see [`Kind::basis`]).

use crate::params::{date_of, Periods};
use crate::state::{PeriodCounts, RetentionState};
use cxm_sdk::prelude::*;
use cxm_sdk::stats::wilson;
use serde_json::Value;

/// Which rate is the headline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// CRR = 100 · (E − N) / S.
    Retention,
    /// Churn = 100 · L / S.
    Churn,
}

impl Kind {
    /// The unit of the headline value.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Retention => "% of customers at start retained",
            Kind::Churn => "% of customers at start lost",
        }
    }

    fn value(self, p: &PeriodCounts) -> Option<f64> {
        match self {
            Kind::Retention => p.retention_pct(),
            Kind::Churn => p.churn_pct(),
        }
    }

    /// The Wilson score interval (Wilson 1927) of the rate of `p` at `level`, on the 0–100
    /// scale, from the counts of its [`Kind::basis`]; `None` without a basis.
    pub fn interval(self, p: &PeriodCounts, level: f64) -> Option<Interval> {
        let Some(TestBasis::Proportion { successes, n }) = self.basis(p) else {
            return None;
        };
        let (low, high) = wilson(successes, n, level)?;
        Some(Interval {
            low: 100.0 * low,
            high: 100.0 * high,
            level,
            method: "wilson".to_string(),
        })
    }

    /// The test basis of the headline rate of `p`, as a share of the customers at start S:
    /// retention = (E − N) of S, churn = L of S, so `value` = 100 · successes / n.
    ///
    /// Since E = S + N − L, E − N = S − L ≤ S always, but a customer who joins and leaves
    /// within the period is in N and L without being in S, so L can exceed S (and E − N go
    /// below 0; CRR is then negative and churn above 100 %). The rate is then not a
    /// proportion of S and a two-proportion test does not apply: no basis. `None` also when
    /// S = 0 (no value).
    pub fn basis(self, p: &PeriodCounts) -> Option<TestBasis> {
        let n = p.at_start;
        if n <= 0.0 {
            return None;
        }
        let successes = match self {
            Kind::Retention => p.at_end - p.new,
            Kind::Churn => p.lost,
        };
        // Fractional weights can leave rounding residue at the bounds 0 and S.
        let slack = 1e-9 * n;
        if !(-slack..=n + slack).contains(&successes) {
            return None;
        }
        Some(TestBasis::Proportion {
            successes: successes.clamp(0.0, n),
            n,
        })
    }
}

/// The columns of the `periods` table: each rate is followed by the bounds of its Wilson
/// interval (null where it has none).
pub const PERIOD_COLUMNS: [&str; 13] = [
    "period",
    "start",
    "end",
    "customers_at_start",
    "new",
    "at_end",
    "lost",
    "retention_pct",
    "retention_ci_low",
    "retention_ci_high",
    "churn_pct",
    "churn_ci_low",
    "churn_ci_high",
];

/// A `Date` (days since 1970-01-01) as "YYYY-MM-DD".
fn date_text(days: i32) -> Value {
    date_of(days).map_or(Value::Null, |d| d.to_string().into())
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

fn table(rows: &[PeriodCounts], level: f64) -> Table {
    let bounds = |kind: Kind, p: &PeriodCounts| match kind.interval(p, level) {
        Some(ci) => [number(ci.low), number(ci.high)],
        None => [Value::Null, Value::Null],
    };
    Table {
        name: "periods".into(),
        columns: PERIOD_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: rows
            .iter()
            .map(|p| {
                let [retention_low, retention_high] = bounds(Kind::Retention, p);
                let [churn_low, churn_high] = bounds(Kind::Churn, p);
                vec![
                    p.label.clone().into(),
                    date_text(p.start),
                    date_text(p.end),
                    number(p.at_start),
                    number(p.new),
                    number(p.at_end),
                    number(p.lost),
                    opt(p.retention_pct()),
                    retention_low,
                    retention_high,
                    opt(p.churn_pct()),
                    churn_low,
                    churn_high,
                ]
            })
            .collect(),
    }
}

/// The result of one group: the headline rate of the last period with its Wilson interval
/// at `level`, its counts in `details`, and every period in the table `periods`.
pub fn result(
    kind: Kind,
    periods: &Periods,
    level: f64,
    min_n: u64,
    state: &RetentionState,
) -> MetricResult {
    let rows = state.periods(periods);
    let mut result = MetricResult::empty(kind.unit());
    if let Some(last) = rows.last() {
        result.value = kind.value(last);
        result.n = last.at_start;
        result.ci = kind.interval(last, level);
        result.basis = kind.basis(last);
        result = result
            .detail("period", last.label.clone())
            .detail("start", date_text(last.start))
            .detail("end", date_text(last.end))
            .detail("customers_at_start", number(last.at_start))
            .detail("new", number(last.new))
            .detail("at_end", number(last.at_end))
            .detail("lost", number(last.lost));
    }
    result = result
        .detail("customers", number(state.customers))
        .detail("customers_outside_range", number(state.outside));
    result.tables.push(table(&rows, level));
    if state.customers <= 0.0 {
        result = result.warn("no_data");
    }
    if result.n <= 0.0 {
        result = result.warn("no_customers_at_start");
    }
    if result.n < min_n as f64 || result.n <= 0.0 {
        result = result.warn("low_sample");
    }
    result
}
