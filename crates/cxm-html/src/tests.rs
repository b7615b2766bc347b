//! Tests of the whole page on a small report made by hand: what must always hold (one
//! file, nothing fetched, same bytes), language and number format, escaping of hostile
//! text, and that every figure names a value the report really holds.

use crate::{render_html, Lang};
use cxm_report::{
    AnalysisSettings, DatasetSummary, Grouping, Interval, MetricResult, MetricSummary, PeriodSpec,
    ResultRow, RunReport, SegmentEntry, SegmentShift, SegmentTest, ShiftShare, Trend, VsRest,
};
use std::collections::BTreeMap;

fn nps_result(value: f64, n: f64, p: f64, d: f64) -> MetricResult {
    MetricResult {
        value: Some(value),
        unit: "NPS points (-100 to 100)".into(),
        n,
        ci: Some(Interval {
            low: value - 5.0,
            high: value + 5.0,
            level: 0.95,
            method: "wald".into(),
        }),
        ..Default::default()
    }
    .detail("promoters_pct", p)
    .detail("passives_pct", 100.0 - p - d)
    .detail("detractors_pct", d)
    .detail("band", "good")
    .detail(
        "score_counts",
        serde_json::json!([1, 0, 0, 0, 0, 2, 3, 4, 5, 6, 1234.5]),
    )
}

fn row(group: &[(&str, &str)], result: MetricResult, trend: Option<Trend>) -> ResultRow {
    ResultRow {
        metric: "nps".into(),
        plugin: "nps".into(),
        group: group
            .iter()
            .map(|(k, v)| (cxm_report::Name::from(*k), Some(v.to_string())))
            .collect(),
        result,
        trend: trend.map(Box::new),
        benchmark: None,
        design: None,
    }
}

fn report() -> RunReport {
    let grouping = Grouping {
        dimensions: vec!["region".into()],
        period: Some(PeriodSpec {
            field: "submitted_at".into(),
            grain: "quarter".into(),
        }),
    };
    let trend = Trend {
        previous_period: "2025-Q1".into(),
        previous_value: Some(20.0),
        delta: Some(12.25),
        test: Some("nps_difference_z".into()),
        statistic: Some(3.1),
        p_value: Some(0.0004),
        p_adjusted: Some(0.0008),
        significant: Some(true),
        mdc: Some(9.5),
        decomposition: Vec::new(),
    };
    let mut r = RunReport {
        schema: cxm_report::REPORT_SCHEMA.into(),
        client: "<script>alert(1)</script> & Co".into(),
        config: "/home/someone/clients/acme.toml".into(),
        cxm_version: "0.1.0".into(),
        grouping: grouping.clone(),
        datasets: vec![DatasetSummary {
            name: "survey".into(),
            path: "/home/someone/exports/survey.csv".into(),
            sha256: "ab".repeat(32),
            bytes: 1000,
            rows_read: 12345,
            rows_accepted: 12340,
            rows_rejected: 5,
            duplicates: 0,
            invalid_values: BTreeMap::new(),
            warnings: Vec::new(),
            weighting: None,
        }],
        metrics: vec![MetricSummary {
            metric: "nps".into(),
            plugin: "nps".into(),
            library: "cxm-plugin-nps 0.1.0".into(),
            dataset: "survey".into(),
            rows_used: 12000,
            rows_rejected: BTreeMap::from([("out_of_scale".into(), 340)]),
            grouping,
            min_n: Some(30.0),
            ..Default::default()
        }],
        results: vec![
            row(&[], nps_result(30.5, 12000.0, 50.0, 19.5), None),
            row(
                &[("period", "2025-Q1")],
                nps_result(20.0, 6000.0, 45.0, 25.0),
                None,
            ),
            row(
                &[("period", "2025-Q2")],
                nps_result(32.25, 6000.0, 52.0, 19.75),
                Some(Trend {
                    decomposition: vec![decomposition()],
                    ..trend.clone()
                }),
            ),
            row(
                &[("region", "North\"<b>"), ("period", "2025-Q2")],
                nps_result(-1234.5, 20.0, 10.0, 60.0),
                Some(trend),
            ),
        ],
        analysis: Some(AnalysisSettings {
            alpha: 0.05,
            adjustment: "holm".into(),
            family: "all period-over-period tests of one metric".into(),
            tests: 2,
            ..Default::default()
        }),
        ..Default::default()
    };
    r.results[3].result.warnings.push("low_sample".into());
    r.settings.generated_at = Some("2026-01-01T00:00:00Z".into());
    r
}

