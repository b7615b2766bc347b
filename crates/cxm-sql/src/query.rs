//! The histogram and group-count queries of a [`Shape`], built as nested derived tables so
//! every expression refers to simple columns:
//!
//! 1. `cxm_l1`: the trimmed text of every column used (`k*` keys, `r*` inputs, `rp` period,
//!    `rw` weight, `f*` filter columns); empty text is NULL;
//! 2. `cxm_l2`: the filters (`WHERE`), and datetime text split into its UTC-less part
//!    (`n*`) and its offset in minutes (`o*`);
//! 3. `cxm_l3`: the typed values (`v*`, NULL when not castable), the period's local date
//!    (`pd`) and the weight (`w`);
//! 4. `cxm_l4`: uncastable flags (`u*`, `up`), period label (`p`), quantized values;
//! 5. the outer query: `GROUP BY` keys, label and values, with `COUNT(*)` or `SUM(weight)`.

use crate::dialect::Dialect;
use crate::period;
use crate::quantize;
use crate::shape::{CmpOp, Condition, Filter, Literal, Shape, Source, ValueType};
use crate::Error;

/// What an output column of [`histogram_query`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRole {
    /// A group key (trimmed text, NULL when empty).
    GroupKey,
    /// The period label (`cxm_period`), NULL when the period value is missing or invalid.
    Period,
    /// An input's cast value (NULL when missing or not castable).
    Input(ValueType),
    /// The weight of values of this input that were present but not castable.
    Uncastable(String),
    /// The weight of period values that were present but not valid.
    UncastablePeriod,
    /// The group's weight: `COUNT(*)`, or the sum of the valid weights. Engines return it
    /// as an integer of any width or a decimal.
    Weight,
    /// With a weight column: the number of rows of the group.
    Rows,
    /// With a weight column: the rows whose weight is missing, not a number or negative.
    InvalidWeight,
}

/// One output column: its name (unquoted) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Name.
    pub name: String,
    /// Content.
    pub role: ColumnRole,
}

/// The output columns of [`histogram_query`], in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputColumns(pub Vec<Column>);

impl OutputColumns {
    /// The columns of a shape's histogram; fails on duplicate names.
    pub fn of(shape: &Shape) -> Result<OutputColumns, Error> {
        let mut cols = Vec::new();
        let mut push = |name: String, role| cols.push(Column { name, role });
        for k in &shape.group_keys {
            push(k.clone(), ColumnRole::GroupKey);
        }
        if shape.period.is_some() {
            push("cxm_period".into(), ColumnRole::Period);
        }
        for i in &shape.inputs {
            push(i.name.clone(), ColumnRole::Input(i.ty));
        }
        for i in &shape.inputs {
            push(
                format!("cxm_uncastable_{}", i.name),
                ColumnRole::Uncastable(i.name.clone()),
            );
        }
        if shape.period.is_some() {
            push("cxm_uncastable_period".into(), ColumnRole::UncastablePeriod);
        }
        push("cxm_weight".into(), ColumnRole::Weight);
        if shape.weight.is_some() {
            push("cxm_rows".into(), ColumnRole::Rows);
            push("cxm_invalid_weight".into(), ColumnRole::InvalidWeight);
        }
        let mut seen = std::collections::HashSet::new();
        for c in &cols {
            if !seen.insert(c.name.as_str()) {
                return Err(Error::InvalidShape(format!(
                    "output column \"{}\" appears twice (group keys and input names must be distinct)",
                    c.name
                )));
            }
        }
        Ok(OutputColumns(cols))
    }
}

