//! The report's two languages: every label a reader sees, number formatting (`1,234.5` in
//! English, `1 234,5` in Russian, with a no-break space), and period labels with month
//! names. A label missing in one language is a compile error, not a blank in a report.

pub use cxm_report::Lang;

/// Labels and number, date and period formats of a report language.
pub trait Locale {
    /// The labels of this language.
    fn labels(self) -> &'static Labels;
    /// `x` with `decimals` decimal places in this language's number format; a negative
    /// sign is U+2212 (−), a negative zero is written as zero.
    fn number(self, x: f64, decimals: usize) -> String;
    /// A change with its sign always shown: `+2.5`, `−1.0`, `0.0`.
    fn signed(self, x: f64, decimals: usize) -> String;
    /// A p-value: three decimals, `<0.001` below that.
    fn p_value(self, p: f64) -> String;
    /// A period label (`2025-03`, `2025-Q3`, `FY2026-Q1`, `2025-W05`, `2025-03-15`,
    /// `2025`) in words; other labels are returned as they are.
    fn period(self, label: &str) -> String;
    /// A rejection reason in words (`out_of_scale` → "out of scale"); unknown codes as
    /// they are.
    fn reason(self, code: &str) -> String;
    /// The labels of the section "Changes since the baseline".
    fn change_labels(self) -> &'static ChangeLabels;
}

impl Locale for Lang {
    /// The labels of this language.
    fn labels(self) -> &'static Labels {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }

    /// The labels of the section "Changes since the baseline".
    fn change_labels(self) -> &'static ChangeLabels {
        match self {
            Lang::En => &EN_CHANGES,
            Lang::Ru => &RU_CHANGES,
        }
    }

    /// `x` with `decimals` decimal places in this language's number format; a negative
    /// sign is U+2212 (−), a negative zero is written as zero.
    fn number(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "—".to_string();
        }
        let text = round_half_away(x.abs(), decimals);
        let (int_part, frac_part) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text.as_str(), None),
        };
        let zero = text.bytes().all(|b| b == b'0' || b == b'.');
        let (group, point) = match self {
            Lang::En => (",", "."),
            Lang::Ru => ("\u{a0}", ","),
        };
        let mut out = String::with_capacity(text.len() + 8);
        if x < 0.0 && !zero {
            out.push('\u{2212}');
        }
        let len = int_part.len();
        for (i, c) in int_part.chars().enumerate() {
            if i > 0 && (len - i) % 3 == 0 {
                out.push_str(group);
            }
            out.push(c);
        }
        if let Some(f) = frac_part {
            out.push_str(point);
            out.push_str(f);
        }
        out
    }

    /// A change with its sign always shown: `+2.5`, `−1.0`, `0.0`.
    fn signed(self, x: f64, decimals: usize) -> String {
        let text = self.number(x, decimals);
        if x > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            format!("+{text}")
        } else {
            text
        }
    }

    /// A p-value: three decimals, `<0.001` below that.
    fn p_value(self, p: f64) -> String {
        if p < 0.001 {
            format!("<{}", self.number(0.001, 3))
        } else {
            self.number(p, 3)
        }
    }

    /// A period label (`2025-03`, `2025-Q3`, `FY2026-Q1`, `2025-W05`, `2025-03-15`,
    /// `2025`) in words; other labels are returned as they are.
    fn period(self, label: &str) -> String {
        let l = self.labels();
        let (fiscal, rest) = match label.strip_prefix("FY") {
            Some(rest) => (true, rest),
            None => (false, label),
        };
        let year_word = |y: &str| {
            if fiscal {
                format!("{} {y}", l.fiscal_year)
            } else {
                y.to_string()
            }
        };
        let parts: Vec<&str> = rest.split('-').collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        match parts.as_slice() {
            [y] if digits(y, 4) => year_word(y),
            [y, q] if digits(y, 4) && q.len() == 2 && q.starts_with('Q') => {
                format!("{} {}", l.quarter(&q[1..]), year_word(y))
            }
            [y, w] if digits(y, 4) && w.len() == 3 && w.starts_with('W') => {
                format!("{} {}, {}", l.week, w[1..].trim_start_matches('0'), y)
            }
            [y, m] if digits(y, 4) && digits(m, 2) && !fiscal => match month(m) {
                Some(i) => format!("{} {y}", l.months[i]),
                None => label.to_string(),
            },
            [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) && !fiscal => match self {
                Lang::En => match month(m) {
                    Some(i) => format!("{} {} {y}", d.trim_start_matches('0'), l.months[i]),
                    None => label.to_string(),
                },
                Lang::Ru => format!("{d}.{m}.{y}"),
            },
            _ => label.to_string(),
        }
    }

    fn reason(self, code: &str) -> String {
        reason_words(self, code)
    }
}