/// A shift-share decomposition of the Q1 → Q2 change (figures chosen to be told apart, not
/// computed: the renderer only shows them).
fn decomposition() -> ShiftShare {
    ShiftShare {
        dimension: "region".into(),
        previous: 20.0,
        current: 32.25,
        delta: 12.25,
        mix: 2.5,
        within: 9.75,
        segments: vec![
            SegmentShift {
                segment: Some("North\"<b>".into()),
                previous_share_pct: 60.0,
                share_pct: 40.0,
                previous_value: Some(10.0),
                value: Some(-1234.5),
                previous_n: 3600.0,
                n: 2400.0,
                mix: -1.75,
                within: 8.5,
            },
            SegmentShift {
                segment: None,
                previous_share_pct: 40.0,
                share_pct: 60.0,
                previous_value: None,
                value: Some(55.0),
                previous_n: 0.0,
                n: 3600.0,
                mix: 4.25,
                within: 1.25,
            },
        ],
    }
}

#[test]
fn why_did_it_move_and_the_mdc_are_shown_in_both_languages() {
    let en = html(&report(), Lang::En);
    assert!(
        en.contains("<h3 class=\"why\">Why did it move</h3>"),
        "{en}"
    );
    assert!(en.contains("data-field=\"trend.decomposition.0.mix\">+2.5</data>"));
    assert!(en.contains("data-field=\"trend.decomposition.0.segments.1.within\">+1.3</data>"));
    assert!(en.contains(
        "data-field=\"trend.decomposition.0.segments.0.previous_share_pct\">60.0</data>"
    ));
    assert!(en.contains("data-field=\"trend.mdc\">9.5</data>"));
    assert!(en.contains("smallest change this sample could detect at α = 0.05 and 80% power"));
    assert!(
        en.contains("<dt>Minimum detectable change</dt>")
            && en.contains("<dt>Why did it move</dt>")
    );
    let ru = html(&report(), Lang::Ru);
    assert!(ru.contains("<h3 class=\"why\">Почему изменилось</h3>"));
    assert!(ru.contains("data-field=\"trend.mdc\">9,5</data>"));
    assert!(ru.contains("при α = 0,05 и мощности 80%"));
    assert!(ru.contains("<th class=\"num\">Структура</th>"));
    let mut strict = report();
    if let Some(a) = strict.analysis.as_mut() {
        a.alpha = 0.001;
    }
    assert!(html(&strict, Lang::En).contains("could detect at α = 0.001 and 80% power"));
}

#[test]
fn segment_letters_and_the_rest_marker_in_both_languages() {
    let mut r = report();
    let row = &r.results[3];
    let entry = SegmentEntry {
        metric: row.metric.clone(),
        group: row.group.clone(),
        test: SegmentTest {
            dimension: "region".into(),
            letter: "A".into(),
            above: vec!["B".into(), "C".into()],
            vs_rest: Some(VsRest {
                test: "nps_difference_z".into(),
                statistic: -3.0,
                p_value: 0.0027,
                p_adjusted: 0.0081,
                significant: true,
                rest_value: Some(40.0),
                rest_n: 100.0,
                direction: "below".into(),
            }),
        },
    };
    if let Some(a) = r.analysis.as_mut() {
        a.segments = vec![entry];
    }
    let en = html(&r, Lang::En);
    assert!(en.contains("<th>Sig.</th>"), "{en}");
    assert!(en.contains(
        "<span class=\"letters\">(A) BC</span> <span class=\"down\" title=\"significantly below the rest\">▼</span>"
    ));
    assert!(en.contains("Sig.: (A) is the segment&#39;s letter"));
    assert!(en.contains("<dt>Segment significance</dt>"));
    assert!(en.contains("are adjusted with Holm&#39;s method per metric"));
    let ru = html(&r, Lang::Ru);
    assert!(ru.contains("<th>Знач.</th>"));
    assert!(ru.contains("<dt>Значимость сегментов</dt>"));
    assert!(ru.contains("скорректированы методом Холма"));
    // Without segment tests, no column and no method.
    let plain = html(&report(), Lang::En);
    assert!(!plain.contains("<th>Sig.</th>") && !plain.contains("Segment significance"));
}

