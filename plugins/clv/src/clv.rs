//! The `clv` metric: customer lifetime value (METRICS.md "Customer lifetime value"), from an
//! orders dataset with one row per order.
//!
//! - `simple`: average purchase value (Σ amount / orders) × purchases per year
//!   (orders / customers / observation years) × lifespan_years, × margin when margin ≠ 1.
//!   Spec example: 50 × 5 × 3 = 750.
//! - `historical`: mean over customers of the customer's Σ revenue, × margin.
//! - `predictive`: (orders / customers / observation months × average order value) ×
//!   lifespan_months × margin.
//!
//! The observation span defaults to the first through the last order date in the (merged)
//! data, inclusive, in years of 365.25 days (the mean Julian year); 12 months a year.
//! Refunds: a negative amount is rejected as `negative_amount` so it shows in the row
//! accounting; net refunds into the order's amount (or leave refunded orders out) before
//! loading. The state keeps orders and revenue per customer (merged by key) and the first
//! and last order date, so everything is computed from merged state.

use crate::clv_params::{validate, ClvParams, Plan};
use chrono::NaiveDate;
use cxm_sdk::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// The unit of the headline value.
pub const UNIT: &str = "currency units per customer (lifetime value)";
/// Own reason: a negative order amount (a refund).
pub const NEGATIVE_AMOUNT: &str = "negative_amount";
/// Days per year for the observation span (the mean Julian year).
pub const DAYS_PER_YEAR: f64 = 365.25;
/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

const CUSTOMER: usize = 0;
const ORDER_DATE: usize = 1;
const AMOUNT: usize = 2;

/// Orders and revenue of one customer (weighted).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CustomerTotals {
    /// Weighted number of orders.
    pub orders: f64,
    /// Weighted sum of order amounts.
    pub revenue: f64,
}

/// The accumulator of one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClvState {
    /// Totals by customer id.
    pub customers: BTreeMap<String, CustomerTotals>,
    /// First order date (days since 1970-01-01).
    pub first: Option<i32>,
    /// Last order date (days since 1970-01-01).
    pub last: Option<i32>,
}

impl ClvState {
    /// Folds `other` in: totals add up by customer, dates widen.
    pub fn merge(&mut self, other: &ClvState) {
        for (id, t) in &other.customers {
            let into = self.customers.entry(id.clone()).or_default();
            into.orders += t.orders;
            into.revenue += t.revenue;
        }
        self.first = self.first.into_iter().chain(other.first).min();
        self.last = self.last.into_iter().chain(other.last).max();
    }
}

/// The bound `clv` metric.
#[derive(Clone, Debug)]
pub struct Clv {
    plan: Plan,
    margin: f64,
    observation_years: Option<f64>,
    min_n: u64,
}

fn date_text(days: Option<i32>) -> Value {
    days.and_then(|d| NaiveDate::from_num_days_from_ce_opt(d.checked_add(EPOCH_FROM_CE)?))
        .map_or(Value::Null, |d| d.to_string().into())
}

impl Clv {
    /// Validates params.
    pub fn new(params: ClvParams) -> Result<Self, String> {
        let (plan, margin, observation_years) = validate(&params)?;
        Ok(Clv {
            plan,
            margin,
            observation_years,
            min_n: params.min_n,
        })
    }

    /// Folds one order (what `update` does with a row).
    pub fn tally(
        &self,
        state: &mut ClvState,
        customer: Option<&str>,
        date: Option<i32>,
        amount: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let customer = customer
            .filter(|c| !c.trim().is_empty())
            .ok_or(Reject::Empty)?;
        let date = date.ok_or(Reject::Empty)?;
        let amount = amount.ok_or(Reject::Empty)?;
        if !amount.is_finite() {
            return Err(Reject::NotANumber);
        }
        if amount < 0.0 {
            return Err(Reject::Own(NEGATIVE_AMOUNT));
        }
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        if weight == 0.0 {
            // Zero multiplicity: as if the row were absent (expanded data has no such row).
            return Ok(());
        }
        let t = state.customers.entry(customer.to_string()).or_default();
        t.orders += weight;
        t.revenue += amount * weight;
        state.first = Some(state.first.map_or(date, |f| f.min(date)));
        state.last = Some(state.last.map_or(date, |l| l.max(date)));
        Ok(())
    }

    /// The observation span in years and where it came from.
    fn observation(&self, state: &ClvState) -> Option<(f64, &'static str)> {
        if let Some(years) = self.observation_years {
            return Some((years, "param"));
        }
        let days = state.last? - state.first? + 1;
        Some((f64::from(days) / DAYS_PER_YEAR, "orders"))
    }

