//! The group budget: continuous inputs (durations, revenue) do not compress, so before the
//! histogram query the planner runs [`crate::group_count_query`] and checks the count here.
//! Above the budget it fails with a message that names the continuous inputs and suggests
//! quantizing them (`quantize = { relative_error = 0.01 }`, log buckets computed in SQL so
//! percentiles keep a stated relative error) or turning pushdown off.

use crate::shape::{Shape, ValueType};

/// The largest number of groups a pushed-down histogram may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Budget {
    /// Maximum number of groups.
    pub max_groups: u64,
}

impl Default for Budget {
    /// One million groups.
    fn default() -> Budget {
        Budget {
            max_groups: 1_000_000,
        }
    }
}

/// A shape whose histogram has more groups than the budget allows.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("{}", self.message())]
pub struct BudgetExceeded {
    /// Groups the warehouse counted.
    pub groups: u64,
    /// The budget.
    pub max_groups: u64,
    /// Inputs that are continuous and not quantized (number, datetime and date inputs).
    pub continuous_inputs: Vec<String>,
}

impl BudgetExceeded {
    fn message(&self) -> String {
        let mut m = format!(
            "pushdown would return {} groups, more than the budget of {}: the inputs do not compress",
            self.groups, self.max_groups
        );
        if self.continuous_inputs.is_empty() {
            m.push_str(
                "; group by fewer keys or a coarser period, raise the budget, or turn pushdown \
                 off for this dataset (pushdown = false) to stream its rows",
            );
        } else {
            let names = self
                .continuous_inputs
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ");
            m.push_str(&format!(
                ". Continuous input(s) {names}: quantize them, e.g. `quantize = {{ relative_error = 0.01 }}` \
                 (log buckets computed in the warehouse; means and percentiles keep a relative error \
                 of at most 1 %), or turn pushdown off for this dataset (pushdown = false) to stream \
                 its rows exactly"
            ));
        }
        m
    }
}

impl Budget {
    /// Checks a group count for a shape.
    pub fn check(&self, shape: &Shape, groups: u64) -> Result<(), BudgetExceeded> {
        if groups <= self.max_groups {
            return Ok(());
        }
        let continuous_inputs = shape
            .inputs
            .iter()
            .filter(|i| {
                i.quantize.is_none()
                    && matches!(
                        i.ty,
                        ValueType::Number | ValueType::Datetime | ValueType::Date
                    )
            })
            .map(|i| i.name.clone())
            .collect();
        Err(BudgetExceeded {
            groups,
            max_groups: self.max_groups,
            continuous_inputs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Input, Shape};

    #[test]
    fn within_and_over_budget() {
        let mut shape = Shape::table("tickets");
        shape
            .inputs
            .push(Input::new("score", "score", ValueType::Integer));
        shape
            .inputs
            .push(Input::new("hours", "hours", ValueType::Number));
        let budget = Budget { max_groups: 100 };
        assert_eq!(budget.check(&shape, 100), Ok(()));
        let err = budget.check(&shape, 101).expect_err("over budget");
        assert_eq!(err.continuous_inputs, vec!["hours".to_string()]);
        let text = err.to_string();
        assert!(text.starts_with("pushdown would return 101 groups, more than the budget of 100"));
        assert!(
            text.contains("\"hours\": quantize them, e.g. `quantize = { relative_error = 0.01 }`")
        );
        assert!(text.contains("pushdown = false"));
        // Once quantized, nothing continuous is left to suggest.
        shape.inputs[1] = Input::new("hours", "hours", ValueType::Number)
            .quantized(0.01)
            .expect("alpha");
        let err = budget.check(&shape, 101).expect_err("over budget");
        assert!(err.continuous_inputs.is_empty());
        assert!(err.to_string().contains("coarser period"));
    }
}