/// The weighted histogram query of a shape (see the module docs).
pub fn histogram_query(d: &dyn Dialect, shape: &Shape) -> Result<String, Error> {
    let inner = layers(d, shape)?;
    let q = |s: &str| d.quote_ident(s);
    let mut select = Vec::new();
    for (i, k) in shape.group_keys.iter().enumerate() {
        select.push(format!("k{i} AS {}", q(k)));
    }
    if shape.period.is_some() {
        select.push(format!("p AS {}", q("cxm_period")));
    }
    for (i, input) in shape.inputs.iter().enumerate() {
        select.push(format!("v{i} AS {}", q(&input.name)));
    }
    let weight = if shape.weight.is_some() { "wv" } else { "1" };
    for (i, input) in shape.inputs.iter().enumerate() {
        let name = q(&format!("cxm_uncastable_{}", input.name));
        select.push(uncastable_sum(&format!("u{i}"), weight, &name));
    }
    if shape.period.is_some() {
        select.push(uncastable_sum("up", weight, &q("cxm_uncastable_period")));
    }
    if shape.weight.is_some() {
        select.push(format!(
            "COALESCE(SUM(wv), 0) AS {}, COUNT(*) AS {}, SUM(wbad) AS {}",
            q("cxm_weight"),
            q("cxm_rows"),
            q("cxm_invalid_weight")
        ));
    } else {
        select.push(format!("COUNT(*) AS {}", q("cxm_weight")));
    }
    let group = group_columns(shape);
    let group_by = if group.is_empty() {
        String::new()
    } else {
        format!("\nGROUP BY {}", group.join(", "))
    };
    Ok(format!(
        "SELECT {}\nFROM (\n{inner}\n) AS cxm_l4{group_by}",
        select.join(",\n       ")
    ))
}

/// The number of groups [`histogram_query`] would return, as `cxm_groups`.
pub fn group_count_query(d: &dyn Dialect, shape: &Shape) -> Result<String, Error> {
    let inner = layers(d, shape)?;
    let group = group_columns(shape);
    if group.is_empty() {
        return Ok(format!(
            "SELECT COUNT(*) AS {} FROM (SELECT 1 AS one) AS g",
            d.quote_ident("cxm_groups")
        ));
    }
    let cols = group.join(", ");
    Ok(format!(
        "SELECT COUNT(*) AS {}\nFROM (\nSELECT {cols}\nFROM (\n{inner}\n) AS cxm_l4\nGROUP BY {cols}\n) AS cxm_groups",
        d.quote_ident("cxm_groups")
    ))
}

fn uncastable_sum(flag: &str, weight: &str, name: &str) -> String {
    if weight == "1" {
        format!("SUM({flag}) AS {name}")
    } else {
        format!("COALESCE(SUM(CASE WHEN {flag} = 1 THEN {weight} END), 0) AS {name}")
    }
}

fn group_columns(shape: &Shape) -> Vec<String> {
    let mut cols: Vec<String> = (0..shape.group_keys.len())
        .map(|i| format!("k{i}"))
        .collect();
    if shape.period.is_some() {
        cols.push("p".into());
    }
    cols.extend((0..shape.inputs.len()).map(|i| format!("v{i}")));
    cols
}

/// Checks a shape before writing SQL for it.
fn validate(shape: &Shape) -> Result<(), Error> {
    let bad = |m: String| Err(Error::InvalidShape(m));
    match &shape.source {
        Source::Table(parts) if parts.is_empty() || parts.iter().any(String::is_empty) => {
            return bad("the source table name is empty".into())
        }
        Source::Query(q) if q.trim().is_empty() => return bad("the source query is empty".into()),
        _ => {}
    }
    for input in &shape.inputs {
        if input.quantize.is_some() && !matches!(input.ty, ValueType::Integer | ValueType::Number) {
            return bad(format!(
                "input \"{}\" is a {}: only integer and number inputs can be quantized",
                input.name,
                input.ty.name()
            ));
        }
    }
    if let Some(p) = &shape.period {
        if !matches!(p.column_type, ValueType::Date | ValueType::Datetime) {
            return bad(format!(
                "period column \"{}\" must be a date or datetime, not a {}",
                p.column,
                p.column_type.name()
            ));
        }
        if !(1..=12).contains(&p.fiscal_year_start) {
            return bad(format!(
                "fiscal year start month {} is out of range (1..=12)",
                p.fiscal_year_start
            ));
        }
    }
    OutputColumns::of(shape).map(|_| ())
}

