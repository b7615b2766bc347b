//! `cxm plan-sample`: exact counts with and without the finite population correction, the
//! explanation, expected shares as percentages everywhere, and usage errors (exit 2, one line
//! on stderr).
//!
//! Expected counts (Python, z = NormalDist().inv_cdf(0.975) = 1.959963984540054):
//! NPS worst case, margin 5: n0 = (z · 100 / 5)² = 1536.58 → 1537; N = 2000:
//! n0 / (1 + (n0 − 1)/2000) = 869.21 → 870. NPS p = .45, d = .20: var = .5875,
//! n0 = 902.74 → 903; N = 2000 → 622.21 → 623. Proportion worst case, margin 5:
//! (z · 50 / 5)² = 384.15 → 385; N = 2000 → 322.39 → 323. Expected 80%, margin 3:
//! 682.93 → 683; N = 1000 → 406.04 → 407. Mean sd 1.5, margin 0.1: (z · 15)² = 864.33 → 865;
//! N = 2000 → 603.72 → 604.

mod common;
use common::*;

/// Runs `cxm plan-sample ARGS`, expects success and returns the first line of stdout.
fn headline(args: &[&str]) -> String {
    let mut all = vec!["plan-sample"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    stdout(&o).lines().next().unwrap_or_default().to_string()
}

/// Runs `cxm plan-sample ARGS`, expects exit 2 and returns the single stderr line.
fn usage_error(args: &[&str]) -> String {
    let mut all = vec!["plan-sample"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let text = stderr(&o);
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    assert!(text.starts_with("error: "), "{text}");
    text.trim_end().to_string()
}

#[test]
fn nps_worst_case_with_and_without_population() {
    assert_eq!(
        headline(&["--metric", "nps", "--margin", "5"]),
        "Responses needed for NPS ±5 points at 95% confidence: 1,537 \
         (worst case: 50% promoters, 50% detractors)."
    );
    assert_eq!(
        headline(&["--metric", "nps", "--margin", "5", "--population", "2000"]),
        "Responses needed for NPS ±5 points at 95% confidence: 1,537 \
         (worst case: 50% promoters, 50% detractors). With a population of 2,000: 870."
    );
}

#[test]
fn nps_with_expected_shares() {
    let args = [
        "--metric",
        "nps",
        "--margin",
        "5",
        "--promoters",
        "45",
        "--detractors",
        "20",
    ];
    assert_eq!(
        headline(&args),
        "Responses needed for NPS ±5 points at 95% confidence: 903 \
         (expected: 45% promoters, 20% detractors)."
    );
    let mut with_population = args.to_vec();
    with_population.extend(["--population", "2000"]);
    assert!(
        headline(&with_population).ends_with("With a population of 2,000: 623."),
        "{}",
        headline(&with_population)
    );
}

#[test]
fn the_explanation_shows_formula_z_and_both_counts() {
    let o = run(&[
        "plan-sample",
        "--metric",
        "nps",
        "--margin",
        "5",
        "--population",
        "2000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for part in [
        "n = (z · 100 · √(p + d − (p − d)²) / margin)²",
        "z           1.959964 (two-sided, 95% confidence)",
        "variance per answer 1, the worst case",
        "= 1,536.58 → 1,537",
        "n / (1 + (n − 1) / N) with N = 2,000: 869.21 → 870",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
}

#[test]
fn csat_and_proportion_in_percentage_points() {
    assert_eq!(
        headline(&["--metric", "csat", "--margin", "5"]),
        "Responses needed for CSAT ±5 points at 95% confidence: 385 (worst case: 50% satisfied)."
    );
    assert_eq!(
        headline(&[
            "--metric",
            "proportion",
            "--margin",
            "5",
            "--population",
            "2000"
        ]),
        "Responses needed for a percentage ±5 points at 95% confidence: 385 \
         (worst case: 50%). With a population of 2,000: 323."
    );
    assert_eq!(
        headline(&[
            "--metric",
            "csat",
            "--margin",
            "3",
            "--expected",
            "80",
            "--population",
            "1000"
        ]),
        "Responses needed for CSAT ±3 points at 95% confidence: 683 \
         (expected: 80% satisfied). With a population of 1,000: 407."
    );
}

#[test]
fn means_need_a_standard_deviation() {
    assert_eq!(
        headline(&["--metric", "mean", "--margin", "0.1", "--sd", "1.5"]),
        "Responses needed for a mean ±0.1 at 95% confidence: 865 (standard deviation 1.5)."
    );
    assert_eq!(
        headline(&[
            "--metric",
            "ces",
            "--margin",
            "0.1",
            "--sd",
            "1.5",
            "--population",
            "2000"
        ]),
        "Responses needed for CES ±0.1 at 95% confidence: 865 (standard deviation 1.5). \
         With a population of 2,000: 604."
    );
}

#[test]
fn other_confidence_levels() {
    // 99%: z = 2.5758293035489, n0 = (z · 100 / 5)² = 2653.96 → 2654.
    assert_eq!(
        headline(&["--metric", "nps", "--margin", "5", "--confidence", "0.99"]),
        "Responses needed for NPS ±5 points at 99% confidence: 2,654 \
         (worst case: 50% promoters, 50% detractors)."
    );
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--metric", "nps", "--margin", "0"],
            "--margin must be greater than 0",
        ),
        (
            &["--metric", "nps", "--margin", "-5"],
            "--margin must be greater than 0",
        ),
        (
            &["--metric", "csat", "--margin", "150"],
            "wider than the whole percentage scale",
        ),
        (
            &["--metric", "mean", "--margin", "0.1"],
            "--sd is required for --metric mean",
        ),
        (&["--metric", "ces", "--margin", "0.1"], "a previous run"),
        (
            &["--metric", "mean", "--margin", "0.1", "--sd", "0"],
            "--sd must be greater than 0",
        ),
        (
            &[
                "--metric",
                "nps",
                "--margin",
                "5",
                "--promoters",
                "70",
                "--detractors",
                "40",
            ],
            "sum to 110%: the two shares cannot exceed 100%",
        ),
        (
            &[
                "--metric",
                "nps",
                "--margin",
                "5",
                "--promoters",
                "0.45",
                "--detractors",
                "0.20",
            ],
            "--promoters 0.45 is ambiguous: shares are percentages (0-100)",
        ),
        (
            &["--metric", "nps", "--margin", "5", "--promoters", "40"],
            "--promoters and --detractors go together",
        ),
        (
            &["--metric", "nps", "--margin", "5", "--confidence", "95"],
            "--confidence must be a fraction between 0 and 1",
        ),
        (
            &["--metric", "nps", "--margin", "5", "--population", "0"],
            "--population must be at least 1",
        ),
        (
            &["--metric", "csat", "--margin", "5", "--expected", "120"],
            "--expected must be a percentage between 0 and 100",
        ),
        (
            &["--metric", "csat", "--margin", "5", "--sd", "1"],
            "--sd does not apply to --metric csat",
        ),
        (
            &["--metric", "nps", "--margin", "5", "--expected", "40"],
            "--expected does not apply to --metric nps",
        ),
    ];
    for (args, message) in cases {
        let line = usage_error(args);
        assert!(line.contains(message), "{args:?}: {message:?} in {line}");
    }
}

/// `--promoters` and `--detractors` take percentages as `--expected` does (issue 14, sharp
/// edge 6): `45` and `45%` are the same, and a value between 0 and 1 without `%` is refused
/// as ambiguous.
#[test]
fn every_expected_share_is_a_percentage() {
    let nps = |p: &str, d: &str| {
        headline(&[
            "--metric",
            "nps",
            "--margin",
            "5",
            "--promoters",
            p,
            "--detractors",
            d,
        ])
    };
    let expected = "Responses needed for NPS ±5 points at 95% confidence: 903 \
                    (expected: 45% promoters, 20% detractors).";
    assert_eq!(nps("45", "20"), expected);
    assert_eq!(nps("45%", "20%"), expected);
    assert_eq!(nps("45.0", "20 %"), expected);
    // Below one percent, written with its sign: taken as it is.
    assert!(
        nps("0.5%", "0").contains("(expected: 0.5% promoters, 0% detractors)"),
        "{}",
        nps("0.5%", "0")
    );
    let csat = |pct: &str| headline(&["--metric", "csat", "--margin", "3", "--expected", pct]);
    assert_eq!(csat("80"), csat("80%"));

    let cases: &[(&[&str], &str)] = &[
        (
            &["--metric", "csat", "--margin", "3", "--expected", "0.8"],
            "--expected 0.8 is ambiguous: shares are percentages (0-100), so it would mean 0.8%, not 80%; write --expected 80 for 80%, or --expected 0.8% if you mean 0.8%",
        ),
        (
            &[
                "--metric",
                "nps",
                "--margin",
                "5",
                "--promoters",
                "45",
                "--detractors",
                "1",
            ],
            "--detractors 1 is ambiguous",
        ),
        (
            &[
                "--metric",
                "nps",
                "--margin",
                "5",
                "--promoters",
                "145",
                "--detractors",
                "20",
            ],
            "--promoters must be a percentage between 0 and 100, e.g. 45 for 45% (got 145)",
        ),
        (
            &[
                "--metric",
                "nps",
                "--margin",
                "5",
                "--promoters",
                "lots",
                "--detractors",
                "20",
            ],
            "--promoters must be a percentage between 0 and 100",
        ),
        (
            &["--metric", "proportion", "--margin", "5", "--expected", "-5"],
            "--expected must be a percentage between 0 and 100",
        ),
    ];
    for (args, message) in cases {
        let line = usage_error(args);
        assert!(line.contains(message), "{args:?}: {message:?} in {line}");
    }
}

#[test]
fn clap_rejects_unknown_metrics_and_missing_margins() {
    let o = run(&["plan-sample", "--metric", "ltv", "--margin", "5"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["plan-sample", "--metric", "nps"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_has_examples() {
    let o = run(&["plan-sample", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for part in [
        "cxm plan-sample --metric nps --margin 5",
        "--population",
        "finite population correction",
        "--sd",
        "pilot survey",
        "--promoters 45 --detractors 20",
        "Expected shares (--promoters, --detractors, --expected) are percentages, 0-100",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
}
