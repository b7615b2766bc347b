//! The `cac` and `ltv_cac` metrics (METRICS.md "CAC and LTV:CAC"), from pre-aggregated rows
//! of acquisition spend and customers acquired (e.g. one row per channel per month).
//!
//! CAC = Σ spend / Σ acquired (per channel when the host groups by channel); LTV:CAC =
//! ltv / CAC, with the lifetime value given as a param (e.g. the `clv` result). The state
//! holds two weighted sums, merged by addition, so roll-ups recompute the ratio from the
//! totals rather than averaging the groups' ratios.

use cxm_sdk::prelude::*;
use serde_json::Value;

/// Unit of `cac`.
pub const CAC_UNIT: &str = "currency units per acquired customer";
/// Unit of `ltv_cac`.
pub const LTV_CAC_UNIT: &str = "ratio (lifetime value / acquisition cost)";
/// Own reason: a negative spend or customer count.
pub const NEGATIVE_VALUE: &str = "negative_value";

const SPEND: usize = 0;
const ACQUIRED: usize = 1;

const INPUTS: &[Input] = &[
    Input::required(
        "spend",
        InputType::Number,
        "acquisition spend of the row (e.g. one channel in one month), in currency units",
    ),
    Input::required(
        "acquired",
        InputType::Number,
        "customers acquired by that spend",
    ),
];

/// The accumulator of one group: weighted sums.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CacState {
    /// Σ spend.
    pub spend: f64,
    /// Σ customers acquired.
    pub acquired: f64,
    /// Weighted number of rows read.
    pub rows: f64,
}

impl CacState {
    /// Adds the sums of `other`.
    pub fn merge(&mut self, other: &CacState) {
        self.spend += other.spend;
        self.acquired += other.acquired;
        self.rows += other.rows;
    }

    /// Folds one row (what `update` does).
    pub fn tally(
        &mut self,
        spend: Option<f64>,
        acquired: Option<f64>,
        weight: f64,
    ) -> Result<(), Reject> {
        let (spend, acquired) = (spend.ok_or(Reject::Empty)?, acquired.ok_or(Reject::Empty)?);
        if !(spend.is_finite() && acquired.is_finite()) {
            return Err(Reject::NotANumber);
        }
        if spend < 0.0 || acquired < 0.0 {
            return Err(Reject::Own(NEGATIVE_VALUE));
        }
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Reject::InvalidValue);
        }
        self.spend += spend * weight;
        self.acquired += acquired * weight;
        self.rows += weight;
        Ok(())
    }

    /// CAC = Σ spend / Σ acquired; `None` when nobody was acquired.
    pub fn cac(&self) -> Option<f64> {
        (self.acquired > 0.0).then(|| self.spend / self.acquired)
    }
}

/// ltv / CAC; `None` when CAC is undefined or zero.
fn ratio(ltv: f64, cac: Option<f64>) -> Option<f64> {
    cac.filter(|c| *c > 0.0).map(|c| ltv / c)
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

fn check_ltv(ltv: Option<f64>) -> Result<(), String> {
    match ltv {
        Some(v) if !(v.is_finite() && v > 0.0) => Err(format!(
            "ltv = {v} must be a positive number: the customer lifetime value in the same \
             currency as spend (e.g. the clv result)"
        )),
        _ => Ok(()),
    }
}

/// The common part of both results: sums, CAC, warnings.
fn base(unit: &str, state: &CacState, min_n: u64) -> MetricResult {
    let cac = state.cac();
    let mut r = MetricResult {
        n: state.acquired,
        unit: unit.to_string(),
        // No test basis (`basis` stays None): CAC is a ratio of sums (spend / acquired) and
        // LTV:CAC a given value over it; neither is an NPS, a proportion or a mean of
        // observations, so there is no standard test of their differences.
        ..Default::default()
    }
    .detail("spend", number(state.spend))
    .detail("acquired", number(state.acquired))
    .detail("cac", opt(cac));
    if state.rows <= 0.0 {
        r = r.warn("no_data");
    }
    if cac.is_none() {
        r = r.warn("no_customers_acquired");
    }
    if state.acquired < min_n as f64 || cac.is_none() {
        r = r.warn("low_sample");
    }
    r
}

/// The `params` table of `cac`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacParams {
    /// Optional lifetime value; when given, `details.ltv_cac` = ltv / CAC.
    pub ltv: Option<f64>,
    /// Below this many customers acquired the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for CacParams {
    fn default() -> Self {
        CacParams {
            ltv: None,
            min_n: 30,
        }
    }
}

