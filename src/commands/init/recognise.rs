//! Recognising columns from their names and sampled values: canonical field names
//! (`nps`, `csat`, `ces`, `submitted`, `created`, `customer_id`, …) and the metrics they
//! make possible.

use super::sample::Column;
use cxm_ingest::FieldType;

/// What a column is taken for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A 0–10 recommendation answer.
    Nps,
    /// A satisfaction answer on 1..=max.
    Csat(i64),
    /// An effort answer on 1..=max.
    Ces(i64),
    /// A score column with this largest value that may be one of these (not recognisable
    /// by its name).
    Candidate(i64),
    /// Anything else.
    Plain,
}

/// A column with the field it becomes.
#[derive(Debug)]
pub struct Mapping {
    /// The canonical field name (unique in the dataset).
    pub field: String,
    /// The source column.
    pub column: String,
    /// The type to declare (`None`: text, the default).
    pub ty: Option<FieldType>,
    /// The date format to declare.
    pub format: Option<String>,
    pub role: Role,
    /// Few distinct values (a segment to group by).
    pub segment: bool,
}

/// Lower snake case, with camelCase split (`customerID` → `customer_id`); `None` when the
/// name has no letter or digit.
pub fn snake(name: &str) -> Option<String> {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        None
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        Some(format!("f_{out}"))
    } else {
        Some(out)
    }
}

fn has(words: &str, any: &[&str]) -> bool {
    any.iter().any(|w| words.contains(w))
}

const RECOMMEND: &[&str] = &["recommend", "nps", "likel", "promot", "empfehl", "recomend"];
const SATISFIED: &[&str] = &[
    "satisf",
    "csat",
    "rating",
    "review_score",
    "stars",
    "zufried",
];
const FREE_TEXT: &[&str] = &[
    "comment", "text", "message", "verbatim", "explica", "feedback", "remark", "title",
];
const EFFORT: &[&str] = &["effort", "ease", "easy", "ces"];

/// The role of a score column from its name and range.
fn score_role(words: &str, range: (i64, i64)) -> Role {
    let (lo, hi) = range;
    if lo >= 0 && (7..=10).contains(&hi) && has(words, RECOMMEND) {
        return Role::Nps;
    }
    if lo >= 1 && (3..=7).contains(&hi) {
        let max = if hi <= 5 { 5 } else { 7 };
        if has(words, EFFORT) {
            return Role::Ces(max);
        }
        if has(words, SATISFIED) {
            return Role::Csat(max);
        }
        return Role::Candidate(max);
    }
    if lo >= 0 && (7..=10).contains(&hi) {
        return Role::Candidate(10);
    }
    Role::Plain
}

/// The canonical name of an id column, or `None` when the column is not one.
fn id_name(words: &str, c: &Column) -> Option<&'static str> {
    let tokens: Vec<&str> = words.split('_').collect();
    let id_like = tokens.last() == Some(&"id") || tokens.contains(&"id");
    if !id_like || !(c.many_valued() || c.distinct == c.non_empty) {
        return None;
    }
    Some(
        if has(words, &["customer", "client", "user", "account", "member"]) {
            "customer_id"
        } else if has(words, &["ticket", "case", "incident"]) {
            "ticket_id"
        } else if has(words, &["order", "purchase"]) {
            "order_id"
        } else if has(words, &["response", "review", "survey", "answer"]) {
            "response_id"
        } else {
            return None;
        },
    )
}

/// The canonical name of a date column.
fn date_name(words: &str) -> Option<&'static str> {
    if has(
        words,
        &[
            "submit",
            "answer",
            "response",
            "complet",
            "survey",
            "timestamp",
        ],
    ) {
        Some("submitted")
    } else if has(words, &["creat", "purchase", "order", "opened", "signup"]) {
        Some("created")
    } else {
        None
    }
}

/// The fields of a dataset, one per named column, with unique names.
pub fn mappings(columns: &[Column]) -> (Vec<Mapping>, Vec<String>) {
    let mut out: Vec<Mapping> = Vec::new();
    let mut left_out = Vec::new();
    for c in columns {
        let Some(words) = snake(&c.name) else {
            left_out.push(c.name.clone());
            continue;
        };
        let mut ty = Some(c.ty).filter(|t| *t != FieldType::String);
        let mut role = Role::Plain;
        let mut name: Option<&str> = None;
        if let (FieldType::Integer, Some(range)) = (c.ty, c.range) {
            role = score_role(&words, range);
            name = match role {
                Role::Nps => Some("nps"),
                Role::Csat(_) => Some("csat"),
                Role::Ces(_) => Some("ces"),
                _ => None,
            };
        }
        if matches!(c.ty, FieldType::Date | FieldType::Datetime) {
            name = date_name(&words);
        }
        if role == Role::Plain {
            if let Some(id) = id_name(&words, c) {
                name = Some(id);
                ty = None; // ids are labels, not numbers
            }
        }
        let taken = |n: &str| out.iter().any(|m| m.field == n);
        let field = match name {
            Some(n) if !taken(n) => n.to_string(),
            _ => {
                role = match role {
                    Role::Nps => Role::Candidate(10),
                    Role::Csat(max) | Role::Ces(max) => Role::Candidate(max),
                    other => other,
                };
                let mut field = words.clone();
                let mut k = 2;
                while taken(&field) {
                    field = format!("{words}_{k}");
                    k += 1;
                }
                field
            }
        };
        out.push(Mapping {
            field,
            column: c.name.clone(),
            ty,
            format: c.format.clone(),
            segment: c.ty == FieldType::String
                && !c.long_text
                && !has(&words, FREE_TEXT)
                && (2..=20).contains(&c.distinct),
            role,
        });
    }
    (out, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("customerID").as_deref(), Some("customer_id"));
        assert_eq!(
            snake("Likelihood to recommend").as_deref(),
            Some("likelihood_to_recommend")
        );
        assert_eq!(snake("CSAT (1-5)").as_deref(), Some("csat_1_5"));
        assert_eq!(snake("2nd answer").as_deref(), Some("f_2nd_answer"));
        assert_eq!(snake(""), None);
    }

    #[test]
    fn score_roles() {
        assert_eq!(score_role("likelihood_to_recommend", (0, 10)), Role::Nps);
        assert_eq!(score_role("satisfaction", (1, 5)), Role::Csat(5));
        assert_eq!(score_role("ease", (1, 7)), Role::Ces(7));
        assert_eq!(score_role("q3", (1, 5)), Role::Candidate(5));
        assert_eq!(score_role("tenure", (0, 72)), Role::Plain);
    }
}
