//! Snowflake. `TRY_CAST`, `TRY_TO_DATE`, `TRY_TO_TIMESTAMP_NTZ`
//! (<https://docs.snowflake.com/en/sql-reference/functions/try_cast>), `REGEXP_LIKE`
//! (<https://docs.snowflake.com/en/sql-reference/functions/regexp_like>), `DATEADD`,
//! the three-argument `CONVERT_TIMEZONE(source, target, ntz)` that returns the wall-clock
//! time in `target` (<https://docs.snowflake.com/en/sql-reference/functions/convert_timezone>),
//! `YEAROFWEEKISO` and `WEEKISO`. Backslashes escape in string literals
//! (<https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants>).

use super::{backslash_string_lit, DatePart, Dialect};
use crate::Error;

/// Snowflake.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "Snowflake"
    }

    fn string_lit(&self, s: &str) -> String {
        backslash_string_lit(s)
    }

    fn text_type(&self) -> &'static str {
        "VARCHAR"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("REGEXP_LIKE({t}, {})", self.string_lit(re))
    }

    fn try_date(&self, t: &str) -> String {
        let m = self.full_match(t, super::DATE_RE);
        format!("CASE WHEN {m} THEN TRY_TO_DATE({t}, 'YYYY-MM-DD') END")
    }

    fn try_naive_timestamp(&self, t: &str) -> String {
        format!("TRY_TO_TIMESTAMP_NTZ({t})")
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("DATEADD(minute, {minutes}, {ts})")
    }

    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "CAST(CONVERT_TIMEZONE('UTC', {}, {ts}) AS DATE)",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        let f = match part {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::Day => "DAY",
            DatePart::IsoYear => "YEAROFWEEKISO",
            DatePart::IsoWeek => "WEEKISO",
        };
        format!("{f}({d})")
    }
}
