//! The workbook read back with calamine: every number exactly as in the report and stored
//! as a number, headers, sheet names, languages, formula safety and byte-stable output.

mod support;

use calamine::Data;
use cxm_report::{MetricResult, ResultRow};
use cxm_workbook::{render_xlsx, Lang, WorkbookError};
use support::*;

#[test]
fn sheets_in_order() {
    let book = Book::open(render(&report(), Lang::En));
    assert_eq!(
        book.names(),
        ["Summary", "nps", "csat", "clv", "clv.customers", "Rejected"]
    );
}

#[test]
fn metric_sheets_hold_every_number_exactly_as_numbers() {
    let r = report();
    let mut book = Book::open(render(&r, Lang::En));
    for metric in ["nps", "csat", "clv"] {
        let rows = book.rows(metric);
        let h = &rows[0];
        let expected: Vec<&ResultRow> = r.results.iter().filter(|x| x.metric == metric).collect();
        assert_eq!(rows.len(), 1 + expected.len(), "{metric}");
        for (got, want) in rows[1..].iter().zip(&expected) {
            let res = &want.result;
            let at = |name: &str| got.get(col(h, name));
            assert_eq!(opt_num(at("Value")), res.value, "{metric}");
            assert_eq!(opt_num(at("CI low")), res.ci.as_ref().map(|c| c.low));
            assert_eq!(opt_num(at("CI high")), res.ci.as_ref().map(|c| c.high));
            assert_eq!(num(&got[col(h, "n")]), res.n);
            assert_eq!(text(at("Unit")), res.unit);
            assert_eq!(text(at("Warnings")), res.warnings.join("; "));
            for (column, cell) in cxm_report::flatten_result_details(&res.details) {
                if column == "details.band" {
                    assert_eq!(text(at("Band")), cell.to_text());
                    continue;
                }
                let got = &got[col(h, &column)];
                match cell.as_f64() {
                    Some(x) => assert_eq!(num(got), x, "{metric} {column}"),
                    None if cell.to_text() == "true" => assert_eq!(got, &Data::Bool(true)),
                    None => assert_eq!(got, &Data::String(cell.to_text()), "{column}"),
                }
            }
            if let Some(t) = &want.trend {
                assert_eq!(text(at("Previous period")), t.previous_period);
                assert_eq!(opt_num(at("Previous value")), t.previous_value);
                assert_eq!(opt_num(at("Δ")), t.delta);
                assert_eq!(opt_num(at("p-value")), t.p_value);
                assert_eq!(opt_num(at("p adjusted")), t.p_adjusted);
                assert_eq!(at("Significant"), Some(&Data::Bool(true)));
                assert_eq!(opt_num(at("MDC (80% power)")), t.mdc);
                assert_eq!(text(at("Test")), "nps_difference_z");
            }
            if let Some(b) = &want.benchmark {
                assert_eq!(text(at("Benchmark")), b.id);
                assert_eq!(opt_num(at("Benchmark value")), Some(b.value));
                assert_eq!(opt_num(at("Benchmark Δ")), b.delta);
                assert_eq!(opt_num(at("Benchmark p-value")), b.p_value);
            }
        }
    }
}

