//! The `drivers` metric plugin: key driver analysis (issue 17).
//!
//! An `outcome` (likelihood to recommend, overall satisfaction, a 0/1 such as "is a
//! detractor") and any number of attribute ratings, mapped by name as extra (variadic)
//! inputs. Each attribute gets its relative importance by Johnson's relative weights
//! (summing to R²), its mean performance and its quadrant of the importance × performance
//! matrix ([`weights`]). The state is the weighted cross-product matrix of
//! `[1, outcome, attributes…]` ([`cross`]), so states merge exactly by addition.
//!
//! With `replicates = B` a Poisson bootstrap ([`bootstrap`]) keeps B more cross-product
//! blocks, one per replicate, with counts keyed by the row's `id`, so a percentile interval
//! of every importance and the share of replicates keeping each attribute's quadrant come
//! out the same whatever the threads, chunks and batches.
//!
//! Memory: one block is 8·(1 + m + m(m+1)/2) bytes listwise and 8·6·m(m+1)/2 pairwise
//! (m = attributes + 1); a group's state holds 1 + B blocks (10 attributes, B = 1,000,
//! listwise: 0.6 MB per group). `bind` refuses a state above 256 MiB.

use cxm_sdk::prelude::*;

pub mod bootstrap;
pub mod cross;
pub mod eigen;
mod report;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fixtures;
pub mod weights;

pub use cross::{Layout, Missing};

/// Index of the `outcome` input.
const OUTCOME: usize = 0;
/// Index of the `id` input.
const ID: usize = 1;
/// Own reason: an attribute rating is empty (listwise), or every one is (pairwise).
pub const MISSING_RATING: &str = "missing_rating";
/// The largest state `bind` accepts per group, in bytes.
const MAX_STATE_BYTES: usize = 256 << 20;
/// The most replicates `bind` accepts.
const MAX_REPLICATES: i64 = 100_000;

/// The params, as written in the config.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriversParams {
    /// Missing ratings: `listwise` (default) or `pairwise`.
    pub missing: Missing,
    /// Bootstrap replicates B; no bootstrap when absent.
    pub replicates: Option<i64>,
    /// Seed of the bootstrap counts.
    pub seed: u64,
    /// Level of the percentile intervals.
    pub confidence: f64,
    /// Results with fewer (weighted) rows carry `low_sample`.
    pub min_n: f64,
}

impl Default for DriversParams {
    fn default() -> Self {
        DriversParams {
            missing: Missing::Listwise,
            replicates: None,
            seed: 0,
            confidence: 0.95,
            min_n: 30.0,
        }
    }
}

/// The accumulator of one group: the main cross-product block followed by one block per
/// bootstrap replicate; empty until the first row (so `Default` needs no dimensions).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DriversState {
    /// `(1 + B) · layout.block_len()` sums, or none.
    pub data: Vec<f64>,
}

/// The bound `drivers` metric.
#[derive(Clone, Debug)]
pub struct Drivers {
    attributes: Vec<String>,
    layout: Layout,
    replicates: u32,
    params: DriversParams,
}

impl Drivers {
    /// Validates params against the attribute inputs (their names, in bound order) and
    /// whether `id` is mapped.
    pub fn new(
        params: DriversParams,
        attributes: &[String],
        id_mapped: bool,
    ) -> Result<Self, String> {
        if attributes.is_empty() {
            return Err(
                "map at least one attribute rating besides `outcome` (and `id`): \
                 inputs = { outcome = \"ltr\", speed = \"q_speed\", price = \"q_price\" }"
                    .to_string(),
            );
        }
        if !(params.confidence > 0.0 && params.confidence < 1.0) {
            return Err(format!(
                "confidence must be between 0 and 1, got {}",
                params.confidence
            ));
        }
        if !(params.min_n.is_finite() && params.min_n >= 0.0) {
            return Err(format!("min_n must be 0 or more, got {}", params.min_n));
        }
        let layout = Layout {
            m: attributes.len() + 1,
            missing: params.missing,
        };
        let replicates = match params.replicates {
            None => 0,
            Some(b) if !(2..=MAX_REPLICATES).contains(&b) => {
                return Err(format!(
                    "replicates must be between 2 and {MAX_REPLICATES} (the number of bootstrap \
                     replicates; leave it out for no bootstrap), got {b}"
                ))
            }
            Some(_) if !id_mapped => {
                return Err(
                    "replicates needs the `id` input: the bootstrap draws each row's \
                     counts from its id, so they do not depend on how rows are split across \
                     threads (map a respondent id, e.g. inputs = { id = \"response_id\", … })"
                        .to_string(),
                )
            }
            Some(b) => b as u32,
        };
        let bytes = 8 * layout.block_len() * (1 + replicates as usize);
        if bytes > MAX_STATE_BYTES {
            let most = MAX_STATE_BYTES / (8 * layout.block_len()) - 1;
            return Err(format!(
                "replicates = {replicates} with {} attributes ({}) needs {} MiB per group; at most {most} replicates fit in {} MiB",
                attributes.len(),
                params.missing.name(),
                bytes >> 20,
                MAX_STATE_BYTES >> 20
            ));
        }
        Ok(Drivers {
            attributes: attributes.to_vec(),
            layout,
            replicates,
            params,
        })
    }

