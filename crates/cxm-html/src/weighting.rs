//! Survey weights in the report: the methods' paragraph (weighted estimates, Kish's
//! effective n in every interval and test), the appendix's weighting report per dataset
//! (margins before and after raking, weight range, design effect), and the effective n
//! beside a weighted result's n.

use crate::doc::{esc, Html};
use crate::i18n::{Lang, Locale};
use crate::view::View;
use cxm_report::{ResultRow, WeightingSummary};

/// The texts of this module in one language.
struct Labels {
    method_title: &'static str,
    method: &'static str,
    title: &'static str,
    design_weights: &'static str,
    summary: &'static str,
    raking: &'static str,
    trimmed: &'static str,
    outside: &'static str,
    variable: &'static str,
    category: &'static str,
    target: &'static str,
    sample: &'static str,
    weighted: &'static str,
    n_effective: &'static str,
}

const EN: Labels = Labels {
    method_title: "Survey weights",
    method: "Results of a weighted dataset are weighted estimates: each answer counts with its sampling weight (the design weight, raked to the population's margins where configured; weights scaled to a mean of 1, so n is the weighted number of answers). Unequal weights cost precision, so every confidence interval, test and minimum detectable change uses Kish's effective sample size n eff. = (Σw)² / Σw² instead of n; the design effect is answers / n eff. Minimum samples count answers.",
    title: "Weighting",
    design_weights: "design weights from the field {field}",
    summary: "{what}. Weights range from {min} to {max} (mean 1); design effect {deff}, effective sample size {neff} of {rows} answers.",
    raking: "raked to the population's margins in {iterations} iterations (largest remaining gap {gap} percentage points)",
    trimmed: "raking factors trimmed to [{low}, {high}]; {cells} cells at a bound",
    outside: "Answers with a raking value without a target (not used, outside_raking_margins): {rows}.",
    variable: "Variable",
    category: "Category",
    target: "Population, %",
    sample: "Sample, %",
    weighted: "Weighted, %",
    n_effective: "n eff.",
};

const RU: Labels = Labels {
    method_title: "Веса выборки",
    method: "Результаты взвешенного набора данных — взвешенные оценки: каждый ответ учитывается со своим весом (весом дизайна, откалиброванным по структуре генеральной совокупности методом raking, если он задан; веса нормированы к среднему 1, поэтому n — взвешенное число ответов). Неравные веса снижают точность, поэтому все доверительные интервалы, тесты и минимальные обнаружимые изменения используют эффективный размер выборки по Кишу n эфф. = (Σw)² / Σw² вместо n; эффект дизайна — число ответов / n эфф. Минимальный размер выборки считается в ответах.",
    title: "Взвешивание",
    design_weights: "веса дизайна из поля {field}",
    summary: "{what}. Веса от {min} до {max} (среднее 1); эффект дизайна {deff}, эффективный размер выборки {neff} из {rows} ответов.",
    raking: "калибровка по структуре совокупности (raking), итераций: {iterations} (наибольшее оставшееся расхождение {gap} п. п.)",
    trimmed: "коэффициенты калибровки ограничены [{low}, {high}]; ячеек на границе: {cells}",
    outside: "Ответов со значением переменной калибровки без целевой доли (не используются, outside_raking_margins): {rows}.",
    variable: "Переменная",
    category: "Категория",
    target: "Совокупность, %",
    sample: "Выборка, %",
    weighted: "После взвешивания, %",
    n_effective: "n эфф.",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

/// Whether any dataset of the report is weighted.
fn any(v: &View<'_>) -> bool {
    v.report.datasets.iter().any(|d| d.weighting.is_some())
}

/// The methods' entry, when the report has survey weights.
pub fn method(v: &View<'_>, h: &mut Html) {
    if any(v) {
        let l = labels(v.lang);
        h.el("dt", "", l.method_title);
        h.el("dd", "", l.method);
    }
}

/// ` · n eff. 123.4` after a weighted result's n (a figure of `design.n_effective`).
pub fn n_effective(v: &View<'_>, row: &ResultRow) -> String {
    match &row.design {
        Some(d) => format!(
            " · {} {}",
            esc(labels(v.lang).n_effective),
            v.rfig(row, "design.n_effective", d.n_effective, 1)
        ),
        None => String::new(),
    }
}

/// The appendix's weighting report of every weighted dataset.
pub fn appendix(v: &View<'_>, h: &mut Html) {
    let l = labels(v.lang);
    for d in &v.report.datasets {
        let Some(w) = &d.weighting else { continue };
        h.el("h3", "", &format!("{} — {}", l.title, d.name));
        h.el("p", "", &summary(v, w));
        let Some(r) = &w.raking else { continue };
        if r.rows_outside_margins > 0.0 {
            h.el(
                "p",
                "class=\"small\"",
                &l.outside
                    .replace("{rows}", &v.lang.number(r.rows_outside_margins, 0)),
            );
        }
        let pct = |x: f64| v.lang.number(x, 1);
        let rows: Vec<Vec<String>> = r
            .margins
            .iter()
            .map(|m| {
                vec![
                    esc(&m.variable),
                    esc(&m.category),
                    pct(m.target_pct),
                    pct(m.sample_pct),
                    pct(m.weighted_pct),
                ]
            })
            .collect();
        h.table(
            "weighting",
            &[l.variable, l.category, l.target, l.sample, l.weighted],
            &[false, false, true, true, true],
            &rows,
        );
    }
}

/// The dataset's weighting in one sentence.
fn summary(v: &View<'_>, w: &WeightingSummary) -> String {
    let l = labels(v.lang);
    let mut what: Vec<String> = Vec::new();
    if let Some(field) = &w.sampling_weight {
        what.push(l.design_weights.replace("{field}", field));
    }
    if let Some(r) = &w.raking {
        what.push(
            l.raking
                .replace("{iterations}", &r.iterations.to_string())
                .replace("{gap}", &v.lang.number(100.0 * r.max_gap, 4)),
        );
        if let Some((low, high)) = r.trim {
            what.push(
                l.trimmed
                    .replace("{low}", &v.lang.number(low, 2))
                    .replace("{high}", &v.lang.number(high, 2))
                    .replace("{cells}", &r.trimmed_cells.to_string()),
            );
        }
    }
    let what = what.join("; ");
    let mut chars = what.chars();
    let what: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => what,
    };
    l.summary
        .replace("{what}", &what)
        .replace("{min}", &v.lang.number(w.min_weight, 2))
        .replace("{max}", &v.lang.number(w.max_weight, 2))
        .replace("{deff}", &v.lang.number(w.design_effect, 2))
        .replace("{neff}", &v.lang.number(w.n_effective, 0))
        .replace("{rows}", &v.lang.number(w.rows, 0))
}
