//! ClickHouse. `toInt64OrNull`, `toFloat64OrNull`, `toDate32OrNull`,
//! `parseDateTime64BestEffortOrNull` (<https://clickhouse.com/docs/sql-reference/functions/type-conversion-functions>),
//! `match` (RE2, <https://clickhouse.com/docs/sql-reference/functions/string-search-functions#match>),
//! `addMinutes`, `toTimeZone` and `toDate` of a zoned `DateTime64`, `toISOYear`,
//! `toISOWeek` (<https://clickhouse.com/docs/sql-reference/functions/date-time-functions>),
//! `leftPad`. Text is `Nullable(String)` (a plain `String` cast of NULL fails). Back-quoted
//! identifiers; backslashes escape in string literals
//! (<https://clickhouse.com/docs/sql-reference/syntax#string>).

use super::{backslash_string_lit, DatePart, Dialect};
use crate::Error;

/// ClickHouse.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClickHouse;

impl Dialect for ClickHouse {
    fn name(&self) -> &'static str {
        "ClickHouse"
    }

    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn string_lit(&self, s: &str) -> String {
        backslash_string_lit(s)
    }

    fn text_type(&self) -> &'static str {
        "Nullable(String)"
    }

    fn int_type(&self) -> &'static str {
        "Int64"
    }

    fn double_type(&self) -> &'static str {
        "Float64"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("match({t}, {})", self.string_lit(re))
    }

    fn try_cast(&self, t: &str, ty: &str) -> String {
        match ty {
            "Int64" => format!("toInt64OrNull({t})"),
            "Float64" => format!("toFloat64OrNull({t})"),
            "DATE" => format!("toDate32OrNull({t})"),
            _ => format!("accurateCastOrNull({t}, {})", self.string_lit(ty)),
        }
    }

    fn try_boolean(&self, t: &str) -> String {
        format!(
            "CASE WHEN lower({t}) IN ('true', 'yes', 'y', '1', 't') THEN true \
             WHEN lower({t}) IN ('false', 'no', 'n', '0', 'f') THEN false END"
        )
    }

    fn try_naive_timestamp(&self, t: &str) -> String {
        format!("parseDateTime64BestEffortOrNull({t}, 6, 'UTC')")
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("addMinutes({ts}, {minutes})")
    }

    fn date_of(&self, ts: &str) -> String {
        format!("toDate32({ts})")
    }

    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "toDate32(toTimeZone({ts}, {}))",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        let f = match part {
            DatePart::Year => "toYear",
            DatePart::Month => "toMonth",
            DatePart::Day => "toDayOfMonth",
            DatePart::IsoYear => "toISOYear",
            DatePart::IsoWeek => "toISOWeek",
        };
        format!("{f}({d})")
    }

    fn pad_int(&self, x: &str, width: usize) -> String {
        format!("leftPad(toString({x}), {width}, '0')")
    }

    fn ln(&self, x: &str) -> String {
        format!("log({x})")
    }

    fn date_literal(&self, iso: &str) -> String {
        format!("toDate32({})", self.string_lit(iso))
    }
}
