//! The description of one "input shape": what a pushed-down histogram query reads (source,
//! filters, optional weight column), how it groups (group keys, calendar period) and which
//! inputs it returns with which type. Two metrics whose shapes are equal share one query, so
//! every type here is `Eq + Hash` (numbers are kept as [`Real`], compared by their bits).

use std::hash::{Hash, Hasher};

use cxm_period::{Grain, Zone};

use crate::Error;

/// A finite `f64` that is `Eq` and `Hash` (by its bits, with `-0.0` read as `0.0`), so shapes
/// holding numbers can be deduplicated.
#[derive(Debug, Clone, Copy)]
pub struct Real(f64);

impl Real {
    /// The number; fails when it is NaN or infinite.
    pub fn new(value: f64) -> Result<Real, Error> {
        if value.is_finite() {
            Ok(Real(if value == 0.0 { 0.0 } else { value }))
        } else {
            Err(Error::NotFinite { value })
        }
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl PartialEq for Real {
    fn eq(&self, other: &Real) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Real {}

impl Hash for Real {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A table or view, by its (possibly qualified) name: `["analytics", "survey"]`.
    Table(Vec<String>),
    /// A SQL query in the engine's dialect, used as a derived table.
    Query(String),
}

impl Source {
    /// The source as a `FROM` item: its quoted (qualified) name, or the query as a derived
    /// table `cxm_source`.
    pub fn from_item(&self, d: &dyn crate::Dialect) -> String {
        match self {
            Source::Table(parts) => parts
                .iter()
                .map(|p| d.quote_ident(p))
                .collect::<Vec<_>>()
                .join("."),
            Source::Query(q) => format!("({q}) AS cxm_source"),
        }
    }
}

/// The type an input is cast to. Values are read as text (trimmed, empty = absent) and cast
/// with the dialect's safe cast; a present value that does not cast is counted per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// 64-bit integer: optional sign and 1 to 18 digits.
    Integer,
    /// 64-bit float: decimal or exponent notation, at most 40 characters, exponent of at most
    /// two digits.
    Number,
    /// Text, as is (after trimming).
    String,
    /// `true/false`, `yes/no`, `y/n`, `1/0`, `t/f`, ASCII case-insensitive (as cxm's CSV reader).
    Boolean,
    /// Calendar date `YYYY-MM-DD`.
    Date,
    /// Instant `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH:MM]`; without an offset it is UTC. It
    /// comes back as a timestamp without time zone holding the UTC wall-clock time.
    Datetime,
}

impl ValueType {
    /// Lower-case name (`integer`, `number`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Integer => "integer",
            ValueType::Number => "number",
            ValueType::String => "string",
            ValueType::Boolean => "boolean",
            ValueType::Date => "date",
            ValueType::Datetime => "datetime",
        }
    }
}

/// Log-bucket quantization of a numeric input (see [`crate::quantize`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quantize {
    /// The relative error α in `(0, 1)` every value keeps: `|q(x) - x| <= α·|x|`.
    pub relative_error: Real,
}

/// One input the metric binds: a source column cast to a type, returned under `name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Input {
    /// Output column name (the metric's input name, e.g. `score`).
    pub name: String,
    /// Source column.
    pub column: String,
    /// Wanted type.
    pub ty: ValueType,
    /// Quantization, for [`ValueType::Integer`] and [`ValueType::Number`] inputs only.
    pub quantize: Option<Quantize>,
}

impl Input {
    /// An input without quantization.
    pub fn new(name: &str, column: &str, ty: ValueType) -> Input {
        Input {
            name: name.to_string(),
            column: column.to_string(),
            ty,
            quantize: None,
        }
    }

    /// The same input, quantized to a relative error.
    pub fn quantized(mut self, relative_error: f64) -> Result<Input, Error> {
        self.quantize = Some(crate::quantize::checked(relative_error)?);
        Ok(self)
    }
}

/// The time zone in which instants are assigned to periods, as SQL needs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ZoneSpec {
    /// UTC.
    Utc,
    /// A fixed offset east of UTC, in minutes.
    Fixed(i32),
    /// An IANA zone name (`Europe/Berlin`).
    Named(String),
}

impl ZoneSpec {
    /// Parses a zone exactly as cxm's configuration does (`cxm_period::parse_zone`): `UTC`,
    /// an IANA name, or a fixed offset `±hh[:mm]`.
    pub fn parse(text: &str) -> Result<ZoneSpec, Error> {
        Ok(ZoneSpec::of(&cxm_period::parse_zone(text)?))
    }

    /// The zone as SQL needs it.
    pub fn of(zone: &Zone) -> ZoneSpec {
        match zone {
            Zone::Utc => ZoneSpec::Utc,
            Zone::Fixed(offset) => ZoneSpec::Fixed(offset.local_minus_utc() / 60),
            Zone::Named(tz) => ZoneSpec::Named(tz.name().to_string()),
        }
    }
}

/// The calendar period a row belongs to, computed in the warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeriodSpec {
    /// Source column of the instant or date.
    pub column: String,
    /// [`ValueType::Date`] (taken as is) or [`ValueType::Datetime`] (converted to `zone`).
    pub column_type: ValueType,
    /// Period length.
    pub grain: Grain,
    /// Time zone of the local date of an instant.
    pub zone: ZoneSpec,
    /// First month of the fiscal year (`1..=12`, 1 = calendar year).
    pub fiscal_year_start: u32,
}

/// A literal a filter compares with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    /// Text, compared with the trimmed text of the column.
    Text(String),
    /// A number, compared with the column cast to a number.
    Number(Real),
    /// A boolean, compared with the column cast to a boolean.
    Bool(bool),
    /// A date `YYYY-MM-DD`, compared with the column cast to a date.
    Date(String),
}

/// Comparison operators of [`Condition::Compare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// What a filter keeps. A missing (or uncastable) value is never kept, as in cxm's own
/// filters (`NOT IN` included).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    /// The value is one of these (one value: equality). All of one kind.
    In(Vec<Literal>),
    /// The value is none of these. All of one kind.
    NotIn(Vec<Literal>),
    /// The value compares so with the literal (numbers and dates).
    Compare(CmpOp, Literal),
}

/// A filter on one source column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Source column.
    pub column: String,
    /// What it keeps.
    pub condition: Condition,
}

/// One input shape: everything a histogram query depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Where the rows come from.
    pub source: Source,
    /// Group-key columns, returned as trimmed text under their own names.
    pub group_keys: Vec<String>,
    /// The period, returned as its cxm label in column `cxm_period`.
    pub period: Option<PeriodSpec>,
    /// The inputs the metrics bind.
    pub inputs: Vec<Input>,
    /// Rows outside these filters are not read (`WHERE`).
    pub filters: Vec<Filter>,
    /// A column holding each row's multiplicity (a non-negative number); `None` = 1 per row.
    pub weight: Option<String>,
}

impl Shape {
    /// A shape reading a table, without keys, period, inputs, filters or weight.
    pub fn table(name: &str) -> Shape {
        Shape {
            source: Source::Table(name.split('.').map(str::to_string).collect()),
            group_keys: Vec::new(),
            period: None,
            inputs: Vec::new(),
            filters: Vec::new(),
            weight: None,
        }
    }
}
