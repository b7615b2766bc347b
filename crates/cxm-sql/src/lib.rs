//! SQL for warehouse pushdown (issue 15): for one [`Shape`] (source, group keys, calendar
//! period, the inputs metrics bind, filters, weight), [`histogram_query`] writes one query
//! that returns the weighted histogram of the inputs per group: every distinct combination
//! of group keys, period label and cast input values, with the number of rows (or the sum of
//! the weight column) as `cxm_weight`, and per input the weight of values that were present
//! but could not be cast (`cxm_uncastable_<input>`), so row accounting stays exact.
//! [`group_count_query`] counts those groups first, and [`Budget::check`] refuses a shape
//! with too many (continuous inputs do not compress) with a message suggesting quantization.
//!
//! One [`Dialect`] implementation per engine (PostgreSQL, SQLite, DuckDB, Spark SQL, Trino,
//! BigQuery, Snowflake, ClickHouse) supplies quoting, safe casts, time zones, date parts.
//! Shapes are `Eq + Hash`: metrics sharing a shape share a query.
//!
//! ```
//! use cxm_sql::{histogram_query, Engine, Input, Shape, ValueType};
//! let mut shape = Shape::table("survey");
//! shape.group_keys.push("region".into());
//! shape.inputs.push(Input::new("score", "nps", ValueType::Integer));
//! let sql = histogram_query(Engine::DuckDb.dialect(), &shape).unwrap();
//! assert!(sql.contains("COUNT(*) AS \"cxm_weight\""));
//! ```

mod budget;
pub mod dialect;
mod period;
pub mod quantize;
mod query;
pub mod rows;
mod shape;

pub use budget::{Budget, BudgetExceeded};
pub use dialect::{Dialect, Engine};
pub use query::{group_count_query, histogram_query, Column, ColumnRole, OutputColumns};
pub use rows::{
    row_group_count_query, row_histogram_query, Cut, RowColumn, RowColumnKind, RowHistogram,
    ROW_COUNT,
};
pub use shape::{
    CmpOp, Condition, Filter, Input, Literal, PeriodSpec, Quantize, Real, Shape, Source, ValueType,
    ZoneSpec,
};

/// Errors of this crate: a shape that cannot be turned into SQL.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum Error {
    /// A number is NaN or infinite.
    #[error("{value} is not a finite number")]
    NotFinite {
        /// The number.
        value: f64,
    },
    /// A relative error outside `(0, 1)`.
    #[error("quantize relative_error must be between 0 and 1 (exclusive), got {value}")]
    InvalidRelativeError {
        /// The value.
        value: f64,
    },
    /// A time zone cxm does not recognise.
    #[error(transparent)]
    Zone(#[from] cxm_period::PeriodError),
    /// The engine cannot convert to this zone.
    #[error("{dialect} cannot convert timestamps to time zone \"{zone}\" (only UTC and fixed offsets such as \"+02:00\"); turn pushdown off for this dataset")]
    ZoneUnsupported {
        /// The engine.
        dialect: &'static str,
        /// The zone.
        zone: String,
    },
    /// Something in the shape is not valid; the message says what.
    #[error("invalid pushdown shape: {0}")]
    InvalidShape(String),
}
