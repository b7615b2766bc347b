//! Segment significance on the page (`segment_test` of `results.json`): in the segment
//! tables a column with the segment's letter, the letters of the segments of the same
//! dimension and period it is significantly above, and ▲ / ▼ when it is significantly
//! above / below the rest of its dimension; the letter beside the segment's bar label; a
//! one-line explanation under the chart and the method in the methods section, in both
//! report languages. Letters and markers are words, not figures: the p-values stay in
//! `results.json`.

use crate::doc::esc;
use crate::i18n::Lang;
use crate::view::View;
use cxm_report::{AnalysisSettings, ResultRow, SegmentTest};

/// The labels of this module in one language.
pub struct SigLabels {
    /// Column header.
    pub header: &'static str,
    /// The line under a chart whose segments were tested.
    pub note: &'static str,
    /// The methods' entry: title and text (`{alpha}` and `{adjustment}` replaced).
    pub method_title: &'static str,
    pub method: &'static str,
    /// `{adjustment}` in the method text.
    pub holm: &'static str,
    pub bh: &'static str,
    pub none: &'static str,
    /// Tooltip of ▲ / ▼.
    pub above_rest: &'static str,
    pub below_rest: &'static str,
}

static EN: SigLabels = SigLabels {
    header: "Sig.",
    note: "Sig.: (A) is the segment's letter; the letters after it are the segments it is significantly above; ▲/▼ significantly above/below the rest of the segments (adjusted).",
    method_title: "Segment significance",
    method: "Within each grouping dimension and period, every segment is tested against the rest of the population (all other segments of the dimension pooled from their counts, or for a mean from their n, mean and variance: pooled mean Σnm/Σn, variance from the within- plus between-segment sums of squares) and against every other segment, with the tests used for changes (NPS difference z-test, two-proportion z-test, Welch's t-test). Segments get letters A, B, C… in their order; the letters shown beside a segment are those it is significantly above (\"B\" on A: A is significantly above B). The p-values are {adjustment} per metric, dimension and period (the pairwise tests as one family, the tests against the rest as another) and compared with α = {alpha}. Segments below the minimum sample or suppressed, and figures without a testable basis, are not tested (a small segment's answers still count in the others' rest).",
    holm: "adjusted with Holm's method",
    bh: "adjusted with the Benjamini–Hochberg procedure",
    none: "not adjusted",
    above_rest: "significantly above the rest",
    below_rest: "significantly below the rest",
};

static RU: SigLabels = SigLabels {
    header: "Знач.",
    note: "Знач.: (A) — буква сегмента; буквы после неё — сегменты, которые он значимо превосходит; ▲/▼ значимо выше/ниже остальных сегментов (с поправкой).",
    method_title: "Значимость сегментов",
    method: "В каждом измерении группировки и периоде каждый сегмент сравнивается с остальной совокупностью (все прочие сегменты измерения, объединённые по счётчикам, а для среднего — по n, среднему и дисперсии: общее среднее Σnm/Σn, дисперсия из внутри- и межсегментных сумм квадратов) и с каждым другим сегментом теми же тестами, что и изменения (z-тест разности NPS, z-тест двух долей, t-тест Уэлча). Сегменты обозначаются буквами A, B, C… по порядку; буквы рядом с сегментом — те сегменты, которые он значимо превосходит («B» у A: A значимо выше B). p-значения {adjustment} в пределах метрики, измерения и периода (попарные тесты — одно семейство, сравнения с остальными — другое) и сравниваются с α = {alpha}. Сегменты ниже минимальной выборки или скрытые, а также показатели без основы для теста не проверяются (ответы малого сегмента всё же входят в «остальных» для других).",
    holm: "скорректированы методом Холма",
    bh: "скорректированы процедурой Бенджамини — Хохберга",
    none: "не корректируются",
    above_rest: "значимо выше остальных",
    below_rest: "значимо ниже остальных",
};

/// The labels of `lang`.
pub fn labels(lang: Lang) -> &'static SigLabels {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
    }
}

/// The segment test of a result, if it has one.
pub fn test<'a>(v: &View<'a>, row: &ResultRow) -> Option<&'a SegmentTest> {
    v.report.segment_test(row)
}

/// Whether any of the rows has a segment test.
pub fn any(v: &View<'_>, rows: &[&ResultRow]) -> bool {
    rows.iter().any(|r| test(v, r).is_some())
}

/// The ▲ / ▼ of a test against the rest, with its tooltip; empty when not significant.
fn marker(v: &View<'_>, t: &SegmentTest) -> String {
    let sl = labels(v.lang);
    match t.vs_rest.as_ref().filter(|r| r.significant) {
        Some(r) if r.direction == "above" => {
            format!(
                " <span class=\"up\" title=\"{}\">▲</span>",
                esc(sl.above_rest)
            )
        }
        Some(r) if r.direction == "below" => {
            format!(
                " <span class=\"down\" title=\"{}\">▼</span>",
                esc(sl.below_rest)
            )
        }
        _ => String::new(),
    }
}

/// The table cell of a result: `(A) BC ▲`, empty without a test.
pub fn cell(v: &View<'_>, row: &ResultRow) -> String {
    let Some(t) = test(v, row) else {
        return String::new();
    };
    if t.letter.is_empty() {
        // A dimension with too many segments for letters: the test against the rest only.
        return marker(v, t).trim_start().to_string();
    }
    let mut text = format!("<span class=\"letters\">({})", esc(&t.letter));
    if !t.above.is_empty() {
        let separator = if t.above.iter().all(|l| l.len() == 1) {
            ""
        } else {
            ","
        };
        text.push(' ');
        text.push_str(&esc(&t.above.join(separator)));
    }
    text.push_str("</span>");
    text.push_str(&marker(v, t));
    text
}

/// A bar's label with the segment's letter: `East (A)`.
pub fn bar_label(v: &View<'_>, row: &ResultRow, label: String) -> String {
    match test(v, row) {
        Some(t) if !t.letter.is_empty() => format!("{label} ({})", t.letter),
        Some(_) => label,
        None => label,
    }
}

/// The methods' text with the report's α and adjustment.
pub fn method(v: &View<'_>, a: &AnalysisSettings) -> String {
    let sl = labels(v.lang);
    let adjustment = match a.adjustment.as_str() {
        "holm" => sl.holm,
        "benjamini-hochberg" | "bh" => sl.bh,
        _ => sl.none,
    };
    sl.method
        .replace("{alpha}", &crate::movement::alpha(v))
        .replace("{adjustment}", adjustment)
}
