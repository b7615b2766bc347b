//! Mean score: the weighted mean of any numeric answer on a declared scale, with its
//! t-interval and the basis the report tests changes with.
use cxm_sdk::prelude::*;
use cxm_sdk::stats::{check_confidence, t_interval, Moments};

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Params {
    scale: [f64; 2],
    confidence: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            scale: [1.0, 5.0],
            confidence: 0.95,
        }
    }
}

struct MeanScore {
    scale: [f64; 2],
    confidence: f64,
}

impl Metric for MeanScore {
    const NAME: &'static str = "mean_score";
    const DESCRIPTION: &'static str =
        "Weighted mean of a numeric answer on a declared scale, with a t-interval.";
    const INPUTS: &'static [Input] = &[Input::required("score", InputType::Number, "the answer")];
    const PARAMS: &'static [Param] = &[
        Param::new("scale", "[min, max]", "[1, 5]", "valid answers"),
        Param::new("confidence", "number", "0.95", "level of the interval"),
    ];
    type Params = Params;
    /// Weighted count, sum and sum of squares: merging two states adds them.
    type State = Moments;

    fn bind(p: Params, _: &BoundInputs) -> Result<Self, String> {
        if p.scale[0] >= p.scale[1] {
            return Err(format!("scale {:?} must go from low to high", p.scale));
        }
        check_confidence(p.confidence)?;
        Ok(MeanScore {
            scale: p.scale,
            confidence: p.confidence,
        })
    }

    #[inline]
    fn update(&self, s: &mut Moments, row: &Row<'_>) -> Result<(), Reject> {
        let x = row.number(0).ok_or(Reject::Empty)?;
        if x < self.scale[0] || x > self.scale[1] {
            return Err(Reject::OutOfScale);
        }
        s.add(x, row.weight());
        Ok(())
    }

    fn merge(&self, into: &mut Moments, from: &Moments) {
        into.merge(from);
    }

    fn finish(&self, s: &Moments) -> MetricResult {
        let ci = t_interval(s, self.confidence).map(|(low, high)| Interval {
            low,
            high,
            level: self.confidence,
            method: "t".into(),
        });
        // What the report's significance tests need: without a basis, no change of this
        // metric between periods can ever be marked significant.
        let basis = match (s.mean(), s.sample_variance()) {
            (Some(mean), Some(variance)) => Some(TestBasis::Mean {
                mean,
                variance,
                n: s.weight,
            }),
            _ => None,
        };
        MetricResult {
            value: s.mean(),
            n: s.weight,
            unit: format!("mean score ({}-{})", self.scale[0], self.scale[1]),
            ci,
            basis,
            ..Default::default()
        }
    }
}

export_plugin!(MeanScore);
