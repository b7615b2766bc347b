//! The `iqs` metric plugin: the Internal Quality Score of METRICS.md ("IQS") from QA
//! review scorecards.
//!
//! Input is one row per review × criterion: `review_id`, `criterion`, `score` (empty = not
//! applicable). Each criterion's score becomes 100 · (s − min) / (max − min); a review
//! scores Σ w_c·score_c / Σ w_c over its applicable criteria, or 0 when a critical criterion
//! scores below `critical_threshold` (auto-fail). IQS is the weighted mean review score with
//! a t interval; the result also reports the pass rate, auto-fails, N/A answers and a
//! `criteria` table of mean criterion scores.
//!
//! The state keeps the answers of every review, keyed by review id, so reviews split across
//! batches, groups or threads come together on merge; every figure is computed in `finish`
//! from the merged reviews. The math lives in plain methods ([`Iqs::new`], [`Iqs::tally`],
//! [`Iqs::result`]) that the [`Metric`] impl calls.

use cxm_sdk::prelude::*;
use std::collections::BTreeMap;

mod params;
mod report;
#[cfg(test)]
mod tests;

pub use params::{Criterion, IqsParams, Validated};

/// Index of the `review_id` input in [`Metric::INPUTS`].
const REVIEW_ID: usize = 0;
/// Index of the `criterion` input.
const CRITERION: usize = 1;
/// Index of the `score` input.
const SCORE: usize = 2;

/// Own reason: the criterion is not in the `criteria` param.
pub const UNKNOWN_CRITERION: &str = "unknown_criterion";
/// Own reason: the review already has an answer for this criterion.
pub const DUPLICATE_CRITERION: &str = "duplicate_criterion";

/// The answers of one review.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Review {
    /// The review's weight: the weight of its first row.
    pub weight: f64,
    /// Criterion index → score on 0-100, or `None` for not applicable.
    pub answers: BTreeMap<usize, Option<f64>>,
}

/// The accumulator of one group: reviews by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IqsState {
    /// Reviews by (trimmed) id.
    pub reviews: BTreeMap<String, Review>,
}

impl IqsState {
    /// Adds the reviews of `other`. A review present in both keeps this state's weight and
    /// answers; criteria only `other` has are added (this state wins on duplicates).
    pub fn merge(&mut self, other: &IqsState) {
        for (id, from) in &other.reviews {
            match self.reviews.get_mut(id) {
                Some(into) => {
                    for (&c, &a) in &from.answers {
                        into.answers.entry(c).or_insert(a);
                    }
                }
                None => {
                    self.reviews.insert(id.clone(), from.clone());
                }
            }
        }
    }
}

/// The bound `iqs` metric: validated params.
#[derive(Clone, Debug)]
pub struct Iqs {
    params: Validated,
}

impl Iqs {
    /// Validates params.
    pub fn new(params: IqsParams) -> Result<Self, String> {
        Ok(Iqs {
            params: params.validate()?,
        })
    }

    /// The validated params.
    pub fn params(&self) -> &Validated {
        &self.params
    }

    /// Folds one row into `state` (what `update` does).
    ///
    /// Checks, in order: review id and criterion present, criterion known, a usable row
    /// weight, score a number inside the criterion's scale (empty = not applicable, a valid
    /// answer), and no earlier answer for the same criterion in this review (first wins).
    pub fn tally(
        &self,
        state: &mut IqsState,
        review_id: Option<&str>,
        criterion: Option<&str>,
        score: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let review_id = review_id.map(str::trim).ok_or(Reject::InvalidValue)?;
        let criterion = criterion.map(str::trim).ok_or(Reject::InvalidValue)?;
        if review_id.is_empty() || criterion.is_empty() {
            return Err(Reject::Empty);
        }
        let Some(&c) = self.params.index.get(criterion) else {
            return Err(Reject::Own(UNKNOWN_CRITERION));
        };
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        let answer = match score {
            None => None,
            Some(s) if !s.is_finite() => return Err(Reject::NotANumber),
            Some(s) => {
                let spec = &self.params.criteria[c];
                let [lo, hi] = spec.scale;
                if s < lo || s > hi {
                    return Err(Reject::OutOfScale);
                }
                Some(spec.percent(s))
            }
        };
        if let Some(review) = state.reviews.get_mut(review_id) {
            if review.answers.contains_key(&c) {
                return Err(Reject::Own(DUPLICATE_CRITERION));
            }
            review.answers.insert(c, answer);
        } else {
            let review = Review {
                weight,
                answers: BTreeMap::from([(c, answer)]),
            };
            state.reviews.insert(review_id.to_string(), review);
        }
        Ok(())
    }
}

impl Metric for Iqs {
    const NAME: &'static str = "iqs";
    const DESCRIPTION: &'static str =
        "Internal Quality Score: mean QA review score (0-100) from weighted scorecard criteria, with auto-fail on critical criteria and pass rate.";
    const INPUTS: &'static [Input] = &[
        Input::required(
            "review_id",
            InputType::Text,
            "identifier of the QA review; one row per review and criterion",
        ),
        Input::required(
            "criterion",
            InputType::Text,
            "the scorecard criterion, as named in params.criteria",
        ),
        Input::optional(
            "score",
            InputType::Number,
            "the criterion's score on its scale; empty (or a null value such as N/A) = not applicable",
        ),
    ];
    const PARAMS: &'static [Param] = &[
        Param::new(
            "criteria",
            "{ name = { weight = number, scale = [number, number], critical = bool } }",
            "required",
            "The scorecard; weight defaults to 1, critical to false. Rows of other criteria are rejected as unknown_criterion.",
        ),
        Param::new(
            "critical_threshold",
            "number",
            "50",
            "A critical criterion scoring below this percent of its range sets the review score to 0 (auto-fail).",
        ),
        Param::new(
            "pass_score",
            "number",
            "80",
            "Reviews scoring at least this (0-100) count as passed.",
        ),
        Param::new(
            "confidence",
            "number",
            "0.95",
            "Confidence level of the t interval of the mean review score.",
        ),
        Param::new(
            "min_n",
            "int",
            "30",
            "Results with fewer (weighted) reviews carry the warning low_sample.",
        ),
    ];
    const REASONS: &'static [&'static str] = &[UNKNOWN_CRITERION, DUPLICATE_CRITERION];

    type Params = IqsParams;
    type State = IqsState;

    fn bind(params: IqsParams, inputs: &BoundInputs) -> Result<Self, String> {
        // `score` is optional only so that empty (N/A) cells reach `update`; a scorecard
        // without scores is a configuration error.
        if !inputs.is_mapped(SCORE) {
            return Err(
                "map the score input (inputs = { ..., score = \"<field>\" }); empty scores \
                 mean not applicable"
                    .to_string(),
            );
        }
        Iqs::new(params)
    }

    #[inline]
    fn update(&self, state: &mut IqsState, row: &Row<'_>) -> Result<(), Reject> {
        self.tally(
            state,
            row.text(REVIEW_ID),
            row.text(CRITERION),
            row.number(SCORE),
            row.weight(),
        )
    }

    fn merge(&self, into: &mut IqsState, from: &IqsState) {
        into.merge(from);
    }

    fn finish(&self, state: &IqsState) -> MetricResult {
        self.result(state)
    }
}

cxm_sdk::export_plugin!(Iqs);
