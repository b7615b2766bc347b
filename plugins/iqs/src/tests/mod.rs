//! Unit tests of the `iqs` plugin: a hand-scored scorecard with N/A answers and an
//! auto-fail, weights, merging, rejection reasons (through the real ABI with the SDK
//! harness) and param validation. Expected values are worked out in the comments; t
//! quantiles were found in Python 3 with mpmath by root-finding the t CDF (`betainc`).

use super::*;
use cxm_sdk::testing::{Column, Harness};
use serde_json::{json, Value};

mod params;

const TOL: f64 = 1e-9;

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= TOL,
        "expected {expected}, got {actual}"
    );
}

fn close_json(actual: &cxm_sdk::Detail, expected: f64) {
    close(actual.as_f64().unwrap_or(f64::NAN), expected);
}

/// accuracy: weight 2, 0-5, critical; tone: weight 1, 1-5; process: weight 1, 0-10.
fn scorecard() -> Value {
    json!({
        "criteria": {
            "accuracy": {"weight": 2, "scale": [0, 5], "critical": true},
            "tone": {"scale": [1, 5]},
            "process": {"weight": 1, "scale": [0, 10]}
        }
    })
}

fn iqs(params: Value) -> Result<Iqs, String> {
    let params: IqsParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Iqs::new(params)
}

type Line<'a> = (&'a str, &'a str, Option<f64>, f64);

/// Five reviews, scored on 0-100 (criterion score = 100 · (s − min) / (max − min)):
/// - R1: accuracy 5 → 100, tone 4 → 75, process 8 → 80: (2·100 + 75 + 80) / 4 = 88.75, pass
/// - R2: accuracy 2 → 40 < 50 on a critical criterion: auto-fail, score 0 (tone 5 → 100,
///   process 10 → 100 still count in the criterion means)
/// - R3: accuracy 4 → 80, tone N/A, process 6 → 60: (160 + 60) / 3 = 73.33…, fail
/// - R4: all N/A: no applicable criterion, left out
/// - R5: accuracy N/A (critical but not applicable: no auto-fail), tone 5 → 100,
///   process 6 → 60: (100 + 60) / 2 = 80 = pass_score, pass
///
/// IQS = (88.75 + 0 + 220/3 + 80) / 4 = 2905 / 48; 2 of 4 pass (50%); 1 auto-fail;
/// 5 N/A answers; criterion means: accuracy (100 + 40 + 80) / 3, tone (75 + 100 + 100) / 3,
/// process (80 + 100 + 60 + 60) / 4 = 75.
const REVIEWS: [Line<'static>; 15] = [
    ("R1", "accuracy", Some(5.0), 1.0),
    ("R1", "tone", Some(4.0), 1.0),
    ("R1", "process", Some(8.0), 1.0),
    ("R2", "accuracy", Some(2.0), 1.0),
    ("R2", "tone", Some(5.0), 1.0),
    ("R2", "process", Some(10.0), 1.0),
    ("R3", "accuracy", Some(4.0), 1.0),
    ("R3", "tone", None, 1.0),
    ("R3", "process", Some(6.0), 1.0),
    ("R4", "accuracy", None, 1.0),
    ("R4", "tone", None, 1.0),
    ("R4", "process", None, 1.0),
    ("R5", "accuracy", None, 1.0),
    ("R5", "tone", Some(5.0), 1.0),
    ("R5", "process", Some(6.0), 1.0),
];

