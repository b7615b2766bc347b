//! ACME's account health score: an example of a company-specific metric plugin, written
//! the way an in-house team would, against `cxm-sdk` (and serde) only.
//!
//! Per account: score = 100 × (w_u·utilization + w_e·engagement + w_s·support) / Σw, with
//! utilization = min(seats_used / seats_purchased, 1), engagement = min(logins_30d /
//! login_target, 1) and support = 1 − min(open_tickets / ticket_ceiling, 1). When
//! open_tickets is empty (or not mapped) the support term is left out and the other two
//! weights are renormalized. The headline is the mean account score; accounts scoring
//! below `at_risk_below` are counted as at risk.

use cxm_sdk::prelude::*;
use cxm_sdk::serde_json::Value;
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

const ACCOUNT: usize = 0;
const SEATS_USED: usize = 1;
const SEATS_PURCHASED: usize = 2;
const LOGINS: usize = 3;
const OPEN_TICKETS: usize = 4;

/// Own reason: the account has no purchased seats, so utilization is undefined.
pub const NO_SEATS: &str = "no_seats";
/// Own reason: a second row for the same account (the first one counts).
pub const DUPLICATE_ACCOUNT: &str = "duplicate_account";

/// Relative weights of the three components.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub utilization: f64,
    pub engagement: f64,
    pub support: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            utilization: 0.5,
            engagement: 0.3,
            support: 0.2,
        }
    }
}

/// The `params` table of `acme_health`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub weights: Weights,
    /// Logins in 30 days that count as fully engaged.
    pub login_target: f64,
    /// Open tickets at which the support component reaches 0.
    pub ticket_ceiling: f64,
    /// Accounts scoring below this are at risk.
    pub at_risk_below: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            weights: Weights::default(),
            login_target: 20.0,
            ticket_ceiling: 5.0,
            at_risk_below: 50.0,
        }
    }
}

/// One scored account; components are fractions 0-1 (support `None` without tickets).
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub score: f64,
    pub utilization: f64,
    pub engagement: f64,
    pub support: Option<f64>,
    pub weight: f64,
}

/// Scored accounts by id; merging keeps the destination's entry for a shared id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub accounts: BTreeMap<String, Account>,
}

/// The test basis of the mean account score, so the host can test changes between periods:
/// the mean Σw·x / Σw and the sample variance with the account weights as frequency
/// weights, (Σw·x² − (Σw·x)² / Σw) / (Σw − 1), from n = Σw, sum = Σw·x and sum_sq = Σw·x².
/// `None` when n <= 1, where the sample variance is undefined.
pub fn mean_basis(n: f64, sum: f64, sum_sq: f64) -> Option<TestBasis> {
    if n.is_nan() || n <= 1.0 {
        return None;
    }
    let variance = ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0);
    Some(TestBasis::Mean {
        mean: sum / n,
        variance,
        n,
    })
}

/// The bound `acme_health` metric.
#[derive(Clone, Debug)]
pub struct AcmeHealth {
    params: Params,
}

