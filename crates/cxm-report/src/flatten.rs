//! A result's `details` (a JSON map) flattened into one column per leaf, as `results.csv`
//! and the Excel workbook write them.
//!
//! Rules:
//! - every column is named `details.<key>`; the prefix is always there, so a detail called
//!   `n`, `value` or `metric` never collides with a fixed column;
//! - nested objects flatten recursively as `details.parent.child`; an empty object has no
//!   columns;
//! - arrays (of scalars or anything else) are one cell holding their compact JSON text;
//! - `null` is the same as an absent key: an empty cell;
//! - `band` is not special: it stays a detail (`details.band`), as it was in the JSON cell.
//!
//! When two paths flatten to the same name (a key `"a.b"` beside `{"a": {"b": …}}`), the
//! first one in the map wins.

use crate::model::{ResultRow, RunReport};
use cxm_result::{Detail, Details};
use serde_json::Number;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Prefix of every flattened detail column.
pub const DETAILS_PREFIX: &str = "details.";

/// One flattened detail value. `null` details produce no cell at all.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailCell<'a> {
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number (integers keep their exact value).
    Number(Number),
    /// A string, or the compact JSON text of an array.
    Text(Cow<'a, str>),
}

impl DetailCell<'_> {
    /// The cell as CSV text: booleans `true`/`false`, integers without a decimal point,
    /// other numbers in Rust's shortest round-tripping form (a whole float without `.0`).
    pub fn to_text(&self) -> String {
        match self {
            DetailCell::Bool(b) => b.to_string(),
            DetailCell::Number(n) => number_text(n),
            DetailCell::Text(s) => s.to_string(),
        }
    }

    /// The number as f64, for numeric cells.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            DetailCell::Number(n) => n.as_f64(),
            _ => None,
        }
    }
}

/// A JSON number as text: integers as written, floats through f64's `Display` (`2000`,
/// `33.5`).
fn number_text(n: &Number) -> String {
    if n.is_f64() {
        n.as_f64().map(|x| x.to_string()).unwrap_or_default()
    } else {
        n.to_string()
    }
}

/// A value's compact JSON text, as its `Display` writes it, but through serde_json's byte
/// writer: `Display` goes through a `Formatter` per token, several times slower (an array
/// of eleven counts per result was a sixth of writing `results.csv` with many groups).
fn compact_json(value: &Detail) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
}

/// The cell of a detail that is not a map: none for a null, an array as its compact JSON.
fn leaf_cell(value: &Detail) -> Option<DetailCell<'_>> {
    match value {
        Detail::Null | Detail::Map(_) => None,
        Detail::Bool(b) => Some(DetailCell::Bool(*b)),
        Detail::U64(_) | Detail::I64(_) | Detail::F64(_) => {
            value.as_number().map(DetailCell::Number)
        }
        Detail::Text(s) => Some(DetailCell::Text(Cow::Borrowed(s))),
        Detail::List(_) => Some(DetailCell::Text(Cow::Owned(compact_json(value)))),
    }
}

/// Flattens one result's details into `(column, cell)` pairs in map order. Columns carry
/// the [`DETAILS_PREFIX`]; `null` leaves are left out (an empty cell).
pub fn flatten_result_details(details: &Details) -> Vec<(String, DetailCell<'_>)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    flatten_into(DETAILS_PREFIX, details, &mut out, &mut seen);
    out
}

fn flatten_into<'a>(
    prefix: &str,
    map: &'a Details,
    out: &mut Vec<(String, DetailCell<'a>)>,
    seen: &mut HashSet<String>,
) {
    for (key, value) in map {
        let column = format!("{prefix}{key}");
        if let Detail::Map(inner) = value {
            flatten_into(&format!("{column}."), inner, out, seen);
            continue;
        }
        let Some(cell) = leaf_cell(value) else {
            // A null: reserve the name so a later duplicate path does not fill it.
            seen.insert(column);
            continue;
        };
        if seen.insert(column.clone()) {
            out.push((column, cell));
        }
    }
}

