//! Mean score: the weighted mean of any numeric answer on a declared scale.
use cxm_sdk::prelude::*;

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Params {
    scale: [f64; 2],
}

impl Default for Params {
    fn default() -> Self {
        Params { scale: [1.0, 5.0] }
    }
}

struct MeanScore {
    scale: [f64; 2],
}

/// Weighted count and weighted sum: merging two states adds them.
#[derive(Default)]
struct Sums {
    n: f64,
    sum: f64,
}

impl Metric for MeanScore {
    const NAME: &'static str = "mean_score";
    const DESCRIPTION: &'static str = "Weighted mean of a numeric answer on a declared scale.";
    const INPUTS: &'static [Input] = &[Input::required("score", InputType::Number, "the answer")];
    const PARAMS: &'static [Param] =
        &[Param::new("scale", "[min, max]", "[1, 5]", "valid answers")];
    type Params = Params;
    type State = Sums;

    fn bind(p: Params, _: &BoundInputs) -> Result<Self, String> {
        if p.scale[0] >= p.scale[1] {
            return Err(format!("scale {:?} must go from low to high", p.scale));
        }
        Ok(MeanScore { scale: p.scale })
    }

    fn update(&self, s: &mut Sums, row: &Row<'_>) -> Result<(), Reject> {
        let x = row.number(0).ok_or(Reject::Empty)?;
        if x < self.scale[0] || x > self.scale[1] {
            return Err(Reject::OutOfScale);
        }
        s.n += row.weight();
        s.sum += row.weight() * x;
        Ok(())
    }

    fn merge(&self, into: &mut Sums, from: &Sums) {
        into.n += from.n;
        into.sum += from.sum;
    }

    fn finish(&self, s: &Sums) -> MetricResult {
        let unit = format!("mean score ({}-{})", self.scale[0], self.scale[1]);
        let value = (s.n > 0.0).then(|| s.sum / s.n);
        MetricResult {
            value,
            n: s.n,
            unit,
            ..Default::default()
        }
    }
}

export_plugin!(MeanScore);
