//! Lookups and formatting over one report: a metric's results by grouping, the latest
//! period, the number of decimals a figure is shown with, and figures wrapped for the page.

use crate::doc::{fig, Source};
use crate::i18n::Locale;
use crate::i18n::{Labels, Lang};
use cxm_report::{MetricSummary, ResultRow, RunReport};

/// The key a result's period has in its group.
pub const PERIOD: &str = "period";

/// A report seen in one language.
pub struct View<'a> {
    pub report: &'a RunReport,
    pub lang: Lang,
    pub l: &'static Labels,
}

/// Decimals for a figure in `unit` of about `magnitude`: one for points and percentages,
/// otherwise by size (two below 10, one below 1,000, none above).
pub fn decimals(unit: &str, magnitude: f64) -> usize {
    let u = unit.to_ascii_lowercase();
    if u.contains('%') || u.contains("nps") || u.contains("points") || u.contains("percent") {
        return 1;
    }
    let m = magnitude.abs();
    if !m.is_finite() || m < 10.0 {
        2
    } else if m < 1000.0 {
        1
    } else {
        0
    }
}

/// Decimals for a count: none when whole, else one.
pub fn count_decimals(n: f64) -> usize {
    usize::from(n.fract() != 0.0)
}

impl<'a> View<'a> {
    /// A view of `report` in `lang`.
    pub fn new(report: &'a RunReport, lang: Lang) -> Self {
        View {
            report,
            lang,
            l: lang.labels(),
        }
    }

