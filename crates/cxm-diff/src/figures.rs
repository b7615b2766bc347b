//! Figure by figure: every result of the old run matched with the new run's result of the
//! same metric id and group (period included), its change, and a two-sided test of the
//! change from the stored test basis, as cxm-analysis tests period-over-period trends.

use cxm_report::{Name, ResultRow, RunReport};
use cxm_result::TestBasis;
use cxm_stats::TestOutcome;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};

/// A group: (dimension, value) pairs in grouping order, the period under `period`.
pub type Group = Vec<(Name, Option<String>)>;

/// What happened to a figure present in both runs.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Same value and n.
    Unchanged,
    /// Value or n changed, and the figure is not of a closed period both runs cover
    /// (an overall or per-segment figure, or the old run's open latest period).
    Changed,
    /// Value or n changed for a period both runs cover: history was restated.
    Restated,
}

/// One side of a figure.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Side {
    /// The value (`None`: undefined or withheld).
    pub value: Option<f64>,
    /// Weighted observations.
    pub n: f64,
}

/// A figure present in both runs.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FigureChange {
    /// Metric id.
    pub metric: String,
    /// The group, period included (`{}` for the overall figure).
    #[serde(serialize_with = "group_as_object")]
    pub group: Group,
    /// The period label, if the figure has one.
    pub period: Option<String>,
    /// The unit of the values and of `delta` (the new run's).
    pub unit: String,
    /// Restated, changed or unchanged.
    pub status: Status,
    /// The old run's figure.
    pub old: Side,
    /// The new run's figure.
    pub new: Side,
    /// New minus old value, in `unit`.
    pub delta: Option<f64>,
    /// New minus old n.
    pub delta_n: f64,
    /// Test of the change (independent samples): `nps_difference_z`, `two_proportion_z`
    /// or `welch_t`; `None` when unchanged or without a basis on both sides.
    pub test: Option<String>,
    /// z or t.
    pub statistic: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// p-value adjusted within the metric's changed figures (the new run's adjustment).
    pub p_adjusted: Option<f64>,
    /// Whether `p_adjusted` is below alpha.
    pub significant: Option<bool>,
}

/// A figure present in one run only.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Figure {
    /// Metric id.
    pub metric: String,
    /// The group, period included.
    #[serde(serialize_with = "group_as_object")]
    pub group: Group,
    /// The period label, if any.
    pub period: Option<String>,
    /// Unit of the value.
    pub unit: String,
    /// The value.
    pub value: Option<f64>,
    /// Weighted observations.
    pub n: f64,
}

/// Writes a group as a JSON object in grouping order, as results.json does.
fn group_as_object<S: Serializer>(group: &Group, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(group.len()))?;
    for (k, v) in group {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// How figures are classified and tested.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureOptions {
    /// Significance level.
    pub alpha: f64,
    /// p-value adjustment within each metric: `none`, `holm` or `benjamini-hochberg`.
    pub adjustment: String,
    /// The old run's latest period was still open (partial) when it ran: its changes are
    /// `changed`, not `restated`.
    pub latest_open: bool,
}

/// The figure-level comparison.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FigureDiff {
    /// Figures in both runs, in the old run's order.
    pub common: Vec<FigureChange>,
    /// Figures only in the old run (dropped periods, groups or metrics).
    pub only_old: Vec<Figure>,
    /// Figures only in the new run (new periods, groups or metrics).
    pub only_new: Vec<Figure>,
    /// The old run's latest period label, if it has periods.
    pub old_latest_period: Option<String>,
}

/// The test of the change from `a` (old) to `b` (new): the same tests, on the same
/// statistics, as the period-over-period trends of cxm-analysis.
pub fn change_test(a: &TestBasis, b: &TestBasis) -> Option<TestOutcome> {
    cxm_analysis::difference_test(a, b)
}

/// Whether two figures are equal up to floating-point noise (relative 1e-9).
pub fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

fn period_of(group: &Group) -> Option<String> {
    group
        .iter()
        .find(|(k, _)| k == "period")
        .and_then(|(_, v)| v.clone())
}

fn figure(row: &ResultRow) -> Figure {
    Figure {
        metric: row.metric.to_string(),
        group: row.group.clone(),
        period: period_of(&row.group),
        unit: row.result.unit.clone(),
        value: row.result.value,
        n: row.result.n,
    }
}

