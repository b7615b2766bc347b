//! Tests of the generated boundary functions, through the testing harness.

use crate::prelude::*;
use crate::testing::{Column, Harness};

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SumParams {
    max: Option<i64>,
    panic_on: Option<i64>,
}

/// Sums an integer input; rejects values above `max` with its own reason "too_big".
struct Sum {
    params: SumParams,
}

impl Metric for Sum {
    const NAME: &'static str = "sum";
    const DESCRIPTION: &'static str = "test";
    const INPUTS: &'static [Input] = &[
        Input::required("x", InputType::Integer, "value"),
        Input::optional("label", InputType::Text, "label"),
    ];
    const REASONS: &'static [&'static str] = &["too_big"];
    type Params = SumParams;
    type State = (f64, f64, String);

    fn bind(params: SumParams, inputs: &BoundInputs) -> Result<Self, String> {
        if params.max == Some(-1) {
            return Err("max must not be -1".into());
        }
        let _ = inputs.is_mapped(1);
        Ok(Sum { params })
    }

    fn update(&self, s: &mut Self::State, row: &Row<'_>) -> Result<(), Reject> {
        let x = row.int(0).ok_or(Reject::Empty)?;
        if Some(x) == self.params.panic_on {
            panic!("boom at {x}");
        }
        if self.params.max.is_some_and(|m| x > m) {
            return Err(Reject::Own("too_big"));
        }
        s.0 += row.weight();
        s.1 += row.weight() * x as f64;
        if let Some(l) = row.text(1) {
            s.2.push_str(l);
        }
        Ok(())
    }

    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        into.0 += from.0;
        into.1 += from.1;
        into.2.push_str(&from.2);
    }

    fn finish(&self, s: &Self::State) -> MetricResult {
        MetricResult {
            value: Some(s.1),
            n: s.0,
            unit: s.2.clone(),
            ..Default::default()
        }
    }
}

fn ints(v: &[Option<i64>]) -> Column {
    Column::Int(v.to_vec())
}

#[test]
fn rows_are_used_or_rejected_with_reasons() {
    let mut h = Harness::<Sum>::bind(r#"{"max": 10}"#, &[("x", ints(&[]))]).unwrap();
    let status = h
        .update(&[ints(&[Some(1), None, Some(11), Some(4)])], None, None)
        .unwrap();
    assert_eq!(status, ["used", "empty", "too_big", "used"]);
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.n), (Some(5.0), 2.0));
}

#[test]
fn weights_groups_and_merge_maps() {
    let mut a =
        Harness::<Sum>::bind("{}", &[("x", ints(&[])), ("label", Column::text(&[]))]).unwrap();
    let labels = Column::text(&[Some("a"), Some("b"), None]);
    a.update(
        &[ints(&[Some(2), Some(3), Some(5)]), labels],
        Some(&[1.0, 2.0, 4.0]),
        Some(&[0, 1, 1]),
    )
    .unwrap();
    assert_eq!(a.finish(0).unwrap().value, Some(2.0));
    assert_eq!(a.finish(1).unwrap().value, Some(2.0 * 3.0 + 4.0 * 5.0));
    assert_eq!(a.finish(1).unwrap().unit, "b");
    assert_eq!(a.finish(7).unwrap().n, 0.0, "a group never seen is empty");
    let mut total =
        Harness::<Sum>::bind("{}", &[("x", ints(&[])), ("label", Column::text(&[]))]).unwrap();
    total.merge(&a, &[0, 0]).unwrap();
    let r = total.finish(0).unwrap();
    assert_eq!((r.value, r.n), (Some(28.0), 7.0));
}

#[test]
fn a_group_id_beyond_num_groups_fails_the_batch() {
    let x = ints(&[Some(1), Some(2), Some(3)]);
    let mut h = Harness::<Sum>::bind("{}", &[("x", x.clone())]).expect("bind");
    let err = h
        .update_declaring_groups(&[x], None, Some(&[0, 1, 2]), 2)
        .expect_err("group 2 of 2");
    assert!(
        err.contains("group id 2 out of range (num_groups 2)"),
        "{err}"
    );
}

#[test]
fn host_rejected_rows_are_skipped() {
    // The host pre-sets a non-zero status; the harness starts from zero, so this checks
    // the complement: every row gets a status written.
    let mut h = Harness::<Sum>::bind("{}", &[("x", ints(&[]))]).unwrap();
    let status = h.update(&[ints(&[None, None])], None, None).unwrap();
    assert_eq!(status, ["empty", "empty"]);
}