#[test]
fn metric_sheet_columns_group_first_details_last() {
    let mut book = Book::open(render(&report(), Lang::En));
    let nps = book.rows("nps");
    let header: Vec<String> = nps[0].iter().map(|c| text(Some(c))).collect();
    assert_eq!(
        header,
        [
            "region",
            "Period",
            "Value",
            "Unit",
            "CI low",
            "CI high",
            "n",
            "Band",
            "Warnings",
            "Previous period",
            "Previous value",
            "Δ",
            "Test",
            "p-value",
            "p adjusted",
            "Significant",
            "MDC (80% power)",
            "Benchmark",
            "Benchmark value",
            "Benchmark Δ",
            "Benchmark direction",
            "Benchmark p-value",
            "Benchmark significant",
            "details.promoters",
            "details.passives",
            "details.detractors",
            "details.promoters_pct",
        ]
    );
    // Overall row: `(all)` for each key; groups as text (the period too).
    assert_eq!(nps[1][0], Data::String("(all)".into()));
    assert_eq!(
        nps[2][..2],
        [Data::String("North".into()), Data::String("2025-01".into())]
    );
    // CSAT: no trend, no benchmark, no band; nested details flattened, nulls left out.
    let csat = book.rows("csat");
    let header: Vec<String> = csat[0].iter().map(|c| text(Some(c))).collect();
    assert_eq!(
        header[2..],
        [
            "Value",
            "Unit",
            "CI low",
            "CI high",
            "n",
            "Warnings",
            "details.satisfied",
            "details.by_score.5",
            "details.by_score.4",
            "details.by_score.low.1",
            "details.cuts",
            "details.weighted",
            "details.note",
        ]
    );
    assert_eq!(
        csat[1][col(&csat[0], "details.cuts")],
        Data::String("[4,5]".into())
    );
}

#[test]
fn summary_rows_and_dataset_accounting() {
    let r = report();
    let mut book = Book::open(render(&r, Lang::En));
    let rows = book.rows("Summary");
    assert_eq!(
        rows[0][..2],
        [
            Data::String("Client".into()),
            Data::String("Acme Retail".into())
        ]
    );
    let h = rows
        .iter()
        .position(|row| row.first() == Some(&Data::String("Metric".into())))
        .unwrap();
    let header = &rows[h];
    let nps = &rows[h + 1];
    let overall = &r.results[0];
    assert_eq!(nps[0], Data::String("nps".into()));
    assert_eq!(num(&nps[col(header, "Value")]), 20.0);
    assert_eq!(
        num(&nps[col(header, "CI low")]),
        overall.result.ci.as_ref().unwrap().low
    );
    assert_eq!(num(&nps[col(header, "CI level")]), 0.95);
    assert_eq!(num(&nps[col(header, "n")]), 2000.0);
    assert_eq!(nps[col(header, "Band")], Data::String("good".into()));
    assert_eq!(num(&nps[col(header, "Benchmark value")]), 31.5);
    assert_eq!(num(&nps[col(header, "Benchmark Δ")]), -11.5);
    assert_eq!(num(&rows[h + 2][col(header, "n")]), 1234.5);
    assert_eq!(rows[h + 3][0], Data::String("clv".into()));
    // Datasets below a blank row.
    let d = h + 5;
    assert_eq!(rows[d][0], Data::String("Dataset".into()));
    assert_eq!(rows[d + 1][0], Data::String("survey".into()));
    assert_eq!(text(rows[d + 1].get(2)), "ab".repeat(32));
    let counts: Vec<f64> = rows[d + 1][3..6].iter().map(num).collect();
    assert_eq!(counts, [3012.0, 3008.0, 4.0]);
}

#[test]
fn tables_get_their_own_sheet_group_columns_first_and_formula_like_text_stays_text() {
    let mut book = Book::open(render(&report(), Lang::En));
    let rows = book.rows("clv.customers");
    let header: Vec<String> = rows[0].iter().map(|c| text(Some(c))).collect();
    assert_eq!(header, ["region", "Period", "customer", "clv", "orders"]);
    assert_eq!(rows.len(), 5);
    let customers: Vec<String> = rows[1..].iter().map(|r| text(r.get(2))).collect();
    assert_eq!(customers, ["=HYPERLINK(\"x\")", "+7", "-1", "@SUM(A1)"]);
    let clv: Vec<f64> = rows[1..].iter().map(|r| num(&r[3])).collect();
    assert_eq!(clv, [1500.25, -12.5, 0.1, 2203.4534]);
    assert_eq!(rows[3].get(4), Some(&Data::Empty));
    for sheet in book.names() {
        assert_eq!(book.formulas(&sheet), 0, "{sheet}");
    }

    // The check above does see formulas: a workbook with one real formula.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_formula(0, 0, "=1+1").unwrap();
    let mut control = Book::open(wb.save_to_buffer().unwrap());
    assert_eq!(control.formulas("Sheet1"), 1);
}

