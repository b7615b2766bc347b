//! The condition of the `share` metric: read from the params (exactly one of `equals`,
//! `not_equals`, `in`, `not_in`, `at_least`, `at_most`, `greater_than`, `less_than`,
//! `between`, `not_empty`), checked against the type of the mapped input, applied to one value, and put
//! into words for the unit.

use crate::common::{low_high, number_text};
use serde_json::Value;

/// The type of the input the share is computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The `text` input is mapped.
    Text,
    /// The `number` input is mapped.
    Number,
}

/// The condition params exactly as written (each `None` unless given).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConditionParams {
    /// `equals = "chat"` or `equals = 100`.
    pub equals: Option<Value>,
    /// `not_equals = "chat"` or `not_equals = 100`.
    pub not_equals: Option<Value>,
    /// `in = ["chat", "email"]` or `in = [1, 2]`.
    pub in_list: Option<Value>,
    /// `not_in = [...]`.
    pub not_in: Option<Value>,
    /// `at_least = 100` (x ≥ 100).
    pub at_least: Option<f64>,
    /// `at_most = 100` (x ≤ 100).
    pub at_most: Option<f64>,
    /// `greater_than = 100` (x > 100).
    pub greater_than: Option<f64>,
    /// `less_than = 100` (x < 100).
    pub less_than: Option<f64>,
    /// `between = [lo, hi]` (lo ≤ x ≤ hi).
    pub between: Option<Vec<f64>>,
    /// `not_empty = true`: the value is filled in (empty values count as not matching).
    pub not_empty: Option<bool>,
}

/// What a value is compared with.
#[derive(Clone, Debug, PartialEq)]
enum Test {
    /// Equal to one of these strings (lower-cased when case-insensitive).
    Text(Vec<String>),
    /// Equal to one of these numbers.
    Number(Vec<f64>),
    AtLeast(f64),
    AtMost(f64),
    GreaterThan(f64),
    LessThan(f64),
    Between(f64, f64),
    /// Any non-empty value (text or number).
    NotEmpty,
}

/// A validated condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    test: Test,
    /// `not_equals` and `not_in`: the row matches when the test fails.
    negate: bool,
    case_insensitive: bool,
    words: String,
}

/// A scalar of `equals`, `not_equals`, `in` or `not_in`.
enum Scalar {
    Text(String),
    Number(f64),
}

fn scalar(name: &str, value: &Value) -> Result<Scalar, String> {
    match value {
        Value::String(s) if s.trim().is_empty() => Err(format!(
            "{name} compares with an empty text, which never matches: empty values are \
             rejected as empty (or, with empty_counts_as_no = true, counted as not matching)"
        )),
        Value::String(s) => Ok(Scalar::Text(s.clone())),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(Scalar::Number(x)),
            _ => Err(format!("{name} = {n} is not a usable number")),
        },
        other => Err(format!(
            "{name} = {other} must be a text (\"chat\") or a number (100)"
        )),
    }
}

/// The values of `equals`/`not_equals` (one) or `in`/`not_in` (a non-empty list of one type).
fn scalars(name: &str, value: &Value, list: bool) -> Result<Vec<Scalar>, String> {
    if !list {
        return Ok(vec![scalar(name, value)?]);
    }
    let Value::Array(items) = value else {
        return Err(format!(
            "{name} = {value} must be a list, e.g. {name} = [\"chat\", \"email\"] or {name} = [1, 2]"
        ));
    };
    if items.is_empty() {
        return Err(format!("{name} = [] is empty: list at least one value"));
    }
    let values = items
        .iter()
        .map(|v| scalar(name, v))
        .collect::<Result<Vec<_>, _>>()?;
    let texts = values
        .iter()
        .filter(|v| matches!(v, Scalar::Text(_)))
        .count();
    if texts != 0 && texts != values.len() {
        return Err(format!(
            "{name} = {value} mixes texts and numbers: quote every value to compare text, or \
             none to compare numbers"
        ));
    }
    Ok(values)
}

