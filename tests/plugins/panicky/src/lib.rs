//! Test fixture: a metric that panics where its params say (`panic_in = "update"`,
//! `"finish"` or `"bind"`), to test that the SDK catches panics and the host reports them
//! while other metrics still produce results.

use cxm_sdk::prelude::*;

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Params {
    panic_in: String,
}

struct Panicky {
    panic_in: String,
}

impl Metric for Panicky {
    const NAME: &'static str = "panicky";
    const DESCRIPTION: &'static str = "Counts rows, then panics where told to (test fixture).";
    const INPUTS: &'static [Input] = &[Input::required("score", InputType::Integer, "any integer")];
    type Params = Params;
    type State = f64;

    fn bind(params: Params, _: &BoundInputs) -> Result<Self, String> {
        if params.panic_in == "bind" {
            panic!("deliberate panic in bind");
        }
        Ok(Panicky {
            panic_in: params.panic_in,
        })
    }

    fn update(&self, n: &mut f64, row: &Row<'_>) -> Result<(), Reject> {
        if self.panic_in == "update" {
            panic!("deliberate panic in update");
        }
        *n += row.weight();
        Ok(())
    }

    fn merge(&self, into: &mut f64, from: &f64) {
        *into += from;
    }

    fn finish(&self, n: &f64) -> MetricResult {
        if self.panic_in == "finish" {
            panic!("deliberate panic in finish");
        }
        MetricResult {
            value: Some(*n),
            n: *n,
            unit: "rows".into(),
            ..Default::default()
        }
    }
}

export_plugin!(Panicky);