fn tally(m: &Iqs, rows: &[Line<'_>]) -> IqsState {
    let mut s = IqsState::default();
    for &(r, c, score, w) in rows {
        m.tally(&mut s, Some(r), Some(c), score, w).unwrap();
    }
    s
}

fn assert_reviews_example(r: &MetricResult) {
    close(r.value.unwrap(), 2905.0 / 48.0);
    assert_eq!(r.n, 4.0);
    assert_eq!(r.unit, "IQS (0-100, mean review score)");
    close_json(&r.details["reviews"], 4.0);
    close_json(&r.details["pass_rate"], 50.0);
    close_json(&r.details["passed"], 2.0);
    close_json(&r.details["auto_fail"], 1.0);
    close_json(&r.details["not_applicable"], 5.0);
    close_json(&r.details["reviews_without_applicable_criteria"], 1.0);
    let t = &r.tables[0];
    assert_eq!(t.name, "criteria");
    assert_eq!(
        t.columns,
        ["criterion", "weight", "critical", "mean_score", "n"]
    );
    let expected = [
        ("accuracy", 2.0, true, 220.0 / 3.0, 3.0),
        ("tone", 1.0, false, 275.0 / 3.0, 3.0),
        ("process", 1.0, false, 75.0, 4.0),
    ];
    assert_eq!(t.rows.len(), 3);
    for (row, (name, weight, critical, mean, n)) in t.rows.iter().zip(expected) {
        assert_eq!(row[0], json!(name));
        close(row[1].as_f64().unwrap_or(f64::NAN), weight);
        assert_eq!(row[2], json!(critical));
        close(row[3].as_f64().unwrap_or(f64::NAN), mean);
        close(row[4].as_f64().unwrap_or(f64::NAN), n);
    }
}

#[test]
fn scorecard_with_na_and_auto_fail() {
    let m = iqs(scorecard()).unwrap();
    let s = tally(&m, &REVIEWS);
    assert_eq!(
        m.review_score(&s.reviews["R2"]),
        report::ReviewScore::AutoFail
    );
    assert_eq!(
        m.review_score(&s.reviews["R4"]),
        report::ReviewScore::NotApplicable
    );
    let r = m.result(&s);
    assert_reviews_example(&r);
    // Review scores 88.75, 0, 73.33…, 80: s² = 1667.751736111112, t(0.975, 3) =
    // 3.1824463052837086 -> (-4.4617…, 125.5033…), clamped to the 0-100 scale.
    let ci = r.ci.unwrap();
    assert_eq!((ci.low, ci.high, ci.method.as_str()), (0.0, 100.0, "t"));
    assert_eq!(
        r.warnings,
        ["low_sample", "reviews_without_applicable_criteria"]
    );
}

#[test]
fn interval_is_the_t_interval_of_review_scores() {
    // One criterion on 0-100; review scores 70, 75, 80, 85, 90: mean 80, s² = 62.5,
    // t(0.975, 4) = 2.7764451051977934, half = t · √(62.5 / 5) -> (70.18378419261222,
    // 89.81621580738778). Pass rate at 80: 3 of 5 = 60%.
    let m = iqs(json!({"criteria": {"a": {"scale": [0, 100]}}, "min_n": 5})).unwrap();
    let rows: Vec<(String, f64)> = [70.0, 75.0, 80.0, 85.0, 90.0]
        .iter()
        .enumerate()
        .map(|(i, &s)| (format!("r{i}"), s))
        .collect();
    let mut s = IqsState::default();
    for (id, score) in &rows {
        m.tally(&mut s, Some(id), Some("a"), Some(*score), 1.0)
            .unwrap();
    }
    let r = m.result(&s);
    assert_eq!(r.value, Some(80.0));
    let ci = r.ci.unwrap();
    close(ci.low, 70.183_784_192_612_22);
    close(ci.high, 89.816_215_807_387_78);
    close_json(&r.details["pass_rate"], 60.0);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn critical_score_at_the_threshold_does_not_fail() {
    // accuracy 2.5 on 0-5 = 50 = threshold: no auto-fail; review = (2·50 + 100) / 3.
    // At 2.4 (48) the review fails.
    let m = iqs(scorecard()).unwrap();
    let s = tally(
        &m,
        &[
            ("A", "accuracy", Some(2.5), 1.0),
            ("A", "process", Some(10.0), 1.0),
            ("B", "accuracy", Some(2.4), 1.0),
            ("B", "process", Some(10.0), 1.0),
        ],
    );
    assert_eq!(
        m.review_score(&s.reviews["A"]),
        report::ReviewScore::Score(200.0 / 3.0)
    );
    assert_eq!(
        m.review_score(&s.reviews["B"]),
        report::ReviewScore::AutoFail
    );
    // A custom threshold of 70 fails both.
    let mut p = scorecard();
    p["critical_threshold"] = json!(70);
    let m = iqs(p).unwrap();
    assert_eq!(
        m.review_score(&s.reviews["A"]),
        report::ReviewScore::AutoFail
    );
}

#[test]
fn weighted_reviews_equal_repeated_reviews() {
    // R1 with weight 3 equals three copies R1a, R1b, R1c of it.
    let m = iqs(scorecard()).unwrap();
    let mut weighted = REVIEWS.to_vec();
    for row in weighted.iter_mut().filter(|r| r.0 == "R1") {
        row.3 = 3.0;
    }
    let mut expanded: Vec<Line<'_>> = REVIEWS[3..].to_vec();
    for id in ["R1a", "R1b", "R1c"] {
        expanded.extend(REVIEWS[..3].iter().map(|&(_, c, s, w)| (id, c, s, w)));
    }
    let (rw, re) = (
        m.result(&tally(&m, &weighted)),
        m.result(&tally(&m, &expanded)),
    );
    assert_eq!(rw, re);
    // (3 · 88.75 + 0 + 220/3 + 80) / 6
    close(rw.value.unwrap(), (3.0 * 88.75 + 220.0 / 3.0 + 80.0) / 6.0);
    assert_eq!(rw.n, 6.0);
}

#[test]
fn empty_state_has_no_value_and_warns() {
    let m = iqs(scorecard()).unwrap();
    let r = Metric::finish(&m, &IqsState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.ci, None);
    assert_eq!(r.n, 0.0);
    assert_eq!(r.details["pass_rate"], Value::Null);
    assert_eq!(r.tables[0].rows.len(), 3);
    assert_eq!(r.tables[0].rows[0][3], Value::Null);
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
}

fn inputs() -> Vec<(&'static str, Column)> {
    vec![
        ("review_id", Column::text(&[])),
        ("criterion", Column::text(&[])),
        ("score", Column::Number(vec![])),
    ]
}

fn batch(rows: &[(Option<&str>, Option<&str>, Option<f64>)]) -> Vec<Column> {
    vec![
        Column::text(&rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::text(&rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        Column::Number(rows.iter().map(|r| r.2).collect()),
    ]
}

fn bind() -> Harness<Iqs> {
    Harness::<Iqs>::bind(&scorecard().to_string(), &inputs()).unwrap()
}

fn review_rows() -> Vec<(Option<&'static str>, Option<&'static str>, Option<f64>)> {
    REVIEWS
        .iter()
        .map(|&(r, c, s, _)| (Some(r), Some(c), s))
        .collect()
}

#[test]
fn every_row_is_used_or_rejected_with_a_reason() {
    let mut h = bind();
    let status = h
        .update(
            &batch(&[
                (Some("R1"), Some("accuracy"), Some(5.0)),
                (Some("R1"), Some("empathy"), Some(5.0)),
                (Some("R1"), Some("accuracy"), Some(1.0)),
                (Some("R1"), Some("tone"), Some(0.0)),
                (Some("R1"), Some("tone"), Some(f64::NAN)),
                (None, Some("tone"), Some(3.0)),
                (Some("R1"), None, Some(3.0)),
                (Some("R1"), Some("tone"), None),
                (Some("R1"), Some("tone"), Some(3.0)),
            ]),
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        status,
        [
            "used",
            "unknown_criterion",
            "duplicate_criterion",
            "out_of_scale",
            "not_a_number",
            "empty",
            "empty",
            "used",
            "duplicate_criterion"
        ]
    );
    // R1: accuracy 100 (tone N/A) -> IQS 100; the rejected answers changed nothing.
    let r = h.finish(0).unwrap();
    assert_eq!(r.value, Some(100.0));
    close_json(&r.details["not_applicable"], 1.0);

    // All rows invalid: an empty result.
    let mut h = bind();
    let status = h
        .update(
            &batch(&[(Some("R9"), Some("speed"), Some(1.0)), (None, None, None)]),
            None,
            None,
        )
        .unwrap();
    assert_eq!(status, ["unknown_criterion", "empty"]);
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (None, 0.0));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
}

#[test]
fn merged_instances_equal_one_instance_over_all_rows() {
    let rows = review_rows();
    let mut whole = bind();
    whole.update(&batch(&rows), None, None).unwrap();
    // Split mid-review (R1 and R3 span both halves); b's groups 0 and 1 both fold into 0.
    let (first, second) = rows.split_at(7);
    let mut a = bind();
    let mut b = bind();
    a.update(&batch(first), None, None).unwrap();
    let groups: Vec<u32> = (0..second.len() as u32).map(|i| i % 2).collect();
    b.update(&batch(second), None, Some(&groups)).unwrap();
    a.merge(&b, &[0, 0]).unwrap();
    let merged = a.finish(0).unwrap();
    assert_eq!(merged, whole.finish(0).unwrap());
    assert_reviews_example(&merged);
}

#[test]
fn on_merge_the_destination_wins_duplicates() {
    // a: R1 accuracy 5 (100); b: R1 accuracy 0 (0 -> would auto-fail) and tone 5 (100).
    // Merged R1: accuracy 100 (a's), tone 100 -> 100; merged the other way: auto-fail 0.
    let mut a = bind();
    let mut b = bind();
    a.update(
        &batch(&[(Some("R1"), Some("accuracy"), Some(5.0))]),
        None,
        None,
    )
    .unwrap();
    b.update(
        &batch(&[
            (Some("R1"), Some("accuracy"), Some(0.0)),
            (Some("R1"), Some("tone"), Some(5.0)),
        ]),
        None,
        None,
    )
    .unwrap();
    let mut c = bind();
    c.merge(&a, &[0]).unwrap();
    a.merge(&b, &[0]).unwrap();
    assert_eq!(a.finish(0).unwrap().value, Some(100.0));
    b.merge(&c, &[0]).unwrap();
    let r = b.finish(0).unwrap();
    assert_eq!(r.value, Some(0.0));
    close_json(&r.details["auto_fail"], 1.0);
}

fn mean_basis(r: &MetricResult) -> (f64, f64, f64) {
    match r.basis {
        Some(TestBasis::Mean { mean, variance, n }) => (mean, variance, n),
        ref other => panic!("expected a Mean basis, got {other:?}"),
    }
}

#[test]
fn basis_is_the_mean_and_sample_variance_of_review_scores() {
    let m = iqs(scorecard()).unwrap();
    // Review scores 88.75, 0 (auto-fail), 220/3, 80 (R4 has no applicable criterion):
    // mean = 2905/48; Σx² = 88.75² + (220/3)² + 80², so the sample variance is
    // (Σx² − (Σx)²/4) / 3 = 960625/576.
    let r = m.result(&tally(&m, &REVIEWS));
    let (mean, variance, n) = mean_basis(&r);
    close(mean, 2905.0 / 48.0);
    close(variance, 960_625.0 / 576.0);
    assert_eq!(n, 4.0);
    assert_eq!(Some(mean), r.value);
    assert_eq!(n, r.n);
    // R1 weighted 3 (frequency weight): scores 88.75 ×3, 0, 220/3, 80, n = 6:
    // mean = 5035/72, variance = 1048165/864.
    let mut weighted = REVIEWS.to_vec();
    for row in weighted.iter_mut().filter(|r| r.0 == "R1") {
        row.3 = 3.0;
    }
    let r = m.result(&tally(&m, &weighted));
    let (mean, variance, n) = mean_basis(&r);
    close(mean, 5035.0 / 72.0);
    close(variance, 1_048_165.0 / 864.0);
    assert_eq!(n, 6.0);
    assert_eq!(Some(mean), r.value);
    // The basis variance is the one behind the t interval: mean ± t·√(variance/n) (the
    // upper end is clamped to 100 here, the lower end is not).
    let ci = r.ci.as_ref().unwrap();
    let t = cxm_stats::t_for_confidence(0.95, n - 1.0).unwrap();
    close(mean - ci.low, t * (variance / n).sqrt());
}

#[test]
fn no_basis_without_a_sample_variance() {
    let m = iqs(scorecard()).unwrap();
    // One review (R1, 88.75): a mean but no sample variance.
    let r = m.result(&tally(&m, &REVIEWS[..3]));
    assert_eq!(r.value, Some(88.75));
    assert_eq!(r.basis, None);
    // No reviews at all.
    let r = m.result(&IqsState::default());
    assert_eq!(r.value, None);
    assert_eq!(r.basis, None);
}