#[test]
fn bind_errors_name_the_problem() {
    let err = Harness::<Sum>::bind(r#"{"maxx": 1}"#, &[("x", ints(&[]))])
        .err()
        .unwrap();
    assert!(
        err.starts_with("InvalidParams") && err.contains("unknown field `maxx`"),
        "{err}"
    );
    // No position in the internal JSON (the host locates params in the TOML).
    assert!(!err.contains(" at line "), "{err}");
    let err = Harness::<Sum>::bind(r#"{"max": "ten"}"#, &[("x", ints(&[]))])
        .err()
        .unwrap();
    assert!(
        err.contains("invalid type: string \"ten\"") && !err.contains(" column "),
        "{err}"
    );
    let err = Harness::<Sum>::bind(r#"{"max": -1}"#, &[("x", ints(&[]))])
        .err()
        .unwrap();
    assert!(err.contains("max must not be -1"), "{err}");
    let err = Harness::<Sum>::bind("{}", &[("x", Column::Number(vec![]))])
        .err()
        .unwrap();
    assert!(
        err.starts_with("InvalidInput")
            && err.contains(
                "input 'x' is declared InputType::Integer, so it must be Arrow 'l', got 'g'"
            ),
        "{err}"
    );
    let err = Harness::<Sum>::bind("{}", &[("label", Column::text(&[]))])
        .err()
        .unwrap();
    assert!(err.contains("required input 'x' is not mapped"), "{err}");
    let err = Harness::<Sum>::bind("{}", &[("x", ints(&[])), ("y", ints(&[]))])
        .err()
        .unwrap();
    assert!(err.contains("unknown input 'y'"), "{err}");
}

#[test]
fn panics_become_errors_naming_the_metric() {
    let mut h = Harness::<Sum>::bind(r#"{"panic_on": 3}"#, &[("x", ints(&[]))]).unwrap();
    let err = h
        .update(&[ints(&[Some(1), Some(3)])], None, None)
        .err()
        .unwrap();
    assert!(err.starts_with("Panic"), "{err}");
    assert!(
        err.contains("metric 'sum': panicked in update: boom at 3"),
        "{err}"
    );
}

/// Sums every extra (variadic) input of a row.
struct SumExtras {
    names: Vec<String>,
}

impl Metric for SumExtras {
    const NAME: &'static str = "sum_extras";
    const DESCRIPTION: &'static str = "test";
    const INPUTS: &'static [Input] = &[
        Input::required("id", InputType::Text, "row id"),
        Input::variadic(InputType::Number, "signals"),
    ];
    type Params = SumParams;
    type State = f64;

    fn bind(_: SumParams, inputs: &BoundInputs) -> Result<Self, String> {
        Ok(SumExtras {
            names: inputs.extra().to_vec(),
        })
    }

    fn update(&self, s: &mut f64, row: &Row<'_>) -> Result<(), Reject> {
        for k in 0..self.names.len() {
            *s += row.number(Self::INPUTS.len() + k).unwrap_or(0.0);
        }
        Ok(())
    }

    fn merge(&self, into: &mut f64, from: &f64) {
        *into += from;
    }

    fn finish(&self, s: &f64) -> MetricResult {
        MetricResult {
            value: Some(*s),
            unit: self.names.join("+"),
            ..Default::default()
        }
    }
}

#[test]
fn variadic_inputs_are_named_by_the_config() {
    let nums = |v: &[Option<f64>]| Column::Number(v.to_vec());
    let inputs = [
        ("id", Column::text(&[])),
        ("logins", nums(&[])),
        ("seats", nums(&[])),
    ];
    let mut h = Harness::<SumExtras>::bind("{}", &inputs).unwrap();
    let ids = Column::text(&[Some("a"), Some("b")]);
    h.update(
        &[
            ids,
            nums(&[Some(1.0), None]),
            nums(&[Some(10.0), Some(20.0)]),
        ],
        None,
        None,
    )
    .unwrap();
    let r = h.finish(0).unwrap();
    assert_eq!((r.value, r.unit.as_str()), (Some(31.0), "logins+seats"));
    let err = Harness::<SumExtras>::bind(
        "{}",
        &[("id", Column::text(&[])), ("x", Column::Int(vec![]))],
    )
    .err()
    .unwrap();
    assert!(
        err.contains("input 'x' is declared InputType::Number, so it must be Arrow 'g'"),
        "{err}"
    );
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct MisreadParams {
    /// Read `label` with the wrong accessor only for this value of `x`.
    misread_on: Option<i64>,
}

/// Reads its Integer input `x` with the right accessor and, for one value of `x` (or always,
/// without the param), its Text input `label` with `row.number()`: a plugin bug.
struct Misread {
    misread_on: Option<i64>,
}

/// The line of the wrong read in `Misread::update`, found in this file.
fn misread_line() -> usize {
    let needle = ["row.number", "(1)"].concat();
    let lines: Vec<usize> = (1..)
        .zip(include_str!("tests.rs").lines())
        .filter(|(_, line)| line.contains(&needle))
        .map(|(number, _)| number)
        .collect();
    assert_eq!(lines.len(), 1, "one such read: {lines:?}");
    lines[0]
}

impl Metric for Misread {
    const NAME: &'static str = "misread";
    const DESCRIPTION: &'static str = "test";
    const INPUTS: &'static [Input] = &[
        Input::required("x", InputType::Integer, "value"),
        Input::optional("label", InputType::Text, "label"),
    ];
    type Params = MisreadParams;
    type State = f64;

    fn bind(p: MisreadParams, _: &BoundInputs) -> Result<Self, String> {
        Ok(Misread {
            misread_on: p.misread_on,
        })
    }

    fn update(&self, s: &mut f64, row: &Row<'_>) -> Result<(), Reject> {
        let x = row.int(0).ok_or(Reject::Empty)?;
        if self.misread_on.is_none_or(|on| on == x) {
            *s += row.number(1).unwrap_or(0.0);
        }
        *s += row.weight();
        Ok(())
    }

    fn merge(&self, into: &mut f64, from: &f64) {
        *into += from;
    }

    fn finish(&self, s: &f64) -> MetricResult {
        MetricResult {
            value: Some(*s),
            n: *s,
            ..Default::default()
        }
    }
}

#[test]
fn a_mismatched_accessor_fails_the_harness_bind_at_the_plugins_line() {
    let inputs = [("x", ints(&[])), ("label", Column::text(&[]))];
    let err = Harness::<Misread>::bind("{}", &inputs)
        .err()
        .expect("misread");
    let at = format!("src/tests.rs:{}:", misread_line());
    assert!(
        err.starts_with(
            "Failed: metric 'misread': input 'label' is declared InputType::Text, \
                         but update reads it with row.number() at "
        ) && err.contains(&at)
            && err.ends_with(": read it with row.text(), or declare it InputType::Number"),
        "{err}"
    );
    assert!(!err.contains("columns.rs"), "located in the SDK: {err}");
    // Unmapped, the optional input reads as None whatever the accessor: nothing to report.
    Harness::<Misread>::bind("{}", &[("x", ints(&[]))]).expect("label unmapped");
}

#[test]
fn a_mismatched_accessor_panics_at_the_plugins_line_naming_the_input() {
    // Install the SDK's panic hook, as a loaded plugin's entry symbol does: it records the
    // panic's location for the error message.
    static MODULE: crate::__private::ModuleCell = crate::__private::ModuleCell::new();
    assert!(!crate::__private::entry(&MODULE, "sdk-tests", "0", Vec::new).is_null());
    // The made-up rows of the harness's probe hold 0 and 1: a read only for x = 7 is not
    // seen at bind, and panics in the run.
    let inputs = [("x", ints(&[])), ("label", Column::text(&[]))];
    let mut h = Harness::<Misread>::bind(r#"{"misread_on": 7}"#, &inputs).expect("bind");
    let labels = Column::text(&[Some("a"), Some("b")]);
    let err = h
        .update(&[ints(&[Some(1), Some(7)]), labels], None, None)
        .expect_err("misread at x = 7");
    assert!(
        err.starts_with(
            "Panic: plugin 'sdk-tests' metric 'misread': panicked in update: \
                         input 'label' is declared InputType::Text, but was read with \
                         row.number(): read it with row.text(), or declare it InputType::Number"
        ),
        "{err}"
    );
    let at = format!("src/tests.rs:{})", misread_line());
    assert!(
        err.ends_with(&at),
        "not located at the plugin's read: {err}"
    );
}

#[test]
fn the_probe_leaves_the_instance_as_bound() {
    // The harness's probe rows go into a scratch state: a fresh instance reports nothing.
    let h = Harness::<Sum>::bind("{}", &[("x", ints(&[]))]).expect("bind");
    let r = h.finish(0).expect("finish");
    assert_eq!((r.value, r.n), (Some(0.0), 0.0));
}
