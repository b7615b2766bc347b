//! Unit tests of the `composite` plugin through the plain methods that `bind`, `update` and
//! `finish` call. Every expected value is derived by hand in the comment beside it.
//!
//! Fixture signals: logins (weight 2, linear 0-20), tickets (weight 1, linear 0-5
//! inverted), nps (weight 1, bands ≤6: 0, ≤8: 50, ≤10 and above: 100). Score =
//! (2·logins + tickets + nps) / 4 when all are present.

use super::*;
use serde_json::{json, Value};

/// Snapshot dates (days since 1970-01-01).
const D1: i32 = 19_723;
const D2: i32 = 19_754;
const D3: i32 = 19_783;

pub(crate) fn signals() -> Value {
    json!({
        "logins": {"weight": 2, "normalize": {"linear": [0, 20]}},
        "tickets": {"weight": 1, "normalize": {"linear": [0, 5], "invert": true}},
        // Deliberately unsorted: bands are sorted by upper bound.
        "nps": {"weight": 1, "normalize": {"bands": [[8, 50], [6, 0], [10, 100]]}}
    })
}

fn extra() -> Vec<String> {
    ["logins", "tickets", "nps"].map(String::from).to_vec()
}

pub(crate) fn with(mut params: Value) -> Result<Composite, String> {
    if params.get("signals").is_none() {
        params["signals"] = signals();
    }
    let params: CompositeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    Composite::new(params, &extra(), true)
}

pub(crate) fn metric() -> Composite {
    with(json!({})).unwrap()
}