/// The bound `cac` metric.
#[derive(Clone, Debug)]
pub struct Cac {
    params: CacParams,
}

impl Cac {
    /// Validates params.
    pub fn new(params: CacParams) -> Result<Self, String> {
        check_ltv(params.ltv)?;
        Ok(Cac { params })
    }

    /// The result of one group.
    pub fn result(&self, state: &CacState) -> MetricResult {
        let mut r = base(CAC_UNIT, state, self.params.min_n);
        r.value = state.cac();
        if let Some(ltv) = self.params.ltv {
            r = r
                .detail("ltv", number(ltv))
                .detail("ltv_cac", opt(ratio(ltv, state.cac())));
        }
        r
    }
}

/// The `params` table of `ltv_cac`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LtvCacParams {
    /// The customer lifetime value (required).
    pub ltv: Option<f64>,
    /// Below this many customers acquired the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for LtvCacParams {
    fn default() -> Self {
        LtvCacParams {
            ltv: None,
            min_n: 30,
        }
    }
}

/// The bound `ltv_cac` metric.
#[derive(Clone, Debug)]
pub struct LtvCac {
    ltv: f64,
    min_n: u64,
}

impl LtvCac {
    /// Validates params: `ltv` is required and positive.
    pub fn new(params: LtvCacParams) -> Result<Self, String> {
        check_ltv(params.ltv)?;
        let ltv = params.ltv.ok_or(
            "ltv is required: the customer lifetime value in the same currency as spend, \
             e.g. ltv = 750 (the clv result)",
        )?;
        Ok(LtvCac {
            ltv,
            min_n: params.min_n,
        })
    }

    /// The result of one group: ltv / CAC; no value when nobody was acquired or nothing
    /// was spent (a zero CAC makes the ratio unbounded; warning `no_spend`).
    pub fn result(&self, state: &CacState) -> MetricResult {
        let mut r = base(LTV_CAC_UNIT, state, self.min_n).detail("ltv", number(self.ltv));
        r.value = ratio(self.ltv, state.cac());
        if state.cac() == Some(0.0) {
            r = r.warn("no_spend");
        }
        r
    }
}

macro_rules! cac_metric {
    ($ty:ident, $params:ty, $name:literal, $description:literal, $params_doc:expr) => {
        impl Metric for $ty {
            const NAME: &'static str = $name;
            const DESCRIPTION: &'static str = $description;
            const INPUTS: &'static [Input] = INPUTS;
            const PARAMS: &'static [Param] = $params_doc;
            const REASONS: &'static [&'static str] = &[NEGATIVE_VALUE];

            type Params = $params;
            type State = CacState;

            fn bind(params: $params, _inputs: &BoundInputs) -> Result<Self, String> {
                $ty::new(params)
            }

            #[inline]
            fn update(&self, state: &mut CacState, row: &Row<'_>) -> Result<(), Reject> {
                state.tally(row.number(SPEND), row.number(ACQUIRED), row.weight())
            }

            fn merge(&self, into: &mut CacState, from: &CacState) {
                into.merge(from);
            }

            fn finish(&self, state: &CacState) -> MetricResult {
                self.result(state)
            }
        }
    };
}

const MIN_N_DOC: Param = Param::new(
    "min_n",
    "int",
    "30",
    "Results with fewer customers acquired carry the warning low_sample.",
);

cac_metric!(
    Cac,
    CacParams,
    "cac",
    "Customer acquisition cost: total acquisition spend / customers acquired.",
    &[
        Param::new(
            "ltv",
            "number",
            "(none)",
            "Customer lifetime value; when given, details.ltv_cac = ltv / CAC."
        ),
        MIN_N_DOC
    ]
);
cac_metric!(
    LtvCac,
    LtvCacParams,
    "ltv_cac",
    "LTV:CAC ratio: customer lifetime value / (total acquisition spend / customers acquired).",
    &[
        Param::new(
            "ltv",
            "number",
            "(required)",
            "Customer lifetime value in the currency of spend (e.g. the clv result)."
        ),
        MIN_N_DOC
    ]
);