impl AcmeHealth {
    /// Checks the params.
    pub fn new(params: Params) -> Result<Self, String> {
        let w = &params.weights;
        for (name, value) in [
            ("utilization", w.utilization),
            ("engagement", w.engagement),
            ("support", w.support),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(format!("weights.{name} = {value} must be a number >= 0"));
            }
        }
        if w.utilization + w.engagement + w.support <= 0.0 {
            return Err("weights must not all be 0 (defaults: utilization = 0.5, engagement = 0.3, support = 0.2)".into());
        }
        for (name, value) in [
            ("login_target", params.login_target),
            ("ticket_ceiling", params.ticket_ceiling),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(format!("{name} = {value} must be a positive number"));
            }
        }
        if !(0.0..=100.0).contains(&params.at_risk_below) {
            return Err(format!(
                "at_risk_below = {} must lie on the score's 0-100 scale",
                params.at_risk_below
            ));
        }
        Ok(AcmeHealth { params })
    }

    /// Scores one account from its raw values.
    pub fn score(
        &self,
        seats_used: f64,
        seats_purchased: f64,
        logins: f64,
        open_tickets: Option<f64>,
    ) -> Result<Account, Reject> {
        let values = [
            Some(seats_used),
            Some(seats_purchased),
            Some(logins),
            open_tickets,
        ];
        if values.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Reject::NotANumber);
        }
        if seats_purchased <= 0.0 {
            return Err(Reject::Own(NO_SEATS));
        }
        if values.iter().flatten().any(|v| *v < 0.0) {
            return Err(Reject::InvalidValue);
        }
        let w = &self.params.weights;
        let utilization = (seats_used / seats_purchased).min(1.0);
        let engagement = (logins / self.params.login_target).min(1.0);
        let support = open_tickets.map(|t| 1.0 - (t / self.params.ticket_ceiling).min(1.0));
        let mut sum = w.utilization * utilization + w.engagement * engagement;
        let mut total = w.utilization + w.engagement;
        if let Some(s) = support {
            sum += w.support * s;
            total += w.support;
        }
        if total <= 0.0 {
            // Only the support weight is set and open_tickets is empty: nothing to score.
            return Err(Reject::Empty);
        }
        Ok(Account {
            score: 100.0 * sum / total,
            utilization,
            engagement,
            support,
            weight: 1.0,
        })
    }

    /// The result of one group.
    pub fn result(&self, state: &State) -> MetricResult {
        let (mut n, mut sum, mut sum_sq, mut at_risk) = (0.0, 0.0, 0.0, 0.0);
        let mut rows: Vec<(f64, &str, Vec<Value>)> = Vec::new();
        for (id, a) in &state.accounts {
            let risky = a.score < self.params.at_risk_below;
            n += a.weight;
            sum += a.weight * a.score;
            sum_sq += a.weight * a.score * a.score;
            if risky {
                at_risk += a.weight;
            }
            let support = a.support.map_or(Value::Null, |s| number(100.0 * s));
            rows.push((
                a.score,
                id,
                vec![
                    json!(id),
                    number(a.score),
                    number(100.0 * a.utilization),
                    number(100.0 * a.engagement),
                    support,
                    json!(risky),
                ],
            ));
        }
        // Lowest score (most at risk) first.
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let columns = [
            "account",
            "score",
            "utilization",
            "engagement",
            "support",
            "at_risk",
        ];
        let mut result = MetricResult {
            value: (n > 0.0).then(|| sum / n),
            unit: "account health score (0-100)".into(),
            n,
            basis: mean_basis(n, sum, sum_sq),
            ..Default::default()
        }
        .detail("accounts", number(n))
        .detail("at_risk", number(at_risk));
        result.tables.push(Table {
            name: "accounts".into(),
            columns: columns.map(String::from).to_vec(),
            rows: rows.into_iter().map(|r| r.2).collect(),
        });
        if n <= 0.0 {
            result = result.warn("no_data");
        }
        result
    }
}

impl Metric for AcmeHealth {
    const NAME: &'static str = "acme_health";
    const DESCRIPTION: &'static str =
        "ACME account health (0-100) from seat utilization, logins and open tickets; mean over accounts.";
    const INPUTS: &'static [Input] = &[
        Input::required("account", InputType::Text, "account id"),
        Input::required("seats_used", InputType::Number, "seats in use"),
        Input::required("seats_purchased", InputType::Number, "seats purchased"),
        Input::required(
            "logins_30d",
            InputType::Number,
            "logins in the last 30 days",
        ),
        Input::optional("open_tickets", InputType::Number, "open support tickets"),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "weights",
            "{ utilization, engagement, support }",
            "{ utilization = 0.5, engagement = 0.3, support = 0.2 }",
            "Relative weights of the components (renormalized when open_tickets is empty).",
        ),
        Param::new(
            "login_target",
            "number",
            "20",
            "Logins in 30 days that count as fully engaged.",
        ),
        Param::new(
            "ticket_ceiling",
            "number",
            "5",
            "Open tickets at which support scores 0.",
        ),
        Param::new(
            "at_risk_below",
            "number",
            "50",
            "Accounts scoring below this are at risk.",
        ),
    ];
    const REASONS: &'static [&'static str] = &[NO_SEATS, DUPLICATE_ACCOUNT];

    type Params = Params;
    type State = State;

    fn bind(params: Params, _: &BoundInputs) -> Result<Self, String> {
        AcmeHealth::new(params)
    }

    fn update(&self, state: &mut State, row: &Row<'_>) -> Result<(), Reject> {
        let id = row.text(ACCOUNT).ok_or(Reject::Empty)?;
        let used = row.number(SEATS_USED).ok_or(Reject::Empty)?;
        let purchased = row.number(SEATS_PURCHASED).ok_or(Reject::Empty)?;
        let logins = row.number(LOGINS).ok_or(Reject::Empty)?;
        let weight = row.weight();
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        let account = self.score(used, purchased, logins, row.number(OPEN_TICKETS))?;
        if state.accounts.contains_key(id) {
            return Err(Reject::Own(DUPLICATE_ACCOUNT));
        }
        state
            .accounts
            .insert(id.to_string(), Account { weight, ..account });
        Ok(())
    }

    fn merge(&self, into: &mut State, from: &State) {
        for (id, account) in &from.accounts {
            into.accounts
                .entry(id.clone())
                .or_insert_with(|| account.clone());
        }
    }

    fn finish(&self, state: &State) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(AcmeHealth);
