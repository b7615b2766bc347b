//! The [`Dialect`] trait: the few SQL fragments that differ between engines (quoting, safe
//! casts, regular expressions, time zones, date parts, padding), with one implementation per
//! engine in the submodules. Defaults follow ANSI SQL; engines override what differs.
//!
//! Values are always read as text and cast here, with the same accepted forms in every
//! engine (the `*_RE` regular expressions), so a pushed-down run rejects the same values as
//! a streamed one.

mod bigquery;
mod clickhouse;
mod duckdb;
mod postgres;
mod snowflake;
mod spark;
mod sqlite;
mod trino;

pub use bigquery::BigQuery;
pub use clickhouse::ClickHouse;
pub use duckdb::DuckDb;
pub use postgres::Postgres;
pub use snowflake::Snowflake;
pub use spark::SparkSql;
pub use sqlite::Sqlite;
pub use trino::Trino;

use crate::Error;

/// An integer: optional sign, 1 to 18 digits (always within `i64`).
pub const INTEGER_RE: &str = "^[+-]?[0-9]{1,18}$";
/// A number: decimal or exponent notation with an exponent of at most two digits (checked
/// together with a length of at most 40 characters, so it is always within `f64`).
pub const NUMBER_RE: &str = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,2})?$";
/// A date `YYYY-MM-DD` (the calendar check is the engine's cast).
pub const DATE_RE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// An instant: date, `T` or space, `HH:MM:SS`, optional fraction, optional `Z` or `±HH:MM`.
pub const DATETIME_RE: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$";

/// A plain wall-clock time: date, `T` or space, a valid clock `HH:MM:SS`, an optional
/// fraction, no offset (the form the row histogram truncates to its day).
pub const PLAIN_WALL_CLOCK_RE: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,9})?$";

/// A part of a calendar date, as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// Calendar year.
    Year,
    /// Month 1..=12.
    Month,
    /// Day of the month.
    Day,
    /// ISO 8601 week-numbering year.
    IsoYear,
    /// ISO 8601 week 1..=53.
    IsoWeek,
}

/// The SQL fragments that differ between engines. Every method returns an expression; `t`
/// arguments are text expressions (already trimmed, NULL when empty).
pub trait Dialect: Sync {
    /// Engine name (`PostgreSQL`, ...), also the golden-file folder in lower case.
    fn name(&self) -> &'static str;

    /// A quoted identifier; the quote character inside is escaped. Default: `"..."`, `""`.
    fn quote_ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// A string literal. Default (ANSI): `'...'` with `''`; backslashes are literal.
    fn string_lit(&self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    /// The text type of `CAST(... AS text)`.
    fn text_type(&self) -> &'static str;
    /// The 64-bit integer type.
    fn int_type(&self) -> &'static str {
        "BIGINT"
    }
    /// The 64-bit float type.
    fn double_type(&self) -> &'static str {
        "DOUBLE"
    }

    /// The trimmed text of a column, NULL when NULL or empty.
    fn raw_text(&self, expr: &str) -> String {
        format!("NULLIF(TRIM(CAST({expr} AS {})), '')", self.text_type())
    }

    /// A predicate: `t` matches the whole regular expression `re` (which has no backslashes).
    fn full_match(&self, t: &str, re: &str) -> String;

    /// The engine's cast that yields NULL instead of failing (`TRY_CAST`, `SAFE_CAST`, ...).
    fn try_cast(&self, t: &str, ty: &str) -> String {
        format!("TRY_CAST({t} AS {ty})")
    }

    /// `t` as an integer, NULL when it is not one.
    fn try_integer(&self, t: &str) -> String {
        let m = self.full_match(t, INTEGER_RE);
        format!(
            "CASE WHEN {m} THEN {} END",
            self.try_cast(t, self.int_type())
        )
    }

    /// `t` as a float, NULL when it is not one.
    fn try_number(&self, t: &str) -> String {
        let m = self.full_match(t, NUMBER_RE);
        let cast = self.try_cast(t, self.double_type());
        format!("CASE WHEN LENGTH({t}) <= 40 AND {m} THEN {cast} END")
    }

    /// `t` as a boolean, the words cxm's CSV reader accepts; NULL otherwise.
    fn try_boolean(&self, t: &str) -> String {
        format!(
            "CASE WHEN LOWER({t}) IN ('true', 'yes', 'y', '1', 't') THEN TRUE \
             WHEN LOWER({t}) IN ('false', 'no', 'n', '0', 'f') THEN FALSE END"
        )
    }

    /// `t` (`YYYY-MM-DD`) as a date, NULL when it is not a calendar date.
    fn try_date(&self, t: &str) -> String {
        let m = self.full_match(t, DATE_RE);
        format!("CASE WHEN {m} THEN {} END", self.try_cast(t, "DATE"))
    }

    /// Whether `t` has the form of [`DATETIME_RE`].
    fn datetime_form(&self, t: &str) -> String {
        self.full_match(t, DATETIME_RE)
    }

    /// `t` (`YYYY-MM-DD HH:MM:SS[.ffffff]`) as a timestamp without time zone, NULL when it
    /// is not a valid one.
    fn try_naive_timestamp(&self, t: &str) -> String;

    /// A timestamp without time zone plus `minutes` (an integer expression).
    fn add_minutes(&self, ts: &str, minutes: &str) -> String;

    /// The date of a timestamp without time zone.
    fn date_of(&self, ts: &str) -> String {
        format!("CAST({ts} AS DATE)")
    }

    /// The local date, in IANA zone `zone`, of `ts` (a UTC timestamp without time zone).
    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error>;

    /// A date part as an integer.
    fn date_part(&self, part: DatePart, d: &str) -> String;

    /// An integer as text, left-padded with zeros to `width` digits.
    fn pad_int(&self, x: &str, width: usize) -> String {
        format!("LPAD(CAST({x} AS {}), {width}, '0')", self.text_type())
    }

    /// Natural logarithm.
    fn ln(&self, x: &str) -> String {
        format!("LN({x})")
    }

    /// A date as `YYYY-MM-DD` text.
    fn date_text(&self, date: &str) -> String {
        format!("CAST({date} AS {})", self.text_type())
    }

    /// Whether text `t` (trimmed) is a plain wall-clock time ([`PLAIN_WALL_CLOCK_RE`]) on a
    /// calendar date.
    fn plain_wall_clock(&self, t: &str) -> String {
        format!(
            "({} AND {} IS NOT NULL)",
            self.full_match(t, PLAIN_WALL_CLOCK_RE),
            self.try_date(&format!("SUBSTR({t}, 1, 10)"))
        )
    }

    /// Noon of the day or of the first of the month of `ts` (a timestamp without time
    /// zone), as a timestamp without time zone; `None` where the dialect has no truncation
    /// (the cut is then written as text).
    fn noon_of(&self, _ts: &str, _cut: crate::rows::Cut) -> Option<String> {
        None
    }

    /// The wall-clock time (a timestamp without time zone) in IANA zone `zone` of a
    /// timestamp-with-time-zone column, or `None` where not supported.
    fn zone_wall_clock(&self, _column: &str, _zone: &str) -> Option<String> {
        None
    }

    /// A timestamp-with-time-zone column as a UTC timestamp without time zone, or `None`
    /// when this dialect does not convert typed instants (they are then left as they are).
    fn instant_as_utc(&self, _column: &str) -> Option<String> {
        None
    }

    /// A date literal from `YYYY-MM-DD`.
    fn date_literal(&self, iso: &str) -> String {
        format!("DATE {}", self.string_lit(iso))
    }
}

