//! Changes a client can read correctly: the minimum detectable change (MDC) beside every Δ,
//! and per metric the "Why did it move" tables — the overall figure's change from one period
//! to the next split per dimension into the mix effect and the within-segment effect (the
//! shift-share decomposition of `trend.decomposition`), in both report languages. Every
//! number is a figure tied to its place in `results.json`.

use crate::doc::{esc, fig, Html, Source};
use crate::i18n::{Lang, Locale};
use crate::view::{View, PERIOD};
use cxm_report::{MetricSummary, ResultRow, ShiftShare};

/// The labels of this module in one language.
pub struct MoveLabels {
    /// Column header and short name of the minimum detectable change.
    pub mdc: &'static str,
    /// What the MDC is; `{alpha}` is replaced.
    pub mdc_note: &'static str,
    /// Heading of the decomposition tables.
    pub why: &'static str,
    /// The sentence above a table; `{previous}`, `{period}` and `{dimension}` are replaced.
    pub why_intro: &'static str,
    /// `{delta}`, `{mix}` and `{within}` are replaced by figures.
    pub why_sum: &'static str,
    pub share_before: &'static str,
    pub share_now: &'static str,
    pub value_before: &'static str,
    pub value_now: &'static str,
    pub mix: &'static str,
    pub within: &'static str,
    /// The methods' entries: titles and texts (`{alpha}` replaced).
    pub mdc_method_title: &'static str,
    pub mdc_method: &'static str,
    pub why_method_title: &'static str,
    pub why_method: &'static str,
}

static EN: MoveLabels = MoveLabels {
    mdc: "MDC",
    mdc_note: "MDC: the minimum detectable change, the smallest change this sample could detect at α = {alpha} and 80% power; a smaller change may be real, but there are too few answers to tell.",
    why: "Why did it move",
    why_intro: "The change of the overall figure from {previous} to {period}, split by {dimension}: mix (the segments' shares of the answers changed) plus within (the segments' own figures changed).",
    why_sum: "Change {delta} = mix {mix} + within {within}",
    share_before: "Share before, %",
    share_now: "Share now, %",
    value_before: "Value before",
    value_now: "Value now",
    mix: "Mix",
    within: "Within",
    mdc_method_title: "Minimum detectable change",
    mdc_method: "Beside each change from the previous period, MDC = (z₁₋α/₂ + z₀.₈) × SE: the smallest true change a two-sided test at α = {alpha} detects with 80% power for the two periods' numbers of answers (Cohen 1988; Fleiss, Levin & Paik 2003). SE is the standard error of the difference, with one answer's variance taken from the earlier period: for NPS p + d − (p − d)² with the earlier period's promoter and detractor shares, for a percentage p(1 − p) with the earlier period's proportion, each times (1/n₁ + 1/n₂) (× 100 for points); for a mean √(s₁²/n₁ + s₂²/n₂) with each period's own variance. No MDC is given where the earlier period has no spread.",
    why_method_title: "Why did it move",
    why_method: "The change of a metric's overall figure between two consecutive periods is split, for each grouping dimension, by the symmetric shift-share decomposition (Kitagawa 1955): mix = Σ (s₂ − s₁)·(v₁ + v₂)/2, within = Σ (v₂ − v₁)·(s₁ + s₂)/2, where s is a segment's share of the answers and v its figure. The overall figures are recomputed from the segments' pooled counts (never by averaging their figures), so mix + within equals the change exactly. A segment present in only one of the two periods has share 0 in the other and its own figure on both sides, so its whole contribution counts as mix. Shown for metrics grouped by one dimension and the period, whose figure is an NPS, a percentage or a mean.",
};

static RU: MoveLabels = MoveLabels {
    mdc: "МОИ",
    mdc_note: "МОИ: минимально обнаружимое изменение — наименьшее изменение, которое эта выборка могла бы обнаружить при α = {alpha} и мощности 80%; меньшее изменение может быть реальным, но ответов слишком мало, чтобы это утверждать.",
    why: "Почему изменилось",
    why_intro: "Изменение итогового показателя с периода {previous} по {period} в разрезе «{dimension}»: эффект структуры (изменились доли сегментов в ответах) плюс эффект внутри сегментов (изменились показатели самих сегментов).",
    why_sum: "Изменение {delta} = структура {mix} + внутри сегментов {within}",
    share_before: "Доля до, %",
    share_now: "Доля сейчас, %",
    value_before: "Значение до",
    value_now: "Значение сейчас",
    mix: "Структура",
    within: "Внутри сегментов",
    mdc_method_title: "Минимально обнаружимое изменение",
    mdc_method: "Рядом с каждым изменением к предыдущему периоду приводится МОИ = (z₁₋α/₂ + z₀,₈) × SE — наименьшее истинное изменение, которое двусторонний тест при α = {alpha} обнаруживает с мощностью 80% при числе ответов в двух периодах (Cohen 1988; Fleiss, Levin & Paik 2003). SE — стандартная ошибка разности, дисперсия одного ответа берётся из более раннего периода: для NPS p + d − (p − d)² по долям промоутеров и критиков раннего периода, для доли p(1 − p) по доле раннего периода, в обоих случаях умножается на (1/n₁ + 1/n₂) (× 100 для пунктов); для среднего √(s₁²/n₁ + s₂²/n₂) с дисперсией каждого периода. Если в раннем периоде нет разброса, МОИ не приводится.",
    why_method_title: "Почему изменилось",
    why_method: "Изменение итогового показателя метрики между двумя соседними периодами раскладывается по каждому измерению группировки симметричным методом сдвига долей (Kitagawa 1955): структура = Σ (s₂ − s₁)·(v₁ + v₂)/2, внутри сегментов = Σ (v₂ − v₁)·(s₁ + s₂)/2, где s — доля сегмента в ответах, v — его показатель. Итоговые показатели пересчитываются из объединённых счётчиков сегментов (а не усреднением их показателей), поэтому структура + внутри сегментов в точности равны изменению. Сегмент, который есть только в одном из двух периодов, имеет в другом долю 0 и тот же показатель, поэтому весь его вклад относится к структуре. Приводится для метрик с группировкой по одному измерению и периоду, показатель которых — NPS, доля или среднее.",
};