/// `x` (not negative) with `decimals` decimal places, rounded half away from zero on its
/// shortest decimal form, as a spreadsheet rounds it: 32.25 → 32.3 (Rust's own formatting
/// rounds the binary value half to even and would give 32.2).
fn round_half_away(x: f64, decimals: usize) -> String {
    // The shortest representation that reads back as x: digits and a decimal exponent.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // digits[0] has place value 10^exp; keep places down to 10^-decimals.
    let keep = exp + 1 + decimals as i64;
    if keep < 0 {
        return format!("{:.*}", decimals, 0.0);
    }
    let keep = keep as usize;
    let mut kept: Vec<u8> = digits.iter().copied().take(keep).collect();
    kept.resize(keep, 0);
    if digits.get(keep).is_some_and(|d| *d >= 5) {
        // Carry up through the kept digits.
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    // kept holds the number × 10^decimals as an integer's digits.
    let mut int_digits: String = kept.iter().map(|d| char::from(b'0' + d)).collect();
    if int_digits.len() <= decimals {
        int_digits = format!(
            "{}{int_digits}",
            "0".repeat(decimals + 1 - int_digits.len())
        );
    }
    let split = int_digits.len() - decimals;
    let (int_part, frac_part) = int_digits.split_at(split);
    let int_part = int_part.trim_start_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    if decimals == 0 {
        int_part.to_string()
    } else {
        format!("{int_part}.{frac_part}")
    }
}

/// Index 0–11 of a two-digit month.
fn month(m: &str) -> Option<usize> {
    m.parse::<usize>()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .map(|m| m - 1)
}

/// Every label of the report in one language.
pub struct Labels {
    pub report_title: &'static str,
    pub contents: &'static str,
    pub client: &'static str,
    pub run_date: &'static str,
    pub period_range: &'static str,
    pub no_periods: &'static str,
    pub datasets: &'static str,
    pub dataset: &'static str,
    pub file: &'static str,
    pub rows_read: &'static str,
    pub rows_accepted: &'static str,
    pub rows_rejected: &'static str,
    pub duplicates: &'static str,
    pub invalid_values: &'static str,
    pub summary: &'static str,
    pub metric: &'static str,
    pub value: &'static str,
    pub unit: &'static str,
    pub ci: &'static str,
    pub n: &'static str,
    pub band: &'static str,
    pub change: &'static str,
    pub vs_previous: &'static str,
    pub p_value: &'static str,
    pub p_adjusted: &'static str,
    pub significant: &'static str,
    pub not_significant: &'static str,
    pub benchmark: &'static str,
    pub benchmark_gap: &'static str,
    pub movers: &'static str,
    pub movers_intro: &'static str,
    pub no_movers: &'static str,
    pub segment: &'static str,
    pub period: &'static str,
    pub overall: &'static str,
    pub missing: &'static str,
    pub trend: &'static str,
    pub by_segment: &'static str,
    pub low_sample: &'static str,
    pub suppressed: &'static str,
    pub rows_used: &'static str,
    pub rows_filtered: &'static str,
    pub filter: &'static str,
    pub failed: &'static str,
    pub no_value: &'static str,
    pub detractors: &'static str,
    pub passives: &'static str,
    pub promoters: &'static str,
    pub nps_split: &'static str,
    pub score_distribution: &'static str,
    pub score_histogram: &'static str,
    pub share_of_answers: &'static str,
    pub answers: &'static str,
    pub score: &'static str,
    pub priority_matrix: &'static str,
    pub importance: &'static str,
    pub satisfaction: &'static str,
    pub quadrants: [&'static str; 4],
    pub by_criterion: &'static str,
    pub customers: &'static str,
    pub lowest_customers: &'static str,
    /// Put after a signal's name over a column of its normalized points: `tenure (points)`.
    pub points: &'static str,
    /// Under the lowest-scoring customers: what the signal columns hold.
    pub signal_points_note: &'static str,
    pub median: &'static str,
    pub p90: &'static str,
    pub details: &'static str,
    pub table: &'static str,
    pub methods: &'static str,
    pub methods_intro: &'static str,
    pub appendix: &'static str,
    pub rejections_by_reason: &'static str,
    pub reason: &'static str,
    pub count: &'static str,
    pub scope: &'static str,
    pub whole_row: &'static str,
    pub examples: &'static str,
    pub data_warnings: &'static str,
    pub warning_kind: &'static str,
    pub first_lines: &'static str,
    pub suspect_encoding: &'static str,
    pub daylight_saving: &'static str,
    pub quantized_in_warehouse: &'static str,
    pub line: &'static str,
    pub field: &'static str,
    pub original_value: &'static str,
    pub no_rejections: &'static str,
    pub manifest: &'static str,
    pub config_file: &'static str,
    pub cxm_version: &'static str,
    pub plugin: &'static str,
    pub time_zone: &'static str,
    pub fiscal_year: &'static str,
    pub fiscal_start: &'static str,
    pub week: &'static str,
    pub months: [&'static str; 12],
    pub quarter_word: &'static str,
    pub significance_note: &'static str,
    pub greyed_note: &'static str,
    pub most_answers: &'static str,
    /// Under a chart of some segments when the table lists only some too.
    pub chart_most_answers: &'static str,
    /// Under a table of some segments ({shown} of {all}).
    pub table_most_answers: &'static str,
    pub above: &'static str,
    pub below: &'static str,
    pub footer: &'static str,
}

impl Labels {
    /// `Q3` / `3 кв.`.
    fn quarter(&self, q: &str) -> String {
        match self.quarter_word {
            "Q" => format!("Q{q}"),
            word => format!("{q} {word}"),
        }
    }
}

/// English labels.
pub static EN: Labels = Labels {
    report_title: "Customer experience report",
    contents: "Contents",
    client: "Client",
    run_date: "Run date",
    period_range: "Data period",
    no_periods: "not grouped by period",
    datasets: "Datasets",
    dataset: "Dataset",
    file: "File",
    rows_read: "Rows read",
    rows_accepted: "Accepted",
    rows_rejected: "Rejected",
    duplicates: "of which duplicates",
    invalid_values: "Unreadable values",
    summary: "Executive summary",
    metric: "Metric",
    value: "Value",
    unit: "Unit",
    ci: "95% CI",
    n: "n",
    band: "Band",
    change: "Change",
    vs_previous: "vs previous period",
    p_value: "p-value",
    p_adjusted: "adjusted p",
    significant: "significant",
    not_significant: "not significant",
    benchmark: "Benchmark",
    benchmark_gap: "Gap to benchmark",
    movers: "Largest significant movers",
    movers_intro: "Segments whose change from the previous period is significant after the p-value adjustment, largest first.",
    no_movers: "No segment changed significantly from the previous period.",
    segment: "Segment",
    period: "Period",
    overall: "Overall",
    missing: "(missing)",
    trend: "Trend by period",
    by_segment: "By segment",
    low_sample: "below the minimum sample",
    suppressed: "withheld (below the minimum sample)",
    rows_used: "Rows used",
    rows_filtered: "Outside the filter",
    filter: "Filter",
    failed: "This metric failed during the run",
    no_value: "no value",
    detractors: "Detractors (0–6)",
    passives: "Passives (7–8)",
    promoters: "Promoters (9–10)",
    nps_split: "Detractors, passives and promoters",
    score_distribution: "Distribution of answers",
    score_histogram: "Distribution of scores",
    share_of_answers: "% of answers",
    answers: "answers",
    score: "Score",
    priority_matrix: "Priority matrix: importance × satisfaction",
    importance: "Importance (normalized weight)",
    satisfaction: "Satisfaction (mean)",
    quadrants: ["Maintain", "Keep up the good work", "Low priority", "Fix first"],
    by_criterion: "Score by criterion",
    customers: "customers",
    lowest_customers: "Lowest-scoring customers",
    points: "points",
    signal_points_note: "Signal columns show each signal's normalized points (0–100) that enter the score, not the raw values.",
    median: "Median",
    p90: "90th percentile",
    details: "Details",
    table: "Table",
    methods: "Methods",
    methods_intro: "How every figure in this report was computed, so that your analysts can check it.",
    appendix: "Appendix: data quality and provenance",
    rejections_by_reason: "Rejected rows and values by reason",
    reason: "Reason",
    count: "Count",
    scope: "Scope",
    whole_row: "whole row",
    examples: "Examples (first rows per reason, as in rejected.csv)",
    data_warnings: "Data warnings",
    warning_kind: "What",
    first_lines: "First lines",
    suspect_encoding: "bytes that look like another encoding",
    daylight_saving: "local times at a daylight-saving change",
    quantized_in_warehouse: "values quantized in the warehouse (within a stated relative error)",
    line: "Line",
    field: "Field",
    original_value: "Original value",
    no_rejections: "No row or value was rejected.",
    manifest: "Manifest",
    config_file: "Configuration",
    cxm_version: "cxm version",
    plugin: "Plugin",
    time_zone: "Time zone",
    fiscal_year: "FY",
    fiscal_start: "Fiscal year starts in month",
    week: "Week",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    quarter_word: "Q",
    significance_note: "▲/▼ direction of change; * significant at the report's level after adjustment.",
    greyed_note: "Grey: fewer answers than the minimum sample; read with care.",
    most_answers: "The chart shows the {shown} of {all} segments with the most answers; the table lists them all.",
    chart_most_answers: "The chart shows the {shown} of {all} segments with the most answers.",
    table_most_answers: "The table lists the {shown} of {all} segments with the most answers, in their order; report.xlsx and results.csv have them all.",
    above: "above",
    below: "below",
    footer: "Produced by cxm. Every figure is recomputed from counts; ratios are never averaged across groups.",
};

/// Russian labels.
pub static RU: Labels = Labels {
    report_title: "Отчёт о клиентском опыте",
    contents: "Содержание",
    client: "Клиент",
    run_date: "Дата расчёта",
    period_range: "Период данных",
    no_periods: "без разбивки по периодам",
    datasets: "Наборы данных",
    dataset: "Набор данных",
    file: "Файл",
    rows_read: "Прочитано строк",
    rows_accepted: "Принято",
    rows_rejected: "Отклонено",
    duplicates: "из них дубликатов",
    invalid_values: "Нечитаемые значения",
    summary: "Краткие итоги",
    metric: "Показатель",
    value: "Значение",
    unit: "Единица",
    ci: "95% ДИ",
    n: "n",
    band: "Уровень",
    change: "Изменение",
    vs_previous: "к предыдущему периоду",
    p_value: "p-значение",
    p_adjusted: "скорр. p",
    significant: "значимо",
    not_significant: "незначимо",
    benchmark: "Бенчмарк",
    benchmark_gap: "Отрыв от бенчмарка",
    movers: "Крупнейшие значимые изменения",
    movers_intro: "Сегменты, изменение которых к предыдущему периоду значимо после поправки p-значений; крупнейшие первыми.",
    no_movers: "Ни один сегмент не изменился значимо к предыдущему периоду.",
    segment: "Сегмент",
    period: "Период",
    overall: "Всего",
    missing: "(нет значения)",
    trend: "Динамика по периодам",
    by_segment: "По сегментам",
    low_sample: "меньше минимальной выборки",
    suppressed: "скрыто (меньше минимальной выборки)",
    rows_used: "Использовано строк",
    rows_filtered: "Вне фильтра",
    filter: "Фильтр",
    failed: "Расчёт этого показателя завершился ошибкой",
    no_value: "нет значения",
    detractors: "Критики (0–6)",
    passives: "Нейтралы (7–8)",
    promoters: "Промоутеры (9–10)",
    nps_split: "Критики, нейтралы и промоутеры",
    score_distribution: "Распределение ответов",
    score_histogram: "Распределение оценок",
    share_of_answers: "% ответов",
    answers: "ответов",
    score: "Оценка",
    priority_matrix: "Матрица приоритетов: важность × удовлетворённость",
    importance: "Важность (нормированный вес)",
    satisfaction: "Удовлетворённость (среднее)",
    quadrants: ["Поддерживать", "Сильные стороны", "Низкий приоритет", "Исправить в первую очередь"],
    by_criterion: "Оценка по критериям",
    customers: "клиентов",
    lowest_customers: "Клиенты с самой низкой оценкой",
    points: "баллы",
    signal_points_note: "В столбцах сигналов — нормированные баллы сигнала (0–100), из которых складывается оценка, а не исходные значения.",
    median: "Медиана",
    p90: "90-й процентиль",
    details: "Подробности",
    table: "Таблица",
    methods: "Методика",
    methods_intro: "Как рассчитана каждая цифра отчёта, чтобы ваши аналитики могли её проверить.",
    appendix: "Приложение: качество данных и происхождение",
    rejections_by_reason: "Отклонённые строки и значения по причинам",
    reason: "Причина",
    count: "Количество",
    scope: "Область",
    whole_row: "вся строка",
    examples: "Примеры (первые строки по каждой причине, как в rejected.csv)",
    data_warnings: "Предупреждения о данных",
    warning_kind: "Что найдено",
    first_lines: "Первые строки",
    suspect_encoding: "байты, похожие на другую кодировку",
    daylight_saving: "местное время в момент перехода на летнее/зимнее время",
    quantized_in_warehouse: "значения округлены в хранилище (с указанной относительной погрешностью)",
    line: "Строка",
    field: "Поле",
    original_value: "Исходное значение",
    no_rejections: "Ни одна строка и ни одно значение не отклонены.",
    manifest: "Манифест",
    config_file: "Конфигурация",
    cxm_version: "Версия cxm",
    plugin: "Плагин",
    time_zone: "Часовой пояс",
    fiscal_year: "ФГ",
    fiscal_start: "Финансовый год начинается с месяца",
    week: "Неделя",
    months: [
        "янв.", "февр.", "март", "апр.", "май", "июнь", "июль", "авг.", "сент.", "окт.", "нояб.",
        "дек.",
    ],
    quarter_word: "кв.",
    significance_note: "▲/▼ направление изменения; * значимо на уровне отчёта с учётом поправки.",
    greyed_note: "Серым: ответов меньше минимальной выборки; выводы делать осторожно.",
    most_answers: "На графике {shown} из {all} сегментов с наибольшим числом ответов; в таблице — все.",
    chart_most_answers: "На графике {shown} из {all} сегментов с наибольшим числом ответов.",
    table_most_answers: "В таблице {shown} из {all} сегментов с наибольшим числом ответов, в их порядке; все — в report.xlsx и results.csv.",
    above: "выше",
    below: "ниже",
    footer: "Подготовлено cxm. Все цифры пересчитаны из счётчиков; доли никогда не усредняются между группами.",
};

/// See [`Locale::reason`].
fn reason_words(lang: Lang, code: &str) -> String {
    let known: &[(&str, &str, &str)] = &[
        ("empty", "empty", "пусто"),
        ("not_a_number", "not a number", "не число"),
        ("not_an_integer", "not an integer", "не целое число"),
        ("out_of_scale", "out of scale", "вне шкалы"),
        (
            "invalid_datetime",
            "invalid date/time",
            "неверные дата/время",
        ),
        ("invalid_date", "invalid date", "неверная дата"),
        ("invalid_boolean", "invalid yes/no value", "неверное да/нет"),
        ("invalid_weight", "invalid weight", "неверный вес"),
        (
            "wrong_field_count",
            "wrong number of fields",
            "неверное число полей",
        ),
        ("duplicate", "duplicate", "дубликат"),
        ("wrong_structure", "wrong structure", "неверная структура"),
        (
            "negative_duration",
            "negative duration",
            "отрицательная длительность",
        ),
        ("negative_amount", "negative amount", "отрицательная сумма"),
        ("negative_value", "negative value", "отрицательное значение"),
        (
            "attribute_without_weight",
            "attribute without a weight",
            "атрибут без веса",
        ),
    ];
    match known.iter().find(|(c, _, _)| *c == code) {
        Some((_, en, ru)) => match lang {
            Lang::En => (*en).to_string(),
            Lang::Ru => (*ru).to_string(),
        },
        None => code.replace('_', " "),
    }
}

/// Labels of the section "Changes since the baseline" (`cxm run --baseline`). `intro`
/// takes `{dir}`, `{date}`, `{restated}`, `{changed}`, `{unchanged}`, `{only_new}` and
/// `{only_old}`; `more` takes `{n}`; `tests_note` takes `{alpha}`.
#[allow(missing_docs)]
pub struct ChangeLabels {
    pub title: &'static str,
    pub intro: &'static str,
    pub restated: &'static str,
    pub restated_intro: &'static str,
    pub no_restated: &'static str,
    pub changed: &'static str,
    pub no_changed: &'static str,
    pub only_new: &'static str,
    pub only_old: &'static str,
    pub none: &'static str,
    pub baseline: &'static str,
    pub this_run: &'static str,
    pub n_baseline: &'static str,
    pub n_this_run: &'static str,
    pub more: &'static str,
    pub drift: &'static str,
    pub no_drift: &'static str,
    pub cxm_version_changed: &'static str,
    pub config_changed: &'static str,
    pub no_key_changed: &'static str,
    pub keys_unavailable: &'static str,
    pub registries_changed: &'static str,
    pub datasets_changed: &'static str,
    pub plugins_changed: &'static str,
    pub absent: &'static str,
    pub tests_note: &'static str,
}

/// English labels of the baseline comparison.
pub static EN_CHANGES: ChangeLabels = ChangeLabels {
    title: "Changes since the baseline",
    intro: "Compared with the run in {dir} ({date}): {restated} figure(s) of earlier periods restated, {changed} other figure(s) changed, {unchanged} unchanged; {only_new} new and {only_old} dropped figure(s).",
    restated: "Restated history",
    restated_intro: "Figures of periods both runs cover that changed: rows arrived late or were removed in periods that should be closed.",
    no_restated: "No figure of a period both runs cover changed.",
    changed: "Other changes",
    no_changed: "No other figure changed.",
    only_new: "New figures (only in this run)",
    only_old: "Dropped figures (only in the baseline)",
    none: "None.",
    baseline: "Baseline",
    this_run: "This run",
    n_baseline: "n (baseline)",
    n_this_run: "n (this run)",
    more: "{n} more in diff.json.",
    drift: "What else changed",
    no_drift: "Same cxm version, configuration, plugin registries, data files and plugin libraries.",
    cxm_version_changed: "cxm version changed:",
    config_changed: "Configuration changed:",
    no_key_changed: "no key changed (comments or layout only)",
    keys_unavailable: "keys not compared",
    registries_changed: "Plugin registries changed:",
    datasets_changed: "Data files changed:",
    plugins_changed: "Plugin libraries changed (per metric):",
    absent: "(absent)",
    tests_note: "Each change is tested from the stored counts, the two runs taken as independent samples; * significant at {alpha} after adjustment.",
};

/// Russian labels of the baseline comparison.
pub static RU_CHANGES: ChangeLabels = ChangeLabels {
    title: "Изменения с базового расчёта",
    intro: "Сравнение с расчётом в {dir} ({date}): пересмотрено показателей прошлых периодов — {restated}, изменилось других — {changed}, без изменений — {unchanged}; новых — {only_new}, выбывших — {only_old}.",
    restated: "Пересмотренная история",
    restated_intro: "Показатели периодов, которые есть в обоих расчётах, изменились: в уже закрытые периоды поступили или из них исчезли строки.",
    no_restated: "Ни один показатель периодов, которые есть в обоих расчётах, не изменился.",
    changed: "Прочие изменения",
    no_changed: "Другие показатели не изменились.",
    only_new: "Новые показатели (только в этом расчёте)",
    only_old: "Выбывшие показатели (только в базовом расчёте)",
    none: "Нет.",
    baseline: "База",
    this_run: "Этот расчёт",
    n_baseline: "n (база)",
    n_this_run: "n (этот расчёт)",
    more: "Ещё {n} — в diff.json.",
    drift: "Что ещё изменилось",
    no_drift: "Та же версия cxm, конфигурация, реестры плагинов, файлы данных и библиотеки плагинов.",
    cxm_version_changed: "Изменилась версия cxm:",
    config_changed: "Изменилась конфигурация:",
    no_key_changed: "ни один ключ не изменился (только комментарии или форматирование)",
    keys_unavailable: "ключи не сравнивались",
    registries_changed: "Изменились реестры плагинов:",
    datasets_changed: "Изменились файлы данных:",
    plugins_changed: "Изменились библиотеки плагинов (по показателям):",
    absent: "(нет)",
    tests_note: "Каждое изменение проверено по сохранённым счётчикам, расчёты взяты как независимые выборки; * — значимо на уровне {alpha} после поправки.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_each_language() {
        assert_eq!(Lang::En.number(1234.5, 1), "1,234.5");
        assert_eq!(Lang::Ru.number(1234.5, 1), "1\u{a0}234,5");
        assert_eq!(Lang::En.number(-1234567.0, 0), "\u{2212}1,234,567");
        assert_eq!(Lang::En.number(-0.04, 1), "0.0");
        assert_eq!(Lang::En.number(999.96, 1), "1,000.0");
        assert_eq!(Lang::Ru.number(12.0, 2), "12,00");
        assert_eq!(Lang::En.number(f64::NAN, 1), "—");
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_the_decimal_form() {
        let r = |x: f64, d: usize| round_half_away(x, d);
        assert_eq!(r(32.25, 1), "32.3");
        assert_eq!(r(0.125, 2), "0.13");
        assert_eq!(r(2.675, 2), "2.68"); // binary 2.67499999…, decimal form 2.675
        assert_eq!(r(9.96, 1), "10.0");
        assert_eq!(r(999.5, 0), "1000");
        assert_eq!(r(0.0004, 3), "0.000");
        assert_eq!(r(0.0005, 3), "0.001");
        assert_eq!(r(0.00004, 1), "0.0");
        assert_eq!(r(1234.0, 0), "1234");
        assert_eq!(r(1e21, 0), "1000000000000000000000");
        assert_eq!(r(0.0, 2), "0.00");
        assert_eq!(r(5.0, 0), "5");
        assert_eq!(r(0.5, 0), "1");
        assert_eq!(Lang::En.number(-32.25, 1), "\u{2212}32.3");
    }

    #[test]
    fn signs_and_p_values() {
        assert_eq!(Lang::En.signed(2.54, 1), "+2.5");
        assert_eq!(Lang::En.signed(-2.54, 1), "\u{2212}2.5");
        assert_eq!(Lang::En.signed(0.01, 1), "0.0");
        assert_eq!(Lang::En.p_value(0.0004), "<0.001");
        assert_eq!(Lang::Ru.p_value(0.0004), "<0,001");
        assert_eq!(Lang::Ru.p_value(0.0456), "0,046");
    }

    #[test]
    fn period_labels_in_words() {
        assert_eq!(Lang::En.period("2025-03"), "Mar 2025");
        assert_eq!(Lang::Ru.period("2025-03"), "март 2025");
        assert_eq!(Lang::En.period("2025-Q3"), "Q3 2025");
        assert_eq!(Lang::Ru.period("2025-Q3"), "3 кв. 2025");
        assert_eq!(Lang::En.period("FY2026-Q1"), "Q1 FY 2026");
        assert_eq!(Lang::Ru.period("FY2026-Q1"), "1 кв. ФГ 2026");
        assert_eq!(Lang::En.period("2020-W53"), "Week 53, 2020");
        assert_eq!(Lang::En.period("2025-03-05"), "5 Mar 2025");
        assert_eq!(Lang::Ru.period("2025-03-05"), "05.03.2025");
        assert_eq!(Lang::En.period("2025"), "2025");
        assert_eq!(Lang::En.period("2025-13"), "2025-13");
        assert_eq!(Lang::En.period("whenever"), "whenever");
    }
}
