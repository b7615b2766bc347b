//! The mergeable state of `retention` and `churn`: weighted counts per period, kept so that
//! a row costs O(log P) whatever the number of periods P.
//!
//! A customer's life is [start, end) in days; "active at boundary t" means start < t ≤ end
//! (present at the close of day t − 1), so for period i = [t0, t1):
//! S = active at t0, E = active at t1, N = start in [t0, t1), L = end in [t0, t1).
//! Active-at-boundary counts are kept as a difference array over the P + 1 boundaries
//! (+w at the first boundary after start, −w at the first boundary after end) and summed in
//! `finish`; N and L are plain per-period counts. Every vector merges by addition.

use crate::params::Periods;

/// The accumulator of one group. Vectors are empty until the first row and then have the
/// lengths of the bound periods (P + 1 for `active_delta`, P for the others).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetentionState {
    /// Difference array of the weighted customers active at each boundary.
    pub active_delta: Vec<f64>,
    /// Weighted customers whose start is in each period (N).
    pub new: Vec<f64>,
    /// Weighted customers whose end is in each period (L).
    pub lost: Vec<f64>,
    /// Weighted customers read (every row used).
    pub customers: f64,
    /// Weighted customers who touch no period: left before `from` or started at/after `to`.
    pub outside: f64,
}

/// The counts of one period.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodCounts {
    /// Label ("2025-03").
    pub label: String,
    /// First day, days since 1970-01-01.
    pub start: i32,
    /// Day after the last day (exclusive), days since 1970-01-01.
    pub end: i32,
    /// Customers at start (S).
    pub at_start: f64,
    /// New customers (N).
    pub new: f64,
    /// Customers at end (E).
    pub at_end: f64,
    /// Customers lost (L).
    pub lost: f64,
}

impl PeriodCounts {
    /// CRR = 100 · (E − N) / S; `None` when S = 0.
    pub fn retention_pct(&self) -> Option<f64> {
        (self.at_start > 0.0).then(|| 100.0 * (self.at_end - self.new) / self.at_start)
    }

    /// Churn = 100 · L / S; `None` when S = 0.
    pub fn churn_pct(&self) -> Option<f64> {
        (self.at_start > 0.0).then(|| 100.0 * self.lost / self.at_start)
    }
}

fn add_into(into: &mut Vec<f64>, from: &[f64]) {
    if into.len() < from.len() {
        into.resize(from.len(), 0.0);
    }
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

impl RetentionState {
    fn ensure(&mut self, periods: usize) {
        if self.new.len() < periods {
            self.active_delta.resize(periods + 1, 0.0);
            self.new.resize(periods, 0.0);
            self.lost.resize(periods, 0.0);
        }
    }

    /// Folds one customer with life [start, end) (end `None` = still active) and weight
    /// `w`; the caller has checked end ≥ start.
    pub fn add(&mut self, periods: &Periods, start: i32, end: Option<i32>, w: f64) {
        let p = periods.len();
        self.ensure(p);
        self.customers += w;
        let b = &periods.bounds;
        // First boundary after the start day / the end day (P + 1 when none).
        let first_after_start = b.partition_point(|&t| t <= start);
        let first_after_end = end.map(|e| b.partition_point(|&t| t <= e));
        let touches = start < b[p] && end.is_none_or(|e| e >= b[0]);
        if !touches {
            self.outside += w;
            return;
        }
        // Active at boundaries j with first_after_start ≤ j < first_after_end.
        if first_after_end.is_none_or(|j| first_after_start < j) && first_after_start <= p {
            self.active_delta[first_after_start] += w;
            if let Some(j) = first_after_end.filter(|&j| j <= p) {
                self.active_delta[j] -= w;
            }
        }
        if (1..=p).contains(&first_after_start) {
            self.new[first_after_start - 1] += w;
        }
        if let Some(j) = first_after_end.filter(|j| (1..=p).contains(j)) {
            self.lost[j - 1] += w;
        }
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &RetentionState) {
        add_into(&mut self.active_delta, &other.active_delta);
        add_into(&mut self.new, &other.new);
        add_into(&mut self.lost, &other.lost);
        self.customers += other.customers;
        self.outside += other.outside;
    }

    /// The counts of every period, in order.
    pub fn periods(&self, periods: &Periods) -> Vec<PeriodCounts> {
        let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);
        let mut active = Vec::with_capacity(periods.bounds.len());
        let mut running = 0.0;
        // Fractional weights can leave rounding residue where +w and −w cancel.
        let residue = 1e-12 * self.customers;
        for j in 0..periods.bounds.len() {
            running += at(&self.active_delta, j);
            if running.abs() <= residue {
                running = 0.0;
            }
            active.push(running);
        }
        periods
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| PeriodCounts {
                label: label.clone(),
                start: periods.bounds[i],
                end: periods.bounds[i + 1],
                at_start: active[i],
                new: at(&self.new, i),
                at_end: active[i + 1],
                lost: at(&self.lost, i),
            })
            .collect()
    }
}