    /// The result of one group (what `finish` returns).
    pub fn result(&self, state: &ClvState) -> MetricResult {
        let customers = state.customers.len() as f64;
        let orders: f64 = state.customers.values().map(|t| t.orders).sum();
        let revenue: f64 = state.customers.values().map(|t| t.revenue).sum();
        let has_data = customers > 0.0 && orders > 0.0;
        let ratio = |a: f64, b: f64| (has_data && b > 0.0).then(|| a / b);
        let aov = ratio(revenue, orders);
        let per_customer = ratio(revenue, customers);
        let observation = self.observation(state);
        let opt = |x: Option<f64>| x.map_or(Value::Null, number);
        let mut result = MetricResult {
            n: customers,
            unit: UNIT.to_string(),
            // No test basis (`basis` stays None): CLV is a projection (average order value ×
            // purchase rate × lifespan × margin) built from ratios of sums and params, not an
            // NPS, a proportion or a plain mean with a sample variance, so there is no standard
            // test of its differences.
            ..Default::default()
        }
        .detail("method", self.plan.method().name())
        .detail("customers", number(customers))
        .detail("orders", number(orders))
        .detail("revenue", number(revenue))
        .detail("average_order_value", opt(aov))
        .detail("revenue_per_customer", opt(per_customer));
        let margin_text = if self.margin == 1.0 { "" } else { " × margin" };
        // Each projection is computed as (revenue / customers) × (lifespan / observation),
        // algebraically the spec's product with fewer roundings.
        let (value, formula) = match self.plan {
            Plan::Historical => (
                per_customer.map(|r| r * self.margin),
                format!("mean revenue per customer{margin_text}"),
            ),
            Plan::Simple { lifespan_years } => {
                let years = observation.map(|(y, _)| y);
                result = result
                    .detail(
                        "purchases_per_year",
                        opt(ratio(orders, customers).zip(years).map(|(o, y)| o / y)),
                    )
                    .detail("lifespan_years", number(lifespan_years));
                (
                    per_customer
                        .zip(years)
                        .map(|(r, y)| r * (lifespan_years / y) * self.margin),
                    format!(
                        "average_order_value × purchases_per_year × lifespan_years{margin_text}"
                    ),
                )
            }
            Plan::Predictive { lifespan_months } => {
                let months = observation.map(|(y, _)| y * 12.0);
                result = result
                    .detail(
                        "monthly_transactions",
                        opt(ratio(orders, customers).zip(months).map(|(o, m)| o / m)),
                    )
                    .detail("lifespan_months", number(lifespan_months))
                    .detail("observation_months", opt(months));
                (
                    per_customer
                        .zip(months)
                        .map(|(r, m)| r * (lifespan_months / m) * self.margin),
                    format!(
                        "monthly_transactions × average_order_value × lifespan_months{margin_text}"
                    ),
                )
            }
        };
        result.value = value;
        result = result
            .detail("margin", number(self.margin))
            .detail("margin_applied", self.margin != 1.0)
            .detail("formula", formula)
            .detail("first_order", date_text(state.first))
            .detail("last_order", date_text(state.last));
        if self.plan != Plan::Historical {
            result = result
                .detail("observation_years", opt(observation.map(|(y, _)| y)))
                .detail(
                    "observation_source",
                    observation.map_or(Value::Null, |(_, s)| s.into()),
                );
        }
        if !has_data {
            result.value = None;
            result = result.warn("no_data");
        }
        if customers < self.min_n as f64 || !has_data {
            result = result.warn("low_sample");
        }
        result
    }
}

impl Metric for Clv {
    const NAME: &'static str = "clv";
    const DESCRIPTION: &'static str =
        "Customer lifetime value from orders: simple, historical or predictive method, optionally x margin.";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "customer_id",
            InputType::Text,
            "the customer who placed the order",
        ),
        Input::required("order_date", InputType::Date, "the day of the order"),
        Input::required(
            "amount",
            InputType::Number,
            "the order amount in currency units, zero or more (net refunds into it)",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "method",
            "\"simple\" | \"historical\" | \"predictive\"",
            "(required)",
            "simple: average purchase value x purchases per year x lifespan_years; historical: \
             mean revenue per customer; predictive: monthly transactions x average order value \
             x lifespan_months. All x margin.",
        ),
        Param::new("margin", "number", "1.0", "Gross margin as a fraction in (0, 1]; 1 = revenue."),
        Param::new("lifespan_years", "number", "(none)", "Average customer lifespan in years (simple: required; predictive: x 12 when lifespan_months is not given)."),
        Param::new("lifespan_months", "number", "lifespan_years x 12", "Average customer lifespan in months (predictive)."),
        Param::new(
            "observation_years",
            "number",
            "first to last order date, inclusive, / 365.25",
            "The span the orders cover, in years (simple and predictive).",
        ),
        Param::new("min_n", "int", "30", "Results with fewer customers carry the warning low_sample."),
    ];
    const REASONS: &'static [&'static str] = &[NEGATIVE_AMOUNT];

    type Params = ClvParams;
    type State = ClvState;

    fn bind(params: ClvParams, _inputs: &BoundInputs) -> Result<Self, String> {
        Clv::new(params)
    }

    #[inline]
    fn update(&self, state: &mut ClvState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(
            state,
            row.text(CUSTOMER),
            row.date(ORDER_DATE),
            row.number(AMOUNT),
            row.weight(),
        )
    }

    fn merge(&self, into: &mut ClvState, from: &ClvState) {
        into.merge(from);
    }

    fn finish(&self, state: &ClvState) -> MetricResult {
        self.result(state)
    }
}
