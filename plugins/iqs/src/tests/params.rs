//! Param validation tests of the `iqs` plugin: each invalid setting is refused at bind
//! with a message naming the setting.

use super::*;

#[test]
fn score_must_be_mapped() {
    let err = Harness::<Iqs>::bind(&scorecard().to_string(), &inputs()[..2])
        .err()
        .unwrap();
    assert!(err.contains("map the score input"), "{err}");
}

#[test]
fn invalid_params_are_refused_with_a_reason() {
    let with = |extra: Value| {
        let mut p = scorecard();
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let cases = [
        (json!({}), "criteria is required"),
        (json!({"criteria": {}}), "criteria is required"),
        (json!({"criteria": {"a": {}}}), "criteria.a needs scale"),
        (
            json!({"criteria": {"a": {"scale": [5, 1]}}}),
            "criteria.a.scale = [5, 1]",
        ),
        (
            json!({"criteria": {"a": {"scale": [0, 5], "weight": 0}}}),
            "criteria.a.weight = 0 must be a positive number",
        ),
        (
            json!({"criteria": {"a": {"scale": [0, 5], "wieght": 2}}}),
            "criteria.a: unknown field `wieght`",
        ),
        (
            json!({"criteria": {"a": {"scale": [0, 5]}, " a": {"scale": [0, 5]}}}),
            "twice",
        ),
        (
            with(json!({"critical_threshold": 150})),
            "critical_threshold = 150",
        ),
        (with(json!({"pass_score": -1})), "pass_score = -1"),
        (with(json!({"confidence": 95})), "write 0.95"),
        (with(json!({"pass": 80})), "unknown field `pass`"),
    ];
    for (params, message) in cases {
        let err = iqs(params.clone()).err().unwrap_or_default();
        assert!(err.contains(message), "{params}: {err}");
    }
    let m = iqs(scorecard()).unwrap();
    let names: Vec<_> = m
        .params()
        .criteria
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["accuracy", "tone", "process"],
        "config order is kept"
    );
}
