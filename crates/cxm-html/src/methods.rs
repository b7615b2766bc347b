//! Section 4, methods: for every metric, its formula, the confidence interval and the tests
//! used in this run, the p-value adjustment, the minimum detectable change and the
//! shift-share decomposition and the segment significance tests (when the run has them),
//! the minimum-sample rule and suppression, and its filter, in words a client's analyst can
//! check against the figures.

use crate::doc::{esc, Html};
use crate::i18n::Lang;
use crate::i18n::Locale;
use crate::view::View;
use cxm_report::MetricSummary;
use std::collections::BTreeSet;

/// Writes the methods section.
pub fn methods(v: &View<'_>, h: &mut Html) {
    let l = v.l;
    let en = v.lang == Lang::En;
    h.open("section", "class=\"methods\" id=\"methods\"");
    h.el("h2", "", l.methods);
    h.el("p", "", l.methods_intro);
    h.open("dl", "class=\"methods\"");
    h.el(
        "dt",
        "",
        if en {
            "General rules"
        } else {
            "Общие правила"
        },
    );
    h.el("dd", "", if en {
        "Every figure is computed from the rows listed on the cover; a row that cannot be used is counted under its reason, never dropped silently. Ratios (NPS, percentages, rates) are recomputed from merged counts for every group and total, never averaged across groups. Rows may carry a weight (multiplicity); counts, sums, means and quantiles are then weighted."
    } else {
        "Каждая цифра рассчитана по строкам, перечисленным на обложке; строка, которую нельзя использовать, учитывается с причиной и никогда не отбрасывается молча. Доли (NPS, проценты, коэффициенты) для каждой группы и итога пересчитываются из объединённых счётчиков и никогда не усредняются между группами. Строки могут иметь вес (кратность); тогда счётчики, суммы, средние и квантили взвешенные."
    });
    if let Some(a) = &v.report.analysis {
        h.el(
            "dt",
            "",
            if en {
                "Significance"
            } else {
                "Значимость"
            },
        );
        h.el("dd", "", &significance(v.lang, a));
    }
    let all: Vec<&cxm_report::ResultRow> = v.report.results.iter().collect();
    let ml = crate::movement::labels(v.lang);
    if crate::movement::any_mdc(&all) {
        h.el("dt", "", ml.mdc_method_title);
        h.el(
            "dd",
            "",
            &ml.mdc_method.replace("{alpha}", &crate::movement::alpha(v)),
        );
    }
    let decomposed = all.iter().any(|r| {
        r.trend
            .as_ref()
            .is_some_and(|t| !t.decomposition.is_empty())
    });
    if decomposed {
        h.el("dt", "", ml.why_method_title);
        h.el("dd", "", ml.why_method);
    }
    if let Some(a) = v
        .report
        .analysis
        .as_ref()
        .filter(|a| !a.segments.is_empty())
    {
        h.el("dt", "", crate::segment_sig::labels(v.lang).method_title);
        h.el("dd", "", &crate::segment_sig::method(v, a));
    }
    crate::weighting::method(v, h);
    if let Some(p) = &v.report.grouping.period {
        h.el("dt", "", if en { "Periods" } else { "Периоды" });
        h.el(
            "dd",
            "",
            &if en {
                format!(
                    "Rows are assigned to a {} by the field \"{}\" in the time zone {}{}.",
                    p.grain,
                    p.field,
                    v.report.settings.timezone,
                    if v.report.settings.fiscal_year_start != 1 {
                        format!(
                            "; quarters and years are fiscal, starting in month {}",
                            v.report.settings.fiscal_year_start
                        )
                    } else {
                        String::new()
                    }
                )
            } else {
                format!(
                    "Строки относятся к периоду ({}) по полю «{}» в часовом поясе {}{}.",
                    grain_ru(&p.grain),
                    p.field,
                    v.report.settings.timezone,
                    if v.report.settings.fiscal_year_start != 1 {
                        format!(
                            "; кварталы и годы финансовые, год начинается с месяца {}",
                            v.report.settings.fiscal_year_start
                        )
                    } else {
                        String::new()
                    }
                )
            },
        );
    }
    for m in &v.report.metrics {
        h.el("dt", "", &v.name(m));
        h.raw("<dd>");
        h.text(&formula(v.lang, m));
        for line in metric_rules(v, m) {
            h.raw("<br>").text(&line);
        }
        h.raw("</dd>\n");
    }
    h.close("dl");
    h.close("section");
}

fn grain_ru(grain: &str) -> &str {
    match grain {
        "day" => "день",
        "week" => "неделя ISO",
        "month" => "месяц",
        "quarter" => "квартал",
        "year" => "год",
        other => other,
    }
}