/// The labels of `lang`.
pub fn labels(lang: Lang) -> &'static MoveLabels {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

/// The report's α in the report's number format (0.05 when the analysis did not run).
pub fn alpha(v: &View<'_>) -> String {
    let a = v.report.analysis.as_ref().map_or(0.05, |a| a.alpha);
    // The fewest decimals (two to four) that show α exactly: 0.05, 0.001, 0.0125.
    let exact = |d: i32| {
        let scaled = a * 10f64.powi(d);
        (scaled - scaled.round()).abs() < 1e-9
    };
    let decimals = (2..=4).find(|d| exact(*d)).unwrap_or(4);
    v.lang.number(a, decimals as usize)
}

/// The MDC note with the report's α.
pub fn mdc_note(v: &View<'_>) -> String {
    labels(v.lang).mdc_note.replace("{alpha}", &alpha(v))
}

/// Whether any result of the rows has an MDC.
pub fn any_mdc(rows: &[&ResultRow]) -> bool {
    rows.iter()
        .any(|r| r.trend.as_ref().is_some_and(|t| t.mdc.is_some()))
}

/// The overall results of each period that carry a decomposition, in period order.
fn decomposed<'a>(v: &View<'a>, metric: &str) -> Vec<&'a ResultRow> {
    v.periods(metric)
        .into_iter()
        .filter(|r| {
            r.trend
                .as_ref()
                .is_some_and(|t| !t.decomposition.is_empty())
        })
        .collect()
}

/// Writes the "Why did it move" tables of a metric, if it has any.
pub fn why(v: &View<'_>, h: &mut Html, m: &MetricSummary, d: usize) {
    let rows = decomposed(v, &m.metric);
    if rows.is_empty() {
        return;
    }
    let ml = labels(v.lang);
    h.el("h3", "class=\"why\"", ml.why);
    for row in rows {
        let Some(t) = &row.trend else { continue };
        let period = row.group.iter().find(|(k, _)| k == PERIOD);
        let period = period.and_then(|(_, p)| p.as_deref()).unwrap_or_default();
        for (i, s) in t.decomposition.iter().enumerate() {
            let intro = ml
                .why_intro
                .replace("{previous}", &v.lang.period(&t.previous_period))
                .replace("{period}", &v.lang.period(period))
                .replace("{dimension}", &s.dimension);
            h.el("p", "", &intro);
            table(v, h, row, i, s, d);
        }
    }
}

/// One decomposition: the sum line, then one row per segment.
fn table(v: &View<'_>, h: &mut Html, row: &ResultRow, i: usize, s: &ShiftShare, d: usize) {
    let ml = labels(v.lang);
    let base = format!("trend.decomposition.{i}");
    let figure = |field: &str, x: f64, decimals: usize, signed: bool| {
        let text = if signed {
            v.lang.signed(x, decimals)
        } else {
            v.lang.number(x, decimals)
        };
        fig(
            x,
            &text,
            &Source::Result {
                metric: &row.metric,
                group: &row.group,
                field: &format!("{base}.{field}"),
            },
        )
    };
    // Braces are not escaped, so the placeholders survive `esc`.
    let sum = esc(ml.why_sum)
        .replace("{delta}", &figure("delta", s.delta, d, true))
        .replace("{mix}", &figure("mix", s.mix, d, true))
        .replace("{within}", &figure("within", s.within, d, true));
    h.raw(&format!("<p class=\"small\">{sum}</p>"));
    let header = [
        s.dimension.as_str(),
        ml.share_before,
        ml.share_now,
        ml.value_before,
        ml.value_now,
        ml.mix,
        ml.within,
    ];
    let numeric = [false, true, true, true, true, true, true];
    let cells: Vec<Vec<String>> = s
        .segments
        .iter()
        .enumerate()
        .map(|(j, g)| {
            let at = |field: &str| format!("segments.{j}.{field}");
            let value = |field: &str, x: Option<f64>| {
                x.map_or_else(|| "—".to_string(), |x| figure(&at(field), x, d, false))
            };
            vec![
                esc(g.segment.as_deref().unwrap_or(v.l.missing)),
                figure(&at("previous_share_pct"), g.previous_share_pct, 1, false),
                figure(&at("share_pct"), g.share_pct, 1, false),
                value("previous_value", g.previous_value),
                value("value", g.value),
                figure(&at("mix"), g.mix, d, true),
                figure(&at("within"), g.within, d, true),
            ]
        })
        .collect();
    h.table("why", &header, &numeric, &cells);
}