/// Layers 1 to 4 (see the module docs), ending with the `cxm_l4` select.
fn layers(d: &dyn Dialect, shape: &Shape) -> Result<String, Error> {
    validate(shape)?;
    let keys: Vec<String> = (0..shape.group_keys.len())
        .map(|i| format!("k{i}"))
        .collect();

    // Layer 1: trimmed text.
    let mut l1 = Vec::new();
    for (i, k) in shape.group_keys.iter().enumerate() {
        l1.push(format!("{} AS k{i}", d.raw_text(&d.quote_ident(k))));
    }
    for (i, input) in shape.inputs.iter().enumerate() {
        l1.push(format!(
            "{} AS r{i}",
            d.raw_text(&d.quote_ident(&input.column))
        ));
    }
    if let Some(p) = &shape.period {
        l1.push(format!("{} AS rp", d.raw_text(&d.quote_ident(&p.column))));
    }
    if let Some(w) = &shape.weight {
        l1.push(format!("{} AS rw", d.raw_text(&d.quote_ident(w))));
    }
    for (j, f) in shape.filters.iter().enumerate() {
        l1.push(format!("{} AS f{j}", d.raw_text(&d.quote_ident(&f.column))));
    }
    if l1.is_empty() {
        l1.push("1 AS one".into());
    }
    let source = shape.source.from_item(d);

    // Layer 2: filters; datetime text split.
    let mut l2: Vec<String> = keys.clone();
    for (i, input) in shape.inputs.iter().enumerate() {
        l2.push(format!("r{i}"));
        if input.ty == ValueType::Datetime {
            l2.push(split_datetime(
                d,
                &format!("r{i}"),
                &format!("n{i}"),
                &format!("o{i}"),
            ));
        }
    }
    if let Some(p) = &shape.period {
        l2.push("rp".into());
        if p.column_type == ValueType::Datetime {
            l2.push(split_datetime(d, "rp", "np", "op"));
        }
    }
    if shape.weight.is_some() {
        l2.push("rw".into());
    }
    let filters = shape
        .filters
        .iter()
        .enumerate()
        .map(|(j, f)| filter_sql(d, f, &format!("f{j}")))
        .collect::<Result<Vec<_>, _>>()?;
    let where_clause = if filters.is_empty() {
        String::new()
    } else {
        format!("\nWHERE {}", filters.join("\n  AND "))
    };

    // Layer 3: typed values.
    let mut l3: Vec<String> = keys.clone();
    for (i, input) in shape.inputs.iter().enumerate() {
        let (r, n, o) = (format!("r{i}"), format!("n{i}"), format!("o{i}"));
        l3.push(r.clone());
        l3.push(format!("{} AS v{i}", typed(d, input.ty, &r, &n, &o)));
    }
    if let Some(p) = &shape.period {
        l3.push("rp".into());
        let pd = match p.column_type {
            ValueType::Datetime => period::local_date(d, &utc_timestamp(d, "np", "op"), &p.zone)?,
            _ => d.try_date("rp"),
        };
        l3.push(format!("{pd} AS pd"));
    }
    if shape.weight.is_some() {
        l3.push(format!("{} AS w", d.try_number("rw")));
    }

    // Layer 4: flags, label, quantization.
    let mut l4: Vec<String> = keys;
    for (i, input) in shape.inputs.iter().enumerate() {
        let v = format!("v{i}");
        l4.push(match input.quantize {
            Some(q) => format!("{} AS v{i}", quantize::sql(d, q, &v)),
            None => v.clone(),
        });
        l4.push(format!(
            "CASE WHEN r{i} IS NOT NULL AND {v} IS NULL THEN 1 ELSE 0 END AS u{i}"
        ));
    }
    if let Some(p) = &shape.period {
        let label = period::label(d, "pd", p.grain, p.fiscal_year_start);
        l4.push(format!("{label} AS p"));
        l4.push("CASE WHEN rp IS NOT NULL AND pd IS NULL THEN 1 ELSE 0 END AS up".into());
    }
    if shape.weight.is_some() {
        l4.push("CASE WHEN w >= 0 THEN w END AS wv".into());
        l4.push("CASE WHEN w >= 0 THEN 0 ELSE 1 END AS wbad".into());
    }
    if l4.is_empty() {
        l4.push("1 AS one".into());
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "1 AS one".to_string()
        } else {
            v.join(",\n       ")
        }
    };
    Ok(format!(
        "SELECT {}\nFROM (\nSELECT {}\nFROM (\nSELECT {}\nFROM (\nSELECT {}\nFROM {source}\n) AS cxm_l1{where_clause}\n) AS cxm_l2\n) AS cxm_l3",
        list(&l4),
        list(&l3),
        list(&l2),
        list(&l1)
    ))
}