/// The detail column names of some results: the union of their flattened keys, in
/// first-seen order.
pub fn detail_columns<'a>(rows: impl IntoIterator<Item = &'a ResultRow>) -> Vec<String> {
    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    let mut previous: Option<&Details> = None;
    for row in rows {
        let details = &row.result.details;
        // Results of one metric mostly have the same keys, in the same order: then they
        // have no new names (hashing every key of every result was most of this).
        if previous.is_some_and(|p| same_flat_keys(p, details)) {
            continue;
        }
        collect_names(DETAILS_PREFIX, details, &mut columns, &mut seen);
        previous = Some(details);
    }
    columns
}

/// Whether two maps have the same keys in the same order and no nested object (whose own
/// keys could differ): then their column names are the same.
fn same_flat_keys(a: &Details, b: &Details) -> bool {
    let flat = |d: &Details| !d.values().any(Detail::is_object);
    a.same_keys(b) && flat(a) && flat(b)
}

/// Adds the column names of `map`'s leaves (nulls included, so a key that is null in one
/// result and set in another keeps its first-seen place). A name is built in a reused
/// buffer and allocated only when it is new (results of one metric share their keys).
fn collect_names(
    prefix: &str,
    map: &Details,
    columns: &mut Vec<String>,
    seen: &mut HashSet<String>,
) {
    let mut column = String::with_capacity(prefix.len() + 32);
    for (key, value) in map {
        column.clear();
        column.push_str(prefix);
        column.push_str(key);
        if let Detail::Map(inner) = value {
            column.push('.');
            collect_names(&column, inner, columns, seen);
        } else if !seen.contains(column.as_str()) {
            seen.insert(column.clone());
            columns.push(column.clone());
        }
    }
}

/// The detail columns of `results.csv`: the union over all results of the report, in
/// first-seen order (results come metric by metric, so each metric's keys stay together).
pub fn flatten_details(report: &RunReport) -> Vec<String> {
    detail_columns(&report.results)
}

/// The cells of one result under `columns` (from [`detail_columns`]): `None` where the
/// result has no such detail or it is null.
pub fn detail_cells<'a>(columns: &[String], details: &'a Details) -> Vec<Option<DetailCell<'a>>> {
    let mut cells = Vec::new();
    DetailLayout::new(columns).cells(details, &mut cells);
    cells
}

/// Where each detail column is, for filling the cells of many results under the same
/// columns (what [`detail_cells`] does for one) without building a map per result.
pub(crate) struct DetailLayout<'c> {
    columns: &'c [String],
    position: HashMap<&'c str, usize>,
}

impl<'c> DetailLayout<'c> {
    /// The layout of `columns` (from [`detail_columns`]).
    pub(crate) fn new(columns: &'c [String]) -> Self {
        let mut position = HashMap::with_capacity(columns.len());
        for (i, column) in columns.iter().enumerate() {
            position.entry(column.as_str()).or_insert(i);
        }
        DetailLayout { columns, position }
    }

