//! The cxm engine: turns a validated client config into a bound plan (plugins loaded, field
//! types settled, params bound, headers checked) and runs it, streaming each dataset once
//! through every metric bound to it and rolling groups up by merging accumulator state.

mod chunk;
mod context;
mod derive;
mod error;
mod filter;
mod finish;
mod fxhash;
mod grouping;
mod in_flight;
mod lookup;
mod merge;
mod pipeline;
mod plan;
mod row_weights;
mod run;
mod sample;
mod sources;
mod weighting;

pub use error::EngineError;
pub use plan::{build_plan, DatasetPlan, FailedMetric, MetricPlan, Plan};
pub use run::{default_threads, run, Progress, RunOptions, MAX_DEFAULT_THREADS};
pub use sample::{check_sample, SAMPLE_ROWS};
