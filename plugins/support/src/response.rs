//! The `average_response_time` metric: the mean of every reply interval (customer message →
//! next agent message) across the conversations of a messages dataset (METRICS.md "Support
//! metrics").
//!
//! Per ticket, messages are ordered by time (ties: customer before agent). A customer
//! message starts a wait when none is pending; the next agent message ends it (interval =
//! agent time − start of the wait); further customer messages before the reply do not
//! restart the wait, and agent messages with no wait pending end nothing. The interval
//! carries the weight of the customer message that started the wait; a wait never answered
//! is counted (with that weight) in `details.without_end_event`.
//!
//! Because a wait can only be paired once the whole conversation is known, the state keeps
//! every message keyed by ticket; merging concatenates per key and the intervals are
//! computed in `finish`, from the merged state. Every message with a known role is used;
//! unanswered waits are known only at `finish`, so they are reported in the details rather
//! than as row rejections. The quantiles of the intervals follow the other duration metrics
//! (exact up to 4096 intervals per group, then a 1% sketch; `exact = true` keeps them all),
//! but that bounds only the quantile step: the state itself holds every message (16 bytes
//! plus its ticket key) until `finish`, because pairing needs whole conversations.

use crate::duration::{
    between, check_confidence, check_weight, result, unit_param, Durations, Reporting, TimeUnit,
    CONFIDENCE_PARAM, EXACT_PARAM, MIN_N_PARAM,
};
use cxm_sdk::prelude::*;
use cxm_stats::QuantilePolicy;
use std::collections::BTreeMap;

/// Index of the `ticket` input.
const TICKET: usize = 0;
/// Index of the `role` input.
const ROLE: usize = 1;
/// Index of the `sent_at` input.
const SENT_AT: usize = 2;
/// The reason of a message whose role is neither an agent nor a customer role.
const UNKNOWN_ROLE: &str = "unknown_role";

/// The `params` table of `average_response_time`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResponseParams {
    /// Roles whose messages are agent replies (case-insensitive).
    pub agent_roles: Vec<String>,
    /// Roles whose messages are customer messages (case-insensitive).
    pub customer_roles: Vec<String>,
    /// Unit of the reported durations.
    pub unit: TimeUnit,
    /// Confidence level of the t interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
    /// Keep every interval (exact quantiles) instead of a 1% sketch beyond 4096 per group.
    pub exact: bool,
}

impl Default for ResponseParams {
    fn default() -> Self {
        ResponseParams {
            agent_roles: vec!["agent".into()],
            customer_roles: vec!["customer".into()],
            unit: TimeUnit::Hours,
            confidence: 0.95,
            min_n: 30,
            exact: false,
        }
    }
}

/// One message of a conversation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Message {
    /// When it was sent (microseconds since the epoch).
    pub at: i64,
    /// A customer message (else an agent message).
    pub customer: bool,
    /// The row weight.
    pub weight: f64,
}

/// The accumulator of one group: the messages of every ticket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conversations {
    /// Messages by ticket, in arrival order (sorted in `finish`).
    pub tickets: BTreeMap<String, Vec<Message>>,
}

impl Conversations {
    /// Adds the messages of `other`, ticket by ticket.
    pub fn merge(&mut self, other: &Conversations) {
        for (ticket, messages) in &other.tickets {
            self.tickets
                .entry(ticket.clone())
                .or_default()
                .extend_from_slice(messages);
        }
    }
}

/// The bound `average_response_time` metric.
#[derive(Clone, Debug)]
pub struct AverageResponseTime {
    agent_roles: Vec<String>,
    customer_roles: Vec<String>,
    reporting: Reporting,
}

/// A role list, trimmed and lower-cased, or an error naming the param.
fn normalized(name: &str, roles: &[String]) -> Result<Vec<String>, String> {
    if roles.is_empty() {
        return Err(format!(
            "{name} is empty: list the role values of those messages, e.g. [\"agent\"]"
        ));
    }
    roles
        .iter()
        .map(|r| {
            let role = r.trim().to_lowercase();
            if role.is_empty() {
                Err(format!("{name} contains an empty role name"))
            } else {
                Ok(role)
            }
        })
        .collect()
}

impl AverageResponseTime {
    /// Validates params: both role lists non-empty and disjoint (case-insensitive).
    pub fn new(params: ResponseParams) -> Result<Self, String> {
        let agent_roles = normalized("agent_roles", &params.agent_roles)?;
        let customer_roles = normalized("customer_roles", &params.customer_roles)?;
        if let Some(both) = agent_roles.iter().find(|r| customer_roles.contains(r)) {
            return Err(format!(
                "role \"{both}\" is in both agent_roles and customer_roles: a message must be \
                 either an agent reply or a customer message"
            ));
        }
        check_confidence(params.confidence)?;
        Ok(AverageResponseTime {
            agent_roles,
            customer_roles,
            reporting: Reporting {
                unit: params.unit,
                confidence: params.confidence,
                min_n: params.min_n,
                quantiles: QuantilePolicy::from_exact(params.exact),
            },
        })
    }