    /// All results of a metric, in report order.
    pub fn results(&self, metric: &str) -> Vec<&'a ResultRow> {
        self.report
            .results
            .iter()
            .filter(|r| r.metric == metric)
            .collect()
    }

    /// The result over everything (empty group).
    pub fn overall(&self, metric: &str) -> Option<&'a ResultRow> {
        self.report
            .results
            .iter()
            .find(|r| r.metric == metric && r.group.is_empty())
    }

    /// The results grouped by period alone, in period order.
    pub fn periods(&self, metric: &str) -> Vec<&'a ResultRow> {
        self.results(metric)
            .into_iter()
            .filter(|r| r.group.len() == 1 && r.group[0].0 == PERIOD)
            .collect()
    }

    /// The latest period's result with a value, if the metric is grouped by period.
    pub fn latest(&self, metric: &str) -> Option<&'a ResultRow> {
        self.periods(metric)
            .into_iter()
            .rev()
            .find(|r| r.result.value.is_some())
    }

    /// The headline result: the latest period's when grouped by period, else the overall.
    pub fn headline(&self, metric: &str) -> Option<&'a ResultRow> {
        self.latest(metric).or_else(|| self.overall(metric))
    }

    /// Segments of one dimension: in the latest period when the results have exactly that
    /// dimension and the period (so they carry a change), else over all periods. Returns the
    /// rows and the period they are in (`None`: all periods).
    pub fn segments(&self, metric: &str, dimension: &str) -> (Vec<&'a ResultRow>, Option<String>) {
        let results = self.results(metric);
        if let Some(latest) = self.latest(metric) {
            let period = latest.group[0].1.clone();
            let rows: Vec<&ResultRow> = results
                .iter()
                .copied()
                .filter(|r| {
                    r.group.len() == 2
                        && r.group[0].0 == dimension
                        && r.group[1].0 == PERIOD
                        && r.group[1].1 == period
                })
                .collect();
            if !rows.is_empty() {
                return (rows, period);
            }
        }
        let rows = results
            .into_iter()
            .filter(|r| r.group.len() == 1 && r.group[0].0 == dimension)
            .collect();
        (rows, None)
    }

    /// The summary of a metric.
    pub fn summary(&self, metric: &str) -> Option<&'a MetricSummary> {
        self.report.metrics.iter().find(|m| m.metric == metric)
    }

    /// The display name of a metric: its own label, else the catalog's name of its plugin
    /// (with the id when another unlabelled metric has the same plugin), else its id.
    pub fn name(&self, m: &MetricSummary) -> String {
        let labelled = |x: &MetricSummary| !x.label.is_empty() && x.label != x.metric;
        if labelled(m) {
            return m.label.clone();
        }
        let shared = self
            .report
            .metrics
            .iter()
            .filter(|x| x.plugin == m.plugin && !labelled(x))
            .count()
            > 1;
        match crate::names::catalog_name(self.lang, &m.plugin) {
            Some(name) if shared => format!("{name} · {}", m.metric),
            Some(name) => name.to_string(),
            None => m.metric.clone(),
        }
    }

    /// A result's unit in the report's language.
    pub fn unit(&self, row: &ResultRow) -> String {
        crate::names::unit(self.lang, &row.result.unit)
    }

    /// What the metric is, in the report's language: the plugin's own description for a
    /// plugin outside the catalog, or in English.
    pub fn description(&self, m: &MetricSummary) -> Option<String> {
        let catalog = crate::names::catalog_name(self.lang, &m.plugin).is_some();
        (!m.description.is_empty() && (self.lang == Lang::En || !catalog))
            .then(|| m.description.clone())
    }

    /// A group's values in words (`North · Q3 2025`); the overall group is "Overall".
    pub fn group_label(&self, group: &[(cxm_report::Name, Option<String>)]) -> String {
        if group.is_empty() {
            return self.l.overall.to_string();
        }
        group
            .iter()
            .map(|(k, v)| match v {
                None => self.l.missing.to_string(),
                Some(v) if k == PERIOD => self.lang.period(v),
                Some(v) => v.clone(),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// The value of one dimension of a group, in words.
    pub fn key_label(&self, row: &ResultRow, key: &str) -> String {
        match row.group.iter().find(|(k, _)| k == key) {
            Some((_, Some(v))) if key == PERIOD => self.lang.period(v),
            Some((_, Some(v))) => v.clone(),
            _ => self.l.missing.to_string(),
        }
    }

    /// Decimals for a metric's values, from its headline.
    pub fn metric_decimals(&self, metric: &str) -> usize {
        let unit_and_size = self
            .headline(metric)
            .map(|r| (r.result.unit.as_str(), r.result.value.unwrap_or(0.0)));
        match unit_and_size {
            Some((unit, value)) => decimals(unit, value),
            None => 1,
        }
    }

    /// A result's field as a figure.
    pub fn rfig(&self, row: &ResultRow, field: &str, x: f64, decimals: usize) -> String {
        fig(
            x,
            &self.lang.number(x, decimals),
            &Source::Result {
                metric: &row.metric,
                group: &row.group,
                field,
            },
        )
    }

    /// A result's field as a signed figure (`+2.5`).
    pub fn rfig_signed(&self, row: &ResultRow, field: &str, x: f64, decimals: usize) -> String {
        fig(
            x,
            &self.lang.signed(x, decimals),
            &Source::Result {
                metric: &row.metric,
                group: &row.group,
                field,
            },
        )
    }

    /// A result's p-value field as a figure.
    pub fn rfig_p(&self, row: &ResultRow, field: &str, p: f64) -> String {
        fig(
            p,
            &self.lang.p_value(p),
            &Source::Result {
                metric: &row.metric,
                group: &row.group,
                field,
            },
        )
    }

    /// The value, or why there is none.
    pub fn value_html(&self, row: &ResultRow, decimals: usize) -> String {
        match row.result.value {
            Some(v) => self.rfig(row, "value", v, decimals),
            None if self.is_suppressed(row) => {
                format!("<span class=\"muted\">{}</span>", self.l.suppressed)
            }
            None => format!("<span class=\"muted\">{}</span>", self.l.no_value),
        }
    }

    /// `[low – high]` as figures, or empty.
    pub fn ci_html(&self, row: &ResultRow, decimals: usize) -> String {
        match &row.result.ci {
            Some(ci) => format!(
                "{}&#8202;–&#8202;{}",
                self.rfig(row, "ci.low", ci.low, decimals),
                self.rfig(row, "ci.high", ci.high, decimals)
            ),
            None => String::new(),
        }
    }

    /// n as a figure.
    pub fn n_html(&self, row: &ResultRow) -> String {
        let n = row.result.n;
        self.rfig(row, "n", n, count_decimals(n)) + &crate::weighting::n_effective(self, row)
    }

    /// The change from the previous period: arrow, signed delta, `*` when significant.
    pub fn delta_html(&self, row: &ResultRow, decimals: usize) -> String {
        let Some(t) = &row.trend else {
            return String::new();
        };
        let Some(d) = t.delta else {
            return String::new();
        };
        let (class, arrow) = direction(d);
        let sig = t.significant == Some(true);
        format!(
            "<span class=\"{class}{}\">{arrow}&#8239;{}{}</span>",
            if sig { " sig" } else { "" },
            self.rfig_signed(row, "trend.delta", d, decimals),
            if sig { "*" } else { "" }
        )
    }

    /// The minimum detectable change beside the change, as a figure (empty without one).
    pub fn mdc_html(&self, row: &ResultRow, decimals: usize) -> String {
        match row.trend.as_ref().and_then(|t| t.mdc) {
            Some(m) => self.rfig(row, "trend.mdc", m, decimals),
            None => String::new(),
        }
    }

    /// The adjusted (else raw) p-value of the change, as a figure.
    pub fn p_html(&self, row: &ResultRow) -> String {
        let Some(t) = &row.trend else {
            return String::new();
        };
        match (t.p_adjusted, t.p_value) {
            (Some(p), _) => self.rfig_p(row, "trend.p_adjusted", p),
            (None, Some(p)) => self.rfig_p(row, "trend.p_value", p),
            _ => String::new(),
        }
    }

    /// The band label, if any.
    pub fn band_html(&self, row: &ResultRow) -> String {
        match row.result.details.get("band").and_then(|b| b.as_str()) {
            Some(b) => format!(
                "<span class=\"band\">{}</span>",
                crate::doc::esc(&crate::names::band(self.lang, b))
            ),
            None => String::new(),
        }
    }

    /// Whether the result has fewer answers than the minimum sample.
    pub fn is_low(&self, row: &ResultRow) -> bool {
        row.result.warnings.iter().any(|w| w == "low_sample")
    }

    /// Whether the value was withheld below the minimum sample.
    pub fn is_suppressed(&self, row: &ResultRow) -> bool {
        row.result
            .warnings
            .iter()
            .any(|w| w == "suppressed_below_min_n")
    }

    /// A count from the report's summaries as a figure.
    pub fn count_fig(&self, x: f64, source: &Source<'_>) -> String {
        fig(x, &self.lang.number(x, count_decimals(x)), source)
    }
}

/// CSS class and arrow of a change.
pub fn direction(delta: f64) -> (&'static str, &'static str) {
    if delta > 0.0 {
        ("up", "▲")
    } else if delta < 0.0 {
        ("down", "▼")
    } else {
        ("flat", "=")
    }
}

/// The trend marker a chart shows for a result (`▲*`), if it changed.
pub fn marker(row: &ResultRow) -> Option<String> {
    let t = row.trend.as_ref()?;
    let d = t.delta?;
    let (_, arrow) = direction(d);
    Some(format!(
        "{arrow}{}",
        if t.significant == Some(true) { "*" } else { "" }
    ))
}