type RawRow = (&'static str, i32, [Option<f64>; 3]);

/// The portfolio fixture: A 100 → 82.5 (cooling), B 40 → 30 (drop exactly 10, cooling),
/// C 50 (one snapshot, tickets missing), D 55 (only at D1), E 37.5 → 32.5 (not cooling).
fn portfolio() -> Vec<RawRow> {
    vec![
        // (2·100 + 100 + 100) / 4 = 100
        ("A", D1, [Some(20.0), Some(0.0), Some(10.0)]),
        // logins 50, tickets 100 − 100·4.5/5 = 10, nps 50: (100 + 10 + 50) / 4 = 40
        ("B", D1, [Some(10.0), Some(4.5), Some(7.0)]),
        // logins 80, tickets 60, nps 0: (160 + 60 + 0) / 4 = 55
        ("D", D1, [Some(16.0), Some(2.0), Some(5.0)]),
        // logins 30, tickets 40, nps 50: (60 + 40 + 50) / 4 = 37.5
        ("E", D1, [Some(6.0), Some(3.0), Some(7.0)]),
        // logins 75, tickets 80, nps 100: (150 + 80 + 100) / 4 = 82.5
        ("A", D2, [Some(15.0), Some(1.0), Some(9.0)]),
        // logins 25, tickets 20, nps 50: (50 + 20 + 50) / 4 = 30
        ("B", D2, [Some(5.0), Some(4.0), Some(7.0)]),
        // logins 50, tickets missing, nps 50 (8 ≤ 8): renormalized (100 + 50) / 3 = 50
        ("C", D2, [Some(10.0), None, Some(8.0)]),
        // logins 20, tickets 40, nps 50: (40 + 40 + 50) / 4 = 32.5
        ("E", D2, [Some(4.0), Some(3.0), Some(7.0)]),
    ]
}

fn state_of(m: &Composite, rows: &[RawRow]) -> (CompositeState, Vec<Result<(), Reject>>) {
    let mut state = CompositeState::default();
    let status = rows
        .iter()
        .map(|(id, d, raw)| m.tally(&mut state, Some(id), Some(*d), raw, 1.0))
        .collect();
    (state, status)
}

#[test]
fn portfolio_scores_bands_and_cooling() {
    let m = metric();
    let (state, status) = state_of(&m, &portfolio());
    assert!(status.iter().all(Result::is_ok), "{status:?}");
    let r = m.result(&state);
    // Latest scores: A 82.5, B 30, C 50, D 55, E 32.5; mean = 250 / 5 = 50.
    assert_eq!(r.value, Some(50.0));
    assert_eq!(r.n, 5.0);
    assert_eq!(r.unit, "health score (0-100)");
    // s² = (14287.5 − 250²/5) / 4 = 446.875; t(0.975, 4) = 2.7764451051977987;
    // half = t · √(446.875 / 5) = 26.248054468... → (23.7519455319627, 76.2480544680373).
    let ci = r.ci.as_ref().unwrap();
    assert!((ci.low - 23.751_945_531_962_7).abs() < 1e-9, "{ci:?}");
    assert!((ci.high - 76.248_054_468_037_3).abs() < 1e-9, "{ci:?}");
    assert_eq!((ci.level, ci.method.as_str()), (0.95, "t"));
    // Red: B 30, E 32.5; yellow: C 50, D 55; green: A 82.5.
    let d = &r.details;
    assert_eq!(d["customers"], json!(5.0));
    assert_eq!(d["red"], json!(2.0));
    assert_eq!(d["yellow"], json!(2.0));
    assert_eq!(d["green"], json!(1.0));
    assert_eq!(d["red_pct"], json!(40.0));
    assert_eq!(d["yellow_pct"], json!(40.0));
    assert_eq!(d["green_pct"], json!(20.0));
    // A fell 17.5 and B exactly 10 (≥ cooling_drop); E fell 5.
    assert_eq!(d["cooling"], json!(2.0));
    assert_eq!(d["snapshots"], json!(2));
    let keys: Vec<&str> = d.keys().collect();
    assert_eq!(
        keys,
        [
            "customers",
            "red",
            "yellow",
            "green",
            "red_pct",
            "yellow_pct",
            "green_pct",
            "cooling",
            "snapshots"
        ]
    );
    assert_eq!(r.warnings, ["low_sample"]);
    let table = &r.tables[0];
    assert_eq!(table.name, "customers");
    assert_eq!(
        table.columns,
        [
            "customer",
            "score",
            "band",
            "logins",
            "tickets",
            "nps",
            "previous_score",
            "change",
            "cooling"
        ]
    );
    let n = Value::Null;
    assert_eq!(
        table.rows,
        vec![
            vec![
                json!("B"),
                json!(30.0),
                json!("red"),
                json!(25.0),
                json!(20.0),
                json!(50.0),
                json!(40.0),
                json!(-10.0),
                json!(true)
            ],
            vec![
                json!("E"),
                json!(32.5),
                json!("red"),
                json!(20.0),
                json!(40.0),
                json!(50.0),
                json!(37.5),
                json!(-5.0),
                json!(false)
            ],
            vec![
                json!("C"),
                json!(50.0),
                json!("yellow"),
                json!(50.0),
                n.clone(),
                json!(50.0),
                n.clone(),
                n.clone(),
                n.clone()
            ],
            vec![
                json!("D"),
                json!(55.0),
                json!("yellow"),
                json!(80.0),
                json!(60.0),
                json!(0.0),
                n.clone(),
                n.clone(),
                n.clone()
            ],
            vec![
                json!("A"),
                json!(82.5),
                json!("green"),
                json!(75.0),
                json!(80.0),
                json!(100.0),
                json!(100.0),
                json!(-17.5),
                json!(true)
            ],
        ]
    );
    let signals = &r.tables[1];
    assert_eq!(signals.name, "signals");
    assert_eq!(
        signals.columns,
        ["signal", "weight", "normalized_weight", "normalize"]
    );
    // Weights 2, 1, 1 of 4 → 0.5, 0.25, 0.25.
    assert_eq!(
        signals.rows[0],
        vec![
            json!("logins"),
            json!(2.0),
            json!(0.5),
            json!("linear 0 to 20 (0 at 0, 100 at 20)")
        ]
    );
    assert_eq!(signals.rows[1][2], json!(0.25));
    assert_eq!(signals.rows[2][0], json!("nps"));
}

#[test]
fn single_snapshot_has_no_comparison_columns() {
    let m = metric();
    let rows: Vec<RawRow> = portfolio().into_iter().filter(|r| r.1 == D2).collect();
    let (state, _) = state_of(&m, &rows);
    let r = m.result(&state);
    // A 82.5, B 30, C 50, E 32.5: mean 195 / 4 = 48.75.
    assert_eq!(r.value, Some(48.75));
    assert!(r.details.get("cooling").is_none());
    assert_eq!(r.details["snapshots"], json!(1));
    assert_eq!(
        r.tables[0].columns,
        ["customer", "score", "band", "logins", "tickets", "nps"]
    );
    assert_eq!(r.tables[0].rows[0][0], json!("B"));
}

#[test]
fn only_the_latest_two_snapshots_are_compared() {
    let m = metric();
    // F: D1 (200+100+100)/4 = 100; D2 logins 10 → 50, 0 tickets, nps 10: (100+100+100)/4 = 75;
    // D3 logins 8 → 40: (80+100+100)/4 = 70. Latest two: 75 → 70, drop 5: not cooling
    // (D1 → D3 would be a drop of 30).
    let rows: Vec<RawRow> = vec![
        ("F", D3, [Some(8.0), Some(0.0), Some(10.0)]),
        ("F", D1, [Some(20.0), Some(0.0), Some(10.0)]),
        ("F", D2, [Some(10.0), Some(0.0), Some(10.0)]),
    ];
    let (state, _) = state_of(&m, &rows);
    let r = m.result(&state);
    assert_eq!(r.value, Some(70.0));
    assert_eq!(r.details["cooling"], json!(0.0));
    assert_eq!(r.details["snapshots"], json!(3));
    assert_eq!(
        &r.tables[0].rows[0][6..],
        &[json!(75.0), json!(-5.0), json!(false)]
    );
}

#[test]
fn duplicate_customer_snapshot_is_rejected_and_first_wins() {
    let m = metric();
    let rows: Vec<RawRow> = vec![
        ("A", D1, [Some(20.0), Some(0.0), Some(10.0)]),
        ("A", D1, [Some(0.0), Some(5.0), Some(0.0)]),
        ("A", D2, [Some(0.0), Some(5.0), Some(0.0)]),
    ];
    let (state, status) = state_of(&m, &rows);
    assert_eq!(
        status,
        [Ok(()), Err(Reject::Own("duplicate_entity")), Ok(())]
    );
    // The D1 entry is the first row (100), so A fell 100 → 0: cooling.
    let r = m.result(&state);
    assert_eq!(
        r.tables[0].rows[0][6..],
        [json!(100.0), json!(-100.0), json!(true)]
    );
}

#[test]
fn weight_counts_like_identical_customers() {
    let m = metric();
    // A (82.5) with weight 2 and B (30) equal A1, A2 (82.5 each) and B.
    let a = [Some(15.0), Some(1.0), Some(9.0)];
    let b = [Some(5.0), Some(4.0), Some(7.0)];
    let mut weighted = CompositeState::default();
    m.tally(&mut weighted, Some("A"), Some(D1), &a, 2.0)
        .unwrap();
    m.tally(&mut weighted, Some("B"), Some(D1), &b, 1.0)
        .unwrap();
    let mut expanded = CompositeState::default();
    for id in ["A1", "A2"] {
        m.tally(&mut expanded, Some(id), Some(D1), &a, 1.0).unwrap();
    }
    m.tally(&mut expanded, Some("B"), Some(D1), &b, 1.0)
        .unwrap();
    let (w, e) = (m.result(&weighted), m.result(&expanded));
    // Mean (2·82.5 + 30) / 3 = 65.
    assert_eq!(w.value, Some(65.0));
    assert_eq!(
        (w.value, w.n, &w.ci, &w.details),
        (e.value, e.n, &e.ci, &e.details)
    );
    assert_eq!(
        m.tally(&mut weighted, Some("C"), Some(D1), &a, -1.0),
        Err(Reject::InvalidValue)
    );
}

#[test]
fn empty_input_has_no_value() {
    let m = metric();
    let r = m.result(&CompositeState::default());
    assert_eq!((r.value, r.n, r.ci.is_none()), (None, 0.0, true));
    assert_eq!(r.warnings, ["no_data", "low_sample"]);
    assert_eq!(r.details["red_pct"], Value::Null);
    assert_eq!(r.details["snapshots"], json!(0));
    assert!(r.tables[0].rows.is_empty());
    assert_eq!(r.tables[0].columns.len(), 6);
}

#[test]
fn all_invalid_input_has_no_value() {
    let m = with(json!({"missing": "skip"})).unwrap();
    let rows: Vec<RawRow> = vec![
        ("A", D1, [None, None, None]),
        ("B", D1, [Some(1.0), None, Some(3.0)]),
    ];
    let (state, status) = state_of(&m, &rows);
    assert!(status
        .iter()
        .all(|s| *s == Err(Reject::Own("missing_signal"))));
    assert_eq!(m.result(&state).value, None);
    let mut state = CompositeState::default();
    assert_eq!(
        m.tally(&mut state, None, Some(D1), &[None; 3], 1.0),
        Err(Reject::Empty)
    );
}

#[test]
fn merging_equals_one_state_and_destination_wins() {
    let m = metric();
    let rows = portfolio();
    let (whole, _) = state_of(&m, &rows);
    let (mut first, _) = state_of(&m, &rows[..3]);
    let (second, _) = state_of(&m, &rows[3..]);
    first.merge(&second);
    assert_eq!(first, whole);
    assert_eq!(m.result(&first), m.result(&whole));
    // The same key in both: the destination's entry stays and the collision is reported.
    let (mut dst, _) = state_of(&m, &rows[..1]);
    let (src, _) = state_of(&m, &[("A", D1, [Some(0.0), Some(5.0), Some(0.0)])]);
    dst.merge(&src);
    let r = m.result(&dst);
    assert_eq!(r.value, Some(100.0));
    assert_eq!(r.details["merge_duplicates"], json!(1));
    assert!(r.warnings.iter().any(|w| w == "duplicate_entity"));
}

#[test]
fn basis_is_the_mean_and_sample_variance_of_latest_scores() {
    let m = metric();
    let (state, _) = state_of(&m, &portfolio());
    let r = m.result(&state);
    // Latest scores 82.5, 30, 50, 55, 32.5: mean 50, s² = (14287.5 − 250²/5) / 4 = 446.875.
    assert_eq!(
        r.basis,
        Some(TestBasis::Mean {
            mean: 50.0,
            variance: 446.875,
            n: 5.0
        })
    );
    assert_eq!(r.value, Some(50.0));
    assert_eq!(r.n, 5.0);
    // Frequency weights: A (82.5) with weight 2 and B (30): Σw = 3, Σw·x = 195,
    // Σw·x² = 2·6806.25 + 900 = 14512.5; s² = (14512.5 − 195²/3) / 2 = 918.75.
    let mut weighted = CompositeState::default();
    m.tally(
        &mut weighted,
        Some("A"),
        Some(D1),
        &[Some(15.0), Some(1.0), Some(9.0)],
        2.0,
    )
    .unwrap();
    m.tally(
        &mut weighted,
        Some("B"),
        Some(D1),
        &[Some(5.0), Some(4.0), Some(7.0)],
        1.0,
    )
    .unwrap();
    let r = m.result(&weighted);
    assert_eq!(
        r.basis,
        Some(TestBasis::Mean {
            mean: 65.0,
            variance: 918.75,
            n: 3.0
        })
    );
    assert_eq!(r.value, Some(65.0));
}

#[test]
fn no_basis_without_a_sample_variance() {
    let m = metric();
    // One customer: a mean but no variance.
    let (state, _) = state_of(&m, &portfolio()[..1]);
    let r = m.result(&state);
    assert_eq!(r.value, Some(100.0));
    assert_eq!(r.basis, None);
    let r = m.result(&CompositeState::default());
    assert_eq!((r.value, &r.basis), (None, &None));
}