    /// Whether a role is a customer's (`Some(true)`), an agent's (`Some(false)`), or
    /// unknown (`None`).
    fn is_customer(&self, role: &str) -> Option<bool> {
        let role = role.trim().to_lowercase();
        if self.customer_roles.contains(&role) {
            Some(true)
        } else if self.agent_roles.contains(&role) {
            Some(false)
        } else {
            None
        }
    }

    /// Folds one message into `state` (what `update` does with a row).
    pub fn tally(
        &self,
        state: &mut Conversations,
        ticket: Option<&str>,
        role: Option<&str>,
        sent_at: Option<i64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let ticket = ticket
            .filter(|t| !t.trim().is_empty())
            .ok_or(Reject::Empty)?;
        let role = role.filter(|r| !r.trim().is_empty()).ok_or(Reject::Empty)?;
        let at = sent_at.ok_or(Reject::Empty)?;
        check_weight(weight)?;
        let customer = self.is_customer(role).ok_or(Reject::Own(UNKNOWN_ROLE))?;
        let message = Message {
            at,
            customer,
            weight,
        };
        match state.tickets.get_mut(ticket) {
            Some(messages) => messages.push(message),
            None => {
                state.tickets.insert(ticket.to_string(), vec![message]);
            }
        }
        Ok(())
    }

    /// The reply intervals of every ticket, and the weighted count of agent messages.
    pub fn intervals(&self, state: &Conversations) -> (Durations, f64) {
        let mut durations = Durations::default();
        let mut replies = 0.0;
        for messages in state.tickets.values() {
            let mut sorted = messages.clone();
            // By time; at the same time the customer message first (so it can be answered
            // by the agent message); the weight only makes the order total, so merged
            // states give the same result whatever order they were merged in.
            sorted.sort_by(|a, b| {
                a.at.cmp(&b.at)
                    .then(b.customer.cmp(&a.customer))
                    .then(a.weight.total_cmp(&b.weight))
            });
            let mut pending: Option<Message> = None;
            for m in sorted {
                if m.customer {
                    pending.get_or_insert(m);
                } else {
                    replies += m.weight;
                    if let Some(wait) = pending.take() {
                        // Sorted by time, so never negative.
                        if let Ok(d) = between(wait.at, m.at, self.reporting.unit) {
                            durations.add(d, wait.weight, self.reporting.quantiles);
                        }
                    }
                }
            }
            if let Some(wait) = pending {
                durations.missing_end(wait.weight);
            }
        }
        (durations, replies)
    }

    /// The result of one group: the duration summary plus `tickets` and `replies`.
    pub fn result(&self, state: &Conversations) -> MetricResult {
        let (durations, replies) = self.intervals(state);
        result(&durations, self.reporting)
            .detail("tickets", state.tickets.len())
            .detail("replies", number(replies))
    }
}

impl Metric for AverageResponseTime {
    const NAME: &'static str = "average_response_time";
    const DESCRIPTION: &'static str =
        "Average response time: mean of every reply interval (customer message to next agent message) across conversations (mean, median, p90, p95).";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "ticket",
            InputType::Text,
            "the ticket (conversation) of the message",
        ),
        Input::required(
            "role",
            InputType::Text,
            "who sent it: one of agent_roles or customer_roles (case-insensitive)",
        ),
        Input::required("sent_at", InputType::Timestamp, "when the message was sent"),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "agent_roles",
            "[string, ...]",
            "[\"agent\"]",
            "Role values of agent replies (case-insensitive).",
        ),
        Param::new(
            "customer_roles",
            "[string, ...]",
            "[\"customer\"]",
            "Role values of customer messages (case-insensitive); other roles are rejected as unknown_role.",
        ),
        unit_param("\"hours\""),
        CONFIDENCE_PARAM,
        MIN_N_PARAM,
        EXACT_PARAM,
    ];
    const REASONS: &'static [&'static str] = &[UNKNOWN_ROLE];

    type Params = ResponseParams;
    type State = Conversations;

    fn bind(params: ResponseParams, _inputs: &BoundInputs) -> Result<Self, String> {
        AverageResponseTime::new(params)
    }

    #[inline]
    fn update(&self, state: &mut Conversations, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(
            state,
            row.text(TICKET),
            row.text(ROLE),
            row.timestamp(SENT_AT),
            row.weight(),
        )
    }

    fn merge(&self, into: &mut Conversations, from: &Conversations) {
        into.merge(from);
    }

    fn finish(&self, state: &Conversations) -> MetricResult {
        self.result(state)
    }
}
