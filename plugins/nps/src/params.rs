//! The params of the `nps` metric (ranges, interval method, bands, confidence, min_n),
//! their spec defaults, and their validation with messages a consultant can act on.

use cxm_sdk::prelude::*;

/// The NPS answer scale; another scale is a configuration error, not NPS.
pub const SCALE: [i64; 2] = [0, 10];

/// How the confidence interval of the NPS is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Var = (p + d − (p − d)²) / n on the observed shares.
    #[default]
    Wald,
    /// The Wald formula on shares adjusted by 0.75 promoters, 1.5 passives and 0.75
    /// detractors (n' = n + 3); better coverage for small samples and extreme scores.
    AdjustedWald,
}

impl CiMethod {
    /// The name reported in the interval's `method`.
    pub fn name(self) -> &'static str {
        match self {
            CiMethod::Wald => "wald",
            CiMethod::AdjustedWald => "adjusted_wald",
        }
    }
}

/// Lower bounds of the named NPS bands; below `needs_work` the band is "critical".
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bands {
    /// Lowest NPS that is "needs work" (default 0).
    pub needs_work: f64,
    /// Lowest NPS that is "good" (default 30).
    pub good: f64,
    /// Lowest NPS that is "excellent" (default 70).
    pub excellent: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            needs_work: 0.0,
            good: 30.0,
            excellent: 70.0,
        }
    }
}

/// The `params` table of the `nps` metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NpsParams {
    /// Inclusive score range of promoters.
    pub promoters: [i64; 2],
    /// Inclusive score range of passives.
    pub passives: [i64; 2],
    /// Inclusive score range of detractors.
    pub detractors: [i64; 2],
    /// How the interval is computed.
    pub ci_method: CiMethod,
    /// Band thresholds.
    pub bands: Bands,
    /// Confidence level of the interval, as a fraction.
    pub confidence: f64,
    /// Below this weighted n the result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for NpsParams {
    fn default() -> Self {
        NpsParams {
            promoters: [9, 10],
            passives: [7, 8],
            detractors: [0, 6],
            ci_method: CiMethod::Wald,
            bands: Bands::default(),
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// `[9, 10]` as `9-10`, `[7, 7]` as `7`.
pub(crate) fn range_text([lo, hi]: [i64; 2]) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

/// The two-sided normal critical value of `confidence`, or a message for the user.
pub(crate) fn critical_value(confidence: f64) -> Result<f64, String> {
    cxm_stats::check_confidence(confidence)
}

/// Checks that the three ranges partition 0-10.
pub(crate) fn check_partition(params: &NpsParams) -> Result<(), String> {
    let groups = [
        ("promoters", params.promoters),
        ("passives", params.passives),
        ("detractors", params.detractors),
    ];
    for (name, [lo, hi]) in groups {
        if lo > hi {
            return Err(format!(
                "{name} = [{lo}, {hi}] runs backwards: write the lowest score first ([{hi}, {lo}])"
            ));
        }
        if lo < SCALE[0] || hi > SCALE[1] {
            return Err(format!(
                "{name} = [{lo}, {hi}] goes outside the NPS answer scale 0-10 \
                 (NPS is defined on 0-10 only; use another metric for other scales)"
            ));
        }
    }
    for score in SCALE[0]..=SCALE[1] {
        let owners: Vec<&str> = groups
            .iter()
            .filter(|(_, [lo, hi])| (*lo..=*hi).contains(&score))
            .map(|(name, _)| *name)
            .collect();
        let problem = match owners.as_slice() {
            [_] => continue,
            [] => "in none".to_string(),
            [a, b] => format!("in both {a} and {b}"),
            _ => format!("in all of {}", owners.join(", ")),
        };
        return Err(format!(
            "promoters, passives and detractors must partition 0-10 without gaps or overlaps; \
             {score} is {problem} (promoters = {}, passives = {}, detractors = {})",
            range_text(params.promoters),
            range_text(params.passives),
            range_text(params.detractors),
        ));
    }
    Ok(())
}

/// Checks that the band thresholds are finite and rise.
pub(crate) fn check_bands(b: &Bands) -> Result<(), String> {
    let thresholds = [b.needs_work, b.good, b.excellent];
    let rising = thresholds.windows(2).all(|pair| pair[0] < pair[1]);
    if !rising || !thresholds.iter().all(|x| x.is_finite()) {
        return Err(format!(
            "bands must rise: needs_work ({}) < good ({}) < excellent ({})",
            b.needs_work, b.good, b.excellent
        ));
    }
    Ok(())
}

/// The band of an NPS value: "critical", "needs work", "good" or "excellent".
pub fn band(nps: f64, bands: &Bands) -> &'static str {
    if nps >= bands.excellent {
        "excellent"
    } else if nps >= bands.good {
        "good"
    } else if nps >= bands.needs_work {
        "needs work"
    } else {
        "critical"
    }
}