#[test]
fn rejected_sheet_counts_per_metric_and_dataset() {
    let mut book = Book::open(render(&report(), Lang::En));
    let rows = book.rows("Rejected");
    let lines: Vec<(String, String, String, f64)> = rows[1..]
        .iter()
        .map(|r| (text(r.first()), text(r.get(1)), text(r.get(3)), num(&r[4])))
        .collect();
    let line = |a: &str, b: &str, c: &str, n: f64| (a.into(), b.into(), c.into(), n);
    assert_eq!(
        lines,
        [
            line("Metric", "nps", "empty", 40.0),
            line("Metric", "nps", "out_of_scale", 3.0),
            line("Metric", "csat", "not_a_number", 2.0),
            line("Dataset", "survey", "malformed_row", 3.0),
            line("Dataset", "survey", "duplicate", 1.0),
        ]
    );
}

#[test]
fn russian_labels() {
    let mut book = Book::open(render(&report(), Lang::Ru));
    assert_eq!(book.names()[0], "Сводка");
    assert_eq!(book.names().last().map(String::as_str), Some("Отклонено"));
    let nps = book.rows("nps");
    for h in [
        "Период",
        "Значение",
        "Единица",
        "Зона",
        "Предупреждения",
        "p-значение",
    ] {
        col(&nps[0], h);
    }
    assert_eq!(nps[1][0], Data::String("(все)".into()));
    let summary = book.rows("Сводка");
    assert_eq!(summary[0][0], Data::String("Клиент".into()));
    col(&book.rows("Отклонено")[0], "Причина");
}

#[test]
fn sheet_names_are_sanitised_and_unique_ignoring_case() {
    let long = "a_very_long_metric_identifier_of_forty_c";
    assert_eq!(long.len(), 40);
    let ids = ["a/b", "A?b", long, "summary", &long.to_uppercase()];
    let results: Vec<ResultRow> = ids
        .iter()
        .map(|id| row(id, &[], MetricResult::empty("u")))
        .collect();
    let r = report_of(vec![], results);
    let book = Book::open(render(&r, Lang::En));
    let names = book.names();
    assert_eq!(
        names,
        [
            "Summary",
            "a_b",
            "A_b~2",
            &long[..31],
            "summary~2",
            format!("{}~2", &long.to_uppercase()[..29]).as_str(),
            "Rejected",
        ]
    );
}

#[test]
fn non_finite_numbers_are_empty_cells() {
    let mut r = report();
    r.results[0].result.value = Some(f64::NAN);
    r.results[0].result.n = f64::INFINITY;
    let mut book = Book::open(render(&r, Lang::En));
    let rows = book.rows("nps");
    assert_eq!(rows[1].get(col(&rows[0], "Value")), Some(&Data::Empty));
    assert_eq!(rows[1].get(col(&rows[0], "n")), Some(&Data::Empty));
}

#[test]
fn same_report_same_bytes() {
    let r = report();
    let first = render(&r, Lang::En);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(first == render(&r, Lang::En), "rendering is byte-stable");
    let mut dated = r.clone();
    dated.settings.generated_at = Some("2026-01-31T12:30:45Z".into());
    let a = render(&dated, Lang::En);
    assert!(a == render(&dated, Lang::En));
    assert!(a != first, "the creation date follows the report");
}

#[test]
fn empty_report_and_write_errors() {
    let r = report_of(vec![], vec![]);
    let mut book = Book::open(render(&r, Lang::En));
    assert_eq!(book.names(), ["Summary", "Rejected"]);
    // Only the dataset's whole-row rejections remain.
    assert_eq!(book.rows("Rejected").len(), 3);

    struct Failing;
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = render_xlsx(&report(), Lang::En, &mut Failing).unwrap_err();
    assert!(matches!(err, WorkbookError::Io(_)), "{err}");
}