/// The engines, to iterate over or pick by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
    /// DuckDB.
    DuckDb,
    /// Spark SQL.
    SparkSql,
    /// Trino.
    Trino,
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// Snowflake.
    Snowflake,
    /// ClickHouse.
    ClickHouse,
}

impl Engine {
    /// Every engine.
    pub const ALL: [Engine; 8] = [
        Engine::Postgres,
        Engine::Sqlite,
        Engine::DuckDb,
        Engine::SparkSql,
        Engine::Trino,
        Engine::BigQuery,
        Engine::Snowflake,
        Engine::ClickHouse,
    ];

    /// The engine's dialect.
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            Engine::Postgres => &Postgres,
            Engine::Sqlite => &Sqlite,
            Engine::DuckDb => &DuckDb,
            Engine::SparkSql => &SparkSql,
            Engine::Trino => &Trino,
            Engine::BigQuery => &BigQuery,
            Engine::Snowflake => &Snowflake,
            Engine::ClickHouse => &ClickHouse,
        }
    }

    /// Lower-case key: `postgres`, `sqlite`, `duckdb`, `spark`, `trino`, `bigquery`,
    /// `snowflake`, `clickhouse`.
    pub fn key(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Sqlite => "sqlite",
            Engine::DuckDb => "duckdb",
            Engine::SparkSql => "spark",
            Engine::Trino => "trino",
            Engine::BigQuery => "bigquery",
            Engine::Snowflake => "snowflake",
            Engine::ClickHouse => "clickhouse",
        }
    }

    /// The engine with this [`Engine::key`].
    pub fn parse(key: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.key() == key)
    }
}

/// `DATE_TRUNC` to the day or month, plus twelve hours (PostgreSQL, DuckDB).
pub(crate) fn date_trunc_noon(ts: &str, cut: crate::rows::Cut) -> String {
    let unit = match cut {
        crate::rows::Cut::Day => "day",
        crate::rows::Cut::Month => "month",
    };
    format!("DATE_TRUNC('{unit}', {ts}) + INTERVAL '12 hours'")
}

/// `column AT TIME ZONE zone`: for a timestamp with time zone, its wall-clock time there
/// (PostgreSQL; DuckDB with its ICU extension, built into its releases).
pub(crate) fn at_time_zone(d: &dyn Dialect, column: &str, zone: &str) -> String {
    format!("({column} AT TIME ZONE {})", d.string_lit(zone))
}

/// A string literal with backslash escapes (`\\`, `\'`), for engines whose literals treat the
/// backslash as an escape character (Spark, BigQuery, ClickHouse, Snowflake).
pub(crate) fn backslash_string_lit(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}