impl Condition {
    /// Reads the one condition of `p` for an input of type `kind`; `case_insensitive` only
    /// applies to text.
    pub fn new(p: &ConditionParams, kind: Kind, case_insensitive: bool) -> Result<Self, String> {
        let given: Vec<&str> = [
            ("equals", p.equals.is_some()),
            ("not_equals", p.not_equals.is_some()),
            ("in", p.in_list.is_some()),
            ("not_in", p.not_in.is_some()),
            ("at_least", p.at_least.is_some()),
            ("at_most", p.at_most.is_some()),
            ("greater_than", p.greater_than.is_some()),
            ("less_than", p.less_than.is_some()),
            ("between", p.between.is_some()),
            ("not_empty", p.not_empty.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        let name = match given.as_slice() {
            [one] => *one,
            [] => {
                return Err(
                    "give the condition rows must meet: one of equals, not_equals, in, \
                            not_in, at_least, at_most, greater_than, less_than, between, \
                            not_empty (e.g. equals = \"chat\" or at_least = 100)"
                        .to_string(),
                )
            }
            many => {
                return Err(format!(
                    "give exactly one condition, found {} (for a range use between = [lo, hi])",
                    many.join(", ")
                ))
            }
        };
        if case_insensitive && kind == Kind::Number {
            return Err(
                "case_insensitive = true applies to text, but the mapped input is number"
                    .to_string(),
            );
        }
        if name == "not_empty" {
            if p.not_empty != Some(true) {
                return Err(
                    "not_empty = false is no condition: write not_empty = true to count \
                            the rows whose value is filled in, or give another condition"
                        .to_string(),
                );
            }
            if case_insensitive {
                return Err(
                    "case_insensitive = true compares texts, but not_empty compares none"
                        .to_string(),
                );
            }
            return Ok(Condition {
                test: Test::NotEmpty,
                negate: false,
                case_insensitive: false,
                words: "is not empty".to_string(),
            });
        }
        let negate = name.starts_with("not");
        let (test, words) = match name {
            "equals" | "not_equals" | "in" | "not_in" => {
                let value = match name {
                    "equals" => &p.equals,
                    "not_equals" => &p.not_equals,
                    "in" => &p.in_list,
                    _ => &p.not_in,
                };
                let value = value.as_ref().unwrap_or(&Value::Null);
                let list = name.ends_with("in");
                let values = scalars(name, value, list)?;
                let test = Self::equality(name, value, &values, kind, case_insensitive)?;
                let shown = values
                    .iter()
                    .map(|v| match v {
                        Scalar::Text(s) => format!("\"{s}\""),
                        Scalar::Number(x) => number_text(*x),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let verb = match (list, negate) {
                    (false, false) => "is",
                    (false, true) => "is not",
                    (true, false) => "is one of",
                    (true, true) => "is none of",
                };
                let case = if case_insensitive {
                    " (ignoring case)"
                } else {
                    ""
                };
                (test, format!("{verb} {shown}{case}"))
            }
            _ => {
                let test = Self::numeric(name, p, kind)?;
                let words = match test {
                    Test::AtLeast(x) => format!("is at least {}", number_text(x)),
                    Test::AtMost(x) => format!("is at most {}", number_text(x)),
                    Test::GreaterThan(x) => format!("is greater than {}", number_text(x)),
                    Test::LessThan(x) => format!("is less than {}", number_text(x)),
                    Test::Between(lo, hi) => format!(
                        "is between {} and {} (inclusive)",
                        number_text(lo),
                        number_text(hi)
                    ),
                    Test::Text(_) | Test::Number(_) | Test::NotEmpty => String::new(),
                };
                (test, words)
            }
        };
        Ok(Condition {
            test,
            negate,
            case_insensitive,
            words,
        })
    }

    /// The test of an equality condition, after checking the values' type against `kind`.
    fn equality(
        name: &str,
        value: &Value,
        values: &[Scalar],
        kind: Kind,
        case_insensitive: bool,
    ) -> Result<Test, String> {
        let text = matches!(values.first(), Some(Scalar::Text(_)));
        match (kind, text) {
            (Kind::Text, true) => Ok(Test::Text(
                values
                    .iter()
                    .filter_map(|v| match v {
                        Scalar::Text(s) if case_insensitive => Some(s.to_lowercase()),
                        Scalar::Text(s) => Some(s.clone()),
                        Scalar::Number(_) => None,
                    })
                    .collect(),
            )),
            (Kind::Number, false) => Ok(Test::Number(
                values
                    .iter()
                    .filter_map(|v| match v {
                        Scalar::Number(x) => Some(*x),
                        Scalar::Text(_) => None,
                    })
                    .collect(),
            )),
            (Kind::Text, false) => Err(format!(
                "{name} = {value} compares numbers, but the mapped input is text: quote the \
                 value to compare text ({name} = \"…\"), or map a number field to the input \
                 number"
            )),
            (Kind::Number, true) => Err(format!(
                "{name} = {value} compares text, but the mapped input is number: compare with \
                 a number, or map a text field to the input text"
            )),
        }
    }

    /// The test of a numeric condition (`at_least` … `between`).
    fn numeric(name: &str, p: &ConditionParams, kind: Kind) -> Result<Test, String> {
        if kind == Kind::Text {
            return Err(format!(
                "{name} is a numeric condition, but the mapped input is text: map a number \
                 field to the input number, or use equals / in to compare text"
            ));
        }
        let finite = |x: f64| {
            if x.is_finite() {
                Ok(x)
            } else {
                Err(format!("{name} = {x} must be a finite number"))
            }
        };
        Ok(
            match (
                p.at_least,
                p.at_most,
                p.greater_than,
                p.less_than,
                &p.between,
            ) {
                (Some(x), ..) => Test::AtLeast(finite(x)?),
                (_, Some(x), ..) => Test::AtMost(finite(x)?),
                (_, _, Some(x), ..) => Test::GreaterThan(finite(x)?),
                (_, _, _, Some(x), _) => Test::LessThan(finite(x)?),
                (.., Some(pair)) => {
                    let [lo, hi] = low_high(name, pair)?;
                    Test::Between(lo, hi)
                }
                _ => return Err(format!("{name}: no value")),
            },
        )
    }

    /// Whether a non-empty text value meets the condition.
    pub fn matches_text(&self, value: &str) -> bool {
        let hit = match &self.test {
            Test::Text(values) if self.case_insensitive => values.contains(&value.to_lowercase()),
            Test::Text(values) => values.iter().any(|v| v == value),
            Test::NotEmpty => true,
            _ => false,
        };
        hit != self.negate
    }

    /// Whether a finite number meets the condition.
    pub fn matches_number(&self, x: f64) -> bool {
        let hit = match &self.test {
            Test::Number(values) => values.contains(&x),
            Test::AtLeast(t) => x >= *t,
            Test::AtMost(t) => x <= *t,
            Test::GreaterThan(t) => x > *t,
            Test::LessThan(t) => x < *t,
            Test::Between(lo, hi) => (*lo..=*hi).contains(&x),
            Test::NotEmpty => true,
            Test::Text(_) => false,
        };
        hit != self.negate
    }

    /// Whether the condition is `not_empty`: an empty value is then a row that does not
    /// match (in n), not a rejected one.
    pub fn is_not_empty(&self) -> bool {
        self.test == Test::NotEmpty
    }

    /// The condition in words, e.g. `is "chat"`, `is one of 1, 2`, `is at least 100`.
    pub fn words(&self) -> &str {
        &self.words
    }
}
