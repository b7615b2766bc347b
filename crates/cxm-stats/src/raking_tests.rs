//! Raking checked against closed forms: a 2×2 table raked to its margins keeps its odds
//! ratio (the IPF solution is the table with the target margins and the sample's
//! cross-product ratio), and Kish's effective n by hand.

use super::*;

fn close(a: f64, b: f64, tolerance: f64) {
    assert!((a - b).abs() <= tolerance, "{a} vs {b}");
}

/// Cells (A,X) 40, (A,Y) 10, (B,X) 20, (B,Y) 30: odds ratio 40·30/(10·20) = 6.
fn two_by_two() -> Vec<(Vec<usize>, f64)> {
    vec![
        (vec![0, 0], 40.0),
        (vec![0, 1], 10.0),
        (vec![1, 0], 20.0),
        (vec![1, 1], 30.0),
    ]
}

#[test]
fn a_two_by_two_table_rakes_to_the_table_with_its_odds_ratio() {
    // Margins 50/50 on both variables: the raked table is [[a, 50 − a], [50 − a, a]] with
    // a²/(50 − a)² = 6, so a = 50·√6/(1 + √6) = 35.505102572168…
    let a = 50.0 * 6f64.sqrt() / (1.0 + 6f64.sqrt());
    let options = RakeOptions {
        tolerance: 1e-12,
        ..Default::default()
    };
    let raked = rake(&two_by_two(), &[vec![50.0, 50.0], vec![1.0, 1.0]], &options).unwrap();
    assert!(raked.converged, "{raked:?}");
    assert!(raked.iterations > 1 && raked.iterations < 100);
    let expected = [a / 40.0, (50.0 - a) / 10.0, (50.0 - a) / 20.0, a / 30.0];
    for (f, e) in raked.factors.iter().zip(expected) {
        close(*f, e, 1e-9);
    }
    // The weighted mean factor is 1: Σ base·factor = Σ base = 100.
    let total: f64 = two_by_two()
        .iter()
        .zip(&raked.factors)
        .map(|((_, b), f)| b * f)
        .sum();
    close(total, 100.0, 1e-9);
}

#[test]
fn one_variable_is_reached_in_one_sweep() {
    // Region A has 80 of 100, B 20; targets 50/50: factors 50/80 and 50/20.
    let cells = vec![(vec![0], 80.0), (vec![1], 20.0)];
    let raked = rake(&cells, &[vec![0.5, 0.5]], &RakeOptions::default()).unwrap();
    assert_eq!(raked.iterations, 1);
    assert_eq!(raked.factors, vec![0.625, 2.5]);
    assert_eq!(raked.trimmed_cells, 0);
}

#[test]
fn trimming_bounds_the_factors_or_reports_no_convergence() {
    let cells = vec![(vec![0], 80.0), (vec![1], 20.0)];
    // 2.5 is above a bound of 2: the margins cannot be met within it.
    let options = RakeOptions {
        trim: Some((0.5, 2.0)),
        max_iterations: 20,
        ..Default::default()
    };
    let raked = rake(&cells, &[vec![0.5, 0.5]], &options).unwrap();
    assert!(!raked.converged);
    assert_eq!(raked.iterations, 20);
    assert!(raked.max_gap > 0.01, "{raked:?}");
    assert!(raked.factors.iter().all(|f| (0.5..=2.0).contains(f)));
    // Bounds the solution respects change nothing.
    let options = RakeOptions {
        trim: Some((0.5, 3.0)),
        ..Default::default()
    };
    let raked = rake(&cells, &[vec![0.5, 0.5]], &options).unwrap();
    assert!(raked.converged);
    assert_eq!(raked.factors, vec![0.625, 2.5]);
}

#[test]
fn impossible_margins_are_refused() {
    let cells = vec![(vec![0], 80.0), (vec![0], 20.0)];
    assert_eq!(
        rake(&cells, &[vec![0.5, 0.5]], &RakeOptions::default()),
        Err(RakeError::EmptyCategory(0, 1))
    );
    assert_eq!(
        rake(&[], &[vec![1.0]], &RakeOptions::default()),
        Err(RakeError::NoWeight)
    );
    assert_eq!(
        rake(&cells, &[vec![0.0, 0.0]], &RakeOptions::default()),
        Err(RakeError::BadTargets(0))
    );
    // A category with a zero target may be absent.
    let raked = rake(&cells, &[vec![1.0, 0.0]], &RakeOptions::default()).unwrap();
    assert_eq!(raked.factors, vec![1.0, 1.0]);
}

#[test]
fn kish_effective_n_by_hand() {
    // Weights 1, 1, 2, 4: (Σw)² / Σw² = 64 / 22.
    close(kish_effective_n(8.0, 22.0).unwrap(), 64.0 / 22.0, 1e-15);
    // Equal weights: n itself, whatever the scale.
    close(
        kish_effective_n(10.0 * 3.0, 10.0 * 9.0).unwrap(),
        10.0,
        1e-12,
    );
    assert_eq!(kish_effective_n(0.0, 0.0), None);
}
