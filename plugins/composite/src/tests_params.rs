//! Unit tests of the `composite` params: spec defaults, normalization (linear, inverted,
//! bands), the missing-signal policies, and validation messages.

use super::*;
use crate::tests::{metric, signals, with};
use serde_json::{json, Value};

#[test]
fn empty_params_except_signals_are_the_spec_defaults() {
    let p: CompositeParams = serde_json::from_value(json!({})).unwrap();
    assert_eq!(p.missing, Missing::Renormalize);
    assert_eq!(
        p.bands,
        Bands {
            red: 40.0,
            yellow: 70.0
        }
    );
    assert_eq!(p.cooling_drop, 10.0);
    assert_eq!(p.confidence, 0.95);
    assert_eq!(p.min_n, 30);
    assert!(p.signals.is_empty());
}

#[test]
fn linear_normalization_is_clamped_and_invertible() {
    let m = metric();
    let [logins, tickets, nps] = [0, 1, 2].map(|i| &m.signals()[i].normalize);
    // 100 · (15 − 0) / 20 = 75; clamped below 0 and above 20.
    assert_eq!(logins.apply(15.0), 75.0);
    assert_eq!(logins.apply(-5.0), 0.0);
    assert_eq!(logins.apply(30.0), 100.0);
    // Inverted: 100 at lo, 0 at hi; 1 ticket → 100 − 20 = 80.
    assert_eq!(tickets.apply(0.0), 100.0);
    assert_eq!(tickets.apply(1.0), 80.0);
    assert_eq!(tickets.apply(9.0), 0.0);
    // Bands, sorted to ≤6: 0, ≤8: 50, ≤10: 100; a bound itself belongs to its band, and
    // values above the last bound get the last band's points.
    assert_eq!(nps.apply(-3.0), 0.0);
    assert_eq!(nps.apply(6.0), 0.0);
    assert_eq!(nps.apply(6.5), 50.0);
    assert_eq!(nps.apply(8.0), 50.0);
    assert_eq!(nps.apply(9.0), 100.0);
    assert_eq!(nps.apply(12.0), 100.0);
    assert_eq!(
        nps.describe(),
        "bands <= 6: 0, <= 8: 50, <= 10 and above: 100"
    );
    assert_eq!(
        tickets.describe(),
        "linear 0 to 5, inverted (0 at 5, 100 at 0)"
    );
}

#[test]
fn missing_signals_follow_the_policy() {
    let raw = [Some(10.0), None, Some(8.0)];
    // renormalize: (2·50 + 50) / 3 = 50.
    assert_eq!(metric().score(&raw).unwrap().0, 50.0);
    // zero: (2·50 + 0 + 50) / 4 = 37.5.
    let zero = with(json!({"missing": "zero"})).unwrap();
    assert_eq!(
        zero.score(&raw).unwrap(),
        (37.5, vec![Some(50.0), None, Some(50.0)])
    );
    assert_eq!(zero.score(&[None, None, None]).unwrap().0, 0.0);
    let skip = with(json!({"missing": "skip"})).unwrap();
    assert_eq!(skip.score(&raw), Err(Reject::Own("missing_signal")));
    assert_eq!(
        metric().score(&[None, None, None]),
        Err(Reject::Own("no_signals"))
    );
    assert_eq!(
        metric().score(&[Some(f64::NAN), None, None]),
        Err(Reject::NotANumber)
    );
}

#[test]
fn params_are_validated_with_actionable_messages() {
    let err = |p: Value| with(p).err().unwrap();
    let sig = |normalize: Value| {
        json!({"signals": {"logins": {"weight": 1, "normalize": normalize},
        "tickets": {"weight": 1, "normalize": {"linear": [0, 5]}},
        "nps": {"weight": 1, "normalize": {"linear": [0, 10]}}}})
    };
    let e = err(json!({"signals": {"logins": {"weight": 1, "normalize": {"linear": [0, 1]}}}}));
    assert!(
        e.contains("input 'tickets' is mapped but signals has no entry"),
        "{e}"
    );
    let mut p = json!({"signals": signals()});
    p["signals"]["csat"] = json!({"weight": 1, "normalize": {"linear": [1, 5]}});
    let e = err(p);
    assert!(e.contains("signal 'csat' has no input"), "{e}");
    let e = Composite::new(CompositeParams::default(), &[], false)
        .err()
        .unwrap();
    assert!(e.contains("signals is required"), "{e}");
    let mut p = json!({"signals": signals()});
    p["signals"]["logins"]["weight"] = json!(0);
    assert!(err(p).contains("signals.logins.weight = 0 must be a positive number"));
    let mut p = json!({"signals": signals()});
    p["signals"]["nps"] = json!({"normalize": {"linear": [0, 10]}});
    assert!(err(p).contains("signals.nps needs a weight"));
    assert!(err(sig(json!({"linear": [20, 0]}))).contains("invert = true"));
    assert!(err(sig(json!({"linear": [0, 1], "bands": [[1, 2]]}))).contains("choose one"));
    assert!(err(sig(json!({}))).contains("needs linear"));
    assert!(err(sig(json!({"bands": []}))).contains("bands is empty"));
    assert!(err(sig(json!({"bands": [[1, 150]]}))).contains("must lie on 0-100"));
    assert!(err(sig(json!({"bands": [[1, 10], [1, 20]]}))).contains("appears twice"));
    assert!(err(sig(json!({"bands": [[1, 10]], "invert": true}))).contains("linear only"));
    let e = err(json!({"bands": {"red": 80, "yellow": 70}}));
    assert!(e.contains("0 <= red <= yellow <= 100"), "{e}");
    assert!(err(json!({"cooling_drop": 0})).contains("cooling_drop = 0"));
    assert!(err(json!({"confidence": 95})).contains("strictly between 0 and 1"));
    assert!(err(json!({"missing": "drop"})).contains("unknown variant"));
    assert!(err(json!({"cooling": 5})).contains("unknown field"));
    let mut p = json!({"signals": signals()});
    p["signals"]["nps"]["wieght"] = json!(1);
    assert!(err(p).contains("unknown field `wieght`"));
}