/// Matches and classifies every figure of the two reports.
pub fn compare_figures(old: &RunReport, new: &RunReport, options: &FigureOptions) -> FigureDiff {
    let key = |r: &ResultRow| (r.metric.clone(), r.group.clone());
    let new_index: HashMap<(Name, Group), &ResultRow> =
        new.results.iter().map(|r| (key(r), r)).collect();
    let old_keys: HashMap<(Name, Group), ()> = old.results.iter().map(|r| (key(r), ())).collect();
    // Period labels are zero-padded, so the greatest is the latest.
    let old_latest_period = old.results.iter().filter_map(|r| period_of(&r.group)).max();

    let mut diff = FigureDiff {
        old_latest_period: old_latest_period.clone(),
        ..FigureDiff::default()
    };
    for o in &old.results {
        let Some(n) = new_index.get(&key(o)) else {
            diff.only_old.push(figure(o));
            continue;
        };
        let period = period_of(&o.group);
        let moved =
            !same(o.result.value, n.result.value) || !same(Some(o.result.n), Some(n.result.n));
        let open = options.latest_open && period.is_some() && period == old_latest_period;
        let status = match (moved, period.is_some() && !open) {
            (false, _) => Status::Unchanged,
            (true, true) => Status::Restated,
            (true, false) => Status::Changed,
        };
        // With survey weights, each side at its Kish effective n.
        let outcome = match (moved, &o.result.basis, &n.result.basis) {
            (true, Some(a), Some(b)) => change_test(
                &cxm_analysis::effective_basis(a, o.design.as_deref()),
                &cxm_analysis::effective_basis(b, n.design.as_deref()),
            ),
            _ => None,
        };
        let delta = match (o.result.value, n.result.value) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        diff.common.push(FigureChange {
            metric: o.metric.to_string(),
            group: o.group.clone(),
            period,
            unit: n.result.unit.clone(),
            status,
            old: Side {
                value: o.result.value,
                n: o.result.n,
            },
            new: Side {
                value: n.result.value,
                n: n.result.n,
            },
            delta,
            delta_n: n.result.n - o.result.n,
            test: outcome.map(|t| t.method.to_string()),
            statistic: outcome.map(|t| t.statistic),
            p_value: outcome.map(|t| t.p_value),
            p_adjusted: None,
            significant: None,
        });
    }
    diff.only_new = new
        .results
        .iter()
        .filter(|r| !old_keys.contains_key(&key(r)))
        .map(figure)
        .collect();
    adjust(&mut diff.common, options);
    diff
}

