//! Names and units of the catalog's metrics in the report's language: a metric without a
//! label of its own is named by its plugin ("Net Promoter Score (NPS)"), and the units the
//! catalog's plugins write in English are put into Russian. Anything unknown (a customer's
//! own plugin) is shown as the plugin wrote it.

use crate::i18n::Lang;

/// The catalog's name of a plugin's metric, if it has one.
pub fn catalog_name(lang: Lang, plugin: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str, &str)] = &[
        (
            "nps",
            "Net Promoter Score (NPS)",
            "Индекс потребительской лояльности (NPS)",
        ),
        (
            "csat",
            "Customer satisfaction (CSAT)",
            "Удовлетворённость клиентов (CSAT)",
        ),
        (
            "ces",
            "Customer effort score (CES)",
            "Индекс усилий клиента (CES)",
        ),
        (
            "csi",
            "Customer satisfaction index (CSI)",
            "Индекс удовлетворённости (CSI)",
        ),
        (
            "iqs",
            "Internal quality score (IQS)",
            "Оценка качества обслуживания (IQS)",
        ),
        (
            "composite",
            "Customer health score",
            "Индекс здоровья клиентов",
        ),
        ("retention", "Customer retention rate", "Удержание клиентов"),
        ("churn", "Churn rate", "Отток клиентов"),
        (
            "clv",
            "Customer lifetime value (CLV)",
            "Пожизненная ценность клиента (CLV)",
        ),
        (
            "cac",
            "Customer acquisition cost (CAC)",
            "Стоимость привлечения клиента (CAC)",
        ),
        ("ltv_cac", "LTV:CAC", "LTV:CAC"),
        (
            "first_response_time",
            "First response time",
            "Время первого ответа",
        ),
        ("resolution_time", "Resolution time", "Время решения"),
        (
            "average_response_time",
            "Average response time",
            "Среднее время ответа",
        ),
        ("wait_time", "Average wait time", "Среднее время ожидания"),
        (
            "review_response_rate",
            "Review response rate",
            "Доля отзывов с ответом",
        ),
        ("conversion_rate", "Conversion rate", "Конверсия"),
        (
            "referral_rate",
            "Referral rate",
            "Доля клиентов по рекомендации",
        ),
    ];
    NAMES
        .iter()
        .find(|(p, _, _)| *p == plugin)
        .map(|(_, en, ru)| match lang {
            Lang::En => *en,
            Lang::Ru => *ru,
        })
}

/// A unit in the report's language (Russian for the catalog's units; others unchanged).
pub fn unit(lang: Lang, unit: &str) -> String {
    if lang == Lang::En {
        return unit.to_string();
    }
    const EXACT: &[(&str, &str)] = &[
        ("NPS points (-100 to 100)", "пункты NPS (от −100 до 100)"),
        (
            "% of customers at start lost",
            "% клиентов на начало периода, ушедших",
        ),
        (
            "% of customers at start retained",
            "% клиентов на начало периода, оставшихся",
        ),
        ("% of leads converted", "% лидов, ставших клиентами"),
        ("% of reviews answered", "% отзывов с ответом"),
        (
            "IQS (0-100, mean review score)",
            "IQS (0–100, средняя оценка проверки)",
        ),
        ("health score (0-100)", "индекс здоровья (0–100)"),
        ("hours", "часы"),
        ("minutes", "минуты"),
        ("seconds", "секунды"),
        ("days", "дни"),
        (
            "currency units per acquired customer",
            "денежных единиц на привлечённого клиента",
        ),
        (
            "currency units per customer (lifetime value)",
            "денежных единиц на клиента (пожизненная ценность)",
        ),
        (
            "ratio (lifetime value / acquisition cost)",
            "отношение (пожизненная ценность / стоимость привлечения)",
        ),
    ];
    if let Some((_, ru)) = EXACT.iter().find(|(en, _)| *en == unit) {
        return (*ru).to_string();
    }
    // "% satisfied (4-5 on a 1-5 scale)"
    if let Some(inner) = unit
        .strip_prefix("% satisfied (")
        .and_then(|r| r.strip_suffix(" scale)"))
    {
        if let Some((range, scale)) = inner.split_once(" on a ") {
            return format!("% удовлетворённых ({range} по шкале {scale})");
        }
    }
    // "mean effort score (1-7, higher = easier)"
    if let Some(inner) = unit
        .strip_prefix("mean effort score (")
        .and_then(|r| r.strip_suffix(')'))
    {
        let inner = inner
            .replace("higher = easier", "выше = легче")
            .replace("lower = easier", "ниже = легче");
        return format!("средняя оценка усилий ({inner})");
    }
    // "CSI (0-100, importance-weighted, scale 1-7)"
    if let Some(scale) = unit
        .strip_prefix("CSI (0-100, importance-weighted, scale ")
        .and_then(|r| r.strip_suffix(')'))
    {
        return format!("CSI (0–100, взвешенный по важности, шкала {scale})");
    }
    unit.to_string()
}

/// A band label in the report's language (the catalog's bands; others unchanged).
pub fn band(lang: Lang, band: &str) -> String {
    const BANDS: &[(&str, &str)] = &[
        ("critical", "критический"),
        ("needs work", "требует работы"),
        ("good", "хороший"),
        ("excellent", "отличный"),
        ("red", "красный"),
        ("yellow", "жёлтый"),
        ("green", "зелёный"),
    ];
    match (lang, BANDS.iter().find(|(en, _)| *en == band)) {
        (Lang::Ru, Some((_, ru))) => (*ru).to_string(),
        _ => band.to_string(),
    }
}

/// A table's column name for reading: `customers_at_start` → `customers at start`.
pub fn column(name: &str) -> String {
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_units_in_russian() {
        assert_eq!(
            unit(Lang::Ru, "% satisfied (4-5 on a 1-5 scale)"),
            "% удовлетворённых (4-5 по шкале 1-5)"
        );
        assert_eq!(unit(Lang::Ru, "hours"), "часы");
        assert_eq!(unit(Lang::Ru, "widgets per hour"), "widgets per hour");
        assert_eq!(unit(Lang::En, "hours"), "hours");
        assert_eq!(
            catalog_name(Lang::Ru, "nps"),
            Some("Индекс потребительской лояльности (NPS)")
        );
        assert_eq!(catalog_name(Lang::En, "my_metric"), None);
    }
}
