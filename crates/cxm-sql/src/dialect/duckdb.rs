//! DuckDB. `TRY_CAST` (<https://duckdb.org/docs/stable/sql/expressions/cast>),
//! `regexp_full_match` (<https://duckdb.org/docs/stable/sql/functions/regular_expressions>),
//! `to_minutes` intervals, and the ICU `timezone(zone, ts)` function: applied to a
//! `TIMESTAMP` it reads it in `zone` (giving a `TIMESTAMPTZ`), applied to a `TIMESTAMPTZ` it
//! gives the wall-clock time in `zone` (<https://duckdb.org/docs/stable/sql/functions/timestamptz>).
//! A string with an offset cast to `TIMESTAMP` drops the offset, so offsets are applied
//! here by arithmetic. Date parts: `year`, `month`, `day`, `isoyear`, `week` (ISO)
//! (<https://duckdb.org/docs/stable/sql/functions/datepart>).

use super::{DatePart, Dialect};
use crate::Error;

/// DuckDB (1.0 or later, with the ICU extension for named time zones).
#[derive(Debug, Clone, Copy, Default)]
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "DuckDB"
    }

    fn text_type(&self) -> &'static str {
        "VARCHAR"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("regexp_full_match({t}, {})", self.string_lit(re))
    }

    fn try_naive_timestamp(&self, t: &str) -> String {
        self.try_cast(t, "TIMESTAMP")
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("{ts} + to_minutes(CAST({minutes} AS BIGINT))")
    }

    fn noon_of(&self, ts: &str, cut: crate::rows::Cut) -> Option<String> {
        Some(super::date_trunc_noon(ts, cut))
    }

    fn zone_wall_clock(&self, column: &str, zone: &str) -> Option<String> {
        Some(super::at_time_zone(self, column, zone))
    }

    fn instant_as_utc(&self, column: &str) -> Option<String> {
        Some(super::at_time_zone(self, column, "UTC"))
    }

    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "CAST(timezone({}, timezone('UTC', {ts})) AS DATE)",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        let f = match part {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::IsoYear => "isoyear",
            DatePart::IsoWeek => "week",
        };
        format!("{f}({d})")
    }
}