/// Adjusts the p-values of each metric's tested changes together.
fn adjust(common: &mut [FigureChange], options: &FigureOptions) {
    let mut families: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in common.iter().enumerate() {
        if f.p_value.is_some() {
            families.entry(f.metric.clone()).or_default().push(i);
        }
    }
    for rows in families.values() {
        let p: Vec<f64> = rows.iter().filter_map(|&i| common[i].p_value).collect();
        let adjusted = match options.adjustment.as_str() {
            "holm" => cxm_stats::holm(&p),
            "benjamini-hochberg" => cxm_stats::benjamini_hochberg(&p),
            _ => p.clone(),
        };
        for (&i, q) in rows.iter().zip(adjusted) {
            common[i].p_adjusted = Some(q);
            common[i].significant = Some(q < options.alpha);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxm_result::MetricResult;

    fn row(metric: &str, group: &[(&str, &str)], value: f64, basis: TestBasis) -> ResultRow {
        let n = match &basis {
            TestBasis::Nps { n, .. }
            | TestBasis::Proportion { n, .. }
            | TestBasis::Mean { n, .. } => *n,
        };
        ResultRow {
            metric: metric.into(),
            plugin: metric.into(),
            group: group
                .iter()
                .map(|(k, v)| (Name::from(*k), Some(v.to_string())))
                .collect(),
            result: MetricResult {
                value: Some(value),
                unit: "%".into(),
                n,
                basis: Some(basis),
                ..Default::default()
            },
            trend: None,
            benchmark: None,
            design: None,
        }
    }

    fn prop(x: f64, n: f64) -> TestBasis {
        TestBasis::Proportion { successes: x, n }
    }

    fn options(latest_open: bool) -> FigureOptions {
        FigureOptions {
            alpha: 0.05,
            adjustment: "none".into(),
            latest_open,
        }
    }

    fn report(results: Vec<ResultRow>) -> RunReport {
        RunReport {
            results,
            ..Default::default()
        }
    }

    #[test]
    fn two_proportion_change_is_tested_from_the_counts() {
        // 40/100 -> 50/100: pooled p = 0.45, se = sqrt(0.45 * 0.55 * 0.02) = 0.0703562,
        // z = 0.10 / 0.0703562 = 1.421338, p = 2 (1 - Phi(1.421338)) = 0.155218.
        let old = report(vec![row(
            "csat",
            &[("period", "2025-01")],
            40.0,
            prop(40.0, 100.0),
        )]);
        let new = report(vec![row(
            "csat",
            &[("period", "2025-01")],
            50.0,
            prop(50.0, 100.0),
        )]);
        let d = compare_figures(&old, &new, &options(false));
        let f = &d.common[0];
        assert_eq!(f.status, Status::Restated);
        assert_eq!(f.delta, Some(10.0));
        assert_eq!(f.delta_n, 0.0);
        assert_eq!(f.test.as_deref(), Some("two_proportion_z"));
        assert!((f.statistic.unwrap() - 1.421338).abs() < 1e-6);
        assert!((f.p_value.unwrap() - 0.155218).abs() < 1e-6);
        assert_eq!(f.significant, Some(false));
    }

    #[test]
    fn nps_change_uses_the_nps_difference_test() {
        // (P, D, n) = (50, 20, 100) -> (60, 10, 100): NPS 30 -> 50;
        // Var_a = (0.7 - 0.09) / 100 = 0.0061, Var_b = (0.7 - 0.25) / 100 = 0.0045,
        // z = 0.2 / sqrt(0.0106) = 1.942572, p = 0.052068.
        let nps = |p: f64, d: f64| TestBasis::Nps {
            promoters: p,
            detractors: d,
            n: 100.0,
        };
        let old = report(vec![row("nps", &[], 30.0, nps(50.0, 20.0))]);
        let new = report(vec![row("nps", &[], 50.0, nps(60.0, 10.0))]);
        let f = &compare_figures(&old, &new, &options(false)).common[0];
        assert_eq!(
            f.status,
            Status::Changed,
            "no period: changed, not restated"
        );
        assert!((f.statistic.unwrap() - 1.942572).abs() < 1e-6);
        assert!((f.p_value.unwrap() - 0.052068).abs() < 1e-6);
    }

    #[test]
    fn unchanged_figures_are_not_tested_and_one_sided_figures_are_listed() {
        let old = report(vec![
            row("csat", &[("period", "2025-01")], 40.0, prop(40.0, 100.0)),
            row("csat", &[("region", "North")], 40.0, prop(40.0, 100.0)),
        ]);
        let new = report(vec![
            row("csat", &[("period", "2025-01")], 40.0, prop(40.0, 100.0)),
            row("csat", &[("period", "2025-02")], 60.0, prop(60.0, 100.0)),
        ]);
        let d = compare_figures(&old, &new, &options(false));
        assert_eq!(d.common.len(), 1);
        assert_eq!(d.common[0].status, Status::Unchanged);
        assert_eq!(d.common[0].test, None);
        assert_eq!(d.only_old.len(), 1);
        assert_eq!(d.only_old[0].group[0].0, "region");
        assert_eq!(d.only_new.len(), 1);
        assert_eq!(d.only_new[0].period.as_deref(), Some("2025-02"));
    }

    #[test]
    fn a_change_of_n_alone_restates_and_the_open_latest_period_is_only_changed() {
        // Same 40 % but of 200 answers instead of 100: the month moved.
        let old = report(vec![
            row("csat", &[("period", "2025-01")], 40.0, prop(40.0, 100.0)),
            row("csat", &[("period", "2025-02")], 40.0, prop(40.0, 100.0)),
        ]);
        let new = report(vec![
            row("csat", &[("period", "2025-01")], 40.0, prop(80.0, 200.0)),
            row("csat", &[("period", "2025-02")], 45.0, prop(90.0, 200.0)),
        ]);
        let d = compare_figures(&old, &new, &options(true));
        assert_eq!(d.old_latest_period.as_deref(), Some("2025-02"));
        assert_eq!(d.common[0].status, Status::Restated);
        assert_eq!(d.common[0].delta, Some(0.0));
        assert_eq!(d.common[0].delta_n, 100.0);
        assert_eq!(d.common[1].status, Status::Changed);
        let strict = compare_figures(&old, &new, &options(false));
        assert_eq!(strict.common[1].status, Status::Restated);
    }

    #[test]
    fn holm_adjusts_within_a_metric() {
        // Two tests of one metric: Holm multiplies the smaller p by 2.
        let old = report(vec![
            row("csat", &[("period", "2025-01")], 40.0, prop(40.0, 100.0)),
            row("csat", &[("period", "2025-02")], 40.0, prop(40.0, 100.0)),
        ]);
        let new = report(vec![
            row("csat", &[("period", "2025-01")], 50.0, prop(50.0, 100.0)),
            row("csat", &[("period", "2025-02")], 40.0, prop(40.0, 101.0)),
        ]);
        let mut o = options(false);
        o.adjustment = "holm".into();
        let d = compare_figures(&old, &new, &o);
        let p0 = d.common[0].p_value.unwrap();
        let p1 = d.common[1].p_value.unwrap();
        assert!(p0 < p1);
        assert!((d.common[0].p_adjusted.unwrap() - 2.0 * p0).abs() < 1e-12);
    }

    #[test]
    fn equality_ignores_float_noise_only() {
        let x = 33.42237061769616_f64;
        assert!(same(Some(x), Some(x * (1.0 + 1e-15))));
        assert!(!same(Some(33.42), Some(33.43)));
        assert!(!same(None, Some(0.0)));
        assert!(same(None, None));
    }
}