fn html(report: &RunReport, lang: Lang) -> String {
    let mut buf = Vec::new();
    render_html(report, lang, None, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn one_file_that_fetches_nothing() {
    let page = html(&report(), Lang::En);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(
        page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
    );
    let page = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert_eq!(
        page.matches("<script").count(),
        1,
        "one inline script: sorting"
    );
    assert!(page.contains("<script>(function(){"));
    assert!(page.contains(&format!("script-src {}", crate::sort::script_hash())));
    for banned in [
        "<script src",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "url(",
        "@import",
        "http://",
        "https://",
    ] {
        assert!(!page.contains(banned), "the page contains {banned}");
    }
    assert!(
        page.matches("<figure class=\"chart\"").count() >= 4,
        "trend, bars, stacked, columns"
    );
    for kind in ["trend", "bars", "stacked", "columns"] {
        assert!(
            page.contains(&format!("data-chart=\"{kind}\"")),
            "no {kind} chart"
        );
    }
}

#[test]
fn same_report_same_bytes() {
    assert_eq!(html(&report(), Lang::En), html(&report(), Lang::En));
    assert_eq!(html(&report(), Lang::Ru), html(&report(), Lang::Ru));
}

#[test]
fn hostile_text_is_escaped_and_local_paths_are_not_shown() {
    let page = html(&report(), Lang::En);
    assert!(!page.contains("<script>alert(1)"));
    assert!(!page.contains("alert(1)</script>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(page.contains("North&quot;&lt;b&gt;"));
    assert!(
        !page.contains("/home/someone"),
        "directories of the consultant's machine leak"
    );
    assert!(page.contains("survey.csv"));
}

#[test]
fn russian_report_uses_russian_labels_and_numbers() {
    let page = html(&report(), Lang::Ru);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ru\">"));
    assert!(page.contains("Краткие итоги"));
    assert!(page.contains(">12\u{a0}345</data>"), "rows read as 12 345");
    assert!(
        page.contains(">\u{2212}1\u{a0}234,5</data>"),
        "a negative value with a comma"
    );
    assert!(page.contains("2 кв. 2025"));
    assert!(page.contains("&lt;0,001"), "p-values below 0.001");
    let en = html(&report(), Lang::En);
    assert!(en.contains(">12,345</data>"));
    assert!(en.contains(">\u{2212}1,234.5</data>"));
    assert!(en.contains("Q2 2025"));
}

#[test]
fn headline_is_the_latest_period_with_its_change() {
    let page = html(&report(), Lang::En);
    let card = &page[page.find("class=\"card\"").unwrap()..];
    let card = &card[..card.find("</div>\n").unwrap()];
    assert!(card.contains("value=\"32.25\""), "{card}");
    assert!(card.contains(">32.3</data>"), "{card}");
    assert!(
        card.contains("data-field=\"trend.delta\">+12.3</data>*"),
        "{card}"
    );
    assert!(card.contains("&lt;0.001"), "{card}");
}

#[test]
fn low_sample_segments_are_marked() {
    let page = html(&report(), Lang::En);
    assert!(page.contains("(n&lt;min)"));
    assert!(page.contains("Grey: fewer answers than the minimum sample"));
}

#[test]
fn every_figure_names_a_value_of_the_report() {
    let r = report();
    let page = html(&r, Lang::En);
    let mut checked = 0;
    for piece in page.split("<data class=\"fig\" value=\"").skip(1) {
        let raw: f64 = piece[..piece.find('"').unwrap()].parse().unwrap();
        let field = attr(piece, "data-field");
        let scope = attr(piece, "data-scope");
        let expected = match scope.as_str() {
            "result" => {
                let group = attr(piece, "data-group");
                let row = r
                    .results
                    .iter()
                    .find(|x| crate::doc::group_json(&x.group) == group)
                    .unwrap_or_else(|| panic!("no result for group {group}"));
                result_field(row, &field)
            }
            "dataset" => match field.as_str() {
                "rows_read" => r.datasets[0].rows_read as f64,
                "rows_accepted" => r.datasets[0].rows_accepted as f64,
                "rows_rejected" => r.datasets[0].rows_rejected as f64,
                other => panic!("dataset field {other}"),
            },
            "metric" => match field.as_str() {
                "rows_used" => r.metrics[0].rows_used as f64,
                "rows_filtered" => r.metrics[0].rows_filtered as f64,
                "rows_rejected.out_of_scale" => 340.0,
                other => panic!("metric field {other}"),
            },
            other => panic!("scope {other}"),
        };
        assert_eq!(raw, expected, "{scope} {field}");
        checked += 1;
    }
    assert!(checked > 30, "only {checked} figures");
}

fn attr(piece: &str, name: &str) -> String {
    let start = piece.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let value = &piece[start..start + piece[start..].find('"').unwrap()];
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn result_field(row: &ResultRow, field: &str) -> f64 {
    let r = &row.result;
    let t = row.trend.as_ref();
    match field {
        "value" => r.value.unwrap(),
        "n" => r.n,
        "ci.low" => r.ci.as_ref().unwrap().low,
        "ci.high" => r.ci.as_ref().unwrap().high,
        "trend.delta" => t.unwrap().delta.unwrap(),
        "trend.p_adjusted" => t.unwrap().p_adjusted.unwrap(),
        "trend.p_value" => t.unwrap().p_value.unwrap(),
        "trend.mdc" => t.unwrap().mdc.unwrap(),
        f if f.starts_with("trend.decomposition.") => {
            let mut v = serde_json::to_value(t.unwrap()).unwrap();
            for key in f["trend.".len()..].split('.') {
                v = match key.parse::<usize>() {
                    Ok(i) => v[i].take(),
                    Err(_) => v[key].take(),
                };
            }
            v.as_f64().unwrap()
        }
        f => match f.strip_prefix("details.") {
            Some(k) => r.details[k].as_f64().unwrap(),
            None => panic!("result field {f}"),
        },
    }
}

#[test]
fn a_failed_metric_says_so_and_shows_no_figures() {
    let mut r = report();
    r.metrics[0].error = Some("plugin panicked in update".into());
    r.results.clear();
    let page = html(&r, Lang::En);
    assert!(page.contains("This metric failed during the run: plugin panicked in update"));
}

#[test]
fn a_custom_plugin_gets_trend_bars_and_tables_from_its_shape() {
    let mut r = report();
    for row in &mut r.results {
        row.metric = "acme".into();
        row.plugin = "acme_loyalty".into();
        row.result.details.clear();
        row.result.unit = "loyalty points".into();
        row.result.tables.push(cxm_report::Table {
            name: "tiers".into(),
            columns: vec!["tier".into(), "customers".into()],
            rows: vec![vec!["gold".into(), 12.into()]],
        });
    }
    r.metrics[0].metric = "acme".into();
    r.metrics[0].plugin = "acme_loyalty".into();
    r.metrics[0].description = "Acme's loyalty index.".into();
    let page = html(&r, Lang::En);
    assert!(page.contains("Acme&#39;s loyalty index."));
    assert!(page.contains("data-chart=\"trend\""));
    assert!(page.contains("data-chart=\"bars\""));
    assert!(page.contains("data-scope=\"table\" data-metric=\"acme\""));
    assert!(!page.contains("data-chart=\"stacked\""), "not an NPS");
}

/// A comparison as `cxm diff --format json` writes it: one restated figure (East, 2025-Q1),
/// one new, a changed config key and a changed data file.
fn diff_json() -> serde_json::Value {
    serde_json::json!({
        "schema": "cxm.diff/1",
        "old": {"dir": "/home/someone/out/2025-05/", "client": "Acme", "generated_at": "2025-06-01T08:00:00Z",
                "cxm_version": "0.1.0", "config": "acme.toml"},
        "new": {"dir": "out/2025-06", "client": "Acme", "generated_at": null,
                "cxm_version": "0.1.0", "config": "acme.toml"},
        "alpha": 0.05, "adjustment": "holm", "latest_open": false, "old_latest_period": "2025-Q1",
        "summary": {"compared": 2, "restated": 1, "changed": 0, "unchanged": 1, "only_old": 0,
                    "only_new": 1, "drift": true},
        "restated": [{"metric": "nps", "group": {"region": "East", "period": "2025-Q1"},
            "period": "2025-Q1", "unit": "NPS points (-100 to 100)", "status": "restated",
            "old": {"value": 20.0, "n": 100.0}, "new": {"value": 31.25, "n": 140.0},
            "delta": 11.25, "delta_n": 40.0, "test": "nps_difference_z", "statistic": 1.2,
            "p_value": 0.02, "p_adjusted": 0.0004, "significant": true}],
        "changed": [],
        "unchanged": [],
        "only_old": [],
        "only_new": [{"metric": "nps", "group": {"period": "2025-Q3"}, "period": "2025-Q3",
            "unit": "NPS points (-100 to 100)", "value": -5.0, "n": 20.0}],
        "drift": {"cxm_version": null,
            "config": {"old_path": "acme.toml", "new_path": "acme.toml", "old_sha256": "a",
                "new_sha256": "b", "changed": true, "keys_unavailable": null,
                "keys": [{"name": "metrics[nps].params.min_n", "old": "30", "new": "<b>50</b>"},
                         {"name": "plugins", "old": "\"../plugins.toml\"",
                          "new": "[\"/home/someone/cxm/plugins.toml\", \"a\\\\b.toml\"]"}]},
            "registries": [], "plugins": [],
            "datasets": [{"name": "survey", "old": "aa (10)", "new": "bb (12)"}]}
    })
}

fn html_with_changes(report: &RunReport, lang: Lang) -> String {
    let mut out = Vec::new();
    crate::render_html_with_changes(report, lang, None, Some(&diff_json()), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_baseline_section_lists_restated_history_first_and_only_when_given() {
    let r = report();
    let mut plain = Vec::new();
    crate::render_html_with_changes(&r, Lang::En, None, None, &mut plain).unwrap();
    assert_eq!(String::from_utf8(plain).unwrap(), html(&r, Lang::En));
    assert!(!html(&r, Lang::En).contains("id=\"changes\""));

    let page = html_with_changes(&r, Lang::En);
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("no {s:?}"));
    let section = at("<section class=\"changes\" id=\"changes\">");
    assert!(at("id=\"summary\"") < section && section < at("id=\"methods\""));
    assert!(at("<a href=\"#changes\">Changes since the baseline</a>") < section);
    let restated = at("<h3 class=\"restated\" data-count=\"1\">Restated history</h3>");
    assert!(
        restated < at("<h3 class=\"changed\"")
            && at("<h3 class=\"changed\"") < at("<h3 class=\"only_new\"")
    );
    assert!(at("<h3 class=\"only_new\"") < at("<h3 class=\"drift\""));
    // The restated row: East, Q1 2025, 20.0 → 31.3 (+11.3), n 100 → 140, p < 0.001 *.
    assert!(page.contains("run in 2025-05 ("), "the baseline is named");
    assert!(!page.contains("/home/someone"), "local directories leak");
    for cell in [
        "20.0",
        "31.3",
        "+11.3",
        "140",
        "&lt;0.001 *",
        "No other figure changed.",
    ] {
        assert!(page[section..].contains(cell), "no {cell:?} in the section");
    }
    // Drift, escaped: a config value is text, never markup.
    assert!(page.contains("metrics[nps].params.min_n: 30 → &lt;b&gt;50&lt;/b&gt;"));
    assert!(page.contains("survey: aa (10) → bb (12)"));
    assert!(
        page.contains(
            "plugins: &quot;plugins.toml&quot; → [&quot;plugins.toml&quot;, &quot;b.toml&quot;]"
        ),
        "paths in config values are cut to file names"
    );
    // Still one script.
    assert_eq!(page.matches("<script").count(), 1);

    let ru = html_with_changes(&r, Lang::Ru);
    assert!(ru.contains("<h2>Изменения с базового расчёта</h2>"));
    assert!(ru.contains("Пересмотренная история"));
    assert!(ru.contains("31,3"));
}