fn significance(lang: Lang, a: &cxm_report::AnalysisSettings) -> String {
    let adj_en = match a.adjustment.as_str() {
        "holm" => "adjusted for multiple testing with Holm's step-down method (controls the chance of any false alarm)",
        "benjamini-hochberg" | "bh" => "adjusted with the Benjamini–Hochberg procedure (controls the share of false alarms among the changes called significant)",
        _ => "not adjusted for multiple testing",
    };
    let adj_ru = match a.adjustment.as_str() {
        "holm" => "скорректированы на множественные сравнения методом Холма (контролирует вероятность хотя бы одной ложной тревоги)",
        "benjamini-hochberg" | "bh" => "скорректированы процедурой Бенджамини — Хохберга (контролирует долю ложных тревог среди изменений, признанных значимыми)",
        _ => "не корректируются на множественные сравнения",
    };
    match lang {
        Lang::En => format!(
            "A change from the previous period is tested two-sided at α = {}: the NPS difference z-test for NPS (variances as in the Wald interval), the two-proportion z-test for percentages and rates, Welch's t-test for means. The p-values ({} tests: {}) are {adj_en}; \"significant\" means the adjusted p-value is below α. A comparison with a benchmark is a one-sided test in the direction of the difference.",
            a.alpha, a.tests, a.family
        ),
        Lang::Ru => format!(
            "Изменение к предыдущему периоду проверяется двусторонним тестом при α = {}: z-тест разности NPS для NPS (дисперсии как в интервале Вальда), z-тест двух долей для процентов и коэффициентов, t-тест Уэлча для средних. p-значения ({} тестов) {adj_ru}; «значимо» означает, что скорректированное p-значение меньше α. Сравнение с бенчмарком — односторонний тест в направлении разницы.",
            lang.number(a.alpha, 2), a.tests
        ),
    }
}

/// The formula of a catalog metric in words; a custom plugin's own description otherwise.
fn formula(lang: Lang, m: &MetricSummary) -> String {
    let (en, ru): (&str, &str) = match m.plugin.as_str() {
        "nps" => ("NPS = 100 × (promoters − detractors) / answers, on the 0–10 likelihood-to-recommend scale: promoters answer 9–10, passives 7–8, detractors 0–6.",
                  "NPS = 100 × (промоутеры − критики) / ответы по шкале готовности рекомендовать 0–10: промоутеры ответили 9–10, нейтралы 7–8, критики 0–6."),
        "csat" => ("CSAT % = 100 × satisfied answers / answers (top-two-box unless configured otherwise); the mean score is reported beside it.",
                   "CSAT % = 100 × удовлетворённые ответы / ответы (две верхние оценки, если не настроено иначе); средняя оценка приводится рядом."),
        "ces" => ("CES = mean score on the configured agreement scale (\"the company made it easy…\"); the share of easy answers is reported with a Wilson interval.",
                  "CES = средняя оценка по настроенной шкале согласия («компания сделала это легко…»); доля лёгких ответов приводится с интервалом Уилсона."),
        "csi" => ("CSI = 100 × Σ wᵢ·S̄ᵢ / (S_max · Σ wᵢ): wᵢ is the attribute's configured weight or its mean importance, S̄ᵢ its mean satisfaction.",
                  "CSI = 100 × Σ wᵢ·S̄ᵢ / (S_max · Σ wᵢ): wᵢ — заданный вес атрибута или его средняя важность, S̄ᵢ — средняя удовлетворённость."),
        "iqs" => ("IQS = mean review score; a review scores Σ w·criterion score / Σ w over its applicable criteria (each 0–100 of its range), 0 if a critical criterion is below the threshold.",
                  "IQS = средняя оценка проверок; проверка получает Σ w·оценка критерия / Σ w по применимым критериям (каждый 0–100 своей шкалы), 0 — если критический критерий ниже порога."),
        "composite" | "acme_health" => ("Score per customer = Σ weight × normalized signal / Σ weight over the signals present (each signal normalized to 0–100); the portfolio figure is the mean score, with the shares of red, yellow and green customers.",
                        "Оценка клиента = Σ вес × нормированный сигнал / Σ вес по имеющимся сигналам (каждый сигнал приведён к 0–100); итог — средняя оценка и доли красных, жёлтых и зелёных клиентов."),
        "retention" => ("Retention (CRR) = 100 × (customers at the end − new customers) / customers at the start of the period.",
                        "Удержание (CRR) = 100 × (клиенты на конец − новые клиенты) / клиенты на начало периода."),
        "churn" => ("Churn = 100 × customers lost in the period / customers at the start of the period.",
                    "Отток = 100 × клиенты, ушедшие за период / клиенты на начало периода."),
        "first_response_time" | "resolution_time" | "average_response_time" | "wait_time" => ("Durations are reported as the weighted mean with a t interval, and the median, 90th and 95th percentiles (Hyndman–Fan definition 2); negative durations are rejected, records without the ending event are counted.",
                        "Длительности приводятся как взвешенное среднее с t-интервалом, медиана, 90-й и 95-й процентили (определение 2 Хайндмана — Фана); отрицательные длительности отклоняются, записи без завершающего события подсчитываются."),
        _ => ("", ""),
    };
    let text = match lang {
        Lang::En => en,
        Lang::Ru => ru,
    };
    if text.is_empty() {
        m.description.clone()
    } else {
        text.to_string()
    }
}

