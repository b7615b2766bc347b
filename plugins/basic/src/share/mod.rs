//! The `share` metric: the percentage of rows whose value meets a condition,
//! 100 · matching / n, with a Wilson score interval.
//!
//! Exactly one of the inputs `text` or `number` is mapped; the condition (one of `equals`,
//! `not_equals`, `in`, `not_in` on either type, `at_least`, `at_most`, `greater_than`,
//! `less_than`, `between` on numbers) must suit its type, or bind fails. Text comparisons
//! are exact unless `case_insensitive = true`. `not_empty = true` is the condition "is not
//! empty" on either type: the share of rows whose value is filled in.
//!
//! Empty values: a row whose value is empty (null, or text of only whitespace) is rejected
//! as `empty` and is NOT in n, so the share is "of the rows with a value". This follows the
//! rule of METRICS.md that empty values are reported separately from the data, never
//! silently taken as a "no". A consultant who wants empty to mean "does not match" (e.g.
//! an unticked field) sets `empty_counts_as_no = true`: such rows are then used, in n, and
//! not matching. With `not_empty = true` that is implied: an empty value is a row that does
//! not meet the condition. A NaN number is always rejected as `not_a_number`.
//!
//! The state holds the weighted counts of matching rows and of all used rows, merged by
//! addition.

mod condition;

pub use condition::{Condition, ConditionParams, Kind};

use crate::common::{
    check_confidence, check_unit, check_weight, is_blank, sample_warnings, DEFAULT_CONFIDENCE,
    DEFAULT_MIN_N,
};
use cxm_sdk::prelude::*;
use serde_json::Value;

/// Index of the optional `text` input in [`Metric::INPUTS`].
const TEXT: usize = 0;
/// Index of the optional `number` input in [`Metric::INPUTS`].
const NUMBER: usize = 1;

/// The `params` table of the `share` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShareParams {
    /// Matches a value equal to this text or number.
    pub equals: Option<Value>,
    /// Matches a value not equal to this text or number.
    pub not_equals: Option<Value>,
    /// Matches a value equal to one of these texts or numbers.
    #[serde(rename = "in")]
    pub in_list: Option<Value>,
    /// Matches a value equal to none of these texts or numbers.
    pub not_in: Option<Value>,
    /// Matches x ≥ this.
    pub at_least: Option<f64>,
    /// Matches x ≤ this.
    pub at_most: Option<f64>,
    /// Matches x > this.
    pub greater_than: Option<f64>,
    /// Matches x < this.
    pub less_than: Option<f64>,
    /// Matches lo ≤ x ≤ hi.
    pub between: Option<Vec<f64>>,
    /// `true`: matches any value that is filled in; empty values count as not matching.
    pub not_empty: Option<bool>,
    /// Compare texts ignoring case (Unicode lower-casing).
    pub case_insensitive: bool,
    /// Count an empty value as not matching instead of rejecting the row.
    pub empty_counts_as_no: bool,
    /// Confidence level of the interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
    /// What one row is, in words (`"orders"`), used in the unit instead of `rows`.
    pub unit: Option<String>,
}

impl Default for ShareParams {
    fn default() -> Self {
        ShareParams {
            equals: None,
            not_equals: None,
            in_list: None,
            not_in: None,
            at_least: None,
            at_most: None,
            greater_than: None,
            less_than: None,
            between: None,
            not_empty: None,
            case_insensitive: false,
            empty_counts_as_no: false,
            confidence: DEFAULT_CONFIDENCE,
            min_n: DEFAULT_MIN_N,
            unit: None,
        }
    }
}

impl ShareParams {
    /// The condition params alone.
    pub fn condition(&self) -> ConditionParams {
        ConditionParams {
            equals: self.equals.clone(),
            not_equals: self.not_equals.clone(),
            in_list: self.in_list.clone(),
            not_in: self.not_in.clone(),
            at_least: self.at_least,
            at_most: self.at_most,
            greater_than: self.greater_than,
            less_than: self.less_than,
            between: self.between.clone(),
            not_empty: self.not_empty,
        }
    }
}

/// The accumulator of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ShareState {
    /// Weighted count of rows meeting the condition.
    pub matching: f64,
    /// Weighted count of all used rows.
    pub n: f64,
}

/// One row's value, as read from the mapped input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// The `text` input.
    Text(Option<&'a str>),
    /// The `number` input.
    Number(Option<f64>),
}

/// The bound `share` metric.
#[derive(Clone, Debug)]
pub struct Share {
    kind: Kind,
    condition: Condition,
    params: ShareParams,
}

impl Share {
    /// Validates params against the mapped inputs: `text_mapped` and `number_mapped` tell
    /// which of the two optional inputs the config mapped (exactly one must be).
    pub fn new(
        params: ShareParams,
        text_mapped: bool,
        number_mapped: bool,
    ) -> Result<Self, String> {
        let kind = match (text_mapped, number_mapped) {
            (true, false) => Kind::Text,
            (false, true) => Kind::Number,
            (true, true) => {
                return Err(
                    "map only one of the inputs text and number: the share tests one \
                            field"
                        .to_string(),
                )
            }
            (false, false) => {
                return Err(
                    "map the field to test to the input text (a text field) or number \
                            (a numeric field), e.g. inputs = { text = \"channel\" }"
                        .to_string(),
                )
            }
        };
        let condition = Condition::new(&params.condition(), kind, params.case_insensitive)?;
        check_confidence(params.confidence)?;
        check_unit(params.unit.as_deref())?;
        Ok(Share {
            kind,
            condition,
            params,
        })
    }