    /// The attribute names, in input order.
    pub fn attributes(&self) -> &[String] {
        &self.attributes
    }

    /// Folds one row (the outcome first, then the attributes) into `state`: what `update`
    /// does, without the ABI. `id` is needed only with the bootstrap.
    pub fn tally(
        &self,
        state: &mut DriversState,
        x: &[Option<f64>],
        id: Option<&str>,
        weight: f64,
    ) -> Result<(), Reject> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        if x.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Reject::NotANumber);
        }
        if x.first().copied().flatten().is_none() {
            return Err(Reject::Empty);
        }
        let attributes = &x[1..];
        let usable = match self.layout.missing {
            Missing::Listwise => attributes.iter().all(Option::is_some),
            Missing::Pairwise => attributes.iter().any(Option::is_some),
        };
        if !usable {
            return Err(Reject::Own(MISSING_RATING));
        }
        let id_hash = if self.replicates > 0 {
            Some(bootstrap::hash_id(id.ok_or(Reject::Empty)?))
        } else {
            None
        };
        let len = self.layout.block_len();
        if state.data.is_empty() {
            state.data = vec![0.0; len * (1 + self.replicates as usize)];
        }
        let (main, reps) = state.data.split_at_mut(len);
        self.layout.add(main, x, weight);
        if let Some(h) = id_hash {
            for (b, block) in reps.chunks_exact_mut(len).enumerate() {
                let mut draws = bootstrap::Draws::new(self.params.seed, h, b as u32);
                let count = bootstrap::poisson(weight, &mut draws);
                if count > 0.0 {
                    self.layout.add(block, x, count);
                }
            }
        }
        Ok(())
    }

    /// Adds `from` into `into`.
    pub fn merge_states(into: &mut DriversState, from: &DriversState) {
        if into.data.is_empty() {
            into.data.clone_from(&from.data);
        } else if !from.data.is_empty() {
            for (a, b) in into.data.iter_mut().zip(&from.data) {
                *a += b;
            }
        }
    }
}

impl Metric for Drivers {
    const NAME: &'static str = "drivers";
    const DESCRIPTION: &'static str = "Key driver analysis: each attribute's relative importance for an outcome (Johnson's relative weights, summing to R²), mean performance and importance x performance quadrant; optional Poisson bootstrap intervals and quadrant stability.";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "outcome",
            InputType::Number,
            "the outcome: likelihood to recommend, overall satisfaction, or a 0/1 flag",
        ),
        Input::optional(
            "id",
            InputType::Text,
            "respondent id; required with `replicates` (keys each row's bootstrap counts)",
        ),
        Input::variadic(
            InputType::Number,
            "the attribute ratings, each mapped under its own name (on one common scale)",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "missing",
            "\"listwise\" | \"pairwise\"",
            "\"listwise\"",
            "Listwise: a row with any empty rating is rejected (missing_rating). Pairwise: each correlation uses the rows where both of its variables are present; a row is rejected only when every rating is empty.",
        ),
        Param::new(
            "replicates",
            "int",
            "(none: no bootstrap)",
            "Poisson bootstrap replicates B (2-100000; needs the `id` input): percentile intervals of R² and every importance, and the share of replicates keeping each quadrant.",
        ),
        Param::new("seed", "int", "0", "Seed of the bootstrap counts."),
        Param::new("confidence", "number", "0.95", "Level of the percentile intervals."),
        Param::new(
            "min_n",
            "number",
            "30",
            "Results with fewer (weighted) rows carry the warning low_sample.",
        ),
    ];
    const REASONS: &'static [&'static str] = &[MISSING_RATING];

    type Params = DriversParams;
    type State = DriversState;

    fn bind(params: DriversParams, inputs: &BoundInputs) -> Result<Self, String> {
        Drivers::new(params, inputs.extra(), inputs.is_mapped(ID))
    }

    #[inline]
    fn update(&self, state: &mut DriversState, row: &Row<'_>) -> Result<(), Reject> {
        let base = Self::INPUTS.len();
        let mut x = Vec::with_capacity(self.layout.m);
        x.push(row.number(OUTCOME));
        x.extend((0..self.attributes.len()).map(|k| row.number(base + k)));
        let id = if self.replicates > 0 {
            row.text(ID)
        } else {
            None
        };
        self.tally(state, &x, id, row.weight())
    }

    fn merge(&self, into: &mut DriversState, from: &DriversState) {
        Drivers::merge_states(into, from);
    }

    fn finish(&self, state: &DriversState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Drivers);