fn metric_rules(v: &View<'_>, m: &MetricSummary) -> Vec<String> {
    let en = v.lang == Lang::En;
    let mut lines = Vec::new();
    let rows = v.results(&m.metric);
    let cis: BTreeSet<(String, String)> = rows
        .iter()
        .filter_map(|r| r.result.ci.as_ref())
        .map(|c| (c.method.clone(), v.lang.number(c.level * 100.0, 0)))
        .collect();
    for (method, level) in cis {
        let words = match (method.as_str(), en) {
            ("wald", true) => "Wald interval for NPS: Var = (p + d − (p − d)²) / n, margin = z·√Var·100, clamped to −100…100",
            ("wald", false) => "интервал Вальда для NPS: Var = (p + d − (p − d)²) / n, погрешность = z·√Var·100, в пределах −100…100",
            ("adjusted_wald", true) => "adjusted Wald interval for NPS (0.75 promoters, 1.5 passives and 0.75 detractors added)",
            ("adjusted_wald", false) => "скорректированный интервал Вальда для NPS (добавлены 0,75 промоутера, 1,5 нейтрала и 0,75 критика)",
            ("wilson", true) => "Wilson score interval of the proportion",
            ("wilson", false) => "интервал Уилсона для доли",
            ("t", true) => "Student's t interval of the mean",
            ("t", false) => "t-интервал Стьюдента для среднего",
            (other, _) => other,
        };
        lines.push(if en {
            format!("Confidence interval: {level}%, {words}.")
        } else {
            format!("Доверительный интервал: {level}%, {words}.")
        });
    }
    let tests: BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.trend.as_ref()?.test.as_deref())
        .collect();
    for t in tests {
        let words = match (t, en) {
            ("nps_difference_z", true) => "NPS difference z-test",
            ("nps_difference_z", false) => "z-тест разности NPS",
            ("two_proportion_z", true) => "two-proportion z-test",
            ("two_proportion_z", false) => "z-тест двух долей",
            ("welch_t", true) => "Welch's t-test",
            ("welch_t", false) => "t-тест Уэлча",
            (other, _) => other,
        };
        lines.push(if en {
            format!("Change from the previous period: {words}.")
        } else {
            format!("Изменение к предыдущему периоду: {words}.")
        });
    }
    // Quantiles of large groups come from a sketch: say so, with its error.
    let sketched: BTreeSet<String> = rows
        .iter()
        .flat_map(|r| r.result.details.iter())
        .filter(|(k, _)| k.ends_with("quantile_method"))
        .filter_map(|(_, method)| method.as_str())
        .filter(|method| method.starts_with("DDSketch"))
        .map(String::from)
        .collect();
    for method in sketched {
        lines.push(if en {
            format!("Quantiles: exact in groups of up to 4,096 values; beyond, estimated by {method} (DDSketch, Masson et al. 2019), each within that relative error of the exact value.")
        } else {
            format!("Квантили: точные в группах до 4 096 значений; в больших группах оценка {method} (DDSketch, Masson et al. 2019), с этой относительной погрешностью от точного значения.")
        });
    }
    if let Some(min_n) = m.min_n {
        let n = v.lang.number(min_n, 0);
        lines.push(match (en, m.suppress_below_min_n) {
            (true, false) => format!("Results with fewer than {n} answers are marked as below the minimum sample (greyed in charts)."),
            (true, true) => format!("Results with fewer than {n} answers are withheld: their value, interval and details are not shown."),
            (false, false) => format!("Результаты менее чем по {n} ответам отмечены как меньше минимальной выборки (серым на графиках)."),
            (false, true) => format!("Результаты менее чем по {n} ответам скрыты: значение, интервал и подробности не показываются."),
        });
    }
    if let Some(f) = &m.filter {
        lines.push(if en {
            format!(
                "Only rows where {f} are in scope; the others are counted as outside the filter."
            )
        } else {
            format!("Учитываются только строки, где {f}; остальные считаются вне фильтра.")
        });
    }
    lines.push(format!(
        "{}: {} ({}), {}: {}",
        v.l.plugin,
        m.plugin,
        m.library,
        v.l.dataset,
        esc(&m.dataset)
    ));
    lines
}