    /// The type of the mapped input.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Folds one row's value with its weight into `state`.
    pub fn tally(&self, state: &mut ShareState, cell: Cell<'_>, weight: f64) -> Result<(), Reject> {
        let hit = match cell {
            Cell::Text(Some(s)) if !is_blank(s) => Some(self.condition.matches_text(s)),
            Cell::Number(Some(x)) if x.is_nan() || x.is_infinite() => {
                return Err(Reject::NotANumber)
            }
            Cell::Number(Some(x)) => Some(self.condition.matches_number(x)),
            Cell::Text(_) | Cell::Number(None) => None,
        };
        let hit = match hit {
            Some(hit) => hit,
            None if self.params.empty_counts_as_no || self.condition.is_not_empty() => false,
            None => return Err(Reject::Empty),
        };
        let w = check_weight(weight)?;
        state.n += w;
        if hit {
            state.matching += w;
        }
        Ok(())
    }

    /// The unit, e.g. `% of rows where the value is "chat"`.
    pub fn unit(&self) -> String {
        let rows = self.params.unit.as_deref().unwrap_or("rows");
        format!("% of {rows} where the value {}", self.condition.words())
    }

    /// The result of one group.
    pub fn result(&self, state: &ShareState) -> MetricResult {
        let level = self.params.confidence;
        let n = state.n;
        let ci = cxm_stats::wilson(state.matching, n, level).map(|(low, high)| Interval {
            low: 100.0 * low,
            high: 100.0 * high,
            level,
            method: "wilson".to_string(),
        });
        let empty = if self.condition.is_not_empty() {
            "counted as not matching (the condition is not_empty)"
        } else if self.params.empty_counts_as_no {
            "counted as not matching"
        } else {
            "rejected (not in n)"
        };
        let result = MetricResult {
            value: (n > 0.0).then(|| 100.0 * state.matching / n),
            unit: self.unit(),
            n,
            ci,
            basis: (n > 0.0).then_some(TestBasis::Proportion {
                successes: state.matching,
                n,
            }),
            ..Default::default()
        }
        .detail("matching", number(state.matching))
        .detail("n", number(n))
        .detail("condition", self.condition.words())
        .detail("empty_values", empty);
        sample_warnings(result, self.params.min_n)
    }
}

impl Metric for Share {
    const NAME: &'static str = "share";
    const DESCRIPTION: &'static str =
        "Percentage of rows whose value meets a condition (equals, in, at least, between, not empty, ...), with a Wilson interval.";
    const INPUTS: &'static [Input] = &[
        Input::optional(
            "text",
            InputType::Text,
            "the text field to test (map exactly one of text and number)",
        ),
        Input::optional(
            "number",
            InputType::Number,
            "the numeric field to test (map exactly one of text and number)",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new("equals", "string | number", "none", "Condition: the value equals this."),
        Param::new("not_equals", "string | number", "none", "Condition: the value does not equal this."),
        Param::new("in", "[string, ...] | [number, ...]", "none", "Condition: the value is one of these."),
        Param::new("not_in", "[string, ...] | [number, ...]", "none", "Condition: the value is none of these."),
        Param::new("at_least", "number", "none", "Condition (number input): value >= this."),
        Param::new("at_most", "number", "none", "Condition (number input): value <= this."),
        Param::new("greater_than", "number", "none", "Condition (number input): value > this."),
        Param::new("less_than", "number", "none", "Condition (number input): value < this."),
        Param::new(
            "between",
            "[number, number]",
            "none",
            "Condition (number input): lo <= value <= hi. Give exactly one condition.",
        ),
        Param::new(
            "not_empty",
            "bool",
            "none",
            "Condition: not_empty = true matches a value that is filled in (text or number); rows with an empty value are in n and do not match.",
        ),
        Param::new(
            "case_insensitive",
            "bool",
            "false",
            "Compare texts ignoring upper/lower case; by default the comparison is exact.",
        ),
        Param::new(
            "empty_counts_as_no",
            "bool",
            "false",
            "By default rows with an empty value are rejected as empty and not in n; true counts them as not matching.",
        ),
        Param::new("confidence", "number", "0.95", "Confidence level of the Wilson interval, between 0 and 1."),
        Param::new("min_n", "int", "30", "Results with fewer (weighted) rows carry the warning low_sample."),
        Param::new(
            "unit",
            "string",
            "\"rows\"",
            "What one row is, in words (e.g. \"orders\"): the unit reads \"% of orders where ...\".",
        ),
    ];

    type Params = ShareParams;
    type State = ShareState;

    fn bind(params: ShareParams, inputs: &BoundInputs) -> Result<Self, String> {
        Share::new(params, inputs.is_mapped(TEXT), inputs.is_mapped(NUMBER))
    }

    #[inline]
    fn update(&self, state: &mut ShareState, row: &Row<'_>) -> Result<(), Reject> {
        let cell = match self.kind {
            Kind::Text => Cell::Text(row.text(TEXT)),
            Kind::Number => Cell::Number(row.number(NUMBER)),
        };
        self.tally(state, cell, row.weight())
    }

    fn merge(&self, into: &mut ShareState, from: &ShareState) {
        into.matching += from.matching;
        into.n += from.n;
    }

    fn finish(&self, state: &ShareState) -> MetricResult {
        self.result(state)
    }
}