    /// The cells of one result into `cells` (cleared first), as [`detail_cells`] returns
    /// them: `None` where the result has no such detail or it is null, the first path
    /// winning when two flatten to the same name.
    pub(crate) fn cells<'a>(&self, details: &'a Details, cells: &mut Vec<Option<DetailCell<'a>>>) {
        cells.clear();
        cells.resize(self.columns.len(), None);
        // Per column: whether a path reached it (a null leaf too, as in
        // `flatten_result_details`).
        let mut taken = vec![false; self.columns.len()];
        let mut name = String::with_capacity(64);
        name.push_str(DETAILS_PREFIX);
        let mut next = 0;
        self.fill(details, &mut name, &mut next, &mut taken, cells);
    }

    fn fill<'a>(
        &self,
        map: &'a Details,
        name: &mut String,
        next: &mut usize,
        taken: &mut [bool],
        cells: &mut [Option<DetailCell<'a>>],
    ) {
        let prefix = name.len();
        for (key, value) in map {
            name.truncate(prefix);
            name.push_str(key);
            if let Detail::Map(inner) = value {
                name.push('.');
                self.fill(inner, name, next, taken, cells);
                continue;
            }
            // Results usually list their details in column order: try the next column
            // before the map.
            let at = match self.columns.get(*next) {
                Some(column) if column == name => Some(*next),
                _ => self.position.get(name.as_str()).copied(),
            };
            let Some(at) = at else {
                continue;
            };
            *next = at + 1;
            if std::mem::replace(&mut taken[at], true) {
                continue;
            }
            cells[at] = leaf_cell(value);
        }
        name.truncate(prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn map(v: Value) -> Details {
        match v {
            Value::Object(m) => m.into(),
            _ => Details::new(),
        }
    }

    #[test]
    fn flattens_nested_objects_arrays_and_scalars() {
        let d = map(json!({
            "promoters": 1000, "share": 33.5, "whole": 2000.0, "band": "good",
            "ok": true, "gone": null, "cuts": [1, 2.5, "x"],
            "by": {"a": 1, "deep": {"b": false}, "empty": {}}
        }));
        let flat: Vec<(String, String)> = flatten_result_details(&d)
            .into_iter()
            .map(|(c, v)| (c, v.to_text()))
            .collect();
        let expected = [
            ("details.promoters", "1000"),
            ("details.share", "33.5"),
            ("details.whole", "2000"),
            ("details.band", "good"),
            ("details.ok", "true"),
            ("details.cuts", "[1,2.5,\"x\"]"),
            ("details.by.a", "1"),
            ("details.by.deep.b", "false"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, v)| (c.to_string(), v.to_string()))
            .collect();
        assert_eq!(flat, expected);
    }

    #[test]
    fn first_path_wins_on_a_name_clash() {
        let d = map(json!({"a.b": 1, "a": {"b": 2}}));
        let flat = flatten_result_details(&d);
        assert_eq!(flat.len(), 1);
        assert_eq!(flat[0].1.to_text(), "1");
        let cells = detail_cells(&["details.a.b".to_string()], &d);
        assert_eq!(
            cells[0].as_ref().map(DetailCell::to_text).as_deref(),
            Some("1")
        );
    }

    #[test]
    fn columns_are_the_union_of_the_results_keys_in_first_seen_order() {
        let rows: Vec<ResultRow> = [
            json!({"a": 1, "b": [1, 2]}),
            json!({"a": 2, "b": null}),
            json!({"b": 1, "a": 2}),
            json!({"a": 1, "c": {"x": 1}}),
            json!({"a": 1, "c": {"y": 1}}),
            json!({"a": 1, "c": 3}),
            json!({"a": 1, "d": 3}),
        ]
        .into_iter()
        .map(|d| ResultRow {
            metric: "m".into(),
            plugin: "p".into(),
            group: Vec::new(),
            result: cxm_result::MetricResult {
                details: map(d),
                ..Default::default()
            },
            trend: None,
            benchmark: None,
            design: None,
        })
        .collect();
        assert_eq!(
            detail_columns(&rows),
            [
                "details.a",
                "details.b",
                "details.c.x",
                "details.c.y",
                "details.c",
                "details.d"
            ]
        );
        assert!(!same_flat_keys(
            &rows[3].result.details,
            &rows[4].result.details
        ));
        assert!(same_flat_keys(
            &rows[0].result.details,
            &rows[1].result.details
        ));
    }

    #[test]
    fn arrays_are_compact_json_as_display_writes_them() {
        for v in [
            json!([1.0, 2.5, -0.0, 1e300, 123456789.0, "a\"b", null, {"k": [true]}]),
            json!([]),
        ] {
            assert_eq!(compact_json(&Detail::from(v.clone())), v.to_string());
        }
    }

    #[test]
    fn cells_follow_the_columns() {
        let d = map(json!({"y": null, "x": {"z": 2}}));
        let columns: Vec<String> = ["details.q", "details.x.z", "details.y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cells = detail_cells(&columns, &d);
        assert_eq!(cells.len(), 3);
        assert!(cells[0].is_none());
        assert_eq!(cells[1].as_ref().and_then(DetailCell::as_f64), Some(2.0));
        assert!(cells[2].is_none());
    }
}
