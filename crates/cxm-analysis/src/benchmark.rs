//! Results against a benchmark: the difference and a one-sided test of whether the result
//! is above (or below) the benchmark value, treating the benchmark as a fixed figure.

use cxm_config::Benchmark;
use cxm_report::{BenchmarkComparison, RunReport};
use cxm_result::TestBasis;
use cxm_stats::TestOutcome;

fn one_sided_test(basis: &TestBasis, benchmark: f64) -> Option<TestOutcome> {
    match basis {
        TestBasis::Nps {
            promoters,
            detractors,
            n,
        } => cxm_stats::nps_vs_benchmark((*promoters, *detractors, *n), benchmark),
        TestBasis::Proportion { successes, n } => {
            cxm_stats::proportion_vs_benchmark(*successes, *n, benchmark)
        }
        TestBasis::Mean { mean, variance, n } => {
            cxm_stats::mean_vs_benchmark(*mean, *variance, *n, benchmark)
        }
    }
}

pub(crate) fn compare(report: &mut RunReport, metric: &str, bench: &Benchmark, alpha: f64) {
    for row in report.results.iter_mut().filter(|r| r.metric == metric) {
        if row.plugin != bench.metric {
            row.result
                .warnings
                .push(format!("benchmark_is_for_{}", bench.metric));
            continue;
        }
        let delta = row.result.value.map(|v| v - bench.value);
        let direction = match delta {
            Some(d) if d > 0.0 => "above",
            Some(d) if d < 0.0 => "below",
            Some(_) => "equal",
            None => "unknown",
        };
        let outcome = row
            .result
            .basis
            .as_ref()
            .map(|b| crate::design::effective(b, row.design.as_deref()))
            .and_then(|b| one_sided_test(&b, bench.value));
        row.benchmark = Some(Box::new(BenchmarkComparison {
            id: bench.id.clone(),
            segment: bench.segment.clone(),
            source: bench.source.clone(),
            value: bench.value,
            delta,
            direction: direction.to_string(),
            test: outcome.map(|o| o.method.to_string()),
            p_value: outcome.map(|o| o.p_value),
            significant: outcome.map(|o| o.p_value < alpha),
        }));
    }
}