/// `n` (the text `YYYY-MM-DD HH:MM:SS[.ffffff]`, NULL unless `r` has the datetime form) and
/// `o` (the offset in minutes, 0 for `Z` or none) of datetime text `r`.
fn split_datetime(d: &dyn Dialect, r: &str, n: &str, o: &str) -> String {
    let len = format!("LENGTH({r})");
    let tail = format!(
        "CASE WHEN SUBSTR({r}, {len}, 1) = 'Z' THEN 1 WHEN {len} >= 25 AND SUBSTR({r}, {len} - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END"
    );
    // The fraction, at most a dot and six digits (microseconds).
    let fraction = format!(
        "SUBSTR({r}, 20, CASE WHEN {len} - 19 - ({tail}) > 7 THEN 7 ELSE {len} - 19 - ({tail}) END)"
    );
    // Safe casts even though the text is validated: some engines evaluate CASE eagerly.
    let int = |start: &str| d.try_cast(&format!("SUBSTR({r}, {len} - {start}, 2)"), d.int_type());
    let minutes = format!(
        "CASE WHEN SUBSTR({r}, {len} - 5, 1) = '-' THEN -1 ELSE 1 END * ({} * 60 + {})",
        int("4"),
        int("1")
    );
    format!(
        "CASE WHEN {form} THEN SUBSTR({r}, 1, 10) || ' ' || SUBSTR({r}, 12, 8) || {fraction} END AS {n},\n       \
         CASE WHEN {form} AND ({tail}) = 6 THEN {minutes} ELSE 0 END AS {o}",
        form = d.datetime_form(r),
    )
}

/// The UTC timestamp (without time zone) of split datetime text `n`, `o`.
fn utc_timestamp(d: &dyn Dialect, n: &str, o: &str) -> String {
    d.add_minutes(&d.try_naive_timestamp(n), &format!("-{o}"))
}

/// The typed value of text `r` (for datetimes: of its split `n`, `o`).
fn typed(d: &dyn Dialect, ty: ValueType, r: &str, n: &str, o: &str) -> String {
    match ty {
        ValueType::Integer => d.try_integer(r),
        ValueType::Number => d.try_number(r),
        ValueType::String => r.to_string(),
        ValueType::Boolean => d.try_boolean(r),
        ValueType::Date => d.try_date(r),
        ValueType::Datetime => utc_timestamp(d, n, o),
    }
}

/// The literal's kind name, for messages.
fn kind(l: &Literal) -> &'static str {
    match l {
        Literal::Text(_) => "text",
        Literal::Number(_) => "number",
        Literal::Bool(_) => "boolean",
        Literal::Date(_) => "date",
    }
}

/// The value of filter column `f` in the literal's kind, and the literal in SQL.
fn filter_operands(d: &dyn Dialect, f: &str, l: &Literal) -> Result<(String, String), Error> {
    Ok(match l {
        Literal::Text(s) => (f.to_string(), d.string_lit(s)),
        Literal::Number(x) => (d.try_number(f), format!("{:?}", x.get())),
        Literal::Bool(b) => (
            d.try_boolean(f),
            if *b { "TRUE" } else { "FALSE" }.to_string(),
        ),
        Literal::Date(s) => {
            let b = s.as_bytes();
            let form = b.len() == 10
                && b.iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            if !form {
                return Err(Error::InvalidShape(format!(
                    "filter date \"{s}\" is not YYYY-MM-DD"
                )));
            }
            (d.try_date(f), d.date_literal(s))
        }
    })
}

fn filter_sql(d: &dyn Dialect, filter: &Filter, f: &str) -> Result<String, Error> {
    let bad = |m: &str| Error::InvalidShape(format!("filter on \"{}\": {m}", filter.column));
    match &filter.condition {
        Condition::In(list) | Condition::NotIn(list) => {
            let first = list
                .first()
                .ok_or_else(|| bad("the list of values is empty"))?;
            if list.iter().any(|l| kind(l) != kind(first)) {
                return Err(bad("the values must all be of one kind"));
            }
            let value = filter_operands(d, f, first)?.0;
            let literals = list
                .iter()
                .map(|l| filter_operands(d, f, l).map(|(_, lit)| lit))
                .collect::<Result<Vec<_>, _>>()?;
            let not = if matches!(filter.condition, Condition::NotIn(_)) {
                "NOT "
            } else {
                ""
            };
            Ok(format!("({value}) {not}IN ({})", literals.join(", ")))
        }
        Condition::Compare(op, l) => {
            if !matches!(l, Literal::Number(_) | Literal::Date(_)) {
                return Err(bad("comparisons need a number or a date"));
            }
            let (value, lit) = filter_operands(d, f, l)?;
            Ok(format!("({value}) {} {lit}", CmpOp::sql(*op)))
        }
    }
}