#[test]
fn segment_letters_follow_the_benchmark_before_the_details() {
    use cxm_report::{AnalysisSettings, SegmentEntry, SegmentTest, VsRest};
    let mut r = report();
    let north = r.results[2].clone();
    r.analysis = Some(AnalysisSettings {
        alpha: 0.05,
        segments: vec![SegmentEntry {
            metric: north.metric.clone(),
            group: north.group.clone(),
            test: SegmentTest {
                dimension: "region".into(),
                letter: "A".into(),
                above: vec!["B".into(), "C".into()],
                vs_rest: Some(VsRest {
                    test: "nps_difference_z".into(),
                    statistic: 2.5,
                    p_value: 0.0125,
                    p_adjusted: 0.025,
                    significant: true,
                    rest_value: Some(10.0),
                    rest_n: 500.0,
                    direction: "above".into(),
                }),
            },
        }],
        ..Default::default()
    });
    let mut book = Book::open(render(&r, Lang::En));
    let nps = book.rows("nps");
    let at = |name: &str| col(&nps[0], name);
    assert_eq!(at("Segment letter"), at("Benchmark significant") + 1);
    assert_eq!(at("details.promoters"), at("vs rest: significant") + 1);
    let period = north.group[1].1.clone().unwrap_or_default();
    let tested: Vec<&Vec<Data>> = nps[1..]
        .iter()
        .filter(|row| text(row.get(at("Segment letter"))) == "A")
        .collect();
    assert_eq!(tested.len(), 1, "only the tested segment has a letter");
    let row = tested[0];
    assert_eq!(text(row.get(at("Period"))), period);
    assert_eq!(row[at("Significantly above")], Data::String("B, C".into()));
    assert_eq!(num(&row[at("vs rest: adjusted p")]), 0.025);
    assert_eq!(row[at("vs rest: significant")], Data::Bool(true));
}

/// The parts of each sheet's XML that are not cells: column widths, the frozen pane, the
/// filter; and the styles of the workbook.
fn layout(xlsx: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = Vec::new();
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    let mut names: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet") || *n == "xl/styles.xml")
        .collect();
    names.sort();
    for name in names {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xml).unwrap();
        for (open, close) in [
            ("<cols>", "</cols>"),
            ("<sheetViews>", "</sheetViews>"),
            ("<autoFilter", "/>"),
            ("<styleSheet", "</styleSheet>"),
        ] {
            if let Some(start) = xml.find(open) {
                let end = xml[start..]
                    .find(close)
                    .map_or(xml.len(), |e| start + e + close.len());
                out.push(format!("{name}: {}", &xml[start..end]));
            }
        }
    }
    out
}

/// A metric sheet written a row at a time (rust_xlsxwriter's low-memory mode, for sheets of
/// many groups) is the same workbook as one held in memory: the same cells (values and
/// types) on every sheet, the same styles, frozen panes and filters, and the column widths
/// its own measuring gives as autofit does (text, numbers, booleans, the header's filter
/// arrow, the width cap). Only the order of the shared strings differs.
#[test]
fn metric_sheets_written_a_row_at_a_time_are_the_same_workbook() {
    let report = report();
    for lang in [Lang::En, Lang::Ru] {
        let held = cxm_workbook::render_xlsx_low_memory_above(&report, lang, usize::MAX).unwrap();
        let streamed = cxm_workbook::render_xlsx_low_memory_above(&report, lang, 0).unwrap();
        assert_eq!(
            held,
            render(&report, lang),
            "{lang:?}: render_xlsx holds small sheets"
        );
        let (layout_held, layout_streamed) = (layout(&held), layout(&streamed));
        assert!(layout_held.iter().filter(|l| l.contains("<cols>")).count() >= 4);
        assert_eq!(layout_held, layout_streamed, "{lang:?}");
        let (mut a, mut b) = (Book::open(held), Book::open(streamed));
        assert_eq!(a.names(), b.names());
        for sheet in a.names() {
            assert_eq!(a.rows(&sheet), b.rows(&sheet), "{lang:?} {sheet}");
        }
    }
}
